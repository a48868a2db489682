-- series: the codebook of every indicator series (from metadata/series.toml) with its observation coverage.
CREATE OR REPLACE TABLE series AS
SELECT m.code, m.name, m.short_name, m.unit, m.sdg_indicator, m.sdg_target, m.target_value, CAST(m.target_year AS INTEGER) AS target_year,
       m.higher_is_better, m.trend_eligible, m.family, m.source, m.definition,
       count(o.value) AS n_observations, count(DISTINCT o.geo) AS n_geographies,
       min(o.year) AS first_year, max(o.year) AS last_year
FROM meta_series m
LEFT JOIN observations o ON o.series = m.code AND o.is_current
GROUP BY ALL
ORDER BY m.code;
