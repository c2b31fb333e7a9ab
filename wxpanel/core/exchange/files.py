"""Finding, checking and creating demo.exe's exchange.db.

We never change demo.exe's tables or its journal mode: the file keeps its
rollback journal (``journal_mode=delete``); WAL would be persistent, and
demo.exe's SQLite 3.7.11 carries WAL bugs it cannot be upgraded out of.
Opening is done with ``mode=rw`` or ``mode=ro`` so that a missing file is
reported, not silently created; ``--create`` is the only way we make one,
with demo.exe's schema verbatim.  The check reads the schema without a lock
(see :mod:`wxpanel.core.exchange.reader`), so even starting wxpanel cannot
cost demo.exe a message.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import quote

from wxpanel.core import protocol
from wxpanel.core.errors import ExchangeError, ExchangeLockedError, is_busy
from wxpanel.core.texts import Text

#: How long SQLite itself waits on a lock before handing SQLITE_BUSY back to
#: us.  Short on purpose: the poller retries with backoff and stays able to
#: report status and to stop, instead of sleeping inside the C library.
DEFAULT_BUSY_TIMEOUT = 0.05


def sqlite_uri(path: Path, mode: str) -> str:
    """A ``file:`` URI for ``path``: the only way to ask for mode=ro / mode=rw."""
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def create_exchange(path: Path) -> None:
    """Make a new, empty exchange.db exactly as demo.exe ships it."""
    if path.exists():
        raise ExchangeError(Text.of("problem_exists", path=str(path)), "exists")
    if not path.parent.is_dir():
        raise ExchangeError(Text.of("problem_no_folder", path=str(path), folder=str(path.parent)))
    try:
        conn = sqlite3.connect(sqlite_uri(path, "rwc"), uri=True, isolation_level=None)
        try:
            conn.execute(f"PRAGMA page_size = {protocol.PAGE_SIZE:d}")
            conn.execute("BEGIN")
            for statement in protocol.SCHEMA_SQL:
                conn.execute(statement)
            conn.execute("COMMIT")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ExchangeError(
            Text.of("problem_cannot_create", path=str(path), detail=str(exc))
        ) from exc


def missing_columns(conn: sqlite3.Connection) -> list[str]:
    """The tables or columns of demo.exe's schema that this database lacks."""
    problems: list[str] = []
    expected = {
        protocol.EVENT_TABLE: protocol.EVENT_COLUMNS,
        protocol.COMMAND_TABLE: protocol.COMMAND_COLUMNS,
    }
    for table, columns in expected.items():
        rows = conn.execute("SELECT name FROM pragma_table_info(?, 'main')", (table,)).fetchall()
        if not rows:
            problems.append(f"table {table}")
            continue
        present = {str(name).lower() for (name,) in rows}
        problems.extend(f"{table}.{col}" for col in columns if col.lower() not in present)
    return problems


def check_exchange(
    path: Path, *, create: bool = False, wait: float = 2.0, need_write: bool = True
) -> Path:
    """Validate ``path`` as a usable exchange.db and return it resolved.

    Every problem becomes one :class:`ExchangeError` that names the file;
    the check only reads, so nothing is modified.  If another program holds
    the lock for ``wait`` seconds, :class:`ExchangeLockedError` says so.
    ``need_write=False`` accepts a read-only file (``wxpanel stats`` only counts).
    """
    path = Path(path).expanduser()
    if not path.exists():
        if not create:
            raise ExchangeError(Text.of("problem_missing", path=str(path)), "missing")
        create_exchange(path)
    if path.is_dir():
        raise ExchangeError(Text.of("problem_folder", path=str(path)), "folder")
    path = path.resolve()
    writable = os.access(path, os.W_OK)
    try:
        problems = _read_schema_lock_free(path)
        if problems is None:
            # A hot journal (a writer died mid-commit), which only a writer may
            # roll back, as demo.exe's own SQLite would on its next read; or
            # not a database at all.  An ordinary read, rare as this is, tells which.
            problems = _read_schema(sqlite_uri(path, "rw" if writable else "ro"), wait)
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            if need_write:
                _check_writable(path, writable)
            raise ExchangeLockedError(path) from exc
        text = Text.of("problem_not_sqlite", path=str(path), detail=str(exc))
        raise ExchangeError(text, "not_sqlite", str(exc)) from exc
    if problems:
        missing = ", ".join(problems)
        text = Text.of("problem_not_demo", path=str(path), missing=missing)
        raise ExchangeError(text, "not_demo", missing)
    if need_write:
        _check_writable(path, writable)
    return path


def journal_of(path: Path) -> Path:
    """The rollback journal SQLite writes beside ``path`` during a write transaction."""
    return Path(str(path) + "-journal")


if sys.platform == "win32":
    import ctypes

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.GetFileAttributesW.argtypes = [ctypes.c_wchar_p]
    _kernel32.GetFileAttributesW.restype = ctypes.c_uint32
    _INVALID_FILE_ATTRIBUTES = 0xFFFFFFFF
    _NOT_FOUND = (2, 3)  # ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND

    def exists_unopened(path: Path) -> bool:
        """Whether ``path`` exists, asked without opening it.

        ``os.stat`` opens the file on Windows, and a handle on demo.exe's
        journal, however short-lived, can make demo.exe roll back a commit
        it reported (:mod:`wxpanel.core.exchange.reader`, "The journal is
        never opened").  GetFileAttributesW is the call SQLite itself makes
        for the journal.  Any answer but "not found" counts as present: the
        caller then waits, which costs nothing.
        """
        if _kernel32.GetFileAttributesW(str(path)) != _INVALID_FILE_ATTRIBUTES:
            return True
        return ctypes.get_last_error() not in _NOT_FOUND

else:

    def exists_unopened(path: Path) -> bool:
        """Whether ``path`` exists, asked without opening it (``stat`` opens nothing on POSIX)."""
        try:
            os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError:
            return True
        return True


#: A journal that stands this long is a dead writer's, not demo.exe at work.
_JOURNAL_GRACE = 2.0


def _read_schema_lock_free(path: Path) -> list[str] | None:
    """The schema's problems, read without a lock; None if that cannot tell.

    No statement runs while a journal stands beside the file (a read on a
    ``nolock`` connection would open it: see :mod:`wxpanel.core.exchange.reader`);
    a writer at work is waited for until its journal is gone: rolling back a
    live writer's journal, should a platform's lock test miss demo.exe's
    lock, would lose a message.
    """
    journal = journal_of(path)
    deadline = time.monotonic() + _JOURNAL_GRACE
    while True:
        if not exists_unopened(journal):
            try:
                return _read_schema(sqlite_uri(path, "ro") + "&nolock=1", 0.0)
            except sqlite3.DatabaseError:
                if not exists_unopened(journal):
                    return None
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)


def _read_schema(uri: str, wait: float) -> list[str]:
    conn = sqlite3.connect(uri, uri=True, timeout=wait)
    try:
        return missing_columns(conn)
    finally:
        conn.close()


def _check_writable(path: Path, writable: bool) -> None:
    if not writable:
        raise ExchangeError(Text.of("problem_read_only", path=str(path)), "read_only")
    if not os.access(path.parent, os.W_OK):
        raise ExchangeError(Text.of("problem_folder_read_only", path=str(path)), "folder_read_only")


def connect(
    path: Path,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    mode: str = "rw",
    nolock: bool = False,
) -> sqlite3.Connection:
    """A connection for one thread, in autocommit mode: we write BEGIN/COMMIT ourselves.

    ``isolation_level=None`` stops :mod:`sqlite3` from opening DEFERRED
    transactions behind our back, which could deadlock against demo.exe
    (SQLite returns BUSY at once when a reader wants to upgrade).  ``nolock``
    (with ``mode="ro"``) is the lock-free reader's: see
    :mod:`wxpanel.core.exchange.reader` for why it is safe there and only there.
    """
    uri = sqlite_uri(path, mode) + ("&nolock=1" if nolock else "")
    try:
        return sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise ExchangeError(
            Text.of("problem_cannot_open", path=str(path), detail=str(exc))
        ) from exc
