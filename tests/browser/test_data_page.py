"""Data `/data` and Methodology `/methodology` in real Chromium against the real server; values checked against
the warehouse the server reads."""
from __future__ import annotations

import csv
import io
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pick(wh):
    """The country with the most current SL_TLF_CHLDEC values, its name and the warehouse rows for it."""
    series, geo, name = wh.execute("""
        SELECT o.series, o.geo, g.name FROM observations o JOIN geographies g USING (geo)
        WHERE o.is_current AND o.series = 'SL_TLF_CHLDEC' AND g.type = 'country'
        GROUP BY ALL ORDER BY count(*) DESC, o.geo LIMIT 1""").fetchone()
    label = wh.execute("SELECT coalesce(short_name, name) FROM series WHERE code = ?", [series]).fetchone()[0]
    rows = wh.execute("""SELECT series, geo, year, sex, age, value FROM observations
                         WHERE is_current AND series = ? AND geo = ?""", [series, geo]).fetchall()
    return {"series": series, "series_label": f"{label} ({series})", "geo": geo, "geo_label": f"{name} ({geo})",
            "rows": rows}


def choose(page, dropdown_id: str, option_label: str):
    page.locator(f"#{dropdown_id}").click()
    page.keyboard.type(option_label.rsplit("(", 1)[1].rstrip(")"))
    page.get_by_role("option", name=option_label, exact=True).click()
    page.keyboard.press("Escape")


def as_set(rows) -> set:
    return {(s, g, int(y), sx, a, float(v)) for s, g, y, sx, a, v in rows}


def test_data_page_loads_clean(server, page, wh):
    n = wh.execute("SELECT count(*) FROM observations WHERE is_current").fetchone()[0]
    page.goto(server + "/data", wait_until="networkidle")
    expect(page.locator("#data-count")).to_contain_text(f"{n:,} rows")
    assert page.locator("#data-preview tbody tr").count() == min(n, 20)
    assert page.locator("#data-csv").get_attribute("href") == "/api/v1/observations.csv"
    assert page.locator("label[for=data-series]").inner_text() == "Series"
    build_id = wh.execute("SELECT build_id FROM build_info").fetchone()[0]
    expect(page.locator("#data-citation")).to_contain_text(build_id)
    expect(page.locator("#data-api")).to_contain_text("raw_row")
    page.probe.assert_clean()


def test_choosing_series_and_geo_updates_preview_and_download(server, page, pick):
    page.goto(server + "/data", wait_until="networkidle")
    choose(page, "data-series", pick["series_label"])
    choose(page, "data-geo", pick["geo_label"])
    n = len(pick["rows"])
    expect(page.locator("#data-count")).to_contain_text(f"{n:,} row{'s' if n != 1 else ''} in this extract")
    assert page.locator("#data-preview tbody tr").count() == min(n, 20)
    href = f"/api/v1/observations.csv?series={pick['series']}&geo={pick['geo']}"
    expect(page.locator("#data-csv")).to_have_attribute("href", href)
    expect(page.locator("#data-parquet")).to_have_attribute("href", href.replace(".csv", ".parquet"))
    expect(page.locator("#data-datapackage")).to_have_attribute(
        "href", f"/api/v1/datapackage.json?dataset=observations&series={pick['series']}&geo={pick['geo']}")
    assert f"series={pick['series']}" in page.url and f"geo={pick['geo']}" in page.url

    with page.expect_download() as info:
        page.locator("#data-csv").click()
    text = open(info.value.path(), encoding="utf-8").read()
    reader = csv.DictReader(io.StringIO(text))
    got = [(r["series"], r["geo"], r["year"], r["sex"], r["age"], r["value"]) for r in reader]
    assert len(got) == n
    assert as_set(got) == as_set(pick["rows"])

    # the citation on the page is the one the API gives for the same extract
    with urllib.request.urlopen(server + page.locator("#data-citation-link").get_attribute("href")) as r:
        api_citation = r.read().decode("utf-8")
    assert page.locator("#data-citation").inner_text().splitlines()[2:] == api_citation.strip().splitlines()[2:]
    page.probe.assert_clean()


def test_url_restores_the_extract(server, page, wh, pick):
    n = wh.execute("SELECT count(*) FROM progress WHERE series = ? AND sex = 'total'", [pick["series"]]).fetchone()[0]
    page.goto(f"{server}/data?dataset=progress&series={pick['series']}&sex=total", wait_until="networkidle")
    expect(page.locator("#data-count")).to_contain_text(f"{n:,} row")
    expect(page.locator("#data-csv")).to_have_attribute(
        "href", f"/api/v1/progress.csv?series={pick['series']}&sex=total")
    expect(page.locator("#data-series")).to_contain_text(pick["series"])
    page.probe.assert_clean()


def test_methodology_shows_document_sources_and_build(server, page, wh):
    sources = wh.execute("SELECT source_name, edition FROM sources").fetchall()
    build_id = wh.execute("SELECT build_id FROM build_info").fetchone()[0]
    page.goto(server + "/methodology", wait_until="networkidle")
    expect(page.locator("h1")).to_have_text("Methodology")
    rows = page.locator("#method-sources-table tbody tr")
    expect(rows).to_have_count(len(sources))
    shown = {(r.locator("td").nth(0).inner_text().splitlines()[0], r.locator("td").nth(2).inner_text())
             for r in rows.all()}
    assert shown == {(name, edition) for name, edition in sources}
    expect(page.locator("#method-build-id")).to_have_text(build_id)
    # the document is rendered with working in-page anchors
    assert page.locator(".method-doc h2").count() >= 3
    first = page.locator(".method-toc a").first
    assert page.locator(first.get_attribute("href")).count() == 1
    page.probe.assert_clean()
