"""Reader for UN World Population Prospects 2022, file POP/02-1 (raw/wpp/, SOURCES.md section 7).

Population (both sexes, thousands) by five-year age group, from two CSV exports of the official Excel sheets:
ESTIMATES (1950-2021) and MEDIUM_VARIANT (2022-2100). Layout of both:
* Latin-1; 16 title/notice lines, the header on line 17, the first data row on line 18. The 'Index' column counts
  data rows, so Index = line - 17 on every row; this is checked, which also proves raw_row is the file line.
* Numbers are text with space thousands separators ('  681 411'); '...' marks "no data".
* Every location appears once per year. Four 'Label/Separator' rows (headings such as 'UN development groups') carry
  no year and only '...': they are listed in 'wpp_locations' but give no population rows.

Location codes: countries and areas carry their M49 code (geo_scheme 'm49'). Every aggregate (World = 900, SDG
regions 1829-1836, geographic regions 903..., development and income groups) carries a WPP-only code that is not
M49 (M49 World is 001, sub-Saharan Africa 202), so those rows get geo_scheme 'wpp_location'; 'wpp_locations'
names them.

Years: only 1990-2035 are staged (YEARS). 1990 is the SDG/MDG baseline year and 2035 covers the 2030 target with
five years of projection; the files run 1950-2100, and staging all of it would triple the rows for no use.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.errors import RawDataError
from pipelines.readers.common import check_not_wide, find_file, pop_frame, rel, require_columns, to_number
from pipelines.readers.editions import edition

FILES = {"Estimates": "WPP2022_POP_F02_1_POPULATION_BY_AGE_BOTH_SEXES_ESTIMATES.csv",
         "Medium": "WPP2022_POP_F02_1_POPULATION_BY_AGE_BOTH_SEXES_MEDIUM_VARIANT.csv"}  # Variant column -> file
TITLE_LINES = 16  # header on line 17
YEARS = (1990, 2035)  # inclusive; see the module docstring
ENCODING = "latin-1"
MISSING = "..."
AGES = [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]
NAME, CODE, ISO3, TYPE, PARENT = ("Region, subregion, country or area *", "Location code", "ISO3 Alpha-code", "Type",
                                  "Parent code")
ID_COLUMNS = ["Index", "Variant", NAME, CODE, ISO3, TYPE, PARENT, "Year"]
COUNTRY_TYPE, LABEL_TYPE = "Country/Area", "Label/Separator"


def read_wpp_2022(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Population by five-year age group 1990-2035 for every WPP location, and the WPP location list."""
    ed = edition("wpp", "wpp_2022")
    tables = [read_wpp_csv(find_file(raw_dir, f"{ed['path']}/{name}"), raw_dir, variant)
              for variant, name in FILES.items()]
    return {"population": pd.concat([stage_population(df, ed) for df in tables], ignore_index=True),
            "wpp_locations": stage_locations(pd.concat(tables, ignore_index=True))}


def text_encoding(path: Path) -> str:
    """The published files are Latin-1; a copy re-saved as UTF-8 (a spreadsheet's default) would decode as Latin-1
    without error into names like 'CÃ´te d'Ivoire'. Non-ASCII Latin-1 text is practically never valid UTF-8, so a
    file that decodes strictly as UTF-8 is read as UTF-8 (with or without a byte-order mark)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return ENCODING
    return "utf-8-sig"


def read_wpp_csv(path: Path, raw_dir: Path, variant: str) -> pd.DataFrame:
    """One export as text columns plus `_row` (file line), `_code` (location code as text) and `raw_file`."""
    label = rel(path, raw_dir)
    if path.stat().st_size == 0:
        raise RawDataError(label, "file is empty", row=1)
    check_not_wide(path, label, ENCODING)  # Latin-1 decodes any bytes, so a UTF-16 export would pass as garbage
    encoding = text_encoding(path)
    try:
        header = pd.read_csv(path, skiprows=TITLE_LINES, nrows=0, encoding=encoding).columns
        require_columns([c.strip() for c in header], ID_COLUMNS + AGES, label, header_row=TITLE_LINES + 1)
        df = pd.read_csv(path, skiprows=TITLE_LINES, header=0, dtype=str, keep_default_na=False, encoding=encoding,
                         usecols=[c for c in header if c.strip() in set(ID_COLUMNS + AGES)], skip_blank_lines=False)
    except pd.errors.EmptyDataError as exc:
        raise RawDataError(label, f"no header on line {TITLE_LINES + 1} (file too short)", row=TITLE_LINES + 1) from exc
    except pd.errors.ParserError as exc:
        raise RawDataError(label, f"not a valid CSV: {exc}") from exc
    df.columns = [c.strip() for c in df.columns]
    if df.empty:
        raise RawDataError(label, "header but no data rows", row=TITLE_LINES + 2)
    df["_row"] = np.arange(TITLE_LINES + 2, TITLE_LINES + 2 + len(df))
    check_layout(df, label, variant)
    df["_code"] = to_number(df[CODE], df["_row"], label, CODE).astype("int64").astype("string")
    df["_parent"] = to_number(df[PARENT], df["_row"], label, PARENT).astype("Int64").astype("string")
    df["raw_file"] = label
    return df


def check_layout(df: pd.DataFrame, label: str, variant: str) -> None:
    """Index = line - 17 (so raw_row is the file line), the expected variant, and labels carry no data."""
    index = to_number(df["Index"], df["_row"], label, "Index")
    off = index != df["_row"] - (TITLE_LINES + 1)
    if off.any():
        i = off[off].index[0]
        raise RawDataError(label, f"'Index' {df.at[i, 'Index']} does not match the line number: title block or "
                           "row layout changed", row=int(df.at[i, "_row"]), column="Index")
    bad = df["Variant"].str.strip() != variant
    if bad.any():
        i = bad[bad].index[0]
        raise RawDataError(label, f"variant '{df.at[i, 'Variant']}' where '{variant}' was expected",
                           row=int(df.at[i, "_row"]), column="Variant")
    labels = df[df[TYPE].str.strip() == LABEL_TYPE]
    bad = (labels["Year"].str.strip() != "") | (labels[AGES].apply(lambda s: s.str.strip()) != MISSING).any(axis=1)
    if bad.any():
        i = bad[bad].index[0]
        raise RawDataError(label, f"'{LABEL_TYPE}' row carries data", row=int(df.at[i, "_row"]), column="Year")


def stage_population(df: pd.DataFrame, ed: dict) -> pd.DataFrame:
    """Long POP rows (location x year x age) for the kept years; '...' cells give no row."""
    label = df["raw_file"].iloc[0]
    df = df[df[TYPE].str.strip() != LABEL_TYPE]
    df = df.assign(_year=to_number(df["Year"], df["_row"], label, "Year").astype("int64"))
    df = df[df["_year"].between(*YEARS)].reset_index(drop=True)
    values = pd.DataFrame({age: to_number(df[age], df["_row"], label, age, blanks=(MISSING,)) for age in AGES})
    n = len(AGES)
    long = pd.DataFrame({
        "geo_scheme": np.repeat(geo_scheme(df[TYPE]).to_numpy(), n),
        "geo_source_code": np.repeat(df["_code"].to_numpy(), n),
        "year": np.repeat(df["_year"].to_numpy(), n), "age": np.tile(AGES, len(df)),
        "population_thousands": values.to_numpy().ravel(), "raw_row": np.repeat(df["_row"].to_numpy(), n)})
    long = long[long["population_thousands"].notna()]
    return pop_frame(long.assign(source_id="wpp", edition=ed["edition"], raw_file=label, raw_sheet=None))


def geo_scheme(types: pd.Series) -> pd.Series:
    """'m49' for countries/areas; 'wpp_location' for aggregates, whose codes are WPP's own (World = 900)."""
    return pd.Series(np.where(types.str.strip() == COUNTRY_TYPE, "m49", "wpp_location"), index=types.index)


def stage_locations(df: pd.DataFrame) -> pd.DataFrame:
    """One row per location code (first appearance: estimates file), with name, type, ISO3 and parent code."""
    df = df.drop_duplicates("_code", keep="first").reset_index(drop=True)
    return pd.DataFrame({
        "m49": df["_code"], "geo_scheme": geo_scheme(df[TYPE]), "name": df[NAME].str.strip(),
        "type": df[TYPE].str.strip(), "iso3": df[ISO3].str.strip().replace("", None), "parent_code": df["_parent"],
        "raw_file": df["raw_file"], "raw_row": df["_row"].astype("int64")}).astype(
        {"geo_scheme": "string", "name": "string", "type": "string", "iso3": "string", "raw_file": "string"})
