"""Stable GET endpoints for researchers: /api/v1/<dataset>.csv and .parquet (the export contract).

Filters and columns are those of `sdg87 export` (pipelines/api.py). Every parameter is validated: an unknown
parameter, a filter that does not apply to the dataset, or a value the warehouse does not know gets HTTP 400
with a plain message naming the parameter and the valid values. SQL text comes only from pipelines/api.py
(allow-listed identifiers, `?` placeholders for every value).

Both formats stream: the result is read in Arrow record batches (never the whole extract in memory) and each
batch is sent as it is produced (CSV: one chunk per batch; Parquet: one row group per batch). CSV cells are made
by Arrow compute kernels, column by column, and write the same bytes as `sdg87 export` (pandas `to_csv`, see
`batch_to_csv`). Text cells of the CSV that start with = + - @ tab or CR are neutralised (OWASP CSV injection);
numeric columns are untouched.
Extracts above the row limit (env SDG87_EXPORT_ROW_LIMIT, default 2,000,000) are refused with a 400 saying how
to narrow them. Every query runs under the time limit of dashboard/data.py (SDG87_QUERY_SECONDS).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from flask import Blueprint, Response, request

from dashboard import data
from pipelines import api
from pipelines.export import FORMULA_START, LINE_END

ENV_ROW_LIMIT = "SDG87_EXPORT_ROW_LIMIT"
DEFAULT_EXPORT_ROW_LIMIT = 2_000_000
BATCH_ROWS = 10_000  # rows per streamed chunk: 50,000 kept ~20-40 MB more per worker at 10 M rows, same speed
ALLOWED_PARAMS = set(api.FILTERS)
FORMATS = ("csv", "parquet")


def row_limit_from_env() -> int:
    raw = os.environ.get(ENV_ROW_LIMIT, "").strip()
    if not raw:
        return DEFAULT_EXPORT_ROW_LIMIT
    try:
        limit = int(raw.replace("_", ""))
    except ValueError:
        limit = 0
    if limit < 1:
        raise RuntimeError(f"{ENV_ROW_LIMIT}={raw!r}: expected a positive whole number of rows")
    return limit


EXPORT_ROW_LIMIT = row_limit_from_env()

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def bad_request(message: str) -> Response:
    return Response(message + "\n", status=400, mimetype="text/plain")


@blueprint.route("/<path:name>", methods=["GET"])
def extract(name: str) -> Response:
    dataset, _, fmt = name.rpartition(".")
    if dataset not in api.DATASETS or fmt not in FORMATS:
        return bad_request(f"unknown extract '{api.shown(name, 80)}'; valid: " +
                           ", ".join(f"/api/v1/{d}.{f}" for d in api.DATASETS for f in FORMATS))
    unknown = sorted(set(request.args) - ALLOWED_PARAMS)
    if unknown:
        return bad_request(f"parameter '{api.shown(unknown[0])}' is not known; "
                           f"valid parameters: {', '.join(api.FILTERS)}")
    if dataset in ("progress", "regional-gaps") and not data.has_table(api.DATASETS[dataset]):
        return bad_request(f"dataset '{dataset}' is not in this build")
    try:
        f = api.checked_filters(dataset, {k: request.args.getlist(k) for k in request.args},
                                lookup=data.known_values)
    except api.FilterError as exc:
        return bad_request(str(exc))
    sql, params = api.sql_for(dataset, f)
    n = int(data.query(*api.count_query(dataset, f))["n"].iloc[0])
    if n > EXPORT_ROW_LIMIT:
        return bad_request(f"this extract has {n:,} rows, above the limit of {EXPORT_ROW_LIMIT:,} rows per request; "
                           "narrow it with series, geo, sex, age, from or to (or use `sdg87 export` for the full "
                           "dataset)")
    build = data.build_id()
    filename = f"sdg87-{dataset}-{build}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-SDG87-Build": build,
               "X-SDG87-Rows": str(n), "Cache-Control": "no-store"}
    if fmt == "parquet":
        return Response(parquet_stream(sql, params), mimetype="application/vnd.apache.parquet", headers=headers)
    return Response(csv_stream(sql, params), mimetype="text/csv", headers=headers)


# ---- streaming -------------------------------------------------------------------------------------------

def record_batches(sql: str, params: list, batch_rows: int = BATCH_ROWS) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The schema and a lazy iterator of record batches, each read under the query time limit.

    `cursor.sql(...).to_arrow_reader()` streams from DuckDB (`execute(...).to_arrow_reader()` would materialise
    the whole result first). The stream runs on its own cursor of this thread's connection, so a half-read
    stream (client gone) never blocks the thread's next query; the cursor closes when the stream ends."""
    cursor = data.cursor()
    try:
        reader = data.time_limited(cursor, lambda: cursor.sql(sql, params=list(params)).to_arrow_reader(batch_rows))
    except BaseException:
        cursor.close()
        raise

    def batches():
        try:
            while True:
                try:
                    batch = data.time_limited(cursor, reader.read_next_batch)
                except StopIteration:
                    return
                yield batch
        finally:
            cursor.close()

    return reader.schema, batches()


def csv_stream(sql: str, params: list) -> Iterator[bytes]:
    """Yield the CSV header, then one chunk per Arrow record batch (RFC 4180: CRLF line ends), as UTF-8 bytes."""
    schema, batches = record_batches(sql, params)

    def generate():
        yield (",".join(schema.names) + LINE_END).encode("utf-8")
        for batch in batches:
            yield batch_to_csv_bytes(batch)

    return generate()


def batch_to_csv(batch: pa.RecordBatch) -> str:
    """One record batch as CSV rows (no header); see batch_to_csv_bytes."""
    return batch_to_csv_bytes(batch).decode("utf-8")


def batch_to_csv_bytes(batch: pa.RecordBatch) -> bytes:
    """One record batch as CSV rows (no header), in UTF-8: the bytes pandas `to_csv` writes for the same rows
    (`sdg87 export`, and this endpoint before it used Arrow), made by Arrow compute kernels column by column.

    Text cells neutralised (`'` before = + - @ tab CR) and quoted only when they hold a comma, quote, CR or LF
    (quotes doubled); numbers written as numbers (integers stay integers even with nulls; floats as Python's repr);
    booleans True/False; nulls and NaN as empty cells; rows end with CRLF. On the 46,169-row observations extract
    of a 10 M-row warehouse (11.5 MB) it takes about 16 ms instead of 550 ms. (pyarrow.csv.write_csv, 35 ms, is not
    the same file: it quotes every text cell, writes 25.0 as 25 and 1e-05 as 0.00001, and booleans as true/false.)"""
    if batch.num_rows == 0:
        return b""
    cells = [_cells(column) for column in batch.columns]
    if len(cells) == 1:  # Python's csv writes a row holding one empty field as "" (else it would be a blank line)
        cells[0] = pc.if_else(pc.equal(pc.fill_null(cells[0], ""), ""), '""', cells[0])
    cells[-1] = pc.binary_join_element_wise(cells[-1], LINE_END, "", null_handling="replace", null_replacement="")
    rows = pc.binary_join_element_wise(*cells, ",", null_handling="replace", null_replacement="")
    offsets = np.frombuffer(rows.buffers()[1], np.int32, count=len(rows) + 1, offset=rows.offset * 4)
    return rows.buffers()[2][int(offsets[0]):int(offsets[-1])].to_pybytes()


_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(c) for c in FORMULA_START]] = True  # all ASCII: a UTF-8 text starts with one iff its 1st byte is
# the bytes that make Python's csv (QUOTE_MINIMAL, CRLF line ends) quote a field; all four are below "-", so one
# comparison rules out most bytes of most text
_QUOTE_BYTES = np.array([ord(c) for c in ',"\r\n'], np.uint8)
_QUOTE_BELOW = _QUOTE_BYTES.max() + 1
_NULL_TEXT = pa.scalar(None, pa.string())


def _cells(column: pa.Array) -> pa.Array:
    """The CSV text of each cell of one column (null: empty cell)."""
    t = column.type
    if pa.types.is_dictionary(t):
        return _cells(column.dictionary_decode())
    if pa.types.is_string(t):
        return _text_cells(column)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return _text_cells(column.cast(pa.string()))
    if pa.types.is_floating(t):
        return _float_cells(column if t == pa.float64() else column.cast(pa.float64()))
    if pa.types.is_integer(t):
        return column.cast(pa.string())
    if pa.types.is_boolean(t):
        return pc.if_else(column, "True", "False")
    # anything else (none in the datasets today) as Python's str of the value, like pandas writes object cells
    return _text_cells(pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string()))


def _text_cells(column: pa.StringArray) -> pa.StringArray:
    """Text cells: neutralised (OWASP CSV injection), then quoted where needed. Which rows need either is found on
    the raw UTF-8 bytes (the first byte of each cell; the positions of , " CR LF), and only those rows are rewritten,
    so a column without any costs a pass or two over its bytes."""
    n = len(column)
    offsets = np.frombuffer(column.buffers()[1], np.int32, count=n + 1, offset=column.offset * 4)
    raw = column.buffers()[2]
    content = np.frombuffer(raw, np.uint8) if raw is not None and raw.size else np.zeros(1, np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    formula = (ends > starts) & _FORMULA_BYTES[content[np.minimum(starts, len(content) - 1)]]
    used = content[offsets[0]:offsets[-1]]
    quote = None
    if (used < _QUOTE_BELOW).any():
        special = used == _QUOTE_BYTES[0]
        for byte in _QUOTE_BYTES[1:]:
            special |= used == byte
        positions = np.flatnonzero(special)
        if positions.size:
            quote = np.zeros(n, dtype=bool)
            quote[np.searchsorted(offsets, positions + offsets[0], side="right") - 1] = True
    if formula.any():
        column = _rewrite(column, formula, lambda cells: pc.binary_join_element_wise("'", cells, ""))
    if quote is not None:
        column = _rewrite(column, quote, lambda cells: pc.binary_join_element_wise(
            '"', pc.replace_substring(cells, '"', '""'), '"', ""))
    return column


def _float_cells(column: pa.DoubleArray) -> pa.StringArray:
    """Floats as Python's repr (what pandas writes): the shortest text that reads back as the same number.

    Arrow's cast to string also gives the shortest digits, positional for 1e-6 <= |x| < 1e10, where it is the repr
    but for the ".0" of whole numbers; repr is positional for 1e-4 <= |x| < 1e16. Values outside both ranges (rare
    in these statistics) are formatted by Python itself. NaN is an empty cell, as in pandas."""
    text = column.cast(pa.string())
    values = column.to_numpy(zero_copy_only=False)  # nulls -> NaN
    with np.errstate(invalid="ignore"):
        size = np.abs(values)
        arrow_is_repr = ((size >= 1e-4) & (size < 1e10)) | (values == 0)
        whole = arrow_is_repr & (np.floor(values) == values)
        other = ~arrow_is_repr & np.isfinite(values)
    if whole.any():
        text = _rewrite(text, whole, lambda cells: pc.binary_join_element_wise(cells, ".0", ""))
    if other.any():
        text = _rewrite(text, other, lambda cells: pa.array([repr(float(v)) for v in values[other]], pa.string()))
    nan = np.isnan(values)
    if nan.any():
        text = pc.if_else(pa.array(nan), _NULL_TEXT, text)
    return text


def _rewrite(column: pa.StringArray, mask: np.ndarray, rewrite: Callable[[pa.StringArray], pa.StringArray]
             ) -> pa.StringArray:
    """The column with the cells where `mask` is true replaced by `rewrite` of those cells."""
    return pc.replace_with_mask(column, pa.array(mask), rewrite(column.take(pa.array(np.flatnonzero(mask)))))


class _ChunkSink:
    """A write-only file object collecting what ParquetWriter writes, handed on chunk by chunk."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.position = 0
        self.closed = False

    def write(self, b) -> int:
        b = bytes(b)
        self.parts.append(b)
        self.position += len(b)
        return len(b)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def parquet_stream(sql: str, params: list) -> Iterator[bytes]:
    """Yield a Parquet file row group by row group (one per record batch), then its footer."""
    schema, batches = record_batches(sql, params)

    def generate():
        sink = _ChunkSink()
        with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
            for batch in batches:
                writer.write_batch(batch)
                chunk = sink.take()
                if chunk:
                    yield chunk
        yield sink.take()

    return generate()


def parquet_bytes(sql: str, params: list) -> bytes:
    """The whole Parquet file in memory (small extracts and tests)."""
    return b"".join(parquet_stream(sql, params))
