"""Work of the generator that runs in a forked child process while the parent writes other tables.

Only work whose output depends on its arguments alone is sent here (the page-view part files: their
numbering, session ids and random draws are fixed before the work starts), so the files are the same
whether they are written in a child or in the calling process, and whatever the scheduling.

``GTM_GENERATE_PROCESSES=1`` runs everything in the calling process (same output, one core).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

ENV = "GTM_GENERATE_PROCESSES"


def enabled() -> bool:
    """Whether to fork: on platforms with fork, unless GTM_GENERATE_PROCESSES=1."""
    if sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods():
        return False
    return os.environ.get(ENV, "").strip() not in ("0", "1")


class Background:
    """Runs ``fn(*args)`` in a forked child (or right away, in this process, when forking is off).

    :meth:`result` waits for the child and returns the function's value, or raises ``RuntimeError`` with
    the child's traceback if it failed. :meth:`cancel` stops a child that is still running.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, fork: bool | None = None):
        self._value: Any = None
        self._process = None
        self._conn = None
        if not (enabled() if fork is None else fork):
            self._value = fn(*args)
            return
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
        self._process.start()
        send.close()
        self._conn = receive

    def result(self) -> Any:
        if self._process is None:
            return self._value
        try:
            status, payload = self._conn.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"generator child process died (exit code {self._process.exitcode})") from None
        finally:
            self._conn.close()
        self._process.join()
        self._process = None
        if status != "ok":
            raise RuntimeError(f"generator child process failed:\n{payload}")
        self._value = payload
        return payload

    def cancel(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._conn.close()
            self._process = None


def _child(conn, fn: Callable[..., Any], args: tuple) -> None:
    try:
        value = fn(*args)
    except BaseException:  # noqa: BLE001 - everything is reported to the parent
        conn.send(("error", traceback.format_exc()))
    else:
        conn.send(("ok", value))
    finally:
        conn.close()
