"""Reader for DDF datapoint CSVs (Open Numbers conversion of the UN SDG database, December 2023).

Used for UN SDG 8.7.1 (SL_TLF_CHLDEC, SL_TLF_CHLDEA) and UNODC 16.2.2 (VC_HTF_DETV*). Layout:
`age, geo_area, nature, sex, units, year, <series>`, lower-case codes, M49 numeric geo codes.
"""
from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.config import ENV_SYNTHETIC_DIR, synthetic_dir
from pipelines.errors import BuildError

from pipelines.readers.common import (SEXES, SqlStaging, age_band, find_file, map_codes, obs_frame, read_csv_lines, rel,
                                      require_columns, to_number)
from pipelines.readers.editions import edition

UNITS = {"percent": "percent", "number": "number", "per_100000_pop": "per_100000", "num_th": "thousands"}
DIMENSIONS = ["age", "geo_area", "nature", "sex", "units", "year"]


def read_un_sdg_ddf(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """UN SDG database 8.7.1 series from the 2023-12 DDF snapshot."""
    ed = edition("un_sdg", "ddf_2023_12")
    frames = [read_datapoints(find_file(raw_dir, f"{ed['path']}/ddf--datapoints--{code}--by--*.csv"), raw_dir,
                              "un_sdg", ed) for code in ("sl_tlf_chldec", "sl_tlf_chldea")]
    return {"observations": pd.concat(frames, ignore_index=True),
            "ddf_geo_areas": read_geo_entities(find_file(raw_dir, f"{ed['path']}/ddf--entities--geo_area.csv"), raw_dir)}


def read_unodc_ddf(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """UNODC detected victims of trafficking: every VC_HTF_DETV* series in the snapshot."""
    ed = edition("unodc", "ddf_2023_12")
    find_file(raw_dir, f"{ed['path']}/ddf--datapoints--vc_htf_detv--by--*.csv")  # the core series must be there
    paths = sorted(Path(raw_dir).glob(f"{ed['path']}/ddf--datapoints--vc_htf_detv*--by--*.csv"))
    return {"observations": pd.concat([read_datapoints(p, raw_dir, "unodc", ed) for p in paths], ignore_index=True)}


def read_datapoints(path: Path, raw_dir: Path, source_id: str, ed: dict) -> pd.DataFrame:
    """One DDF datapoints file -> staged observations (one row per non-empty value)."""
    label = rel(path, raw_dir)
    df = read_csv_lines(path, label)
    value_col = path.name.split("--")[2]
    require_columns(df.columns, DIMENSIONS + [value_col], label)
    df = df[df[value_col].str.strip() != ""]
    return obs_frame(pd.DataFrame({
        "series": value_col.upper(),
        "geo_scheme": "m49",
        "geo_source_code": df["geo_area"].str.strip(),
        "year": to_number(df["year"], df["_row"], label, "year").astype("int64"),
        "sex": map_codes(df["sex"], SEXES, df["_row"], label, "sex"),
        "age": df["age"].map(age_band),
        "value": to_number(df[value_col], df["_row"], label, value_col),
        "unit": map_codes(df["units"], UNITS, df["_row"], label, "units"),
        "nature": df["nature"].str.upper(),
        "source_id": source_id,
        "edition": ed["edition"],
        "edition_date": ed["edition_date"],
        "raw_file": label,
        "raw_row": df["_row"],
        "raw_column": value_col,
    }))


def read_geo_entities(path: Path, raw_dir: Path) -> pd.DataFrame:
    """The snapshot's M49 code -> name list (names for SDG regions the M49 tables leave blank)."""
    label = rel(path, raw_dir)
    df = read_csv_lines(path, label)
    require_columns(df.columns, ["geo_area", "name"], label)
    return pd.DataFrame({"m49": to_number(df["geo_area"], df["_row"], label, "geo_area").astype("Int64"),
                         "name": df["name"].str.strip(), "raw_file": label, "raw_row": df["_row"]})


# ---- SYNTHETIC benchmark data only ------------------------------------------------------------------------------
# benchmarks/synth.py writes big synthetic DDF datapoint files (series SYN_nnnn, source family `synthetic`) into a COPY
# of the mirror. This reader is registered only when $SDG87_SYNTHETIC_DIR names that folder (readers/__init__.py);
# the folder's series.toml and sources.toml are added to the metadata by build.load_metadata. Never used for real data.

def read_synthetic_ddf(raw_dir: Path) -> dict[str, pd.DataFrame | SqlStaging]:
    """SYNTHETIC series SYN_nnnn from $SDG87_SYNTHETIC_DIR (same layout and checks as the real DDF files), read by
    DuckDB straight into staging (read_datapoints_fast): the pandas path needs minutes and gigabytes at 10M rows."""
    folder = synthetic_dir()
    ed = synthetic_edition(folder)
    paths = sorted(folder.glob("ddf--datapoints--syn_*--by--*.csv"))
    if not paths:
        raise BuildError(f"{folder}: no synthetic ddf--datapoints--syn_*--by--*.csv files ({ENV_SYNTHETIC_DIR})")
    return {"observations": read_datapoints_fast(paths, raw_dir, "synthetic", ed)}


def read_datapoints_fast(paths: list[Path], raw_dir: Path, source_id: str, ed: dict) -> pd.DataFrame | SqlStaging:
    """Fast path for big DDF datapoint files: DuckDB reads them itself (SqlStaging), giving the same staged rows as
    read_datapoints. One DuckDB pass validates every file first; a file with any offence (or a header not in the
    standard order) is read by read_datapoints instead, which stops with its file, row and column."""
    labels = [rel(p, raw_dir) for p in paths]
    value_cols = [p.name.split("--")[2] for p in paths]
    for p, label, col in zip(paths, labels, value_cols):
        with open(p, encoding="utf-8-sig", newline="") as fh:
            header = [h.strip() for h in next(csv.reader([fh.readline()]), [])]
        if header != DIMENSIONS + [col]:
            return pd.concat([read_datapoints(q, raw_dir, source_id, ed) for q in paths], ignore_index=True)
    source = (f"read_csv([{', '.join(sql_str(p) for p in paths)}], header = true, all_varchar = true, "
              f"filename = true, delim = ',', quote = '\"', names = [{', '.join(map(sql_str, DIMENSIONS))}, 'value'])")
    # to_number's rules (spaces and thousands commas removed); the regex runs only on cells a plain cast rejects
    number = ("CASE WHEN TRY_CAST(trim({0}) AS DOUBLE) IS NOT NULL THEN TRY_CAST(trim({0}) AS DOUBLE) ELSE "
              "TRY_CAST(replace(regexp_replace(trim({0}), '[\\s\u00a0\u202f]', '', 'g'), ',', '') AS DOUBLE) END")
    with duckdb.connect() as con:
        stats = con.execute(f"""
            SELECT filename, count(*) AS n,
                   count(*) FILTER (WHERE {number.format('year')} IS NULL OR
                                    (trim(value) <> '' AND {number.format('value')} IS NULL)) AS bad,
                   list(DISTINCT lower(trim(sex))), list(DISTINCT lower(trim(units))), list(DISTINCT age)
            FROM {source} GROUP BY filename""").fetchall()
    by_file = {Path(r[0]): r for r in stats}
    sexes = {k.lower(): v for k, v in SEXES.items()}
    ages: dict[str, str] = {}
    for p in paths:
        _, n, bad, sex_codes, unit_codes, age_codes = by_file[p]
        if bad or set(sex_codes) - set(sexes) or set(unit_codes) - set(UNITS):
            read_datapoints(p, raw_dir, source_id, ed)  # raises with the file, row and column of the first offence
            return pd.concat([read_datapoints(q, raw_dir, source_id, ed) for q in paths], ignore_index=True)
        ages |= {a: age_band(a) for a in age_codes}
    offsets, first = [], 0
    for p in paths:  # row_number() runs over the files in order: line = rn - first rn of the file + 2
        offsets.append(first)
        first += by_file[p][1]
    files = values([(str(p), label, col, col.upper(), off) for p, label, col, off in zip(paths, labels, value_cols, offsets)])
    sql = f"""
        WITH src AS (SELECT *, row_number() OVER () AS rn FROM {source}),
        files(path, label, col, series, first) AS ({files}),
        sexes(code, sex) AS ({values(sexes.items())}),
        units(code, unit) AS ({values(UNITS.items())}),
        ages(code, age) AS ({values(ages.items())})
        SELECT f.series, 'm49' AS geo_scheme, trim(s.geo_area) AS geo_source_code,
               CAST({number.format('s.year')} AS BIGINT) AS year, x.sex, a.age, {number.format('s.value')} AS value,
               u.unit, upper(s.nature) AS nature, NULL::DOUBLE AS lower, NULL::DOUBLE AS upper,
               NULL::VARCHAR AS footnote, NULL::VARCHAR AS time_detail, {sql_str(source_id)} AS source_id,
               {sql_str(ed['edition'])} AS edition, {sql_str(ed['edition_date'])} AS edition_date,
               f.label AS raw_file, NULL::VARCHAR AS raw_sheet, CAST(s.rn - f.first + 1 AS BIGINT) AS raw_row,
               f.col AS raw_column
        FROM src s JOIN files f ON f.path = s.filename JOIN sexes x ON x.code = lower(trim(s.sex))
             JOIN units u ON u.code = lower(trim(s.units)) JOIN ages a ON a.code = s.age
        WHERE trim(s.value) <> ''"""
    return SqlStaging(sql, tuple(labels))


def sql_str(v) -> str:
    return "'" + str(v).replace("'", "''") + "'"


def values(rows) -> str:
    """A VALUES list of string/integer literals (from our own code tables and file names, never from cell text)."""
    return "VALUES " + ", ".join("(" + ", ".join(str(v) if isinstance(v, int) else sql_str(v) for v in r) + ")"
                                 for r in rows)


def synthetic_edition(folder: Path) -> dict:
    """The one edition of the `synthetic` family, from the folder's sources.toml."""
    with open(folder / "sources.toml", "rb") as fh:
        editions = tomllib.load(fh)["synthetic"]["editions"]
    return next(iter(editions.values()))
