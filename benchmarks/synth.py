"""SYNTHETIC scale data for the benchmarks: a COPY of the raw mirror plus big synthetic DDF datapoint files.

Nothing here is real statistics. Every synthetic series is coded SYN_nnnn, named "SYNTHETIC …", belongs to the
source family `synthetic` and family `synthetic`, and its values are generated from hashes.

Layout written (never into the real mirror, never into data/raw):

    OUT/raw/                      a copy of the real mirror (every real source still builds)
    OUT/raw/synthetic/ddf_<size>/ ddf--datapoints--syn_0001--by--age--geo_area--nature--sex--units--year.csv …
                                  series.toml   SYNTHETIC series metadata (same keys as pipelines/metadata/series.toml)
                                  sources.toml  the SYNTHETIC source family and its edition
                                  README.md     says it is synthetic

The build reads the folder only when $SDG87_SYNTHETIC_DIR names it (pipelines/readers/__init__.py registers the
`synthetic` family then; pipelines/build.py adds series.toml/sources.toml of that folder to the metadata).

Shape (like the real DDF files, scaled): real M49 codes of the 248 countries/areas of the SDG M49 tree plus World,
years 1990-2030, sex bothsex/female/male, DDF age codes (5_17, 5_14, 15_17, 10_17, allage, lt18y, 18), units
percent / number / per_100000_pop, nature c/e/m. Sparse: each series covers part of the geographies, some age bands,
and within a (geography, sex, age) slice a random subset of years whose density varies by geography.

    python -m benchmarks.synth --rows 1m --out /tmp/sdg87-synth-1m
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = Path(os.environ.get("SDG87_RAW_DIR") or REPO.parent / "shared" / "data" / "raw")
ENV_SYNTHETIC_DIR = "SDG87_SYNTHETIC_DIR"  # read by pipelines/readers/__init__.py and pipelines/build.py

YEARS = (1990, 2030)
SEXES = ["bothsex", "female", "male"]
AGES = ["5_17", "5_14", "15_17", "10_17", "allage", "lt18y", "18"]
UNITS = ["percent", "number", "per_100000_pop"]
TARGET_EVERY = 8  # every 8th synthetic series has a target (0 by 2030), so it enters the progress mart
DDF_NAME = "ddf--datapoints--{code}--by--age--geo_area--nature--sex--units--year.csv"


def parse_size(text: str) -> int:
    """'100k' -> 100_000, '1m' -> 1_000_000, '10M' -> 10_000_000, '2500' -> 2500."""
    t = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if mult > 1 else t) * mult)


def size_label(rows: int) -> str:
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows >= 1_000 and rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


MAX_FILL = 0.45  # at most this share of a series' (geo, year, sex, age) cube has a value: sparse, like the real data


def n_series_for(rows: int) -> int:
    """Dozens of series, more for bigger sizes (100k -> 12, 1m -> 39, 10m -> ~230), so no cube is over MAX_FILL."""
    avg_cube = 249 * 0.8 * (YEARS[1] - YEARS[0] + 1) * (0.8 * 3 + 0.2) * 4.5
    return max(3, round(12 * (rows / 100_000) ** 0.514), -(-rows // int(MAX_FILL * avg_cube)))


def keep_probability(share: float) -> float:
    """p such that the expected kept share of the cube, mean over u of min(1, p * (0.3 + 1.4 u)), equals share."""
    def kept(p):
        return sum(min(1.0, p * (0.3 + 1.4 * (i + 0.5) / 1000)) for i in range(1000)) / 1000
    lo, hi = 0.0, 4.0
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if kept(mid) < share else (lo, mid)
    return (lo + hi) / 2


@dataclass
class Series:
    code: str
    unit: str
    ages: list[str]
    sexes: list[str]
    geo_share: float  # share of the geographies that have any value
    has_target: bool


def plan(rows: int, seed: int = 87) -> list[Series]:
    """Deterministic series specs (which ages, sexes, unit, coverage) for a size."""
    import random
    rnd = random.Random(seed)
    out = []
    for i in range(1, n_series_for(rows) + 1):
        unit = UNITS[0] if i % TARGET_EVERY == 1 else rnd.choice(UNITS)
        ages = sorted(rnd.sample(AGES, rnd.randint(3, 6)), key=AGES.index)
        sexes = SEXES if rnd.random() < 0.8 else ["bothsex"]
        out.append(Series(f"SYN_{i:04d}", unit, ages, sexes, rnd.uniform(0.6, 1.0), i % TARGET_EVERY == 1))
    return out


def m49_codes(mirror: Path) -> list[str]:
    """Real M49 codes: every leaf (country or area) of the SDG M49 tree, plus World (001)."""
    with open(mirror / "m49" / "unsdg_m49_mapping.csv", encoding="utf-8-sig", newline="") as fh:
        leaves = [r["m49"].strip() for r in csv.DictReader(fh) if r["isLeaf"].strip().lower() == "true"]
    return ["1"] + sorted({str(int(c)) for c in leaves}, key=int)


def copy_mirror(mirror: Path, dest: Path) -> None:
    """Copy the real mirror (read only) to dest; the synthetic folder is added inside the copy."""
    mirror, dest = mirror.resolve(), dest.resolve()
    if not (mirror / "MANIFEST.sha256.tsv").exists():
        raise SystemExit(f"{mirror}: not a raw mirror (no MANIFEST.sha256.tsv); set SDG87_RAW_DIR")
    forbidden = [mirror, (REPO / "data" / "raw").resolve()]
    if any(dest == f or f in dest.parents for f in forbidden):
        raise SystemExit(f"{dest}: refusing to write synthetic data into a real mirror or data/raw")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(mirror, dest, ignore=shutil.ignore_patterns("synthetic"))


def write_series_file(con: duckdb.DuckDBPyConnection, s: Series, geos: list[str], rows_per_series: float,
                      path: Path, index: int) -> None:
    """One DDF datapoints CSV for a series: cells of the (geo, year, sex, age) cube kept with probability p.

    Randomness comes from hash() of the cell, so the same size always gives the same files."""
    n_years = YEARS[1] - YEARS[0] + 1
    n_geo = max(1, round(len(geos) * s.geo_share))
    cube = n_geo * n_years * len(s.sexes) * len(s.ages)
    p = keep_probability(min(0.97, rows_per_series / cube))
    col = s.code.lower()
    if s.unit == "percent":
        value = "least(100, greatest(0, base * 40 + slope * (year - 1990) * 0.6 + noise * 3))"
    elif s.unit == "number":
        value = "greatest(0, base * 50000 * (1 + slope * (year - 1990) * 0.02) + noise * 500)"
    else:
        value = "greatest(0, base * 30 + slope * (year - 1990) * 0.3 + noise)"
    sql = f"""
    COPY (
      WITH g AS (SELECT geo_area, row_number() OVER () AS gi FROM (SELECT unnest($geos) AS geo_area)),
      gs AS (SELECT geo_area, (hash(geo_area, {index}) % 1000) / 1000.0 AS geo_u FROM g
             WHERE (hash(geo_area, {index}, 'cover') % 1000) / 1000.0 < {s.geo_share}),
      cells AS (
        SELECT a.age, gs.geo_area, x.sex, y.year, gs.geo_u,
               (hash(gs.geo_area, x.sex, a.age, {index}) % 10000) / 10000.0 AS base,
               -((hash(gs.geo_area, a.age, {index}, 's') % 10000) / 10000.0) AS slope,
               ((hash(gs.geo_area, x.sex, a.age, y.year, {index}, 'n') % 10000) / 10000.0 - 0.5) AS noise,
               (hash(gs.geo_area, x.sex, a.age, y.year, {index}, 'keep') % 1000000) / 1000000.0 AS keep_u
        FROM gs, (SELECT unnest($ages) AS age) a, (SELECT unnest($sexes) AS sex) x,
             (SELECT unnest(range({YEARS[0]}, {YEARS[1] + 1})) AS year) y
      )
      SELECT age, geo_area,
             CASE WHEN year > 2023 THEN 'm' WHEN keep_u * 7 % 1 < 0.15 THEN 'e' ELSE 'c' END AS nature,
             sex, '{"per_100000_pop" if s.unit == "per_100000_pop" else s.unit}' AS units, year,
             round({value}, 2) AS {col}
      FROM cells
      WHERE keep_u < {p} * (0.3 + 1.4 * geo_u)
      ORDER BY geo_area, sex, age, year
    ) TO '{path}' (HEADER, DELIMITER ',', QUOTE '')"""
    con.execute(sql, {"geos": geos, "ages": s.ages, "sexes": s.sexes})


def toml_str(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_metadata(folder: Path, series: list[Series], label: str, raw: Path) -> None:
    unit_of = {"percent": "percent", "number": "number", "per_100000_pop": "per_100000"}
    lines = ["# SYNTHETIC series metadata written by benchmarks/synth.py. Not real statistics.\n"]
    for s in series:
        lines += [f'["{s.code}"]',
                  f"name = {toml_str(f'SYNTHETIC benchmark series {s.code[4:]} ({unit_of[s.unit]})')}",
                  f"short_name = {toml_str(f'SYNTHETIC {s.code[4:]}')}",
                  f'unit = "{unit_of[s.unit]}"', 'sdg_indicator = "SYN"', 'sdg_target = "SYN"',
                  "higher_is_better = false", "trend_eligible = true", 'family = "synthetic"', 'source = "synthetic"',
                  'definition = "SYNTHETIC data generated by benchmarks/synth.py for performance tests; '
                  'not real statistics."']
        if s.has_target:
            lines += ["target_value = 0", "target_year = 2030"]
        lines.append("")
    (folder / "series.toml").write_text("\n".join(lines))
    rel = folder.relative_to(raw).as_posix()
    (folder / "sources.toml").write_text(f"""# SYNTHETIC source family written by benchmarks/synth.py. Not real statistics.
[synthetic]
name = "SYNTHETIC benchmark data (not real statistics)"
publisher = "benchmarks/synth.py"
licence = "synthetic, no licence needed"
url = ""

[synthetic.editions.synthetic_{label}]
edition = "SYNTHETIC {label}"
edition_date = "2024-01-01"
path = "{rel}"
citation = "SYNTHETIC data generated by benchmarks/synth.py ({label} observations). Not real statistics."
""")
    (folder / "README.md").write_text(
        f"# SYNTHETIC data ({label} observations)\n\nGenerated by `benchmarks/synth.py` for performance benchmarks. "
        "Not real statistics: values come from hashes. Read by the build only when `SDG87_SYNTHETIC_DIR` names this "
        "folder.\n")


def generate(rows: int, out: Path, mirror: Path = DEFAULT_MIRROR, progress=print) -> Path:
    """Write OUT/raw (mirror copy + synthetic folder); return the synthetic folder (value for SDG87_SYNTHETIC_DIR)."""
    started = time.perf_counter()
    raw = Path(out).resolve() / "raw"
    copy_mirror(Path(mirror), raw)
    label = size_label(rows)
    folder = raw / "synthetic" / f"ddf_{label}"
    folder.mkdir(parents=True)
    geos = m49_codes(raw)
    series = plan(rows)
    with duckdb.connect() as con:
        for i, s in enumerate(series, 1):
            write_series_file(con, s, geos, rows / len(series), folder / DDF_NAME.format(code=s.code.lower()), i)
    write_metadata(folder, series, label, raw)
    progress(f"synthetic {label}: {len(series)} series, {len(geos)} geographies in {folder} "
             f"({time.perf_counter() - started:.1f} s)")
    return folder


def count_rows(folder: Path) -> int:
    with duckdb.connect() as con:
        return con.execute(f"SELECT count(*) FROM read_csv('{folder}/ddf--datapoints--syn_*.csv', "
                           "all_varchar=true, union_by_name=true)").fetchone()[0]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="100k", help="about this many synthetic observations: 100k, 1m, 10m …")
    ap.add_argument("--out", required=True, type=Path, help="output folder (OUT/raw is the mirror copy)")
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="the real mirror to copy (read only)")
    args = ap.parse_args(argv)
    folder = generate(parse_size(args.rows), args.out, args.mirror)
    print(f"{count_rows(folder):,} synthetic rows\n"
          f"build with: {ENV_SYNTHETIC_DIR}={folder} sdg87 build --raw-dir {folder.parents[1]} --warehouse …",
          file=sys.stderr)


if __name__ == "__main__":
    main()
