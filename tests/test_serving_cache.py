"""What a visitor gets from one serving process: one DuckDB instance per process shared by its threads, a rebuilt
warehouse served as soon as it is swapped in (cached pages included), slow queries stopped without stopping
anyone else's, every page warmed up before the first request, and a server that starts without a warehouse.

In-process tests call the real Dash app through Flask's test client on copies of the session's real warehouse;
the start-up tests run the real `sdg87 serve`.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, free_port

CALLBACK = "/_dash-update-component"


@pytest.fixture
def site(warehouse, tmp_path, monkeypatch) -> Path:
    """A copy of the real warehouse in a folder of its own, served by this process's dashboard."""
    path = tmp_path / "wh" / "sdg87.duckdb"
    path.parent.mkdir()
    shutil.copyfile(warehouse, path)
    monkeypatch.setenv("SDG87_WAREHOUSE", str(path))
    return path


@pytest.fixture
def client(site):
    from dashboard.app import server
    return server.test_client()


def router(path: str, search: str = "") -> dict:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}


def page_text(client, path: str) -> str:
    r = client.post(CALLBACK, json=router(path))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r.get_data(as_text=True)


def rebuilt(original: Path, build_id: str, nigeria: str) -> Path:
    """A changed copy of a warehouse (another build id, Nigeria renamed), as a build would leave it beside the
    served file before swapping it in."""
    new = original.with_name(original.name + ".building-test")
    shutil.copyfile(original, new)
    with contextlib.closing(duckdb.connect(str(new))) as con:
        con.execute("UPDATE build_info SET build_id = ?", [build_id])
        con.execute("UPDATE geographies SET name = ? WHERE geo = 'NGA'", [nigeria])
    return new


# ---- one instance, rebuilds, time limits ---------------------------------------------------------------------

def test_threads_share_one_instance_with_a_cursor_each(site):
    from dashboard import data

    seen = {}

    def work(i):
        seen[i] = (data._build(), data.connection(), data.query("SELECT 41 + ? AS x", [i])["x"].iloc[0])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(b) for b, _, _ in seen.values()}) == 1, "one DuckDB instance per process"
    assert len({id(c) for _, c, _ in seen.values()}) == 4, "a cursor per thread"
    assert sorted(x for _, _, x in seen.values()) == [41, 42, 43, 44]
    limit = data.query("SELECT current_setting('memory_limit') AS m")["m"].iloc[0]
    assert limit.endswith("MiB") and float(limit.split()[0]) <= 130, limit


def test_slow_query_stops_alone(site, monkeypatch):
    """A query past the time limit is stopped; a query another thread runs meanwhile on the same instance is not."""
    from dashboard import data

    monkeypatch.setattr(data, "QUERY_SECONDS", 1.0)
    result = {}

    def slow():
        t0 = time.perf_counter()
        try:
            data.query("SELECT sum(i % 7) AS s FROM range(?) t(i)", [10**12])
            result["slow"] = "finished"
        except data.QueryTimeout:
            result["slow"] = time.perf_counter() - t0

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.2)
    quick = data.query("SELECT count(*) AS n FROM range(?) t(i)", [30_000_000])["n"].iloc[0]
    thread.join(timeout=30)
    assert quick == 30_000_000
    assert isinstance(result["slow"], float) and result["slow"] < 5, result
    assert data.query("SELECT 1 AS x")["x"].iloc[0] == 1, "this thread's cursor is usable afterwards"


def test_swapped_build_is_served_and_old_reads_finish(site, client):
    from dashboard import api as http_api
    from dashboard import data

    old_id = data.build_id()
    assert '"Nigeria' in page_text(client, "/country/NGA")
    n_rows = int(data.query("SELECT count(*) AS n FROM observations")["n"].iloc[0])
    _, stream = http_api.record_batches("SELECT * FROM observations ORDER BY ALL", [], batch_rows=1000)
    first = next(stream)  # a download in progress on the old build

    os.replace(rebuilt(site, "test-rebuilt", "Nigeria (rebuilt)"), site)  # what `sdg87 build` does at the end

    assert data.build_id() == "test-rebuilt"
    assert "Nigeria (rebuilt)" in page_text(client, "/country/NGA"), "the cached profile of the old build is not served"
    assert "Nigeria (rebuilt)" in page_text(client, "/country"), "the cached country list follows the build"
    other = {}
    thread = threading.Thread(target=lambda: other.setdefault("id", data.build_id()))
    thread.start()
    thread.join()
    assert other["id"] == "test-rebuilt"
    assert first.num_rows + sum(b.num_rows for b in stream) == n_rows, "the old build's download completes"
    assert old_id != "test-rebuilt"


def test_per_build_cache_recomputes_for_a_new_build(site):
    from dashboard import data

    calls = []

    @data.per_build(maxsize=4)
    def double(x):
        calls.append(x)
        return 2 * x

    assert (double(2), double(2)) == (4, 4) and calls == [2], "one computation per build and argument"
    assert double([1]) == [1, 1] and calls == [2, [1]], "unhashable arguments are computed, not cached"
    os.replace(rebuilt(site, "test-per-build", "Nigeria"), site)
    assert double(2) == 4 and calls == [2, [1], 2], "a new build id: computed again"


def test_cached_pages_are_what_a_fresh_render_gives(site, client):
    """The cached, pre-serialised parts serialise exactly as the components they were made from."""
    import inspect

    from plotly.io.json import to_json_plotly

    from dashboard import components as c

    country = sys.modules["pages.country"]
    regions = sys.modules["pages.regions"]
    fresh = to_json_plotly(country.profile("NGA", country.country_row("NGA"), "female"))
    assert to_json_plotly(country.profile_body("NGA", "female")) == fresh
    assert to_json_plotly(country.profile_body("NGA", "female")) == fresh, "second call: from the cache"
    render = inspect.unwrap(regions.coverage_section)
    assert to_json_plotly(c.frozen(render("GSI_PREV"))) == to_json_plotly(render("GSI_PREV"))
    assert to_json_plotly(regions.coverage_section("GSI_PREV")) == to_json_plotly(render("GSI_PREV"))


def test_country_trend_switch_uses_the_cache_and_rejects_unknown_codes(site, client):
    import dash

    country = sys.modules["pages.country"]
    out = country.update_trend("female", "nga")
    assert "girls" in out[1] and out[-1] == "?sex=female"
    assert isinstance(out[0], dict) and out[0]["data"], "the figure, as JSON"
    with pytest.raises(dash.exceptions.PreventUpdate):
        country.update_trend("female", "XXX")


# ---- warm-up and start-up ------------------------------------------------------------------------------------

def test_warm_up_renders_every_page_and_its_callbacks(site, client, caplog):
    import dash

    from dashboard import serve

    posted = []
    post = client.post

    def spy(*args, **kwargs):
        r = post(*args, **kwargs)
        body = kwargs.get("json") or {}
        posted.append((body.get("output"), body.get("inputs", [{}])[0].get("value"), r.status_code))
        return r

    client.post = spy
    with caplog.at_level(logging.WARNING, logger="dashboard.serve"):
        n = serve.warm_up(client, budget=60)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    pages = {v for o, v, _ in posted if o == serve.ROUTER_OUTPUT}
    registered = {p.get("path_template") or p["path"] for p in dash.page_registry.values()
                  if not p["module"].endswith("not_found_404")}
    assert pages == {p.replace("<code>", "NGA") for p in registered}
    assert n == len(posted) > len(pages), "the page callbacks were called too"
    assert all(status in (200, 204) for _, _, status in posted), posted


def wait_answer(url: str, seconds: float = 90) -> int:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except Exception:
            time.sleep(0.3)
    raise AssertionError(f"no answer at {url}")


def test_server_starts_and_warms_up_without_a_warehouse(tmp_path):
    """`sdg87 serve` refuses to start without a warehouse, but a worker that starts while the file is absent (moved
    away by hand, a restart mid-deploy) must come up and say so rather than crash-loop."""
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "SDG87_WAREHOUSE": str(tmp_path / "missing" / "sdg87.duckdb"),
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-c", f"from dashboard.serve import serve; serve(port={port})"],
                                cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_answer(base + "/") == 200
        assert wait_answer(base + "/api/v1/series.csv") == 503
        body = json.dumps(router("/regions")).encode()
        req = urllib.request.Request(base + CALLBACK, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert "not available" in r.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "warm-up" not in text, text[-2000:]
