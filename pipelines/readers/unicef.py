"""Reader for UNICEF's *State of the World's Children 2023* statistical tables (raw/unicef/, SOURCES.md section 2).

Two sheets are staged, both laid out the same way:
* names in the column headed 'Countries and areas'; indicator titles on one row (e.g. 'Child labour (%) (H)\\n
  2013–2021 (R)'), sub-headers (Total / Male / Female, or Total / Under 18 / Under 5) two rows below, and a
  footnote-flag column to the right of every value column. Columns are located by this header text, never by position
  alone.
* 202 countries and areas, a blank row, then 'SUMMARY' and the UNICEF regional aggregates (sub-regions indented with
  spaces, which are stripped), then 'NOTES', which define the flag letters ('x Data refer to years …').
* '-' means no data.

'12. Child Protection' gives the child labour observations (countries and aggregates; the world value is '-'), with
raw_row/raw_column = the Excel row number and column letter of the value cell; flags become footnotes in the words
of the sheet's NOTES ('x: Data refer to …; y: …'). SOWC gives no survey year, only the period of the column heading.
'1. Demographics' gives population 2021 in thousands; this copy carries an extra row of snake_case variable names
inserted by the uploader, which is skipped explicitly (see CODEBOOK_ROW).
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from pipelines.errors import RawDataError
from pipelines.readers.common import find_file, obs_frame, rel, to_number
from pipelines.readers.editions import edition

CP_SHEET, DEMO_SHEET = "12. Child Protection", "1. Demographics"
NAME_HEADER = "Countries and areas"
CL_TITLE, CL_SERIES = "Child labour (%)", "PT_CHLD_5-17_LBR_ECON-HC"
CL_SEXES = {"Total": "total", "Male": "male", "Female": "female"}
POP_TITLE = "Population (thousands)"
POP_FIELDS = {"Total": "pop_total_thousands", "Under 18": "pop_under_18_thousands", "Under 5": "pop_under_5_thousands"}
# The uploader of this copy inserted a row of snake_case variable names under the sub-headers of '1. Demographics'
# (SOURCES.md section 2: "the file is probably not pristine"). It is not data: it is recognised by these exact texts
# and skipped. Any other text row in that place is a layout change and stops the build.
CODEBOOK_ROW = {NAME_HEADER: "country", "Total": "pop_total", "Under 18": "pop_under_18", "Under 5": "pop_under_5"}
NO_DATA = "-"
HEADER_SEARCH_ROWS = 15  # titles sit on row 4 of every sheet; look a little further in case rows are added


def read_unicef_sowc(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Child labour % by sex (sheet 12) and population 2021 (sheet 1) from the SOWC 2023 workbook."""
    ed = edition("unicef_sowc", "sowc_2023")
    path = find_file(raw_dir, ed["path"])
    label = rel(path, raw_dir)
    sheets = load_sheets(path, label, [CP_SHEET, DEMO_SHEET])
    return {
        "observations": stage_child_labour(Grid(sheets[CP_SHEET], label, CP_SHEET), ed),
        "unicef_demographics": stage_demographics(Grid(sheets[DEMO_SHEET], label, DEMO_SHEET)),
    }


class Grid:
    """A sheet's cell values with 1-based (row, column) access, as a person sees them in Excel."""

    def __init__(self, rows: list[tuple], label: str, sheet: str):
        self.rows, self.label, self.sheet = rows, label, sheet

    def __call__(self, row: int, col: int):
        cells = self.rows[row - 1] if 0 < row <= len(self.rows) else ()
        return cells[col - 1] if 0 < col <= len(cells) else None

    def text(self, row: int, col: int) -> str:
        value = self(row, col)
        return "" if value is None else str(value).strip()

    def error(self, message: str, row: int | None = None, col: int | None = None) -> RawDataError:
        return RawDataError(self.label, message, sheet=self.sheet, row=row,
                            column=get_column_letter(col) if col else None)


def load_sheets(path: Path, label: str, names: list[str]) -> dict[str, list[tuple]]:
    """Cell values of the named sheets; an empty, truncated or non-xlsx file, or a missing sheet, stops the build."""
    if path.stat().st_size == 0:
        raise RawDataError(label, "file is empty (0 bytes)")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            missing = [n for n in names if n not in wb.sheetnames]
            if missing:
                present = ", ".join(wb.sheetnames)
                raise RawDataError(label, f"sheet '{missing[0]}' is missing (sheets present: {present})",
                                   sheet=missing[0])
            return {n: list(wb[n].iter_rows(values_only=True)) for n in names}
        finally:
            wb.close()
    except (zipfile.BadZipFile, InvalidFileException, EOFError, KeyError, OSError) as exc:
        raise RawDataError(label, f"not a readable xlsx workbook (empty, truncated or corrupt): {exc}") from exc


def find_title(grid: Grid, prefix: str) -> tuple[int, int]:
    """(row, column) of the header cell whose text starts with `prefix`."""
    for r, cells in enumerate(grid.rows[:HEADER_SEARCH_ROWS], start=1):
        for c in range(1, len(cells) + 1):
            if grid.text(r, c).startswith(prefix):
                return r, c
    raise grid.error(f"header '{prefix}…' not found in the first {HEADER_SEARCH_ROWS} rows", row=1)


def find_sub_headers(grid: Grid, title_row: int, title_col: int, labels: list[str]) -> tuple[int, dict[str, int]]:
    """The sub-header row under a title and the column of each label: value columns at title_col, +2, +4, …

    Each value column must have an empty footnote-flag column to its right in the header."""
    for r in range(title_row + 1, title_row + 4):
        if grid.text(r, title_col) == labels[0]:
            cols = {}
            for i, lab in enumerate(labels):
                c = title_col + 2 * i
                if grid.text(r, c) != lab or grid.text(r, c + 1) or grid.text(title_row, c + 1):
                    raise grid.error(f"expected sub-header '{lab}' with a flag column to its right under "
                                     f"'{grid.text(title_row, title_col)}', found '{grid.text(r, c)}'", row=r, col=c)
                cols[lab] = c
            return r, cols
    raise grid.error(f"sub-header '{labels[0]}' not found under '{grid.text(title_row, title_col)}'",
                     row=title_row + 2, col=title_col)


def title_years(grid: Grid, row: int, col: int) -> tuple[int, int]:
    """The period printed in a title ('…\\n2013–2021 (R)' -> (2013, 2021); '…\\n2021' -> (2021, 2021))."""
    m = re.search(r"(\d{4})\s*(?:[–-]\s*(\d{4}))?\s*(?:\([A-Z]\))?\s*$", grid.text(row, col))
    if not m:
        raise grid.error(f"no year or period at the end of title '{grid.text(row, col)}'", row=row, col=col)
    return int(m.group(1)), int(m.group(2) or m.group(1))


def data_blocks(grid: Grid, name_col: int, first_row: int) -> list[int]:
    """Rows of the country block (first_row up to the first blank name) and of the SUMMARY block that follows."""
    rows, r = [], first_row
    while grid.text(r, name_col):
        rows.append(r)
        r += 1
    while r <= len(grid.rows) and not grid.text(r, name_col):
        r += 1
    if grid.text(r, name_col) != "SUMMARY":
        raise grid.error(f"expected 'SUMMARY' after the country rows, found '{grid.text(r, name_col)}'", row=r,
                         col=name_col)
    r += 1
    while grid.text(r, name_col):
        rows.append(r)
        r += 1
    names = [grid.text(x, name_col) for x in rows]
    dup = next((x for x, n in zip(rows, names) if names.count(n) > 1), None)
    if dup:
        raise grid.error(f"name '{grid.text(dup, name_col)}' appears twice", row=dup, col=name_col)
    return rows


def sheet_notes(grid: Grid, name_col: int) -> dict[str, str]:
    """The NOTES block: flag letter -> its sentence exactly as printed ('x' -> 'Data refer to years …')."""
    start = next((r for r in range(1, len(grid.rows) + 1) if grid.text(r, name_col) == "NOTES"), None)
    if start is None:
        raise grid.error("'NOTES' block (definitions of the footnote flags) not found", col=name_col)
    notes, r = {}, start + 1
    while grid.text(r, name_col):
        m = re.fullmatch(r"([A-Za-z]{1,2}|-)\s+(.+)", grid.text(r, name_col), flags=re.S)
        if m:
            notes[m.group(1)] = m.group(2).strip()
        r += 1
    return notes


def first_data_row(grid: Grid, name_col: int, sub_row: int) -> int:
    """The first row under the sub-headers with a name in it."""
    r = sub_row + 1
    while r <= len(grid.rows) and not grid.text(r, name_col):
        r += 1
    return r


def layout(grid: Grid, title: str, labels: list[str]) -> tuple[int, dict[str, int], int, tuple[int, int]]:
    """Locate (name column, value columns by sub-header, first row under the sub-headers, title period)."""
    title_row, title_col = find_title(grid, title)
    name_col = next((c for c in range(1, title_col) if grid.text(title_row, c) == NAME_HEADER), None)
    if name_col is None:
        raise grid.error(f"header '{NAME_HEADER}' not found left of '{title}'", row=title_row)
    sub_row, cols = find_sub_headers(grid, title_row, title_col, labels)
    return name_col, cols, sub_row, title_years(grid, title_row, title_col)


def stage_child_labour(grid: Grid, ed: dict) -> pd.DataFrame:
    """Child labour (%) Total/Male/Female for countries and UNICEF aggregates; '-' cells are skipped."""
    name_col, cols, sub_row, (y0, y1) = layout(grid, CL_TITLE, list(CL_SEXES))
    rows = data_blocks(grid, name_col, first_data_row(grid, name_col, sub_row))
    notes = sheet_notes(grid, name_col)
    frames = []
    for lab, c in cols.items():
        cells = pd.DataFrame({"raw_row": rows, "name": [grid.text(r, name_col) for r in rows],
                              "cell": pd.Series([grid(r, c) for r in rows], dtype=object)})
        value = to_number(cells["cell"], cells["raw_row"], grid.label, get_column_letter(c), sheet=grid.sheet,
                          blanks=(NO_DATA,))
        keep = value.notna()
        frames.append(pd.DataFrame({
            "geo_source_code": cells["name"][keep], "sex": CL_SEXES[lab], "value": value[keep],
            "footnote": [expand_flags(grid, r, c + 1, notes) for r in cells["raw_row"][keep]],
            "raw_row": cells["raw_row"][keep], "raw_column": get_column_letter(c)}))
    df = pd.concat(frames, ignore_index=True)
    return obs_frame(df.assign(
        series=CL_SERIES, geo_scheme="name:unicef_sowc", year=y1, age="5-17", unit="percent",
        time_detail=f"most recent year available in {y0}-{y1} (year not given in SOWC)", source_id="unicef_sowc",
        edition=ed["edition"], edition_date=ed["edition_date"], raw_file=grid.label, raw_sheet=grid.sheet))


def expand_flags(grid: Grid, row: int, col: int, notes: dict[str, str]) -> str | None:
    """'x,y' -> 'x: <note x>; y: <note y>' using the sheet's own NOTES; an undefined letter stops the build."""
    letters = [f.strip() for f in grid.text(row, col).split(",") if f.strip()]
    for f in letters:
        if f not in notes:
            raise grid.error(f"footnote flag '{f}' is not defined in the sheet's NOTES ({', '.join(notes)})",
                             row=row, col=col)
    return "; ".join(f"{f}: {notes[f]}" for f in letters) or None


def stage_demographics(grid: Grid) -> pd.DataFrame:
    """Population 2021 (thousands): total, under 18, under 5, for countries and UNICEF aggregates."""
    name_col, cols, sub_row, (_, year) = layout(grid, POP_TITLE, list(POP_FIELDS))
    first = first_data_row(grid, name_col, sub_row)
    if is_codebook_row(grid, first, name_col, cols):
        first = first_data_row(grid, name_col, first)  # skip the uploader's snake_case row (CODEBOOK_ROW)
    rows = data_blocks(grid, name_col, first)
    out = pd.DataFrame({"geo_scheme": "name:unicef_sowc", "geo_source_code": [grid.text(r, name_col) for r in rows],
                        "year": year})
    raw_row = pd.Series(rows)
    for lab, field in POP_FIELDS.items():
        out[field] = to_number(pd.Series([grid(r, cols[lab]) for r in rows], dtype=object), raw_row, grid.label,
                               get_column_letter(cols[lab]), sheet=grid.sheet, blanks=(NO_DATA,))
    out["raw_file"], out["raw_sheet"], out["raw_row"] = grid.label, grid.sheet, raw_row.astype("int64")
    out["year"] = out["year"].astype("int64")
    out[["geo_scheme", "geo_source_code", "raw_file", "raw_sheet"]] = \
        out[["geo_scheme", "geo_source_code", "raw_file", "raw_sheet"]].astype("string")
    return out


def is_codebook_row(grid: Grid, row: int, name_col: int, cols: dict[str, int]) -> bool:
    """True for the uploader's snake_case row; a different text row in its place is a layout change (error)."""
    found = {NAME_HEADER: grid.text(row, name_col), **{lab: grid.text(row, c) for lab, c in cols.items()}}
    if found == CODEBOOK_ROW:
        return True
    if any(isinstance(grid(row, c), str) and grid.text(row, c) != NO_DATA for c in cols.values()):
        raise grid.error(f"unexpected text row under the sub-headers ({found}); expected data or the known "
                         f"snake_case row {CODEBOOK_ROW}", row=row)
    return False
