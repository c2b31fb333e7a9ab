"""The poller: one object that consumes an exchange.db for the panel or headless mode.

:meth:`Engine.poll` does one round of work and says how long to wait before
the next: ingest what demo.exe committed, move the outbox along, and refresh
the health snapshot.  It never waits on a lock and never raises for a lock
or an I/O problem: those become the :class:`Health` the user sees.  The
headless loop and the panel's QThread worker drive the same object.

Its access to exchange.db is built around demo.exe, which loses a WeChat
message whenever its INSERT meets a lock of ours: it notices and reads
without any lock (:mod:`wxpanel.core.exchange.reader`), and writes only a
command, or a rare clean-up of ingested rows, in short fail-fast
transactions (:mod:`wxpanel.core.exchange.writer`); :mod:`wxpanel.core.ingest`
says how that stays exactly-once.
"""

from __future__ import annotations

import logging
import math
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from wxpanel.core import activity, exchange
from wxpanel.core.autoreply.alerts import Alert
from wxpanel.core.autoreply.answerer import Answerer, AnswerReport, Turn
from wxpanel.core.checkpoints import Checkpointer
from wxpanel.core.errors import (
    ExchangeError,
    ExchangeLockedError,
    KnownError,
    is_busy,
    is_damaged,
    is_disk_full,
)
from wxpanel.core.exchange.quiet import QUIET, QuietMoments
from wxpanel.core.exchange.reader import (
    SNAPSHOT_MAX_ROWS,
    CommandRow,
    ExchangeReader,
    HotJournalError,
    Snapshot,
    SnapshotRetry,
)
from wxpanel.core.exchange.writer import AnchorMoved, ExchangeWriter, WriteBusy
from wxpanel.core.history import HistoryWriter, immediate, message_from_row
from wxpanel.core.history import checkpoint as _checkpoint
from wxpanel.core.history import open_history as _open_history
from wxpanel.core.ingest import RECORD_MAX_ROWS, CleanupPolicy, EventIngestor, process_inbox
from wxpanel.core.instance import InstanceLock
from wxpanel.core.models import CommandUpdate, Health, Message, Origin
from wxpanel.core.outbox import Outbox, Release, check_picture, queue_command
from wxpanel.core.pacer import Pacer
from wxpanel.core.paths import DataPaths
from wxpanel.core.protocol import CommandType
from wxpanel.core.rules import AutoReplier, RuleCounter, TimedRunner
from wxpanel.core.rules.timed import TimedRun, send_late
from wxpanel.core.settings import Settings, SettingsProblem, load_settings
from wxpanel.core.sources.config import SourceStatus
from wxpanel.core.sources.hub import AnswerSources, default_plugin_dirs
from wxpanel.core.texts import Text

log = logging.getLogger(__name__)

#: Longest wait between retries while exchange.db stays locked.
MAX_BACKOFF = 1.0
#: Once started, the rounds wait this long for another program's lock on
#: history.db (the panel's edits, ``wxpanel send``: short writes only), then
#: retry in the next round.  Starting waits longer (``open_history``'s
#: default): a lock met there, such as a commit's fsync on a busy disk, would
#: otherwise end the program ("database is locked").
ROUND_BUSY_TIMEOUT = "PRAGMA busy_timeout = 250"
#: Seconds without traffic after which the poller switches to its idle interval.
IDLE_AFTER = 5.0
#: history.db's change counter is read on every n-th poll only.
HISTORY_CHECK_EVERY = 5
#: How often the health snapshot is refreshed.
HEALTH_INTERVAL = 1.0
#: After a write met demo.exe's lock: wait a little, at random, before the next try.
WRITE_RETRY = (0.05, 0.25)
#: Room a batch of messages may need in history.db (journal included), for the message.
NEEDED_ROOM = 8 * 2**20
#: Reads blocked by another writer's journal this long show as "locked".
LOCKED_AFTER = 1.0
#: A journal must stand this long before wxpanel takes it for a dead writer's.
HOT_JOURNAL_GRACE = 2.0
#: A hot journal beside exchange.db is rolled back (which takes a lock) at most this often.
RECOVER_EVERY = 1.0
#: Reads of wx_event one round tries before it leaves the rest to the next round.
READ_ATTEMPTS = 8
#: A read found a writer's journal: it is looked at again this much later, in the round.
JOURNAL_PAUSE = 0.0002
#: How long one round goes on gathering short reads of wx_event for one history transaction.
GATHER_FOR = 0.1


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
    last_history_version: int = -1
    more: bool = True  # something may be waiting: look at wx_event now
    inbox_pending: bool = True  # rows an earlier wxpanel left in history's inbox
    #: wx_command as the last snapshot saw it; None until a snapshot newer
    #: than our last write (the outbox tracks and releases only on a fresh one).
    commands: tuple[CommandRow, ...] | None = None
    backlog: int = 0
    recovered: bool = False  # commands a crash left unsettled were looked at
    next_recover: float = 0.0
    next_cleanup: float = 0.0
    last_new_row: float = 0.0
    #: Since when every read met a writer at work (a journal beside the file).
    blocked_since: float | None = None
    #: Since when the read-only connection has taken the journal for a dead writer's.
    hot_since: float | None = None
    #: What is wrong with exchange.db itself (gone, replaced by a bad file).
    file_problem: BaseException | None = None
    #: Rows per read of wx_event: halved after a read a commit tore (a shorter
    #: one fits between two commits), doubled after a good one.
    batch_rows: int = SNAPSHOT_MAX_ROWS
    #: Rows per history transaction: halved while the disk is full (a smaller
    #: batch fits, so ingestion resumes early), doubled after one that fitted.
    record_rows: int = RECORD_MAX_ROWS
    #: The last read of wx_event met a writer at work (as opposed to being cut by its budget).
    read_failed: bool = False
    replies_pending: bool = True  # messages came in since the answerers last heard of it
    next_safety: float = 0.0
    #: An answerer still owes work (answers in flight on the sources' pool, more to do).
    answerers_busy: bool = False
    #: The earliest work an answerer knows in advance (a timed message), if any.
    answer_due: float | None = None
    #: A file watcher saw a change: history.db is looked at in the next round.
    poked: bool = False
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
    """Consumes one exchange.db: ingestion, answering, outbox and health, exactly once.

    ``clock`` is the wall clock of every record; ``monotonic`` the clock of
    the answer sources' deadlines and plugin scans (tests move both by hand).
    """

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
        cleanup: CleanupPolicy | None = None,
        write_quiet: float = QUIET,
        monotonic: Callable[[], float] = time.monotonic,
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
            self.hconn = _open_history(self.paths.history)
        except BaseException:
            self._lock.release()
            raise
        self.reader = ExchangeReader(self.exchange_db)
        self.writer = ExchangeWriter(self.exchange_db)
        #: Writes wait for a moment demo.exe is not writing (0: they never wait).
        self.moments = QuietMoments(self.reader, quiet=write_quiet)
        self.ingestor = EventIngestor(self.hconn)
        self.cleanup = cleanup or CleanupPolicy()
        self.outbox = Outbox(self.hconn, self.pacer, self.settings.outbox)
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
            clock=monotonic,
        )
        for answerer in self.answerers():
            answerer.start(self.hconn)
        self._rng = rng or random.Random()
        self._started = clock()
        self._state = _State(inode=_inode(self.exchange_db))
        self._state.last_reported_id = self._max_message_id()
        # Nothing has happened yet: idle pace from the start.  A backlog found
        # at start is read at once all the same (``more``), and a first message
        # waits at most ``idle_poll_interval``, as after any quiet spell; polling
        # 50 times a second for IDLE_AFTER seconds after every start only cost
        # CPU (half of an idle headless minute's).
        self._state.last_activity = -math.inf
        self.hconn.execute(ROUND_BUSY_TIMEOUT)
        #: Copies history.db-wal into history.db outside the rounds (see its module).
        self.checkpoints = Checkpointer(self.hconn, self.paths.history)
        self._changes = self.hconn.total_changes  # as of the last word to the checkpointer
        #: True when the caller wakes :meth:`poll` through :meth:`poke` on every
        #: change in the folders of exchange.db and history.db (a file watcher):
        #: idle rounds are then ``safety_poll`` apart instead of
        #: ``idle_poll_interval``, which makes an idle panel wake 1 time a second, not 10.
        self.watched = False
        #: Each answerer's last word on when it has work next, and whether it is still busy.
        self._due: dict[int, float | None] = {}  # by the answerer's place in answerers()
        self._busy: dict[int, bool] = {}

    def poke(self) -> None:
        """Something changed beside exchange.db or history.db: look at both next round.

        Called by a file watcher (no SQLite, no lock: the OS tells); the
        caller then runs :meth:`poll` at once.
        """
        self._state.poked = True

    def close(self) -> None:
        for answerer in self.answerers():
            answerer.close()
        self.reader.close()
        self.writer.close()
        self.checkpoints.close()
        _checkpoint(self.hconn)
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
        activity.queued(messages)
        return messages

    def wake_outbox(self) -> None:
        """Commands were queued on another connection: the next poll looks at the outbox."""
        self._state.outbox_due = self.clock()

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
        self.checkpoints.catch_up()  # between two transactions: the -wal may start over
        now = self.clock()
        state = self._state
        work = _Round()
        locked_since: float | None = None
        health_changed = False
        try:
            self._round(now, work)
            if work.updates or state.failures or (state.health and state.health.error):
                health_changed = True  # a command changed state or a problem just ended
            state.failures = 0
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                return self._failed(now, exc, work)
            state.failures += 1
            locked_since = (state.health.locked_since if state.health else None) or now
            health_changed = True
        except (sqlite3.DatabaseError, OSError, KnownError) as exc:
            return self._failed(now, exc, work)
        blocked = state.blocked_since
        if locked_since is None and blocked is not None and now - blocked >= LOCKED_AFTER:
            locked_since = blocked
        previous = state.health.locked_since if state.health else None
        if (locked_since is None) != (previous is None):
            health_changed = True
        health = None
        if health_changed or now >= state.next_health:
            health = self._measure(now, locked_since, None)
        self._wrote()
        return self._result(now, work, health)

    def _wrote(self) -> None:
        """Tell the checkpointer when this connection wrote since the last time."""
        changes = self.hconn.total_changes
        if changes != self._changes:
            self._changes = changes
            self.checkpoints.wrote()

    def measure_paused(self) -> Health | None:
        """While the operator paused polling: what waits in wx_event, ingesting nothing.

        The panel keeps showing the backlog (rows after the newest one in
        history) and the commands in wx_command; both are counted on the
        lock-free reader, so demo.exe never meets a lock of ours.  None when
        a writer was at work (look again later) or the file cannot be read.
        """
        now = self.clock()
        try:
            backlog, pending = self.reader.counts(self.ingestor.after)
        except (SnapshotRetry, HotJournalError, sqlite3.Error, OSError, KnownError):
            return None
        self._state.backlog = backlog
        health = replace(self._measure(now, None, None), pending_commands=pending)
        self._state.health = health
        return health

    def _round(self, now: float, work: _Round) -> None:
        state = self._state
        self._check_file(now)
        if not self._schema_checked:
            try:
                self._check_schema()
            except SnapshotRetry:
                state.more = True
                if self.reader.journal_stands():
                    self._hot_journal(now)  # unless it stays, it was demo.exe at work
                return
            except HotJournalError:
                self._hot_journal(now)
                return
        exchange_changed = self.reader.changed()
        self.moments.note(now)
        history_changed = self._history_changed()
        if exchange_changed or state.more or now >= state.next_safety:
            self._read_exchange(now, work)
        if state.inbox_pending:
            result = process_inbox(self.hconn, now)
            state.inbox_pending = result.more
            self._collect(work, result.messages)
            if result.messages:
                state.replies_pending = True
        if history_changed:
            self._collect(work, self._foreign_messages())
        self._answer(now, work, arrived=state.replies_pending, edited=history_changed)
        state.replies_pending = False
        if exchange_changed or history_changed or _due(state.outbox_due, now):
            self._step_outbox(now, work)
        self._clean_up(now)

    def answerers(self) -> tuple[Answerer, ...]:
        """Who answers, in order: the rules, then the answer sources, then timed messages."""
        return (self.replier, self.sources, self.timed)

    def _answer(self, now: float, work: _Round, *, arrived: bool, edited: bool) -> None:
        """Let every answerer that has work answer; its answers go out through the Guard."""
        reports: list[AnswerReport] = []
        for slot, answerer in enumerate(self.answerers()):
            if not answerer.wanted(now, arrived=arrived, edited=edited):
                continue
            report = answerer.answer(Turn(self.hconn, self.pacer, now, tuple(reports)))
            reports.append(report)
            self._due[slot] = report.next_due
            self._busy[slot] = report.more or report.busy
            self._collect(work, report.queued)
            activity.queued(report.queued)
            work.alerts.extend(report.alerts)
            for value in report.shown:
                if isinstance(value, RuleCounter):
                    work.rule_counters.append(value)
                elif isinstance(value, TimedRun):
                    work.timed_runs.append(value)
                elif isinstance(value, SourceStatus):
                    work.source_statuses.append(value)
            if report.queued:
                self._state.outbox_due = now
        self._state.answer_due = min(
            (due for due in self._due.values() if due is not None), default=None
        )
        self._state.answerers_busy = any(self._busy.values())

    def _step_outbox(self, now: float, work: _Round) -> None:
        """Follow written commands and write the next one the pacer lets go."""
        state = self._state
        step = self.outbox.step(now, state.commands, self.moments.hold)
        work.updates.extend(step.updates)
        state.outbox_due = step.next_due
        if any(u.status == "taken" for u in step.updates):
            state.counters["last_taken_at"] = now
        if step.release is not None:
            self._write_command(now, step.release, work)

    def _read_exchange(self, now: float, work: _Round) -> None:
        """Take a lock-free snapshot of exchange.db and ingest its new rows."""
        state = self._state
        ingestor = self.ingestor
        try:
            # Short reads (a torn one is retried at once, shorter), gathered
            # into one history transaction: see EventIngestor.gather.
            snapshot = ingestor.gather(
                self._read, until=time.monotonic() + GATHER_FOR, max_rows=state.record_rows
            )
        except SnapshotRetry:
            state.more = True  # demo.exe was writing: look again soon
            state.read_failed = True
            state.blocked_since = state.blocked_since or now
            if self.reader.journal_stands():
                self._hot_journal(now)  # unless it stays, it was demo.exe at work
            else:
                state.hot_since = None
            return
        except HotJournalError:
            state.read_failed = True
            self._hot_journal(now)
            return
        except sqlite3.DatabaseError as exc:
            raise self._exchange_error(exc) from exc
        state.read_failed = False
        state.next_safety = now + self.settings.safety_poll
        state.blocked_since = None
        state.hot_since = None
        state.commands = snapshot.commands
        if not state.recovered:
            state.recovered = True
            work.updates.extend(self.outbox.recover(now, snapshot.commands))
        # The rules pass over what they cannot answer in the same commit.
        result = ingestor.ingest(snapshot, now, within=self.replier.pass_over)
        state.record_rows = min(RECORD_MAX_ROWS, state.record_rows * 2)
        state.backlog = max(0, snapshot.backlog - len(result.messages))
        state.more = result.more
        self._collect(work, result.messages)
        if result.messages:
            state.replies_pending = True
            state.counters["last_event_at"] = now
            state.last_new_row = now

    def _read(self, start: int | None, max_rows: int, max_bytes: int) -> Snapshot:
        """One lock-free read of wx_event from ``start``, tried again at once while torn.

        A torn read is retried in the same round, asking half the rows (the
        retry is shorter), and every read that succeeds asks twice as many as
        the last, up to the budget.  A read that found a writer's journal
        before it began is retried after :data:`JOURNAL_PAUSE`: demo.exe's
        commit is about to end.  Raises the last :class:`SnapshotRetry` when
        no attempt succeeded.
        """
        state = self._state
        attempts = 1
        while True:
            try:
                snapshot = self.reader.snapshot(
                    start,
                    after=self.ingestor.after,
                    max_rows=min(max_rows, state.batch_rows),
                    max_bytes=max_bytes,
                )
            except SnapshotRetry as retry:
                if attempts >= READ_ATTEMPTS:
                    raise
                attempts += 1
                if retry.torn:
                    state.batch_rows = max(1, state.batch_rows // 2)
                else:
                    time.sleep(JOURNAL_PAUSE)
            else:
                state.batch_rows = min(SNAPSHOT_MAX_ROWS, state.batch_rows * 2)
                return snapshot

    def _hot_journal(self, now: float) -> None:
        """A journal stands beside exchange.db: demo.exe at work, or a dead writer's.

        It is rolled back (an ordinary read does it, taking a lock) only once it
        has stood for :data:`HOT_JOURNAL_GRACE`: a live writer's journal lasts
        milliseconds, and should a platform's lock test ever fail to see
        demo.exe's lock, rolling back its live transaction would lose a message
        demo.exe believes written.  demo.exe's own SQLite rolls a dead journal
        back at its next write anyway.  (Under Wine the lock test holds: ordinary
        reads beside a live 3.7.13 transaction, in each of its lock states,
        never rolled it back.  What did roll back commits there was a journal
        kept after its deletion by a handle of ours: see the reader's "The
        journal is never opened".)
        """
        state = self._state
        state.more = True
        state.blocked_since = state.blocked_since or now
        state.hot_since = state.hot_since or now
        if now - state.hot_since >= HOT_JOURNAL_GRACE and now >= state.next_recover:
            state.next_recover = now + RECOVER_EVERY
            log.info("%s: rolling back a journal left by a crash", self.exchange_db)
            self.reader.recover()

    def _write_command(self, now: float, release: Release, work: _Round) -> None:
        """Write one command to wx_command, with the clean-up of ingested rows if any."""
        state = self._state
        anchor = self.ingestor.anchor if self.ingestor.pending[0] else None
        try:
            result = self.writer.write(command=release.outgoing(), clean_below=anchor)
        except sqlite3.DatabaseError as exc:
            self.outbox.not_written(release)
            raise self._exchange_error(exc) from exc
        except (WriteBusy, AnchorMoved) as exc:
            self.outbox.not_written(release)
            if isinstance(exc, AnchorMoved):
                state.more = True  # the next snapshot sees what changed
            state.outbox_due = now + self._rng.uniform(*WRITE_RETRY)
            return
        state.commands = None  # stale: the next snapshot shows our row
        work.updates.append(self.outbox.written(release, result.command_rowid, now))
        state.outbox_due = now + self.settings.outbox.stuck_after
        if result.deleted_below is not None:
            self.ingestor.cleaned(result.deleted_below)

    def _clean_up(self, now: float) -> None:
        """Delete ingested rows from wx_event when the policy says it is time."""
        state = self._state
        commands = state.commands
        if now < state.next_cleanup or commands is None:
            return
        anchor = self.ingestor.anchor
        quiet_for = now - max(state.last_new_row, self._started)
        if anchor is None or not self.cleanup.due(self.ingestor.pending, quiet_for, len(commands)):
            return
        held_until = self.moments.hold(now)
        if held_until is not None:
            state.next_cleanup = held_until
            return
        try:
            result = self.writer.write(clean_below=anchor)
        except sqlite3.DatabaseError as exc:
            raise self._exchange_error(exc) from exc
        except WriteBusy:
            state.next_cleanup = now + self._rng.uniform(*WRITE_RETRY)
            return
        except AnchorMoved:
            state.more = True
            return
        state.commands = None
        if result.deleted_below is not None:
            self.ingestor.cleaned(result.deleted_below)

    def _collect(self, work: _Round, messages: Sequence[Message]) -> None:
        """Report ``messages`` and remember the newest id at once, so that
        :meth:`_foreign_messages` later in the same round does not report them again."""
        if messages:
            work.messages.extend(messages)
            newest = max(m.id for m in messages)
            self._state.last_reported_id = max(self._state.last_reported_id, newest)

    def _result(self, now: float, work: _Round, health: Health | None) -> PollResult:
        state = self._state
        activity.command_updates(work.updates)
        activity.alerts(work.alerts)
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
        this the panel would poll a ghost; a replaced file gets new connections
        once it passes the checks.  The file is looked at once a second, and
        until it is fine again every poll reports the same problem: one
        "gone" and one "back" in the log, not one each second.
        """
        state = self._state
        if now >= state.next_file_check:
            state.next_file_check = now + HEALTH_INTERVAL
            current = _inode(self.exchange_db)
            if current is None:
                state.file_problem = FileNotFoundError(str(self.exchange_db))
            elif current != state.inode:
                state.file_problem = self._reopen()
            elif isinstance(state.file_problem, FileNotFoundError):
                state.file_problem = None  # the same file is back (moved away and back)
        if state.file_problem is not None:
            raise state.file_problem

    def _check_schema(self) -> None:
        """The check :func:`exchange.check_exchange` could not finish at start."""
        problems = self.reader.missing_columns()
        if problems:
            missing = ", ".join(problems)
            text = Text.of("problem_not_demo", path=str(self.exchange_db), missing=missing)
            raise ExchangeError(text, "not_demo", missing)
        self._schema_checked = True

    def _exchange_error(self, exc: sqlite3.DatabaseError) -> BaseException:
        """An error that came from exchange.db, named so (history.db's are not wrapped).

        A full disk stays as it is: :func:`_describe` finds out which disk.
        A file that is not a database any more is told from other trouble by
        SQLite's result code.
        """
        if is_disk_full(exc):
            return exc
        where = str(self.exchange_db)
        if is_damaged(exc):
            text = Text.of("problem_not_sqlite", path=where, detail=str(exc))
            return ExchangeError(text, "not_sqlite", str(exc))
        return ExchangeError(Text.of("problem_file", path=where, detail=str(exc)), "damaged")

    def _history_changed(self) -> bool:
        """Whether another connection committed to history.db since last time.

        history.db is changed by others only through ``wxpanel send`` or the
        panel's own edits, so it is looked at every :data:`HISTORY_CHECK_EVERY`
        polls (idle CPU stays low), and after :meth:`poke`.
        """
        state = self._state
        state.polls += 1
        last = state.last_history_version
        if state.polls % HISTORY_CHECK_EVERY and last != -1 and not state.poked:
            return False
        state.poked = False
        version = int(self.hconn.execute("PRAGMA data_version").fetchone()[0])
        state.last_history_version = version
        return version != last and last != -1

    def _foreign_messages(self) -> list[Message]:
        """Messages another process (``wxpanel send``) added to our history."""
        rows = self.hconn.execute(
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
            return min(MAX_BACKOFF, self.settings.poll_interval * 2.0 ** min(state.failures, 8))
        if state.inbox_pending:
            return 0.0
        if state.more:
            # Rows beyond the budget wait: go on at once.  Reads that kept
            # meeting demo.exe writing: look again a moment later, not in a spin.
            return self.settings.poll_interval / 4 if state.read_failed else 0.0
        delay = self.settings.poll_interval
        if now - state.last_activity > IDLE_AFTER:
            delay = self.settings.idle_poll_interval
            if self.watched and not state.answerers_busy:
                # Changes wake the poller; only time-driven work sets the pace.
                delay = max(delay, self.settings.safety_poll)
                if state.answer_due is not None:
                    soon = max(self.settings.poll_interval, state.answer_due - now)
                    delay = min(delay, soon)
        if state.outbox_due is not None:
            delay = min(delay, max(0.0, state.outbox_due - now))
        return delay

    def _failed(self, now: float, exc: BaseException, work: _Round) -> PollResult:
        """A real error (file gone, disk full, corrupt): report it, back off, retry."""
        state = self._state
        state.failures += 1
        kind, problem = _describe(self.exchange_db, self.paths.history, exc)
        message = str(problem)
        if kind == "disk_full":
            # Smaller batches need less room: go on as soon as one fits.
            state.batch_rows = max(1, state.batch_rows // 2)
            state.record_rows = max(1, state.record_rows // 2)
        previous = state.health or Health(exchange=str(self.exchange_db))
        # Once per problem: a full disk's message changes with every byte freed.
        if kind != previous.error_kind or (kind != "disk_full" and message != previous.error):
            log.warning("%s", message)
            self._log_error(now, message)
        return self._result(now, work, self._measure(now, None, problem, kind))

    def _reopen(self) -> BaseException | None:
        """exchange.db was replaced: new connections once the new file passes the checks.

        A replaced file's rows are compared with history row by row: the
        ingestor finds its anchor missing (see :mod:`wxpanel.core.ingest`).
        Returns what is wrong with the new file, if anything.
        """
        self.reader.close()
        self.writer.close()
        try:
            path = exchange.check_exchange(self.exchange_db, wait=0.05)
        except (KnownError, sqlite3.Error, OSError) as exc:
            return exc
        self._state.inode = _inode(path)
        self._state.commands = None
        self._state.more = True
        return None

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
        problem: Text | None,
        error_kind: str | None = None,
    ) -> Health:
        """A fresh health snapshot; counts are cheap at wx_event's usual size."""
        state = self._state
        state.next_health = now + HEALTH_INTERVAL
        previous = state.health or Health(exchange=str(self.exchange_db))
        base = replace(
            previous,
            locked_since=locked_since,
            error=None if problem is None else str(problem),
            error_kind=error_kind if problem else None,
            problem=problem,
            last_event_at=state.counters.get("last_event_at", previous.last_event_at),
            last_taken_at=state.counters.get("last_taken_at", previous.last_taken_at),
            checked_at=now,
        )
        if problem is None and locked_since is None:
            try:
                # From the last lock-free snapshot: counting here would lock.
                backlog = state.backlog
                pending = len(state.commands) if state.commands is not None else 0
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


def _describe(path: Path, history: Path, exc: BaseException) -> tuple[str, Text]:
    """What happened to which file: a kind for the banner, and the sentence that says it.

    Told apart by the exception's type, its ``reason`` and SQLite's result
    code, never by the words of its message.
    """
    if isinstance(exc, FileNotFoundError) or not path.exists():
        return "gone", Text.of("problem_gone", path=str(path))
    if is_disk_full(exc):
        # Whichever of the two folders has less room is the one that filled up.
        folder = min((history.parent, path.parent), key=_free_bytes)
        free = _free_bytes(folder) / 2**20
        text = Text.of(
            "problem_disk_full", folder=str(folder), free_mib=free, needed_mib=NEEDED_ROOM // 2**20
        )
        return "disk_full", text
    if isinstance(exc, KnownError):
        kind = "schema" if getattr(exc, "reason", "") == "not_demo" else "other"
        return kind, exc.text or Text.of("problem_other", detail=str(exc))
    if isinstance(exc, sqlite3.DatabaseError):
        # exchange.db's errors arrive as ExchangeError: an SQLite error left is history's.
        return "other", Text.of("problem_file", path=str(history), detail=str(exc))
    return "other", Text.of("problem_file", path=str(path), detail=str(exc))


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0
