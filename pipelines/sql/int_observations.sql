-- int_observations: staged observations of every source with our geo code, the raw file's sha256 and the
-- current-edition flag (within a key, the latest edition is current). Checked before `observations` is made.
-- Kept in the build's scratch file (pipelines/build.py attach_scratch), not shipped: observations carries the lineage.
--
-- Speed (benchmarks/RESULTS.md, 10 M synthetic rows): geographies are resolved once per distinct (scheme, source
-- code) and joined back (40 s -> 12 s). The current flag needs a window only where a (series, geo, year, sex, age)
-- has more than one row: keys are counted by hash first, and only rows whose key hash occurs more than once are
-- ranked. A hash collision just sends more rows to the exact window, so the result is the same as ranking every row.
-- No ORDER BY: rows keep the order of their files (one series per DDF file), which is what a series filter needs;
-- sorting all rows cost 6-14 s at 10 M rows.
CREATE OR REPLACE TABLE scratch.int_observations AS
WITH keys AS (
    SELECT DISTINCT geo_scheme, geo_source_code, geo_key(geo_scheme, geo_source_code) AS geo_key
    FROM stg_observations
),
resolved AS (
    SELECT k.geo_scheme, k.geo_source_code, l.geo
    FROM keys k
    LEFT JOIN geo_lookup l
      ON l.key = k.geo_key
     AND (l.scheme = k.geo_scheme OR (k.geo_scheme LIKE 'name%' AND l.scheme = 'name'))
    QUALIFY row_number() OVER (PARTITION BY k.geo_scheme, k.geo_source_code
                               ORDER BY (l.scheme = k.geo_scheme) DESC, l.priority) = 1
),
joined AS MATERIALIZED (
    SELECT o.series, r.geo, o.year, o.sex, o.age, o.value, o.unit, o.nature, o.lower, o.upper,
           o.source_id AS source, o.edition, CAST(o.edition_date AS DATE) AS edition_date, o.footnote, o.time_detail,
           o.geo_scheme, o.geo_source_code,
           o.raw_file, f.sha256 AS raw_sha256, o.raw_sheet, o.raw_row, o.raw_column,
           hash(o.series, r.geo, o.year, o.sex, o.age) AS current_key
    FROM stg_observations o
    JOIN resolved r ON r.geo_scheme IS NOT DISTINCT FROM o.geo_scheme
                   AND r.geo_source_code IS NOT DISTINCT FROM o.geo_source_code
    LEFT JOIN raw_files f ON f.path = o.raw_file
),
shared_keys AS (
    SELECT current_key FROM joined GROUP BY current_key HAVING count(*) > 1
),
flagged AS (
    SELECT * EXCLUDE (current_key), geo IS NOT NULL AS is_current
    FROM joined ANTI JOIN shared_keys USING (current_key)
    UNION ALL
    SELECT * EXCLUDE (current_key), geo IS NOT NULL AND row_number() OVER (
               PARTITION BY series, geo, year, sex, age ORDER BY edition_date DESC, source) = 1 AS is_current
    FROM joined SEMI JOIN shared_keys USING (current_key)
)
SELECT series, geo, year, sex, age, value, unit, nature, lower, upper, source, edition, edition_date, footnote,
       time_detail, is_current, geo_scheme, geo_source_code, raw_file, raw_sha256, raw_sheet, raw_row, raw_column
FROM flagged;
