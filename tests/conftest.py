"""Shared fixtures: the real mirror of official files, and real warehouses built from it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def mirror_dir() -> Path:
    """The raw mirror: $SDG87_RAW_DIR, else ../shared/data/raw beside the repository."""
    env = os.environ.get("SDG87_RAW_DIR")
    return Path(env).resolve() if env else (REPO.parent / "shared" / "data" / "raw").resolve()


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    path = mirror_dir()
    if not (path / "MANIFEST.sha256.tsv").exists():
        pytest.fail(f"raw mirror not found at {path}: set SDG87_RAW_DIR")
    return path


# ---- real warehouse, real server, real browser ---------------------------------------------------------

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture(scope="session")
def warehouse(raw_dir, tmp_path_factory) -> Path:
    """A real warehouse built from the real mirror by the real build (once per test session)."""
    from pipelines.build import build

    path = tmp_path_factory.mktemp("warehouse") / "sdg87.duckdb"
    build(raw_dir, path, progress=lambda m: None)
    return path


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer at {url}")


@contextlib.contextmanager
def running_server(warehouse_path: Path, workers: int = 2, env: dict | None = None, log_path: Path | None = None):
    """`sdg87 serve` (gunicorn, production settings) on a free loopback port; its output goes to a log file
    (never a pipe nobody reads: a full pipe blocks every worker)."""
    port = free_port()
    full_env = {**os.environ, **(env or {}), "SDG87_WAREHOUSE": str(warehouse_path)}
    log_path = log_path or Path(warehouse_path).with_name(f"server-{port}.log")
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "serve", "--port", str(port),
                                 "--workers", str(workers)], env=full_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(base + "/api/v1/series.csv")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def server(warehouse) -> str:
    with running_server(warehouse) as base:
        yield base


@pytest.fixture(scope="module")
def wh(warehouse):
    """A read-only connection to the test warehouse, to compare what users see with the warehouse rows."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


class PageProbe:
    """Console errors, failed requests and blocked (non-loopback) requests seen by a page."""

    def __init__(self):
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.blocked: list[str] = []

    def assert_clean(self):
        assert self.blocked == [], f"requests left the machine: {self.blocked}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture
def page(browser):
    """A fresh page whose every non-loopback request is blocked and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    probe = PageProbe()

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if urlparse(r.request.url).scheme in ("data", "blob") or host in LOOPBACK:
            return r.continue_()
        probe.blocked.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("console", lambda m: probe.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("requestfailed", lambda req: probe.failed.append(f"{req.url} {req.failure}"))
    pg.probe = probe
    yield pg
    context.close()
