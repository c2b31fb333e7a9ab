"""Moving events from demo.exe's wx_event into our history, exactly once.

The guarantee: after a crash at any instant (kill -9 included), every event
is either still in ``wx_event`` or in our history.db (its ``inbox`` or its
``message`` table), never in two places, never nowhere, and ``message.id``
keeps arrival order.  Ingestion has two stages, each one transaction:

**Drain** (:func:`drain_batch`) moves rows from exchange.db into
``inbox``, verbatim, with nothing but SQL: the transaction that holds
demo.exe's file is as short as the design allows.

1. *One transaction over both files.*  The poller's connection is opened on
   exchange.db and ATTACHes history.db.  Both use a rollback journal
   (exchange.db is demo.exe's, in ``journal_mode=delete``; history.db is
   kept in the same mode and neither is ever switched to WAL), so SQLite
   commits a transaction that wrote both files through a super-journal
   whose deletion is the single commit point: after a crash, either both
   the INSERT into ``inbox`` and the DELETE from ``wx_event`` happened or
   neither did.  WAL would make this atomic per file only, and switching
   exchange.db to WAL would change demo.exe's own file too, which SQLite
   3.7.11 recovers with a known Windows race.
2. *Delete by rowid, inside the transaction that read.*  ``BEGIN
   IMMEDIATE`` takes the write lock before we read, so the rows we copy are
   exactly the rows we delete: demo.exe cannot add, change or remove a row
   in between.  We never delete by ID1 (the upstream bug that dropped a
   sender's whole queue), and never use a rowid outside the transaction
   that read it, because SQLite reuses the rowids of deleted rows.
3. *Order.*  A new row gets ``max(rowid) + 1`` of the rows present, so among
   the rows present rowid order is arrival order; we take the smallest
   rowids first and ``inbox.seq`` (AUTOINCREMENT) keeps that order.

**Process** (:func:`process_inbox`) decodes inbox rows into messages,
conversations and counters and deletes them from the inbox, in one
transaction on history.db alone, so decoding never holds demo.exe's file.

A drain is at most :data:`DRAIN_MAX_ROWS` rows or :data:`DRAIN_MAX_BYTES`
of content (tens of milliseconds), so demo.exe never waits long for its
file; processing goes by :data:`MAX_BATCH_ROWS`, the size of the batches
the panel receives.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

from wxpanel.core.codec import HUGE_BYTES, Flag, decode_value
from wxpanel.core.history import HistoryWriter, NewMessage, immediate
from wxpanel.core.models import Message, Origin
from wxpanel.core.protocol import (
    FROM_GROUP,
    FROM_PRIVATE,
    STATE_RECEIVED,
    STATE_SENT,
    CommandType,
    Direction,
    MessageType,
    direction_of,
)

#: A drain is plain SQL: its cost is the bytes it copies, hence a byte budget.
DRAIN_MAX_ROWS = 20_000
DRAIN_MAX_BYTES = 4 * 1024 * 1024
MAX_BATCH_ROWS = 2000
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
#: Sizes of the oldest rows, to cut a drain at the byte budget.
_SELECT_SIZES = (
    "SELECT rowid, coalesce(length(CAST(MSG_CONTENT AS BLOB)), 0)"
    " + coalesce(length(CAST(ID1 AS BLOB)), 0) + coalesce(length(CAST(ID2 AS BLOB)), 0)"
    " FROM main.wx_event ORDER BY rowid LIMIT ?"
)
_BAD_COLUMN = Flag.NULL | Flag.NOT_TEXT | Flag.BLOB | Flag.GBK | Flag.INVALID


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one batch moved; ``more`` means wx_event still had rows after it."""

    messages: tuple[Message, ...]
    more: bool


def _raw(storage_class: str, value: bytes | None) -> object:
    """The original value as SQLite held it, for rows we must keep verbatim."""
    if value is None:
        return None
    if storage_class == "integer":
        return int(value)
    if storage_class == "real":
        return float(value)
    return value


_TYPES_BY_RAW = {str(int(kind)): kind for kind in MessageType if kind is not MessageType.UNKNOWN}
_KNOWN_FROM = (None, FROM_PRIVATE, FROM_GROUP)
_KNOWN_STATE = (None, STATE_RECEIVED, STATE_SENT)


def _decode_columns(
    row: Sequence[object],
) -> tuple[list[str | None], int, tuple[object, ...] | None]:
    """The six columns as text, the flags, and the raw values when the row is not clean.

    Nearly every row is six valid UTF-8 TEXT values: that case takes one
    decode per column and no flag arithmetic; anything else goes through
    :func:`decode_value` column by column.
    """
    classes = row[0::2]
    values = row[1::2]
    if all(kind == "text" for kind in classes):
        try:
            return [v.decode("utf-8") for v in values], 0, None  # type: ignore[attr-defined]
        except UnicodeDecodeError:
            pass
    texts: list[str | None] = []
    raws: list[object] = []
    flags = 0
    for storage_class, value in zip(classes, values, strict=True):
        raw = value if isinstance(value, bytes) or value is None else str(value).encode()
        decoded = decode_value(raw, str(storage_class))
        texts.append(decoded.text)
        raws.append(_raw(str(storage_class), raw))
        flags |= int(decoded.flags)
    return texts, flags, tuple(raws) if flags & _BAD_COLUMN else None


def event_to_message(row: Sequence[object], now: float) -> NewMessage:
    """Interpret one wx_event row; never raises, whatever the row holds.

    ``row`` is ``typeof(col), CAST(col AS BLOB)`` for each of the six columns.
    """
    texts, flags, raw = _decode_columns(row)
    id1, id2, msg_from, content, state, type_raw = texts
    if (
        content is not None
        and len(content) > HUGE_BYTES // 4
        and len(content.encode()) > HUGE_BYTES
    ):
        flags |= Flag.HUGE
    if msg_from not in _KNOWN_FROM or state not in _KNOWN_STATE:
        flags |= Flag.UNKNOWN_VALUE
    message_type = _TYPES_BY_RAW.get(type_raw) if type_raw is not None else MessageType.UNKNOWN
    if message_type is None:
        message_type = MessageType.parse(type_raw)
        if message_type is MessageType.UNKNOWN:
            flags |= Flag.UNKNOWN_VALUE
    return NewMessage(
        conversation=id1 if id1 is not None else "",
        sender=id2 if id2 is not None else id1,
        direction=direction_of(state),
        origin=Origin.EVENT,
        type=message_type,
        content=content,
        time=now,
        flags=Flag(flags),
        type_raw=type_raw,
        state_raw=state,
        from_raw=msg_from,
        raw=raw,
    )


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


@dataclass(frozen=True, slots=True)
class DrainResult:
    """How many rows one drain moved; ``more`` means wx_event still had rows."""

    moved: int
    more: bool


def drain_batch(
    conn: sqlite3.Connection,
    now: float,
    *,
    max_rows: int = DRAIN_MAX_ROWS,
    max_bytes: int = DRAIN_MAX_BYTES,
) -> DrainResult:
    """Move the oldest wx_event rows into ``inbox`` in one atomic transaction.

    ``conn`` is an exchange.db connection with history attached (see
    :func:`wxpanel.core.history.attach_history`).  Raises
    :class:`sqlite3.OperationalError` when a file is locked; the caller
    retries later and nothing has changed.
    """
    # A plain read first: while wx_event is empty (most of the time) we take
    # no write lock at all, so a safety poll never makes demo.exe wait.
    # fetchall() finishes the statement: an unfinished read would hold a lock.
    if not conn.execute("SELECT 1 FROM main.wx_event LIMIT 1").fetchall():
        return DrainResult(0, False)
    with immediate(conn):
        sizes = conn.execute(_SELECT_SIZES, (max_rows + 1,)).fetchall()
        count = 0
        total = 0
        for _rowid, size in sizes:
            if count >= max_rows or (count and total >= max_bytes):
                break
            count += 1
            total += size
        if count == 0:
            return DrainResult(0, False)
        last_rowid = sizes[count - 1][0]
        conn.execute(
            "INSERT INTO inbox (arrived, ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE)"
            " SELECT ?, ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE"
            " FROM main.wx_event WHERE rowid <= ? ORDER BY rowid",
            (now, last_rowid),
        )
        # Every row up to the last rowid read is a row we read: we took the
        # smallest rowids in order, under a write lock nobody else can hold.
        deleted = conn.execute("DELETE FROM main.wx_event WHERE rowid <= ?", (last_rowid,))
        if deleted.rowcount != count:
            raise sqlite3.IntegrityError(
                f"wx_event changed under our lock: read {count}, would delete {deleted.rowcount}"
            )
    return DrainResult(count, len(sizes) > count)


def process_inbox(
    conn: sqlite3.Connection, now: float, *, max_rows: int = MAX_BATCH_ROWS
) -> IngestResult:
    """Turn the oldest inbox rows into messages; one transaction on history.db.

    ``conn`` is any connection that sees the history tables; the Engine uses
    one on history.db alone, so that decoding holds no lock on exchange.db.
    """
    if not conn.execute("SELECT 1 FROM inbox LIMIT 1").fetchall():
        return IngestResult((), False)
    with immediate(conn):
        rows = conn.execute(_SELECT_INBOX, (max_rows + 1,)).fetchall()
        more = len(rows) > max_rows
        rows = rows[:max_rows]
        new = [event_to_message(row[2:], row[1]) for row in rows]
        if any(item.direction is Direction.OUT for item in new):
            matcher = _EchoMatcher(conn, now)
            new = [matcher.claim(item) for item in new]
        messages = HistoryWriter.insert(conn, new)
        conn.execute("DELETE FROM inbox WHERE seq <= ?", (rows[-1][0],))
        HistoryWriter.count(conn, _counts(messages), now)
    return IngestResult(tuple(messages), more)


def ingest_batch(
    conn: sqlite3.Connection,
    now: float,
    *,
    max_rows: int = MAX_BATCH_ROWS,
    max_bytes: int = DRAIN_MAX_BYTES,
) -> IngestResult:
    """Drain one batch and process what the inbox holds, on one attached connection."""
    drained = drain_batch(conn, now, max_rows=max_rows, max_bytes=max_bytes)
    result = process_inbox(conn, now, max_rows=max(max_rows, drained.moved))
    return IngestResult(result.messages, drained.more or result.more)


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
