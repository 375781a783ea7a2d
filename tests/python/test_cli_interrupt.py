"""Ctrl-C and SIGTERM stop any gtm command with exit code 130 (README, exit codes), dbt included."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from gtm import build as gtm_build
from gtm.errors import EXIT_INTERRUPTED, BuildError
from gtm.paths import PROJECT_ROOT


class _Runner:
    """Stands in for dbtRunner: returns what dbtRunner returns when its run raised `exception`."""

    exception: BaseException | None = None

    def __init__(self, callbacks=None):
        self.callbacks = callbacks

    def invoke(self, args):
        return SimpleNamespace(success=False, exception=type(self).exception, result=None)


@pytest.fixture
def fake_dbt(monkeypatch):
    import dbt.cli.main

    monkeypatch.setattr(dbt.cli.main, "dbtRunner", _Runner)
    return _Runner


def test_an_interrupted_dbt_build_is_an_interruption_not_a_failed_build(fake_dbt, tmp_path):
    # dbtRunner catches the KeyboardInterrupt of Ctrl-C (or of SIGTERM under gtm) and returns it
    database = tmp_path / "w.duckdb"
    database.touch()
    fake_dbt.exception = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        gtm_build.dbt_build(database)
    fake_dbt.exception = RuntimeError("adapter broke")
    with pytest.raises(BuildError, match="could not run: adapter broke"):
        gtm_build.dbt_build(database)


def test_an_interrupted_spark_build_is_an_interruption_too(fake_dbt, tmp_path, monkeypatch):
    from gtm import spark

    (tmp_path / "metastore_db").mkdir()  # a loaded Spark warehouse, without starting Spark
    monkeypatch.setattr(spark, "session", lambda directory: None)
    fake_dbt.exception = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        spark.dbt_build(tmp_path)


def test_sigterm_stops_a_command_with_exit_130():
    # a command that receives SIGTERM while it works: gtm exits 130 with a message, no traceback
    code = textwrap.dedent(
        f"""
        import os, signal, sys, time
        sys.path.insert(0, {str(PROJECT_ROOT / "scripts")!r})
        import gtm.cli

        def working(args):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)
            return 0

        gtm.cli._cmd_check = working
        sys.exit(gtm.cli.main(["check"]))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_INTERRUPTED, done.stderr
    assert "gtm check: interrupted" in done.stderr
    assert "Traceback" not in done.stderr
