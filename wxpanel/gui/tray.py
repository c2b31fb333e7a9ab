"""The tray icon: unread count at a glance, a notification for new private messages.

Where the platform has no tray (the offscreen tests, some Linux desktops),
:class:`Tray` does nothing and the window title still shows the count.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from wxpanel.core.models import Conversation, Message
from wxpanel.gui import display, palette
from wxpanel.gui.models import counts_as_unread

#: More new messages than this in one batch make one summary notification.
SUMMARY_AFTER = 1


def badge_icon(unread: int, size: int = 64) -> QIcon:
    """The application mark with a red badge carrying the unread count."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(palette.BRAND))
    painter.drawRoundedRect(QRect(2, 2, size - 4, size - 4), size / 5, size / 5)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(size // 2)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "wx")
    if unread:
        text = "99+" if unread > 99 else str(unread)
        badge = QRect(size // 2 - 2, 0, size // 2 + 2, size * 2 // 5)
        painter.setBrush(QColor(palette.ALARM))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        font.setPixelSize(badge.height() * 3 // 4)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


def worth_notifying(
    message: Message,
    conversation: Conversation | None,
    active: str | None,
    window_active: bool,
) -> bool:
    """A new private message the user is not already looking at, from an unmuted chat."""
    if message.is_group or not counts_as_unread(message):
        return False
    if conversation is not None and conversation.muted:
        return False
    return not (window_active and message.conversation == active)


class Tray(QObject):
    """The tray icon, if the platform has a tray."""

    #: The user clicked the icon: show the window.
    activated = Signal()
    #: "Quit" in the icon's menu.
    quitRequested = Signal()
    #: The auto-reply switch in the icon's menu was flipped (True: on).
    autoReplyToggled = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon: QSystemTrayIcon | None = None
        self._unread = -1
        self.auto_reply_action: QAction | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(badge_icon(0), self)
            self.icon.activated.connect(self._on_activated)
            self.menu = QMenu()
            self.menu.addAction(self.tr("Show wxpanel"), self.activated.emit)
            self.auto_reply_action = self.menu.addAction(self.tr("Auto-reply"))
            self.auto_reply_action.setCheckable(True)
            self.auto_reply_action.setChecked(True)
            self.auto_reply_action.toggled.connect(self.autoReplyToggled)
            self.menu.addAction(self.tr("Quit"), self.quitRequested.emit)
            self.icon.setContextMenu(self.menu)
            self.icon.show()

    def set_unread(self, unread: int, tooltip: str) -> None:
        if self.icon is None or unread == self._unread:
            return
        self._unread = unread
        self.icon.setIcon(badge_icon(unread))
        self.icon.setToolTip(tooltip)

    def notify(self, messages: Sequence[Message], names: dict[str, str], summary: str) -> None:
        """One notification per batch: the message itself, or a count."""
        if self.icon is None or not messages:
            return
        if len(messages) > SUMMARY_AFTER:
            self.icon.showMessage("wxpanel", summary, QSystemTrayIcon.MessageIcon.Information)
            return
        message = messages[0]
        title = names.get(message.conversation, message.conversation)
        self.icon.showMessage(title, display.preview(message), QSystemTrayIcon.MessageIcon.NoIcon)

    def alert(self, title: str, text: str, critical: bool = True) -> None:
        """A health check turned red (``critical``) or recovered: always shown."""
        if self.icon is None:
            return
        kind = QSystemTrayIcon.MessageIcon
        self.icon.showMessage(title, text, kind.Critical if critical else kind.Information)

    def set_auto_reply(self, enabled: bool) -> None:
        """Show the switch's state in the menu (without echoing it back)."""
        if self.auto_reply_action is None:
            return
        self.auto_reply_action.blockSignals(True)
        self.auto_reply_action.setChecked(enabled)
        self.auto_reply_action.blockSignals(False)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.activated.emit()
