"""Default locations, overridable by environment variables (the same ones profiles.yml reads)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# the build's as_of_date without --vars (macro as_of_date()): an environment variable keeps
# dbt's partial parsing when the date moves every day
AS_OF_ENV = "GTM_AS_OF_DATE"


def raw_dir() -> Path:
    """Where `gtm generate` writes and `gtm load` reads raw files (GTM_RAW_DIR)."""
    return Path(os.environ.get("GTM_RAW_DIR", PROJECT_ROOT / "data" / "raw"))


def warehouse_path() -> Path:
    """The DuckDB file dbt builds into (GTM_DUCKDB_PATH, as in profiles.yml)."""
    return Path(os.environ.get("GTM_DUCKDB_PATH", PROJECT_ROOT / "warehouse" / "gtm.duckdb"))
