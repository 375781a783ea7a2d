"""Row-level comparison of the same relations in two DuckDB warehouse files (incremental tests)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def relation_differences(a: Path, b: Path, relations: list[tuple[str, str]]) -> dict[str, tuple[int, int, int]]:
    """Per relation name: (rows in a, rows only in a, rows only in b), EXCEPT ALL both ways.

    Doubles are compared at single precision: parallel sums may add in another order and differ
    in the last bits of a double. The bookkeeping column `_written_at` is left out.
    """
    out = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        for schema, name in relations:
            # `_written_at` is the run that wrote the row (macro written_at): bookkeeping that
            # differs between an incremental run and a full refresh by design
            columns = [c for c in con.execute(f'describe a."{schema}"."{name}"').fetchall() if c[0] != "_written_at"]
            select = ", ".join(
                f'cast("{c}" as float)' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t, *_ in columns
            )
            left = f'select {select} from a."{schema}"."{name}"'
            right = f'select {select} from b."{schema}"."{name}"'
            rows = con.execute(f"select count(*) from ({left})").fetchone()[0]
            only_a = con.execute(f"select count(*) from ({left} except all {right})").fetchone()[0]
            only_b = con.execute(f"select count(*) from ({right} except all {left})").fetchone()[0]
            out[name] = (rows, only_a, only_b)
    return out


def ran_incrementally(target: Path, model: str) -> bool:
    """Whether the model's compiled SQL in a dbt target directory took its incremental branch (read
    the built table as `existing`); a unit test's fixture of the same name is not the model."""
    paths = (target / "compiled").rglob(f"{model}.sql")
    sql = next(p for p in paths if not any(part.endswith(".yml") for part in p.parts)).read_text()
    return "as existing" in sql
