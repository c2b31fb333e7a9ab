"""Moving events from demo.exe's wx_event into our history, exactly once.

The guarantee: after a crash at any instant (kill -9 included), every event
is either still in ``wx_event`` or in ``message``, never both, never
neither, and ``message.id`` keeps arrival order.  It rests on three facts:

1. **One transaction over both files.**  The poller's connection is opened
   on exchange.db and ATTACHes history.db.  Both use a rollback journal
   (exchange.db is demo.exe's, in ``journal_mode=delete``; we keep history.db
   in the same mode and never switch either to WAL), so SQLite commits a
   transaction that wrote both files through a super-journal whose deletion
   is the single commit point: after a crash, either both the INSERT into
   ``message`` and the DELETE from ``wx_event`` happened or neither did.
   WAL would make this atomic per file only, and switching exchange.db to
   WAL would also change demo.exe's own file, which SQLite 3.7.11 handles
   with a known Windows race on recovery.
2. **Delete by rowid, inside the transaction that read.**  ``BEGIN
   IMMEDIATE`` takes the write lock before we read, so the rows we select
   are exactly the rows we delete: demo.exe cannot add, change or remove a
   row in between.  We never delete by ID1 (the upstream bug that dropped a
   sender's whole queue), and we never use a rowid outside the transaction
   that read it, because SQLite reuses the rowids of deleted rows.
3. **Order.**  A new row gets ``max(rowid) + 1`` of the rows present, so
   among the rows present, rowid order is arrival order; we take the
   smallest rowids first and give them increasing ``message.id`` values.

Transactions stay short so that demo.exe never waits long: a batch is at
most :data:`MAX_BATCH_ROWS` rows or :data:`MAX_BATCH_BYTES` of content.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

from wxpanel.core.codec import HUGE_BYTES, Decoded, Flag, decode_value
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

MAX_BATCH_ROWS = 2000
MAX_BATCH_BYTES = 8 * 1024 * 1024
#: An account's own message (发出) matching one of our commands sent this
#: recently is recorded as that command's echo, not as a second bubble.
ECHO_WINDOW = 300.0

_SELECT_EVENTS = (
    "SELECT rowid,"
    " typeof(ID1), CAST(ID1 AS BLOB), typeof(ID2), CAST(ID2 AS BLOB),"
    " typeof(MSG_FROM), CAST(MSG_FROM AS BLOB), typeof(MSG_CONTENT), CAST(MSG_CONTENT AS BLOB),"
    " typeof(MSG_STATE), CAST(MSG_STATE AS BLOB), typeof(MSG_TYPE), CAST(MSG_TYPE AS BLOB)"
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


def event_to_message(row: Sequence[object], now: float) -> NewMessage:
    """Interpret one wx_event row; never raises, whatever the row holds.

    ``row`` is ``typeof(col), CAST(col AS BLOB)`` for each of the six columns.
    """
    columns: list[Decoded] = []
    raws: list[object] = []
    flags = Flag.NONE
    for index in range(6):
        storage_class = str(row[2 * index])
        value = row[2 * index + 1]
        raw = value if isinstance(value, bytes) or value is None else str(value).encode()
        decoded = decode_value(raw, storage_class)
        columns.append(decoded)
        raws.append(_raw(storage_class, raw))
        # A NULL ID2 or MSG_FROM is plausible for some event kinds; still flagged.
        flags |= decoded.flags
    id1, id2, msg_from, content, state, type_raw = (c.text for c in columns)
    if (
        content is not None
        and len(content) > HUGE_BYTES // 4
        and len(content.encode()) > HUGE_BYTES
    ):
        flags |= Flag.HUGE
    if msg_from not in (None, FROM_PRIVATE, FROM_GROUP):
        flags |= Flag.UNKNOWN_VALUE
    if state not in (None, STATE_RECEIVED, STATE_SENT):
        flags |= Flag.UNKNOWN_VALUE
    message_type = MessageType.parse(type_raw)
    if type_raw is not None and message_type is MessageType.UNKNOWN:
        flags |= Flag.UNKNOWN_VALUE
    conversation = id1 if id1 is not None else ""
    return NewMessage(
        conversation=conversation,
        sender=id2 if id2 is not None else id1,
        direction=direction_of(state),
        origin=Origin.EVENT,
        type=message_type,
        content=content,
        time=now,
        flags=flags,
        type_raw=type_raw,
        state_raw=state,
        from_raw=msg_from,
        raw=tuple(raws) if flags & _BAD_COLUMN else None,
    )


def _find_echo(conn: sqlite3.Connection, item: NewMessage, now: float) -> int | None:
    """The id of our own command that this 发出 event reports, if any."""
    if item.direction is not Direction.OUT or item.content is None:
        return None
    command = CommandType.PICTURE if item.type is MessageType.IMAGE else CommandType.TEXT
    row = conn.execute(
        "SELECT id FROM message AS m WHERE conversation = ? AND command = ? AND content = ?"
        " AND written_at >= ? AND NOT EXISTS (SELECT 1 FROM message WHERE echo_of = m.id)"
        " ORDER BY id LIMIT 1",
        (item.conversation, command.value, item.content, now - ECHO_WINDOW),
    ).fetchone()
    return int(row[0]) if row else None


def ingest_batch(
    conn: sqlite3.Connection,
    now: float,
    *,
    max_rows: int = MAX_BATCH_ROWS,
    max_bytes: int = MAX_BATCH_BYTES,
) -> IngestResult:
    """Move the oldest events of wx_event into history in one atomic transaction.

    ``conn`` is an exchange.db connection with history attached (see
    :func:`wxpanel.core.history.attach_history`).  Raises
    :class:`sqlite3.OperationalError` when a file is locked; the caller
    retries later and nothing has changed.
    """
    # A plain read first: while wx_event is empty (most of the time) we take
    # no write lock at all, so a safety poll never makes demo.exe wait.
    # fetchall() finishes the statement: an unfinished read would hold a lock.
    if not conn.execute("SELECT 1 FROM main.wx_event LIMIT 1").fetchall():
        return IngestResult((), False)
    with immediate(conn):
        cursor = conn.execute(_SELECT_EVENTS, (max_rows + 1,))
        rowids: list[tuple[int]] = []
        new: list[NewMessage] = []
        size = 0
        more = False
        try:
            for row in cursor:
                if len(rowids) >= max_rows or (rowids and size >= max_bytes):
                    more = True
                    break
                rowids.append((int(row[0]),))
                size += sum(len(v) for v in row[2::2] if isinstance(v, bytes))
                new.append(event_to_message(row[1:], now))
        finally:
            cursor.close()
        if not new:
            return IngestResult((), False)
        new = [
            _with_echo(item, _find_echo(conn, item, now))
            if item.direction is Direction.OUT
            else item
            for item in new
        ]
        messages = HistoryWriter.insert(conn, new)
        conn.executemany("DELETE FROM main.wx_event WHERE rowid = ?", rowids)
        HistoryWriter.count(conn, _counts(messages), now)
    return IngestResult(tuple(messages), more)


def _with_echo(item: NewMessage, echo_of: int | None) -> NewMessage:
    if echo_of is None:
        return item
    return replace(item, echo_of=echo_of)


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
