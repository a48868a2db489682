"""Country index `/country`: every country, grouped by SDG region, each linking to its profile, with how
many child-labour data points it has.

URL: `?q=<text>` filters by name or code (accents and case ignored); `?data=1` keeps only countries with
child-labour data. Both are written back to the URL, so a filtered list can be shared.
"""
from __future__ import annotations

import unicodedata

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard import components as c
from dashboard import data

dash.register_page(__name__, path="/country", title="Countries · SDG 8.7 Monitor",
                   description="Find a country profile: child labour, modern slavery and trafficking data.")

NO_REGION = "Not in an SDG region"


def countries() -> pd.DataFrame:
    """One row per country: SDG region and its child-labour data (current editions, both sexes)."""
    return data.cached("""
        WITH cl AS (
            SELECT geo, series, count(*) AS n, count(DISTINCT age) AS n_bands, min(year) AS y0, max(year) AS y1
            FROM observations
            WHERE is_current AND sex = 'total' AND value IS NOT NULL
              AND series IN ('SL_TLF_CHLDEC', 'SL_TLF_CHLDEA', 'PT_CHLD_5-17_LBR_ECON-HC')
            GROUP BY geo, series)
        SELECT g.geo, g.name, g.iso3, r.group_geo AS region, rg.name AS region_name,
               coalesce(c.n, 0) AS n_chldec, coalesce(a.n, 0) AS n_chldea, coalesce(s.n, 0) AS n_sowc,
               coalesce(c.n_bands, a.n_bands) AS n_bands,
               coalesce(c.y0, a.y0) AS first_year, coalesce(c.y1, a.y1) AS last_year
        FROM geographies g
        LEFT JOIN geo_memberships r ON r.geo = g.geo AND r.scheme = 'sdg_region'
        LEFT JOIN geographies rg ON rg.geo = r.group_geo
        LEFT JOIN cl c ON c.geo = g.geo AND c.series = 'SL_TLF_CHLDEC'
        LEFT JOIN cl a ON a.geo = g.geo AND a.series = 'SL_TLF_CHLDEA'
        LEFT JOIN cl s ON s.geo = g.geo AND s.series = 'PT_CHLD_5-17_LBR_ECON-HC'
        WHERE g.type = 'country'
        ORDER BY rg.name NULLS LAST, g.name""")


def fold(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()


def filtered(q: str | None, with_data: bool) -> pd.DataFrame:
    df = countries()
    if with_data:
        df = df[(df["n_chldec"] + df["n_chldea"] + df["n_sowc"]) > 0]
    needle = fold(q)[:80]
    if needle:
        keys = df["name"].map(fold) + " " + df["geo"].map(fold) + " " + df["region_name"].map(fold)
        df = df[keys.str.contains(needle, regex=False)]
    return df


def badge(r) -> html.Span:
    years = (f", {int(r.first_year)}" + (f"–{int(r.last_year)}" if r.last_year != r.first_year else "")
             if pd.notna(r.first_year) else "")
    bands = f" · {int(r.n_bands)} age bands, not comparable" if pd.notna(r.n_bands) and r.n_bands > 1 else ""
    if r.n_chldec:
        text, cls = f"{r.n_chldec} child-labour point{'s' if r.n_chldec != 1 else ''}{years}{bands}", "has-data"
    elif r.n_chldea:
        text, cls = (f"{r.n_chldea} point{'s' if r.n_chldea != 1 else ''}{years}, economic activity only{bands}",
                     "has-data partial")
    elif r.n_sowc:
        text, cls = "UNICEF SOWC value only (year not stated)", "partial"
    else:
        text, cls = "no child-labour data", "no-data"
    return html.Span(text, className=f"country-index-badge {cls}")


def listing(df: pd.DataFrame):
    if df.empty:
        return html.P("No country matches. Try part of the name (e.g. “niger”) or a three-letter code (e.g. NGA).",
                      className="note", id="country-index-empty")
    sections = []
    for region, group in df.groupby(df["region_name"].fillna(NO_REGION), sort=False):
        n_data = int(((group["n_chldec"] + group["n_chldea"]) > 0).sum())
        slug = "".join(ch if ch.isalnum() else "-" for ch in region.lower())
        sections.append(html.Section([
            html.H2([region, html.Span(f" {len(group)} countries, {n_data} with child-labour survey data",
                                       className="country-index-count")], id=f"country-index-{slug}"),
            html.Ul([html.Li([dcc.Link(r.name, href=f"/country/{r.geo}", className="country-index-link"),
                              html.Span(r.geo, className="country-index-code"), badge(r)])
                     for r in group.itertuples(index=False)], className="country-index-list"),
        ], className="country-index-region", **{"aria-labelledby": f"country-index-{slug}"}))
    return sections


def summary(df: pd.DataFrame) -> str:
    n_data = int(((df["n_chldec"] + df["n_chldea"]) > 0).sum())
    return f"{len(df)} countries shown; {n_data} have at least one child-labour survey value."


@c.rendered(maxsize=64)
def listing_parts(q: str, with_data: bool) -> tuple:
    """The list and its one-line summary for a search and the data filter (cached per build)."""
    df = filtered(q, with_data)
    return listing(df), summary(df)


def layout(q: str | None = None, **params):
    with_data = params.get("data") == "1"
    q = (q or "")[:80]
    try:
        body, count = listing_parts(q, with_data)
    except Exception:
        body, count = html.P("The country list is not available: the data warehouse could not be read."), ""
    return html.Div([
        dcc.Location(id="country-index-url", refresh=False),
        html.H1("Countries"),
        html.P("Choose a country for its profile: child labour (SDG 8.7.1), modern slavery (Global Slavery Index "
               "2023), trafficking and what the data can and cannot say. Most countries have only one comparable "
               "child-labour survey value.", className="lead"),
        html.Div([
            html.Div([html.Label("Find a country", htmlFor="country-index-search"),
                      dcc.Input(id="country-index-search", type="search", value=q, debounce=0.3,
                                placeholder="Name or code, e.g. Nigeria or NGA", autoComplete="off",
                                maxLength=80, className="country-index-input")]),
            html.Div(dcc.Checklist(id="country-index-withdata", value=["1"] if with_data else [],
                                   options=[{"label": " Only countries with child-labour data", "value": "1"}]),
                     className="country-index-check"),
        ], className="controls country-index-controls no-print", role="search"),
        html.P(count, id="country-index-summary", className="note", **{"aria-live": "polite"}),
        html.Div(body, id="country-index-list"),
    ], id="country-index", className="country-index")


@callback(Output("country-index-list", "children"), Output("country-index-summary", "children"),
          Output("country-index-url", "search"),
          Input("country-index-search", "value"), Input("country-index-withdata", "value"),
          prevent_initial_call=True)
def update_list(q, with_data):
    q, with_data = (q or "")[:80], "1" in (with_data or [])
    params = "&".join(p for p in ((f"q={_quote(q)}" if q else ""), ("data=1" if with_data else "")) if p)
    return *listing_parts(q, with_data), (f"?{params}" if params else "")


def _quote(text: str) -> str:
    from urllib.parse import quote
    return quote(text, safe="")
