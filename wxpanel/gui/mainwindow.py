"""The main window: conversations on the left, chat and live feed on the right.

The window only wires models, views and the poller together.  Everything it
shows arrives as immutable values through :class:`~wxpanel.gui.worker.PollThread`
signals (a round's report is one frozen :class:`~wxpanel.core.engine.PollResult`),
and everything it asks for (send, history page, rename, mark read) leaves as
a queued request: the GUI thread never waits on SQLite.

Pages beyond the chat and the live feed (rules, sources, statistics...) are
plugged in through the small :class:`~wxpanel.gui.host.PageHost` interface
(:meth:`MainWindow.add_page` and its siblings); the window knows none of them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QImage, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core import activity
from wxpanel.core.codepage import describe
from wxpanel.core.engine import PollResult
from wxpanel.core.models import CommandUpdate, Conversation, Health, Message
from wxpanel.core.names import Directory
from wxpanel.core.pacer import PacerConfig
from wxpanel.core.paths import DataPaths, remember_exchange
from wxpanel.core.settings import SettingsError, SettingsProblem
from wxpanel.gui import palette, pictures
from wxpanel.gui.caret import CaretRest
from wxpanel.gui.delegates import BubbleDelegate, ConversationDelegate
from wxpanel.gui.feed_delegate import FeedDelegate
from wxpanel.gui.listhold import ListHold
from wxpanel.gui.models import (
    ChatModel,
    ConversationModel,
    ConversationRole,
    FeedModel,
    MessageRole,
    counts_as_unread,
)
from wxpanel.gui.preferences import Preferences, apply_theme, load_pacer
from wxpanel.gui.preferences import save as save_preferences
from wxpanel.gui.quickreplies import QuickReplyPicker
from wxpanel.gui.settingsdialog import SettingsDialog
from wxpanel.gui.texts import problem_text, problems_text
from wxpanel.gui.texts import text as translated
from wxpanel.gui.tray import Tray, worth_notifying
from wxpanel.gui.views import ChatView, ConversationView, FeedView
from wxpanel.gui.widgets import (
    Banner,
    Composer,
    FeedFilter,
    RawTextDialog,
    resize_within_screen,
)
from wxpanel.gui.worker import RESULTS_EVERY, PollThread

#: Messages applied per turn of the event loop: a 2 000-row batch in one go
#: would freeze the window for a visible moment.
CHUNK = 250
#: Messages are shown at most once per frame: demo.exe commits one row at a
#: time, and 200 batches a second each inserting, laying out and painting
#: kept the GUI thread busy; batches waiting for the next frame are merged.
#: The poller already sends a round's messages at most every
#: ``worker.RESULTS_EVERY`` (100 ms); this frame is a little shorter, or the
#: two paces would lock in phase and one late frame would delay every later
#: batch by as much.
FRAME_MS = round(RESULTS_EVERY * 1000 * 0.8)
#: The conversation list (always on screen, every entry drawn in Python, and
#: reordered by each batch: a layout that asks the model about every row)
#: follows at a calmer pace than the open tab.
LIST_FRAME_MS = 1000
#: A chat followed at its bottom keeps this many rows (up to twice as many).
CHAT_KEEP = 200
#: Typing pauses this long before the conversation search runs.
SEARCH_DELAY_MS = 250
#: A lock shorter than this is routine (demo.exe writing a row) and not worth a banner.
LOCK_BANNER_AFTER = 3.0


class _ShowMessages:
    """A queued batch of messages; later batches join it until its frame comes."""

    def __init__(self, apply: Callable[[tuple[Message, ...]], None], messages: list[Message]):
        self.apply = apply
        self.messages = messages

    def __call__(self) -> None:
        self.apply(tuple(self.messages))


class MainWindow(QMainWindow):
    """The control panel on one exchange.db."""

    #: The poller could not start (another panel, unusable file): the app shows it and exits.
    fatalError = Signal(str)
    #: The window is closing for good (the poller is stopped): pages let go of their files.
    closing = Signal()
    #: New preferences were applied (the theme among them): pages that paint follow.
    preferencesApplied = Signal(object)

    def __init__(
        self,
        poller: PollThread,
        banner: Banner,
        tray: Tray,
        preferences: Preferences | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.poller = poller
        self.banner = banner
        self.tray = tray
        tray.setParent(self)
        self.preferences = preferences or Preferences()
        self._quitting = False
        self.feed = FeedModel(parent=self)
        self.feed_filter = FeedFilter(self)
        self.feed_filter.setSourceModel(self.feed)
        self.conversations = ConversationModel(self)
        #: Every known conversation and contact with its names, from the poller.
        self.directory = Directory()
        self.chat = ChatModel(self)
        self.health: Health | None = None
        self._banner_from_health = False
        # Everything the poller reports is applied in arrival order, from one queue.
        self._pending: deque[Callable[[], None]] = deque()
        self._shown_at = 0.0  # time.monotonic() when messages were last applied
        # Messages shown in the tabs but not yet folded into the conversation list.
        self._list_backlog: list[Message] = []
        self._seen_open: str | None = None  # the open conversation got messages since
        self._list_timer = QTimer(self)
        self._list_timer.setSingleShot(True)
        self._list_timer.setInterval(LIST_FRAME_MS)
        self._list_timer.timeout.connect(self._fold_into_list)
        self._next_directory: Directory | None = None
        self._directory_timer = QTimer(self)
        self._directory_timer.setSingleShot(True)
        self._directory_timer.setInterval(LIST_FRAME_MS)
        self._directory_timer.timeout.connect(self._apply_directory)
        self._drain_timer = QTimer(self)
        self._drain_timer.setSingleShot(True)
        self._drain_timer.timeout.connect(self._drain)
        self._build()
        self.caret_rest = CaretRest((self.search, self.composer, self.feed_search), self)
        self._connect()
        self.apply_preferences(self.preferences)
        resize_within_screen(self, 1100, 700)
        self._update_title()

    # -- construction -------------------------------------------------------------

    def _build(self) -> None:
        # Docks and toolbars never move; animating each relayout (a status
        # label's new text) cost a QPropertyAnimation and frames at idle.
        self.setAnimated(False)
        toolbar = self.addToolBar(self.tr("Main"))
        self.toolbar = toolbar
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        self.pause_action = QAction(self.tr("Pause"), self)
        self.pause_action.setCheckable(True)
        self.pause_action.setToolTip(
            self.tr("Stop reading wx_event for now; nothing is lost, rows wait in the file")
        )
        toolbar.addAction(self.pause_action)
        self.settings_action = QAction(self.tr("Settings…"), self)
        toolbar.addAction(self.settings_action)
        # Quit for good, also with "close to tray"; Ctrl+Q on every system
        # (QKeySequence.Quit is empty on Windows).
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.setToolTip(self.tr("Stop wxpanel (Ctrl+Q); queued replies wait"))
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._toolbar_spacer = toolbar.addWidget(spacer)
        toolbar.addAction(self.quit_action)

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 0)
        self.banner.setParent(central)
        outer.addWidget(self.banner)
        self._banners = outer
        self._extra_banners = 0
        splitter = QSplitter(Qt.Orientation.Horizontal, central)
        outer.addWidget(splitter, 1)
        splitter.addWidget(self._build_conversations())
        self.tabs = QTabWidget(splitter)
        self.tabs.addTab(self._build_chat(), self.tr("Chat"))
        self.tabs.addTab(self._build_feed(), self.tr("Live feed"))
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 800])
        self.setCentralWidget(central)

        status = self.statusBar()
        self.path_label = QLabel(
            self.tr("exchange.db: %1").replace("%1", str(self.poller.exchange_db))
        )
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.health_label = QLabel(self.tr("demo.exe: waiting for the first check"))
        self.state_label = QLabel("")
        status.addWidget(self.path_label, 1)
        status.addPermanentWidget(self.state_label)
        status.addPermanentWidget(self.health_label)

    def _build_conversations(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(box)
        self.search.setPlaceholderText(self.tr("Search names and messages…"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.conversation_view = ConversationView(box)
        self.conversation_view.setModel(self.conversations)
        self.conversation_view.setItemDelegate(ConversationDelegate(self.conversation_view))
        self.conversation_view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.conversation_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.conversation_view.setMinimumWidth(220)
        self.list_hold = ListHold(self.conversation_view, self.conversations)
        layout.addWidget(self.conversation_view, 1)
        return box

    def _build_chat(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        self.chat_title = QLabel(self.tr("Choose a conversation on the left"), box)
        font = self.chat_title.font()
        font.setBold(True)
        self.chat_title.setFont(font)
        layout.addWidget(self.chat_title)
        self.waiting_hint = QLabel(self._waiting_text(), box)
        self.waiting_hint.setWordWrap(True)
        self.waiting_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.waiting_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.waiting_hint.setMargin(24)
        layout.addWidget(self.waiting_hint, 1)
        self.chat_view = ChatView(box)
        self.chat_view.setModel(self.chat)
        self.bubbles = BubbleDelegate(self.chat_view)
        self.chat_view.setItemDelegate(self.bubbles)
        self.chat_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.chat_view.customContextMenuRequested.connect(self._chat_menu)
        layout.addWidget(self.chat_view, 1)
        row = QHBoxLayout()
        self.composer = Composer(box)
        self.composer.setMaximumHeight(self.composer.fontMetrics().height() * 4 + 12)
        row.addWidget(self.composer, 1)
        buttons = QVBoxLayout()
        self.send_button = QPushButton(self.tr("Send"), box)
        self.picture_button = QPushButton(self.tr("Picture…"), box)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.picture_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        self.quick_picker = QuickReplyPicker(self.composer, box)  # opens on "/"
        layout.addWidget(self.quick_picker)
        layout.addLayout(row)
        self._set_composer_enabled(False)
        return box

    def _build_feed(self) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.kind_box = QComboBox(box)
        for label, kind in (
            (self.tr("All kinds"), ""),
            (self.tr("Private"), "private"),
            (self.tr("Group"), "group"),
            (self.tr("Outgoing"), "outgoing"),
            (self.tr("System"), "system"),
            (self.tr("Flagged rows"), "flagged"),
        ):
            self.kind_box.addItem(label, kind)
        self.feed_search = QLineEdit(box)
        self.feed_search.setPlaceholderText(self.tr("Filter the feed…"))
        self.feed_search.setClearButtonEnabled(True)
        row.addWidget(self.kind_box)
        row.addWidget(self.feed_search, 1)
        layout.addLayout(row)
        self.feed_view = FeedView(box)
        self.feed_view.setModel(self.feed)  # through feed_filter while a filter is set
        self.feed_view.setItemDelegate(FeedDelegate(self.feed, self.feed_view))
        header = self.feed_view.horizontalHeader()
        for column, width in ((0, 70), (1, 170), (2, 140), (3, 90), (4, 130)):
            header.resizeSection(column, width)
        layout.addWidget(self.feed_view, 1)
        return box

    def _connect(self) -> None:
        poller = self.poller
        poller.ready.connect(self._on_ready)
        poller.startFailed.connect(self._on_start_failed)
        poller.polled.connect(self._on_polled)
        poller.failed.connect(self._on_failed)
        poller.settingsProblems.connect(self._on_settings_problems)
        poller.historyLoaded.connect(self._on_history)
        poller.conversationsLoaded.connect(self._on_conversations)
        poller.pausedChanged.connect(self._on_paused)
        self.chat.olderWanted.connect(poller.load_history)
        self.conversations.aliasEdited.connect(self._on_alias_edited)
        self.conversation_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.conversation_view.customContextMenuRequested.connect(self._conversation_menu)
        for view in (self.chat_view, self.feed_view):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(partial(self._message_menu, view))
        self.feed_view.activated.connect(self._open_from_feed)
        # A full-text search per keystroke would queue work the next key makes
        # useless: search once typing pauses.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: poller.load_conversations(self.search.text()))
        self.search.textChanged.connect(self._search_timer.start)
        self.feed_search.textChanged.connect(self._filter_feed)
        self.kind_box.currentIndexChanged.connect(self._filter_feed)
        self.composer.submitted.connect(self.send_text)
        self.composer.unsendableSubmitted.connect(self.ask_unsendable)
        poller.directoryLoaded.connect(self._on_directory)
        self.tray.activated.connect(self.bring_to_front)
        self.tray.quitRequested.connect(self.quit)
        self.quit_action.triggered.connect(self.quit)
        self.settings_action.triggered.connect(self.open_settings)
        self.quick_picker.editRequested.connect(self.open_settings)
        self.composer.imagePasted.connect(self._on_image_pasted)
        self.composer.picturesDropped.connect(self._on_pictures_dropped)
        self.send_button.clicked.connect(self.composer.submit)
        self.picture_button.clicked.connect(self.choose_picture)
        self.pause_action.toggled.connect(poller.set_paused)

    # -- the pages' interface (wxpanel.gui.host.PageHost) -------------------------------

    def add_page(
        self, widget: QWidget, title: str, after: QWidget | None = None, tooltip: str = ""
    ) -> None:
        """A tab right after ``after`` (None: after the last one): the order is stated."""
        position = self.tabs.count() if after is None else self.tabs.indexOf(after) + 1
        if position <= 0:
            raise ValueError(f"{title!r} is to follow a page the window does not have")
        index = self.tabs.insertTab(position, widget, title)
        if tooltip:
            self.tabs.setTabToolTip(index, tooltip)

    def set_page_title(self, widget: QWidget, title: str, icon: QIcon | None = None) -> None:
        """Only what changed is set: a new tab text or icon relayouts the whole window."""
        index = self.tabs.indexOf(widget)
        if index < 0:
            return
        if self.tabs.tabText(index) != title:
            self.tabs.setTabText(index, title)
        if icon is not None:
            self.tabs.setTabIcon(index, icon)

    def show_page(self, widget: QWidget) -> None:
        self.tabs.setCurrentWidget(widget)

    def add_action(self, action: QAction) -> None:
        """In the toolbar before the spacer; its shortcut works with the toolbar hidden too."""
        self.addAction(action)
        self.toolbar.insertAction(self._toolbar_spacer, action)

    def add_status_widget(self, widget: QWidget) -> None:
        self.statusBar().addPermanentWidget(widget)

    def add_banner(self, banner: Banner) -> None:
        """Under the window's banner (and the strips added before)."""
        self._extra_banners += 1
        self._banners.insertWidget(self._banners.indexOf(self.banner) + self._extra_banners, banner)

    # -- life ---------------------------------------------------------------------------

    def start(self) -> None:
        self.poller.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the poller (its pending requests first) before the window goes.

        With "close to tray" the window only hides and the poller keeps going.
        """
        if self.preferences.close_to_tray and self.tray.icon is not None and not self._quitting:
            event.ignore()
            self.hide()
            return
        # The user closed the window (not a programmatic close): say what waits.
        if event.spontaneous() and not self._quitting and not self.confirm_quit():
            event.ignore()
            return
        self.poller.stop()
        self.closing.emit()
        super().closeEvent(event)

    def quit(self) -> None:
        """Close for good, even with "close to tray" (Ctrl+Q, the toolbar, the tray)."""
        if not self._quitting and not self.confirm_quit():
            return
        self._quitting = True
        self.close()

    def queued_replies(self) -> int:
        """Replies not yet handed to demo.exe: they wait in history for the next start."""
        health = self.health
        return 0 if health is None else health.queued

    def confirm_quit(self) -> bool:
        """True to quit; with replies queued, the operator is told how many will wait."""
        count = self.queued_replies()
        return count == 0 or self.ask_quit(count)

    def ask_quit(self, count: int) -> bool:
        """The question; a method of the window so tests can answer it."""
        answer = QMessageBox.question(
            self,
            self.tr("Quit wxpanel?"),
            self.tr(
                "%1 replies are still queued. They wait in wxpanel's history and are sent"
                " when wxpanel runs again. Quit now?"
            ).replace("%1", str(count)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- preferences -------------------------------------------------------------------

    def apply_preferences(self, preferences: Preferences) -> None:
        self.preferences = preferences
        apply_theme(preferences.theme)
        # What paints its own colours follows the theme too (not every widget
        # with a style sheet hears of the application's new palette).
        for banner in self.findChildren(Banner):
            banner.restyle()
        palette.restyle(self)
        self.feed.restyle()
        self.composer.enter_sends = preferences.enter_sends
        self.composer.quick_replies = dict(preferences.quick_replies)
        if preferences.enter_sends:
            hint = self.tr("Type a reply: Enter sends, Shift+Enter new line, /code quick reply")
        else:
            hint = self.tr("Type a reply: Ctrl+Enter sends, Enter new line, /code quick reply")
        self.composer.setPlaceholderText(hint)
        self.preferencesApplied.emit(preferences)

    def open_settings(self) -> None:
        settings_file = self.poller.paths.settings
        dialog = SettingsDialog(
            self.preferences, load_pacer(settings_file), self, self.poller.exchange_db
        )
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self.change_preferences(dialog.preferences(), dialog.pacer())
            if dialog.new_exchange is not None:
                self._remember_exchange(dialog.new_exchange)

    def _remember_exchange(self, path: Path) -> None:
        """Opened at the next start: the running poller keeps its file until then."""
        try:
            remember_exchange(path)
        except OSError as exc:
            self._on_failed(self.tr("Cannot save the settings: %1").replace("%1", str(exc)))
            return
        self.banner.show_message(
            self.tr("wxpanel opens %1 at its next start.").replace("%1", str(path))
        )

    def change_preferences(
        self, preferences: Preferences, pacer: PacerConfig | None = None
    ) -> None:
        """Apply and save in settings.json beside the history (pacing: at the next start)."""
        before, after = self.preferences.to_json(), preferences.to_json()
        changed = sorted(key for key in after if after[key] != before.get(key))
        if changed or pacer is not None:
            names = ", ".join([*changed, *(["pacing"] if pacer is not None else [])])
            activity.changed("settings", f"changed ({names})")
        self.apply_preferences(preferences)
        try:
            save_preferences(self.poller.paths.settings, preferences, pacer)
        except SettingsError as exc:  # settings.json unreadable: kept, not replaced
            self._on_failed(problem_text(exc.problem))
        except OSError as exc:
            text = self.tr("Cannot save the settings: %1").replace("%1", str(exc))
            self._on_failed(text)

    # -- from the poller -------------------------------------------------------------------

    def _on_ready(self, paths: DataPaths) -> None:
        self.poller.load_conversations(self.search.text())
        self.path_label.setToolTip(
            self.tr("History and settings in %1").replace("%1", str(paths.root))
        )

    def _on_start_failed(self, message: str) -> None:
        self.banner.show_message(message)
        self._banner_from_health = False
        self.fatalError.emit(message)

    def _on_polled(self, result: PollResult) -> None:
        """The window's share of a round: messages, command updates, health, in that order."""
        if result.messages:
            self._on_messages(result.messages)
        if result.updates:
            self._on_updates(result.updates)
        if result.health is not None:
            self._on_health(result.health)

    def _on_messages(self, batch: tuple[Message, ...]) -> None:
        """Queue a batch, merged with one still waiting for its frame; big ones in slices."""
        rest = list(batch)
        tail = self._pending[-1] if self._pending else None
        if isinstance(tail, _ShowMessages) and len(tail.messages) < CHUNK:
            room = CHUNK - len(tail.messages)
            tail.messages.extend(rest[:room])
            rest = rest[room:]
        for start in range(0, len(rest), CHUNK):
            self._enqueue(_ShowMessages(self._apply_messages, rest[start : start + CHUNK]))

    def _on_updates(self, updates: tuple[CommandUpdate, ...]) -> None:
        self._enqueue(partial(self._apply_updates, updates))

    def _enqueue(self, step: Callable[[], None]) -> None:
        """Keep the poller's order: a reply, a status or a fresh list never overtakes
        a batch that is still waiting to be shown (and counted twice after it)."""
        self._pending.append(step)
        self._schedule()

    def _schedule(self) -> None:
        """Run the next step now, or messages at the next frame after the last shown."""
        if self._drain_timer.isActive() or not self._pending:
            return
        delay = 0
        if isinstance(self._pending[0], _ShowMessages):
            due = self._shown_at + FRAME_MS / 1000
            delay = max(0, round((due - time.monotonic()) * 1000))
        self._drain_timer.start(delay)

    def _drain(self) -> None:
        """Apply one queued step, then yield to the event loop (input, painting)."""
        if self._pending:
            step = self._pending.popleft()
            step()
            if isinstance(step, _ShowMessages):
                self._shown_at = time.monotonic()
        self._schedule()

    def _apply_messages(self, batch: tuple[Message, ...]) -> None:
        self.feed.append(batch)
        self.chat.append(batch)
        if self.chat_view.follower.at_bottom:
            self.chat.trim(CHAT_KEEP)
        for view in (self.feed_view, self.chat_view):
            if view.isVisible():
                # Laid out now, not at Qt's next turn: the new rows, the scroll
                # that follows them and the bar are then painted in one pass
                # of the window, not two a frame.
                view.executeDelayedItemsLayout()
        self._list_backlog.extend(batch)
        if not self._list_timer.isActive():
            self._list_timer.start()
        self._notify(batch)
        active = self.conversations.active
        if active and any(m.conversation == active and counts_as_unread(m) for m in batch):
            self._seen_open = active  # the user is looking at it: saved with the list

    def _fold_into_list(self) -> None:
        """The conversation list and the unread count catch up with the tabs.

        The open conversation's new messages are marked read in history here,
        once a second, not with every frame: each is a write transaction on
        the worker, which was 6 % of its time with a busy group open.
        """
        backlog, self._list_backlog = self._list_backlog, []
        if backlog:
            self.conversations.apply_messages(backlog)
            self._update_title()
        seen, self._seen_open = self._seen_open, None
        if seen is not None:
            self.poller.mark_read(seen)

    def _apply_updates(self, updates: tuple[CommandUpdate, ...]) -> None:
        self.feed.apply_updates(updates)
        self.chat.apply_updates(updates)

    def _on_health(self, health: Health) -> None:
        self.health = health
        self.health_label.setText(
            self.tr("demo.exe: backlog %1 · pending %2 · queued %3 · stuck %4")
            .replace("%1", str(health.backlog))
            .replace("%2", str(health.pending_commands))
            .replace("%3", str(health.queued))
            .replace("%4", str(health.stuck))
        )
        problem = self._health_problem(health)
        if problem:
            self.banner.show_message(problem)
            self._banner_from_health = True
        elif self._banner_from_health:
            self.banner.clear_message()
            self._banner_from_health = False

    def _health_problem(self, health: Health) -> str:
        if health.error:
            return self._error_text(health)
        if health.locked_since is not None:
            seconds = time.time() - health.locked_since
            if seconds >= LOCK_BANNER_AFTER:
                text = self.tr("exchange.db locked for %1 s by another program; waiting.")
                return text.replace("%1", str(int(seconds)))
        # Stuck commands turn the health check "demo.exe" red: the dashboard's
        # alert strip says so, and a second banner here would repeat it.
        return ""

    def _error_text(self, health: Health) -> str:
        """The poller's error in the user's language."""
        path = health.exchange
        detail = translated(health.problem) if health.problem is not None else health.error
        if health.error_kind == "gone":
            return self.tr(
                "%1 is gone: wxpanel waits for it to come back. Was demo.exe's folder moved?"
            ).replace("%1", path)
        if health.error_kind == "disk_full":
            return self.tr("The disk of %1 is full: free some space; wxpanel retries.").replace(
                "%1", path
            )
        if health.error_kind == "schema":
            headline = self.tr("%1 is not demo.exe's exchange.db any more.").replace("%1", path)
            return f"{headline}\n{detail}"
        advice = self.tr("Retrying. Check that the file exists and its folder is writable.")
        return f"{detail}\n{advice}"

    def _on_settings_problems(self, problems: tuple[SettingsProblem, ...]) -> None:
        """Said before the panel runs on defaults; the log has the same lines."""
        self._on_failed(problems_text(problems))

    def _on_failed(self, message: str) -> None:
        self.banner.show_message(message)
        self._banner_from_health = False

    def _on_history(
        self, conversation: str, before_id: int, page: tuple[Message, ...], exhausted: bool
    ) -> None:
        self._enqueue(partial(self._apply_history, conversation, before_id, page, exhausted))

    def _apply_history(
        self, conversation: str, before_id: int, page: tuple[Message, ...], exhausted: bool
    ) -> None:
        self.chat.add_page(conversation, before_id, page, exhausted)
        if before_id == 0:
            self.chat_view.scrollToBottom()

    def _on_conversations(
        self, search: str, found: tuple[Conversation, ...], aliases: tuple[tuple[str, str], ...]
    ) -> None:
        self._enqueue(partial(self._apply_conversations, search, found, dict(aliases)))

    def _apply_conversations(
        self, search: str, found: tuple[Conversation, ...], aliases: dict[str, str]
    ) -> None:
        if search != self.search.text():
            return  # an older answer; a newer request is on its way
        self._fold_into_list()  # what arrived before this list, in order
        active = self.conversations.active
        self.conversations.known_aliases = aliases
        self.conversations.load(found, filtered=bool(search))
        self._apply_names()
        if active is not None:
            row = self.conversations.row_of(active)
            if row >= 0:
                self.conversation_view.selectionModel().blockSignals(True)
                self.conversation_view.setCurrentIndex(self.conversations.index(row, 0))
                self.conversation_view.selectionModel().blockSignals(False)
        self._update_title()

    def _on_paused(self, paused: bool) -> None:
        self.state_label.setText(self.tr("Paused") if paused else "")
        if self.pause_action.isChecked() != paused:
            self.pause_action.setChecked(paused)

    # -- user actions -----------------------------------------------------------------------

    def _filter_feed(self, *_changed: object) -> None:
        """The feed's kind or text filter changed: the view shows the feed through it, if set."""
        self.feed_filter.set_filter(str(self.kind_box.currentData()), self.feed_search.text())
        self.feed_view.show_model(self.feed_filter if self.feed_filter.active else self.feed)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conversation = current.data(ConversationRole)
        self.open_conversation(conversation.id if isinstance(conversation, Conversation) else None)

    def open_conversation(self, conversation: str | None) -> None:
        if conversation == self.conversations.active:
            return
        self.conversations.active = conversation
        self.chat.open(conversation)
        if conversation is None:
            self.chat_title.setText(self.tr("Choose a conversation on the left"))
            self._set_composer_enabled(False)
            return
        row = self.conversations.row_of(conversation)
        name = self.conversations.conversation(row).display_name if row >= 0 else conversation
        self.chat_title.setText(name if name == conversation else f"{name}  ({conversation})")
        self._set_composer_enabled(True)
        self.tabs.setCurrentIndex(0)
        if self.conversations.mark_read(conversation):
            self.poller.mark_read(conversation)
        self._update_title()
        self.composer.setFocus()

    def send_text(self, text: str) -> None:
        to = self.conversations.active
        if to:
            self.poller.send_text(to, text)

    def ask_unsendable(self, text: str, chars: list[str]) -> QMessageBox:
        """Say which characters cannot reach WeChat; send without them, or go back to editing."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Characters WeChat will not receive"),
            self.tr(
                "demo.exe passes text to WeChat through code page 936 (GBK), which"
                " lacks these characters: %1"
            ).replace("%1", describe(chars)),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(self.tr("Send without them, or cancel and edit the text?"))
        self.send_without_button = box.addButton(
            self.tr("Send without them"), QMessageBox.ButtonRole.AcceptRole
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done() -> None:
            if box.clickedButton() is self.send_without_button:
                self.composer.send_without_unsendable()
            else:
                self.composer.setFocus()

        box.finished.connect(lambda _code: done())
        self.unsendable_box = box
        box.open()
        return box

    def choose_picture(self) -> None:
        if self.conversations.active:
            path = self.pick_picture_file()
            if path:
                self.offer_picture(path)

    def offer_picture(self, path: str) -> None:
        """Preview, then send as an absolute path (demo.exe reads the file itself)."""
        to = self.conversations.active
        if to and self.confirm_picture(path):
            self.poller.send_picture(to, str(Path(path).resolve()))

    def _on_pictures_dropped(self, paths: list[str]) -> None:
        for path in paths:
            self.offer_picture(path)

    def _on_image_pasted(self, image: QImage) -> None:
        """Save a pasted picture in the media folder: demo.exe needs a file to send."""
        if not self.conversations.active:
            return
        folder = self.poller.paths.media
        saved = pictures.save_pasted(image, folder)
        if saved is None:
            text = self.tr("Cannot save the pasted picture in %1").replace("%1", str(folder))
            self._on_failed(text)
            return
        self.offer_picture(str(saved))

    def confirm_picture(self, path: str) -> bool:
        """The preview; a method of the window so tests can answer it."""
        return pictures.confirm(self, path)

    def pick_picture_file(self) -> str:
        """The file dialog; a method of the window so tests can answer it."""
        return pictures.pick(self)

    def _conversation_menu(self, point: QPoint) -> None:
        index = self.conversation_view.indexAt(point)
        if not index.isValid():
            return
        conversation = index.data(ConversationRole)
        menu = QMenu(self)
        rename = menu.addAction(self.tr("Rename…"))
        read = menu.addAction(self.tr("Mark as read"))
        mute = menu.addAction(self.tr("Mute notifications"))
        mute.setCheckable(True)
        mute.setChecked(conversation.muted)
        chosen = menu.exec(self.conversation_view.viewport().mapToGlobal(point))
        if chosen is rename:
            self.conversation_view.edit(index)
        elif chosen is mute:
            self.set_muted(conversation.id, not conversation.muted)
        elif chosen is read and self.conversations.mark_read(conversation.id):
            self.poller.mark_read(conversation.id)
            self._update_title()

    def _message_menu(self, view: QAbstractItemView, point: QPoint) -> None:
        """A bubble's or a feed row's menu: the raw text behind a summary like "[图片]",
        and for a feed row its conversation."""
        message = view.indexAt(point).siblingAtColumn(0).data(MessageRole)
        if not isinstance(message, Message):
            return
        menu = QMenu(self)
        chat = None
        if view is self.feed_view:
            chat = menu.addAction(self.tr("Open the conversation"))
            menu.setDefaultAction(chat)  # (what a double click does)
        raw = menu.addAction(self.tr("Show the raw text…"))
        raw.setEnabled(bool(message.content))
        chosen = menu.exec(view.viewport().mapToGlobal(point))
        if chosen is raw:
            self.show_raw(message)
        elif chosen is not None and chosen is chat:
            self.show_conversation(message.conversation)

    def _open_from_feed(self, index: QModelIndex) -> None:
        """A feed row double-clicked (or Return on it): answer it where it was said."""
        message = self.feed_view.message_at(index)
        if message is not None:
            self.show_conversation(message.conversation)

    def show_conversation(self, conversation: str) -> None:
        """The chat tab on ``conversation``, chosen in the list if the list shows it."""
        row = self.conversations.row_of(conversation)
        if row >= 0:
            self.conversation_view.setCurrentIndex(self.conversations.index(row, 0))
            self.conversation_view.scrollTo(self.conversations.index(row, 0))
        self.open_conversation(conversation)  # (not listed: the search hides it)
        self.tabs.setCurrentIndex(0)
        self.composer.setFocus()

    def show_raw(self, message: Message) -> RawTextDialog:
        """The message's content as stored (XML and all), to read or copy."""
        dialog = RawTextDialog(message.content or "", self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _on_alias_edited(self, wxid: str, alias: str) -> None:
        self.poller.set_alias(wxid, alias)
        known = self.conversations.known_aliases
        if alias:
            known[wxid] = alias
        else:
            known.pop(wxid, None)
        self._apply_names()
        if wxid == self.conversations.active:
            name = alias or self.directory.get(wxid).name  # cleared: demo.exe's name again
            self.chat_title.setText(f"{name}  ({wxid})" if name else wxid)

    def _on_directory(self, directory: Directory) -> None:
        """At most one directory per list frame: each new conversation sends one.

        Under a flood of messages from conversations the history did not know,
        the poller sends a directory with nearly every batch; the latest one
        waits for the frame instead of each re-naming the feed and the pickers.
        """
        self._next_directory = directory
        if not self._directory_timer.isActive():
            self._apply_directory()

    def _apply_directory(self) -> None:
        directory, self._next_directory = self._next_directory, None
        if directory is None:
            return
        self.directory = directory
        self._apply_names()
        self._directory_timer.start()

    def _apply_names(self) -> None:
        """Who is who in the feed and the bubbles: the alias, else demo.exe's name.

        Aliases edited here win at once, before the poller's next directory.
        """
        names = self.directory.nicknames()
        names.update(self.conversations.known_aliases)
        if names == self.bubbles.aliases:
            return  # a directory with new conversations but no new names: nothing to paint
        self.feed.set_aliases(names)
        if self.feed_filter.active:  # the proxy tests rows when inserted, not when renamed
            self.feed_filter.invalidateRowsFilter()
        self.bubbles.aliases = names
        self.chat_view.viewport().update()

    def _chat_menu(self, point: QPoint) -> None:
        """A group member has no name from demo.exe: the operator may give one here."""
        index = self.chat_view.indexAt(point)
        message = index.data(MessageRole) if index.isValid() else None
        if not isinstance(message, Message) or not message.is_group or not message.sender:
            return
        menu = QMenu(self)
        name = menu.addAction(self.tr("Name this member…"))
        if menu.exec(self.chat_view.viewport().mapToGlobal(point)) is name:
            self.name_member(message.sender)

    def name_member(self, wxid: str) -> None:
        current = self.conversations.known_aliases.get(wxid) or self.directory.get(wxid).alias
        alias, ok = self.ask_text(
            self.tr("Name this member"),
            self.tr("Name for %1 (empty: none):").replace("%1", wxid),
            current or "",
        )
        if ok:
            self._on_alias_edited(wxid, alias.strip())

    def ask_text(self, title: str, label: str, text: str) -> tuple[str, bool]:
        """A one-line question; a method of the window so tests can answer it."""
        return QInputDialog.getText(self, title, label, text=text)

    # -- helpers ----------------------------------------------------------------------------

    def _notify(self, batch: tuple[Message, ...]) -> None:
        if self.tray.icon is None or not self.preferences.notifications:
            return
        active, focused = self.conversations.active, self.isActiveWindow()
        fresh = [
            m
            for m in batch
            if worth_notifying(m, self.conversations.find(m.conversation), active, focused)
        ]
        if fresh:
            summary = self.tr("%1 new private messages").replace("%1", str(len(fresh)))
            names = {c: n for c in {m.conversation for m in fresh} if (n := self._name(c))}
            self.tray.notify(fresh, names, summary)

    def _name(self, conversation: str) -> str:
        found = self.conversations.find(conversation)
        return found.display_name if found is not None else conversation

    def set_muted(self, conversation: str, muted: bool) -> None:
        """No notifications from this conversation (kept in history.db)."""
        if self.conversations.set_muted(conversation, muted):
            self.poller.set_muted(conversation, muted)

    def bring_to_front(self) -> None:
        """Above the other windows, even if minimised (tray click, second start)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _set_composer_enabled(self, enabled: bool) -> None:
        for widget in (self.composer, self.send_button, self.picture_button):
            widget.setEnabled(enabled)

    def _waiting_text(self) -> str:
        folder = str(Path(self.poller.exchange_db).parent)
        return (
            self.tr(
                "Waiting for demo.exe…\n\nNo message has arrived yet. Check that:\n"
                "• demo.exe runs in %1, beside exchange.db\n"
                "• WeChat 2.6.8.51 is running and logged in\n\n"
                "Messages show here as soon as demo.exe writes them."
            )
        ).replace("%1", folder)

    def _show_waiting(self) -> None:
        """The empty panel says what it waits for, not just nothing."""
        empty = self.conversations.rowCount() == 0 and not self.search.text()
        self.waiting_hint.setVisible(empty)
        self.chat_view.setVisible(not empty)
        self.chat_title.setVisible(not empty)

    def _update_title(self) -> None:
        self._show_waiting()
        unread = self.conversations.total_unread
        title = self.tr("wxpanel")
        if unread:
            title = self.tr("wxpanel — %1 unread").replace("%1", str(unread))
        self.setWindowTitle(title)
        self.tray.set_unread(unread, title)
