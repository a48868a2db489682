"""Writing extracts: CSV (with spreadsheet formula injection neutralised in text cells) and Parquet."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180 line ends: with "\n" alone, Python's csv writer leaves a field holding a bare CR unquoted, and
# spreadsheet programs then split the row there.
LINE_END = "\r\n"


def neutral(value):
    """One cell: text starting with = + - @ tab or CR gets a leading single quote; anything else is unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """OWASP CSV injection guidance: prefix text cells starting with = + - @ tab CR with a single quote.
    Numeric columns are untouched, so negative numbers stay numbers. Text in object, string and categorical
    columns is covered."""
    out = frame.copy()
    for col in out.columns:
        column = out[col]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        if pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
            # element by element, keeping the dtype: Series.map would re-infer it (ints with None -> floats)
            out[col] = pd.Series([neutral(v) for v in column], index=column.index, dtype=column.dtype,
                                 name=column.name)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    neutralise(frame).to_csv(buf, index=False, lineterminator=LINE_END)
    return buf.getvalue().encode("utf-8")


def write(frame: pd.DataFrame, fmt: str, output: Path | None) -> None:
    if fmt == "parquet":
        frame.to_parquet(output, index=False)
    elif output is None:
        sys.stdout.buffer.write(to_csv_bytes(frame))
    else:
        Path(output).write_bytes(to_csv_bytes(frame))
