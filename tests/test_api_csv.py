"""The /api/v1 CSV writer and extract counts of dashboard/api.py, on literal values and on the real warehouse.

The CSV cells are made by Arrow compute kernels (dashboard.api.batch_to_csv); they must be the bytes pandas
`to_csv` writes for the same rows (pipelines.export.to_csv_bytes, the writer of `sdg87 export`, and of this
endpoint before): the same quoting, number text, nulls, line ends and formula neutralisation. Extract counts
(pipelines.api.count_query: observations counted without the geographies join, which the build guarantees cannot
change the count: tests/test_build_faults.py) must equal the rows the extract returns.
"""
from __future__ import annotations

import contextlib
import csv
import io
import math

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import api as http_api
from pipelines import api
from pipelines.export import LINE_END, to_csv_bytes


def pandas_rows(batch: pa.RecordBatch) -> str:
    """What `sdg87 export` (pandas) writes for these rows, without its header line."""
    return to_csv_bytes(batch.to_pandas(integer_object_nulls=True)).decode("utf-8").split(LINE_END, 1)[1]


# ---- literal values: what a user sees in the file -------------------------------------------------------------

def test_csv_cells_users_see():
    batch = pa.record_batch({
        "text": pa.array(["Nigeria", "Korea, Republic of", 'the "GSI"', "two\nlines", "=1+2", "-5", "cr\r",
                          None, "", "Côte d'Ivoire", "=a,b"]),
        "value": pa.array([9.6, 25.0, 0.1 + 0.2, 1e-05, 1e16, 12345678901.0, -0.0, math.nan, None, -2.5, 1e-4]),
        "year": pa.array([2019, None, 2000, 1, -3, 0, 2025, 7, None, 2, 3], pa.int32()),
        "met": pa.array([True, False, None, True, False, True, False, None, True, True, False]),
        "unit": pa.array(["percent", "-", "number", "@x", "percent", "percent", "percent", None, "+", "n", "n"]
                         ).dictionary_encode(),
    })
    expected = [
        "Nigeria,9.6,2019,True,percent",
        '"Korea, Republic of",25.0,,False,\'-',
        '"the ""GSI""",0.30000000000000004,2000,,number',
        '"two\nlines",1e-05,1,True,\'@x',
        "'=1+2,1e+16,-3,False,percent",
        "'-5,12345678901.0,0,True,percent",
        '"cr\r",-0.0,2025,False,percent',
        ",,7,,",
        ",,,True,'+",
        "Côte d'Ivoire,-2.5,2,True,n",
        "\"'=a,b\",0.0001,3,False,n",
    ]
    text = http_api.batch_to_csv(batch)
    assert text == LINE_END.join(expected) + LINE_END
    assert text == pandas_rows(batch)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [r[0] for r in rows[:4]] == ["Nigeria", "Korea, Republic of", 'the "GSI"', "two\nlines"]


def test_csv_single_column_and_empty_batches():
    """A row of one empty field is written as "" (Python's csv does so: a bare line end would be a blank line)."""
    batch = pa.record_batch({"t": pa.array(["a", "", None, "-1"])})
    assert http_api.batch_to_csv(batch) == 'a\r\n""\r\n""\r\n\'-1\r\n' == pandas_rows(batch)
    ints = pa.record_batch({"i": pa.array([1, None, 3], pa.int64())})
    assert http_api.batch_to_csv(ints) == '1\r\n""\r\n3\r\n' == pandas_rows(ints)
    assert http_api.batch_to_csv(batch.slice(0, 0)) == ""


def test_csv_of_a_sliced_batch():
    """Batches from DuckDB can be views into larger buffers (non-zero offsets): only the batch's own rows."""
    batch = pa.record_batch({"t": pa.array(["x,1", "=y", "z", 'q"', "w"]), "v": pa.array([1.0, 2.5, None, 4.0, 5.5])})
    part = batch.slice(1, 3)
    assert http_api.batch_to_csv(part) == "'=y,2.5\r\nz,\r\n\"q\"\"\",4.0\r\n" == pandas_rows(part)


FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
TEXT = st.text(alphabet=st.sampled_from(list("ab ,\"'\r\n\t=+-@;é€0")) | st.characters(codec="utf-8"), max_size=12)  # text a database can hold (no lone surrogates)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.none() | TEXT, st.none() | FLOATS, st.none() | st.integers(-2**63, 2**63 - 1),
                          st.none() | st.booleans()), min_size=1, max_size=25))
def test_csv_is_byte_identical_to_pandas(rows):
    texts, floats, ints, bools = (list(c) for c in zip(*rows))
    batch = pa.record_batch({"t": pa.array(texts, pa.string()), "f": pa.array(floats, pa.float64()),
                             "i": pa.array(ints, pa.int64()), "b": pa.array(bools, pa.bool_()),
                             "d": pa.array(texts, pa.string()).dictionary_encode()})
    assert http_api.batch_to_csv(batch) == pandas_rows(batch)


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_float_cells_are_pythons_repr(x):
    """Numbers read back exactly and look as before (9.6 stays 9.6, 25.0 stays 25.0, 1e-05, 1e+16)."""
    cell = http_api.batch_to_csv(pa.record_batch({"v": pa.array([x, -x])})).split(LINE_END)[:2]
    assert cell == [repr(x), repr(-x)]
    assert float(cell[0]) == x


def test_float_text_across_magnitudes():
    values = [s * m * 10.0 ** e for e in range(-12, 24) for m in (1.0, 1.5, 9.999, 3.0000000000000004) for s in (1, -1)]
    batch = pa.record_batch({"v": pa.array(values), "n": pa.array(["x"] * len(values))})
    assert http_api.batch_to_csv(batch) == "".join(f"{v!r},x\r\n" for v in values) == pandas_rows(batch)


# ---- the real warehouse: every dataset, the bytes users download --------------------------------------------

@pytest.fixture
def local_warehouse(warehouse, monkeypatch):
    monkeypatch.setenv("SDG87_WAREHOUSE", str(warehouse))
    return warehouse


FILTER_CASES = [
    ("observations", {}),
    ("observations", {"series": "SL_TLF_CHLDEC"}),
    ("observations", {"series": "SL_TLF_CHLDEC", "geo": "NGA,WLD", "sex": "female,total"}),
    ("observations", {"sex": "male", "age": "5-17", "from": "2010", "to": "2020"}),
    ("observations", {"geo": "NGA", "from": "2016"}),
    ("observations", {"age": "18+", "to": "2012"}),
    ("progress", {}),
    ("progress", {"series": "SL_TLF_CHLDEC", "sex": "total", "from": "2015"}),
    ("regional-gaps", {}),
    ("regional-gaps", {"series": "SL_TLF_CHLDEC", "to": "2020"}),
    ("series", {}),
    ("geographies", {}),
    ("geographies", {"geo": "NGA,WLD"}),
]


def extract_table(con, dataset: str, f: api.Filters) -> pa.Table:
    sql, params = api.sql_for(dataset, f)
    return con.sql(sql, params=params).to_arrow_table()


@pytest.mark.parametrize("dataset,filters", FILTER_CASES)
def test_streamed_csv_is_the_export_bytes(local_warehouse, dataset, filters):
    """The streamed CSV of a real extract, chunk by chunk, is byte for byte what pandas writes for its rows."""
    f = api.parse_filters(filters)
    sql, params = api.sql_for(dataset, f)
    body = b"".join(http_api.csv_stream(sql, params))
    with contextlib.closing(duckdb.connect(str(local_warehouse), read_only=True)) as con:
        table = extract_table(con, dataset, f)
    assert table.num_rows > 0, (dataset, filters)
    assert body == to_csv_bytes(table.to_pandas(integer_object_nulls=True))
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    assert len(rows) == table.num_rows


# ---- counts ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset,filters", FILTER_CASES + [("observations", {"series": "GSI_PREV", "from": "2000"})])
def test_count_is_the_number_of_rows_extracted(local_warehouse, dataset, filters):
    from dashboard import data

    f = api.parse_filters(filters)
    sql, params = api.sql_for(dataset, f)
    n = int(data.query(*api.count_query(dataset, f))["n"].iloc[0])
    assert n == len(data.query(sql, params)) > 0, (dataset, filters)
    if dataset == "observations":
        assert "geographies" not in api.count_query(dataset, f)[0], "observations are counted without the join"


def test_series_codebook_years_are_whole_numbers(local_warehouse):
    """The codebook a researcher downloads says target year 2025, not 2025.0 (pipelines/metadata/series.toml)."""
    import tomllib

    from pipelines.config import SERIES_TOML

    meta = tomllib.loads(SERIES_TOML.read_text())
    sql, params = api.sql_for("series", api.parse_filters({}))
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(b"".join(http_api.csv_stream(sql, params)).decode()))}
    with_year = {code: m["target_year"] for code, m in meta.items() if "target_year" in m}
    assert with_year and {code: rows[code]["target_year"] for code in with_year} == {
        code: str(year) for code, year in with_year.items()}
    assert rows["GE_CL_NUM"]["target_year"] == "2025"
