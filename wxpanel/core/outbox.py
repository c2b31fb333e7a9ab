"""Outgoing commands: queued in our history, paced, written to wx_command, tracked.

An outgoing message is a ``message`` row with a ``command`` and a
``status`` (see :class:`~wxpanel.core.models.CommandStatus`), so it shows in
its conversation from the moment it is queued.  Writing it into wx_command
and marking it WRITTEN is one transaction over both files (the same
ATTACH as ingestion), so a crash can neither lose a command nor write it
twice.

At most one command is in wx_command at a time.  That costs nothing (demo.exe
takes a row within a fraction of a second and the pacer's gaps are longer)
and it means a demo.exe that is not running does not find a heap of
commands to fire at once when it comes back: the pacer stays in charge.  It
also makes tracking exact: SQLite reuses rowids, so "our row is gone" is only
meaningful while we write nothing else.

Queries on open commands repeat ``status IN ('queued', 'written', 'stuck')``,
the condition of the partial index ``message_open_command``: SQLite uses a
partial index only when a query states its condition, and without it every
poll would scan the whole history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wxpanel.core import stats
from wxpanel.core.codec import Flag
from wxpanel.core.codepage import UnsendableText, unsendable, without_unsendable
from wxpanel.core.errors import PictureError
from wxpanel.core.history import HistoryWriter, NewMessage, immediate
from wxpanel.core.models import CommandStatus, CommandUpdate, Message, Origin
from wxpanel.core.pacer import Pacer
from wxpanel.core.protocol import (
    COMMAND_ID3,
    COMMAND_TOKEN,
    CommandType,
    Direction,
    MessageType,
)

#: Magic numbers of the picture formats WeChat sends as pictures.
PICTURE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
}
DEFAULT_PICTURE_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class OutboxConfig:
    """``stuck_after``: seconds a command may sit in wx_command before we call it stuck."""

    stuck_after: float = 30.0
    picture_max_bytes: int = DEFAULT_PICTURE_LIMIT


def picture_format(head: bytes) -> str | None:
    for name, signatures in PICTURE_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return name
    return None


def check_picture(path: Path | str, max_bytes: int = DEFAULT_PICTURE_LIMIT) -> Path:
    """The picture's absolute path, or a :class:`PictureError` saying why it cannot go.

    demo.exe reads the file itself, so it must be a local file that exists
    now; the content, not the file name, decides whether it is a picture.
    """
    path = Path(path).expanduser()
    try:
        path = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise PictureError(f"{path}: no such picture", "missing", path=str(path)) from exc
    if not path.is_file():
        raise PictureError(f"{path}: not a file", "not_file", path=str(path))
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        detail = str(exc.strerror or exc)
        raise PictureError(
            f"{path}: cannot be read ({detail})", "unreadable", path=str(path), detail=detail
        ) from exc
    if size > max_bytes:
        raise PictureError(
            f"{path}: {size / 1048576:.1f} MiB is over the {max_bytes / 1048576:.1f} MiB limit",
            "too_big",
            path=str(path),
            size_mib=size / 1048576,
            limit_mib=max_bytes / 1048576,
        )
    if picture_format(head) is None:
        raise PictureError(
            f"{path}: not a JPG, PNG, GIF or BMP picture", "not_picture", path=str(path)
        )
    return path


def queue_command(
    conn: sqlite3.Connection,
    *,
    to: str,
    command: CommandType,
    payload: str,
    origin: Origin,
    pacer: Pacer,
    now: float,
    not_before: float | None = None,
) -> Message:
    """Put one command in the outbox (and its conversation); the poller releases it.

    Works on any connection that sees the history tables, so ``wxpanel
    send`` can queue while a panel or headless poller owns exchange.db.
    """
    with immediate(conn):
        (message,) = insert_commands(
            conn, [(to, command, payload)], origin=origin, pacer=pacer, now=now,
            not_before=not_before,
        )  # fmt: skip
    return message


def insert_commands(
    conn: sqlite3.Connection,
    commands: Sequence[tuple[str, CommandType, str]],
    *,
    origin: Origin,
    pacer: Pacer,
    now: float,
    not_before: float | None = None,
) -> list[Message]:
    """Queue ``(to, command, payload)`` commands in order, in the caller's write transaction.

    The one place outgoing rows are made: an outgoing ``message`` with status
    QUEUED, manual replies ahead of automatic ones, and the pacer's random
    extra delay drawn once, so the outbox paces every command alike.
    """
    if not conn.in_transaction:
        raise RuntimeError("insert_commands() must run inside the caller's write transaction")
    if any(not to for to, _, _ in commands):
        raise ValueError("a command needs a recipient wxid")
    commands = [
        (to, command, _sendable(command, payload, origin)) for to, command, payload in commands
    ]
    priority = 0 if origin is Origin.MANUAL else 1
    new = [
        NewMessage(
            conversation=to,
            sender=None,
            direction=Direction.OUT,
            origin=origin,
            type=MessageType.IMAGE if command is CommandType.PICTURE else MessageType.TEXT,
            content=payload,
            time=now,
            flags=Flag.NONE,
            command=command,
            status=CommandStatus.QUEUED,
            priority=priority,
            not_before=not_before,
            jitter=pacer.draw_jitter(origin),
        )
        for to, command, payload in commands
    ]
    messages = HistoryWriter.insert(conn, new)
    counted = len(messages)
    HistoryWriter.count(conn, {"commands_queued": counted, f"queued_{origin.value}": counted}, now)
    return messages


def _sendable(command: CommandType, payload: str, origin: Origin) -> str:
    """The text exactly as it can reach WeChat, so history shows what was really sent.

    The operator's own text must already fit code page 936 (the composer
    asks first: send without the characters, or cancel); automatic texts
    lose them here, and their rules and sources were warned about at saving.
    """
    if command is not CommandType.TEXT:
        return payload
    lost = unsendable(payload)
    if not lost:
        return payload
    if origin is Origin.MANUAL:
        raise UnsendableText(lost)
    return without_unsendable(payload)


@dataclass(frozen=True, slots=True)
class OutboxStep:
    """What one step changed, and when the outbox next needs attention (None: idle)."""

    updates: tuple[CommandUpdate, ...]
    next_due: float | None


class Outbox:
    """Releases queued commands into wx_command and follows them until taken.

    ``conn`` is the poller's exchange.db connection with history attached.
    """

    def __init__(self, conn: sqlite3.Connection, pacer: Pacer, config: OutboxConfig) -> None:
        self.conn = conn
        self.pacer = pacer
        self.config = config

    def step(self, now: float) -> OutboxStep:
        updates = list(self._track(now))
        next_due: float | None = None
        in_flight = self.conn.execute(
            "SELECT status, written_at FROM message"
            " WHERE status IN ('queued', 'written', 'stuck') AND status <> 'queued'"
        ).fetchone()
        if in_flight is None:
            release, next_due = self._release(now)
            updates.extend(release)
        elif in_flight[0] == CommandStatus.WRITTEN:
            next_due = in_flight[1] + self.config.stuck_after
        return OutboxStep(tuple(updates), next_due)

    def _track(self, now: float) -> list[CommandUpdate]:
        """Mark our wx_command rows TAKEN once demo.exe removed them, STUCK when late."""
        if (
            self.conn.execute(
                "SELECT 1 FROM message"
                " WHERE status IN ('queued', 'written', 'stuck') AND status <> 'queued' LIMIT 1"
            ).fetchone()
            is None
        ):
            return []
        updates: list[CommandUpdate] = []
        with immediate(self.conn):
            open_rows = self.conn.execute(
                "SELECT id, conversation, status, command, content, wx_rowid, written_at"
                " FROM message"
                " WHERE status IN ('queued', 'written', 'stuck') AND status <> 'queued'"
            ).fetchall()
            for message_id, conversation, status, command, content, rowid, written_at in open_rows:
                if not self._still_queued(rowid, command, conversation, content):
                    self.conn.execute(
                        "UPDATE message SET status = 'taken', done_at = ?, wx_rowid = NULL"
                        " WHERE id = ?",
                        (now, message_id),
                    )
                    HistoryWriter.count(self.conn, {"commands_taken": 1}, now)
                    updates.append(
                        CommandUpdate(message_id, conversation, CommandStatus.TAKEN, now)
                    )
                elif (
                    status == CommandStatus.WRITTEN and now - written_at >= self.config.stuck_after
                ):
                    self.conn.execute(
                        "UPDATE message SET status = 'stuck' WHERE id = ?", (message_id,)
                    )
                    detail = f"not taken by demo.exe after {now - written_at:.0f} s"
                    HistoryWriter.count(self.conn, {"commands_stuck": 1}, now)
                    HistoryWriter.log_error(self.conn, "stuck", f"{conversation}: {detail}", now)
                    updates.append(
                        CommandUpdate(message_id, conversation, CommandStatus.STUCK, now, detail)
                    )
        return updates

    def _still_queued(self, rowid: int, command: str, to: str, payload: str) -> bool:
        row = self.conn.execute(
            "SELECT CAST(cmd_type AS BLOB), CAST(id_1 AS BLOB), CAST(id_2 AS BLOB)"
            " FROM main.wx_command WHERE rowid = ?",
            (rowid,),
        ).fetchone()
        # A different row under our rowid means ours was taken and the rowid reused.
        return row is not None and row == (command.encode(), to.encode(), payload.encode())

    def _written_times(self, now: float) -> list[float]:
        rows = self.conn.execute(
            "SELECT written_at FROM message WHERE written_at > ?", (now - 60.0,)
        ).fetchall()
        times = [row[0] for row in rows]
        if not times:
            last = self.conn.execute(
                "SELECT max(written_at) FROM message WHERE written_at IS NOT NULL"
            ).fetchone()[0]
            if last is not None:
                times.append(last)
        return times

    def _release(self, now: float) -> tuple[list[CommandUpdate], float | None]:
        """Write the next queued command into wx_command if the pacer allows it."""
        candidate = self.conn.execute(
            "SELECT id, origin, jitter, not_before FROM message"
            " WHERE status IN ('queued', 'written', 'stuck') AND status = 'queued'"
            " ORDER BY priority, id LIMIT 1"
        ).fetchone()
        if candidate is None:
            return [], None
        message_id, origin, jitter, not_before = candidate
        earliest = self.pacer.earliest(Origin(origin), jitter or 0.0, self._written_times(now), now)
        if not_before is not None:
            earliest = max(earliest, not_before)
        if earliest > now:
            return [], earliest
        with immediate(self.conn):
            row = self.conn.execute(
                "SELECT conversation, command, content FROM message"
                " WHERE id = ? AND status = 'queued'",
                (message_id,),
            ).fetchone()
            if row is None:  # cancelled meanwhile
                return [], now
            conversation, command, content = row
            if command == CommandType.PICTURE:
                try:
                    check_picture(content, self.config.picture_max_bytes)
                except PictureError as exc:
                    self.conn.execute(
                        "UPDATE message SET status = 'failed', done_at = ? WHERE id = ?",
                        (now, message_id),
                    )
                    HistoryWriter.count(self.conn, {"commands_failed": 1}, now)
                    HistoryWriter.log_error(self.conn, "picture", str(exc), now)
                    return [
                        CommandUpdate(message_id, conversation, CommandStatus.FAILED, now, str(exc))
                    ], now
            cursor = self.conn.execute(
                "INSERT INTO main.wx_command (Token, cmd_type, id_1, id_2, id_3)"
                " VALUES (?, ?, ?, ?, ?)",
                (COMMAND_TOKEN, command, conversation, content, COMMAND_ID3),
            )
            self.conn.execute(
                "UPDATE message SET status = 'written', wx_rowid = ?, written_at = ? WHERE id = ?",
                (cursor.lastrowid, now, message_id),
            )
            HistoryWriter.count(self.conn, {"commands_written": 1, f"sent_{origin}": 1}, now)
            stats.note_reply(self.conn, conversation, origin, now)
        update = CommandUpdate(message_id, conversation, CommandStatus.WRITTEN, now)
        return [update], now + self.config.stuck_after


def cancel(conn: sqlite3.Connection, message_id: int, now: float) -> bool:
    """Withdraw a command the pacer has not released yet; False if it already went."""
    with immediate(conn):
        cursor = conn.execute(
            "UPDATE message SET status = 'failed', done_at = ? WHERE id = ? AND status = 'queued'",
            (now, message_id),
        )
    return cursor.rowcount == 1


__all__ = [
    "Outbox",
    "OutboxConfig",
    "OutboxStep",
    "cancel",
    "check_picture",
    "queue_command",
]
