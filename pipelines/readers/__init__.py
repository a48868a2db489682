"""One reader per source family. REGISTRY lists them in build order; each returns named staging frames.

Frames named 'observations' follow OBS_COLUMNS and 'population' follows POP_COLUMNS (readers/common.py);
any other name becomes its own staging table `stg_<name>`.
"""
from __future__ import annotations

from importlib import import_module

from pipelines.config import synthetic_dir

# (family, module, entry function, required): a required family missing from the mirror stops the build.
REGISTRY = [
    ("m49", "pipelines.readers.m49", "read_m49"),
    ("un_sdg", "pipelines.readers.ddf", "read_un_sdg_ddf"),
    ("un_sdg", "pipelines.readers.un_sdg_xlsx", "read_un_sdg_2019"),
    ("unodc", "pipelines.readers.ddf", "read_unodc_ddf"),
    ("unicef_sowc", "pipelines.readers.unicef", "read_unicef_sowc"),
    ("ilostat", "pipelines.readers.ilostat", "read_ilostat_hazardous"),
    ("walkfree_gsi", "pipelines.readers.walkfree", "read_gsi_2023"),
    ("wpp", "pipelines.readers.wpp", "read_wpp_2022"),
    ("published", "pipelines.readers.published", "read_published"),
]
if synthetic_dir() is not None:  # SYNTHETIC benchmark data only: $SDG87_SYNTHETIC_DIR (benchmarks/synth.py)
    REGISTRY.append(("synthetic", "pipelines.readers.ddf", "read_synthetic_ddf"))


def load(module: str, function: str):
    """Import a reader lazily (a reader still being written must not break the others)."""
    return getattr(import_module(module), function)
