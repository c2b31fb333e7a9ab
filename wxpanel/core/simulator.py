"""demo.exe on a copy of exchange.db: ``wxpanel simulate``, the panel's ``--demo``, the tests.

wxpanel cannot be tested against the real thing (a Windows program injected
into WeChat 2.6.8.51), so this module plays its part on a copy of the file,
and by default it plays it *exactly* (:mod:`wxpanel.core.demoexe`, the same
code the stand-in runs on real SQLite 3.7): only received plain text, in
demo.exe's shapes (:mod:`wxpanel.core.demoworld`: ID2 ``_`` in a private
chat, display names in MSG_FROM, ``0``/``1``, ``?`` for what GBK cannot
carry), one INSERT per message on a connection with no busy handler, and
commands taken one per 200 ms tick, sent first and deleted after. A lock
the consumer holds when a message arrives loses that message: it is
counted (:attr:`Simulator.lost`, ``lost`` in :class:`SimStats`), never
retried. A DELETE that fails leaves the command to be sent again.

``Shapes.RICH`` keeps the richer world of other bridges (pictures XML,
friend requests, the account's own messages, an echo for every command
taken, batched inserts retried while the file is busy); a test relying on
it says so. Either way the simulator can misbehave on request: a burst, a
long exclusive lock, or a stall in which commands are never taken.

Everything random comes from the seed, so a test or a bug report can replay
the same conversation. No Qt here: the same code runs in a test thread and
behind ``wxpanel simulate``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import math
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final, TypeVar

from wxpanel.core import exchange
from wxpanel.core.codec import decode_bytes
from wxpanel.core.demoexe import (
    COMMAND_PERIOD,
    DemoExe,
    EventRow,
    Sent,
    StdlibConnection,
)
from wxpanel.core.demoworld import CONTACTS, GROUPS, Contact, Group, Traffic
from wxpanel.core.protocol import CommandType
from wxpanel.core.richtraffic import FRIEND_REQUEST_ID, RichTraffic

__all__ = [
    "COMMAND_PERIOD",
    "CONTACTS",
    "FRIEND_REQUEST_ID",
    "GROUPS",
    "MAX_BATCH",
    "TAKE_INTERVAL",
    "Contact",
    "Group",
    "Shapes",
    "SimEvent",
    "SimStats",
    "Simulator",
    "SimulatorStopped",
    "TakenCommand",
]

_T = TypeVar("_T")
#: A wx_command row as read: (rowid, raw bytes of each column, None for NULL).
_Key = tuple[int, tuple[bytes | None, ...]]

#: Richer bridges: at most this many rows per transaction, so a burst never
#: holds the write lock long enough to starve the consumer.
MAX_BATCH: Final = 1000
#: How often a richer bridge looks at wx_command (demo.exe: COMMAND_PERIOD).
TAKE_INTERVAL: Final = 0.05
#: The longest :meth:`Simulator.run` sleeps at once, so close() is seen soon.
_MAX_WAIT: Final = 0.1
#: Backoff on SQLITE_BUSY (richer bridges and hold_lock only: demo.exe never
#: waits): start small, double, cap; give up after this long.
_BACKOFF_START: Final = 0.005
_BACKOFF_MAX: Final = 0.1
_BUSY_GIVE_UP: Final = 30.0

# Literal SQL, values always bound as parameters.  CAST(? AS TEXT) stores
# bytes as TEXT with those exact bytes (hand-made rows of other encodings).
_INSERT_EVENT_SQL: Final = (
    "INSERT INTO wx_event (ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE) VALUES"
    " (CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),"
    " CAST(? AS TEXT))"
)
_SELECT_COMMANDS_SQL: Final = (
    "SELECT rowid, CAST(Token AS BLOB), CAST(cmd_type AS BLOB), CAST(id_1 AS BLOB),"
    " CAST(id_2 AS BLOB), CAST(id_3 AS BLOB) FROM wx_command ORDER BY rowid"
)
_DELETE_COMMAND_SQL: Final = "DELETE FROM wx_command WHERE rowid = ?"
#: A change that is rolled back: it makes SQLite write a journal, as a real writer's does.
_TOUCH_SQL: Final = "INSERT INTO wx_command (Token, cmd_type) VALUES ('lock', 'none')"


class Shapes(enum.StrEnum):
    """Which bridge the simulator plays."""

    #: demo.exe exactly: received text only, its SQL, no busy handler.
    DEMO_EXE = "demo.exe"
    #: Other bridges: every kind of event, own messages, echoes, retries.
    RICH = "rich"


# --------------------------------------------------------------------------
# Values


@dataclasses.dataclass(frozen=True)
class SimEvent:
    """One ``wx_event`` row, column for column.

    Values are normally ``str``; ``bytes`` (stored as TEXT with exactly those
    bytes) and ``None`` (a SQL NULL) are for hand-made rows of other shapes,
    which only ``Shapes.RICH`` inserts: demo.exe binds text, always.
    """

    ID1: str | bytes | None
    ID2: str | bytes | None
    MSG_FROM: str | bytes | None
    MSG_CONTENT: str | bytes | None
    MSG_STATE: str | bytes | None
    MSG_TYPE: str | bytes | None

    @classmethod
    def of(cls, row: EventRow) -> SimEvent:
        """The row demo.exe writes for ``row``."""
        return cls(*row.values())

    def as_row(self) -> tuple[str | bytes | None, ...]:
        """The values in :data:`protocol.EVENT_COLUMNS` order, for INSERT."""
        return (self.ID1, self.ID2, self.MSG_FROM, self.MSG_CONTENT, self.MSG_STATE, self.MSG_TYPE)

    def as_demo_row(self) -> EventRow:
        """This row for demo.exe's INSERT; ValueError if a value is not text."""
        values = self.as_row()
        texts = [value for value in values if isinstance(value, str)]
        if len(texts) != len(values):
            raise ValueError("demo.exe binds every value as text: use Shapes.RICH for others")
        return EventRow(*texts)


@dataclasses.dataclass(frozen=True)
class TakenCommand:
    """A ``wx_command`` row the simulator took, as the bridge would.

    Values are decoded leniently from the stored bytes (None for NULL);
    demo.exe never reads ``Token`` nor ``id_3`` (None then). ``echo`` is the
    发出 event a richer bridge writes for it (demo.exe writes none), and
    ``problem`` says why nothing was sent (an unknown cmd_type, say).
    ``deleted`` is False when demo.exe's DELETE failed (the row will be sent
    again); ``repeat`` counts earlier sends of this same row.
    """

    rowid: int
    Token: str | None
    cmd_type: str | None
    id_1: str | None
    id_2: str | None
    id_3: str | None
    echo: SimEvent | None
    problem: str | None = None
    deleted: bool = True
    repeat: int = 0

    @classmethod
    def of(cls, sent: Sent) -> TakenCommand:
        """What demo.exe did with one row, in this shape."""
        problem = None if sent.executed else f"unknown cmd_type {sent.cmd_type!r}"
        return cls(
            sent.rowid,
            None,
            sent.cmd_type,
            sent.id_1,
            sent.id_2,
            None,
            None,
            problem,
            deleted=sent.deleted,
            repeat=sent.repeat,
        )

    @property
    def echoed(self) -> bool:
        """Whether the command produced an outgoing event (richer bridges only)."""
        return self.echo is not None


@dataclasses.dataclass(frozen=True)
class SimStats:
    """What one :meth:`Simulator.run` did, for the CLI summary and tests.

    ``events`` messages arrived, ``inserted`` reached wx_event and ``lost``
    did not (demo.exe's INSERT met a lock); ``commands`` were sent,
    ``duplicates`` of them again because a DELETE had failed.
    """

    events: int
    inserted: int
    lost: int
    commands: int
    duplicates: int
    echoes: int
    busy_retries: int
    elapsed: float

    def to_json(self) -> dict[str, int | float]:
        """The figures as a plain dict, for ``wxpanel simulate``'s one-line JSON."""
        return dataclasses.asdict(self)


def _batches(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """Slices of at most ``size`` items, so no transaction grows unbounded."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lenient(raw: object) -> str | None:
    """A stored value as text, never raising: CAST(... AS BLOB) gives bytes or None."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        return decode_bytes(raw).text
    return str(raw)


class SimulatorStopped(Exception):
    """``stop`` or :meth:`Simulator.close` interrupted a wait for a busy file.

    The interrupted operation did nothing (its transaction never committed);
    :meth:`Simulator.run` catches this and returns its figures.
    """


class Simulator:
    """demo.exe + WeChat on one exchange.db: writes events, takes commands.

    Thread-safe: demo.exe's one connection is serialised by a lock (as its
    single UI thread serialises it), the richer bridge opens a connection
    per operation, and :meth:`close` may be called from any thread.
    """

    def __init__(
        self,
        db: Path,
        *,
        seed: int | None = None,
        shapes: Shapes = Shapes.DEMO_EXE,
        take_delay: float = 0.2,
        own_wxid: str = "wxid_bot_self",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Check ``db`` is an exchange.db now, so the CLI fails with one clear line.

        ``take_delay`` and ``clock`` are the richer bridge's: a command is
        taken once seen that long (demo.exe takes what its 200 ms tick
        finds). ``own_wxid`` is the account, for the richer bridge's own
        messages and echoes.
        """
        self._db = exchange.check_exchange(Path(db))
        self.shapes = Shapes(shapes)
        self._take_delay = max(0.0, take_delay)
        self.own_wxid = own_wxid
        self._clock = clock
        self._traffic = Traffic(seed)
        self._rich = RichTraffic(seed, own_wxid)
        # Timing and backoff draw from their own streams so that the sequence
        # of events for a seed does not depend on how the threads were scheduled.
        self._timing_rng = random.Random(None if seed is None else seed + 1)
        self._rng_lock = threading.Lock()
        self._take_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._first_seen: dict[_Key, float] = {}
        self._busy_retries = 0
        self._closed = threading.Event()
        self._demo: DemoExe | None = None
        if self.shapes is Shapes.DEMO_EXE:
            self._demo = DemoExe(StdlibConnection(self._db), keep=False)

    @property
    def db(self) -> Path:
        """The exchange.db this simulator writes to (resolved)."""
        return self._db

    @property
    def busy_retries(self) -> int:
        """How many times the richer bridge found the file locked and retried."""
        with self._stats_lock:
            return self._busy_retries

    @property
    def lost(self) -> list[SimEvent]:
        """The messages demo.exe lost because its INSERT met a lock, in order."""
        if self._demo is None:
            return []
        return [SimEvent.of(attempt.row) for attempt in self._demo.lost]

    @property
    def duplicates(self) -> int:
        """Commands demo.exe sent again because their DELETE had failed."""
        return 0 if self._demo is None else self._demo.duplicates

    def __enter__(self) -> Simulator:
        """Context manager use, so tests cannot forget :meth:`close`."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close on leaving the ``with`` block."""
        self.close()

    def close(self) -> None:
        """Stop: interrupt any wait or held lock; later calls raise RuntimeError.

        Idempotent and thread-safe; demo.exe's connection is closed (an
        operation in flight finishes first).
        """
        self._closed.set()
        if self._demo is not None:
            self._demo.close()

    # ------------------------------------------------------------------
    # Events

    def random_event(self) -> SimEvent:
        """The next message of the seeded stream.

        demo.exe's: received text in private chats and groups, with names
        (:class:`~wxpanel.core.demoworld.Traffic`). Richer: every kind of
        event and direction (:class:`~wxpanel.core.richtraffic.RichTraffic`).
        """
        with self._rng_lock:
            if self.shapes is Shapes.RICH:
                return SimEvent(*self._rich.next_row())
            return SimEvent.of(self._traffic.next_row())

    def insert_events(
        self, events: Sequence[SimEvent], *, stop: threading.Event | None = None
    ) -> int:
        """Insert ``events`` in order; returns how many reached wx_event.

        demo.exe: one INSERT each, after its two SELECTs, with no busy
        handler: one that meets a lock is lost (:attr:`lost`), never retried.
        Richer bridges: one short transaction, retried while the file is busy;
        if ``stop`` (or close()) interrupts that wait, nothing is inserted and
        :class:`SimulatorStopped` is raised.
        """
        self._check_open()
        if self._demo is not None:
            rows = [event.as_demo_row() for event in events]
            return sum(not self._demo.receive(row).lost for row in rows)
        values = [event.as_row() for event in events]
        if values:

            def work(conn: sqlite3.Connection) -> None:
                conn.executemany(_INSERT_EVENT_SQL, values)

            self._transact(work, stop=stop)
        return len(values)

    def emit(self, count: int = 1) -> list[SimEvent]:
        """Insert ``count`` random events; returns them all (see :attr:`lost`)."""
        self._check_open()
        events = [self.random_event() for _ in range(max(0, count))]
        for batch in _batches(events, MAX_BATCH):
            self.insert_events(batch)
        return events

    # ------------------------------------------------------------------
    # Commands

    def take_commands(self, *, stop: threading.Event | None = None) -> list[TakenCommand]:
        """One look at ``wx_command``, the way the bridge does it.

        demo.exe: one timer tick, at most one row: read by rowid column by
        column, sent, then deleted (a DELETE that fails leaves it for the
        next tick, :attr:`TakenCommand.deleted` False). Richer bridges: every
        row seen for ``take_delay`` is taken and echoed in one transaction.
        Values are read as bytes and decoded leniently: a bad row never crashes.
        """
        self._check_open()
        if self._demo is None:
            return self._take_rich(stop)
        sent = self._demo.tick()
        return [] if sent is None else [TakenCommand.of(sent)]

    def _take_rich(self, stop: threading.Event | None) -> list[TakenCommand]:
        """Take every due ``wx_command`` row at once, and echo each (richer bridges).

        A row is due once it has been seen (same rowid, same bytes) for
        ``take_delay`` seconds.  Due rows are deleted by rowid, exactly those,
        and each ``wx_send``/``wx_picture`` is echoed as a 发出 event in the
        same transaction; any other row is deleted and reported unechoed.
        Values are read as bytes and decoded leniently: a bad row never crashes.
        """
        with self._take_lock:
            # A cheap read first: most polls find nothing due, and demo.exe
            # should not take the write lock for nothing.
            rows = self._transact(self._read_commands, begin="BEGIN", stop=stop)
            now = self._clock()
            # A row is identified by rowid *and* content: rowids are reused after deletes.
            present = set(rows)
            for key in list(self._first_seen):
                if key not in present:
                    del self._first_seen[key]
            for key in present:
                self._first_seen.setdefault(key, now)
            due = {key for key in present if now - self._first_seen[key] >= self._take_delay}
            if not due:
                return []

            def work(conn: sqlite3.Connection) -> list[tuple[_Key, TakenCommand]]:
                # Re-read under the write lock: take only rows still there, unchanged.
                taken: list[tuple[_Key, TakenCommand]] = []
                for row in self._read_commands(conn):
                    if row not in due:
                        continue
                    conn.execute(_DELETE_COMMAND_SQL, (row[0],))
                    command = self._interpret(row)
                    if command.echo is not None:
                        conn.execute(_INSERT_EVENT_SQL, command.echo.as_row())
                    taken.append((row, command))
                return taken

            result = self._transact(work, stop=stop)
            for key, _command in result:
                self._first_seen.pop(key, None)
            return [command for _key, command in result]

    @staticmethod
    def _read_commands(conn: sqlite3.Connection) -> list[_Key]:
        """Every wx_command row as (rowid, raw bytes of each column)."""
        result: list[_Key] = []
        for row in conn.execute(_SELECT_COMMANDS_SQL):
            values = tuple(v if v is None or isinstance(v, bytes) else bytes(v) for v in row[1:])
            result.append((int(row[0]), values))
        return result

    def _interpret(self, row: _Key) -> TakenCommand:
        """What a richer bridge does with one row: the echo, or why there is none."""
        rowid, raw = row
        token, cmd_type, id_1, id_2, id_3 = (_lenient(value) for value in raw)
        problem: str | None = None
        echo: SimEvent | None = None
        if cmd_type not in (CommandType.TEXT, CommandType.PICTURE):
            problem = f"unknown cmd_type {cmd_type!r}"
        if problem is None and not id_1:
            problem = "no recipient (id_1 empty)"
        if problem is None and id_2 is None:
            problem = "no content (id_2 NULL)"
        if problem is None and id_1 is not None and id_2 is not None:
            picture = cmd_type == CommandType.PICTURE
            echo = SimEvent(*self._rich.echo(id_1, id_2, picture=picture))
        return TakenCommand(rowid, token, cmd_type, id_1, id_2, id_3, echo, problem)

    # ------------------------------------------------------------------
    # Locks

    def hold_lock(
        self,
        seconds: float,
        *,
        held: threading.Event | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        """Hold an EXCLUSIVE lock with a change in progress for ``seconds``.

        This is a writer at work on the file for that long: its journal beside
        the file makes every reader wait, wxpanel's lock-free reader included
        (an idle lock alone would not: see :mod:`wxpanel.core.exchange.reader`).
        ``held`` is set once the lock is taken, so a test knows when to probe;
        ``stop`` (or :meth:`close`) releases it early (if it comes while still
        waiting for the lock,
        :class:`SimulatorStopped` is raised).  The transaction is rolled back:
        the file is not changed.
        """
        self._check_open()

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(_TOUCH_SQL)
            if held is not None:
                held.set()
            self._wait(seconds, stop)

        self._transact(work, begin="BEGIN EXCLUSIVE", stop=stop, commit=False)

    # ------------------------------------------------------------------
    # Driving it

    def run(
        self,
        *,
        rate: float = 2.0,
        burst: int = 0,
        duration: float | None = None,
        stall: bool = False,
        lock_seconds: float = 0.0,
        stop: threading.Event | None = None,
    ) -> SimStats:
        """Play the bridge until ``duration`` (from the call) elapses or ``stop`` is set.

        First ``burst`` events at once (demo.exe: one INSERT each; richer:
        batches of :data:`MAX_BATCH`), then an optional exclusive lock of
        ``lock_seconds``, then events at ``rate`` per second as a Poisson
        process (0 = none) while, unless ``stall``, commands are taken every
        :data:`COMMAND_PERIOD` (richer: :data:`TAKE_INTERVAL`). Waits use
        ``stop.wait`` so a stop is honoured at once.
        """
        self._check_open()
        stop_event = stop if stop is not None else self._closed
        started = time.monotonic()
        deadline = math.inf if duration is None else started + max(0.0, duration)
        retries_before = self.busy_retries
        duplicates_before = self.duplicates
        period = TAKE_INTERVAL if self._demo is None else COMMAND_PERIOD
        batch_size = MAX_BATCH if self._demo is None else 1
        events = inserted = commands = echoes = 0
        try:
            remaining = max(0, burst)
            while remaining > 0:
                self._raise_if_stopped(stop_event)
                size = min(remaining, batch_size)
                burst_batch = [self.random_event() for _ in range(size)]
                events += size
                inserted += self.insert_events(burst_batch, stop=stop_event)
                remaining -= size
            if lock_seconds > 0:
                self._raise_if_stopped(stop_event)
                self.hold_lock(lock_seconds, stop=stop_event)
            next_event = time.monotonic() + self._interval(rate)
            next_take = time.monotonic() + (period if self._demo is not None else 0.0)
            while True:
                self._raise_if_stopped(stop_event)
                now = time.monotonic()
                if now >= deadline:
                    break
                due: list[SimEvent] = []
                while next_event <= now and len(due) < MAX_BATCH:
                    due.append(self.random_event())
                    next_event += self._interval(rate)
                for batch in _batches(due, batch_size):
                    events += len(batch)
                    inserted += self.insert_events(batch, stop=stop_event)
                if not stall and now >= next_take:
                    taken = self.take_commands(stop=stop_event)
                    commands += len(taken)
                    echoes += sum(1 for command in taken if command.echoed)
                    next_take = now + period
                wake = min(next_event, deadline, now + _MAX_WAIT)
                if not stall:
                    wake = min(wake, next_take)
                self._wait(wake - time.monotonic(), stop_event)
        except SimulatorStopped:
            pass
        return SimStats(
            events=events,
            inserted=inserted,
            lost=events - inserted,
            commands=commands,
            duplicates=self.duplicates - duplicates_before,
            echoes=echoes,
            busy_retries=self.busy_retries - retries_before,
            elapsed=time.monotonic() - started,
        )

    def _interval(self, rate: float) -> float:
        """Time to the next event of a Poisson process; infinite when rate is 0."""
        if rate <= 0:
            return math.inf
        with self._rng_lock:
            return self._timing_rng.expovariate(rate)

    # ------------------------------------------------------------------
    # Plumbing

    def _check_open(self) -> None:
        """Refuse work after close(), instead of writing to a file the caller let go."""
        if self._closed.is_set():
            raise RuntimeError("simulator is closed")

    def _wait(self, seconds: float, stop: threading.Event | None) -> bool:
        """Sleep up to ``seconds``; True (early) once ``stop`` or close() is signalled.

        Waits in slices so that close() from another thread is noticed even
        while the caller waits on its own ``stop`` event.
        """
        end = time.monotonic() + max(0.0, seconds)
        event = stop if stop is not None else self._closed
        while True:
            if self._closed.is_set() or event.is_set():
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            event.wait(min(left, _MAX_WAIT))

    def _raise_if_stopped(self, stop: threading.Event | None) -> None:
        """Unwind promptly when the caller's stop or close() was signalled."""
        if self._closed.is_set() or (stop is not None and stop.is_set()):
            raise SimulatorStopped

    def _transact(
        self,
        work: Callable[[sqlite3.Connection], _T],
        *,
        begin: str = "BEGIN IMMEDIATE",
        stop: threading.Event | None = None,
        commit: bool = True,
    ) -> _T:
        """Run ``work`` in one transaction on a fresh connection, retrying when busy.

        A fresh connection per operation is what a separate process looks
        like to the consumer and makes the simulator safe to use from any
        thread.  BEGIN IMMEDIATE takes the write lock up front: upgrading a
        read transaction later can fail at once with BUSY.  ``work`` must not
        change Python state it cannot redo, since it may run again.
        """
        delay = _BACKOFF_START
        give_up = time.monotonic() + _BUSY_GIVE_UP
        while True:
            conn = exchange.connect(self._db)
            try:
                conn.execute(begin)
                try:
                    result = work(conn)
                    conn.execute("COMMIT" if commit else "ROLLBACK")
                    return result
                except BaseException:
                    # A failed COMMIT (BUSY) leaves the transaction open: undo it
                    # before retrying, and never let a failing ROLLBACK hide why.
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if not exchange.is_busy(exc) or time.monotonic() >= give_up:
                    raise
            finally:
                conn.close()
            with self._stats_lock:
                self._busy_retries += 1
            with self._rng_lock:
                jitter = self._timing_rng.uniform(0.5, 1.0)
            if self._wait(delay * jitter, stop):
                raise SimulatorStopped
            delay = min(delay * 2, _BACKOFF_MAX)
