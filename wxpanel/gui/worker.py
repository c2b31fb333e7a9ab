"""The poller in a QThread, reporting through signals.

:class:`PollWorker` is a thin Qt adapter around :class:`~wxpanel.core.engine.Engine`:
it creates the Engine (and the SQLite connections it owns) *inside* its thread,
because a sqlite3 connection belongs to the thread that opened it, and it
re-emits every :class:`~wxpanel.core.engine.PollResult` as signals carrying
immutable values, so the GUI thread never touches the database on its hot path.

Polling uses a single-shot QTimer restarted with the delay the Engine asks for,
rather than a loop with sleeps: between two polls the thread's event loop runs,
so queued requests from the GUI (send, load history, stop) are served promptly.

:class:`PollThread` owns the QThread and the worker and gives the GUI plain
methods; it is the only object the window talks to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from wxpanel.core.engine import Engine
from wxpanel.core.errors import KnownError
from wxpanel.core.history import HistoryStore
from wxpanel.core.paths import DataPaths
from wxpanel.core.settings import Settings

log = logging.getLogger(__name__)

#: A chat page: how many messages one scroll to the top loads.
PAGE_SIZE = 200
#: After an unexpected exception in a poll, wait this long before the next one.
ERROR_BACKOFF_MS = 1000
#: How long closing waits for the thread before giving up (it never should).
STOP_TIMEOUT_MS = 10_000


class PollWorker(QObject):
    """Drives one Engine from inside a QThread; talks only through signals."""

    #: The Engine is up; carries the :class:`DataPaths` in use.
    ready = Signal(object)
    #: The Engine could not start (already running, bad file): a message for the user.
    startFailed = Signal(str)
    #: A batch of new :class:`Message` values, in id order.
    messagesArrived = Signal(tuple)
    #: A batch of :class:`CommandUpdate` values.
    commandsUpdated = Signal(tuple)
    #: A new :class:`Health` snapshot.
    healthChanged = Signal(object)
    #: Something the user should read (a refused picture, an unexpected error).
    failed = Signal(str)
    #: A page of history: (conversation, before_id or 0, messages, exhausted).
    historyLoaded = Signal(str, int, tuple, bool)
    #: The conversation list: (search text, conversations).
    conversationsLoaded = Signal(str, tuple)
    #: Polling was paused (True) or resumed (False).
    pausedChanged = Signal(bool)
    #: The Engine is closed; the thread may quit.
    stopped = Signal()

    def __init__(
        self,
        exchange_db: Path,
        data_dir: Path | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self._exchange_db = exchange_db
        self._data_dir = data_dir
        self._settings = settings
        self._engine: Engine | None = None
        self._store: HistoryStore | None = None
        self._timer: QTimer | None = None
        self._paused = False

    # -- life -----------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Open the Engine in this (the worker's) thread and begin polling."""
        try:
            self._engine = Engine(
                self._exchange_db, data_dir=self._data_dir, settings=self._settings
            )
            self._store = HistoryStore(self._engine.paths.history)
        except Exception as exc:  # KnownError, or a bug: either way the panel must say so
            if not isinstance(exc, KnownError):
                log.exception("the poller could not start")
            if self._engine is not None:
                self._engine.close()
                self._engine = None
            self.startFailed.emit(str(exc) or type(exc).__name__)
            return
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._poll)
        self.ready.emit(self._engine.paths)
        self._timer.start(0)

    @Slot()
    def shutdown(self) -> None:
        """Stop polling and close every connection, then end the thread's loop."""
        try:
            if self._timer is not None:
                # Destroyed here, in the thread that started it (Qt refuses to
                # stop a timer from another thread): once unparented, dropping
                # the last reference deletes it now.
                self._timer.stop()
                self._timer.setParent(None)
                self._timer = None
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

    @Slot()
    def pause(self) -> None:
        """Stop consuming wx_event: the rows stay there for later (nothing is lost)."""
        self._paused = True
        if self._timer is not None:
            self._timer.stop()
        self.pausedChanged.emit(True)

    @Slot()
    def resume(self) -> None:
        self._paused = False
        if self._timer is not None and self._engine is not None:
            self._timer.start(0)
        self.pausedChanged.emit(False)

    # -- polling --------------------------------------------------------------

    @Slot()
    def _poll(self) -> None:
        engine, timer = self._engine, self._timer
        if engine is None or timer is None or self._paused:
            return
        try:
            result = engine.poll()
        except Exception as exc:  # a bug: report it and keep the panel alive
            log.exception("unexpected error while polling")
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            timer.start(ERROR_BACKOFF_MS)
            return
        if result.messages:
            self.messagesArrived.emit(result.messages)
        if result.updates:
            self.commandsUpdated.emit(result.updates)
        if result.health is not None:
            self.healthChanged.emit(result.health)
        timer.start(max(0, round(result.delay * 1000)))

    # -- requests from the GUI -------------------------------------------------

    @Slot(str, str)
    def sendText(self, to: str, text: str) -> None:
        """Queue a text through the outbox; the queued message is reported at once."""
        if self._engine is None:
            return
        try:
            message = self._engine.queue_text(to, text)
        except KnownError as exc:
            self.failed.emit(str(exc))
            return
        self.messagesArrived.emit((message,))
        self._poll_soon()

    @Slot(str, str)
    def sendPicture(self, to: str, path: str) -> None:
        """Queue a picture (an absolute local path, as demo.exe needs)."""
        if self._engine is None:
            return
        try:
            message = self._engine.queue_picture(to, Path(path))
        except KnownError as exc:
            self.failed.emit(str(exc))
            return
        self.messagesArrived.emit((message,))
        self._poll_soon()

    @Slot(str, int)
    def loadHistory(self, conversation: str, before_id: int) -> None:
        """A page of one conversation before ``before_id`` (0: the newest page)."""
        if self._store is None:
            return
        try:
            page = self._store.messages(conversation, before_id=before_id or None, limit=PAGE_SIZE)
        except Exception as exc:
            log.exception("cannot read history")
            self.failed.emit(str(exc))
            page = []
        self.historyLoaded.emit(conversation, before_id, tuple(page), len(page) < PAGE_SIZE)

    @Slot(str)
    def loadConversations(self, search: str) -> None:
        """The conversation list, filtered by the core's full-text search when asked."""
        if self._store is None:
            return
        try:
            found = self._store.conversations(search or None)
        except Exception as exc:
            log.exception("cannot read conversations")
            self.failed.emit(str(exc))
            return
        self.conversationsLoaded.emit(search, tuple(found))

    @Slot(str, str)
    def setAlias(self, wxid: str, alias: str) -> None:
        self._write(lambda store: store.set_alias(wxid, alias))

    @Slot(str, bool)
    def setMuted(self, conversation: str, muted: bool) -> None:
        self._write(lambda store: store.set_muted(conversation, muted))

    @Slot(str)
    def markRead(self, conversation: str) -> None:
        self._write(lambda store: store.mark_read(conversation))

    def _write(self, action: Callable[[HistoryStore], None]) -> None:
        if self._store is None:
            return
        try:
            action(self._store)
        except Exception as exc:
            log.exception("cannot update history")
            self.failed.emit(str(exc))

    def _poll_soon(self) -> None:
        """Let the outbox see a new command now rather than after the idle delay."""
        if self._timer is not None and not self._paused:
            self._timer.start(0)


class PollThread(QObject):
    """The GUI's handle on the worker: requests go out and results come back queued.

    Requests are private signals connected to the worker's slots; since the
    worker lives in another thread, Qt queues them, so a call never blocks the
    GUI and never touches the worker's state from the wrong thread.  The
    worker's signals are re-emitted by this object, which lives in the GUI
    thread: connecting a plain Python callable to the worker itself would run
    it in the worker's thread.
    """

    ready = Signal(object)
    startFailed = Signal(str)
    messagesArrived = Signal(tuple)
    commandsUpdated = Signal(tuple)
    healthChanged = Signal(object)
    failed = Signal(str)
    historyLoaded = Signal(str, int, tuple, bool)
    conversationsLoaded = Signal(str, tuple)
    pausedChanged = Signal(bool)

    _sendText = Signal(str, str)
    _sendPicture = Signal(str, str)
    _loadHistory = Signal(str, int)
    _loadConversations = Signal(str)
    _setAlias = Signal(str, str)
    _markRead = Signal(str)
    _setMuted = Signal(str, bool)
    _pause = Signal()
    _resume = Signal()
    _shutdown = Signal()

    def __init__(
        self,
        exchange_db: Path,
        data_dir: Path | None = None,
        settings: Settings | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.exchange_db = exchange_db
        self.paths = DataPaths.beside(exchange_db, data_dir)
        self.qthread = QThread()
        self.qthread.setObjectName("wxpanel-poller")
        self.worker = PollWorker(exchange_db, data_dir, settings)
        self.worker.moveToThread(self.qthread)
        self.qthread.started.connect(self.worker.start)
        queued = Qt.ConnectionType.QueuedConnection
        self.worker.ready.connect(self.ready, queued)
        self.worker.startFailed.connect(self.startFailed, queued)
        self.worker.messagesArrived.connect(self.messagesArrived, queued)
        self.worker.commandsUpdated.connect(self.commandsUpdated, queued)
        self.worker.healthChanged.connect(self.healthChanged, queued)
        self.worker.failed.connect(self.failed, queued)
        self.worker.historyLoaded.connect(self.historyLoaded, queued)
        self.worker.conversationsLoaded.connect(self.conversationsLoaded, queued)
        self.worker.pausedChanged.connect(self.pausedChanged, queued)
        self._sendText.connect(self.worker.sendText)
        self._sendPicture.connect(self.worker.sendPicture)
        self._loadHistory.connect(self.worker.loadHistory)
        self._loadConversations.connect(self.worker.loadConversations)
        self._setAlias.connect(self.worker.setAlias)
        self._markRead.connect(self.worker.markRead)
        self._setMuted.connect(self.worker.setMuted)
        self._pause.connect(self.worker.pause)
        self._resume.connect(self.worker.resume)
        self._shutdown.connect(self.worker.shutdown)
        self.paused = False

    def start(self) -> None:
        self.qthread.start()

    def stop(self) -> bool:
        """Close the Engine in its thread and wait for the thread to end.

        The shutdown request is queued behind any pending request, so a reply
        the user just sent is written to history before the connection closes.
        """
        if not self.qthread.isRunning():
            return True
        self._shutdown.emit()
        finished = self.qthread.wait(STOP_TIMEOUT_MS)
        if not finished:  # pragma: no cover - only with a bug in the worker
            log.error("the poller thread did not stop in time")
        return bool(finished)

    @property
    def running(self) -> bool:
        return self.qthread.isRunning()

    def send_text(self, to: str, text: str) -> None:
        self._sendText.emit(to, text)

    def send_picture(self, to: str, path: str) -> None:
        self._sendPicture.emit(to, path)

    def load_history(self, conversation: str, before_id: int = 0) -> None:
        self._loadHistory.emit(conversation, before_id)

    def load_conversations(self, search: str = "") -> None:
        self._loadConversations.emit(search)

    def set_alias(self, wxid: str, alias: str) -> None:
        self._setAlias.emit(wxid, alias)

    def mark_read(self, conversation: str) -> None:
        self._markRead.emit(conversation)

    def set_muted(self, conversation: str, muted: bool) -> None:
        self._setMuted.emit(conversation, muted)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        (self._pause if paused else self._resume).emit()
