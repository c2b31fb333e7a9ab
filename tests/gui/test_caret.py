"""The caret rests after a while without input and blinks again at the next key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from wxpanel.gui.caret import CaretRest


def test_the_caret_rests_until_the_next_key(qtbot: QtBot) -> None:
    hints = QGuiApplication.styleHints()
    system = hints.cursorFlashTime()
    hints.setCursorFlashTime(1000)  # a system whose caret blinks
    try:
        box = QLineEdit()
        qtbot.addWidget(box)
        rest = CaretRest([box], box, rest_after_ms=50)
        qtbot.waitUntil(lambda: rest.resting)
        qtbot.keyClick(box, Qt.Key.Key_A)
        assert hints.cursorFlashTime() == 1000
        assert box.text() == "a"  # the key still reaches the box
        qtbot.waitUntil(lambda: rest.resting)
    finally:
        hints.setCursorFlashTime(system)
