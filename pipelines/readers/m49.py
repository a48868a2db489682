"""Reader for the UN M49 country/region tables and the SDG regional groupings (raw/m49/).

Three M49 files are read. The UNSD overview copy lost three rows whose names contain commas
(Bonaire, Sint Eustatius and Saba; China, Hong Kong SAR; China, Macao SAR): those rows have no code
and are skipped here, because the SDG API mapping file holds them intact (SOURCES.md section 6).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.errors import RawDataError
from pipelines.readers.common import find_file, read_csv_lines, rel, require_columns, to_number
from pipelines.readers.editions import edition

DAMAGED_OVERVIEW_NAMES = {"Bonaire", "China"}  # rows truncated at a comma in the overview copy


def read_m49(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Stage the four geography tables: SDG API areas, UNSD overview, SDG region tree, ISO 3166."""
    folder = edition("m49", "m49_2025")["path"]
    return {
        "m49_areas": stage_areas(find_file(raw_dir, f"{folder}/unsdg_m49_mapping.csv"), raw_dir),
        "m49_overview": stage_overview(find_file(raw_dir, f"{folder}/unsd_m49_overview.csv"), raw_dir),
        "sdg_region_tree": stage_region_tree(find_file(raw_dir, f"{folder}/unsdg_sdg_regions.csv"), raw_dir),
        "iso3166": stage_iso3166(find_file(raw_dir, f"{folder}/lukes_iso3166_all.csv"), raw_dir),
    }


def _flag(s: pd.Series) -> pd.Series:
    return s.str.strip().str.lower().isin(["true", "x", "1", "yes"])


def _code(s: pd.Series, rows, label, column) -> pd.Series:
    return to_number(s, rows, label, column).astype("Int64")


def stage_areas(path: Path, raw_dir: Path) -> pd.DataFrame:
    label = rel(path, raw_dir)
    df = read_csv_lines(path, label)
    require_columns(df.columns, ["m49", "isoAlpha3", "nameEN", "isLDC", "isLLDC", "isSIDS", "parentM49", "isLeaf"], label)
    return pd.DataFrame({
        "m49": _code(df["m49"], df["_row"], label, "m49"), "iso3": df["isoAlpha3"].str.strip(),
        "name": df["nameEN"].str.strip(), "is_ldc": _flag(df["isLDC"]), "is_lldc": _flag(df["isLLDC"]),
        "is_sids": _flag(df["isSIDS"]), "parent_m49": _code(df["parentM49"], df["_row"], label, "parentM49"),
        "is_leaf": _flag(df["isLeaf"]), "raw_file": label, "raw_row": df["_row"]})


def stage_overview(path: Path, raw_dir: Path) -> pd.DataFrame:
    label = rel(path, raw_dir)
    df = read_csv_lines(path, label, encoding="utf-8-sig")
    cols = ["Region Code", "Region Name", "Sub-region Code", "Sub-region Name", "Intermediate Region Code",
            "Country or Area", "M49 Code", "ISO-alpha3 Code", "Least Developed Countries (LDC)",
            "Land Locked Developing Countries (LLDC)", "Small Island Developing States (SIDS)"]
    require_columns(df.columns, cols, label)
    damaged = df["M49 Code"].str.strip() == ""
    unexpected = damaged & ~df["Country or Area"].isin(DAMAGED_OVERVIEW_NAMES)
    if unexpected.any():
        i = unexpected[unexpected].index[0]
        raise RawDataError(label, "M49 code is empty", row=int(df.at[i, "_row"]), column="M49 Code")
    df = df[~damaged]
    return pd.DataFrame({
        "m49": _code(df["M49 Code"], df["_row"], label, "M49 Code"), "iso3": df["ISO-alpha3 Code"].str.strip(),
        "name": df["Country or Area"].str.strip(),
        "region_m49": _code(df["Region Code"], df["_row"], label, "Region Code"),
        "subregion_m49": _code(df["Sub-region Code"], df["_row"], label, "Sub-region Code"),
        "intermediate_m49": _code(df["Intermediate Region Code"], df["_row"], label, "Intermediate Region Code"),
        "is_ldc": _flag(df["Least Developed Countries (LDC)"]),
        "is_lldc": _flag(df["Land Locked Developing Countries (LLDC)"]),
        "is_sids": _flag(df["Small Island Developing States (SIDS)"]), "raw_file": label, "raw_row": df["_row"]})


def stage_region_tree(path: Path, raw_dir: Path) -> pd.DataFrame:
    label = rel(path, raw_dir)
    df = read_csv_lines(path, label)
    require_columns(df.columns, ["Region", "Region_Code", "Area", "Area_Code_M49", "isoAlpha3", "Type"], label)
    return pd.DataFrame({
        "parent_name": df["Region"].str.strip(), "parent_m49": _code(df["Region_Code"], df["_row"], label, "Region_Code"),
        "name": df["Area"].str.strip(), "m49": _code(df["Area_Code_M49"], df["_row"], label, "Area_Code_M49"),
        "iso3": df["isoAlpha3"].str.strip(), "type": df["Type"].str.strip(), "raw_file": label, "raw_row": df["_row"]})


def stage_iso3166(path: Path, raw_dir: Path) -> pd.DataFrame:
    label = rel(path, raw_dir)
    df = read_csv_lines(path, label)
    require_columns(df.columns, ["name", "alpha-3", "country-code"], label)
    return pd.DataFrame({"name": df["name"].str.strip(), "iso3": df["alpha-3"].str.strip(),
                         "m49": _code(df["country-code"], df["_row"], label, "country-code"),
                         "raw_file": label, "raw_row": df["_row"]})
