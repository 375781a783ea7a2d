"""`gtm generate --extend-days N`: append N more days of activity to an existing sample.

The generator is not prefix-stable in ``as_of``: history is the three years before ``as_of`` and
every arrival time is spread over that window, so regenerating with a later ``as_of`` changes
every row. A daily run is simulated instead by *replaying* the activity streams one week later,
which keeps every existing file byte-identical and only adds part files:

* Each new day ``d`` (``as_of + 1`` … ``as_of + N``, one at a time) gets a copy of the rows of the
  event tables whose event time falls on ``d - 7`` (the same weekday, so the weekly pattern holds;
  from the eighth day on the copies of copies). Every timestamp and date column moves forward by 7
  days; ids are re-keyed deterministically (same format, derived from the old id and the new day),
  so the same sample extended the same way always gives the same files. Visitors, people, emails
  and campaigns are the ones active a week earlier: returning visitors, whose session history
  and first touches the incremental models must keep right.
* Late-arriving events: about 2 % of the copied Segment rows (chosen by a hash of their id) keep
  an event time one day earlier (``d - 1``, i.e. the previous last day) while their received and
  loaded times are on ``d``, as if delivered late. They extend or split sessions that were
  already built, which the incremental lookback window must pick up.
* Load times (``uuid_ts``, ``_fivetran_synced``) of the new rows are at least one second after the
  latest load time already in the table: each day arrives with a new load, as real loaders stamp
  their batches (the copied rows' own load times can be earlier, since the original sample's
  loads run into the morning after ``as_of``). The incremental base models rely on it: they
  re-classify the rows loaded after the latest load time they hold.
* FX rates carry the last day's rates forward (``d - 1``), so new amounts convert.
* Tables are written as folders of part files: a table stored as one file ``<table>.parquet`` is
  moved (renamed, content unchanged) to ``<table>/part-00000.parquet`` first, and each new day is
  ``<table>/part-ext-YYYYMMDD.parquet``. ``gtm load`` reads a folder of parts as one table.
* CRM, billing, HubSpot contacts, forms and the other snapshot tables are not changed: the
  business (accounts, leads, opportunities, subscriptions) stays as it was on the original
  ``as_of``; only the activity streams advance.
* ``truth/summary.json`` gets the new ``as_of_date``, row counts and an ``extensions`` list (day,
  rows per table). The other truth files describe the original days only.

Build with the dbt var ``as_of_date`` set to the new date (``truth/summary.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from gtm.errors import BadInputError

__all__ = ["EXTENDED_TABLES", "ExtendResult", "extend"]


@dataclass(frozen=True)
class _Stream:
    fqn: str
    time_column: str  # the event time that selects the source day
    lag_days: int  # rows of day d - lag_days are copied to day d
    rekey: tuple[str, ...] = ()  # id columns re-keyed for the copy
    late: bool = False  # a share of the rows arrives late (event time one day earlier)


EXTENDED_TABLES: tuple[_Stream, ...] = (
    _Stream("segment.pages", "timestamp", 7, ("id",), late=True),
    _Stream("segment.tracks", "timestamp", 7, ("id",), late=True),
    _Stream("segment.identifies", "timestamp", 7, ("id",), late=True),
    _Stream("hubspot.email_event", "created", 7, ("id", "sent_by_id")),
    _Stream("google_ads.campaign_stats", "date", 7),
    _Stream("linkedin_ads.ad_analytics_by_campaign", "day", 7),
    _Stream("facebook_ads.basic_campaign", "date", 7),
    _Stream("finance.fx_rate", "rate_date", 1),
)

LATE_SHARE_MODULUS = 50  # 1 in 50 copied Segment rows arrives late
LOAD_TIME_COLUMNS = ("uuid_ts", "_fivetran_synced")  # stamped by the loader, later for every new load


@dataclass
class ExtendResult:
    out_dir: Path
    as_of: date
    rows: dict[str, int]  # rows added per table


def _rekey_sql(column: str, salt: str) -> str:
    """A new id in the old one's format (ajs-<hex>, uuid, digits, else a suffix), from the old id and the salt."""
    c = f'"{column}"'
    h = f"md5({c} || '{salt}')"
    h2 = f"md5('{salt}' || {c})"
    return f"""case
        when {c} is null then null
        when regexp_full_match({c}, 'ajs-[0-9a-f]+') then 'ajs-' || left({h} || {h2}, length({c}) - 4)
        when regexp_full_match({c}, '[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}')
            then substr({h}, 1, 8) || '-' || substr({h}, 9, 4) || '-' || substr({h}, 13, 4) || '-'
                || substr({h}, 17, 4) || '-' || substr({h}, 21, 12)
        when regexp_full_match({c}, '[1-9][0-9]{{5,17}}')
            then cast(
                cast(pow(10, length({c}) - 1) as bigint)
                + cast(('0x' || left({h}, 15)) as bigint) % cast(9 * pow(10, length({c}) - 1) as bigint)
                as varchar)
        else {c} || '-' || '{salt}'
    end"""


def _as_folder(out_dir: Path, fqn: str) -> Path:
    source, name = fqn.split(".")
    folder = out_dir / source / name
    single = out_dir / source / f"{name}.parquet"
    if single.exists():
        if folder.exists():
            raise BadInputError(f"{fqn}: both {single} and {folder}/ exist; keep exactly one")
        folder.mkdir(parents=True)
        single.rename(folder / "part-00000.parquet")
    if not folder.is_dir():
        raise BadInputError(f"{fqn}: no {single} or {folder}/ in {out_dir}: is it a `gtm generate` output?")
    return folder


def _extend_day(con: duckdb.DuckDBPyConnection, folder: Path, stream: _Stream, day: date) -> int:
    target = folder / f"part-ext-{day:%Y%m%d}.parquet"
    if target.exists():
        raise BadInputError(f"{target} exists already: this sample was extended to {day} before")
    parts = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith((".", "_")))
    files = "[" + ", ".join(f"'{p}'" for p in parts) + "]"
    reader = f"read_parquet({files}, union_by_name = true, hive_partitioning = false)"
    columns = con.execute(f"describe select * from {reader}").fetchall()
    src = day - timedelta(days=stream.lag_days)
    salt = f"{day:%Y%m%d}"
    tc = f'"{stream.time_column}"'
    late = (
        f"(hash({_quoted(stream.rekey[0])} || 'late') % {LATE_SHARE_MODULUS} = 0)"
        if stream.late and stream.rekey
        else "false"
    )
    select = []
    for name, typ, *_ in columns:
        q = _quoted(name)
        if name in stream.rekey:
            expr = _rekey_sql(name, salt)
        elif typ.startswith("TIMESTAMP") or typ == "DATE":
            shift = f"interval {stream.lag_days} day"
            if name == stream.time_column and stream.late:
                expr = f"case when {late} then {q} + interval {stream.lag_days - 1} day else {q} + {shift} end"
            else:
                expr = f"{q} + {shift}"
            if name in LOAD_TIME_COLUMNS:
                latest = con.execute(f"select max({q}) from {reader}").fetchone()[0]
                if latest is not None:
                    expr = f"greatest({expr}, timestamp '{latest.isoformat(sep=' ')}' + interval 1 second)"
            expr = f"cast({expr} as {typ})"
        else:
            expr = q
        select.append(f"{expr} as {q}")
    where = f"{tc} >= date '{src}' and {tc} < date '{src + timedelta(days=1)}'"
    sql = f"select {', '.join(select)} from {reader} where {where}"
    # a stable order: the files are byte-identical for the same input
    con.execute(f"copy ({sql} order by all) to '{target}' (format parquet, compression lz4_raw)")
    return con.execute(f"select count(*) from read_parquet('{target}')").fetchone()[0]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def extend(out_dir: Path, days: int, progress: bool = True) -> ExtendResult:
    """Append ``days`` days of activity to the sample in ``out_dir`` (see the module docstring)."""
    out_dir = Path(out_dir)
    summary_path = out_dir / "truth" / "summary.json"
    if not summary_path.exists():
        raise BadInputError(f"{summary_path} not found: --extend-days needs a sample written by `gtm generate`")
    if days < 1:
        raise BadInputError(f"--extend-days must be at least 1, got {days}")
    summary = json.loads(summary_path.read_text())
    as_of = date.fromisoformat(summary["as_of_date"])
    added: dict[str, int] = {s.fqn: 0 for s in EXTENDED_TABLES}
    folders = {s.fqn: _as_folder(out_dir, s.fqn) for s in EXTENDED_TABLES}
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("set preserve_insertion_order = false")
    extensions = summary.setdefault("extensions", [])
    try:
        for k in range(1, days + 1):
            day = as_of + timedelta(days=k)
            day_rows = {}
            for stream in EXTENDED_TABLES:
                n = _extend_day(con, folders[stream.fqn], stream, day)
                day_rows[stream.fqn] = n
                added[stream.fqn] += n
            extensions.append({"day": day.isoformat(), "rows": day_rows})
            if progress:
                print(f"  extended to {day}: {sum(day_rows.values()):,} rows", flush=True)
    finally:
        con.close()
    new_as_of = as_of + timedelta(days=days)
    rows = summary.get("rows", {})
    for fqn, n in added.items():
        rows[fqn] = rows.get(fqn, 0) + n
    summary["rows"] = dict(sorted(rows.items()))
    summary["raw_rows"] = int(sum(rows.values()))
    summary["as_of_date"] = new_as_of.isoformat()
    summary_path.write_text(json.dumps(summary, indent=2) + "\n")
    return ExtendResult(out_dir=out_dir, as_of=new_as_of, rows=added)
