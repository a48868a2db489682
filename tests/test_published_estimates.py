"""Checks on the curated table of published global estimates (pipelines/metadata/published_estimates.csv)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

CSV = Path(__file__).resolve().parents[1] / "pipelines" / "metadata" / "published_estimates.csv"

HEADER = [
    "row_id", "indicator", "series", "geo", "geo_name", "year", "sex", "age", "value", "unit", "edition",
    "publication_year", "source_title", "source_publisher", "source_table", "source_page", "source_url",
    "source_type", "quoted_in", "retrieved_via", "notes",
]

SERIES = {  # series -> (indicator, unit)
    "GE_CL_NUM": ("child_labour", "millions"),
    "GE_CL_PREV": ("child_labour", "percent"),
    "GE_HAZ_NUM": ("hazardous_work", "millions"),
    "GE_HAZ_PREV": ("hazardous_work", "percent"),
    "GE_FL_NUM": ("forced_labour", "millions"),
    "GE_FL_PREV": ("forced_labour", "per_1000"),
    "GE_MS_NUM": ("modern_slavery", "millions"),
    "GE_MS_PREV": ("modern_slavery", "per_1000"),
    "GE_FM_NUM": ("forced_marriage", "millions"),
    "GE_FM_PREV": ("forced_marriage", "per_1000"),
    "GE_CFL_NUM": ("children_in_forced_labour", "millions"),
}

GEO_RE = re.compile(r"^(WLD|ILO_(AFR|AMR|ARB|ASP|ECA)|M49_\d{3}|IPEC_[A-Z]+|ILO12_[A-Z]+)$")


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    # everything as text: values must stay exactly as printed ("16.0", not 16)
    return pd.read_csv(CSV, dtype=str, keep_default_na=False, encoding="utf-8")


def test_header(df):
    assert list(df.columns) == HEADER
    with open(CSV, encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n") == ",".join(HEADER)


def test_not_empty(df):
    assert len(df) > 50


def test_row_ids(df):
    assert df["row_id"].str.fullmatch(r"GE-\d{4}").all()
    assert df["row_id"].is_unique


def test_citation_fields(df):
    for col in ["source_title", "source_publisher", "source_type", "edition", "retrieved_via"]:
        empty = df[df[col].str.strip() == ""]
        assert empty.empty, f"empty {col} in {empty['row_id'].tolist()}"
    assert set(df["source_type"]) <= {"primary", "secondary"}
    sec = df[df["source_type"] == "secondary"]
    assert (sec["quoted_in"].str.strip() != "").all(), sec.loc[sec["quoted_in"].str.strip() == "", "row_id"].tolist()
    prim = df[df["source_type"] == "primary"]
    assert (prim["quoted_in"].str.strip() == "").all()


def test_unique_key(df):
    key = ["series", "geo", "year", "sex", "age", "edition"]
    dup = df[df.duplicated(key, keep=False)]
    assert dup.empty, dup[key + ["row_id"]].to_string()


def test_codes(df):
    assert set(df["series"]) <= set(SERIES)
    for _, r in df.iterrows():
        ind, unit = SERIES[r["series"]]
        assert (r["indicator"], r["unit"]) == (ind, unit), r["row_id"]
    assert df["geo"].map(lambda g: bool(GEO_RE.match(g))).all()
    assert (df["geo_name"].str.strip() != "").all()
    assert set(df["sex"]) <= {"total", "female", "male"}
    assert df["age"].str.fullmatch(r"\d+-\d+|all|<18|18\+").all()
    child = df["indicator"].isin(["child_labour", "hazardous_work"])
    assert df.loc[child, "age"].str.fullmatch(r"\d+-\d+").all()
    assert (df.loc[df["indicator"] == "children_in_forced_labour", "age"] == "<18").all()
    assert df["year"].str.fullmatch(r"(19|20)\d{2}").all()
    assert df["publication_year"].str.fullmatch(r"20\d{2}").all()
    assert (df["publication_year"].astype(int) >= df["year"].astype(int)).all()


def test_values(df):
    assert df["value"].str.fullmatch(r"\d+(\.\d+)?").all(), "values must be plain numbers as printed"
    v = df["value"].astype(float)
    assert (v > 0).all()
    assert (v[df["unit"] == "percent"] <= 100).all()
    assert (v[df["unit"] == "per_1000"] <= 1000).all()


def _value(df, series, geo, year, sex="total", age=None):
    sel = (df["series"] == series) & (df["geo"] == geo) & (df["year"] == str(year)) & (df["sex"] == sex)
    if age is not None:
        sel &= df["age"] == age
    return set(df.loc[sel, "value"])


@pytest.mark.parametrize(
    "series,year,age,expected",
    [
        ("GE_CL_NUM", 2020, "5-17", "160"),
        ("GE_CL_PREV", 2020, "5-17", "9.6"),
        ("GE_CL_NUM", 2016, "5-17", "152"),
        ("GE_HAZ_NUM", 2020, "5-17", "79"),
        ("GE_MS_NUM", 2021, "all", "49.6"),
        ("GE_FL_NUM", 2021, "all", "27.6"),
        ("GE_FM_NUM", 2021, "all", "22"),
        ("GE_MS_NUM", 2016, "all", "40.3"),
        ("GE_FL_NUM", 2012, "all", "20.9"),
    ],
)
def test_headline_values(df, series, year, age, expected):
    assert expected in _value(df, series, "WLD", year, age=age)


def test_2004_editions_kept_apart(df):
    sel = (df["series"] == "GE_CL_NUM") & (df["geo"] == "WLD") & (df["year"] == "2004") & (df["sex"] == "total")
    by_edition = dict(zip(df.loc[sel, "edition"], df.loc[sel, "value"]))
    assert by_edition.get("ILO 2006") == "218"
    assert by_edition.get("ILO 2010") == "222"
