"""The export contract for researchers, shared by `sdg87 export` and the dashboard's /api/v1 endpoints.

Every query is parameterised; column and table names come only from the allow-lists below. Filters are
validated against the warehouse's own values, and a bad value raises FilterError naming the parameter
and the valid values (the HTTP layer turns it into a 400).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

OBSERVATION_COLUMNS = ["series", "geo", "geo_name", "year", "sex", "age", "value", "unit", "nature", "lower", "upper",
                       "source", "edition", "footnote", "raw_file", "raw_sha256", "raw_sheet", "raw_row"]
SERIES_COLUMNS = ["code", "name", "unit", "sdg_target", "target_value", "target_year", "source", "definition"]
GEOGRAPHY_COLUMNS = ["code", "name", "type", "iso3", "m49", "memberships"]

# dataset -> (table, filterable columns). Progress and regional gaps are added by the progress marts.
DATASETS = {
    "series": "series",
    "geographies": "geographies",
    "observations": "observations",
    "progress": "progress",
    "regional-gaps": "regional_gaps",
}
FILTERS = ("series", "geo", "sex", "age", "from", "to")
# Which filters act on which dataset; any other filter is refused (FilterError), never silently ignored.
DATASET_FILTERS = {
    "observations": FILTERS,
    "progress": FILTERS,          # from/to filter latest_year
    "regional-gaps": FILTERS,     # geo filters the region column
    "series": (),                 # the catalogue always lists every series
    "geographies": ("geo",),
}
# The values a filter accepts are those in the warehouse (no user input in this SQL).
KNOWN_VALUES_SQL = {
    "series": "SELECT DISTINCT code FROM series",
    "geo": "SELECT DISTINCT geo FROM geographies",
    "sex": "SELECT DISTINCT sex FROM observations",
    "age": "SELECT DISTINCT age FROM observations",
}
MAX_LIST = 500
YEAR_RE = re.compile(r"[0-9]{4}", re.ASCII)


def shown(value: str, width: int = 60) -> str:
    """A user-supplied value as safe to echo in a message: cut to `width`, control/format characters escaped."""
    text = str(value)[:width]
    return "".join(ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else ascii(ch)[1:-1] for ch in text)


class FilterError(ValueError):
    """A filter value the warehouse does not know; names the parameter and what is valid."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(f"parameter '{parameter}': {message}")


@dataclass(frozen=True)
class Filters:
    series: tuple[str, ...] = ()
    geo: tuple[str, ...] = ()
    sex: tuple[str, ...] = ()
    age: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    current_only: bool = True


def parse_filters(params: dict[str, str | list[str] | None]) -> Filters:
    """Comma-separated lists (repeated parameters are joined) and integer years, checked for shape only."""
    def values(name):
        raw = params.get(name)
        raw = [raw] if isinstance(raw, str) else (raw or [])
        out = tuple(v.strip() for item in raw for v in str(item).split(",") if v.strip())
        if len(out) > MAX_LIST:
            raise FilterError(name, f"at most {MAX_LIST} values")
        return out

    def year(name):
        v = values(name)
        if not v:
            return None
        if len(v) > 1 or not YEAR_RE.fullmatch(v[0]) or not 1900 <= int(v[0]) <= 2100:
            raise FilterError(name, f"'{shown(','.join(v), 40)}' is not a year between 1900 and 2100")
        return int(v[0])

    f = Filters(tuple(s.upper() for s in values("series")), tuple(g.upper() for g in values("geo")),
                tuple(s.lower() for s in values("sex")), values("age"), year("from"), year("to"))
    if f.year_from and f.year_to and f.year_from > f.year_to:
        raise FilterError("from", f"{f.year_from} is after to={f.year_to}")
    return f


def check_applicable(dataset: str, names: Iterable[str]) -> None:
    """Every given filter must act on `dataset`; otherwise FilterError saying which filters do."""
    applies = DATASET_FILTERS.get(dataset, ())
    for name in names:
        if name in FILTERS and name not in applies:
            accepted = ", ".join(applies) if applies else "no filters"
            raise FilterError(name, f"does not apply to dataset '{dataset}' (it accepts {accepted})")


def validate(con: duckdb.DuckDBPyConnection | None, f: Filters,
             lookup: Callable[[str], Iterable] | None = None) -> None:
    """Every listed value must exist in the warehouse; otherwise FilterError with the valid values.

    `lookup(sql)` returns the first column of a fixed query (the dashboard passes a cached, time-limited one);
    by default the query runs on `con`."""
    if lookup is None:
        def lookup(sql):
            return [r[0] for r in con.execute(sql).fetchall()]
    for name, sql in KNOWN_VALUES_SQL.items():
        wanted = getattr(f, name)
        if not wanted:
            continue
        valid = {v for v in lookup(sql) if v is not None}
        unknown = [w for w in wanted if w not in valid]
        if unknown:
            sample = ", ".join(sorted(valid)[:40]) + (" …" if len(valid) > 40 else "")
            raise FilterError(name, f"unknown value '{shown(unknown[0])}'; valid values: {sample}")


def where_clause(f: Filters, year_column: str = "year", prefix: str = "o.",
                 geo_column: str = "geo") -> tuple[str, list]:
    """SQL WHERE text with ? placeholders, and its parameters. Column names are fixed here, never from input."""
    parts, params = [], []
    for column, wanted in (("series", f.series), (geo_column, f.geo), ("sex", f.sex), ("age", f.age)):
        if wanted:
            parts.append(f"{prefix}{column} IN ({', '.join('?' * len(wanted))})")
            params += list(wanted)
    if f.year_from is not None:
        parts.append(f"{prefix}{year_column} >= ?")
        params.append(f.year_from)
    if f.year_to is not None:
        parts.append(f"{prefix}{year_column} <= ?")
        params.append(f.year_to)
    return (" AND ".join(parts) or "TRUE"), params


def observations_query(f: Filters, limit: int | None = None, order: bool = True) -> tuple[str, list]:
    where, params = where_clause(f)
    current = "o.is_current AND " if f.current_only else ""
    sql = f"""SELECT o.series, o.geo, g.name AS geo_name, o.year, o.sex, o.age, o.value, o.unit, o.nature,
                     o.lower, o.upper, o.source, o.edition, o.footnote, o.raw_file, o.raw_sha256, o.raw_sheet, o.raw_row
              FROM observations o JOIN geographies g ON g.geo = o.geo
              WHERE {current}{where}"""
    if order:
        sql += "\n              ORDER BY o.series, o.geo, o.sex, o.age, o.year"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, params


def series_query(order: bool = True) -> tuple[str, list]:
    return ("""SELECT code, name, unit, sdg_target, target_value, target_year, source, definition
               FROM series""" + (" ORDER BY code" if order else ""), [])


def geographies_query(f: Filters | None = None, order: bool = True) -> tuple[str, list]:
    where, params = ("TRUE", [])
    if f and f.geo:
        where, params = f"g.geo IN ({', '.join('?' * len(f.geo))})", list(f.geo)
    return (f"""SELECT g.geo AS code, g.name, g.type, g.iso3, g.m49,
                       (SELECT string_agg(m.scheme || ':' || m.group_geo, ';' ORDER BY m.scheme, m.group_geo)
                        FROM geo_memberships m WHERE m.geo = g.geo) AS memberships
                FROM geographies g WHERE {where}""" + (" ORDER BY g.type DESC, g.geo" if order else ""), params)


def mart_query(table: str, f: Filters, year_column: str, geo_column: str = "geo",
               order: bool = True) -> tuple[str, list]:
    """Progress and regional-gap marts, filtered like observations (year filters apply to `year_column`;
    the geo filter applies to `geo_column`, the region for regional gaps)."""
    where, params = where_clause(f, year_column=year_column, prefix="", geo_column=geo_column)
    return f"SELECT * FROM {table} WHERE {where}" + (" ORDER BY ALL" if order else ""), params


def query(con: duckdb.DuckDBPyConnection, dataset: str, params: dict | None = None,
          limit: int | None = None) -> pd.DataFrame:
    """Run one dataset of the contract with validated filters and return a DataFrame."""
    if dataset not in DATASETS:
        raise FilterError("dataset", f"unknown dataset '{shown(dataset)}'; valid: {', '.join(DATASETS)}")
    f = checked_filters(dataset, params or {}, con)
    sql, args = sql_for(dataset, f, limit)
    return con.execute(sql, args).fetch_df()


def checked_filters(dataset: str, raw: dict, con: duckdb.DuckDBPyConnection | None = None,
                    lookup: Callable[[str], Iterable] | None = None) -> Filters:
    """One request's filters under the export contract (FilterError naming the parameter): only filters the
    dataset accepts, well formed, and values the warehouse has (`lookup` runs KNOWN_VALUES_SQL, e.g. cached)."""
    given = [k for k, v in raw.items()
             if any(str(x).strip() for x in (v if isinstance(v, (list, tuple)) else [v]) if x is not None)]
    check_applicable(dataset, given)
    f = parse_filters(raw)
    validate(con, f, lookup=lookup)
    return f


def sql_for(dataset: str, f: Filters, limit: int | None = None, order: bool = True) -> tuple[str, list]:
    """One dataset's extract; order=False leaves out the final sort, for what only counts or lists its rows
    (sorting a 10 M-row extract first costs seconds and hundreds of MB)."""
    if dataset == "observations":
        return observations_query(f, limit, order)
    if dataset == "series":
        return series_query(order)
    if dataset == "geographies":
        return geographies_query(f, order)
    year_column = "latest_year" if dataset == "progress" else "year"
    geo_column = "region" if dataset == "regional-gaps" else "geo"
    return mart_query(DATASETS[dataset], f, year_column, geo_column, order)


def count_query(dataset: str, f: Filters) -> tuple[str, list]:
    """The row count of an extract, without its final ORDER BY: counting a sorted 10 M-row extract made DuckDB
    sort everything first (900 ms and +800 MB per worker, benchmarks/RESULTS.md). Observations are counted without
    the geographies join (46 -> 1.3 ms unfiltered at 10 M rows)."""
    if dataset == "observations":  # no filter reads geographies, and the build checks that every observation's geo
        where, params = where_clause(f)  # is exactly one geographies row: the join cannot change the count
        current = "o.is_current AND " if f.current_only else ""
        return f"SELECT count(*) AS n FROM observations o WHERE {current}{where}", params
    sql, params = sql_for(dataset, f, order=False)
    return f"SELECT count(*) AS n FROM ({sql})", params
