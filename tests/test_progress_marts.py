"""The progress marts (`progress`, `regional_gaps`, `global_pace`) on a real warehouse built from the real mirror.

Expected numbers are recomputed here from the warehouse's own tables or from the curated published table
(pipelines/metadata/published_estimates.csv), not taken from pipelines.progress.marts.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.progress.methods import STATUSES

CSV = Path(__file__).resolve().parents[1] / "pipelines" / "metadata" / "published_estimates.csv"
CHILD_LABOUR = ("SL_TLF_CHLDEC", "SL_TLF_CHLDEA")


@pytest.fixture(scope="module")
def con(warehouse):
    c = duckdb.connect(str(warehouse), read_only=True)
    yield c
    c.close()


def df(con, sql: str, params=None) -> pd.DataFrame:
    return con.execute(sql, params or []).fetch_df()


@pytest.fixture(scope="module")
def progress(con) -> pd.DataFrame:
    return df(con, "SELECT * FROM progress")


@pytest.fixture(scope="module")
def gaps(con) -> pd.DataFrame:
    return df(con, "SELECT * FROM regional_gaps")


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype={"value": float})


# ---- progress: points, years, comparability -------------------------------------------------------------------

@pytest.fixture(scope="module")
def child_groups(con) -> pd.DataFrame:
    """Current child-labour observations of countries, per exact comparable group."""
    return df(con, f"""
        SELECT o.series, o.geo, o.sex, o.age, o.source, count(DISTINCT o.year) AS n_years, count(*) AS n_obs,
               max(o.year) AS last_year, arg_max(o.value, o.year) AS last_value
        FROM observations o JOIN geographies g ON g.geo = o.geo
        WHERE o.is_current AND g.type = 'country' AND o.series IN {CHILD_LABOUR}
        GROUP BY ALL""")


def test_child_labour_groups_have_one_progress_row_each(child_groups, progress):
    keys = ["series", "geo", "sex", "age", "source"]
    merged = child_groups.merge(progress, on=keys, how="left", indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", keys].head()
    assert not progress.duplicated(keys).any()
    assert not progress.duplicated(["series", "geo", "sex", "age"]).any(), "one row per (series, geo, sex, age)"


def test_two_or_more_comparable_points_get_a_status(child_groups, progress):
    m = child_groups.merge(progress, on=["series", "geo", "sex", "age", "source"])
    several = m[m["n_years"] >= 2]
    assert len(several) > 50
    assert (several["status"] != "insufficient data").all(), several.loc[
        several["status"] == "insufficient data", ["series", "geo", "sex", "age", "years"]]
    assert several["change_per_year"].notna().all()
    assert set(several["status"]) <= set(STATUSES) - {"insufficient data"}


def test_one_point_is_insufficient_data_but_shows_its_value(child_groups, progress):
    m = child_groups.merge(progress, on=["series", "geo", "sex", "age", "source"])
    single = m[m["n_years"] == 1]
    assert len(single) > 50
    assert (single["status"] == "insufficient data").all()
    assert (single["latest_year"] == single["last_year"]).all()
    assert (single["latest_value"] - single["last_value"]).abs().max() == 0
    assert single["change_per_year"].isna().all() and single["projected_2030"].isna().all()
    assert single["note"].str.startswith("One comparable point").all()


def test_groups_are_never_pooled_across_age_bands(con, progress):
    """n_points equals the number of distinct years of that exact (series, geo, sex, age, source) group."""
    obs = df(con, f"""
        SELECT series, geo, sex, age, source, count(DISTINCT year) AS n_years, count(*) AS n_obs
        FROM observations WHERE is_current AND series IN {CHILD_LABOUR} GROUP BY ALL""")
    m = progress[progress["series"].isin(CHILD_LABOUR)].merge(obs, on=["series", "geo", "sex", "age", "source"])
    assert len(m) == progress["series"].isin(CHILD_LABOUR).sum()
    assert (m["n_points"] == m["n_years"]).all()
    assert (m["n_obs"] == m["n_years"]).all(), "one current value per year in a group"
    # countries with several age bands keep them apart: e.g. a 5-14 and a 5-17 series of one country
    both = m[m["sex"].eq("total")].groupby(["series", "geo"])["age"].nunique()
    assert (both > 1).any()


def test_every_row_says_how_many_points_and_which_years(progress, con):
    years = progress["years"].str.split(";")
    assert (progress["n_points"] == years.str.len()).all()
    assert (progress["first_year"] == years.str[0].astype(int)).all()
    assert (progress["latest_year"] == years.str[-1].astype(int)).all()
    assert years.map(lambda ys: ys == sorted(ys, key=int) and len(set(ys)) == len(ys)).all()
    assert progress["status"].isin(STATUSES).all()
    eligible = progress.merge(df(con, "SELECT code AS series, trend_eligible FROM series"), on="series")
    trend = eligible[eligible["trend_eligible"]]
    assert ((trend["n_points"] >= 2) == trend["change_per_year"].notna()).all()
    assert (eligible.loc[~eligible["trend_eligible"].astype(bool), "n_points"] == 1).all()


def test_forced_labour_2012_estimate_is_not_pooled_with_later_editions(progress):
    """Comparability rule 3: ILO 2012 used another method; the 2022 Global Estimates compare 2021 with 2016 only."""
    world = progress[(progress["geo"] == "WLD") & (progress["sex"] == "total") & (progress["age"] == "all")]
    for series in ("GE_FL_NUM", "GE_FL_PREV"):
        row = world[world["series"] == series].iloc[0]
        assert row["years"] == "2016;2021" and "ILO 2012" not in row["edition"]
        assert "Not pooled: 2012" in row["note"]
    alone = progress[(progress["geo"] == "ILO12_AFR") & (progress["series"] == "GE_FL_PREV")].iloc[0]
    assert alone["years"] == "2012"  # a 2012-only group keeps its point


def test_world_child_labour_2025_outcome_and_2030_pace(progress, published):
    row = progress[(progress["series"] == "GE_CL_NUM") & (progress["geo"] == "WLD") & (progress["sex"] == "total")
                   & (progress["age"] == "5-17")].iloc[0]
    assert row["latest_year"] == 2024 and row["latest_value"] == 138.0
    assert row["status_2025"] == "missed" and row["gap_2025_basis"] == "projected" and row["gap_2025"] > 100
    assert row["required_change_per_year_2030"] == pytest.approx(-138 / 6)
    assert row["pace_multiple_2030"] == pytest.approx(-23 / row["change_per_year"])


# ---- numbers of people --------------------------------------------------------------------------------------

def test_estimated_children_checked_by_hand(con, progress):
    """prevalence x children 5-17 of the same year, the 15-17 part as 3/5 of WPP's 15-19 group."""
    rows = progress[(progress["series"] == "SL_TLF_CHLDEC") & (progress["sex"] == "total")
                    & (progress["age"] == "5-17") & progress["estimated_children_thousands"].notna()]
    assert len(rows) > 50
    row = rows[rows["geo"] == "BGD"].iloc[0] if (rows["geo"] == "BGD").any() else rows.iloc[0]
    groups = dict(con.execute("SELECT age, population_thousands FROM population WHERE geo = ? AND year = ?",
                              [row["geo"], int(row["latest_year"])]).fetchall())
    children = groups["5-9"] + groups["10-14"] + 3 / 5 * groups["15-19"]
    assert row["child_population_thousands"] == pytest.approx(children)
    assert row["child_population_year"] == row["latest_year"]
    assert row["estimated_children_thousands"] == pytest.approx(row["latest_value"] / 100 * children)
    assert str(int(row["latest_year"])) in row["population_note"]
    assert "WPP 2022" in row["population_note"] and "3/5 of ages 15-19" in row["population_note"]
    exact = progress[(progress["age"] == "5-14") & progress["estimated_children_thousands"].notna()]
    assert not exact.empty and not exact["population_note"].str.contains("approximated").any()


def test_numbers_only_for_child_labour_prevalence_of_both_sexes(progress):
    has = progress[progress["estimated_children_thousands"].notna()]
    assert set(has["series"]) <= {"SL_TLF_CHLDEC", "SL_TLF_CHLDEA", "PT_CHLD_5-17_LBR_ECON-HC"}
    assert (has["sex"] == "total").all() and (has["unit"] == "percent").all()


# ---- regional_gaps ------------------------------------------------------------------------------------------

def test_kinds_are_labelled_and_never_mixed(gaps):
    assert set(gaps["kind"]) == {"official", "computed"}
    key = ["scheme", "region", "series", "sex", "age", "year", "kind"]
    assert not gaps.duplicated(key).any()
    official, computed = gaps[gaps["kind"] == "official"], gaps[gaps["kind"] == "computed"]
    assert official[["n_countries", "n_countries_with_data", "coverage_population_share"]].isna().all().all()
    assert not official["source"].str.startswith("computed").any()
    assert computed["edition"].str.startswith("computed from").all()
    assert computed[["status", "observed_change_per_year", "pace_multiple"]].isna().all().all()
    assert computed["note"].str.startswith("Computed by SDG 8.7 Monitor").all()
    assert not official["note"].str.contains("Computed").any()


def test_coverage_is_shown_and_sane(gaps):
    c = gaps[gaps["kind"] == "computed"]
    assert c["coverage_population_share"].between(0, 1).all()
    assert (c["n_countries_with_data"] <= c["n_countries"]).all()
    assert (c["n_countries_with_data"] >= 1).all()
    assert c["population_basis"].notna().all() and c["data_years"].notna().all()
    # every member counts in the denominator, not only those with data (a bug once made coverage always 1)
    world = c[(c["region"] == "WLD") & (c["series"] == "SL_TLF_CHLDEC")].iloc[0]
    assert world["n_countries_with_data"] < world["n_countries"] and world["coverage_population_share"] < 0.9


def test_child_labour_aggregate_recomputed(con, gaps):
    """Population-weighted mean of the latest 5-17 values, weights children 5-17 in 2020, Sub-Saharan Africa."""
    region = "M49_202"
    got = gaps[(gaps["region"] == region) & (gaps["series"] == "SL_TLF_CHLDEC") & (gaps["kind"] == "computed")].iloc[0]
    mem = df(con, """
        WITH latest AS (SELECT geo, arg_max(value, year) AS v FROM observations
                        WHERE is_current AND series = 'SL_TLF_CHLDEC' AND sex = 'total' AND age = '5-17'
                        GROUP BY geo)
        SELECT m.geo, l.v, p.population_thousands AS w FROM geo_memberships m
        LEFT JOIN latest l ON l.geo = m.geo
        LEFT JOIN child_population p ON p.geo = m.geo AND p.age = '5-17' AND p.year = 2020
        WHERE m.scheme = 'sdg_region' AND m.group_geo = ?""", [region])
    have = mem[mem["v"].notna()]
    assert got["value"] == pytest.approx((have["v"] * have["w"]).sum() / have["w"].sum())
    assert got["n_countries_with_data"] == len(have) and got["n_countries"] == len(mem)
    assert got["coverage_population_share"] == pytest.approx(have["w"].sum() / mem["w"].sum())


ILO = ("ILO_AFR", "ILO_AMR", "ILO_ARB", "ILO_ASP", "ILO_ECA")


def test_gsi_regional_prevalence_reproduces_published_figures(gaps, published):
    """GSI 2023 by ILO region vs the regional modern-slavery prevalence published with the index (2021, per 1,000).

    The published figures carry one decimal, so agreement 'to within rounding' is |difference| <= 0.05."""
    pub = published[(published["series"] == "GE_MS_PREV") & (published["year"] == 2021)
                    & published["geo"].isin(ILO)].set_index("geo")["value"]
    assert sorted(pub.index) == sorted(ILO)
    comp = gaps[(gaps["series"] == "GSI_PREV") & (gaps["kind"] == "computed")
                & (gaps["scheme"] == "ilo_region")].set_index("region")
    for geo in ILO:
        value = comp.at[geo, "value"]
        assert abs(value - pub[geo]) <= 0.05, (geo, value, pub[geo])
        assert round(value, 1) == pub[geo]
        assert comp.at[geo, "coverage_population_share"] > 0.95


def test_why_a_mean_over_covered_countries_misses_the_arab_states(con, gaps, published):
    """The published 10.1 is the regional total over the whole region, occupied Palestinian territory included;
    a population-weighted mean over the 11 countries the index estimates gives 10.4."""
    g = df(con, """
        SELECT m.geo, p.value AS prev, pop.value AS pop FROM geo_memberships m
        JOIN observations p ON p.geo = m.geo AND p.series = 'GSI_PREV' AND p.is_current
        JOIN observations pop ON pop.geo = m.geo AND pop.series = 'GSI_POPULATION' AND pop.is_current
        WHERE m.scheme = 'ilo_region' AND m.group_geo = 'ILO_ARB'""")
    assert len(g) == 11 and "PSE" not in set(g["geo"])
    number = (g["prev"] * g["pop"]).sum() / 1000
    covered_mean = 1000 * number / g["pop"].sum()
    assert round(covered_mean, 1) == 10.4
    pse = con.execute("SELECT population_thousands * 1000 FROM child_population "
                      "WHERE geo = 'PSE' AND age = 'total' AND year = 2020").fetchone()[0]
    whole = 1000 * number / (g["pop"].sum() + pse)
    assert round(whole, 1) == 10.1
    mart = gaps[(gaps["series"] == "GSI_PREV") & (gaps["kind"] == "computed") & (gaps["region"] == "ILO_ARB")].iloc[0]
    assert mart["value"] == pytest.approx(whole)
    assert mart["n_countries"] == 12 and mart["n_countries_with_data"] == 11


# ---- global_pace --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world_published(published) -> pd.DataFrame:
    """World, both sexes, all ages / 5-17: the latest edition per (series, year), as in the warehouse."""
    w = published[(published["geo"] == "WLD") & (published["sex"] == "total") & published["age"].isin(["5-17", "all"])]
    return w.sort_values("publication_year").groupby(["series", "year"]).tail(1).set_index(["series", "year"])


PERIODS = [  # series, start, end, required from, target year
    *[(s, a, b, 2024, 2030) for s in ("GE_CL_NUM", "GE_CL_PREV") for a, b in ((2000, 2024), (2012, 2024), (2020, 2024))],
    ("GE_CL_NUM", 2016, 2020, 2020, 2025),
    ("GE_FL_NUM", 2016, 2021, 2021, 2030), ("GE_FL_PREV", 2016, 2021, 2021, 2030),
    ("GE_MS_NUM", 2016, 2021, 2021, 2030),
]


@pytest.mark.parametrize("series,start,end,base,target", PERIODS)
def test_global_pace_recomputed_from_published_rows(con, world_published, series, start, end, base, target):
    pace = df(con, "SELECT * FROM global_pace WHERE series = ? AND start_year = ? AND end_year = ?",
              [series, start, end])
    assert len(pace) == 1
    row = pace.iloc[0]
    v0, v1 = world_published.at[(series, start), "value"], world_published.at[(series, end), "value"]
    observed = (v1 - v0) / (end - start)
    required = (0 - world_published.at[(series, base), "value"]) / (target - base)
    assert row["observed_change_per_year"] == pytest.approx(observed)
    assert (row["required_from_year"], row["target_year"]) == (base, target)
    assert row["required_change_per_year"] == pytest.approx(required)
    if observed < 0:
        assert row["pace_multiple"] == pytest.approx(required / observed)
    else:
        assert pd.isna(row["pace_multiple"]) and row["pace_flag"] == "no_progress"
    assert row["note"]


def test_global_pace_headline_numbers(con):
    p = df(con, "SELECT * FROM global_pace").set_index(["series", "period"])
    # child labour, millions: 168 (2012) -> 138 (2024) is 2.5 million a year; 138 / 6 years = 23 million a year
    assert p.at[("GE_CL_NUM", "2012-2024"), "observed_change_per_year"] == pytest.approx(-2.5)
    assert p.at[("GE_CL_NUM", "2012-2024"), "pace_multiple"] == pytest.approx(9.2)
    assert p.at[("GE_CL_NUM", "2020-2024"), "pace_multiple"] == pytest.approx(23 / 5.5)
    assert p.at[("GE_CL_NUM", "2000-2024"), "pace_multiple"] == pytest.approx(23 / ((245.5 - 138) / 24))
    # 2016-2020: child labour rose (152 -> 160) while 32 million a year were needed to reach zero by 2025
    assert p.at[("GE_CL_NUM", "2016-2020"), "required_change_per_year"] == pytest.approx(-32)
    # forced labour 2016-2021: 24.9 -> 27.6 million, rising; zero by 2030 needs 27.6 / 9 a year
    fl = p.loc[("GE_FL_NUM", "2016-2021")]
    assert fl["observed_change_per_year"] == pytest.approx(0.54)
    assert fl["required_change_per_year"] == pytest.approx(-27.6 / 9)
    assert pd.isna(fl["pace_multiple"]) and fl["pace_flag"] == "no_progress"
    # the 2024 figure is an approximation ('nearly 138 million') and the note says so
    assert "Nearly 138 million" in p.at[("GE_CL_NUM", "2012-2024"), "note"]
    # our reading of the UN SDG Report 2025 'elevenfold': 138 million over the 5 years 2025-2030 vs 2.5 a year
    assert round((138 / 5) / 2.5) == 11
