"""Draw wxpanel's application icon and write resources/wxpanel.ico and wxpanel.png.

    QT_QPA_PLATFORM=offscreen python3 scripts/make_icon.py

The icon is drawn with QPainter from shapes only (no text, so no font can
change it between machines): the green rounded square of the tray mark
(``wxpanel.gui.tray.badge_icon``), a white chat bubble, and in the bubble two
slider lines, for "a control panel for chats".  Each size is drawn on its own
pixel grid, and the small ones with fewer details, so 16 px stays crisp.

The .ico holds 16-256 px images: the sizes below 256 as 32-bit BGRA DIBs
(what every Windows version and resource tool reads), 256 px as PNG (what
Windows expects for that size).  The output is committed; run this again only
to change the design.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
PNG_SIZE = 256
GREEN = QColor("#07c160")
WHITE = QColor("#ffffff")


def draw(size: int) -> QImage:
    """The icon at ``size`` x ``size`` pixels, transparent outside the square."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    s = float(size)
    small = size <= 24

    # The rounded square of the tray mark.
    margin = 0.0 if small else s * 0.03
    square = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    radius = square.width() * 0.22
    painter.setBrush(GREEN)
    painter.drawRoundedRect(square, radius, radius)

    # The chat bubble: a rounded rectangle with a tail at the lower left.
    bubble = QRectF(s * 0.17, s * 0.20, s * 0.66, s * 0.48)
    corner = bubble.height() * 0.32
    path = QPainterPath()
    path.addRoundedRect(bubble, corner, corner)
    tail = QPainterPath()
    tail.moveTo(QPointF(bubble.left() + bubble.width() * 0.18, bubble.bottom() - 1))
    tail.lineTo(QPointF(bubble.left() + bubble.width() * 0.10, s * 0.82))
    tail.lineTo(QPointF(bubble.left() + bubble.width() * 0.42, bubble.bottom() - 1))
    tail.closeSubpath()
    painter.setBrush(WHITE)
    painter.drawPath(path.united(tail))

    # Two sliders inside the bubble (two dots at the smallest sizes).
    painter.setBrush(GREEN)
    if small:
        dot = max(2.0, s * 0.13)
        y = bubble.center().y() - dot / 2
        for x in (0.36, 0.64):
            painter.drawEllipse(QRectF(s * x - dot / 2, y, dot, dot))
    else:
        line = max(1.5, s * 0.045)
        knob = s * 0.13
        left, right = bubble.left() + s * 0.10, bubble.right() - s * 0.10
        for row, position in ((0.36, 0.68), (0.64, 0.32)):
            y = bubble.top() + bubble.height() * row
            painter.drawRoundedRect(
                QRectF(left, y - line / 2, right - left, line), line / 2, line / 2
            )
            x = left + (right - left) * position
            painter.drawEllipse(QRectF(x - knob / 2, y - knob / 2, knob, knob))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit("cannot encode PNG")
    buffer.close()
    return bytes(data.data())


def dib_bytes(image: QImage) -> bytes:
    """An ICO image entry as a 32-bit DIB: header, BGRA rows bottom-up, AND mask."""
    width, height = image.width(), image.height()
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, width * height * 4, 0, 0, 0, 0
    )
    rows = []
    for y in range(height - 1, -1, -1):
        line = bytes(rgba.constScanLine(y))[: width * 4]
        bgra = bytearray(line)
        bgra[0::4], bgra[2::4] = line[2::4], line[0::4]
        rows.append(bytes(bgra))
    mask_stride = ((width + 31) // 32) * 4
    mask = bytes(mask_stride * height)  # all zero: the alpha channel decides
    return header + b"".join(rows) + mask


def ico_bytes(images: list[QImage]) -> bytes:
    entries = [png_bytes(i) if i.width() >= 256 else dib_bytes(i) for i in images]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for image, data in zip(images, entries, strict=True):
        side = image.width() % 256  # 0 means 256
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(entries)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    RESOURCES.mkdir(exist_ok=True)
    ico = RESOURCES / "wxpanel.ico"
    png = RESOURCES / "wxpanel.png"
    ico.write_bytes(ico_bytes([draw(size) for size in ICO_SIZES]))
    png.write_bytes(png_bytes(draw(PNG_SIZE)))
    print(f"wrote {ico} ({ico.stat().st_size} bytes), {png} ({png.stat().st_size} bytes)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
