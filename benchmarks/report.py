"""RESULTS.md from the harness results: machine, build table, request tables, memory, page `/`, scale-out, budgets."""
from __future__ import annotations

NOTES_MARKER = "<!-- notes: everything below is kept when the harness rewrites this file -->"

# Budgets of the issue "Performance at scale" (2-core machine).
P95_REAL_MS = 100
P95_10M_MS = 250
FLOOR_RATIO_10M = 2.0
BUILD_REAL_S = 30
INGEST_10M_ROWS_S = 1_000_000
WORKER_10M_MB = 300
FIRST_CHART_S = 2.0
PAGE_BYTES = 2_000_000


def f(v, digits=1, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}{unit}"
    if isinstance(v, int):
        return f"{v:,}{unit}"
    return f"{v}{unit}"


def table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(out)


INGEST_PHASES = ("read", "staging", "models+checks")


def synthetic_rows(d: dict) -> int:
    return d["build"]["rows"].get("observations", 0)


def build_rows(results: dict) -> list[list]:
    rows = []
    for d in results["datasets"]:
        b = d["build"]
        if b.get("error"):
            rows.append([d["dataset"], "build failed", b["error"][-200:].replace("\n", " ")] + [""] * 9)
            continue
        obs = b["rows"].get("observations", 0)
        ph = b["phases"]
        phases = " / ".join(f(ph.get(k)) for k in ("read", "staging", "models+checks", "marts", "parquet"))
        ingest = sum(ph.get(k) or 0 for k in INGEST_PHASES)
        floor = b.get("csv_floor")
        rows.append([d["dataset"], f(obs), f(b["seconds"]), f(b["cpu_seconds"]), f(round(obs / b["seconds"])),
                     f(round(obs / ingest)) if ingest else "–",
                     f(round(floor["rows"] / floor["seconds"])) if floor else "–", phases, f(b["peak_rss_mb"], 0), f(b["warehouse_mb"]), f(b["parquet_mb"]),
                     f(b["rows"].get("progress"))])
    return rows


def request_rows(d: dict) -> list[list]:
    rows = []
    for r in d.get("requests", []):
        ratio = r["p50_ms"] / r["floor_ms"] if r["p50_ms"] and r["floor_ms"] else None
        err = r["errors"] and (r["first_error"][:80].replace("\n", " ") or "error")
        cold = (f"{f(r['cold_ms'])} / {f(r['cold_floor_ms'], 2)} ({r['cold_n_sql']})" if r.get("cold_ms") is not None
                else "")
        rows.append([r["name"], r["kind"] + (f" ({r['source']})" if r["source"] else ""), f(r["p50_ms"]),
                     f(r["p95_ms"]), f(r["floor_ms"], 2), f(ratio), f(r["n_sql"]), cold, f(r["bytes"]),
                     f"{r['errors']}/{r['n'] + 2}" + (f" {err}" if err else ""), (r["note"] or "")[:70]])
    return rows


def worst(d: dict, kinds=("endpoint", "callback")) -> dict | None:
    rs = [r for r in d.get("requests", []) if r["kind"] in kinds and r["p95_ms"] is not None]
    return max(rs, key=lambda r: r["p95_ms"]) if rs else None


def worker_peak(d: dict) -> float | None:
    mem = d.get("worker_memory_mb") or {}
    return max((m["hwm"] for m in mem.values()), default=None)


def page_root(d: dict) -> dict | None:
    return next((p for p in d.get("pages", []) if p["path"] == "/"), None)


def budgets(results: dict) -> list[list]:
    out = []
    ds = {d["dataset"]: d for d in results["datasets"]}

    def line(name, target, value, met, note=""):
        out.append([name, target, value, "met" if met else ("**missed**" if met is not None else "not measured"), note])

    real, big = ds.get("real"), ds.get("synthetic 10m")
    if real and "requests" in real:
        w = worst(real)
        line("every endpoint and callback p95, real", f"≤ {P95_REAL_MS} ms", f"worst {f(w['p95_ms'])} ms ({w['name']})",
             w["p95_ms"] <= P95_REAL_MS)
    if real and not real["build"].get("error"):
        line("build from the mirror", f"≤ {BUILD_REAL_S} s", f"{f(real['build']['seconds'])} s",
             real["build"]["seconds"] <= BUILD_REAL_S)
    if big and "requests" in big:
        w = worst(big)
        line("every endpoint and callback p95, 10m", f"≤ {P95_10M_MS} ms", f"worst {f(w['p95_ms'])} ms ({w['name']})",
             w["p95_ms"] <= P95_10M_MS)
        over = [r for r in big["requests"] if r["kind"] in ("endpoint", "callback") and r["floor_ms"]
                and r["p95_ms"] and r["p50_ms"] / r["floor_ms"] > FLOOR_RATIO_10M and r["p95_ms"] > 20]
        line("within 2× of raw DuckDB, 10m (p50/floor, requests over 20 ms)", f"≤ {FLOOR_RATIO_10M}×",
             f"{len(over)} over: " + ", ".join(r["name"] for r in over[:6]) if over else "all within", not over)
    if big and not big["build"].get("error"):
        b = big["build"]
        ingest = sum(b["phases"].get(k) or 0 for k in INGEST_PHASES)
        rate = synthetic_rows(big) / ingest
        floor = b.get("csv_floor")
        note = (f"whole build {synthetic_rows(big) / b['seconds']:,.0f} rows/s ({f(b['seconds'])} s); "
                + (f"CSV floor {floor['rows'] / floor['seconds']:,.0f} rows/s ({f(floor['seconds'])} s wall, "
                   f"{f(floor['cpu_seconds'])} s CPU just to load the text)" if floor else ""))
        line("synthetic ingest at 10m", f"≥ {INGEST_10M_ROWS_S:,} rows/s", f"{rate:,.0f} rows/s (ingest phases)",
             rate >= INGEST_10M_ROWS_S, note)
    if big and worker_peak(big) is not None:
        line("worker memory at 10m (VmHWM)", f"≤ {WORKER_10M_MB} MB", f"{worker_peak(big):.0f} MB",
             worker_peak(big) <= WORKER_10M_MB)
    for d in results["datasets"]:
        p = page_root(d)
        if not p:
            continue
        fc = p.get("first_chart_ms")
        line(f"`/` first chart, {d['dataset']}", f"≤ {FIRST_CHART_S} s",
             f"{fc / 1000:.2f} s" if fc else f"no chart on `/` (load event {f((p.get('load_ms') or 0) / 1000, 2)} s)",
             fc / 1000 <= FIRST_CHART_S if fc else None)
        line(f"`/` transfer, {d['dataset']}", "≤ 2 MB compressed", f"{p['bytes'] / 1e6:.2f} MB", p["bytes"] <= PAGE_BYTES)
    return out


def markdown(results: dict) -> str:
    m = results["machine"]
    v = results["versions"]
    parts = [
        "# Benchmark results",
        "",
        f"Generated by `{results['command']}` on {results['date']} in {results['seconds']:.0f} s. "
        "Synthetic datasets are SYNTHETIC (benchmarks/synth.py): not real statistics.",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
        + ", ".join(f"{k} {x}" for k, x in v.items())
        + f". Load average at start {tuple(round(x, 1) for x in m['load_start'])}, at end "
        f"{tuple(round(x, 1) for x in m.get('load_end', (0, 0, 0)))} (other work on the machine inflates wall times; "
        "CPU seconds are less sensitive).",
        "",
        "## Build",
        "",
        "Build = `python -m benchmarks.buildrun` (the real `pipelines.build.build`) as a subprocess; peak memory is its "
        "ru_maxrss. Phases (s): read / staging / models+checks / marts / parquet.",
        "",
        table(["dataset", "observations", "wall s", "CPU s", "rows/s", "ingest rows/s", "CSV floor rows/s", "phases s",
               "peak RSS MB", "warehouse MB", "parquet MB", "progress rows"], build_rows(results)),
        "",
        "rows/s = observations / whole build (wall). Ingest = raw files to the checked `observations` table (phases "
        "read + staging + models+checks; marts and Parquet excluded). CSV floor = DuckDB alone reading the same "
        "synthetic CSV files into a table, all columns as text, no casts, checks, lineage or joins "
        "(`measure.csv_floor`): no build of these files can ingest faster on this machine.",
    ]
    if results.get("synth_seconds"):
        parts += ["", "Synthetic generation (not part of the build): " +
                  ", ".join(f"{k} {x} s" for k, x in results["synth_seconds"].items()) + "."]
    for d in results["datasets"]:
        if "requests" not in d:
            continue
        parts += ["", f"## Requests: {d['dataset']}", "",
                  f"Real HTTP server (`sdg87 serve`, 2 workers × 4 threads), sequential keep-alive requests, "
                  f"after 2 warm-up requests. Floor = the SQL the request runs when warm (traced in process), run "
                  f"directly in DuckDB (read-only, threads=1, opened like the workers), fetched as Arrow; ratio = p50 / floor. "
                  f"Slice: series {d['slice']['series']}, geographies {', '.join(d['slice']['geo'])}.", "",
                  "Uncached = the callback run in process with every per-build cache emptied first (what the first "
                  "visitor of a page, filter or country pays after a new build): ms / DuckDB floor ms of the SQL it "
                  "then runs (statements). Warm requests served from the per-build cache run no SQL (floor 0, "
                  "ratio –).", "",
                  table(["target", "kind", "p50 ms", "p95 ms", "floor ms", "ratio", "SQL", "uncached ms / floor (SQL)",
                         "bytes", "errors", "query"],
                        request_rows(d))]
        slow = [r for r in d["requests"] if r.get("slowest_sql") and r["slowest_sql"][0] >= 20]
        if slow:
            parts += ["", "Slowest statement of each request whose floor has a statement of 20 ms or more:", ""]
            parts += [f"* {r['name']}: {r['slowest_sql'][0]:.0f} ms `{r['slowest_sql'][1][:300]}`" for r in slow]
        if d.get("callbacks_not_exercised"):
            parts += ["", "Callbacks with no valid payload (no page load fired them and their inputs are not in a "
                          "page layout): " + ", ".join(d["callbacks_not_exercised"])]
        mem = d.get("worker_memory_mb") or {}
        start = d.get("worker_memory_start_mb") or {}
        parts += ["", "Worker memory (MB): after start-up (imports, no request yet) " +
                  ", ".join(f"{x['rss']:.0f}" for x in start.values()) + "; after the run, peak VmHWM / current VmRSS " +
                  ", ".join(f"{x['hwm']:.0f} / {x['rss']:.0f}" for x in mem.values()) +
                  ("; now PSS / USS (shared pages divided / private pages only) " +
                   ", ".join(f"{x['pss']:.0f} / {x['uss']:.0f}" for x in mem.values())
                   if all("pss" in x for x in mem.values()) else "") + "."]
        pages = d.get("pages") or []
        if pages:
            parts += ["", "Pages in headless Chromium (fresh context, cache disabled; bytes = encodedDataLength from the "
                          "DevTools protocol; first chart = first `.js-plotly-plot .main-svg` in the DOM, from navigation "
                          "start):", "",
                      table(["page", "bytes transferred (compressed)", "largest transfers", "first chart ms",
                             "load event ms", "callbacks", "console errors", "error"],
                            [[p["path"], f(p["bytes"]), ", ".join(f"{n} {b / 1e3:.0f} kB" for n, b in p.get("largest", [])[:3]),
                              f(p["first_chart_ms"], 0), f(p["load_ms"], 0), p["n_callbacks"], len(p["console_errors"]),
                              p["error"] or ""] for p in pages])]
    if results.get("scale_out"):
        parts += ["", f"## Scale-out: {results.get('scale_out_dataset')}", "",
                  "Fixed mix (the chart-sized /api/v1 extracts, CSV and Parquet of every dataset; page callbacks are "
                  "answered from the per-build cache faster than the client can send them), bounded loopback load: "
                  "N keep-alive client connections back to back for a fixed time; the client shares the 2 CPUs. "
                  "Rounds alternate 1 and 2 workers; load = the machine's 1-minute load average after the round.", "",
                  table(["round", "workers", "clients", "mix", "requests", "errors", "req/s", "p50 ms", "p95 ms", "load"],
                        [[r.get("round", 1), r["workers"], r["clients"], r["mix"], r["requests"], r["errors"],
                          f(r["rps"]), f(r["p50_ms"]), f(r["p95_ms"]), r.get("load", "")] for r in results["scale_out"]])]
        best = {w: max((r["rps"] for r in results["scale_out"] if r["workers"] == w), default=0) for w in (1, 2)}
        if best[1]:
            parts += ["", f"Best of the rounds: 1 worker {best[1]:.1f} req/s, 2 workers {best[2]:.1f} req/s "
                          f"({best[2] / best[1]:.2f}×)."]
    parts += ["", "## Budgets", "", table(["budget", "target", "measured", "status", "note"], budgets(results)), ""]
    return "\n".join(parts)


def summary(results: dict) -> str:
    return markdown(results).split("## Budgets", 1)[-1]
