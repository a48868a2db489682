"""Progress marts: `progress`, `regional_gaps`, `global_pace`, computed from the warehouse after the checks.

Comparability rule: a trend joins only current values (the latest edition for each year) of the same series,
geography, sex, age band and source. Series marked trend_eligible = false contribute their latest point only.
Published estimates from an edition whose method the publisher does not compare with its later editions
(NOT_COMPARABLE_WITH_LATER) are left out of a trend that has later points (methodology.md, comparability rule 3).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines.config import PUBLISHED_ESTIMATES_CSV, SQL_DIR
from pipelines.progress import methods as m
from pipelines.warehouse import table_from_frame

CHILD_LABOUR_PERCENT = ("SL_TLF_CHLDEC", "SL_TLF_CHLDEA", "PT_CHLD_5-17_LBR_ECON-HC")
NEW_TARGET_YEAR = 2030

#: Published editions whose method the publishers do not compare with their later editions. The ILO 2012 global
#: estimate of forced labour extrapolated from reported cases (capture-recapture); the 2017 and 2022 Global
#: Estimates of Modern Slavery are built on national surveys and compare 2021 with 2016 only. A 2012 point is
#: therefore not pooled with 2016/2021 points (it stays alone where it has no later points, e.g. ILO 2012 regions).
NOT_COMPARABLE_WITH_LATER = {
    "ILO 2012": "the ILO 2012 forced-labour estimate (a different method) is not pooled with the later Global Estimates",
}


def build_marts(con: duckdb.DuckDBPyConnection) -> None:
    """progress (Python, the methods module) -> regional_gaps (SQL) -> global_pace (Python)."""
    progress = pd.DataFrame([progress_row(group) for group in load_groups(con)])
    progress = add_child_numbers(con, progress)
    table_from_frame(con, "progress", progress)
    con.execute((SQL_DIR / "regional_gaps.sql").read_text())
    table_from_frame(con, "global_pace", global_pace(con))


@dataclass(frozen=True)
class Group:
    """The current observations of one (series, geo, sex, age, source), in year order, as plain lists."""
    series: str
    geo: str
    sex: str
    age: str
    source: str
    geo_name: str
    geo_type: str
    unit: str
    target_value: float
    target_year: float
    trend_eligible: bool
    years: list
    values: list
    editions: list


def load_groups(con) -> list[Group]:
    """Current observations of series with a target, one Group per (series, geo, sex, age, source). DuckDB does the
    grouping and ordering (lists per group); the methods then run on plain lists (no per-group pandas overhead:
    62 s -> a few seconds for 80,570 groups at 10 M synthetic rows, benchmarks/RESULTS.md)."""
    rows = con.execute("""
        SELECT o.series, o.geo, o.sex, o.age, o.source, any_value(g.name), any_value(g.type), any_value(o.unit),
               any_value(s.target_value), any_value(s.target_year), any_value(s.trend_eligible),
               list(o.year ORDER BY o.year, o.edition_date, o.edition),
               list(o.value ORDER BY o.year, o.edition_date, o.edition),
               list(o.edition ORDER BY o.year, o.edition_date, o.edition)
        FROM observations o JOIN series s ON s.code = o.series JOIN geographies g ON g.geo = o.geo
        WHERE o.is_current AND s.target_value IS NOT NULL
        GROUP BY o.series, o.geo, o.sex, o.age, o.source
        ORDER BY o.series, o.geo, o.sex, o.age, o.source""").fetchall()
    return [Group(*r) for r in rows]


def progress_row(g: Group) -> dict:
    """One progress row: observed pace, required pace, projections, status, note."""
    years, values, editions = g.years, g.values, g.editions
    if not g.trend_eligible:
        years, values, editions = years[-1:], values[-1:], editions[-1:]
    years, values, editions, left_out = comparable_segment(g, years, values, editions)
    years, values = [float(y) for y in years], [float(v) for v in values]
    target, target_year = float(g.target_value), int(g.target_year)
    upper = 100.0 if g.unit == "percent" else None
    trend = m.observed_change_per_year(years, values)
    latest_year, latest_value = years[-1], values[-1]
    required = m.required_change_per_year(latest_year, latest_value, target, target_year)
    passed = m.status_against_passed_target(years, values, target, target_year, new_target_year=NEW_TARGET_YEAR,
                                            upper_bound=upper) if target_year < NEW_TARGET_YEAR else None
    row = {
        "series": g.series, "geo": g.geo, "geo_name": g.geo_name, "geo_type": g.geo_type, "sex": g.sex,
        "age": g.age, "unit": g.unit, "source": g.source, "edition": "; ".join(dict.fromkeys(editions)),
        "n_points": len(years), "years": ";".join(str(int(y)) for y in dict.fromkeys(years)),
        "first_year": int(years[0]), "first_value": values[0], "latest_year": int(latest_year),
        "latest_value": latest_value, "change_per_year": trend.slope_pp_per_year, "change_method": trend.method,
        **aarr(years, values), "target_value": target, "target_year": target_year,
        "required_change_per_year": required.value,
        **pace(required.value, trend.slope_pp_per_year),
        "projected_2025": m.project_linear(trend, latest_year, latest_value, 2025, upper_bound=upper).value,
        "projected_2030": m.project_linear(trend, latest_year, latest_value, 2030, upper_bound=upper).value,
        "years_to_target": m.years_to_target(latest_value, target, trend.slope_pp_per_year, direction="decrease").value,
        "target_met": m.target_met(latest_value, target),
        "status": m.classify_status(years, values, target, target_year),
        **passed_target(passed),
    }
    row["note"] = note(row, g.trend_eligible) + left_out
    return row


def comparable_segment(g: Group, years: list, values: list, editions: list) -> tuple[list, list, list, str]:
    """Drop points of an edition not comparable with the later editions present in the group. Regional published
    estimates are pooled only within one report edition: regional methods changed between editions (e.g. Arab
    States modern slavery 3.3 per 1,000 in ILO-WF 2017 against 10.1 in ILO-WF-IOM 2022); the world is pooled
    across editions because the later reports themselves compare their world totals with the earlier ones."""
    if g.source == "published" and g.geo != "WLD" and len(set(editions)) > 1:
        keep = [e == editions[-1] for e in editions]
        dropped = [(y, e) for y, e, k in zip(years, editions, keep) if not k]
        reason = (f"regional estimates of another report edition, {'; '.join(dict.fromkeys(e for _, e in dropped))}; "
                  f"regional methods differ")
    else:
        keep = [e not in NOT_COMPARABLE_WITH_LATER for e in editions]
        if all(keep) or not any(keep):
            return years, values, editions, ""
        dropped = [(y, e) for y, e, k in zip(years, editions, keep) if not k]
        reason = "; ".join(NOT_COMPARABLE_WITH_LATER[e] for e in dict.fromkeys(e for _, e in dropped))
    pick = lambda xs: [x for x, k in zip(xs, keep) if k]  # noqa: E731
    text = ", ".join(str(int(y)) for y, _ in dropped)
    return pick(years), pick(values), pick(editions), f" Not pooled: {text} ({reason})."


def aarr(years, values) -> dict:
    reg = m.aarr_regression(years, values)
    end = m.aarr_endpoint(years[0], values[0], years[-1], values[-1]) if len(set(years)) >= 2 else reg
    use = reg if len(set(years)) > 2 else end
    return {"aarr": use.value, "aarr_method": ("regression" if len(set(years)) > 2 else "endpoint") if use.value is not None else None,
            "aarr_flag": use.flag}


def pace(required, observed) -> dict:
    p = m.pace_multiple(required, observed, direction="decrease")
    return {"pace_multiple": p.value, "pace_flag": p.flag}


def passed_target(p) -> dict:
    if p is None:
        return {"status_2025": None, "gap_2025": None, "gap_2025_basis": None,
                "required_change_per_year_2030": None, "pace_multiple_2030": None}
    return {"status_2025": p.outcome, "gap_2025": p.gap, "gap_2025_basis": p.basis,
            "required_change_per_year_2030": p.required_to_new_target.value,
            "pace_multiple_2030": p.pace_multiple_to_new_target.value}


def note(r: dict, trend_eligible: bool) -> str:
    """A plain-language sentence a policymaker can read aloud."""
    unit = "percentage points" if r["unit"] == "percent" else UNIT_WORDS.get(r["unit"], r["unit"])
    if not trend_eligible:
        return (f"Latest value {fmt(r['latest_value'])} ({r['latest_year']}). This series has one value per place "
                f"(or no stated year), so no trend can be computed.")
    if r["status"] == "insufficient data":
        return (f"One comparable point ({r['latest_year']}: {fmt(r['latest_value'])}). A trend needs at least two "
                f"comparable points (same series, age band and sex); none can be computed.")
    direction = "falling" if (r["change_per_year"] or 0) < 0 else "rising"
    text = (f"{r['n_points']} comparable points ({r['years'].replace(';', ', ')}): {direction} by "
            f"{fmt(abs(r['change_per_year']))} {unit} a year.")
    if r["status_2025"]:
        lead = (f" On the latest data the 2025 target was {r['status_2025']}" if r["gap_2025_basis"] == "observed"
                else f" If the observed trend continued after {r['latest_year']}, the 2025 target was {r['status_2025']}")
        text += (lead +
                 (f", by {fmt(r['gap_2025'])} {unit}." if r["status_2025"] == "missed" and r["gap_2025"] is not None else "."))
        if r["required_change_per_year_2030"] is not None:
            text += f" Ending it by 2030 needs {fmt(abs(r['required_change_per_year_2030']))} {unit} a year"
            text += (f", {fmt(r['pace_multiple_2030'])} times the observed pace." if r["pace_multiple_2030"] is not None
                     else "; the observed trend is not moving toward zero.")
    elif r["required_change_per_year"] is not None:
        text += f" Reaching {fmt(r['target_value'])} by {r['target_year']} needs {fmt(abs(r['required_change_per_year']))} {unit} a year"
        text += (f", {fmt(r['pace_multiple'])} times the observed pace." if r["pace_multiple"] is not None
                 else "; the observed trend is not moving toward the target.")
    return text


UNIT_WORDS = {"per_1000": "per 1,000", "millions": "million", "thousands": "thousand", "number": "people",
              "per_100000": "per 100,000"}


def fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:,.1f}" if abs(v) >= 0.095 or v == 0 else f"{v:,.2f}"


def add_child_numbers(con, progress: pd.DataFrame) -> pd.DataFrame:
    """Estimated children in child labour = latest prevalence × child population (WPP 2022) of the same year.

    Only for child-labour prevalences (per cent) of both sexes whose age band has a population (5-14, 5-17).
    Ages 15-17 are 3/5 of WPP's 15-19 group (pipelines/sql/child_population.sql); population_note says so."""
    pop = con.execute("SELECT geo, year, age, population_thousands, method FROM child_population").fetch_df()
    merged = progress.merge(pop.rename(columns={"year": "latest_year", "population_thousands": "child_population_thousands",
                                                "method": "population_method"}),
                            on=["geo", "latest_year", "age"], how="left")
    is_cl = merged["series"].isin(CHILD_LABOUR_PERCENT) & merged["sex"].eq("total")
    merged.loc[~is_cl, ["child_population_thousands", "population_method"]] = None
    merged["child_population_year"] = merged["latest_year"].where(merged["child_population_thousands"].notna())
    merged["estimated_children_thousands"] = merged["latest_value"] / 100 * merged["child_population_thousands"]
    merged["population_note"] = [
        None if pd.isna(t) else (f"children aged {a} in {int(y)}, WPP 2022"
                                 + ("" if str(t).startswith("exact") else "; ages 15-17 approximated as 3/5 of ages 15-19")
                                 + f"; estimated children = {fmt(v)}% x {fmt(p)} thousand")
        for t, a, y, v, p in zip(merged["population_method"], merged["age"], merged["latest_year"],
                                 merged["latest_value"], merged["child_population_thousands"])]
    return merged.drop(columns=["population_method"])


def global_pace(con) -> pd.DataFrame:
    """Observed vs required pace from the published global estimates (world, total, current edition per year).

    observed = (end_value - start_value) / (end_year - start_year)   (two published points, no fit)
    required = (0 - value at required_from_year) / (target_year - required_from_year)
    pace_multiple = required / observed (None, with pace_flag, when the observed change is not a decline)."""
    pub = con.execute("""SELECT series, year, value, unit, edition, raw_row FROM observations
                         WHERE source = 'published' AND geo = 'WLD' AND sex = 'total' AND is_current
                           AND age IN ('5-17', 'all') ORDER BY series, year""").fetch_df()
    approx = approximations()
    rows = []
    for spec in GLOBAL_PERIODS:
        s = pub[pub["series"] == spec["series"]].set_index("year")
        base = spec["required_from"]
        if any(y not in s.index for y in (spec["start"], spec["end"], base)):
            continue
        v0, v1 = float(s.at[spec["start"], "value"]), float(s.at[spec["end"], "value"])
        observed = (v1 - v0) / (spec["end"] - spec["start"])
        required = m.required_change_per_year(base, float(s.at[base, "value"]), 0.0, spec["target_year"]).value
        multiple = m.pace_multiple(required, observed, direction="decrease")
        raw_rows = [int(s.at[y, "raw_row"]) for y in dict.fromkeys((spec["start"], spec["end"], base))]
        row = {"indicator": spec["indicator"], "series": spec["series"], "period": f"{spec['start']}-{spec['end']}",
               "start_year": spec["start"], "end_year": spec["end"], "start_value": v0, "end_value": v1,
               "unit": s.at[spec["end"], "unit"], "observed_change_per_year": observed,
               "target_year": spec["target_year"], "required_from_year": base,
               "required_change_per_year": required, "pace_multiple": multiple.value, "pace_flag": multiple.flag,
               "source_rows": "published_estimates.csv rows " + ", ".join(str(r) for r in raw_rows),
               "editions": "; ".join(dict.fromkeys(s.at[y, "edition"] for y in (spec["start"], spec["end"], base)))}
        row["note"] = pace_note(row, [approx[r] for r in raw_rows if r in approx])
        rows.append(row)
    return pd.DataFrame(rows)


def approximations() -> dict[int, str]:
    """raw_row -> what the source printed, for published figures marked APPROX in the curated table."""
    notes = pd.read_csv(PUBLISHED_ESTIMATES_CSV, usecols=["notes"], dtype=str)["notes"].fillna("")
    return {i + 2: n.split("APPROX:", 1)[1].split(";")[0].strip() for i, n in notes.items() if "APPROX:" in n}


def pace_note(r: dict, approx: list[str]) -> str:
    unit = UNIT_WORDS.get(r["unit"], "percentage points" if r["unit"] == "percent" else r["unit"])
    moved = "fell" if r["observed_change_per_year"] < 0 else "rose"
    text = (f"{r['indicator'].split(' (')[0].capitalize()} {moved} by {fmt(abs(r['observed_change_per_year']))} {unit} "
            f"a year in {r['period']} ({fmt(r['start_value'])} to {fmt(r['end_value'])}). Reaching zero by "
            f"{r['target_year']} from {r['required_from_year']} needs a fall of "
            f"{fmt(abs(r['required_change_per_year']))} {unit} a year")
    text += (f", {fmt(r['pace_multiple'])} times the observed pace." if r["pace_multiple"] is not None
             else "; the observed change was not a decline, so no multiple exists.")
    if approx:
        text += " Approximate published figure: " + "; ".join(approx) + "."
    return text


def _periods():
    out = []
    for series, indicator in (("GE_CL_NUM", "child labour (millions)"), ("GE_CL_PREV", "child labour (%)")):
        for start, end in ((2000, 2024), (2012, 2024), (2016, 2020), (2020, 2024)):
            out.append({"series": series, "indicator": indicator, "start": start, "end": end,
                        "target_year": 2025 if end <= 2020 else 2030, "required_from": 2020 if end <= 2020 else 2024})
    for series, indicator in (("GE_FL_NUM", "forced labour (millions)"), ("GE_FL_PREV", "forced labour (per 1,000)"),
                              ("GE_MS_NUM", "modern slavery (millions)"), ("GE_MS_PREV", "modern slavery (per 1,000)")):
        out.append({"series": series, "indicator": indicator, "start": 2016, "end": 2021, "target_year": 2030,
                    "required_from": 2021})
    return out


GLOBAL_PERIODS = _periods()


