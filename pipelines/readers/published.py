"""Reader for the curated table of published global estimates (pipelines/metadata/published_estimates.csv).

The table is repository data, not a mirror file: its lineage points at the CSV in the repository and
its row, and every row carries its own citation (report, table, page; secondary sources marked).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.config import PUBLISHED_ESTIMATES_CSV, REPO_DIR
from pipelines.readers.common import obs_frame, read_csv_lines, require_columns, to_number

COLUMNS = ["row_id", "indicator", "series", "geo", "geo_name", "year", "sex", "age", "value", "unit", "edition",
           "publication_year", "source_title", "source_publisher", "source_table", "source_page", "source_url",
           "source_type", "quoted_in"]


def read_published(raw_dir: Path, path: Path = PUBLISHED_ESTIMATES_CSV) -> dict[str, pd.DataFrame]:
    """Published estimates as observations; geo codes are already ours (scheme 'code')."""
    label = Path(path).resolve().relative_to(REPO_DIR).as_posix() if Path(path).resolve().is_relative_to(REPO_DIR) else str(path)
    df = read_csv_lines(Path(path), label)
    require_columns(df.columns, COLUMNS, label)
    return {"observations": obs_frame(pd.DataFrame({
        "series": df["series"].str.strip(), "geo_scheme": "code", "geo_source_code": df["geo"].str.strip(),
        "year": to_number(df["year"], df["_row"], label, "year").astype("int64"),
        "sex": df["sex"].str.strip(), "age": df["age"].str.strip(),
        "value": to_number(df["value"], df["_row"], label, "value"), "unit": df["unit"].str.strip(),
        "nature": "E", "footnote": df.apply(citation, axis=1),
        "source_id": "published", "edition": df["edition"].str.strip(),
        "edition_date": df["publication_year"].str.strip() + "-12-31",
        "raw_file": label, "raw_row": df["_row"], "raw_column": "value"})),
        "published_citations": df[COLUMNS + ["_row"]].rename(columns={"_row": "raw_row"})}


def citation(row: pd.Series) -> str:
    """'Title (Publisher, year), table, p. N' plus 'secondary: quoted in …' where the report was not read."""
    parts = [f"{row['source_title']} ({row['source_publisher']}, {row['publication_year']})"]
    parts += [p for p in (row["source_table"], f"p. {row['source_page']}" if row["source_page"] else "") if p]
    text = ", ".join(parts)
    if row["source_type"].strip().lower() == "secondary":
        text += f"; secondary source: quoted in {row['quoted_in']}"
    return text
