"""Outgoing commands: queued in our history, paced, written to wx_command, tracked.

An outgoing message is a ``message`` row with a ``command`` and a
``status`` (see :class:`~wxpanel.core.models.CommandStatus`), so it shows in
its conversation from the moment it is queued.  How it gets into wx_command
without ever being written twice is :class:`Outbox`'s docstring.

At most one command is in wx_command at a time.  That costs nothing (demo.exe
takes a row within a fraction of a second and the pacer's gaps are longer)
and it means a demo.exe that is not running does not find a heap of
commands to fire at once when it comes back: the pacer stays in charge.  And
we write only into an empty wx_command: demo.exe deletes a row after sending
it, and a lock of ours met by that DELETE would make it send the row twice.

Queries on open commands repeat ``status IN ('queued', 'written', 'stuck')``,
the condition of the partial index ``message_open_command``: SQLite uses a
partial index only when a query states its condition, and without it every
poll would scan the whole history.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wxpanel.core import activity, stats
from wxpanel.core.codec import Flag
from wxpanel.core.codepage import UnsendableText, unsendable, without_unsendable
from wxpanel.core.errors import PictureError
from wxpanel.core.exchange.reader import CommandRow
from wxpanel.core.exchange.writer import OutgoingCommand
from wxpanel.core.history import HistoryWriter, NewMessage, immediate
from wxpanel.core.models import CommandStatus, CommandUpdate, Message, Origin
from wxpanel.core.pacer import Pacer
from wxpanel.core.protocol import CommandType, Direction, MessageType
from wxpanel.core.texts import Text

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
        raise PictureError(Text.of("picture_missing", path=str(path))) from exc
    if not path.is_file():
        raise PictureError(Text.of("picture_not_file", path=str(path)))
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        detail = str(exc.strerror or exc)
        raise PictureError(Text.of("picture_unreadable", path=str(path), detail=detail)) from exc
    if size > max_bytes:
        text = Text.of(
            "picture_too_big",
            path=str(path),
            size_mib=size / 1048576,
            limit_mib=max_bytes / 1048576,
        )
        raise PictureError(text)
    if picture_format(head) is None:
        raise PictureError(Text.of("picture_not_picture", path=str(path)))
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
    activity.queued([message])
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
    originals = list(commands)
    commands = [
        (to, command, _sendable(command, payload, origin)) for to, command, payload in commands
    ]
    # An automatic text made only of what code page 936 cannot carry has nothing
    # left to send: it is kept, failed, rather than written as an empty command.
    nothing_left = [
        command is CommandType.TEXT and bool(original.strip()) and not payload.strip()
        for (_, command, payload), (_, _, original) in zip(commands, originals, strict=True)
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
            status=CommandStatus.FAILED if empty else CommandStatus.QUEUED,
            priority=priority,
            not_before=not_before,
            jitter=pacer.draw_jitter(origin),
        )
        for (to, command, payload), empty in zip(commands, nothing_left, strict=True)
    ]
    messages = HistoryWriter.insert(conn, new)
    counted = len(messages)
    HistoryWriter.count(conn, {"commands_queued": counted, f"queued_{origin.value}": counted}, now)
    for message, empty in zip(messages, nothing_left, strict=True):
        if empty:
            HistoryWriter.count(conn, {"commands_failed": 1}, now)
            detail = f"{message.conversation}: #{message.id} {NOTHING_SENDABLE}"
            HistoryWriter.log_error(conn, "unsendable", detail, now)
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
class Release:
    """A queued command the pacer lets go now, with the Token it is written under."""

    message_id: int
    conversation: str
    command: CommandType
    content: str
    origin: str
    token: str

    def outgoing(self) -> OutgoingCommand:
        return OutgoingCommand(self.token, self.command.value, self.conversation, self.content)


@dataclass(frozen=True, slots=True)
class OutboxStep:
    """What one step decided: status changes, a command to write now, the next due time."""

    updates: tuple[CommandUpdate, ...]
    release: Release | None
    next_due: float | None


#: Why an automatic text was not sent: nothing of it fits code page 936.
NOTHING_SENDABLE = "not sent: nothing of the text fits WeChat's code page 936 (GBK)"

#: What a command is marked with when a crash left it unclear whether it reached wx_command.
INTERRUPTED_TEXT = Text.of("command_interrupted")
INTERRUPTED = str(INTERRUPTED_TEXT)


class Outbox:
    """Decides which queued command goes next and follows written ones until taken.

    ``conn`` is history.db's connection.  The outbox never touches
    exchange.db: it reads wx_command through the poller's lock-free
    snapshots and hands the command to write to the poller, which writes it
    with :class:`~wxpanel.core.exchange.writer.ExchangeWriter` (together with
    a clean-up of ingested events, when one is waiting) and reports back
    through :meth:`written` or :meth:`not_written`.

    A command is identified in wx_command by its Token (which demo.exe never
    reads), set in history *before* the write: after a crash between the
    write and :meth:`written`, :meth:`recover` finds out from wx_command, and
    a command that is no longer there is marked FAILED rather than written
    a second time (demo.exe may have sent it already).
    """

    def __init__(self, conn: sqlite3.Connection, pacer: Pacer, config: OutboxConfig) -> None:
        self.conn = conn
        self.pacer = pacer
        self.config = config

    def step(
        self,
        now: float,
        commands: Sequence[CommandRow] | None,
        hold: Callable[[float], float | None] | None = None,
    ) -> OutboxStep:
        """Track written commands against ``commands`` (None: no fresh snapshot yet)
        and pick the next command to release, if wx_command is empty.

        ``hold`` is asked only when a command is due: None lets it go now, a
        time keeps it queued until then (the exchange's quiet moments,
        :mod:`wxpanel.core.exchange.quiet`).
        """
        updates = self._track(now, commands) if commands is not None else []
        in_flight = self.conn.execute(
            "SELECT status, written_at FROM message"
            " WHERE status IN ('queued', 'written', 'stuck') AND status <> 'queued'"
        ).fetchone()
        if in_flight is not None:
            due = in_flight[1] + self.config.stuck_after if in_flight[0] == "written" else None
            return OutboxStep(tuple(updates), None, due)
        if commands is None or commands:
            # Only into an empty wx_command we have just seen: a row still there
            # is about to be deleted by demo.exe, and our lock would fail that.
            return OutboxStep(tuple(updates), None, None)
        release, failed, next_due = self._release(now, hold)
        return OutboxStep(tuple(updates + failed), release, next_due)

    @property
    def stuck_after(self) -> float:
        return self.config.stuck_after

    def _open_written(self) -> list[tuple[int, str, str, str | None, float, str | None]]:
        return self.conn.execute(
            "SELECT id, conversation, status, token, written_at, command FROM message"
            " WHERE status IN ('queued', 'written', 'stuck') AND status <> 'queued'"
        ).fetchall()

    def _track(self, now: float, commands: Sequence[CommandRow]) -> list[CommandUpdate]:
        """Mark our wx_command rows TAKEN once demo.exe removed them, STUCK when late."""
        open_rows = self._open_written()
        if not open_rows:
            return []
        present = {row.token for row in commands}
        updates: list[CommandUpdate] = []
        with immediate(self.conn):
            for message_id, conversation, status, token, written_at, _command in open_rows:
                if token is None or token.encode() not in present:
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
                    text = Text.of("command_stuck", seconds=now - written_at)
                    detail = str(text)
                    HistoryWriter.count(self.conn, {"commands_stuck": 1}, now)
                    HistoryWriter.log_error(self.conn, "stuck", f"{conversation}: {detail}", now)
                    updates.append(
                        CommandUpdate(
                            message_id, conversation, CommandStatus.STUCK, now, detail, text
                        )
                    )
        return updates

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

    def _release(
        self, now: float, hold: Callable[[float], float | None] | None
    ) -> tuple[Release | None, list[CommandUpdate], float | None]:
        """The next queued command, if the pacer allows it; its Token is recorded first."""
        candidate = self.conn.execute(
            "SELECT id, origin, jitter, not_before FROM message"
            " WHERE status IN ('queued', 'written', 'stuck') AND status = 'queued'"
            " ORDER BY priority, id LIMIT 1"
        ).fetchone()
        if candidate is None:
            return None, [], None
        message_id, origin, jitter, not_before = candidate
        earliest = self.pacer.earliest(Origin(origin), jitter or 0.0, self._written_times(now), now)
        if not_before is not None:
            earliest = max(earliest, not_before)
        if earliest > now:
            return None, [], earliest
        held_until = hold(now) if hold is not None else None
        if held_until is not None:
            return None, [], held_until
        with immediate(self.conn):
            row = self.conn.execute(
                "SELECT conversation, command, content FROM message"
                " WHERE id = ? AND status = 'queued'",
                (message_id,),
            ).fetchone()
            if row is None:  # cancelled meanwhile
                return None, [], now
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
                    update = CommandUpdate(
                        message_id, conversation, CommandStatus.FAILED, now, str(exc), exc.text
                    )
                    return None, [update], now
            token = f"wxpanel:{message_id}:{secrets.token_hex(4)}"
            self.conn.execute("UPDATE message SET token = ? WHERE id = ?", (token, message_id))
        release = Release(message_id, conversation, CommandType(command), content, origin, token)
        return release, [], None

    def written(self, release: Release, rowid: int | None, now: float) -> CommandUpdate:
        """The command is in wx_command: record it (its Token was recorded before)."""
        with immediate(self.conn):
            self.conn.execute(
                "UPDATE message SET status = 'written', wx_rowid = ?, written_at = ? WHERE id = ?",
                (rowid, now, release.message_id),
            )
            HistoryWriter.count(
                self.conn, {"commands_written": 1, f"sent_{release.origin}": 1}, now
            )
            stats.note_reply(self.conn, release.conversation, release.origin, now)
        return CommandUpdate(release.message_id, release.conversation, CommandStatus.WRITTEN, now)

    def not_written(self, release: Release) -> None:
        """The write was refused (a lock): the command stays queued, without a Token."""
        with immediate(self.conn):
            self.conn.execute(
                "UPDATE message SET token = NULL WHERE id = ? AND status = 'queued'",
                (release.message_id,),
            )

    def recover(self, now: float, commands: Sequence[CommandRow]) -> list[CommandUpdate]:
        """Settle commands a crash caught between their Token and their record.

        Found in wx_command: written.  Not found: it never got there, or
        demo.exe took it already; which, nobody can tell, so it is marked
        FAILED with a note instead of risking a second send.
        """
        rows = self.conn.execute(
            "SELECT id, conversation, token, origin FROM message"
            " WHERE status IN ('queued', 'written', 'stuck') AND status = 'queued'"
            " AND token IS NOT NULL"
        ).fetchall()
        present = {row.token: row.rowid for row in commands}
        updates: list[CommandUpdate] = []
        for message_id, conversation, token, origin in rows:
            rowid = present.get(token.encode())
            if rowid is not None:
                release = Release(message_id, conversation, CommandType.TEXT, "", origin, token)
                updates.append(self.written(release, rowid, now))
                continue
            with immediate(self.conn):
                self.conn.execute(
                    "UPDATE message SET status = 'failed', done_at = ? WHERE id = ?",
                    (now, message_id),
                )
                HistoryWriter.count(self.conn, {"commands_failed": 1}, now)
                HistoryWriter.log_error(
                    self.conn, "interrupted", f"{conversation}: {INTERRUPTED}", now
                )
            updates.append(
                CommandUpdate(
                    message_id,
                    conversation,
                    CommandStatus.FAILED,
                    now,
                    INTERRUPTED,
                    INTERRUPTED_TEXT,
                )
            )
        return updates


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
