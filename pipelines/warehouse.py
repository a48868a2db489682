"""The warehouse file: build into a temporary file, swap it in atomically, one build at a time.

Readers holding the old file open keep reading it (POSIX rename keeps the old inode alive); new
connections see the new build. A killed build leaves the previous warehouse untouched; its temporary
file is removed by the next build, and the lock (an flock on `<warehouse>.lock`) dies with the process.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

import duckdb

from pipelines.errors import BuildError


@contextlib.contextmanager
def build_lock(warehouse: Path):
    """Hold an exclusive lock for the build; fail fast if another build holds it."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    fh = open(lock_path, "a")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(f"{warehouse}: another build is running (lock {lock_path})") from exc
        if not _same_file(fh, lock_path):  # the holder released and removed it between our open and our flock
            raise BuildError(f"{warehouse}: another build is running (lock {lock_path} was replaced)")
    except BaseException:
        fh.close()  # not ours: leave the holder's lock file in place
        raise
    try:
        fh.truncate(0)
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()
        fh.close()


def _same_file(fh, path: Path) -> bool:
    try:
        return os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def temp_path(warehouse: Path) -> Path:
    """A fresh temporary file beside the warehouse (same filesystem, so the swap is atomic)."""
    remove_stale_temps(warehouse)
    return warehouse.with_name(f"{warehouse.name}.building-{os.getpid()}")


def remove_stale_temps(warehouse: Path) -> None:
    """Delete temporary files left by builds that were killed (their process no longer exists)."""
    for tmp in warehouse.parent.glob(f"{warehouse.name}.building-*"):
        pid = tmp.name.rsplit("-", 1)[-1].split(".")[0]
        if not pid.isdigit() or not _alive(int(pid)) or int(pid) == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(tmp: Path, warehouse: Path) -> None:
    """Make the new build the current warehouse in one atomic rename (after flushing it to disk)."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, warehouse)
    dir_fd = os.open(warehouse.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def connect_readonly(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection; a clear error when there is no warehouse yet."""
    if not Path(warehouse).exists():
        raise BuildError(f"{warehouse}: no warehouse yet; run `sdg87 build` first")
    return duckdb.connect(str(warehouse), read_only=True)


def table_from_frame(con: duckdb.DuckDBPyConnection, table: str, frame) -> None:
    """CREATE OR REPLACE TABLE `table` (a trusted name from our code, possibly qualified) from a pandas frame."""
    con.register("frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM frame")
    finally:
        con.unregister("frame")
