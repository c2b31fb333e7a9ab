"""Reading demo.exe's exchange.db without ever holding a lock on it.

demo.exe's SQLite (3.7.11) has no busy handler: its INSERT of a WeChat
message fails, and the message is lost, if any other connection holds even
a SHARED lock at the instant it commits.  An ordinary read, however short,
is such a lock.  So wxpanel reads the file on a connection opened with
``nolock=1`` (SQLite takes no file lock at all for it) and ``mode=ro``
(it can never write, not even to roll back a journal), and makes each read
trustworthy the way a seqlock does:

1. No ``exchange.db-journal`` may exist: in rollback-journal mode a writer
   creates the journal before it changes a single page of the database and
   deletes it only after its last page is on disk (that deletion *is* its
   commit).  Asked without opening it, before any statement (below).
2. ``PRAGMA data_version`` on that connection: SQLite re-reads the file
   change counter at the start of every read transaction, so the value
   changes whenever anybody committed to the file since.  No lock: this is
   also how :meth:`ExchangeReader.changed` notices new rows for free.  Then
   the journal is looked at again: a writer that created its journal and
   rewrote page 1 between (1) and (2) would give (2) its new counter, then
   change pages under (3) and be gone by (4).
3. The queries, in one read transaction (SQLite checks the change counter
   once, at its start; with ``nolock`` the transaction holds nothing).
4. Again: no journal, and the same ``data_version``.  A writer that changed
   pages while (3) ran either still has its journal, or committed and so
   rewrote page 1 with a new change counter (page 1 is always written in a
   rollback-mode commit, and first) after the journal was last seen absent in (2).

Only when (1), (2) and (4) hold is the snapshot used.  Otherwise it is thrown
away together with the connection, because SQLite's page cache may now hold
a torn page under the new counter, and the read is retried; demo.exe never
noticed.  A read is therefore only used if it fits between two of demo.exe's
commits, which come a millisecond apart in a flood (1 000 messages a
second).  So it is made short: only the rows from the anchor on, up to a
count the poller halves after each torn read, in one statement that makes
one Python object per column (a plain row's TEXT arrives as its bytes; the
rare row holding another storage class is read again with ``typeof`` and
``CAST``), and the backlog beyond it is told by ``max(rowid)`` instead of
being counted.  Hashing and decoding come after the checks.

A journal that stays (a writer killed mid-commit leaves a *hot* journal) is
rolled back by
:meth:`ExchangeReader.recover`, on an ordinary read-write connection, as any
SQLite would, demo.exe's 3.7.11 included; the engine does it only once the
journal has stood for seconds, and SQLite itself does it only when no
writer holds its RESERVED lock (which it tests correctly under Wine too:
reads against a live 3.7.13 transaction, in each of its lock states, never
rolled it back).

The journal is never opened
---------------------------
Not by us, and not by SQLite on our behalf.  Under Wine, a handle on the
journal at the instant demo.exe's SQLite deletes it (its commit) makes
DeleteFileW succeed while the file stays, visible and readable, until that
handle is closed.  demo.exe releases its lock meanwhile, and its next INSERT
finds a journal that nobody holds a lock for, takes it for a hot one and
rolls back the message it had just reported written; the next message gets
its rowid.  (A Windows that deletes with POSIX semantics removes the name at
once, and an older one refuses to open a file pending deletion; Wine does
neither.)  ``scripts/wine/journal_race.py`` reproduces it: a process that
only asked ``Path.exists()`` of the journal in a loop made demo.exe lose 15
of 300 committed messages (3.7.13), this reader polled without pause 90 of
900; with the checks below, none.  Two things used to open it:

- ``os.stat`` (``Path.exists``) opens the file on Windows to read its
  attributes.  :func:`~wxpanel.core.exchange.files.exists_unopened` asks
  GetFileAttributesW instead, the call demo.exe's SQLite itself makes;
  ``stat`` on POSIX opens nothing.
- SQLite, at the start of every read transaction on a ``nolock`` connection
  (``PRAGMA data_version`` included), opens a journal it finds to read its
  first byte (``hasHotJournal`` in pager.c: ``nolock`` reports no RESERVED
  lock, so any journal might be hot); on Windows without
  ``FILE_SHARE_DELETE``, so demo.exe's delete fails and is retried.  So no
  statement runs on the connection while a journal stands: every
  ``data_version`` is asked only after the journal was found absent.  What
  remains is a journal created between the last look and the start of the
  read transaction (step 3): SQLite opens it for
  microseconds, and a delete of demo.exe's that meets it fails with a
  sharing violation and is retried 25 ms later (3.7.8 on); measured
  harmless: ``data_version`` in a loop without pause, which had SQLite open
  every journal it saw, cost demo.exe nothing in 900 messages (3.7.13).

All file access goes through SQLite, never through a file handle of our
own: on POSIX, closing any descriptor of a file drops every lock the
process holds on it, including those of our own write transactions.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from wxpanel.core.exchange.files import (
    connect,
    exists_unopened,
    journal_of,
    missing_columns,
    sqlite_uri,
)

_T = TypeVar("_T")

#: The most rows and content bytes one snapshot carries; the rest waits.
SNAPSHOT_MAX_ROWS: Final = 1000
SNAPSHOT_MAX_BYTES: Final = 4 * 1024 * 1024

#: Each row's six columns as stored, and whether all six are TEXT or NULL ("plain").
#: Read on a connection whose text_factory is bytes, a plain row's TEXT values
#: arrive as their UTF-8 bytes, which is what ``CAST(col AS BLOB)`` gives in
#: a UTF-8 file; a row holding another storage class (never written by
#: demo.exe) is read again in full form with :data:`_SELECT_EVENTS`.  One
#: Python object per column, not two: most of a read's time is spent making
#: them, and a read is only valid if no commit falls inside it.
_SELECT_ROWS: Final = (
    "SELECT rowid,"
    " coalesce(length(CAST(MSG_CONTENT AS BLOB)), 0) + coalesce(length(CAST(ID1 AS BLOB)), 0)"
    " + coalesce(length(CAST(ID2 AS BLOB)), 0) + coalesce(length(CAST(MSG_FROM AS BLOB)), 0),"
    " typeof(ID1) IN ('text', 'null') AND typeof(ID2) IN ('text', 'null')"
    " AND typeof(MSG_FROM) IN ('text', 'null') AND typeof(MSG_CONTENT) IN ('text', 'null')"
    " AND typeof(MSG_STATE) IN ('text', 'null') AND typeof(MSG_TYPE) IN ('text', 'null'),"
    " ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE"
    " FROM wx_event WHERE rowid >= ? ORDER BY rowid LIMIT ?"
)
#: typeof() and the raw bytes of each of wx_event's six columns: the form in
#: which :mod:`wxpanel.core.ingest` decodes a row, whatever it holds.
_SELECT_EVENTS: Final = (
    "SELECT rowid, typeof(ID1), CAST(ID1 AS BLOB), typeof(ID2), CAST(ID2 AS BLOB),"
    " typeof(MSG_FROM), CAST(MSG_FROM AS BLOB), typeof(MSG_CONTENT), CAST(MSG_CONTENT AS BLOB),"
    " typeof(MSG_STATE), CAST(MSG_STATE AS BLOB), typeof(MSG_TYPE), CAST(MSG_TYPE AS BLOB)"
    " FROM wx_event WHERE rowid BETWEEN ? AND ? ORDER BY rowid"
)
_SELECT_COMMANDS: Final = (
    "SELECT rowid, CAST(Token AS BLOB), CAST(cmd_type AS BLOB), CAST(id_1 AS BLOB),"
    " CAST(id_2 AS BLOB) FROM wx_command ORDER BY rowid LIMIT 100"
)


def row_digest(columns: Sequence[object]) -> int:
    """A 64-bit fingerprint of a wx_event row's six (type, bytes) values.

    Stored with each ingested rowid, it tells a row we already have from a
    new row that got the same rowid after somebody else emptied the table.
    """
    digest = hashlib.blake2b(digest_size=8)
    for value in columns:
        if value is None:
            digest.update(b"\x00")
            continue
        raw = value if isinstance(value, bytes) else str(value).encode()
        digest.update(len(raw).to_bytes(8, "little"))
        digest.update(raw)
    return int.from_bytes(digest.digest(), "little", signed=True)


@dataclass(frozen=True, slots=True)
class EventRow:
    """One wx_event row as read: its rowid, (typeof, bytes) × 6, and its digest."""

    rowid: int
    columns: tuple[object, ...]
    digest: int
    size: int


@dataclass(frozen=True, slots=True)
class CommandRow:
    """One wx_command row as read, values as raw bytes (None for NULL)."""

    rowid: int
    token: bytes | None
    cmd_type: bytes | None
    id_1: bytes | None
    id_2: bytes | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A consistent view of both tables at one instant.

    ``events`` are the rows from the asked-for rowid on, in rowid order;
    ``more`` says the budget cut them short; ``backlog`` counts every row
    after ``after`` (the caller's last ingested rowid), cut or not.
    """

    events: tuple[EventRow, ...]
    more: bool
    commands: tuple[CommandRow, ...]
    backlog: int

    def followed_by(self, later: Snapshot, after: int | None) -> Snapshot | None:
        """This snapshot and ``later`` (read from this one's last row on) as one.

        Only if ``later`` starts with that row unchanged, same rowid and
        digest: while it stands, every row SQLite adds gets a larger rowid,
        so ``later``'s other rows are exactly the rows after it, as after the
        anchor (:mod:`wxpanel.core.ingest`).  None otherwise.
        """
        if not self.events or not later.events:
            return None
        last, first = self.events[-1], later.events[0]
        if (last.rowid, last.digest) != (first.rowid, first.digest):
            return None
        before = sum(1 for event in self.events[:-1] if after is None or event.rowid > after)
        return Snapshot(
            events=self.events + later.events[1:],
            more=later.more,
            commands=later.commands,
            backlog=before + later.backlog,
        )


#: typeof() of a plain row's value, by whether it is NULL.
_PLAIN_CLASS: Final = {False: "text", True: "null"}
#: What a snapshot's read returns: (rowid, size, columns) rows, command rows, more, top rowid.
_Raw = tuple[list[tuple[int, int, tuple[object, ...]]], list[Any], bool, int | None]


class SnapshotRetry(Exception):
    """A writer was at work during the read: nothing read is used, try again soon.

    ``torn``: the read ran and a commit fell inside it, so a shorter read may
    fit between two commits; otherwise a writer's journal stood before it began.
    """

    def __init__(self, *, torn: bool = False) -> None:
        super().__init__()
        self.torn = torn


class HotJournalError(Exception):
    """A journal stays beside exchange.db: a writer died mid-commit; see recover()."""


class ExchangeReader:
    """Lock-free change detection and consistent reads of one exchange.db.

    Belongs to one thread (the poller's), like every connection of ours.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.journal = journal_of(self.path)
        self._conn: sqlite3.Connection | None = None
        #: Connections opened so far: data_version counts per connection.
        self._generation = 0
        self._seen_version: int | None = None
        self._encoding_of = 0  # the connection whose encoding _is_utf8 tells
        self._is_utf8 = True
        #: How many reads were thrown away because a writer was at work.
        self.retries = 0
        #: How many times a hot journal was rolled back (an ordinary read: a lock).
        self.recoveries = 0

    # -- connection -----------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, mode="ro", nolock=True, busy_timeout=0)
            self._generation += 1
        return self._conn

    def close(self) -> None:
        """Drop the connection, and with it SQLite's page cache."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def journal_stands(self) -> bool:
        """Whether a journal stands beside the file, asked without opening it."""
        return exists_unopened(self.journal)

    def _version(self) -> int | None:
        """The connection's data_version, None while a journal stands; takes no lock.

        Page 1 read while a writer rewrites it can look damaged for that
        instant: such a read is tried once more on a new connection before
        the file is called damaged.
        """
        try:
            return self._read_version()
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError:
            return self._read_version()  # on a new connection: _read_version closed it

    def _read_version(self) -> int | None:
        if self.journal_stands():
            return None  # no statement: SQLite would open the journal (module docstring)
        try:
            return int(self._connection().execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.OperationalError as exc:
            self.close()
            if _is_readonly_rollback(exc):
                raise HotJournalError(str(self.path)) from exc
            raise
        except sqlite3.DatabaseError:
            self.close()
            raise

    # -- public ---------------------------------------------------------------

    def changed(self) -> bool:
        """Whether anybody committed to the file since the last snapshot; takes no lock."""
        if self._seen_version is None:
            return True
        try:
            version = self._version()
        except (HotJournalError, sqlite3.DatabaseError):
            return True  # the snapshot that follows tells what it was
        return version is None or version != self._seen_version

    def write_mark(self) -> tuple[int, int] | None:
        """A value that changes whenever anybody commits; None while a journal stands.

        Takes no lock (:mod:`wxpanel.core.exchange.quiet` uses it to write in
        demo.exe's quiet moments).  A new connection gives a new value, so a
        change is never missed, at worst imagined.
        """
        try:
            version = self._version()
        except (HotJournalError, sqlite3.DatabaseError):
            return None
        return None if version is None else (self._generation, version)

    def _consistent(self, read: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``read`` on the lock-free connection; its result only if no writer
        was at work meanwhile (the module docstring's steps 1 to 4).

        ``read``'s statements share one read transaction: SQLite then checks
        the change counter once, at its start, instead of once per statement,
        and nothing of the file is read between them.
        """
        before = self._version()  # None while a journal stands, asked before any statement
        if before is None or self.journal_stands():  # again after (2): the module docstring
            raise SnapshotRetry
        conn = self._connection()
        try:
            conn.execute("BEGIN")
            try:
                result = read(conn)
            finally:
                conn.execute("COMMIT")  # a read: nothing to keep or undo, no lock (nolock)
        except SnapshotRetry:  # ``read`` itself saw the file change between its statements
            self.retries += 1
            self.close()
            raise SnapshotRetry(torn=True) from None
        except sqlite3.OperationalError as exc:
            self.close()
            if _is_readonly_rollback(exc):
                raise HotJournalError(str(self.path)) from exc
            raise
        except sqlite3.DatabaseError:
            # Possibly a page read while it was written: retry before calling it
            # corrupt.  Asked on this connection: data_version counts per
            # connection, so a new one's value says nothing about ``before``.
            moved = self._moved_since(before)
            self.close()
            if moved:
                self.retries += 1
                raise SnapshotRetry(torn=True) from None
            raise
        if self._moved_since(before):
            self.retries += 1
            self.close()  # its cache may hold a torn page under the new counter
            raise SnapshotRetry(torn=True)
        self._seen_version = before
        return result

    def _utf8(self, conn: sqlite3.Connection) -> bool:
        """Whether the file's text is UTF-8 (as demo.exe's is), asked once per connection."""
        if self._encoding_of != self._generation:
            self._is_utf8 = conn.execute("PRAGMA encoding").fetchone()[0] == "UTF-8"
            self._encoding_of = self._generation
        return self._is_utf8

    def _moved_since(self, before: int) -> bool:
        """Whether a writer was at work since ``before`` was read on this connection.

        A page 1 that cannot be read counts as moved: if the file really is
        damaged, the next read's first step says so.
        """
        try:
            return self._read_version() != before  # None (a journal stands) counts as moved
        except (HotJournalError, sqlite3.DatabaseError):
            return True

    def snapshot(
        self,
        start: int | None,
        *,
        after: int | None = None,
        max_rows: int = SNAPSHOT_MAX_ROWS,
        max_bytes: int = SNAPSHOT_MAX_BYTES,
    ) -> Snapshot:
        """wx_event rows from rowid ``start`` on (all rows for None), and wx_command.

        Raises :class:`SnapshotRetry` when a writer interfered (retry on the
        next poll), :class:`HotJournalError` when a dead writer's journal
        needs rolling back, :class:`sqlite3.DatabaseError` for a file that
        is not (or no longer) a database.
        """

        def read(conn: sqlite3.Connection) -> _Raw:
            """SQL only: whatever Python does meanwhile widens the window a commit tears."""
            rows: list[tuple[int, int, tuple[object, ...]]] = []
            total, more, odd = 0, False, False
            conn.text_factory = bytes
            cursor = conn.execute(_SELECT_ROWS, (start or 0, max_rows + 1))
            try:
                for rowid, size, plain, *values in cursor:
                    if len(rows) >= max_rows or (rows and total + size > max_bytes):
                        more = True
                        break
                    total += size
                    odd = odd or not plain
                    rows.append((rowid, size, tuple(values)))
            finally:
                cursor.close()  # a statement left open would keep the read transaction open
                conn.text_factory = str
            if rows and (odd or not self._utf8(conn)):
                full = conn.execute(_SELECT_EVENTS, (rows[0][0], rows[-1][0])).fetchall()
                if [row[0] for row in full] != [row[0] for row in rows]:
                    raise SnapshotRetry  # a commit between the two statements
                rows = [
                    (row[0], size, tuple(row[1:]))
                    for row, (_, size, _) in zip(full, rows, strict=True)
                ]
            else:
                rows = [(rowid, size, _plain_columns(values)) for rowid, size, values in rows]
            commands = conn.execute(_SELECT_COMMANDS).fetchall()
            top = conn.execute("SELECT max(rowid) FROM wx_event").fetchone()[0] if more else None
            return rows, commands, more, top

        rows, commands, more, top = self._consistent(read)
        if top is not None and rows:
            # Rows waiting beyond this snapshot, by rowid: demo.exe only appends,
            # so above the anchor rowids have no gaps (counted exactly when paused).
            backlog = (
                top
                - max(rows[-1][0], after or 0)
                + sum(1 for rowid, _, _ in rows if after is None or rowid > after)
            )
        else:
            backlog = sum(1 for rowid, _, _ in rows if after is None or rowid > after)
        return Snapshot(
            events=tuple(
                EventRow(rowid, columns, row_digest(columns), size) for rowid, size, columns in rows
            ),
            more=more,
            commands=tuple(CommandRow(*row) for row in commands),
            backlog=backlog,
        )

    def counts(self, after: int | None) -> tuple[int, int]:
        """Rows of wx_event after rowid ``after`` (the backlog) and rows in wx_command."""

        def read(conn: sqlite3.Connection) -> tuple[int, int]:
            pending = conn.execute("SELECT count(*) FROM wx_command").fetchone()[0]
            return _count_after(conn, after), int(pending)

        return self._consistent(read)

    def missing_columns(self) -> list[str]:
        """demo.exe's tables or columns this file lacks, read without a lock."""
        return self._consistent(missing_columns)

    def recover(self, busy_timeout: float = 0.0) -> bool:
        """Let SQLite roll back a hot journal, as demo.exe's own SQLite would.

        An ordinary read-write connection does it on its first read (that
        takes a lock, which is why this runs only when the read-only
        connection reported a hot journal).  True when the journal is gone.
        """
        self.recoveries += 1
        try:
            conn = sqlite3.connect(
                sqlite_uri(self.path, "rw"), uri=True, isolation_level=None, timeout=busy_timeout
            )
            try:
                conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            return False
        return not self.journal_stands()


def _plain_columns(values: Sequence[object]) -> tuple[object, ...]:
    """A plain row's six values in the (typeof, bytes) form of :data:`_SELECT_EVENTS`."""
    a, b, c, d, e, f = values  # spelt out: a generator cost twice the time
    kind = _PLAIN_CLASS
    return (
        kind[a is None], a, kind[b is None], b, kind[c is None], c,
        kind[d is None], d, kind[e is None], e, kind[f is None], f,
    )  # fmt: skip


def _count_after(conn: sqlite3.Connection, after: int | None) -> int:
    row = conn.execute("SELECT count(*) FROM wx_event WHERE rowid > ?", (after or 0,)).fetchone()
    return int(row[0])


def _is_readonly_rollback(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == getattr(sqlite3, "SQLITE_READONLY_ROLLBACK", 776)
