"""Planned outgoing commands: what an answer sends, its pictures checked, queued in place.

Every answerer (a rule, a timed message, a plugin, a webhook, a model)
plans :class:`Outgoing` commands and queues them with :func:`queue_commands`
in the very transaction that records the answer (and advances the
answerer's watermark or closes its job), so that an answer is queued
exactly once even if the process dies at any instant.
:func:`wxpanel.core.outbox.queue_command` opens its own transaction
instead; the rows are made by :func:`wxpanel.core.outbox.insert_commands`
either way.

A picture is checked before it is queued (:func:`resolved`): demo.exe reads
the file itself, so one that is gone or too large would only fail later.
:func:`with_pictures_checked` is the answers' policy: a picture that cannot
go is left out, the texts go, and an alert says why.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass

from wxpanel.core.autoreply.alerts import Alert, AlertKind
from wxpanel.core.errors import PictureError
from wxpanel.core.models import Message, Origin
from wxpanel.core.outbox import check_picture, insert_commands
from wxpanel.core.pacer import Pacer
from wxpanel.core.protocol import CommandType
from wxpanel.core.texts import Text


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One command an answer queues."""

    to: str
    command: CommandType
    payload: str


def resolved(send: Outgoing, max_bytes: int) -> Outgoing:
    """``send`` with its picture's path made absolute; raises :class:`PictureError`."""
    if send.command is not CommandType.PICTURE:
        return send
    return Outgoing(send.to, send.command, str(check_picture(send.payload, max_bytes)))


def picture_text(exc: PictureError) -> Text | None:
    """Why a picture cannot be sent, as a text (None if the error does not say which way)."""
    return exc.text


def with_pictures_checked(
    sends: Iterable[Outgoing],
    max_bytes: int,
    now: float,
    alerts: MutableMapping[tuple[AlertKind, str | None], Alert],
) -> tuple[Outgoing, ...]:
    """The sends with pictures resolved; a picture that cannot go is left out and alerted.

    One alert per picture file and round (``alerts`` is keyed by it).
    """
    kept: list[Outgoing] = []
    for send in sends:
        try:
            kept.append(resolved(send, max_bytes))
        except PictureError as exc:
            problem = picture_text(exc) or str(exc)
            text = Text.of("alert_picture", problem=problem)
            alerts.setdefault(
                (AlertKind.PICTURE, send.payload), Alert.of(AlertKind.PICTURE, send.to, text, now)
            )
    return tuple(kept)


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
