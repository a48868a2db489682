"""Bounded load test of the production server, on loopback only.

    python -m benchmarks.load --users 50 --duration 60 --workers 2 [--warehouse PATH]
    python -m benchmarks.load --url http://127.0.0.1:8050 --users 50 --duration 60     # an already running server

Starts `sdg87 serve` (gunicorn, production settings) on a free loopback port with --workers workers, unless
--url names a running server (only 127.0.0.1 or localhost: any other host is refused). Then --users threads
(simulated users, each with its own keep-alive session) loop for --duration seconds or until --max-requests
requests were sent, whichever comes first, picking each time one of:

* page:     GET of a page (/, /explore, /country/NGA, /regions, /data) as a browser's first request;
* callback: POST /_dash-update-component with a payload captured from the app: the pages router callback for
            that page, and the page's own callbacks, built from /_dash-dependencies and the props of the page's
            layout as the server renders it (the values a browser would send on first load);
* extract:  GET /api/v1/observations.csv with filters (read to the end).

Every payload and extract is checked once before the run (200/204), so a broken page shows up as a setup
message, not as load errors. Reports requests, errors (exception, 5xx or an unexpected status), requests per
second and p50/p95/p99 latency per kind and overall; --markdown PATH writes the figures with machine, date and
command (benchmarks/LOAD.md). A benchmark, not a test: nothing here asserts a threshold.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode, urlparse

import requests

from benchmarks import measure
from dashboard.callback_protocol import (CALLBACK_PATH, ROUTER_OUTPUT, callback_body,
                                         component_props, router_body)

LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
PAGES = ("/", "/explore", "/country/NGA", "/regions", "/data")
OK_STATUS = {"page": {200}, "callback": {200, 204}, "extract": {200}}
EXTRACT_FILTERS = (
    {"geo": "NGA"},
    {"geo": "IND,BRA", "sex": "total"},
    {"geo": "WLD"},
    {"series": "{series}", "from": "2010"},
    {"series": "{series}", "geo": "NGA,ETH,BGD", "to": "2022"},
)
KINDS = ("page", "callback", "extract")
DEFAULT_MIX = {"page": 0.35, "callback": 0.5, "extract": 0.15}


class NotLoopback(ValueError):
    pass


def check_loopback(url: str) -> str:
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise NotLoopback(f"refusing to load-test {host or url!r}: only 127.0.0.1 or localhost")
    return url.rstrip("/")


# ---- payloads captured from the app ----------------------------------------------------------------------

def page_callbacks(session: requests.Session, base: str, path: str, deps: list[dict] | None = None,
                   shell: dict | None = None, timeout: float = 60) -> tuple[dict, list[dict]]:
    """The router body for `path` and a body for every server callback whose components are on that page
    (values as the server renders the page's layout)."""
    if deps is None:
        deps = session.get(base + "/_dash-dependencies", timeout=timeout).json()
    if shell is None:
        shell = component_props(session.get(base + "/_dash-layout", timeout=timeout).json())
    router = router_body(path)
    r = session.post(base + CALLBACK_PATH, json=router, timeout=timeout)
    r.raise_for_status()
    props = dict(shell)
    props.update(component_props(r.json()))
    bodies = [b for d in deps if d.get("output") != ROUTER_OUTPUT and (b := callback_body(d, props))]
    return router, bodies


@dataclass
class Target:
    kind: str
    label: str
    method: str
    url: str
    body: dict | None = None


def discover(base: str, pages=PAGES, timeout: float = 60, log=print) -> list[Target]:
    """Every request of the mix, each checked once (kept only if it answers 200/204)."""
    session = requests.Session()
    targets: list[Target] = []
    deps = session.get(base + "/_dash-dependencies", timeout=timeout).json()
    shell = component_props(session.get(base + "/_dash-layout", timeout=timeout).json())
    for path in pages:
        r = session.get(base + path, timeout=timeout)
        if r.status_code != 200:
            log(f"setup: page {path} answers {r.status_code}; left out")
            continue
        targets.append(Target("page", f"GET {path}", "GET", base + path))
        try:
            router, bodies = page_callbacks(session, base, path, deps, shell, timeout)
        except Exception as exc:  # noqa: BLE001 - reported, the page is still loaded as a page
            log(f"setup: router callback for {path} failed: {exc}")
            continue
        targets.append(Target("callback", f"router {path}", "POST", base + CALLBACK_PATH, router))
        for body in bodies:
            r = session.post(base + CALLBACK_PATH, json=body, timeout=timeout)
            if r.status_code in OK_STATUS["callback"]:
                targets.append(Target("callback", f"{path} {body['output'][:60]}", "POST", base + CALLBACK_PATH, body))
            else:
                log(f"setup: callback {body['output'][:80]} on {path} answers {r.status_code}; left out")
    series = [line.split(",", 1)[0] for line in session.get(base + "/api/v1/series.csv", timeout=timeout)
              .text.splitlines()[1:] if line]
    pick = next((s for s in series if s.startswith("SL_TLF_CHLD")), series[0] if series else "")
    for filters in EXTRACT_FILTERS:
        query = urlencode({k: v.format(series=pick) for k, v in filters.items()})
        url = f"{base}/api/v1/observations.csv?{query}"
        r = session.get(url, timeout=timeout)
        if r.status_code == 200:
            targets.append(Target("extract", f"observations.csv?{query}", "GET", url))
        else:
            log(f"setup: extract {query} answers {r.status_code}: {r.text[:120]}; left out")
    return targets


# ---- the run ---------------------------------------------------------------------------------------------

@dataclass
class Sample:
    kind: str
    label: str
    seconds: float
    status: int
    error: str | None


@dataclass
class Result:
    samples: list[Sample] = field(default_factory=list)
    wall_seconds: float = 0.0
    users: int = 0
    targets: int = 0
    loadavg: tuple[float, float, float] | None = None  # 1/5/15-minute load average just before the run

    def summary(self) -> dict:
        out = {}
        for kind in (*KINDS, "overall"):
            chosen = [s for s in self.samples if kind in ("overall", s.kind)]
            times = sorted(s.seconds for s in chosen)
            out[kind] = {
                "requests": len(chosen),
                "errors": sum(1 for s in chosen if s.error),
                "rps": round(len(chosen) / self.wall_seconds, 1) if self.wall_seconds else 0.0,
                "p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "p99_ms": pct(times, 99),
                "max_ms": round(times[-1] * 1000, 1) if times else None,
            }
        return out

    def error_examples(self, n: int = 5) -> list[str]:
        return [f"{s.label}: {s.error}" for s in self.samples if s.error][:n]


def pct(sorted_times: list[float], p: float) -> float | None:
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_times:
        return None
    rank = max(1, min(len(sorted_times), int(-(-p * len(sorted_times) // 100))))
    return round(sorted_times[rank - 1] * 1000, 1)


def run(base: str, users: int, duration: float, max_requests: int = 1_000_000, think: float = 0.25,
        mix: dict[str, float] | None = None, seed: int = 87, timeout: float = 60, log=print) -> Result:
    """Drive `users` threads against `base` for `duration` seconds (or `max_requests` requests)."""
    base = check_loopback(base)
    targets = discover(base, timeout=timeout, log=log)
    by_kind = {k: [t for t in targets if t.kind == k] for k in KINDS}
    mix = {k: w for k, w in (mix or DEFAULT_MIX).items() if by_kind.get(k)}
    if not mix:
        raise RuntimeError("nothing to request: every page, callback and extract failed in setup")
    kinds, weights = zip(*mix.items())
    result = Result(users=users, targets=len(targets), loadavg=os.getloadavg() if hasattr(os, "getloadavg") else None)
    lock = threading.Lock()
    sent = [0]
    start = time.perf_counter()
    deadline = start + duration

    def user(n: int):
        rnd = random.Random(seed * 1000 + n)
        session = requests.Session()
        samples = []
        time.sleep(rnd.uniform(0, min(1.0, duration / 10)))  # stagger the start
        while time.perf_counter() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            target = rnd.choice(by_kind[rnd.choices(kinds, weights)[0]])
            t0 = time.perf_counter()
            status, error = 0, None
            try:
                if target.method == "GET":
                    r = session.get(target.url, timeout=timeout)
                else:
                    r = session.post(target.url, json=target.body, timeout=timeout)
                _ = r.content  # read the whole body (extracts stream)
                status = r.status_code
                if status not in OK_STATUS[target.kind]:
                    error = f"HTTP {status}: {r.text[:100]!r}"
            except Exception as exc:  # noqa: BLE001 - counted as an error
                error = f"{type(exc).__name__}: {str(exc)[:100]}"
            samples.append(Sample(target.kind, target.label, time.perf_counter() - t0, status, error))
            if think:
                time.sleep(rnd.uniform(0, 2 * think))
        with lock:
            result.samples.extend(samples)

    threads = [threading.Thread(target=user, args=(n,), daemon=True, name=f"user-{n}") for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, deadline - time.perf_counter()) + timeout + 5)
    result.wall_seconds = time.perf_counter() - start
    return result


# ---- report ----------------------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    versions = []
    for pkg in ("dash", "flask", "gunicorn", "duckdb"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version
            versions.append(f"{pkg} {version(pkg)}")
    return (f"{cpu}, {os.cpu_count()} logical CPUs{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; " + ", ".join(versions))


def table(summary: dict) -> str:
    lines = ["| kind | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, s in summary.items():
        lines.append(f"| {kind} | {s['requests']} | {s['errors']} | {s['rps']} | {s['p50_ms']} | {s['p95_ms']} | "
                     f"{s['p99_ms']} | {s['max_ms']} |")
    return "\n".join(lines)


def markdown(result: Result, command: str, workers: int, threads: int, think: float, server_note: str) -> str:
    summary = result.summary()
    labels = sorted({(s.kind, s.label) for s in result.samples})
    return f"""# Load benchmark

Latest figures of `benchmarks/load.py` (a bounded benchmark on loopback; not a timed test).

* Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}
* Command: `{command}`
* Server: {server_note}, {workers} gunicorn gthread worker(s) x {threads} threads
* Users: {result.users} threads, think time uniform 0-{2 * think:g} s between requests; {result.wall_seconds:.1f} s wall
* Machine: {machine()}
* The load generator runs on the same machine as the server and competes with it for the CPUs.
* Load average before the run (1/5/15 min): {" / ".join(f"{x:.2f}" for x in result.loadavg) if result.loadavg else "n/a"}

{table(summary)}

Latency is measured by the client from sending the request to reading the whole response body. Errors are
exceptions, 5xx and any status other than 200 (204 for callbacks that prevent an update).
Requests in the mix ({len(labels)}): {"; ".join(f"{k}: {lbl}" for k, lbl in labels)}.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=50, help="simulated users (threads)")
    ap.add_argument("--duration", type=float, default=60, help="seconds of load")
    ap.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers of the server started here")
    ap.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    ap.add_argument("--warehouse", type=Path, default=None, help="warehouse file (default: $SDG87_WAREHOUSE or "
                                                                  "data/processed/sdg87.duckdb)")
    ap.add_argument("--url", default=None, help="a running server on 127.0.0.1/localhost instead of starting one")
    ap.add_argument("--think", type=float, default=0.25, help="mean think time in seconds (uniform 0..2x)")
    ap.add_argument("--seed", type=int, default=87)
    ap.add_argument("--json", type=Path, default=None, help="write the summary as JSON")
    ap.add_argument("--markdown", type=Path, default=None, help="write the figures as Markdown (benchmarks/LOAD.md)")
    args = ap.parse_args(argv)
    if not (1 <= args.users <= 500 and 0 < args.duration <= 3600 and args.max_requests > 0):
        ap.error("--users 1..500, --duration up to 3600 s, --max-requests > 0")
    command = "python -m benchmarks.load " + " ".join(argv if argv is not None else sys.argv[1:])

    with contextlib.ExitStack() as stack:
        if args.url:
            try:
                base = check_loopback(args.url)
            except NotLoopback as exc:
                print(exc, file=sys.stderr)
                return 2
            server_note = f"running server at {base}"
        else:
            from pipelines import config

            warehouse = config.warehouse_path(args.warehouse)
            if not warehouse.exists():
                print(f"no warehouse at {warehouse}: run `sdg87 build` or pass --warehouse", file=sys.stderr)
                return 2
            log_path = Path(tempfile.gettempdir()) / f"sdg87-load-server-{os.getpid()}.log"
            base = stack.enter_context(measure.Server(warehouse, args.workers, args.threads, log_path)).base
            server_note = f"`sdg87 serve` started here on {base} (warehouse {warehouse.name}; log {log_path})"
        print(f"load: {args.users} users for {args.duration:g} s against {base}", file=sys.stderr)
        result = run(base, args.users, args.duration, args.max_requests, args.think, seed=args.seed,
                     log=lambda m: print(m, file=sys.stderr))
    summary = result.summary()
    print(table(summary))
    for example in result.error_examples():
        print("error:", example)
    if args.json:
        args.json.write_text(json.dumps({"command": command, "summary": summary, "users": args.users,
                                         "workers": args.workers, "wall_seconds": result.wall_seconds}, indent=2))
    if args.markdown:
        args.markdown.write_text(markdown(result, command, args.workers, args.threads, args.think, server_note))
    return 0 if summary["overall"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
