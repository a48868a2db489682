"""The staging contract shared by every reader, and small helpers to honour it.

A reader turns one source family's raw files into *staging* frames: renamed and cast, never joined.
Every staged row carries its lineage (raw file, sheet, row) so any number can be traced back.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from pipelines.errors import BuildError, RawDataError

OBS_COLUMNS = [
    "series", "geo_scheme", "geo_source_code", "year", "sex", "age", "value", "unit", "nature",
    "lower", "upper", "footnote", "time_detail", "source_id", "edition", "edition_date",
    "raw_file", "raw_sheet", "raw_row", "raw_column",
]
POP_COLUMNS = ["geo_scheme", "geo_source_code", "year", "age", "population_thousands",
               "source_id", "edition", "raw_file", "raw_sheet", "raw_row"]

SEXES = {"bothsex": "total", "total": "total", "both sexes": "total", "t": "total", "_t": "total",
         "female": "female", "f": "female", "male": "male", "m": "male",
         "o": "other", "_o": "other", "u": "unknown", "_u": "unknown"}


@dataclass(frozen=True)
class SqlStaging:
    """Fast path for big files: a staging frame DuckDB reads itself, no pandas (the build appends it by column
    name). `sql` is a self-contained SELECT of the contract's columns; `files` are the raw file labels it reads."""
    sql: str
    files: tuple[str, ...]


def rel(path: Path, raw_dir: Path) -> str:
    """Path of a raw file relative to the mirror root, with forward slashes (the lineage key)."""
    try:
        return Path(path).resolve().relative_to(Path(raw_dir).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def find_file(raw_dir: Path, pattern: str) -> Path:
    """The single file matching a glob under the mirror, or a clear error naming what is missing."""
    matches = sorted(Path(raw_dir).glob(pattern))
    if not matches:
        folder = Path(raw_dir) / Path(pattern).parent
        what = "folder" if not folder.exists() else "file"
        raise BuildError(f"{folder if what == 'folder' else Path(raw_dir) / pattern}: source {what} missing "
                         f"(expected '{pattern}' under raw dir {raw_dir})")
    return matches[-1]


def read_csv_lines(path: Path, file_label: str, encoding: str = "utf-8", skiprows: int = 0) -> pd.DataFrame:
    """Read a CSV as text with a `_row` column: the file line number (header = line skiprows+1)."""
    if path.stat().st_size == 0:
        raise RawDataError(file_label, "file is empty", row=1)
    check_not_wide(path, file_label, encoding)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, skiprows=skiprows)
    except UnicodeDecodeError as exc:  # pandas reports the byte within its read buffer: locate it in the file
        raise decode_error(path, file_label, encoding, skiprows) from exc
    except pd.errors.EmptyDataError as exc:
        raise RawDataError(file_label, "file is empty (no header row)", row=1) from exc
    except pd.errors.ParserError as exc:
        raise RawDataError(file_label, f"not a valid CSV: {exc}") from exc
    if df.empty:
        raise RawDataError(file_label, "file has a header but no data rows", row=skiprows + 2)
    df.columns = [str(c).lstrip("\ufeff").strip() for c in df.columns]
    df["_row"] = range(skiprows + 2, skiprows + 2 + len(df))
    return df


_WIDE_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16",
              b"\xfe\xff": "UTF-16"}


def check_not_wide(path: Path, file_label: str, encoding: str) -> None:
    """Stop with a plain message when a text file is UTF-16/UTF-32 (byte-order mark, or NUL bytes near the start):
    byte-oriented encodings such as Latin-1 would otherwise 'decode' it into a header of garbage."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    wide = next((name for bom, name in _WIDE_BOMS.items() if head.startswith(bom)), None)
    if wide or b"\x00" in head:
        raise RawDataError(file_label, f"file is {wide or 'UTF-16 (NUL bytes)'} text, expected {encoding}: "
                           f"save it again as {encoding} CSV", row=1)


def decode_error(path: Path, file_label: str, encoding: str, skiprows: int = 0) -> RawDataError:
    """The first byte the encoding cannot decode, named by file line and header column."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        field = max(len(next(csv.reader([data[start:exc.start].decode(encoding, "replace")]), [])), 1) - 1
        lines = data.split(b"\n", skiprows + 1)
        header_line = lines[skiprows] if len(lines) > skiprows else b""
        header = next(csv.reader([header_line.decode(encoding, "replace").lstrip("\ufeff").rstrip("\r")]), [])
        return RawDataError(file_label, f"cannot decode as {encoding}: byte 0x{data[exc.start]:02x} ({exc.reason}); "
                            "was the file saved in another encoding?", row=line,
                            column=header[field].strip() if 0 <= field < len(header) else None)
    return RawDataError(file_label, f"cannot decode as {encoding}")


def require_columns(columns: Iterable[str], required: Iterable[str], file_label: str,
                    sheet: str | None = None, header_row: int = 1) -> None:
    """Stop with a message naming the missing column and the header row it was looked for in."""
    have = [str(c) for c in columns if str(c) != "_row"]  # `_row` is ours (read_csv_lines), not the file's
    for col in required:
        if col not in have:
            raise RawDataError(file_label, f"required column '{col}' is missing (header has: {', '.join(have[:20])})",
                               sheet=sheet, row=header_row, column=col)


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def to_number(values: pd.Series, rows: pd.Series, file_label: str, column: str,
              sheet: str | None = None, blanks: Iterable[str] = ("",)) -> pd.Series:
    """Cast text to float; blanks become missing; anything else non-numeric stops the build."""
    text = values.astype("string").fillna("").str.strip()
    blank = text.isin(list(blanks))
    cleaned = text.str.replace(_SPACES, "", regex=True).str.replace(",", "", regex=False)
    numbers = pd.to_numeric(cleaned.where(~blank, None), errors="coerce")
    bad = numbers.isna() & ~blank
    if bad.any():
        i = bad[bad].index[0]
        raise RawDataError(file_label, f"value '{values[i]}' is not a number", sheet=sheet,
                           row=int(rows[i]), column=column)
    return numbers.astype("float64")


def map_codes(values: pd.Series, mapping: dict, rows: pd.Series, file_label: str, column: str,
              sheet: str | None = None) -> pd.Series:
    """Map source codes (case-insensitive) to our codes; an unknown code stops the build."""
    key = values.astype("string").str.strip().str.lower()
    out = key.map({str(k).lower(): v for k, v in mapping.items()})
    bad = out.isna()
    if bad.any():
        i = bad[bad].index[0]
        raise RawDataError(file_label, f"unknown code '{values[i]}' (known: {', '.join(sorted(map(str, mapping))[:15])})",
                           sheet=sheet, row=int(rows[i]), column=column)
    return out.astype("string")


def age_band(code: str) -> str:
    """Harmonise an age code: '5_17'/'5-17'/'Y5T17' -> '5-17'; 'allage' -> 'all'; '18' -> '18+'; 'lt18y' -> '<18'."""
    c = str(code).strip().lower().replace("_", "-")
    if c in ("allage", "all", "total", "_t"):
        return "all"
    if c in ("u", "-u", "unknown", "notspec"):
        return "unknown"
    m = re.fullmatch(r"lt(\d+)y", c)
    if m:
        return f"<{m.group(1)}"
    m = re.fullmatch(r"y?(\d+)t(\d+)", c)
    if m:
        return f"{int(m.group(1))}-{int(m.group(2))}"
    if re.fullmatch(r"\d+", c):
        return f"{c}+"
    return c


def obs_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Order and cast a staged observation frame to the contract (missing optional columns become null)."""
    out = df.copy()
    for col in OBS_COLUMNS:
        if col not in out.columns:
            out[col] = None
    out = out[OBS_COLUMNS]
    out["year"] = out["year"].astype("int64")
    out["raw_row"] = out["raw_row"].astype("int64")
    for col in ("value", "lower", "upper"):
        out[col] = pd.to_numeric(out[col]).astype("float64")
    text = [c for c in OBS_COLUMNS if c not in ("year", "raw_row", "value", "lower", "upper")]
    out["raw_column"] = out["raw_column"].astype("object").where(out["raw_column"].notna(), "value")
    out[text] = out[text].astype("string")
    return out.reset_index(drop=True)


def pop_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Order and cast a staged population frame to the contract."""
    out = df.copy()
    for col in POP_COLUMNS:
        if col not in out.columns:
            out[col] = None
    out = out[POP_COLUMNS]
    out["year"] = out["year"].astype("int64")
    out["raw_row"] = out["raw_row"].astype("int64")
    out["population_thousands"] = out["population_thousands"].astype("float64")
    text = ["geo_scheme", "geo_source_code", "age", "source_id", "edition", "raw_file", "raw_sheet"]
    out[text] = out[text].astype("string")
    return out.reset_index(drop=True)
