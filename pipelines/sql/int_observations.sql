-- int_observations: staged observations of every source with our geo code, the raw file's sha256 and the
-- current-edition flag (within a key, the latest edition is current). Checked before `observations` is made.
CREATE OR REPLACE TABLE int_observations AS
WITH keyed AS (
    SELECT o.*,
           CASE WHEN o.geo_scheme = 'm49' THEN ltrim(trim(o.geo_source_code), '0')
                WHEN o.geo_scheme IN ('iso3', 'code') THEN upper(trim(o.geo_source_code))
                ELSE norm_name(o.geo_source_code) END AS geo_key,
           row_number() OVER () AS stg_id
    FROM stg_observations o
),
resolved AS (
    SELECT k.*, l.geo
    FROM keyed k
    LEFT JOIN geo_lookup l
      ON l.key = k.geo_key
     AND (l.scheme = k.geo_scheme OR (k.geo_scheme LIKE 'name%' AND l.scheme = 'name'))
    QUALIFY row_number() OVER (PARTITION BY k.stg_id ORDER BY (l.scheme = k.geo_scheme) DESC, l.priority) = 1
)
SELECT r.series, r.geo, r.year, r.sex, r.age, r.value, r.unit, r.nature, r.lower, r.upper,
       r.source_id AS source, r.edition, CAST(r.edition_date AS DATE) AS edition_date, r.footnote, r.time_detail,
       r.geo IS NOT NULL AND row_number() OVER (
           PARTITION BY r.series, r.geo, r.year, r.sex, r.age
           ORDER BY CAST(r.edition_date AS DATE) DESC, r.source_id) = 1 AS is_current,
       r.geo_scheme, r.geo_source_code,
       r.raw_file, f.sha256 AS raw_sha256, r.raw_sheet, r.raw_row, r.raw_column
FROM resolved r
LEFT JOIN raw_files f ON f.path = r.raw_file;
