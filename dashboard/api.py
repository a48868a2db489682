"""Stable GET endpoints for researchers: /api/v1/<dataset>.csv and .parquet (the export contract).

Filters and columns are those of `sdg87 export` (pipelines/api.py). Bad parameters get HTTP 400 with a plain
message naming the parameter and the valid values. CSV streams in record batches; text cells that start
with = + - @ tab or CR are neutralised (OWASP CSV injection). Extracts above EXPORT_ROW_LIMIT rows are
refused with a message saying how to narrow them.
"""
from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
from flask import Blueprint, Response, request

from dashboard import data
from pipelines import api
from pipelines.export import FORMULA_START

EXPORT_ROW_LIMIT = 2_000_000
ALLOWED_PARAMS = set(api.FILTERS)
FORMATS = ("csv", "parquet")

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def bad_request(message: str) -> Response:
    return Response(message + "\n", status=400, mimetype="text/plain")


@blueprint.route("/<path:name>")
def extract(name: str) -> Response:
    dataset, _, fmt = name.rpartition(".")
    if dataset not in api.DATASETS or fmt not in FORMATS:
        return bad_request(f"unknown extract '{name[:80]}'; valid: " +
                           ", ".join(f"/api/v1/{d}.{f}" for d in api.DATASETS for f in FORMATS))
    unknown = sorted(set(request.args) - ALLOWED_PARAMS)
    if unknown:
        return bad_request(f"parameter '{unknown[0][:60]}' is not known; valid parameters: {', '.join(api.FILTERS)}")
    if dataset in ("progress", "regional-gaps") and not data.has_table(api.DATASETS[dataset]):
        return bad_request(f"dataset '{dataset}' is not in this build")
    try:
        f = api.parse_filters({k: request.args.getlist(k) for k in request.args})
        api.validate(data.connection(), f)
    except api.FilterError as exc:
        return bad_request(str(exc))
    sql, params = api.sql_for(dataset, f)
    n = data.query(f"SELECT count(*) AS n FROM ({sql})", params)["n"].iloc[0]
    if n > EXPORT_ROW_LIMIT:
        return bad_request(f"this extract has {n:,} rows, above the limit of {EXPORT_ROW_LIMIT:,}; "
                           "narrow it with series, geo, sex, age, from or to")
    filename = f"sdg87-{dataset}-{data.build_id()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-SDG87-Build": data.build_id()}
    if fmt == "parquet":
        return Response(parquet_bytes(sql, params), mimetype="application/vnd.apache.parquet", headers=headers)
    return Response(csv_stream(sql, params), mimetype="text/csv", headers=headers)


def csv_stream(sql: str, params: list):
    """Yield the CSV header, then one chunk per Arrow record batch."""
    reader = data.connection().execute(sql, params).to_arrow_reader(50_000)
    yield ",".join(reader.schema.names) + "\n"
    for batch in reader:
        yield batch_to_csv(batch)


def batch_to_csv(batch: pa.RecordBatch) -> str:
    frame = batch.to_pandas()
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False)
    return buf.getvalue()


def parquet_bytes(sql: str, params: list) -> bytes:
    table = data.connection().execute(sql, params).to_arrow_table()
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()
