"""The two kinds of failure wxpanel distinguishes, and what an SQLite error means.

A :class:`KnownError` is something the user can act on (a missing file, a
wrong schema, a bad picture); it is shown as one line and never as a
traceback.  Anything else is a bug and is reported as such by the caller.

SQLite errors are told apart by their result codes
(``sqlite3.Error.sqlite_errorcode``, Python 3.11) and by the exception
types, never by their English text, which SQLite words differently from
one version to the next: :func:`is_busy`, :func:`is_disk_full`,
:func:`is_damaged`, :func:`is_read_only`.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wxpanel.core.texts import Text


class KnownError(Exception):
    """An expected failure with a message fit for the user.

    Raised with a :class:`~wxpanel.core.texts.Text`, ``str(exc)`` is its English
    line and ``text`` the sentence for the panel to translate; raised with a
    plain string (words that come from outside wxpanel), ``text`` is None.
    """

    def __init__(self, message: str | Text) -> None:
        super().__init__(str(message))
        self.text: Text | None = message if isinstance(message, Text) else None


class ExchangeError(KnownError):
    """exchange.db cannot be used: missing, not a database, wrong schema, read-only.

    ``reason`` (``"missing"``, ``"folder"``, ``"not_sqlite"``, ``"not_demo"``,
    ``"read_only"``, ``"folder_read_only"``, ``"exists"``; "" when not given)
    and ``detail`` let the first-run dialog choose its own wording.
    """

    def __init__(self, message: str | Text, reason: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


class ExchangeLockedError(ExchangeError):
    """exchange.db exists but another program held its lock for the whole check.

    The poller can start anyway and check the schema once the lock is gone;
    a one-shot command reports it.
    """

    def __init__(self, path: object) -> None:
        super().__init__(Text.of("problem_locked", path=str(path)))
        self.path = path


class HistoryError(KnownError):
    """wxpanel's own history database cannot be used."""


class PictureError(KnownError):
    """A picture cannot be queued for sending: ``text`` is one of the ``picture_*`` texts."""


class AlreadyRunningError(KnownError):
    """Another wxpanel already consumes this exchange.db."""


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of ``exc`` (``SQLITE_BUSY``…), None if it has none.

    Extended codes (``SQLITE_BUSY_SNAPSHOT``, ``SQLITE_IOERR_WRITE``…) keep the
    primary code in their low byte.  An error the ``sqlite3`` module raised by
    itself (a closed connection, a wrong parameter) has no code.
    """
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED: another connection holds a lock; try again later."""
    return sqlite_code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def is_disk_full(exc: BaseException) -> bool:
    """SQLITE_FULL, or the OS saying so (ENOSPC) for a file of ours."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return sqlite_code(exc) == sqlite3.SQLITE_FULL


def is_damaged(exc: BaseException) -> bool:
    """SQLITE_CORRUPT or SQLITE_NOTADB: the file is not (or no longer) a sound database."""
    return sqlite_code(exc) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or _damaged_schema(
        exc
    )


def is_read_only(exc: BaseException) -> bool:
    """SQLITE_READONLY: the file, its folder or the connection cannot be written."""
    return sqlite_code(exc) == sqlite3.SQLITE_READONLY


def describe_failure(exc: BaseException) -> str | None:
    """One line for a failure of the machine or the files, None for a bug.

    Disks, permissions and damaged databases are the user's to act on, so
    they are expected wherever they happen: the command line turns them into
    one line and exit status 2 without each command having to catch them.
    """
    if isinstance(exc, KnownError):
        return str(exc)
    if is_busy(exc):
        return f"a database is locked by another program ({exc}); try again"
    if _damaged_schema(exc):
        return "a database is damaged: its schema cannot be read"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"a database cannot be used: {exc}"
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
    except sqlite3.DatabaseError as exc:
        where = str(path)
        if is_busy(exc):
            raise HistoryError(Text.of("history_locked", path=where)) from exc
        if not is_damaged(exc) and isinstance(exc, sqlite3.OperationalError):
            raise HistoryError(Text.of("problem_file", path=where, detail=str(exc))) from exc
        raise HistoryError(Text.of("history_damaged", path=where, detail=str(exc))) from exc
    except UnicodeDecodeError as exc:
        if not _damaged_schema(exc):
            raise
        raise HistoryError(Text.of("history_schema_damaged", path=str(path))) from exc


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
