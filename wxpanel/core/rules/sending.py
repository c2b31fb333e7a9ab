"""Queueing commands inside a transaction the caller already holds.

:func:`wxpanel.core.outbox.queue_command` opens its own transaction; the
replier and the timed messages must queue in the very transaction that
advances their watermark, so that an answer is queued exactly once even if
the process dies at any instant.  The rows are made by
:func:`wxpanel.core.outbox.insert_commands`, like every other command.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from wxpanel.core.models import Message, Origin
from wxpanel.core.outbox import insert_commands
from wxpanel.core.pacer import Pacer
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
    commands = [(send.to, send.command, send.payload) for send in sends]
    return insert_commands(conn, commands, origin=origin, pacer=pacer, now=now)
