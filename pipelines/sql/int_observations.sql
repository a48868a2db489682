-- int_observations: staged observations of every source with our geo code, the raw file's sha256 and the
-- current-edition flag (within a key, the latest edition is current). Checked before `observations` is made.
-- Geographies are resolved once per distinct (scheme, source code), then joined back: the same result as resolving
-- each row, without a window over every staged row (40 s -> 12 s at 10M rows; benchmarks/RESULTS.md).
CREATE OR REPLACE TABLE int_observations AS
WITH keys AS (
    SELECT DISTINCT geo_scheme, geo_source_code,
           CASE WHEN geo_scheme = 'm49' THEN ltrim(trim(geo_source_code), '0')
                WHEN geo_scheme IN ('iso3', 'code') THEN upper(trim(geo_source_code))
                ELSE norm_name(geo_source_code) END AS geo_key
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
)
SELECT o.series, r.geo, o.year, o.sex, o.age, o.value, o.unit, o.nature, o.lower, o.upper,
       o.source_id AS source, o.edition, CAST(o.edition_date AS DATE) AS edition_date, o.footnote, o.time_detail,
       r.geo IS NOT NULL AND row_number() OVER (
           PARTITION BY o.series, r.geo, o.year, o.sex, o.age
           ORDER BY CAST(o.edition_date AS DATE) DESC, o.source_id) = 1 AS is_current,
       o.geo_scheme, o.geo_source_code,
       o.raw_file, f.sha256 AS raw_sha256, o.raw_sheet, o.raw_row, o.raw_column
FROM stg_observations o
JOIN resolved r ON r.geo_scheme IS NOT DISTINCT FROM o.geo_scheme
               AND r.geo_source_code IS NOT DISTINCT FROM o.geo_source_code
LEFT JOIN raw_files f ON f.path = o.raw_file;
