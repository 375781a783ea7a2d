"""Shared machinery of the generator: scales, random streams, time, ids, writing.

Everything here is vectorised: numbers come from NumPy generators seeded from the
run's seed and a stream name (so adding a stream never shifts another one), strings
are built with Arrow compute kernels, and tables are written to Parquet through
pyarrow with the exact column types of the raw source contract.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gtm import contract
from gtm.errors import BadInputError

DAY = 86_400
HOUR = 3_600
MINUTE = 60


@dataclass(frozen=True)
class Scale:
    """Volume knobs of one preset. Everything else is derived from these."""

    name: str
    accounts: int  # companies in the market
    people: int  # people who become known (lead, contact) at some point
    anonymous_visitors: int  # web visitors who never identify
    use: str


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("tiny", 120, 1_200, 2_500, "unit and parity tests (seconds)"),
        Scale("small", 1_200, 12_000, 30_000, "CI integration tests"),
        Scale("medium", 6_000, 60_000, 300_000, "make demo (the default)"),
        Scale("large", 60_000, 600_000, 8_500_000, "benchmarks: >= 50M page views"),
    )
}


def scale_of(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise BadInputError(f"unknown scale {name!r}; choose one of: {', '.join(SCALES)}") from None


@dataclass
class Ctx:
    """State of one generator run."""

    out_dir: Path
    scale: Scale
    seed: int
    dirty_rate: float
    as_of: date
    rows: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        end = datetime(self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=UTC) + timedelta(days=1)
        start = end.replace(year=end.year - 3)
        self.t0 = int(start.timestamp())  # first second of history
        self.t1 = int(end.timestamp())  # first second after history
        self.days = (self.t1 - self.t0) // DAY

    def rng(self, stream: str) -> np.random.Generator:
        """An independent generator per named stream, derived from the run seed."""
        digest = hashlib.sha256(f"{self.seed}:{stream}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))


# ----------------------------------------------------------------------------- time


def growth_times(rng: np.random.Generator, n: int, t0: int, t1: int, growth: float = 0.6) -> np.ndarray:
    """Arrival times over [t0, t1) whose density grows over time (a growing company).

    A mix of uniform and linearly increasing densities; ``growth`` is the share of the
    increasing part. Times land in business hours more often than at night.
    """
    u = rng.random(n)
    mix = rng.random(n) < growth
    frac = np.where(mix, np.sqrt(u), u)
    day = np.minimum((frac * ((t1 - t0) // DAY)).astype(np.int64), (t1 - t0) // DAY - 1)
    # weekends are quieter: move 60% of weekend arrivals to the following Monday (or keep if that leaves history)
    dow = (day + _dow_offset(t0)) % 7  # 0 = Monday
    weekend = dow >= 5
    shift = np.where(rng.random(n) < 0.6, 7 - dow, 0)
    moved = day + np.where(weekend, shift, 0)
    day = np.where(moved < (t1 - t0) // DAY, moved, day)
    return t0 + day * DAY + business_seconds(rng, n)


def business_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds into a UTC day, peaking in working hours (Europe and the Americas)."""
    hour = np.clip(rng.normal(14.5, 3.6, n), 0, 23.99)
    return (hour * HOUR).astype(np.int64)


def _dow_offset(t0: int) -> int:
    return datetime.fromtimestamp(t0, tz=UTC).weekday()


def day_start(ts: np.ndarray) -> np.ndarray:
    return ts - ts % DAY


# ----------------------------------------------------------------------------- strings


def ids(prefix: str, numbers: np.ndarray, width: int = 12) -> pa.Array:
    """Salesforce-style ids: a key prefix and a zero-padded number (e.g. 00Q5g0000000000042)."""
    text = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_ids(rng: np.random.Generator, n: int, nbytes: int = 16, dashed: bool = True) -> pa.Array:
    """Random UUID-like strings (8-4-4-4-12 hex when dashed) drawn from the stream."""
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    chars = np.empty((n, nbytes * 2), dtype=np.uint8)
    chars[:, 0::2] = _HEX[raw >> 4]
    chars[:, 1::2] = _HEX[raw & 15]
    if dashed and nbytes == 16:
        dash = np.full((n, 1), ord("-"), dtype=np.uint8)
        chars = np.hstack(
            [chars[:, :8], dash, chars[:, 8:12], dash, chars[:, 12:16], dash, chars[:, 16:20], dash, chars[:, 20:]]
        )
    width = chars.shape[1]
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars)))


def pick(vocab: list[str] | tuple[str, ...], index: np.ndarray) -> pa.Array:
    """Strings from a vocabulary by index (vectorised take); -1 gives NULL."""
    index = np.asarray(index)
    arr = pa.array(list(vocab), pa.string()).take(pa.array(np.where(index < 0, 0, index)))
    if (index < 0).any():
        arr = pc.if_else(pa.array(index < 0), pa.scalar(None, pa.string()), arr)
    return arr


def join(*parts, null_if: np.ndarray | None = None) -> pa.Array:
    """Concatenate string arrays / scalars element-wise; optionally NULL where ``null_if``."""
    arrs = [p if isinstance(p, (pa.Array, pa.ChunkedArray)) else pa.scalar(str(p)) for p in parts]
    out = pc.binary_join_element_wise(*arrs, "")
    if null_if is not None:
        out = pc.if_else(pa.array(null_if), pa.scalar(None, pa.string()), out)
    return out


def num_str(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def null_where(arr: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.scalar(None, arr.type), arr)


def categorical(rng: np.random.Generator, weights: list[float] | np.ndarray, n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def segment_sizes(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For repeat counts per parent: (parent index per child, ordinal of child within parent)."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    ordinal = np.arange(len(parent)) - np.repeat(starts, counts)
    return parent, ordinal


# ----------------------------------------------------------------------------- arrow


_ARROW_TYPES = {
    contract.VARCHAR: pa.string(),
    contract.BIGINT: pa.int64(),
    contract.DOUBLE: pa.float64(),
    contract.BOOLEAN: pa.bool_(),
    contract.TIMESTAMP: pa.timestamp("us"),
    contract.DATE: pa.date32(),
}


def ts(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Epoch seconds -> Arrow timestamp[us] (UTC, naive, as loaders land it)."""
    arr = pa.array(np.asarray(seconds, dtype=np.int64) * 1_000_000, pa.int64()).cast(pa.timestamp("us"))
    return null_where(arr, mask) if mask is not None else arr


def dt(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Epoch seconds -> Arrow date32 (the UTC day)."""
    arr = pa.array((np.asarray(seconds, dtype=np.int64) // DAY).astype(np.int32), pa.int32()).cast(pa.date32())
    return null_where(arr, mask) if mask is not None else arr


def to_table(fqn: str, columns: dict) -> pa.Table:
    """Build an Arrow table in contract column order and types; missing optional columns are NULL."""
    spec = contract.table(fqn)
    unknown = set(columns) - set(spec.column_names)
    if unknown:
        raise ValueError(f"{fqn}: generator produced columns not in the contract: {sorted(unknown)}")
    n = None
    for value in columns.values():
        if isinstance(value, (pa.Array, pa.ChunkedArray, np.ndarray, list)):
            n = len(value)
            break
    if n is None:
        raise ValueError(f"{fqn}: cannot infer the row count")
    arrays, names = [], []
    for col in spec.columns:
        typ = _ARROW_TYPES[col.type]
        if col.name in columns:
            value = columns[col.name]
            if isinstance(value, (pa.Array, pa.ChunkedArray)):
                arr = value.cast(typ)
            elif isinstance(value, (str, int, float, bool)) or value is None:
                arr = pa.array([value] * n, typ) if n else pa.array([], typ)
            else:
                arr = pa.array(value).cast(typ)
        elif col.required:
            raise ValueError(f"{fqn}: required column {col.name} not generated")
        else:
            arr = pa.nulls(n, typ)
        if len(arr) != n:
            raise ValueError(f"{fqn}.{col.name}: {len(arr)} values, expected {n}")
        arrays.append(arr)
        names.append(col.name)
    return pa.Table.from_arrays(arrays, names=names)


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
