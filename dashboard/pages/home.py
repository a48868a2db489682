"""Overview `/`: where the world stands on SDG target 8.7, from the published global estimates and the warehouse.

Headline numbers (child labour, hazardous work, forced labour, modern slavery) with year, age band, sex, source and
edition; the 2025 outcome stated plainly; the pace now needed for 2030 (global_pace); the global child-labour trend
with the path to zero by 2030; regional gaps (official and computed kept apart); a map of the latest comparable
country value with a count of how many countries have one point, a trend, or nothing.

URL: ?scheme=sdg|ilo|groups (regional scheme of the regional chart).
"""
from __future__ import annotations

import datetime as dt
import logging

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html

from dashboard import components as c
from dashboard import data
from dashboard.regional import SCHEMES, latest_by_region

dash.register_page(__name__, path="/", title="SDG 8.7 Monitor", name="Overview", order=0,
                   description="Where the world stands on SDG target 8.7: child labour, forced labour, modern "
                               "slavery and human trafficking, from official data.")
log = logging.getLogger(__name__)

DEFAULT_SCHEME = "sdg"
MAP_SERIES, MAP_SEX, MAP_AGE = "SL_TLF_CHLDEC", "total", "5-17"
OFFICIAL_CL = ("GE_CL_PREV", "SL_TLF_CHLDEC")  # published regional child-labour prevalence (8.7.1 definition)
COMPUTED_CL = ("SL_TLF_CHLDEC",)
OFFICIAL_COLOUR, COMPUTED_COLOUR, PATH_COLOUR = c.PALETTE[0], c.PALETTE[1], c.PALETTE[3]


# ---- queries -------------------------------------------------------------------------------------------------------

def latest_world(series: str, age: str) -> dict | None:
    """The latest current-edition world value of a published global estimate (both sexes)."""
    df = data.cached("""SELECT series, year, value, unit, sex, age, source, edition, footnote FROM observations
                        WHERE is_current AND geo = 'WLD' AND sex = 'total' AND series = ? AND age = ?
                        ORDER BY year DESC LIMIT 1""", (series, age))
    return None if df.empty else df.iloc[0].to_dict()


def world_trend(series: str = "GE_CL_NUM", age: str = "5-17") -> pd.DataFrame:
    return data.cached("""SELECT series, geo, year, sex, age, value, unit, source, edition, footnote FROM observations
                          WHERE is_current AND geo = 'WLD' AND sex = 'total' AND series = ? AND age = ?
                          ORDER BY year""", (series, age))


def global_pace() -> pd.DataFrame:
    if not data.has_table("global_pace"):
        return pd.DataFrame()
    return data.cached("SELECT * FROM global_pace ORDER BY series, start_year, end_year")


def series_target(series: str) -> tuple[float | None, int | None]:
    df = data.cached("SELECT target_value, target_year FROM series WHERE code = ?", (series,))
    if df.empty:
        return None, None
    tv, ty = df.iloc[0]["target_value"], df.iloc[0]["target_year"]
    return (None if pd.isna(tv) else float(tv)), (None if pd.isna(ty) else int(ty))


def regional_child_labour(scheme_key: str) -> pd.DataFrame:
    """Latest official and latest computed child-labour prevalence (5-17, both sexes) per region of a scheme, plus
    the world for reference. Official and computed rows stay separate (column `kind`)."""
    return latest_by_region(scheme_key if scheme_key in SCHEMES else DEFAULT_SCHEME, OFFICIAL_CL, COMPUTED_CL, "5-17")


def map_rows() -> pd.DataFrame:
    """Each country's latest current-edition value of the map series, with its number of comparable points."""
    return data.cached("""SELECT o.geo, g.name, g.iso3, o.year, o.value, o.unit, o.source, o.edition,
                                 count(*) OVER (PARTITION BY o.geo) AS n_points
                          FROM observations o JOIN geographies g ON g.geo = o.geo
                          WHERE o.is_current AND g.type = 'country' AND o.series = ? AND o.sex = ? AND o.age = ?
                            AND o.value IS NOT NULL
                          QUALIFY row_number() OVER (PARTITION BY o.geo ORDER BY o.year DESC) = 1
                          ORDER BY g.name""", (MAP_SERIES, MAP_SEX, MAP_AGE))


def no_data_rows() -> pd.DataFrame:
    """Countries and areas of the SDG regions with no value of the map series."""
    return data.cached("""SELECT DISTINCT g.geo, g.name, g.iso3 FROM geo_memberships m JOIN geographies g ON g.geo = m.geo
                          WHERE m.scheme = 'sdg_region' AND g.type = 'country' AND g.iso3 IS NOT NULL
                            AND g.geo NOT IN (SELECT geo FROM observations WHERE is_current AND series = ? AND sex = ?
                                              AND age = ? AND value IS NOT NULL)
                          ORDER BY g.name""", (MAP_SERIES, MAP_SEX, MAP_AGE))


def country_universe() -> int:
    """Countries and areas that belong to an SDG region (the denominator of 'how many have data')."""
    df = data.cached("""SELECT count(DISTINCT m.geo) AS n FROM geo_memberships m JOIN geographies g ON g.geo = m.geo
                        WHERE m.scheme = 'sdg_region' AND g.type = 'country'""")
    return int(df["n"].iloc[0])


def citation(footnote) -> str:
    """The report named in a row's footnote (the part before any 'secondary source')."""
    if not isinstance(footnote, str) or not footnote.strip():
        return ""
    return footnote.split("; secondary source")[0].strip()


def num(v: float, unit: str) -> str:
    if unit == "millions":
        return f"{v:,.1f}".removesuffix(".0") + " million"
    if unit == "percent":
        return f"{v:,.1f}%"
    if unit == "per_1000":
        return f"{v:,.1f} per 1,000"
    return c.fmt(float(v))


def per_year(v: float, unit: str) -> str:
    word = "fall" if v < 0 else "rise"
    amount = abs(v)
    if unit == "millions":
        return f"a {word} of {amount:,.1f} million a year"
    if unit == "percent":
        return f"a {word} of {amount:,.2f} percentage points a year"
    return f"a {word} of {amount:,.2f} {c.UNIT_LABELS.get(unit, unit)} a year"


def times(m: float) -> str:
    return f"{m:,.1f} times faster"


def source_of(row: dict) -> str:
    cite = citation(row.get("footnote"))
    return f"Source: {cite} — edition {row['edition']}" if cite else f"Source: {row['source']} ({row['edition']})"


# ---- sections ------------------------------------------------------------------------------------------------------

def headline_cards() -> html.Div:
    cl, prev = latest_world("GE_CL_NUM", "5-17"), latest_world("GE_CL_PREV", "5-17")
    haz = latest_world("GE_HAZ_NUM", "5-17")
    fl, ms = latest_world("GE_FL_NUM", "all"), latest_world("GE_MS_NUM", "all")
    cards = []
    if cl:
        share = (f"{num(prev['value'], prev['unit'])} of all children aged 5-17 ({prev['year']}, {prev['edition']}). "
                 if prev and prev["year"] == cl["year"] else "")
        cards.append(c.stat_card(
            "Children in child labour, world", html.Span(num(cl["value"], cl["unit"]), id="overview-cl-value"),
            [html.Span(f"{cl['year']} · ages {cl['age']} · both sexes. ", id="overview-cl-year"), share,
             html.Span(source_of(cl), className="stat-source")], id_="overview-card-cl"))
    if haz:
        cards.append(c.stat_card(
            "In hazardous work, world", num(haz["value"], haz["unit"]),
            [f"{haz['year']} · ages {haz['age']} · both sexes; part of the child-labour total. ",
             html.Span(source_of(haz), className="stat-source")], id_="overview-card-haz"))
    if fl:
        cards.append(c.stat_card(
            "People in forced labour, world", num(fl["value"], fl["unit"]),
            [f"{fl['year']} · all ages · both sexes. ", html.Span(source_of(fl), className="stat-source")],
            id_="overview-card-fl"))
    if ms:
        cards.append(c.stat_card(
            "People in modern slavery, world", num(ms["value"], ms["unit"]),
            [f"{ms['year']} · all ages · forced labour plus forced marriage. ",
             html.Span(source_of(ms), className="stat-source")], id_="overview-card-ms"))
    if not cards:
        return html.P("The published global estimates are not in this build.", className="caveat")
    return html.Div(cards, className="grid overview-cards", id="overview-cards")


def outcome_2025() -> html.Section:
    """The 2025 target for child labour, stated plainly from the latest estimate and the series' target."""
    cl = latest_world("GE_CL_NUM", "5-17")
    target_value, target_year = series_target("GE_CL_NUM")
    if not cl or target_year is None:
        return html.Section()
    this_year = dt.date.today().year
    passed = this_year > target_year or (this_year == target_year and cl["year"] >= target_year)
    missed = cl["value"] > (target_value or 0)
    if passed and missed:
        head = (f"{target_year} target missed: {num(cl['value'], cl['unit'])} children were still in child labour "
                f"in {cl['year']}.")
        tone = "overview-missed"
    elif missed:
        head = f"{num(cl['value'], cl['unit'])} children were in child labour in {cl['year']}; the target year is {target_year}."
        tone = "overview-missed"
    else:
        head = f"Child labour at the target level in {cl['year']}."
        tone = "overview-met"
    body = (f"SDG target 8.7 asks to end child labour in all its forms by {target_year}. The target year has "
            "passed; the latest published global estimate is well above zero, so the target was not met. "
            "Forced labour, modern slavery and human trafficking are to end by 2030.") if passed and missed else ""
    return html.Section([html.H2(head, id="overview-outcome-title"), html.P(body)],
                        className=f"card overview-outcome {tone}", id="overview-outcome",
                        **{"aria-labelledby": "overview-outcome-title"})


def pace_section() -> html.Section:
    gp = global_pace()
    if gp.empty:
        return html.Section([html.H2("The pace needed for 2030"),
                             html.P("The pace figures are not yet computed in this build.", className="caveat")],
                            className="card overview-pace", id="overview-pace")
    cl_all = gp[gp["series"] == "GE_CL_NUM"]
    cl = cl_all[cl_all["target_year"] == 2030]
    items = []
    if not cl.empty:
        req = cl.iloc[0]
        items.append(html.P([
            "To end child labour by 2030 from the ", html.Strong(f"{num(req['end_value'], req['unit'])} "
                                                                  f"of {int(req['required_from_year'])}"),
            ", the number must fall by ", html.Strong(f"{abs(req['required_change_per_year']):,.1f} million a year",
                                                      id="overview-required"),
            " (a straight line to zero)."]))
        rows = []
        for r in cl_all.itertuples(index=False):
            obs = per_year(r.observed_change_per_year, r.unit)
            if pd.notna(r.pace_multiple) and r.observed_change_per_year < 0:
                verdict = f"the required pace is {times(r.pace_multiple)}"
            else:
                verdict = "moving away from the target"
            rows.append(html.Li([html.Strong(f"{r.period}: "), f"{obs} observed ({num(r.start_value, r.unit)} → "
                                 f"{num(r.end_value, r.unit)}) — ", html.Span(verdict, className="overview-verdict")],
                                id=f"overview-pace-{r.period}"))
        items.append(html.Ul(rows, className="overview-pace-list"))
    for series, label in (("GE_FL_NUM", "Forced labour"), ("GE_MS_NUM", "Modern slavery")):
        sub = gp[(gp["series"] == series) & (gp["target_year"] == 2030)]
        for r in sub.itertuples(index=False):
            moving = "moving away from the target" if r.observed_change_per_year > 0 else (
                f"the required pace is {times(r.pace_multiple)}" if pd.notna(r.pace_multiple) else "")
            items.append(html.P([html.Strong(f"{label}, {r.period}: "),
                                 f"{num(r.start_value, r.unit)} → {num(r.end_value, r.unit)}, {per_year(r.observed_change_per_year, r.unit)} — ",
                                 html.Span(moving, className="overview-verdict"),
                                 f". Ending it by {int(r.target_year)} needs a fall of "
                                 f"{abs(r.required_change_per_year):,.1f} million a year from {int(r.required_from_year)}."],
                                id=f"overview-pace-{series}"))
    editions = "; ".join(sorted({e.strip() for v in gp["editions"].dropna() for e in str(v).split(";")})) \
        if "editions" in gp else ""
    return html.Section([
        html.H2("The pace needed for 2030", id="overview-pace-title"), *items,
        html.P(f"Paces are straight-line changes between published global estimates (current editions: {editions}). "
               "“x times faster” compares the fall needed each year from the latest estimate with the fall observed "
               "in each period.", className="note"),
        html.Details([html.Summary("Show the pace figures as a table"),
                      c.table(gp, ["indicator", "period", "start_value", "end_value", "observed_change_per_year",
                                   "target_year", "required_from_year", "required_change_per_year", "pace_multiple",
                                   "editions"] if "editions" in gp else None)]),
    ], className="card overview-pace", id="overview-pace", **{"aria-labelledby": "overview-pace-title"})


def trend_card() -> html.Section:
    df = world_trend()
    if df.empty:
        return c.chart_card("overview-trend", "Children in child labour, world, 2000-2024",
                            c.empty_figure("No published global estimates in this build"), "", None)
    gp = global_pace()
    fig = go.Figure(go.Scatter(
        x=df["year"], y=df["value"], mode="lines+markers+text", name="Published estimate (current edition)",
        line=dict(color=OFFICIAL_COLOUR, width=3), marker=dict(size=8), text=[f"{v:,.0f}" for v in df["value"]],
        textposition="top right", customdata=df[["edition"]],
        hovertemplate="%{x}: %{y:,.1f} million children (5-17)<br>edition %{customdata[0]}<extra></extra>"))
    last = df.iloc[-1]
    target_value, _ = series_target("GE_CL_NUM")
    req = gp[(gp["series"] == "GE_CL_NUM") & (gp["target_year"] == 2030)] if not gp.empty else gp
    if not req.empty:
        r = req.iloc[0]
        years = list(range(int(r["required_from_year"]), int(r["target_year"]) + 1))
        path = [max(float(r["end_value"]) + float(r["required_change_per_year"]) * (y - years[0]), 0) for y in years]
        fig.add_trace(go.Scatter(x=years, y=path, mode="lines", name="Path needed to reach zero by 2030",
                                 line=dict(color=PATH_COLOUR, dash="dash", width=2),
                                 hovertemplate="%{x}: %{y:,.0f} million on the path to zero<extra></extra>"))
    fig.add_vline(x=2025, line=dict(color="#777", dash="dot", width=1))
    fig.add_annotation(x=2025, y=float(df["value"].max()), text="2025 target year:<br>child labour not ended",
                       showarrow=False, xanchor="left", xshift=4, font=dict(size=11, color="#555"))
    fig.update_layout(height=380, yaxis=dict(title="children aged 5-17 (millions)", rangemode="tozero"),
                      xaxis=dict(title="year", range=[1998, 2031], dtick=4), legend=dict(orientation="h", y=-0.25))
    by_edition = df.groupby("edition", sort=False).agg(years=("year", lambda s: ", ".join(map(str, s))),
                                                       footnote=("footnote", "first"))
    source = html.Ul([html.Li(f"{ed} ({r.years}): {citation(r.footnote) or ed}") for ed, r in by_edition.iterrows()],
                     className="source overview-sources")
    return c.chart_card(
        "overview-trend", f"Children in child labour, world, {int(df['year'].min())}-{int(last['year'])}, "
                          "and the path needed to end it by 2030",
        fig, "Each point is the latest published edition for that year (both sexes, ages 5-17):",
        c.api_url("observations", series="GE_CL_NUM", geo="WLD", sex="total", age="5-17"),
        rows=df[["year", "value", "unit", "sex", "age", "edition", "source"]],
        note=f"Target 8.7: child labour at {int(target_value or 0)} by 2025. The dashed line is the straight path from "
             f"{int(last['year'])} to zero in 2030; it is a requirement, not a projection.", after_source=source)


def scheme_options():
    return [{"label": label, "value": key} for key, (label, _) in SCHEMES.items()]


def regional_figure(df: pd.DataFrame) -> go.Figure:
    if df.empty:
        return c.empty_figure("No regional values for this scheme in this build")
    order = [c.wrap_label(n) for n in dict.fromkeys(df["region_name"])]
    fig = go.Figure()
    off = df[df["kind"] == "official"]
    if not off.empty:
        fig.add_trace(go.Bar(
            y=off["region_name"].map(c.wrap_label), x=off["value"], orientation="h", name="Official estimate",
            marker=dict(color=OFFICIAL_COLOUR), customdata=off[["year", "edition"]],
            hovertemplate="<b>%{y}</b><br>%{x:.1f}% of children 5-17 (official)<br>%{customdata[0]}, "
                          "%{customdata[1]}<extra></extra>"))
    com = df[df["kind"] == "computed"]
    if not com.empty:
        fig.add_trace(go.Bar(
            y=com["region_name"].map(c.wrap_label), x=com["value"], orientation="h",
            name="Computed here (not official)",
            marker=dict(color=COMPUTED_COLOUR, pattern=dict(shape="/", fgcolor="#7a4f00", solidity=0.3)),
            customdata=com[["data_years", "coverage_text"]],
            hovertemplate="<b>%{y}</b><br>%{x:.1f}% of children 5-17 (computed)<br>country data years "
                          "%{customdata[0]}<br>%{customdata[1]}<extra></extra>"))
    fig.update_layout(barmode="group", height=max(340, 100 + 48 * len(order)), margin=dict(l=10, r=20, t=50, b=40),
                      xaxis=dict(title="% of children aged 5-17", rangemode="tozero"),
                      yaxis=dict(categoryorder="array", categoryarray=list(reversed(order)), automargin=True),
                      legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0))
    return fig


def coverage_text(row) -> str:
    if row.get("kind") != "computed" or pd.isna(row.get("n_countries")):
        return ""
    share = row.get("coverage_population_share")
    share_txt = f"covers {share:.0%} of children" if pd.notna(share) else "population coverage unknown"
    return f"{share_txt}, {int(row['n_countries_with_data'])} of {int(row['n_countries'])} countries"


def regional_rows(scheme_key: str) -> pd.DataFrame:
    df = regional_child_labour(scheme_key)
    if df.empty:
        return df
    df = df.copy()
    df["coverage_text"] = [coverage_text(r) for r in df.to_dict("records")]
    df["year_or_data_years"] = [str(r["year"]) if r["kind"] == "official" else f"{r['data_years']} (country data)"
                                for r in df.to_dict("records")]
    return df


@c.rendered(maxsize=8)
def regional_card(scheme_key: str) -> html.Section:
    df = regional_rows(scheme_key)
    label = SCHEMES[scheme_key][0]
    if not data.has_table("regional_gaps"):
        return html.Section([html.H3("Child labour by region"),
                             html.P("Regional gaps are not yet computed in this build.", className="caveat")],
                            className="card chart-card", id="overview-regional")
    table_rows = df[["region_name", "kind", "value", "unit", "year_or_data_years", "coverage_text", "edition"]] \
        .rename(columns={"region_name": "region", "year_or_data_years": "year", "coverage_text": "coverage"}) \
        if not df.empty else None
    return c.chart_card(
        "overview-regional", f"Child labour by region ({label}): latest value, % of children aged 5-17",
        regional_figure(df), c.source_line(df[df["kind"] == "official"]) + "; computed bars: SDG 8.7 Monitor from "
        "UN SDG Global Database country values weighted by WPP 2022 child population" if not df.empty else "",
        c.api_url("regional-gaps", series=list(dict.fromkeys(OFFICIAL_CL + COMPUTED_CL)), sex="total", age="5-17"),
        rows=table_rows,
        note="Blue bars are published by the source. Hatched orange bars are computed by this site from the latest "
             "survey value of each member country (different years, surveys and coverage): they are not official "
             "and can differ a lot from the official estimate.")


def map_card() -> html.Section:
    df = map_rows()
    universe = country_universe()
    one, trend = int((df["n_points"] == 1).sum()), int((df["n_points"] >= 2).sum())
    none = max(universe - len(df), 0)
    counts = html.P([html.Strong("Most countries have a single data point, and many have none. "),
                     f"Of {universe} countries and areas, ",
                     html.Span(f"{one}", id="overview-map-one"), " have one comparable value, ",
                     html.Span(f"{trend}", id="overview-map-trend"), " have two or more (a trend), and ",
                     html.Span(f"{none}", id="overview-map-none"),
                     " have none for this series (grey on the map)."], className="caveat", id="overview-map-counts")
    if df.empty:
        fig = c.empty_figure("No country values for this series in this build")
    else:
        fig = go.Figure(go.Choropleth(
            locations=df["iso3"], z=df["value"], locationmode="ISO-3", colorscale=c.SEQUENTIAL,
            customdata=df[["name", "year", "edition", "n_points"]],
            marker=dict(line=dict(color="#ffffff", width=0.4)),
            colorbar=dict(title=dict(text="% of children"), thickness=12),
            hovertemplate="<b>%{customdata[0]}</b><br>%{z:.1f}% of children 5-17<br>year %{customdata[1]} "
                          "(%{customdata[3]} comparable point(s))<br>%{customdata[2]}<extra></extra>"))
        missing = no_data_rows()
        if not missing.empty:  # countries without a value are drawn too, in grey, so "no data" is visible
            fig.add_trace(go.Choropleth(
                locations=missing["iso3"], z=[0] * len(missing), locationmode="ISO-3", showscale=False,
                colorscale=[[0, "#d0d0d0"], [1, "#d0d0d0"]], name="no data", customdata=missing[["name"]],
                marker=dict(line=dict(color="#ffffff", width=0.4)),
                hovertemplate="<b>%{customdata[0]}</b><br>no comparable value in this series<extra></extra>"))
        fig.update_geos(projection_type="natural earth", showframe=False, showcoastlines=False, showland=True,
                        landcolor="#e0e0e0", showcountries=True, countrycolor="#ffffff", lataxis_range=[-57, 85])
        fig.update_layout(margin=dict(l=0, r=0, t=10, b=0), height=430)
    return c.chart_card(
        "overview-map", "Child labour by country: latest comparable value, % of children aged 5-17 (SDG 8.7.1, "
                        "economic activity and household chores, both sexes)",
        fig, c.source_line(df) if not df.empty else "",
        c.api_url("observations", series=MAP_SERIES, geo=sorted(df["geo"]), sex=MAP_SEX, age=MAP_AGE),
        rows=df[["name", "year", "value", "unit", "n_points", "edition"]] if not df.empty else None,
        note="Values come from different national surveys and years (see the year in the hover); they are not "
             "comparable as a ranking. The download has every current-edition point of these countries.",
        before=counts)


def links() -> html.Nav:
    items = [("Explore", "/explore", "any series, country or region over time, as a chart, bars or map"),
             ("Countries", "/country", "a profile for each country with every data point and its source"),
             ("Regions", "/regions", "regional values, pace, and how much data each region has"),
             ("Data", "/data", "download extracts (CSV, Parquet) and the API")]
    return html.Nav(html.Ul([html.Li([dcc.Link(name, href=href), f": {text}"]) for name, href, text in items]),
                    className="card overview-links", **{"aria-label": "Go further"})


@c.rendered(maxsize=8)
def overview_body(scheme: str) -> list:
    """Everything under the page title, for one regional scheme (cached per build)."""
    return [headline_cards(), outcome_2025(), pace_section(), trend_card(),
            html.H2("Regions", id="overview-regions-heading"),
            html.Div([html.Label("Regional grouping", htmlFor="overview-scheme", className="overview-label"),
                      dcc.RadioItems(id="overview-scheme", options=scheme_options(), value=scheme, inline=True,
                                     className="overview-scheme")], className="controls overview-controls"),
            html.Div(regional_card(scheme), id="overview-regional-wrap", **{"aria-live": "polite"}),
            html.H2("Countries"), map_card(), links()]


# ---- layout and callbacks ------------------------------------------------------------------------------------------

def layout(scheme: str | None = None, **_):
    scheme = scheme if scheme in SCHEMES else DEFAULT_SCHEME
    try:
        body = overview_body(scheme)
    except data.WarehouseMissing:
        body = [html.P("The data warehouse is not available: run `sdg87 build`.", className="caveat")]
    except Exception:  # the overview must never show a traceback
        log.exception("overview failed")
        body = [html.P("The overview could not be built from the current data. Try again in a moment.",
                       className="caveat")]
    return html.Div([
        dcc.Store(id="overview-search"), dcc.Store(id="overview-url-written"),
        html.H1("SDG target 8.7: where the world stands"),
        html.P("End forced labour, modern slavery and human trafficking, and end child labour in all its forms by "
               "2025. Numbers below are official published estimates unless marked “computed”; each shows its year, "
               "age band, sex, source and edition.", className="lead"),
        *body,
    ], id="overview")


@callback(Output("overview-regional-wrap", "children"), Output("overview-search", "data"),
          Input("overview-scheme", "value"), prevent_initial_call=True)
def scheme_changed(scheme):
    scheme = scheme if scheme in SCHEMES else DEFAULT_SCHEME
    return regional_card(scheme), f"?scheme={scheme}"


c.sync_url("overview")
