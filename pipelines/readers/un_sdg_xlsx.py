"""Reader for the UNSD 2019.Q1 xlsx files of SDG 8.7.1 (raw/un_sdg/unsd_fis4sdgs_2019Q1/, SOURCES.md section 1a).

Each file holds one series on one sheet: a header of 37 SDG-API fields (camelCase) on row 1, then a full grid of
area x year x slice (26,040 rows for SL_TLF_CHLDEC, 32,550 for SL_TLF_CHLDEA) in which only a few hundred rows have a
`value`. Only rows with a value are staged. Geography is the M49 code in `geoAreaCode`.

Sheets are read with the xlsx helpers the ILOSTAT and Walk Free readers share (pipelines/readers/xlsx.py).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.readers.common import SEXES, age_band, find_file, map_codes, obs_frame, rel, to_number
from pipelines.readers.editions import edition
from pipelines.readers.xlsx import find_header_row, load_sheet, sheet_table, text

SERIES = ("SL_TLF_CHLDEC", "SL_TLF_CHLDEA")
COLUMNS = ["goalCode", "goalDesc", "targetCode", "targetDesc", "indicatorCode", "indicatorDesc", "indicatorTier",
           "seriesCode", "seriesDesc", "seriesRelease", "timePeriod", "geoAreaCode", "geoAreaName", "level",
           "parentCode", "parentName", "type", "CountryProfile", "ISO3CD", "UNMember", "X", "Y", "ageCode", "sexCode",
           "ageDesc", "sexDesc", "value", "valueType", "timeDetail", "source", "footnotes", "natureCode", "unitsCode",
           "reportingTypeCode", "natureDesc", "unitsDesc", "reportingTypeDesc"]
UNITS = {"PERCENT": "percent"}
# The source field of every 8.7.1 value in this release; it says nothing a reader of one value needs, so it is not
# copied into the footnote. Any other source text is (prefixed 'Source: ').
DEFAULT_SOURCE = "UNICEF and ILO calculations"


def read_un_sdg_2019(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """SL_TLF_CHLDEC and SL_TLF_CHLDEA from the UNSD 2019.Q1.G.02 xlsx files (rows with a value only)."""
    ed = edition("un_sdg", "fis4sdgs_2019Q1")
    frames = [read_series_file(find_file(raw_dir, f"{ed['path']}/Data_8.7.1_{code}.xlsx"), raw_dir, code, ed)
              for code in SERIES]
    return {"observations": pd.concat(frames, ignore_index=True)}


def read_series_file(path: Path, raw_dir: Path, code: str, ed: dict) -> pd.DataFrame:
    """One UNSD series file -> staged observations."""
    label = rel(path, raw_dir)
    sheet, rows = load_sheet(path, label)
    header_row = find_header_row(rows, COLUMNS, label, sheet, search=1)
    df = sheet_table(rows, header_row, label, sheet, COLUMNS, keep_if="value")
    r = df["_row"]
    return obs_frame(pd.DataFrame({
        "series": map_codes(df["seriesCode"], {code: code}, r, label, "seriesCode", sheet),
        "geo_scheme": "m49",
        "geo_source_code": text(to_number(df["geoAreaCode"], r, label, "geoAreaCode", sheet).astype("int64")),
        "year": to_number(df["timePeriod"], r, label, "timePeriod", sheet).astype("int64"),
        "sex": map_codes(df["sexCode"], SEXES, r, label, "sexCode", sheet),
        "age": text(df["ageCode"]).map(age_band),
        "value": to_number(df["value"], r, label, "value", sheet),
        "unit": map_codes(df["unitsCode"], UNITS, r, label, "unitsCode", sheet),
        "nature": text(df["natureCode"]).str.upper().replace("", None),
        "footnote": footnotes(df["source"], df["footnotes"]),
        "time_detail": text(df["timeDetail"]).replace("", None),
        "source_id": "un_sdg",
        "edition": ed["edition"],
        "edition_date": ed["edition_date"],
        "raw_file": label,
        "raw_sheet": sheet,
        "raw_row": r,
        "raw_column": "value",
    }))


def footnotes(source: pd.Series, notes: pd.Series) -> list[str | None]:
    """The UN footnote, preceded by the source field when it is not the release-wide default."""
    sources = ["" if s in ("", DEFAULT_SOURCE) else f"Source: {s}" for s in text(source)]
    return ["; ".join(p for p in (s, n) if p) or None for s, n in zip(sources, text(notes))]
