"""Writing to demo.exe's exchange.db: commands, and a rare clean-up of ingested rows.

Every write transaction is a window in which demo.exe's INSERT of a WeChat
message fails (it has no busy handler): from our RESERVED lock to the end of
our COMMIT, fsyncs included.  So wxpanel writes only what it must, in as few
and as short transactions as it can:

- one transaction per outgoing command (an INSERT into wx_command), which
  also carries the clean-up of ingested wx_event rows when there are any,
  so that clean-up costs no window of its own while replies are being sent;
- a clean-up on its own only when many rows have piled up, or after a quiet
  spell (see :class:`wxpanel.core.ingest.CleanupPolicy`).

Each transaction is prepared before it starts, takes the EXCLUSIVE lock up
front and runs with no busy timeout (``timeout=0``): when demo.exe holds any
lock we give up at once, before doing any work, and retry on a later poll,
instead of sitting on RESERVED or PENDING while SQLite's busy handler waits
(or while our COMMIT waits for demo.exe's read), which would fail demo.exe's
next INSERT too.
The file stays as demo.exe knows it: rollback journal in ``delete`` mode
(nothing is left beside it), ``synchronous=FULL`` as demo.exe's own SQLite
has it, and only single-file transactions, so no super-journal is ever
written next to exchange.db.

The clean-up deletes the rows *below* the newest ingested one, never that
one: while the row with the largest rowid stays, SQLite gives every new row
a larger rowid than any we have seen, which is what lets
:mod:`wxpanel.core.ingest` trust "rowid above the anchor" to mean "new".
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from wxpanel.core.errors import is_busy
from wxpanel.core.exchange.files import connect
from wxpanel.core.exchange.reader import row_digest
from wxpanel.core.protocol import COMMAND_ID3

_SELECT_ANCHOR: Final = (
    "SELECT typeof(ID1), CAST(ID1 AS BLOB), typeof(ID2), CAST(ID2 AS BLOB),"  # as the reader
    " typeof(MSG_FROM), CAST(MSG_FROM AS BLOB), typeof(MSG_CONTENT), CAST(MSG_CONTENT AS BLOB),"
    " typeof(MSG_STATE), CAST(MSG_STATE AS BLOB), typeof(MSG_TYPE), CAST(MSG_TYPE AS BLOB)"
    " FROM wx_event WHERE rowid = ?"
)
#: Lock-hold samples kept per kind, for medians.
_SAMPLES: Final = 4096


class WriteBusy(Exception):
    """demo.exe (or someone) held a lock: nothing was written; try again later."""


class AnchorMoved(Exception):
    """The newest ingested row is no longer what we ingested: nothing was deleted."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """The newest wx_event row already in history: its rowid and digest."""

    rowid: int
    digest: int


@dataclass(frozen=True, slots=True)
class OutgoingCommand:
    """A wx_command row to write; ``token`` identifies it (demo.exe never reads Token)."""

    token: str
    cmd_type: str
    to: str
    payload: str


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one transaction did: the command's rowid, how many events it deleted."""

    command_rowid: int | None
    deleted_below: int | None  # every row below this rowid (ingested ones) is gone
    deleted: int
    held: float  # seconds from BEGIN EXCLUSIVE to the end of COMMIT


@dataclass
class LockStats:
    """How long each kind of transaction held exchange.db's write lock."""

    count: dict[str, int] = field(default_factory=dict)
    total: dict[str, float] = field(default_factory=dict)
    busy: dict[str, int] = field(default_factory=dict)
    samples: dict[str, deque[float]] = field(default_factory=dict)

    def add(self, kind: str, held: float, *, succeeded: bool) -> None:
        self.total[kind] = self.total.get(kind, 0.0) + held
        if succeeded:
            self.count[kind] = self.count.get(kind, 0) + 1
            self.samples.setdefault(kind, deque(maxlen=_SAMPLES)).append(held)
        else:
            self.busy[kind] = self.busy.get(kind, 0) + 1

    def median(self, kind: str) -> float | None:
        samples = self.samples.get(kind)
        return statistics.median(samples) if samples else None

    def to_json(self) -> dict[str, dict[str, float | int | None]]:
        kinds = set(self.total) | set(self.busy)
        return {
            kind: {
                "count": self.count.get(kind, 0),
                "busy": self.busy.get(kind, 0),
                "total_s": self.total.get(kind, 0.0),
                "median_ms": None if (m := self.median(kind)) is None else m * 1000,
            }
            for kind in sorted(kinds)
        }


class ExchangeWriter:
    """Short, fail-fast write transactions on exchange.db; one thread's.

    The connection is opened lazily and holds no lock between transactions.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self.stats = LockStats()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, busy_timeout=0)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def write(
        self, *, command: OutgoingCommand | None = None, clean_below: Anchor | None = None
    ) -> WriteResult:
        """One transaction: delete ingested events below ``clean_below``, then add ``command``.

        Raises :class:`WriteBusy` (nothing written) when any lock is in the
        way, :class:`AnchorMoved` when the anchor row changed (nothing
        deleted, nothing written).
        """
        if command is None and clean_below is None:
            raise ValueError("nothing to write")
        kind = "command" if command is not None else "cleanup"
        conn = self._connection()
        values = (
            None
            if command is None
            else (command.token, command.cmd_type, command.to, command.payload, COMMAND_ID3)
        )
        started = time.perf_counter()
        try:
            # EXCLUSIVE at once, not IMMEDIATE: when demo.exe holds a read lock (the
            # SELECTs before its INSERT), IMMEDIATE would take RESERVED, do the work
            # and fail at COMMIT, keeping demo.exe's INSERT out all that while;
            # EXCLUSIVE fails before any work, in the time of one lock call.
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            self.stats.add(kind, time.perf_counter() - started, succeeded=False)
            if is_busy(exc):
                raise WriteBusy(str(exc)) from exc
            raise
        try:
            deleted = 0
            if clean_below is not None:
                row = conn.execute(_SELECT_ANCHOR, (clean_below.rowid,)).fetchone()
                if row is None or row_digest(row) != clean_below.digest:
                    raise AnchorMoved(str(clean_below))
                deleted = conn.execute(
                    "DELETE FROM wx_event WHERE rowid < ?", (clean_below.rowid,)
                ).rowcount
            rowid = None
            if values is not None:
                rowid = conn.execute(
                    "INSERT INTO wx_command (Token, cmd_type, id_1, id_2, id_3)"
                    " VALUES (?, ?, ?, ?, ?)",
                    values,
                ).lastrowid
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            held = time.perf_counter() - started
            self.stats.add(kind, held, succeeded=False)
            if is_busy(exc):
                raise WriteBusy(str(exc)) from exc
            raise
        held = time.perf_counter() - started
        self.stats.add(kind, held, succeeded=True)
        return WriteResult(
            command_rowid=rowid,
            deleted_below=None if clean_below is None else clean_below.rowid,
            deleted=deleted,
            held=held,
        )
