"""The real warehouse built from the real mirror: the published values a user sees through `sdg87 export`, what
`sdg87 status` lists, key uniqueness, row-level lineage back to the raw cell, and the Parquet marts.

Expected values are the checks in shared/data/SOURCES.md (sections 1b, 3 and 4a).
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import random
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import column_index_from_string

from pipelines.build import MARTS
from pipelines.config import parquet_dir
from tests.frames import one_value

REPO = Path(__file__).resolve().parents[1]
FAMILIES = ["un_sdg", "unicef_sowc", "ilostat", "walkfree_gsi", "unodc", "m49", "wpp", "published"]
UN_SDG_EDITIONS = {"UNSD 2019.Q1.G.02", "UN SDG database 2023-12 (Open Numbers DDF)"}
LINEAGE_SAMPLE, SEED = 30, 87
HEADER_SEARCH_ROWS = 20


def sdg87(*args, env: dict | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", *map(str, args)], cwd=REPO, capture_output=True,
                            text=True, timeout=120, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return result.stdout


def export(warehouse: Path, *filters: str) -> pd.DataFrame:
    """`sdg87 export observations …` as the user gets it (CSV on stdout), parsed."""
    out = sdg87("export", "observations", "--warehouse", warehouse, *filters)
    return pd.read_csv(io.StringIO(out), dtype={"raw_row": "Int64", "year": "int64"}, keep_default_na=False,
                       na_values={"value": [""], "lower": [""], "upper": [""]})


@pytest.fixture(scope="module")
def observations(warehouse) -> pd.DataFrame:
    """Every current observation, exported once."""
    return export(warehouse)


# ---- published values -----------------------------------------------------------------------------------------

def test_child_labour_world_and_sub_saharan_africa_2020(warehouse):
    df = export(warehouse, "--series", "SL_TLF_CHLDEC", "--geo", "WLD,M49_202", "--from", "2020", "--to", "2020")
    world = {sex: one_value(df, geo="WLD", sex=sex, age="5-17") for sex in ("total", "female", "male")}
    assert world == {"total": 9.6, "female": 7.8, "male": 11.2}
    assert one_value(df, geo="M49_202", sex="total", age="5-17") == 23.9


def test_global_slavery_index_2023(observations):
    gsi = observations[observations["source"] == "walkfree_gsi"]
    assert round(one_value(gsi, series="GSI_PREV", geo="PRK"), 1) == 104.6
    number = gsi[gsi["series"] == "GSI_NUM"]
    assert len(number) == 160 and number["geo"].is_unique
    assert number["value"].sum() == 49_630_000


def test_ilostat_world_hazardous_work_2020(observations):
    thousands = one_value(observations, series="CLD_XHAZ_SEX_AGE_ECO_NB_A", geo="WLD", year=2020, sex="total", age="5-17")
    assert thousands == pytest.approx(79_049, abs=0.5)


# ---- status, keys ---------------------------------------------------------------------------------------------

def test_status_lists_every_source_family_with_row_counts(warehouse):
    # A wide terminal: rich cuts table cells to the terminal width (80 columns when piped).
    out = sdg87("status", "--warehouse", warehouse, env={"COLUMNS": "250"})
    assert re.search(r"^build \S+ at ", out, re.M)
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines() if line.startswith("│")]
    by_family = defaultdict(list)
    for source, edition, _, n_obs, n_current, n_pop in rows:
        by_family[source].append((edition, int(n_obs.replace(",", "")), int(n_current.replace(",", "")),
                                  int(n_pop.replace(",", ""))))
    assert sorted(by_family) == sorted(FAMILIES)
    assert {e for e, *_ in by_family["un_sdg"]} == UN_SDG_EDITIONS
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = dict(con.execute("SELECT source, count(*) FROM observations GROUP BY source").fetchall())
    assert set(counts) == set(FAMILIES) - {"m49", "wpp"}
    for family, editions in by_family.items():
        assert sum(n for _, n, _, _ in editions) == counts.get(family, 0), family
        if family in counts:
            assert all(n > 0 and current > 0 for _, n, current, _ in editions), (family, editions)
    assert by_family["wpp"][0][3] > 0  # population rows


def test_no_duplicate_key_among_current_rows(warehouse, observations):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        dups = con.execute("""SELECT series, geo, year, sex, age, count(*) FROM observations WHERE is_current
                              GROUP BY ALL HAVING count(*) > 1 LIMIT 5""").fetchall()
        n_current = con.execute("SELECT count(*) FROM observations WHERE is_current").fetchone()[0]
    assert dups == []
    assert len(observations) == n_current
    assert not observations.duplicated(["series", "geo", "year", "sex", "age"]).any()


def test_declared_key_is_unique_and_the_warehouse_ships_no_working_tables(warehouse):
    """The observations key is declared in the warehouse catalogue and holds over every row (not only current ones);
    staging (stg_*) and intermediate (int_*) tables stay in the build's scratch file, which the build removes."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        comment = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'observations'").fetchone()[0]
        dups = con.execute("""SELECT series, geo, year, sex, age, source, edition, count(*) FROM observations
                              GROUP BY ALL HAVING count(*) > 1 LIMIT 5""").fetchall()
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    assert "key (series, geo, year, sex, age, source, edition)" in comment
    assert dups == []
    assert "observations" in tables and "progress" in tables
    assert [t for t in tables if t.startswith(("stg_", "int_"))] == []
    assert [p.name for p in warehouse.parent.iterdir() if ".building-" in p.name] == []


# ---- lineage --------------------------------------------------------------------------------------------------

def lineage_sample(observations: pd.DataFrame) -> pd.DataFrame:
    """A seeded sample, spread over source families and file types (so every reader's lineage is exercised)."""
    rng = random.Random(SEED)
    kind = observations["raw_file"].str.rsplit(".", n=1).str[-1]
    groups = [list(idx) for _, idx in observations.groupby([observations["source"], kind]).groups.items()]
    for g in groups:
        rng.shuffle(g)
    picked, i = [], 0
    while len(picked) < LINEAGE_SAMPLE:
        g = groups[i % len(groups)]
        if g:
            picked.append(g.pop())
        i += 1
    return observations.loc[picked]


def raw_path(raw_dir: Path, raw_file: str) -> Path:
    """Mirror files live under the raw dir; the curated table of published estimates is in the repository."""
    path = raw_dir / raw_file
    return path if path.exists() else REPO / raw_file


def xlsx_cells(path: Path, wanted: list[tuple[str, int, str]]) -> dict[tuple[str, int, str], object]:
    """{(sheet, row, column): cell value} read with openpyxl; column is an Excel letter or a header text."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {}
    try:
        for sheet in {s for s, _, _ in wanted}:
            here = [w for w in wanted if w[0] == sheet]
            last = max(HEADER_SEARCH_ROWS, max(r for _, r, _ in here))
            rows = {n: row for n, row in enumerate(wb[sheet].iter_rows(max_row=last, values_only=True), start=1)}
            for key in here:
                _, row, column = key
                if re.fullmatch(r"[A-Z]{1,3}", column):
                    index = column_index_from_string(column) - 1
                else:
                    index = next(c for n in range(1, HEADER_SEARCH_ROWS + 1) for c, v in enumerate(rows.get(n, ()))
                                 if v is not None and str(v).strip() == column)
                out[key] = rows[row][index]
    finally:
        wb.close()
    return out


def csv_cell(path: Path, row: int, column: str) -> str:
    """The cell on file line `row` under header `column` (line 1 is the header)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = next(csv.reader([lines[0]]))
    return next(csv.reader([lines[row - 1]]))[header.index(column)]


def test_lineage_of_sampled_observations_leads_to_the_raw_cell(warehouse, observations, raw_dir):
    sample = lineage_sample(observations)
    assert len(sample) == LINEAGE_SAMPLE and sample["source"].nunique() == 6
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [con.execute("""SELECT raw_column FROM observations WHERE is_current AND series = ? AND geo = ?
                                  AND year = ? AND sex = ? AND age = ? AND source = ? AND edition = ?""",
                               [r.series, r.geo, int(r.year), r.sex, r.age, r.source, r.edition]).fetchone()[0]
                   for r in sample.itertuples()]
    sample = sample.assign(raw_column=columns)
    checked = 0
    for raw_file, rows in sample.groupby("raw_file"):
        path = raw_path(raw_dir, raw_file)
        assert set(rows["raw_sha256"]) == {hashlib.sha256(path.read_bytes()).hexdigest()}, raw_file
        if raw_file.endswith(".xlsx"):
            keys = [(r.raw_sheet, int(r.raw_row), r.raw_column) for r in rows.itertuples()]
            cells = xlsx_cells(path, keys)
            raw_values = [cells[k] for k in keys]
        else:
            assert set(rows["raw_sheet"]) == {""}
            raw_values = [csv_cell(path, int(r.raw_row), r.raw_column) for r in rows.itertuples()]
        for r, cell in zip(rows.itertuples(), raw_values):
            where = f"{raw_file} sheet {r.raw_sheet!r} row {r.raw_row} column {r.raw_column!r}"
            assert cell is not None and str(cell).strip() != "", where
            assert float(str(cell).replace(" ", "")) == pytest.approx(r.value, rel=1e-12), where
            checked += 1
    assert checked == LINEAGE_SAMPLE


def test_parquet_marts_beside_the_warehouse(warehouse):
    folder = parquet_dir(warehouse)
    assert folder.parent == warehouse.parent
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for mart in MARTS:
            path = folder / f"{mart}.parquet"
            assert path.exists(), path
            n = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
            assert n == con.execute(f'SELECT count(*) FROM "{mart}"').fetchone()[0] > 0, mart
