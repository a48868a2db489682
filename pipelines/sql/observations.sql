-- observations: the tidy fact table the app and the API read. One row per value per edition, with lineage.
-- Declared key: (series, geo, year, sex, age, source, edition); at most one current row per (series, geo, year, sex,
-- age). The build checks find offending rows first (naming file and row); the PRIMARY KEY declares the contract and
-- guards it. It costs about 13 s at 10 M synthetic rows (benchmarks/RESULTS.md) and nothing at the real size.
CREATE OR REPLACE TABLE observations (
    series VARCHAR NOT NULL, geo VARCHAR NOT NULL, year INTEGER NOT NULL, sex VARCHAR NOT NULL, age VARCHAR NOT NULL,
    value DOUBLE NOT NULL, unit VARCHAR NOT NULL, nature VARCHAR, lower DOUBLE, upper DOUBLE,
    source VARCHAR NOT NULL, edition VARCHAR NOT NULL, edition_date DATE NOT NULL, footnote VARCHAR, time_detail VARCHAR,
    is_current BOOLEAN NOT NULL,
    raw_file VARCHAR NOT NULL, raw_sha256 VARCHAR, raw_sheet VARCHAR, raw_row INTEGER NOT NULL, raw_column VARCHAR,
    PRIMARY KEY (series, geo, year, sex, age, source, edition)
);
INSERT INTO observations
SELECT series, geo, year, sex, age, value, unit, nature, lower, upper, source, edition, edition_date, footnote,
       time_detail, is_current, raw_file, raw_sha256, raw_sheet, raw_row, raw_column
FROM int_observations
ORDER BY series, geo, sex, age, year, edition_date;
