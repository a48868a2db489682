"""Country profile `/country/<code>`: what a policymaker needs on one printable page.

Headline cards (latest child-labour prevalence, estimated number of children, the 2025 target and the pace
needed for 2030, GSI 2023 prevalence and rank, vulnerability and government response, detected trafficking
victims), the child-labour trend with its projection and the path to zero, the country beside its SDG region
and the world, an always-visible caveats block and, for every headline number, where it comes from (source,
edition, citation, raw file, sheet and row).

URL: `/country/<ISO3>` (case-insensitive), optional `?sex=total|female|male` for the trend chart.
An unknown code gets friendly not-found content; `data.is_known_country()` lets the app answer HTTP 404.
"""
from __future__ import annotations

import logging
import math
import re

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import components as c
from dashboard import data
from dashboard.data import normalise_code

log = logging.getLogger(__name__)

# ---- allow-lists (the only identifiers and codes that reach SQL text) -----------------------------------
CL_SERIES = ("SL_TLF_CHLDEC", "SL_TLF_CHLDEA")           # SDG 8.7.1, in order of preference
SOWC_SERIES = "PT_CHLD_5-17_LBR_ECON-HC"                  # UNICEF SOWC 2023 table (year not stated)
CL_ALL = CL_SERIES + (SOWC_SERIES,)
GE_CL = "GE_CL_PREV"                                      # published ILO-UNICEF estimates (modelled)
DETV = "VC_HTF_DETV"
GSI_PREV, GSI_NUM, GSI_VULN, GSI_GOV = "GSI_PREV", "GSI_NUM", "GSI_VULN_TOTAL", "GSI_GOV_TOTAL"
GSI_MILESTONES = {
    "GSI_GOV_SURVIVORS": "Survivors identified and supported",
    "GSI_GOV_CRIMINAL_JUSTICE": "Criminal justice mechanisms",
    "GSI_GOV_COORDINATION": "Coordination and accountability",
    "GSI_GOV_RISK_FACTORS": "Risk factors addressed",
    "GSI_GOV_SUPPLY_CHAINS": "Stop sourcing forced-labour goods",
}
GSI_SERIES = (GSI_PREV, GSI_NUM, GSI_VULN, GSI_GOV, *GSI_MILESTONES)
SEXES = {"total": "both sexes", "female": "girls", "male": "boys"}
SERIES_SHORT = {
    "SL_TLF_CHLDEC": "economic activity and household chores (SDG series SL_TLF_CHLDEC)",
    "SL_TLF_CHLDEA": "economic activity only (SDG series SL_TLF_CHLDEA)",
    SOWC_SERIES: "UNICEF State of the World's Children 2023 table",
}
AGE_PREFERENCE = {"5-17": 0, "5-14": 1}
TARGET_YEAR, NEW_TARGET_YEAR = 2025, 2030
EXAMPLES = ("NGA", "IND", "BRA", "BGD", "ETH")
OBS_COLUMNS = ("o.series, o.geo, o.year, o.sex, o.age, o.value, o.unit, o.nature, o.source, o.edition, o.is_current, "
               "o.time_detail, o.footnote, o.raw_file, o.raw_sheet, o.raw_row, o.raw_column")
MINUS = "\u2212"


def _title(code: str | None = None, **_) -> str:
    try:
        row = country_row(code)
        name = row["name"] if row else "Country not found"
    except Exception:  # the title must never break the page
        name = "Country profile"
    return f"{name} · SDG 8.7 Monitor"


dash.register_page(__name__, path_template="/country/<code>", title=_title,
                    description="Country profile for SDG target 8.7: child labour, modern slavery and trafficking.")


# ---- queries (small, parameterised) --------------------------------------------------------------------

def country_row(code) -> dict | None:
    norm = normalise_code(code)
    if norm is None:
        return None
    df = data.cached("SELECT geo, name, iso3, m49 FROM geographies WHERE type = 'country' AND geo = ?", (norm,))
    return None if df.empty else df.iloc[0].to_dict()


def memberships(code: str) -> dict[str, dict]:
    df = data.cached("""SELECT m.scheme, m.group_geo AS geo, g.name FROM geo_memberships m
                        JOIN geographies g ON g.geo = m.group_geo WHERE m.geo = ? ORDER BY m.scheme""", (code,))
    return {r.scheme: {"geo": r.geo, "name": r.name} for r in df.itertuples(index=False)}


def observations(code: str, series: tuple[str, ...]) -> pd.DataFrame:
    marks = ", ".join("?" * len(series))
    return data.cached(f"""SELECT {OBS_COLUMNS} FROM observations o
                           WHERE o.geo = ? AND o.series IN ({marks}) AND o.value IS NOT NULL
                           ORDER BY o.series, o.sex, o.age, o.year, o.is_current DESC""", (code, *series))


def region_observations(series: str, sex: str, age: str, geos: tuple[str, ...]) -> pd.DataFrame:
    if not geos:
        return pd.DataFrame()
    marks = ", ".join("?" * len(geos))
    return data.cached(f"""SELECT {OBS_COLUMNS}, g.name AS geo_name FROM observations o
                           JOIN geographies g ON g.geo = o.geo
                           WHERE o.is_current AND o.series = ? AND o.sex = ? AND o.age = ? AND o.geo IN ({marks})
                             AND o.value IS NOT NULL ORDER BY o.geo, o.year""", (series, sex, age, *geos))


def regional_gaps(regions: tuple[str, ...], series: str, sex: str, age: str, kind: str) -> pd.DataFrame:
    """Rows of the regional_gaps mart (`kind` 'official' = published by the source, 'computed' = by this build)."""
    if not regions or not data.has_table("regional_gaps"):
        return pd.DataFrame()
    marks = ", ".join("?" * len(regions))
    return data.cached(f"""SELECT scheme, region AS geo, region_name AS geo_name, year, value, unit, kind, source,
                                  edition, n_countries_with_data, n_countries, coverage_population_share, note
                           FROM regional_gaps WHERE region IN ({marks}) AND series = ? AND sex = ? AND age = ?
                             AND kind = ? AND value IS NOT NULL
                           ORDER BY region = 'WLD', region, year""", (*regions, series, sex, age, kind))


def progress_row(series: str, code: str, sex: str, age: str) -> dict | None:
    if not data.has_table("progress"):
        return None
    df = data.cached("SELECT * FROM progress WHERE series = ? AND geo = ? AND sex = ? AND age = ?",
                     (series, code, sex, age))
    return None if df.empty else df.iloc[0].to_dict()


def gsi_rank(code: str) -> dict | None:
    """The country's GSI prevalence and its rank among all countries with an estimate (1 = highest)."""
    df = data.cached("""
        WITH latest AS (SELECT max(year) AS y FROM observations WHERE series = 'GSI_PREV' AND is_current),
        ranked AS (
            SELECT o.geo, o.year, o.value, o.source, o.edition, o.time_detail, o.raw_file, o.raw_sheet,
                   o.raw_row, o.raw_column,
                   RANK() OVER (ORDER BY o.value DESC) AS rank, COUNT(*) OVER () AS n_ranked
            FROM observations o JOIN geographies g ON g.geo = o.geo, latest
            WHERE o.series = 'GSI_PREV' AND o.is_current AND g.type = 'country' AND o.sex = 'total'
              AND o.year = latest.y AND o.value IS NOT NULL)
        SELECT * FROM ranked WHERE geo = ?""", (code,))
    return None if df.empty else df.iloc[0].to_dict()


def latest_published(series: str, geos: tuple[str, ...]) -> pd.DataFrame:
    """Latest current published (modelled) estimate, both sexes, ages 5-17 or all, for each of `geos`."""
    if not geos:
        return pd.DataFrame()
    marks = ", ".join("?" * len(geos))
    return data.cached(f"""SELECT o.geo, g.name AS geo_name, o.year, o.value, o.source, o.edition
                           FROM observations o JOIN geographies g ON g.geo = o.geo
                           WHERE o.series = ? AND o.is_current AND o.sex = 'total' AND o.age IN ('5-17', 'all')
                             AND o.geo IN ({marks})
                           QUALIFY row_number() OVER (PARTITION BY o.geo ORDER BY o.year DESC) = 1
                           ORDER BY o.geo = 'WLD', o.geo""", (series, *geos))


def child_population(code: str, year: int, age: str) -> dict | None:
    df = data.cached("""SELECT population_thousands, method, edition FROM child_population
                        WHERE geo = ? AND year = ? AND age = ?""", (code, int(year), age))
    return None if df.empty else df.iloc[0].to_dict()


def source_citations() -> pd.DataFrame:
    return data.sources()


# ---- small helpers -------------------------------------------------------------------------------------

def num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def yr(v) -> int | None:
    f = num(v)
    return None if f is None else int(round(f))


def signed(v: float, digits: int = 1) -> str:
    """+1.2 / −0.35 / −0.0012: enough digits that a small non-zero change does not print as 0.0."""
    if v != 0 and abs(v) < 0.5 * 10 ** -digits:
        return f"{v:+.2g}".replace("-", MINUS)
    return f"{v:+.{digits}f}".replace("-", MINUS)


def times(m: float) -> str:
    return f"{m:.1f}×" if m < 10 else f"{m:,.0f}×"


def region_label(name: str) -> str:
    return re.sub(r"\s*\((ILO|UNICEF) region\)$", "", str(name))


def fmt_value(v, unit: str | None) -> str:
    v = num(v)
    if v is None:
        return "–"
    if unit == "percent":
        return f"{v:.1f}%"
    if unit == "per_1000":
        return f"{v:.1f} per 1,000"
    if unit == "score_percent":
        return f"{v:.1f} / 100"
    if unit == "number":
        return f"{v:,.0f}"
    return c.fmt(v)


def fmt_people(thousands) -> str:
    """Rounded, so an estimate does not look more precise than it is: 22.5 million, 14,500."""
    t = num(thousands)
    if t is None:
        return "–"
    if t >= 1000:
        return f"{t / 1000:,.1f} million"
    people = t * 1000
    if people < 100:
        return f"{people:,.0f}"
    digits = len(str(int(people))) - 3
    return f"{round(people, -digits):,.0f}"


def citation(source: str, edition: str, footnote=None) -> str:
    """The sources table's citation for (source, edition); curated rows carry their own citation."""
    if isinstance(footnote, str) and footnote.strip() and source == "published":
        return footnote
    src = source_citations()
    hit = src[(src["source"] == source) & (src["edition"] == edition)]
    if hit.empty:
        hit = src[src["source"] == source]
    return str(hit.iloc[0]["citation"]) if not hit.empty else source


def provenance(rows: pd.DataFrame | list[dict], summary: str = "Where this number comes from", extra=None):
    """A small <details> listing source, edition, citation and raw file/sheet/row/column of each row used."""
    rows = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
    items = []
    for r in rows:
        where = [f"file {r.get('raw_file')}"]
        if isinstance(r.get("raw_sheet"), str) and r.get("raw_sheet"):
            where.append(f"sheet “{r['raw_sheet']}”")
        if num(r.get("raw_row")) is not None:
            where.append(f"row {yr(r['raw_row'])}")
        if isinstance(r.get("raw_column"), str) and r.get("raw_column"):
            where.append(f"column “{r['raw_column']}”")
        label = f"{r.get('series')} {r.get('year')} {r.get('sex')} {r.get('age')} = {c.fmt(num(r.get('value')))}"
        items.append(html.Li([html.Strong(label), html.Br(),
                              f"{r.get('source')} · {r.get('edition')}", html.Br(),
                              html.Span(citation(r.get("source"), r.get("edition"), r.get("footnote")),
                                        className="country-citation"), html.Br(),
                              html.Code(", ".join(where), className="country-raw")]))
    body = [html.Ul(items, className="country-provenance-list")] if items else []
    if extra:
        body.append(html.P(extra, className="note"))
    return html.Details([html.Summary(summary)] + body, className="country-provenance")


# ---- headline selection --------------------------------------------------------------------------------

def pick_headline(cl: pd.DataFrame) -> dict | None:
    """Latest current, both-sexes child-labour value: SL_TLF_CHLDEC before SL_TLF_CHLDEA, age 5-17 before
    5-14 before other bands, then the latest year. Falls back to the UNICEF SOWC table (year not stated)."""
    if cl.empty:
        return None
    cur = cl[cl["is_current"].astype(bool) & (cl["sex"] == "total")]
    for series in CL_SERIES + (SOWC_SERIES,):
        s = cur[cur["series"] == series]
        if s.empty:
            continue
        s = s.assign(_band=s["age"].map(lambda a: AGE_PREFERENCE.get(a, 2)))
        return s.sort_values(["_band", "year"], ascending=[True, False]).iloc[0].drop("_band").to_dict()
    return None


def comparable_rows(cl: pd.DataFrame, series: str, sex: str, age: str) -> pd.DataFrame:
    return cl[cl["is_current"].astype(bool) & (cl["series"] == series) & (cl["sex"] == sex) & (cl["age"] == age)]


# ---- figures -------------------------------------------------------------------------------------------

def trend_figure(cl: pd.DataFrame, head: dict, prog: dict | None, sex: str, name: str) -> go.Figure:
    age = head["age"]
    fig = go.Figure()
    sdg = cl[(cl["series"].isin(CL_SERIES)) & (cl["sex"] == sex)]
    colours = {CL_SERIES[0]: c.PALETTE[0], CL_SERIES[1]: c.PALETTE[1]}
    for series in CL_SERIES:
        rows = comparable_rows(cl, series, sex, age).sort_values("year")
        if rows.empty:
            continue
        main = series == head["series"]
        fig.add_trace(go.Scatter(
            x=rows["year"], y=rows["value"], mode="lines+markers",
            name=f"{'Observed' if main else 'Also observed'}: {series}, ages {age}",
            line=dict(color=colours[series], width=3 if main else 2),
            marker=dict(size=10 if main else 8, symbol="circle" if main else "square"),
            customdata=rows[["edition"]].to_numpy(),
            hovertemplate="%{x}: %{y:.1f}%<br>" + series + ", " + SEXES[sex] + ", ages " + age
                          + "<br>%{customdata[0]}<extra></extra>"))
    other = sdg[~(sdg["is_current"].astype(bool) & (sdg["age"] == age))]
    if not other.empty:
        labels = [f"{r.series}, ages {r.age}, {r.edition}" + ("" if r.is_current else " (superseded edition)")
                  for r in other.itertuples(index=False)]
        fig.add_trace(go.Scatter(
            x=other["year"], y=other["value"], mode="markers", name="Not comparable (other age band or edition)",
            marker=dict(size=9, color="rgba(0,0,0,0)", line=dict(color="#888", width=2)),
            text=labels, hovertemplate="%{x}: %{y:.1f}%<br>%{text}<br>not comparable<extra></extra>"))
    ly, lv = yr(head["year"]), num(head["value"])
    if sex != "total":  # the chart's own sex: start the paths from its latest comparable value
        own = comparable_rows(cl, head["series"], sex, age).sort_values("year")
        ly, lv = (yr(own.iloc[-1]["year"]), num(own.iloc[-1]["value"])) if not own.empty else (None, None)
    if prog is not None and yr(prog.get("latest_year")) is not None and num(prog.get("latest_value")) is not None:
        ly, lv = yr(prog["latest_year"]), num(prog["latest_value"])
    p25, p30 = (num(prog.get("projected_2025")), num(prog.get("projected_2030"))) if prog else (None, None)
    if prog and num(prog.get("change_per_year")) is not None and p30 is not None:
        xs, ys = [ly], [lv]
        if p25 is not None and ly < TARGET_YEAR:
            xs.append(TARGET_YEAR), ys.append(p25)
        xs.append(NEW_TARGET_YEAR), ys.append(p30)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="Projection on the observed trend",
                                 line=dict(color=c.PALETTE[0], dash="dot", width=2),
                                 hovertemplate="%{x}: %{y:.1f}% (projected)<extra></extra>"))
    if lv is not None and ly is not None and ly < NEW_TARGET_YEAR and lv > 0:
        fig.add_trace(go.Scatter(x=[ly, NEW_TARGET_YEAR], y=[lv, 0], mode="lines",
                                 name=f"Path needed to reach zero by {NEW_TARGET_YEAR}",
                                 line=dict(color=c.PALETTE[3], dash="dash", width=2),
                                 hovertemplate="%{x}: %{y:.1f}% (required path)<extra></extra>"))
    fig.add_vline(x=TARGET_YEAR, line=dict(color="#999", width=1, dash="dot"),
                  annotation_text="2025 target: end child labour", annotation_position="top left",
                  annotation_font_size=11)
    years = pd.to_numeric(sdg["year"], errors="coerce").dropna()
    x0 = int(years.min()) - 1 if not years.empty else 2009
    fig.update_layout(height=400, hovermode="closest", margin=dict(l=55, r=15, t=30, b=40),
                      legend=dict(orientation="h", y=-0.3, x=0, yanchor="top"))
    fig.update_xaxes(title_text="Year", range=[x0, NEW_TARGET_YEAR + 1], tickformat="d", nticks=7, tickangle=0,
                     automargin=True)
    top = pd.to_numeric(sdg["value"], errors="coerce").max()
    fig.update_yaxes(title_text=f"% of children aged {age}", range=[0, (top if pd.notna(top) else 10) * 1.15])
    return fig


def bar_figure(labels: list[str], values: list[float], colours: list[str], axis_title: str,
               value_text: list[str], x_max: float | None = None) -> go.Figure:
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker_color=colours, text=value_text,
                           textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>"))
    top = x_max or max([v for v in values if v is not None] or [1])
    fig.update_layout(height=90 + 42 * len(labels), margin=dict(l=10, r=20, t=10, b=45), showlegend=False)
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text=axis_title, range=[0, top * 1.3], tickvals=[0, 25, 50, 75, 100] if x_max else None)
    return fig


def line_figure(rows: pd.DataFrame, axis_title: str, name: str) -> go.Figure:
    fig = go.Figure(go.Scatter(x=rows["year"], y=rows["value"], mode="lines+markers", name=name,
                               line=dict(color=c.PALETTE[4], width=2), marker=dict(size=7),
                               hovertemplate="%{x}: %{y:,.0f}<extra></extra>"))
    fig.update_layout(height=260, margin=dict(l=55, r=15, t=10, b=40), showlegend=False)
    fig.update_xaxes(title_text="Year", tickformat="d", nticks=7, tickangle=0, automargin=True)
    fig.update_yaxes(title_text=axis_title, rangemode="tozero")
    return fig


# ---- page parts ----------------------------------------------------------------------------------------

def not_found(code) -> html.Div:
    shown = str(code)[:40] if code else ""
    examples = [e for e in EXAMPLES if country_row(e)] if _warehouse_ok() else []
    return html.Div([
        html.H1("Country not found"),
        html.P(["There is no country with the code ", html.Code(shown or "(empty)"), " in this build. "
                "Countries are addressed by their ISO 3166 alpha-3 code, for example /country/NGA for Nigeria."]),
        html.Ul([html.Li(dcc.Link("Search the list of all countries, grouped by SDG region", href="/country"))]
                + [html.Li(dcc.Link(f"{country_row(e)['name']} ({e})", href=f"/country/{e}")) for e in examples]
                + [html.Li(dcc.Link("Explore every series", href="/explore"))]),
    ], id="country-notfound", className="country-notfound")


def _warehouse_ok() -> bool:
    try:
        data.build_id()
        return True
    except Exception:
        return False


def headline_card(head: dict | None, cl: pd.DataFrame):
    if head is None:
        return c.stat_card("Child labour, latest", "No data",
                           "No child-labour survey value for this country in the SDG database or UNICEF SOWC 2023.",
                           id_="country-cl-card")
    sowc = head["series"] == SOWC_SERIES
    year_text = "year not stated (most recent in 2013–2021)" if sowc else str(yr(head["year"]))
    detail = [html.Span(f"{year_text} · {SEXES['total']} · ages {head['age']}", className="country-cl-meta",
                        id="country-cl-year"), html.Br(),
              f"{SERIES_SHORT[head['series']]} · {head['edition']}"]
    warn = []
    if head["series"] == "SL_TLF_CHLDEA":
        warn.append("Only the economic-activity series (SL_TLF_CHLDEA) is available: it excludes household chores "
                    "and is lower than the SDG headline series SL_TLF_CHLDEC.")
    if sowc:
        warn.append("Only the UNICEF SOWC 2023 table has a value for this country; UNICEF does not state the "
                    "survey year.")
    if head["age"] != "5-17":
        warn.append(f"Age band {head['age']}, not the SDG standard 5-17: not comparable with regional or world "
                    "figures.")
    cur = cl[cl["is_current"].astype(bool) & (cl["sex"] == "total") & cl["series"].isin(CL_SERIES)]
    newer = cur[(cur["year"] > head["year"]) & ~((cur["series"] == head["series"]) & (cur["age"] == head["age"]))]
    if not sowc and not newer.empty:
        n = newer.sort_values("year").iloc[-1]
        warn.append(f"A more recent but not comparable value exists: {n['series']}, ages {n['age']}, "
                    f"{yr(n['year'])}: {fmt_value(n['value'], 'percent')}.")
    detail += [html.P(w, className="country-card-warn") for w in warn]
    row = cl[(cl["series"] == head["series"]) & (cl["year"] == head["year"]) & (cl["sex"] == "total")
             & (cl["age"] == head["age"]) & (cl["edition"] == head["edition"])]
    detail.append(provenance(row, extra=head.get("time_detail") if sowc else None))
    return html.Div(c.stat_card("Child labour, latest", fmt_value(head["value"], "percent"), detail,
                                id_="country-cl-card"), className="country-card-wrap")


def children_card(head: dict | None, prog: dict | None, code: str):
    label = "Children in child labour (estimate)"
    if head is None or head["series"] == SOWC_SERIES or head["age"] not in ("5-17", "5-14"):
        why = "no survey value" if head is None else (
            "the UNICEF SOWC value has no stated year" if head["series"] == SOWC_SERIES
            else f"age band {head['age']} has no matching population")
        return c.stat_card(label, "Not estimated", f"Not estimated: {why}.", id_="country-children-card")
    if prog is None:
        msg = ("Not yet computed in this build (the progress mart is missing)." if not data.has_table("progress")
               else "Not estimated: no progress row for this series and age band.")
        return c.stat_card(label, "–", msg, id_="country-children-card")
    est = num(prog.get("estimated_children_thousands"))
    if est is None:
        return c.stat_card(label, "Not estimated", "No child population for this country and year in WPP 2022.",
                           id_="country-children-card")
    pop_year = yr(prog.get("child_population_year"))
    pop = child_population(code, pop_year, head["age"]) if pop_year else None
    pop_text = fmt_people(prog.get("child_population_thousands"))
    detail = [f"{fmt_value(prog.get('latest_value'), 'percent')} of {pop_text} "
              f"children aged {head['age']} in {pop_year} (UN WPP 2022 population).", html.Br()]
    mart_note = prog.get("population_note") if isinstance(prog.get("population_note"), str) else ""
    if head["age"] == "5-17" and "15-17" not in mart_note:
        detail.append(html.Span("Ages 15-17 are approximated as 3/5 of the WPP 15-19 group (WPP has no single "
                                "years of age), so this is an approximation.", className="country-card-warn"))
    if mart_note:
        detail.append(html.Span(mart_note, className="country-card-warn" if "15-17" in mart_note else
                                "note country-popnote"))
    extra = (f"Population: {pop['edition']}, {pop['method']}, {c.fmt(num(pop['population_thousands']))} thousand."
             if pop else None)
    detail.append(provenance([], summary="How this number is computed",
                             extra=(f"Latest prevalence ({prog.get('series')}, {yr(prog.get('latest_year'))}) × child "
                                    f"population ({pop_year}). " + (extra or ""))))
    return c.stat_card(label, "≈ " + fmt_people(est), detail, id_="country-children-card")


def insufficient_text(n_points: int) -> str:
    return ("one comparable point: no trend can be computed" if n_points <= 1
            else f"{n_points} comparable points")


def target_cards(head: dict | None, prog: dict | None, n_points: int):
    l25, l30 = f"{TARGET_YEAR} target: end child labour", f"Pace needed for zero by {NEW_TARGET_YEAR}"
    if head is None or head["series"] == SOWC_SERIES:
        msg = "No comparable survey series: progress cannot be assessed."
        return [c.stat_card(l25, "Not assessable", msg, id_="country-2025-card"),
                c.stat_card(l30, "–", msg, id_="country-2030-card")]
    latest = f"{fmt_value(head['value'], 'percent')} in {yr(head['year'])}"
    if prog is None:
        msg = [html.P(f"Not yet computed in this build (the progress mart is missing). Latest value: {latest}."
                      if not data.has_table("progress") else f"No progress row for this series. Latest: {latest}.")]
        if n_points <= 1:
            msg.insert(0, html.P(insufficient_text(n_points).capitalize() + ".", className="country-insufficient"))
        return [c.stat_card(l25, "–", msg, id_="country-2025-card"),
                c.stat_card(l30, "–", list(msg), id_="country-2030-card")]
    n = int(num(prog.get("n_points")) or n_points)
    years = str(prog.get("years") or "").replace(";", ", ")
    basis = prog.get("gap_2025_basis")
    status, gap = prog.get("status_2025"), num(prog.get("gap_2025"))
    if status == "met":
        card25 = c.stat_card(l25, "Met", f"Met on {basis or 'observed'} data: {latest}.", id_="country-2025-card",
                             tone="ok")
    elif status == "missed":
        on = ("the latest observed value" if basis == "observed"
              else f"the value projected for {TARGET_YEAR} on the observed trend ({years})")
        card25 = c.stat_card(l25, "Missed", [f"By {gap:.1f} percentage points on {on}." if gap is not None
                                             else f"Missed on {on}.", html.Br(), f"Latest: {latest}."],
                             id_="country-2025-card", tone="warn")
    else:
        card25 = c.stat_card(l25, "Not assessable", [
            html.P(insufficient_text(n).capitalize() + ".", className="country-insufficient"),
            f"The latest value, {latest}, was above the target of zero."
            if (num(head["value"]) or 0) > 0 else f"Latest: {latest}."], id_="country-2025-card")
    req, mult, obs = (num(prog.get("required_change_per_year_2030")), num(prog.get("pace_multiple_2030")),
                      num(prog.get("change_per_year")))
    detail30 = [f"From {latest} to zero in {NEW_TARGET_YEAR}."]
    if n <= 1 or obs is None:
        detail30 += [html.Br(), html.Span(insufficient_text(n).capitalize() + ", so the needed pace cannot be "
                                          "compared with an observed one.", className="country-insufficient")]
    elif mult is not None:
        flat = " The observed trend is almost flat." if abs(obs) < 0.1 else ""
        detail30 += [html.Br(), f"{times(mult)} the observed pace ({signed(obs)} pp a year, {years}).{flat}"]
    else:
        detail30 += [html.Br(), f"The observed trend is {signed(obs)} pp a year ({years}): not falling, "
                                "so no pace multiple can be given."]
    value30 = f"{signed(req)} pp a year" if req is not None else "–"
    card30 = c.stat_card(l30, value30, detail30, id_="country-2030-card", tone="warn" if req else "")
    return [card25, card30]


def gsi_card(code: str, gsi: pd.DataFrame):
    label = "Modern slavery (GSI 2023)"
    try:
        rank = gsi_rank(code)
    except (data.QueryTimeout, data.WarehouseMissing):
        raise  # not "no estimate": the page says to try again (and this part is not cached)
    except Exception:
        log.exception("gsi rank")
        rank = None
    if rank is None:
        return c.stat_card(label, "No estimate", "Walk Free's Global Slavery Index 2023 has no prevalence "
                           "estimate for this country.", id_="country-gsi-card")
    num_row = gsi[gsi["series"] == GSI_NUM]
    people = (f" · about {fmt_value(num_row.iloc[0]['value'], 'number')} people" if not num_row.empty else "")
    detail = [html.Span(f"Rank {int(rank['rank'])} of {int(rank['n_ranked'])} countries with an estimate "
                        "(1 = highest prevalence)", id="country-gsi-rank"), html.Br(),
              f"Modelled estimate for {yr(rank['year'])}{people} · {rank['edition']}",
              provenance(gsi[gsi["series"].isin([GSI_PREV, GSI_NUM])])]
    return c.stat_card(label, fmt_value(rank["value"], "per_1000"), detail, id_="country-gsi-card")


def vulnerability_card(gsi: pd.DataFrame):
    vul, gov = gsi[gsi["series"] == GSI_VULN], gsi[gsi["series"] == GSI_GOV]
    if vul.empty and gov.empty:
        return c.stat_card("Vulnerability and government response", "No data",
                           "Not assessed in the Global Slavery Index 2023.", id_="country-vuln-card")
    value = fmt_value(vul.iloc[0]["value"], "score_percent") if not vul.empty else "–"
    detail = ["Total vulnerability score (higher = more vulnerable)", html.Br(),
              html.Strong("Government response total: " + (fmt_value(gov.iloc[0]["value"], "score_percent")
                                                            if not gov.empty else "not assessed")),
              " (higher = stronger response; the five milestones are charted below)", html.Br(),
              f"{(vul if not vul.empty else gov).iloc[0]['edition']}",
              provenance(pd.concat([vul, gov]))]
    return c.stat_card("Vulnerability to modern slavery", value, detail, id_="country-vuln-card")


def trafficking_card(detv: pd.DataFrame):
    if detv.empty:
        return c.stat_card("Detected trafficking victims", "No data",
                           "UNODC reports no detected victims series for this country.", id_="country-detv-card")
    last = detv.sort_values("year").iloc[-1]
    return c.stat_card("Detected trafficking victims", fmt_value(last["value"], "number"),
                       [f"{yr(last['year'])} · all ages, both sexes · detected by authorities, not prevalence · "
                        f"{last['edition']}", provenance(detv.sort_values('year').tail(1))],
                       id_="country-detv-card")


def caveats(head, cl: pd.DataFrame, n_points: int, gsi_present: bool, name: str) -> html.Section:
    items = []
    if head is None:
        items.append("No child-labour survey value: the absence of data is not the absence of child labour.")
    elif head["series"] != SOWC_SERIES and n_points <= 1:
        items.append(f"Single point: {name} has one comparable child-labour value ({head['series']}, ages "
                     f"{head['age']}, {SEXES['total']}), so no trend can be computed and progress cannot be "
                     "judged from the data.")
    sdg = cl[cl["series"].isin(CL_SERIES) & (cl["sex"] == "total")]
    if sdg["age"].nunique() > 1 or sdg["series"].nunique() > 1:
        items.append("Non-comparable surveys: values exist for "
                     + ", ".join(f"{s} ages {a}" for s, a in sorted(set(zip(sdg["series"], sdg["age"]))))
                     + ". Different series (with or without household chores) and age bands are never joined "
                     "in the trend chart; only the comparable series is used for progress.")
    if (~cl["is_current"].astype(bool)).any():
        items.append("Revised values: an older edition of the SDG database gave different values for some years; "
                     "they are shown as hollow grey markers and not used.")
    if head is not None and head["series"] != SOWC_SERIES and head["age"] == "5-17":
        items.append("The number of children is an estimate: prevalence × UN WPP 2022 child population, with ages "
                     "15-17 approximated as 3/5 of the 15-19 group.")
    items.append("Modelled estimates: the Global Slavery Index prevalence is modelled (Walk Free, from the 2021 "
                 "ILO/Walk Free/IOM global estimates) and is not comparable with earlier GSI editions; the ILO "
                 "and ILO-UNICEF regional and world figures are modelled, not survey values."
                 if gsi_present else
                 "Modelled estimates: the ILO and ILO-UNICEF regional and world figures are modelled, not survey "
                 "values.")
    if (cl["series"] == SOWC_SERIES).any():
        items.append("UNICEF SOWC 2023 gives this country's child-labour value for the most recent year in "
                     "2013–2021 without stating the year, so it is not placed on the trend chart.")
    items.append("Detected trafficking victims count cases found by authorities: a change can reflect more (or "
                 "less) detection, not more (or less) trafficking.")
    return html.Section([html.H2("Read with care", id="country-caveats-title"),
                         html.Ul([html.Li(i) for i in items])],
                        id="country-caveats", className="card caveat country-caveats",
                        **{"aria-labelledby": "country-caveats-title"})


def trend_table(cl: pd.DataFrame, head: dict, sex: str) -> pd.DataFrame:
    rows = cl[cl["series"].isin(CL_SERIES) & (cl["sex"] == sex)].copy()
    rows["comparable"] = rows["is_current"].astype(bool) & (rows["age"] == head["age"])
    rows["comparable"] = rows["comparable"].map({True: "yes", False: "no"})
    return rows[["series", "year", "sex", "age", "value", "comparable", "source", "edition", "raw_file", "raw_row"]]


TREND_NOTE = ("Solid line: comparable values (same series, sex, age band, current edition). Hollow grey: other age "
              "bands or superseded editions, not comparable. Dotted: projection on the observed trend. Dashed: the "
              "path needed to reach zero by 2030. The CSV holds current-edition rows; superseded ones are in the "
              "table.")


def trend_parts(code: str, name: str, cl: pd.DataFrame, head: dict, sex: str):
    prog = progress_row(head["series"], code, sex, head["age"]) if head["series"] in CL_SERIES else None
    fig = trend_figure(cl, head, prog, sex, name)
    title = f"Child labour in {name}: observed, projected and the path to zero by {NEW_TARGET_YEAR} " \
            f"({SEXES[sex]}, ages {head['age']})"
    rows = trend_table(cl, head, sex)
    href = c.api_url("observations", series=list(CL_SERIES), geo=code, sex=sex)
    source = c.source_line(rows) if not rows.empty else "Source: –"
    note = [TREND_NOTE]
    if prog and isinstance(prog.get("note"), str) and prog["note"]:
        note += [html.Br(), html.Strong("In plain words: "), prog["note"]]
    elif not data.has_table("progress"):
        note += [html.Br(), "Projection not yet computed in this build (the progress mart is missing)."]
    return fig, title, rows, href, source, note


def cl_comparison(code: str, name: str, head: dict, sdg_region: dict | None):
    """The country's latest value beside its SDG region's and the world's official values (same series/sex/age)."""
    series, age = head["series"], head["age"]
    geos = tuple(g for g in ((sdg_region or {}).get("geo"), "WLD") if g)
    reg = region_observations(series, "total", age, geos)
    gaps = regional_gaps(geos, series, "total", age, "official")
    rows = [{"geography": name, "year": yr(head["year"]), "value": num(head["value"]), "kind": "survey estimate",
             "source": head["source"], "edition": head["edition"]}]
    for r in reg.itertuples(index=False):
        rows.append({"geography": r.geo_name, "year": yr(r.year), "value": num(r.value),
                     "kind": "official aggregate (modelled)", "source": r.source, "edition": r.edition})
    seen = {(r["geography"], r["year"]) for r in rows}
    for r in gaps.itertuples(index=False):
        if (r.geo_name, yr(r.year)) not in seen:
            rows.append({"geography": r.geo_name, "year": yr(r.year), "value": num(r.value),
                         "kind": f"{r.kind} aggregate", "source": r.source, "edition": r.edition})
    frame = pd.DataFrame(rows)
    title = f"{name} beside its SDG region and the world: child labour ({series}, both sexes, ages {age})"
    ctx = latest_published(GE_CL, geos)
    if len(frame) > 1:
        ctx = ctx[ctx["year"] > frame["year"].iloc[1:].max()] if not ctx.empty else ctx
        note = ("Regional and world values are official modelled aggregates (2020 estimation round); the country "
                "value is a survey estimate for its own year.")
    else:
        note = (f"There is no official regional or world value for {series}, ages {age}: aggregates exist only for "
                "SL_TLF_CHLDEC, ages 5-17, both sexes and by sex.")
    if not ctx.empty:
        note += " Newer published estimates (modelled, series GE_CL_PREV): " + "; ".join(
            f"{r.geo_name} {fmt_value(r.value, 'percent')} in {r.year} ({r.edition})"
            for r in ctx.itertuples(index=False)) + "."
    if len(frame) <= 1:
        return html.Section([html.H3(title, id="country-compare-title"), html.P(note, className="note")],
                            className="card", id="country-compare", **{"aria-labelledby": "country-compare-title"})
    labels = [f"{r.geography}<br>{r.year}" for r in frame.itertuples(index=False)]
    fig = bar_figure(labels, frame["value"].tolist(), [c.PALETTE[0]] + ["#8c8c8c"] * (len(frame) - 1),
                     f"% of children aged {age}", [f"{v:.1f}%" for v in frame["value"]])
    return c.chart_card("country-compare", title, fig, c.source_line(frame),
                      c.api_url("observations", series=series, geo=[code, *geos], sex="total", age=age),
                      rows=frame, note=note)


def gsi_comparison(code: str, name: str, ilo_region: dict):
    """GSI prevalence beside the ILO region (computed from GSI country estimates when the mart has it) and the
    published regional and world estimates of modern slavery."""
    rank = gsi_rank(code)
    comp = regional_gaps((ilo_region["geo"], "WLD"), GSI_PREV, "total", "all", "computed")
    pub = latest_published("GE_MS_PREV", (ilo_region["geo"], "WLD"))
    region = region_label(ilo_region["name"])
    rows = []
    if rank:
        rows.append({"geography": name, "what": "GSI 2023 estimate", "year": yr(rank["year"]),
                     "value": num(rank["value"]), "source": rank["source"], "edition": rank["edition"]})
    for r in comp.itertuples(index=False):
        rows.append({"geography": region_label(r.geo_name), "what": "GSI countries combined",
                     "year": yr(r.year), "value": num(r.value), "source": r.source, "edition": r.edition})
    for r in pub.itertuples(index=False):
        rows.append({"geography": region_label(r.geo_name), "what": "published global-estimates figure",
                     "year": yr(r.year), "value": num(r.value), "source": r.source, "edition": r.edition})
    frame = pd.DataFrame(rows)
    title = f"Modern slavery per 1,000 people: {name} beside {region} (ILO region) and the world"
    if frame.empty:
        return None
    labels = [f"{r.geography}<br>{r.what}, {r.year}" for r in frame.itertuples(index=False)]
    fig = bar_figure(labels, frame["value"].tolist(), [c.PALETTE[4]] + ["#8c8c8c"] * (len(frame) - 1),
                     "per 1,000 people", [f"{v:.1f}" for v in frame["value"]])
    note = ("“GSI countries combined” is computed in this build: the population-weighted mean of the GSI country "
            "estimates in the region. " if not comp.empty else
            "No combined GSI value for the region in this build. ") + \
        "Published regional and world figures are from the ILO/Walk Free/IOM global estimates. All are modelled."
    return c.chart_card("country-gsi-compare", title, fig, c.source_line(frame),
                      c.api_url("observations", series=[GSI_PREV, "GE_MS_PREV"], geo=[code, ilo_region["geo"], "WLD"]),
                      rows=frame, note=note)


def comparison_section(code: str, name: str, head: dict | None, groups: dict, gsi_present: bool):
    out = []
    if head is not None and head["series"] in CL_SERIES:
        out.append(cl_comparison(code, name, head, groups.get("sdg_region")))
    if gsi_present and groups.get("ilo_region"):
        out.append(gsi_comparison(code, name, groups["ilo_region"]))
    out = [o for o in out if o is not None]
    if not out:
        return html.P("No regional comparison is available for this country.", className="note")
    return html.Div(out, className="grid-2 country-compare")


def response_section(code: str, name: str, gsi: pd.DataFrame, detv: pd.DataFrame):
    parts = []
    ms = gsi[gsi["series"].isin(list(GSI_MILESTONES))]
    if not ms.empty:
        ms = ms.assign(milestone=ms["series"].map(GSI_MILESTONES)).set_index("series").loc[
            [s for s in GSI_MILESTONES if s in set(ms["series"])]].reset_index()
        fig = bar_figure(ms["milestone"].tolist(), ms["value"].tolist(), [c.PALETTE[2]] * len(ms),
                         "score (0-100)", [f"{v:.0f}" for v in ms["value"]], x_max=100)
        parts.append(c.chart_card(
            "country-response", f"Government response to modern slavery in {name}: five milestones "
            f"(GSI 2023, score 0-100)", fig, c.source_line(ms), c.api_url("observations", series=list(GSI_MILESTONES),
                                                                        geo=code),
            rows=ms[["milestone", "series", "year", "value", "edition", "raw_file", "raw_row"]],
            note="Assessed as at 31 August 2022; higher = stronger response."))
    else:
        parts.append(html.Section([html.H3("Government response (GSI 2023)"),
                                   html.P("No data: not assessed in the Global Slavery Index 2023.")],
                                  className="card", id="country-response"))
    if not detv.empty:
        rows = detv.sort_values("year")
        parts.append(c.chart_card(
            "country-detv", f"Detected victims of human trafficking in {name}, "
            f"{yr(rows['year'].min())}–{yr(rows['year'].max())} (number, all ages, both sexes)",
            line_figure(rows, "detected victims (people)", name), c.source_line(rows),
            c.api_url("observations", series=DETV, geo=code, sex="total", age="all"),
            rows=rows[["year", "value", "sex", "age", "edition", "raw_file", "raw_row"]],
            note="Victims detected by national authorities (UNODC, SDG 16.2.2): depends on detection effort."))
    else:
        parts.append(html.Section([html.H3(f"Detected victims of human trafficking in {name}"),
                                   html.P("No data: UNODC reports no detected-victims series for this country.",
                                          id="country-detv-nodata")],
                                  className="card", id="country-detv"))
    return html.Div(parts, className="grid-2")


def sources_section(frames: list[pd.DataFrame]) -> html.Section:
    used = pd.concat([f[["source", "edition"]] for f in frames if f is not None and not f.empty],
                     ignore_index=True).drop_duplicates() if any(f is not None and not f.empty for f in frames) \
        else pd.DataFrame(columns=["source", "edition"])
    src = source_citations()
    items = []
    for r in used.sort_values(["source", "edition"]).itertuples(index=False):
        if r.source == "published":
            text = "Published global estimates (curated table; each row cites report, table and page)"
        else:
            text = citation(r.source, r.edition)
        hit = src[(src["source"] == r.source) & (src["edition"] == r.edition)]
        path = f" · raw: {hit.iloc[0]['path']}" if not hit.empty else ""
        items.append(html.Li([html.Strong(f"{r.source} · {r.edition}: "), text,
                              html.Span(path, className="country-raw")]))
    return html.Section([html.H2("Sources and editions", id="country-sources-title"), html.Ul(items),
                         html.P(["Every row links to its raw file, sheet and row (see the “Where this number comes "
                                 "from” blocks and the tables). Methods: ",
                                 dcc.Link("Methodology", href="/methodology"), "."], className="note")],
                        id="country-sources", className="card country-sources",
                        **{"aria-labelledby": "country-sources-title"})


def profile(code: str, row: dict, sex: str):
    name = row["name"]
    groups = memberships(code)
    cl = observations(code, CL_ALL)
    head = pick_headline(cl)
    gsi = observations(code, GSI_SERIES)
    gsi = gsi[gsi["is_current"].astype(bool)]
    detv = observations(code, (DETV,))
    detv = detv[detv["is_current"].astype(bool) & (detv["sex"] == "total") & (detv["age"] == "all")]
    prog = progress_row(head["series"], code, "total", head["age"]) if head and head["series"] in CL_SERIES else None
    n_points = len(comparable_rows(cl, head["series"], "total", head["age"])) if head else 0
    region_bits = [f"{label}: {groups[s]['name']}" for s, label in
                   (("sdg_region", "SDG region"), ("sdg_subregion", "sub-region"), ("ilo_region", "ILO region"))
                   if s in groups]
    region_bits = [b if not b.startswith("ILO") else region_label(b) for b in region_bits]
    region_bits += [label for s, label in (("ldc", "least developed country"), ("lldc", "landlocked developing "
                    "country"), ("sids", "small island developing state")) if s in groups]
    header = [
        html.P(dcc.Link("← All countries", href="/country"), className="country-back no-print"),
        html.H1(name, id="country-title"),
        html.P([f"ISO3 {row.get('iso3') or code}" + (f" · M49 {row['m49']}" if row.get("m49") else "")]
               + ([" · " + " · ".join(region_bits)] if region_bits else []), className="lead"),
        html.P("Child labour (SDG 8.7.1), modern slavery and human trafficking from official data. Every number "
               "shows its year, age band, sex, source and edition.", className="lead"),
        html.Div([html.Button("Print this profile", id="country-print", className="country-print", type="button"),
                  html.A(f"Download all observations for {name} (CSV)", href=c.api_url("observations", geo=code),
                         id="country-download-all")], className="country-actions no-print"),
    ]
    cards = [headline_card(head, cl), children_card(head, prog, code), *target_cards(head, prog, n_points),
             gsi_card(code, gsi), vulnerability_card(gsi), trafficking_card(detv)]
    body = header + [
        html.H2("Headline numbers", id="country-cards-title"),
        html.Div(cards, className="grid country-cards", id="country-cards"),
        caveats(head, cl, n_points, not gsi.empty, name),
    ]
    if head is not None and head["series"] in CL_SERIES:
        fig, title, rows, href, source, note = trend_parts(code, name, cl, head, sex)
        card = c.chart_card("country-trend", title, fig, source, href, rows=rows, note=note)
        control = html.Fieldset([html.Legend("Show the trend for"),
                                 dcc.RadioItems(id="country-sex", value=sex, inline=True,
                                                options=[{"label": v.capitalize(), "value": k}
                                                         for k, v in SEXES.items()])],
                                className="country-sex no-print")
        card.children.insert(1, control)
        body += [html.H2("Trend and the path to zero"), card]
    else:
        body += [html.H2("Trend and the path to zero"),
                 html.P("No SDG 8.7.1 survey series for this country, so there is no trend to show.",
                        className="note", id="country-trend-none")]
    body += [html.H2("Compared with its region and the world"),
             comparison_section(code, name, head, groups, not gsi.empty),
             html.H2("Government response and trafficking"),
             response_section(code, name, gsi, detv),
             sources_section([cl, gsi, detv])]
    return body


@c.rendered(maxsize=64)
def profile_body(code: str, sex: str) -> list:
    """The profile of a known country (normalised code) for one sex of the trend chart, cached per build."""
    return profile(code, country_row(code), sex)


@c.rendered(maxsize=64)
def trend_outputs(code: str, sex: str) -> tuple:
    """What the sex switch updates: figure, title, table, download link, source, note and URL query."""
    cl = observations(code, CL_ALL)
    fig, title, rows, href, source, note = trend_parts(code, country_row(code)["name"], cl, pick_headline(cl), sex)
    return fig, title, [html.Summary("Show as a table"), c.table(rows)], href, source, note, \
        ("" if sex == "total" else f"?sex={sex}")


def sample_code() -> str | None:
    """A country of this build for a profile that shows every part (warm-up): the first example it has, else a
    country with child-labour data, else any country."""
    known = set(data.cached("SELECT geo FROM geographies WHERE type = 'country'")["geo"])
    for code in EXAMPLES:
        if code in known:
            return code
    df = data.cached("""SELECT o.geo FROM observations o JOIN geographies g ON g.geo = o.geo
                        WHERE g.type = 'country' AND o.series = ? ORDER BY o.geo LIMIT 1""", (CL_SERIES[0],))
    return str(df["geo"].iloc[0]) if not df.empty else (min(known) if known else None)


def layout(code: str | None = None, sex: str | None = None, **_):
    sex = sex if sex in SEXES else "total"
    try:
        row = country_row(code)
    except data.WarehouseMissing:
        return html.Div([html.H1("Country profile"), html.P("The data warehouse is not available: run `sdg87 build`.")],
                        id="country-error")
    except Exception:
        log.exception("country lookup failed")
        row = None
    if row is None:
        return not_found(code)
    norm = row["geo"]
    try:
        body = profile_body(norm, sex)
    except Exception:
        log.exception("country profile %s failed", norm)
        body = [html.H1(row["name"], id="country-title"),
                html.P("This profile could not be built from the current data. Try again in a moment, or see the "
                       "country's raw observations:", className="caveat"),
                html.A("Download the observations (CSV)", href=c.api_url("observations", geo=norm))]
    return html.Div([dcc.Location(id="country-url", refresh=False), dcc.Store(id="country-code", data=norm),
                     *body], id="country-profile", className="country-profile")


# ---- callbacks -----------------------------------------------------------------------------------------

@callback(Output("country-trend-graph", "figure"), Output("country-trend-title", "children"),
          Output("country-trend-table", "children"), Output("country-trend-download", "href"),
          Output("country-trend-source", "children"), Output("country-trend-note", "children"),
          Output("country-url", "search"),
          Input("country-sex", "value"), State("country-code", "data"), prevent_initial_call=True)
def update_trend(sex, code):
    code = normalise_code(code)
    if country_row(code) is None:
        raise dash.exceptions.PreventUpdate
    return trend_outputs(code, sex if sex in SEXES else "total")


clientside_callback("function(n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
                    Output("country-print", "title"), Input("country-print", "n_clicks"), prevent_initial_call=True)
