"""Small icons drawn at run time: one per message type, for the live feed.

Drawn with QPainter rather than shipped as files, so they scale with the
screen, need no resource step, and a new type is one line in :data:`GLYPHS`.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from wxpanel.core.protocol import MessageType
from wxpanel.gui import palette

#: The symbol and colour of each type; symbols every desktop font has.
GLYPHS: dict[MessageType, tuple[str, str]] = {
    kind: (symbol, palette.MESSAGE_TYPES[kind])
    for kind, symbol in (
        (MessageType.TEXT, "✎"),
        (MessageType.IMAGE, "▣"),
        (MessageType.VOICE, "♪"),
        (MessageType.VIDEO, "▶"),
        (MessageType.STICKER, "☺"),
        (MessageType.FRIEND_REQUEST, "+"),
        (MessageType.CARD, "☎"),
        (MessageType.APP, "↗"),
        (MessageType.SYSTEM, "i"),
        (MessageType.UNKNOWN, "?"),
    )
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
