"""Progress methods for the SDG 8.7 Monitor.

Small, pure functions: plain numbers and sequences in, a float, a bool, a
string or a small frozen dataclass out.  No pandas, no I/O, no global state.

Conventions
-----------
* ``years`` and ``values`` are parallel sequences of finite numbers.  NaN or
  infinite inputs raise ``ValueError`` (the caller must drop missing values
  explicitly; nothing is dropped silently here).
* Several observations in the same year are first averaged (arithmetic mean)
  so that every year carries equal weight in every fit.  ``n_points`` reports
  the raw observations and ``n_years`` the distinct years.
* A result that cannot be computed is ``None`` together with a short reason
  ``flag``.  No function returns NaN or infinity.
* ``direction`` is the desired direction of the indicator: ``'decrease'``
  (child labour, forced labour, modern slavery: all SDG 8.7 indicators) or
  ``'increase'``.
* Changes are in indicator units per year.  For prevalences in per cent
  that is percentage points per year (pp/year), hence the field names.

The status classification follows the ratio-of-actual-to-required-progress
approach of the UN Statistics Division SDG Progress Chart and of the
Open SDG / Statistics Canada progress measure; see :func:`classify_status`
and ``docs/methodology.md`` for the thresholds and their sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Sequence

__all__ = [
    "Trend",
    "Rate",
    "Projection",
    "Thresholds",
    "ProgressRatio",
    "PassedTargetStatus",
    "UNSD_PROGRESS_CHART_2022",
    "OPEN_SDG_STATCAN",
    "STATUSES",
    "observed_change_per_year",
    "aarr_regression",
    "aarr_endpoint",
    "required_change_per_year",
    "pace_multiple",
    "project_linear",
    "years_to_target",
    "target_met",
    "progress_ratio",
    "classify_status",
    "status_against_passed_target",
]

Direction = Literal["decrease", "increase"]

# Reason flags (kept as plain strings so they serialise as-is).
FEWER_THAN_TWO_YEARS = "fewer_than_two_years"
ZERO_VALUE = "zero_value"
TARGET_YEAR_PASSED = "target_year_passed"
NO_PROGRESS = "no_progress"
TARGET_MET = "target_met"
REQUIRED_UNDEFINED = "required_undefined"
OBSERVED_UNDEFINED = "observed_undefined"
SLOPE_UNDEFINED = "slope_undefined"
OVERFLOW = "overflow"
BASELINE_MET_TARGET = "baseline_met_target"
TARGET_YEAR_NOT_AFTER_BASELINE = "target_year_not_after_baseline"

STATUSES = (
    "target met",
    "on track",
    "acceleration needed",
    "limited progress",
    "deterioration",
    "insufficient data",
)


# --------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """Observed linear trend of one comparable series.

    ``slope_pp_per_year`` is None (with ``flag``) when the series has fewer
    than two distinct years.  ``first_value``/``last_value`` are the per-year
    means at ``first_year``/``last_year``.
    """

    slope_pp_per_year: float | None
    method: Literal["ols", "endpoint"] | None
    n_points: int
    n_years: int
    first_year: float | None
    last_year: float | None
    first_value: float | None
    last_value: float | None
    flag: str | None = None


@dataclass(frozen=True)
class Rate:
    """A number (a rate per year, a ratio or a number of years) or None.

    ``value`` is None exactly when the quantity is undefined; ``flag`` then
    says why.  A defined value may still carry an informative flag (for
    example ``years_to_target`` returns 0.0 with ``'target_met'``).
    """

    value: float | None
    flag: str | None = None


@dataclass(frozen=True)
class Projection:
    """A projected value on the observed linear trend.

    ``floored``/``capped`` record whether the raw linear extrapolation was cut
    at 0 or at ``upper_bound``; ``raw_value`` keeps the uncut number.
    """

    value: float | None
    raw_value: float | None
    to_year: float
    floored: bool = False
    capped: bool = False
    flag: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs on the progress ratio R (actual / required progress).

    status = 'on track'            if R >= on_track
             'acceleration needed' if acceleration_needed <= R < on_track
             'limited progress'    if limited_progress <= R < acceleration_needed
             'deterioration'       if R < limited_progress
    """

    on_track: float
    acceleration_needed: float
    limited_progress: float
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("on_track", "acceleration_needed", "limited_progress"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"threshold {name} must be finite")
        if not (self.on_track > self.acceleration_needed > self.limited_progress):
            raise ValueError(
                "thresholds must satisfy on_track > acceleration_needed > limited_progress"
            )


#: UN Statistics Division, "Sustainable Development Goals Progress Chart 2022:
#: Technical Note", trend assessment for indicators with an explicit numerical
#: target, https://unstats.un.org/sdgs/report/2022/Progress_Chart_Technical_Note_2022.pdf
#: CR >= 0.95 substantial progress/on track; 0.5 <= CR < 0.95 fair progress but
#: acceleration needed; -0.1 <= CR < 0.5 limited or no progress; CR < -0.1
#: deterioration.  (Cut-offs as implemented in UNDP-Data/SDG-Accelerator,
#: src/utils/getStatus.tsx, which applies this technical note.)
UNSD_PROGRESS_CHART_2022 = Thresholds(
    on_track=0.95,
    acceleration_needed=0.5,
    limited_progress=-0.1,
    source=(
        "UNSD SDG Progress Chart 2022 Technical Note, "
        "https://unstats.un.org/sdgs/report/2022/Progress_Chart_Technical_Note_2022.pdf"
    ),
)

#: Open SDG / Statistics Canada progress measure, indicators with a
#: quantitative target: R >= 0.95 on track (substantial_progress);
#: 0.60 <= R < 0.95 progress made but acceleration needed (moderate_progress);
#: 0 <= R < 0.60 limited progress; R < 0 deterioration.
#: https://open-sdg.readthedocs.io/en/latest/progress-methodology/ and
#: open-sdg/sdg-build sdg/ProgressMeasure.py (default {'high': 0.95, 'med': 0.6, 'low': 0}).
OPEN_SDG_STATCAN = Thresholds(
    on_track=0.95,
    acceleration_needed=0.6,
    limited_progress=0.0,
    source=(
        "Open SDG progress measurement methodology (Statistics Canada), "
        "https://open-sdg.readthedocs.io/en/latest/progress-methodology/"
    ),
)


@dataclass(frozen=True)
class ProgressRatio:
    """Ratio R of actual to required progress since the baseline.

    ``form`` is 'linear' (absolute change per year) or 'cagr' (compound
    growth rate per year).  ``observed`` and ``required`` are in the units of
    the form (indicator units per year, or a fraction per year).
    """

    value: float | None
    form: Literal["linear", "cagr"] | None
    observed: float | None
    required: float | None
    baseline_year: float | None
    baseline_value: float | None
    flag: str | None = None


@dataclass(frozen=True)
class PassedTargetStatus:
    """Outcome against a target whose year has passed (or is about to).

    ``gap`` is direction-adjusted: for a 'decrease' target it is
    ``assessed_value - target_value``; for 'increase' it is
    ``target_value - assessed_value``.  A positive gap is the amount by which
    the target is (or is projected to be) missed; zero or negative means met.
    """

    met: bool | None
    basis: Literal["observed", "projected"] | None
    assessed_year: float | None
    assessed_value: float | None
    target_value: float
    target_year: float
    gap: float | None
    new_target_year: float
    required_to_new_target: Rate
    pace_multiple_to_new_target: Rate
    trend: Trend
    flag: str | None = None

    @property
    def outcome(self) -> str | None:
        """'met', 'missed' or None when undetermined."""
        if self.met is None:
            return None
        return "met" if self.met else "missed"


# --------------------------------------------------------------------------
# Internal helpers
# --------------------------------------------------------------------------


def _check_direction(direction: str) -> None:
    if direction not in ("decrease", "increase"):
        raise ValueError(f"direction must be 'decrease' or 'increase', got {direction!r}")


def _finite(x: float, name: str) -> float:
    try:
        xf = float(x)
    except (TypeError, ValueError) as exc:  # pragma: no cover - defensive
        raise ValueError(f"{name} must be a number, got {x!r}") from exc
    if not math.isfinite(xf):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return xf


def _per_year_means(
    years: Sequence[float], values: Sequence[float]
) -> tuple[list[float], list[float], int]:
    """Validate, sort and average observations per year.

    Returns (distinct_years_ascending, mean_value_per_year, n_raw_points).
    """
    ys = list(years)
    vs = list(values)
    if len(ys) != len(vs):
        raise ValueError(f"years and values differ in length ({len(ys)} != {len(vs)})")
    sums: dict[float, float] = {}
    counts: dict[float, int] = {}
    for i, (t, v) in enumerate(zip(ys, vs)):
        tf = _finite(t, f"years[{i}]")
        vf = _finite(v, f"values[{i}]")
        sums[tf] = sums.get(tf, 0.0) + vf
        counts[tf] = counts.get(tf, 0) + 1
    distinct = sorted(sums)
    means = [sums[t] / counts[t] for t in distinct]
    return distinct, means, len(ys)


def _ols_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope b = sum((x-xbar)(y-ybar)) / sum((x-xbar)^2)."""
    n = len(xs)
    xbar = math.fsum(xs) / n
    ybar = math.fsum(ys) / n
    sxx = math.fsum((x - xbar) ** 2 for x in xs)
    sxy = math.fsum((x - xbar) * (y - ybar) for x, y in zip(xs, ys))
    return sxy / sxx


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


# --------------------------------------------------------------------------
# Observed change
# --------------------------------------------------------------------------


def observed_change_per_year(years: Sequence[float], values: Sequence[float]) -> Trend:
    """Observed change per year (pp/year for percentages) of one comparable series.

    Observations in the same year are first replaced by their mean, so each
    year has equal weight.  With k distinct years t_i and per-year means v_i:

    * k >= 3: ordinary least-squares slope
      ``b = sum((t_i - t_bar) * (v_i - v_bar)) / sum((t_i - t_bar)^2)``
      (``method='ols'``);
    * k == 2: endpoint difference
      ``b = (v_last - v_first) / (t_last - t_first)`` (``method='endpoint'``;
      identical to the OLS slope through two points);
    * k < 2: undefined, ``slope_pp_per_year=None``,
      ``flag='fewer_than_two_years'``.
    """
    ts, vs, n_points = _per_year_means(years, values)
    k = len(ts)
    if k == 0:
        return Trend(None, None, n_points, 0, None, None, None, None, FEWER_THAN_TWO_YEARS)
    if k == 1:
        return Trend(None, None, n_points, 1, ts[0], ts[0], vs[0], vs[0], FEWER_THAN_TWO_YEARS)
    if k == 2:
        slope = (vs[1] - vs[0]) / (ts[1] - ts[0])
        method: Literal["ols", "endpoint"] = "endpoint"
    else:
        slope = _ols_slope(ts, vs)
        method = "ols"
    if not math.isfinite(slope):
        return Trend(None, None, n_points, k, ts[0], ts[-1], vs[0], vs[-1], OVERFLOW)
    return Trend(slope, method, n_points, k, ts[0], ts[-1], vs[0], vs[-1], None)


# --------------------------------------------------------------------------
# AARR
# --------------------------------------------------------------------------


def aarr_regression(years: Sequence[float], values: Sequence[float]) -> Rate:
    """Average annual rate of reduction, regression form (UNICEF definition).

    ``AARR = 1 - exp(b)`` where ``b`` is the OLS slope of ``ln(v)`` on year,
    fitted to the per-year means (same-year observations are averaged first).
    AARR is a fraction per year: 0.05 means a 5 % relative reduction a year;
    a negative AARR is an increase.  With exactly two distinct years this
    equals :func:`aarr_endpoint`.

    Undefined (value None) with flag ``'zero_value'`` when any value <= 0
    (the logarithm is undefined), else ``'fewer_than_two_years'`` when there
    are fewer than two distinct years.
    """
    ts, vs, _ = _per_year_means(years, values)
    if any(_finite(v, "values") <= 0 for v in values):
        return Rate(None, ZERO_VALUE)
    if len(ts) < 2:
        return Rate(None, FEWER_THAN_TWO_YEARS)
    b = _ols_slope(ts, [math.log(v) for v in vs])
    try:
        out = 1.0 - math.exp(b)
    except OverflowError:
        return Rate(None, OVERFLOW)
    if not math.isfinite(out):
        return Rate(None, OVERFLOW)
    return Rate(out, None)


def aarr_endpoint(
    first_year: float, first_value: float, last_year: float, last_value: float
) -> Rate:
    """Average annual rate of reduction between two observations.

    ``AARR = 1 - (v_last / v_first) ** (1 / (t_last - t_first))``

    Flag ``'zero_value'`` when either value <= 0; ``'fewer_than_two_years'``
    when ``t_last == t_first``.
    """
    t0 = _finite(first_year, "first_year")
    v0 = _finite(first_value, "first_value")
    t1 = _finite(last_year, "last_year")
    v1 = _finite(last_value, "last_value")
    if v0 <= 0 or v1 <= 0:
        return Rate(None, ZERO_VALUE)
    if t1 == t0:
        return Rate(None, FEWER_THAN_TWO_YEARS)
    try:
        out = 1.0 - math.exp((math.log(v1) - math.log(v0)) / (t1 - t0))
    except (OverflowError, ZeroDivisionError):
        return Rate(None, OVERFLOW)
    if not math.isfinite(out):
        return Rate(None, OVERFLOW)
    return Rate(out, None)


# --------------------------------------------------------------------------
# Required pace and pace multiple
# --------------------------------------------------------------------------


def required_change_per_year(
    latest_year: float, latest_value: float, target_value: float, target_year: float
) -> Rate:
    """Change per year needed from the latest observation to hit the target.

    ``required = (target_value - latest_value) / (target_year - latest_year)``

    Undefined with flag ``'target_year_passed'`` when
    ``target_year <= latest_year``.  A required change of 0 means the latest
    value already equals the target.
    """
    t = _finite(latest_year, "latest_year")
    v = _finite(latest_value, "latest_value")
    target = _finite(target_value, "target_value")
    ty = _finite(target_year, "target_year")
    if ty <= t:
        return Rate(None, TARGET_YEAR_PASSED)
    return Rate((target - v) / (ty - t), None)


def pace_multiple(
    required: float | None,
    observed: float | None,
    *,
    direction: Direction | None = None,
) -> Rate:
    """How many times the observed pace is needed: ``required / observed``.

    Defined only when both paces are defined, non-zero and of the same sign
    (the observed trend moves toward the target).  A multiple of 1 means the
    current pace is exactly sufficient, 2 means twice as fast is needed,
    0.5 means the current pace is twice what is needed.

    Flags (value None):

    * ``'required_undefined'`` - ``required`` is None (e.g. target year passed);
    * ``'target_met'`` - ``required == 0``, or, when ``direction`` is given,
      ``required`` points against the desired direction (the latest value is
      already on the right side of the target);
    * ``'observed_undefined'`` - ``observed`` is None (fewer than two years);
    * ``'no_progress'`` - ``observed`` is 0 or moves away from the target.
    """
    if direction is not None:
        _check_direction(direction)
    if required is None:
        return Rate(None, REQUIRED_UNDEFINED)
    req = _finite(required, "required")
    if req == 0:
        return Rate(None, TARGET_MET)
    if direction is not None:
        wanted = -1 if direction == "decrease" else 1
        if _sign(req) != wanted:
            return Rate(None, TARGET_MET)
    if observed is None:
        return Rate(None, OBSERVED_UNDEFINED)
    obs = _finite(observed, "observed")
    if obs == 0 or _sign(obs) != _sign(req):
        return Rate(None, NO_PROGRESS)
    out = req / obs
    if not math.isfinite(out):
        return Rate(None, OVERFLOW)
    return Rate(out, None)


# --------------------------------------------------------------------------
# Projections
# --------------------------------------------------------------------------


def project_linear(
    trend: Trend | float | None,
    latest_year: float,
    latest_value: float,
    to_year: float,
    upper_bound: float | None = None,
) -> Projection:
    """Project on the observed linear trend from the latest observation.

    ``raw = latest_value + slope * (to_year - latest_year)``
    ``value = min(max(raw, 0), upper_bound)`` (the cap only when
    ``upper_bound`` is given, e.g. 100 for percentages).

    The projection is anchored at the latest observed value (not at the
    fitted line) and uses the slope of :func:`observed_change_per_year`.
    ``trend`` may be a :class:`Trend` or a bare slope; when the slope is
    undefined the projection is None with the trend's flag (or
    ``'slope_undefined'``).
    """
    t = _finite(latest_year, "latest_year")
    v = _finite(latest_value, "latest_value")
    ty = _finite(to_year, "to_year")
    if upper_bound is not None:
        ub = _finite(upper_bound, "upper_bound")
        if ub < 0:
            raise ValueError("upper_bound must be >= 0")
    else:
        ub = None
    if isinstance(trend, Trend):
        slope = trend.slope_pp_per_year
        missing_flag = trend.flag or SLOPE_UNDEFINED
    else:
        slope = trend
        missing_flag = SLOPE_UNDEFINED
    if slope is None:
        return Projection(None, None, ty, flag=missing_flag)
    s = _finite(slope, "slope")
    raw = v + s * (ty - t)
    if not math.isfinite(raw):
        return Projection(None, None, ty, flag=OVERFLOW)
    value = raw
    floored = capped = False
    if value < 0:
        value, floored = 0.0, True
    if ub is not None and value > ub:
        value, capped = ub, True
    return Projection(value, raw, ty, floored, capped, None)


def years_to_target(
    latest_value: float,
    target_value: float,
    slope: float | None,
    *,
    direction: Direction | None = None,
) -> Rate:
    """Years until the target is reached at the observed linear pace.

    ``years = (target_value - latest_value) / slope``, defined when the slope
    moves toward the target.

    * already at the target (or, with ``direction``, beyond it): 0.0 with
      flag ``'target_met'``;
    * ``slope`` None: None, ``'slope_undefined'``;
    * slope 0 or moving away from the target: None, ``'no_progress'``.
    """
    v = _finite(latest_value, "latest_value")
    target = _finite(target_value, "target_value")
    if direction is not None:
        _check_direction(direction)
        if target_met(v, target, direction):
            return Rate(0.0, TARGET_MET)
    gap = target - v
    if gap == 0:
        return Rate(0.0, TARGET_MET)
    if slope is None:
        return Rate(None, SLOPE_UNDEFINED)
    s = _finite(slope, "slope")
    if s == 0 or _sign(s) != _sign(gap):
        return Rate(None, NO_PROGRESS)
    out = gap / s
    if not math.isfinite(out):
        return Rate(None, OVERFLOW)
    return Rate(out, None)


def target_met(latest_value: float, target_value: float, direction: Direction = "decrease") -> bool:
    """Whether the latest value meets the target.

    'decrease': ``latest_value <= target_value``;
    'increase': ``latest_value >= target_value``.  Exact comparison (values
    are compared as published; no tolerance).
    """
    _check_direction(direction)
    v = _finite(latest_value, "latest_value")
    target = _finite(target_value, "target_value")
    return v <= target if direction == "decrease" else v >= target


# --------------------------------------------------------------------------
# Status classification
# --------------------------------------------------------------------------


def _restrict(ts: list[float], vs: list[float], baseline_year: float | None):
    if baseline_year is None:
        return ts, vs
    b = _finite(baseline_year, "baseline_year")
    keep = [i for i, t in enumerate(ts) if t >= b]
    return [ts[i] for i in keep], [vs[i] for i in keep]


def progress_ratio(
    years: Sequence[float],
    values: Sequence[float],
    target_value: float,
    target_year: float,
    *,
    direction: Direction = "decrease",
    baseline_year: float | None = None,
    form: Literal["auto", "linear", "cagr"] = "auto",
) -> ProgressRatio:
    """Ratio R of actual to required progress since the baseline.

    Baseline ``(t_b, v_b)``: the first year of the series (after dropping
    years before ``baseline_year`` when given), with same-year observations
    averaged.  Following the UNSD Progress Chart ("ratio of actual to
    expected progress") and the Open SDG / Statistics Canada measure:

    linear form (absolute change; always used when the target is 0)::

        observed = slope of observed_change_per_year  (OLS if >= 3 years,
                                                      endpoint if 2)
        required = (target_value - v_b) / (target_year - t_b)
        R = observed / required

    cagr form (compound growth; needs a target > 0 and all values > 0)::

        observed = exp(b) - 1, b = OLS slope of ln(v) on year (= -AARR)
        required = (target_value / v_b) ** (1 / (target_year - t_b)) - 1
        R = observed / required

    ``form='auto'`` uses 'cagr' when target_value > 0 and every value > 0,
    and 'linear' otherwise - in particular for a zero target, where the
    log/CAGR form is undefined.  A zero target is never replaced by a small
    number.

    Flags (value None): ``'fewer_than_two_years'``;
    ``'target_year_not_after_baseline'``; ``'baseline_met_target'`` when the
    baseline already meets the target so no progress was required;
    ``'zero_value'`` when form='cagr' is forced on a zero target or zero
    values.  R > 0 means movement toward the target, R = 1 exactly the
    required pace, R < 0 movement away from it.
    """
    _check_direction(direction)
    if form not in ("auto", "linear", "cagr"):
        raise ValueError(f"form must be 'auto', 'linear' or 'cagr', got {form!r}")
    target = _finite(target_value, "target_value")
    ty = _finite(target_year, "target_year")
    ts, vs, _ = _per_year_means(years, values)
    ts, vs = _restrict(ts, vs, baseline_year)

    use: Literal["linear", "cagr"]
    if form == "auto":
        use = "cagr" if (target > 0 and all(v > 0 for v in vs)) else "linear"
    else:
        use = form

    if len(ts) < 2:
        b_year = ts[0] if ts else None
        b_val = vs[0] if vs else None
        return ProgressRatio(None, use, None, None, b_year, b_val, FEWER_THAN_TWO_YEARS)

    t_b, v_b = ts[0], vs[0]
    if ty <= t_b:
        return ProgressRatio(None, use, None, None, t_b, v_b, TARGET_YEAR_NOT_AFTER_BASELINE)

    wanted = -1 if direction == "decrease" else 1

    if use == "linear":
        observed = observed_change_per_year(ts, vs).slope_pp_per_year
        required = (target - v_b) / (ty - t_b)
    else:
        if target <= 0 or any(v <= 0 for v in vs):
            return ProgressRatio(None, "cagr", None, None, t_b, v_b, ZERO_VALUE)
        b = _ols_slope(ts, [math.log(v) for v in vs])
        try:
            observed = math.exp(b) - 1.0
            required = math.exp((math.log(target) - math.log(v_b)) / (ty - t_b)) - 1.0
        except OverflowError:
            return ProgressRatio(None, "cagr", None, None, t_b, v_b, OVERFLOW)

    if observed is None or not math.isfinite(observed) or not math.isfinite(required):
        return ProgressRatio(None, use, observed, required, t_b, v_b, OVERFLOW)
    if required == 0 or _sign(required) != wanted:
        return ProgressRatio(None, use, observed, required, t_b, v_b, BASELINE_MET_TARGET)
    ratio = observed / required
    if not math.isfinite(ratio):
        return ProgressRatio(None, use, observed, required, t_b, v_b, OVERFLOW)
    return ProgressRatio(ratio, use, observed, required, t_b, v_b, None)


def classify_status(
    years: Sequence[float],
    values: Sequence[float],
    target_value: float,
    target_year: float,
    *,
    direction: Direction = "decrease",
    baseline_year: float | None = None,
    form: Literal["auto", "linear", "cagr"] = "auto",
    thresholds: Thresholds = UNSD_PROGRESS_CHART_2022,
) -> str:
    """Progress status of one comparable series against an explicit target.

    Returns one of ``'target met'``, ``'on track'``, ``'acceleration needed'``,
    ``'limited progress'``, ``'deterioration'``, ``'insufficient data'``.

    Steps:

    1. fewer than two distinct years (after ``baseline_year``) ->
       'insufficient data' (a single comparable point has no trend);
    2. latest value meets the target (:func:`target_met`) -> 'target met';
    3. R = :func:`progress_ratio` (linear form for a zero target);
       R >= on_track -> 'on track'; R >= acceleration_needed ->
       'acceleration needed'; R >= limited_progress -> 'limited progress';
       else 'deterioration' (an R too large for a float is classified by its
       sign alone);
    4. baseline already met the target but the latest value does not
       (R undefined): 'deterioration' if the observed trend moves away from
       the target, else 'limited progress';
    5. the target year has been reached without meeting the target: 'on track'
       is impossible by definition and is reported as 'acceleration needed'
       (use :func:`status_against_passed_target` for met/missed).

    Default thresholds: UN Statistics Division, SDG Progress Chart 2022
    Technical Note (CR >= 0.95 substantial progress/on track; 0.5-0.95 fair
    progress but acceleration needed; -0.1-0.5 limited or no progress;
    < -0.1 deterioration),
    https://unstats.un.org/sdgs/report/2022/Progress_Chart_Technical_Note_2022.pdf .
    Alternative preset :data:`OPEN_SDG_STATCAN` (0.95 / 0.60 / 0),
    https://open-sdg.readthedocs.io/en/latest/progress-methodology/ .

    Raises ``ValueError`` for invalid input (non-finite numbers, unknown
    direction or form, a target year not after the baseline year, or
    form='cagr' forced on zero values or a zero target).
    """
    _check_direction(direction)
    ts, vs, _ = _per_year_means(years, values)
    ts, vs = _restrict(ts, vs, baseline_year)
    if len(ts) < 2:
        return "insufficient data"
    target = _finite(target_value, "target_value")
    ty = _finite(target_year, "target_year")
    latest_year, latest_value = ts[-1], vs[-1]
    if target_met(latest_value, target, direction):
        return "target met"

    pr = progress_ratio(
        ts, vs, target, ty, direction=direction, baseline_year=None, form=form
    )
    if pr.flag == TARGET_YEAR_NOT_AFTER_BASELINE:
        raise ValueError(
            f"target_year {ty} must be after the baseline year {pr.baseline_year}"
        )
    if pr.flag == ZERO_VALUE:
        raise ValueError("form='cagr' is undefined for a zero target or zero values; use 'linear'")
    wanted = -1 if direction == "decrease" else 1
    if pr.flag == OVERFLOW:
        # |R| exceeds the float range (a baseline gap of ~1e-308): R is
        # beyond every threshold, so only its sign matters.
        if pr.observed is None or pr.required is None or not (
            math.isfinite(pr.observed) and math.isfinite(pr.required)
        ):
            raise ValueError("progress ratio overflowed; check the input series")
        same = _sign(pr.observed) == _sign(pr.required)
        status = "on track" if same else "deterioration"
    elif pr.flag == BASELINE_MET_TARGET:
        obs = pr.observed or 0.0
        status = "deterioration" if _sign(obs) == -wanted else "limited progress"
    else:
        r = pr.value
        assert r is not None
        if r >= thresholds.on_track:
            status = "on track"
        elif r >= thresholds.acceleration_needed:
            status = "acceleration needed"
        elif r >= thresholds.limited_progress:
            status = "limited progress"
        else:
            status = "deterioration"

    if status == "on track" and latest_year >= ty:
        status = "acceleration needed"
    return status


# --------------------------------------------------------------------------
# Passed target (child labour, 2025)
# --------------------------------------------------------------------------


def status_against_passed_target(
    years: Sequence[float],
    values: Sequence[float],
    target_value: float = 0.0,
    target_year: float = 2025,
    *,
    new_target_year: float = 2030,
    direction: Direction = "decrease",
    upper_bound: float | None = None,
) -> PassedTargetStatus:
    """Was a dated target met or missed, by how much, and what pace is needed now.

    Built for SDG 8.7's "by 2025 end child labour in all its forms".

    * If the latest value already meets the target: met, ``basis='observed'``.
    * Else if ``latest_year >= target_year``: missed on the latest data,
      ``basis='observed'``, assessed at the latest year.
    * Else: judged on :func:`project_linear` from the latest observation to
      ``target_year`` (floored at 0, capped at ``upper_bound``),
      ``basis='projected'``; with fewer than two distinct years the outcome
      is undetermined (``met=None``, ``flag='fewer_than_two_years'``).

    ``gap`` (direction-adjusted; > 0 = missed by that much) compares the
    assessed value with the target.  ``required_to_new_target`` is
    :func:`required_change_per_year` from the latest observation to
    ``new_target_year`` (e.g. 2030), and ``pace_multiple_to_new_target`` is
    that requirement divided by the observed slope (:func:`pace_multiple`).
    """
    _check_direction(direction)
    target = _finite(target_value, "target_value")
    ty = _finite(target_year, "target_year")
    nty = _finite(new_target_year, "new_target_year")
    trend = observed_change_per_year(years, values)
    if trend.n_years == 0:
        empty = Rate(None, FEWER_THAN_TWO_YEARS)
        return PassedTargetStatus(
            None, None, None, None, target, ty, None, nty, empty, empty, trend, FEWER_THAN_TWO_YEARS
        )
    latest_year = trend.last_year
    latest_value = trend.last_value
    assert latest_year is not None and latest_value is not None

    def _gap(v: float) -> float:
        return v - target if direction == "decrease" else target - v

    required = required_change_per_year(latest_year, latest_value, target, nty)
    multiple = pace_multiple(required.value, trend.slope_pp_per_year, direction=direction)
    if required.value is None:
        multiple = Rate(None, required.flag)

    if target_met(latest_value, target, direction):
        return PassedTargetStatus(
            True, "observed", latest_year, latest_value, target, ty,
            _gap(latest_value), nty, required, multiple, trend, None,
        )
    if latest_year >= ty:
        return PassedTargetStatus(
            False, "observed", latest_year, latest_value, target, ty,
            _gap(latest_value), nty, required, multiple, trend, None,
        )
    proj = project_linear(trend, latest_year, latest_value, ty, upper_bound)
    if proj.value is None:
        return PassedTargetStatus(
            None, None, None, None, target, ty, None, nty, required, multiple, trend,
            proj.flag,
        )
    return PassedTargetStatus(
        target_met(proj.value, target, direction), "projected", ty, proj.value, target, ty,
        _gap(proj.value), nty, required, multiple, trend, None,
    )
