"""Small helpers the tests share for picking rows out of staged or exported frames."""
from __future__ import annotations

import pandas as pd


def one_row(df: pd.DataFrame, **where) -> pd.Series:
    """The single row whose columns equal `where` (fails the test unless exactly one matches)."""
    mask = pd.Series(True, index=df.index)
    for column, wanted in where.items():
        mask &= df[column] == wanted
    assert mask.sum() == 1, f"expected one row for {where}, got {int(mask.sum())}"
    return df[mask].iloc[0]


def one_value(df: pd.DataFrame, **where) -> float:
    """The `value` of the single row whose columns equal `where`."""
    return float(one_row(df, **where)["value"])
