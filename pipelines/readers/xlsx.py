"""xlsx helpers shared by the xlsx readers (un_sdg_xlsx, ilostat, walkfree).

They read with python-calamine (Rust), about five times faster than openpyxl's read-only mode on these grids, and
keep the spreadsheet row number of every row exact (header row = the row a person sees in Excel).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from pipelines.errors import RawDataError
from pipelines.readers.common import require_columns


def text(values: pd.Series) -> pd.Series:
    """Cell values as stripped text ('' for empty cells)."""
    return values.astype("string").fillna("").str.strip()


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
