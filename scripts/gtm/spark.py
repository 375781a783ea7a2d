"""Apache Spark: the local PySpark session behind the `spark` dbt target, and `gtm build --target spark`.

The `spark` target of profiles.yml uses dbt-spark's ``session`` method: dbt runs Spark SQL in an
in-process PySpark session (``local[*]``). Tables are plain Parquet files in a project-local
warehouse, with a Derby metastore beside it, both under one folder (``GTM_SPARK_DIR``, default
``warehouse/spark``)::

    warehouse/spark/warehouse/<schema>.db/<table>/part-*.parquet   dbt's tables (staging views live in the metastore)
    warehouse/spark/metastore_db/                                  the Derby metastore (one process at a time)
    warehouse/spark/raw/<load id>/<source>/<table>/part-*.parquet   the raw tables `gtm load --target spark` creates

:func:`session_conf` is the Python twin of the profile's ``server_side_parameters``: the loader
and the parity check open the same warehouse as dbt (tests/python/test_spark_unit.py checks the
two agree). PySpark is an optional dependency: ``pip install -c constraints.txt -e '.[spark]'``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gtm import contract
from gtm.errors import BadInputError, BuildError, GtmError
from gtm.paths import PROJECT_ROOT

if TYPE_CHECKING:  # pyspark is optional: imported only where a session is opened
    from pyspark.sql import SparkSession

# Spark SQL type of each contract type (contract.py uses DuckDB names).
SPARK_TYPES: dict[str, str] = {
    contract.VARCHAR: "STRING",
    contract.BIGINT: "BIGINT",
    contract.DOUBLE: "DOUBLE",
    contract.BOOLEAN: "BOOLEAN",
    contract.TIMESTAMP: "TIMESTAMP",
    contract.DATE: "DATE",
}

INSTALL_HINT = "install the Spark extra: .venv/bin/pip install -c constraints.txt -e '.[spark]' (needs Java 17)"


def spark_dir() -> Path:
    """The Spark warehouse + metastore folder (GTM_SPARK_DIR, as in profiles.yml), absolute."""
    return Path(os.environ.get("GTM_SPARK_DIR", PROJECT_ROOT / "warehouse" / "spark")).resolve()


def session_conf(directory: Path) -> dict[str, str]:
    """Spark settings of a session on the warehouse in ``directory``: those of the profile's `spark` target."""
    directory = Path(directory).resolve()
    return {
        "spark.master": os.environ.get("GTM_SPARK_MASTER", "local[*]"),
        "spark.app.name": "gtm-warehouse",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": os.environ.get("GTM_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.driver.memory": os.environ.get("GTM_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.warehouse.dir": f"{directory}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={directory}/metastore_db;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={directory} -Duser.timezone=UTC",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # dbt-spark forces ANSI mode off on its sessions; the loader and the parity check do the same
        "spark.sql.ansi.enabled": "false",
    }


def session(directory: Path) -> SparkSession:
    """The process's Spark session on the warehouse in ``directory`` (created on first use, then shared with dbt).

    A JVM holds one Spark session configuration: a session already running in this process on
    another warehouse folder is an error, not a silent switch.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise BadInputError(f"PySpark is not installed: {INSTALL_HINT}") from exc
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    conf = session_conf(directory)
    active = SparkSession.getActiveSession()
    if active is not None:
        running = active.conf.get("spark.sql.warehouse.dir", "")
        if running.removeprefix("file:").rstrip("/") != conf["spark.sql.warehouse.dir"].rstrip("/"):
            raise GtmError(
                f"this process already runs a Spark session on {running}; one process opens one Spark "
                f"warehouse (wanted {directory})"
            )
        return active
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
        spark.sql("show databases").collect()  # boots the metastore: a locked Derby fails here
    except Exception as exc:  # py4j / pyspark errors carry no common base class worth naming
        text = str(exc)
        if "Another instance of Derby" in text or "XSDB6" in text or "metastore" in text.lower():
            raise GtmError(
                f"the Spark metastore in {directory} is busy: another process (a dbt build or gtm load "
                "on the spark target) has it open. Wait for it to finish and retry."
            ) from exc
        if "JAVA_HOME" in text or "Java gateway" in text:
            raise GtmError(f"cannot start Spark (is Java 17 installed and on PATH?): {text.strip()[:300]}") from exc
        raise
    return spark


def quote(name: str) -> str:
    """A Spark SQL identifier, always quoted (raw tables and columns include keywords: user, event, timestamp)."""
    return "`" + name.replace("`", "``") + "`"


def literal(value: str) -> str:
    """A Spark SQL string literal (paths). Backslashes are escapes in Spark SQL literals."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def create_table_sql(table: contract.Table, location: Path) -> str:
    """DDL of one raw table: an external Parquet table over ``location`` with the contract's columns and types."""
    columns = ",\n    ".join(f"{quote(c.name)} {SPARK_TYPES[c.type]}" for c in table.columns)
    return (
        f"CREATE TABLE {quote(table.source)}.{quote(table.name)} (\n    {columns}\n)\n"
        f"USING parquet\nLOCATION {literal(str(location))}"
    )


def dbt_build(directory: Path, extra_args: Sequence[str] | None = None) -> None:
    """Run `dbt build --target spark` on the warehouse in ``directory``; raise BuildError naming the failed nodes."""
    from gtm.build import _describe_failures, _environ, raise_if_interrupted

    directory = Path(directory).resolve()
    if not (directory / "metastore_db").is_dir():
        raise BadInputError(f"no Spark warehouse in {directory}: run gtm load --target spark first")
    args = list(extra_args or [])
    if args[:1] == ["--"]:
        args = args[1:]
    session(directory)  # fail early with a clear message (missing PySpark, Java, a busy metastore)

    from dbt.cli.main import dbtRunner

    env = {"GTM_SPARK_DIR": str(directory), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    project = str(PROJECT_ROOT)
    with _environ(env):
        outcome = dbtRunner().invoke(
            ["build", "--project-dir", project, "--profiles-dir", project, "--target", "spark", *args]
        )
    if outcome.success:
        return
    raise_if_interrupted(outcome)
    if outcome.exception is not None:
        raise BuildError(f"dbt build could not run: {outcome.exception}") from outcome.exception
    results = getattr(outcome.result, "results", None) or []
    raise BuildError(f"dbt build --target spark failed in {directory}: {_describe_failures(results)}")
