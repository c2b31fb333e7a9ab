"""The poller: one object that consumes an exchange.db for the panel or headless mode.

:meth:`Engine.poll` does one round of work and says how long to wait before
the next: ingest a batch if demo.exe committed something, move the outbox
along, and refresh the health snapshot.  It never blocks on a lock (SQLite
waits at most :data:`~wxpanel.core.exchange.DEFAULT_BUSY_TIMEOUT`; the
caller waits the returned delay) and never raises for a lock or an I/O
problem: those become the :class:`Health` the user sees.  The headless loop
and the panel's QThread worker drive the same object.

New rows are noticed through ``PRAGMA data_version``, which changes when
*another* connection committed to the file and costs microseconds, so the
poller can look every few milliseconds while idle.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from wxpanel.core import exchange
from wxpanel.core.errors import ExchangeError, ExchangeLockedError, KnownError
from wxpanel.core.history import HistoryWriter, attach_history, immediate, message_from_row
from wxpanel.core.history import open_history as _open_history
from wxpanel.core.ingest import drain_batch, process_inbox
from wxpanel.core.instance import InstanceLock
from wxpanel.core.models import CommandUpdate, Message, Origin
from wxpanel.core.outbox import Outbox, check_picture, queue_command
from wxpanel.core.pacer import Pacer
from wxpanel.core.paths import DataPaths
from wxpanel.core.protocol import CommandType
from wxpanel.core.rules import Alert, AutoReplier, RuleCounter, TimedRunner
from wxpanel.core.rules.timed import TimedRun, send_late
from wxpanel.core.settings import Settings, SettingsProblem, load_settings
from wxpanel.core.sources.config import SourceStatus
from wxpanel.core.sources.hub import AnswerSources, default_plugin_dirs

log = logging.getLogger(__name__)

#: Longest wait between retries while exchange.db stays locked.
MAX_BACKOFF = 1.0
#: history.db is ours alone (the panel's edits, ``wxpanel send``): short
#: writes only, so waiting a little beats failing a send.
HISTORY_BUSY_TIMEOUT = 0.25
#: Seconds without traffic after which the poller switches to its idle interval.
IDLE_AFTER = 5.0
#: history.db's change counter is read on every n-th poll only.
HISTORY_CHECK_EVERY = 5
#: How often the backlog is counted (a count is a table scan).
HEALTH_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class Health:
    """How the link with demo.exe looks right now."""

    exchange: str
    locked_since: float | None = None
    error: str | None = None
    #: What kind of error, for a translated banner: gone, disk_full, schema or other.
    error_kind: str | None = None
    backlog: int = 0  # rows waiting in wx_event
    pending_commands: int = 0  # rows in wx_command, ours or not
    queued: int = 0  # our commands waiting for the pacer
    stuck: int = 0
    oldest_pending_since: float | None = None
    last_event_at: float | None = None
    last_taken_at: float | None = None
    checked_at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.locked_since is None and not self.stuck


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one round produced and when to run the next one."""

    messages: tuple[Message, ...] = ()
    updates: tuple[CommandUpdate, ...] = ()
    health: Health | None = None  # set when it changed or was re-measured
    delay: float = 0.02
    alerts: tuple[Alert, ...] = ()  # auto-reply safety stops (loops, caps)
    rule_counters: tuple[RuleCounter, ...] = ()  # new totals of rules that matched
    timed_runs: tuple[TimedRun, ...] = ()  # timed messages sent or missed
    source_statuses: tuple[SourceStatus, ...] = ()  # plugins, webhooks, AI that changed


@dataclass(slots=True)
class _Round:
    """What the steps of one poll collected so far."""

    messages: list[Message] = field(default_factory=list)
    updates: list[CommandUpdate] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    rule_counters: list[RuleCounter] = field(default_factory=list)
    timed_runs: list[TimedRun] = field(default_factory=list)
    source_statuses: list[SourceStatus] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    last_versions: tuple[int, int] = (-1, -1)
    more: bool = True  # something may be waiting: look at wx_event now
    inbox_pending: bool = True  # drained rows not yet decoded (also after a crash)
    replies_pending: bool = True  # messages the rules have not looked at yet
    timed_due: float | None = 0.0
    next_safety: float = 0.0
    outbox_due: float | None = 0.0
    failures: int = 0
    polls: int = 0
    last_activity: float = 0.0
    last_reported_id: int = 0
    next_health: float = 0.0
    next_file_check: float = 0.0
    health: Health | None = None
    inode: tuple[int, int] | None = None
    counters: dict[str, float] = field(default_factory=dict)


class Engine:
    """Consumes one exchange.db: ingestion, outbox and health, exactly once."""

    def __init__(
        self,
        exchange_db: Path,
        *,
        data_dir: Path | None = None,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        take_lock: bool = True,
        plugin_dirs: Sequence[Path] | None = None,
    ) -> None:
        try:
            self.exchange_db = exchange.check_exchange(exchange_db, wait=0.5)
            self._schema_checked = True
        except ExchangeLockedError:
            # demo.exe is busy with its file: start anyway, check on the first round.
            self.exchange_db = Path(exchange_db).expanduser().resolve()
            self._schema_checked = False
        self.paths = DataPaths.beside(self.exchange_db, data_dir).ensure()
        #: What was wrong in settings.json (said before running on defaults).
        self.settings_problems: tuple[SettingsProblem, ...] = ()
        if settings is None:
            loaded = load_settings(self.paths.settings)
            settings, self.settings_problems = loaded.settings, loaded.problems
            for problem in loaded.problems:
                log.warning("%s", problem)
        self.settings = settings
        self.clock = clock
        self.pacer = Pacer(self.settings.pacer, rng)
        self._lock = InstanceLock(self.exchange_db)
        if take_lock:
            self._lock.acquire()
        try:
            # history.db alone: decoding the inbox never holds exchange.db
            self.hconn = _open_history(self.paths.history, busy_timeout=HISTORY_BUSY_TIMEOUT)
            self.conn = self._connect()
        except BaseException:
            self._lock.release()
            raise
        self.outbox = Outbox(self.conn, self.pacer, self.settings.outbox)
        limit = self.settings.outbox.picture_max_bytes
        self.replier = AutoReplier(rng=rng, picture_max_bytes=limit)
        self.timed = TimedRunner(picture_max_bytes=limit)
        # Plugins, webhooks and chat models, asked after the rules on a pool of
        # threads: the poller only hands messages over and collects answers.
        self.sources = AnswerSources(
            self.paths.history,
            self.paths.media,
            plugin_dirs=default_plugin_dirs() if plugin_dirs is None else plugin_dirs,
            picture_max_bytes=limit,
        )
        self.sources.start(self.hconn)
        self._state = _State(inode=_inode(self.exchange_db))
        self._state.last_reported_id = self._max_message_id()
        self._state.last_activity = clock()

    def _connect(self) -> sqlite3.Connection:
        """exchange.db's connection; history.db is attached on the first round.

        ATTACH reads exchange.db's schema, which waits while demo.exe holds an
        exclusive lock: doing it in :meth:`poll` turns that wait into the
        usual "locked" status instead of a failed start.
        """
        self._attached = False
        return exchange.connect(self.exchange_db)

    def _ensure_attached(self) -> None:
        if not self._attached:
            attach_history(self.conn, self.paths.history)
            self._attached = True

    def close(self) -> None:
        self.sources.close()
        self.conn.close()
        self.hconn.close()
        self._lock.release()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- sending --------------------------------------------------------------

    def queue_text(self, to: str, text: str, origin: Origin = Origin.MANUAL) -> Message:
        message = queue_command(
            self.hconn,
            to=to,
            command=CommandType.TEXT,
            payload=text,
            origin=origin,
            pacer=self.pacer,
            now=self.clock(),
        )
        self._note_queued([message])
        return message

    def queue_picture(self, to: str, picture: Path, origin: Origin = Origin.MANUAL) -> Message:
        path = check_picture(picture, self.settings.outbox.picture_max_bytes)
        message = queue_command(
            self.hconn,
            to=to,
            command=CommandType.PICTURE,
            payload=str(path),
            origin=origin,
            pacer=self.pacer,
            now=self.clock(),
        )
        self._note_queued([message])
        return message

    def send_late(self, run_id: int) -> list[Message]:
        """Send a missed timed message after all: the operator asked for it."""
        messages = send_late(
            self.hconn,
            self.pacer,
            run_id,
            self.clock(),
            picture_max_bytes=self.settings.outbox.picture_max_bytes,
        )
        self._note_queued(messages)
        return messages

    def _note_queued(self, messages: Sequence[Message]) -> None:
        """Our own new messages are reported by the caller, not again by :meth:`poll`."""
        if messages:
            newest = max(m.id for m in messages)
            self._state.last_reported_id = max(self._state.last_reported_id, newest)
            self._state.outbox_due = self.clock()

    # -- polling --------------------------------------------------------------

    def poll(self) -> PollResult:
        """One round of work; never raises for locks or I/O trouble.

        Each step commits on its own, so what a round did before a step met a
        lock or an error is reported all the same.
        """
        now = self.clock()
        state = self._state
        work = _Round()
        error: str | None = None
        locked_since: float | None = None
        health_changed = False
        try:
            self._round(now, work)
            if work.updates or state.failures or (state.health and state.health.error):
                health_changed = True  # a command changed state or a problem just ended
            state.failures = 0
        except sqlite3.OperationalError as exc:
            if not exchange.is_busy(exc):
                return self._failed(now, exc, work)
            state.failures += 1
            locked_since = (state.health.locked_since if state.health else None) or now
            health_changed = True
        except (sqlite3.DatabaseError, OSError, KnownError) as exc:
            return self._failed(now, exc, work)
        health = None
        if health_changed or now >= state.next_health:
            health = self._measure(now, locked_since, error)
        return self._result(now, work, health)

    def _round(self, now: float, work: _Round) -> None:
        state = self._state
        if now >= state.next_file_check:
            self._check_file(now)
        self._ensure_attached()
        if not self._schema_checked:
            self._check_schema()
        exchange_changed, history_changed = self._changes()
        if exchange_changed or state.more or now >= state.next_safety:
            drained = drain_batch(self.conn, now)
            state.more = drained.more
            state.inbox_pending = state.inbox_pending or drained.moved > 0
            state.next_safety = now + self.settings.safety_poll
        if state.inbox_pending:
            result = process_inbox(self.hconn, now)
            state.inbox_pending = result.more
            self._collect(work, result.messages)
            if result.messages:
                state.replies_pending = True
                state.counters["last_event_at"] = now
        if history_changed:
            self._collect(work, self._foreign_messages())
        replies = None
        if state.replies_pending:
            replies = self.replier.process(self.hconn, self.pacer, now)
            state.replies_pending = replies.more
            self._collect(work, replies.queued)
            work.alerts.extend(replies.alerts)
            work.rule_counters.extend(replies.counters)
            if replies.queued:
                state.outbox_due = now
        # Every round: it collects answers finished since (an idle round runs no SQL).
        sourced = self.sources.process(self.hconn, self.pacer, now, replies)
        self._collect(work, sourced.queued)
        work.alerts.extend(sourced.alerts)
        work.source_statuses.extend(sourced.statuses)
        if sourced.queued:
            state.outbox_due = now
        if history_changed or _due(state.timed_due, now):
            timed = self.timed.process(self.hconn, self.pacer, now)
            state.timed_due = timed.next_due
            self._collect(work, timed.queued)
            work.timed_runs.extend(timed.runs)
            if timed.queued:
                state.outbox_due = now
        if exchange_changed or history_changed or _due(state.outbox_due, now):
            step = self.outbox.step(now)
            work.updates.extend(step.updates)
            state.outbox_due = step.next_due
            if any(u.status == "taken" for u in step.updates):
                state.counters["last_taken_at"] = now

    def _collect(self, work: _Round, messages: Sequence[Message]) -> None:
        """Report ``messages`` and remember the newest id at once, so that
        :meth:`_foreign_messages` later in the same round does not report them again."""
        if messages:
            work.messages.extend(messages)
            newest = max(m.id for m in messages)
            self._state.last_reported_id = max(self._state.last_reported_id, newest)

    def _result(self, now: float, work: _Round, health: Health | None) -> PollResult:
        state = self._state
        if work.messages or work.updates:
            state.last_activity = now
        return PollResult(
            messages=tuple(work.messages),
            updates=tuple(work.updates),
            health=health,
            delay=self._delay(now),
            alerts=tuple(work.alerts),
            rule_counters=tuple(work.rule_counters),
            timed_runs=tuple(work.timed_runs),
            source_statuses=tuple(work.source_statuses),
        )

    def _check_file(self, now: float) -> None:
        """Notice exchange.db deleted, moved or replaced (an open handle would not).

        On Linux a connection keeps reading a deleted file's inode, so without
        this the panel would poll a ghost; a replaced file gets a new connection.
        """
        self._state.next_file_check = now + HEALTH_INTERVAL
        current = _inode(self.exchange_db)
        if current is None:
            raise FileNotFoundError(str(self.exchange_db))
        if current != self._state.inode:
            self._reopen()

    def _check_schema(self) -> None:
        """The check :func:`exchange.check_exchange` could not finish at start."""
        problems = exchange.missing_columns(self.conn)
        if problems:
            raise ExchangeError(
                f"{self.exchange_db}: not demo.exe's exchange.db, missing {', '.join(problems)}"
            )
        self._schema_checked = True

    def _changes(self) -> tuple[bool, bool]:
        """Whether another connection committed to exchange.db / history.db since last time.

        Each check takes and drops a read lock, so history.db (changed by
        others only through ``wxpanel send`` or the panel's own edits) is
        looked at every :data:`HISTORY_CHECK_EVERY` polls: idle CPU stays low.
        """
        state = self._state
        main = self.conn.execute("PRAGMA main.data_version").fetchone()[0]
        last_main, last_hist = state.last_versions
        hist = last_hist
        state.polls += 1
        if state.polls % HISTORY_CHECK_EVERY == 0 or last_hist == -1:
            hist = self.conn.execute("PRAGMA hist.data_version").fetchone()[0]
        state.last_versions = (main, hist)
        return main != last_main, hist != last_hist and last_hist != -1

    def _foreign_messages(self) -> list[Message]:
        """Messages another process (``wxpanel send``) added to our history."""
        rows = self.conn.execute(
            "SELECT * FROM message_row WHERE id > ? ORDER BY id LIMIT 1000",
            (self._state.last_reported_id,),
        ).fetchall()
        found = [message_from_row(row) for row in rows]
        if found:
            self._state.last_reported_id = found[-1].id
            self._state.outbox_due = self.clock()
        return found

    def _delay(self, now: float) -> float:
        state = self._state
        if state.failures:
            return min(MAX_BACKOFF, self.settings.poll_interval * 2 ** min(state.failures, 8))
        if state.more or state.inbox_pending:
            return 0.0
        delay = self.settings.poll_interval
        if now - state.last_activity > IDLE_AFTER:
            delay = self.settings.idle_poll_interval
        if state.outbox_due is not None:
            delay = min(delay, max(0.0, state.outbox_due - now))
        return delay

    def _failed(self, now: float, exc: BaseException, work: _Round) -> PollResult:
        """A real error (file gone, disk full, corrupt): report it, back off, retry."""
        state = self._state
        state.failures += 1
        kind, message = _describe(self.exchange_db, exc)
        previous = state.health.error if state.health else None
        if message != previous:
            log.warning("%s", message)
            self._log_error(now, message)
        if not self.exchange_db.exists() or _inode(self.exchange_db) != state.inode:
            self._reopen()
        return self._result(now, work, self._measure(now, None, message, kind))

    def _reopen(self) -> None:
        """exchange.db was replaced or deleted: reconnect when it is back."""
        try:
            path = exchange.check_exchange(self.exchange_db)
            conn = self._connect()
        except (KnownError, sqlite3.Error, OSError):
            return
        self.conn.close()
        self.conn = conn
        self.outbox.conn = conn
        self._state.inode = _inode(path)
        self._state.last_versions = (-1, -1)
        self._state.more = True

    def _log_error(self, now: float, message: str) -> None:
        try:
            with immediate(self.hconn):  # history.db alone: exchange.db is the trouble
                HistoryWriter.log_error(self.hconn, "exchange", message, now)
        except sqlite3.Error:
            log.debug("could not record the error in history", exc_info=True)

    def _measure(
        self,
        now: float,
        locked_since: float | None,
        error: str | None,
        error_kind: str | None = None,
    ) -> Health:
        """A fresh health snapshot; counts are cheap at wx_event's usual size."""
        state = self._state
        state.next_health = now + HEALTH_INTERVAL
        previous = state.health or Health(exchange=str(self.exchange_db))
        base = replace(
            previous,
            locked_since=locked_since,
            error=error,
            error_kind=error_kind if error else None,
            last_event_at=state.counters.get("last_event_at", previous.last_event_at),
            last_taken_at=state.counters.get("last_taken_at", previous.last_taken_at),
            checked_at=now,
        )
        if error is None and locked_since is None:
            try:
                backlog = self.conn.execute("SELECT count(*) FROM main.wx_event").fetchone()[0]
                pending = self.conn.execute("SELECT count(*) FROM main.wx_command").fetchone()[0]
                open_counts = dict(
                    self.hconn.execute(
                        "SELECT status, count(*) FROM message"
                        " WHERE status IN ('queued', 'written', 'stuck') GROUP BY status"
                    ).fetchall()
                )
                oldest = self.hconn.execute(
                    "SELECT min(written_at) FROM message"
                    " WHERE status IN ('queued', 'written', 'stuck') AND status <> 'queued'"
                ).fetchone()[0]
                base = replace(
                    base,
                    backlog=backlog,
                    pending_commands=pending,
                    queued=open_counts.get("queued", 0),
                    stuck=open_counts.get("stuck", 0),
                    oldest_pending_since=oldest,
                )
            except sqlite3.Error:
                pass  # measured again next time; a lock here is not news
        state.health = base
        return base

    def _max_message_id(self) -> int:
        return int(self.hconn.execute("SELECT coalesce(max(id), 0) FROM message").fetchone()[0])


def _due(due: float | None, now: float) -> bool:
    return due is not None and due <= now


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _describe(path: Path, exc: BaseException) -> tuple[str, str]:
    """What happened to which file: a kind the panel translates, and one English line."""
    if not path.exists():
        return "gone", f"{path}: the file is gone; waiting for it to come back"
    if isinstance(exc, KnownError):
        kind = "schema" if "not demo.exe's exchange.db" in str(exc) else "other"
        return kind, str(exc)
    text = str(exc)
    if "disk" in text.lower() and "full" in text.lower():
        return "disk_full", f"{path}: the disk is full; free some space"
    return "other", f"{path}: {text}"
