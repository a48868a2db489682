-- sources: every source family and edition with its citation, licence and row counts in this build.
CREATE OR REPLACE TABLE sources AS
SELECT s.source, s.source_name, s.publisher, s.licence, s.url, s.edition_key, s.edition, s.edition_date,
       s.path, s.citation,
       (SELECT count(*) FROM observations o WHERE o.source = s.source AND (o.edition = s.edition OR s.source = 'published')) AS n_observations,
       (SELECT count(*) FROM observations o WHERE o.source = s.source AND (o.edition = s.edition OR s.source = 'published') AND o.is_current) AS n_current,
       (SELECT count(*) FROM population p WHERE p.source = s.source AND p.edition = s.edition) AS n_population_rows
FROM meta_sources s
ORDER BY s.source, s.edition_date;
