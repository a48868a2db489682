"""Country profile `/country/<code>` and country index `/country` in real Chromium against the real server;
every value checked against the warehouse the server reads."""
from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "screenshots" / "country.png"


@pytest.fixture(scope="module")
def warm(server):
    """One request at a time first, so each worker finishes Dash's first-request setup before a page
    fires its parallel requests."""
    for _ in range(6):
        for path in ("/country", "/_dash-layout", "/_dash-dependencies"):
            with urllib.request.urlopen(server + path, timeout=30) as r:
                r.read()
    return server


def latest_chldec(wh, geo: str):
    return wh.execute("""SELECT value, year FROM observations
                         WHERE series = 'SL_TLF_CHLDEC' AND geo = ? AND sex = 'total' AND age = '5-17' AND is_current
                         ORDER BY year DESC LIMIT 1""", [geo]).fetchone()


def test_nga_headline_matches_warehouse(warm, page, wh):
    value, year = latest_chldec(wh, "NGA")
    page.goto(warm + "/country/NGA", wait_until="networkidle")
    expect(page.locator("#country-title")).to_have_text("Nigeria")
    card = page.locator("#country-cl-card")
    expect(card.locator(".stat-value")).to_have_text(f"{value:.1f}%")
    expect(card.locator("#country-cl-year")).to_contain_text(f"{year} · both sexes · ages 5-17")
    expect(card).to_contain_text("SL_TLF_CHLDEC")
    # GSI rank: a window over all current GSI_PREV country rows, 1 = highest
    rank, n = wh.execute("""
        SELECT rank, n FROM (SELECT o.geo, RANK() OVER (ORDER BY o.value DESC) AS rank, COUNT(*) OVER () AS n
                             FROM observations o JOIN geographies g ON g.geo = o.geo
                             WHERE o.series = 'GSI_PREV' AND o.is_current AND g.type = 'country' AND o.sex = 'total')
        WHERE geo = 'NGA'""").fetchone()
    expect(page.locator("#country-gsi-rank")).to_contain_text(f"Rank {rank} of {n} countries")
    # the always-visible caveats, the trend chart and the sources are there
    expect(page.locator("#country-caveats")).to_be_visible()
    expect(page.locator("#country-trend-graph .main-svg").first).to_be_attached()
    expect(page.locator("#country-sources")).to_contain_text("GSI 2023")
    page.probe.assert_clean()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert SCREENSHOT.stat().st_size > 10_000


def test_sex_switch_updates_chart_and_url(warm, page, wh):
    page.goto(warm + "/country/NGA", wait_until="networkidle")
    page.get_by_role("radio", name="Girls").check()
    expect(page.locator("#country-trend-title")).to_contain_text("girls")
    assert page.url.endswith("/country/NGA?sex=female")
    page.probe.assert_clean()
    page.goto(warm + "/country/NGA?sex=female", wait_until="networkidle")  # a shared link restores the view
    expect(page.locator("#country-trend-title")).to_contain_text("girls")
    expect(page.get_by_role("radio", name="Girls")).to_be_checked()
    assert page.probe.console_errors == []


def test_single_point_country_says_no_trend(warm, page, wh):
    geo = wh.execute("""
        SELECT o.geo FROM observations o JOIN geographies g ON g.geo = o.geo
        WHERE g.type = 'country' AND o.is_current AND o.sex = 'total'
          AND o.series IN ('SL_TLF_CHLDEC', 'SL_TLF_CHLDEA', 'PT_CHLD_5-17_LBR_ECON-HC')
        GROUP BY o.geo
        HAVING count(*) FILTER (WHERE o.series = 'SL_TLF_CHLDEC') = 1
        ORDER BY o.geo LIMIT 1""").fetchone()[0]
    page.goto(f"{warm}/country/{geo}", wait_until="networkidle")
    for card in ("#country-2025-card", "#country-2030-card"):
        expect(page.locator(card)).to_contain_text(
            re.compile("one comparable point: no trend can be computed", re.I))
    expect(page.locator("#country-caveats")).to_contain_text("Single point")
    page.probe.assert_clean()


@pytest.mark.parametrize("code", ["XYZ", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"])
def test_unknown_code_shows_not_found(warm, page, code):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.goto(f"{warm}/country/{code}", wait_until="networkidle")
    assert response.status in (200, 404)  # 404 once the app's status hook uses is_known_country()
    nf = page.locator("#country-notfound")
    expect(nf.locator("h1")).to_have_text("Country not found")
    expect(nf.locator("a[href='/country']")).to_be_visible()
    expect(nf.locator("a[href='/country/NGA']")).to_be_visible()
    assert "Traceback" not in page.content()
    assert dialogs == []
    # the only acceptable console error is Chromium's note about the document's own 404 status
    assert [e for e in page.probe.console_errors if "status of 404" not in e] == []
    assert page.probe.blocked == [] and page.probe.failed == []


def test_index_lists_countries_and_links_to_profile(warm, page, wh):
    n = wh.execute("SELECT count(*) FROM geographies WHERE type = 'country'").fetchone()[0]
    n_data = wh.execute("""SELECT count(DISTINCT o.geo) FROM observations o JOIN geographies g ON g.geo = o.geo
                           WHERE g.type = 'country' AND o.is_current AND o.sex = 'total'
                             AND o.series IN ('SL_TLF_CHLDEC', 'SL_TLF_CHLDEA')""").fetchone()[0]
    page.goto(warm + "/country", wait_until="networkidle")
    expect(page.locator(".country-index-link")).to_have_count(n)
    expect(page.locator("#country-index-summary")).to_contain_text(f"{n} countries shown; {n_data} have")
    page.get_by_label("Find a country").fill("nigeria")
    expect(page.locator(".country-index-link")).to_have_count(1)
    assert "q=nigeria" in page.url
    page.get_by_role("link", name="Nigeria", exact=True).click()
    expect(page.locator("#country-title")).to_have_text("Nigeria")
    assert page.url.endswith("/country/NGA")
    page.probe.assert_clean()


def test_phone_width_has_no_horizontal_overflow(warm, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(warm + "/country/NGA", wait_until="networkidle")
    expect(page.locator("#country-cl-card")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.probe.assert_clean()
