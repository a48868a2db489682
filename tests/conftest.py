"""Shared fixtures: the real mirror of official files, and real warehouses built from it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def mirror_dir() -> Path:
    """The raw mirror: $SDG87_RAW_DIR, else ../shared/data/raw beside the repository."""
    env = os.environ.get("SDG87_RAW_DIR")
    return Path(env).resolve() if env else (REPO.parent / "shared" / "data" / "raw").resolve()


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    path = mirror_dir()
    if not (path / "MANIFEST.sha256.tsv").exists():
        pytest.fail(f"raw mirror not found at {path}: set SDG87_RAW_DIR")
    return path
