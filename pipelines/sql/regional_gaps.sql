-- regional_gaps: where each region stands, per regional scheme. Two kinds, never mixed in one row:
--   official : the figure the source publishes for the region (UN SDG regional 8.7.1, ILOSTAT and ILO-UNICEF /
--              ILO-Walk Free-IOM regional estimates, UNICEF SOWC regional aggregates);
--   computed : an aggregate of member countries' latest current values, with its coverage (share of the region's
--              population living in countries with data, and the number of countries or areas).
-- Two aggregation rules (docs/methodology.md, "Regional aggregates"):
--   child labour (SL_TLF_CHLDEC/CHLDEA, 5-17): population-weighted mean over the members WITH data, weights children
--     aged 5-17 (WPP 2022, reference year 2020, ages 15-17 approximated as 3/5 of 15-19). Members without data are
--     implicitly assumed to look like those with data; coverage says how far that assumption reaches.
--   GSI prevalence: the region's total number in modern slavery (sum of prevalence x population over the countries
--     the index estimates) divided by the population of ALL members. The index apportions the ILO-Walk Free-IOM
--     2021 regional totals to 160 countries (its 160 national numbers add up to the 49.6 million global estimate),
--     so members without an estimate carry no separate number; a mean over the covered countries only would divide
--     the regional total by too small a population (Arab States 10.4 instead of the published 10.1).
--     Population: the index's own column (WPP 2019, year 2020) where it gives one, else WPP 2022, 2020; Kosovo,
--     which WPP 2019 counts within Serbia, adds its number (the index's 14,000) but no population of its own.
-- ILO regions: the Region column of the GSI 2023 workbook (geo_memberships) plus the countries and areas the
-- workbook does not list, placed by their M49 sub-region (or region) when every listed member of that sub-region
-- is in one ILO region. The occupied Palestinian territory, in split Western Asia, is placed in the Arab States:
-- the ILO Regional Office for Arab States covers it (https://www.ilo.org/beirut/aboutus/lang--en/index.htm).
CREATE OR REPLACE TABLE regional_gaps AS
WITH schemes AS (
    SELECT geo AS region, name AS region_name,
           CASE geo WHEN 'M49_199' THEN 'ldc' WHEN 'M49_432' THEN 'lldc' WHEN 'M49_722' THEN 'sids' ELSE scheme END AS scheme
    FROM geographies WHERE type IN ('region', 'world')
),
official AS (
    SELECT s.scheme, o.geo AS region, s.region_name, o.series, o.sex, o.age, o.year, o.value, o.unit,
           'official' AS kind, o.source, o.edition,
           NULL::BIGINT AS n_countries_with_data, NULL::BIGINT AS n_countries, NULL::DOUBLE AS coverage_population_share,
           NULL AS population_basis, NULL AS data_years,
           'Published by the source for this region' || CASE WHEN o.nature IN ('M', 'E', 'N') THEN ' (modelled estimate)' ELSE '' END AS note
    FROM observations o JOIN schemes s ON s.region = o.geo
    WHERE o.is_current AND o.sex = 'total'
      AND o.series IN ('SL_TLF_CHLDEC', 'SL_TLF_CHLDEA', 'PT_CHLD_5-17_LBR_ECON-HC', 'CLD_XHAZ_SEX_AGE_ECO_NB_A',
                       'GE_CL_PREV', 'GE_CL_NUM', 'GE_HAZ_NUM', 'GE_HAZ_PREV', 'GE_FL_NUM', 'GE_FL_PREV',
                       'GE_MS_NUM', 'GE_MS_PREV')
),
ilo_listed AS (
    SELECT geo, group_geo FROM geo_memberships WHERE scheme = 'ilo_region'
),
m49_sub AS (SELECT geo, group_geo AS m49 FROM geo_memberships WHERE scheme = 'sdg_subregion'),
m49_reg AS (SELECT geo, group_geo AS m49 FROM geo_memberships WHERE scheme = 'sdg_region'),
sub_to_ilo AS (  -- M49 sub-regions whose listed members all sit in one ILO region
    SELECT s.m49, min(l.group_geo) AS ilo FROM m49_sub s JOIN ilo_listed l USING (geo)
    GROUP BY s.m49 HAVING count(DISTINCT l.group_geo) = 1
),
reg_to_ilo AS (
    SELECT r.m49, min(l.group_geo) AS ilo FROM m49_reg r JOIN ilo_listed l USING (geo)
    GROUP BY r.m49 HAVING count(DISTINCT l.group_geo) = 1
),
ilo_named(geo, ilo) AS (VALUES ('PSE', 'ILO_ARB')),  -- ILO Regional Office for Arab States
ilo_added AS (
    SELECT g.geo, coalesce(n.ilo, si.ilo, ri.ilo) AS group_geo
    FROM geographies g
    LEFT JOIN ilo_named n ON n.geo = g.geo
    LEFT JOIN m49_sub s ON s.geo = g.geo LEFT JOIN sub_to_ilo si ON si.m49 = s.m49
    LEFT JOIN m49_reg r ON r.geo = g.geo LEFT JOIN reg_to_ilo ri ON ri.m49 = r.m49
    WHERE g.type = 'country' AND g.geo NOT IN (SELECT geo FROM ilo_listed)
      AND coalesce(n.ilo, si.ilo, ri.ilo) IS NOT NULL
),
members AS (
    SELECT m.scheme, m.group_geo AS region, m.geo FROM geo_memberships m
    WHERE m.scheme IN ('sdg_region', 'ldc', 'lldc', 'sids')
    UNION ALL
    SELECT 'ilo_region', group_geo, geo FROM ilo_listed
    UNION ALL
    SELECT 'ilo_region', group_geo, geo FROM ilo_added
    UNION ALL  -- the world: every country or area
    SELECT 'world', 'WLD', geo FROM geographies WHERE type = 'country'
),
child_latest AS (  -- each country's latest current child-labour value, per series, 5-17, both sexes
    SELECT series, geo, year, value, source, edition FROM observations
    WHERE is_current AND sex = 'total' AND age = '5-17' AND series IN ('SL_TLF_CHLDEC', 'SL_TLF_CHLDEA')
      AND value IS NOT NULL AND geo IN (SELECT geo FROM geographies WHERE type = 'country')
    QUALIFY row_number() OVER (PARTITION BY series, geo ORDER BY year DESC) = 1
),
child_weights AS (
    SELECT geo, population_thousands AS w FROM child_population WHERE age = '5-17' AND year = 2020
),
child_computed AS (  -- one group per (scheme, region, series): every member counts in n_countries and coverage
    SELECT mb.scheme, mb.region, sr.series, '5-17' AS age, 2020 AS year,
           sum(c.value * w.w) / nullif(sum(w.w) FILTER (WHERE c.value IS NOT NULL), 0) AS value,
           'percent' AS unit,
           count(c.value) AS n_countries_with_data, count(*) AS n_countries,
           sum(w.w) FILTER (WHERE c.value IS NOT NULL) / nullif(sum(w.w), 0) AS coverage_population_share,
           'children aged 5-17, WPP 2022, 2020 (15-17 approximated as 3/5 of 15-19)' AS population_basis,
           min(c.year) || '-' || max(c.year) AS data_years,
           string_agg(DISTINCT c.source || ' (' || c.edition || ')', '; ') AS sources,
           'population-weighted mean of the latest value of ' || count(c.value) || ' of ' || count(*) ||
           ' member countries or areas (data years ' || min(c.year) || '-' || max(c.year) || '), covering ' ||
           round(100 * coalesce(sum(w.w) FILTER (WHERE c.value IS NOT NULL) / nullif(sum(w.w), 0), 0)) ||
           '% of the children aged 5-17' AS method_note
    FROM members mb
    CROSS JOIN (SELECT DISTINCT series FROM child_latest) sr
    LEFT JOIN child_latest c ON c.geo = mb.geo AND c.series = sr.series
    LEFT JOIN child_weights w ON w.geo = mb.geo
    GROUP BY mb.scheme, mb.region, sr.series
    HAVING count(c.value) > 0
),
gsi AS (
    SELECT geo, value AS prevalence, edition FROM observations
    WHERE series = 'GSI_PREV' AND is_current AND value IS NOT NULL
),
gsi_number AS (SELECT geo, value AS n FROM observations WHERE series = 'GSI_NUM' AND is_current),
gsi_population AS (  -- the index's population (WPP 2019, 2020); 0 in the workbook means 'not given'
    SELECT geo, value AS p FROM observations WHERE series = 'GSI_POPULATION' AND is_current AND value > 0
),
counted_within(geo, within_geo) AS (  -- WPP 2019, the index's population source, counts Kosovo within Serbia:
    VALUES ('XKX', 'SRB')             -- the index gives Kosovo a number (14,000) but population 0
),
total_2020 AS (
    SELECT geo, population_thousands * 1000 AS p FROM child_population WHERE age = 'total' AND year = 2020
),
gsi_basis AS (
    SELECT mb.scheme, mb.region, mb.geo, g.prevalence, g.edition,
           CASE WHEN cw.geo IS NOT NULL THEN 0 ELSE coalesce(gp.p, t.p) END AS p,
           CASE WHEN g.prevalence IS NULL THEN NULL
                WHEN gp.p IS NOT NULL THEN g.prevalence * gp.p / 1000
                ELSE gn.n END AS number
    FROM members mb
    LEFT JOIN gsi g ON g.geo = mb.geo
    LEFT JOIN gsi_number gn ON gn.geo = mb.geo
    LEFT JOIN gsi_population gp ON gp.geo = mb.geo
    LEFT JOIN counted_within cw ON cw.geo = mb.geo
    LEFT JOIN total_2020 t ON t.geo = mb.geo
),
gsi_computed AS (
    SELECT scheme, region, 'GSI_PREV' AS series, 'all' AS age, 2021 AS year,
           1000 * sum(number) / nullif(sum(p), 0) AS value,
           'per_1000' AS unit,
           count(prevalence) AS n_countries_with_data, count(*) AS n_countries,
           sum(p) FILTER (WHERE prevalence IS NOT NULL) / nullif(sum(p), 0) AS coverage_population_share,
           'total population, 2020: the Global Slavery Index 2023 population column (WPP 2019) where given, ' ||
           'else WPP 2022' AS population_basis,
           '2021' AS data_years,
           'walkfree_gsi (' || any_value(edition) || ')' AS sources,
           'estimated number in modern slavery in the ' || count(prevalence) || ' of ' || count(*) ||
           ' member countries or areas the index estimates (' || round(sum(number) / 1e6, 2) ||
           ' million), divided by the population of all members (the index apportions the regional totals of the ' ||
           'Global Estimates to the countries it estimates); countries with an estimate hold ' ||
           round(100 * coalesce(sum(p) FILTER (WHERE prevalence IS NOT NULL) / nullif(sum(p), 0), 0), 1) ||
           '% of the population' AS method_note
    FROM gsi_basis
    GROUP BY scheme, region
    HAVING count(prevalence) > 0
),
computed AS (
    SELECT c.scheme, c.region, s.name AS region_name, c.series, 'total' AS sex, c.age, c.year, c.value, c.unit,
           'computed' AS kind, c.sources AS source, 'computed from ' || c.sources AS edition,
           c.n_countries_with_data, c.n_countries, c.coverage_population_share, c.population_basis, c.data_years,
           'Computed by SDG 8.7 Monitor: ' || c.method_note AS note
    FROM (SELECT * FROM child_computed UNION ALL BY NAME SELECT * FROM gsi_computed) c
    JOIN geographies s ON s.geo = c.region
)
SELECT r.scheme, r.region, r.region_name, r.series, r.sex, r.age, r.year, r.value, r.unit, r.kind, r.source, r.edition,
       r.n_countries_with_data, r.n_countries, r.coverage_population_share, r.population_basis, r.data_years,
       p.change_per_year AS observed_change_per_year,
       coalesce(p.required_change_per_year_2030, p.required_change_per_year) AS required_change_per_year,
       coalesce(p.pace_multiple_2030, p.pace_multiple) AS pace_multiple,
       p.status, r.note
FROM (SELECT * FROM official UNION ALL BY NAME SELECT * FROM computed) r
LEFT JOIN progress p ON r.kind = 'official' AND p.series = r.series AND p.geo = r.region AND p.sex = r.sex
                    AND p.age = r.age AND p.source = r.source
ORDER BY r.scheme, r.region, r.series, r.kind DESC, r.year;
