"""Readers for the official formats the live fetchers save (pipelines/fetch/sources.py).

One reader per format, each returning a staging frame (pipelines/readers/common.py):

- UN SDG API series JSON (one page per file)       -> observations, source_id 'un_sdg_api'
- UNICEF SDMX-CSV (labels=id, or labels=both)      -> observations, source_id 'unicef_sdmx'
- ILOSTAT bulk indicator CSV (gzipped or plain)    -> observations, source_id 'ilostat_bulk'
- WPP 2022 CSV inside a zip                        -> population,   source_id 'un_wpp'

The Walk Free workbook fetched live is the mirror's format and is read by the Walk Free reader.
Edition is taken from the ``live_YYYY-MM-DD`` folder the fetcher writes ('live 2026-11-24'), unless given.
Lineage: ``raw_row`` is the CSV line (header = line 1, quoted line breaks counted) or, for JSON, the
1-based position of the record in the file's ``data`` list; for WPP, ``raw_sheet`` is the zip member.
"""
from __future__ import annotations

import json
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.errors import RawDataError
from pipelines.readers.common import SEXES, map_codes, obs_frame, pop_frame, rel, require_columns, to_number

LIVE_FOLDER = re.compile(r"live_(\d{4}-\d{2}-\d{2})")
MANIFEST_NAME = "MANIFEST.json"

SEX_CODES = {**SEXES, "notspec": "unknown", "_x": "unknown", "x": "unknown",
             "sex_t": "total", "sex_f": "female", "sex_m": "male", "sex_o": "other"}
UNIT_CODES = {"percent": "percent", "pcnt": "percent", "pct": "percent", "pc": "percent",
              "number": "number", "num": "number", "nr": "number", "persons": "number",
              "num_th": "thousands", "thousands": "thousands", "th": "thousands",
              "per_1000": "per_1000", "per_1000_pop": "per_1000",
              "per_100000": "per_100000", "per_100000_pop": "per_100000"}
# ILOSTAT bulk files carry no unit column: the unit is part of the indicator definition.
ILOSTAT_UNITS = {"CLD_XHAZ_SEX_AGE_ECO_NB_A": "thousands"}
ILOSTAT_SUFFIX_UNITS = {"NB": "thousands", "RT": "percent"}  # ILOSTAT convention: _NB_ counts in thousands


# --- entry points ----------------------------------------------------------------------------

def read_sdg_api_json(path: Path, raw_dir: Path, *, edition: str | None = None,
                      edition_date: str | None = None) -> pd.DataFrame:
    """One saved page of GET /v1/sdg/Series/Data -> observations (one row per non-empty value)."""
    label = rel(path, raw_dir)
    edition, edition_date = _edition(path, label, edition, edition_date)
    df = _sdg_records(_sdg_data(path, label), label)
    df = df[~df["value"].str.lower().isin(["", "nan"])]
    return obs_frame(pd.DataFrame({
        "series": df["series"],
        "geo_scheme": "m49",
        "geo_source_code": df["geoAreaCode"],
        "year": _years(df["timePeriodStart"], df["_row"], label, "timePeriodStart"),
        "sex": _sexes(df["Sex"], df["_row"], label, "dimensions.Sex"),
        "age": _ages(df["Age"], df["_row"], label, "dimensions.Age"),
        "value": to_number(df["value"], df["_row"], label, "value"),
        "unit": map_codes(df["Units"], UNIT_CODES, df["_row"], label, "attributes.Units"),
        "nature": _blank_to_none(df["Nature"].str.upper()),
        "lower": to_number(df["lowerBound"], df["_row"], label, "lowerBound"),
        "upper": to_number(df["upperBound"], df["_row"], label, "upperBound"),
        "footnote": _join_notes(df["footnotes"], _labelled("Source: ", df["source"])),
        "time_detail": _blank_to_none(df["time_detail"]),
        "source_id": "un_sdg_api", "edition": edition, "edition_date": edition_date,
        "raw_file": label, "raw_row": df["_row"], "raw_column": "value"}))


def read_unicef_sdmx_csv(path: Path, raw_dir: Path, *, edition: str | None = None,
                         edition_date: str | None = None) -> pd.DataFrame:
    """UNICEF SDMX-CSV (one observation per line) -> observations."""
    label = rel(path, raw_dir)
    edition, edition_date = _edition(path, label, edition, edition_date)
    df = _sdmx_codes(_read_csv(path, label))
    require_columns(df.columns, ["REF_AREA", "INDICATOR", "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"], label)
    df = df[df["OBS_VALUE"].str.strip() != ""]
    col = lambda name: df[name] if name in df.columns else pd.Series("", index=df.index, dtype="str")  # noqa: E731
    return obs_frame(pd.DataFrame({
        "series": df["INDICATOR"],
        "geo_scheme": _geo_schemes(df["REF_AREA"], "unicef_sdmx"),
        "geo_source_code": df["REF_AREA"],
        "year": _years(df["TIME_PERIOD"], df["_row"], label, "TIME_PERIOD"),
        "sex": _sexes(col("SEX"), df["_row"], label, "SEX"),
        "age": _ages(col("AGE"), df["_row"], label, "AGE", fallback=df["INDICATOR"].map(_age_in_code)),
        "value": to_number(df["OBS_VALUE"], df["_row"], label, "OBS_VALUE"),
        "unit": _sdmx_units(df["UNIT_MEASURE"], col("UNIT_MULTIPLIER"), df["_row"], label),
        "lower": to_number(col("LOWER_BOUND"), df["_row"], label, "LOWER_BOUND"),
        "upper": to_number(col("UPPER_BOUND"), df["_row"], label, "UPPER_BOUND"),
        "footnote": _join_notes(col("OBS_FOOTNOTE"), col("SERIES_FOOTNOTE"),
                                _labelled("Data source: ", col("DATA_SOURCE"))),
        "time_detail": df["TIME_PERIOD"],
        "source_id": "unicef_sdmx", "edition": edition, "edition_date": edition_date,
        "raw_file": label, "raw_row": df["_row"], "raw_column": "OBS_VALUE"}))


def read_ilostat_bulk_csv(path: Path, raw_dir: Path, *, edition: str | None = None,
                          edition_date: str | None = None) -> pd.DataFrame:
    """ILOSTAT bulk indicator file (.csv.gz or .csv) -> observations.

    The contract has no column for breakdowns other than sex and age, so only rows whose other
    classifications (e.g. economic activity) are totals are kept, one per area/source/sex/age/time.
    """
    label = rel(path, raw_dir)
    edition, edition_date = _edition(path, label, edition, edition_date)
    df = _read_csv(path, label, compression="gzip" if _is_gzip(path) else None)
    require_columns(df.columns, ["ref_area", "indicator", "sex", "time", "obs_value"], label)
    df = _ilostat_totals(df[df["obs_value"].str.strip() != ""])
    return obs_frame(pd.DataFrame({
        "series": df["indicator"],
        "geo_scheme": _geo_schemes(df["ref_area"], "ilostat_bulk"),
        "geo_source_code": df["ref_area"],
        "year": _years(df["time"], df["_row"], label, "time"),
        "sex": _sexes(df["sex"], df["_row"], label, "sex"),
        "age": _ages(df["_age"], df["_row"], label, df["_age_column"]),
        "value": to_number(df["obs_value"], df["_row"], label, "obs_value"),
        "unit": _ilostat_units(df["indicator"], df["_row"], label),
        "footnote": _join_notes(*(_labelled(f"{c}: ", _opt(df, c)) for c in
                                  ("source", "obs_status", "note_classif", "note_indicator", "note_source"))),
        "time_detail": df["time"],
        "source_id": "ilostat_bulk", "edition": edition, "edition_date": edition_date,
        "raw_file": label, "raw_row": df["_row"], "raw_column": "obs_value"}))


def read_wpp_csv_zip(path: Path, raw_dir: Path, *, edition: str | None = None) -> pd.DataFrame:
    """WPP 2022 population by five-year age group (zip of CSV) -> population (thousands)."""
    label = rel(path, raw_dir)
    edition, _ = _edition(path, label, edition, "")
    return pd.concat([_wpp_member(frame, label, member, edition) for member, frame in _zip_csvs(path, label)],
                     ignore_index=True)


READERS = {"un_sdg_api": read_sdg_api_json, "unicef_sdmx": read_unicef_sdmx_csv,
           "ilostat_bulk": read_ilostat_bulk_csv, "un_wpp": read_wpp_csv_zip}


def read_live_folder(folder: Path, raw_dir: Path) -> pd.DataFrame:
    """Every file listed in a live folder's MANIFEST.json, read with its source's reader.

    The source is the folder's parent name (``<raw_dir>/<source>/live_<date>``). Only files the
    manifest lists (complete downloads) are read.
    """
    folder = Path(folder)
    reader = READERS.get(folder.parent.name)
    if reader is None:
        raise RawDataError(rel(folder, raw_dir), f"no live-format reader for source '{folder.parent.name}' "
                                                 f"(known: {', '.join(READERS)})")
    manifest = folder / MANIFEST_NAME
    if not manifest.exists():
        raise RawDataError(rel(manifest, raw_dir), "manifest missing: the folder holds no complete fetch")
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    return pd.concat([reader(folder / e["file"], raw_dir) for e in entries], ignore_index=True)


# --- UN SDG API JSON -------------------------------------------------------------------------

SDG_REQUIRED = ("geoAreaCode", "timePeriodStart", "value")


def _sdg_data(path: Path, label: str) -> list:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RawDataError(label, f"not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise RawDataError(label, "not an SDG API series response: no 'data' list", column="data")
    return doc["data"]


def _sdg_records(data: list, label: str) -> pd.DataFrame:
    """Flatten records to text columns; a record missing a required field stops the read."""
    rows = []
    for i, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            raise RawDataError(label, "record is not a JSON object", row=i)
        for key in SDG_REQUIRED + (("series",) if "seriesCode" not in rec else ()):
            if key not in rec:
                raise RawDataError(label, f"record has no '{key}'", row=i, column=key)
        dims, attrs = rec.get("dimensions") or {}, rec.get("attributes") or {}
        if not attrs.get("Units"):
            raise RawDataError(label, "record has no unit", row=i, column="attributes.Units")
        rows.append({"series": rec.get("series") or rec.get("seriesCode"), "geoAreaCode": rec["geoAreaCode"],
                     "timePeriodStart": rec["timePeriodStart"], "value": rec["value"],
                     "lowerBound": rec.get("lowerBound"), "upperBound": rec.get("upperBound"),
                     "Sex": dims.get("Sex"), "Age": dims.get("Age"), "Units": attrs.get("Units"),
                     "Nature": attrs.get("Nature"), "footnotes": _text(rec.get("footnotes")),
                     "source": rec.get("source"), "time_detail": rec.get("time_detail"), "_row": i})
    columns = ["series", "geoAreaCode", "timePeriodStart", "value", "lowerBound", "upperBound", "Sex", "Age",
               "Units", "Nature", "footnotes", "source", "time_detail"]
    df = pd.DataFrame(rows, columns=columns + ["_row"])
    df[columns] = df[columns].map(_text).astype("str")
    return df


def _text(value) -> str:
    """JSON scalar or list -> text ('' for null; numbers without a spurious '.0')."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, list):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- UNICEF SDMX-CSV -------------------------------------------------------------------------

SDMX_CODE_COLUMNS = ("REF_AREA", "INDICATOR", "SEX", "AGE", "UNIT_MEASURE", "UNIT_MULTIPLIER")


def _sdmx_codes(df: pd.DataFrame) -> pd.DataFrame:
    """labels=both gives headers 'REF_AREA:Geographic area' and cells 'AFG: Afghanistan'; keep the ids."""
    df = df.rename(columns=lambda c: c if c == "_row" else c.split(":", 1)[0].strip())
    for col in SDMX_CODE_COLUMNS:
        if col in df.columns:
            df[col] = df[col].str.split(":", n=1).str[0].str.strip()
    return df


def _sdmx_units(units: pd.Series, multipliers: pd.Series, rows: pd.Series, label: str) -> pd.Series:
    """UNIT_MEASURE code, scaled by UNIT_MULTIPLIER (0/blank = as is, 3 = thousands of a number)."""
    unit = map_codes(units, UNIT_CODES, rows, label, "UNIT_MEASURE")
    mult = multipliers.str.strip().replace("", "0")
    thousands = (mult == "3") & (unit == "number")
    bad = ~mult.isin(["0"]) & ~thousands
    if bad.any():
        i = bad[bad].index[0]
        raise RawDataError(label, f"unit multiplier '{multipliers[i]}' for unit '{units[i]}' is not supported",
                           row=int(rows[i]), column="UNIT_MULTIPLIER")
    return unit.where(~thousands, "thousands")


# --- ILOSTAT bulk CSV ------------------------------------------------------------------------

def _ilostat_totals(df: pd.DataFrame) -> pd.DataFrame:
    """Keep rows whose non-age classifications are totals; note which column holds the age."""
    df = df.copy()
    df["_age"], df["_age_column"] = "", "classif1"
    keep = pd.Series(True, index=df.index)
    for col in ("classif1", "classif2"):
        if col not in df.columns:
            continue
        codes = df[col].str.strip()
        is_age = codes.str.upper().str.startswith("AGE_")
        df.loc[is_age, "_age"], df.loc[is_age, "_age_column"] = codes[is_age], col
        keep &= is_age | (codes == "") | codes.str.upper().str.endswith("_TOTAL")
    key = [c for c in ("ref_area", "source", "indicator", "sex", "_age", "time") if c in df.columns]
    return df[keep].drop_duplicates(subset=key, keep="first")


def _ilostat_units(indicators: pd.Series, rows: pd.Series, label: str) -> pd.Series:
    def unit(code: str) -> str | None:
        if code in ILOSTAT_UNITS:
            return ILOSTAT_UNITS[code]
        parts = code.split("_")
        return ILOSTAT_SUFFIX_UNITS.get(parts[-2]) if len(parts) >= 2 else None
    out = indicators.map(unit)
    bad = out.isna()
    if bad.any():
        i = bad[bad].index[0]
        raise RawDataError(label, f"unit of ILOSTAT indicator '{indicators[i]}' is not known "
                                  "(add it to ILOSTAT_UNITS)", row=int(rows[i]), column="indicator")
    return out


# --- WPP 2022 CSV in zip ---------------------------------------------------------------------

def _zip_csvs(path: Path, label: str):
    """(member name, frame) for every CSV in the zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if m.lower().endswith(".csv")]
            if not members:
                raise RawDataError(label, f"zip holds no CSV file (members: {', '.join(zf.namelist()[:10])})")
            for member in members:
                with zf.open(member) as fh:
                    yield member, _read_csv(fh, label, sheet=member)
    except zipfile.BadZipFile as exc:
        raise RawDataError(label, f"not a valid zip file: {exc}") from exc


def _wpp_member(df: pd.DataFrame, label: str, member: str, edition: str) -> pd.DataFrame:
    require_columns(df.columns, ["LocID", "Time", "AgeGrp", "PopTotal"], label, sheet=member)
    df = df[df["PopTotal"].str.strip() != ""]
    return pop_frame(pd.DataFrame({
        "geo_scheme": "m49", "geo_source_code": df["LocID"].str.strip(),
        "year": _years(df["Time"], df["_row"], label, "Time", sheet=member),
        "age": df["AgeGrp"].str.strip(),
        "population_thousands": to_number(df["PopTotal"], df["_row"], label, "PopTotal", sheet=member),
        "source_id": "un_wpp", "edition": edition,
        "raw_file": label, "raw_sheet": member, "raw_row": df["_row"]}))


# --- shared helpers --------------------------------------------------------------------------

def _read_csv(source, label: str, *, compression: str | None = None, sheet: str | None = None) -> pd.DataFrame:
    """All cells as text plus ``_row``, the file line where the record starts (header = line 1).

    Blank lines are kept while numbering (then dropped) and line breaks inside quoted cells are
    counted, so ``_row`` is the line a person sees in a text editor.
    """
    try:
        df = pd.read_csv(source, dtype=str, keep_default_na=False, skip_blank_lines=False,
                         encoding="utf-8-sig", compression=compression)
    except UnicodeDecodeError as exc:
        raise RawDataError(label, f"cannot decode as UTF-8: {exc.reason} at byte {exc.start}", sheet=sheet) from exc
    except pd.errors.EmptyDataError as exc:
        raise RawDataError(label, "file is empty (no header row)", sheet=sheet, row=1) from exc
    except (pd.errors.ParserError, OSError, EOFError, zlib.error) as exc:
        raise RawDataError(label, f"not a readable CSV: {exc}", sheet=sheet) from exc
    df.columns = [str(c).lstrip("\ufeff").strip() for c in df.columns]
    breaks = sum((df[c].str.count("\n").to_numpy() for c in df.columns), np.zeros(len(df), dtype="int64"))
    df["_row"] = 2 + np.arange(len(df)) + np.concatenate([[0], np.cumsum(breaks)[:-1]]).astype("int64")
    blank = (df.drop(columns="_row") == "").all(axis=1) if len(df.columns) > 1 else df.iloc[:, 0] == ""
    return df[~blank]


def _edition(path: Path, label: str, edition: str | None, edition_date: str | None) -> tuple[str, str]:
    """Edition name and date: as given, else from the ``live_YYYY-MM-DD`` folder the file sits in."""
    if edition and edition_date is not None:
        return edition, edition_date
    m = LIVE_FOLDER.fullmatch(Path(path).parent.name)
    if not m:
        raise RawDataError(label, "cannot tell the edition: the file is not in a live_YYYY-MM-DD folder "
                                  "(pass edition= and edition_date=)")
    return edition or f"live {m.group(1)}", edition_date if edition_date is not None else m.group(1)


def _years(values: pd.Series, rows: pd.Series, label: str, column: str, sheet: str | None = None) -> pd.Series:
    """Year from '2019', '2019.0', '2015-2019' (first year) or '2019Q1'; anything else stops the read."""
    text = values.astype("str").str.strip()
    year = text.str.extract(r"^(\d{4})(?:\.0+|-\d{4}|[QM]\d{1,2}|-\d{2})?$", expand=False)
    bad = year.isna()
    if bad.any():
        i = bad[bad].index[0]
        raise RawDataError(label, f"'{values[i]}' is not a year", sheet=sheet, row=int(rows[i]), column=column)
    return year.astype("int64")


def _sexes(values: pd.Series, rows: pd.Series, label: str, column: str) -> pd.Series:
    """Sex codes of any of the three publishers; no sex breakdown means total."""
    return map_codes(values.str.strip().replace("", "_T"), SEX_CODES, rows, label, column)


def _ages(values: pd.Series, rows: pd.Series, label: str, column: str | pd.Series,
          fallback: pd.Series | None = None) -> pd.Series:
    """Age codes -> '5-17', '18+', '<18', 'all', 'unknown'; a total (or no breakdown) takes ``fallback``."""
    out = values.map(age_label)
    if fallback is not None:
        out = out.where(out != "all", fallback.fillna("all"))
    bad = out.isna()
    if bad.any():
        i = bad[bad].index[0]
        raise RawDataError(label, f"unknown age code '{values[i]}'", row=int(rows[i]),
                           column=column if isinstance(column, str) else column[i])
    return out.astype("str")


def age_label(code: str) -> str | None:
    """'5-17', 'Y5T17', 'AGE_CHILD_Y05-17' -> '5-17'; '18+', 'Y_GE18' -> '18+'; '<18Y', 'Y_LT18' -> '<18';
    'ALLAGE', '_T', '', 'AGE_..._TOTAL' -> 'all'; '_U' -> 'unknown'; anything else -> None."""
    c = re.sub(r"^AGE_[A-Z0-9]+_", "", str(code).strip().upper().replace(" ", ""))
    if c in ("", "_T", "ALLAGE", "ALL", "TOTAL", "_Z"):
        return "all"
    if c in ("_U", "U", "UNKNOWN", "NOTSPEC", "_X"):
        return "unknown"
    for pattern, fmt in ((r"Y?0*(\d+)(?:-|T|_|TO)Y?0*(\d+)Y?", "{}-{}"), (r"(?:Y_?)?GE0*(\d+)", "{}+"),
                         (r"0*(\d+)Y?\+", "{}+"), (r"<0*(\d+)Y?", "<{}"), (r"(?:Y_?)?LT0*(\d+)Y?", "<{}"),
                         (r"0*(\d+)", "{}+")):
        m = re.fullmatch(pattern, c)
        if m:
            return fmt.format(*m.groups())
    return None


def _age_in_code(indicator: str) -> str:
    """The age range written into an indicator code ('PT_CHLD_5-17_LBR_ECON' -> '5-17'), else 'all'."""
    m = re.search(r"_(\d+)-(\d+)(?:_|$)", str(indicator))
    return f"{m.group(1)}-{m.group(2)}" if m else "all"


def _geo_schemes(codes: pd.Series, source_id: str) -> pd.Series:
    """ISO alpha-3 country codes are 'iso3'; the publisher's own aggregate codes are 'name:<source>'."""
    return pd.Series(np.where(codes.str.fullmatch(r"[A-Z]{3}"), "iso3", f"name:{source_id}"), index=codes.index)


def _opt(df: pd.DataFrame, column: str) -> pd.Series:
    return df[column] if column in df.columns else pd.Series("", index=df.index, dtype="str")


def _labelled(prefix: str, values: pd.Series) -> pd.Series:
    text = values.fillna("").astype("str").str.strip()
    return (prefix + text).where(text != "", "")


def _join_notes(*parts: pd.Series) -> pd.Series:
    """Non-empty parts joined with '; ' (None when all are empty)."""
    out = None
    for part in parts:
        text = part.fillna("").astype("str").str.strip()
        out = text if out is None else out + np.where((out != "") & (text != ""), "; ", "") + text
    return out.where(out != "", None)


def _blank_to_none(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype("str").str.strip()
    return text.where(text != "", None)


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


__all__ = ["read_sdg_api_json", "read_unicef_sdmx_csv", "read_ilostat_bulk_csv", "read_wpp_csv_zip",
           "read_live_folder", "READERS", "age_label"]
