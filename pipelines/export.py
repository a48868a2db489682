"""Writing extracts: CSV (with spreadsheet formula injection neutralised in text cells) and Parquet."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """OWASP CSV injection guidance: prefix text cells starting with = + - @ tab CR with a single quote.
    Numeric columns are untouched, so negative numbers stay numbers."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    neutralise(frame).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def write(frame: pd.DataFrame, fmt: str, output: Path | None) -> None:
    if fmt == "parquet":
        frame.to_parquet(output, index=False)
    elif output is None:
        sys.stdout.buffer.write(to_csv_bytes(frame))
    else:
        Path(output).write_bytes(to_csv_bytes(frame))
