"""The health page: every check green, amber or red with its one-line reason.

It shows what :class:`~wxpanel.gui.dashboard.Dashboard` evaluated (the core's
:class:`~wxpanel.core.health.HealthMonitor`) and asks for the on-demand
integrity check through :attr:`HealthPage.integrityWanted`; it reads no file
and no database itself.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import cache

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.health import INTEGRITY, Check, Level, Transition
from wxpanel.gui import palette, texts

COLORS = palette.LEVELS
#: Transitions kept in the page's "recent changes" list.
HISTORY_ROWS = 50


@cache
def level_icon(level: Level, size: int = 14) -> QIcon:
    """A filled circle in the level's colour."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(COLORS[level]))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


class HealthPage(QWidget):
    """The checks as a table, the integrity button, the alert sound switch."""

    #: The user asked for ``PRAGMA quick_check``.
    integrityWanted = Signal()
    #: The "play a sound" switch changed.
    soundToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checks: tuple[Check, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.summary = QLabel(self.tr("Waiting for the first check…"), self)
        font = self.summary.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.summary.setFont(font)
        layout.addWidget(self.summary)

        self.table = QTreeWidget(self)
        self.table.setColumnCount(3)
        self.table.setHeaderLabels([self.tr("Check"), self.tr("Status"), self.tr("Reason")])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 2)

        row = QHBoxLayout()
        self.integrity_button = QPushButton(self.tr("Check history integrity"), self)
        self.integrity_button.setToolTip(
            self.tr("Runs PRAGMA quick_check on history.db; seconds on a large history")
        )
        self.integrity_button.clicked.connect(self._ask_integrity)
        self.sound_box = QCheckBox(self.tr("Play a sound when a check turns red"), self)
        self.sound_box.toggled.connect(self.soundToggled)
        row.addWidget(self.integrity_button)
        row.addStretch(1)
        row.addWidget(self.sound_box)
        layout.addLayout(row)

        layout.addWidget(QLabel(self.tr("Recent changes"), self))
        self.history = QListWidget(self)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(self.history, 1)

    # -- from the dashboard -----------------------------------------------------

    def show_checks(self, checks: Sequence[Check]) -> None:
        """Change only what changed: this runs every second, and a label's new style
        or a cell's new text lays out and repaints the whole window (hundreds of
        wake-ups a second at idle)."""
        if tuple(checks) == self.checks:
            return
        self.checks = tuple(checks)
        table = self.table
        while table.topLevelItemCount() > len(self.checks):
            table.takeTopLevelItem(table.topLevelItemCount() - 1)
        for row, check in enumerate(self.checks):
            item = table.topLevelItem(row)
            if item is None:
                item = QTreeWidgetItem(table)
            reason = texts.text(check.reason)
            shown = (texts.check_title(check), texts.level_name(check.level), reason)
            if tuple(item.text(column) for column in range(3)) == shown:
                continue
            for column, text in enumerate(shown):
                item.setText(column, text)
            item.setIcon(1, level_icon(check.level))
            item.setToolTip(2, reason)
            item.setData(0, Qt.ItemDataRole.UserRole, check.name)
        self._summarise()

    def _summarise(self) -> None:
        red = sum(1 for c in self.checks if c.level is Level.RED)
        amber = sum(1 for c in self.checks if c.level is Level.AMBER)
        unknown = [c for c in self.checks if c.level is Level.UNKNOWN]
        if red:
            text = self.tr("%1 check(s) red: see below").replace("%1", str(red))
        elif amber:
            text = self.tr("Working, %1 warning(s)").replace("%1", str(amber))
        elif unknown:
            text = self.tr("No sign of demo.exe yet: is it running beside wxpanel?")
        else:
            text = self.tr("Everything is working")
        level = (
            Level.RED
            if red
            else Level.AMBER
            if amber
            else Level.UNKNOWN
            if unknown
            else Level.GREEN
        )
        self._set_summary(text, level)

    def show_paused(self) -> None:
        self._set_summary(self.tr("Polling is paused: the checks resume with it"), Level.AMBER)

    def _set_summary(self, text: str, level: Level) -> None:
        if self.summary.text() != text:
            self.summary.setText(text)
        style = f"color: {COLORS[level]};"
        if self.summary.styleSheet() != style:
            self.summary.setStyleSheet(style)

    def row_of(self, name: str) -> Check | None:
        """The check called ``name`` as shown, if any (for tests and the banner)."""
        return next((c for c in self.checks if c.name == name), None)

    def _ask_integrity(self) -> None:
        self.integrity_button.setEnabled(False)
        self.integrity_button.setText(self.tr("Checking…"))
        self.integrityWanted.emit()

    def integrity_done(self, check: Check) -> None:
        self.integrity_button.setEnabled(True)
        self.integrity_button.setText(self.tr("Check history integrity"))
        self.add_note(check.level, texts.check_line(check))
        if self.row_of(INTEGRITY) is None:
            self.show_checks((*self.checks, check))

    def integrity_unavailable(self) -> None:
        self.integrity_button.setEnabled(True)
        self.integrity_button.setText(self.tr("Check history integrity"))
        self.add_note(Level.AMBER, self.tr("The poller is not running: no check was made"))

    def add_transition(self, transition: Transition) -> None:
        line = texts.check_line(transition.check)
        if transition.raised:
            text = self.tr("Turned red: %1").replace("%1", line)
        else:
            text = self.tr("Recovered: %1").replace("%1", line)
        self.add_note(transition.check.level, text, transition.time)

    def add_note(self, level: Level, text: str, when: float | None = None) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(when))
        self.history.insertItem(0, f"{stamp}  {text}")
        item = self.history.item(0)
        item.setIcon(level_icon(level))
        while self.history.count() > HISTORY_ROWS:
            self.history.takeItem(self.history.count() - 1)
