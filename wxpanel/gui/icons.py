"""Small icons drawn at run time: one per message type, for the live feed.

Drawn with QPainter rather than shipped as files, so they scale with the
screen, need no resource step, and a new type is one line in :data:`GLYPHS`.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from wxpanel.core.protocol import MessageType

#: The symbol and colour of each type; symbols every desktop font has.
GLYPHS: dict[MessageType, tuple[str, str]] = {
    MessageType.TEXT: ("✎", "#4a90d9"),
    MessageType.IMAGE: ("▣", "#2e9e6b"),
    MessageType.VOICE: ("♪", "#8e6bd6"),
    MessageType.VIDEO: ("▶", "#d9534f"),
    MessageType.STICKER: ("☺", "#e0a020"),
    MessageType.FRIEND_REQUEST: ("+", "#16a085"),
    MessageType.CARD: ("☎", "#7f8c8d"),
    MessageType.APP: ("↗", "#2c7fb8"),
    MessageType.SYSTEM: ("i", "#95a5a6"),
    MessageType.UNKNOWN: ("?", "#b0b0b0"),
}
SIZE = 32  # drawn large, scaled down by the view: sharp on high-DPI screens


@cache
def type_icon(kind: MessageType) -> QIcon:
    """A rounded square in the type's colour with its symbol in white."""
    symbol, colour = GLYPHS.get(kind, GLYPHS[MessageType.UNKNOWN])
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(QRectF(1, 1, SIZE - 2, SIZE - 2), 7, 7)
        font = QFont()
        font.setPixelSize(SIZE * 2 // 3)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, SIZE, SIZE), Qt.AlignmentFlag.AlignCenter, symbol)
    finally:
        painter.end()
    return QIcon(pixmap)
