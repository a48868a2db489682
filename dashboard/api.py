"""Stable GET endpoints for researchers: /api/v1/<dataset>.csv and .parquet (the export contract).

Filters and columns are those of `sdg87 export` (pipelines/api.py). Every parameter is validated: an unknown
parameter, a filter that does not apply to the dataset, or a value the warehouse does not know gets HTTP 400
with a plain message naming the parameter and the valid values. SQL text comes only from pipelines/api.py
(allow-listed identifiers, `?` placeholders for every value).

Both formats stream: the result is read in Arrow record batches (never the whole extract in memory) and each
batch is sent as it is produced (CSV: one chunk per batch; Parquet: one row group per batch). Text cells of the
CSV that start with = + - @ tab or CR are neutralised (OWASP CSV injection); numeric columns are untouched.
Extracts above the row limit (env SDG87_EXPORT_ROW_LIMIT, default 2,000,000) are refused with a 400 saying how
to narrow them. Every query runs under the time limit of dashboard/data.py (SDG87_QUERY_SECONDS).
"""
from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from flask import Blueprint, Response, request

from dashboard import data
from pipelines import api
from pipelines.export import LINE_END, neutralise

ENV_ROW_LIMIT = "SDG87_EXPORT_ROW_LIMIT"
DEFAULT_EXPORT_ROW_LIMIT = 2_000_000
BATCH_ROWS = 50_000
ALLOWED_PARAMS = set(api.FILTERS)
FORMATS = ("csv", "parquet")

T = TypeVar("T")


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


def known_values(sql: str) -> list:
    """First column of one of pipelines.api.KNOWN_VALUES_SQL (fixed SQL), cached per build, time-limited."""
    return data.cached(sql).iloc[:, 0].tolist()


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
        raw = {k: request.args.getlist(k) for k in request.args}
        api.check_applicable(dataset, [k for k, v in raw.items() if any(x.strip() for x in v)])
        f = api.parse_filters(raw)
        api.validate(None, f, lookup=known_values)
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

def _time_limited(con: duckdb.DuckDBPyConnection, step: Callable[[], T]) -> T:
    """Run one step of a streamed query under the query time limit (interrupts the connection when over)."""
    timer = threading.Timer(data.QUERY_SECONDS, con.interrupt)
    timer.start()
    try:
        return step()
    except duckdb.InterruptException as exc:
        raise data.QueryTimeout(f"query took longer than {data.QUERY_SECONDS:g} s") from exc
    finally:
        timer.cancel()


def record_batches(sql: str, params: list, batch_rows: int = BATCH_ROWS) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The schema and a lazy iterator of record batches, each read under the query time limit.

    `cursor.sql(...).to_arrow_reader()` streams from DuckDB (`execute(...).to_arrow_reader()` would materialise
    the whole result first). The stream runs on its own cursor of this thread's connection, so a half-read
    stream (client gone) never blocks the thread's next query; the cursor closes when the stream ends."""
    cursor = data.cursor()
    try:
        reader = _time_limited(cursor, lambda: cursor.sql(sql, params=list(params)).to_arrow_reader(batch_rows))
    except BaseException:
        cursor.close()
        raise

    def batches():
        try:
            while True:
                try:
                    batch = _time_limited(cursor, reader.read_next_batch)
                except StopIteration:
                    return
                yield batch
        finally:
            cursor.close()

    return reader.schema, batches()


def csv_stream(sql: str, params: list) -> Iterator[str]:
    """Yield the CSV header, then one chunk per Arrow record batch (RFC 4180: CRLF line ends)."""
    schema, batches = record_batches(sql, params)

    def generate():
        yield ",".join(schema.names) + LINE_END
        for batch in batches:
            yield batch_to_csv(batch)

    return generate()


def batch_to_csv(batch: pa.RecordBatch) -> str:
    """One record batch as CSV rows (no header), text cells neutralised, numbers written as numbers
    (integers stay integers even when the batch has nulls)."""
    frame = neutralise(batch.to_pandas(integer_object_nulls=True))
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False, lineterminator=LINE_END)
    return buf.getvalue()


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
