"""The only module that opens the warehouse. Read-only, one DuckDB instance per process, parameterised SQL only.

Each process (gunicorn worker) opens ONE in-memory DuckDB instance for the current build, with the warehouse file
ATTACHed read-only, and every thread queries it through a cursor of its own (a cursor is a separate DuckDB
connection to the same instance: same buffer pool, same memory limit, its own running query). One instance means one
buffer pool per worker, bounded by SDG87_WORKER_MEMORY_LIMIT; past it, big sorts spill to a temporary directory of
this process instead of growing the worker's memory.

A new build is picked up without a restart: when the warehouse file is swapped (new inode or mtime), the next query
opens a new instance on the new file; queries already running finish on the old one, which is closed when its last
cursor is gone. Results of small queries, and anything else that is a pure function of the build (see `per_build`),
are cached per build id (a build is immutable). Each query has a time limit so one slow request cannot hold a worker
forever: the limit interrupts that query's own cursor only.
"""
from __future__ import annotations

import atexit
import functools
import heapq
import itertools
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import config

QUERY_SECONDS = float(os.environ.get("SDG87_QUERY_SECONDS", "10"))
MEMORY_LIMIT = os.environ.get("SDG87_WORKER_MEMORY_LIMIT", "128MB")
_local = threading.local()  # this thread's cursor on the current build: .build, .con
_lock = threading.Lock()
_current: _Build | None = None
_temp: tuple[int, str] | None = None  # (pid, directory) where this process's instance spills


class WarehouseMissing(RuntimeError):
    pass


class QueryTimeout(RuntimeError):
    pass


def warehouse_path() -> Path:
    return config.warehouse_path()


# ---- the instance of the current build -------------------------------------------------------------------------

class _Build:
    """One DuckDB instance on one build of the warehouse, shared by all threads of this process."""

    def __init__(self, path: Path, key: tuple):
        self.key = key
        self.root = open_build(path)
        self._id: str | None = None

    def build_id(self) -> str:
        if self._id is None:
            cur = self.root.cursor()
            try:
                cur.execute("USE warehouse")
                self._id = str(cur.execute("SELECT build_id FROM build_info").fetchall()[0][0])
            finally:
                cur.close()
        return self._id


def _build() -> _Build:
    """The instance on the file at the warehouse path now (a new one after a swap; the old one is dropped, not
    closed: threads still reading it keep it alive through their cursors)."""
    global _current
    path = warehouse_path()
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise WarehouseMissing(f"no warehouse at {path}: run `sdg87 build`") from exc
    key = (str(path), st.st_ino, st.st_mtime_ns)
    b = _current
    if b is not None and b.key == key:
        return b
    with _lock:
        if _current is None or _current.key != key:
            _current = _Build(path, key)
        return _current


def temp_directory() -> str:
    """A temporary directory of this process (DuckDB spills sorts and joins there), removed at exit."""
    global _temp
    if _temp is None or _temp[0] != os.getpid():  # a forked child gets its own
        path = tempfile.mkdtemp(prefix=f"sdg87-duckdb-{os.getpid()}-")
        atexit.register(shutil.rmtree, path, True)
        _temp = (os.getpid(), path)
    return _temp[1]


def open_build(path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory instance with the warehouse ATTACHed read-only. DuckDB keeps one database instance per file
    path in a process (duckdb issue #15912): `duckdb.connect(path)` after a swap could hand back the old build while
    another thread still holds it. ATTACH opens the file that is at the path now."""
    # memory_limit: one buffer pool per worker, shared by its threads; a sort over a 10 M-row extract spills to
    # temp_directory past it instead of growing the worker's memory
    con = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": MEMORY_LIMIT,
                                             "temp_directory": temp_directory()})
    escaped = str(path).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS warehouse (READ_ONLY)")
    con.execute("USE warehouse")
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """This thread's cursor on the current build's instance (a new cursor after a swap), pointed at the warehouse.
    Use it from this thread only."""
    b = _build()
    if getattr(_local, "build", None) is not b:
        con = b.root.cursor()
        con.execute("USE warehouse")  # cursors do not inherit USE
        _local.con, _local.build = con, b  # the previous cursor is dropped, not closed (streams may use its cursors)
    return _local.con


def release() -> None:
    """Forget this thread's cursor (a thread that will not query again, e.g. after warm-up, must not keep an old
    build's instance alive after a swap)."""
    _local.__dict__.clear()


def cursor() -> duckdb.DuckDBPyConnection:
    """A new cursor on the current build, pointed at the warehouse (for a stream the caller closes)."""
    cur = connection().cursor()
    cur.execute("USE warehouse")
    return cur


# ---- the time limit ----------------------------------------------------------------------------------------------

class _Watchdog:
    """One thread per process that interrupts a cursor whose query runs past its deadline (a threading.Timer per
    query would start a thread per query). Interrupting a cursor stops only the query running on it."""

    def __init__(self):
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._armed: dict[int, duckdb.DuckDBPyConnection] = {}
        self._ids = itertools.count()
        self._pid: int | None = None

    def arm(self, con: duckdb.DuckDBPyConnection, seconds: float) -> int:
        token = next(self._ids)
        with self._cond:
            if self._pid != os.getpid():  # first use in this process (threads do not survive a fork)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="sdg87-query-watchdog", daemon=True).start()
            self._armed[token] = con
            heapq.heappush(self._heap, (time.monotonic() + seconds, token))
            self._cond.notify()
        return token

    def disarm(self, token: int) -> None:
        with self._cond:
            self._armed.pop(token, None)

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][1] not in self._armed:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, token = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                con = self._armed.pop(token, None)
                if con is not None:
                    try:
                        con.interrupt()
                    except Exception:  # closed meanwhile: nothing left to stop
                        pass


_watchdog = _Watchdog()


def time_limited(con: duckdb.DuckDBPyConnection, step, seconds: float | None = None):
    """Run `step()` (statements on `con`) under the query time limit; QueryTimeout when it runs past it."""
    limit = QUERY_SECONDS if seconds is None else seconds
    token = _watchdog.arm(con, limit)
    try:
        return step()
    except duckdb.InterruptException as exc:
        raise QueryTimeout(f"query took longer than {limit:g} s") from exc
    finally:
        _watchdog.disarm(token)


def query(sql: str, params: list | tuple = ()) -> pd.DataFrame:
    """Run one parameterised query with a time limit; returns a DataFrame."""
    con = connection()
    return time_limited(con, lambda: con.execute(sql, list(params)).fetch_df())


# ---- caches per build --------------------------------------------------------------------------------------------

def build_id() -> str:
    """The id of the build being served (read once per build)."""
    return _build().build_id()


def cached(sql: str, params: tuple = ()) -> pd.DataFrame:
    """Like query(), cached for the current build (use for small, frequently repeated reads)."""
    return _cached(build_id(), sql, tuple(params)).copy()


@lru_cache(maxsize=512)
def _cached(build: str, sql: str, params: tuple) -> pd.DataFrame:
    return query(sql, params)


def per_build(maxsize: int = 64):
    """Decorator: cache a pure function of the build and its (hashable) arguments in a bounded LRU keyed by the
    build id, so a new build is never served an old result. Errors are not cached. For rendered components and
    figures: callers must not change what it returns. Unhashable arguments (forged callback input) skip the cache."""
    def wrap(fn):
        @lru_cache(maxsize=maxsize)
        def memo(build: str, args: tuple, kwargs: tuple):
            return fn(*args, **dict(kwargs))

        @functools.wraps(fn)
        def call(*args, **kwargs):
            key = (build_id(), args, tuple(sorted(kwargs.items())))
            try:
                hash(key)
            except TypeError:
                return fn(*args, **kwargs)
            return memo(*key)

        call.cache_clear = memo.cache_clear
        call.cache_info = memo.cache_info
        _PER_BUILD_CACHES.append(memo)
        return call
    return wrap


_PER_BUILD_CACHES: list = []


def clear_caches() -> None:
    """Empty every per-build cache of this process (the benchmark times uncached renders this way)."""
    _cached.cache_clear()
    for memo in _PER_BUILD_CACHES:
        memo.cache_clear()


# ---- shared lookups used by several pages -------------------------------------------------------------


COUNTRY_CODE_RE = re.compile(r"[A-Za-z0-9_]{2,12}")


def normalise_code(code) -> str | None:
    """A geography code as a URL or a callback gives it, upper-cased; None when it cannot be one."""
    if not isinstance(code, str) or not COUNTRY_CODE_RE.fullmatch(code.strip()):
        return None
    return code.strip().upper()


def is_known_country(code) -> bool:
    """True when `code` is a country in the warehouse's geographies (the country page and the HTTP status hook)."""
    norm = normalise_code(code)
    if norm is None:
        return False
    try:
        return not cached("SELECT 1 FROM geographies WHERE type = 'country' AND geo = ?", (norm,)).empty
    except Exception:  # no warehouse, timeout: not a known country as far as the status hook can tell
        logging.getLogger(__name__).exception("is_known_country(%r) failed", norm)
        return False


def known_values(sql: str) -> list:
    """First column of one of pipelines.api.KNOWN_VALUES_SQL (fixed SQL, no user input), cached per build: the
    values an export filter accepts."""
    return cached(sql).iloc[:, 0].tolist()

def series_catalogue() -> pd.DataFrame:
    return cached("SELECT * FROM series ORDER BY family, code")


def geographies() -> pd.DataFrame:
    return cached("SELECT geo, name, type, scheme, iso3, m49 FROM geographies ORDER BY type DESC, name")


def sources() -> pd.DataFrame:
    return cached("SELECT * FROM sources ORDER BY source, edition_date")


def has_table(name: str) -> bool:
    return not cached("SELECT 1 FROM information_schema.tables WHERE table_name = ?", (name,)).empty
