"""Explore page in a real Chromium against the real server: what users see is checked against the warehouse."""
from __future__ import annotations

import csv
import io
import re
import time
import urllib.request
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

pytestmark = pytest.mark.browser

TREND = "#explore-trend-graph .js-plotly-plot"
MAP = "#explore-map-graph .js-plotly-plot"


def query(warehouse, sql, params=()):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def comparable(warehouse, series, sex, age, geos, lo, hi) -> dict[str, list[tuple[int, float]]]:
    """Current-edition values of one slice per geography: what a line may join."""
    rows = query(warehouse, f"""SELECT geo, year, value FROM observations WHERE is_current AND series = ? AND sex = ?
                                AND age = ? AND year BETWEEN ? AND ? AND geo IN ({','.join('?' * len(geos))})
                                ORDER BY geo, year""", [series, sex, age, lo, hi, *geos])
    out: dict[str, list] = {}
    for geo, year, value in rows:
        out.setdefault(geo, []).append((int(year), round(float(value), 6)))
    return out


def traces(page, selector=TREND) -> list[dict]:
    page.wait_for_function("s => { const g = document.querySelector(s); return g && g.data && g.data.length > 0; }",
                           arg=selector, timeout=10_000)
    return page.evaluate("""s => document.querySelector(s)._fullData.map(t => ({
        name: t.name, mode: t.mode, meta: t.meta || {}, symbol: t.marker ? t.marker.symbol : null,
        x: Array.from(t.x || []), y: Array.from(t.y || []), locations: Array.from(t.locations || [])}))""", selector)


def observed(page) -> dict[str, list[tuple[int, float]]]:
    return {t["meta"]["geo"]: [(int(x), round(float(y), 6)) for x, y in zip(t["x"], t["y"])]
            for t in traces(page) if t["meta"].get("kind") == "observed"}


def wait_until(check, seconds=10.0):
    """Poll `check` (which may raise AssertionError) until it passes."""
    deadline = time.time() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def url_state(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def choose(page, dropdown_id: str, option: str | re.Pattern, search: str | None = None):
    """Pick an option of a Dash 4 dropdown the way a person does: open it, (type), click the option."""
    page.locator(f"#{dropdown_id}").click()
    if search:
        page.locator(".dash-dropdown-content input.dash-dropdown-search").fill(search)
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")


def test_loads_clean_and_lines_join_only_comparable_points(server, page, warehouse):
    geos = ["WLD", "BEN", "TZA", "VNM"]
    page.goto(server + "/explore?series=SL_TLF_CHLDEC&geo=WLD,BEN,TZA,VNM&sex=total&age=5-17&from=2010&to=2022"
              "&view=trend", wait_until="networkidle")
    want = comparable(warehouse, "SL_TLF_CHLDEC", "total", "5-17", geos, 2010, 2022)
    assert wait_until(lambda: _equal(observed(page), want))
    shown = traces(page)
    one = [t for t in shown if t["meta"].get("geo") == "WLD" and t["meta"]["kind"] == "observed"]
    assert len(want["WLD"]) == 1 and one[0]["mode"] == "markers" and "one comparable point: no trend" in one[0]["name"]
    assert all(t["mode"] == "lines+markers" for t in shown if t["meta"].get("kind") == "observed"
               and len(want[t["meta"]["geo"]]) > 1)
    # every other value of these geographies (other age band or superseded edition) is a hollow, unjoined marker
    others = query(warehouse, f"""SELECT year, value FROM observations WHERE series = 'SL_TLF_CHLDEC' AND sex = 'total'
                                  AND year BETWEEN 2010 AND 2022 AND geo IN ({','.join('?' * len(geos))})
                                  AND NOT (is_current AND age = '5-17')""", geos)
    nc = [t for t in shown if t["meta"].get("kind") == "not_comparable"]
    assert others and len(nc) == 1
    assert nc[0]["name"] == "not comparable (other age band / edition)"
    assert nc[0]["mode"] == "markers" and nc[0]["symbol"] == "circle-open"
    assert sorted((int(x), round(y, 6)) for x, y in zip(nc[0]["x"], nc[0]["y"])) == \
        sorted((int(y), round(float(v), 6)) for y, v in others)
    assert "not comparable (other age band / edition)" in page.locator("#explore-trend-graph").inner_text()
    # dotted projection: latest value + change per year × years to 2030 from the progress mart, floored at 0
    progress = query(warehouse, f"""SELECT geo, latest_year, latest_value, change_per_year FROM progress
                                    WHERE series = 'SL_TLF_CHLDEC' AND sex = 'total' AND age = '5-17'
                                    AND change_per_year IS NOT NULL AND geo IN ({','.join('?' * len(geos))})""", geos)
    projections = {t["meta"]["geo"]: t for t in shown if t["meta"].get("kind") == "projection"}
    assert progress and set(projections) == {g for g, *_ in progress}
    for geo, year, value, slope in progress:
        t = projections[geo]
        assert t["x"][0] == year and t["x"][-1] == 2030
        assert t["y"][-1] == pytest.approx(min(100.0, max(0.0, value + slope * (2030 - year))))
    page.probe.assert_clean()


def _equal(got, want):
    assert got == want, f"plotted {got} != warehouse {want}"
    return True


def test_filter_change_updates_url_and_chart_and_reload_restores(server, page, warehouse):
    page.goto(server + "/explore", wait_until="networkidle")
    state = wait_until(lambda: _has_state(page.url))
    assert (state["series"], state["sex"], state["age"], state["view"]) == ("SL_TLF_CHLDEC", "total", "5-17", "trend")
    geos = state["geo"].split(",")
    lo, hi = int(state["from"]), int(state["to"])
    wait_until(lambda: _equal(observed(page), comparable(warehouse, "SL_TLF_CHLDEC", "total", "5-17", geos, lo, hi)))

    choose(page, "explore-sex", "Girls / women")
    page.wait_for_url(re.compile(r"sex=female"))
    choose(page, "explore-geo", re.compile(r"^Nigeria \(NGA\)"), search="Nigeria")
    page.wait_for_url(re.compile(r"geo=[^&]*NGA"))
    state = url_state(page.url)
    geos = state["geo"].split(",")
    assert state["sex"] == "female" and "NGA" in geos
    want = comparable(warehouse, "SL_TLF_CHLDEC", "female", "5-17", geos, lo, hi)
    assert "NGA" in want
    wait_until(lambda: _equal(observed(page), want))
    assert "Nigeria" in page.locator("#explore-trend-graph").inner_text()
    assert "girls / women" in page.locator("#explore-trend-title").inner_text()

    url = page.url
    page.goto(url, wait_until="networkidle")
    wait_until(lambda: _equal(observed(page), want))
    assert page.url == url
    assert page.locator("#explore-sex").inner_text().strip() == "Girls / women"
    assert "Nigeria" in page.locator("#explore-geo").text_content()
    assert page.locator("#explore-view input[value=trend]").is_checked()
    page.probe.assert_clean()


def _has_state(url):
    state = url_state(url)
    assert {"series", "geo", "sex", "age", "from", "to", "view"} <= set(state), url
    return state


def test_map_draws_country_shapes_offline(server, page, warehouse):
    topojson = []
    page.on("response", lambda r: topojson.append(r) if "/assets/topojson/" in r.url else None)
    page.goto(server + "/explore?series=SL_TLF_CHLDEC&geo=WLD&sex=total&age=5-17&from=2010&to=2022&view=map",
              wait_until="networkidle")
    # every country is a shape drawn from the app's own topojson (those without a value in grey)
    page.wait_for_function("() => Array.from(document.querySelectorAll('#explore-map-graph .geo "
                           "path.choroplethlocation')).filter(p => (p.getAttribute('d') || '').length > 20).length > 100",
                           timeout=10_000)
    assert topojson and all(r.status == 200 and urlparse(r.url).hostname == "127.0.0.1" for r in topojson)
    latest = query(warehouse, """SELECT g.iso3 FROM observations o JOIN geographies g ON g.geo = o.geo
                                 WHERE o.series = 'SL_TLF_CHLDEC' AND o.sex = 'total' AND o.age = '5-17' AND o.is_current
                                 AND o.year BETWEEN 2010 AND 2022 AND g.type = 'country' AND g.iso3 IS NOT NULL
                                 GROUP BY g.iso3""")
    choropleth = [t for t in traces(page, MAP) if t["meta"].get("kind") == "value"][0]
    assert sorted(choropleth["locations"]) == sorted(r[0] for r in latest)
    assert f"{len(latest)} of" in page.locator("#explore-map").inner_text()
    page.probe.assert_clean()


def test_download_link_matches_controls_and_warehouse(server, page, warehouse):
    page.goto(server + "/explore?series=SL_TLF_CHLDEA&geo=WLD,BEN,KGZ,NPL&sex=male&age=5-17&from=2012&to=2020"
              "&view=trend", wait_until="networkidle")
    href = page.locator("#explore-trend-download").get_attribute("href")
    link = url_state(href)
    controls = url_state(page.url)
    assert urlparse(href).path == "/api/v1/observations.csv"
    assert {k: link.get(k) for k in ("series", "geo", "sex", "age", "from", "to")} == \
        {k: controls[k] for k in ("series", "geo", "sex", "age", "from", "to")}
    assert page.locator("#explore-sex").inner_text().strip() == "Boys / men"
    with urllib.request.urlopen(server + href, timeout=10) as r:
        rows = list(csv.DictReader(io.StringIO(r.read().decode())))
    got = sorted((r["geo"], int(r["year"]), round(float(r["value"]), 6)) for r in rows)
    geos = controls["geo"].split(",")
    want = comparable(warehouse, "SL_TLF_CHLDEA", "male", "5-17", geos, 2012, 2020)
    assert got == sorted((g, y, v) for g, pts in want.items() for y, v in pts)
    assert got, "the test slice should not be empty"
    wait_until(lambda: _equal(observed(page), want))  # the link holds exactly the plotted points
    page.probe.assert_clean()
