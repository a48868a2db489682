"""Property tests with hostile input against the real production server on loopback.

Every /api/v1 extract parameter (series, geo, sex, age, from, to, unknown names, repeated parameters), every page
route (/country/<random>, /explore?<random query>, any page with a random query, random paths) and the Dash
callback endpoint get random and hostile strings: SQL fragments, Unicode with RTL overrides, NUL and other
control characters (URL-encoded), 10 kB values. Page routes are also rendered server-side through Dash's pages
router callback with the same path and query, exactly as the browser asks for them, so the page layouts see the
hostile values too. The server never answers 5xx and never shows a traceback.

Bounded: at most 150 examples per test, no deadline. The server's log is a file (tests/logged_server.py).
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.callback_protocol import router_body
from pipelines import api

from .logged_server import logged_server

SETTINGS = settings(max_examples=150, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CALLBACK = "/_dash-update-component"
PAGES = ["/", "/explore", "/country", "/country/NGA", "/regions", "/data", "/methodology"]

HOSTILE = [
    "' OR '1'='1", "1; DROP TABLE observations; --", "NGA') UNION SELECT * FROM series --", "\" OR \"\"=\"",
    "%", "_", "*", "\\", "';", "$1", "?", "NULL", "1e309", "-1", "0x7e4", "99999999999999999999", "2000.5",
    "\u202eNGA", "\u200f\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u05e2\u05d1\u05e8\u05d9\u05ea", "\x00",
    "NGA\x00", "\x01\x02\x1b[31m", "\ufeff", "\u2028", "\r\n", "\t", "𝕏💥", "ＮＧＡ", "ǅ", "ß", "İ",
    "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x}", "../../etc/passwd", "%00", "%252e%252e",
    "NGA", "nga", "WLD", "IND,BRA", "SL_TLF_CHLDEC", "SL_TLF_CHLDEA", "total", "female", "5-17", "2015", "2000",
    "1900", "2100", "", " ", ",", ",,,",
]
CHARS = st.characters(blacklist_categories=("Cs",))  # no lone surrogates: they cannot be UTF-8 encoded


def long_value():
    return st.builds(lambda ch, n: ch * n, st.sampled_from(["A", "é", "\u202e", "'", "%", ",NGA"]),
                     st.sampled_from([1_000, 10_000]))


VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(CHARS, max_size=40),
    st.text(st.characters(max_codepoint=0x7F), max_size=20),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=6).map(",".join),
    long_value(),
)
NAMES = st.one_of(st.sampled_from(api.FILTERS), st.sampled_from(api.FILTERS),
                  st.sampled_from(["dataset", "format", "limit", "sql", "__proto__", "geo[]", "GEO", "from ", ""]),
                  st.text(CHARS, max_size=12))


@pytest.fixture(scope="module")
def fuzz_server(warehouse, tmp_path_factory):
    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    with logged_server(warehouse, log) as base:
        yield base


@pytest.fixture(scope="module")
def http():
    with requests.Session() as s:
        yield s


def check(r: requests.Response, what) -> None:
    assert r.status_code < 500, (what, r.status_code, r.text[:300])
    body = r.text if "text" in r.headers.get("Content-Type", "") or "json" in r.headers.get("Content-Type", "") else ""
    assert "Traceback" not in body and 'File "/' not in body, (what, body[:300])
    if r.status_code == 400:
        assert r.headers["Content-Type"].startswith("text/plain"), (what, r.headers["Content-Type"])


def render(http, base, pathname: str, search: str) -> requests.Response:
    """What the browser does after loading the page: ask Dash's router for the layout of pathname + search."""
    r = http.post(base + CALLBACK, json=router_body(pathname, search), timeout=60)
    check(r, ("router", pathname, search))
    assert r.status_code in (200, 204), (pathname, search, r.status_code, r.text[:200])
    return r


# ---- /api/v1 -----------------------------------------------------------------------------------------------

@SETTINGS
@given(dataset=st.one_of(st.sampled_from(list(api.DATASETS)), st.sampled_from(["nope", "..", "observations.csv"]),
                         st.text(CHARS, max_size=12)),
       fmt=st.sampled_from(["csv", "parquet", "json", "", "csv.csv"]),
       params=st.lists(st.tuples(NAMES, VALUES), max_size=6))
def test_api_extracts_never_fail(fuzz_server, http, dataset, fmt, params):
    url = f"{fuzz_server}/api/v1/{quote(dataset, safe='')}.{fmt}"
    if params:
        url += "?" + urlencode(params)
    r = http.get(url, timeout=120)
    check(r, (dataset, fmt, params))
    if r.status_code == 200:
        assert int(r.headers["X-SDG87-Rows"]) >= 0
        if fmt == "csv":
            assert r.text.count("\r\n") >= 1


@SETTINGS
@given(params=st.lists(st.tuples(st.sampled_from(api.FILTERS), VALUES), min_size=1, max_size=8),
       doc=st.sampled_from(["datapackage.json", "citation.txt", "codebook.csv"]),
       dataset=st.one_of(st.sampled_from(list(api.DATASETS)), st.sampled_from(HOSTILE)))
def test_api_documents_never_fail(fuzz_server, http, params, doc, dataset):
    r = http.get(f"{fuzz_server}/api/v1/{doc}?" + urlencode([("dataset", dataset), *params]), timeout=120)
    check(r, (doc, dataset, params))


# ---- pages -------------------------------------------------------------------------------------------------

@SETTINGS
@given(code=st.one_of(st.sampled_from(HOSTILE), st.text(CHARS, max_size=30), long_value(),
                      st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=3, max_size=3)))
def test_country_pages(fuzz_server, http, code):
    path = "/country/" + quote(code, safe="")
    r = http.get(fuzz_server + path, timeout=60)
    check(r, path)
    if r.status_code == 200:
        assert 'id="react-entry-point"' in r.text
    elif r.status_code == 404:  # the Dash app (not-found page), or plain when Werkzeug cannot route (newlines)
        assert 'id="react-entry-point"' in r.text or r.headers["Content-Type"].startswith("text/plain")
    else:
        assert r.status_code in (400, 414), (path, r.status_code)
    if r.status_code == 200 and code not in ("", ".", ".."):  # ("", dot segments: /country, /country/.. = /)
        assert re.fullmatch(r"[A-Za-z0-9_]{2,12}", code), code  # only a code the country page itself accepts
    if len(path) < 4000:
        render(http, fuzz_server, path, "")


QUERY_NAMES = st.one_of(st.sampled_from(["series", "geo", "sex", "age", "from", "to", "view", "year", "years",
                                         "dataset", "q", "scheme", "code", "withdata", "pathname", "layout"]),
                        st.text(CHARS, max_size=10))


@SETTINGS
@given(page=st.sampled_from(PAGES), query=st.lists(st.tuples(QUERY_NAMES, VALUES), min_size=1, max_size=6))
def test_pages_with_random_queries(fuzz_server, http, page, query):
    search = "?" + urlencode(query)
    r = http.get(fuzz_server + page + search, timeout=60)
    check(r, (page, query))
    assert r.status_code in (200, 400, 414), (page, r.status_code)
    if len(search) < 4000:
        render(http, fuzz_server, page, search)


@SETTINGS
@given(segments=st.lists(st.one_of(st.sampled_from(HOSTILE + ["explore", "country", "assets", "_dash-layout",
                                                              "api", "v1", "_dash-component-suites", "dash",
                                                              "..", ".", "static", "_reload-hash"]),
                                   st.text(CHARS, max_size=20)), min_size=1, max_size=5),
       trailing=st.booleans())
def test_random_paths(fuzz_server, http, segments, trailing):
    path = "/" + "/".join(quote(s, safe="") for s in segments) + ("/" if trailing else "")
    r = http.get(fuzz_server + path, timeout=60)
    check(r, path)
    assert "root:x:0:0" not in r.text and "import click" not in r.text
    if len(path) < 4000:
        render(http, fuzz_server, path, "")


# ---- the callback endpoint -----------------------------------------------------------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(CHARS, max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(CHARS, max_size=10), inner,
                                                                                 max_size=4),
                    max_leaves=12)


@SETTINGS
@given(key=st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds", "extra"]), value=JSON,
       drop=st.booleans())
def test_malformed_callback_envelopes(fuzz_server, http, key, value, drop):
    body = router_body("/", "")
    if drop and key in body:
        del body[key]
    else:
        body[key] = value
    r = http.post(fuzz_server + CALLBACK, data=json.dumps(body), headers={"Content-Type": "application/json"},
                  timeout=60)
    check(r, body)


@SETTINGS
@given(raw=st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps(v).encode())),
       ctype=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_garbage_callback_bodies(fuzz_server, http, raw, ctype):
    r = http.post(fuzz_server + CALLBACK, data=raw, headers={"Content-Type": ctype} if ctype else {}, timeout=60)
    check(r, raw[:100])
    assert r.status_code in (400, 415), (raw[:100], r.status_code)
