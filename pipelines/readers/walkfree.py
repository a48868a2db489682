"""Reader for the Walk Free Global Slavery Index 2023 workbook (raw/walkfree_gsi/, SOURCES.md section 4a).

Sheet 'GSI 2023 summary data': a blank row and a title row ('Source: Walk Free 2023 ...' above the group labels
PREVALENCE / VULNERABILITY / GOVERNMENT RESPONSE), the header on row 3, then one row per country (180). Columns are
found by their header text. A blank cell means 'not assessed' and is not staged (20 countries have no prevalence or
vulnerability estimate; Afghanistan, South Sudan, Syria and Yemen have no government-response assessment).

Years, as the workbook states them:
* prevalence and number: modelled estimates for 2021 (built on the ILO/Walk Free/IOM 2021 Global Estimates);
* Population: UN WPP 2019 for **2020**, rounded to the nearest thousand (CONTENTS note 2). 2020 is checked, not
  assumed: the column equals WPP 2019's 2020 figures (India 1,380,004,000, China 1,439,324,000) and
  prevalence x Population reproduces the published numbers (North Korea 104.6 x 25,779 thousand = 2,696,000);
* vulnerability: 2021 - the 'Vulnerability codebook' inputs were accessed October-December 2021 (reference periods
  up to 2021);
* government response: 2022 - the 'Govt response framework' rates each indicator as at 31 August 2022 (evidence
  from 15 February 2019, some from 15 February 2014).
Countries are staged by the GSI's own names (geo_scheme 'name:walkfree_gsi', e.g. 'North Korea'); the Region column
(ILO regions) is staged as 'gsi_regions' for region memberships.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.readers.common import find_file, obs_frame, rel, to_number
from pipelines.readers.editions import edition
from pipelines.readers.xlsx import find_header_row, load_sheet, sheet_table, text

SHEET = "GSI 2023 summary data"
COUNTRY, REGION = "Country", "Region"
# timing key -> (year, nature, time_detail)
TIMING = {
    "estimate": (2021, "M", "modelled estimate for 2021"),
    "population": (2020, None, "UN WPP 2019 population for 2020, rounded to the nearest thousand, as used by GSI 2023"),
    "vulnerability": (2021, None, "vulnerability inputs accessed Oct-Dec 2021 (GSI 2023 Vulnerability codebook)"),
    "response": (2022, None, "government response as at 31 August 2022 (GSI 2023 Govt response framework)"),
}
# header text -> (series, unit, timing key)
SERIES = {
    "Population": ("GSI_POPULATION", "number", "population"),
    "Estimated prevalence of modern slavery per 1,000 population": ("GSI_PREV", "per_1000", "estimate"),
    "Estimated number of people in modern slavery": ("GSI_NUM", "number", "estimate"),
    "Governance issues": ("GSI_VULN_GOVERNANCE", "score_percent", "vulnerability"),
    "Lack of basic needs": ("GSI_VULN_BASIC_NEEDS", "score_percent", "vulnerability"),
    "Inequality": ("GSI_VULN_INEQUALITY", "score_percent", "vulnerability"),
    "Disenfranchised groups": ("GSI_VULN_DISENFRANCHISED", "score_percent", "vulnerability"),
    "Effects of conflict": ("GSI_VULN_CONFLICT", "score_percent", "vulnerability"),
    "Total Vulnerability score (%)": ("GSI_VULN_TOTAL", "score_percent", "vulnerability"),
    "Survivors of slavery are identified and supported to exit and remain out of modern slavery (%)":
        ("GSI_GOV_SURVIVORS", "score_percent", "response"),
    "Criminal justice mechanisms function effectively to prevent modern slavery (%)":
        ("GSI_GOV_CRIMINAL_JUSTICE", "score_percent", "response"),
    "Coordination occurs at the national and regional level and across borders, and governments are held to account "
    "for their response (%)": ("GSI_GOV_COORDINATION", "score_percent", "response"),
    "Risk factors, such as attitudes, social systems, and institutions that enable modern slavery are addressed (%)":
        ("GSI_GOV_RISK_FACTORS", "score_percent", "response"),
    "Government and business stop sourcing goods and services produced by forced labour (%)":
        ("GSI_GOV_SUPPLY_CHAINS", "score_percent", "response"),
    "Government response total (%)": ("GSI_GOV_TOTAL", "score_percent", "response"),
}


def read_gsi_2023(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """GSI 2023 country values (prevalence, number, population, vulnerability, government response) and regions."""
    ed = edition("walkfree_gsi", "gsi_2023")
    path = find_file(raw_dir, ed["path"])
    label = rel(path, raw_dir)
    sheet, rows = load_sheet(path, label, SHEET)
    columns = [COUNTRY, REGION, *SERIES]
    header_row = find_header_row(rows, columns, label, sheet)
    df = sheet_table(rows, header_row, label, sheet, columns, keep_if=COUNTRY)
    return {
        "observations": pd.concat([stage_column(df, col, label, sheet, ed) for col in SERIES], ignore_index=True),
        "gsi_regions": pd.DataFrame({"country_name": text(df[COUNTRY]), "region_name": text(df[REGION]),
                                     "raw_file": label, "raw_sheet": sheet, "raw_row": df["_row"]}),
    }


def stage_column(df: pd.DataFrame, column: str, label: str, sheet: str, ed: dict) -> pd.DataFrame:
    """One value column -> staged observations for the countries with a value (blank = not assessed)."""
    series, unit, timing = SERIES[column]
    year, nature, detail = TIMING[timing]
    values = to_number(df[column], df["_row"], label, column, sheet)
    df = df[values.notna()]
    return obs_frame(pd.DataFrame({
        "series": series,
        "geo_scheme": "name:walkfree_gsi",
        "geo_source_code": text(df[COUNTRY]),
        "year": year,
        "sex": "total",
        "age": "all",
        "value": values[values.notna()],
        "unit": unit,
        "nature": nature,
        "time_detail": detail,
        "source_id": "walkfree_gsi",
        "edition": ed["edition"],
        "edition_date": ed["edition_date"],
        "raw_file": label,
        "raw_sheet": sheet,
        "raw_row": df["_row"],
        "raw_column": column,
    }))
