-- population: WPP 2022 population (thousands) by five-year age group for every geography we know.
-- Countries are matched by M49 code; WPP aggregates by metadata/wpp_locations.csv. WPP locations outside our
-- geographies (income and development groups, continental regions) are not kept.
CREATE OR REPLACE TABLE population AS
SELECT l.geo, p.year, p.age, p.population_thousands, p.source_id AS source, p.edition,
       p.raw_file, f.sha256 AS raw_sha256, p.raw_row
FROM stg_population p
JOIN geo_lookup l ON l.scheme = p.geo_scheme AND l.key = geo_key(p.geo_scheme, p.geo_source_code)
LEFT JOIN raw_files f ON f.path = p.raw_file
ORDER BY l.geo, p.year, p.age;
