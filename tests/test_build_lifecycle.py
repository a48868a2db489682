"""The build's life cycle against a real warehouse: killed part-way, rebuilt under a running server, run twice at once.

Builds are the real `sdg87 build` in a subprocess on a copy of the real mirror, over a copy of the session's good
warehouse. SDG87_BUILD_DELAY_SECONDS (a test hook read by pipelines/build.py) makes a build sleep before each step so
it can be caught mid-way.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.conftest import running_server
from tests.test_build_faults import (CHLDEC, REPO, build_cmd, copy_mirror, csv_line, failure_line, set_csv_cell,
                                     sha256)

DELAY = "SDG87_BUILD_DELAY_SECONDS"
NGA_URL = "/api/v1/observations.csv?series=SL_TLF_CHLDEC&geo=NGA"


@pytest.fixture
def site(raw_dir, warehouse, tmp_path) -> tuple[Path, Path]:
    """A writable mirror copy and, in a folder of its own, a copy of the good warehouse."""
    raw = copy_mirror(raw_dir, tmp_path / "raw")
    wh = tmp_path / "wh" / "sdg87.duckdb"
    wh.parent.mkdir()
    shutil.copyfile(warehouse, wh)
    return raw, wh


def start_build(raw: Path, wh: Path, log: Path, delay: float) -> subprocess.Popen:
    """`sdg87 build` in the background, slowed by the test hook; stderr goes to `log`."""
    with open(log, "w") as fh:
        return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "build", "--quiet", "--raw-dir", str(raw),
                                 "--warehouse", str(wh)], cwd=REPO, env={**os.environ, DELAY: str(delay)},
                                stdout=subprocess.DEVNULL, stderr=fh)


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def temps(wh: Path) -> list[Path]:
    return sorted(wh.parent.glob(f"{wh.name}.building-*"))


def build_id(wh: Path) -> str:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute("SELECT build_id FROM build_info").fetchone()[0]


def test_killed_build_leaves_previous_warehouse_and_next_build_recovers(site, tmp_path):
    raw, wh = site
    before, old_id = sha256(wh), build_id(wh)
    proc = start_build(raw, wh, tmp_path / "killed.log", delay=0.3)
    try:
        wait_until(lambda: temps(wh), 90, "the build's temporary warehouse")  # readers done, models running
        time.sleep(0.7)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert sha256(wh) == before
    assert temps(wh), "the build was killed after it created its temporary file"
    assert wh.with_name(wh.name + ".lock").exists()  # left by the killed build; its flock died with it

    result = build_cmd(raw, wh, "--quiet")  # no stale lock blocks it; it removes the dead build's temporary file
    assert result.returncode == 0, result.stderr
    assert build_id(wh) != old_id
    assert sorted(p.name for p in wh.parent.iterdir()) == ["parquet", wh.name]


def get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode(errors="replace")


def nigeria_2021(body: str) -> float:
    rows = [r for r in csv.DictReader(io.StringIO(body))
            if (r["year"], r["sex"], r["age"]) == ("2021", "total", "5-17")]
    assert len(rows) == 1, body
    return float(rows[0]["value"])


def test_rebuild_while_serving_swaps_without_failed_requests(site):
    raw, wh = site
    line = csv_line(raw / CHLDEC, lambda f: f[1:6] == ["566", "c", "bothsex", "percent", "2021"])
    set_csv_cell(raw / CHLDEC, line, "sl_tlf_chldec", "41.494")  # Nigeria 2021: 31.494 in the mirror
    with running_server(wh) as base:
        status, headers, body = get(base + NGA_URL)
        assert status == 200
        old_id = headers["X-SDG87-Build"]
        assert old_id == build_id(wh) and nigeria_2021(body) == 31.494

        seen: list[tuple[int | str, str | None]] = []
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                try:
                    code, h, _ = get(base + "/api/v1/series.csv")
                    seen.append((code, h.get("X-SDG87-Build")))
                except Exception as exc:  # a refused or dropped connection is a failure too
                    seen.append((f"{type(exc).__name__}: {exc}", None))

        thread = threading.Thread(target=hammer, daemon=True)
        thread.start()
        try:
            result = build_cmd(raw, wh, "--quiet")  # in place, under the running server
            assert result.returncode == 0, result.stderr
            new_id = build_id(wh)
            assert new_id != old_id

            def swapped():
                _, h, b = get(base + NGA_URL)
                return h.get("X-SDG87-Build") == new_id and nigeria_2021(b) == 41.494
            wait_until(swapped, 20, f"the server to report build {new_id} and the new value")
            wait_until(lambda: any(b == new_id for _, b in seen), 30, "the hammer to see the new build")
        finally:
            stop.set()
            thread.join(timeout=60)
    failed = [s for s, _ in seen if s != 200]
    assert not failed, f"{len(failed)} of {len(seen)} requests failed during the rebuild: {failed[:5]}"
    assert len(seen) >= 10 and {b for _, b in seen} == {old_id, new_id}


def test_second_build_fails_fast_while_one_is_running(site, tmp_path):
    raw, wh = site
    before = sha256(wh)
    lock = wh.with_name(wh.name + ".lock")
    first = start_build(raw, wh, tmp_path / "first.log", delay=0.25)
    try:
        wait_until(lambda: lock.exists() and lock.read_text() == str(first.pid), 60, "the first build's lock")
        started = time.monotonic()
        second = build_cmd(raw, wh)
        elapsed = time.monotonic() - started
        assert first.poll() is None, "the second build must not wait for the first"
        assert second.returncode == 1
        assert failure_line(second.stderr) == f"build failed: {wh}: another build is running (lock {lock})"
        assert elapsed < 15
        assert lock.read_text() == str(first.pid), "the refused build must leave the running build's lock alone"
        assert sha256(wh) == before
        assert first.wait(timeout=180) == 0, (tmp_path / "first.log").read_text()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert sha256(wh) != before
    assert sorted(p.name for p in wh.parent.iterdir()) == ["parquet", wh.name]
