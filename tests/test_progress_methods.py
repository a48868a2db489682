"""Tests for pipelines.progress.methods.

Every series below is a SYNTHETIC TEST FIXTURE made up for the test; none of
it is real child-labour, forced-labour or modern-slavery data.  Expected
numbers were worked out by hand; the arithmetic is shown in the comments.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipelines.progress.methods import (
    OPEN_SDG_STATCAN,
    STATUSES,
    UNSD_PROGRESS_CHART_2022,
    PassedTargetStatus,
    Projection,
    Rate,
    Thresholds,
    Trend,
    aarr_endpoint,
    aarr_regression,
    classify_status,
    observed_change_per_year,
    pace_multiple,
    progress_ratio,
    project_linear,
    required_change_per_year,
    status_against_passed_target,
    target_met,
    years_to_target,
)

approx = pytest.approx


# ---------------------------------------------------------------------------
# observed_change_per_year
# ---------------------------------------------------------------------------


def test_ols_three_points_hand_worked():
    # Synthetic fixture: 2016 -> 10.0, 2020 -> 9.0, 2024 -> 7.0
    # t_bar = 2020, v_bar = 26/3 = 8.6667
    # Sxy = (-4)(10 - 8.6667) + 0 + (4)(7 - 8.6667) = -5.3333 - 6.6667 = -12
    # Sxx = 16 + 0 + 16 = 32  ->  slope = -12 / 32 = -0.375 pp/year
    tr = observed_change_per_year([2016, 2020, 2024], [10.0, 9.0, 7.0])
    assert tr.slope_pp_per_year == approx(-0.375)
    assert tr.method == "ols"
    assert (tr.n_points, tr.n_years) == (3, 3)
    assert (tr.first_year, tr.last_year) == (2016, 2024)
    assert (tr.first_value, tr.last_value) == (10.0, 7.0)
    assert tr.flag is None


def test_endpoint_two_points_hand_worked():
    # Synthetic fixture: (8.0 - 10.0) / (2020 - 2016) = -2 / 4 = -0.5 pp/year
    tr = observed_change_per_year([2016, 2020], [10.0, 8.0])
    assert tr.slope_pp_per_year == approx(-0.5)
    assert tr.method == "endpoint"


def test_unsorted_input_is_sorted():
    tr = observed_change_per_year([2024, 2016, 2020], [7.0, 10.0, 9.0])
    assert tr.slope_pp_per_year == approx(-0.375)
    assert (tr.first_value, tr.last_value) == (10.0, 7.0)


def test_two_points_in_same_year_are_averaged():
    # Synthetic fixture: 2016 has two surveys, 10 and 12 -> mean 11;
    # 2020 -> 9.  Two distinct years -> endpoint (9 - 11) / 4 = -0.5
    tr = observed_change_per_year([2016, 2016, 2020], [10.0, 12.0, 9.0])
    assert tr.slope_pp_per_year == approx(-0.5)
    assert tr.method == "endpoint"
    assert (tr.n_points, tr.n_years) == (3, 2)
    assert tr.first_value == approx(11.0)


def test_same_year_averaging_gives_each_year_equal_weight():
    # Synthetic fixture: 2016: 10 and 12 (mean 11), 2018: 10, 2020: 9
    # per-year OLS on (2016, 11), (2018, 10), (2020, 9): exact line, slope -0.5
    # (a raw OLS over four points would weight 2016 twice and give -0.4375)
    tr = observed_change_per_year([2016, 2016, 2018, 2020], [10.0, 12.0, 10.0, 9.0])
    assert tr.slope_pp_per_year == approx(-0.5)
    assert tr.method == "ols"


def test_only_same_year_points_is_insufficient():
    tr = observed_change_per_year([2020, 2020], [5.0, 7.0])
    assert tr.slope_pp_per_year is None
    assert tr.method is None
    assert tr.flag == "fewer_than_two_years"
    assert tr.n_years == 1 and tr.first_value == approx(6.0)


def test_single_point_and_empty():
    tr = observed_change_per_year([2020], [5.0])
    assert tr.slope_pp_per_year is None and tr.flag == "fewer_than_two_years"
    tr0 = observed_change_per_year([], [])
    assert tr0.slope_pp_per_year is None and tr0.n_points == 0


def test_zero_values_are_fine_for_linear_change():
    # Synthetic fixture: (0 - 4) / (2024 - 2020) = -1 pp/year
    tr = observed_change_per_year([2020, 2024], [4.0, 0.0])
    assert tr.slope_pp_per_year == approx(-1.0)


def test_bad_input_raises():
    with pytest.raises(ValueError):
        observed_change_per_year([2020, 2021], [1.0, float("nan")])
    with pytest.raises(ValueError):
        observed_change_per_year([2020, 2021], [1.0])
    with pytest.raises(ValueError):
        observed_change_per_year([2020, float("inf")], [1.0, 2.0])


# ---------------------------------------------------------------------------
# AARR
# ---------------------------------------------------------------------------


def test_aarr_endpoint_hand_worked():
    # Synthetic fixture: 20 (2010) -> 10 (2020): 1 - (10/20)^(1/10)
    # = 1 - 0.5^0.1 = 1 - 0.933033 = 0.066967 (6.7 % a year)
    r = aarr_endpoint(2010, 20.0, 2020, 10.0)
    assert r.value == approx(0.066967, abs=1e-6)
    assert r.flag is None


def test_aarr_regression_exact_exponential():
    # Synthetic fixture: 8, 4, 2 at 2000, 2010, 2020 halves every 10 years.
    # ln v = ln 8 - 0.0693147 (t - 2000) exactly -> b = ln(0.5)/10
    # AARR = 1 - exp(-0.0693147) = 0.066967
    r = aarr_regression([2000, 2010, 2020], [8.0, 4.0, 2.0])
    assert r.value == approx(0.066967, abs=1e-6)


def test_aarr_regression_hand_worked_noisy():
    # Synthetic fixture: ln v = 0, -0.2, -0.3 at 2010, 2011, 2012
    # (v = 1, e^-0.2 = 0.818731, e^-0.3 = 0.740818)
    # t_bar = 2011, mean ln v = -0.166667
    # Sxy = (-1)(0 + 0.166667) + 0 + (1)(-0.3 + 0.166667) = -0.3 ; Sxx = 2
    # b = -0.15 ; AARR = 1 - e^-0.15 = 1 - 0.860708 = 0.139292
    r = aarr_regression([2010, 2011, 2012], [1.0, math.exp(-0.2), math.exp(-0.3)])
    assert r.value == approx(0.139292, abs=1e-6)


def test_aarr_negative_means_increase():
    # Synthetic fixture: 10 -> 20 in one year: 1 - 2 = -1 (a 100 % increase)
    assert aarr_endpoint(2020, 10.0, 2021, 20.0).value == approx(-1.0)


def test_aarr_zero_values():
    assert aarr_regression([2016, 2020], [5.0, 0.0]) == Rate(None, "zero_value")
    assert aarr_regression([2016, 2020], [-1.0, 2.0]) == Rate(None, "zero_value")
    assert aarr_endpoint(2016, 0.0, 2020, 3.0) == Rate(None, "zero_value")
    # zero_value takes precedence over fewer_than_two_years
    assert aarr_regression([2016], [0.0]).flag == "zero_value"


def test_aarr_fewer_than_two_years():
    assert aarr_regression([2016], [5.0]) == Rate(None, "fewer_than_two_years")
    assert aarr_regression([2016, 2016], [5.0, 6.0]).flag == "fewer_than_two_years"
    assert aarr_endpoint(2016, 5.0, 2016, 6.0) == Rate(None, "fewer_than_two_years")


# ---------------------------------------------------------------------------
# required pace, pace multiple, years to target
# ---------------------------------------------------------------------------


def test_required_change_hand_worked():
    # Synthetic fixture: 7.8 in 2024, target 0 by 2030: (0 - 7.8) / 6 = -1.3
    r = required_change_per_year(2024, 7.8, 0.0, 2030)
    assert r.value == approx(-1.3)


def test_required_change_target_year_passed():
    assert required_change_per_year(2025, 5.0, 0.0, 2025) == Rate(None, "target_year_passed")
    assert required_change_per_year(2026, 5.0, 0.0, 2025).flag == "target_year_passed"


def test_pace_multiple_hand_worked():
    # Synthetic fixture: required -1.3, observed -0.375: 1.3 / 0.375 = 3.4667
    assert pace_multiple(-1.3, -0.375).value == approx(3.466667, abs=1e-6)
    # observed faster than required: -0.5 / -1.0 = 0.5
    assert pace_multiple(-0.5, -1.0).value == approx(0.5)


def test_pace_multiple_flags():
    assert pace_multiple(-1.0, 0.0) == Rate(None, "no_progress")
    assert pace_multiple(-1.0, 0.2) == Rate(None, "no_progress")  # wrong direction
    assert pace_multiple(0.0, -0.2) == Rate(None, "target_met")
    assert pace_multiple(None, -0.2) == Rate(None, "required_undefined")
    assert pace_multiple(-1.0, None) == Rate(None, "observed_undefined")
    # latest already below a 'decrease' target: required points up
    assert pace_multiple(0.4, 0.1, direction="decrease") == Rate(None, "target_met")
    # ... but without direction it is a genuine upward requirement
    assert pace_multiple(0.4, 0.1).value == approx(4.0)


def test_years_to_target_hand_worked():
    # Synthetic fixture: 7 -> 0 at -0.375 pp/year: 7 / 0.375 = 18.6667 years
    assert years_to_target(7.0, 0.0, -0.375).value == approx(18.666667, abs=1e-6)


def test_years_to_target_flags():
    assert years_to_target(7.0, 0.0, 0.1) == Rate(None, "no_progress")
    assert years_to_target(7.0, 0.0, 0.0) == Rate(None, "no_progress")
    assert years_to_target(7.0, 0.0, None) == Rate(None, "slope_undefined")
    assert years_to_target(0.0, 0.0, 0.3) == Rate(0.0, "target_met")
    assert years_to_target(-0.0, 0.0, None) == Rate(0.0, "target_met")
    assert years_to_target(0.5, 1.0, 0.3, direction="decrease") == Rate(0.0, "target_met")


def test_target_met():
    assert target_met(0.0, 0.0) is True
    assert target_met(0.1, 0.0) is False
    assert target_met(95.0, 100.0, "increase") is False
    assert target_met(100.0, 100.0, "increase") is True
    with pytest.raises(ValueError):
        target_met(1.0, 0.0, "down")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# projections
# ---------------------------------------------------------------------------


def test_project_linear_hand_worked():
    # Synthetic fixture: 7.0 in 2024, slope -0.375: 7 - 0.375 * 6 = 4.75 in 2030
    tr = observed_change_per_year([2016, 2020, 2024], [10.0, 9.0, 7.0])
    p = project_linear(tr, 2024, 7.0, 2030)
    assert p.value == approx(4.75)
    assert not p.floored and not p.capped


def test_project_linear_floor_and_cap():
    # 3.0 - 2 * 6 = -9 -> floored at 0
    p = project_linear(-2.0, 2024, 3.0, 2030)
    assert p.value == 0.0 and p.floored and p.raw_value == approx(-9.0)
    # 90 + 5 * 6 = 120 -> capped at 100
    p = project_linear(5.0, 2024, 90.0, 2030, upper_bound=100.0)
    assert p.value == 100.0 and p.capped
    # without an upper bound no cap
    assert project_linear(5.0, 2024, 90.0, 2030).value == approx(120.0)


def test_project_linear_undefined_trend():
    tr = observed_change_per_year([2020], [5.0])
    p = project_linear(tr, 2020, 5.0, 2025)
    assert p.value is None and p.flag == "fewer_than_two_years"
    assert project_linear(None, 2020, 5.0, 2025).flag == "slope_undefined"


# ---------------------------------------------------------------------------
# progress ratio and status
# ---------------------------------------------------------------------------

Y3 = [2016, 2020, 2024]


def test_ratio_hand_worked_zero_target_linear():
    # Synthetic fixture: 10, 8, 6 (slope -0.5); target 0 by 2030 from 2016:
    # required = (0 - 10) / 14 = -0.714286 ; R = 0.5 / 0.714286 = 0.7
    pr = progress_ratio(Y3, [10.0, 8.0, 6.0], 0.0, 2030)
    assert pr.form == "linear"
    assert pr.value == approx(0.7)
    assert pr.required == approx(-10 / 14)
    assert (pr.baseline_year, pr.baseline_value) == (2016, 10.0)


@pytest.mark.parametrize(
    "values, expected",
    [
        # slope -0.75 -> R = 0.75 / 0.714286 = 1.05
        ([10.0, 7.0, 4.0], "on track"),
        # slope -0.5 -> R = 0.70
        ([10.0, 8.0, 6.0], "acceleration needed"),
        # slope -0.25 -> R = 0.35
        ([10.0, 9.0, 8.0], "limited progress"),
        # increasing series, slope +0.25 -> R = -0.35
        ([10.0, 11.0, 12.0], "deterioration"),
        # near-flat, slope +0.025 -> R = -0.035: inside UNSD's -0.1 band
        ([10.0, 10.1, 10.2], "limited progress"),
    ],
)
def test_classify_status_hand_worked_unsd(values, expected):
    assert classify_status(Y3, values, 0.0, 2030) == expected


def test_classify_status_open_sdg_thresholds_differ_near_zero_and_0_6():
    # R = -0.035 -> Open SDG/StatCan: R < 0 -> deterioration
    assert classify_status(Y3, [10.0, 10.1, 10.2], 0.0, 2030, thresholds=OPEN_SDG_STATCAN) == (
        "deterioration"
    )
    # Synthetic fixture: slope -0.4 -> R = 0.4 / 0.714286 = 0.56:
    # UNSD (>= 0.5) acceleration needed, Open SDG (< 0.6) limited progress
    vals = [10.0, 8.4, 6.8]
    assert classify_status(Y3, vals, 0.0, 2030) == "acceleration needed"
    assert classify_status(Y3, vals, 0.0, 2030, thresholds=OPEN_SDG_STATCAN) == "limited progress"


def test_classify_status_target_already_met():
    assert classify_status([2016, 2024], [2.0, 0.0], 0.0, 2030) == "target met"
    assert classify_status([2016, 2024], [90.0, 100.0], 100.0, 2030, direction="increase") == (
        "target met"
    )


def test_classify_status_single_point_and_same_year():
    assert classify_status([2020], [5.0], 0.0, 2030) == "insufficient data"
    assert classify_status([2020], [0.0], 0.0, 2030) == "insufficient data"
    assert classify_status([2020, 2020], [5.0, 4.0], 0.0, 2030) == "insufficient data"
    assert classify_status([], [], 0.0, 2030) == "insufficient data"


def test_classify_status_baseline_year_filter():
    # points before 2015 dropped -> only 2016 remains
    assert classify_status([2010, 2016], [20.0, 10.0], 0.0, 2030, baseline_year=2015) == (
        "insufficient data"
    )


def test_zero_target_never_uses_cagr_and_zero_values_fall_back_to_linear():
    assert progress_ratio(Y3, [10.0, 8.0, 6.0], 0.0, 2030).form == "linear"
    # positive target but a zero observation: auto -> linear
    assert progress_ratio([2016, 2020], [0.0, 1.0], 5.0, 2030, direction="increase").form == (
        "linear"
    )
    # forcing the CAGR form on a zero target is undefined, not patched with epsilon
    pr = progress_ratio(Y3, [10.0, 8.0, 6.0], 0.0, 2030, form="cagr")
    assert pr.value is None and pr.flag == "zero_value"
    with pytest.raises(ValueError):
        classify_status(Y3, [10.0, 8.0, 6.0], 0.0, 2030, form="cagr")


def test_cagr_form_hand_worked():
    # Synthetic fixture: 20 (2015) -> 16 (2020), target 10 by 2030
    # observed g = 0.8^(1/5) - 1 = -0.0436475 ; required = 0.5^(1/15) - 1 = -0.0451584
    # R = 0.966542 -> on track
    pr = progress_ratio([2015, 2020], [20.0, 16.0], 10.0, 2030)
    assert pr.form == "cagr"
    assert pr.observed == approx(-0.0436475, abs=1e-6)
    assert pr.required == approx(-0.0451584, abs=1e-6)
    assert pr.value == approx(0.966542, abs=1e-5)
    assert classify_status([2015, 2020], [20.0, 16.0], 10.0, 2030) == "on track"
    # linear form on the same data: -0.8 / ((10 - 20)/15) = 0.8 / 0.666667 = 1.2
    assert progress_ratio([2015, 2020], [20.0, 16.0], 10.0, 2030, form="linear").value == approx(
        1.2
    )


def test_baseline_already_met_target():
    # Synthetic fixture: 0 in 2016 (met), 1.0 in 2024 (not met): moving away
    assert classify_status([2016, 2024], [0.0, 1.0], 0.0, 2030) == "deterioration"
    pr = progress_ratio([2016, 2024], [0.0, 1.0], 0.0, 2030)
    assert pr.value is None and pr.flag == "baseline_met_target"


def test_deadline_passed_cannot_be_on_track():
    # Synthetic fixture: 10 (2016) -> 0.2 (2020), target 0 by 2020:
    # R = (9.8/4) / (10/4) = 0.98 >= 0.95 but the deadline passed unmet
    assert progress_ratio([2016, 2020], [10.0, 0.2], 0.0, 2020).value == approx(0.98)
    assert classify_status([2016, 2020], [10.0, 0.2], 0.0, 2020) == "acceleration needed"


def test_target_year_not_after_baseline_raises():
    with pytest.raises(ValueError):
        classify_status([2016, 2020], [10.0, 8.0], 0.0, 2016)


def test_increase_direction():
    # Synthetic fixture: 50, 60 (2015, 2020), target 100 by 2030 (linear form forced)
    # observed 2/yr, required 50/15 = 3.3333 -> R = 0.6 -> acceleration needed
    assert classify_status([2015, 2020], [50.0, 60.0], 100.0, 2030, direction="increase",
                           form="linear") == "acceleration needed"
    assert classify_status([2015, 2020], [50.0, 40.0], 100.0, 2030, direction="increase") == (
        "deterioration"
    )


def test_thresholds_presets_and_validation():
    assert (UNSD_PROGRESS_CHART_2022.on_track, UNSD_PROGRESS_CHART_2022.acceleration_needed,
            UNSD_PROGRESS_CHART_2022.limited_progress) == (0.95, 0.5, -0.1)
    assert (OPEN_SDG_STATCAN.on_track, OPEN_SDG_STATCAN.acceleration_needed,
            OPEN_SDG_STATCAN.limited_progress) == (0.95, 0.6, 0.0)
    with pytest.raises(ValueError):
        Thresholds(0.5, 0.9, 0.0)


# ---------------------------------------------------------------------------
# passed target (child labour 2025)
# ---------------------------------------------------------------------------


def test_passed_target_projected_miss():
    # Synthetic fixture: 10, 8, 6 (slope -0.5). Projection to 2025: 6 - 0.5 = 5.5
    # -> missed by 5.5. Required to 2030: (0 - 6) / 6 = -1.0 ; multiple 1.0/0.5 = 2
    s = status_against_passed_target(Y3, [10.0, 8.0, 6.0], 0.0, 2025)
    assert isinstance(s, PassedTargetStatus)
    assert s.met is False and s.outcome == "missed" and s.basis == "projected"
    assert s.assessed_year == 2025 and s.assessed_value == approx(5.5)
    assert s.gap == approx(5.5)
    assert s.required_to_new_target.value == approx(-1.0)
    assert s.pace_multiple_to_new_target.value == approx(2.0)


def test_passed_target_observed_miss():
    # Synthetic fixture: 10 (2016), 3 (2026): latest after 2025 -> judged on data
    # gap 3 ; required to 2030: -3 / 4 = -0.75 ; observed -7/10 = -0.7 ;
    # multiple 0.75 / 0.7 = 1.071429
    s = status_against_passed_target([2016, 2026], [10.0, 3.0])
    assert s.met is False and s.basis == "observed" and s.assessed_year == 2026
    assert s.gap == approx(3.0)
    assert s.required_to_new_target.value == approx(-0.75)
    assert s.pace_multiple_to_new_target.value == approx(1.071429, abs=1e-6)


def test_passed_target_met_on_data_and_on_projection():
    s = status_against_passed_target([2016, 2024], [4.0, 0.0])
    assert s.met is True and s.basis == "observed" and s.gap == 0.0
    assert s.pace_multiple_to_new_target.flag == "target_met"
    # Synthetic fixture: 4 (2020), 0.5 (2024): slope -0.875; 2025: 0.5 - 0.875
    # = -0.375 -> floored at 0 -> met on projection
    s = status_against_passed_target([2020, 2024], [4.0, 0.5])
    assert s.met is True and s.basis == "projected" and s.assessed_value == 0.0


def test_passed_target_single_point():
    s = status_against_passed_target([2022], [5.0])
    assert s.met is None and s.outcome is None and s.flag == "fewer_than_two_years"
    # the required pace to 2030 is still defined from the single observation
    assert s.required_to_new_target.value == approx(-5.0 / 8)
    assert s.pace_multiple_to_new_target.flag == "observed_undefined"


def test_passed_target_new_year_passed_too():
    s = status_against_passed_target([2016, 2031], [10.0, 3.0])
    assert s.required_to_new_target.flag == "target_year_passed"
    assert s.pace_multiple_to_new_target.flag == "target_year_passed"


# ---------------------------------------------------------------------------
# property tests (hypothesis)
# ---------------------------------------------------------------------------

pos_values = st.floats(0.01, 100.0, allow_nan=False, allow_infinity=False)


@st.composite
def series(draw, min_years=2):
    ys = draw(st.lists(st.integers(1990, 2035), min_size=min_years, max_size=8, unique=True))
    ys = sorted(ys)
    vs = draw(st.lists(st.floats(0.0, 100.0, allow_nan=False), min_size=len(ys),
                       max_size=len(ys)))
    return ys, vs


@given(series(), st.floats(0.01, 100.0))
def test_prop_scaling_values_scales_slope(s, k):
    ys, vs = s
    base = observed_change_per_year(ys, vs).slope_pp_per_year
    scaled = observed_change_per_year(ys, [k * v for v in vs]).slope_pp_per_year
    assert base is not None and scaled is not None
    assert scaled == approx(k * base, rel=1e-9, abs=1e-9)


@st.composite
def improving_series(draw):
    """Strictly decreasing positive series (an improving 'decrease' indicator)."""
    ys = sorted(draw(st.lists(st.integers(2000, 2029), min_size=2, max_size=7, unique=True)))
    start = draw(st.floats(5.0, 60.0))
    drops = draw(st.lists(st.floats(0.01, 1.0), min_size=len(ys) - 1, max_size=len(ys) - 1))
    vs = [start]
    for d in drops:
        vs.append(vs[-1] * (1 - 0.5 * d))  # stays > 0, strictly decreasing
    return ys, vs


IMPROVING = {"on track", "acceleration needed"}


@settings(max_examples=300)
@given(improving_series(), st.sampled_from([UNSD_PROGRESS_CHART_2022, OPEN_SDG_STATCAN]))
def test_prop_reversed_trend_is_deterioration(s, thr):
    ys, vs = s
    status = classify_status(ys, vs, 0.0, 2030, thresholds=thr)
    assume(status in IMPROVING)
    # reverse the trend: mirror every change around the baseline value
    mirrored = [2 * vs[0] - v for v in vs]
    assert classify_status(ys, mirrored, 0.0, 2030, thresholds=thr) == "deterioration"


@settings(max_examples=300)
@given(st.integers(2000, 2020), st.integers(1, 4), st.integers(2, 6),
       st.lists(st.floats(0.01, 1.0), min_size=5, max_size=5), st.floats(5.0, 60.0))
def test_prop_time_reversed_even_series_is_deterioration(y0, step, n, drops, start):
    # evenly spaced years: reversing the order of the values flips the slope
    ys = [y0 + i * step for i in range(n)]
    assume(ys[-1] < 2030)
    vs = [start]
    for d in drops[: n - 1]:
        vs.append(vs[-1] * (1 - 0.5 * d))
    assume(classify_status(ys, vs, 0.0, 2030) in IMPROVING)
    assert classify_status(ys, vs[::-1], 0.0, 2030) == "deterioration"


@given(st.integers(1990, 2030), st.integers(1, 30), pos_values, pos_values)
def test_prop_aarr_endpoint_equals_regression_for_two_points(y0, dy, v0, v1):
    a = aarr_endpoint(y0, v0, y0 + dy, v1).value
    b = aarr_regression([y0, y0 + dy], [v0, v1]).value
    assert a is not None and b is not None
    assert a == approx(b, rel=1e-9, abs=1e-12)


@given(
    st.floats(-50.0, 50.0),
    st.integers(1990, 2030),
    st.floats(0.0, 100.0),
    st.integers(1990, 2060),
    st.one_of(st.none(), st.just(100.0)),
)
def test_prop_projection_never_negative(slope, y, v, to_year, ub):
    p = project_linear(slope, y, v, to_year, upper_bound=ub)
    assert isinstance(p, Projection)
    assert p.value is not None and p.value >= 0.0 and math.isfinite(p.value)
    if ub is not None:
        assert p.value <= ub


@given(series(min_years=1), st.floats(0.0, 50.0), st.integers(2036, 2045))
def test_prop_status_always_one_of_the_labels(s, target, ty):
    ys, vs = s
    assert classify_status(ys, vs, target, ty) in STATUSES


@given(st.floats(0.5, 100.0), st.floats(-10.0, -0.01))
def test_prop_years_to_target_consistent_with_projection(v, slope):
    yrs = years_to_target(v, 0.0, slope).value
    assert yrs is not None and yrs > 0
    assert project_linear(slope, 2024, v, 2024 + yrs).value == approx(0.0, abs=1e-9)


@given(series())
def test_prop_no_nan_anywhere(s):
    ys, vs = s
    tr = observed_change_per_year(ys, vs)
    assert isinstance(tr, Trend)
    for r in (aarr_regression(ys, vs), progress_ratio(ys, vs, 0.0, 2040)):
        assert r.value is None or math.isfinite(r.value)
        assert (r.value is None) == (r.flag is not None)
