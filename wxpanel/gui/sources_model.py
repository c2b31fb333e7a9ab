"""The table model of the answer sources: plugins, webhooks and AI models, in the order asked.

Like the rules' models it holds immutable values from the core
(:class:`~wxpanel.core.sources.Source`, :class:`~wxpanel.core.sources.SourceStatus`)
and never touches the database: a toggle or a move changes the row at once
and is announced with a signal, which the page writes through the store.
Status values come from the poller (:meth:`SourcesModel.update_statuses`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication, QStyle

from wxpanel.core.sources import AIConfig, PluginConfig, Source, SourceKind, SourceStatus
from wxpanel.core.sources.config import WebhookConfig
from wxpanel.gui import palette
from wxpanel.gui.reorder import ReorderableRows

Index = QModelIndex | QPersistentModelIndex

# The :class:`Source` under a row, for views and tests.
SourceRole = Qt.ItemDataRole.UserRole + 30
# The mime type of rows dragged inside the sources table.
SOURCE_ROWS_MIME: Final = "application/x-wxpanel-source-rows"


def kind_name(kind: SourceKind) -> str:
    names = {
        SourceKind.PLUGIN: QCoreApplication.translate("SourcesModel", "Plugin"),
        SourceKind.WEBHOOK: QCoreApplication.translate("SourcesModel", "Webhook"),
        SourceKind.AI: QCoreApplication.translate("SourcesModel", "AI model"),
    }
    return names[kind]


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return QCoreApplication.translate("SourcesModel", "%1 ms").replace(
            "%1", f"{seconds * 1000:.0f}"
        )
    return QCoreApplication.translate("SourcesModel", "%1 s").replace("%1", f"{seconds:.2f}")


def cost_text(cost: float) -> str:
    return f"{cost:,.4f}"


class SourcesModel(ReorderableRows, QAbstractTableModel):
    """Every answer source in the order they are asked; checkable, and rows movable."""

    ROWS_MIME = SOURCE_ROWS_MIME

    ON, NAME, KIND, WHERE, STATUS, CALLS, ANSWERED, FAILED, LATENCY, TOKENS, COST = range(11)
    COLUMNS = 11

    # The user switched a source on or off in the view: (source id, enabled).
    enabledChangeRequested = Signal(int, bool)
    # The user moved rows: the new order of every source id.
    orderChanged = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sources: list[Source] = []
        self._statuses: dict[int, SourceStatus] = {}
        self._files: dict[str, Path] = {}
        self._keys: dict[int, bool | None] = {}

    # -- content ------------------------------------------------------------------

    def load(
        self,
        sources: Sequence[Source],
        statuses: Iterable[SourceStatus] = (),
        files: Mapping[str, Path] | None = None,
        keys: Mapping[int, bool | None] | None = None,
    ) -> None:
        """``files``: plugin name → its file; ``keys``: AI source id → whether a key is stored."""
        self.beginResetModel()
        self._sources = list(sources)
        self._statuses = {status.source_id: status for status in statuses}
        self._files = dict(files or {})
        self._keys = dict(keys or {})
        self.endResetModel()

    def source(self, row: int) -> Source:
        return self._sources[row]

    def sources(self) -> list[Source]:
        return list(self._sources)

    def ids(self) -> list[int]:
        return [source.id for source in self._sources]

    def row_of(self, source_id: int | None) -> int:
        for row, source in enumerate(self._sources):
            if source.id == source_id:
                return row
        return -1

    def status(self, source_id: int) -> SourceStatus | None:
        return self._statuses.get(source_id)

    def file(self, source: Source) -> Path | None:
        return self._files.get(source.name) if source.kind is SourceKind.PLUGIN else None

    def key_set(self, source_id: int) -> bool | None:
        return self._keys.get(source_id, False)

    def problems(self) -> int:
        """Sources that need a look: switched off by an error, or failing while on."""
        count = 0
        for source in self._sources:
            status = self._statuses.get(source.id)
            if source.error_disabled or (source.enabled and status and status.last_error):
                count += 1
        return count

    def update_statuses(self, statuses: Iterable[SourceStatus]) -> bool:
        """New status values from the poller; True when the sources must be read again.

        That is when a source is new to the list, or the poller switched one
        on or off (a plugin failed, or its edited file loaded again).
        """
        stale = False
        for status in statuses:
            self._statuses[status.source_id] = status
            row = self.row_of(status.source_id)
            if row < 0 or self._sources[row].enabled != status.enabled:
                stale = True
            else:
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMNS - 1))
        return stale

    # -- Qt interface -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sources)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if 0 <= section < len(self._sources) else None
        names = (
            self.tr("On"),
            self.tr("Name"),
            self.tr("Kind"),
            self.tr("File or address"),
            self.tr("Status"),
            self.tr("Calls"),
            self.tr("Answered"),
            self.tr("Failed"),
            self.tr("Latency"),
            self.tr("Tokens"),
            self.tr("Cost"),
        )
        return names[section] if 0 <= section < len(names) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        if index.column() == self.ON:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._sources):
            return None
        source = self._sources[index.row()]
        status = self._statuses.get(source.id)
        column = index.column()
        if role == SourceRole:
            return source
        if role == Qt.ItemDataRole.CheckStateRole and column == self.ON:
            return Qt.CheckState.Checked if source.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(source, status, column)
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            if source.error_disabled or (status and status.last_error and source.enabled):
                style = QApplication.style()
                return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.STATUS:
                return self._status_text(source, status, full=True)
            if column == self.WHERE:
                return self._where(source, full=True)
            if column == self.LATENCY and status is not None:
                return (
                    self.tr("Mean %1, last %2")
                    .replace("%1", seconds_text(status.mean_latency))
                    .replace("%2", seconds_text(status.last_latency))
                )
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.CALLS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == self.NAME:
            return source.name
        if column == self.KIND:
            return kind_name(source.kind)
        if column == self.WHERE:
            return self._where(source)
        if column == self.STATUS:
            return self._status_text(source, status, full=False)
        if column == self.CALLS:
            return f"{status.calls if status else 0:,}"
        if column == self.ANSWERED:
            return f"{status.answers if status else 0:,}"
        if column == self.FAILED:
            return f"{status.failures if status else 0:,}"
        if column == self.LATENCY:
            return seconds_text(status.mean_latency if status else None)
        if column == self.TOKENS:
            if source.kind is not SourceKind.AI:
                return ""
            prompt = status.prompt_tokens if status else 0
            completion = status.completion_tokens if status else 0
            return f"{prompt:,} + {completion:,}"
        if column == self.COST:
            if source.kind is not SourceKind.AI:
                return ""
            return cost_text(status.cost if status else 0.0)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != self.ON
            or role != Qt.ItemDataRole.CheckStateRole
        ):
            return False
        source = self._sources[index.row()]
        enabled = Qt.CheckState(value) == Qt.CheckState.Checked
        if enabled == source.enabled:
            return False
        self._sources[index.row()] = replace(source, enabled=enabled, error_disabled=False)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.COLUMNS - 1))
        self.enabledChangeRequested.emit(source.id, enabled)
        return True

    # -- moving rows --------------------------------------------------------------

    def ordered_items(self) -> list[Any]:
        return self._sources

    # -- summaries ------------------------------------------------------------------

    def _where(self, source: Source, *, full: bool = False) -> str:
        config = source.config
        if isinstance(config, PluginConfig):
            found = self._files.get(source.name)
            if found is None:
                return self.tr("(file not found: %1.py)").replace("%1", source.name)
            return str(found) if full else found.name
        if isinstance(config, WebhookConfig):
            return config.url
        if isinstance(config, AIConfig):
            return f"{config.base_url} · {config.model}"
        return ""

    def _status_text(self, source: Source, status: SourceStatus | None, *, full: bool) -> str:
        error = status.last_error if status else None
        if source.error_disabled:
            text = self.tr("Switched off by an error: %1").replace("%1", error or "?")
        elif source.enabled and error:
            text = self.tr("Last error: %1").replace("%1", error)
        elif not source.enabled:
            text = self.tr("Off")
        elif source.kind is SourceKind.AI and self._keys.get(source.id) is False:
            text = self.tr("No API key")
        elif status is None or status.calls == 0:
            text = self.tr("Ready, not asked yet")
        else:
            text = self.tr("OK")
        if not full:
            text = " ".join(text.split())
        return text

    def _colour(self, source: Source, status: SourceStatus | None, column: int) -> QBrush | None:
        failing = source.error_disabled or bool(source.enabled and status and status.last_error)
        if column == self.FAILED and status is not None and status.failures:
            return palette.brush(palette.scheme().error)
        if column == self.STATUS:
            if failing:
                return palette.brush(palette.scheme().error)
            if not source.enabled:
                return palette.brush(palette.scheme().disabled)
            if source.kind is SourceKind.AI and self._keys.get(source.id) is False:
                return palette.brush(palette.scheme().warning)
            return (
                palette.brush(palette.scheme().ok) if status is not None and status.calls else None
            )
        if source.error_disabled and column == self.NAME:
            return palette.brush(palette.scheme().error)
        if not source.enabled:
            return palette.brush(palette.scheme().disabled)
        return None
