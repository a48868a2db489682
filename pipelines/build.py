"""`sdg87 build`: raw mirror -> staging -> intermediate -> marts, in a new DuckDB file swapped in only
when every check passed. Layers follow owid/etl + dbt: readers stage (rename, cast); SQL files in
pipelines/sql/ harmonise and join (intermediate) and make the marts the app and the API read."""
from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import pycountry

from pipelines import checks, readers
from pipelines.config import (GEO_ALIASES_CSV, REGIONS_CSV, WPP_LOCATIONS_CSV, REPO_DIR, SERIES_TOML, SOURCES_TOML, SQL_DIR,
                              parquet_dir, synthetic_dir)
from pipelines.errors import BuildError, RawDataError
from pipelines.progress.marts import build_marts
from pipelines.readers.common import OBS_COLUMNS, POP_COLUMNS, SqlStaging
from pipelines.warehouse import build_lock, swap_in, table_from_frame, temp_path

# SQL models in dependency order; each file creates the table it is named after.
MODELS_BEFORE_CHECKS = ["geographies", "geo_lookup", "geo_memberships", "int_observations"]
MODELS_AFTER_CHECKS = ["observations", "population", "child_population", "series", "sources", "published_citations"]
MARTS = ["observations", "series", "geographies", "geo_memberships", "child_population", "sources",
         "progress", "regional_gaps", "global_pace"]

# Staging tables the SQL models read, with their columns (so a rejected reader leaves an empty table).
EXPECTED_STAGING = {
    "observations": OBS_COLUMNS,
    "population": POP_COLUMNS,
    "wpp_locations": ["m49", "name", "type", "iso3", "raw_file", "raw_row"],
    "gsi_regions": ["country_name", "region_name", "raw_file", "raw_sheet", "raw_row"],
    "ddf_geo_areas": ["m49", "name", "raw_file", "raw_row"],
    "published_citations": ["edition", "publication_year", "source_title", "source_publisher", "source_url"],
}

Progress = Callable[[str], None]

# Test hook: seconds to sleep before each build step, so a test can interrupt a build part-way (kill -9) or run two
# builds at once. Unset or 0 in normal use.
ENV_BUILD_DELAY = "SDG87_BUILD_DELAY_SECONDS"


@dataclass
class BuildResult:
    warehouse: Path
    build_id: str
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    report: Path | None = None


def build(raw_dir: Path, warehouse: Path, *, keep_going: bool = False, progress: Progress = print) -> BuildResult:
    """Build the warehouse from the mirror. On any error the previous warehouse is left byte-identical."""
    started = time.perf_counter()
    progress = delayed(progress)
    with build_lock(warehouse):
        staged, failures = run_readers(raw_dir, keep_going, progress)
        tmp = temp_path(warehouse)
        scratch = tmp.with_name(tmp.name + ".scratch")
        try:
            with contextlib.closing(duckdb.connect(str(tmp))) as con:
                attach_scratch(con, scratch)
                load_staging(con, staged, raw_dir)
                load_metadata(con)
                run_models(con, MODELS_BEFORE_CHECKS, progress)
                rejected = enforce_checks(con, keep_going, failures, progress)
                run_models(con, MODELS_AFTER_CHECKS, progress)
                progress("marts progress, regional_gaps, global_pace")
                build_marts(con)
                build_id = write_build_info(con, raw_dir, started, rejected)
                rows = table_counts(con)
            swap_in(tmp, warehouse)
        finally:
            for path in (tmp, scratch, scratch.with_name(scratch.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        export_parquet(warehouse, progress)
        report = write_reject_report(warehouse, rejected) if keep_going else remove_reject_report(warehouse)
    return BuildResult(warehouse, build_id, time.perf_counter() - started, rows, count_rejects(rejected), report)


def delayed(progress: Progress) -> Progress:
    """`progress`, sleeping $SDG87_BUILD_DELAY_SECONDS before each step (the test hook above)."""
    delay = float(os.environ.get(ENV_BUILD_DELAY) or 0)
    if delay <= 0:
        return progress

    def step(message: str) -> None:
        time.sleep(delay)
        progress(message)
    return step


def attach_scratch(con: duckdb.DuckDBPyConnection, scratch: Path) -> None:
    """Staging (stg_*) and intermediate (int_observations) tables go to a scratch file beside the new build, deleted
    after it: the warehouse ships only what the app and the API read (at 10 M synthetic rows the staging and
    intermediate copies were 1.7 GB of a 2.1 GB file). Unqualified names find them through the search path."""
    escaped = str(scratch).replace("'", "''")
    con.execute(f"ATTACH '{escaped}' AS scratch")
    main = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"SET search_path = '{main},scratch'")


def run_readers(raw_dir: Path, keep_going: bool, progress: Progress):
    """Run every registered reader; strict mode stops at the first bad file, keep-going records it."""
    if not Path(raw_dir).is_dir():
        raise BuildError(f"{raw_dir}: raw directory does not exist (set --raw-dir or SDG87_RAW_DIR)")
    staged: dict[str, list[pd.DataFrame | SqlStaging]] = {}
    failures: list[checks.Offence] = []
    for family, module, function in readers.REGISTRY:
        progress(f"reading {family} ({function})")
        try:
            frames = readers.load(module, function)(Path(raw_dir))
        except (RawDataError, BuildError) as exc:
            if not keep_going:
                raise
            failures.append(reader_failure(family, exc))
            continue
        for name, frame in frames.items():
            staged.setdefault(name, []).append(frame)
    return staged, failures


def reader_failure(family: str, exc: Exception) -> checks.Offence:
    e = exc if isinstance(exc, RawDataError) else RawDataError(str(exc).split(":")[0], str(exc))
    return checks.Offence("unreadable file", e.file, e.sheet, e.row, e.column, family,
                          f"whole file rejected: {e.message}")


def load_staging(con: duckdb.DuckDBPyConnection, staged: dict[str, list[pd.DataFrame | SqlStaging]],
                 raw_dir: Path) -> None:
    """Staged frames become stg_* tables; raw_files records the sha256 of every file any row came from.
    SqlStaging parts (fast path for big files) are read by DuckDB itself and appended by column name."""
    for name, columns in EXPECTED_STAGING.items():  # a reader rejected in keep-going mode leaves an empty table
        staged.setdefault(name, [pd.DataFrame({c: pd.Series(dtype="object") for c in columns})])
    paths: set[str] = set()
    for name, parts in staged.items():
        frames = [f for f in parts if isinstance(f, pd.DataFrame)]
        lazy = [f for f in parts if isinstance(f, SqlStaging)]
        if frames:
            frame = pd.concat(frames, ignore_index=True)
            table_from_frame(con, f'scratch."stg_{name}"', frame)
            paths |= set(frame["raw_file"].dropna().unique()) if "raw_file" in frame else set()
        for i, part in enumerate(lazy):
            con.execute(f'CREATE TABLE scratch."stg_{name}" AS {part.sql}' if i == 0 and not frames else
                        f'INSERT INTO scratch."stg_{name}" BY NAME {part.sql}')
            paths |= set(part.files)
    paths = sorted(paths)
    files = pd.DataFrame([file_record(p, raw_dir) for p in paths], columns=["path", "sha256", "size_bytes"])
    table_from_frame(con, "raw_files", files)


def file_record(path: str, raw_dir: Path) -> tuple[str, str | None, int | None]:
    """(relative path, sha256, size) for a mirror file, or a repository file such as the curated table."""
    full = Path(raw_dir) / path
    if not full.exists():
        full = REPO_DIR / path
    if not full.exists():
        return path, None, None
    return path, hashlib.sha256(full.read_bytes()).hexdigest(), full.stat().st_size


def load_metadata(con: duckdb.DuckDBPyConnection) -> None:
    """Metadata kept as data (TOML/CSV) becomes meta_* tables."""
    series_meta, sources = read_toml(SERIES_TOML), read_toml(SOURCES_TOML)
    if synthetic_dir() is not None:  # SYNTHETIC benchmark data only ($SDG87_SYNTHETIC_DIR, benchmarks/synth.py)
        series_meta |= read_toml(synthetic_dir() / "series.toml")
        sources |= read_toml(synthetic_dir() / "sources.toml")
    series = pd.DataFrame([{"code": code, **meta} for code, meta in series_meta.items()])
    for col in ("sdg_indicator", "target_value", "target_year"):
        series[col] = series.get(col)
    editions = pd.DataFrame([{"source": sid, "source_name": s["name"], "publisher": s["publisher"],
                              "licence": e.get("licence", s.get("licence")), "url": s.get("url"), "edition_key": key,
                              "edition": e["edition"], "edition_date": e["edition_date"], "path": e["path"],
                              "citation": e["citation"]}
                             for sid, s in sources.items() for key, e in s["editions"].items()])
    tables = {"meta_series": series, "meta_sources": editions,
              "meta_regions": csv_with_rows(REGIONS_CSV), "meta_geo_aliases": csv_with_rows(GEO_ALIASES_CSV),
              "meta_pycountry": pycountry_names(), "meta_wpp_locations": csv_with_rows(WPP_LOCATIONS_CSV)}
    for name, frame in tables.items():
        table_from_frame(con, name, frame)


def read_toml(path: Path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def csv_with_rows(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["raw_row"] = range(2, len(df) + 2)
    return df.replace({"": None})


def pycountry_names() -> pd.DataFrame:
    """Every English name pycountry knows for each ISO 3166-1 country (official, common and short names)."""
    rows = [(c.alpha_3, getattr(c, attr)) for c in pycountry.countries
            for attr in ("name", "official_name", "common_name") if hasattr(c, attr)]
    return pd.DataFrame(rows, columns=["iso3", "name"])


def run_models(con: duckdb.DuckDBPyConnection, models: list[str], progress: Progress) -> None:
    for model in models:
        progress(f"model {model}")
        con.execute((SQL_DIR / f"{model}.sql").read_text())


def enforce_checks(con, keep_going: bool, failures: list, progress: Progress) -> list[checks.Offence]:
    """Strict: the first offence stops the build. Keep-going: offending rows are moved to `rejects`."""
    progress("checks")
    offences = checks.find_offences(con, limit=None if keep_going else 1)
    fatal = [o for o in offences if o.check in checks.FATAL]
    if fatal or (offences and not keep_going):
        raise (fatal or offences)[0].error()
    all_rejects = failures + offences
    frame = pd.DataFrame([vars(o) for o in all_rejects],
                         columns=["check", "file", "sheet", "row", "column", "source", "reason"])
    table_from_frame(con, "rejects", frame)
    whole_row = ", ".join(f"'{c}'" for c in sorted(checks.WHOLE_ROW))
    con.execute(f"""DELETE FROM int_observations o USING rejects r
                    WHERE o.raw_file = r.file AND o.raw_row = r."row" AND coalesce(o.raw_sheet, '') = coalesce(r.sheet, '')
                      AND (r."check" IN ({whole_row}) OR o.raw_column = r."column")""")  # one pass, not one per reject
    return all_rejects


def write_build_info(con, raw_dir: Path, started: float, rejected: list) -> str:
    """One row describing this build: id, time, inputs."""
    now = datetime.now(timezone.utc)
    digest = hashlib.sha256("".join(r[0] or "" for r in con.execute(
        "SELECT sha256 FROM raw_files ORDER BY path").fetchall()).encode()).hexdigest()[:10]
    build_id = f"{now:%Y%m%dT%H%M%SZ}-{digest}"
    con.execute("""CREATE TABLE build_info AS SELECT ? AS build_id, ?::TIMESTAMPTZ AS built_at, ? AS raw_dir,
                   ? AS seconds, ? AS n_rejected, ? AS inputs_sha256""",
                [build_id, now.isoformat(), str(raw_dir), round(time.perf_counter() - started, 2), len(rejected), digest])
    return build_id


def table_counts(con) -> dict[str, int]:
    names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_catalog = current_database() AND table_name NOT LIKE 'meta_%' "
                                       "ORDER BY 1").fetchall()]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def export_parquet(warehouse: Path, progress: Progress) -> None:
    """Marts are also written as Parquet beside the warehouse (each file replaced atomically)."""
    out = parquet_dir(warehouse)
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for mart in MARTS:
            if mart not in tables:
                continue
            progress(f"parquet {mart}")
            tmp = out / f".{mart}.parquet.tmp"
            con.execute(f"COPY {mart} TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
            tmp.replace(out / f"{mart}.parquet")


def write_reject_report(warehouse: Path, rejected: list) -> Path:
    """Keep-going report: one CSV line per rejected row or file, beside the warehouse."""
    path = warehouse.with_name(warehouse.stem + ".rejects.csv")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["check", "file", "sheet", "row", "column", "source", "reason"])
        w.writerows([[o.check, o.file, o.sheet, o.row, o.column, o.source, o.reason] for o in rejected])
    return path


def remove_reject_report(warehouse: Path) -> None:
    """A strict build has no rejects: a report left by an earlier --keep-going build would mislead."""
    with contextlib.suppress(FileNotFoundError):
        warehouse.with_name(warehouse.stem + ".rejects.csv").unlink()


def count_rejects(rejected: list) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in rejected:
        counts[o.file] = counts.get(o.file, 0) + 1
    return counts
