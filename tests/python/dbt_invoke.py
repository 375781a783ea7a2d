"""Run dbt in process on the project against a scratch DuckDB file (tests that need no warehouse)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtm.paths import PROJECT_ROOT


def invoke_dbt(tmp: Path, args: list[str], env: dict[str, str | None] | None = None, callbacks=None) -> object:
    """dbtRunner outcome of `dbt <args>`; `env` sets (or, with None, unsets) variables for the call.
    Target and logs go under `tmp`, so repeated calls reuse the saved parse."""
    from dbt.cli.main import dbtRunner

    from gtm.build import _release_duckdb

    project = str(PROJECT_ROOT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GTM_DUCKDB_PATH", str(tmp / "empty.duckdb"))
        patch.setenv("GTM_TEMP_DIR", str(tmp / "spill"))
        patch.setenv("DBT_TARGET_PATH", str(tmp / "target"))
        patch.setenv("DBT_LOG_PATH", str(tmp / "logs"))
        for name, value in (env or {}).items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        try:
            return dbtRunner(callbacks=callbacks or []).invoke(
                [*args, "--quiet", "--project-dir", project, "--profiles-dir", project]
            )
        finally:
            _release_duckdb()
