"""Regions `/regions`: regional values and pace per scheme, and how much country data each region has.

Part 1, per regional scheme (SDG regions, ILO regions, LDC/LLDC/SIDS): the latest official value where the source
publishes one and the aggregate computed here from country values (never in the same bar series), with year or data
years, coverage, and the observed against the required pace where the marts have it (regional_gaps).
Part 2, per series: countries with no data, one comparable point, or a trend (two or more), and the age of their
latest point, by SDG region, with a downloadable list of countries linking to their profiles.

URL: ?scheme=sdg|ilo|groups&measure=cl|ms|fl&series=<coverage series>.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from dashboard import components as c
from dashboard import data
from dashboard.regional import SCHEMES, latest_by_region

dash.register_page(__name__, path="/regions", title="Regions · SDG 8.7 Monitor", name="Regions", order=3,
                   description="SDG 8.7 by region: official and computed values, pace, and data coverage.")
log = logging.getLogger(__name__)

MEASURES = {  # URL value -> label, official series (in order of preference), computed series, age, axis title
    "cl": dict(label="Child labour (% of children 5-17)", official=("GE_CL_PREV", "SL_TLF_CHLDEC"),
               computed=("SL_TLF_CHLDEC",), age="5-17", axis="% of children aged 5-17"),
    "ms": dict(label="Modern slavery (per 1,000 people)", official=("GE_MS_PREV",), computed=("GSI_PREV",),
               age="all", axis="per 1,000 people"),
    "fl": dict(label="Forced labour (per 1,000 people)", official=("GE_FL_PREV",), computed=(),
               age="all", axis="per 1,000 people"),
}
COVERAGE = {  # series -> (sex, age, label)
    "SL_TLF_CHLDEC": ("total", "5-17", "Child labour, SDG 8.7.1 incl. household chores (SL_TLF_CHLDEC, 5-17)"),
    "SL_TLF_CHLDEA": ("total", "5-17", "Child labour, economic activity only (SL_TLF_CHLDEA, 5-17)"),
    "PT_CHLD_5-17_LBR_ECON-HC": ("total", "5-17", "Child labour, UNICEF SOWC 2023 (5-17)"),
    "GSI_PREV": ("total", "all", "Modern slavery prevalence, Global Slavery Index 2023"),
    "VC_HTF_DETV": ("total", "all", "Detected victims of trafficking, UNODC (SDG 16.2.2)"),
}
DEFAULTS = {"scheme": "sdg", "measure": "cl", "series": "SL_TLF_CHLDEC"}
REFERENCE_YEAR = 2025
AGE_BINS = [("≤3 years", "latest point 2022 or later"), ("4-7 years", "latest point 2018-2021"),
            ("8+ years", "latest point 2017 or earlier"), ("no data", "no point at all")]
STATUSES = ["no data", "one point", "trend (2+ points)"]
STATUS_COLOURS = {"no data": "#bbbbbb", "one point": c.PALETTE[1], "trend (2+ points)": c.PALETTE[0]}
AGE_COLOURS = {"≤3 years": c.PALETTE[2], "4-7 years": c.PALETTE[1], "8+ years": c.PALETTE[3], "no data": "#bbbbbb"}
OFFICIAL_COLOUR, COMPUTED_COLOUR = c.PALETTE[0], c.PALETTE[1]


def clean(key: str, value) -> str:
    allowed = {"scheme": SCHEMES, "measure": MEASURES, "series": COVERAGE}[key]
    return value if value in allowed else DEFAULTS[key]


# ---- queries -------------------------------------------------------------------------------------------------------

def regional_rows(scheme: str, measure: str) -> pd.DataFrame:
    """Latest official and latest computed value per region (and the world), kept apart by `kind`."""
    m = MEASURES[measure]
    return latest_by_region(scheme, m["official"], m["computed"], m["age"])


def coverage_rows(series: str) -> pd.DataFrame:
    """One row per country or area in an SDG region: comparable points of the series and the year of the latest."""
    sex, age, _ = COVERAGE[series]
    return data.cached("""
        WITH members AS (
            SELECT m.geo, g.name, g.iso3, r.name AS sdg_region FROM geo_memberships m
            JOIN geographies g ON g.geo = m.geo AND g.type = 'country' JOIN geographies r ON r.geo = m.group_geo
            WHERE m.scheme = 'sdg_region'),
        points AS (
            SELECT geo, count(DISTINCT year) AS n_points, min(year) AS first_year, max(year) AS latest_year,
                   string_agg(DISTINCT edition, '; ') AS editions
            FROM observations WHERE is_current AND series = ? AND sex = ? AND age = ? AND value IS NOT NULL
            GROUP BY geo)
        SELECT m.geo, m.name, m.iso3, m.sdg_region, coalesce(p.n_points, 0) AS n_points, p.first_year,
               p.latest_year, p.editions
        FROM members m LEFT JOIN points p USING (geo) ORDER BY m.sdg_region, m.name""", (series, sex, age))


def classify(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    n = df["n_points"].astype(int)
    df["status"] = ["no data" if k == 0 else "one point" if k == 1 else "trend (2+ points)" for k in n]
    age = REFERENCE_YEAR - df["latest_year"].astype("Float64")
    df["latest_age"] = ["no data" if pd.isna(a) else "≤3 years" if a <= 3 else "4-7 years" if a <= 7 else "8+ years"
                        for a in age]
    return df


# ---- formatting ----------------------------------------------------------------------------------------------------

def value_text(v, unit: str) -> str:
    if v is None or pd.isna(v):
        return "–"
    return f"{v:,.1f}%" if unit == "percent" else f"{v:,.1f} {c.UNIT_LABELS.get(unit, unit)}"


def change_text(v, unit: str) -> str:
    if v is None or pd.isna(v):
        return "–"
    return f"{v:+,.2f} {'pp' if unit == 'percent' else c.UNIT_LABELS.get(unit, unit)}/year"


def pace_text(row: dict) -> str:
    obs, pm = row.get("observed_change_per_year"), row.get("pace_multiple")
    if obs is None or pd.isna(obs):
        return "one estimate only: no observed pace" if row["kind"] == "official" else "not computed (one point per country)"
    if obs >= 0:
        return "moving away from the target"
    return f"{pm:,.1f} times faster needed" if pm is not None and pd.notna(pm) else "–"


PARTIAL_COVERAGE = 0.9  # below this share of the population (children) covered, say how far the computed world is off


def world_gap_text(df: pd.DataFrame) -> str:
    """How far the computed world value is from the official one, in the data: surveyed countries are not a random
    sample (surveys are run more where child labour is high), so a computed mean describes them, not the region."""
    world = df[df["region"] == "WLD"] if not df.empty else df
    if set(world["kind"]) != {"official", "computed"}:
        return ""
    off, com = (world[world["kind"] == k].iloc[0] for k in ("official", "computed"))
    share = com.get("coverage_population_share")
    if pd.isna(share) or share >= PARTIAL_COVERAGE:  # nearly everyone covered: a gap would be years or methods
        return ""
    return (f" For the world, the computed value is {value_text(com['value'], com['unit'])} "
            f"({coverage_text(com.to_dict())}) against the official {value_text(off['value'], off['unit'])} "
            f"({int(off['year'])}): the countries with data are not a random sample of the region, so a computed "
            f"value describes those countries, not the region.")


def coverage_text(row: dict) -> str:
    if row["kind"] != "computed" or pd.isna(row.get("n_countries")):
        return "published by the source"
    share = row.get("coverage_population_share")
    basis = "children" if str(row.get("series", "")).startswith("SL_") else "population"
    share_txt = f"covers {share:.0%} of {basis}" if pd.notna(share) else "coverage unknown"
    return f"{share_txt}, {int(row['n_countries_with_data'])} of {int(row['n_countries'])} countries"


def regional_table(df: pd.DataFrame) -> pd.DataFrame:
    recs = df.to_dict("records")
    return pd.DataFrame({
        "region": [r["region_name"] for r in recs],
        "kind": [r["kind"] for r in recs],
        "latest value": [value_text(r["value"], r["unit"]) for r in recs],
        "year / data years": [str(r["year"]) if r["kind"] == "official" else f"{r['data_years']} (country data)"
                              for r in recs],
        "coverage": [coverage_text(r) for r in recs],
        "observed change": [change_text(r.get("observed_change_per_year"), r["unit"]) for r in recs],
        "required change to 2030": [change_text(r.get("required_change_per_year"), r["unit"]) for r in recs],
        "pace": [pace_text(r) for r in recs],
        "status": [r.get("status") if isinstance(r.get("status"), str) else "–" for r in recs],
        "source / edition": [f"{r['series']}: {r['edition']}" for r in recs],
    })


# ---- figures -------------------------------------------------------------------------------------------------------

def regional_figure(df: pd.DataFrame, m: dict) -> go.Figure:
    if df.empty:
        return c.empty_figure("No regional values for this scheme and measure in this build")
    order = [c.wrap_label(n) for n in dict.fromkeys(df["region_name"])]
    fig = go.Figure()
    for kind, name, colour, pattern in (
            ("official", "Official estimate", OFFICIAL_COLOUR, ""),
            ("computed", "Computed here (not official)", COMPUTED_COLOUR, "/")):
        sub = df[df["kind"] == kind]
        if sub.empty:
            continue
        recs = sub.to_dict("records")
        detail = [f"{r['year']}, {r['edition']}" if kind == "official"
                  else f"country data years {r['data_years']}<br>{coverage_text(r)}" for r in recs]
        fig.add_trace(go.Bar(y=sub["region_name"].map(c.wrap_label), x=sub["value"], orientation="h", name=name,
                             marker=dict(color=colour, pattern=dict(shape=pattern, fgcolor="#7a4f00", solidity=0.3)),
                             customdata=list(zip(detail)),
                             hovertemplate="<b>%{y}</b><br>%{x:,.1f} (" + kind + ")<br>%{customdata[0]}<extra></extra>"))
    fig.update_layout(barmode="group", height=max(340, 100 + 48 * len(order)), margin=dict(l=10, r=20, t=50, b=40),
                      xaxis=dict(title=m["axis"], rangemode="tozero"),
                      yaxis=dict(categoryorder="array", categoryarray=list(reversed(order)), automargin=True),
                      legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0))
    return fig


def pace_figure(df: pd.DataFrame, m: dict) -> go.Figure | None:
    sub = df[(df["kind"] == "official") & df["observed_change_per_year"].notna()
             & df["required_change_per_year"].notna()]
    if sub.empty:
        return None
    fig = go.Figure([
        go.Bar(y=sub["region_name"].map(c.wrap_label), x=sub["observed_change_per_year"], orientation="h", name="Observed change per year",
               marker_color=c.PALETTE[0], hovertemplate="<b>%{y}</b><br>observed %{x:+.2f} a year<extra></extra>"),
        go.Bar(y=sub["region_name"].map(c.wrap_label), x=sub["required_change_per_year"], orientation="h",
               name="Change per year needed to reach zero by 2030", marker_color=c.PALETTE[3],
               marker_pattern_shape=".",
               hovertemplate="<b>%{y}</b><br>required %{x:+.2f} a year<extra></extra>")])
    unit = "percentage points" if sub["unit"].iloc[0] == "percent" else c.UNIT_LABELS.get(sub["unit"].iloc[0], "")
    fig.update_layout(barmode="group", height=max(280, 110 + 60 * len(sub)), margin=dict(l=10, r=20, t=40, b=40),
                      xaxis=dict(title=f"change per year ({unit}); negative = falling", zeroline=True,
                                 zerolinecolor="#444"),
                      yaxis=dict(automargin=True), legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig


def stacked_figure(df: pd.DataFrame, column: str, categories: list[str], colours: dict, axis: str) -> go.Figure:
    counts = df.groupby(["sdg_region", column]).size().unstack(fill_value=0).reindex(columns=categories, fill_value=0)
    fig = go.Figure([go.Bar(y=[c.wrap_label(n) for n in counts.index], x=counts[cat], name=cat, orientation="h", marker_color=colours[cat],
                            hovertemplate="<b>%{y}</b><br>" + cat + ": %{x} countries<extra></extra>")
                     for cat in categories])
    fig.update_layout(barmode="stack", height=400, margin=dict(l=10, r=20, t=40, b=40),
                      xaxis=dict(title=axis), yaxis=dict(automargin=True, autorange="reversed"),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, traceorder="normal"))
    return fig


# ---- sections ------------------------------------------------------------------------------------------------------

@c.rendered(maxsize=16)
def regional_section(scheme: str, measure: str):
    if not data.has_table("regional_gaps"):
        return html.P("Regional gaps are not yet computed in this build.", className="caveat")
    m = MEASURES[measure]
    df = regional_rows(scheme, measure)
    label = SCHEMES[scheme][0]
    series = list(dict.fromkeys(m["official"] + m["computed"]))
    href = c.api_url("regional-gaps", series=series, sex="total", age=m["age"])
    official = df[df["kind"] == "official"] if not df.empty else df
    source = (c.source_line(official) if not official.empty else "No official regional values for this scheme") + \
        ("; computed bars: SDG 8.7 Monitor, population-weighted from country values" if m["computed"] else "")
    parts = [c.chart_card(
        "regions-values", f"{m['label'].split(' (')[0]} by region ({label}): latest value", regional_figure(df, m),
        source, href,
        note="Solid blue bars are published by the source; hatched orange bars are computed by this site from the "
             "latest value of each member country (different years and surveys): not official, and they can differ "
             "a lot from the official estimate. Coverage says how many member countries have data."
             + world_gap_text(df))]
    if not df.empty:
        parts.append(html.Div(c.table(regional_table(df), caption=f"{m['label']}, {label}"),
                              className="card regions-table", id="regions-table"))
    pf = pace_figure(df, m) if not df.empty else None
    if pf is None:
        parts.append(html.P("No region in this scheme has two or more comparable official estimates of this "
                            "measure, so no observed pace can be set against the pace required for 2030.",
                            className="note", id="regions-pace-none"))
    else:
        parts.append(c.chart_card("regions-pace", f"Observed against required change per year, {label} "
                                                f"(official estimates with two or more years)", pf,
                                c.source_line(official), href,
                                note="Required: the straight-line change per year from the latest estimate to zero "
                                     "in 2030. Observed: the trend of the published estimates."))
    return parts


def country_list(df: pd.DataFrame, series: str) -> html.Div:
    head = ["Country or area", "SDG region", "Status", "Comparable points", "Latest year", "Age of latest point"]
    body = [html.Tr([html.Td(dcc.Link(r.name, href=f"/country/{r.geo}")), html.Td(r.sdg_region), html.Td(r.status),
                     html.Td(str(int(r.n_points))),
                     html.Td("–" if pd.isna(r.latest_year) else str(int(r.latest_year))), html.Td(r.latest_age)])
            for r in df.itertuples(index=False)]
    return html.Div(html.Table([html.Caption(f"Countries and areas: data status for {series}"),
                                html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(body)],
                               className="data-table"), className="table-wrap")


@c.rendered(maxsize=16)
def coverage_section(series: str):
    df = classify(coverage_rows(series))
    sex, age, label = COVERAGE[series]
    status_n = df["status"].value_counts()
    age_n = df["latest_age"].value_counts()
    cards = [c.stat_card(s, f"{int(status_n.get(s, 0))}", "countries and areas", id_=f"regions-count-{k}")
             for s, k in zip(STATUSES, ("none", "one", "trend"))]
    cards += [c.stat_card(f"latest {a}", f"{int(age_n.get(a, 0))}", d, id_=f"regions-age-{k}")
              for (a, d), k in zip(AGE_BINS[:3], ("recent", "mid", "old"))]
    intro = html.P(f"{label}: of {len(df)} countries and areas in the SDG regions, "
                   f"{int(status_n.get('no data', 0))} have no value, {int(status_n.get('one point', 0))} have a "
                   f"single comparable point and {int(status_n.get('trend (2+ points)', 0))} have two or more "
                   f"(a trend). Comparable: the same series, sex ({sex}) and age band ({age}), current edition. Age "
                   f"of the latest point is counted from {REFERENCE_YEAR}.", className="caveat",
                   id="regions-coverage-intro")
    href = c.api_url("observations", series=series, sex=sex, age=age)
    return [intro, html.Div(cards, className="regions-counts", id="regions-counts"),
            html.Div([
                c.chart_card("regions-points", f"How many comparable points: {series}, by SDG region",
                           stacked_figure(df, "status", STATUSES, STATUS_COLOURS, "countries and areas"),
                           c.source_line(f"Counted from the warehouse (current editions: "
                                         f"{'; '.join(sorted(set('; '.join(df['editions'].dropna()).split('; ')) - {''}))})"),
                           href),
                c.chart_card("regions-age", f"How old the latest point is (before {REFERENCE_YEAR}): {series}, "
                                          "by SDG region",
                           stacked_figure(df, "latest_age", [a for a, _ in AGE_BINS], AGE_COLOURS,
                                          "countries and areas"),
                           "Bins: ≤3 years = 2022 or later; 4-7 years = 2018-2021; 8+ years = 2017 or earlier.", href),
            ], className="grid-2"),
            html.Section([html.H3("Countries and their data status", id="regions-list-title"),
                          html.Div([html.Button("Download this list (CSV)", id="regions-list-download-btn",
                                                className="regions-download-btn", n_clicks=0),
                                    dcc.Download(id="regions-list-download")], className="chart-actions"),
                          html.Details([html.Summary(f"Show all {len(df)} countries and areas"),
                                        country_list(df, series)], id="regions-list")],
                         className="card", **{"aria-labelledby": "regions-list-title"})]


def radio(id_: str, legend: str, options: dict, value: str, label_of=lambda v: v):
    return html.Fieldset([html.Legend(legend), dcc.RadioItems(
        id=id_, options=[{"label": label_of(v), "value": k} for k, v in options.items()], value=value, inline=True,
        className="regions-radio")], className="regions-fieldset")


# ---- layout and callbacks ------------------------------------------------------------------------------------------

def layout(scheme: str | None = None, measure: str | None = None, series: str | None = None, **_):
    scheme, measure, series = clean("scheme", scheme), clean("measure", measure), clean("series", series)
    try:
        regional, coverage = regional_section(scheme, measure), coverage_section(series)
    except data.WarehouseMissing:
        regional, coverage = html.P("The data warehouse is not available: run `sdg87 build`.", className="caveat"), None
    except Exception:
        log.exception("regions page failed")
        regional, coverage = html.P("This page could not be built from the current data. Try again in a moment.",
                                    className="caveat"), None
    return html.Div([
        dcc.Store(id="regions-search"), dcc.Store(id="regions-url-written"),
        html.H1("Regions"),
        html.P("Where regional estimates are published, they are shown as official. Aggregates computed by this site "
               "from country values are labelled “computed”, with how many countries and how much of the population "
               "they cover; the two are never mixed in one series.", className="lead"),
        html.H2("Regional values and pace"),
        html.Div([radio("regions-scheme", "Regional grouping", SCHEMES, scheme, lambda v: v[0]),
                  radio("regions-measure", "Measure", MEASURES, measure, lambda v: v["label"])],
                 className="controls regions-controls"),
        html.Div(regional, id="regions-regional", **{"aria-live": "polite"}),
        html.H2("How much country data is there?"),
        html.Div([html.Label("Series", htmlFor="regions-series"),
                  dcc.Dropdown(id="regions-series", options=[{"label": v[2], "value": k} for k, v in COVERAGE.items()],
                               value=series, clearable=False, searchable=False)],
                 className="controls regions-controls"),
        html.Div(coverage, id="regions-coverage", **{"aria-live": "polite"}),
    ], id="regions")


@callback(Output("regions-regional", "children"), Input("regions-scheme", "value"),
          Input("regions-measure", "value"), prevent_initial_call=True)
def regional_changed(scheme, measure):
    return regional_section(clean("scheme", scheme), clean("measure", measure))


@callback(Output("regions-coverage", "children"), Input("regions-series", "value"), prevent_initial_call=True)
def series_changed(series):
    return coverage_section(clean("series", series))


@callback(Output("regions-search", "data"), Input("regions-scheme", "value"), Input("regions-measure", "value"),
          Input("regions-series", "value"), prevent_initial_call=True)
def state_to_url(scheme, measure, series):
    return "?" + urlencode({"scheme": clean("scheme", scheme), "measure": clean("measure", measure),
                            "series": clean("series", series)})


@callback(Output("regions-list-download", "data"), Input("regions-list-download-btn", "n_clicks"),
          State("regions-series", "value"), prevent_initial_call=True)
def download_list(n_clicks, series):
    series = clean("series", series)
    df = classify(coverage_rows(series))
    cols = ["geo", "name", "sdg_region", "status", "n_points", "first_year", "latest_year", "latest_age", "editions"]
    return dcc.send_data_frame(df[cols].to_csv, f"sdg87-coverage-{series}.csv", index=False)


c.sync_url("regions")
