-- child_population: population by the age bands used for weighting and for numbers of people (thousands).
--   5-14  = (5-9) + (10-14)                      exact
--   5-17  = (5-9) + (10-14) + 3/5 x (15-19)      approximation: WPP 2022 has no single-year ages, so ages
--                                                 15-17 are taken as three fifths of the 15-19 group
--   total = sum of all five-year groups          exact
CREATE OR REPLACE TABLE child_population AS
WITH wide AS (
    SELECT geo, year,
           sum(population_thousands) FILTER (WHERE age = '5-9') AS a5,
           sum(population_thousands) FILTER (WHERE age = '10-14') AS a10,
           sum(population_thousands) FILTER (WHERE age = '15-19') AS a15,
           sum(population_thousands) AS total,
           any_value(edition) AS edition
    FROM population GROUP BY geo, year
)
SELECT geo, year, '5-14' AS age, a5 + a10 AS population_thousands, 'exact: (5-9)+(10-14)' AS method, edition FROM wide
UNION ALL
SELECT geo, year, '5-17', a5 + a10 + 0.6 * a15, 'approximation: (5-9)+(10-14)+3/5*(15-19)', edition FROM wide
UNION ALL
SELECT geo, year, 'total', total, 'exact: sum of all age groups', edition FROM wide
ORDER BY geo, year, age;
