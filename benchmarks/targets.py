"""What the harness requests: /api/v1 endpoints with representative filters, and every Dash callback with a valid
payload. Payloads come from a real headless Chromium loading every page (the requests the page itself sends),
and, for callbacks no page load fires, from the page layouts (each input/state set to its layout value)."""
from __future__ import annotations

import contextlib
import json
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import duckdb

from dashboard.callback_protocol import callback_body

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@dataclass
class Target:
    name: str          # "GET /api/v1/series.csv" or "cb /explore explore-body.children"
    kind: str          # "endpoint" | "bulk" | "callback"
    method: str
    path: str
    body: bytes | None = None
    note: str = ""
    source: str = ""   # where a callback payload came from: browser | layout
    extra: dict = field(default_factory=dict)


# ---- /api/v1 ---------------------------------------------------------------------------------------------------

def pick_slice(warehouse: Path, synthetic: bool) -> dict:
    """The series, sex and five geographies the endpoint requests use: the Explore default on the real warehouse,
    the biggest SYNTHETIC series with a target on a synthetic one (so its rows are in every table)."""
    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        if synthetic:
            series = con.execute("""SELECT o.series FROM observations o JOIN series s ON s.code = o.series
                                    WHERE o.source = 'synthetic' AND s.target_value IS NOT NULL
                                    GROUP BY 1 ORDER BY count(*) DESC LIMIT 1""").fetchone()[0]
        else:
            series = "SL_TLF_CHLDEC"
        geos = [r[0] for r in con.execute("""SELECT geo FROM observations WHERE series = ? AND sex = 'total'
                                             AND is_current GROUP BY geo ORDER BY count(*) DESC, geo LIMIT 5""",
                                          [series]).fetchall()]
        n_series_rows = con.execute("SELECT count(*) FROM observations WHERE series = ? AND is_current",
                                    [series]).fetchone()[0]
    return {"series": series, "geo": geos, "n_series_rows": n_series_rows}


def endpoint_targets(sl: dict) -> list[Target]:
    one = {"series": sl["series"]}
    chart = {"series": sl["series"], "geo": ",".join(sl["geo"]), "sex": "total"}
    queries = {"series": {}, "geographies": {}, "observations": chart, "progress": one, "regional-gaps": one}
    out = []
    for dataset, params in queries.items():
        for fmt in ("csv", "parquet"):
            path = f"/api/v1/{dataset}.{fmt}" + (f"?{urlencode(params, safe=',')}" if params else "")
            out.append(Target(f"GET /api/v1/{dataset}.{fmt}", "endpoint", "GET", path,
                              note=urlencode(params, safe=",") or "all rows"))
    path = f"/api/v1/observations.csv?{urlencode(one)}"
    out.append(Target("GET /api/v1/observations.csv (bulk)", "bulk", "GET", path,
                      note=f"series={sl['series']}: {sl['n_series_rows']:,} rows"))
    return out


# ---- Dash callbacks ----------------------------------------------------------------------------------------------

def get_json(base: str, path: str):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return json.loads(r.read())


def callback_key(payload: dict) -> str:
    return payload.get("output", "")


def short_output(output: str) -> str:
    """'..explore-sex.options...explore-sex.value..' -> 'explore-sex.options+explore-sex.value'"""
    parts = [p for p in output.strip(".").split("...") if p]
    text = "+".join(parts) if len(parts) <= 2 else f"{parts[0]}+{len(parts) - 1} more"
    return text if len(text) <= 70 else text[:67] + "…"


def page_paths(base: str, sample_geo: str) -> list[str]:
    """Every page of the app (dash.page_registry of the app the server runs), templates filled with a real code."""
    from dashboard.app import app  # noqa: F401  registers the pages
    import dash

    out = []
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        if page.get("module", "").endswith("not_found_404") or path == "/404":
            continue
        path = re.sub(r"<[^>]+>", sample_geo, path)
        out.append(path)
    return sorted(dict.fromkeys(out), key=lambda p: (p != "/", p))


@dataclass
class PageVisit:
    path: str
    bytes: int = 0
    first_chart_ms: float | None = None
    load_ms: float | None = None
    callbacks: list[dict] = field(default_factory=list)  # {"payload", "status"}
    console_errors: list[str] = field(default_factory=list)
    largest: list = field(default_factory=list)  # (file, bytes) of the biggest transfers
    error: str | None = None


FIRST_CHART_SCRIPT = """
(() => {
  window.__firstChart = null;
  const seen = () => document.querySelector('.js-plotly-plot .main-svg');
  const obs = new MutationObserver(() => {
    if (window.__firstChart === null && seen()) { window.__firstChart = performance.now(); obs.disconnect(); }
  });
  document.addEventListener('DOMContentLoaded', () => obs.observe(document.body, {childList: true, subtree: true}));
})();
"""


def visit_pages(base: str, paths: list[str], settle_ms: int = 1500, timeout_ms: int = 45_000) -> list[PageVisit]:
    """Load each page in a fresh headless Chromium context (empty cache): bytes transferred (compressed, from the
    DevTools protocol), time to the first Plotly chart, and every callback request the page sends."""
    from playwright.sync_api import sync_playwright

    visits = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for path in paths:
                visits.append(visit(browser, base, path, settle_ms, timeout_ms))
        finally:
            browser.close()
    return visits


def visit(browser, base: str, path: str, settle_ms: int, timeout_ms: int) -> PageVisit:
    v = PageVisit(path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(FIRST_CHART_SCRIPT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e.get("encodedDataLength", 0)))
    pending: list = []

    def on_response(resp):
        if urlparse(resp.url).path.endswith("/_dash-update-component") and resp.request.method == "POST":
            pending.append((resp.request.post_data, resp.status))
    page.on("response", on_response)
    page.on("console", lambda m: v.console_errors.append(m.text[:200]) if m.type == "error" else None)
    try:
        page.goto(base + path, wait_until="networkidle", timeout=timeout_ms)
        page.wait_for_timeout(settle_ms)
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        t = page.evaluate("() => [window.__firstChart, performance.getEntriesByType('navigation')[0]?.loadEventEnd]")
        v.first_chart_ms, v.load_ms = t[0], t[1]
    except Exception as exc:  # a page still being written must not stop the harness
        v.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    v.bytes = int(sum(sizes.values()))
    biggest = sorted(sizes.items(), key=lambda kv: -kv[1])[:4]
    v.largest = [(urlparse(urls.get(k, "?")).path.rsplit("/", 1)[-1][:40], int(n)) for k, n in biggest]
    for data, status in pending:
        with contextlib.suppress(Exception):
            v.callbacks.append({"payload": json.loads(data), "status": status})
    context.close()
    return v


def layout_values(path: str) -> dict[str, dict]:
    """{component id: props} of the shell and of a page's layout (called in this process)."""
    from dashboard.app import app
    import dash

    found: dict[str, dict] = {}

    def walk(node):
        if isinstance(node, (list, tuple)):
            for n in node:
                walk(n)
            return
        if not hasattr(node, "to_plotly_json"):
            return
        props = {k: getattr(node, k) for k in getattr(node, "_prop_names", []) if hasattr(node, k)}
        cid = props.get("id")
        if isinstance(cid, str):
            found[cid] = props
        for v in props.values():
            if hasattr(v, "to_plotly_json") or isinstance(v, (list, tuple)):
                walk(v)

    walk(app.layout)
    for page in dash.page_registry.values():
        if (page.get("path_template") or page["path"]) == path or page["path"] == path:
            layout = page["layout"]
            with contextlib.suppress(Exception):
                walk(layout() if callable(layout) else layout)
    return found


def callback_targets(base: str, visits: list[PageVisit], deps: list[dict]) -> tuple[list[Target], list[str]]:
    """One target per (page, callback): the payload the browser sent, else one made from the page layout.
    Returns the targets and the callbacks that could not be exercised (with why)."""
    targets, seen = [], set()
    for v in visits:
        for cb in v.callbacks:
            key = (v.path, callback_key(cb["payload"]))
            if key in seen:
                continue
            seen.add(key)
            targets.append(Target(f"cb {v.path} {short_output(key[1])}", "callback", "POST", "/_dash-update-component",
                                  json.dumps(cb["payload"]).encode(), source="browser",
                                  extra={"browser_status": cb["status"], "page": v.path}))
    covered = {k[1] for k in seen}
    missing = []
    for dep in deps:
        if dep["output"] in covered or dep.get("clientside_function") or any(
                i["id"] == "_pages_location" for i in dep["inputs"]):  # the page router: only real page loads
            continue
        made = None
        for v in visits:
            made = callback_body(dep, layout_values(v.path))  # the payload the workers' warm-up sends too
            if made:
                targets.append(Target(f"cb {v.path} {short_output(dep['output'])}", "callback", "POST",
                                      "/_dash-update-component", json.dumps(made).encode(), source="layout",
                                      extra={"page": v.path}))
                break
        if not made:
            missing.append(short_output(dep["output"]))
    return targets, missing
