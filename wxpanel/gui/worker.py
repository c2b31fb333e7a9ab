"""The poller in a QThread, reporting through signals.

:class:`PollWorker` is a thin Qt adapter around :class:`~wxpanel.core.engine.Engine`:
it creates the Engine (and the SQLite connections it owns) *inside* its thread,
because a sqlite3 connection belongs to the thread that opened it, and it
hands every frozen :class:`~wxpanel.core.engine.PollResult` to the GUI in one
signal, ``polled``, so the GUI thread never touches the database on its hot
path.  A new kind of report is one more field of ``PollResult`` and one more
line where a page reads it; no new signal, re-emission or connection.

Polling uses a single-shot QTimer restarted with the delay the Engine asks for,
rather than a loop with sleeps: between two polls the thread's event loop runs,
so queued requests from the GUI (send, load history, stop) are served promptly.

:class:`PollThread` owns the QThread and the worker and gives the GUI plain
methods; it is the only object the window talks to.  Every request goes to
the worker through one forwarder (a queued signal carrying the call), as
dangerzone's ConvertTask carries its updates in one signal.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from wxpanel.core import activity, stats
from wxpanel.core.decode import name_of
from wxpanel.core.engine import Engine, PollResult
from wxpanel.core.errors import KnownError
from wxpanel.core.health import gather_input, integrity_check
from wxpanel.core.history import HistoryStore
from wxpanel.core.models import Health, Message, Origin
from wxpanel.core.names import Contact, Directory, load_directory
from wxpanel.core.paths import DataPaths
from wxpanel.core.settings import Settings
from wxpanel.core.sources.hub import default_plugin_dirs
from wxpanel.core.sources.store import read_statuses
from wxpanel.gui.texts import error_text
from wxpanel.gui.watch import ChangeWatcher

log = logging.getLogger(__name__)

#: A request from the GUI: a call to run on the worker, in the worker's thread.
Request = Callable[["PollWorker"], None]

#: A chat page: how many messages one scroll to the top loads.
PAGE_SIZE = 200
#: Seconds between two directories sent because messages brought new conversations.
DIRECTORY_EVERY = 1.0
#: After an unexpected exception in a poll, wait this long before the next one.
ERROR_BACKOFF_MS = 1000
#: While paused, the backlog is counted (lock-free) this often.
PAUSED_LOOK_MS = 2000
#: A change beside history.db is looked at again this long after the last one:
#: a WAL commit writes its frames to history.db-wal (what the watcher tells)
#: and becomes visible only after their sync, which a look at once can beat.
LOOK_AGAIN_MS = 250
#: A round's messages reach the window at most this often: it shows them once
#: per frame (``mainwindow.FRAME_MS``, a little shorter), and each result sent between two
#: frames only woke the GUI thread to queue it (40 a second at 50 ev/s,
#: demo.exe committing one row at a time).  Anything else a round or a
#: request reports goes at once, with what was held before it.
RESULTS_EVERY = 0.1
#: A held result due this soon before the next round waits for that round to
#: send it, rather than for a timer of its own: under traffic (a round every
#: ``poll_interval``) that timer woke the poller's thread ten times a second
#: for nothing else, and the window got a frame's worth a little more often.
RELEASE_SLACK = 0.025
#: How long closing waits for the thread before giving up (it never should).
STOP_TIMEOUT_MS = 10_000
#: Closing takes at most this long, or the log says what it is still waiting for.
SAY_AFTER_MS = 1_900
#: The panel's own reads and edits of history.db wait this long for another
#: program's lock (``wxpanel export``), so that closing is never held up for long.
HISTORY_BUSY_TIMEOUT = 0.25


class PollWorker(QObject):
    """Drives one Engine from inside a QThread; talks only through signals."""

    #: The Engine is up; carries the :class:`DataPaths` in use.
    ready = Signal(object)
    #: The Engine could not start (already running, bad file): a message for the user.
    startFailed = Signal(str)
    #: What a round (or a request) produced: one frozen :class:`PollResult` --
    #: new messages in id order (also the commands the operator just queued),
    #: command updates, a new Health, alerts, rule counters, timed runs and
    #: answer sources' statuses.  Only results with something in them are sent.
    polled = Signal(object)
    #: Something the user should read (a refused picture, an unexpected error).
    failed = Signal(str)
    #: A page of history: (conversation, before_id or 0, messages, exhausted).
    historyLoaded = Signal(str, int, tuple, bool)
    #: The conversation list: (search text, conversations, every (wxid, alias) pair).
    conversationsLoaded = Signal(str, tuple, tuple)
    #: Every known conversation and contact with its names (:class:`~wxpanel.core.names.Directory`).
    directoryLoaded = Signal(object)
    #: Polling was paused (True) or resumed (False).
    pausedChanged = Signal(bool)
    #: A missed timed message was sent late on request: (run id, "" or why it could not be).
    lateSent = Signal(int, str)
    #: The statistics page's figures (:class:`~wxpanel.core.stats.QueueStats`).
    statsReady = Signal(object)
    #: The figures could not be read (history.db busy or damaged): why.
    statsFailed = Signal(str)
    #: Disks and history size beside the latest Health (:class:`HealthInput`).
    healthMeasured = Signal(object)
    #: The result of an on-demand ``PRAGMA quick_check`` (a health :class:`Check`).
    integrityChecked = Signal(object)
    #: What settings.json had wrong (:class:`~wxpanel.core.settings.SettingsProblem`
    #: values), sent once after ``ready`` when there is something to say.
    settingsProblems = Signal(tuple)
    #: The Engine is closed; the thread may quit.
    stopped = Signal()

    def __init__(
        self,
        exchange_db: Path,
        data_dir: Path | None = None,
        settings: Settings | None = None,
        plugin_dirs: tuple[Path, ...] | None = None,
    ) -> None:
        super().__init__()
        self._exchange_db = exchange_db
        self._data_dir = data_dir
        self._settings = settings
        self._plugin_dirs = plugin_dirs
        self._engine: Engine | None = None
        self._store: HistoryStore | None = None
        self._timer: QTimer | None = None
        self._paused_timer: QTimer | None = None
        self._again_timer: QTimer | None = None
        self._release_timer: QTimer | None = None
        #: A round's messages waiting for :data:`RESULTS_EVERY` to pass.
        self._held: PollResult | None = None
        self._sent_at = -math.inf  # time.monotonic() when a result was last sent
        self._watcher: ChangeWatcher | None = None
        self._paused = False
        self._health: Health | None = None  # the latest snapshot, for the dashboard
        self._started_at: float | None = None
        self._plugins_seen = 0  # the PluginHost.version whose changes were reported
        self._directory: Directory | None = None  # the one the panel was last given
        #: What messages taught since: new conversations and names, not yet given.
        self._learned: dict[str, Contact] = {}
        self._next_directory = 0.0  # time.monotonic() before which none is sent for that
        #: Set from the GUI thread when closing: reads queued before the stop are skipped.
        self.stopping = False
        #: What the worker is doing now, for the log when closing takes long.
        self.doing = "starting"

    # -- life -----------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Open the Engine in this (the worker's) thread and begin polling."""
        try:
            self._engine = Engine(
                self._exchange_db,
                data_dir=self._data_dir,
                settings=self._settings,
                plugin_dirs=self._plugin_dirs,
            )
            self._store = HistoryStore(
                self._engine.paths.history, busy_timeout=HISTORY_BUSY_TIMEOUT
            )
            # history.db-wal is the Engine's checkpointer's to copy
            # (wxpanel.core.checkpoints).  Left on, SQLite's own checkpoint ran
            # in nearly every commit here (under traffic the -wal passes its
            # 1 000 pages within a second): a conversation marked read once a
            # second cost the poller 2.5 ms of CPU and 9 ms of its time.
            self._store.conn.execute("PRAGMA wal_autocheckpoint = 0")
        except Exception as exc:  # KnownError, or a bug: either way the panel must say so
            if not isinstance(exc, KnownError):
                log.exception("the poller could not start")
            if self._engine is not None:
                self._engine.close()
                self._engine = None
            self.startFailed.emit(error_text(exc))
            return
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._poll)
        self._paused_timer = QTimer(self)
        self._paused_timer.setInterval(PAUSED_LOOK_MS)
        self._paused_timer.timeout.connect(self._look_while_paused)
        self._again_timer = QTimer(self)
        self._again_timer.setSingleShot(True)
        self._again_timer.setInterval(LOOK_AGAIN_MS)
        self._again_timer.timeout.connect(self._look_now)
        self._release_timer = QTimer(self)
        self._release_timer.setSingleShot(True)
        self._release_timer.timeout.connect(self.flush)
        history = self._engine.paths.history
        # In WAL mode another writer's commit (``wxpanel send``) only appends
        # to history.db-wal, which the folder's watch does not report.
        wal = history.with_name(history.name + "-wal")
        self._watcher = ChangeWatcher((self._engine.exchange_db, history, wal), self)
        self._watcher.changed.connect(self._on_disk_change)
        self._engine.watched = self._watcher.active
        self._started_at = time.time()
        self.ready.emit(self._engine.paths)
        if self._engine.settings_problems:
            self.settingsProblems.emit(self._engine.settings_problems)
        self._timer.start(0)

    @Slot(object)
    def serve(self, request: Request) -> None:
        """Run one request from the GUI, in this thread (the one forwarder's slot).

        What a round held back goes first: whatever the request reports
        (a page, a list, a queued message) is newer.
        """
        self.flush()
        request(self)

    def report(
        self, result: PollResult, *, hold: bool = False, next_round: float | None = None
    ) -> None:
        """Hand a result to the GUI, if it says anything, after any held one.

        With ``hold`` (a round's result), messages and health alone wait
        until :data:`RESULTS_EVERY` has passed since the last result sent,
        joined by the rounds in between.  ``next_round`` (seconds, from a
        round) says when the next one comes: if not later than
        :data:`RELEASE_SLACK` after the wait, that round sends what is held.
        """
        if result.health is not None:
            self._health = result.health  # the latest snapshot, for the dashboard
        if result.messages or result.health is not None or not _holdable(result):
            if self._held is not None:
                result = _joined(self._held, result)
                self._held = None
        elif self._held is None:
            return  # nothing to say
        else:
            result, self._held = self._held, None  # nothing new: the held one may be due
        wait = self._sent_at + RESULTS_EVERY - time.monotonic()
        timer = self._release_timer
        if hold and wait > 0 and timer is not None and _holdable(result):
            self._held = result
            if (next_round is None or next_round > wait + RELEASE_SLACK) and not timer.isActive():
                timer.start(max(1, round(wait * 1000)))
            return
        self._send(result)

    @Slot()
    def flush(self) -> None:
        """Send what a round held back, now."""
        held, self._held = self._held, None
        if held is not None:
            self._send(held)

    def _send(self, result: PollResult) -> None:
        if self._release_timer is not None:
            self._release_timer.stop()
        self._sent_at = time.monotonic()
        self.polled.emit(result)

    def shutdown(self) -> None:
        """Stop polling and close every connection, then end the thread's loop."""
        self.doing = "closing exchange.db and history.db"
        try:
            self.flush()
            if self._release_timer is not None:
                self._release_timer.stop()
                self._release_timer.setParent(None)
                self._release_timer = None
            if self._timer is not None:
                # Destroyed here, in the thread that started it (Qt refuses to
                # stop a timer from another thread): once unparented, dropping
                # the last reference deletes it now.
                self._timer.stop()
                self._timer.setParent(None)
                self._timer = None
            if self._paused_timer is not None:
                self._paused_timer.stop()
                self._paused_timer.setParent(None)
                self._paused_timer = None
            if self._again_timer is not None:
                self._again_timer.stop()
                self._again_timer.setParent(None)
                self._again_timer = None
            if self._watcher is not None:
                self._watcher.setParent(None)
                self._watcher = None
            if self._store is not None:
                self._store.close()
                self._store = None
            if self._engine is not None:
                self._engine.close()
                self._engine = None
        except Exception:
            log.exception("error while closing the poller")
        finally:
            # Whatever happened, the thread must end: the window is waiting for it.
            self.stopped.emit()
            self.thread().quit()

    def pause(self) -> None:
        """Stop consuming wx_event: the rows stay there for later (nothing is lost)."""
        self.flush()
        self._paused = True
        activity.changed("polling", "paused by the operator: rows wait in wx_event")
        if self._timer is not None:
            self._timer.stop()
        self.pausedChanged.emit(True)
        if self._paused_timer is not None:
            self._paused_timer.start()
            self._look_while_paused()

    def resume(self) -> None:
        if self._paused:
            activity.changed("polling", "resumed")
        self._paused = False
        if self._paused_timer is not None:
            self._paused_timer.stop()
        if self._timer is not None and self._engine is not None:
            self._timer.start(0)
        self.pausedChanged.emit(False)

    @Slot()
    def _look_while_paused(self) -> None:
        """Paused is not blind: the backlog keeps being counted, without a lock."""
        if self._engine is None or not self._paused:
            return
        health = self._engine.measure_paused()
        if health is not None:
            self.report(PollResult(health=health))

    # -- polling --------------------------------------------------------------

    @Slot()
    def _poll(self) -> None:
        engine, timer = self._engine, self._timer
        if engine is None or timer is None or self._paused:
            return
        plugins_before = engine.sources.host.version
        self.doing = "a poll of exchange.db"
        try:
            result = engine.poll()
        except Exception as exc:  # a bug: report it and keep the panel alive
            log.exception("unexpected error while polling")
            self.flush()
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            timer.start(round(self._pace_watch(engine, ERROR_BACKOFF_MS / 1000) * 1000))
            return
        finally:
            self.doing = "nothing"
        if result.messages:
            self._learn_names(result.messages)
        delay_ms = max(0, round(self._pace_watch(engine, result.delay) * 1000))
        self.report(result, hold=True, next_round=delay_ms / 1000)
        if self._learned and time.monotonic() >= self._next_directory:
            self._emit_learned()
        if plugins_before != self._plugins_seen and _round_ok(result.health):
            self._report_plugins(engine, plugins_before)
        timer.start(delay_ms)

    def _pace_watch(self, engine: Engine, delay: float) -> float:
        """Watch the files only before a long wait; the delay to the next round.

        While the next round is due within ``poll_interval`` anyway, a
        notification could not bring it forward and only costs (see
        :mod:`wxpanel.gui.watch`): the watch is paused.  Resumed before a
        longer wait, it cannot tell what changed since the round looked, so
        the round after resuming is not later than ``poll_interval``.
        """
        watcher = self._watcher
        if watcher is None:
            return delay
        if delay <= engine.settings.poll_interval:
            watcher.pause()
            return delay
        if not watcher.paused:
            return delay
        watcher.resume()
        engine.watched = watcher.active
        return min(delay, engine.settings.poll_interval)

    @Slot()
    def _on_disk_change(self) -> None:
        """A file changed beside exchange.db or history.db: an idle poller looks now, and again."""
        if self._again_timer is not None:
            self._again_timer.start()
        self._look_now()

    @Slot()
    def _look_now(self) -> None:
        engine, timer = self._engine, self._timer
        if engine is None or timer is None or self._paused:
            return
        engine.poke()
        if timer.isActive() and timer.remainingTime() > engine.settings.poll_interval * 1000:
            timer.start(0)

    def _report_plugins(self, engine: Engine, version: int) -> None:
        """The plugin folders changed and this round synced them: every source's status.

        A plugin file seen for the first time is stored without a status of
        its own in the round's report; the panel learns of it from here.
        """
        try:
            statuses = read_statuses(engine.hconn)
        except sqlite3.Error:
            return  # tried again after the next round
        self._plugins_seen = version
        self.report(PollResult(source_statuses=tuple(statuses)))

    # -- requests from the GUI -------------------------------------------------

    def sendText(self, to: str, text: str) -> None:
        """Queue a text through the outbox; the queued message is reported at once."""
        if self._engine is None:
            return
        try:
            message = self._engine.queue_text(to, text)
        except KnownError as exc:
            self.failed.emit(error_text(exc))
            return
        self.report(PollResult(messages=(message,)))
        self._poll_soon()

    def sendPicture(self, to: str, path: str) -> None:
        """Queue a picture (an absolute local path, as demo.exe needs)."""
        if self._engine is None:
            return
        try:
            message = self._engine.queue_picture(to, Path(path))
        except KnownError as exc:
            self.failed.emit(error_text(exc))
            return
        self.report(PollResult(messages=(message,)))
        self._poll_soon()

    def loadHistory(self, conversation: str, before_id: int) -> None:
        """A page of one conversation before ``before_id`` (0: the newest page)."""
        if self._store is None or self.stopping:
            return
        try:
            page = self._store.messages(conversation, before_id=before_id or None, limit=PAGE_SIZE)
        except Exception as exc:
            log.exception("cannot read history")
            self.failed.emit(error_text(exc))
            page = []
        self.historyLoaded.emit(conversation, before_id, tuple(page), len(page) < PAGE_SIZE)

    def loadConversations(self, search: str) -> None:
        """The conversation list, filtered by the core's full-text search when asked."""
        if self._store is None or self.stopping:
            return
        try:
            found = self._store.conversations(search or None)
            aliases = tuple(sorted(self._store.aliases().items()))
        except Exception as exc:
            log.exception("cannot read conversations")
            self.failed.emit(error_text(exc))
            return
        # Every alias, not only the listed conversations': group members and
        # conversations that have not spoken yet are named too.
        self.conversationsLoaded.emit(search, tuple(found), aliases)
        self._emit_directory()

    def _emit_directory(self) -> None:
        """Hand the panel every known conversation and contact with its names, read anew.

        Read from history.db with the conversation list and after an alias;
        what messages teach later goes by :meth:`_emit_learned`.
        """
        if self._store is None:
            return
        self.flush()  # the messages that brought the names come first
        self._learned = {}
        self._next_directory = time.monotonic() + DIRECTORY_EVERY
        try:
            self._directory = load_directory(self._store.conn)
        except sqlite3.Error:
            log.exception("cannot read the contacts")
            return
        self.directoryLoaded.emit(self._directory)

    def _learn_names(self, messages: tuple[Message, ...]) -> None:
        """Note the conversations and names a batch brings that the panel does not know yet.

        Each is what history.db now says of it (ingestion keeps a
        conversation's latest name from demo.exe, the alias stays), so the
        directory grows without reading every contact again: that read was
        ~10 ms, once a second under traffic from new conversations, as much
        as the rest of the poller's own work beside its rounds.
        """
        directory = self._directory
        if directory is None:
            return  # the first directory, read whole, is still to come
        learned = self._learned
        for message in messages:
            wxid = message.conversation
            known = learned.get(wxid) or directory.get(wxid)
            name = name_of(message.from_raw) if message.origin is Origin.EVENT else None
            if known.conversation and (name is None or name == known.name):
                continue
            learned[wxid] = Contact(wxid, known.alias, known.name if name is None else name)

    def _emit_learned(self) -> None:
        """Hand the panel the directory with what messages taught, at most once per
        :data:`DIRECTORY_EVERY`: each one re-names the feed and the pickers."""
        directory, learned = self._directory, self._learned
        self._learned = {}
        if directory is None or not learned:
            return
        self.flush()  # the messages that brought the names come first
        self._next_directory = time.monotonic() + DIRECTORY_EVERY
        self._directory = directory.with_contacts(reversed(learned.values()))
        self.directoryLoaded.emit(self._directory)

    def setAlias(self, wxid: str, alias: str) -> None:
        self._write(lambda store: store.set_alias(wxid, alias))
        self._emit_directory()

    def setMuted(self, conversation: str, muted: bool) -> None:
        self._write(lambda store: store.set_muted(conversation, muted))

    def markRead(self, conversation: str) -> None:
        self._write(lambda store: store.mark_read(conversation))

    def sendLate(self, run_id: int) -> None:
        """Send a missed timed message after all, through the Engine's pacer and outbox."""
        engine = self._engine
        if engine is None:
            self.lateSent.emit(run_id, "the poller is not running")
            return
        try:
            messages = engine.send_late(run_id)
        except Exception as exc:  # KnownError (deleted, not missed), a lock, a gone picture
            if not isinstance(exc, KnownError):
                log.warning("cannot send timed run #%s late: %s", run_id, exc)
            self.lateSent.emit(run_id, error_text(exc))
            return
        log.info("timed run #%s sent late on request: %d command(s)", run_id, len(messages))
        self.report(PollResult(messages=tuple(messages)))
        self.lateSent.emit(run_id, "")
        self._poll_soon()

    def _write(self, action: Callable[[HistoryStore], None]) -> None:
        if self._store is None:
            return
        try:
            action(self._store)
        except Exception as exc:
            log.exception("cannot update history")
            self.failed.emit(error_text(exc))

    # -- the dashboard: statistics and health ------------------------------------

    def collectStats(self) -> None:
        """The statistics page's figures, from history.db's incremental tables only.

        exchange.db is not opened: its backlog and pending rows come from the
        Engine's latest Health.
        """
        if self._store is None or self.stopping:
            self.statsFailed.emit("the poller is not running")
            return
        try:
            figures = stats.collect(self._store, None, health=self._health)
        except Exception as exc:  # a lock held too long, a damaged file: the page says so
            log.warning("cannot collect statistics: %s", exc)
            self.statsFailed.emit(error_text(exc))
            return
        self.statsReady.emit(figures)

    def measureHealth(self) -> None:
        """Free disk beside both files and history.db's size, with the latest Health."""
        engine = self._engine
        if engine is None:
            return
        data = gather_input(
            engine.exchange_db,
            engine.paths.history,
            self._health,
            time.time(),
            started_at=self._started_at,
        )
        self.healthMeasured.emit(data)

    def checkIntegrity(self) -> None:
        """``PRAGMA quick_check`` on history.db; polling waits meanwhile (no write meets it)."""
        engine = self._engine
        if engine is None or self.stopping:
            return
        self.doing = "checking history.db's integrity"
        try:
            self.integrityChecked.emit(integrity_check(engine.paths.history))
        finally:
            self.doing = "nothing"

    def _poll_soon(self) -> None:
        """Let the outbox see a new command now rather than after the idle delay."""
        if self._timer is not None and not self._paused:
            self._timer.start(0)


class _PythonThread(QThread):
    """A QThread whose event loop runs under one Python thread state, kept for its life.

    A plain QThread is a thread Python does not know: each call into
    Python from its event loop (every round's timer, every request) made
    PySide create a Python thread state and delete it on the way out,
    an allocation, an ``mmap`` and ``munmap`` of its frame stack and a
    ``gettid`` per call, and any ``threading.local`` value was lost
    between two calls.  Run from Python, the loop keeps the state that
    ``run`` was entered with, and each call only takes the GIL.
    """

    def run(self) -> None:
        self.exec()


def _round_ok(health: Health | None) -> bool:
    """The round met no lock or error (its steps, the sources' sync included, committed)."""
    return health is None or (health.locked_since is None and health.error is None)


class PollThread(QObject):
    """The GUI's handle on the worker: requests go out and results come back queued.

    Every request is a call on the worker sent through one private signal,
    ``_request``, connected to :meth:`PollWorker.serve`; since the worker
    lives in another thread, Qt queues it, so a call never blocks the GUI
    and never touches the worker's state from the wrong thread.  The
    worker's signals are re-emitted by this object, which lives in the GUI
    thread: connecting a plain Python callable to the worker itself would run
    it in the worker's thread.
    """

    ready = Signal(object)
    startFailed = Signal(str)
    #: One frozen :class:`~wxpanel.core.engine.PollResult` (see :attr:`PollWorker.polled`).
    polled = Signal(object)
    failed = Signal(str)
    historyLoaded = Signal(str, int, tuple, bool)
    conversationsLoaded = Signal(str, tuple, tuple)
    directoryLoaded = Signal(object)
    pausedChanged = Signal(bool)
    lateSent = Signal(int, str)
    statsReady = Signal(object)
    statsFailed = Signal(str)
    healthMeasured = Signal(object)
    integrityChecked = Signal(object)
    settingsProblems = Signal(tuple)

    #: The one forwarder: a :data:`Request` to run in the worker's thread.
    _request = Signal(object)

    def __init__(
        self,
        exchange_db: Path,
        data_dir: Path | None = None,
        settings: Settings | None = None,
        parent: QObject | None = None,
        plugin_dirs: tuple[Path, ...] | None = None,
    ) -> None:
        super().__init__(parent)
        self.exchange_db = exchange_db
        self.paths = DataPaths.beside(exchange_db, data_dir)
        self.settings = settings  # None: the Engine reads settings.json
        #: The folders plugins are loaded from (the Engine's, for the panel's list and buttons).
        self.plugin_dirs = default_plugin_dirs() if plugin_dirs is None else tuple(plugin_dirs)
        self.qthread = _PythonThread()
        self.qthread.setObjectName("wxpanel-poller")
        self.worker = PollWorker(exchange_db, data_dir, settings, plugin_dirs)
        self.worker.moveToThread(self.qthread)
        self.qthread.started.connect(self.worker.start)
        queued = Qt.ConnectionType.QueuedConnection
        for name in (
            "ready",
            "startFailed",
            "polled",
            "failed",
            "historyLoaded",
            "conversationsLoaded",
            "directoryLoaded",
            "pausedChanged",
            "lateSent",
            "statsReady",
            "statsFailed",
            "healthMeasured",
            "integrityChecked",
            "settingsProblems",
        ):
            getattr(self.worker, name).connect(getattr(self, name), queued)
        self._request.connect(self.worker.serve, queued)
        self.paused = False

    def _ask(self, request: Request) -> None:
        self._request.emit(request)

    def start(self) -> None:
        self.qthread.start()

    def stop(self) -> bool:
        """Close the Engine in its thread and wait for the thread to end.

        The shutdown request is queued behind any pending request, so a reply
        the user just sent is written to history before the connection closes.
        """
        if not self.qthread.isRunning():
            return True
        self.worker.stopping = True  # reads queued before the stop are not worth waiting for
        self._ask(PollWorker.shutdown)
        if self.qthread.wait(SAY_AFTER_MS):
            return True
        log.warning("still closing: the poller is busy with %s", self.worker.doing)
        finished = self.qthread.wait(STOP_TIMEOUT_MS - SAY_AFTER_MS)
        if not finished:  # pragma: no cover - only with a bug in the worker
            log.error("the poller thread did not stop in time: %s", self.worker.doing)
        return bool(finished)

    @property
    def running(self) -> bool:
        return self.qthread.isRunning()

    def send_text(self, to: str, text: str) -> None:
        self._ask(lambda worker: worker.sendText(to, text))

    def send_picture(self, to: str, path: str) -> None:
        self._ask(lambda worker: worker.sendPicture(to, path))

    def load_history(self, conversation: str, before_id: int = 0) -> None:
        self._ask(lambda worker: worker.loadHistory(conversation, before_id))

    def load_conversations(self, search: str = "") -> None:
        self._ask(lambda worker: worker.loadConversations(search))

    def set_alias(self, wxid: str, alias: str) -> None:
        self._ask(lambda worker: worker.setAlias(wxid, alias))

    def mark_read(self, conversation: str) -> None:
        self._ask(lambda worker: worker.markRead(conversation))

    def set_muted(self, conversation: str, muted: bool) -> None:
        self._ask(lambda worker: worker.setMuted(conversation, muted))

    def send_late(self, run_id: int) -> None:
        """Send a missed timed message now (the operator asked); answered by ``lateSent``."""
        self._ask(lambda worker: worker.sendLate(run_id))

    def request_stats(self) -> None:
        """Ask for the statistics; answered by ``statsReady`` (or ``statsFailed``)."""
        self._ask(PollWorker.collectStats)

    def measure_health(self) -> None:
        """Ask for disk and history size figures; answered by ``healthMeasured``."""
        self._ask(PollWorker.measureHealth)

    def check_integrity(self) -> None:
        """Run ``PRAGMA quick_check`` in the worker; answered by ``integrityChecked``."""
        self._ask(PollWorker.checkIntegrity)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._ask(PollWorker.pause if paused else PollWorker.resume)


def _holdable(result: PollResult) -> bool:
    """A result that may wait for the next frame: messages and health, nothing else
    (an empty result too, which is never sent).

    A command's new status, an alert, a counter or a source's status goes
    at once (and takes what was held with it).
    """
    return not (
        result.updates
        or result.alerts
        or result.rule_counters
        or result.timed_runs
        or result.source_statuses
    )


def _joined(first: PollResult, then: PollResult) -> PollResult:
    """Two results as one, in order: the window applies messages, then updates, then health."""
    return PollResult(
        messages=first.messages + then.messages,
        updates=first.updates + then.updates,
        health=then.health if then.health is not None else first.health,
        delay=then.delay,
        alerts=first.alerts + then.alerts,
        rule_counters=first.rule_counters + then.rule_counters,
        timed_runs=first.timed_runs + then.timed_runs,
        source_statuses=first.source_statuses + then.source_statuses,
    )
