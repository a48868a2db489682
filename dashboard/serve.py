"""Production serving: gunicorn with several workers, each loading the app (stateless over a read-only
warehouse, so any number of workers or hosts can serve the same file).

Each worker warms itself up before it serves: it renders every page once through the real code path (Dash's pages
router and every server callback the page's components feed, via the test client), so the first real request on
a worker does not pay for lazy imports, Plotly's figure validators, the DuckDB instance or the first queries. Then it
freezes what it has built so far out of the garbage collector's reach (gc.freeze): a full collection otherwise
walks the whole app (Dash, Plotly, pandas) and stalls a request every few requests. Warm-up errors are logged and
never stop a worker; with no warehouse the pages render their "not available" text and the server starts.
"""
from __future__ import annotations

import gc
import logging
import os
import re
import sys
import time

from gunicorn.app.base import BaseApplication

from dashboard.callback_protocol import CALLBACK_PATH, ROUTER_OUTPUT, callback_body, component_props, router_body

log = logging.getLogger(__name__)

WARMUP_SECONDS = float(os.environ.get("SDG87_WARMUP_SECONDS", "20"))


class Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Dash imports IPython for its Jupyter mode whenever IPython is installed: ~25 MB per worker, never used
        # here. A None entry makes that import fail as if IPython were absent (Dash supports that).
        sys.modules.setdefault("IPython", None)
        from dashboard import data
        from dashboard.app import server
        # within gunicorn's worker timeout: a worker that is still loading when it expires is killed
        budget = min(WARMUP_SECONDS, self.cfg.timeout / 2)
        with server.test_client() as client:  # finish Dash's first-request setup before threads race on it
            client.get("/")
            warm_up(client, budget)
        data.release()  # this thread serves no requests: its cursor must not pin this build after a swap
        gc.collect()
        gc.freeze()
        return server


# ---- warm-up -----------------------------------------------------------------------------------------------------

def page_paths() -> list[str]:
    """Every registered page (the 404 page aside); a path template gets a country of this build."""
    import dash

    paths = []
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        if page.get("module", "").endswith("not_found_404") or path == "/404":
            continue
        if "<" in path:  # the page module (as Dash loaded it) names a value of this build: sample_code()
            sample = getattr(sys.modules.get(page.get("module", "")), "sample_code", None)
            try:
                code = sample() if sample else None
            except Exception as exc:  # no warehouse: nothing to fill the template with
                log.info("warm-up: no sample for %s (%s)", path, exc)
                continue
            if code is None:
                continue
            path = re.sub(r"<[^>]+>", code, path)
        paths.append(path)
    return sorted(dict.fromkeys(paths), key=lambda p: (p != "/", p))


def warm_up(client, budget: float) -> int:
    """Render every page and the server callbacks its components feed, once; returns the requests made. Stops at
    `budget` seconds; never raises."""
    deadline = time.monotonic() + budget
    done = 0

    def post(body: dict, what: str):
        nonlocal done
        try:
            r = client.post(CALLBACK_PATH, json=body)
            done += 1
            if r.status_code >= 400:
                log.warning("warm-up: %s answered HTTP %s", what, r.status_code)
                return None
            return r.get_json(silent=True) if r.status_code == 200 else None
        except Exception:
            log.warning("warm-up: %s failed", what, exc_info=True)
            return None

    from dashboard import data
    try:
        deps = client.get("/_dash-dependencies").get_json()
        shell = component_props(client.get("/_dash-layout").get_json())
        paths = page_paths()
        data.build_id()
    except data.WarehouseMissing as exc:  # the pages say so; their callbacks would only answer 503
        log.info("warm-up: pages only (%s)", exc)
        deps = []
    except Exception:
        log.warning("warm-up skipped", exc_info=True)
        return done
    for path in paths:
        if time.monotonic() > deadline:
            log.warning("warm-up stopped after %.0f s (%d requests)", budget, done)
            break
        answer = post(router_body(path), f"page {path}")
        try:
            props = {**shell, **component_props(answer["response"])}
            bodies = [b for b in (callback_body(dep, props) for dep in deps if dep.get("output") != ROUTER_OUTPUT)
                      if b is not None]
        except Exception:  # no answer, or not the shape Dash answers with: the page alone is warm
            continue
        for body in bodies:
            if time.monotonic() <= deadline:
                post(body, f"callback {body['output']} on {path}")
    return done


MALLOC_ARENAS = int(os.environ.get("SDG87_MALLOC_ARENAS", "2"))
M_ARENA_MAX = -8  # glibc mallopt parameter (malloc.h)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Cap glibc's malloc arenas before the workers fork (they inherit it). By default glibc gives each busy thread
    its own arena, up to 8 per core, and memory freed in one arena is not reused by another: with 4 threads a worker
    kept ~40-70 MB more after the 10 M-row benchmark (benchmarks/RESULTS.md). Same effect as MALLOC_ARENA_MAX=2.
    No-op where glibc is absent."""
    if arenas <= 0:
        return
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):
        log.info("mallopt unavailable: malloc arenas not capped")


def serve(host: str = "127.0.0.1", port: int = 8050, workers: int = 2, threads: int = 4, timeout: int = 60) -> None:
    limit_malloc_arenas()
    Server({"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
            "timeout": timeout, "graceful_timeout": 10, "accesslog": "-", "errorlog": "-",
            "loglevel": "warning", "limit_request_line": 8190}).run()
