"""Production serving under bad input, faults and load: the real `sdg87 serve` (gunicorn) on loopback.

Status codes (404 for unknown pages and countries, 400 for bad parameters and malformed callback requests, 405
for any method that could write), plain error bodies without tracebacks, security headers and a CSP that the
pages run under in Chromium without violations, streamed extracts, query time limits, and a small load smoke run.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import threading
import time

import duckdb
import pyarrow.parquet as pq
import pytest
import requests

from dashboard import security

from .logged_server import logged_server

PAGES = ["/", "/explore", "/country", "/country/NGA", "/regions", "/data", "/methodology"]
CALLBACK = "/_dash-update-component"


def get(url, **kw):
    kw.setdefault("timeout", 60)
    return requests.get(url, **kw)


def assert_plain(r, status=None):
    if status is not None:
        assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("text/plain"), r.headers["Content-Type"]
    assert "Traceback" not in r.text and "<html" not in r.text.lower()


@pytest.fixture(scope="module", autouse=True)
def routes_installed(server):
    r = get(server + "/no-such-page-at-all")
    if r.status_code != 404:
        pytest.fail("dashboard.routes is not installed: add `routes.install(server)` after `security.install(server)` "
                    "in dashboard/app.py (and import routes from dashboard)")


# ---- status codes ----------------------------------------------------------------------------------------

def test_known_pages_are_200(server):
    for path in PAGES + ["/explore/", "/country/nga", "/country/NGA?sex=female", "/explore?series=x&view=map"]:
        r = get(server + path)
        assert r.status_code == 200, path
        assert 'id="react-entry-point"' in r.text


@pytest.mark.parametrize("path", ["/no-such-page", "/country/XXX", "/country/none", "/country/NGA/extra",
                                  "/country/%3Cscript%3E", "/country/' OR '1'='1", "/_dash-nothing",
                                  "/not-found-404", "/Explore", "/api", "/%00", "/country/ZZZZZZZZZZZZZZ"])
def test_unknown_pages_are_404_with_the_app(server, path):
    r = get(server + path)
    assert r.status_code == 404, path
    assert 'id="react-entry-point"' in r.text, "the body stays the Dash app, which renders the not-found page"
    assert r.headers["Content-Type"].startswith("text/html")


def test_unknown_assets_and_resources_are_plain_404(server):
    for path in ["/assets/nothing.css", "/_dash-component-suites/dash/nothing.js",
                 "/_dash-component-suites/dash/../../../../etc/passwd", "/assets/../../pipelines/cli.py",
                 "/_dash-component-suites/%3Cscript%3Ealert(1)%3C%2Fscript%3E/x.js", "/_dash-component-suites/os/x.js"]:
        r = get(server + path)
        assert r.status_code == 404, path
        assert "root:" not in r.text and "import click" not in r.text and "<script>alert" not in r.text
        if not r.headers["Content-Type"].startswith("text/html"):
            assert_plain(r)


def test_head_matches_get(server):
    assert requests.head(server + "/explore", timeout=30).status_code == 200
    assert requests.head(server + "/country/XXX", timeout=30).status_code == 404


# ---- methods: nothing writable -----------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", ["/", "/explore", "/country/NGA", "/assets/style.css", "/api/v1/series.csv",
                                  "/_dash-layout", "/_dash-dependencies", "/no-such-page"])
def test_only_get_and_head(server, method, path):
    r = requests.request(method, server + path, data=b"x=1", timeout=30)
    assert r.status_code == 405, (method, path, r.status_code)
    assert_plain(r)
    assert set(re.split(r",\s*", r.headers["Allow"])) <= {"GET", "HEAD"}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_callback_endpoint_takes_only_post(server, method):
    r = requests.request(method, server + CALLBACK, json={}, timeout=30)
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"


# ---- malformed callback requests ---------------------------------------------------------------------------

ROUTER = ".._pages_content.children..._pages_store.data.."


def router(pathname, search=""):
    return {"output": ROUTER,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


MALFORMED = [
    b"garbage", b"{", b"[]", b"null", b'"x"', b"1", b"{}", b'{"output": 5}', b'{"output": "nope.children"}',
    json.dumps({**router("/"), "inputs": "x"}).encode(),
    json.dumps({**router("/"), "inputs": [1, 2]}).encode(),
    json.dumps({**router("/"), "inputs": [{"id": "_pages_location"}]}).encode(),
    json.dumps({**router("/"), "inputs": router("/")["inputs"][:1]}).encode(),
    json.dumps({**router("/"), "inputs": router("/")["inputs"] * 2}).encode(),
    json.dumps({**router("/"), "state": [{"id": "x", "property": "y"}]}).encode(),
    json.dumps({**router("/"), "outputs": "x"}).encode(),
    json.dumps({**router("/"), "changedPropIds": "x"}).encode(),
    json.dumps({k: v for k, v in router("/").items() if k != "outputs"}).encode(),
    json.dumps({**router("/"), "outputs": router("/")["outputs"][:1]}).encode(),
    json.dumps(router(123)).encode(), json.dumps(router({"a": 1})).encode(), json.dumps(router("/", 5)).encode(),
    json.dumps(router(["/"])).encode(),
]


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_callback_requests_are_400(server, body):
    r = requests.post(server + CALLBACK, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert_plain(r, 400)
    assert r.text.startswith("bad callback request") or "JSON" in r.text


def test_router_gives_layouts_one_string_per_parameter(server):
    """Dash's pages router would pass a repeated query parameter as a list and let a query parameter override a
    path variable; both are normalised before the page layout sees them."""
    r = requests.post(server + CALLBACK, json=router("/regions", "?series=a&series=b&scheme=x&scheme=y"), timeout=60)
    assert r.status_code == 200, r.text[:300]
    r = requests.post(server + CALLBACK, json=router("/explore", "?geo=NGA&geo=IND"), timeout=60)
    assert r.status_code == 200
    r = requests.post(server + CALLBACK, json=router("/country/NGA", "?code=IND"), timeout=60)
    assert r.status_code == 200
    assert r.json()["response"]["_pages_store"]["data"]["title"].startswith("Nigeria")


def test_callback_request_must_be_json(server):
    r = requests.post(server + CALLBACK, data=b"output=x", timeout=30)
    assert_plain(r, 400)
    r = requests.post(server + CALLBACK, data=b"x" * 2_000_000, headers={"Content-Type": "application/json"},
                      timeout=30)
    assert r.status_code in (400, 413) and "Traceback" not in r.text


def test_real_callbacks_still_answer(server):
    """The checks above never reject what the browser sends: every page's router and page callbacks answer."""
    from benchmarks.load import page_callbacks

    s = requests.Session()
    for path in ["/", "/explore", "/country/NGA", "/data"]:
        router_body, bodies = page_callbacks(s, server, path)
        assert s.post(server + CALLBACK, json=router_body, timeout=60).status_code == 200
        assert bodies, f"no server callback found for {path}"
        for body in bodies:
            r = s.post(server + CALLBACK, json=body, timeout=60)
            assert r.status_code in (200, 204), (path, body["output"], r.status_code, r.text[:200])


@pytest.fixture(scope="module")
def noisy_server(warehouse, tmp_path_factory):
    """The real server for tests that make it fail on purpose (its log is a file, see tests/logged_server.py)."""
    log = tmp_path_factory.mktemp("noisy") / "server.log"
    with logged_server(warehouse, log) as base:
        yield base, log


def test_type_confused_callback_values_never_leak_a_traceback(noisy_server):
    """Forged values of the wrong JSON type reach page callbacks: whatever they answer, no traceback leaks to
    the client (a 500 is plain "internal error"; the traceback is in the server log)."""
    from dashboard.callback_protocol import callback_body

    base, log = noisy_server
    s = requests.Session()
    deps = s.get(base + "/_dash-dependencies", timeout=60).json()
    weird = [{"$": 1}, [[None]], 1e308, True, "x" * 5000]
    failures = 0
    for dep in deps:
        deps_of = dep.get("inputs", []) + dep.get("state", [])
        ids = {d["id"] for d in deps_of if isinstance(d["id"], str)}
        for value in weird:
            body = callback_body(dep, {cid: {d["property"]: value for d in deps_of} for cid in ids})
            if body is None:
                continue
            r = s.post(base + CALLBACK, json=body, timeout=60)
            assert r.status_code < 500 or r.text == "internal error\n", (dep["output"], value, r.text[:300])
            assert "Traceback" not in r.text and 'File "' not in r.text
            failures += r.status_code == 500
    if failures:
        assert "Traceback" in log.read_text(errors="replace"), "500s are logged with their traceback"


# ---- /api/v1 parameters --------------------------------------------------------------------------------

BAD_API = [
    ("/api/v1/nope.csv", "unknown extract"),
    ("/api/v1/observations.xlsx", "unknown extract"),
    ("/api/v1/observations.csv?colour=red", "parameter 'colour' is not known"),
    ("/api/v1/observations.csv?from=abc", "parameter 'from'"),
    ("/api/v1/observations.csv?from=%C2%B2", "parameter 'from'"),
    ("/api/v1/observations.csv?from=%D9%A2%D9%A0%D9%A0%D9%A0", "parameter 'from'"),
    ("/api/v1/observations.csv?from=2020&to=2010", "parameter 'from'"),
    ("/api/v1/observations.csv?from=2000&from=2001", "parameter 'from'"),
    ("/api/v1/observations.csv?to=3000", "parameter 'to'"),
    ("/api/v1/observations.csv?geo=XXX", "parameter 'geo': unknown value 'XXX'"),
    ("/api/v1/observations.csv?geo=NGA'%20OR%20'1'%3D'1", "parameter 'geo': unknown value"),
    ("/api/v1/observations.csv?series=x');%20DROP%20TABLE%20observations;--", "parameter 'series'"),
    ("/api/v1/observations.csv?sex=both", "parameter 'sex'"),
    ("/api/v1/observations.csv?age=99-100", "parameter 'age'"),
    ("/api/v1/observations.csv?geo=%E2%80%AENGA%00", "parameter 'geo': unknown value '\\u202eNGA\\x00'"),
    ("/api/v1/observations.csv?geo=" + ",".join(["NGA"] * 501), "at most 500 values"),
    ("/api/v1/series.csv?geo=NGA", "parameter 'geo': does not apply to dataset 'series'"),
    ("/api/v1/geographies.parquet?series=SL_TLF_CHLDEC", "parameter 'series': does not apply"),
]


@pytest.mark.parametrize("path,message", BAD_API)
def test_bad_api_parameters_are_400_with_a_plain_message(server, path, message):
    r = get(server + path)
    assert_plain(r, 400)
    assert message in r.text, r.text


def test_sql_in_values_is_data_not_code(server, warehouse):
    before = duckdb.connect(str(warehouse), read_only=True).execute("SELECT count(*) FROM observations").fetchone()
    for value in ["NGA' OR '1'='1", "NGA'); DROP TABLE observations; --", "NGA\\' UNION SELECT * FROM series --",
                  "1=1", "%", "_", "NGA%"]:
        for name in ("series", "geo", "sex", "age"):
            r = get(server + "/api/v1/observations.csv", params={name: value})
            assert_plain(r, 400)
    r = get(server + "/api/v1/observations.csv", params={"geo": "NGA"})
    assert r.status_code == 200
    after = duckdb.connect(str(warehouse), read_only=True).execute("SELECT count(*) FROM observations").fetchone()
    assert before == after


def test_regional_gaps_filter_by_region(server):
    r = get(server + "/api/v1/regional-gaps.csv", params={"geo": "WLD"})
    assert r.status_code in (200, 400), r.text  # 400 only when the mart is not in this build
    if r.status_code == 200:
        rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
        assert rows and {row["region"] for row in rows} == {"WLD"}


# ---- security headers, debug off, CSP --------------------------------------------------------------------

def script_src(csp: str) -> str:
    return next(d for d in csp.split(";") if d.strip().startswith("script-src"))


@pytest.mark.parametrize("path", ["/", "/explore", "/country/NGA", "/country/XXX", "/no-such-page",
                                  "/assets/style.css", "/_dash-layout", "/api/v1/series.csv", "/api/v1/nope.csv"])
def test_security_headers(server, path):
    r = get(server + path, headers={"Accept-Encoding": "gzip"})
    h = r.headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["X-Frame-Options"] == "DENY"
    csp = h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in script_src(csp) and "'unsafe-eval'" not in script_src(csp)
    assert "http:" not in csp and "https:" not in csp and "*" not in csp
    if h["Content-Type"].startswith("text/html"):
        hashes = security.inline_script_hashes(r.content)
        assert hashes and all(x in script_src(csp) for x in hashes), "every inline script is allowed by its hash"


def test_debug_is_off(server):
    html = get(server + "/").text
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S)[1])
    assert config["ui"] is False and config["props_check"] is False
    assert get(server + "/console").status_code == 404  # no Werkzeug debugger console
    r = requests.post(server + CALLBACK, data=b"{", headers={"Content-Type": "application/json"}, timeout=30)
    assert "Traceback" not in r.text and "werkzeug" not in r.text.lower()
    assert get(server + "/_dash-layout").headers.get("Server", "").startswith("gunicorn")


def test_internal_errors_are_plain(monkeypatch):
    """The 500 handler (a bare Flask app with the same hooks; the real app has no route that fails on purpose)."""
    from flask import Flask

    from dashboard import routes

    app = Flask("boom")
    security.install(app)
    routes.install(app)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail /etc/passwd")

    client = app.test_client()
    r = client.get("/boom")
    assert r.status_code == 500
    assert r.get_data(as_text=True) == "internal error\n"
    assert r.headers["Content-Type"].startswith("text/plain")
    r = client.get("/nothing")
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/plain")


@pytest.mark.browser
def test_pages_run_under_the_csp_in_chromium(server, page):
    violations = []
    page.expose_function("cspViolation", lambda v: violations.append(v))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "window.cspViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));")
    graphs = 0
    for path in PAGES:
        page.goto(server + path, wait_until="networkidle")
        page.wait_for_timeout(300)
        graphs += page.locator(".js-plotly-plot").count()
    page.goto(server + "/explore", wait_until="networkidle")
    views = page.locator("#explore-view label").all()
    assert len(views) >= 2, "the explore page's view switch (map, ranking, table) is exercised"
    for label in views:
        label.click()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
    page.goto(server + "/country/XXX", wait_until="networkidle")
    assert violations == []
    csp_errors = [e for e in page.probe.console_errors if "Content Security Policy" in e or "Refused to" in e]
    assert csp_errors == []
    assert graphs > 0, "plotly rendered charts (scripts ran)"


# ---- streaming -------------------------------------------------------------------------------------------

def test_extracts_stream_chunked(server):
    for fmt in ("csv", "parquet"):
        with requests.get(f"{server}/api/v1/observations.{fmt}", stream=True, timeout=60) as r:
            assert r.status_code == 200
            assert r.headers.get("Transfer-Encoding") == "chunked", r.headers
            assert "Content-Length" not in r.headers
            body = b"".join(r.iter_content(65536))
            n = int(r.headers["X-SDG87-Rows"])
        if fmt == "csv":
            assert body.count(b"\r\n") == n + 1  # header + rows (no line breaks inside these cells)
        else:
            assert pq.read_table(io.BytesIO(body)).num_rows == n


@pytest.fixture
def local_warehouse(warehouse, monkeypatch):
    monkeypatch.setenv("SDG87_WAREHOUSE", str(warehouse))
    return warehouse


def test_stream_is_not_materialised(local_warehouse):
    """The first batch of a 50-million-row result arrives at once, and reading stops when the client does."""
    from dashboard import api as http_api

    t0 = time.perf_counter()
    schema, batches = http_api.record_batches("SELECT i, i * 2 AS j, 'x' || i AS s FROM range(?) t(i)",
                                              [50_000_000], batch_rows=10_000)
    first = next(batches)
    elapsed = time.perf_counter() - t0
    assert first.num_rows == 10_000 and schema.names == ["i", "j", "s"]
    assert elapsed < 3, f"first batch after {elapsed:.1f} s: the result was materialised"
    for _ in range(3):
        next(batches)
    batches.close()  # the client went away: the cursor is closed, the thread's connection is free
    from dashboard import data
    assert data.query("SELECT 42 AS x")["x"].iloc[0] == 42
    chunks = list(http_api.csv_stream("SELECT i FROM range(?) t(i)", [http_api.BATCH_ROWS * 3]))
    assert len(chunks) == 4, "header, then one chunk per record batch"


# ---- query time limit ------------------------------------------------------------------------------------

SLOW = "SELECT sum(i % 7) AS s FROM range(?) t(i)"


def test_slow_query_is_interrupted(local_warehouse, monkeypatch):
    from dashboard import data

    monkeypatch.setattr(data, "QUERY_SECONDS", 0.5)
    t0 = time.perf_counter()
    with pytest.raises(data.QueryTimeout):
        data.query(SLOW, [10**12])
    assert time.perf_counter() - t0 < 5
    assert data.query("SELECT 1 AS x")["x"].iloc[0] == 1, "the connection is usable afterwards"


@pytest.fixture(scope="module")
def slow_server(warehouse, tmp_path_factory):
    """The real server on a copy of the warehouse whose regional_gaps mart takes minutes to read, with a 1 s
    query limit."""
    path = tmp_path_factory.mktemp("slow") / "sdg87.duckdb"
    shutil.copy(warehouse, path)
    with contextlib.closing(duckdb.connect(str(path))) as con:
        con.execute("ALTER TABLE regional_gaps RENAME TO regional_gaps_base")
        con.execute("CREATE VIEW regional_gaps AS SELECT * FROM regional_gaps_base "
                    "WHERE (SELECT sum(i % 7) FROM range(1000000000000) t(i)) >= 0")
    with logged_server(path, path.with_suffix(".log"), env={"SDG87_QUERY_SECONDS": "1"}) as base:
        yield base


def test_slow_extract_is_stopped_with_503_and_workers_stay_free(slow_server):
    results = []

    def slow():
        t0 = time.perf_counter()
        r = get(slow_server + "/api/v1/regional-gaps.csv")
        results.append((r.status_code, r.text, r.headers.get("Content-Type", ""), time.perf_counter() - t0))

    threads = [threading.Thread(target=slow) for _ in range(10)]  # more than 2 workers x 4 threads
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 10
    for status, text, ctype, seconds in results:
        assert status == 503, text
        assert ctype.startswith("text/plain") and "longer than the limit of 1 s" in text
        assert seconds < 30
    t0 = time.perf_counter()
    assert get(slow_server + "/api/v1/series.csv").status_code == 200
    assert get(slow_server + "/explore").status_code == 200
    assert time.perf_counter() - t0 < 10, "no worker is left hung"


# ---- load smoke ------------------------------------------------------------------------------------------

def test_load_smoke(server):
    """5 users for 5 s through every kind of request: no errors (the figures are in benchmarks/LOAD.md)."""
    from benchmarks.load import run

    result = run(server, users=5, duration=5, think=0.05, log=lambda m: None)
    summary = result.summary()
    assert {s.kind for s in result.samples} == {"page", "callback", "extract"}
    assert summary["overall"]["requests"] > 20
    assert summary["overall"]["errors"] == 0, result.error_examples()
