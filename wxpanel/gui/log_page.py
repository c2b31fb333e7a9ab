"""The log page: the panel's log book live, filtered by level and text.

:func:`wxpanel.core.logbook.setup_logging` (called by ``app.run_gui``) keeps
the last records in a :class:`~wxpanel.core.logbook.RingBuffer`.  The page
shows that buffer, follows it through :meth:`RingBuffer.subscribe` -- whose
callback runs in whichever thread logged, so :class:`LogBridge` only
re-emits the entry as a Qt signal, queued to the GUI thread -- and appends
new lines in one go per :data:`FLUSH_MS`, so a burst of log lines costs one
repaint.  "Copy for a bug report" puts the versions and the lines shown on
the clipboard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.logbook import LogEntry, RingBuffer, format_for_bug_report, matches
from wxpanel.gui import palette

#: New lines are appended at most this often.
FLUSH_MS = 100


def level_colour(level: int) -> QColor | None:
    """A line's colour by its level (the theme's, for the warnings)."""
    if level >= logging.ERROR:
        return QColor(palette.ALARM)
    if level >= logging.WARNING:
        return QColor(palette.scheme().late)
    if level <= logging.DEBUG:
        return QColor(palette.scheme().disabled)
    return None


def installed_ring() -> RingBuffer | None:
    """The ring buffer :func:`setup_logging` put on the root logger, if any."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, RingBuffer):
            return handler
    return None


class LogBridge(QObject):
    """Carries entries from the logging thread to the GUI thread as a signal."""

    entryLogged = Signal(object)

    def __call__(self, entry: LogEntry) -> None:
        # Runs in the logging thread with logging's lock held: only post an event.
        self.entryLogged.emit(entry)


class LogPage(QWidget):
    """The ring buffer, live; nothing here reads the log file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ring: RingBuffer | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._last_seq = 0
        self._pending: list[LogEntry] = []
        self.bridge = LogBridge(self)
        self.bridge.entryLogged.connect(self._on_entry)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        self.level_box = QComboBox(self)
        for label, level in (
            (self.tr("Debug and above"), logging.DEBUG),
            (self.tr("Info and above"), logging.INFO),
            (self.tr("Warnings and errors"), logging.WARNING),
            (self.tr("Errors only"), logging.ERROR),
        ):
            self.level_box.addItem(label, level)
        self.level_box.setCurrentIndex(1)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Filter the log…"))
        self.search.setClearButtonEnabled(True)
        self.copy_button = QPushButton(self.tr("Copy for a bug report"), self)
        self.copy_button.setToolTip(
            self.tr("Copies the versions of wxpanel, Python and SQLite and the lines shown")
        )
        row.addWidget(self.level_box)
        row.addWidget(self.search, 1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setUndoRedoEnabled(False)
        layout.addWidget(self.view, 1)
        self.path_label = QLabel(self.tr("The log is not being recorded"), self)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.path_label)

        self.level_box.currentIndexChanged.connect(lambda _row: self.reload())
        self.search.textChanged.connect(lambda _text: self.reload())
        self.copy_button.clicked.connect(self.copy_for_bug_report)

    # -- the ring -------------------------------------------------------------

    def attach(self, ring: RingBuffer, path: Path | None = None) -> None:
        """Show ``ring`` and follow it; ``path`` is the log file, shown below."""
        self.detach()
        self.ring = ring
        self.view.setMaximumBlockCount(ring.capacity)
        self._unsubscribe.append(ring.subscribe(self.bridge))
        if path is not None:
            self.path_label.setText(self.tr("Log file: %1").replace("%1", str(path)))
        self.reload()

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.ring = None

    @property
    def min_level(self) -> int:
        return int(self.level_box.currentData())

    @property
    def text(self) -> str:
        return self.search.text().strip()

    def shown_entries(self) -> tuple[LogEntry, ...]:
        """The entries the filters let through, oldest first."""
        if self.ring is None:
            return ()
        return self.ring.entries(min_level=self.min_level, text=self.text)

    def reload(self) -> None:
        """Show the ring again through the current filters."""
        self._pending.clear()
        self.view.clear()
        snapshot = self.ring.entries() if self.ring is not None else ()
        level, text = self.min_level, self.text
        self._append([entry for entry in snapshot if matches(entry, level, text)])
        if snapshot:  # what arrives through the bridge from now on is newer
            self._last_seq = snapshot[-1].seq

    def _on_entry(self, entry: LogEntry) -> None:
        if entry.seq <= self._last_seq:
            return  # already shown by reload()
        self._last_seq = entry.seq
        if matches(entry, self.min_level, self.text):
            self._pending.append(entry)
            if not self._flush_timer.isActive():
                self._flush_timer.start()

    def _flush(self) -> None:
        entries, self._pending = self._pending, []
        self._append(entries)

    def _append(self, entries: Sequence[LogEntry]) -> None:
        if not entries:
            return
        bar = self.view.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 2
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        plain = QTextCharFormat()
        for entry in entries:
            if not self.view.document().isEmpty():
                cursor.insertBlock()
            color = level_colour(entry.level)
            if color is None:
                cursor.insertText(entry.line(), plain)
                continue
            colored = QTextCharFormat()
            colored.setForeground(color)
            if entry.level >= logging.ERROR:
                colored.setFontWeight(QFont.Weight.Bold)
            cursor.insertText(entry.line(), colored)
        cursor.endEditBlock()
        if at_bottom:
            bar.setValue(bar.maximum())

    def copy_for_bug_report(self) -> str:
        """Versions and the lines shown, to the clipboard; returns the text."""
        text = format_for_bug_report(self.shown_entries())
        QGuiApplication.clipboard().setText(text)
        return text
