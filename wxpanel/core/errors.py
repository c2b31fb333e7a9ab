"""The two kinds of failure wxpanel distinguishes.

A :class:`KnownError` is something the user can act on (a missing file, a
wrong schema, a bad picture); it is shown as one line and never as a
traceback.  Anything else is a bug and is reported as such by the caller.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class KnownError(Exception):
    """An expected failure with a message fit for the user."""


class ExchangeError(KnownError):
    """exchange.db cannot be used: missing, not a database, wrong schema, read-only.

    ``reason`` (``"missing"``, ``"folder"``, ``"not_sqlite"``, ``"not_demo"``,
    ``"read_only"``, ``"folder_read_only"``, ``"exists"``; "" when not given)
    and ``detail`` let the panel say it in the user's language.
    """

    def __init__(self, message: str, reason: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


class ExchangeLockedError(ExchangeError):
    """exchange.db exists but another program held its lock for the whole check.

    The poller can start anyway and check the schema once the lock is gone;
    a one-shot command reports it.
    """

    def __init__(self, path: object) -> None:
        super().__init__(f"{path}: locked by another program for too long; try again")
        self.path = path


class HistoryError(KnownError):
    """wxpanel's own history database cannot be used."""


class PictureError(KnownError):
    """A picture cannot be queued for sending.

    ``reason`` (``"missing"``, ``"too_big"``…; "" when not given) and ``fields``
    say the same as the message in parts, for the panel to translate it.
    """

    def __init__(self, message: str, reason: str = "", **fields: str | int | float) -> None:
        super().__init__(message)
        self.reason = reason
        self.fields = fields


class AlreadyRunningError(KnownError):
    """Another wxpanel already consumes this exchange.db."""


def describe_failure(exc: BaseException) -> str | None:
    """One line for a failure of the machine or the files, None for a bug.

    Disks, permissions and damaged databases are the user's to act on, so
    they are expected wherever they happen: the command line turns them into
    one line and exit status 2 without each command having to catch them.
    """
    if isinstance(exc, KnownError):
        return str(exc)
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return f"a database is locked by another program ({exc}); try again"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"a database cannot be used: {exc}"
    if _damaged_schema(exc):
        return "a database is damaged: its schema cannot be read"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return None


@contextmanager
def concerning(path: Path) -> Iterator[None]:
    """Database errors inside are about ``path``: name it in the one line the user sees."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise HistoryError(f"{path}: locked by another program; try again") from exc
        raise HistoryError(f"{path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise HistoryError(
            f"{path}: the database is damaged ({exc}); restore a backup or move it away"
        ) from exc
    except UnicodeDecodeError as exc:
        if not _damaged_schema(exc):
            raise
        raise HistoryError(
            f"{path}: the database is damaged (its schema cannot be read);"
            " restore a backup or move it away"
        ) from exc


def _damaged_schema(exc: BaseException) -> bool:
    """SQLite's own error message quoting garbage from a damaged file.

    ``sqlite3`` cannot decode such a message ("malformed database schema
    (…) - near "\x80"…") and raises UnicodeDecodeError instead of
    DatabaseError: it is still a damaged file, not a bug.
    """
    return (
        isinstance(exc, UnicodeDecodeError)
        and isinstance(exc.object, bytes)
        and exc.object.startswith(b"malformed database schema")
    )
