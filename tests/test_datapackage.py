"""HTTP tests of /api/v1/datapackage.json, codebook.csv and citation.txt against the real server and warehouse."""
from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import urlencode

import pytest

TABLE_SCHEMA_TYPES = {"string", "number", "integer", "boolean", "date", "datetime", "time", "year", "object", "array",
                      "any"}
DATASETS = ["series", "geographies", "observations", "progress", "regional-gaps"]


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8")


def csv_rows(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def picks(wh):
    """A series and two geographies with current observations, chosen from the warehouse."""
    series, geo = wh.execute("""SELECT series, geo FROM observations WHERE is_current AND series = 'SL_TLF_CHLDEC'
                                GROUP BY ALL ORDER BY count(*) DESC, geo LIMIT 1""").fetchone()
    return {"series": series, "geo": geo}


def extracts(picks) -> list[tuple[str, dict]]:
    return [("observations", {"series": picks["series"], "geo": f"{picks['geo']},WLD"}),
            ("observations", {"series": "GSI_PREV", "from": "2000"}),
            ("progress", {"series": picks["series"]}),
            ("regional-gaps", {"series": picks["series"], "sex": "total"}),
            ("series", {}),
            ("geographies", {"geo": picks["geo"]})]


def test_datapackage_schema_matches_the_csv(server, wh, picks):
    build_id = wh.execute("SELECT build_id FROM build_info").fetchone()[0]
    for dataset, filters in extracts(picks):
        status, ctype, body = get(f"{server}/api/v1/datapackage.json?" + urlencode({"dataset": dataset, **filters}))
        assert status == 200, (dataset, filters, body)
        assert ctype.startswith("application/json")
        pkg = json.loads(body)
        assert pkg["name"] and pkg["title"] and pkg["profile"] == "tabular-data-package"
        assert pkg["version"] == build_id
        datetime.fromisoformat(pkg["created"])
        assert pkg["licenses"] and all(l.get("title") and l.get("path") for l in pkg["licenses"])
        assert pkg["sources"] and all(s.get("title") and s.get("citation") for s in pkg["sources"])
        assert len(pkg["resources"]) == 1
        res = pkg["resources"][0]
        assert res["path"].startswith(f"{server}/api/v1/{dataset}.csv")
        fields = res["schema"]["fields"]
        assert all(f["type"] in TABLE_SCHEMA_TYPES and f["description"] for f in fields)
        status, _, text = get(res["path"])  # the resource is exactly the CSV of the same filters
        assert status == 200, text
        header, rows = csv_rows(text)
        assert [f["name"] for f in fields] == header
        key = res["schema"].get("primaryKey")
        if key:
            assert set(key) <= set(header)
            idx = [header.index(k) for k in key]
            keys = [tuple(r[i] for i in idx) for r in rows]
            assert len(keys) == len(set(keys)), f"primaryKey {key} is not unique in {dataset}"
        assert build_id in pkg["sdg87:citation"]


def test_datapackage_sources_are_the_extracts_sources(server, wh, picks):
    """Every (source, edition) of the rows is listed with the citation the sources table gives it."""
    pkg = json.loads(get(f"{server}/api/v1/datapackage.json?series={picks['series']}&geo={picks['geo']}")[2])
    used = wh.execute("""SELECT DISTINCT o.source, o.edition, s.citation FROM observations o
                         LEFT JOIN sources s ON s.source = o.source AND s.edition = o.edition
                         WHERE o.is_current AND o.series = ? AND o.geo = ?""",
                      [picks["series"], picks["geo"]]).fetchall()
    listed = {(s["source"], s["edition"]): s["citation"] for s in pkg["sources"]}
    for source, edition, citation in used:
        assert (source, edition) in listed
        if citation:
            assert listed[(source, edition)] == citation


def test_types_follow_the_warehouse(server):
    pkg = json.loads(get(f"{server}/api/v1/datapackage.json?dataset=observations&series=GSI_PREV")[2])
    types = {f["name"]: f["type"] for f in pkg["resources"][0]["schema"]["fields"]}
    assert types["year"] == "integer" and types["value"] == "number" and types["raw_row"] == "integer"
    assert types["series"] == "string"
    raw_row = next(f for f in pkg["resources"][0]["schema"]["fields"] if f["name"] == "raw_row")
    assert "1-based row in raw_file" in raw_row["description"]


def test_codebook_covers_every_column_of_every_dataset(server):
    status, ctype, text = get(f"{server}/api/v1/codebook.csv")
    assert status == 200 and ctype.startswith("text/csv")
    header, rows = csv_rows(text)
    assert header == ["dataset", "column", "type", "description"]
    book = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    assert len(book) == len(rows)
    for dataset in DATASETS:
        with urllib.request.urlopen(f"{server}/api/v1/{dataset}.csv", timeout=60) as r:
            columns = r.readline().decode("utf-8").strip().split(",")
        documented = [c for (d, c) in book if d == dataset]
        assert documented == columns, dataset
        for c in columns:
            kind, description = book[(dataset, c)]
            assert kind in TABLE_SCHEMA_TYPES and description.strip(), (dataset, c)


def test_citation_names_the_build_and_the_sources(server, wh, picks):
    build_id = wh.execute("SELECT build_id FROM build_info").fetchone()[0]
    query = f"dataset=observations&series={picks['series']}&geo={picks['geo']}"
    status, ctype, text = get(f"{server}/api/v1/citation.txt?{query}")
    assert status == 200 and ctype.startswith("text/plain")
    assert build_id in text
    assert f"/api/v1/observations.csv?series={picks['series']}&geo={picks['geo']}" in text
    pkg = json.loads(get(f"{server}/api/v1/datapackage.json?{query}")[2])
    for s in pkg["sources"]:
        assert s["citation"] in text


@pytest.mark.parametrize("query", [
    "/api/v1/datapackage.json?dataset=nope",
    "/api/v1/datapackage.json?colour=red",
    "/api/v1/datapackage.json?series=NOT_A_SERIES",
    "/api/v1/datapackage.json?geo=XXX",
    "/api/v1/datapackage.json?from=abc",
    "/api/v1/datapackage.json?from=2020&to=2010",
    "/api/v1/datapackage.json?sex=both",
    "/api/v1/citation.txt?dataset=nope",
    "/api/v1/citation.txt?age=99-100",
    "/api/v1/codebook.csv?dataset=series",
])
def test_bad_parameters_are_400(server, query):
    status, ctype, text = get(server + query)
    assert status == 400, (query, status, text[:200])
    assert ctype.startswith("text/plain")
    assert "parameter" in text or "dataset" in text


def test_published_estimates_cite_their_report(server):
    """An extract of curated published estimates cites each report edition as pipelines/metadata/
    published_estimates.csv does (publisher, year, title), not the curated table as a whole."""
    from pipelines.config import PUBLISHED_ESTIMATES_CSV

    pkg = json.loads(get(f"{server}/api/v1/datapackage.json?series=GE_CL_NUM&geo=WLD")[2])
    with open(PUBLISHED_ESTIMATES_CSV, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["series"] == "GE_CL_NUM" and r["geo"] == "WLD"]
    report = {r["edition"]: r for r in rows}
    listed = {s["edition"]: s for s in pkg["sources"] if s["source"] == "published"}
    assert len(listed) >= 2 and set(listed) <= set(report)  # the current editions of the world series
    for edition, s in listed.items():
        r = report[edition]
        assert s["citation"] == f"{r['source_publisher']} ({r['publication_year']}). {r['source_title']}."
        assert s["publisher"] == r["source_publisher"]
