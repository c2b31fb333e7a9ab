"""Queue statistics, computed from incremental counters, never from a history scan.

``wxpanel stats`` and the panel's statistics page both call
:func:`collect`; the figures therefore always agree.

Everything here reads small tables kept up to date in the transaction that
changes them: ``counter`` (running totals), ``minute_count`` (the same per
minute), ``conversation.message_count`` (through its index), the partial
index of open commands, and for first-response times ``response_wait`` and
``response_sample``.  Those last two are written by two hooks,
:func:`note_messages` (called by ``HistoryWriter.insert``) and
:func:`note_reply` (called by ``Outbox._release`` when a command is written
to wx_command).  A refresh therefore costs the same with a hundred messages
in history as with a million.

First-response time: an incoming message in a private chat (not a system
notice or friend request) starts a wait for its conversation unless one is
already running; the first answer ends it and records ``answer time - start
of the wait`` as a sample.  An answer is our command written to wx_command
(manual or auto-reply; a timed message is not an answer) or a message typed
on the phone (a 发出 event that is not the echo of one of our commands).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Final, NamedTuple, Protocol

from wxpanel.core.errors import KnownError
from wxpanel.core.exchange.reader import ExchangeReader, HotJournalError, SnapshotRetry
from wxpanel.core.models import Health, Message, Origin
from wxpanel.core.protocol import Direction, MessageType, is_group_id

#: The median first-response time is taken over this many seconds.
RESPONSE_WINDOW: Final = 24 * 3600.0
#: Samples older than this are deleted as new ones are written.
RESPONSE_KEEP: Final = 7 * 24 * 3600.0
#: The pseudo-conversation WeChat reports friend requests in: nobody answers it.
FRIEND_REQUESTS: Final = "fmessage"
#: Incoming messages that do not ask for an answer.
_NOT_QUESTIONS: Final = frozenset({MessageType.SYSTEM, MessageType.FRIEND_REQUEST})
#: Counters summed into :class:`Totals` (running totals and minute buckets share names).
_TOTAL_NAMES: Final = (
    "received",
    "commands_written",
    "account_sent",
    "sent_manual",
    "sent_auto",
    "sent_timed",
    "queued_manual",
    "queued_auto",
    "queued_timed",
    "errors",
)
#: The AI sources' counters (wxpanel.core.sources.hub): tokens, and the cost in millionths.
_AI_NAMES: Final = ("ai_prompt_tokens", "ai_completion_tokens", "ai_cost_micro")


# -- hooks: called inside the writer's transaction ---------------------------


def _private(conversation: str) -> bool:
    return bool(conversation) and conversation != FRIEND_REQUESTS and not is_group_id(conversation)


def note_messages(conn: sqlite3.Connection, messages: Sequence[Message]) -> None:
    """Start waits for incoming private messages, end them with answers typed on the phone.

    Called by ``HistoryWriter.insert`` in its transaction, once per batch:
    one small read (only when the batch holds a phone answer) and two
    ``executemany`` at most.  Our own commands are ignored here: they answer
    when written to wx_command (:func:`note_reply`), not when queued.
    """
    private = {name for name in {m.conversation for m in messages} if _private(name)}
    if not private:
        return
    relevant = [
        m
        for m in messages
        if m.conversation in private
        and m.origin is Origin.EVENT
        and (m.echo_of is None if m.direction is Direction.OUT else m.type not in _NOT_QUESTIONS)
    ]
    if not relevant:
        return
    if all(m.direction is Direction.IN for m in relevant):
        first: dict[str, float] = {}
        for m in relevant:
            first.setdefault(m.conversation, m.time)
        conn.executemany(
            "INSERT OR IGNORE INTO response_wait (conversation, since) VALUES (?, ?)",
            first.items(),
        )
        return
    names = sorted({m.conversation for m in relevant})
    waiting: dict[str, float] = dict(
        conn.execute(
            "SELECT conversation, since FROM response_wait"
            " WHERE conversation IN (SELECT value FROM json_each(?))",
            (json.dumps(names),),
        ).fetchall()
    )
    state = dict(waiting)
    samples: list[tuple[float, str, str, float]] = []
    for m in relevant:
        if m.direction is Direction.IN:
            state.setdefault(m.conversation, m.time)
            continue
        since = state.pop(m.conversation, None)
        if since is not None:
            samples.append((m.time, m.conversation, Origin.EVENT.value, max(0.0, m.time - since)))
    conn.executemany(
        "DELETE FROM response_wait WHERE conversation = ?",
        [(name,) for name in waiting if name not in state],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO response_wait (conversation, since) VALUES (?, ?)",
        [(name, since) for name, since in state.items() if waiting.get(name) != since],
    )
    _add_samples(conn, samples)


def note_reply(conn: sqlite3.Connection, conversation: str, origin: str, now: float) -> None:
    """A command was written to wx_command: end the conversation's wait, if any.

    Called by ``Outbox._release`` in the transaction that writes the command.
    """
    if origin == Origin.TIMED or not _private(conversation):
        return
    row = conn.execute(
        "SELECT since FROM response_wait WHERE conversation = ?", (conversation,)
    ).fetchone()
    if row is None:
        return
    conn.execute("DELETE FROM response_wait WHERE conversation = ?", (conversation,))
    _add_samples(conn, [(now, conversation, str(origin), max(0.0, now - row[0]))])


def _add_samples(
    conn: sqlite3.Connection, samples: Sequence[tuple[float, str, str, float]]
) -> None:
    if not samples:
        return
    conn.executemany(
        "INSERT INTO response_sample (time, conversation, origin, seconds) VALUES (?, ?, ?, ?)",
        samples,
    )
    newest = max(sample[0] for sample in samples)
    conn.execute("DELETE FROM response_sample WHERE time < ?", (newest - RESPONSE_KEEP,))


# -- values -------------------------------------------------------------------


class Point(NamedTuple):
    """One bucket of a chart: its start (unix seconds), messages in, messages out."""

    start: int
    incoming: int
    outgoing: int


@dataclass(frozen=True, slots=True)
class Totals:
    """Messages over some period.

    ``outgoing`` is every message the account sent: our commands written to
    wx_command (``sent_manual + sent_auto + sent_timed``) plus those typed
    on the phone (``from_phone``).
    """

    incoming: int = 0
    outgoing: int = 0
    sent_manual: int = 0
    sent_auto: int = 0
    sent_timed: int = 0
    from_phone: int = 0
    queued_manual: int = 0
    queued_auto: int = 0
    queued_timed: int = 0
    errors: int = 0

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> Totals:
        return cls(
            incoming=counts.get("received", 0),
            outgoing=counts.get("commands_written", 0) + counts.get("account_sent", 0),
            sent_manual=counts.get("sent_manual", 0),
            sent_auto=counts.get("sent_auto", 0),
            sent_timed=counts.get("sent_timed", 0),
            from_phone=counts.get("account_sent", 0),
            queued_manual=counts.get("queued_manual", 0),
            queued_auto=counts.get("queued_auto", 0),
            queued_timed=counts.get("queued_timed", 0),
            errors=counts.get("errors", 0),
        )


@dataclass(frozen=True, slots=True)
class AIUsage:
    """Tokens used by the AI answer sources, and their cost (in the currency of their prices)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> AIUsage:
        return cls(
            prompt_tokens=counts.get("ai_prompt_tokens", 0),
            completion_tokens=counts.get("ai_completion_tokens", 0),
            cost=counts.get("ai_cost_micro", 0) / 1_000_000,
        )


@dataclass(frozen=True, slots=True)
class OriginResponse:
    """First-response figures of one kind of answer (manual, auto, event = phone)."""

    origin: str
    median: float
    count: int


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """First-response times in private chats over the last ``window`` seconds."""

    median: float | None = None
    count: int = 0
    by_origin: tuple[OriginResponse, ...] = ()
    waiting: int = 0  # private chats with an unanswered message from within the window
    window: float = RESPONSE_WINDOW


@dataclass(frozen=True, slots=True)
class BusyConversation:
    id: str
    alias: str | None
    is_group: bool
    message_count: int
    last_time: float | None

    @property
    def display_name(self) -> str:
        return self.alias or self.id or "?"


@dataclass(frozen=True, slots=True)
class StuckCommand:
    message_id: int
    conversation: str
    written_at: float | None
    age: float | None  # seconds in wx_command


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    time: float
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class QueueStats:
    """A snapshot of everything the operator asks "is it working?" about.

    The first block is what ``wxpanel stats`` always printed (its JSON keys
    are kept); the rest feeds the statistics page.
    """

    events_received: int
    incoming: int
    account_sent: int
    flagged: int
    commands_queued: int
    commands_written: int
    commands_taken: int
    commands_stuck: int
    commands_failed: int
    commands_waiting: int  # still in our outbox (pacer)
    errors: int
    backlog: int | None  # wx_event rows not in history yet; None if exchange.db unreadable
    pending_commands: int | None  # rows in wx_command
    oldest_pending_age: float | None  # seconds since our oldest pending command was written
    events_per_minute_1m: float
    events_per_minute_15m: float
    commands_per_minute_15m: float
    time: float
    day_start: float = 0.0  # local midnight that starts "today"
    today: Totals = field(default_factory=Totals)
    all_time: Totals = field(default_factory=Totals)
    last_hour: tuple[Point, ...] = ()  # 60 one-minute buckets, oldest first, the current one last
    last_day: tuple[Point, ...] = ()  # 144 ten-minute buckets, likewise
    response: ResponseTimes = field(default_factory=ResponseTimes)
    busiest: tuple[BusyConversation, ...] = ()
    stuck: tuple[StuckCommand, ...] = ()
    recent_errors: tuple[ErrorEntry, ...] = ()  # newest first
    ai_today: AIUsage = field(default_factory=AIUsage)
    ai_all_time: AIUsage = field(default_factory=AIUsage)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# -- reading ------------------------------------------------------------------


def day_start(now: float, tz: tzinfo | None = None) -> float:
    """Unix time of the midnight that starts ``now``'s day (local time unless ``tz``)."""
    moment = datetime.fromtimestamp(now, tz)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def series(conn: sqlite3.Connection, start: float, end: float, step: int = 60) -> tuple[Point, ...]:
    """Messages in and out per ``step`` seconds (a multiple of 60) from ``start`` to ``end``.

    Buckets are aligned on multiples of ``step`` since the epoch; the first
    holds ``start``, the last holds ``end``; empty buckets are zeros.
    """
    if step < 60 or step % 60:
        raise ValueError("step must be a whole number of minutes")
    per = step // 60
    first = int(start // step)
    last = int(end // step)
    rows = conn.execute(
        "SELECT minute / ?1, name, sum(value) FROM minute_count"
        " WHERE minute >= ?2 AND minute < ?3"
        " AND name IN ('received', 'commands_written', 'account_sent') GROUP BY 1, 2",
        (per, first * per, (last + 1) * per),
    ).fetchall()
    incoming = dict.fromkeys(range(first, last + 1), 0)
    outgoing = dict(incoming)
    for bucket, name, value in rows:
        if name == "received":
            incoming[bucket] += value
        else:
            outgoing[bucket] += value
    return tuple(Point(b * step, incoming[b], outgoing[b]) for b in range(first, last + 1))


def window_totals(conn: sqlite3.Connection, since: float) -> Totals:
    """:class:`Totals` from the minute buckets since ``since`` (rounded down to its minute)."""
    rows = conn.execute(
        "SELECT name, sum(value) FROM minute_count WHERE minute >= ? GROUP BY name",
        (int(since // 60),),
    ).fetchall()
    return Totals.from_counts(dict(rows))


def ai_usage(conn: sqlite3.Connection, since: float) -> AIUsage:
    """:class:`AIUsage` from the minute buckets since ``since`` (rounded down to its minute)."""
    rows = conn.execute(
        "SELECT name, sum(value) FROM minute_count WHERE minute >= ? AND name IN (?, ?, ?)"
        " GROUP BY name",
        (int(since // 60), *_AI_NAMES),
    ).fetchall()
    return AIUsage.from_counts(dict(rows))


def response_times(
    conn: sqlite3.Connection, now: float, window: float = RESPONSE_WINDOW
) -> ResponseTimes:
    """The median first-response time in private chats over the last ``window`` seconds."""
    rows = conn.execute(
        "SELECT origin, seconds FROM response_sample WHERE time >= ?", (now - window,)
    ).fetchall()
    waiting = conn.execute(
        "SELECT count(*) FROM response_wait WHERE since >= ?", (now - window,)
    ).fetchone()[0]
    if not rows:
        return ResponseTimes(waiting=waiting, window=window)
    by_origin: dict[str, list[float]] = {}
    for origin, seconds in rows:
        by_origin.setdefault(origin, []).append(seconds)
    return ResponseTimes(
        median=statistics.median(seconds for _origin, seconds in rows),
        count=len(rows),
        by_origin=tuple(
            OriginResponse(origin, statistics.median(values), len(values))
            for origin, values in sorted(by_origin.items())
        ),
        waiting=waiting,
        window=window,
    )


def busiest_conversations(
    conn: sqlite3.Connection, limit: int = 10
) -> tuple[BusyConversation, ...]:
    """The conversations with the most messages, through ``conversation_by_count``."""
    rows = conn.execute(
        "SELECT c.id, coalesce(k.alias, k.name), c.is_group, c.message_count, c.last_time"
        " FROM conversation AS c"
        " LEFT JOIN contact AS k ON k.wxid = c.id ORDER BY c.message_count DESC, c.id LIMIT ?",
        (limit,),
    ).fetchall()
    return tuple(BusyConversation(r[0], r[1], bool(r[2]), r[3], r[4]) for r in rows)


# Open commands: every query repeats the partial index's own condition
# (``status IN ('queued', 'written', 'stuck')``), the only form SQLite
# recognises for using message_open_command; ``status = 'stuck'`` alone
# scans the whole message table.


def open_commands(conn: sqlite3.Connection) -> dict[str, int]:
    """Our commands still open, by status (queued, written, stuck)."""
    return dict(
        conn.execute(
            "SELECT status, count(*) FROM message"
            " WHERE status IN ('queued', 'written', 'stuck') GROUP BY status"
        ).fetchall()
    )


def oldest_written(conn: sqlite3.Connection) -> float | None:
    """When our oldest command still in wx_command was written there."""
    row = conn.execute(
        "SELECT min(written_at) FROM message"
        " WHERE status IN ('queued', 'written', 'stuck') AND status <> 'queued'"
    ).fetchone()
    return None if row is None else row[0]


def stuck_commands(
    conn: sqlite3.Connection, now: float, limit: int = 20
) -> tuple[StuckCommand, ...]:
    rows = conn.execute(
        "SELECT id, conversation, written_at FROM message"
        " WHERE status IN ('queued', 'written', 'stuck') AND status = 'stuck'"
        " ORDER BY id LIMIT ?",
        (limit,),
    ).fetchall()
    return tuple(
        StuckCommand(r[0], r[1], r[2], None if r[2] is None else max(0.0, now - r[2])) for r in rows
    )


def recent_errors(conn: sqlite3.Connection, limit: int = 20) -> tuple[ErrorEntry, ...]:
    rows = conn.execute(
        "SELECT time, kind, detail FROM error_log ORDER BY id DESC LIMIT ?", (limit,)
    ).fetchall()
    return tuple(ErrorEntry(*row) for row in rows)


def _exchange_counts(conn: sqlite3.Connection, path: Path) -> tuple[int | None, int | None]:
    """Backlog (rows after the newest one in history) and pending commands, lock-free."""
    after = conn.execute("SELECT max(rowid) FROM ingested").fetchone()[0]
    reader = ExchangeReader(path)
    try:
        for _attempt in range(5):
            try:
                return reader.counts(after)
            except SnapshotRetry:
                time.sleep(0.01)  # demo.exe is writing: a moment later
    except (sqlite3.Error, HotJournalError, KnownError):
        pass
    finally:
        reader.close()
    return None, None


def _from_health(health: Health) -> tuple[int | None, int | None]:
    """The poller's last counts; unknown while exchange.db is unreadable."""
    if health.error is not None or health.checked_at == 0.0:
        return None, None
    return health.backlog, health.pending_commands


def _per_minute(conn: sqlite3.Connection, name: str, minutes: int, now: float) -> float:
    """The rate ``wxpanel stats`` always printed: buckets since ``now - minutes``."""
    row = conn.execute(
        "SELECT sum(value) FROM minute_count WHERE minute >= ? AND name = ?",
        (int((now - minutes * 60) // 60), name),
    ).fetchone()
    return (row[0] or 0) / minutes


class _Store(Protocol):
    """What :func:`collect` needs of a :class:`~wxpanel.core.history.HistoryStore`.

    Named structurally: history imports this module for its hooks, so this
    module must not import history back (no import cycle in core).
    """

    @property
    def conn(self) -> sqlite3.Connection: ...


def collect(
    store: _Store,
    exchange_db: Path | None,
    now: float | None = None,
    *,
    health: Health | None = None,
    tz: tzinfo | None = None,
    busiest: int = 10,
    recent: int = 20,
) -> QueueStats:
    """Every figure of the statistics page and of ``wxpanel stats``.

    ``exchange_db``'s backlog and pending commands are counted on a
    connection of its own, without a lock (see
    :mod:`wxpanel.core.exchange.reader`), unless ``health`` -- the Engine's
    latest snapshot -- is given: the panel passes it and never touches exchange.db from its page.
    Each query is short and takes its own read lock on history.db: one
    transaction around them all would hold the poller's commits back longer.
    """
    now = time.time() if now is None else now
    conn = store.conn
    midnight = day_start(now, tz)
    minute = int(now // 60)
    counters: dict[str, int] = dict(conn.execute("SELECT name, value FROM counter").fetchall())
    open_counts = open_commands(conn)
    oldest = oldest_written(conn)
    hour = series(conn, (minute - 59) * 60, now, 60)
    day = series(conn, now - 143 * 600, now, 600)
    today = window_totals(conn, midnight)
    ai_today = ai_usage(conn, midnight)
    response = response_times(conn, now)
    busy = busiest_conversations(conn, busiest)
    stuck = stuck_commands(conn, now)
    errors = recent_errors(conn, recent)
    if health is not None:
        backlog, pending = _from_health(health)
    elif exchange_db is not None:
        backlog, pending = _exchange_counts(conn, exchange_db)
    else:
        backlog = pending = None
    return QueueStats(
        events_received=counters.get("events", 0),
        incoming=counters.get("received", 0),
        account_sent=counters.get("account_sent", 0),
        flagged=counters.get("flagged", 0),
        commands_queued=counters.get("commands_queued", 0),
        commands_written=counters.get("commands_written", 0),
        commands_taken=counters.get("commands_taken", 0),
        commands_stuck=open_counts.get("stuck", 0),
        commands_failed=counters.get("commands_failed", 0),
        commands_waiting=open_counts.get("queued", 0),
        errors=counters.get("errors", 0),
        backlog=backlog,
        pending_commands=pending,
        oldest_pending_age=None if oldest is None else max(0.0, now - oldest),
        events_per_minute_1m=_per_minute(conn, "events", 1, now),
        events_per_minute_15m=_per_minute(conn, "events", 15, now),
        commands_per_minute_15m=_per_minute(conn, "commands_written", 15, now),
        time=now,
        day_start=midnight,
        today=today,
        all_time=Totals.from_counts(counters),
        last_hour=hour,
        last_day=day,
        response=response,
        busiest=busy,
        stuck=stuck,
        recent_errors=errors,
        ai_today=ai_today,
        ai_all_time=AIUsage.from_counts(counters),
    )


# -- text ---------------------------------------------------------------------


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _totals_line(label: str, totals: Totals) -> str:
    return (
        f"{label:<21}in {totals.incoming}, out {totals.outgoing}"
        f" (manual {totals.sent_manual}, auto {totals.sent_auto},"
        f" timed {totals.sent_timed}, phone {totals.from_phone}), errors {totals.errors}"
    )


def format_text(stats: QueueStats) -> str:
    """The human-readable ``wxpanel stats`` report."""
    unknown = "? (exchange.db unreadable)"
    backlog = unknown if stats.backlog is None else str(stats.backlog)
    pending = unknown if stats.pending_commands is None else str(stats.pending_commands)
    hour_in = sum(p.incoming for p in stats.last_hour)
    hour_out = sum(p.outgoing for p in stats.last_hour)
    response = stats.response
    if response.median is None:
        first = f"no answers in the last {response.window / 3600:.0f} h"
    else:
        kinds = ", ".join(
            f"{'phone' if o.origin == Origin.EVENT else o.origin} {_age(o.median)}"
            for o in response.by_origin
        )
        first = (
            f"median {_age(response.median)} over {response.count} answers"
            f" in {response.window / 3600:.0f} h ({kinds})"
        )
    lines = [
        f"events received      {stats.events_received}"
        f"  (incoming {stats.incoming}, sent from the phone {stats.account_sent},"
        f" flagged {stats.flagged})",
        f"commands queued      {stats.commands_queued}",
        f"  waiting for pacer  {stats.commands_waiting}",
        f"  written            {stats.commands_written}",
        f"  taken by demo.exe  {stats.commands_taken}",
        f"  stuck now          {stats.commands_stuck}",
        f"  failed             {stats.commands_failed}",
        f"errors               {stats.errors}",
        f"wx_event backlog     {backlog}",
        f"wx_command pending   {pending}  (oldest {_age(stats.oldest_pending_age)})",
        f"events per minute    {stats.events_per_minute_1m:.1f} (last minute),"
        f" {stats.events_per_minute_15m:.1f} (last 15 min)",
        f"commands per minute  {stats.commands_per_minute_15m:.1f} (last 15 min)",
        _totals_line("today", stats.today),
        _totals_line("since start", stats.all_time),
        f"last hour            in {hour_in}, out {hour_out}",
        f"first response       {first}; {response.waiting} private chats waiting",
    ]
    ai = stats.ai_all_time
    if ai.prompt_tokens or ai.completion_tokens or ai.cost:
        lines.append(
            f"AI models            tokens {ai.prompt_tokens} in, {ai.completion_tokens} out;"
            f" cost {ai.cost:.4f} (today {stats.ai_today.cost:.4f})"
        )
    if stats.busiest:
        lines.append("busiest conversations")
        lines.extend(f"  {b.message_count:>8}  {b.display_name}" for b in stats.busiest)
    if stats.stuck:
        lines.append("stuck commands")
        lines.extend(
            f"  #{s.message_id} to {s.conversation}, {_age(s.age)} in wx_command"
            for s in stats.stuck
        )
    if stats.recent_errors:
        lines.append("recent errors")
        lines.extend(
            f"  {datetime.fromtimestamp(e.time):%Y-%m-%d %H:%M:%S}  {e.kind}: {e.detail}"
            for e in stats.recent_errors[:5]
        )
    return "\n".join(lines)
