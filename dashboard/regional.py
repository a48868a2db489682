"""Regional values as the Overview and the Regions page show them: the latest official and the latest computed
value per region of a grouping (plus the world), from the regional_gaps mart. Not a page module: both pages import
it (a page module imported by another would be registered twice)."""
from __future__ import annotations

import pandas as pd

from dashboard import data

SCHEMES = {  # URL value -> (label, regional_gaps schemes)
    "sdg": ("SDG regions", ("sdg_region",)),
    "ilo": ("ILO regions", ("ilo_region",)),
    "groups": ("LDC / LLDC / SIDS", ("ldc", "lldc", "sids")),
}


def latest_by_region(scheme: str, official: tuple, computed: tuple, age: str) -> pd.DataFrame:
    """Latest official value (series in order of preference: `official`) and latest computed value (`computed`)
    per region of grouping `scheme` and the world, both sexes; official and computed rows stay apart (`kind`)."""
    if not data.has_table("regional_gaps"):
        return pd.DataFrame()
    schemes = list(SCHEMES[scheme][1]) + ["world"]
    official, computed = list(official), list(computed) or ["-"]
    ph = lambda xs: ", ".join("?" * len(xs))  # noqa: E731
    sql = f"""SELECT * FROM regional_gaps
              WHERE scheme IN ({ph(schemes)}) AND sex = 'total' AND age = ? AND value IS NOT NULL
                AND ((kind = 'official' AND series IN ({ph(official)}))
                  OR (kind = 'computed' AND series IN ({ph(computed)})))
              QUALIFY row_number() OVER (PARTITION BY scheme, region, kind
                                         ORDER BY year DESC, (series = ?) DESC) = 1
              ORDER BY scheme = 'world', region_name, kind DESC"""
    return data.cached(sql, tuple(schemes + [age] + official + computed + [official[0]]))
