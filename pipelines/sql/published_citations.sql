-- published_citations: one row per report edition of the curated published estimates (metadata/published_estimates.csv),
-- with the report each of its rows cites. Extracts that include published estimates cite these reports
-- (dashboard/datapackage.py), not the curated table as a whole.
CREATE OR REPLACE TABLE published_citations AS
SELECT edition, any_value(source_publisher) AS publisher, any_value(publication_year) AS year,
       any_value(source_title) AS title, any_value(source_url) AS url
FROM stg_published_citations
GROUP BY edition
ORDER BY edition;
