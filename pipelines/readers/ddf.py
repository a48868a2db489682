"""Reader for DDF datapoint CSVs (Open Numbers conversion of the UN SDG database, December 2023).

Used for UN SDG 8.7.1 (SL_TLF_CHLDEC, SL_TLF_CHLDEA) and UNODC 16.2.2 (VC_HTF_DETV*). Layout:
`age, geo_area, nature, sex, units, year, <series>`, lower-case codes, M49 numeric geo codes.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from pipelines.config import ENV_SYNTHETIC_DIR, synthetic_dir
from pipelines.errors import BuildError

from pipelines.readers.common import (SEXES, age_band, find_file, map_codes, obs_frame, read_csv_lines, rel,
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

def read_synthetic_ddf(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """SYNTHETIC series SYN_nnnn from $SDG87_SYNTHETIC_DIR (same layout and checks as the real DDF files)."""
    folder = synthetic_dir()
    ed = synthetic_edition(folder)
    paths = sorted(folder.glob("ddf--datapoints--syn_*--by--*.csv"))
    if not paths:
        raise BuildError(f"{folder}: no synthetic ddf--datapoints--syn_*--by--*.csv files ({ENV_SYNTHETIC_DIR})")
    return {"observations": pd.concat([read_datapoints(p, raw_dir, "synthetic", ed) for p in paths],
                                      ignore_index=True)}


def synthetic_edition(folder: Path) -> dict:
    """The one edition of the `synthetic` family, from the folder's sources.toml."""
    with open(folder / "sources.toml", "rb") as fh:
        editions = tomllib.load(fh)["synthetic"]["editions"]
    return next(iter(editions.values()))
