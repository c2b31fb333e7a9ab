"""The settings dialog: exchange.db, sending keys, notifications, tray, language, pacing,
quick replies."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.codepage import describe, unsendable
from wxpanel.core.errors import KnownError
from wxpanel.core.exchange import check_exchange
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.gui import palette
from wxpanel.gui.preferences import CODE, LANGUAGES, THEMES, Preferences
from wxpanel.gui.texts import error_text
from wxpanel.gui.widgets import resize_within_screen


class SettingsDialog(QDialog):
    """Edits a :class:`Preferences` value; :meth:`preferences` reads the result."""

    def __init__(
        self,
        preferences: Preferences,
        pacer: PacerConfig | None = None,
        parent: QWidget | None = None,
        exchange_db: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        resize_within_screen(self, 560, 600)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        # Another exchange.db chosen here, opened at the next start (None: unchanged).
        self.new_exchange: Path | None = None
        self.exchange_label = QLabel(str(exchange_db or ""), self)
        self.exchange_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.exchange_label.setWordWrap(True)
        change = QPushButton(self.tr("Change…"), self)
        change.clicked.connect(self._choose_exchange)
        exchange_row = QHBoxLayout()
        exchange_row.addWidget(self.exchange_label, 1)
        exchange_row.addWidget(change)
        form.addRow(self.tr("exchange.db (after a restart):"), exchange_row)
        self.enter_sends = QCheckBox(self.tr("Enter sends (Shift+Enter: new line)"), self)
        self.enter_sends.setChecked(preferences.enter_sends)
        self.notifications = QCheckBox(self.tr("Notify me of new private messages"), self)
        self.notifications.setChecked(preferences.notifications)
        self.close_to_tray = QCheckBox(
            self.tr("Closing the window keeps wxpanel in the tray"), self
        )
        self.close_to_tray.setChecked(preferences.close_to_tray)
        self.language = QComboBox(self)
        names = {"": self.tr("Follow the system"), "zh_CN": "简体中文", "en": "English"}
        for code in LANGUAGES:
            self.language.addItem(names[code], code)
        self.language.setCurrentIndex(max(0, self.language.findData(preferences.language)))
        form.addRow(self.enter_sends)
        form.addRow(self.notifications)
        form.addRow(self.close_to_tray)
        form.addRow(self.tr("Language (after a restart):"), self.language)
        self.theme = QComboBox(self)
        themes = {
            "": self.tr("Follow the system"),
            "light": self.tr("Light"),
            "dark": self.tr("Dark"),
        }
        for code in THEMES:
            self.theme.addItem(themes[code], code)
        self.theme.setCurrentIndex(max(0, self.theme.findData(preferences.theme)))
        form.addRow(self.tr("Theme:"), self.theme)
        layout.addLayout(form)

        layout.addWidget(self._build_pacing(pacer or PacerConfig()))

        layout.addWidget(QLabel(self.tr("Quick replies: type /code in the reply box"), self))
        self.replies = QTableWidget(0, 2, self)
        self.replies.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Text")])
        self.replies.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.replies.verticalHeader().hide()
        self.replies.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for code, text in sorted(preferences.quick_replies.items()):
            self.add_reply(code, text)
        layout.addWidget(self.replies, 1)
        #: Says which quick replies hold characters WeChat cannot receive (code page 936).
        self.replies_warning = QLabel(self)
        self.replies_warning.setWordWrap(True)
        palette.colour_text(self.replies_warning, "warning")
        layout.addWidget(self.replies_warning)
        self.replies.itemChanged.connect(lambda _item: self._check_replies())
        self._check_replies()
        row = QHBoxLayout()
        add = QPushButton(self.tr("Add"), self)
        remove = QPushButton(self.tr("Remove"), self)
        add.clicked.connect(lambda: self.add_reply("", ""))
        remove.clicked.connect(self._remove_selected)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._base = preferences

    def _choose_exchange(self) -> None:
        """Pick demo.exe's exchange.db; checked now, so a wrong file is refused here."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Where is demo.exe's exchange.db?"),
            self.exchange_label.text(),
            self.tr("SQLite files (*.db)"),
        )
        if not path:
            return
        try:
            checked = check_exchange(Path(path))
        except KnownError as exc:
            QMessageBox.warning(self, self.tr("Settings"), error_text(exc))
            return
        self.new_exchange = checked
        self.exchange_label.setText(str(checked))

    def _build_pacing(self, pacer: PacerConfig) -> QGroupBox:
        """Least gap, random extra and a per-minute cap, for manual and automatic sends."""
        box = QGroupBox(self.tr("Pacing of sends (after a restart)"), self)
        grid = QGridLayout(box)
        titles = (
            self.tr("Least gap (s)"),
            self.tr("Random extra (s)"),
            self.tr("At most per minute"),
        )
        for column, title in enumerate(titles, start=1):
            grid.addWidget(QLabel(title, box), 0, column)
        self.pacing: dict[str, tuple[QDoubleSpinBox, QDoubleSpinBox, QSpinBox]] = {}
        kinds = ((self.tr("Manual replies"), "manual"), (self.tr("Automatic sends"), "automatic"))
        for line, (title, name) in enumerate(kinds, start=1):
            rule: PacingRule = getattr(pacer, name)
            gap, jitter = QDoubleSpinBox(box), QDoubleSpinBox(box)
            for spin, value in ((gap, rule.min_gap), (jitter, rule.jitter)):
                spin.setRange(0.0, 600.0)
                spin.setDecimals(1)
                spin.setValue(value)
            per_minute = QSpinBox(box)
            per_minute.setRange(1, 600)
            per_minute.setValue(rule.per_minute)
            grid.addWidget(QLabel(title, box), line, 0)
            grid.addWidget(gap, line, 1)
            grid.addWidget(jitter, line, 2)
            grid.addWidget(per_minute, line, 3)
            self.pacing[name] = (gap, jitter, per_minute)
        return box

    def add_reply(self, code: str, text: str) -> None:
        row = self.replies.rowCount()
        self.replies.insertRow(row)
        self.replies.setItem(row, 0, QTableWidgetItem(code))
        self.replies.setItem(row, 1, QTableWidgetItem(text))
        if hasattr(self, "replies_warning"):
            self._check_replies()

    def _check_replies(self) -> None:
        """Mark each quick reply that holds characters code page 936 loses, and name them."""
        lines = []
        for row in range(self.replies.rowCount()):
            item = self.replies.item(row, 1)
            if item is None:
                continue
            lost = unsendable(item.text())
            tip = ""
            if lost:
                code = self.replies.item(row, 0)
                tip = self.tr("WeChat will not receive: %1").replace("%1", describe(lost))
                lines.append(f"/{code.text() if code else ''}: {tip}")
            if item.toolTip() != tip:
                self.replies.blockSignals(True)
                item.setToolTip(tip)
                lost_brush = palette.brush(palette.scheme().flagged_background)
                item.setBackground(lost_brush if lost else QBrush())
                self.replies.blockSignals(False)
        self.replies_warning.setText("\n".join(lines))
        self.replies_warning.setVisible(bool(lines))

    def _remove_selected(self) -> None:
        for row in sorted({index.row() for index in self.replies.selectedIndexes()}, reverse=True):
            self.replies.removeRow(row)
        self._check_replies()

    def pacer(self) -> PacerConfig:
        """The edited pacing of manual and automatic sends."""

        def rule(name: str) -> PacingRule:
            gap, jitter, per_minute = self.pacing[name]
            return PacingRule(gap.value(), jitter.value(), per_minute.value())

        return PacerConfig(automatic=rule("automatic"), manual=rule("manual"))

    def preferences(self) -> Preferences:
        """The edited values; rows without a valid code or a text are dropped."""
        replies: dict[str, str] = {}
        for row in range(self.replies.rowCount()):
            code_item, text_item = self.replies.item(row, 0), self.replies.item(row, 1)
            code = code_item.text().strip().lstrip("/") if code_item else ""
            text = text_item.text() if text_item else ""
            if CODE.match(code) and text:
                replies[code] = text
        return self._base.with_changes(
            enter_sends=self.enter_sends.isChecked(),
            notifications=self.notifications.isChecked(),
            close_to_tray=self.close_to_tray.isChecked(),
            language=str(self.language.currentData() or ""),
            theme=str(self.theme.currentData() or ""),
            quick_replies=replies,
        )
