"""Timed messages: a text or picture sent to chosen conversations at set times.

A message runs once at a moment, or daily or weekly at a local time.  Each
one remembers ``checked_until``: every occurrence up to then has been sent
or reported missed.  When the poller comes round, an occurrence at most
``grace`` seconds old is sent; an older one means wxpanel was not running
(or was stuck) at the time and is recorded as *missed* — never sent late
unless the operator asks (:func:`send_late`).  Queuing the commands, the run
record and the new ``checked_until`` are one transaction, so a crash can
neither lose nor repeat a run.

The clock is always passed in (``now``), so tests move time by hand.
"""

from __future__ import annotations

import enum
import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final

from wxpanel.core import activity
from wxpanel.core.autoreply.answerer import AnswerReport, Turn
from wxpanel.core.autoreply.guard import read_setting
from wxpanel.core.autoreply.issues import Issue, RuleError
from wxpanel.core.autoreply.sending import Outgoing, queue_commands, resolved
from wxpanel.core.errors import KnownError, PictureError
from wxpanel.core.history import ConnectionStore, immediate
from wxpanel.core.models import Message, Origin
from wxpanel.core.names import known_wxids
from wxpanel.core.outbox import DEFAULT_PICTURE_LIMIT
from wxpanel.core.pacer import Pacer
from wxpanel.core.protocol import CommandType
from wxpanel.core.rules.jsoncodec import timed_from_json, timed_to_json
from wxpanel.core.rules.model import (
    ScheduleKind,
    TimedMessage,
    errors,
    validate_timed,
)
from wxpanel.core.rules.template import render
from wxpanel.core.texts import Text

#: An occurrence up to this many seconds old is still sent; older ones are missed.
DEFAULT_GRACE: Final = 120.0
#: How far back missed occurrences are counted after a long absence.
MAX_LOOKBACK_DAYS: Final = 366


class TimedOutcome(enum.StrEnum):
    SENT = "sent"
    MISSED = "missed"
    FAILED = "failed"  # e.g. the picture is gone


@dataclass(frozen=True, slots=True)
class TimedDue:
    """One decision of :func:`due`: send the occurrence ``due``, or report it missed.

    ``skipped`` counts earlier occurrences missed along with a MISSED one.
    """

    timed: TimedMessage
    due: float
    outcome: TimedOutcome
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class TimedRun:
    """A run as recorded: sent, missed (with ``skipped`` more before it) or failed."""

    id: int
    timed_id: int
    name: str
    due: float
    outcome: TimedOutcome
    skipped: int
    detail: str | None
    handled_at: float
    acknowledged: bool
    first_message_id: int | None


@dataclass(frozen=True, slots=True)
class TimedReport:
    """What one round did; ``next_due`` is when the next occurrence falls (None: none)."""

    queued: tuple[Message, ...] = ()
    runs: tuple[TimedRun, ...] = ()
    next_due: float | None = None

    @property
    def missed(self) -> tuple[TimedRun, ...]:
        return tuple(run for run in self.runs if run.outcome is TimedOutcome.MISSED)


# -- pure schedule arithmetic -----------------------------------------------------------


def _moment(day: date, timed: TimedMessage, tz: tzinfo | None) -> float:
    assert timed.time_of_day is not None
    naive = datetime.combine(day, timed.time_of_day)
    # Without a zone, naive.timestamp() asks the system, which knows its DST rules.
    return naive.timestamp() if tz is None else naive.replace(tzinfo=tz).timestamp()


def _runs_on(day: date, timed: TimedMessage) -> bool:
    return timed.schedule is ScheduleKind.DAILY or day.isoweekday() in timed.weekdays


def occurrences(
    timed: TimedMessage, after: float, until: float, tz: tzinfo | None = None
) -> list[float]:
    """The moments of ``timed`` in ``(after, until]``, oldest first (at most a year back)."""
    if until <= after:
        return []
    if timed.schedule is ScheduleKind.ONCE:
        return [timed.at] if timed.at is not None and after < timed.at <= until else []
    if timed.time_of_day is None:
        return []
    after = max(after, until - MAX_LOOKBACK_DAYS * 86400.0)
    day = datetime.fromtimestamp(after, tz).date() - timedelta(days=1)
    last = datetime.fromtimestamp(until, tz).date() + timedelta(days=1)
    found: list[float] = []
    while day <= last:
        if _runs_on(day, timed):
            moment = _moment(day, timed, tz)
            if after < moment <= until:
                found.append(moment)
        day += timedelta(days=1)
    return found


def next_occurrence(timed: TimedMessage, after: float, tz: tzinfo | None = None) -> float | None:
    """The first moment of ``timed`` strictly after ``after``, or None."""
    if timed.schedule is ScheduleKind.ONCE:
        return timed.at if timed.at is not None and timed.at > after else None
    if timed.time_of_day is None or (timed.schedule is ScheduleKind.WEEKLY and not timed.weekdays):
        return None
    day = datetime.fromtimestamp(after, tz).date() - timedelta(days=1)
    for _ in range(10):
        if _runs_on(day, timed):
            moment = _moment(day, timed, tz)
            if moment > after:
                return moment
        day += timedelta(days=1)
    return None


def due(
    timed_messages: Sequence[TimedMessage],
    now: float,
    *,
    grace: float = DEFAULT_GRACE,
    tz: tzinfo | None = None,
) -> list[TimedDue]:
    """What to do now for each enabled message: send its latest occurrence, or report misses.

    Occurrences between ``checked_until`` and ``now`` count.  The latest is
    sent when at most ``grace`` s old; every other one is missed (reported
    once per message, the latest missed one with the number ``skipped``
    before it).
    """
    decisions: list[TimedDue] = []
    for timed in timed_messages:
        if not timed.enabled:
            continue
        moments = occurrences(timed, timed.checked_until, now, tz)
        if not moments:
            continue
        latest = moments[-1]
        if now - latest <= grace:
            if len(moments) > 1:
                decisions.append(
                    TimedDue(timed, moments[-2], TimedOutcome.MISSED, len(moments) - 2)
                )
            decisions.append(TimedDue(timed, latest, TimedOutcome.SENT))
        else:
            decisions.append(TimedDue(timed, latest, TimedOutcome.MISSED, len(moments) - 1))
    return decisions


def earliest_next(timed_messages: Sequence[TimedMessage], tz: tzinfo | None = None) -> float | None:
    moments = [
        moment
        for timed in timed_messages
        if timed.enabled and (moment := next_occurrence(timed, timed.checked_until, tz)) is not None
    ]
    return min(moments, default=None)


def sends_of(timed: TimedMessage, moment: float, tz: tzinfo | None = None) -> list[Outgoing]:
    """The commands of one run: the text (``{time}``/``{date}`` filled in), then the picture."""
    local = datetime.fromtimestamp(moment, tz)
    values = {"time": local.strftime("%H:%M"), "date": local.strftime("%Y-%m-%d")}
    sends: list[Outgoing] = []
    for target in timed.targets:
        if timed.text and timed.text.strip():
            sends.append(Outgoing(target, CommandType.TEXT, render(timed.text, values)))
        if timed.picture:
            sends.append(Outgoing(target, CommandType.PICTURE, timed.picture))
    return sends


# -- storage --------------------------------------------------------------------------


_SELECT = (
    "SELECT id, enabled, name, definition, checked_until FROM timed_message ORDER BY position, id"
)


def _from_row(row: Sequence[Any]) -> TimedMessage:
    timed_id, enabled, name, definition, checked_until = row
    try:
        data = json.loads(definition)
    except (TypeError, ValueError):
        data = None
    if isinstance(data, dict):
        timed, _ = timed_from_json({**data, "name": name, "enabled": bool(enabled)})
        if timed is not None:
            return replace(timed, id=timed_id, checked_until=float(checked_until))
    return TimedMessage(
        name=str(name),
        targets=(),
        schedule=ScheduleKind.ONCE,
        enabled=False,
        id=timed_id,
        checked_until=float(checked_until),
    )


def load_timed(conn: sqlite3.Connection) -> list[TimedMessage]:
    return [_from_row(row) for row in conn.execute(_SELECT).fetchall()]


def _run_from_row(row: Sequence[Any]) -> TimedRun:
    return TimedRun(
        id=row[0],
        timed_id=row[1],
        name=row[2] or f"#{row[1]}",
        due=row[3],
        outcome=TimedOutcome(row[4]),
        skipped=row[5],
        detail=row[6],
        handled_at=row[7],
        acknowledged=bool(row[8]),
        first_message_id=row[9],
    )


_SELECT_RUNS = (
    "SELECT r.id, r.timed_id, t.name, r.due, r.outcome, r.skipped, r.detail, r.handled_at,"
    " r.acknowledged, r.first_message_id FROM timed_run AS r"
    " LEFT JOIN timed_message AS t ON t.id = r.timed_id"
)


def _definition(timed: TimedMessage) -> str:
    return json.dumps(timed_to_json(timed, with_header=False), ensure_ascii=False)


class TimedStore(ConnectionStore):
    """The list of timed messages and their runs; each edit one transaction.

    Adding, editing or enabling a message starts it afresh: only occurrences
    after that moment count, so nothing is reported missed for the time it
    did not exist or was switched off.
    """

    def __init__(self, conn: sqlite3.Connection, *, clock: Any = time.time) -> None:
        super().__init__(conn)
        self.clock = clock

    def all(self) -> list[TimedMessage]:
        return load_timed(self.conn)

    def get(self, timed_id: int) -> TimedMessage | None:
        row = self.conn.execute(
            "SELECT id, enabled, name, definition, checked_until FROM timed_message WHERE id = ?",
            (timed_id,),
        ).fetchone()
        return _from_row(row) if row else None

    def _check(self, timed: TimedMessage, now: float) -> None:
        problems = errors(validate_timed(timed, known_wxids(self.conn)))
        if (
            not problems
            and timed.enabled
            and timed.schedule is ScheduleKind.ONCE
            and timed.at is not None
            and timed.at <= now
        ):
            problems = [Issue.of("at", "time_passed")]
        if problems:
            raise RuleError(problems, prefix=f"timed message {timed.name!r}: ")

    def add(self, timed: TimedMessage) -> TimedMessage:
        now = self.clock()
        self._check(timed, now)
        with immediate(self.conn):
            count = self.conn.execute("SELECT count(*) FROM timed_message").fetchone()[0]
            cursor = self.conn.execute(
                "INSERT INTO timed_message (position, enabled, name, definition, checked_until,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (count, int(timed.enabled), timed.name, _definition(timed), now, now, now),
            )
        activity.changed("timed message", "added", timed.name, cursor.lastrowid)
        return self.get(int(cursor.lastrowid or 0)) or timed

    def update(self, timed: TimedMessage) -> TimedMessage:
        if timed.id is None:
            raise ValueError("update() needs a saved timed message; use add()")
        now = self.clock()
        self._check(timed, now)
        with immediate(self.conn):
            cursor = self.conn.execute(
                "UPDATE timed_message SET enabled = ?, name = ?, definition = ?,"
                " checked_until = ?, updated_at = ? WHERE id = ?",
                (int(timed.enabled), timed.name, _definition(timed), now, now, timed.id),
            )
            if cursor.rowcount != 1:
                raise KnownError(Text.of("timed_gone", id=str(timed.id)))
        activity.changed("timed message", "changed", timed.name, timed.id)
        return self.get(timed.id) or timed

    def set_enabled(self, timed_id: int, enabled: bool) -> None:
        now = self.clock()
        with immediate(self.conn):
            self.conn.execute(
                "UPDATE timed_message SET enabled = ?, checked_until = ?, updated_at = ?"
                " WHERE id = ? AND enabled != ?",
                (int(enabled), now, now, timed_id, int(enabled)),
            )
        state = "switched on" if enabled else "switched off"
        activity.changed("timed message", state, item_id=timed_id)

    def delete(self, timed_id: int) -> TimedMessage | None:
        found = self.get(timed_id)
        with immediate(self.conn):
            self.conn.execute("DELETE FROM timed_message WHERE id = ?", (timed_id,))
        activity.changed("timed message", "deleted", found.name if found else "", timed_id)
        return found

    def runs(self, timed_id: int | None = None, limit: int = 100) -> list[TimedRun]:
        """Recent runs, newest first."""
        rows = self.conn.execute(
            _SELECT_RUNS + " WHERE ?1 IS NULL OR r.timed_id = ?1 ORDER BY r.id DESC LIMIT ?2",
            (timed_id, limit),
        ).fetchall()
        return [_run_from_row(row) for row in rows]

    def needs_attention(self) -> list[TimedRun]:
        """Missed and failed runs the operator has not acknowledged yet, oldest first."""
        rows = self.conn.execute(
            _SELECT_RUNS + " WHERE r.outcome IN ('missed', 'failed') AND r.acknowledged = 0"
            " ORDER BY r.id"
        ).fetchall()
        return [_run_from_row(row) for row in rows]

    def acknowledge(self, run_id: int | None = None) -> None:
        """Mark a missed run (or, with None, every one) as seen."""
        with immediate(self.conn):
            self.conn.execute(
                "UPDATE timed_run SET acknowledged = 1 WHERE ?1 IS NULL OR id = ?1", (run_id,)
            )


# -- running --------------------------------------------------------------------------


def _record(
    conn: sqlite3.Connection,
    decision: TimedDue,
    outcome: TimedOutcome,
    now: float,
    detail: str | None = None,
    first_message_id: int | None = None,
) -> TimedRun:
    assert decision.timed.id is not None
    cursor = conn.execute(
        "INSERT INTO timed_run (timed_id, due, outcome, skipped, detail, handled_at,"
        " acknowledged, first_message_id) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
        (
            decision.timed.id,
            decision.due,
            outcome.value,
            decision.skipped,
            detail,
            now,
            first_message_id,
        ),
    )
    return TimedRun(
        id=int(cursor.lastrowid or 0),
        timed_id=decision.timed.id,
        name=decision.timed.name,
        due=decision.due,
        outcome=outcome,
        skipped=decision.skipped,
        detail=detail,
        handled_at=now,
        acknowledged=False,
        first_message_id=first_message_id,
    )


def log_runs(runs: Iterable[TimedRun]) -> None:
    """Timed messages sent or missed, on the activity log (:mod:`wxpanel.core.activity`)."""
    for run in runs:
        detail = f": {run.detail}" if run.detail else ""
        activity.log.info("timed message %r %s%s", run.name, run.outcome.value, detail)


def _resolve_pictures(sends: Sequence[Outgoing], max_bytes: int) -> list[Outgoing]:
    return [resolved(send, max_bytes) for send in sends]


class TimedRunner:
    """Runs the stored timed messages for one poller, without a lock while none is due.

    The list is cached and re-read when another connection changed it
    (``timed_version``), so a poll costs one tiny query until the next
    occurrence (:attr:`next_due`).
    """

    def __init__(
        self,
        *,
        tz: tzinfo | None = None,
        grace: float = DEFAULT_GRACE,
        picture_max_bytes: int = DEFAULT_PICTURE_LIMIT,
    ) -> None:
        self.tz = tz
        self.grace = grace
        self.picture_max_bytes = picture_max_bytes
        self._version = -1
        self._next_due: float | None = None
        self._call_at: float | None = 0.0  # when the Engine calls again (at once at start)

    # -- the Answerer interface (wxpanel.core.autoreply.answerer) ----------------------

    def start(self, conn: sqlite3.Connection) -> None:
        """Nothing to read ahead: the list is read on the first call."""

    def wanted(self, now: float, *, arrived: bool, edited: bool) -> bool:
        """When a message falls due, or the list may have been edited."""
        return edited or (self._call_at is not None and self._call_at <= now)

    def answer(self, turn: Turn) -> AnswerReport:
        report = self.process(turn.conn, turn.pacer, turn.now)
        self._call_at = report.next_due
        log_runs(report.runs)
        return AnswerReport(queued=report.queued, shown=report.runs, next_due=report.next_due)

    def close(self) -> None:
        """Nothing to release."""

    @property
    def next_due(self) -> float | None:
        """When the next occurrence falls, as of the last call (None: nothing scheduled)."""
        return self._next_due

    def process(self, conn: sqlite3.Connection, pacer: Pacer, now: float) -> TimedReport:
        version = int(read_setting(conn, "timed_version", 0) or 0)
        if version != self._version:
            self._next_due = earliest_next(load_timed(conn), self.tz)
            self._version = version
        if self._next_due is None or now < self._next_due:
            return TimedReport(next_due=self._next_due)
        report = process_timed(
            conn,
            pacer,
            now,
            tz=self.tz,
            grace=self.grace,
            picture_max_bytes=self.picture_max_bytes,
        )
        self._next_due = report.next_due
        return report


def process_timed(
    conn: sqlite3.Connection,
    pacer: Pacer,
    now: float,
    *,
    tz: tzinfo | None = None,
    grace: float = DEFAULT_GRACE,
    picture_max_bytes: int = DEFAULT_PICTURE_LIMIT,
) -> TimedReport:
    """Queue what is due (origin TIMED) and record what was missed, in one transaction.

    Takes a write lock only when something is due.  Raises
    :class:`sqlite3.OperationalError` when locked; nothing changed then.
    """
    current = load_timed(conn)  # a plain read: no lock while nothing is due
    if not due(current, now, grace=grace, tz=tz):
        return TimedReport(next_due=earliest_next(current, tz))
    queued: list[Message] = []
    runs: list[TimedRun] = []
    with immediate(conn):
        timed_messages = load_timed(conn)
        decisions = due(timed_messages, now, grace=grace, tz=tz)
        for decision in decisions:
            if decision.outcome is TimedOutcome.MISSED:
                runs.append(_record(conn, decision, TimedOutcome.MISSED, now))
                continue
            try:
                sends = _resolve_pictures(
                    sends_of(decision.timed, decision.due, tz), picture_max_bytes
                )
            except PictureError as exc:
                runs.append(_record(conn, decision, TimedOutcome.FAILED, now, str(exc)))
                continue
            messages = queue_commands(conn, sends, origin=Origin.TIMED, pacer=pacer, now=now)
            queued.extend(messages)
            first = messages[0].id if messages else None
            runs.append(_record(conn, decision, TimedOutcome.SENT, now, None, first))
        handled = sorted({d.timed.id for d in decisions if d.timed.id is not None})
        conn.executemany(
            "UPDATE timed_message SET checked_until = ? WHERE id = ? AND checked_until < ?",
            [(now, timed_id, now) for timed_id in handled],
        )
        after = [replace(t, checked_until=now) if t.id in handled else t for t in timed_messages]
    return TimedReport(tuple(queued), tuple(runs), earliest_next(after, tz))


def send_late(
    conn: sqlite3.Connection,
    pacer: Pacer,
    run_id: int,
    now: float,
    *,
    tz: tzinfo | None = None,
    picture_max_bytes: int = DEFAULT_PICTURE_LIMIT,
) -> list[Message]:
    """The operator asked to send a missed run after all: queue it now, mark it seen."""
    with immediate(conn):
        row = conn.execute(
            "SELECT r.timed_id, r.due, r.outcome, r.skipped FROM timed_run AS r WHERE r.id = ?",
            (run_id,),
        ).fetchone()
        if row is None or row[2] != TimedOutcome.MISSED:
            raise KnownError(Text.of("run_not_missed", id=run_id))
        timed_row = conn.execute(
            "SELECT id, enabled, name, definition, checked_until FROM timed_message WHERE id = ?",
            (row[0],),
        ).fetchone()
        if timed_row is None:
            raise KnownError(Text.of("run_timed_deleted", id=run_id))
        timed = _from_row(timed_row)
        sends = _resolve_pictures(sends_of(timed, row[1], tz), picture_max_bytes)
        messages = queue_commands(conn, sends, origin=Origin.TIMED, pacer=pacer, now=now)
        conn.execute("UPDATE timed_run SET acknowledged = 1 WHERE id = ?", (run_id,))
        _record(
            conn,
            TimedDue(timed, row[1], TimedOutcome.SENT),
            TimedOutcome.SENT,
            now,
            "sent late on request",
            messages[0].id if messages else None,
        )
    return messages
