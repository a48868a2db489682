"""The xlsx readers (UNSD 2019.Q1, ILOSTAT CLD_XHAZ, Walk Free GSI 2023) against the real mirror files.

Published values come from SOURCES.md sections 1a, 3 and 4a. Lineage tests reopen each sampled row's raw file with
openpyxl (an independent xlsx parser from the readers' python-calamine) at raw_sheet / raw_row / raw_column.
"""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines.config import GEO_ALIASES_CSV, REGIONS_CSV
from pipelines.errors import RawDataError
from pipelines.readers.common import OBS_COLUMNS
from pipelines.readers.ilostat import read_ilostat_hazardous
from pipelines.readers.un_sdg_xlsx import read_un_sdg_2019
from pipelines.readers.walkfree import read_gsi_2023
from tests.frames import one_value

GSI_PATH = "walkfree_gsi/2023-Global-Slavery-Index-Data.xlsx"
GSI_SHEET = "GSI 2023 summary data"


@pytest.fixture(scope="module")
def un_sdg(raw_dir):
    return read_un_sdg_2019(raw_dir)["observations"]


@pytest.fixture(scope="module")
def ilostat(raw_dir):
    return read_ilostat_hazardous(raw_dir)["observations"]


@pytest.fixture(scope="module")
def gsi(raw_dir):
    return read_gsi_2023(raw_dir)


# ---- UNSD 2019.Q1 -------------------------------------------------------------------------------------------------

def test_un_sdg_counts(un_sdg):
    assert list(un_sdg.columns) == OBS_COLUMNS
    dec = un_sdg[un_sdg["series"] == "SL_TLF_CHLDEC"]
    dea = un_sdg[un_sdg["series"] == "SL_TLF_CHLDEA"]
    assert len(dec) == 216 and dec["geo_source_code"].nunique() == 72
    assert (dec["year"].min(), dec["year"].max()) == (2010, 2016)
    assert len(dea) == 243 and dea["geo_source_code"].nunique() == 81
    assert dec["age"].value_counts().to_dict() == {"5-17": 123, "5-14": 87, "6-17": 3, "7-17": 3}
    assert set(un_sdg["sex"]) == {"total", "female", "male"}
    assert set(un_sdg["nature"]) == {"CA"} and set(un_sdg["unit"]) == {"percent"}
    assert set(un_sdg["geo_scheme"]) == {"m49"} and set(un_sdg["raw_sheet"]) == {"Sheet1"}
    assert un_sdg["footnote"].isna().all()  # no footnotes, and the source is the release-wide default
    assert not un_sdg.duplicated(["series", "geo_source_code", "year", "sex", "age"]).any()


def test_un_sdg_tanzania_2014_is_the_pre_revision_value(un_sdg):
    # SOURCES.md 1a: "23.7/24.8/24.3 here against 23.9/25.6/24.8 in 2023" (female / male / both sexes)
    tza = dict(geo_source_code="834", year=2014, series="SL_TLF_CHLDEC", age="5-17")
    assert one_value(un_sdg, **tza, sex="female") == 23.7
    assert one_value(un_sdg, **tza, sex="male") == 24.8
    assert one_value(un_sdg, **tza, sex="total") == 24.3


def test_un_sdg_lineage(un_sdg, raw_dir):
    sample = un_sdg.groupby("series").sample(n=8, random_state=1)
    check_lineage(sample, raw_dir, extra={"geoAreaCode": lambda row: int(row["geo_source_code"]),
                                          "timePeriod": lambda row: row["year"]})


# ---- ILOSTAT ------------------------------------------------------------------------------------------------------

def test_ilostat_counts_and_world_value(ilostat):
    assert list(ilostat.columns) == OBS_COLUMNS
    assert set(ilostat["series"]) == {"CLD_XHAZ_SEX_AGE_ECO_NB_A"} and set(ilostat["unit"]) == {"thousands"}
    assert (ilostat["nature"] == "M").sum() == 360 and (ilostat["nature"] == "C").sum() == 251
    world = one_value(ilostat, geo_source_code="World", year=2020, sex="total", age="5-17")
    assert world == pytest.approx(79049, abs=0.5)
    assert set(ilostat["age"]) == {"5-17", "5-11", "12-14", "15-17"}
    assert set(ilostat.loc[ilostat["nature"] == "M", "year"]) == {2020}
    assert ilostat.loc[ilostat["nature"] == "M", "footnote"].isna().all()
    surveys = ilostat[ilostat["nature"] == "C"]
    assert surveys["footnote"].notna().all()
    assert one_value(surveys, geo_source_code="Afghanistan", year=2014, sex="total", age="5-17") == 386.846
    assert "Second quarter" in set(surveys["time_detail"].dropna().str.replace("Data reference period: ", ""))
    assert not ilostat.duplicated(["geo_source_code", "year", "sex", "age"]).any()


def test_ilostat_regions_have_codes(ilostat):
    """Every modelled-estimate area other than World is an ILO (sub)region aliased to a code in regions.csv."""
    with open(GEO_ALIASES_CSV, encoding="utf-8") as fh:
        aliases = {r["name"]: r["geo"] for r in csv.DictReader(fh) if r["source"] == "ilostat"}
    with open(REGIONS_CSV, encoding="utf-8") as fh:
        regions = {r["geo"]: r for r in csv.DictReader(fh)}
    names = set(ilostat.loc[ilostat["nature"] == "M", "geo_source_code"]) - {"World"}
    assert len(names) == 29
    for name in names:
        assert name in aliases, f"ILOSTAT region '{name}' has no 'ilostat' alias in geo_aliases.csv"
        assert regions[aliases[name]]["scheme"] in ("ilo_region", "ilo_subregion")
    assert sum(r["scheme"] == "ilo_subregion" for r in regions.values()) >= 24


ILO_TREE = {  # the ILO region hierarchy documented in regions.csv: parent -> children
    "World": ["Africa", "Americas", "Arab States", "Asia and the Pacific", "Europe and Central Asia"],
    "Africa": ["Northern Africa", "Sub-Saharan Africa"],
    "Sub-Saharan Africa": ["Central Africa", "Eastern Africa", "Southern Africa", "Western Africa"],
    "Americas": ["Latin America and the Caribbean", "Northern America"],
    "Latin America and the Caribbean": ["Caribbean", "Central America", "South America"],
    "Asia and the Pacific": ["Eastern Asia", "South-Eastern Asia and the Pacific", "Southern Asia"],
    "South-Eastern Asia and the Pacific": ["South-Eastern Asia", "Pacific Islands"],
    "Europe and Central Asia": ["Northern, Southern and Western Europe", "Eastern Europe", "Central and Western Asia"],
    "Northern, Southern and Western Europe": ["Northern Europe", "Southern Europe", "Western Europe"],
    "Central and Western Asia": ["Central Asia", "Western Asia"],
}


def test_ilostat_region_hierarchy_adds_up(ilostat):
    """Each ILO region or broad subregion is the sum of its parts (checks the parent codes given in regions.csv)."""
    modelled = ilostat[ilostat["nature"] == "M"].set_index(["geo_source_code", "sex", "age"])["value"]
    with open(REGIONS_CSV, encoding="utf-8") as fh:
        notes = {r["name"].removesuffix(" (ILO subregion)"): r["notes"] for r in csv.DictReader(fh)
                 if r["scheme"] == "ilo_subregion"}
    for parent, children in ILO_TREE.items():
        for sex in ("total", "male", "female"):
            for age in ("5-17", "5-11", "12-14", "15-17"):
                total = sum(modelled[(c, sex, age)] for c in children)
                assert total == pytest.approx(modelled[(parent, sex, age)], abs=0.01), (parent, sex, age)
        for child in children:
            assert parent == "World" or f"within {parent} (ILO_" in notes[child]


def test_ilostat_lineage(ilostat, raw_dir):
    sample = pd.concat([ilostat[ilostat["nature"] == "M"].sample(n=6, random_state=2),
                        ilostat[ilostat["nature"] == "C"].sample(n=6, random_state=2)])
    check_lineage(sample, raw_dir, extra={"Reference area": lambda row: row["geo_source_code"],
                                          "Time": lambda row: row["year"]})


# ---- Walk Free GSI 2023 ------------------------------------------------------------------------------------------

def test_gsi_published_values(gsi):
    obs = gsi["observations"]
    assert list(obs.columns) == OBS_COLUMNS
    prev = obs[obs["series"] == "GSI_PREV"]
    assert round(one_value(prev, geo_source_code="North Korea"), 1) == 104.6
    assert round(one_value(prev, geo_source_code="Eritrea"), 1) == 90.3
    assert round(one_value(prev, geo_source_code="Mauritania"), 1) == 32.0
    assert one_value(obs[obs["series"] == "GSI_NUM"], geo_source_code="North Korea") == 2_696_000
    assert obs.loc[obs["series"] == "GSI_NUM", "value"].sum() == 49_630_000
    counts = obs["series"].value_counts()
    assert counts["GSI_PREV"] == counts["GSI_NUM"] == counts["GSI_VULN_TOTAL"] == 160
    assert counts["GSI_GOV_TOTAL"] == 176 and counts["GSI_POPULATION"] == 180
    assert len(counts) == 15
    no_response = set(obs["geo_source_code"]) - set(obs.loc[obs["series"] == "GSI_GOV_TOTAL", "geo_source_code"])
    assert no_response == {"Afghanistan", "South Sudan", "Syria", "Yemen"}


def test_gsi_years_units_and_nature(gsi):
    obs = gsi["observations"]
    by = obs.groupby("series").agg(year=("year", "unique"), unit=("unit", "unique"), nature=("nature", "unique"))
    assert list(by.loc["GSI_PREV", "year"]) == [2021] and list(by.loc["GSI_PREV", "unit"]) == ["per_1000"]
    assert list(by.loc["GSI_NUM", "nature"]) == ["M"]
    assert list(by.loc["GSI_POPULATION", "year"]) == [2020]  # WPP 2019 figures for 2020 (see walkfree.py)
    assert list(by.loc["GSI_VULN_TOTAL", "year"]) == [2021] and list(by.loc["GSI_GOV_TOTAL", "year"]) == [2022]
    assert obs.loc[obs["series"].str.startswith(("GSI_VULN", "GSI_GOV")), "unit"].eq("score_percent").all()
    assert obs.loc[obs["series"].str.startswith(("GSI_VULN", "GSI_GOV")), "nature"].isna().all()
    assert set(obs["sex"]) == {"total"} and set(obs["age"]) == {"all"}
    assert set(obs["geo_scheme"]) == {"name:walkfree_gsi"} and obs["time_detail"].notna().all()


def test_gsi_regions(gsi):
    regions = gsi["gsi_regions"]
    assert list(regions.columns) == ["country_name", "region_name", "raw_file", "raw_sheet", "raw_row"]
    assert len(regions) == 180 and regions["country_name"].is_unique
    assert set(regions["region_name"]) == {"Africa", "Americas", "Arab States", "Asia and the Pacific",
                                           "Europe and Central Asia"}
    assert regions.loc[regions["country_name"] == "North Korea", "region_name"].item() == "Asia and the Pacific"


def test_gsi_lineage(gsi, raw_dir):
    obs = gsi["observations"]
    sample = obs.groupby("series").sample(n=2, random_state=3)
    check_lineage(sample, raw_dir, extra={"Country": lambda row: row["geo_source_code"]})
    regions = gsi["gsi_regions"].sample(n=5, random_state=3)
    ws = openpyxl.load_workbook(raw_dir / GSI_PATH, read_only=True)[GSI_SHEET]
    rows = {i: r for i, r in enumerate(ws.iter_rows(values_only=True), start=1)}
    header = list(rows[3])
    for _, reg in regions.iterrows():
        assert rows[reg["raw_row"]][header.index("Country")] == reg["country_name"]
        assert rows[reg["raw_row"]][header.index("Region")] == reg["region_name"]


# ---- failures name the file, sheet, row and column ------------------------------------------------------------------

def gsi_copy(tmp_path: Path, raw_dir: Path, edit) -> Path:
    """A mirror holding only an edited copy of the GSI workbook (title rows, header and five countries)."""
    src = raw_dir / GSI_PATH
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = GSI_SHEET
    for row in openpyxl.load_workbook(src, read_only=True)[GSI_SHEET].iter_rows(max_row=8, values_only=True):
        ws.append(list(row))
    edit(wb, wb[GSI_SHEET])
    (tmp_path / "walkfree_gsi").mkdir()
    wb.save(tmp_path / GSI_PATH)
    return tmp_path


def test_missing_sheet_names_the_sheets_present(tmp_path, raw_dir):
    mirror = gsi_copy(tmp_path, raw_dir, lambda wb, ws: setattr(ws, "title", "Summary"))
    with pytest.raises(RawDataError, match=r"sheet 'GSI 2023 summary data' is missing \(sheets present: Summary\)"):
        read_gsi_2023(mirror)


def test_missing_column_names_header_row(tmp_path, raw_dir):
    mirror = gsi_copy(tmp_path, raw_dir, lambda wb, ws: setattr(ws.cell(row=3, column=3), "value", "ILO region"))
    with pytest.raises(RawDataError) as err:
        read_gsi_2023(mirror)
    assert (err.value.sheet, err.value.row, err.value.column) == (GSI_SHEET, 3, "Region")


def test_non_numeric_value_names_row_and_column(tmp_path, raw_dir):
    mirror = gsi_copy(tmp_path, raw_dir, lambda wb, ws: setattr(ws.cell(row=6, column=4), "value", "n/a"))
    with pytest.raises(RawDataError) as err:
        read_gsi_2023(mirror)
    assert (err.value.sheet, err.value.row) == (GSI_SHEET, 6)
    assert err.value.column == "Estimated prevalence of modern slavery per 1,000 population"
    assert "'n/a' is not a number" in str(err.value)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"Country,Population\n"])
def test_unreadable_workbook(tmp_path, content):
    (tmp_path / "walkfree_gsi").mkdir()
    (tmp_path / GSI_PATH).write_bytes(content)
    with pytest.raises(RawDataError, match=r"walkfree_gsi/2023-Global-Slavery-Index-Data.xlsx: .*not a readable xlsx"):
        read_gsi_2023(tmp_path)


def test_truncated_copy_of_real_file(tmp_path, raw_dir):
    data = (raw_dir / "ilostat" / "CLD_XHAZ_SEX_AGE_ECO_NB_A_EN.xlsx").read_bytes()
    (tmp_path / "ilostat").mkdir()
    (tmp_path / "ilostat" / "CLD_XHAZ_SEX_AGE_ECO_NB_A_EN.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(RawDataError, match="CLD_XHAZ_SEX_AGE_ECO_NB_A_EN.xlsx: not a readable xlsx"):
        read_ilostat_hazardous(tmp_path)


def test_ilostat_bad_age_is_reported(tmp_path, raw_dir):
    src = raw_dir / "ilostat" / "CLD_XHAZ_SEX_AGE_ECO_NB_A_EN.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "CLD_XHAZ"
    for row in openpyxl.load_workbook(src, read_only=True).active.iter_rows(max_row=9, values_only=True):
        ws.append(list(row))
    ws.cell(row=8, column=4).value = "5 to 11"
    (tmp_path / "ilostat").mkdir()
    wb.save(tmp_path / "ilostat" / "CLD_XHAZ_SEX_AGE_ECO_NB_A_EN.xlsx")
    with pytest.raises(RawDataError) as err:
        read_ilostat_hazardous(tmp_path)
    assert (err.value.sheet, err.value.row, err.value.column) == ("CLD_XHAZ", 8, "Age")


# ---- helpers ------------------------------------------------------------------------------------------------------

def check_lineage(sample: pd.DataFrame, raw_dir: Path, extra: dict | None = None) -> None:
    """Open each sampled row's raw file with openpyxl: the cell at raw_sheet/raw_row/raw_column is the staged value
    (and `extra` columns match the staged fields they were read into)."""
    assert len(sample) > 0
    for (path, sheet), group in sample.groupby(["raw_file", "raw_sheet"]):
        wb = openpyxl.load_workbook(Path(raw_dir) / path, read_only=True)
        wanted = set(group["raw_row"])
        rows, header = {}, None
        for i, row in enumerate(wb[sheet].iter_rows(values_only=True), start=1):
            cells = [str(c).strip() if c is not None else "" for c in row]
            if header is None and set(group["raw_column"]) <= set(cells):
                header = cells
            if i in wanted:
                rows[i] = row
            if header is not None and len(rows) == len(wanted):
                break
        wb.close()
        assert header is not None, f"{path}: header with {set(group['raw_column'])} not found"
        for _, obs in group.iterrows():
            row = rows[obs["raw_row"]]
            cell = row[header.index(obs["raw_column"])]
            assert cell is not None, f"{path} {sheet} row {obs['raw_row']}: cell in '{obs['raw_column']}' is empty"
            assert float(cell) == obs["value"], f"{path} {sheet} row {obs['raw_row']}: {cell!r} != {obs['value']}"
            for col, expected in (extra or {}).items():
                got = row[header.index(col)]
                want = expected(obs)
                assert (float(got) if isinstance(want, int) else str(got).strip()) == want, \
                    f"{path} {sheet} row {obs['raw_row']} column {col}: {got!r} != {want!r}"
