"""Machine-readable documentation of every /api/v1 extract: a Frictionless Data Package descriptor, a codebook
and a recommended citation.

    GET /api/v1/datapackage.json?dataset=observations&series=…&geo=…   descriptor for exactly that extract
    GET /api/v1/codebook.csv                                           dataset, column, type, description
    GET /api/v1/citation.txt?dataset=…&series=…                        recommended citation (build id + sources)

The filters are those of the export contract (pipelines/api.py), validated the same way: an unknown parameter
or value is HTTP 400 with a plain message. Field names and types come from the warehouse itself (the export
query, described with LIMIT 0), so the schema always equals the CSV header of the same request; descriptions
come from the table below.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

import duckdb
from flask import Blueprint, Response, request

from dashboard import data
from dashboard.components import api_url
from pipelines import api

blueprint = Blueprint("datapackage_v1", __name__, url_prefix="/api/v1")

PACKAGE_PARAMS = set(api.FILTERS) | {"dataset"}
MART_DATASETS = ("progress", "regional-gaps")

TITLES = {
    "observations": "Observations: every current-edition value with its lineage",
    "progress": "Progress towards SDG 8.7 by series, geography, sex and age",
    "regional-gaps": "Regional values, coverage and pace gaps",
    "series": "Series catalogue",
    "geographies": "Geographies and group memberships",
}

# Declared only where the warehouse guarantees uniqueness (checked by tests/test_datapackage.py).
PRIMARY_KEYS = {
    "observations": ["series", "geo", "year", "sex", "age", "source", "edition"],
    "progress": ["series", "geo", "sex", "age"],
    "regional-gaps": ["scheme", "region", "series", "sex", "age", "year", "kind"],
    "series": ["code"],
    "geographies": ["code"],
}

_SEX = "sex: total, female, male (other, unknown where the source reports them)"
_AGE = "age band in years as published (e.g. 5-17, 5-14, 15-17, <18, 18+, all); bands are not comparable"
_CHANGE = "in indicator units per year (percentage points per year for percentages)"

# dataset -> column -> (Table Schema type used when the table is not in this build, description)
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "observations": {
        "series": ("string", "series code (see the series dataset)"),
        "geo": ("string", "geography code: ISO 3166 alpha-3 for countries, scheme code for regions (see geographies)"),
        "geo_name": ("string", "geography name"),
        "year": ("integer", "reference year of the value"),
        "sex": ("string", _SEX),
        "age": ("string", _AGE),
        "value": ("number", "the value as published by the source, in `unit`"),
        "unit": ("string", "unit of value: percent, per_1000, per_100000, number, thousands, millions, score_percent"),
        "nature": ("string", "nature code of the value as published (UN SDG: C country data, CA country adjusted, "
                             "E estimated, M modelled, N non-relevant); empty when the source gives none"),
        "lower": ("number", "lower bound of the published uncertainty interval, where given"),
        "upper": ("number", "upper bound of the published uncertainty interval, where given"),
        "source": ("string", "source id (see the sources table: datapackage.json `sources`)"),
        "edition": ("string", "edition or release of the source the value was read from"),
        "footnote": ("string", "footnote or flag published with the value"),
        "raw_file": ("string", "raw file the value was read from, relative to the raw mirror (data/raw)"),
        "raw_sha256": ("string", "SHA-256 of raw_file as read by the build"),
        "raw_sheet": ("string", "worksheet of raw_file where the value was read (empty for CSV files)"),
        "raw_row": ("integer", "1-based row in raw_file where the value was read (worksheet row for spreadsheets; "
                               "for CSV files the header is row 1)"),
    },
    "series": {
        "code": ("string", "series code"),
        "name": ("string", "series name"),
        "unit": ("string", "unit of the series values"),
        "sdg_target": ("string", "SDG target the series monitors"),
        "target_value": ("number", "target value (every SDG 8.7 target is elimination: 0)"),
        "target_year": ("integer", "target year (2025 for child labour; 2030 horizon otherwise)"),
        "source": ("string", "source id of the series"),
        "definition": ("string", "definition of the series as published"),
    },
    "geographies": {
        "code": ("string", "geography code"),
        "name": ("string", "geography name"),
        "type": ("string", "country, region or world"),
        "iso3": ("string", "ISO 3166 alpha-3 code (countries)"),
        "m49": ("string", "UN M49 numeric code"),
        "memberships": ("string", "group memberships as scheme:group separated by ';' "
                                  "(sdg_region, sdg_subregion, ldc, lldc, sids, ilo_region)"),
    },
    "progress": {
        "series": ("string", "series code"),
        "geo": ("string", "geography code"),
        "geo_name": ("string", "geography name"),
        "geo_type": ("string", "country, region or world"),
        "sex": ("string", _SEX),
        "age": ("string", _AGE),
        "unit": ("string", "unit of the values"),
        "source": ("string", "source id of the comparable series"),
        "edition": ("string", "edition(s) of the points used, separated by ';'"),
        "n_points": ("integer", "number of comparable data points (current edition, trend-eligible)"),
        "years": ("string", "years of the data points, separated by ';'"),
        "first_year": ("integer", "year of the first data point"),
        "first_value": ("number", "value at first_year"),
        "latest_year": ("integer", "year of the latest data point (the from/to filters apply to this column)"),
        "latest_value": ("number", "value at latest_year"),
        "change_per_year": ("number", f"observed change {_CHANGE}"),
        "change_method": ("string", "ols (3+ years), endpoint (2 years) or empty (fewer than two years)"),
        "aarr": ("number", "average annual rate of reduction (fraction per year; 0.05 = 5 % a year)"),
        "aarr_method": ("string", "regression or endpoint"),
        "aarr_flag": ("string", "why aarr is empty, where it is"),
        "target_value": ("number", "target value (0)"),
        "target_year": ("integer", "target year"),
        "required_change_per_year": ("number", f"change needed to reach the target by target_year, {_CHANGE}"),
        "pace_multiple": ("number", "required change ÷ observed change (how many times faster progress must be)"),
        "pace_flag": ("string", "why pace_multiple is empty, where it is"),
        "projected_2025": ("number", "linear projection of the value to 2025"),
        "projected_2030": ("number", "linear projection of the value to 2030"),
        "years_to_target": ("number", "years to reach the target at the observed pace"),
        "target_met": ("boolean", "the latest value meets the target"),
        "status": ("string", "target met, on track, acceleration needed, limited progress, deterioration, "
                             "insufficient data"),
        "status_2025": ("string", "child labour only: met or missed against the passed 2025 target"),
        "gap_2025": ("number", "value above the 2025 target, on the latest data or projection"),
        "gap_2025_basis": ("string", "observed or projected"),
        "required_change_per_year_2030": ("number", f"change needed to reach the target by 2030, {_CHANGE}"),
        "pace_multiple_2030": ("number", "required change to 2030 ÷ observed change"),
        "note": ("string", "plain-language note on the row"),
        "child_population_thousands": ("number", "child population (thousands, UN WPP) used to estimate numbers"),
        "child_population_year": ("number", "year of child_population_thousands"),
        "estimated_children_thousands": ("number", "latest prevalence × child population (thousands); approximate"),
        "population_note": ("string", "how the child population was approximated"),
    },
    "regional-gaps": {
        "scheme": ("string", "regional scheme (sdg_region, ilo_region, unicef_region, ldc, lldc, sids, world, …)"),
        "region": ("string", "region code"),
        "region_name": ("string", "region name"),
        "series": ("string", "series code"),
        "sex": ("string", _SEX),
        "age": ("string", _AGE),
        "year": ("integer", "reference year"),
        "value": ("number", "regional value: published (kind=official) or population-weighted (kind=computed)"),
        "unit": ("string", "unit of value"),
        "kind": ("string", "official (published by the source) or computed (by the Monitor from country data)"),
        "source": ("string", "source id(s) of the value"),
        "edition": ("string", "edition(s) of the value"),
        "n_countries_with_data": ("integer", "member countries with data (computed rows)"),
        "n_countries": ("integer", "member countries of the region"),
        "coverage_population_share": ("number", "share of the region's child population covered by data (0-1)"),
        "population_basis": ("string", "population used as weights"),
        "data_years": ("string", "years of the country data used, separated by ';'"),
        "observed_change_per_year": ("number", f"observed change {_CHANGE}"),
        "required_change_per_year": ("number", f"change needed to reach the target, {_CHANGE}"),
        "pace_multiple": ("number", "required change ÷ observed change"),
        "status": ("string", "progress status, as in the progress dataset"),
        "note": ("string", "plain-language note on the row"),
    },
}

_TYPES = [("BOOL", "boolean"), ("TIMESTAMP", "datetime"), ("DATE", "date"), ("INT", "integer"),
          ("DOUBLE", "number"), ("FLOAT", "number"), ("DECIMAL", "number"), ("REAL", "number")]


class BadParameter(ValueError):
    pass


def table_type(duckdb_type: str) -> str:
    """Table Schema type of a DuckDB column type."""
    t = duckdb_type.upper()
    return next((out for prefix, out in _TYPES if prefix in t), "string")


def available(dataset: str) -> bool:
    return dataset not in MART_DATASETS or data.has_table(api.DATASETS[dataset])


def parse(args) -> tuple[str, api.Filters, dict]:
    """dataset, validated filters and the filters as given (for the CSV link); BadParameter on anything wrong."""
    unknown = sorted(set(args) - PACKAGE_PARAMS)
    if unknown:
        raise BadParameter(f"parameter '{api.shown(unknown[0])}' is not known; valid parameters: dataset, "
                           + ", ".join(api.FILTERS))
    dataset = (args.get("dataset") or "observations").strip()
    if dataset not in api.DATASETS:
        raise BadParameter(f"parameter 'dataset': unknown value '{dataset[:60]}'; valid values: "
                           + ", ".join(api.DATASETS))
    if not available(dataset):
        raise BadParameter(f"dataset '{dataset}' is not in this build")
    raw = {k: args.getlist(k) if hasattr(args, "getlist") else args[k] for k in args if k != "dataset"}
    try:
        f = api.checked_filters(dataset, raw, lookup=data.known_values)
    except api.FilterError as exc:
        raise BadParameter(str(exc)) from exc
    try:  # a filter the dataset has no column for (e.g. geo on a mart without geo) is refused, not a 500
        fields(dataset, f)
    except duckdb.BinderException as exc:
        raise BadParameter(f"these filters cannot be applied to dataset '{dataset}': "
                           f"{str(exc).splitlines()[0][:200]}") from exc
    return dataset, f, filter_dict(f)


def filter_dict(f: api.Filters) -> dict:
    return {"series": list(f.series), "geo": list(f.geo), "sex": list(f.sex), "age": list(f.age),
            "from": f.year_from, "to": f.year_to}


def fields(dataset: str, f: api.Filters | None = None) -> list[dict]:
    """Name, type and description of every column of the extract, in CSV order."""
    docs = COLUMNS[dataset]
    if not available(dataset):  # documented columns only (codebook before the marts exist)
        return [{"name": c, "type": t, "description": d} for c, (t, d) in docs.items()]
    sql, params = api.sql_for(dataset, f or api.Filters())
    described = data.cached(f"DESCRIBE SELECT * FROM ({sql}) LIMIT 0", tuple(params))
    return [{"name": name, "type": table_type(kind),
             "description": docs.get(name, ("", f"{name} (see docs/marts.md)"))[1]}
            for name, kind in zip(described["column_name"], described["column_type"])]


def build_info() -> dict:
    row = data.cached("SELECT build_id, built_at FROM build_info").iloc[0]
    built = row["built_at"]
    built = built.isoformat() if hasattr(built, "isoformat") else str(built)
    return {"build_id": str(row["build_id"]), "built_at": built}


_TOKEN = re.compile(r"^([A-Za-z0-9_]+) \((.*)\)$")


def _pairs(source: str, edition: str) -> list[tuple[str, str]]:
    """(source, edition) pairs behind one row: 'un_sdg (A); un_sdg (B)' or source 'published', edition 'A; B'."""
    if "(" in source:
        out = [(m.group(1), m.group(2)) for m in (_TOKEN.match(t.strip()) for t in source.split("; ")) if m]
        if out:
            return out
    return [(source, e.strip()) for e in str(edition or "").split("; ") if e.strip()] or [(source, "")]


def published_citations() -> dict:
    """Per-edition citations of the curated published estimates (each row of that table cites its report)."""
    if not data.has_table("published_citations"):
        return {}
    frame = data.cached("SELECT edition, publisher, year, title, url FROM published_citations")
    return {r.edition: r for r in frame.itertuples(index=False)}


def extract_sources(dataset: str, f: api.Filters | None = None) -> list[dict]:
    """The source editions behind an extract, each with publisher, licence, URL and citation."""
    table = data.sources()
    keep = ["source", "source_name", "publisher", "licence", "url", "edition", "edition_date", "citation"]
    table = table[keep].astype(object).where(table[keep].notna(), None)
    if dataset in ("series", "geographies"):
        return [dict(r) for r in table.to_dict("records")]
    sql, params = api.sql_for(dataset, f or api.Filters(), order=False)
    used = data.cached(f"SELECT DISTINCT source, edition FROM ({sql}) ORDER BY ALL", tuple(params))
    pairs = sorted({p for r in used.itertuples(index=False) for p in _pairs(str(r.source), str(r.edition))})
    published = published_citations()
    out = []
    for source, edition in pairs:
        exact = table[(table["source"] == source) & (table["edition"] == edition)]
        if not exact.empty:
            out.append(dict(exact.iloc[0]))
            continue
        same = table[table["source"] == source]
        entry = dict(same.iloc[0]) if not same.empty else {k: None for k in keep} | {"source": source}
        entry["edition"] = edition
        cite = published.get(edition)
        if source == "published" and cite is not None:
            entry.update(publisher=cite.publisher, edition_date=str(cite.year), url=cite.url or entry.get("url"),
                         citation=f"{cite.publisher} ({cite.year}). {cite.title}.")
        out.append(entry)
    return out


def absolute(path: str) -> str:
    return request.url_root.rstrip("/") + path


def descriptor(dataset: str, f: api.Filters, filters: dict) -> dict:
    info = build_info()
    sources = extract_sources(dataset, f)
    csv_path = absolute(api_url(dataset, "csv", **filters))
    licenses, seen = [], set()
    for s in sources:
        key = (s.get("source_name"), s.get("licence"))
        if key in seen or not s.get("licence"):
            continue
        seen.add(key)
        licenses.append({"title": f"{s['licence']} ({s.get('source_name') or s['source']})",
                         "path": s.get("url") or absolute("/methodology")})
    schema = {"fields": fields(dataset, f), "missingValues": [""]}
    if dataset in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[dataset]
    return {
        "profile": "tabular-data-package",
        "name": f"sdg87-{dataset}",
        "id": f"sdg87-{dataset}-{info['build_id']}",
        "title": f"SDG 8.7 Monitor: {TITLES[dataset]}",
        "description": ("An extract of the SDG 8.7 Monitor warehouse with the filters shown in resources[0].path. "
                        "Values are as published by each source; every observation row names its raw file, "
                        "SHA-256, sheet and row. Most countries have one comparable child-labour data point; "
                        "age bands, series and editions are not comparable with each other."),
        "version": info["build_id"],
        "created": info["built_at"],
        "homepage": absolute("/data"),
        "licenses": licenses,
        "sources": [{"title": f"{s.get('source_name') or s['source']}, {s.get('edition') or ''}".rstrip(", "),
                     "path": s.get("url") or "", "source": s["source"], "publisher": s.get("publisher"),
                     "edition": s.get("edition"), "edition_date": s.get("edition_date"),
                     "licence": s.get("licence"), "citation": s.get("citation")} for s in sources],
        "sdg87:build": info,
        "sdg87:filters": {k: v for k, v in filters.items() if v not in (None, [], "")},
        "sdg87:citation": citation_text(dataset, f, filters, info=info, sources=sources),
        "resources": [{
            "profile": "tabular-data-resource",
            "name": dataset,
            "path": csv_path,
            "sdg87:parquet": absolute(api_url(dataset, "parquet", **filters)),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": ("CSV with a header row. Text cells starting with = + - @ tab or CR are prefixed with "
                            "an apostrophe (CSV-injection guard); empty cells are missing values."),
            "schema": schema,
        }],
    }


def describe_filters(filters: dict) -> str:
    parts = [f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
             for k, v in filters.items() if v not in (None, [], "")]
    return "; ".join(parts) if parts else "no filters"


def citation_text(dataset: str, f: api.Filters, filters: dict, base: str | None = None,
                  info: dict | None = None, sources: list[dict] | None = None) -> str:
    """Recommended citation for an extract: the Monitor build, the exact request, then the original sources
    (`info` and `sources` when the caller has them already)."""
    info = info or build_info()
    url = (base.rstrip("/") if base is not None else request.url_root.rstrip("/")) + api_url(dataset, "csv", **filters)
    lines = [f"SDG 8.7 Monitor, build {info['build_id']} (built {info['built_at']}). "
             f"{TITLES[dataset]} ({dataset}; {describe_filters(filters)}). {url}. "
             f"Accessed {datetime.now(timezone.utc):%Y-%m-%d}.",
             "",
             "Original sources (please cite them too):"]
    for s in sources if sources is not None else extract_sources(dataset, f):
        name = s.get("source_name") or s["source"]
        lines.append(f"- {s.get('citation') or name} [{name}; edition {s.get('edition') or 'n/a'}; "
                     f"licence: {s.get('licence') or 'not stated'}"
                     + (f"; {s['url']}" if s.get("url") else "") + "]")
    return "\n".join(lines) + "\n"


def codebook() -> list[dict]:
    """Every column of every dataset of the export contract."""
    return [{"dataset": d, "column": c["name"], "type": c["type"], "description": c["description"]}
            for d in api.DATASETS for c in fields(d)]


def bad_request(message: str) -> Response:
    return Response(message + "\n", status=400, mimetype="text/plain")


def _headers(name: str) -> dict:
    return {"Content-Disposition": f'inline; filename="{name}"', "X-SDG87-Build": build_info()["build_id"]}


@blueprint.route("/datapackage.json")
def datapackage_json() -> Response:
    try:
        dataset, f, filters = parse(request.args)
    except BadParameter as exc:
        return bad_request(str(exc))
    body = json.dumps(descriptor(dataset, f, filters), indent=2, ensure_ascii=False, default=str)
    return Response(body, mimetype="application/json", headers=_headers(f"datapackage-{dataset}.json"))


@blueprint.route("/codebook.csv")
def codebook_csv() -> Response:
    if request.args:
        return bad_request(f"parameter '{sorted(request.args)[0][:60]}' is not known; codebook.csv takes none")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["dataset", "column", "type", "description"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(codebook())
    return Response(buf.getvalue(), mimetype="text/csv", headers=_headers("sdg87-codebook.csv"))


@blueprint.route("/citation.txt")
def citation_txt() -> Response:
    try:
        dataset, f, filters = parse(request.args)
    except BadParameter as exc:
        return bad_request(str(exc))
    return Response(citation_text(dataset, f, filters), mimetype="text/plain",
                    headers=_headers(f"sdg87-{dataset}-citation.txt"))
