"""The Rules page and the Timed messages page.

Both edit through a :class:`~wxpanel.core.rules.RuleStore` /
:class:`~wxpanel.core.rules.TimedStore` on the panel's own short-lived
transactions in the GUI thread: edits are rare user actions, and each is one
small ``BEGIN IMMEDIATE`` write.  The running poller notices the change
(``rules_version`` / ``timed_version``) and reloads at once.  Nothing here
reads the database on a timer or on a repaint: counters and timed runs
arrive from the poller as values.
"""

from __future__ import annotations

import html
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.codepage import as_delivered
from wxpanel.core.errors import KnownError
from wxpanel.core.names import Directory
from wxpanel.core.protocol import is_group_id
from wxpanel.core.rules import (
    AutoReplyConfig,
    Incoming,
    ReplyMode,
    Rule,
    RuleCounter,
    RuleStore,
    TimedMessage,
    TimedStore,
    TryResult,
    try_stored,
)
from wxpanel.core.rules.model import target_refusal
from wxpanel.core.rules.timed import TimedOutcome, TimedRun
from wxpanel.core.sources import SourceStore
from wxpanel.gui import palette, targets
from wxpanel.gui.history_service import busy
from wxpanel.gui.rule_dialog import RuleDialog, SafetyDialog, TimedDialog
from wxpanel.gui.rules_model import MissedRunsModel, RulesModel, TimedModel
from wxpanel.gui.texts import error_text
from wxpanel.gui.texts import text as rules_text

T = TypeVar("T")


def _table(parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    return view


def _undo_controls(page: QWidget, stack: QUndoStack, label: str) -> tuple[QAction, QToolButton]:
    """Undo for a page: Ctrl+Z while focus is inside it, and a button showing what it undoes."""
    action = stack.createUndoAction(page, label)
    action.setShortcut(QKeySequence.StandardKey.Undo)
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    page.addAction(action)
    button = QToolButton(page)
    button.setDefaultAction(action)
    return action, button


def _button(text: str, parent: QWidget, tip: str = "") -> QPushButton:
    button = QPushButton(text, parent)
    if tip:
        button.setToolTip(tip)
    return button


def _until(moment: float) -> str:
    return QCoreApplication.translate("RulesPage", "until %1").replace(
        "%1", time.strftime("%H:%M", time.localtime(moment))
    )


def _problem(exc: Exception) -> str:
    if busy(exc):
        return QCoreApplication.translate("RulesPage", "history.db is busy; try again in a moment")
    return error_text(exc)


class _DeleteRule(QUndoCommand):
    """Delete a rule; undo puts it back with its id, place and counters."""

    def __init__(self, page: RulesPage, rule: Rule) -> None:
        super().__init__(
            QCoreApplication.translate("RulesPage", "Delete “%1”").replace("%1", rule.label)
        )
        self.page = page
        self.rule = rule
        self._done = True  # the page deleted it before pushing

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        assert self.rule.id is not None
        self.page.store_call(lambda store: store.delete(self.rule.id or 0))
        self.page.reload()

    def undo(self) -> None:
        restored = self.page.store_call(lambda store: store.add(self.rule, self.rule.position))
        self.page.reload(select=restored.id if restored else None)


class RulesPage(QWidget):
    """The rules table, its actions, and the "try it" box."""

    #: Something went wrong writing or reading (for the window's banner).
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: RuleStore | None = None
        self.sources: SourceStore | None = None
        #: Known conversations and contacts, given by the poller (see set_directory).
        self.directory = Directory()
        self.dialog: RuleDialog | None = None
        self.settings_dialog: SafetyDialog | None = None
        self.clock: Callable[[], float] = time.time
        self.model = RulesModel(self)
        #: The rules and counters last read from the store.
        self._last_read: tuple[list[Rule], dict[int, RuleCounter]] = ([], {})
        self.undo_stack = QUndoStack(self)
        self._paused: list[str] = []
        self._build()
        self._connect()
        self._update_actions()

    # -- construction -----------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.add_button = _button(self.tr("Add…"), self)
        self.edit_button = _button(self.tr("Edit…"), self)
        self.duplicate_button = _button(self.tr("Duplicate"), self)
        self.delete_button = _button(self.tr("Delete"), self)
        self.undo_action, self.undo_button = _undo_controls(self, self.undo_stack, self.tr("Undo"))
        self.up_button = _button(self.tr("Move up"), self, self.tr("Answer before the rule above"))
        self.down_button = _button(self.tr("Move down"), self)
        self.reload_button = _button(
            self.tr("Reload"), self, self.tr("Read the rules again (after a command-line import)")
        )
        self.settings_button = _button(
            self.tr("Settings…"), self, self.tr("The account's nicknames and the safety limits")
        )
        for button in (
            self.add_button,
            self.edit_button,
            self.duplicate_button,
            self.delete_button,
            self.undo_button,
            self.up_button,
            self.down_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.settings_button)
        row.addWidget(self.reload_button)
        layout.addLayout(row)
        hint = QLabel(
            self.tr(
                "The first matching rule answers; drag rows to reorder. Changes apply at once."
            ),
            self,
        )
        hint.setWordWrap(True)
        palette.colour_text(hint, "muted")
        layout.addWidget(hint)
        self.paused_bar = QWidget(self)
        paused_row = QHBoxLayout(self.paused_bar)
        paused_row.setContentsMargins(0, 0, 0, 0)
        self.paused_label = QLabel(self.paused_bar)
        self.paused_label.setWordWrap(True)
        palette.colour_text(self.paused_label, "error")
        self.resume_button = _button(
            self.tr("Resume"), self.paused_bar, self.tr("Answer these conversations again now")
        )
        paused_row.addWidget(self.paused_label, 1)
        paused_row.addWidget(self.resume_button)
        self.paused_bar.hide()
        layout.addWidget(self.paused_bar)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.view = _table(splitter)
        self.view.setModel(self.model)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropOverwriteMode(False)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.delete_key = QAction(self.view)
        self.delete_key.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.addAction(self.delete_key)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(RulesModel.ON, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RulesModel.REPLY, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (RulesModel.NAME, 120),
            (RulesModel.TRIGGERS, 140),
            (RulesModel.WHERE, 130),
            (RulesModel.MATCHED, 60),
            (RulesModel.SENT, 45),
            (RulesModel.LAST, 115),
        ):
            header.resizeSection(column, width)
        splitter.addWidget(self.view)
        splitter.addWidget(self._build_try())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

    def _build_try(self) -> QWidget:
        box = QGroupBox(self.tr("Try it"), self)
        layout = QVBoxLayout(box)
        form = QFormLayout()
        self.try_conversation = QLineEdit(box)
        self.try_conversation.setPlaceholderText(self.tr("wxid_… (private) or …@chatroom (group)"))
        self.try_sender = QLineEdit(box)
        self.try_sender.setPlaceholderText(self.tr("In a group: the member who writes"))
        self.try_text = QLineEdit(box)
        self.try_text.setPlaceholderText(self.tr("A sample message"))
        self.try_button = _button(self.tr("Try"), box)
        text_row = QHBoxLayout()
        text_row.addWidget(self.try_text, 1)
        text_row.addWidget(self.try_button)
        form.addRow(self.tr("Conversation:"), self.try_conversation)
        form.addRow(self.tr("Sender:"), self.try_sender)
        form.addRow(self.tr("Message:"), text_row)
        layout.addLayout(form)
        self.try_result = QTextBrowser(box)
        self.try_result.setOpenLinks(False)
        self.try_result.setPlaceholderText(
            self.tr("Which rule would answer, and exactly what it would send, shows here.")
        )
        layout.addWidget(self.try_result, 1)
        return box

    def _connect(self) -> None:
        self.add_button.clicked.connect(self.add_rule)
        self.edit_button.clicked.connect(self.edit_selected)
        self.duplicate_button.clicked.connect(self.duplicate_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.delete_key.triggered.connect(self.delete_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.reload_button.clicked.connect(lambda: self.reload(select=self.selected_id()))
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.model.enabledChangeRequested.connect(self.set_enabled)
        self.model.orderChanged.connect(self.set_order)
        self.try_button.clicked.connect(self.try_it)
        self.resume_button.clicked.connect(self.resume_paused)
        self.settings_button.clicked.connect(self.open_settings)
        self.try_text.returnPressed.connect(self.try_it)
        self.try_conversation.textChanged.connect(self._on_try_conversation)
        self._on_try_conversation()

    # -- the store ------------------------------------------------------------------------

    def attach(self, store: RuleStore | None, sources: SourceStore | None = None) -> None:
        """Work on ``store`` (None: no database yet, or closed).

        ``sources`` is read for the names a rule may hand its question to.
        """
        self.store = store
        self.sources = sources
        self.undo_stack.clear()
        self.reload()

    def store_call(self, action: Callable[[RuleStore], T]) -> T | None:
        """Run one store action; a refusal or a lock is reported, never raised."""
        if self.store is None:
            return None
        try:
            return action(self.store)
        except (KnownError, sqlite3.Error, OSError) as exc:
            self.failed.emit(self.tr("Rules: %1").replace("%1", _problem(exc)))
            return None

    def store_do(self, action: Callable[[RuleStore], object]) -> bool:
        """:meth:`store_call` for an action without a result: whether it worked."""

        def run(store: RuleStore) -> bool:
            action(store)
            return True

        return self.store_call(run) is not None

    def reload(self, select: int | None = None) -> None:
        """Read the rules and counters again (after an edit; never on a timer)."""
        loaded = self.store_call(lambda store: (store.rules(), store.counters()))
        if loaded is None and self.store is not None:
            loaded = self._last_read  # history.db busy (said in the banner): as last read,
            # which also takes back a change the store refused (a switch, a new order)
        rules, counters = loaded if loaded is not None else ([], {})
        self._last_read = (rules, counters)
        self.model.load(rules, counters)
        if select is not None:
            self.select_rule(select)
        self.refresh_paused()
        self._update_actions()

    def refresh_paused(self) -> None:
        """Conversations loop detection stopped answering (read after an alert or an edit)."""
        paused = self.store_call(lambda store: store.paused(self.clock())) or []
        self._paused = [item.conversation for item in paused]
        if paused:
            names = ", ".join(f"{item.conversation} ({_until(item.until)})" for item in paused[:5])
            if len(paused) > 5:
                names += " …"
            self.paused_label.setText(
                self.tr("Loop detection paused auto-replies in: %1").replace("%1", names)
            )
        self.paused_bar.setVisible(bool(paused))

    def resume_paused(self) -> None:
        paused = list(self._paused)

        def resume(store: RuleStore) -> None:
            for conversation in paused:
                store.resume(conversation)

        self.store_do(resume)
        self.refresh_paused()

    def update_counters(self, counters: Iterable[RuleCounter]) -> None:
        self.model.update_counters(counters)

    # -- selection ------------------------------------------------------------------------

    def selected_row(self) -> int:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def selected_id(self) -> int | None:
        row = self.selected_row()
        return self.model.rule(row).id if row >= 0 else None

    def select_rule(self, rule_id: int | None) -> None:
        row = self.model.row_of(rule_id)
        if row < 0:
            return
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, RulesModel.NAME),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _update_actions(self) -> None:
        row = self.selected_row()
        attached = self.store is not None
        self.add_button.setEnabled(attached)
        for button in (self.edit_button, self.duplicate_button, self.delete_button):
            button.setEnabled(attached and row >= 0)
        self.up_button.setEnabled(attached and row > 0)
        self.down_button.setEnabled(attached and 0 <= row < self.model.rowCount() - 1)
        self.reload_button.setEnabled(attached)
        self.settings_button.setEnabled(attached)
        self.try_button.setEnabled(attached)

    # -- actions ---------------------------------------------------------------------------

    def add_rule(self) -> RuleDialog:
        return self.open_dialog(None)

    def edit_selected(self) -> RuleDialog | None:
        row = self.selected_row()
        return self.open_dialog(self.model.rule(row)) if row >= 0 else None

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.column() != RulesModel.ON:
            self.open_dialog(self.model.rule(index.row()))

    def open_dialog(self, rule: Rule | None) -> RuleDialog:
        """The add/edit dialog, window-modal but not blocking (``open()``)."""
        config = self.store_call(lambda store: store.config())
        dialog = RuleDialog(
            rule, config, self, sources=self.source_names(), directory=self.directory
        )
        dialog.saver = self._save
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def source_names(self) -> tuple[str, ...]:
        """The answer sources' names (none when they cannot be read now)."""
        sources = self.sources
        if sources is None:
            return ()
        try:
            return tuple(source.name for source in sources.sources())
        except (KnownError, sqlite3.Error):
            return ()

    def _dialog_closed(self, dialog: RuleDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def open_settings(self) -> SafetyDialog:
        """Nicknames and safety limits; the poller reloads them with the rules."""
        dialog = SafetyDialog(self.store_call(lambda store: store.config()), self)
        dialog.saver = self._save_config
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _save_config(self, value: object) -> str | None:
        assert isinstance(value, AutoReplyConfig)
        if self.store is None:
            return self.tr("The database is not open yet")
        try:
            self.store.set_config(value)
        except (KnownError, sqlite3.Error, OSError) as exc:
            return _problem(exc)
        return None

    def _save(self, value: object) -> str | None:
        """The dialog's saver: add or update; the store's refusal goes back to the dialog."""
        assert isinstance(value, Rule)
        if self.store is None:
            return self.tr("The database is not open yet")
        try:
            saved = self.store.update(value) if value.id is not None else self.store.add(value)
        except (KnownError, sqlite3.Error, OSError) as exc:
            return _problem(exc)
        self.reload(select=saved.id)
        return None

    def set_enabled(self, rule_id: int, enabled: bool) -> None:
        """A check box in the table: write it through (the model already shows it)."""
        if not self.store_do(lambda store: store.set_enabled(rule_id, enabled)):
            self.reload(select=rule_id)

    def set_order(self, ids: list[int]) -> None:
        """Rows were moved (drag or buttons): persist the new priority order."""
        selected = self.selected_id()
        if not self.store_do(lambda store: store.reorder(ids)):
            self.reload(select=selected)

    def move_selected(self, step: int) -> None:
        row = self.selected_row()
        if row < 0:
            return
        rule_id = self.model.rule(row).id
        if self.model.move_row(row, row + step):
            self.select_rule(rule_id)

    def duplicate_selected(self) -> None:
        rule_id = self.selected_id()
        if rule_id is None:
            return
        copy = self.store_call(lambda store: store.duplicate(rule_id))
        self.reload(select=copy.id if copy else rule_id)

    def delete_selected(self) -> None:
        rule_id = self.selected_id()
        if rule_id is None:
            return
        deleted = self.store_call(lambda store: store.delete(rule_id))
        row = self.selected_row()
        self.reload()
        if deleted is not None:
            self.undo_stack.push(_DeleteRule(self, deleted))
            if self.model.rowCount():
                self.select_rule(self.model.rule(min(row, self.model.rowCount() - 1)).id)

    # -- try it ------------------------------------------------------------------------------

    def set_directory(self, directory: Directory) -> None:
        """Known conversations and contacts (from the poller): the try-it box picks from them."""
        self.directory = directory
        targets.attach(self.try_conversation, directory, many=False)
        targets.attach(self.try_sender, directory, many=False)
        self._on_try_conversation()

    def _on_try_conversation(self) -> None:
        conversation = self.directory.resolve(self.try_conversation.text()).wxid or ""
        self.try_sender.setEnabled(is_group_id(conversation))

    def _try_warning(self, text: str) -> None:
        colour = palette.scheme().warning
        self.try_result.setHtml(f'<p style="color:{colour}">{html.escape(text)}</p>')

    def try_it(self) -> TryResult | None:
        """Which rule answers the sample, and exactly what it sends (nothing is written).

        The sample is taken as demo.exe would deliver it: characters outside
        code page 936 become ``?``.
        """
        typed = self.try_conversation.text().strip()
        if not typed:
            self._try_warning(self.tr("Enter a conversation: a name, a wxid or a …@chatroom id"))
            return None
        found = self.directory.resolve(typed)
        if found.wxid is None:
            self._try_warning(rules_text(target_refusal(found)))
            return None
        conversation = found.wxid
        sender = None
        if is_group_id(conversation) and self.try_sender.text().strip():
            member = self.directory.resolve(self.try_sender.text())
            if member.wxid is None:
                self._try_warning(rules_text(target_refusal(member)))
                return None
            sender = member.wxid
        content = as_delivered(self.try_text.text())
        sample = Incoming(conversation=conversation, content=content, sender=sender)
        now = self.clock()
        result = self.store_call(lambda store: try_stored(store.conn, sample, now=now))
        if result is not None:
            self.try_result.setHtml(self.describe(result))
        return result

    def describe(self, result: TryResult) -> str:
        """The try-it answer as HTML: each answering rule and its exact texts."""
        parts: list[str] = []
        if result.note_text is not None:
            parts.append(f"<p>{html.escape(rules_text(result.note_text))}</p>")
        for answer in result.answers:
            reply = answer.reply
            head = (
                self.tr("Rule “%1” answers %2")
                .replace("%1", html.escape(answer.rule.label))
                .replace("%2", html.escape(reply.to))
            )
            if answer.blocked_text is not None:
                colour = palette.scheme().warning
                head += " — " + self.tr("but not now: %1").replace(
                    "%1", html.escape(rules_text(answer.blocked_text))
                )
            else:
                colour = palette.scheme().ok
            parts.append(f'<p style="color:{colour}"><b>{head}</b></p>')
            if reply.mode is ReplyMode.RANDOM and len(reply.texts) > 1:
                parts.append("<p>" + self.tr("One of these, at random:") + "</p>")
            items = [
                f'<li><span style="white-space:pre-wrap">{html.escape(t)}</span></li>'
                for t in reply.texts
            ]
            if reply.picture:
                items.append(
                    "<li>" + self.tr("[picture] %1").replace("%1", html.escape(reply.picture))
                )
            if answer.rule.reply.source:
                source = html.escape(answer.rule.reply.source)
                items.append(
                    "<li>"
                    + self.tr("…then the answer source “%1” writes the reply").replace("%1", source)
                )
            parts.append("<ol>" + "".join(items) + "</ol>")
        if not result.answers and result.note_text is None:
            parts.append("<p><b>" + self.tr("No rule answers this message.") + "</b></p>")
        if result.values:
            rows = "".join(
                f"<tr><td><code>{{{html.escape(name)}}}</code></td><td>"
                + (html.escape(value) if value else "<i>" + self.tr("(empty)") + "</i>")
                + "</td></tr>"
                for name, value in result.values
            )
            heading = self.tr("The placeholders say:")
            parts.append(f"<p>{heading}</p><table cellspacing=4>{rows}</table>")
        if result.verdicts:
            lines = "".join(
                f"<li>{html.escape(rule.label)}: {html.escape(rules_text(reason))}</li>"
                for rule, reason in result.verdicts
            )
            looked = self.tr("Every rule looked at:")
            muted = palette.scheme().muted
            parts.append(
                f'<p style="color:{muted}">{looked}</p><ul style="color:{muted}">{lines}</ul>'
            )
        if result.never:
            lines = "".join(
                f"<li>{html.escape(rule.label)}: {html.escape(rules_text(reason))}</li>"
                for rule, reason in result.never
            )
            never = self.tr("Never with demo.exe:")
            warning = palette.scheme().warning
            parts.append(
                f'<p style="color:{warning}">{never}</p><ul style="color:{warning}">{lines}</ul>'
            )
        return "".join(parts)


class _DeleteTimed(QUndoCommand):
    """Delete a timed message; undo adds it again (it starts afresh from then)."""

    def __init__(self, page: TimedPage, timed: TimedMessage) -> None:
        super().__init__(
            QCoreApplication.translate("TimedPage", "Delete “%1”").replace("%1", timed.name)
        )
        self.page = page
        self.timed = timed
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        if self.timed.id is not None:
            self.page.store_call(lambda store: store.delete(self.timed.id or 0))
        self.page.reload()

    def undo(self) -> None:
        restored = self.page.store_call(lambda store: store.add(self.timed))
        if restored is not None:
            self.timed = restored
        self.page.reload(select=restored.id if restored else None)


class TimedPage(QWidget):
    """Timed messages, and the runs that were missed and wait for a decision."""

    failed = Signal(str)
    #: The operator asked to send a missed run now: the window passes it to the poller.
    sendLateRequested = Signal(int)
    #: How many missed or failed runs wait for a decision.
    attentionChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: TimedStore | None = None
        #: Known conversations and contacts, given by the poller (the dialog picks from them).
        self.directory = Directory()
        self.dialog: TimedDialog | None = None
        self.clock: Callable[[], float] = time.time
        self.model = TimedModel(self)
        #: The timed messages last read from the store.
        self._last_read: list[TimedMessage] = []
        self.missed = MissedRunsModel(self)
        self.undo_stack = QUndoStack(self)
        self._sending: set[int] = set()
        self._build()
        self._connect()
        self._update_actions()

    def set_directory(self, directory: Directory) -> None:
        self.directory = directory
        self.model.set_directory(directory)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.add_button = _button(self.tr("Add…"), self)
        self.edit_button = _button(self.tr("Edit…"), self)
        self.delete_button = _button(self.tr("Delete"), self)
        self.undo_action, self.undo_button = _undo_controls(self, self.undo_stack, self.tr("Undo"))
        for button in (self.add_button, self.edit_button, self.delete_button, self.undo_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.view = _table(splitter)
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(TimedModel.ON, QHeaderView.ResizeMode.ResizeToContents)
        for column, width in (
            (TimedModel.NAME, 150),
            (TimedModel.WHEN, 190),
            (TimedModel.NEXT, 130),
            (TimedModel.TARGETS, 160),
        ):
            header.resizeSection(column, width)
        splitter.addWidget(self.view)

        self.missed_box = QGroupBox(self.tr("Missed runs"), splitter)
        missed_layout = QVBoxLayout(self.missed_box)
        note = QLabel(
            self.tr("Times missed while wxpanel was closed: nothing is sent late unless you ask."),
            self.missed_box,
        )
        note.setWordWrap(True)
        palette.colour_text(note, "muted")
        missed_layout.addWidget(note)
        self.missed_view = _table(self.missed_box)
        self.missed_view.setModel(self.missed)
        self.missed_view.horizontalHeader().resizeSection(MissedRunsModel.NAME, 170)
        self.missed_view.horizontalHeader().resizeSection(MissedRunsModel.DUE, 140)
        missed_layout.addWidget(self.missed_view, 1)
        buttons = QHBoxLayout()
        self.send_now_button = _button(self.tr("Send now"), self.missed_box)
        self.dismiss_button = _button(self.tr("Dismiss"), self.missed_box)
        self.dismiss_all_button = _button(self.tr("Dismiss all"), self.missed_box)
        buttons.addWidget(self.send_now_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_all_button)
        missed_layout.addLayout(buttons)
        splitter.addWidget(self.missed_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        self.add_button.clicked.connect(self.add_timed)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.model.enabledChangeRequested.connect(self.set_enabled)
        self.missed_view.selectionModel().selectionChanged.connect(self._update_actions)
        for signal in (self.missed.rowsInserted, self.missed.rowsRemoved, self.missed.modelReset):
            signal.connect(self._on_missed_changed)
        self.send_now_button.clicked.connect(self.send_selected_now)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.dismiss_all_button.clicked.connect(self.dismiss_all)

    # -- the store ---------------------------------------------------------------------------

    def attach(self, store: TimedStore | None) -> None:
        self.store = store
        self.undo_stack.clear()
        self.reload()
        runs = self.store_call(lambda s: s.needs_attention())
        self.missed.load(runs or [])

    def store_call(self, action: Callable[[TimedStore], T]) -> T | None:
        if self.store is None:
            return None
        try:
            return action(self.store)
        except (KnownError, sqlite3.Error, OSError) as exc:
            self.failed.emit(self.tr("Timed messages: %1").replace("%1", _problem(exc)))
            return None

    def store_do(self, action: Callable[[TimedStore], object]) -> bool:
        def run(store: TimedStore) -> bool:
            action(store)
            return True

        return self.store_call(run) is not None

    def reload(self, select: int | None = None) -> None:
        items = self.store_call(lambda store: store.all())
        if items is None and self.store is not None:
            items = self._last_read  # history.db busy (said in the banner): as last read
        self._last_read = items or []
        self.model.load(self._last_read)
        if select is not None:
            row = self.model.row_of(select)
            if row >= 0:
                self.view.selectionModel().setCurrentIndex(
                    self.model.index(row, TimedModel.NAME),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
        self._update_actions()

    # -- from the poller ---------------------------------------------------------------------

    def add_runs(self, runs: Iterable[TimedRun]) -> int:
        """Runs the poller reported: the missed and failed ones wait here for a decision."""
        runs = list(runs)
        added = self.missed.add(runs)
        if runs and self.model.rowCount():
            last = self.model.rowCount() - 1  # the "next" column moved on
            self.model.dataChanged.emit(
                self.model.index(0, TimedModel.NEXT), self.model.index(last, TimedModel.NEXT)
            )
        return added

    def on_late_sent(self, run_id: int, error: str) -> None:
        self._sending.discard(run_id)
        if error:
            self.failed.emit(self.tr("Cannot send the missed message: %1").replace("%1", error))
        else:
            self.missed.remove(run_id)
        self._update_actions()

    # -- actions ----------------------------------------------------------------------------

    def _selected(self, view: QTableView) -> int:
        rows = view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _update_actions(self) -> None:
        attached = self.store is not None
        row = self._selected(self.view)
        self.add_button.setEnabled(attached)
        self.edit_button.setEnabled(attached and row >= 0)
        self.delete_button.setEnabled(attached and row >= 0)
        missed_row = self._selected(self.missed_view)
        run = self.missed.run(missed_row) if missed_row >= 0 else None
        self.send_now_button.setEnabled(
            attached
            and run is not None
            and run.outcome is TimedOutcome.MISSED
            and run.id not in self._sending
        )
        self.dismiss_button.setEnabled(attached and run is not None)
        self.dismiss_all_button.setEnabled(attached and self.missed.rowCount() > 0)

    def _on_missed_changed(self) -> None:
        self.missed_box.setVisible(self.missed.rowCount() > 0)
        self.attentionChanged.emit(self.missed.rowCount())
        self._update_actions()

    def add_timed(self) -> TimedDialog:
        return self.open_dialog(None)

    def edit_selected(self) -> TimedDialog | None:
        row = self._selected(self.view)
        return self.open_dialog(self.model.item(row)) if row >= 0 else None

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.column() != TimedModel.ON:
            self.open_dialog(self.model.item(index.row()))

    def open_dialog(self, timed: TimedMessage | None) -> TimedDialog:
        dialog = TimedDialog(timed, self, clock=self.clock, directory=self.directory)
        dialog.saver = self._save
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: TimedDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _save(self, value: object) -> str | None:
        assert isinstance(value, TimedMessage)
        if self.store is None:
            return self.tr("The database is not open yet")
        try:
            saved = self.store.update(value) if value.id is not None else self.store.add(value)
        except (KnownError, sqlite3.Error, OSError) as exc:
            return _problem(exc)
        self.reload(select=saved.id)
        return None

    def set_enabled(self, timed_id: int, enabled: bool) -> None:
        self.store_do(lambda store: store.set_enabled(timed_id, enabled))
        self.reload(select=timed_id)  # switching on starts it afresh: a new "next"

    def delete_selected(self) -> None:
        row = self._selected(self.view)
        if row < 0:
            return
        timed_id = self.model.item(row).id
        if timed_id is None:
            return
        deleted = self.store_call(lambda store: store.delete(timed_id))
        self.reload()
        if deleted is not None:
            self.undo_stack.push(_DeleteTimed(self, deleted))

    def send_selected_now(self) -> None:
        row = self._selected(self.missed_view)
        if row < 0:
            return
        run = self.missed.run(row)
        self._sending.add(run.id)
        self._update_actions()
        self.sendLateRequested.emit(run.id)

    def dismiss_selected(self) -> None:
        row = self._selected(self.missed_view)
        if row >= 0:
            self.dismiss(self.missed.run(row).id)

    def dismiss(self, run_id: int) -> None:
        if self.store_do(lambda store: store.acknowledge(run_id)):
            self.missed.remove(run_id)

    def dismiss_all(self) -> None:
        for run in self.missed.runs():
            self.dismiss(run.id)
