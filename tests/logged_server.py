"""`sdg87 serve` with extra environment and a named log file, for tests that make the server fail on purpose
(or fuzz it) and may read its log. A thin name for conftest.running_server."""
from __future__ import annotations

from pathlib import Path

from .conftest import running_server


def logged_server(warehouse_path: Path, log_path: Path, env: dict | None = None, workers: int = 2):
    return running_server(warehouse_path, workers=workers, env=env, log_path=log_path)
