"""What demo.exe does to exchange.db, statement for statement.

demo.exe's binary has been read (``shared/fixtures/README.md``): it writes
only received plain text, one autocommit INSERT per message after two
SELECTs, binds every value as text, and never sets a busy handler, so an
INSERT that meets any lock fails at once and the message is gone. Commands
are read one per 200 ms tick, column by column by rowid, *sent first* and
then deleted by rowid; a DELETE that fails leaves the row to be sent again.

This module is that behaviour, once, over a :class:`Connection` of three
methods, so that it runs on two SQLite builds: Python's (``wxpanel
simulate`` and the panel's ``--demo``, through :class:`StdlibConnection`)
and the real SQLite 3.7 of demo.exe's line (the stand-in under
``tests/standin``, through ctypes). Nothing here retries: a failure is what
demo.exe would suffer, recorded, and the caller decides nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final, Protocol

__all__ = [
    "COMMAND_PERIOD",
    "PRIVATE_MEMBER",
    "SQLITE_BUSY",
    "UNKNOWN_NAME",
    "Connection",
    "DbError",
    "DemoExe",
    "EventRow",
    "Insert",
    "Param",
    "Sent",
    "StdlibConnection",
    "Value",
    "gbk_text",
    "non_gbk",
]

#: demo.exe's command timer: one wx_command row per tick at most.
COMMAND_PERIOD: Final = 0.2
#: ID2 of a private chat, and MSG_FROM when Add.dll's cache has no name.
PRIVATE_MEMBER: Final = "_"
UNKNOWN_NAME: Final = "_"
#: MSG_STATE is the raw isSend flag and MSG_TYPE the raw type: only "0"/"1" pass.
RECEIVED: Final = "0"
TEXT: Final = "1"
#: The cmd_type values demo.exe executes; any other row is deleted unexecuted.
EXECUTED_COMMANDS: Final = ("wx_send", "wx_picture")
SQLITE_BUSY: Final = 5

# demo.exe's SQL. It formats the rowid into its command SQL with %s; binding
# it takes the same locks and keeps our rule that no SQL is built from values.
EVENT_PRELUDE_SQL: Final = (
    "SELECT _ROWID_ FROM wx_event ORDER BY _ROWID_",
    "SELECT * FROM wx_event LIMIT 0",
)
INSERT_EVENT_SQL: Final = (
    "INSERT INTO wx_event (ID1,ID2,MSG_FROM,MSG_CONTENT,MSG_STATE,MSG_TYPE) VALUES (?,?,?,?,?,?)"
)
FIRST_COMMAND_SQL: Final = "SELECT _ROWID_ FROM wx_command ORDER BY _ROWID_ LIMIT 1"
COMMAND_COLUMN_SQL: Final = {
    "cmd_type": "SELECT cmd_type FROM wx_command WHERE _ROWID_ = ?",
    "id_1": "SELECT id_1 FROM wx_command WHERE _ROWID_ = ?",
    "id_2": "SELECT id_2 FROM wx_command WHERE _ROWID_ = ?",
}
DELETE_COMMAND_SQL: Final = "DELETE FROM wx_command WHERE _ROWID_ = ?"

#: What demo.exe binds (text; a rowid as an integer) and what a column gives back.
Param = str | int
Value = str | bytes | int | float | None


class DbError(Exception):
    """A statement failed; ``code`` is SQLite's primary result code (5 = BUSY)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"SQLite error {code}: {message}")
        self.code = code

    @property
    def busy(self) -> bool:
        """Whether another connection's lock made it fail (SQLITE_BUSY)."""
        return self.code == SQLITE_BUSY


class Connection(Protocol):
    """One SQLite connection with no busy handler, in autocommit mode."""

    def rows(self, sql: str, params: Sequence[Param] = ()) -> list[tuple[Value, ...]]:
        """Prepare, bind (str as text, int as integer), step to the end, finalize.

        Text comes back as ``bytes`` (demo.exe's reads see bytes, valid or
        not). Raises :class:`DbError` on any failure, with nothing retried.
        """
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


class StdlibConnection:
    """:class:`Connection` on Python's ``sqlite3``: no busy handler, autocommit.

    ``timeout=0`` makes Python install no waiting at all, which is what
    demo.exe's never-called ``sqlite3_busy_timeout`` amounts to.
    """

    def __init__(self, db: Path) -> None:
        self._conn = sqlite3.connect(db, timeout=0, isolation_level=None, check_same_thread=False)
        self._conn.text_factory = bytes

    def rows(self, sql: str, params: Sequence[Param] = ()) -> list[tuple[Value, ...]]:
        """See :meth:`Connection.rows`; fetching everything resets the statement."""
        try:
            return [tuple(row) for row in self._conn.execute(sql, tuple(params)).fetchall()]
        except sqlite3.Error as exc:
            code = getattr(exc, "sqlite_errorcode", 1) & 0xFF
            raise DbError(code, str(exc)) from exc

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


def gbk_text(text: str) -> str:
    """``text`` as it survives code page 936: every character outside GBK is ``?``.

    WeChat's UTF-16 goes through the ANSI code page on its way into and out
    of demo.exe, so emoji, U+2005 after an @-mention and most non-Chinese
    scripts arrive (and leave) as question marks.
    """
    return text.encode("gbk", errors="replace").decode("gbk")


def non_gbk(text: str) -> list[str]:
    """The distinct characters of ``text`` that code page 936 cannot carry, in order."""
    lost: list[str] = []
    for char in text:
        if char not in lost and gbk_text(char) != char:
            lost.append(char)
    return lost


def _text(value: Value) -> str | None:
    """A column as demo.exe's code would see it: bytes decoded leniently."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


@dataclasses.dataclass(frozen=True)
class EventRow:
    """A ``wx_event`` row exactly as demo.exe writes it: received text only.

    ``conversation`` is ID1 (a contact's wxid or ``…@chatroom``), ``member``
    is ID2 (the member who spoke in a group, ``_`` in a private chat),
    ``name`` is MSG_FROM (the display name of ID1, ``_`` when unknown).
    Use :meth:`private` or :meth:`group`: they pass the text through GBK.
    """

    conversation: str
    member: str
    name: str
    text: str
    state: str = RECEIVED
    type: str = TEXT

    @classmethod
    def private(cls, contact: str, name: str | None, text: str) -> EventRow:
        """A message in a private chat with ``contact`` (display ``name`` if known)."""
        return cls(contact, PRIVATE_MEMBER, gbk_text(name or UNKNOWN_NAME), gbk_text(text))

    @classmethod
    def group(cls, group: str, name: str | None, member: str, text: str) -> EventRow:
        """A message ``member`` wrote in ``group`` (the group's display ``name``)."""
        return cls(group, member, gbk_text(name or UNKNOWN_NAME), gbk_text(text))

    def values(self) -> tuple[str, str, str, str, str, str]:
        """The values of demo.exe's INSERT, in its column order."""
        return (self.conversation, self.member, self.name, self.text, self.state, self.type)


@dataclasses.dataclass(frozen=True)
class Insert:
    """One attempt to write a message: committed, or lost with SQLite's code.

    ``started`` and ``finished`` are wall-clock times (``time.time()``), so a
    consumer's ingest time can be set against the commit.
    """

    row: EventRow
    started: float
    finished: float
    error: int | None = None

    @property
    def lost(self) -> bool:
        """Whether the INSERT failed: demo.exe ignores that and the message is gone."""
        return self.error is not None


@dataclasses.dataclass(frozen=True)
class Sent:
    """One command demo.exe handed to WeChat (or dropped, when its type is unknown).

    ``executed`` is False for a cmd_type demo.exe does not know: the row is
    deleted, nothing is sent. ``deleted`` is False when the DELETE failed:
    the row stays and the next tick sends it again. ``repeat`` counts how
    many times this same row (rowid and values) had been sent before.
    """

    rowid: int
    cmd_type: str | None
    id_1: str | None
    id_2: str | None
    time: float
    executed: bool
    deleted: bool
    repeat: int = 0
    delete_error: int | None = None

    @property
    def text(self) -> str | None:
        """What reaches WeChat: id_2 through code page 936 (a picture path is verbatim)."""
        if self.id_2 is None or self.cmd_type != "wx_send":
            return self.id_2
        return gbk_text(self.id_2)


class DemoExe:
    """demo.exe on one connection: :meth:`receive` a message, :meth:`tick` the timer.

    Thread-safe (one lock around the connection, as demo.exe's single UI
    thread serialises its socket handler and its timer). Counters and the
    lists of what happened are kept for reports and tests.
    """

    def __init__(
        self,
        conn: Connection,
        *,
        clock: Callable[[], float] = time.time,
        keep: bool = True,
    ) -> None:
        """``keep=False`` keeps only counters and the lost messages (a long demo)."""
        self._conn = conn
        self._clock = clock
        self._keep = keep
        self._lock = threading.Lock()
        self._times_sent: dict[tuple[int, str | None, str | None, str | None], int] = {}
        #: Every attempt (with ``keep``), and every lost one (always), in order.
        self.inserts: list[Insert] = []
        self.lost: list[Insert] = []
        self.inserted = 0
        #: Every command taken (with ``keep``); counters always.
        self.sent: list[Sent] = []
        self.executed = 0
        self.duplicates = 0
        self.delete_failures = 0
        self.read_failures = 0

    def receive(self, row: EventRow) -> Insert:
        """Write one message the way demo.exe does; a failure loses it, never retried."""
        with self._lock:
            started = self._clock()
            # demo.exe ignores what these return; they take and drop a shared lock.
            for sql in EVENT_PRELUDE_SQL:
                with contextlib.suppress(DbError):
                    self._conn.rows(sql)
            error: int | None = None
            try:
                self._conn.rows(INSERT_EVENT_SQL, row.values())
            except DbError as exc:
                error = exc.code
            attempt = Insert(row, started, self._clock(), error)
            if self._keep:
                self.inserts.append(attempt)
            if attempt.lost:
                self.lost.append(attempt)
            else:
                self.inserted += 1
            return attempt

    def tick(self) -> Sent | None:
        """One timer tick: read the first command, send it, then delete it by rowid.

        None when wx_command is empty or could not be read (a read that met
        an exclusive lock sends nothing this tick; it is counted).
        """
        with self._lock:
            try:
                first = self._conn.rows(FIRST_COMMAND_SQL)
                if not first:
                    return None
                rowid = int(first[0][0] or 0)
                values = []
                for sql in COMMAND_COLUMN_SQL.values():
                    got = self._conn.rows(sql, (rowid,))
                    values.append(_text(got[0][0]) if got else None)
            except DbError:
                self.read_failures += 1
                return None
            cmd_type, id_1, id_2 = values
            key = (rowid, cmd_type, id_1, id_2)
            repeat = self._times_sent.get(key, 0)
            sent_at = self._clock()
            delete_error: int | None = None
            try:
                self._conn.rows(DELETE_COMMAND_SQL, (rowid,))
            except DbError as exc:
                delete_error = exc.code
            if delete_error is None:
                self._times_sent.pop(key, None)
            else:
                self._times_sent[key] = repeat + 1
            sent = Sent(
                rowid,
                cmd_type,
                id_1,
                id_2,
                sent_at,
                executed=cmd_type in EXECUTED_COMMANDS,
                deleted=delete_error is None,
                repeat=repeat,
                delete_error=delete_error,
            )
            if self._keep:
                self.sent.append(sent)
            self.executed += sent.executed
            self.duplicates += sent.executed and repeat > 0
            self.delete_failures += delete_error is not None
            return sent

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
