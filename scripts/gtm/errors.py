"""Errors the CLI turns into a message and an exit code scripts can trust."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

# Exit codes (documented in the README; later verbs add their own).
EXIT_OK = 0
EXIT_FAILURE = 1  # unexpected error
EXIT_BAD_INPUT = 2  # missing/invalid input files, columns, types, arguments
EXIT_BUILD_FAILED = 3  # dbt build failed
# 4: gtm parity found a difference (gtm.parity.EXIT_PARITY_FAILED)
EXIT_CHECK_FAILED = 5  # gtm check found an error in the built warehouse (nothing published)
EXIT_BUSY = 6  # another gtm run/build/load/publish holds the warehouse lock
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C / SIGTERM (nothing published)


class GtmError(Exception):
    """An error with a message meant for the user, and the exit code to use."""

    exit_code = EXIT_FAILURE


class BadInputError(GtmError):
    """The input (files, columns, types, arguments) cannot be used; the message says how to fix it."""

    exit_code = EXIT_BAD_INPUT


class BuildError(GtmError):
    exit_code = EXIT_BUILD_FAILED


class CheckError(GtmError):
    """gtm check found errors in the warehouse's outputs."""

    exit_code = EXIT_CHECK_FAILED


class BusyError(GtmError):
    """Another process holds the warehouse lock."""

    exit_code = EXIT_BUSY


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a command like Ctrl-C: a KeyboardInterrupt, so cleanup runs (locks released,
    `gtm run` publishes nothing) and the CLI exits with EXIT_INTERRUPTED."""

    def handler(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
