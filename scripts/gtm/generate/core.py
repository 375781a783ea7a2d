"""Shared machinery of the generator: scales, random streams, time, ids, writing.

Everything here is vectorised: numbers come from NumPy generators seeded from the
run's seed and a stream name (so adding a stream never shifts another one), strings
are built with Arrow compute kernels, and tables are written to Parquet through
pyarrow with the exact column types of the raw source contract.
"""

from __future__ import annotations

import ctypes
import hashlib
import sys
from collections.abc import Iterable
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


def keep_freed_memory() -> None:
    """Let glibc malloc serve the generator's many short-lived arrays (up to 32 MB) from its heap and keep
    freed memory there, instead of mapping fresh pages for each (the page faults cost ~15% of the run)."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD (its maximum)
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc
        pass


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
_U16 = np.arange(65536)
# a 16-bit value -> its four hex digits, as one little-endian uint32 (low byte = first digit)
_HEX4 = sum(_HEX[(_U16 >> (12 - 4 * i)) & 15].astype(np.uint32) << (8 * i) for i in range(4)).astype("<u4")


def _hex_chars(words: np.ndarray) -> np.ndarray:
    """(n, m) 16-bit values -> (n, 4m) ASCII hex digits (one table lookup per 4 digits)."""
    n, m = words.shape
    return np.take(_HEX4, words.astype(np.intp)).view(np.uint8).reshape(n, 4 * m)


def _strings(chars: np.ndarray) -> pa.Array:
    """An Arrow string array from an (n, width) matrix of ASCII bytes (fixed width)."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64 if (n + 1) * width >= 2**31 else np.int32)
    typ = pa.large_string() if offsets.dtype == np.int64 else pa.string()
    arr = pa.Array.from_buffers(typ, n, [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars))])
    return arr.cast(pa.string()) if typ != pa.string() else arr


def hex_ids(rng: np.random.Generator, n: int, nbytes: int = 16, dashed: bool = True) -> pa.Array:
    """Random UUID-like strings (8-4-4-4-12 hex when dashed) drawn from the stream."""
    even = nbytes + nbytes % 2
    words = np.frombuffer(rng.bytes(n * even), dtype="<u2").reshape(n, even // 2)
    chars = _hex_chars(words)[:, : 2 * nbytes]
    if dashed and nbytes == 16:
        out = np.empty((n, 36), dtype=np.uint8)
        for at in (8, 13, 18, 23):
            out[:, at] = ord("-")
        for a, b, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
            out[:, at : at + b - a] = chars[:, a:b]
        chars = out
    return _strings(chars)


def hex64(prefix: str, values: np.ndarray) -> pa.Array:
    """``prefix`` (4 characters) followed by the 16 hex digits of each uint64 (e.g. a message id ``ajs-…``)."""
    n = len(values)
    head = np.frombuffer(prefix.encode(), dtype="<u4")  # one 4-byte word: rows are whole words
    words = np.ascontiguousarray(values, dtype=np.uint64).view("<u2").reshape(n, 4)[:, ::-1]  # most significant first
    out = np.empty((n, 5), dtype="<u4")
    out[:, 0] = head[0]
    out[:, 1:] = np.take(_HEX4, words.astype(np.intp))
    return _strings(out.view(np.uint8).reshape(n, 20))


_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def mix64(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64's finaliser of ``values + salt``: a bijection of uint64, so distinct inputs stay distinct."""
    z = np.asarray(values).astype(np.uint64) + np.uint64(salt % 2**64)
    z ^= z >> np.uint64(30)
    z *= _MIX1
    z ^= z >> np.uint64(27)
    z *= _MIX2
    z ^= z >> np.uint64(31)
    return z


def bits(h: np.ndarray, shift: int, width: int, scale: int | np.ndarray | None = None) -> np.ndarray:
    """``width`` bits of ``h`` from bit ``shift`` as int64; with ``scale``, mapped to a uniform integer in
    [0, scale) (``scale`` < 2**(63 - width))."""
    field = ((h >> np.uint64(shift)) & np.uint64((1 << width) - 1)).astype(np.int64)
    return field if scale is None else (field * scale) >> width


def salt(seed: int, stream: str) -> int:
    """A 64-bit constant derived from the run seed and a stream name (for hash-based randomness)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{stream}".encode()).digest()[:8], "little")


_OCTET = np.zeros((256, 3), dtype=np.uint8)
_OCTET_LEN = np.asarray([len(str(i)) for i in range(256)])
for _i in range(256):
    _OCTET[_i, 3 - _OCTET_LEN[_i] :] = np.frombuffer(str(_i).encode(), dtype=np.uint8)


def ip_strings(values: np.ndarray) -> pa.Array:
    """IPv4 addresses (32-bit integers) as dotted quads."""
    v = np.asarray(values, dtype=np.int64)
    n = len(v)
    chars = np.zeros((n, 15), dtype=np.uint8)
    keep = np.zeros((n, 15), dtype=bool)
    for j, shift in enumerate((24, 16, 8, 0)):
        octet = (v >> shift) & 255
        chars[:, 4 * j : 4 * j + 3] = _OCTET[octet]
        length = _OCTET_LEN[octet]
        for d in range(3):
            keep[:, 4 * j + d] = length >= 3 - d
        if j < 3:
            chars[:, 4 * j + 3] = ord(".")
            keep[:, 4 * j + 3] = True
    data = chars[keep]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(keep.sum(axis=1), out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


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


def sort_order(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    """``np.lexsort((minor, major))`` (stable), as one sort of a combined key when it fits in 63 bits."""
    if len(major) == 0:
        return np.zeros(0, dtype=np.intp)
    lo, span = int(minor.min()), int(minor.max()) - int(minor.min()) + 1
    m_lo, m_span = int(major.min()), int(major.max()) - int(major.min()) + 1
    if m_span * span >= 2**62:
        return np.lexsort((minor, major))
    return np.argsort((major - m_lo) * span + (minor - lo), kind="stable")


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
                keep = pa.types.is_dictionary(value.type) and value.type.value_type == typ == pa.string()
                arr = value if keep else value.cast(typ)  # dictionary strings stay encoded (see write_parquet)
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


def _parquet_options(schema: pa.Schema, unique: tuple[str, ...]) -> dict:
    strings = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_dictionary(f.type)]
    return dict(
        compression={f.name: "none" if f.name in unique else "lz4" for f in schema},
        use_dictionary=[f.name for f in schema if f.name not in unique],
        write_statistics=[f.name for f in schema if f.name not in strings],
        store_schema=not any(pa.types.is_dictionary(f.type) for f in schema),
    )


def write_parquet(table: pa.Table, path: Path, unique: tuple[str, ...] = ()) -> None:
    """Write with 1M-row row groups. Columns in ``unique`` (keys: every value different, mostly random hex) are
    stored plain and uncompressed (a dictionary never pays off and the codecs gain little on them, at a high
    CPU cost), the others with lz4. String columns get no min/max statistics (nothing prunes on them). Dictionary
    string columns are written as their dictionary and indices and read back as plain strings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=1_000_000, **_parquet_options(table.schema, unique))


def write_parquet_slices(tables: Iterable[pa.Table], path: Path, unique: tuple[str, ...] = ()) -> int:
    """Write tables of one schema as consecutive row groups of one file (as :func:`write_parquet`, one table at a
    time); returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer, rows = None, 0
    try:
        for table in tables:
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, **_parquet_options(table.schema, unique))
            writer.write_table(table, row_group_size=1_000_000)
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows
