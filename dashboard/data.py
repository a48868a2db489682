"""The only module that opens the warehouse. Read-only, one connection per thread, parameterised SQL only.

A new build is picked up without a restart: when the warehouse file is swapped (new inode), the next
query opens the new file; queries already running finish on the old one. Results of small queries are
cached per build id (a build is immutable). Each query has a time limit so one slow request cannot hold
a worker forever.
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import config

QUERY_SECONDS = float(os.environ.get("SDG87_QUERY_SECONDS", "10"))
MEMORY_LIMIT = os.environ.get("SDG87_WORKER_MEMORY_LIMIT", "256MB")
_local = threading.local()


class WarehouseMissing(RuntimeError):
    pass


class QueryTimeout(RuntimeError):
    pass


def warehouse_path() -> Path:
    return config.warehouse_path()


def connection() -> duckdb.DuckDBPyConnection:
    """This thread's read-only connection to the current build (reopened after a swap)."""
    path = warehouse_path()
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise WarehouseMissing(f"no warehouse at {path}: run `sdg87 build`") from exc
    key = (st.st_ino, st.st_mtime_ns)
    if getattr(_local, "key", None) != key:
        old = getattr(_local, "con", None)
        if old is not None:
            old.close()
        _local.con = open_build(path)
        _local.key = key
    return _local.con


def open_build(path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with the warehouse ATTACHed read-only. DuckDB keeps one database instance
    per file path in a process (duckdb issue #15912): `duckdb.connect(path)` after a swap could hand back the old
    build while another thread still holds it. ATTACH opens the file that is at the path now."""
    # memory_limit: a sort over a 10 M-row extract stays within a worker's budget (spills to disk past it)
    con = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": MEMORY_LIMIT})
    escaped = str(path).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS warehouse (READ_ONLY)")
    con.execute("USE warehouse")
    return con


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on this thread's connection, pointed at the warehouse (cursors do not inherit USE)."""
    cur = connection().cursor()
    cur.execute("USE warehouse")
    return cur


def query(sql: str, params: list | tuple = ()) -> pd.DataFrame:
    """Run one parameterised query with a time limit; returns a DataFrame."""
    con = connection()
    timer = threading.Timer(QUERY_SECONDS, con.interrupt)
    timer.start()
    try:
        return con.execute(sql, list(params)).fetch_df()
    except duckdb.InterruptException as exc:
        raise QueryTimeout(f"query took longer than {QUERY_SECONDS:.0f} s") from exc
    finally:
        timer.cancel()


def build_id() -> str:
    return str(connection().execute("SELECT build_id FROM build_info").fetchall()[0][0])


def cached(sql: str, params: tuple = ()) -> pd.DataFrame:
    """Like query(), cached for the current build (use for small, frequently repeated reads)."""
    return _cached(build_id(), sql, tuple(params)).copy()


@lru_cache(maxsize=512)
def _cached(build: str, sql: str, params: tuple) -> pd.DataFrame:
    return query(sql, params)


# ---- shared lookups used by several pages -------------------------------------------------------------

def series_catalogue() -> pd.DataFrame:
    return cached("SELECT * FROM series ORDER BY family, code")


def geographies() -> pd.DataFrame:
    return cached("SELECT geo, name, type, scheme, iso3, m49 FROM geographies ORDER BY type DESC, name")


def sources() -> pd.DataFrame:
    return cached("SELECT * FROM sources ORDER BY source, edition_date")


def has_table(name: str) -> bool:
    return not cached("SELECT 1 FROM information_schema.tables WHERE table_name = ?", (name,)).empty
