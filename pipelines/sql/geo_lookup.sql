-- geo_lookup: every way a source names a place -> our geo code. scheme is 'm49', 'iso3', 'code', 'name'
-- (any source) or 'name:<source>' (that source only). Lower priority wins when several names match.
CREATE OR REPLACE MACRO norm_name(s) AS
    lower(strip_accents(trim(regexp_replace(replace(s, '’', ''''), '\s+', ' ', 'g'))));
-- The lookup key of a source's place code under a scheme (the same rule for observations, population and checks).
CREATE OR REPLACE MACRO geo_key(scheme, code) AS
    CASE WHEN scheme IN ('m49', 'wpp_location') THEN ltrim(trim(code), '0')
         WHEN scheme IN ('iso3', 'code') THEN upper(trim(code))
         ELSE norm_name(code) END;

CREATE OR REPLACE TABLE geo_lookup AS
WITH names AS (
    SELECT CASE WHEN source = 'all' THEN 'name' ELSE 'name:' || source END AS scheme, name, geo,
           CASE WHEN source = 'all' THEN 2 ELSE 1 END AS priority
    FROM meta_geo_aliases
    UNION ALL SELECT 'name', name, geo, 3 FROM geographies
    UNION ALL SELECT 'name', i.name, g.geo, 4 FROM stg_iso3166 i JOIN geographies g ON g.geo = i.iso3
    UNION ALL SELECT 'name', o.name, g.geo, 5 FROM stg_m49_overview o JOIN geographies g ON g.geo = o.iso3
    UNION ALL SELECT 'name', p.name, g.geo, 6 FROM meta_pycountry p JOIN geographies g ON g.geo = p.iso3
)
SELECT DISTINCT 'm49' AS scheme, ltrim(m49, '0') AS key, geo, 1 AS priority FROM geographies
WHERE m49 IS NOT NULL AND (type <> 'region' OR scheme <> 'unicef_region')
UNION ALL SELECT DISTINCT 'iso3', iso3, geo, 1 FROM geographies WHERE iso3 IS NOT NULL
UNION ALL SELECT 'code', geo, geo, 1 FROM geographies
UNION ALL SELECT 'wpp_location', wpp_code, geo, 1 FROM meta_wpp_locations  -- WPP aggregate codes (metadata/wpp_locations.csv)
UNION ALL SELECT scheme, norm_name(name), geo, min(priority) FROM names GROUP BY ALL;
