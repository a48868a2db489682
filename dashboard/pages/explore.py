"""Explore `/explore`: any series, any geographies, four views (trend, map, ranking, table).

The view lives in the URL query string (series, geo, sex, age, from, to, view, year), so reloading or sharing
a link restores it. Lines join only comparable points: current edition, same series, geography, sex and age
band (and, for series not marked trend-eligible, only the latest point counts). Everything else in the chosen
geographies and years is drawn as hollow grey markers, never joined.
"""
from __future__ import annotations

import datetime
from urllib.parse import urlencode

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from dashboard import components as c
from dashboard import data

dash.register_page(__name__, path="/explore", title="Explore – SDG 8.7 Monitor", name="Explore", order=1)

DEFAULT = {"series": "SL_TLF_CHLDEC", "sex": "total", "age": "5-17", "geo": ["WLD", "VNM", "BEN", "KGZ", "MWI"],
           "view": "trend"}
VIEWS = [("trend", "Trend lines"), ("map", "World map"), ("bars", "Ranking"), ("table", "Table")]
PROJECTION_YEAR = 2030
NOT_COMPARABLE = "not comparable (other age band / edition)"
ONE_POINT = "one comparable point: no trend"
FAMILY_LABELS = {"child_labour": "Child labour", "forced_labour": "Forced labour", "modern_slavery": "Modern slavery",
                 "trafficking": "Trafficking in persons", "gsi_vulnerability": "Global Slavery Index: vulnerability",
                 "gsi_government_response": "Global Slavery Index: government response",
                 "gsi_population": "Global Slavery Index: population"}
SCHEME_LABELS = {"sdg_region": "SDG region", "m49_region": "M49 region", "country_group": "country group",
                 "ilo_region": "ILO region", "ilo_subregion": "ILO subregion", "unicef_region": "UNICEF region",
                 "ipec_region": "ILO-IPEC region", "ilo2012_region": "ILO 2012 region", "world": "world"}
SEX_LABELS = {"total": "Both sexes", "female": "Girls / women", "male": "Boys / men", "other": "Other",
              "unknown": "Sex not known"}
AGE_ORDER = ["5-17", "5-14", "5-11", "12-14", "15-17", "6-17", "7-17", "10-17", "<18", "18+", "all", "unknown"]
ROW_COLUMNS = ["geo_name", "geo", "year", "sex", "age", "value", "unit", "comparable", "why_not", "nature", "source",
               "edition", "is_current", "footnote", "raw_file", "raw_row"]


# ---- queries (parameterised; identifiers never from input) ----------------------------------------------------

def catalogue() -> pd.DataFrame:
    return data.series_catalogue()


def series_info(code: str) -> dict:
    cat = catalogue()
    row = cat[cat["code"] == code]
    return row.iloc[0].to_dict() if not row.empty else {}


def slices(series: str) -> pd.DataFrame:
    """(sex, age) pairs with current values for a series, with how many values and geographies."""
    return data.cached("""SELECT sex, age, count(*) AS n, count(DISTINCT geo) AS n_geo FROM observations
                          WHERE series = ? AND is_current GROUP BY sex, age""", (series,))


def year_bounds(series: str) -> tuple[int, int]:
    df = data.cached("SELECT min(year) AS lo, max(year) AS hi FROM observations WHERE series = ?", (series,))
    lo, hi = df["lo"].iloc[0], df["hi"].iloc[0]
    return (int(lo), int(hi)) if pd.notna(lo) else (2000, datetime.date.today().year)


def geo_counts(series: str, sex: str, age: str) -> pd.DataFrame:
    """Geographies with current values for the slice, and how many comparable points each has."""
    return data.cached("""SELECT g.geo, g.name, g.type, g.scheme, g.iso3, count(*) AS n
                          FROM observations o JOIN geographies g ON g.geo = o.geo
                          WHERE o.series = ? AND o.sex = ? AND o.age = ? AND o.is_current
                          GROUP BY ALL""", (series, sex, age))


def trend_rows(series: str, sex: str, age: str, geos: list[str], years: list[int]) -> pd.DataFrame:
    """Every value of the series for these geographies, sex and years (all age bands and editions), classified."""
    if not geos:
        return pd.DataFrame(columns=ROW_COLUMNS + ["geo_type"])
    df = data.query(f"""
        SELECT g.name AS geo_name, o.geo, g.type AS geo_type, o.year, o.sex, o.age, o.value, o.unit, o.nature,
               o.source, o.edition, o.is_current, o.footnote, o.raw_file, o.raw_row
        FROM observations o JOIN geographies g ON g.geo = o.geo
        WHERE o.series = ? AND o.sex = ? AND o.year BETWEEN ? AND ? AND o.geo IN ({', '.join('?' * len(geos))})
        ORDER BY o.geo, o.age, o.year, o.edition""", [series, sex, years[0], years[1], *geos])
    return classify(df, age, bool(series_info(series).get("trend_eligible")))


def classify(df: pd.DataFrame, age: str, trend_eligible: bool) -> pd.DataFrame:
    """Mark which rows a line may join, and say why the others may not."""
    same = (df["age"] == age) & df["is_current"].astype(bool)
    why = pd.Series("", index=df.index, dtype="string")
    why = why.mask(~df["is_current"].astype(bool), "superseded edition (" + df["edition"].astype("string") + ")")
    why = why.mask(df["age"] != age, "other age band (" + df["age"].astype("string") + ")")
    if not trend_eligible:  # only the latest current point of each geography counts
        latest = df[same].groupby("geo")["year"].transform("max")
        earlier = same & (df["year"] < latest.reindex(df.index))
        why = why.mask(earlier, "series not trend-eligible: earlier point")
    return df.assign(comparable=why == "", why_not=why)


def latest_values(series: str, sex: str, age: str, years: list[int], geos: list[str] | None = None,
                  countries: bool = False, year: int | None = None) -> pd.DataFrame:
    """The latest current value per geography within the years (or exactly `year`)."""
    lo, hi = (year, year) if year else (years[0], years[1])
    where, params = "", [series, sex, age, lo, hi]
    if geos is not None:
        if not geos:
            return pd.DataFrame(columns=["geo", "geo_name", "geo_type", "iso3", "year", "value", "unit"])
        where = f" AND o.geo IN ({', '.join('?' * len(geos))})"
        params += list(geos)
    if countries:
        where += " AND g.type = 'country' AND g.iso3 IS NOT NULL"
    return data.query(f"""
        SELECT o.geo, g.name AS geo_name, g.type AS geo_type, g.iso3, o.year, o.sex, o.age, o.value, o.unit,
               o.nature, o.source, o.edition
        FROM observations o JOIN geographies g ON g.geo = o.geo
        WHERE o.series = ? AND o.sex = ? AND o.age = ? AND o.is_current AND o.year BETWEEN ? AND ?{where}
        QUALIFY row_number() OVER (PARTITION BY o.geo ORDER BY o.year DESC) = 1
        ORDER BY o.value""", params)


def progress_rows(series: str, sex: str, age: str, geos: list[str]) -> pd.DataFrame | None:
    """Rows of the progress mart for the slice, or None when this build has no progress mart."""
    if not data.has_table("progress"):
        return None
    if not geos:
        return pd.DataFrame()
    return data.query(f"""SELECT * FROM progress WHERE series = ? AND sex = ? AND age = ?
                          AND geo IN ({', '.join('?' * len(geos))})""", [series, sex, age, *geos])


def citations(rows: pd.DataFrame) -> list[str]:
    if rows.empty:
        return []
    src = data.sources()
    keys = rows[["source", "edition"]].drop_duplicates()
    hit = src.merge(keys, on=["source", "edition"])
    return [str(v) for v in hit["citation"].dropna().unique()]


# ---- URL state -------------------------------------------------------------------------------------------------

def first(v):
    return v[0] if isinstance(v, list) else v


def parse_state(params: dict) -> dict:
    """Query parameters -> valid control values (unknown values fall back to defaults)."""
    cat = catalogue()
    series = str(first(params.get("series")) or DEFAULT["series"]).upper()
    if series not in set(cat["code"]):
        series = DEFAULT["series"] if DEFAULT["series"] in set(cat["code"]) else str(cat["code"].iloc[0])
    sl = slices(series)
    sex = pick(str(first(params.get("sex")) or DEFAULT["sex"]).lower(), sex_values(sl))
    age = pick(str(first(params.get("age")) or DEFAULT["age"]), age_values(sl, sex))
    lo, hi = year_bounds(series)
    start, end = to_int(first(params.get("from")), lo), to_int(first(params.get("to")), hi)
    start, end = max(lo, min(start, hi)), min(hi, max(end, lo))
    if start > end:
        start, end = lo, hi
    raw_geo = params.get("geo")
    raw_geo = ",".join(raw_geo) if isinstance(raw_geo, list) else raw_geo
    known = set(data.geographies()["geo"])
    geos = DEFAULT["geo"] if raw_geo is None else [g for g in dict.fromkeys(
        s.strip().upper() for s in raw_geo.split(",")) if g in known]
    view = first(params.get("view")) if first(params.get("view")) in dict(VIEWS) else DEFAULT["view"]
    year = to_int(first(params.get("year")), None)
    return {"series": series, "sex": sex, "age": age, "years": [start, end], "bounds": (lo, hi), "geo": geos,
            "view": view, "year": year if year and start <= year <= end else "latest"}


def to_int(v, default):
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return default


def pick(wanted: str, valid: list[str]) -> str:
    if wanted in valid:
        return wanted
    for fallback in ("total", "5-17", "all"):
        if fallback in valid:
            return fallback
    return valid[0] if valid else wanted


def sex_values(sl: pd.DataFrame) -> list[str]:
    order = list(SEX_LABELS)
    return sorted(sl["sex"].unique().tolist(), key=lambda s: order.index(s) if s in order else 99)


def age_values(sl: pd.DataFrame, sex: str) -> list[str]:
    ages = sl.loc[sl["sex"] == sex, "age"].unique().tolist()
    return sorted(ages, key=lambda a: (AGE_ORDER.index(a) if a in AGE_ORDER else 50, a))


def search_string(series, geo, sex, age, years, view, year) -> str:
    q = {"series": series, "geo": ",".join(geo or []), "sex": sex, "age": age, "from": years[0], "to": years[1],
         "view": view}
    if view == "map" and year not in (None, "", "latest"):
        q["year"] = year
    return "?" + urlencode(q, safe=",")


# ---- labels ----------------------------------------------------------------------------------------------------

def age_label(age: str) -> str:
    return {"all": "all ages", "<18": "under 18", "18+": "18 and over", "unknown": "age not known"}.get(
        age, f"aged {age.replace('-', '–')}")


def unit_label(unit: str | None) -> str:
    return c.UNIT_LABELS.get(unit or "", unit or "")


def series_options() -> list[dict]:
    """Series grouped by family (a disabled heading per family), each with its short name and unit."""
    out = []
    for family, group in catalogue().groupby("family", sort=False):
        out.append({"label": f"── {FAMILY_LABELS.get(family, family)} ──", "value": f"family:{family}",
                    "disabled": True})
        out += [{"label": f"{r.short_name} ({unit_label(r.unit)}) · {r.code}", "value": r.code}
                for r in group.itertuples()]
    return out


def geo_options(series: str, sex: str, age: str, selected: list[str]) -> list[dict]:
    """World, then regions, then countries with values for the slice; selected ones without data stay listed."""
    counts = geo_counts(series, sex, age)
    rank = {"world": 0, "region": 1, "country": 2}
    counts = counts.assign(r=counts["type"].map(rank)).sort_values(["r", "name"])
    opts = [{"label": geo_label(r.name, r.type, r.scheme, r.geo) + f" · {r.n} point{'s' if r.n != 1 else ''}",
             "value": r.geo} for r in counts.itertuples()]
    missing = [g for g in selected or [] if g not in set(counts["geo"])]
    if missing:
        geos = data.geographies().set_index("geo")
        opts += [{"label": geo_label(geos.at[g, "name"], geos.at[g, "type"], geos.at[g, "scheme"], g)
                  + " · no data for this selection", "value": g} for g in missing if g in geos.index]
    return opts


def geo_label(name, type_, scheme, geo) -> str:
    if type_ == "country":
        return f"{name} ({geo})"
    return str(name) if type_ == "world" else f"{name} – {SCHEME_LABELS.get(scheme, scheme)}"


def map_year_options(series: str, sex: str, age: str, years: list[int]) -> list[dict]:
    """'Latest in the years', then each year in which some country has a value."""
    df = data.cached("""SELECT DISTINCT o.year FROM observations o JOIN geographies g ON g.geo = o.geo
                        WHERE o.series = ? AND o.sex = ? AND o.age = ? AND o.is_current AND g.type = 'country'
                        AND o.year BETWEEN ? AND ? ORDER BY o.year DESC""", (series, sex, age, *map(int, years)))
    return ([{"label": f"Latest in {years[0]}–{years[1]}", "value": "latest"}]
            + [{"label": f"{y} only", "value": int(y)} for y in df["year"]])


def year_marks(lo: int, hi: int) -> dict:
    step = 1 if hi - lo <= 6 else 5 if hi - lo <= 30 else 10
    marks = {y: str(y) for y in range(lo, hi + 1) if (y - lo) % step == 0}
    if hi - max(marks) < max(2, step / 2):
        marks.pop(max(marks))
    marks[hi] = str(hi)
    return marks


def series_note(s: dict) -> list:
    """What the series is, its unit, its target and whether points may be joined into trends."""
    if not s:
        return []
    target = (f"Target: {c.fmt(float(s['target_value']))} {unit_label(s['unit'])} by {int(s['target_year'])}"
              if pd.notna(s.get("target_value")) and pd.notna(s.get("target_year")) else "No numeric target")
    trend = ("Points of the same age band and current edition may be joined into a trend."
             if s.get("trend_eligible") else
             "Not trend-eligible: values from different years are not comparable, so only the latest point counts "
             "and no lines are drawn.")
    return [html.Strong(s["name"]), f" ({s['code']}; unit: {unit_label(s['unit'])}). ", s.get("definition") or "",
            html.Br(), f"{target}. {trend}"]


# ---- figures -----------------------------------------------------------------------------------------------------

def hover(unit: str) -> str:
    return ("<b>%{customdata[0]}</b><br>%{x}: %{y:,.2f} " + unit_label(unit) +
            "<br>%{customdata[1]}, %{customdata[2]}<br>%{customdata[3]} (%{customdata[4]})"
            "<br>%{customdata[5]}<extra></extra>")


def custom(df: pd.DataFrame, note: str | pd.Series = "") -> list:
    notes = note if isinstance(note, pd.Series) else pd.Series(note, index=df.index)
    return list(zip(df["geo_name"], df["sex"].map(lambda s: SEX_LABELS.get(s, s)), df["age"].map(age_label),
                    df["source"], df["edition"], notes))


def projection(p: pd.Series, unit: str) -> tuple[list, list] | None:
    """latest_value + change_per_year × years to 2030, floored at 0 (and capped at 100 for percentages)."""
    if p is None or pd.isna(p.get("change_per_year")) or pd.isna(p.get("latest_year")):
        return None
    years = list(range(int(p["latest_year"]), PROJECTION_YEAR + 1))
    top = 100.0 if unit == "percent" else float("inf")
    vals = [min(top, max(0.0, float(p["latest_value"]) + float(p["change_per_year"]) * (y - years[0]))) for y in years]
    return years, vals


def trend_figure(rows: pd.DataFrame, geos: list[str], s: dict, prog: pd.DataFrame | None) -> go.Figure:
    unit = s.get("unit")
    fig = go.Figure()
    comp = rows[rows["comparable"]]
    prog = prog.set_index("geo") if prog is not None and not prog.empty else None
    has_target = pd.notna(s.get("target_value")) and pd.notna(s.get("target_year"))
    for i, geo in enumerate(geos):
        g = comp[comp["geo"] == geo].sort_values("year")
        if g.empty:
            continue
        colour = c.PALETTE[i % len(c.PALETTE)]
        one = len(g) == 1
        name = g["geo_name"].iloc[0] + (f" — {ONE_POINT}" if one else "")
        fig.add_trace(go.Scatter(x=g["year"].tolist(), y=g["value"].tolist(), mode="markers" if one else "lines+markers", name=name,
                                 legendgroup=geo, line=dict(color=colour, width=2.5),
                                 marker=dict(color=colour, size=11 if one else 8),
                                 customdata=custom(g, ONE_POINT if one else "comparable point"),
                                 hovertemplate=hover(unit), meta={"kind": "observed", "geo": geo}))
        last = g.iloc[-1]
        if has_target and int(s["target_year"]) > int(last["year"]):
            fig.add_trace(go.Scatter(x=[last["year"], int(s["target_year"])], y=[last["value"], s["target_value"]],
                                     mode="lines", line=dict(color=colour, dash="dash", width=1.5), legendgroup=geo,
                                     showlegend=False, name=f"{last['geo_name']}: target path",
                                     hovertemplate=f"{last['geo_name']}: path to the target<br>%{{x}}: %{{y:,.2f}}"
                                                   "<extra></extra>", meta={"kind": "target", "geo": geo}))
        proj = projection(prog.loc[geo] if prog is not None and geo in prog.index else None, unit)
        if proj:
            fig.add_trace(go.Scatter(x=proj[0], y=proj[1], mode="lines", legendgroup=geo, showlegend=False,
                                     line=dict(color=colour, dash="dot", width=2), name=f"{last['geo_name']}: projection",
                                     hovertemplate=f"{last['geo_name']}: observed trend continued<br>%{{x}}: "
                                                   "%{y:,.2f}<extra></extra>", meta={"kind": "projection", "geo": geo}))
    other = rows[~rows["comparable"]]
    if not other.empty:
        fig.add_trace(go.Scatter(x=other["year"].tolist(), y=other["value"].tolist(), mode="markers", name=NOT_COMPARABLE,
                                 marker=dict(symbol="circle-open", color="#777", size=10, line=dict(width=2)),
                                 customdata=custom(other, other["why_not"]), hovertemplate=hover(unit),
                                 meta={"kind": "not_comparable"}))
    kinds = {t.meta["kind"] for t in fig.data}
    for label, dash_, kind in (("target path (dashed)", "dash", "target"),
                               ("observed trend to 2030 (dotted)", "dot", "projection")):
        if kind not in kinds:
            continue
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=label, hoverinfo="skip",
                                 line=dict(color="#555", dash=dash_), meta={"kind": "legend"}))
    if has_target:
        ty = int(s["target_year"])
        passed = ty < datetime.date.today().year
        fig.add_vline(x=ty, line=dict(color="#D55E00", dash="dot", width=1),
                      annotation_text=f"{ty} target{' (passed)' if passed else ''}", annotation_position="top left")
    fig.update_layout(xaxis_title="Year", yaxis_title=unit_label(unit), hovermode="closest",
                      legend=dict(orientation="h", yanchor="top", y=-0.2), margin=dict(t=30, b=20), height=520)
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(tickformat="d", dtick=None)
    return fig


def map_figure(df: pd.DataFrame, s: dict) -> go.Figure:
    """Countries without a value are drawn too (grey, 'no value'), so missing data is visible, not blank."""
    unit = s.get("unit")
    geos = data.geographies()
    empty = geos[(geos["type"] == "country") & geos["iso3"].notna() & ~geos["iso3"].isin(df["iso3"])]
    fig = go.Figure(go.Choropleth(
        locations=empty["iso3"].tolist(), z=[0] * len(empty), locationmode="ISO-3", showscale=False,
        colorscale=[[0, "#d9d9d9"], [1, "#d9d9d9"]], customdata=empty["name"].tolist(), name="no value",
        marker=dict(line=dict(color="#ffffff", width=0.4)), meta={"kind": "no_value"},
        hovertemplate="<b>%{customdata}</b><br>no value for this selection<extra></extra>"))
    cd = list(zip(df["geo_name"], df["year"], df["age"].map(age_label), df["sex"].map(lambda x: SEX_LABELS.get(x, x)),
                  df["source"], df["edition"]))
    fig.add_trace(go.Choropleth(
        locations=df["iso3"].tolist(), z=df["value"].tolist(), locationmode="ISO-3", colorscale=c.SEQUENTIAL,
        customdata=cd, marker=dict(line=dict(color="#ffffff", width=0.4)), name="value", meta={"kind": "value"},
        colorbar=dict(title=dict(text=unit_label(unit), side="top"), orientation="h", y=-0.02, yanchor="top",
                      thickness=12, len=0.6),
        hovertemplate="<b>%{customdata[0]}</b><br>%{z:,.2f} " + unit_label(unit) +
                      "<br>year %{customdata[1]}, %{customdata[2]}, %{customdata[3]}"
                      "<br>%{customdata[4]} (%{customdata[5]})<extra></extra>"))
    fig.update_geos(projection_type="natural earth", showframe=False, showcoastlines=False, showland=True,
                    landcolor="#e0e0e0", showcountries=True, countrycolor="#ffffff", lataxis_range=[-57, 85])
    fig.update_layout(margin=dict(l=0, r=0, t=10, b=70), height=480)
    return fig


def bars_figure(df: pd.DataFrame, s: dict) -> go.Figure:
    unit = s.get("unit")
    colours = [c.PALETTE[1] if t != "country" else c.PALETTE[0] for t in df["geo_type"]]
    fig = go.Figure(go.Bar(
        x=df["value"].tolist(), y=df["geo_name"].tolist(), orientation="h", marker_color=colours,
        text=[f"{c.fmt(float(v))} ({y}, {age_label(a)})" for v, y, a in zip(df["value"], df["year"], df["age"])],
        textposition="auto", cliponaxis=False,
        customdata=list(zip(df["year"], df["age"].map(age_label), df["source"], df["edition"])),
        hovertemplate="<b>%{y}</b><br>%{x:,.2f} " + unit_label(unit) +
                      "<br>year %{customdata[0]}, %{customdata[1]}<br>%{customdata[2]} (%{customdata[3]})"
                      "<extra></extra>"))
    fig.update_layout(xaxis_title=unit_label(unit), yaxis_title=None, height=max(260, 60 + 34 * len(df)),
                      margin=dict(l=10, r=30, t=10, b=40), showlegend=False)
    fig.update_yaxes(automargin=True)
    return fig


# ---- page pieces -------------------------------------------------------------------------------------------------

def span_text(years: list[int]) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


def title_for(s: dict, sex: str, age: str, where: str, years: list[int]) -> str:
    return (f"{s.get('short_name', s.get('code', ''))}, {SEX_LABELS.get(sex, sex).lower()}, {age_label(age)}: "
            f"{where}, {span_text(years)}")


def where_text(rows_or_names) -> str:
    names = list(dict.fromkeys(rows_or_names))
    return ", ".join(names) if len(names) <= 4 else f"{len(names)} geographies"


def source_text(rows: pd.DataFrame) -> list:
    if rows.empty:
        return ["Source: –"]
    out = [c.source_line(rows)]
    for text in citations(rows)[:3]:
        out += [html.Br(), html.Span(text, className="citation")]
    return out


def message(text: str, id_: str = "explore-message"):
    return html.Div(html.P(text), className="card explore-empty", id=id_, role="status")


def progress_table(rows: pd.DataFrame, prog: pd.DataFrame | None, geos: list[str], s: dict):
    """Per geography: comparable points, latest value, observed and needed pace, status (from the progress mart)."""
    comp = rows[rows["comparable"]]
    names = data.geographies().set_index("geo")["name"]
    if prog is None:
        summary = (comp.groupby("geo").agg(points=("year", "size"), years=("year", lambda y: ";".join(map(str, y))),
                                           latest_year=("year", "max")).reset_index())
        summary.insert(0, "geography", summary["geo"].map(names))
        return html.Div([html.P("Trend statistics (observed pace, projection to 2030, status) are not yet computed "
                                "in this build: the progress mart is missing.", className="caveat",
                                id="explore-progress-missing"),
                         c.table(summary.drop(columns="geo"), caption="Comparable points in the selected years")])
    if prog.empty:
        why = ("this series has no numeric target, so no pace is computed" if pd.isna(s.get("target_value"))
               else "no progress rows for this selection")
        return html.P(f"Pace per geography: {why}.", className="note", id="explore-progress-none")
    prog = prog.assign(order=prog["geo"].map({g: i for i, g in enumerate(geos)})).sort_values("order")
    cols = {"geo_name": "geography", "n_points": "comparable points", "years": "years", "latest_year": "latest year",
            "latest_value": "latest value", "change_per_year": "observed change per year",
            "projected_2030": "projected 2030", "required_change_per_year_2030": "change per year needed for 2030",
            "status_2025": "2025 target", "gap_2025": "gap to the 2025 target", "status": "status", "note": "note"}
    shown = prog[[k for k in cols if k in prog.columns]].rename(columns=cols)
    return c.table(shown, caption=f"Progress per geography (all comparable points, any year; unit: "
                                  f"{unit_label(s.get('unit'))}; change per year in units per year)")


def trend_view(st: dict, s: dict):
    rows = trend_rows(st["series"], st["sex"], st["age"], st["geo"], st["years"])
    if rows.empty:
        return message("No values for these geographies, sex and years. Choose other geographies or widen the years.")
    prog = progress_rows(st["series"], st["sex"], st["age"], st["geo"])
    comp = rows[rows["comparable"]]
    n_pts = comp.groupby("geo").size()
    singles = [rows.loc[rows["geo"] == g, "geo_name"].iloc[0] for g in n_pts[n_pts == 1].index]
    none = [g for g in st["geo"] if g not in n_pts.index]
    notes = []
    if singles:
        notes.append(f"{len(singles)} of {len(st['geo'])} geographies have one comparable point, so no trend can be "
                     f"drawn: {', '.join(singles)}.")
    if none:
        notes.append(f"No comparable value ({age_label(st['age'])}, current edition) for: {', '.join(none)}.")
    if not (rows["comparable"]).all():
        notes.append("Hollow grey markers are values of another age band, a superseded edition or (for series that "
                     "are not trend-eligible) earlier years: they are shown for context and never joined into lines.")
    fig = trend_figure(rows, st["geo"], s, prog)
    kinds = {t.meta["kind"] for t in fig.data}
    if "projection" in kinds:
        notes.append("Dotted lines continue each geography's observed change per year (progress mart, all comparable "
                     "points) to 2030, floored at 0.")
    if "target" in kinds:
        notes.append("Dashed lines show the straight path from the latest value to the target.")
    if s.get("trend_eligible") and "projection" not in kinds and prog is not None and len(n_pts) and n_pts.max() > 1:
        notes.append("No observed-trend projection: the progress mart has no trend for this selection.")
    title = title_for(s, st["sex"], st["age"], where_text(rows["geo_name"]), st["years"])
    card = c.chart_card("explore-trend", title, fig, source_text(comp if not comp.empty else rows), download(st),
                      rows=rows[ROW_COLUMNS], note=" ".join(notes) or None)
    return html.Div([card, extra_download(st), html.H3("Pace per geography"),
                     progress_table(rows, prog, st["geo"], s)])


def map_view(st: dict, s: dict):
    year = None if st["year"] in (None, "", "latest") else int(st["year"])
    df = latest_values(st["series"], st["sex"], st["age"], st["years"], countries=True, year=year)
    span = f"{year}" if year else f"latest value {span_text(st['years'])}"
    if df.empty:
        return message(f"No country values for this selection ({span}).")
    n_all = int((data.geographies()["type"] == "country").sum())
    title = (f"{s.get('short_name')}, {SEX_LABELS.get(st['sex'], st['sex']).lower()}, {age_label(st['age'])}: "
             f"countries, {span}")
    note = (f"{len(df)} of {n_all} countries and areas have a value; grey = no value. Years differ between countries "
            f"({df['year'].min()}–{df['year'].max()}): hover for each country's year, age band and source."
            if not year else f"{len(df)} of {n_all} countries and areas have a value for {year}; grey = no value.")
    href = c.api_url("observations", series=st["series"], geo=sorted(df["geo"]), sex=st["sex"], age=st["age"],
                     **{"from": year or st["years"][0], "to": year or st["years"][1]})
    if not year:
        note += " The download holds every current value of these countries in the years; the map shows the latest."
    table_rows = df.sort_values("geo_name")[["geo_name", "geo", "iso3", "year", "sex", "age", "value", "unit", "nature",
                                             "source", "edition"]]
    return c.chart_card("explore-map", title, map_figure(df, s), source_text(df), href, rows=table_rows, note=note)


def bars_view(st: dict, s: dict):
    df = latest_values(st["series"], st["sex"], st["age"], st["years"], geos=st["geo"])
    if df.empty:
        return message("No comparable values for these geographies in the selected years.")
    title = (f"{s.get('short_name')}, {SEX_LABELS.get(st['sex'], st['sex']).lower()}, {age_label(st['age'])}: "
             f"latest value per geography, {span_text(st['years'])}")
    years = sorted(df["year"].unique())
    note = ("Blue bars are countries, orange bars are world or regional aggregates. "
            + (f"The latest year differs between geographies ({years[0]}–{years[-1]}), so compare with care. "
               if len(years) > 1 else "")
            + "The download holds every comparable value in the years; the bars show the latest.")
    rows = df.sort_values("value", ascending=False)[["geo_name", "geo", "year", "sex", "age", "value", "unit",
                                                      "nature", "source", "edition"]]
    return c.chart_card("explore-bars", title, bars_figure(df, s), source_text(df), download(st), rows=rows, note=note)


def table_view(st: dict, s: dict):
    rows = trend_rows(st["series"], st["sex"], st["age"], st["geo"], st["years"])
    if rows.empty:
        return message("No values for these geographies, sex and years.")
    title = title_for(s, st["sex"], st["age"], where_text(rows["geo_name"]), st["years"])
    return html.Section([
        html.H3(f"Rows: {title}", id="explore-table-title"),
        html.P(f"{int(rows['comparable'].sum())} comparable rows (current edition, {age_label(st['age'])}) and "
               f"{int((~rows['comparable']).sum())} rows shown for context only (column why_not).", className="note"),
        c.table(rows[ROW_COLUMNS], max_rows=1000, id_="explore-rows"),
        html.P(source_text(rows), className="source"),
        html.Div([html.A("Download the comparable rows (CSV)", href=download(st), className="download",
                         id="explore-table-download"), extra_download(st)], className="chart-actions"),
    ], className="card", id="explore-table", **{"aria-labelledby": "explore-table-title"})


def download(st: dict) -> str:
    """Exactly the comparable rows: current edition of the series, sex, age band, geographies and years."""
    return c.api_url("observations", series=st["series"], geo=st["geo"], sex=st["sex"], age=st["age"],
                     **{"from": st["years"][0], "to": st["years"][1]})


def extra_download(st: dict):
    href = c.api_url("observations", series=st["series"], geo=st["geo"], sex=st["sex"],
                     **{"from": st["years"][0], "to": st["years"][1]})
    return html.P(html.A("Download every age band for these geographies (current editions, CSV)", href=href,
                         id="explore-download-all-ages"), className="note")


VIEW_RENDER = {"trend": trend_view, "map": map_view, "bars": bars_view, "table": table_view}


@c.rendered(maxsize=32)
def view_body(view: str, series: str, geo: tuple, sex: str, age: str, years: tuple, year):
    """One view of one selection (cached per build)."""
    st = {"series": series, "geo": list(geo), "sex": sex, "age": age, "years": list(years), "view": view,
          "year": year}
    return VIEW_RENDER[view](st, series_info(series))


# ---- layout ------------------------------------------------------------------------------------------------------

def field(label: str, id_: str, control, cls: str = "", hint: str | None = None, hidden: bool = False):
    return html.Div([html.Label(label, htmlFor=id_), control] + ([html.Div(hint, className="hint")] if hint else []),
                    className=f"explore-field {cls}".strip(), id=f"{id_}-field", hidden=hidden)


def layout(**params):
    try:
        st = parse_state(params)
    except data.WarehouseMissing as exc:
        return html.Div([html.H1("Explore the data"), message(str(exc))], id="explore")
    sl = slices(st["series"])
    lo, hi = st["bounds"]
    controls = html.Div([
        field("Series", "explore-series", dcc.Dropdown(
            id="explore-series", options=series_options(), value=st["series"], clearable=False, maxHeight=360),
            "wide"),
        field("Sex", "explore-sex", dcc.Dropdown(
            id="explore-sex", options=[{"label": SEX_LABELS.get(x, x), "value": x} for x in sex_values(sl)],
            value=st["sex"], clearable=False)),
        field("Age band", "explore-age", dcc.Dropdown(
            id="explore-age", options=[{"label": age_label(a), "value": a} for a in age_values(sl, st["sex"])],
            value=st["age"], clearable=False), hint="Only the bands this series has. Bands are not comparable."),
        field("Geographies (countries, regions, world)", "explore-geo", dcc.Dropdown(
            id="explore-geo", options=geo_options(st["series"], st["sex"], st["age"], st["geo"]), value=st["geo"],
            multi=True, placeholder="Type a country or region name…", maxHeight=320), "wide",
            hint="Type to search. The count is the number of comparable points."),
        field("Years", "explore-years", dcc.RangeSlider(
            id="explore-years", min=lo, max=hi, step=1, value=st["years"], marks=year_marks(lo, hi),
            allowCross=False, tooltip={"placement": "bottom"}), "wide"),
        html.Fieldset([html.Legend("View"), dcc.RadioItems(
            id="explore-view", options=[{"label": lbl, "value": v} for v, lbl in VIEWS], value=st["view"],
            inline=True, className="explore-views")], className="explore-field wide explore-view-field"),
        field("Map year", "explore-year", dcc.Dropdown(
            id="explore-year", options=map_year_options(st["series"], st["sex"], st["age"], st["years"]),
            value=st["year"], clearable=False), "",
              hint="The latest value in the years, or one year only.", hidden=st["view"] != "map"),
    ], className="explore-controls")
    return html.Div([
        dcc.Location(id="explore-url", refresh=False),
        html.H1("Explore the data"),
        html.P("Choose a series, geographies and years. Lines join only comparable points: the current edition of "
               "the same series, sex and age band. Most countries have a single comparable child-labour survey point, "
               "so most have no trend: that is shown, not hidden.", className="lead"),
        html.Section(controls, className="card explore-controls-card", **{"aria-label": "Filters"}),
        html.P(series_note(series_info(st["series"])), className="note explore-series-note", id="explore-series-note"),
        html.Div(id="explore-body", **{"aria-live": "polite"}),
    ], id="explore")


# ---- callbacks ---------------------------------------------------------------------------------------------------

@callback(Output("explore-sex", "options"), Output("explore-sex", "value"), Output("explore-age", "options"),
          Output("explore-age", "value"), Output("explore-years", "min"), Output("explore-years", "max"),
          Output("explore-years", "marks"), Output("explore-years", "value"), Output("explore-series-note", "children"),
          Input("explore-series", "value"), Input("explore-sex", "value"),
          State("explore-age", "value"), State("explore-years", "value"), State("explore-years", "min"),
          State("explore-years", "max"))
def series_changed(series, sex, age, years, old_lo, old_hi):
    """Sex, age bands and years that exist for the series; keep the current choices when still valid."""
    sl = slices(series)
    sex = pick(sex, sex_values(sl))
    age = pick(age, age_values(sl, sex))
    lo, hi = year_bounds(series)
    full = not years or list(years) == [old_lo, old_hi]
    years = [lo, hi] if full else [max(lo, min(years[0], hi)), min(hi, max(years[1], lo))]
    return ([{"label": SEX_LABELS.get(x, x), "value": x} for x in sex_values(sl)], sex,
            [{"label": age_label(a), "value": a} for a in age_values(sl, sex)], age, lo, hi, year_marks(lo, hi), years,
            series_note(series_info(series)))


@callback(Output("explore-geo", "options"), Input("explore-series", "value"), Input("explore-sex", "value"),
          Input("explore-age", "value"), State("explore-geo", "value"))
def geo_choices(series, sex, age, geos):
    return geo_options(series, sex, age, geos or [])


@callback(Output("explore-year", "options"), Output("explore-year-field", "hidden"),
          Input("explore-series", "value"), Input("explore-sex", "value"), Input("explore-age", "value"),
          Input("explore-years", "value"), Input("explore-view", "value"))
def map_years(series, sex, age, years, view):
    return map_year_options(series, sex, age, years), view != "map"


@callback(Output("explore-url", "search"), Output("explore-body", "children"),
          Input("explore-series", "value"), Input("explore-geo", "value"), Input("explore-sex", "value"),
          Input("explore-age", "value"), Input("explore-years", "value"), Input("explore-view", "value"),
          Input("explore-year", "value"))
def render(series, geo, sex, age, years, view, year):
    """Write the state to the URL and draw the chosen view."""
    st = {"series": series, "geo": geo or [], "sex": sex, "age": age, "years": [int(y) for y in years],
          "view": view, "year": year if to_int(year, 0) and years[0] <= int(year) <= years[1] else "latest"}
    search = search_string(series, st["geo"], sex, age, st["years"], view, st["year"])
    if not st["geo"] and view != "map":
        return search, message("Choose at least one geography (or open the world map).")
    try:
        return search, view_body(view, series, tuple(st["geo"]), sex, age, tuple(st["years"]), st["year"])
    except (data.QueryTimeout, data.WarehouseMissing) as exc:
        return search, message(f"The data could not be read just now ({exc}). Try again, or narrow the selection.")
