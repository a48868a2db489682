-- geographies: one row per country, region, group and the world. Countries keyed by ISO 3166-1 alpha-3,
-- M49 regions by 'M49_' + 3-digit code, other schemes (ILO, UNICEF) by codes listed in metadata/regions.csv.
CREATE OR REPLACE TABLE geographies AS
WITH sdg_regions AS (
    SELECT DISTINCT m49 FROM stg_sdg_region_tree WHERE parent_m49 = 1
),
tree_names AS (
    SELECT m49, any_value(name) AS name FROM stg_sdg_region_tree GROUP BY m49
),
ddf_names AS (
    SELECT m49, any_value(name) AS name FROM stg_ddf_geo_areas GROUP BY m49
),
countries AS (
    SELECT a.iso3 AS geo, a.name, 'country' AS type, 'country' AS scheme, lpad(a.m49::VARCHAR, 3, '0') AS m49,
           a.iso3, a.raw_file, a.raw_row
    FROM stg_m49_areas a
    WHERE a.is_leaf AND coalesce(a.iso3, '') <> ''
),
iso_only AS (  -- in ISO 3166 but not in the SDG API area list (e.g. Taiwan)
    SELECT i.iso3, i.name, 'country', 'country', lpad(i.m49::VARCHAR, 3, '0'), i.iso3, i.raw_file, i.raw_row
    FROM stg_iso3166 i
    WHERE i.iso3 NOT IN (SELECT geo FROM countries)
),
m49_regions AS (
    SELECT 'M49_' || lpad(a.m49::VARCHAR, 3, '0'),
           coalesce(nullif(a.name, ''), t.name, d.name),
           'region',
           CASE WHEN a.m49 IN (SELECT m49 FROM sdg_regions) THEN 'sdg_region'
                WHEN a.m49 IN (199, 432, 722) THEN 'country_group'
                ELSE 'm49_region' END,
           lpad(a.m49::VARCHAR, 3, '0'), NULL, a.raw_file, a.raw_row
    FROM stg_m49_areas a
    LEFT JOIN tree_names t USING (m49)
    LEFT JOIN ddf_names d USING (m49)
    WHERE NOT a.is_leaf AND a.m49 <> 1
),
listed AS (  -- world, ILO and UNICEF regions and codes outside M49 (metadata/regions.csv)
    SELECT geo, name, type, scheme, CASE WHEN m49 IS NULL THEN NULL ELSE lpad(m49::VARCHAR, 3, '0') END,
           nullif(iso3, ''), 'pipelines/metadata/regions.csv', raw_row
    FROM meta_regions
)
SELECT * FROM countries
UNION ALL SELECT * FROM iso_only
UNION ALL SELECT * FROM m49_regions
UNION ALL SELECT * FROM listed
ORDER BY 1;
