"""Queueing commands inside a transaction the caller already holds.

:func:`wxpanel.core.outbox.queue_command` opens its own transaction; the
replier and the timed messages must queue in the very transaction that
advances their watermark, so that an answer is queued exactly once even if
the process dies at any instant.  The rows are the ones ``queue_command``
writes: an outgoing ``message`` with status QUEUED, its priority and the
pacer's jitter drawn once, so the outbox paces them like any other command.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from wxpanel.core.codec import Flag
from wxpanel.core.history import HistoryWriter, NewMessage
from wxpanel.core.models import CommandStatus, Message, Origin
from wxpanel.core.pacer import Pacer
from wxpanel.core.protocol import CommandType, Direction, MessageType
from wxpanel.core.rules.evaluate import Outgoing


def queue_commands(
    conn: sqlite3.Connection,
    sends: Sequence[Outgoing],
    *,
    origin: Origin,
    pacer: Pacer,
    now: float,
) -> list[Message]:
    """Insert ``sends`` into the outbox, in order; the caller holds a write transaction."""
    if not sends:
        return []
    if not conn.in_transaction:
        raise RuntimeError("queue_commands() must run inside the caller's write transaction")
    priority = 0 if origin is Origin.MANUAL else 1
    new = [
        NewMessage(
            conversation=send.to,
            sender=None,
            direction=Direction.OUT,
            origin=origin,
            type=MessageType.IMAGE if send.command is CommandType.PICTURE else MessageType.TEXT,
            content=send.payload,
            time=now,
            flags=Flag.NONE,
            command=send.command,
            status=CommandStatus.QUEUED,
            priority=priority,
            jitter=pacer.draw_jitter(origin),
        )
        for send in sends
    ]
    for send in sends:
        if not send.to:
            raise ValueError("a command needs a recipient wxid")
    messages = HistoryWriter.insert(conn, new)
    HistoryWriter.count(
        conn, {"commands_queued": len(messages), f"queued_{origin.value}": len(messages)}, now
    )
    return messages
