"""Checks that stop the build. Each is a SQL query over the staged data returning the offending rows with
their lineage (file, sheet, row, column) and a plain reason; the first offence becomes a RawDataError."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.errors import RawDataError

LINEAGE = "raw_file, raw_sheet, raw_row"

# The source column that holds the place, per source family (for messages about unknown geographies).
GEO_COLUMNS = {"un_sdg": "geo_area", "unodc": "geo_area", "unicef_sowc": "Countries and areas",
               "ilostat": "Reference area", "walkfree_gsi": "Country", "published": "geo", "wpp": "Location code (M49)"}

UN_SDG_XLSX_GEO_COLUMN = "geoAreaCode"  # un_sdg rows with a sheet come from the UNSD xlsx, not the DDF CSVs


def _geo_column_sql() -> str:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in GEO_COLUMNS.items())
    return (f"CASE WHEN source = 'un_sdg' AND raw_sheet IS NOT NULL THEN '{UN_SDG_XLSX_GEO_COLUMN}' "
            f"ELSE CASE source {cases} ELSE 'geography' END END")


CHECKS = {
    "unknown geography": f"""
        SELECT {LINEAGE}, {{geo_column}}, source,
               'unknown geography ''' || geo_source_code || ''' (' || geo_scheme || '): add it to pipelines/metadata/geo_aliases.csv if it is a new name for a known place'
        FROM int_observations WHERE geo IS NULL""",
    # Every geo an observation gets must be exactly one row of `geographies`: the app and the API join on it, and
    # count extracts without the join (pipelines/api.py count_query). An alias in the metadata CSVs could name a geo
    # that geographies does not have.
    "geography missing from geographies": f"""
        SELECT {LINEAGE}, {{geo_column}}, source,
               'geography ''' || geo || ''' (from ''' || geo_source_code || ''') is not in the geographies table: '
               || 'fix pipelines/metadata/geo_aliases.csv or regions.csv'
        FROM int_observations WHERE geo IS NOT NULL AND geo NOT IN (SELECT geo FROM geographies)""",
    "geography listed twice": """
        SELECT 'pipelines/metadata/regions.csv', NULL, NULL, 'geo', 'metadata',
               'geography ''' || geo || ''' is listed ' || count(*) || ' times in the geographies table'
        FROM geographies GROUP BY geo HAVING count(*) > 1""",
    "unknown series": f"""
        SELECT {LINEAGE}, raw_column, source, 'series ''' || series || ''' is not in pipelines/metadata/series.toml'
        FROM int_observations WHERE series NOT IN (SELECT code FROM meta_series)""",
    "percentage outside 0-100": f"""
        SELECT {LINEAGE}, raw_column, source, 'percentage ' || value || ' is outside 0-100'
        FROM int_observations WHERE unit = 'percent' AND (value < 0 OR value > 100)""",
    # GSI government-response scores can be negative: the index subtracts points for harmful practices.
    "score outside -100..100": f"""
        SELECT {LINEAGE}, raw_column, source, 'score ' || value || ' is outside -100..100'
        FROM int_observations WHERE unit = 'score_percent' AND (value < -100 OR value > 100)""",
    "rate outside range": f"""
        SELECT {LINEAGE}, raw_column, source, 'rate ' || value || ' per 1,000 is outside 0-1000'
        FROM int_observations WHERE unit = 'per_1000' AND (value < 0 OR value > 1000)""",
    "negative count": f"""
        SELECT {LINEAGE}, raw_column, source, 'count ' || value || ' is negative'
        FROM int_observations WHERE unit IN ('number', 'thousands', 'millions', 'per_100000') AND value < 0""",
    "non-finite value": f"""
        SELECT {LINEAGE}, raw_column, source, 'value is missing or not finite'
        FROM int_observations WHERE value IS NULL OR NOT isfinite(value)""",
    # Keys are counted by hash first; only rows whose key hash occurs more than once go to the exact window (a hash
    # collision just adds rows to it). 13 s -> 2 s at 10 M synthetic rows (benchmarks/RESULTS.md).
    "duplicate key": f"""
        SELECT {LINEAGE}, raw_column, source,
               'duplicate key (series ' || series || ', geo ' || geo || ', year ' || year || ', sex ' || sex ||
               ', age ' || age || ') also at row ' || first_row || ' of the same edition'
        FROM (SELECT *, first_value(raw_row) OVER w AS first_row, row_number() OVER w AS n
              FROM int_observations
              WHERE geo IS NOT NULL AND hash(series, geo, year, sex, age, source, edition) IN (
                    SELECT hash(series, geo, year, sex, age, source, edition) AS h FROM int_observations
                    WHERE geo IS NOT NULL GROUP BY h HAVING count(*) > 1)
              WINDOW w AS (PARTITION BY series, geo, year, sex, age, source, edition ORDER BY raw_row))
        WHERE n > 1""",
    "unknown country in population": """
        SELECT p.raw_file, p.raw_sheet, p.raw_row, 'Location code (M49)', 'wpp',
               'WPP country/area ''' || w.name || ''' (M49 ' || p.geo_source_code || ') is not a known geography'
        FROM stg_population p JOIN stg_wpp_locations w ON w.m49 = p.geo_source_code
        WHERE w.type = 'Country/Area'
          AND geo_key('m49', p.geo_source_code) NOT IN (SELECT key FROM geo_lookup WHERE scheme = 'm49')""",
}
for _name in ("unknown geography", "geography missing from geographies"):
    CHECKS[_name] = CHECKS[_name].replace("{geo_column}", _geo_column_sql())


# An offence of these checks loses its whole row (the place is wrong); of the others, only the offending cell.
WHOLE_ROW = frozenset({"unknown geography", "geography missing from geographies"})
# Metadata errors no row can be rejected for: they stop the build in --keep-going mode too.
FATAL = frozenset({"geography listed twice"})


@dataclass
class Offence:
    check: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    source: str
    reason: str

    def error(self) -> RawDataError:
        return RawDataError(self.file, self.reason, sheet=self.sheet, row=self.row, column=self.column)


def find_offences(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[Offence]:
    """Run every check; return offences in check order (at most `limit` per check)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    found = []
    for name, sql in CHECKS.items():
        if name == "unknown country in population" and not {"stg_population", "stg_wpp_locations"} <= tables:
            continue
        rows = con.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        found += [Offence(name, *row) for row in rows]
    return found
