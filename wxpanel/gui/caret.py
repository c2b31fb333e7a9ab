"""The text caret stops blinking a while after the last key, as Windows' does.

A blinking caret repaints its text box twice a second for as long as the
window is active: in a panel left open and idle that was a third of the
process's CPU and two of its wake-ups a second.  Windows itself stops the
caret after 5 s without input (its ``CaretTimeout``); wxpanel does the same
in its text boxes: any key, click or focus change there makes it blink again.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: Blinking stops this long after the last key, click or focus change.
REST_AFTER_MS = 5000

_WAKING = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.FocusIn,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.InputMethod,
    }
)


class CaretRest(QObject):
    """Holds the application's caret still while nobody types in ``widgets``."""

    def __init__(
        self, widgets: Iterable[QWidget], parent: QObject, rest_after_ms: int = REST_AFTER_MS
    ) -> None:
        super().__init__(parent)
        self._hints = QGuiApplication.styleHints()
        self._flash = self._hints.cursorFlashTime()  # the system's; 0 when it never blinks
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(rest_after_ms)
        self._timer.timeout.connect(self._rest)
        for widget in widgets:
            widget.installEventFilter(self)
        self._timer.start()

    @property
    def resting(self) -> bool:
        return self._hints.cursorFlashTime() == 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _WAKING:
            if self._hints.cursorFlashTime() != self._flash:
                self._hints.setCursorFlashTime(self._flash)
            self._timer.start()
        return False

    def _rest(self) -> None:
        self._hints.setCursorFlashTime(0)
