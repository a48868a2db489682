"""Run one real build (pipelines.build.build) and print its step timings as JSON on the last stdout line.

The harness starts this as a subprocess so it can read the build's peak memory (ru_maxrss of that child):

    python -m benchmarks.buildrun RAW_DIR WAREHOUSE [--profile OUT.html]

Steps are the build's own progress messages; each step's time runs until the next message.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def phase_of(step: str) -> str:
    if step.startswith("reading"):
        return "read"
    if step.startswith("parquet"):
        return "parquet"
    if step.startswith("marts"):
        return "marts"
    if step.startswith("staging") or step == "metadata":
        return "staging"
    return "models+checks"


def mark_steps(progress) -> None:
    """Extra step marks for the parts of the build that print no progress message (staging, swap)."""
    import pipelines.build as b

    def marked(name, fn):
        def wrapper(*args, **kwargs):
            progress(name)
            return fn(*args, **kwargs)
        return wrapper
    b.load_staging = marked("staging (frames into DuckDB, sha256 of raw files)", b.load_staging)
    b.load_metadata = marked("metadata", b.load_metadata)
    b.swap_in = marked("swap in", b.swap_in)


def main(argv: list[str]) -> None:
    raw, warehouse = Path(argv[0]), Path(argv[1])
    profile_out = Path(argv[argv.index("--profile") + 1]) if "--profile" in argv else None
    started = time.perf_counter()
    from pipelines.build import build  # imports counted in "startup"

    steps: list[list] = [["startup", started]]

    def progress(message: str) -> None:
        steps.append([message, time.perf_counter()])

    mark_steps(progress)
    profiler = None
    if profile_out:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.01)
        profiler.start()
    result = build(raw, warehouse, progress=progress)
    if profiler:
        profiler.stop()
        profile_out.write_text(profiler.output_html())
        (profile_out.with_suffix(".txt")).write_text(profiler.output_text(unicode=False, show_all=False))
    ended = time.perf_counter()
    timed = [(name, (steps[i + 1][1] if i + 1 < len(steps) else ended) - t) for i, (name, t) in enumerate(steps)]
    phases: dict[str, float] = {}
    for name, seconds in timed:
        key = "startup" if name == "startup" else phase_of(name)
        phases[key] = phases.get(key, 0.0) + seconds
    # "staging": between the last reader and the first model = loading frames into DuckDB (+ sha256 of raw files)
    print(json.dumps({"seconds": ended - started, "build_seconds": result.seconds, "rows": result.rows,
                      "steps": [[n, round(s, 3)] for n, s in timed], "phases": {k: round(v, 3) for k, v in phases.items()},
                      "build_id": result.build_id}))


if __name__ == "__main__":
    main(sys.argv[1:])
