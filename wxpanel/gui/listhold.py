"""Keep the conversation list still while the operator aims at it.

New messages move their conversation to the top; when that happens while
the pointer is over the list, the row under it changes between the moment
the operator decides and the click, and the wrong conversation opens.
:class:`ListHold` freezes the order while the pointer is over the list and
for a moment after a click, then lets the model sort what came meanwhile.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView

from wxpanel.gui.models import ConversationModel

#: After a click (or the pointer leaving), rows stay still this long.
HOLD_MS = 1500


class ListHold(QObject):
    """Freezes ``model``'s order while the pointer is over ``view``, and shortly after."""

    def __init__(self, view: QAbstractItemView, model: ConversationModel) -> None:
        super().__init__(view)
        self.view = view
        self.model = model
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(HOLD_MS)
        self.timer.timeout.connect(self._release)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.Enter, QEvent.Type.MouseMove):
            self.model.set_frozen(True)
        elif kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
            self.model.set_frozen(True)
            self.timer.start()  # still, for a moment after the click
        elif kind == QEvent.Type.Leave and not self.timer.isActive():
            self.timer.start()
        return False

    def _release(self) -> None:
        if self.view.viewport().underMouse():
            return  # still aiming: the next Leave starts the timer again
        self.model.set_frozen(False)
