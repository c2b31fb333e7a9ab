"""Painting rows without a widget per row: conversation entries and chat bubbles.

A delegate draws straight onto the view, so a conversation of 100 000
messages costs one painter pass over the visible rows and nothing else.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import NamedTuple

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from wxpanel.core.models import CommandStatus, Message
from wxpanel.core.names import short_wxid
from wxpanel.core.protocol import Direction
from wxpanel.gui import display
from wxpanel.gui import palette as colours
from wxpanel.gui.models import ChatModel, ConversationModel, EntryRole, MessageRole
from wxpanel.gui.shaping import needs_no_shaping, without_shaping

Index = QModelIndex | QPersistentModelIndex

MARGIN = 8
PADDING = 8
#: Room between a bubble's header and the bubble: small fonts draw '_' below their descent.
HEADER_GAP = 4
#: A bubble takes at most this share of the view's width.
BUBBLE_SHARE = 0.72

_STATUS_COLOURS = {status: QColor(colour) for status, colour in colours.COMMAND_STATUS.items()}
_QUEUED_COLOUR = _STATUS_COLOURS[CommandStatus.QUEUED]
#: A bubble's colours and header flags, made once (a QColor from a name, or an
#: ``|`` of Qt enums, costs Python microseconds in every new bubble).
_OUTLINE = QColor(0, 0, 0, 30)
_FILL_OUT = QColor(colours.BUBBLE_OUT)
_FILL_FAILED = QColor(colours.BUBBLE_FAILED)
_FILL_IN_LIGHT = QColor(colours.BUBBLE_IN_LIGHT)
_FILL_IN_DARK = QColor(colours.BUBBLE_IN_DARK)
_TEXT_ON_LIGHT = QColor(colours.BUBBLE_TEXT_ON_LIGHT)
_TEXT_ON_DARK = QColor(colours.BUBBLE_TEXT_ON_DARK)


def _with_ink(fill: QColor) -> tuple[QColor, QColor]:
    """A bubble's fill and the colour its text is written in on it."""
    return fill, _TEXT_ON_LIGHT if fill.lightness() > 128 else _TEXT_ON_DARK


_OUTGOING = _with_ink(_FILL_OUT)
_OUTGOING_FAILED = _with_ink(_FILL_FAILED)
_INCOMING_LIGHT = _with_ink(_FILL_IN_LIGHT)
_INCOMING_DARK = _with_ink(_FILL_IN_DARK)
_HEADER_TOP = int(Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextDontClip)
_HEADER_IN = int(Qt.AlignmentFlag.AlignLeft) | _HEADER_TOP
_HEADER_OUT = int(Qt.AlignmentFlag.AlignRight) | _HEADER_TOP
#: How bubble text is laid out; worked out once (each ``|`` of Qt enums costs Python).
_WRAP = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextExpandTabs)
#: For a word longer than a bubble (a URL, a bad row's run of bytes): broken anywhere.
_WRAP_ANYWHERE = _WRAP | int(Qt.TextFlag.TextWrapAnywhere)
#: What a bubble shows, measured: header, body text, header and body rectangles at
#: the origin, the flags the body is laid out with, the header's and the body's fonts.
Layout = tuple[str, str, QRect, QRect, int, QFont, QFont]
#: A bubble's measure is kept by its message and status.
_SizeKey = tuple[int, CommandStatus | None]


class _Look(NamedTuple):
    """What every bubble of a paint is drawn with, worked out once per paint."""

    base: QColor  # the view's background
    dim: QColor  # an incoming bubble's header
    incoming: tuple[QColor, QColor]  # an incoming bubble's fill and text colour
    ratio: float  # the device's pixel ratio
    #: The font of the headers copied from pictures (None: each is drawn).
    copied_headers: QFont | None


def _small(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
    return small


class _Canvas:
    """A new picture and a painter on it, ended when the ``with`` block is left.

    Every picture the delegates keep starts so: of a size in the view's
    pixels, at the screen's pixel ratio, filled with the background it is
    drawn for (or transparent).
    """

    def __init__(self, size: QSize, ratio: float, fill: QColor | Qt.GlobalColor) -> None:
        self.pixmap = QPixmap(size * ratio)
        self.pixmap.setDevicePixelRatio(ratio)
        self.pixmap.fill(fill)
        self.painter = QPainter()

    def __enter__(self) -> QPainter:
        self.painter.begin(self.pixmap)
        return self.painter

    def __exit__(self, *_exc: object) -> None:
        self.painter.end()


#: Avatar colours, picked by a stable hash of the name.
_AVATAR_COLOURS = colours.AVATARS


def _draw_avatar(painter: QPainter, box: QRect, title: str, is_group: bool) -> None:
    """A coloured disc (person) or rounded square (group) with the name's first letter."""
    colour = QColor(_AVATAR_COLOURS[sum(map(ord, title)) % len(_AVATAR_COLOURS)])
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    radius = box.width() / 5 if is_group else box.width() / 2
    painter.drawRoundedRect(box, radius, radius)
    letter = title.removeprefix("wxid_")[:1].upper() or "?"
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(max(8, box.height() // 2))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, letter)
    painter.restore()


class _Stamps:
    """Small pictures drawn once and copied: avatars and unread badges.

    Both are antialiased shapes with a bold letter or a number, the same for
    many entries; the list draws its changed entries every second while
    messages arrive.  Kept by a tuple (a key string made of a font's key cost
    more than copying the picture).
    """

    #: Pictures kept at most; all forgotten at once beyond (a few dozen are used).
    KEPT = 512

    def __init__(self) -> None:
        self._kept: dict[tuple[object, ...], QPixmap] = {}

    def avatar(
        self, painter: QPainter, box: QRect, title: str, is_group: bool, fonts: _Fonts
    ) -> None:
        """A coloured disc (person) or rounded square (group) with the name's first letter."""
        ratio = painter.device().devicePixelRatioF()
        colour = _AVATAR_COLOURS[sum(map(ord, title)) % len(_AVATAR_COLOURS)]
        letter = title.removeprefix("wxid_")[:1].upper() or "?"
        key = ("avatar", letter, colour, is_group, box.width(), box.height(), ratio, id(fonts))
        pixmap = self._kept.get(key)
        if pixmap is None:
            canvas = _Canvas(box.size(), ratio, _TRANSPARENT)
            with canvas as drawing:
                drawing.setFont(fonts.font)
                _draw_avatar(drawing, QRect(QPoint(0, 0), box.size()), title, is_group)
            pixmap = self._keep(key, canvas.pixmap)
        painter.drawPixmap(box.topLeft(), pixmap)

    def badge(self, painter: QPainter, box: QRect, text: str, fonts: _Fonts) -> None:
        """The unread count, white on the alarm colour, in a pill as high as ``box``."""
        ratio = painter.device().devicePixelRatioF()
        key = ("badge", text, box.width(), box.height(), ratio, id(fonts))
        pixmap = self._kept.get(key)
        if pixmap is None:
            at_origin = QRect(QPoint(0, 0), box.size())
            canvas = _Canvas(box.size(), ratio, _TRANSPARENT)
            with canvas as drawing:
                drawing.setRenderHint(_ANTIALIASING)
                drawing.setPen(_NO_PEN)
                drawing.setBrush(_ALARM)
                drawing.drawRoundedRect(at_origin, box.height() / 2, box.height() / 2)
                drawing.setPen(_WHITE)
                drawing.setFont(fonts.small)
                drawing.drawText(at_origin, _CENTER, text)
            pixmap = self._keep(key, canvas.pixmap)
        painter.drawPixmap(box.topLeft(), pixmap)

    def _keep(self, key: tuple[object, ...], pixmap: QPixmap) -> QPixmap:
        if len(self._kept) >= self.KEPT:
            self._kept.clear()
        self._kept[key] = pixmap
        return pixmap


class _Pictures:
    """Drawn pictures by key, the least recently used forgotten beyond a number of pixels.

    Both delegates draw a row straight onto the view the first time it is
    painted, into a picture the second time, and copy the picture afterwards
    (a row painted once, as a followed chat's new bubbles and the list's
    changed entries mostly are, would only throw its picture away).  A bad
    row of megabytes is one tall picture, so the bound is in pixels.
    """

    #: Keys remembered as painted once without a picture, the oldest forgotten first.
    SEEN = 4096

    def __init__(self, pixels: int) -> None:
        self.pixels = pixels
        self._kept: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()
        self._used = 0
        self._seen: dict[tuple[object, ...], None] = {}  # (a dict: ordered)

    def painted_before(self, key: tuple[object, ...]) -> bool:
        """Whether ``key`` was painted before without a picture; noted as painted now."""
        seen = self._seen
        if key in seen:
            del seen[key]
            return True
        seen[key] = None
        if len(seen) > self.SEEN:
            del seen[next(iter(seen))]
        return False

    def get(self, key: tuple[object, ...]) -> QPixmap | None:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
        return found

    def put(self, key: tuple[object, ...], pixmap: QPixmap) -> None:
        """Keep ``pixmap`` under ``key`` (instead of any picture kept there)."""
        old = self._kept.pop(key, None)
        if old is not None:
            self._used -= old.width() * old.height()
        self._kept[key] = pixmap
        self._used += pixmap.width() * pixmap.height()
        while self._used > self.pixels and len(self._kept) > 1:
            _key, old = self._kept.popitem(last=False)
            self._used -= old.width() * old.height()

    def clear(self) -> None:
        self._kept.clear()
        self._used = 0
        self._seen.clear()


class _Entry(NamedTuple):
    """What a conversation entry shows, read from the model once per paint."""

    title: str
    preview: str
    when: str
    unread: int
    is_group: bool


class _Fonts(NamedTuple):
    """A conversation entry's fonts and metrics, each also without shaping (for the
    texts :func:`~wxpanel.gui.shaping.needs_no_shaping` clears)."""

    font: QFont
    metrics: QFontMetrics
    bold: QFont
    bold_metrics: QFontMetrics
    small: QFont
    small_metrics: QFontMetrics
    plain: QFont
    plain_metrics: QFontMetrics
    plain_bold: QFont
    plain_bold_metrics: QFontMetrics
    plain_small: QFont
    plain_small_metrics: QFontMetrics


# Qt's enums and colours an entry is drawn with, made once: each attribute
# access and ``|`` of a PySide enum runs Python.
_TRANSPARENT = Qt.GlobalColor.transparent
_ITEM_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected
_TEXT = QPalette.ColorRole.Text
_HIGHLIGHTED_TEXT = QPalette.ColorRole.HighlightedText
_ANTIALIASING = QPainter.RenderHint.Antialiasing
_INTERSECT = Qt.ClipOperation.IntersectClip
_NO_PEN = Qt.PenStyle.NoPen
_CENTER = Qt.AlignmentFlag.AlignCenter
_ALARM = QColor(colours.ALARM)
_WHITE = QColor("white")
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT_MIDDLE = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def colour_group(state: QStyle.StateFlag) -> QPalette.ColorGroup:
    """The palette group the style paints an item's background with, for its text to match.

    A style fills a selected row with the Highlight of the view's actual
    state: Inactive when its window is not the active one, Disabled when the
    view is. Text taken from the palette's current group instead is the
    Active HighlightedText: white, which on Windows' light Inactive Highlight
    (near white) cannot be read.
    """
    if not state & QStyle.StateFlag.State_Enabled:
        return QPalette.ColorGroup.Disabled
    if not state & QStyle.StateFlag.State_Active:
        return QPalette.ColorGroup.Inactive
    return QPalette.ColorGroup.Active


class ConversationDelegate(QStyledItemDelegate):
    """Name, group marker, time, a one-line preview and an unread badge.

    The list's visible entries all change at each fold of new messages (once
    a second while messages arrive), and each is then painted once: an
    entry is drawn straight onto the list the first time it is painted, into
    a pixmap (kept under everything it shows) the second, and copied from it
    afterwards, as bubbles are.  An entry is read from the model in one call
    (:meth:`~wxpanel.gui.models.ConversationModel.entry`, in Python; another
    model's :data:`~wxpanel.gui.models.EntryRole`) and keyed by a tuple, not a
    string made of its parts; avatars and badges are small pictures drawn
    once; texts that no shaping changes are laid out without it.
    """

    #: Pixels of drawn entries kept, least recently painted forgotten first
    #: (2 MB: a few lists' worth at any width).
    DRAWN_PIXELS = 500_000
    #: Colours and widths kept at most, all forgotten at once beyond.
    KEPT = 1024

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, metrics.height() * 2 + 3 * PADDING // 2 + 4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fonts: dict[str, _Fonts] = {}  # by the view font's key
        #: The view's font last painted with, and which of :attr:`_fonts` it is.
        self._font: tuple[QFont, _Fonts] | None = None
        self._drawn = _Pictures(self.DRAWN_PIXELS)
        self._stamps = _Stamps()
        #: Small results many entries share (by state, by text), forgotten beyond KEPT.
        self._text_colours: dict[tuple[int, int], tuple[QColor, QColor]] = {}
        self._widths: dict[tuple[int, str], int] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        model = index.model()
        # From Python, not through index.data: a call into Qt and back into
        # Python, which waits for the GIL the poller may hold.
        entry = (
            model.entry(index.row())
            if isinstance(model, ConversationModel)
            else index.data(EntryRole)
        )
        if not isinstance(entry, tuple):
            return
        rect: QRect = option.rect
        fonts = self._fonts_of(option.font)
        ratio = painter.device().devicePixelRatioF()
        key = (
            entry,
            option.state.value,
            option.features.value,
            rect.width(),
            rect.height(),
            option.palette.cacheKey(),
            id(fonts),  # kept in _fonts: one id per view font for good
            ratio,
        )
        drawn = self._drawn
        pixmap = drawn.get(key)
        if pixmap is None and not drawn.painted_before(key):
            painter.save()
            painter.setClipRect(rect, _INTERSECT)  # as a picture's edges would
            self._draw(painter, option, _Entry(*entry))
            painter.restore()
            return
        if pixmap is None:
            at_origin = QStyleOptionViewItem(option)
            at_origin.rect = QRect(QPoint(0, 0), rect.size())
            # The list's background, as under an entry drawn onto it: the same pixels.
            canvas = _Canvas(rect.size(), ratio, option.palette.color(QPalette.ColorRole.Base))
            with canvas as drawing:
                self._draw(drawing, at_origin, _Entry(*entry))
            pixmap = canvas.pixmap
            drawn.put(key, pixmap)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def _fonts_of(self, font: QFont) -> _Fonts:
        """The fonts for the view's ``font``: compared with the last one, not keyed
        (``QFont.key()`` builds a string)."""
        if self._font is None or self._font[0] != font:
            self._font = (QFont(font), self._fonts_for(font))
        return self._font[1]

    def _fonts_for(self, font: QFont) -> _Fonts:
        """The entry's fonts and their metrics, made once per view font."""
        key = font.key()
        found = self._fonts.get(key)
        if found is None:
            bold = QFont(font)
            bold.setBold(True)
            small = _small(font)
            plain, plain_bold, plain_small = (without_shaping(f) for f in (font, bold, small))
            found = self._fonts[key] = _Fonts(
                QFont(font),
                QFontMetrics(font),
                bold,
                QFontMetrics(bold),
                small,
                QFontMetrics(small),
                plain,
                QFontMetrics(plain),
                plain_bold,
                QFontMetrics(plain_bold),
                plain_small,
                QFontMetrics(plain_small),
            )
        return found

    def _colours(self, state: QStyle.StateFlag, palette: QPalette) -> tuple[QColor, QColor]:
        """The name's and the preview's colours for an entry's state, worked out once."""
        key = (state.value, palette.cacheKey())
        found = self._text_colours.get(key)
        if found is None:
            text = palette.color(
                colour_group(state), _HIGHLIGHTED_TEXT if state & _SELECTED else _TEXT
            )
            dim = QColor(text)
            dim.setAlpha(170)
            if len(self._text_colours) > self.KEPT:
                self._text_colours.clear()
            found = self._text_colours[key] = (text, dim)
        return found

    def _width(self, metrics: QFontMetrics, text: str) -> int:
        """The width of a time or a count, which many entries share, measured once."""
        key = (id(metrics), text)
        found = self._widths.get(key)
        if found is None:
            if len(self._widths) > self.KEPT:
                self._widths.clear()
            found = self._widths[key] = metrics.horizontalAdvance(text)
        return found

    def _draw(self, painter: QPainter, option: QStyleOptionViewItem, entry: _Entry) -> None:
        """An entry in ``option.rect``, drawn only when what it shows changed (the
        list's changed entries, about once a second while messages arrive): the
        parts are the ones the cache key has."""
        painter.save()
        # Not initStyleOption: it asks the model for a dozen roles in Python,
        # none of which this entry shows; the view's option (a copy made for
        # this drawing) has the state.
        opt = option
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawPrimitive(_ITEM_PANEL, opt, painter, widget)
        rect: QRect = opt.rect.adjusted(PADDING, PADDING // 2, -PADDING, -PADDING // 2)
        text_colour, dim = self._colours(opt.state, opt.palette)
        fonts = self._fonts_of(opt.font)
        line = fonts.metrics.height()

        # Avatar: a circle for a person, a rounded square for a group.
        size = line * 2
        avatar = QRect(rect.left(), rect.top() + (rect.height() - size) // 2, size, size)
        self._stamps.avatar(painter, avatar, entry.title, entry.is_group, fonts)
        rect = rect.adjusted(size + PADDING, 0, 0, 0)

        # First line: name and time.
        when, title = entry.when, entry.title
        small, small_metrics = (
            (fonts.plain_small, fonts.plain_small_metrics)
            if needs_no_shaping(when)
            else (fonts.small, fonts.small_metrics)
        )
        time_width = self._width(small_metrics, when) + PADDING
        name_rect = QRect(rect.left(), rect.top(), rect.width() - time_width, line)
        bold, bold_metrics = (
            (fonts.plain_bold, fonts.plain_bold_metrics)
            if needs_no_shaping(title)
            else (fonts.bold, fonts.bold_metrics)
        )
        painter.setFont(bold)
        painter.setPen(text_colour)
        name = bold_metrics.elidedText(title, _ELIDE_RIGHT, name_rect.width())
        painter.drawText(name_rect, _LEFT_MIDDLE, name)
        painter.setFont(small)
        painter.drawText(
            QRect(rect.right() - time_width, rect.top(), time_width, line), _RIGHT_MIDDLE, when
        )

        # Second line: preview and badge.
        unread = entry.unread
        badge_text = "99+" if unread > 99 else str(unread)
        badge_width = self._width(fonts.small_metrics, badge_text) + PADDING * 2 if unread else 0
        preview_rect = QRect(
            rect.left(), rect.top() + line + 2, rect.width() - badge_width - PADDING, line
        )
        font, metrics = (
            (fonts.plain, fonts.plain_metrics)
            if needs_no_shaping(entry.preview)
            else (fonts.font, fonts.metrics)
        )
        painter.setFont(font)
        painter.setPen(dim)
        preview = metrics.elidedText(entry.preview, _ELIDE_RIGHT, preview_rect.width())
        painter.drawText(preview_rect, _LEFT_MIDDLE, preview)
        if unread:
            badge = QRect(
                rect.right() - badge_width,
                preview_rect.top() + (line - fonts.small_metrics.height()) // 2,
                badge_width,
                fonts.small_metrics.height(),
            )
            self._stamps.badge(painter, badge, badge_text, fonts)
        painter.restore()


class _BubbleFonts(NamedTuple):
    """A bubble's fonts and metrics for one view font: the body's and the header's,
    each also without shaping (for the texts :func:`~wxpanel.gui.shaping.needs_no_shaping`
    clears: a quarter of laying them out, measuring and drawing alike)."""

    font: QFont
    metrics: QFontMetrics
    small: QFont
    small_metrics: QFontMetrics
    plain: QFont
    plain_metrics: QFontMetrics
    plain_small: QFont
    plain_small_metrics: QFontMetrics


class _Shapes:
    """Bubble outlines drawn once per height and colours, then copied in three slices.

    An antialiased rounded rectangle was a third of a new bubble's drawing.
    Its left and right ends (the corners) are the same for every bubble of a
    height, and the part between them is one column repeated: the slices are
    taken from a small picture of a bubble drawn on the view's background
    (the middle one as a tile of that column, tiled across), and put together
    pixel for pixel as the rectangle would have been drawn (at whole device
    pixel ratios; others draw the rectangle).
    """

    RADIUS = 6
    #: A corner's slice: the radius and the pixel of the outline's outer half.
    CAP = RADIUS + 2
    #: The middle column, repeated this wide: tiled, not stretched (a stretch
    #: is a scaled copy, twice a tiling's time).
    TILE = 64
    #: How many shapes are kept (a few heights in a few colours).
    KEPT = 64

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[int, int, int, float], tuple[QPixmap, QPixmap]] = (
            OrderedDict()
        )

    def draw(
        self, painter: QPainter, bubble: QRect, fill: QColor, base: QColor, ratio: float
    ) -> None:
        cap = self.CAP
        if not ratio.is_integer() or bubble.width() < 2 * cap - 1:
            painter.save()
            painter.setRenderHint(_ANTIALIASING)
            painter.setPen(_OUTLINE)
            painter.setBrush(fill)
            painter.drawRoundedRect(bubble, self.RADIUS, self.RADIUS)
            painter.restore()
            return
        height = bubble.height()
        key = (height, fill.rgba(), base.rgba(), ratio)
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = self._slices(height, fill, base, ratio)
            if len(self._kept) > self.KEPT:
                self._kept.popitem(last=False)
        slices, middle = found
        scale = int(ratio)
        x, y = bubble.left() - 1, bubble.top() - 1  # the outline's outer half
        tall = (height + 2) * scale
        painter.drawPixmap(QPoint(x, y), slices, QRect(0, 0, cap * scale, tall))
        painter.drawTiledPixmap(QRect(x + cap, y, bubble.width() + 2 - 2 * cap, height + 2), middle)
        painter.drawPixmap(
            QPoint(x + bubble.width() + 2 - cap, y),
            slices,
            QRect((cap + 1) * scale, 0, cap * scale, tall),
        )

    def _slices(
        self, height: int, fill: QColor, base: QColor, ratio: float
    ) -> tuple[QPixmap, QPixmap]:
        """A bubble one column wider than its two corners, drawn on ``base``, and
        its middle column repeated :data:`TILE` wide."""
        width = 2 * self.CAP + 1
        canvas = _Canvas(QSize(width, height + 2), ratio, base)
        with canvas as drawing:
            drawing.setRenderHint(_ANTIALIASING)
            drawing.setPen(_OUTLINE)
            drawing.setBrush(fill)
            drawing.drawRoundedRect(QRect(1, 1, width - 2, height), self.RADIUS, self.RADIUS)
        scale = int(ratio)
        middle = _Canvas(QSize(self.TILE, height + 2), ratio, base)
        with middle as drawing:
            column = QRect(self.CAP * scale, 0, scale, (height + 2) * scale)
            drawing.drawPixmap(QRect(0, 0, self.TILE, height + 2), canvas.pixmap, column)
        return canvas.pixmap, middle.pixmap

    def clear(self) -> None:
        self._kept.clear()


class _Headers:
    """Bubble headers drawn once and copied: a member and a time, or a time and a status.

    A busy group's bubbles share few headers (its members who spoke in the
    same minute), and a header's text was a quarter of a new bubble's
    drawing.  The picture is the header's part of a bubble's picture: from
    the row's top to the bubble, as wide as the text and the margins on its
    sides, filled with the view's background (drawn under the text either
    way: the same pixels).  Only for texts without shaping (no glyph of those
    reaches beyond the margins) and at whole device pixel ratios (at others
    a picture lands on a rounded pixel, the text beside it on its own).
    """

    #: Headers kept, the least recently used forgotten first.
    KEPT = 256

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()

    def draw(
        self,
        painter: QPainter,
        rect: QRect,
        header: str,
        size: QSize,
        look: tuple[QFont, QColor, QColor, bool],
    ) -> None:
        """``header`` of ``size`` at the top of a bubble's ``rect``, in ``look``:
        its font, its colour, the background, and whether it is ours (on the right)."""
        font, pen, base, outgoing = look
        ratio = painter.device().devicePixelRatioF()
        key = (header, id(font), pen.rgba(), base.rgba(), outgoing, ratio)
        pixmap = self._kept.get(key)
        if pixmap is None:
            pixmap = self._picture(header, size, look, ratio)
            self._kept[key] = pixmap
            if len(self._kept) > self.KEPT:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(key)
        width = size.width() + 2 * MARGIN
        painter.drawPixmap(
            rect.right() + 1 - width if outgoing else rect.left(), rect.top(), pixmap
        )

    @staticmethod
    def _picture(
        header: str, size: QSize, look: tuple[QFont, QColor, QColor, bool], ratio: float
    ) -> QPixmap:
        font, pen, base, outgoing = look
        high = MARGIN // 2 + size.height() + HEADER_GAP
        canvas = _Canvas(QSize(size.width() + 2 * MARGIN, high), ratio, base)
        with canvas as drawing:
            drawing.setFont(font)
            drawing.setPen(pen)
            box = QRect(QPoint(MARGIN, MARGIN // 2), size)
            drawing.drawText(box, _HEADER_OUT if outgoing else _HEADER_IN, header)
        return canvas.pixmap

    def clear(self) -> None:
        self._kept.clear()


class BubbleDelegate(QStyledItemDelegate):
    """Chat bubbles: incoming on the left (with the member in groups), ours on the right.

    The height of a bubble depends on the view's width, so the delegate keeps
    its view; :class:`~wxpanel.gui.views.ChatView` asks for a row's size once,
    when it arrives, and for every row again when the width or font changes.

    Sizes and layouts are remembered per message (and status, which changes
    the header) for the current width and font: painting draws the measured
    layout instead of measuring wrapped text again for every visible bubble.
    Those of the last few widths are kept too (:data:`WIDTHS_KEPT`): a window
    maximised and restored, or a splitter dragged back, finds its bubbles
    measured.
    """

    #: Forget remembered sizes beyond this many, all widths together (a long
    #: session's many chats).
    SIZE_CACHE = 100_000
    #: Widths whose sizes are kept besides the current one's.
    WIDTHS_KEPT = 3
    #: Pixels of drawn bubbles kept, least recently painted forgotten first
    #: (16 MB: a few screenfuls; a bad row of megabytes is one tall picture).
    DRAWN_PIXELS = 4_000_000

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self._aliases: dict[str, str] = {}
        self._sizes: dict[_SizeKey, tuple[QSize, Layout]] = {}
        self._sizes_for = -1  # the viewport width they were measured for
        #: Sizes measured for other widths, the least recently used first.
        self._other_widths: OrderedDict[int, dict[_SizeKey, tuple[QSize, Layout]]] = OrderedDict()
        self._drawn = _Pictures(self.DRAWN_PIXELS)
        self._shapes = _Shapes()
        self._headers = _Headers()
        self._header_widths: dict[tuple[str, int], int] = {}
        #: The font the sizes were measured with, and the fonts made from it.
        self._font: tuple[QFont, _BubbleFonts] | None = None

    @property
    def aliases(self) -> dict[str, str]:
        return self._aliases

    @aliases.setter
    def aliases(self, aliases: dict[str, str]) -> None:
        """Names in group headers change the headers' widths: measure again."""
        if aliases != self._aliases:
            self._aliases = aliases
            self._forget()

    def _forget(self) -> None:
        """What was measured and drawn no longer holds (names, font or width changed)."""
        self._sizes.clear()
        self._other_widths.clear()
        self._drawn.clear()
        self._headers.clear()  # (kept by the font's id)
        self._header_widths.clear()

    def _switch_width(self, width: int) -> None:
        """Sizes for ``width``: those kept from when the view last had it, if any."""
        if self._sizes:
            self._other_widths[self._sizes_for] = self._sizes
        self._sizes = self._other_widths.pop(width, {})
        self._sizes_for = width
        kept = self._other_widths
        while kept and (
            len(kept) > self.WIDTHS_KEPT
            or len(self._sizes) + sum(map(len, kept.values())) > self.SIZE_CACHE
        ):
            kept.popitem(last=False)

    def _max_text_width(self) -> int:
        """For the viewport width the sizes are measured for (:meth:`_sizes_now`)."""
        return max(80, int(self._sizes_for * BUBBLE_SHARE) - 2 * PADDING)

    def _fonts(self, font: QFont) -> _BubbleFonts:
        """The bubble's fonts and metrics, made once per view font.

        Another font forgets every size measured with the old one.  Compared,
        not keyed: ``QFont.key()`` builds a string, 6 µs a row.
        """
        if self._font is None or self._font[0] != font:
            small = _small(font)
            plain, plain_small = without_shaping(font), without_shaping(small)
            fonts = _BubbleFonts(
                QFont(font),
                QFontMetrics(font),
                small,
                QFontMetrics(small),
                plain,
                QFontMetrics(plain),
                plain_small,
                QFontMetrics(plain_small),
            )
            self._font = (QFont(font), fonts)
            self._forget()
        return self._font[1]

    def _layout(self, option: QStyleOptionViewItem, message: Message) -> Layout:
        """Header (member name / status), body text, their rectangles at the origin,
        the body's flags, and the fonts both are drawn with."""
        fonts = self._fonts(option.font)
        text = display.body(message)
        plain = needs_no_shaping(text)
        font, metrics = (fonts.plain, fonts.plain_metrics) if plain else fonts[:2]
        room = QRect(0, 0, self._max_text_width(), 100_000)
        flags = _WRAP
        body = metrics.boundingRect(room, flags, text)
        if body.width() > room.width():  # a word wider than the bubble would leave it
            flags = _WRAP_ANYWHERE
            body = metrics.boundingRect(room, flags, text)
        when = display.clock_time(message.time)
        if message.direction is Direction.IN:
            sender = message.sender or ""
            member = (self.aliases.get(sender) or short_wxid(sender)) if message.is_group else ""
            header = f"{member}  {when}" if member else when
        else:
            status = display.status_line(message)
            header = f"{when}  {status}" if status else when
        small, small_metrics = (
            (fonts.plain_small, fonts.plain_small_metrics)
            if needs_no_shaping(header)
            else (fonts.small, fonts.small_metrics)
        )
        header_rect = (
            QRect(0, 0, self._header_width(small_metrics, header), small_metrics.height())
            if header
            else QRect()
        )
        return header, text, header_rect, body, flags, small, font

    def _header_width(self, metrics: QFontMetrics, header: str) -> int:
        """A header's width, measured once: a busy group's bubbles share a few
        (the members who spoke in a minute)."""
        key = (header, id(metrics))  # (forgotten with the fonts: an id is not reused meanwhile)
        width = self._header_widths.get(key)
        if width is None:
            if len(self._header_widths) >= _Headers.KEPT:
                self._header_widths.clear()
            width = self._header_widths[key] = metrics.horizontalAdvance(header)
        return width

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        model = index.model()
        # The chat's message from Python: through Qt (index.data) it was a
        # call from Python into Qt and back.
        message = (
            model.message(index.row()) if isinstance(model, ChatModel) else index.data(MessageRole)
        )
        if not isinstance(message, Message):
            return QSize(0, 0)
        return self._measured(option, message)[0]

    def _measured(self, option: QStyleOptionViewItem, message: Message) -> tuple[QSize, Layout]:
        """The bubble's size and layout, measured once per message, status and width.

        Painting uses the same layout: measuring wrapped text for every
        visible bubble on every repaint was most of the chat's paint time.
        """
        sizes = self._sizes_now(option)
        return sizes.get((message.id, message.status)) or self._measure(option, message)

    def _sizes_now(self, option: QStyleOptionViewItem) -> dict[_SizeKey, tuple[QSize, Layout]]:
        """The sizes measured for the view's width and ``option``'s font (the
        others put aside or forgotten first): once per paint, not per bubble."""
        width = self.view.viewport().width()
        if self._sizes_for != width:
            self._switch_width(width)
        if len(self._sizes) > self.SIZE_CACHE:
            self._forget()
        self._fonts(option.font)
        return self._sizes

    def _measure(self, option: QStyleOptionViewItem, message: Message) -> tuple[QSize, Layout]:
        """Measure a bubble not measured yet for the width (:meth:`_sizes_now` first)."""
        layout = self._layout(option, message)
        header, _text, header_rect, body = layout[:4]
        height = body.height() + 2 * PADDING + header_rect.height() + 2 * (MARGIN // 2)
        measured = (QSize(self._sizes_for, height + (HEADER_GAP if header else 0)), layout)
        self._sizes[(message.id, message.status)] = measured
        return measured

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        message = index.data(MessageRole)
        if isinstance(message, Message):
            self.paint_rows(painter, option, [(message, option.rect)])

    def paint_rows(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rows: Iterable[tuple[Message, QRect]],
    ) -> None:
        """Each message's bubble in its row: drawn onto the view the first time,
        into a picture the second, copied from it afterwards.

        A bubble is as wide as its text and header, not the row, and is put at
        the row's left or right edge: a resize that does not wrap a bubble's
        text again draws nothing new.  A chat followed at its bottom paints
        each new bubble once (the view scrolls the others' pixels), so a
        picture made then would only be thrown away: a bubble gets one when it
        is painted again (the window uncovered, the reader scrolling back),
        and is copied after that.  The picture is filled with the view's
        background, so both ways draw the same pixels.
        :class:`~wxpanel.gui.views.ChatView` hands a paint's rows at once: one
        call from Qt into Python per paint, not one per bubble (each waits for
        the GIL the poller may hold).
        """
        ratio = painter.device().devicePixelRatioF()
        palette: QPalette = option.palette
        # The colours drawn with, not the palette's cacheKey(): the view's
        # option is a new copy of the palette for every paint.
        base = palette.color(QPalette.ColorRole.Base)
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        sizes = self._sizes_now(option)
        look = _Look(
            base,
            dim,
            _INCOMING_LIGHT if base.lightness() > 128 else _INCOMING_DARK,
            ratio,
            # Headers are copied from pictures at whole pixel ratios, in the unshaped font.
            self._fonts(option.font).plain_small if ratio.is_integer() else None,
        )
        colours = (base.rgba(), dim.rgba())
        drawn = self._drawn
        for message, row in rows:
            layout = (sizes.get((message.id, message.status)) or self._measure(option, message))[1]
            header_rect, body = layout[2:4]
            width = 2 * MARGIN + max(header_rect.width(), body.width() + 2 * PADDING)
            outgoing = message.direction is Direction.OUT
            left = row.right() + 1 - width if outgoing else row.left()
            key = (message.id, message.status, width, row.height(), *colours)
            pixmap = drawn.get(key)
            if pixmap is None and not drawn.painted_before(key):
                area = QRect(left, row.top(), width, row.height())
                painter.save()
                painter.setClipRect(area, _INTERSECT)  # as a picture's edges would
                self._draw(painter, area, message, layout, look)
                painter.restore()
                continue
            if pixmap is None or pixmap.devicePixelRatioF() != ratio:
                pixmap = self._picture(key, QSize(width, row.height()), message, layout, look)
            painter.drawPixmap(left, row.top(), pixmap)

    def _picture(
        self,
        key: tuple[object, ...],
        size: QSize,
        message: Message,
        layout: Layout,
        look: _Look,
    ) -> QPixmap:
        """The bubble drawn into a picture of ``size``, kept under ``key``."""
        canvas = _Canvas(size, look.ratio, look.base)
        with canvas as drawing:
            self._draw(drawing, QRect(QPoint(0, 0), size), message, layout, look)
        pixmap = canvas.pixmap
        self._drawn.put(key, pixmap)  # (one drawn for another screen's pixel ratio goes)
        return pixmap

    def _draw(
        self, painter: QPainter, rect: QRect, message: Message, layout: Layout, look: _Look
    ) -> None:
        """The bubble of ``layout`` in ``rect`` (as wide as the bubble and its
        header), on the view's background: onto the view, or into a picture filled
        with it."""
        header, text, header_rect, body, flags, small, font = layout
        outgoing = message.direction is Direction.OUT
        top = rect.top() + MARGIN // 2
        width = body.width() + 2 * PADDING
        left = rect.right() - MARGIN - width if outgoing else rect.left() + MARGIN
        if header:
            pen = (
                _STATUS_COLOURS.get(message.status or CommandStatus.QUEUED, _QUEUED_COLOUR)
                if outgoing
                else look.dim
            )
            if small is look.copied_headers:
                self._headers.draw(
                    painter, rect, header, header_rect.size(), (small, pen, look.base, outgoing)
                )
            else:  # shaped: drawn each time (marks may reach beyond any margin)
                painter.setFont(small)
                painter.setPen(pen)
                header_box = QRect(
                    rect.left() + MARGIN, top, rect.width() - 2 * MARGIN, header_rect.height()
                )
                painter.drawText(header_box, _HEADER_OUT if outgoing else _HEADER_IN, header)
            top += header_rect.height() + HEADER_GAP
        bubble = QRect(left, top, width, body.height() + 2 * PADDING)
        if outgoing:
            failed = message.status in (CommandStatus.STUCK, CommandStatus.FAILED)
            fill, ink = _OUTGOING_FAILED if failed else _OUTGOING
        else:
            fill, ink = look.incoming
        self._shapes.draw(painter, bubble, fill, look.base, look.ratio)
        painter.setFont(font)
        painter.setPen(ink)
        painter.drawText(bubble.adjusted(PADDING, PADDING, -PADDING, -PADDING), flags, text)
