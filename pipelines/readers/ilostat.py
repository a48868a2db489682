"""Reader for ILOSTAT CLD_XHAZ_SEX_AGE_ECO_NB_A, children in hazardous work (raw/ilostat/, SOURCES.md section 3).

One sheet: title lines (indicator name, definition, 'Downloaded from ILOSTAT. Last update on 06/07/2021', a spanning
'Children in hazardous work (thousands)'), then the header 'Reference area, Source, Sex, Age, Time, Total,
Agriculture, Industry, Services, Not classified' and one row per area x source x sex x age x year. A last column
without a header holds ILOSTAT's notes ('Notes\\n\\n<indicator>\\n-Repository: ...\\n-Data reference period: ...').

* 'ILO - Modelled Estimates' rows (2020): World and the ILO regions and subregions, by name. Staged with nature 'M'.
  The names are mapped to our codes (ILO_AFR, ILO_AFR_NAF, ...) by the 'ilostat' rows of metadata/geo_aliases.csv;
  the regions are described in metadata/regions.csv.
* Every other row is a national survey (2014-2020), nature 'C'; the survey name and notes go to the footnote, a
  'Data reference period' note to time_detail. Countries are given by ILOSTAT's English name (e.g. 'Tanzania,
  United Republic of', 'Viet Nam'), resolved by the geography harmoniser.
Staged value: the Total column (thousands; the economic-activity breakdown is not staged).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipelines.errors import RawDataError
from pipelines.readers.common import SEXES, find_file, map_codes, obs_frame, rel, to_number
from pipelines.readers.editions import edition
from pipelines.readers.xlsx import find_header_row, load_sheet, sheet_table, text

SERIES = "CLD_XHAZ_SEX_AGE_ECO_NB_A"
COLUMNS = ["Reference area", "Source", "Sex", "Age", "Time", "Total", "Agriculture", "Industry", "Services",
           "Not classified"]
NOTES = "_notes"  # the header-less notes column, found just right of the last named column
MODELLED = "ILO - Modelled Estimates"
REFERENCE_PERIOD = "Data reference period:"
BOILERPLATE_NOTES = ("Repository:",)  # on every survey row; not worth repeating in each footnote
AGE = re.compile(r"^(?:age[^:]*:\s*)?'?\s*(\d+)\s*-\s*(\d+)$", re.IGNORECASE)  # "'5-17", "12-14", "Age (...): 5-17"


def read_ilostat_hazardous(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Children in hazardous work (thousands): ILO modelled world/regional estimates 2020 and national surveys."""
    ed = edition("ilostat", "cld_xhaz_2021_07")
    path = find_file(raw_dir, ed["path"])
    label = rel(path, raw_dir)
    sheet, rows = load_sheet(path, label)
    header_row = find_header_row(rows, COLUMNS, label, sheet)
    df = sheet_table(rows, header_row, label, sheet, COLUMNS, keep_if="Total", extra=notes_column(rows, header_row))
    return {"observations": stage(df, label, sheet, ed)}


def notes_column(rows: list[list], header_row: int) -> dict[str, int]:
    """{NOTES: index} when the cell right of 'Not classified' has no header (ILOSTAT's notes column), else {}."""
    header = [str(c).strip() for c in rows[header_row - 1]]
    i = header.index("Not classified") + 1
    return {NOTES: i} if i >= len(header) or header[i] == "" else {}


def stage(df: pd.DataFrame, label: str, sheet: str, ed: dict) -> pd.DataFrame:
    r = df["_row"]
    source = text(df["Source"])
    modelled = source == MODELLED
    notes = [split_notes(n) for n in (text(df[NOTES]) if NOTES in df else [""] * len(df))]
    return obs_frame(pd.DataFrame({
        "series": SERIES,
        "geo_scheme": "name:ilostat",
        "geo_source_code": text(df["Reference area"]),
        "year": to_number(df["Time"], r, label, "Time", sheet).astype("int64"),
        "sex": map_codes(text(df["Sex"]).str.replace(r"^Sex:\s*", "", regex=True), SEXES, r, label, "Sex", sheet),
        "age": ages(df["Age"], r, label, sheet),
        "value": to_number(df["Total"], r, label, "Total", sheet),
        "unit": "thousands",
        "nature": modelled.map({True: "M", False: "C"}),
        "footnote": [None if m else "; ".join([s, *other]) for m, s, (_, other) in zip(modelled, source, notes)],
        "time_detail": [period for period, _ in notes],
        "source_id": "ilostat",
        "edition": ed["edition"],
        "edition_date": ed["edition_date"],
        "raw_file": label,
        "raw_sheet": sheet,
        "raw_row": r,
        "raw_column": "Total",
    }))


def ages(values: pd.Series, rows: pd.Series, label: str, sheet: str) -> list[str]:
    """ILOSTAT age labels ("'5-17" is stored with Excel's text apostrophe) -> '5-17'; anything else stops."""
    out = []
    for i, v in text(values).items():
        m = AGE.match(v)
        if not m:
            raise RawDataError(label, f"age '{v}' is not an age band like '5-17'", sheet=sheet, row=int(rows[i]),
                               column="Age")
        out.append(f"{int(m.group(1))}-{int(m.group(2))}")
    return out


def split_notes(note: str) -> tuple[str | None, list[str]]:
    """ILOSTAT's note cell -> (data reference period or None, other note items). Items are the '-' lines."""
    items = [line.strip()[1:].strip() for line in note.splitlines() if line.strip().startswith("-")]
    period = next((i for i in items if i.startswith(REFERENCE_PERIOD)), None)
    return period, [i for i in items if i != period and not i.startswith(BOILERPLATE_NOTES)]
