"""The partial plotly.js bundle (dashboard/assets/vendor/, built by tools/plotly_bundle/build.sh) replaces the full
plotly.min.js: it is the file its manifest records, of the plotly.js version Dash ships, with every trace type the
dashboard creates; in Chromium every page draws its charts of each type with it, never requests the full bundle,
and pages without a chart load no plotly.js at all."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((REPO / "tools" / "plotly_bundle" / "bundle.json").read_text())
BUNDLE = REPO / MANIFEST["file"]
LOADER = REPO / "dashboard" / "assets" / "plotly-loader.js"
FULL_BUNDLE = "plotly.min.js"  # what dcc.Graph fetches (/_dash-component-suites/plotly/package_data/) without it

# One trace of each type, as plotly.js draws it.
DRAWN = {"scatter": ".js-plotly-plot .scatterlayer path.js-line",
         "bar": ".js-plotly-plot .barlayer g.point path",
         "choropleth": ".js-plotly-plot path.choroplethlocation"}
EXPLORE = "/explore?series=SL_TLF_CHLDEC&geo=WLD,BEN,TZA,VNM&sex=total&age=5-17&from=2010&to=2022"
PAGES = {"/": {"scatter": 1, "bar": 1, "choropleth": 100},
         EXPLORE: {"scatter": 1},
         EXPLORE + "&view=map": {"choropleth": 50},
         "/regions": {"bar": 1},
         "/country/NGA": {"scatter": 1, "bar": 1}}


def test_bundle_is_the_recorded_build_of_the_plotly_js_dash_ships():
    from plotly.offline import get_plotlyjs_version

    data = BUNDLE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == MANIFEST["sha256"], "bundle changed: rebuild with build.sh"
    assert len(data) == MANIFEST["bytes"]
    assert MANIFEST["plotly_js"] == get_plotlyjs_version(), (
        f"plotly.js {get_plotlyjs_version()} is installed, the bundle is {MANIFEST['plotly_js']}: set it in "
        "tools/plotly_bundle/package.json and run tools/plotly_bundle/build.sh --update")
    assert data.startswith(f"/**\n* plotly.js v{MANIFEST['plotly_js']} ".encode())
    assert not re.search(rb"new Function\(|\beval\(", data)  # the CSP allows no string eval
    licence = BUNDLE.with_name(BUNDLE.name.replace(".min.js", ".LICENSE.txt")).read_text()
    assert "MIT License" in licence and "Plotly" in licence
    expected = f"var BUNDLE = 'vendor/{BUNDLE.name}?v={MANIFEST['sha256'][:12]}';"
    assert expected in LOADER.read_text(), "plotly-loader.js names another bundle: rebuild with build.sh"


def test_bundle_has_every_trace_type_the_dashboard_creates():
    import plotly.graph_objects as go
    from plotly.basedatatypes import BaseTraceType

    used = set()
    for path in (REPO / "dashboard").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"\bpx\.\w+\(", text), f"{path}: plotly.express; list its trace types in the bundle"
        for name in re.findall(r"\bgo\.([A-Z]\w*)\s*\(", text):
            cls = getattr(go, name)
            if isinstance(cls, type) and issubclass(cls, BaseTraceType):
                used.add(cls().type)
    assert used, "no go.<Trace>( call found: has the dashboard moved?"
    missing = used - set(MANIFEST["traces"])
    assert not missing, (f"trace types {sorted(missing)} are not in the partial plotly.js bundle (they would not be "
                         "drawn): add them to TRACES in tools/plotly_bundle/build.mjs and run build.sh")


def plotly_requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "plotly" in r.url.rsplit("/", 1)[-1] else None)
    return seen


@pytest.mark.browser
@pytest.mark.parametrize("path", list(PAGES))
def test_charts_draw_with_the_partial_bundle(server, page, path):
    requests = plotly_requests(page)
    page.goto(server + path, wait_until="domcontentloaded")
    for kind, at_least in PAGES[path].items():
        expect(page.locator(DRAWN[kind]).nth(at_least - 1)).to_be_attached(timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if FULL_BUNDLE in u], f"the full plotly.js was requested: {requests}"
    assert len([u for u in requests if BUNDLE.name in u]) == 1, requests
    assert page.evaluate("[window.Plotly.version, typeof window.Plotly.react]") == [MANIFEST["plotly_js"], "function"]
    page.probe.assert_clean()


@pytest.mark.browser
def test_pages_without_charts_load_no_plotly_then_navigation_loads_the_bundle(server, page):
    requests = plotly_requests(page)
    page.goto(server + "/data", wait_until="networkidle")
    assert not [u for u in requests if BUNDLE.name in u or FULL_BUNDLE in u], requests
    assert page.locator(".js-plotly-plot").count() == 0
    page.locator("nav[aria-label=Main] a[href='/']").click()  # client-side navigation: the first graph loads it
    expect(page.locator(DRAWN["choropleth"]).nth(99)).to_be_attached(timeout=20_000)
    expect(page.locator(DRAWN["bar"]).first).to_be_attached(timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert [u for u in requests if BUNDLE.name in u] and not [u for u in requests if FULL_BUNDLE in u], requests
    page.probe.assert_clean()
