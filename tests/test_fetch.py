"""Live fetchers and live-format readers, against a real HTTP server on 127.0.0.1 (never the internet).

The server serves tests/fixtures/live (synthetic values) at the paths of the official URLs in
pipelines/metadata/fetch_sources.toml, plus endpoints that misbehave: slow, 503-then-OK, body cut
short of its Content-Length, 404.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from pipelines.errors import RawDataError
from pipelines.fetch.http import FetchError, download
from pipelines.fetch.sources import (MANIFEST_NAME, FetchFailures, fetch_all, fetch_source, live_folder,
                                     load_sources, page_url, read_manifest, rebase_url)
from pipelines.readers.live_formats import (age_label, read_ilostat_bulk_csv, read_live_folder,
                                            read_sdg_api_json, read_unicef_sdmx_csv, read_wpp_csv_zip)

FIXTURES = Path(__file__).parent / "fixtures" / "live"
TODAY = "2026-01-15"
FAST = {"timeout": 5.0, "retries": 1, "backoff": 0.01}
SDG_PATH = "/sdgapi/v1/sdg/Series/Data"
ILO_PATH = "/data/indicator/"


# --- the loopback server ---------------------------------------------------------------------

class Loopback:
    """State shared with the handler: routes, forced misbehaviour per path, and every request seen."""

    def __init__(self):
        self.routes: dict[str, Path] = _official_routes()
        self.force: dict[str, str] = {}       # path -> 'cut' | '404' | '503' | 'html'
        self.flaky_left = 1                   # /test/flaky answers 503 this many times first
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.base = ""

    def hits(self, path: str) -> list[str]:
        return [r for r in self.requests if urlsplit(r).path == path]


def _official_routes() -> dict[str, Path]:
    """path?query of every non-paginated official URL -> the fixture named like the fetched file."""
    routes = {}
    for name, spec in load_sources().items():
        if spec.paginate:
            continue
        for item in spec.files:
            u = urlsplit(item.url)
            routes[u.path + (f"?{u.query}" if u.query else "")] = FIXTURES / name / item.file
    return routes


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        state: Loopback = self.server.state
        with state.lock:
            state.requests.append(self.path)
        path = urlsplit(self.path).path
        action = state.force.get(path) or {"/test/slow": "slow", "/test/cut": "cut", "/test/missing": "404",
                                           "/test/flaky": "flaky", "/test/always503": "503"}.get(path, "serve")
        try:
            getattr(self, f"_{action.replace('404', 'missing').replace('503', 'unavailable')}")()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _serve(self):
        fixture = self._fixture()
        if fixture is None or not fixture.exists():
            return self._missing()
        self._send(200, fixture.read_bytes())

    def _fixture(self) -> Path | None:
        u = urlsplit(self.path)
        if u.path == SDG_PATH:
            q = parse_qs(u.query)
            return FIXTURES / "un_sdg_api" / f"{q['seriesCode'][0]}_page{q.get('page', ['1'])[0]}.json"
        if u.path.startswith("/test/"):
            return FIXTURES / "unicef_sdmx" / "UNICEF_PT_child_labour.csv"
        return self.server.state.routes.get(self.path)

    def _send(self, code: int, body: bytes, length: int | None = None):
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def _missing(self):
        self._send(404, b"not found")

    def _unavailable(self):
        self._send(503, b"try later")

    def _flaky(self):
        state = self.server.state
        with state.lock:
            fail, state.flaky_left = state.flaky_left > 0, state.flaky_left - 1
        self._unavailable() if fail else self._serve()

    def _slow(self):
        time.sleep(1.0)  # longer than the client timeout used in the tests
        self._serve()

    def _cut(self):
        body = self._fixture().read_bytes() if self._fixture() else b"x" * 200
        self._send(200, body[: len(body) // 2], length=len(body) + 100)
        self.wfile.flush()
        self.close_connection = True

    def _html(self):
        self._send(200, b"<html><body>maintenance</body></html>")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    httpd.state = Loopback()
    httpd.state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd.state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def raw(tmp_path) -> Path:
    return tmp_path / "raw"


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith((".part", ".tmp"))]


# --- download(): one URL, all or nothing -----------------------------------------------------

def test_download_streams_file_with_hash_and_size(server, tmp_path):
    fixture = FIXTURES / "unicef_sdmx" / "UNICEF_PT_child_labour.csv"
    seen = []
    got = download(f"{server.base}/test/ok", tmp_path / "out.csv", timeout=5, retries=0,
                   progress=lambda url, done, total: seen.append((done, total)))
    assert (tmp_path / "out.csv").read_bytes() == fixture.read_bytes()
    assert got.sha256 == hashlib.sha256(fixture.read_bytes()).hexdigest()
    assert got.size == fixture.stat().st_size and got.http_status == 200
    assert seen[-1] == (got.size, got.size)
    assert not _leftovers(tmp_path)


def test_503_then_success_is_retried(server, tmp_path):
    got = download(f"{server.base}/test/flaky", tmp_path / "out.csv", timeout=5, retries=2, backoff=0.01)
    assert len(server.hits("/test/flaky")) == 2
    assert (tmp_path / "out.csv").read_bytes() == (FIXTURES / "unicef_sdmx" / "UNICEF_PT_child_labour.csv").read_bytes()
    assert got.http_status == 200


def test_persistent_503_gives_up_after_retries(server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 503.*gave up after 3 attempts"):
        download(f"{server.base}/test/always503", tmp_path / "out.csv", timeout=5, retries=2, backoff=0.01)
    assert len(server.hits("/test/always503")) == 3
    assert list(tmp_path.iterdir()) == []


def test_timeout_is_retried_then_fails_cleanly(server, tmp_path):
    started = time.monotonic()
    with pytest.raises(FetchError, match="Timeout") as err:
        download(f"{server.base}/test/slow", tmp_path / "out.csv", timeout=0.25, retries=1, backoff=0.01)
    assert time.monotonic() - started < 3
    assert err.value.url.endswith("/test/slow")
    assert len(server.hits("/test/slow")) == 2
    assert list(tmp_path.iterdir()) == []


def test_body_cut_short_leaves_no_file(server, tmp_path):
    with pytest.raises(FetchError) as err:
        download(f"{server.base}/test/cut", tmp_path / "out.csv", timeout=5, retries=1, backoff=0.01)
    assert "gave up after 2 attempts" in err.value.reason
    assert len(server.hits("/test/cut")) == 2
    assert list(tmp_path.iterdir()) == []  # no out.csv, no out.csv.part


def test_404_is_not_retried_and_says_so(server, tmp_path):
    with pytest.raises(FetchError) as err:
        download(f"{server.base}/test/missing", tmp_path / "out.csv", timeout=5, retries=3, backoff=0.01)
    assert "HTTP 404" in err.value.reason and "not retried" in err.value.reason
    assert str(err.value).startswith(f"could not fetch {server.base}/test/missing")
    assert len(server.hits("/test/missing")) == 1
    assert list(tmp_path.iterdir()) == []


def test_connection_refused_is_a_fetch_error(tmp_path):
    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as tmp_server:
        port = tmp_server.server_address[1]  # bound, then closed: nothing listens there any more
    with pytest.raises(FetchError, match="ConnectionError"):
        download(f"http://127.0.0.1:{port}/x", tmp_path / "out", timeout=1, retries=1, backoff=0.01)
    assert list(tmp_path.iterdir()) == []


# --- fetch_source(): dated folder, manifest, pagination, base URL ----------------------------

def test_fetch_source_writes_dated_folder_and_manifest(server, raw):
    result = fetch_source("ilostat_bulk", raw, server.base, today=TODAY, **FAST)
    folder = raw / "ilostat_bulk" / f"live_{TODAY}"
    assert result.folder == folder and result.error is None
    written = folder / "CLD_XHAZ_SEX_AGE_ECO_NB_A.csv.gz"
    assert written.read_bytes() == (FIXTURES / "ilostat_bulk" / written.name).read_bytes()
    [entry] = read_manifest(folder)
    assert set(entry) == {"url", "file", "retrieved_at", "sha256", "size", "http_status"}
    assert entry["file"] == written.name
    assert entry["sha256"] == hashlib.sha256(written.read_bytes()).hexdigest()
    assert entry["size"] == written.stat().st_size and entry["http_status"] == 200
    assert entry["url"] == (f"{server.base}/data/indicator/?id=CLD_XHAZ_SEX_AGE_ECO_NB_A"
                            "&lang=en&type=code&format=.csv.gz&channel=ilostat")
    when = dt.datetime.fromisoformat(entry["retrieved_at"].replace("Z", "+00:00"))
    assert when.utcoffset() == dt.timedelta(0) and abs(dt.datetime.now(dt.timezone.utc) - when) < dt.timedelta(minutes=5)
    assert sorted(p.name for p in folder.iterdir()) == [written.name, MANIFEST_NAME]


def test_sdg_api_pages_are_followed_until_total_pages(server, raw):
    result = fetch_source("un_sdg_api", raw, server.base, today=TODAY, **FAST)
    folder = raw / "un_sdg_api" / f"live_{TODAY}"
    files = [e["file"] for e in read_manifest(folder)]
    assert files[:3] == ["SL_TLF_CHLDEC_page1.json", "SL_TLF_CHLDEC_page2.json", "SL_TLF_CHLDEA_page1.json"]
    assert "SL_TLF_CHLDEC_page3.json" not in files and "VC_HTF_DETVOG_page1.json" in files
    assert [e["file"] for e in result.entries] == files
    chldec = [parse_qs(urlsplit(r).query) for r in server.hits(SDG_PATH) if "SL_TLF_CHLDEC" in r]
    assert [(q["page"], q["pageSize"]) for q in chldec] == [(["1"], ["2000"]), (["2"], ["2000"])]
    for entry in read_manifest(folder):
        body = (folder / entry["file"]).read_bytes()
        assert body == (FIXTURES / "un_sdg_api" / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(body).hexdigest() and entry["size"] == len(body)
        assert entry["url"].startswith(f"{server.base}{SDG_PATH}?seriesCode=")


def test_fetch_all_fetches_every_source_into_its_folder(server, raw):
    messages = []
    results = fetch_all(raw, server.base, today=TODAY, progress=messages.append, **FAST)
    assert set(results) == {"un_sdg_api", "unicef_sdmx", "ilostat_bulk", "un_wpp", "walkfree"}
    assert all(r.error is None for r in results.values()), {n: r.error for n, r in results.items()}
    for name, result in results.items():
        assert result.folder == live_folder(raw, name, TODAY)
        for entry in read_manifest(result.folder):
            assert (result.folder / entry["file"]).read_bytes() == (FIXTURES / name / entry["file"]).read_bytes()
    assert not _leftovers(raw)
    assert f"walkfree/live_{TODAY}/2023-Global-Slavery-Index-Data.xlsx" in "\n".join(messages)


def test_base_url_from_environment(server, raw, monkeypatch):
    monkeypatch.setenv("SDG87_FETCH_BASE_URL", server.base)
    fetch_source("unicef_sdmx", raw, today=TODAY, **FAST)
    [entry] = read_manifest(raw / "unicef_sdmx" / f"live_{TODAY}")
    assert entry["url"] == (f"{server.base}/ws/public/sdmxapi/rest/data/UNICEF,PT,1.0/"
                            ".PT_CHLD_5-17_LBR_ECON-HC+PT_CHLD_5-17_LBR_ECON..?format=csv&labels=id")


def test_cut_body_leaves_no_file_and_no_manifest(server, raw):
    server.force[ILO_PATH] = "cut"
    server.force["/ilostat-files/WEB_bulk_download/indicator/CLD_XHAZ_SEX_AGE_ECO_NB_A.csv.gz"] = "cut"
    with pytest.raises(FetchError, match="Content-Length|IncompleteRead|Connection broken"):
        fetch_source("ilostat_bulk", raw, server.base, today=TODAY, **FAST)
    folder = raw / "ilostat_bulk" / f"live_{TODAY}"
    assert not (folder / MANIFEST_NAME).exists()
    assert list(folder.iterdir()) == []


def test_failed_refetch_keeps_previous_file_and_manifest(server, raw):
    fetch_source("ilostat_bulk", raw, server.base, today=TODAY, **FAST)
    folder = raw / "ilostat_bulk" / f"live_{TODAY}"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    server.force[ILO_PATH] = "cut"
    server.force["/ilostat-files/WEB_bulk_download/indicator/CLD_XHAZ_SEX_AGE_ECO_NB_A.csv.gz"] = "404"
    with pytest.raises(FetchError):
        fetch_source("ilostat_bulk", raw, server.base, today=TODAY, **FAST)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_same_day_refetch_replaces_file_and_entry(server, raw):
    first = fetch_source("unicef_sdmx", raw, server.base, today=TODAY, **FAST).entries[0]
    second = fetch_source("unicef_sdmx", raw, server.base, today=TODAY, **FAST).entries[0]
    assert read_manifest(raw / "unicef_sdmx" / f"live_{TODAY}") == [second]
    assert second["sha256"] == first["sha256"]
    assert not _leftovers(raw)


def test_fallback_url_is_used_when_the_primary_fails(server, raw):
    server.force[ILO_PATH] = "404"
    fallback = "/ilostat-files/WEB_bulk_download/indicator/CLD_XHAZ_SEX_AGE_ECO_NB_A.csv.gz"
    server.routes[fallback] = FIXTURES / "ilostat_bulk" / "CLD_XHAZ_SEX_AGE_ECO_NB_A.csv.gz"
    fetch_source("ilostat_bulk", raw, server.base, today=TODAY, **FAST)
    [entry] = read_manifest(raw / "ilostat_bulk" / f"live_{TODAY}")
    assert entry["url"] == server.base + fallback
    assert len(server.hits(ILO_PATH)) == 1  # the 404 was not retried


def test_404_names_url_and_stops_the_source(server, raw):
    server.force["/ws/public/sdmxapi/rest/data/UNICEF,PT,1.0/.PT_CHLD_5-17_LBR_ECON-HC+PT_CHLD_5-17_LBR_ECON.."] = "404"
    with pytest.raises(FetchError, match="HTTP 404") as err:
        fetch_source("unicef_sdmx", raw, server.base, today=TODAY, **FAST)
    assert err.value.url.startswith(f"{server.base}/ws/public/sdmxapi/rest/data/UNICEF,PT,1.0/")


def test_sdg_page_that_is_not_json_is_rejected(server, raw):
    server.force[SDG_PATH] = "html"
    with pytest.raises(FetchError, match="not SDG API JSON"):
        fetch_source("un_sdg_api", raw, server.base, today=TODAY, **FAST)
    folder = raw / "un_sdg_api" / f"live_{TODAY}"
    assert list(folder.iterdir()) == []


def test_fetch_all_reports_a_failing_source_and_goes_on(server, raw):
    server.force[ILO_PATH] = "404"
    server.force["/ilostat-files/WEB_bulk_download/indicator/CLD_XHAZ_SEX_AGE_ECO_NB_A.csv.gz"] = "404"
    messages = []
    with pytest.raises(FetchFailures, match="1 of 2 sources failed: ilostat_bulk: .*HTTP 404") as err:
        fetch_all(raw, server.base, today=TODAY, progress=messages.append, sources=["ilostat_bulk", "unicef_sdmx"],
                  **FAST)
    results = err.value.results
    assert isinstance(results["ilostat_bulk"].error, FetchError) and results["ilostat_bulk"].entries == []
    assert results["unicef_sdmx"].error is None and len(results["unicef_sdmx"].entries) == 1
    assert any(m.startswith("ilostat_bulk: FAILED") for m in messages)


def test_unknown_source_name_is_refused(raw):
    with pytest.raises(KeyError, match="unknown fetch source 'nope'"):
        fetch_source("nope", raw, "http://127.0.0.1:9", today=TODAY)
    with pytest.raises(KeyError, match="unknown fetch source 'nope'"):
        fetch_all(raw, "http://127.0.0.1:9", today=TODAY, sources=["unicef_sdmx", "nope"])
    assert not raw.exists()


def test_url_helpers():
    assert rebase_url("https://unstats.un.org/sdgapi/v1/sdg/Series/Data?seriesCode=X", "http://127.0.0.1:8080") \
        == "http://127.0.0.1:8080/sdgapi/v1/sdg/Series/Data?seriesCode=X"
    assert rebase_url("https://a.org/p/q.zip", "http://127.0.0.1:1/mirror/") == "http://127.0.0.1:1/mirror/p/q.zip"
    assert rebase_url("https://a.org/p", None) == "https://a.org/p"
    assert page_url("https://h/x?seriesCode=A", 3, 500) == "https://h/x?seriesCode=A&page=3&pageSize=500"


def test_every_official_url_is_https_on_the_documented_hosts():
    hosts = {"un_sdg_api": "unstats.un.org", "unicef_sdmx": "sdmx.data.unicef.org", "ilostat_bulk": "rplumber.ilo.org",
             "un_wpp": "population.un.org", "walkfree": "cdn.walkfree.org"}
    for name, spec in load_sources().items():
        for item in spec.files:
            assert urlsplit(item.url).scheme == "https" and urlsplit(item.url).hostname == hosts[name]


# --- live-format readers ---------------------------------------------------------------------

@pytest.fixture
def fetched(server, raw) -> Path:
    fetch_all(raw, server.base, today=TODAY, **FAST)
    return raw


def _folder(raw: Path, name: str) -> Path:
    return raw / name / f"live_{TODAY}"


def test_sdg_api_reader(fetched):
    page1 = read_sdg_api_json(_folder(fetched, "un_sdg_api") / "SL_TLF_CHLDEC_page1.json", fetched)
    assert list(page1["value"]) == [17.5, 12.5]
    first = page1.iloc[0]
    assert (first["series"], first["geo_scheme"], first["geo_source_code"], first["year"]) == ("SL_TLF_CHLDEC", "m49", "4", 2011)
    assert (first["sex"], first["age"], first["unit"], first["nature"]) == ("total", "5-17", "percent", "C")
    assert (first["lower"], first["upper"], first["time_detail"]) == (15.25, 19.75, "2010-2011")
    assert first["footnote"] == "Synthetic footnote one.; Source: Synthetic survey A"
    assert (first["source_id"], first["edition"], first["edition_date"]) == ("un_sdg_api", f"live {TODAY}", TODAY)
    assert first["raw_file"] == f"un_sdg_api/live_{TODAY}/SL_TLF_CHLDEC_page1.json"
    assert list(page1["raw_row"]) == [1, 2] and page1.iloc[1]["sex"] == "female"
    victims = read_sdg_api_json(_folder(fetched, "un_sdg_api") / "VC_HTF_DETV_page1.json", fetched)
    assert list(zip(victims["sex"], victims["age"], victims["value"])) == [
        ("female", "<18", 40.0), ("male", "18+", 25.0), ("total", "all", 90.0)]  # the null value is skipped
    assert set(victims["unit"]) == {"number"} and list(victims["raw_row"]) == [1, 2, 3]
    rate = read_sdg_api_json(_folder(fetched, "un_sdg_api") / "VC_HTF_DETVR_page1.json", fetched)
    assert list(rate["unit"]) == ["per_100000"] and list(rate["value"]) == [3.125]
    assert read_sdg_api_json(_folder(fetched, "un_sdg_api") / "VC_HTF_DETVOG_page1.json", fetched).empty


def test_unicef_sdmx_reader(fetched):
    df = read_unicef_sdmx_csv(_folder(fetched, "unicef_sdmx") / "UNICEF_PT_child_labour.csv", fetched)
    assert list(df["raw_row"]) == [2, 4, 6, 7]  # line 2-3 is one record (quoted line break); line 5 has no value
    assert list(df["series"]) == ["PT_CHLD_5-17_LBR_ECON-HC", "PT_CHLD_5-17_LBR_ECON-HC",
                                  "PT_CHLD_5-17_LBR_ECON", "PT_CHLD_5-17_LBR_ECON-HC"]
    assert list(df["value"]) == [22.5, 19.0, 6.75, 24.0]
    assert list(df["sex"]) == ["total", "female", "total", "total"]
    assert set(df["age"]) == {"5-17"} and set(df["unit"]) == {"percent"}
    assert list(df["geo_scheme"]) == ["iso3", "iso3", "iso3", "name:unicef_sdmx"]
    assert (df.iloc[0]["lower"], df.iloc[0]["upper"]) == (20.5, 24.5)
    assert df.iloc[0]["footnote"] == "Synthetic note,\nsecond line.; Data source: Synthetic survey A"
    assert set(df["source_id"]) == {"unicef_sdmx"} and set(df["raw_column"]) == {"OBS_VALUE"}


def test_ilostat_bulk_reader_keeps_totals_only(fetched):
    df = read_ilostat_bulk_csv(_folder(fetched, "ilostat_bulk") / "CLD_XHAZ_SEX_AGE_ECO_NB_A.csv.gz", fetched)
    assert list(df["raw_row"]) == [2, 4, 5, 6]  # economic-activity breakdown rows 3 and 7 are left out
    assert list(zip(df["geo_source_code"], df["sex"], df["age"], df["value"])) == [
        ("X01", "total", "5-17", 79000.5), ("X01", "total", "5-11", 25000.75),
        ("X01", "female", "5-17", 30000.125), ("BGD", "total", "5-17", 1280.5)]
    assert list(df["geo_scheme"]) == ["name:ilostat_bulk"] * 3 + ["iso3"]
    assert set(df["unit"]) == {"thousands"} and set(df["series"]) == {"CLD_XHAZ_SEX_AGE_ECO_NB_A"}
    assert list(df["year"]) == [2020, 2020, 2020, 2013]
    assert df.iloc[3]["footnote"] == "source: BA:1234; obs_status: B; note_source: R1:3513"


def test_wpp_reader(fetched):
    df = read_wpp_csv_zip(_folder(fetched, "un_wpp") / "WPP2022_PopulationByAge5GroupSex_Medium.zip", fetched)
    assert list(df.columns) == ["geo_scheme", "geo_source_code", "year", "age", "population_thousands",
                                "source_id", "edition", "raw_file", "raw_sheet", "raw_row"]
    assert len(df) == 8 and set(df["geo_scheme"]) == {"m49"} and set(df["year"]) == {2020}
    afg = df[df["geo_source_code"] == "4"]
    assert list(afg["age"]) == ["0-4", "5-9", "10-14", "15-19"]
    assert list(afg["population_thousands"]) == [3000.0, 2700.0, 2400.0, 2100.0]
    assert list(afg["raw_row"]) == [6, 7, 8, 9]
    assert set(df["raw_sheet"]) == {"WPP2022_PopulationByAge5GroupSex_Medium.csv"}
    assert set(df["edition"]) == {f"live {TODAY}"}


def test_read_live_folder_reads_what_the_manifest_lists(fetched):
    df = read_live_folder(_folder(fetched, "un_sdg_api"), fetched)
    assert len(df) == 2 + 1 + 2 + 3 + 1  # CHLDEC pages 1-2, CHLDEA, DETV, DETVR
    assert set(df["series"]) == {"SL_TLF_CHLDEC", "SL_TLF_CHLDEA", "VC_HTF_DETV", "VC_HTF_DETVR"}


# --- reader errors and variants --------------------------------------------------------------

def _live(tmp_path: Path, source: str, name: str, data: bytes) -> Path:
    path = tmp_path / source / f"live_{TODAY}" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return path


def test_sdmx_missing_column_names_the_column(tmp_path):
    path = _live(tmp_path, "unicef_sdmx", "x.csv", b"DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,UNIT_MEASURE\n"
                                                   b"UNICEF:PT(1.0),AFG,PT_X,2019,PCNT\n")
    with pytest.raises(RawDataError) as err:
        read_unicef_sdmx_csv(path, tmp_path)
    assert err.value.column == "OBS_VALUE" and err.value.file == f"unicef_sdmx/live_{TODAY}/x.csv"


def test_sdmx_non_numeric_value_names_line_and_column(tmp_path):
    path = _live(tmp_path, "unicef_sdmx", "x.csv",
                 b"REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE\nAFG,PT_X,2019,1.5,PCNT\n\n"
                 b"BGD,PT_X,2019,n/a,PCNT\n")
    with pytest.raises(RawDataError) as err:
        read_unicef_sdmx_csv(path, tmp_path)
    assert (err.value.row, err.value.column) == (4, "OBS_VALUE") and "'n/a'" in str(err.value)


def test_sdmx_labels_both_and_age_column(tmp_path):
    path = _live(tmp_path, "unicef_sdmx", "x.csv",
                 "REF_AREA:Geographic area,INDICATOR:Indicator,SEX:Sex,AGE:Age,TIME_PERIOD:Time period,"
                 "OBS_VALUE:Observation Value,UNIT_MEASURE:Unit of measure\n"
                 "AFG: Afghanistan,PT_X: Some indicator,F: Female,Y5T14: 5 to 14 years old,2019,3.5,PCNT: %\n"
                 .encode())
    row = read_unicef_sdmx_csv(path, tmp_path).iloc[0]
    assert (row["geo_source_code"], row["series"], row["sex"], row["age"], row["unit"]) == \
        ("AFG", "PT_X", "female", "5-14", "percent")


def test_sdg_json_bad_value_names_record_and_field(tmp_path):
    rec = {"seriesCode": "SL_TLF_CHLDEC", "geoAreaCode": "4", "timePeriodStart": 2019.0, "value": "abc",
           "attributes": {"Units": "PERCENT", "Nature": "C"}, "dimensions": {"Age": "5-17", "Sex": "BOTHSEX"}}
    ok = dict(rec, value="1.5")
    path = _live(tmp_path, "un_sdg_api", "p1.json", json.dumps({"totalPages": 1, "data": [ok, rec]}).encode())
    with pytest.raises(RawDataError) as err:
        read_sdg_api_json(path, tmp_path)
    assert (err.value.row, err.value.column) == (2, "value")
    path.write_text(json.dumps({"data": [ok]}))
    assert read_sdg_api_json(path, tmp_path).iloc[0]["series"] == "SL_TLF_CHLDEC"  # 'seriesCode' spelling
    path.write_text(json.dumps({"data": [{k: v for k, v in ok.items() if k != "geoAreaCode"}]}))
    with pytest.raises(RawDataError, match="no 'geoAreaCode'"):
        read_sdg_api_json(path, tmp_path)


def test_unknown_unit_or_age_stops_the_read(tmp_path):
    rec = {"series": "S", "geoAreaCode": "4", "timePeriodStart": 2019, "value": "1",
           "attributes": {"Units": "USD"}, "dimensions": {"Age": "5-17"}}
    path = _live(tmp_path, "un_sdg_api", "p1.json", json.dumps({"data": [rec]}).encode())
    with pytest.raises(RawDataError, match="unknown code 'USD'"):
        read_sdg_api_json(path, tmp_path)
    path.write_text(json.dumps({"data": [dict(rec, attributes={"Units": "PERCENT"}, dimensions={"Age": "teen"})]}))
    with pytest.raises(RawDataError, match="unknown age code 'teen'") as err:
        read_sdg_api_json(path, tmp_path)
    assert err.value.column == "dimensions.Age"


def test_edition_needs_a_live_folder_or_arguments(tmp_path):
    path = tmp_path / "loose.json"
    path.write_text(json.dumps({"data": []}))
    with pytest.raises(RawDataError, match="live_YYYY-MM-DD"):
        read_sdg_api_json(path, tmp_path)
    assert read_sdg_api_json(path, tmp_path, edition="snapshot", edition_date="2025-01-01").empty


def test_corrupt_gzip_and_zip_are_raw_data_errors(tmp_path):
    gz = _live(tmp_path, "ilostat_bulk", "x.csv.gz", b"\x1f\x8b" + b"not really gzip")
    with pytest.raises(RawDataError, match="not a readable CSV"):
        read_ilostat_bulk_csv(gz, tmp_path)
    zp = _live(tmp_path, "un_wpp", "x.zip", b"PK not a zip")
    with pytest.raises(RawDataError, match="not a valid zip"):
        read_wpp_csv_zip(zp, tmp_path)


@pytest.mark.parametrize("code, label", [
    ("5-17", "5-17"), ("Y5T17", "5-17"), ("AGE_CHILD_Y05-17", "5-17"), ("Y15T24", "15-24"), ("18+", "18+"),
    ("Y_GE18", "18+"), ("<18Y", "<18"), ("Y_LT18", "<18"), ("ALLAGE", "all"), ("_T", "all"), ("", "all"),
    ("AGE_AGGREGATE_TOTAL", "all"), ("_U", "unknown"), ("teen", None)])
def test_age_label(code, label):
    assert age_label(code) == label
