"""Overview `/` in a real browser against a real server: clean load, offline map, headline number from the
warehouse, regional scheme in the URL, page weight and time to first chart."""
import json
import re
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def latest_world_child_labour(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("""SELECT year, value FROM observations WHERE is_current AND series = 'GE_CL_NUM'
                              AND geo = 'WLD' AND sex = 'total' AND age = '5-17'
                              ORDER BY year DESC LIMIT 1""").fetchone()


def test_overview_loads_clean_with_map_and_headline(server, page, warehouse):
    sizes = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.status == 200 and r.request.method in ("GET", "POST")
            else None)
    page.goto(server + "/", wait_until="domcontentloaded")
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=10_000)
    first_chart_ms = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    shapes = page.locator("#overview-map .choropleth path, #overview-map .countries path")
    expect(shapes.nth(100)).to_be_attached(timeout=10_000)  # no string eval: the site's CSP forbids it
    assert shapes.count() > 100

    year, value = latest_world_child_labour(warehouse)
    shown = page.locator("#overview-cl-value").inner_text()
    assert float(re.sub(r"[^\d.]", "", shown)) == pytest.approx(value)
    assert str(year) in page.locator("#overview-cl-year").inner_text()
    assert f"still in child labour in {year}" in page.locator("#overview-outcome-title").inner_text()
    assert "times faster" in page.locator("#overview-pace").inner_text()
    page.probe.assert_clean()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    resources = page.evaluate("JSON.stringify(performance.getEntriesByType('resource')"
                              ".map(e => [e.name, e.transferSize, e.encodedBodySize, e.decodedBodySize]))")
    metrics = {"response_body_bytes": sum(sizes), "responses": len(sizes),
               "transfer_bytes": sum(r[1] for r in json.loads(resources)),
               "time_to_first_chart_ms": round(first_chart_ms)}
    (SCREENSHOTS / "overview-metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print("overview metrics:", metrics)


def test_scheme_in_url_updates_chart_and_restores(server, page):
    page.goto(server + "/", wait_until="networkidle")
    title = page.locator("#overview-regional-title")
    assert "SDG regions" in title.inner_text()
    page.get_by_label("ILO regions").check()
    expect(page).to_have_url(re.compile(r"/\?scheme=ilo$"), timeout=10_000)
    expect(title).to_contain_text("ILO regions", timeout=10_000)
    ticks = page.locator("#overview-regional-graph .ytick text").all_text_contents()
    assert any("ILO" in t for t in ticks) and not any("Sub-Saharan" in t for t in ticks)
    page.reload(wait_until="networkidle")
    assert page.url.endswith("?scheme=ilo")
    assert page.locator("#overview-scheme input[value=ilo]").is_checked()
    assert "ILO regions" in page.locator("#overview-regional-title").inner_text()
    page.probe.assert_clean()
