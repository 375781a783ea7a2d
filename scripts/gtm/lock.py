"""One writer at a time: an advisory lock file beside the published warehouse.

``<warehouse>.lock`` (e.g. ``warehouse/gtm.duckdb.lock``) is held with ``fcntl.flock`` for the
whole of a ``gtm run`` / ``build`` / ``load`` / ``publish``; it records the holder's pid, host,
start time and command line, so a second writer can say who is running. The kernel releases a
flock when its process dies, even on SIGKILL, so a killed run never blocks the next one: the
file it leaves behind is recognised as stale (its pid no longer runs), reported and taken over.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from gtm.errors import BusyError


def lock_path(warehouse: Path) -> Path:
    warehouse = Path(warehouse).resolve()
    return warehouse.parent / f"{warehouse.name}.lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _read_holder(fd: int) -> dict:
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        data = json.loads(os.read(fd, 65536).decode() or "{}")
        if isinstance(data, dict):
            return data
    return {}


def describe_holder(holder: dict) -> str:
    if not holder:
        return "another gtm process (no details recorded)"
    return (
        f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('started_at')}: "
        f"{holder.get('command', '?')}"
    )


@contextlib.contextmanager
def warehouse_lock(warehouse: Path, command: str | None = None, log=None) -> Iterator[dict]:
    """Hold the warehouse's lock for the block; raise BusyError at once if another process holds it.

    ``log`` (a callable taking a line) hears about a stale lock that was cleared.
    """
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            raise BusyError(
                f"the warehouse {Path(warehouse).resolve()} is busy: {describe_holder(holder)}.\n"
                f"Wait for it to finish (or stop that process), then retry. Lock file: {path}"
            ) from None
        previous = _read_holder(fd)
        if previous and log is not None:
            pid = previous.get("pid")
            same_host = previous.get("host") == socket.gethostname()
            state = "no longer runs" if isinstance(pid, int) and same_host and not _pid_alive(pid) else "ended"
            log(f"stale lock cleared: {describe_holder(previous)} ({state})")
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command or " ".join(["gtm", *sys.argv[1:]]),
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(holder) + "\n").encode())
        os.fsync(fd)
        try:
            yield holder
        finally:
            # An empty file means "released cleanly"; a file with content and no flock is a stale one.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
