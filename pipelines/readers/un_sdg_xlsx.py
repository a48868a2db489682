"""Reader for the UNSD 2019.Q1 xlsx files of SDG 8.7.1 (raw/un_sdg/unsd_fis4sdgs_2019Q1/, SOURCES.md section 1a).

Each file holds one series on one sheet: a header of 37 SDG-API fields (camelCase) on row 1, then a full grid of
area x year x slice (26,040 rows for SL_TLF_CHLDEC, 32,550 for SL_TLF_CHLDEA) in which only a few hundred rows have a
`value`. Only rows with a value are staged. Geography is the M49 code in `geoAreaCode`.

The xlsx helpers at the bottom (`load_sheet`, `find_header_row`, `sheet_table`) are shared with the ILOSTAT and
Walk Free readers. They read with python-calamine (Rust), about five times faster than openpyxl's read-only mode on
these grids, and keep the spreadsheet row number of every row exact (header row = the row a person sees in Excel).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from pipelines.errors import RawDataError
from pipelines.readers.common import (SEXES, age_band, find_file, map_codes, obs_frame, rel, require_columns,
                                      to_number)
from pipelines.readers.editions import edition

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


def text(values: pd.Series) -> pd.Series:
    """Cell values as stripped text ('' for empty cells)."""
    return values.astype("string").fillna("").str.strip()


# ---- xlsx helpers shared by the xlsx readers (un_sdg_xlsx, ilostat, walkfree) -------------------------------------

def load_sheet(path: Path, label: str, sheet: str | None = None) -> tuple[str, list[list]]:
    """(sheet name, cell values) of one sheet; rows[0] is spreadsheet row 1. sheet=None takes the first sheet."""
    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            names = list(wb.sheet_names)
            if sheet is None and names:
                sheet = names[0]
            if sheet not in names:
                raise RawDataError(label, f"sheet '{sheet}' is missing (sheets present: {', '.join(names) or 'none'})",
                                   sheet=sheet)
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise RawDataError(label, f"not a readable xlsx workbook (empty, truncated or not xlsx): {exc}",
                           sheet=sheet) from exc
    return sheet, rows


def find_header_row(rows: list[list], required: list[str], label: str, sheet: str, search: int = 20) -> int:
    """The 1-based row, among the first `search`, whose cells include every required header text."""
    best, best_hits = 1, -1
    for i, row in enumerate(rows[:search]):
        cells = {str(c).strip() for c in row}
        hits = sum(col in cells for col in required)
        if hits == len(required):
            return i + 1
        if hits > best_hits:
            best, best_hits = i + 1, hits
    header = [str(c).strip() for c in rows[best - 1]] if rows else []
    require_columns(header, required, label, sheet=sheet, header_row=best)  # raises, naming the first missing one
    raise RawDataError(label, "no header row found", sheet=sheet, row=best)  # only reached if `required` is empty


def sheet_table(rows: list[list], header_row: int, label: str, sheet: str, columns: list[str],
                keep_if: str | None = None, extra: dict[str, int] | None = None) -> pd.DataFrame:
    """The rows below the header as raw cell values in the named columns (first match of each header text), plus
    `_row`, the spreadsheet row. Wholly empty rows are dropped; keep_if drops rows with that cell empty.
    `extra` adds columns by 0-based index (for cells without a header, e.g. a notes column)."""
    header = [str(c).strip() for c in rows[header_row - 1]]
    require_columns(header, columns, label, sheet=sheet, header_row=header_row)
    index = {col: header.index(col) for col in columns} | (extra or {})
    positions = list(index.values())
    test = index[keep_if] if keep_if else None
    data, numbers = [], []
    for n, row in enumerate(rows[header_row:], start=header_row + 1):
        cells = [row[i] if i < len(row) else "" for i in positions]
        if all(is_blank(c) for c in cells) or (test is not None and is_blank(row[test])):
            continue
        data.append(cells)
        numbers.append(n)
    df = pd.DataFrame(data, columns=list(index), dtype=object)
    df["_row"] = pd.Series(numbers, dtype="int64")
    return df


def is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
