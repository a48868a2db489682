-- geo_memberships: which region or group each country belongs to, one row per (country, scheme, group).
-- Schemes: sdg_region and sdg_subregion (UNSD SDG API tree), ldc / lldc / sids (M49 flags),
-- ilo_region (the Region column of the Global Slavery Index 2023 workbook).
CREATE OR REPLACE TABLE geo_memberships AS
WITH RECURSIVE sdg_regions AS (
    SELECT DISTINCT m49 FROM stg_sdg_region_tree WHERE parent_m49 = 1
),
tree AS (
    SELECT DISTINCT t.iso3 AS geo, t.parent_m49 FROM stg_sdg_region_tree t
    WHERE t.type = 'Country' AND coalesce(t.iso3, '') <> ''
),
region_parent AS (
    SELECT DISTINCT m49, parent_m49 FROM stg_sdg_region_tree WHERE type <> 'Country'
),
ancestors(geo, node) AS (  -- walk up the tree from each country to the SDG region
    SELECT geo, parent_m49 FROM tree
    UNION
    SELECT a.geo, rp.parent_m49 FROM ancestors a JOIN region_parent rp ON rp.m49 = a.node WHERE rp.parent_m49 <> 1
),
sdg AS (
    SELECT geo, 'sdg_region' AS scheme, 'M49_' || lpad(node::VARCHAR, 3, '0') AS group_geo
    FROM ancestors WHERE node IN (SELECT m49 FROM sdg_regions)
    UNION
    SELECT geo, 'sdg_subregion', 'M49_' || lpad(parent_m49::VARCHAR, 3, '0')
    FROM tree WHERE parent_m49 NOT IN (SELECT m49 FROM sdg_regions)
),
flags AS (
    SELECT iso3 AS geo, 'ldc' AS scheme, 'M49_199' AS group_geo FROM stg_m49_areas WHERE is_ldc AND is_leaf
    UNION ALL SELECT iso3, 'lldc', 'M49_432' FROM stg_m49_areas WHERE is_lldc AND is_leaf
    UNION ALL SELECT iso3, 'sids', 'M49_722' FROM stg_m49_areas WHERE is_sids AND is_leaf
),
ilo AS (
    SELECT c.geo, 'ilo_region' AS scheme, r.geo AS group_geo
    FROM stg_gsi_regions s
    JOIN geo_lookup c ON c.scheme IN ('name', 'name:walkfree_gsi') AND c.key = norm_name(s.country_name)
    JOIN geo_lookup r ON r.scheme = 'name:walkfree_gsi' AND r.key = norm_name(s.region_name)
    QUALIFY row_number() OVER (PARTITION BY s.country_name ORDER BY c.priority, r.priority) = 1
)
SELECT * FROM sdg
UNION SELECT * FROM flags
UNION SELECT * FROM ilo
ORDER BY geo, scheme, group_geo;
