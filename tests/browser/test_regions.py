"""Regions `/regions` in a real browser: clean load, coverage counts equal a warehouse query, state in the URL."""
import re
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COUNTS_SQL = """
WITH members AS (SELECT DISTINCT m.geo FROM geo_memberships m JOIN geographies g ON g.geo = m.geo
                 WHERE m.scheme = 'sdg_region' AND g.type = 'country'),
pts AS (SELECT geo, count(DISTINCT year) AS n, max(year) AS latest FROM observations
        WHERE is_current AND series = ? AND sex = 'total' AND age = ? AND value IS NOT NULL GROUP BY geo)
SELECT count(*) FILTER (WHERE p.n IS NULL) AS none, count(*) FILTER (WHERE p.n = 1) AS one,
       count(*) FILTER (WHERE p.n >= 2) AS trend, count(*) FILTER (WHERE 2025 - p.latest <= 3) AS recent,
       count(*) FILTER (WHERE 2025 - p.latest BETWEEN 4 AND 7) AS mid, count(*) FILTER (WHERE 2025 - p.latest >= 8) AS old
FROM members m LEFT JOIN pts p USING (geo)"""


def expected(warehouse, series, age):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(COUNTS_SQL, [series, age]).fetchone()
    return dict(zip(["none", "one", "trend", "recent", "mid", "old"], row))


def shown_counts(page):
    ids = {"none": "regions-count-none", "one": "regions-count-one", "trend": "regions-count-trend",
           "recent": "regions-age-recent", "mid": "regions-age-mid", "old": "regions-age-old"}
    return {k: int(page.locator(f"#{i} .stat-value").inner_text()) for k, i in ids.items()}


def test_regions_loads_clean_and_counts_match_warehouse(server, page, warehouse):
    page.goto(server + "/regions", wait_until="networkidle")
    page.wait_for_selector("#regions-values .js-plotly-plot", state="visible", timeout=20_000)  # plotly draws after networkidle
    counts = expected(warehouse, "SL_TLF_CHLDEC", "5-17")
    assert shown_counts(page) == counts
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the latest world value of each kind
        world = dict(con.execute("""SELECT kind, value FROM regional_gaps WHERE region = 'WLD' AND sex = 'total'
                                    AND age = '5-17' AND series IN ('SL_TLF_CHLDEC', 'GE_CL_PREV')
                                    QUALIFY row_number() OVER (PARTITION BY kind ORDER BY year DESC) = 1""").fetchall())
    note = page.locator("#regions-values-note").inner_text()  # survey coverage bias, said with the numbers
    assert (f"For the world, the computed value is {world['computed']:.1f}%" in note
            and f"against the official {world['official']:.1f}%" in note), note
    with page.expect_download() as dl:
        page.locator("#regions-list-download-btn").click()
    lines = Path(dl.value.path()).read_text().splitlines()
    assert len(lines) - 1 == sum(counts[k] for k in ("none", "one", "trend"))
    page.probe.assert_clean()


def test_regions_series_in_url_and_reload(server, page, warehouse):
    page.goto(server + "/regions?scheme=groups&series=GSI_PREV", wait_until="networkidle")
    assert page.locator("#regions-scheme input[value=groups]").is_checked()
    assert shown_counts(page) == expected(warehouse, "GSI_PREV", "all")
    page.locator("#regions-series").click()
    page.get_by_role("option", name="Detected victims of trafficking, UNODC (SDG 16.2.2)").click()
    expect(page).to_have_url(re.compile(r"series=VC_HTF_DETV"), timeout=10_000)
    expect(page.locator("#regions-coverage-intro")).to_contain_text("Detected victims", timeout=10_000)
    assert shown_counts(page) == expected(warehouse, "VC_HTF_DETV", "all")
    assert "scheme=groups" in page.url
    page.reload(wait_until="networkidle")
    assert shown_counts(page) == expected(warehouse, "VC_HTF_DETV", "all")
    page.probe.assert_clean()
