"""Painting the live feed's cells from the model's texts, each laid out once.

Following demo.exe's cadence, the feed's viewport is mostly new rows every
frame (20 rows per 100 ms at 200 events a second): it is painted whole ten
times a second.  Qt's own delegate asks the model a dozen roles per cell
(each a Python ``data()`` call, through the filter proxy) and shapes and
elides the text again on every paint, which made a paint of the feed cost
15-30 ms.  This one makes one Python call per cell: the row's text and marks
come straight from :meth:`FeedModel.cell`, and the elided text is laid out
once into a :class:`QStaticText`, kept by text and width.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import (
    QAbstractProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap, QStaticText, QTransform
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
)

from wxpanel.core.protocol import MessageType
from wxpanel.gui import icons, palette
from wxpanel.gui.delegates import colour_group
from wxpanel.gui.models import MARK_BAD, MARK_OUT, FeedModel

Index = QModelIndex | QPersistentModelIndex

#: Laid-out texts kept; a screenful is ~200 cells.  Past this, all are forgotten.
TEXT_CACHE = 4096

_State = QStyle.StateFlag
_Primitive = QStyle.PrimitiveElement
_HIGHLIGHTED = (_State.State_Selected | _State.State_MouseOver).value
_FOCUS = _State.State_HasFocus.value
#: The states that choose a text colour (see :func:`~wxpanel.gui.delegates.colour_group`).
_COLOUR_STATES = (_State.State_Selected | _State.State_Enabled | _State.State_Active).value


class FeedDelegate(QStyledItemDelegate):
    """Draws a feed cell: background and selection by the style, then a prepared text.

    Looks like Qt's delegate (the style's margins, elision at the right,
    the type's icon before its name), but never asks the model for roles.
    """

    def __init__(self, feed: FeedModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.feed = feed
        self._texts: dict[tuple[str, int], tuple[QStaticText, int]] = {}
        self._icons: dict[tuple[MessageType, int, float], QPixmap] = {}
        #: Text colours by (state bits that matter, outgoing); the palette's, until it changes.
        self._pens: dict[tuple[int, int], QColor] = {}
        self._style: QStyle | None = None
        self._margin = 0  # the style's text margin
        self._char = 1  # the font's average character width

    def forget(self) -> None:
        """The font, the style or the colours changed: lay every text out again."""
        self._texts.clear()
        self._icons.clear()
        self._pens.clear()
        self._style = None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """One cell, in as few calls into Qt as it takes: each costs microseconds.

        The states are compared as ints (a Python enum operation costs more).
        """
        model = index.model()
        if model is not self.feed:
            index = cast(QAbstractProxyModel, model).mapToSource(index)
        row, column = index.row(), index.column()
        texts = self.feed.texts[row]
        text = texts[column] if texts is not None else self.feed.cell(row, column)[0]
        marks = self.feed.marks[row]
        state = option.state.value
        style = self._style or self._remember_style(option)
        if marks & MARK_BAD or state & _HIGHLIGHTED:
            panel = option
            if marks & MARK_BAD:
                panel = QStyleOptionViewItem(option)
                panel.backgroundBrush = palette.brush(palette.scheme().flagged_background)
            style.drawPrimitive(_Primitive.PE_PanelItemViewItem, panel, painter, option.widget)
        x, y, width, height = cast(tuple[int, int, int, int], option.rect.getRect())
        left = x + self._margin
        if column == FeedModel.TYPE:
            left = self._draw_icon(painter, option, row, left, y, height)
        room = x + width - self._margin - left
        if text and room > 0:
            static, text_height = self._laid_out(option, text, room)
            pen = self._pens.get((state & _COLOUR_STATES, marks & MARK_OUT))
            painter.setPen(pen or self._pen(option, state, marks & MARK_OUT))
            painter.drawStaticText(left, y + (height - text_height) // 2, static)
        if state & _FOCUS:
            self._draw_focus(painter, option, style)

    def _remember_style(self, option: QStyleOptionViewItem) -> QStyle:
        """The view's style, margin and font, asked once (again after :meth:`forget`)."""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        metric = QStyle.PixelMetric.PM_FocusFrameHMargin
        self._margin = style.pixelMetric(metric, None, widget) + 1
        self._char = max(1, option.fontMetrics.averageCharWidth())
        self._style = style
        return style

    def _pen(self, option: QStyleOptionViewItem, state: int, outgoing: int) -> QColor:
        """What Qt's delegate would write with: highlighted when selected, else the row's colour."""
        flags = option.state
        if flags & _State.State_Selected:
            role = QPalette.ColorRole.HighlightedText
            found = option.palette.color(colour_group(flags), role)
        elif outgoing:
            found = QColor(palette.scheme().ok)
        else:
            found = option.palette.color(colour_group(flags), QPalette.ColorRole.Text)
        self._pens[(state & _COLOUR_STATES, outgoing)] = found
        return found

    def _laid_out(
        self, option: QStyleOptionViewItem, text: str, room: int
    ) -> tuple[QStaticText, int]:
        """The text as it fits in ``room`` pixels, shaped once.

        Elision shapes the whole text to measure it, and the static text
        shapes it again: a text that looks short enough is laid out whole
        first, and elided only if it turns out too wide (names, times and
        kinds, most cells but the content, are shaped once).
        """
        key = (text, room)
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= TEXT_CACHE:
                self._texts.clear()
            line = " ".join(text.splitlines())
            static = None
            if len(line) * self._char <= room:
                static = _static(line, option)
                if static.size().width() > room:
                    static = None
            if static is None:
                elided = option.fontMetrics.elidedText(line, Qt.TextElideMode.ElideRight, room)
                static = _static(elided, option)
            found = self._texts[key] = (static, round(static.size().height()))
        return found

    def _draw_icon(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        row: int,
        left: int,
        y: int,
        height: int,
    ) -> int:
        """The type's icon at the cell's left; returns where the text starts."""
        size = option.decorationSize.height() if option.decorationSize.isValid() else 16
        ratio = painter.device().devicePixelRatioF()
        kind = self.feed.message(row).type
        pixmap = self._icons.get((kind, size, ratio))
        if pixmap is None:
            pixmap = icons.type_icon(kind).pixmap(QSize(size, size), ratio)
            self._icons[(kind, size, ratio)] = pixmap
        painter.drawPixmap(left, y + (height - size) // 2, pixmap)
        return left + size + 2 * self._margin

    @staticmethod
    def _draw_focus(painter: QPainter, option: QStyleOptionViewItem, style: QStyle) -> None:
        focus = QStyleOptionFocusRect()
        if option.widget is not None:
            focus.initFrom(option.widget)
        focus.rect = option.rect
        focus.state = option.state | _State.State_KeyboardFocusChange | _State.State_Item
        selected = bool(option.state & _State.State_Selected)
        focus.backgroundColor = option.palette.color(
            colour_group(option.state),
            QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Window,
        )
        style.drawPrimitive(_Primitive.PE_FrameFocusRect, focus, painter, option.widget)


def _static(text: str, option: QStyleOptionViewItem) -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(QTransform(), option.font)
    return static
