-- observations: the tidy fact table the app and the API read. One row per value per edition, with lineage.
-- Declared key: (series, geo, year, sex, age, source, edition); at most one current row per (series, geo, year, sex,
-- age). The key is declared (the table comment below, datapackage.json's primaryKey, docs/marts.md) and enforced by
-- the build: the "duplicate key" check (pipelines/checks.py) stops the build naming file and row, and the warehouse
-- is read-only after the build. No DuckDB PRIMARY KEY index: its ART index cost 13-20 s at 10 M synthetic rows
-- (more than the rest of the model; benchmarks/RESULTS.md) and no query uses it (zone maps on the sort order do).
-- Rows keep int_observations' order (file by file; one series per DDF file), so a series filter reads few blocks.
CREATE OR REPLACE TABLE observations (
    series VARCHAR NOT NULL, geo VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL, age VARCHAR NOT NULL,
    value DOUBLE NOT NULL, unit VARCHAR NOT NULL, nature VARCHAR, lower DOUBLE, upper DOUBLE,
    source VARCHAR NOT NULL, edition VARCHAR NOT NULL, edition_date DATE NOT NULL, footnote VARCHAR, time_detail VARCHAR,
    is_current BOOLEAN NOT NULL,
    raw_file VARCHAR NOT NULL, raw_sha256 VARCHAR, raw_sheet VARCHAR, raw_row INTEGER NOT NULL, raw_column VARCHAR
);
COMMENT ON TABLE observations IS 'key (series, geo, year, sex, age, source, edition), unique (checked by the build); one current row per (series, geo, year, sex, age)';
INSERT INTO observations
SELECT series, geo, year, sex, age, value, unit, nature, lower, upper, source, edition, edition_date, footnote,
       time_detail, is_current, raw_file, raw_sha256, raw_sheet, raw_row, raw_column
FROM int_observations;
