"""Paths and settings, defined once. Everything else imports from here."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
SQL_DIR = PACKAGE_DIR / "sql"
METADATA_DIR = PACKAGE_DIR / "metadata"

SERIES_TOML = METADATA_DIR / "series.toml"
SOURCES_TOML = METADATA_DIR / "sources.toml"
REGIONS_CSV = METADATA_DIR / "regions.csv"
GEO_ALIASES_CSV = METADATA_DIR / "geo_aliases.csv"
WPP_LOCATIONS_CSV = METADATA_DIR / "wpp_locations.csv"
PUBLISHED_ESTIMATES_CSV = METADATA_DIR / "published_estimates.csv"

DEFAULT_RAW_DIR = REPO_DIR / "data" / "raw"
DEFAULT_WAREHOUSE = REPO_DIR / "data" / "processed" / "sdg87.duckdb"

ENV_RAW_DIR = "SDG87_RAW_DIR"
ENV_WAREHOUSE = "SDG87_WAREHOUSE"
# SYNTHETIC benchmark data only (benchmarks/synth.py): a folder of synthetic DDF files with their own series.toml and
# sources.toml, inside a COPY of the mirror. When set, the build also reads the `synthetic` source family. Never set
# it for a real build.
ENV_SYNTHETIC_DIR = "SDG87_SYNTHETIC_DIR"


def raw_dir(option: str | os.PathLike | None = None) -> Path:
    """The raw mirror folder: the option, else $SDG87_RAW_DIR, else data/raw."""
    return Path(option or os.environ.get(ENV_RAW_DIR) or DEFAULT_RAW_DIR).resolve()


def warehouse_path(option: str | os.PathLike | None = None) -> Path:
    """The warehouse file: the option, else $SDG87_WAREHOUSE, else data/processed/sdg87.duckdb."""
    return Path(option or os.environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE).resolve()


def synthetic_dir() -> Path | None:
    """$SDG87_SYNTHETIC_DIR (benchmarks only), or None for every real build."""
    value = os.environ.get(ENV_SYNTHETIC_DIR)
    return Path(value).resolve() if value else None


def parquet_dir(warehouse: Path) -> Path:
    """Parquet exports of the marts live beside the warehouse file."""
    return warehouse.parent / "parquet"
