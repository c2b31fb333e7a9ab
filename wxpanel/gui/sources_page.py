"""The Answer sources page: plugins, webhooks and AI models asked after the rules.

:class:`SourcesControl` is plugged into the window by :mod:`wxpanel.gui.panel`:
it puts :class:`SourcesPage` in a tab right after the page it is told (the
Rules tab) and gives it the injected
:class:`~wxpanel.gui.history_service.HistoryService`'s store once it is open.

Edits are rare user actions, each one small transaction through
:class:`~wxpanel.core.sources.SourceStore` in the GUI thread; the running
poller notices them by the sources' version.  Nothing here reads the
database on a timer: the calls, errors, latencies, tokens and costs arrive
from the poller as :class:`~wxpanel.core.sources.SourceStatus` values
(in the poller's ``polled`` results), and the list is read again only when one of
them says a source appeared or was switched on or off by the poller.

API keys go to the OS credential store through the store's
:class:`~wxpanel.core.sources.ApiKeys`; the page only ever learns whether
one is stored.
"""

from __future__ import annotations

import html
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.engine import PollResult
from wxpanel.core.errors import KnownError
from wxpanel.core.sources import (
    AIConfig,
    PluginConfig,
    SecretStoreError,
    Source,
    SourceKind,
    SourceStatus,
    SourceStore,
    WebhookConfig,
)
from wxpanel.core.sources.plugins import PluginHost
from wxpanel.gui import display, palette
from wxpanel.gui.history_service import HistoryService, busy
from wxpanel.gui.host import PageHost
from wxpanel.gui.source_dialog import (
    AIDialog,
    PluginDialog,
    SourceDialog,
    SourceEdit,
    WebhookDialog,
)
from wxpanel.gui.sources_model import SourcesModel, cost_text, kind_name, seconds_text
from wxpanel.gui.texts import error_text
from wxpanel.gui.widgets import Banner
from wxpanel.gui.worker import PollThread

T = TypeVar("T")


def _problem(exc: Exception) -> str:
    if busy(exc):
        return QCoreApplication.translate(
            "SourcesPage", "history.db is busy; try again in a moment"
        )
    return error_text(exc)


def _groups_text(source: Source) -> str:
    policy = source.config.groups.value
    if policy == "always":
        return QCoreApplication.translate("SourcesPage", "every message")
    if policy == "never":
        return QCoreApplication.translate("SourcesPage", "never")
    return QCoreApplication.translate("SourcesPage", "only when the account is @-mentioned")


class SourcesPage(QWidget):
    """The list of answer sources, its buttons, and the selected source's details."""

    # Something went wrong writing or reading (for the window's banner).
    failed = Signal(str)
    # How many sources need a look (switched off by an error, or failing).
    attentionChanged = Signal(int)

    def __init__(self, plugin_dirs: Sequence[Path] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plugin_dirs = tuple(Path(folder) for folder in plugin_dirs)
        self.store: SourceStore | None = None
        self.dialog: SourceDialog | None = None
        self.model = SourcesModel(self)
        self._keys: dict[str, bool | None] = {}  # key_ref -> stored? (None: store unreadable)
        self._attention = 0
        #: The sources and statuses last read from the store.
        self._last_read: tuple[list[Source], list[SourceStatus]] = ([], [])
        self._build()
        self._connect()
        self._update_actions()

    # -- construction -----------------------------------------------------------------

    def _button(self, text: str, tip: str = "") -> QPushButton:
        button = QPushButton(text, self)
        if tip:
            button.setToolTip(tip)
        return button

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.add_webhook_button = self._button(
            self.tr("Add webhook…"), self.tr("Forward messages as JSON to an HTTP address")
        )
        self.add_ai_button = self._button(
            self.tr("Add AI model…"), self.tr("Answer through an OpenAI-compatible chat model")
        )
        self.edit_button = self._button(self.tr("Edit…"))
        self.delete_button = self._button(self.tr("Delete"))
        self.up_button = self._button(self.tr("Move up"), self.tr("Ask it before the one above"))
        self.down_button = self._button(self.tr("Move down"))
        self.reload_plugin_button = self._button(
            self.tr("Reload plugin"), self.tr("Load the plugin's file again (after fixing it)")
        )
        self.open_folder_button = self._button(
            self.tr("Open plugins folder"), self.tr("Plugins are the .py files in this folder")
        )
        self.refresh_button = self._button(
            self.tr("Refresh"), self.tr("Read the list again (plugin files found meanwhile)")
        )
        for button in (
            self.add_webhook_button,
            self.add_ai_button,
            self.edit_button,
            self.delete_button,
            self.up_button,
            self.down_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        # The plugin buttons on a row of their own: one row of nine did not
        # fit a 1024-pixel screen.
        plugin_row = QHBoxLayout()
        for button in (self.reload_plugin_button, self.open_folder_button, self.refresh_button):
            plugin_row.addWidget(button)
        plugin_row.addStretch(1)
        layout.addLayout(plugin_row)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        palette.colour_text(self.hint, "muted")
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.hint)
        self._show_hint()

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        view = QTableView(splitter)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        view.setModel(self.model)
        view.setDragEnabled(True)
        view.setAcceptDrops(True)
        view.setDropIndicatorShown(True)
        view.setDragDropOverwriteMode(False)
        view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        view.setDefaultDropAction(Qt.DropAction.MoveAction)
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(SourcesModel.ON, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SourcesModel.STATUS, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        for column, width in (
            (SourcesModel.NAME, 110),
            (SourcesModel.KIND, 70),
            (SourcesModel.WHERE, 190),
            (SourcesModel.CALLS, 50),
            (SourcesModel.ANSWERED, 70),
            (SourcesModel.FAILED, 50),
            (SourcesModel.LATENCY, 65),
            (SourcesModel.TOKENS, 90),
            (SourcesModel.COST, 65),
        ):
            header.resizeSection(column, width)
        self.view = view
        splitter.addWidget(view)
        self.details = QTextBrowser(splitter)
        self.details.setOpenLinks(False)
        self.details.setPlaceholderText(self.tr("Choose a source to see its settings and status."))
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

    def _show_hint(self) -> None:
        folders = "; ".join(str(folder) for folder in self.plugin_dirs) or "–"
        intro = self.tr("Asked in this order after the rules, about messages no rule answered.")
        intro += " " + self.tr("The first answer is sent. Drag rows to reorder.")
        where = self.tr("Plugins are the .py files in: %1").replace("%1", folders)
        self.hint.setText(f"{intro}\n{where}")

    def _connect(self) -> None:
        self.add_webhook_button.clicked.connect(self.add_webhook)
        self.add_ai_button.clicked.connect(self.add_ai)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.reload_plugin_button.clicked.connect(self.reload_plugin)
        self.open_folder_button.clicked.connect(self.open_plugins_folder)
        self.refresh_button.clicked.connect(lambda: self.reload(select=self.selected_id()))
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.model.dataChanged.connect(self._on_data_changed)
        self.model.enabledChangeRequested.connect(self.set_enabled)
        self.model.orderChanged.connect(self.set_order)

    # -- the store ----------------------------------------------------------------------

    def attach(self, store: SourceStore | None) -> None:
        """Work on ``store`` (None: no database yet, or closed)."""
        self.store = store
        self._keys.clear()
        self.reload()

    def store_call(self, action: Callable[[SourceStore], T]) -> T | None:
        """Run one store action; a refusal or a lock is reported, never raised."""
        if self.store is None:
            return None
        try:
            return action(self.store)
        except (KnownError, sqlite3.Error, OSError) as exc:
            self.failed.emit(self.tr("Answer sources: %1").replace("%1", _problem(exc)))
            return None

    def store_do(self, action: Callable[[SourceStore], object]) -> bool:
        def run(store: SourceStore) -> bool:
            action(store)
            return True

        return self.store_call(run) is not None

    def reload(self, select: int | None = None, *, check_keys: bool = True) -> None:
        """Read the sources and their status again (after an edit; never on a timer).

        ``check_keys`` asks the credential store again whether each AI
        source's key is there; otherwise what was learnt before is kept.
        """
        if check_keys:
            self._keys.clear()
        loaded = self.store_call(lambda store: (store.sources(), store.statuses()))
        if loaded is None and self.store is not None:
            loaded = self._last_read  # history.db busy (said in the banner): as last read,
            # which also takes back a change the store refused (a switch, a new order)
        sources, statuses = loaded if loaded is not None else ([], [])
        self._last_read = (sources, statuses)
        keys = {
            source.id: self._key_stored(source.config.key_ref)
            for source in sources
            if isinstance(source.config, AIConfig)
        }
        self.model.load(sources, statuses, self.plugin_files(), keys)
        if select is not None:
            self.select_source(select)
        self._update_actions()
        self._show_details()
        self._check_attention()

    def plugin_files(self) -> dict[str, Path]:
        """Each plugin name's file, found the way the poller finds it."""
        try:
            return PluginHost(self.plugin_dirs).files()
        except OSError:
            return {}

    def _key_stored(self, ref: str) -> bool | None:
        if not ref or self.store is None:
            return False
        if ref not in self._keys:
            try:
                self._keys[ref] = self.store.keys.has(ref)
            except SecretStoreError:
                self._keys[ref] = None
        return self._keys[ref]

    # -- from the poller -------------------------------------------------------------

    def on_statuses(self, statuses: Iterable[SourceStatus]) -> None:
        """Status values the poller reported; the list is read again only when needed."""
        if self.model.update_statuses(statuses) and self.store is not None:
            self.reload(select=self.selected_id(), check_keys=False)
            return
        self._show_details()
        self._check_attention()

    def _check_attention(self) -> None:
        count = self.model.problems()
        if count != self._attention:
            self._attention = count
            self.attentionChanged.emit(count)

    # -- selection ------------------------------------------------------------------------

    def selected_row(self) -> int:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def selected(self) -> Source | None:
        row = self.selected_row()
        return self.model.source(row) if row >= 0 else None

    def selected_id(self) -> int | None:
        source = self.selected()
        return source.id if source is not None else None

    def select_source(self, source_id: int | None) -> None:
        row = self.model.row_of(source_id)
        if row < 0:
            return
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, SourcesModel.NAME),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _update_actions(self) -> None:
        attached = self.store is not None
        row = self.selected_row()
        source = self.selected()
        self.add_webhook_button.setEnabled(attached)
        self.add_ai_button.setEnabled(attached)
        self.edit_button.setEnabled(attached and source is not None)
        plugin = source is not None and source.kind is SourceKind.PLUGIN
        self.delete_button.setEnabled(attached and source is not None and not plugin)
        self.delete_button.setToolTip(
            self.tr("A plugin goes when its file is removed from the plugins folder")
            if plugin
            else ""
        )
        self.up_button.setEnabled(attached and row > 0)
        self.down_button.setEnabled(attached and 0 <= row < self.model.rowCount() - 1)
        self.reload_plugin_button.setEnabled(
            attached and plugin and source is not None and self.model.file(source) is not None
        )
        self.open_folder_button.setEnabled(bool(self.plugin_dirs))
        self.refresh_button.setEnabled(attached)
        self._show_details()

    def _on_data_changed(self, top: QModelIndex, bottom: QModelIndex) -> None:
        row = self.selected_row()
        if top.row() <= row <= bottom.row():
            self._show_details()

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.column() != SourcesModel.ON:
            self.edit_selected()

    # -- details ---------------------------------------------------------------------------

    def _show_details(self) -> None:
        source = self.selected()
        if source is None:
            self.details.clear()
            return
        self.details.setHtml(self.describe(source))

    def describe(self, source: Source) -> str:
        """The selected source's settings and status, as HTML."""
        status = self.model.status(source.id)
        rows: list[tuple[str, str]] = []
        config = source.config
        if isinstance(config, PluginConfig):
            found = self.model.file(source)
            rows.append(
                (self.tr("File"), str(found) if found else self.tr("not found in the folders"))
            )
            rows.append((self.tr("Timeout per call"), seconds_text(config.timeout)))
        elif isinstance(config, WebhookConfig):
            rows.append((self.tr("URL"), config.url))
            rows.append((self.tr("Timeout per attempt"), seconds_text(config.timeout)))
            rows.append((self.tr("Retries"), str(config.retries)))
        elif isinstance(config, AIConfig):
            key = self.model.key_set(source.id)
            if key is None:
                key_text = self.tr("the credential store cannot be read")
            elif key:
                key_text = self.tr("stored in the system's credential store")
            else:
                key_text = self.tr("not set")
            rows += [
                (self.tr("Base URL"), config.base_url),
                (self.tr("Model"), config.model),
                (self.tr("API key"), key_text),
                (self.tr("System prompt"), config.system_prompt),
                (self.tr("Earlier messages sent along"), str(config.context_messages)),
                (self.tr("Longest reply"), str(config.max_reply_chars)),
                (self.tr("Temperature"), f"{config.temperature:g}"),
                (
                    self.tr("Rate limits"),
                    self.tr("%1 per minute per conversation, %2 per minute in all")
                    .replace("%1", str(config.per_conversation_per_minute))
                    .replace("%2", str(config.per_minute)),
                ),
                (
                    self.tr("Price per 1000 tokens"),
                    self.tr("prompt %1, completion %2")
                    .replace("%1", f"{config.price_prompt_per_1k:g}")
                    .replace("%2", f"{config.price_completion_per_1k:g}"),
                ),
            ]
        rows.append((self.tr("In groups"), _groups_text(source)))
        if config.also_answered:
            rows.append(("", self.tr("also about messages a rule answered")))
        if status is not None:
            rows.append(
                (
                    self.tr("Calls"),
                    self.tr("%1, answered %2, failed %3")
                    .replace("%1", f"{status.calls:,}")
                    .replace("%2", f"{status.answers:,}")
                    .replace("%3", f"{status.failures:,}"),
                )
            )
            rows.append(
                (
                    self.tr("Latency"),
                    self.tr("mean %1, last %2")
                    .replace("%1", seconds_text(status.mean_latency))
                    .replace("%2", seconds_text(status.last_latency)),
                )
            )
            if source.kind is SourceKind.AI:
                rows.append(
                    (
                        self.tr("Tokens"),
                        self.tr("%1 prompt, %2 completion; cost %3")
                        .replace("%1", f"{status.prompt_tokens:,}")
                        .replace("%2", f"{status.completion_tokens:,}")
                        .replace("%3", cost_text(status.cost)),
                    )
                )
            if status.last_used_at:
                rows.append((self.tr("Last asked"), display.full_time(status.last_used_at)))
        colours = palette.scheme()
        cells = "".join(
            f'<tr><td style="color:{colours.muted}; padding-right:12px">{html.escape(label)}</td>'
            f'<td style="white-space:pre-wrap">{html.escape(value)}</td></tr>'
            for label, value in rows
        )
        head = f"<p><b>{html.escape(kind_name(source.kind))} “{html.escape(source.name)}”</b>"
        if not source.enabled:
            head += " — " + html.escape(self.tr("off"))
        head += "</p>"
        error = status.last_error if status else None
        problem = ""
        if source.error_disabled:
            text = self.tr("Switched off by an error: %1").replace("%1", error or "?")
            problem = f'<p style="color:{colours.error}"><b>⚠ {html.escape(text)}</b></p>'
            advice = (
                self.tr("Fix the file and it is loaded and switched on again by itself.")
                if source.kind is SourceKind.PLUGIN
                else self.tr("Switch it on again once the problem is fixed.")
            )
            problem += f'<p style="color:{colours.muted}">{html.escape(advice)}</p>'
        elif error:
            when = (
                display.full_time(status.last_error_at) if status and status.last_error_at else ""
            )
            text = self.tr("Last error %1: %2").replace("%1", when).replace("%2", error)
            problem = f'<p style="color:{colours.error}">{html.escape(" ".join(text.split()))}</p>'
        return f"{head}{problem}<table>{cells}</table>"

    # -- actions ----------------------------------------------------------------------------

    def _taken(self, kind: SourceKind) -> list[str]:
        return [source.name for source in self.model.sources() if source.kind is kind]

    def add_webhook(self) -> SourceDialog:
        return self.open_dialog(WebhookDialog(None, self._taken(SourceKind.WEBHOOK), self))

    def add_ai(self) -> SourceDialog:
        return self.open_dialog(AIDialog(None, self._taken(SourceKind.AI), self))

    def edit_selected(self) -> SourceDialog | None:
        source = self.selected()
        if source is None:
            return None
        dialog: SourceDialog
        if source.kind is SourceKind.WEBHOOK:
            dialog = WebhookDialog(source, (), self)
        elif source.kind is SourceKind.AI:
            dialog = AIDialog(source, (), self, key_set=self.model.key_set(source.id))
        else:
            dialog = PluginDialog(source, self)
        return self.open_dialog(dialog)

    def open_dialog(self, dialog: SourceDialog) -> SourceDialog:
        """Window-modal but not blocking (``open()``); saves through :meth:`save`."""
        dialog.saver = lambda value: self.save(dialog, value)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: SourceDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def save(self, dialog: SourceDialog, value: object) -> str | None:
        """Add or update, then store or forget the API key; a refusal goes back to the dialog."""
        assert isinstance(value, SourceEdit)
        store = self.store
        if store is None:
            return self.tr("The database is not open yet")
        try:
            if value.source_id is None:
                saved = store.add(value.kind, value.name, value.config)
                dialog.source_id = saved.id  # a second Save (after a key error) updates it
                dialog.name_edit.setReadOnly(True)
            else:
                config = value.config
                current = store.source(value.source_id)
                if isinstance(config, AIConfig) and current is not None:
                    assert isinstance(current.config, AIConfig)
                    config = replace(config, key_ref=current.config.key_ref)
                saved = store.update(value.source_id, config)
            ref = saved.config.key_ref if isinstance(saved.config, AIConfig) else ""
            if value.key:
                saved = store.set_api_key(saved.id, value.key)
            elif value.forget_key and ref:
                store.keys.delete(ref)
        except (KnownError, sqlite3.Error, OSError) as exc:
            if dialog.source_id is not None:
                self.reload(select=dialog.source_id)
            return _problem(exc)
        self.reload(select=saved.id)
        return None

    def set_enabled(self, source_id: int, enabled: bool) -> None:
        """A check box in the table: written through; switching on clears an error's mark."""
        self.store_do(lambda store: store.set_enabled(source_id, enabled))
        self.reload(select=source_id, check_keys=False)

    def set_order(self, ids: list[int]) -> None:
        """Rows were moved (drag or buttons): persist the order the poller asks them in."""
        selected = self.selected_id()
        if not self.store_do(lambda store: store.reorder(ids)):
            self.reload(select=selected, check_keys=False)

    def move_selected(self, step: int) -> None:
        row = self.selected_row()
        if row < 0:
            return
        source_id = self.model.source(row).id
        if self.model.move_row(row, row + step):
            self.select_source(source_id)

    def delete_selected(self) -> None:
        source = self.selected()
        if source is None or source.kind is SourceKind.PLUGIN:
            return
        if not self.confirm_delete(source):
            return
        row = self.selected_row()
        self.store_do(lambda store: store.delete(source.id))
        self.reload()
        if self.model.rowCount():
            self.select_source(self.model.source(min(row, self.model.rowCount() - 1)).id)

    def confirm_delete(self, source: Source) -> bool:
        """Asked before deleting; a method so tests can answer it."""
        text = self.tr("Delete %1 “%2”?").replace("%1", kind_name(source.kind))
        text = text.replace("%2", source.name)
        if source.kind is SourceKind.AI:
            text += "\n" + self.tr("Its API key is removed from the credential store too.")
        answer = QMessageBox.question(self, self.tr("Delete answer source"), text)
        return answer == QMessageBox.StandardButton.Yes

    def reload_plugin(self) -> Path | None:
        """Mark the selected plugin's file as changed: the poller loads it again within seconds.

        A plugin switched off by an error is switched on again if it loads.
        """
        source = self.selected()
        if source is None or source.kind is not SourceKind.PLUGIN:
            return None
        path = self.model.file(source)
        if path is None:
            return None
        try:
            before = path.stat().st_mtime_ns
            now = max(time.time_ns(), before + 1_000_000)
            os.utime(path, ns=(now, now))
        except OSError as exc:
            self.failed.emit(
                self.tr("Cannot reload %1: %2").replace("%1", str(path)).replace("%2", str(exc))
            )
            return None
        return path

    def plugins_folder(self) -> Path | None:
        """The selected plugin's folder, else the first plugins folder (created if needed)."""
        source = self.selected()
        found = self.model.file(source) if source is not None else None
        if found is not None:
            return found.parent
        if not self.plugin_dirs:
            return None
        folder = self.plugin_dirs[-1]  # plugins/ beside the program (after --plugins)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.failed.emit(
                self.tr("Cannot create %1: %2").replace("%1", str(folder)).replace("%2", str(exc))
            )
            return None
        return folder

    def open_plugins_folder(self) -> Path | None:
        folder = self.plugins_folder()
        if folder is not None:
            self.open_url(QUrl.fromLocalFile(str(folder)))
        return folder

    def open_url(self, url: QUrl) -> None:
        """The file manager; a method so tests can answer it."""
        QDesktopServices.openUrl(url)


class SourcesControl(QObject):
    """Puts the Answer sources page after the page it is told (the Rules tab) and feeds it."""

    def __init__(
        self,
        host: PageHost,
        poller: PollThread,
        banner: Banner,
        history: HistoryService,
        after: QWidget | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.history = history
        self.store: SourceStore | None = None
        self.page = SourcesPage(poller.plugin_dirs)
        host.add_page(
            self.page,
            self.tr("Answer sources"),
            after=after,
            tooltip=self.tr("Plugins, webhooks and AI models after the rules"),
        )
        self._attention = 0  # failing sources the tab's title shows
        self.page.failed.connect(banner.show_message)
        self.page.attentionChanged.connect(self._on_attention)
        history.opened.connect(self.attach)
        poller.polled.connect(self._on_polled)

    def _on_polled(self, result: PollResult) -> None:
        if result.source_statuses:
            self.page.on_statuses(result.source_statuses)

    def attach(self) -> None:
        """history.db is open: the page works on the service's store."""
        if self.history.sources is not None and self.store is None:
            self.store = self.history.sources
            self.page.attach(self.store)

    def close(self) -> None:
        self.page.attach(None)
        self.store = None

    def _on_attention(self, count: int) -> None:
        if count == self._attention:
            return  # a new tab text or icon relayouts the whole window
        self._attention = count
        title, icon = self.tr("Answer sources"), QIcon()
        if count:
            title = self.tr("Answer sources (%1 failing)").replace("%1", str(count))
            icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.host.set_page_title(self.page, title, icon)
