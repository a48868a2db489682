"""The benchmark harness in small (100k SYNTHETIC rows, a few requests), so it cannot rot: it must build, serve and
measure every /api/v1 endpoint and the callbacks the pages fire, and write a results table with no errors.
Times are printed, never asserted (they depend on the machine)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from benchmarks import synth, targets

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


def test_harness_smoke(raw_dir, tmp_path):
    """Run as its own process, exactly as a person would: the harness drives Chromium with Playwright's sync API,
    which cannot run inside the test session's own Playwright loop (the browser tests' fixture)."""
    out = tmp_path / "RESULTS.md"
    subprocess.run([sys.executable, "-m", "benchmarks", "--sizes", "100k", "--skip-real", "--quick", "--requests", "3",
                    "--load-seconds", "1", "--clients", "2", "--mirror", str(raw_dir), "--workdir",
                    str(tmp_path / "work"), "--out", str(out)], check=True, cwd=REPO, timeout=600)
    text = out.read_text()
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["datasets"], "no results.json"

    [d] = results["datasets"]
    assert not d["build"].get("error"), d["build"].get("error")
    assert d["build"]["rows"]["observations"] > 100_000
    assert "synthetic 100k" in text and "## Budgets" in text

    names = [r["name"] for r in d["requests"]]
    for t in targets.endpoint_targets(d["slice"]):  # every /api/v1 endpoint is in the table
        assert t.name in names, t.name
        assert f"| {t.name} |" in text
    callbacks = [r for r in d["requests"] if r["kind"] == "callback"]
    assert any(r["source"] == "browser" for r in callbacks), "no callback captured from the browser"
    errors = {r["name"]: r["first_error"] or r["inprocess_error"] for r in d["requests"]
              if r["errors"] or r["inprocess_error"]}
    assert errors == {}, errors
    assert all(r["p95_ms"] is not None and r["floor_ms"] is not None for r in d["requests"])
    pages = {p["path"]: p for p in d["pages"]}
    assert pages["/"]["error"] is None and pages["/"]["bytes"] > 0
    assert d["worker_memory_mb"], "no worker memory read"
    assert [r["workers"] for r in results["scale_out"]] == [1, 2]  # --quick: one round
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in results["scale_out"])


def test_synthetic_fast_path_stages_what_the_pandas_reader_stages(raw_dir, tmp_path, monkeypatch):
    """The DuckDB fast path of the synthetic reader gives the same staged rows as read_datapoints, including the
    lineage (raw_row is the file line), and a bad cell still stops with its file, row and column."""
    from pipelines.errors import RawDataError
    from pipelines.readers import ddf

    folder = synth.generate(5_000, tmp_path / "s", raw_dir, progress=lambda m: None)
    raw = folder.parents[1]
    monkeypatch.setenv("SDG87_SYNTHETIC_DIR", str(folder))
    fast = ddf.read_synthetic_ddf(raw)["observations"]
    assert isinstance(fast, ddf.SqlStaging)
    with duckdb.connect() as con:
        got = con.execute(fast.sql).fetch_df()
    ed = ddf.synthetic_edition(folder)
    paths = sorted(folder.glob("ddf--datapoints--syn_*--by--*.csv"))
    want = pd.concat([ddf.read_datapoints(p, raw, "synthetic", ed) for p in paths], ignore_index=True)
    key = ["raw_file", "raw_row"]
    got, want = got.sort_values(key).reset_index(drop=True), want.sort_values(key).reset_index(drop=True)
    assert len(got) == len(want) > 4_000
    for col in want.columns:
        a = got[col].astype(object).where(got[col].notna(), None).tolist()
        b = want[col].astype(object).where(want[col].notna(), None).tolist()
        assert a == b, col

    lines = paths[0].read_text().splitlines()
    lines[41] = lines[41].rsplit(",", 1)[0] + ",n/a"
    paths[0].write_text("\n".join(lines) + "\n")
    with pytest.raises(RawDataError) as err:
        ddf.read_synthetic_ddf(raw)
    assert err.value.row == 42 and err.value.column == paths[0].name.split("--")[2]


def test_synthetic_family_is_off_without_the_variable():
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "SDG87_SYNTHETIC_DIR"}
    code = "from pipelines import readers; print([f for f, *_ in readers.REGISTRY])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "synthetic" not in out
