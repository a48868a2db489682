"""Edition metadata (names, dates, citations) read from metadata/sources.toml."""
from __future__ import annotations

import tomllib
from functools import lru_cache

from pipelines.config import SOURCES_TOML


@lru_cache(maxsize=1)
def sources() -> dict:
    with open(SOURCES_TOML, "rb") as fh:
        return tomllib.load(fh)


def edition(source_id: str, key: str) -> dict:
    """The edition record {edition, edition_date, path, citation, ...} for a source family."""
    return sources()[source_id]["editions"][key]
