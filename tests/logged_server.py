"""`sdg87 serve` on a free loopback port with extra environment, its stderr going to a log file.

conftest.running_server pipes the server's stderr and never reads it: once tracebacks of ~64 kB are logged,
every worker blocks on the full pipe and the server stops answering. Tests that provoke server errors on
purpose (or fuzz it) use this instead, and can read the log.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from .conftest import free_port, wait_for


@contextlib.contextmanager
def logged_server(warehouse_path: Path, log_path: Path, env: dict | None = None, workers: int = 2):
    port = free_port()
    full_env = {**os.environ, **(env or {}), "SDG87_WAREHOUSE": str(warehouse_path)}
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "serve", "--port", str(port),
                                 "--workers", str(workers)], env=full_env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_for(base + "/api/v1/series.csv")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
