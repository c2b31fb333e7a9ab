"""Moving events from demo.exe's wx_event into our history, exactly once.

The guarantee: after a crash at any instant (kill -9 included), every event
demo.exe wrote is in our history.db exactly once, or still in ``wx_event``
waiting for us; never twice, never nowhere, and ``message.id`` keeps
arrival order.  And wxpanel never holds a lock demo.exe could meet while
doing it: demo.exe's SQLite has no busy handler, so such a lock would lose
the WeChat message it was inserting (see ../shared/fixtures/README.md).

How, in three steps that each touch one file:

1. **Read without a lock.**  :class:`~wxpanel.core.exchange.reader.ExchangeReader`
   notices commits through ``PRAGMA data_version`` and reads a consistent
   snapshot of wx_event on a ``nolock`` read-only connection, validated like
   a seqlock (no journal, same change counter before and after).  Under a
   flood of commits reads are short, and :meth:`EventIngestor.gather` joins
   several into one snapshot, each starting at the last row of the one
   before (found unchanged, it proves the rows after it new, as the anchor
   below does).
2. **Record in history alone.**  One transaction on history.db inserts the
   decoded messages *and* the rowid and digest of each row into
   ``ingested``.  That table is the exactly-once state: a row is new if
   ``ingested`` does not hold its rowid with its digest.  A crash before
   the commit leaves the rows unrecorded, so they are read again; after it,
   they are known.  Nothing is ever half done, so a clean stop leaves
   nothing behind either.
3. **Clean up rarely and briefly.**  Ingested rows stay in wx_event until
   the :class:`CleanupPolicy` says it is time (many rows, a quiet spell, or
   a command being written anyway), and are then deleted in one short
   transaction of :class:`~wxpanel.core.exchange.writer.ExchangeWriter`.

Rowids are the catch (SQLite reuses the largest one after it is deleted,
and an emptied table starts again at 1).  So the clean-up deletes only rows
*below* the newest ingested row, the **anchor**, which stays in wx_event:
while it stands, every row demo.exe adds gets a larger rowid, and a
snapshot that starts at the anchor and finds it unchanged (same digest)
proves that everything after it is new.  If the anchor is gone or changed
(the file was replaced, or another program deleted rows), the
:class:`EventIngestor` compares every row of wx_event with ``ingested``,
rowid and digest, and carries on from there.

Upgrades: wxpanel versions before this one moved rows into an ``inbox``
table first; :func:`process_inbox` decodes what such a version left there.
"""

from __future__ import annotations

import sqlite3
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from wxpanel.core.decode import event_to_message
from wxpanel.core.exchange.reader import (
    SNAPSHOT_MAX_BYTES,
    EventRow,
    HotJournalError,
    Snapshot,
    SnapshotRetry,
)
from wxpanel.core.exchange.writer import Anchor
from wxpanel.core.history import HistoryWriter, NewMessage, immediate
from wxpanel.core.models import Message
from wxpanel.core.protocol import CommandType, Direction, MessageType

#: Inbox rows (left by an earlier wxpanel) decoded per transaction.
MAX_BATCH_ROWS = 2000
#: The most wx_event rows recorded in one history transaction, gathered from
#: several shorter reads (:meth:`EventIngestor.gather`).  A commit writes
#: every page the transaction touched, twice (journal and file); in a large
#: history most are the ends of the conversations in the conversation index,
#: one page per conversation however many of its rows a batch holds, so the
#: cost per row falls as batches grow.
RECORD_MAX_ROWS = 4000

#: Reads wx_event from a rowid on, at most so many rows and bytes.
Read = Callable[[int | None, int, int], Snapshot]
#: An account's own message (发出) matching one of our commands sent this
#: recently is recorded as that command's echo, not as a second bubble.
ECHO_WINDOW = 300.0

_SELECT_INBOX = (
    "SELECT seq, arrived,"
    " typeof(ID1), CAST(ID1 AS BLOB), typeof(ID2), CAST(ID2 AS BLOB),"
    " typeof(MSG_FROM), CAST(MSG_FROM AS BLOB), typeof(MSG_CONTENT), CAST(MSG_CONTENT AS BLOB),"
    " typeof(MSG_STATE), CAST(MSG_STATE AS BLOB), typeof(MSG_TYPE), CAST(MSG_TYPE AS BLOB)"
    " FROM inbox ORDER BY seq LIMIT ?"
)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one batch moved; ``more`` means wx_event still had rows after it."""

    messages: tuple[Message, ...]
    more: bool


class _EchoMatcher:
    """Finds which of our recent commands a 发出 event reports.

    One query per batch over the small partial index of written commands,
    instead of one query per event through the conversation's whole history.
    ``ORDER BY +id`` sorts the handful of rows found: a plain ``ORDER BY id``
    lets SQLite walk the whole table in rowid order instead of using the
    index, a full scan of history per batch holding a 发出 event.
    """

    def __init__(self, conn: sqlite3.Connection, now: float) -> None:
        self._open: dict[tuple[str, str, str], deque[int]] = {}
        rows = conn.execute(
            "SELECT id, conversation, command, content FROM message AS m"
            " WHERE written_at >= ? AND command IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM message WHERE echo_of = m.id) ORDER BY +id",
            (now - ECHO_WINDOW,),
        ).fetchall()
        for message_id, conversation, command, content in rows:
            self._open.setdefault((conversation, command, content), deque()).append(message_id)

    def claim(self, item: NewMessage) -> NewMessage:
        if item.direction is not Direction.OUT or item.content is None or not self._open:
            return item
        command = CommandType.PICTURE if item.type is MessageType.IMAGE else CommandType.TEXT
        waiting = self._open.get((item.conversation, command.value, item.content))
        if not waiting:
            return item
        return replace(item, echo_of=waiting.popleft())


class EventIngestor:
    """Turns snapshots of wx_event into history, exactly once; the poller's.

    Holds the anchor (see the module docstring) and, while wx_event is
    being compared row by row after the anchor went missing, where that
    comparison has got to.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.anchor: Anchor | None = None
        #: Row-by-row comparison in progress from this rowid on, or None.
        self.compare_from: int | None = None
        self.resets = 0
        # The rows below the anchor (rows, bytes) and the anchor's bytes, kept
        # as batches are recorded: counting them after every batch cost a
        # scan of up to CleanupPolicy.max_rows rows each time.
        self._pending_rows = self._pending_bytes = self._anchor_size = 0
        self._recount()

    def _recount(self) -> None:
        """Read the anchor and the rows below it afresh (at start, after a deletion)."""
        row = self.conn.execute(
            "SELECT rowid, digest, size FROM ingested"
            " WHERE rowid = (SELECT max(rowid) FROM ingested)"
        ).fetchone()
        self.anchor = None if row is None else Anchor(int(row[0]), int(row[1]))
        self._anchor_size = 0 if row is None else int(row[2])
        count, size = self.conn.execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM ingested WHERE rowid < ?",
            (self.anchor.rowid if self.anchor else 0,),
        ).fetchone()
        self._pending_rows, self._pending_bytes = int(count), int(size)

    @property
    def start(self) -> int | None:
        """The rowid the next snapshot starts at (the anchor is read to be checked)."""
        if self.compare_from is not None:
            return self.compare_from
        return None if self.anchor is None else self.anchor.rowid

    @property
    def after(self) -> int | None:
        """Rows after this rowid are not in history yet (the backlog)."""
        return None if self.anchor is None else self.anchor.rowid

    @property
    def pending(self) -> tuple[int, int]:
        """Rows (and their bytes) a clean-up would delete now: all but the anchor."""
        return self._pending_rows, self._pending_bytes

    def gather(self, read: Read, *, until: float, max_rows: int = RECORD_MAX_ROWS) -> Snapshot:
        """New rows of wx_event in several short reads, as one snapshot to record.

        A read is only used if no commit of demo.exe fell inside it, so under
        a flood reads are short; recording each in a transaction of its own
        would cost a commit per few rows.  So while rows wait beyond a read,
        the next one starts at its last row and is joined to it
        (:meth:`Snapshot.followed_by`: that row found unchanged proves every
        row after it new, as the anchor does), up to ``max_rows`` rows, the
        byte budget of one snapshot, or ``until`` (``time.monotonic``).
        Not while wx_event is being compared row by row: that needs the very
        snapshot it compares.  Errors of the first read are raised; a later
        read that fails ends the gathering (the next round meets it).
        """
        snapshot = read(self.start, max_rows, SNAPSHOT_MAX_BYTES)
        if self.compare_from is not None:
            return snapshot
        size = sum(event.size for event in snapshot.events)
        while (
            snapshot.more
            and len(snapshot.events) < max_rows
            and size < SNAPSHOT_MAX_BYTES
            and time.monotonic() < until
        ):
            last = snapshot.events[-1]
            rows = max_rows - len(snapshot.events) + 1
            try:
                later = read(last.rowid, rows, SNAPSHOT_MAX_BYTES - size + last.size)
            except (SnapshotRetry, HotJournalError, sqlite3.DatabaseError):
                break
            joined = snapshot.followed_by(later, self.after)
            if joined is None:
                break  # the last row changed: the next round starts from the anchor
            size += sum(event.size for event in later.events[1:])
            snapshot = joined
        return snapshot

    def ingest(
        self,
        snapshot: Snapshot,
        now: float,
        within: Callable[[sqlite3.Connection], None] | None = None,
    ) -> IngestResult:
        """Record the snapshot's new rows in history, in one transaction.

        ``within`` is run in that transaction after the rows are recorded,
        when there are any (the rules passing over them while none can
        answer: :meth:`~wxpanel.core.rules.replier.AutoReplier.pass_over`),
        so that it commits with them, or not at all.
        """
        events = snapshot.events
        comparing = self.compare_from is not None
        if not comparing and self.anchor is not None:
            first = events[0] if events else None
            if first is None or (first.rowid, first.digest) != (
                self.anchor.rowid,
                self.anchor.digest,
            ):
                # Somebody deleted or replaced rows behind our back: compare
                # every row with what we ingested, from the first one on.
                self.compare_from = 0
                self.resets += 1
                return IngestResult((), True)
            events = events[1:]
        with immediate(self.conn):
            if comparing:
                low = self.compare_from or 0
                high = events[-1].rowid if events and snapshot.more else None
                new = self._forget_vanished(events, low, high)
            else:
                new = list(events)
            messages = _insert(self.conn, new, now)
            self.conn.executemany(
                "INSERT OR REPLACE INTO ingested (rowid, digest, size) VALUES (?, ?, ?)",
                [(event.rowid, event.digest, event.size) for event in new],
            )
            if messages and within is not None:
                within(self.conn)
        if comparing:
            self.compare_from = events[-1].rowid + 1 if events and snapshot.more else None
            self._recount()  # rows were replaced or forgotten
        elif new:  # rowids above the anchor, the last the newest: the new anchor
            if self.anchor is not None:  # the old one can be deleted now
                self._pending_rows += 1
                self._pending_bytes += self._anchor_size
            self._pending_rows += len(new) - 1
            self._pending_bytes += sum(event.size for event in new) - new[-1].size
            self.anchor = Anchor(new[-1].rowid, new[-1].digest)
            self._anchor_size = new[-1].size
        return IngestResult(tuple(messages), snapshot.more)

    def _forget_vanished(
        self, events: Sequence[EventRow], low: int, high: int | None
    ) -> list[EventRow]:
        """While comparing: the rows not in ``ingested`` as they are; forget rows gone.

        ``ingested`` rows in [low, high] that the snapshot does not hold with
        the same digest are no longer in wx_event (or were replaced).
        """
        known = dict(
            self.conn.execute(
                "SELECT rowid, digest FROM ingested WHERE rowid >= ? AND rowid <= ?",
                (low, high if high is not None else 2**63 - 1),
            ).fetchall()
        )
        present = {event.rowid: event.digest for event in events}
        vanished = [(rowid,) for rowid, digest in known.items() if present.get(rowid) != digest]
        self.conn.executemany("DELETE FROM ingested WHERE rowid = ?", vanished)
        return [event for event in events if known.get(event.rowid) != event.digest]

    def cleaned(self, below: int) -> None:
        """The clean-up deleted every wx_event row below ``below``: forget them."""
        with immediate(self.conn):
            self.conn.execute("DELETE FROM ingested WHERE rowid < ?", (below,))
        self._recount()


@dataclass(frozen=True, slots=True)
class CleanupPolicy:
    """When the ingested rows are deleted from wx_event.

    Every clean-up is a write transaction, a window in which demo.exe's
    INSERT would fail; rows left in wx_event cost demo.exe nothing but a
    longer ``SELECT _ROWID_`` scan before each INSERT.  So: together with
    every command we write anyway, else only when rows pile up or after a
    quiet spell (when no message is likely to arrive), and never while a
    command waits in wx_command (demo.exe's DELETE of it would meet our lock
    and send it twice).
    """

    max_rows: int = 10_000
    max_bytes: int = 8 * 1024 * 1024
    quiet: float = 30.0

    def due(self, pending: tuple[int, int], quiet_for: float, commands_waiting: int) -> bool:
        rows, size = pending
        if not rows or commands_waiting:
            return False
        return rows >= self.max_rows or size >= self.max_bytes or quiet_for >= self.quiet


def _insert(conn: sqlite3.Connection, rows: Sequence[EventRow], now: float) -> list[Message]:
    """Decode rows into messages and counters, in the caller's transaction."""
    return _store(conn, [event_to_message(row.columns, now) for row in rows], now)


def _store(conn: sqlite3.Connection, new: list[NewMessage], now: float) -> list[Message]:
    """Messages and their counters, the account's own ones matched to our commands."""
    if not new:
        return []
    if any(item.direction is Direction.OUT for item in new):
        matcher = _EchoMatcher(conn, now)
        new = [matcher.claim(item) for item in new]
    messages = HistoryWriter.insert(conn, new)
    HistoryWriter.count(conn, _counts(messages), now)
    return messages


def process_inbox(
    conn: sqlite3.Connection, now: float, *, max_rows: int = MAX_BATCH_ROWS
) -> IngestResult:
    """Decode rows an earlier wxpanel moved into ``inbox``; one transaction on history.db."""
    if not conn.execute("SELECT 1 FROM inbox LIMIT 1").fetchall():
        return IngestResult((), False)
    with immediate(conn):
        rows = conn.execute(_SELECT_INBOX, (max_rows + 1,)).fetchall()
        more = len(rows) > max_rows
        rows = rows[:max_rows]
        messages = _store(conn, [event_to_message(row[2:], row[1]) for row in rows], now)
        conn.execute("DELETE FROM inbox WHERE seq <= ?", (rows[-1][0],))
    return IngestResult(tuple(messages), more)


def _counts(messages: Sequence[Message]) -> dict[str, int]:
    counts = {"events": len(messages), "received": 0, "account_sent": 0, "flagged": 0}
    for message in messages:
        if message.direction is Direction.IN:
            counts["received"] += 1
        elif message.echo_of is None:
            counts["account_sent"] += 1  # typed on the phone or in WeChat itself
        if message.is_bad:
            counts["flagged"] += 1
    return counts
