-- regional_gaps: where each region stands, per regional scheme. Two kinds, never mixed:
--   official : the figure the source publishes for the region (UN SDG regional 8.7.1, ILOSTAT and ILO-UNICEF /
--              ILO-Walk Free-IOM regional estimates, UNICEF SOWC regional aggregates);
--   computed : a population-weighted mean of member countries' latest current values, with its coverage
--              (share of the region's population living in countries with data, and the number of countries).
-- Weights: children 5-17 (WPP 2022, reference year 2020, 15-17 approximated) for child labour; the index's own
-- population (GSI 2023 'Population' column, WPP 2019 for 2020) for GSI prevalence, so the published regional
-- figures can be reproduced. Coverage denominators use WPP 2022 for every member in the reference year.
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
members AS (
    SELECT m.scheme, m.group_geo AS region, m.geo FROM geo_memberships m
    WHERE m.scheme IN ('sdg_region', 'ilo_region', 'ldc', 'lldc', 'sids')
    UNION ALL  -- the world: every country
    SELECT 'world', 'WLD', geo FROM geographies WHERE type = 'country'
),
child_latest AS (  -- each country's latest current child-labour value, per series, 5-17, both sexes
    SELECT series, geo, year, value, source, edition FROM observations
    WHERE is_current AND sex = 'total' AND age = '5-17' AND series IN ('SL_TLF_CHLDEC', 'SL_TLF_CHLDEA')
      AND geo IN (SELECT geo FROM geographies WHERE type = 'country')
    QUALIFY row_number() OVER (PARTITION BY series, geo ORDER BY year DESC) = 1
),
child_weights AS (
    SELECT geo, population_thousands AS w FROM child_population WHERE age = '5-17' AND year = 2020
),
child_computed AS (
    SELECT mb.scheme, mb.region, c.series, '5-17' AS age, 2020 AS year,
           sum(c.value * w.w) / nullif(sum(w.w) FILTER (WHERE c.value IS NOT NULL), 0) AS value,
           'percent' AS unit,
           count(c.value) AS n_countries_with_data, count(*) AS n_countries,
           sum(w.w) FILTER (WHERE c.value IS NOT NULL) / nullif(sum(w.w), 0) AS coverage_population_share,
           'children aged 5-17, WPP 2022, 2020 (15-17 approximated as 3/5 of 15-19)' AS population_basis,
           min(c.year) || '-' || max(c.year) AS data_years,
           string_agg(DISTINCT c.source || ' (' || c.edition || ')', '; ') AS sources
    FROM members mb
    CROSS JOIN (SELECT DISTINCT series FROM child_latest) sr
    LEFT JOIN child_latest c ON c.geo = mb.geo AND c.series = sr.series
    LEFT JOIN child_weights w ON w.geo = mb.geo
    WHERE sr.series = coalesce(c.series, sr.series)
    GROUP BY mb.scheme, mb.region, c.series, sr.series
    HAVING count(c.value) > 0
),
gsi AS (
    SELECT p.geo, p.value AS prevalence, pop.value AS gsi_population, p.edition
    FROM observations p JOIN observations pop ON pop.geo = p.geo AND pop.series = 'GSI_POPULATION' AND pop.is_current
    WHERE p.series = 'GSI_PREV' AND p.is_current
),
total_weights AS (
    SELECT geo, population_thousands * 1000 AS w FROM child_population WHERE age = 'total' AND year = 2021
),
gsi_computed AS (
    SELECT mb.scheme, mb.region, 'GSI_PREV' AS series, 'all' AS age, 2021 AS year,
           sum(g.prevalence * g.gsi_population) / nullif(sum(g.gsi_population), 0) AS value,
           'per_1000' AS unit,
           count(g.prevalence) AS n_countries_with_data, count(*) AS n_countries,
           sum(t.w) FILTER (WHERE g.prevalence IS NOT NULL) / nullif(sum(t.w), 0) AS coverage_population_share,
           'population as used by the Global Slavery Index 2023 (WPP 2019, 2020); coverage from WPP 2022 total population, 2021' AS population_basis,
           '2021' AS data_years,
           'walkfree_gsi (' || any_value(g.edition) || ')' AS sources
    FROM members mb
    LEFT JOIN gsi g ON g.geo = mb.geo
    LEFT JOIN total_weights t ON t.geo = mb.geo
    GROUP BY mb.scheme, mb.region
    HAVING count(g.prevalence) > 0
),
computed AS (
    SELECT c.scheme, c.region, s.name AS region_name, c.series, 'total' AS sex, c.age, c.year, c.value, c.unit,
           'computed' AS kind, c.sources AS source, 'computed from ' || c.sources AS edition,
           c.n_countries_with_data, c.n_countries, c.coverage_population_share, c.population_basis, c.data_years,
           'Computed by SDG 8.7 Monitor: population-weighted mean of the latest value of ' || c.n_countries_with_data ||
           ' of ' || c.n_countries || ' member countries (data years ' || c.data_years || '), covering ' ||
           round(100 * coalesce(c.coverage_population_share, 0)) || '% of the population' AS note
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
