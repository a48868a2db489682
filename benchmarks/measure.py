"""Measurements: the build as a subprocess (time, CPU, peak memory), the real server (`sdg87 serve`) with latency per
target, the DuckDB floor of the same SQL, worker memory, and throughput under a bounded loopback load."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]


def child_env(**extra) -> dict:
    """Environment for subprocesses: this checkout's code first (an editable install may point elsewhere)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SDG87_SYNTHETIC_DIR", "SDG87_WAREHOUSE")}
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


# ---- build --------------------------------------------------------------------------------------------------------

@dataclass
class BuildRun:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    rows: dict
    phases: dict
    steps: list
    warehouse_mb: float
    parquet_mb: float
    error: str | None = None


def run_build(raw: Path, warehouse: Path, synthetic_dir: Path | None = None, profile: Path | None = None) -> BuildRun:
    """`python -m benchmarks.buildrun` as a child; its peak RSS and CPU come from wait4() (that child only)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.buildrun", str(raw), str(warehouse)]
    if profile:
        cmd += ["--profile", str(profile)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=child_env(SDG87_SYNTHETIC_DIR=synthetic_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.stdout.read(), proc.stderr.read()  # small outputs: read, then reap with wait4
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    lines = [ln for ln in out.decode().splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return BuildRun(wall, cpu, peak, {}, {}, [], 0, 0, error=err.decode()[-2000:] or f"exit {proc.returncode}")
    info = json.loads(lines[-1])
    pq = sum(f.stat().st_size for f in (warehouse.parent / "parquet").glob("*.parquet"))
    return BuildRun(info["seconds"], cpu, peak, info["rows"], info["phases"], info["steps"],
                    warehouse.stat().st_size / 1e6, pq / 1e6)


DDF_COLUMNS = ", ".join(f"'{c}'" for c in ("age", "geo_area", "nature", "sex", "units", "year", "value"))


def csv_floor(synthetic_dir: Path, scratch: Path) -> dict:
    """The floor of any build of these files: DuckDB alone reading the synthetic CSVs into a table in a database file
    (all columns as text: no casts, no checks, no lineage, no joins). Wall and CPU seconds of this process."""
    files = sorted(Path(synthetic_dir).glob("ddf--datapoints--*.csv"))
    listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    scratch.unlink(missing_ok=True)
    con = duckdb.connect(str(scratch))
    try:
        con.execute("SET enable_progress_bar = false")
        wall, cpu = time.perf_counter(), time.process_time()
        # the options the build's fast path uses (pipelines/readers/ddf.py read_datapoints_fast): one value column
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv([{listing}], header = true, all_varchar = true, "
                    f"filename = true, delim = ',', quote = '\"', names = [{DDF_COLUMNS}])")
        con.execute("CHECKPOINT")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    finally:
        con.close()
        scratch.unlink(missing_ok=True)
    return {"seconds": wall, "cpu_seconds": cpu, "rows": rows,
            "bytes": sum(p.stat().st_size for p in files), "files": len(files)}


# ---- server -------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`sdg87 serve` (gunicorn, gthread) on a free loopback port, over a read-only warehouse."""

    def __init__(self, warehouse: Path, workers: int = 2, threads: int = 4, log_path: Path | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # the server's stderr (access log, errors)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "serve", "--port", str(self.port), "--workers", str(workers),
             "--threads", str(threads)], cwd=REPO, env=child_env(SDG87_WAREHOUSE=Path(warehouse).resolve()),
            stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True)
        self.workers = workers

    def __enter__(self):
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/api/v1/series.csv", timeout=5):
                    if len(self.worker_pids()) >= self.workers:
                        self.memory_at_start = self.worker_memory_mb()
                        return self
            except Exception:
                pass
            if self.proc.poll() is not None:
                self.__exit__()
                raise RuntimeError(f"server exited at start-up with {self.proc.returncode}")
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"server did not answer at {self.base}")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()

    def worker_pids(self) -> list[int]:
        """gunicorn workers: the children of the master (this Popen)."""
        pids = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                with contextlib.suppress(OSError):
                    fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.proc.pid:
                        pids.append(int(d.name))
        return pids

    def worker_memory_mb(self) -> dict:
        """Per worker, MB: peak (VmHWM) and current (VmRSS) resident memory, which count shared library pages in
        full in every process; and now, from smaps_rollup, PSS (shared pages divided among the processes sharing
        them) and USS (pages only this worker has: what one more worker costs)."""
        out = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                kb = {ln.split(":")[0]: int(ln.split()[1]) for ln in status.splitlines()
                      if ln.startswith(("VmHWM", "VmRSS"))}
                out[pid] = {"hwm": kb.get("VmHWM", 0) / 1024, "rss": kb.get("VmRSS", 0) / 1024}
                with contextlib.suppress(OSError):
                    rollup = {ln.split(":")[0]: int(ln.split()[1]) for ln in
                              Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:] if ln.endswith("kB")}
                    out[pid]["pss"] = rollup.get("Pss", 0) / 1024
                    out[pid]["uss"] = (rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)) / 1024
        return out


# ---- latency ------------------------------------------------------------------------------------------------------

@dataclass
class Latency:
    n: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    p50_ms: float | None = None
    p95_ms: float | None = None
    bytes: int = 0
    first_error: str = ""


def request(conn: http.client.HTTPConnection, target) -> tuple[int, bytes]:
    headers = {"Accept-Encoding": "gzip, br"}
    if target.body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(target.method, target.path, body=target.body, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


def ok(target, status: int) -> bool:
    return 200 <= status < 300  # 204 = a callback raised PreventUpdate: valid


def measure_latency(base: str, target, n: int, warmup: int = 2) -> Latency:
    """n sequential requests on one keep-alive connection (after `warmup`): p50 and p95 of the wall time."""
    host, port = base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    lat, times = Latency(), []
    try:
        for i in range(warmup + n):
            t = time.perf_counter()
            try:
                status, body = request(conn, target)
            except Exception as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=120)
                status, body = 0, str(exc).encode()
            dt = (time.perf_counter() - t) * 1000
            lat.statuses[status] = lat.statuses.get(status, 0) + 1
            if not ok(target, status):
                lat.errors += 1
                lat.first_error = lat.first_error or f"HTTP {status}: {body[:300].decode(errors='replace')}"
            if i >= warmup:
                times.append(dt)
                lat.bytes = len(body)
    finally:
        conn.close()
    lat.n = len(times)
    if times:
        times.sort()
        lat.p50_ms = statistics.median(times)
        lat.p95_ms = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return lat


# ---- DuckDB floor: the SQL a request runs, timed directly --------------------------------------------------------

class TracingConnection:
    """Wraps the dashboard's DuckDB connection and records every statement it runs."""

    def __init__(self, con, log: list):
        self._con, self._log = con, log

    def execute(self, sql, params=None):
        self._log.append((sql, list(params) if params is not None else []))
        return self._con.execute(sql, params) if params is not None else self._con.execute(sql)

    def sql(self, query, params=None, **kwargs):  # the relational API (streamed extracts)
        self._log.append((query, list(params) if params is not None else []))
        return self._con.sql(query, params=params, **kwargs)

    def cursor(self):  # dashboard/data.cursor(): statements on cursors are traced too
        return TracingConnection(self._con.cursor(), self._log)

    def __getattr__(self, name):
        return getattr(self._con, name)


class InProcessApp:
    """The dashboard app in this process over a warehouse, to find which SQL each request runs (a warm request:
    queries served from the app's per-build cache run no SQL, as on the server)."""

    def __init__(self, warehouse: Path):
        self._saved_env = os.environ.get("SDG87_WAREHOUSE")
        os.environ["SDG87_WAREHOUSE"] = str(warehouse)
        from dashboard import data
        from dashboard.app import server
        self.data, self.client, self.log = data, server.test_client(), []
        self._connection = data.connection
        data.clear_caches()
        data.connection = lambda: TracingConnection(self._connection(), self.log)

    def sql_of(self, target) -> tuple[list, str | None]:
        for _ in range(2):  # warm the per-build caches
            self.call(target)
        self.log.clear()
        status = self.call(target)
        return list(self.log), (None if ok(target, status) else f"HTTP {status} in process")

    def cold(self, target, repeat: int = 3) -> tuple[float, list]:
        """Median ms of the request in process with every per-build cache emptied first (what the first visitor of
        a page, filter or country pays after a new build, or after the LRU dropped it), and the SQL that run does."""
        times = []
        for _ in range(repeat):
            self.data.clear_caches()
            self.log.clear()
            t = time.perf_counter()
            self.call(target)
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times), list(self.log)

    def call(self, target) -> int:
        headers = {"Content-Type": "application/json"} if target.body is not None else {}
        resp = self.client.open(target.path, method=target.method, data=target.body, headers=headers)
        resp.get_data()
        return resp.status_code

    def close(self):
        self.data.connection = self._connection
        with contextlib.suppress(Exception):
            self._connection().close()
        self.data._local.__dict__.clear()
        self.data.clear_caches()
        if self._saved_env is None:
            os.environ.pop("SDG87_WAREHOUSE", None)
        else:
            os.environ["SDG87_WAREHOUSE"] = self._saved_env


def floor_ms(warehouse: Path, statements: list, repeat: int = 5) -> float:
    """Median over `repeat` runs of all the statements one request runs, on a fresh connection opened like the
    server's (read-only, threads=1), fetched as Arrow (the cheapest full materialisation)."""
    return floor_detail(warehouse, statements, repeat)[0]


def floor_detail(warehouse: Path, statements: list, repeat: int = 5) -> tuple[float, tuple[float, str] | None]:
    """(floor ms, (ms, SQL text) of the slowest statement). The connection is opened like the server's
    (dashboard/data.py: in-memory, threads=1, the warehouse ATTACHed read-only as `warehouse` and USEd)."""
    statements = [(s, p) for s, p in statements if not s.strip().upper().startswith("USE ")]
    if not statements:
        return 0.0, None
    with contextlib.closing(duckdb.connect(":memory:", config={"threads": 1})) as con, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        con.execute(f"ATTACH '{str(warehouse).replace(chr(39), chr(39) * 2)}' AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
        runs, per = [], [[] for _ in statements]
        for i in range(repeat + 1):
            t = time.perf_counter()
            for k, (sql, params) in enumerate(statements):
                s = time.perf_counter()
                con.execute(sql, params).to_arrow_table()
                if i:
                    per[k].append((time.perf_counter() - s) * 1000)
            if i:
                runs.append((time.perf_counter() - t) * 1000)
    k = max(range(len(statements)), key=lambda j: statistics.median(per[j]))
    return statistics.median(runs), (statistics.median(per[k]), " ".join(statements[k][0].split())[:600])


# ---- throughput under a bounded loopback load -------------------------------------------------------------------

def throughput(base: str, targets: list, clients: int, seconds: float) -> dict:
    """`clients` threads, each sending the mix round-robin (offset per thread) for `seconds`: completed requests/s."""
    stop = time.perf_counter() + seconds
    counts = [0] * clients
    errors = [0] * clients
    lat: list[float] = []
    lock = threading.Lock()

    def run(i):
        host, port = base.split("//")[1].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        k = i
        while time.perf_counter() < stop:
            t = targets[k % len(targets)]
            k += 1
            t0 = time.perf_counter()
            try:
                status, _ = request(conn, t)
            except Exception:
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=120)
                status = 0
            with lock:
                lat.append((time.perf_counter() - t0) * 1000)
            counts[i] += 1
            errors[i] += 0 if ok(t, status) else 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    lat.sort()
    return {"requests": sum(counts), "errors": sum(errors), "seconds": elapsed, "rps": sum(counts) / elapsed,
            "p50_ms": statistics.median(lat) if lat else None,
            "p95_ms": lat[min(len(lat) - 1, round(0.95 * len(lat)) - 1)] if lat else None}
