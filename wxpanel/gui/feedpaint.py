"""The live feed's rows painted in one Python call per paint, as Qt paints them.

With the feed open, every frame paints the rows that arrived since the last
one (the rows above are scrolled, not painted).  Through Qt's own item
painting each of those rows cost, first, filling its six cells into the C++
model (six ``setItemData`` calls, ~200 µs a row) and then, per cell, Qt's
delegate asking a dozen roles of the model before the style drew it: about
two fifths of the GUI thread's time with the feed open.  :class:`FeedPainter`
draws the same pixels from the feed's Python lists: the row's background
(alternating, flagged, selected), the type's icon, each cell's text elided
at the right in the cell's font and colour, and the grid, following the
steps of ``QTableView::paintEvent`` and of ``QCommonStyle``'s
``CE_ItemViewItem``.  A row neither selected nor focused takes a quick
path: one background; a text seen for the first time drawn as it is (most
names come once in a while); a cell whose text repeats (times, types,
directions, a busy group's name) copied from a picture of it drawn once
onto the same background (or, where pictures cannot be pixel-exact, its
text laid out once as ``QStaticText``); the content, every row's own,
drawn as it is.  A selected row is painted cell by cell; the cell with the
keyboard focus, and a text with a line break, tab or control character, by
Qt's delegate itself (after filling that row).

Only under the Fusion style (the panel's look with a theme chosen, and the
look on Linux): other styles (Windows' own, macOS) draw item views their own
way, and :meth:`FeedPainter.usable` leaves those to Qt.  A test compares the
pictures pixel for pixel (``tests/gui/test_feedpaint.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import (
    QItemSelectionModel,
    QItemSelectionRange,
    QModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontInfo,
    QFontMetrics,
    QFontMetricsF,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionViewItem, QTableView

from wxpanel.core.protocol import MessageType
from wxpanel.gui import icons, palette
from wxpanel.gui.models import MARK_BAD, MARK_OUT, FeedModel
from wxpanel.gui.shaping import needs_no_shaping, unshaped_font

_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
_ICON_CENTRE = Qt.AlignmentFlag.AlignCenter
_SELECTED = QStyle.StateFlag.State_Selected
_ACTIVE = QStyle.StateFlag.State_Active
_ENABLED = QStyle.StateFlag.State_Enabled
_ICON_OFF = QIcon.State.Off
_ICON_MODES = {False: QIcon.Mode.Normal, True: QIcon.Mode.Selected}
_ColorGroup = QPalette.ColorGroup
_TYPE, _CONTENT = FeedModel.TYPE, FeedModel.CONTENT
_Role = QPalette.ColorRole
_GRID_COLOUR = QStyle.StyleHint.SH_Table_GridLineColor
_LEFT_TOP_LINES = QStyle.StyleHint.SH_Table_AlwaysDrawLeftTopGridLines
_FOCUS_MARGIN = QStyle.PixelMetric.PM_FocusFrameHMargin
_SHOW_DECORATION_SELECTED = QStyle.StyleHint.SH_ItemView_ShowDecorationSelected


#: Texts (and widths) seen once, and texts laid out, kept at most; then forgotten at once.
_SEEN_CAP, _LAID_CAP = 4096, 1024
#: Cells kept as pictures at most (~15 kB each); then forgotten at once.  A cell
#: is pictured when it comes again within the latest _PICTURED_SIGHTINGS of
#: cells not pictured: a private chat's name that comes every few thousand rows
#: (a picture costs three times drawing its text) is drawn as it is.
_PICTURES_CAP, _PICTURED_SIGHTINGS = 256, 512
_K = TypeVar("_K")


class _Font:
    """A font of the feed's cells with what drawing a text in it needs."""

    def __init__(self, font: QFont, unshaped: bool) -> None:
        self.font = QFont(font)  # a copy: the option it came from goes
        self.metrics = QFontMetrics(font)
        self.ascent = self.metrics.ascent()
        # QTextLine's height (ascent + descent, in the font's fractional units), as an int.
        self.height = int(self.metrics.ascent() + self.metrics.descent())
        self._advances = _Advances(font) if unshaped else None

    def fitted(self, text: str, room: int) -> str:
        """``text`` elided at the right to ``room`` pixels, itself if it fits.

        Asking Qt lays the text out (a sixth of a row's paint for a long
        content): a text without shaping whose characters' advances surely
        fit is not asked.  (The font's widest character bounds nothing: an
        ideograph from a fallback font may be wider than any of its own.)
        """
        advances = self._advances
        if advances is not None and (
            sum(map(advances.__getitem__, text)) + len(text) * advances.kerning <= room
        ):
            return text
        return self.metrics.elidedText(text, _ELIDE_RIGHT, room)


class _Advances(dict[str, float]):
    """Each character's advance in a font without shaping, and a bound of kerning.

    Laid out without shaping, a text is as wide as its characters' advances
    and the font's kerning of each pair (no ligature, no contextual form:
    see :mod:`wxpanel.gui.shaping`).  Kerning mostly narrows a pair; an
    eighth of an em per character covers the most a font spreads one.
    """

    def __init__(self, font: QFont) -> None:
        super().__init__()
        self._metrics = QFontMetricsF(font)
        self.kerning = QFontInfo(font).pixelSize() / 8

    def __missing__(self, char: str) -> float:
        found = self[char] = self._metrics.horizontalAdvance(char)
        return found


class _Fonts:
    """The view's font, the same without shaping, and the repeating texts laid out in them."""

    def __init__(self, font: QFont) -> None:
        self.plain = _Font(font, unshaped=False)
        self.unshaped = _Font(unshaped_font().resolve(font), unshaped=True)
        self._seen: dict[tuple[str, int, int], None] = {}
        self.laid: dict[tuple[str, int], tuple[_Font, QStaticText]] = {}

    def font_for(self, text: str) -> _Font:
        """The unshaped font for a text that no shaping changes (see :mod:`wxpanel.gui.shaping`)."""
        return self.unshaped if needs_no_shaping(text) else self.plain

    def laid_out(self, text: str, room: int, column: int) -> tuple[_Font, QStaticText] | None:
        """``text`` in its font, elided to ``room``, laid out once from its second sighting.

        Times, types, directions and a busy group's name repeat row after
        row: laid out once, each is only drawn after.  A text seen for the
        first time (None) is drawn as it is: most names come once in a
        while, and a ``QStaticText`` costs more to make than a text to draw.
        A sighting is one column's (a private chat's name is also its
        sender's: seen once, twice in a row).
        """
        key = (text, room)
        found = self.laid.get(key)
        if found is None:
            if not _seen_again(self._seen, (text, room, column)):
                return None
            if len(self.laid) >= _LAID_CAP:
                self.laid.clear()
            font = self.font_for(text)
            static = QStaticText(font.fitted(text, room))
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font.font)
            found = self.laid[key] = (font, static)
        return found


def _seen_again(seen: dict[_K, None], sighting: _K, cap: int = _SEEN_CAP) -> bool:
    """Whether ``sighting`` was seen before (then forgotten), else noted (the latest ``cap``)."""
    if sighting in seen:
        del seen[sighting]
        return True
    if len(seen) >= cap:
        seen.clear()
    seen[sighting] = None
    return False


class FeedPainter:
    """Paints :class:`~wxpanel.gui.models.FeedModel` rows into a :class:`QTableView`."""

    def __init__(self, view: QTableView) -> None:
        self.view = view
        self._fonts: dict[str, _Fonts] = {}
        #: What follows from the style, palette, font, window state and icon
        #: size; None when one of them changed (:meth:`forget`).
        self._state: _State | None = None
        self._columns: list[tuple[int, int, int]] | None = None
        self._columns_offset = 0
        header = view.horizontalHeader()
        for changed in (header.sectionResized, header.sectionMoved, header.sectionCountChanged):
            changed.connect(self._forget_columns)
        view.iconSizeChanged.connect(self.forget)

    def forget(self, *_args: object) -> None:
        """The look changed (the view's style, palette, font, window state, direction,
        icon size): worked out again at the next paint."""
        self._state = None
        self._columns = None

    def _forget_columns(self, *_args: object) -> None:
        self._columns = None

    def usable(self) -> bool:
        """Whether this paints what Qt would: the style, the direction, the table's state."""
        return self._look().usable

    def _fonts_for(self, font: QFont) -> _Fonts:
        """The view's font, and the same without shaping (see :mod:`wxpanel.gui.shaping`)."""
        key = font.key()
        found = self._fonts.get(key)
        if found is None:
            if len(self._fonts) > 8:
                self._fonts.clear()
            found = self._fonts[key] = _Fonts(font)
        return found

    def paint(self, painter: QPainter, area: QRect, feed: FeedModel) -> None:
        """Paint the feed's rows in ``area`` of the viewport, as ``QTableView`` would.

        A frame usually paints a row or two, and every Python call into Qt
        counts (each may wait for the GIL the poller holds): what follows
        from the look is kept until it changes (:meth:`forget`), the columns'
        places until the header changes, and the rows, all of one height,
        are placed by arithmetic.  ``area`` is the paint's bounding rectangle
        (the painter is clipped to the paint's region).
        """
        view = self.view
        state = self._look()
        rows = len(feed.marks)
        columns = self._columns_for(view)
        if rows == 0 or not columns:
            return
        state.feed = feed
        state.read_selection(view)
        offset = view.verticalOffset()
        size = state.row_height
        left = area.left()
        right = min(area.right(), columns[-1][1] + columns[-1][2])
        area_top = area.top()
        area_bottom = min(area.bottom(), rows * size - offset - 1)
        if right < left or area_bottom < area_top:
            return
        top = (area_top + offset) // size
        bottom = min((area_bottom + offset) // size, rows - 1)
        cells = [cell for cell in columns if cell[1] <= right and cell[1] + cell[2] >= left]
        height = size - 1  # (the grid's line below)
        places = [(row, row * size - offset) for row in range(top, bottom + 1)]
        state.rows(painter, places, height, cells)
        # The grid's lines, one pixel wide: filled as rectangles, the pixels
        # QPainter.drawLine's pen covers, for a fraction of the cost (a fill
        # of a span; the pen steps along the line pixel by pixel).
        grid, fill = state.grid, painter.fillRect
        span = right - left + 1
        for _row, y in places:
            fill(left, y + height, span, 1, grid)
        length = area_bottom - area_top + 1
        for _column, x, width in cells:
            fill(x + width, area_top, 1, length, grid)
        if state.left_top_lines and state.header_hidden and places[0][1] == area_top:
            fill(left, area_top, span, 1, grid)
        if state.left_top_lines and cells[0][1] == left:  # (the vertical header: hidden)
            fill(left, area_top, 1, length, grid)

    def _look(self) -> _State:
        state = self._state
        if state is None or state.scheme is not palette.scheme():
            state = self._state = self._make_state()
        return state

    def _make_state(self) -> _State:
        view = self.view
        style = view.style()
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        group = _ColorGroup.Normal if option.state & _ENABLED else _ColorGroup.Disabled
        if group == _ColorGroup.Normal and not option.state & _ACTIVE:
            group = _ColorGroup.Inactive
        hint = style.styleHint(_GRID_COLOUR, option, view)
        vertical, horizontal = view.verticalHeader(), view.horizontalHeader()
        state = _State(
            view,
            option.palette,
            group,
            self._fonts_for(option.font),
            style.pixelMetric(_FOCUS_MARGIN, None, view) + 1,
            bool(style.styleHint(_SHOW_DECORATION_SELECTED, option, view)),
            view.iconSize() if view.iconSize().isValid() else _small_icon(style, view),
            QColor.fromRgba(hint & 0xFFFFFFFF),  # an int of C++ (signed here)
            bool(style.styleHint(_LEFT_TOP_LINES, option, view)),
        )
        state.usable = (
            style.name().lower() == "fusion"
            and view.isLeftToRight()
            and view.showGrid()
            and vertical.isHidden()
            and vertical.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
            and not vertical.sectionsHidden()
            and not horizontal.sectionsMoved()
            and not vertical.sectionsMoved()
        )
        state.row_height = vertical.defaultSectionSize()
        state.alternate = view.alternatingRowColors()
        state.header_hidden = horizontal.isHidden()
        return state

    def _columns_for(self, view: QTableView) -> list[tuple[int, int, int]]:
        """Each shown column's logical index, left edge in the viewport and width (no grid)."""
        offset = view.horizontalOffset()
        if self._columns is None or offset != self._columns_offset:
            header = view.horizontalHeader()
            self._columns = [
                (column, view.columnViewportPosition(column), view.columnWidth(column) - 1)
                for column in range(header.count())
                if not header.isSectionHidden(column)
            ]
            self._columns_offset = offset
        return self._columns


def _small_icon(style: QStyle, view: QTableView) -> QSize:
    extent = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, view)
    return QSize(extent, extent)


def _backgrounds(
    view: QTableView, group: QPalette.ColorGroup, alternate: QBrush, ratio: float
) -> tuple[QColor, QColor] | None:
    """The viewport's background and the alternate rows', if a cell drawn onto
    them in a picture gets the pixels it gets on the viewport: both one opaque
    colour, a whole device pixel ratio (a picture lands on whole pixels), and
    fonts sized alike for pictures and for the viewport (their dots per inch)."""
    viewport = view.viewport()
    base = viewport.palette().brush(group, viewport.backgroundRole())
    solid = Qt.BrushStyle.SolidPattern
    if (
        viewport.autoFillBackground()
        and base.style() == solid
        and alternate.style() == solid
        and base.color().alpha() == alternate.color().alpha() == 255
        and float(ratio).is_integer()
        and viewport.logicalDpiY() == QPixmap(1, 1).logicalDpiY()
    ):
        return base.color(), alternate.color()
    return None


def _ranges(selection: QItemSelectionModel) -> list[QItemSelectionRange]:
    chosen = selection.selection()
    return [chosen.at(i) for i in range(chosen.count())]


class _State:
    """What one paint needs for every row: colours, fonts, metrics, the selection."""

    def __init__(
        self,
        view: QTableView,
        colours: QPalette,
        group: QPalette.ColorGroup,
        fonts: _Fonts,
        margin: int,
        decoration_selected: bool,
        icon_size: QSize,
        grid: QColor,
        left_top_lines: bool,
    ) -> None:
        self.view = view
        self.feed: FeedModel
        self.grid = grid
        self.left_top_lines = left_top_lines
        self.usable = False
        self.row_height = 1
        self.alternate = False
        self.header_hidden = False
        self.scheme = scheme = palette.scheme()
        self.fonts = fonts
        self.margin = margin
        self.decoration_selected = decoration_selected
        self.icon_size = icon_size
        self.highlight = colours.brush(group, _Role.Highlight)
        self.alternate_base = colours.brush(group, _Role.AlternateBase)
        self.text = colours.color(group, _Role.Text)
        self.highlighted_text = colours.color(group, _Role.HighlightedText)
        self.flagged = palette.brush(scheme.flagged_background)
        self.outgoing = palette.brush(scheme.ok).color()
        self.selected: list[tuple[int, int, int, int]] = []
        self.focus: tuple[int, int] | None = None
        self.opaque_grid = grid.alpha() == 255
        self.icon_room = icon_size.width() + 2 * margin  # the decoration's width
        icon_place = QStyle.alignedRect(
            Qt.LayoutDirection.LeftToRight, _ICON_CENTRE, icon_size, QRect(0, 0, self.icon_room, 0)
        )
        self.icon_left = icon_place.left()
        self.icon_width, self.icon_height = icon_size.width(), icon_size.height()
        self.ratio = view.devicePixelRatioF()
        self._icons: dict[MessageType, QPixmap] = {}
        #: The viewport's background and the alternate rows', when a cell may
        #: be kept as a picture of them (see :meth:`_picture`); else None.
        self.backgrounds = _backgrounds(view, group, self.alternate_base, self.ratio)
        self._pictures: dict[tuple[object, ...], QPixmap] = {}
        self._pictures_seen: dict[tuple[object, ...], None] = {}

    def read_selection(self, view: QTableView) -> None:
        """The selected cells and the one with the keyboard focus, as they are now."""
        selection = view.selectionModel()
        self.selected = (
            [(r.top(), r.bottom(), r.left(), r.right()) for r in _ranges(selection)]
            if selection is not None and selection.hasSelection()
            else []
        )
        self.focus = None
        if view.hasFocus() or view.viewport().hasFocus():
            current = view.currentIndex()
            if current.isValid():
                self.focus = (current.row(), current.column())

    def is_selected(self, row: int, column: int) -> bool:
        return any(t <= row <= b and lt <= column <= rt for t, b, lt, rt in self.selected)

    def rows(
        self,
        painter: QPainter,
        places: Sequence[tuple[int, int]],
        height: int,
        cells: Sequence[tuple[int, int, int]],
    ) -> None:
        """The rows at ``places`` (row, top): background, icon, text of each cell.

        A row neither selected nor focused, of printable texts (the common
        case) is painted here, quick: its background in one rectangle (the
        grid, opaque, is drawn over its edges afterwards), the pen and the
        font set only when they change, the cells whose texts repeat (all
        but the content) copied from pictures (:meth:`_picture`) or their
        texts laid out once, and everything that follows from the columns
        worked out once per paint.  Others go to :meth:`row`.
        """
        feed = self.feed
        fonts = self.fonts
        laid_get, laid_out, font_for = fonts.laid.get, fonts.laid_out, fonts.font_for
        margin = self.margin
        # Per cell: its column, where its text starts, the text's room, the icon's
        # left (or -1), the cell's left and width (without the grid).
        spots = []
        for column, x, width in cells:
            left = x + self.icon_room if column == _TYPE else x
            icon = x + self.icon_left if column == _TYPE else -1
            spots.append((column, left + margin, x + width - left - 2 * margin, icon, x, width))
        pictures = self._pictures if self.backgrounds is not None else None
        seen = self._pictures_seen
        span_left = cells[0][1]
        span_width = cells[-1][1] + cells[-1][2] - span_left
        text_top = height // 2 - fonts.plain.height // 2
        ascent = fonts.plain.ascent
        icon_top = (height - self.icon_height) // 2
        icon_width, icon_height = self.icon_width, self.icon_height
        selected, focus = self.selected, self.focus
        focus_row = -1 if focus is None else focus[0]
        quick = self.opaque_grid
        alternating = self.alternate
        all_marks = feed.marks
        pen: QColor | None = None
        font: _Font | None = None
        for row, y in places:
            alternate = alternating and bool(row & 1)
            texts = feed.cells(row)
            marks = all_marks[row]
            if (
                not quick
                or row == focus_row
                or (selected and any(t <= row <= b for t, b, _l, _r in selected))
                or not "".join(texts).isprintable()
            ):
                self.row(painter, row, y, height, cells, alternate, texts, marks)
                pen = font = None  # (as that row left them)
                continue
            if alternate:
                painter.fillRect(span_left, y, span_width, height, self.alternate_base)
            if marks & MARK_BAD:
                painter.fillRect(span_left, y, span_width, height, self.flagged)
            colour = self.outgoing if marks & MARK_OUT else self.text
            if colour is not pen:
                painter.setPen(colour)
                pen = colour
            top = y + text_top
            outgoing = bool(marks & MARK_OUT)
            for column, left, room, icon, x, width in spots:
                text = texts[column]
                if not text and icon < 0:
                    continue
                if pictures is not None and column != _CONTENT and not marks & MARK_BAD:
                    kind = feed.message(row).type if icon >= 0 else None
                    key = (column, width, text, alternate, outgoing, kind)
                    picture = pictures.get(key)
                    if picture is None and _seen_again(seen, key, _PICTURED_SIGHTINGS):
                        picture = self._picture(key, left - x, room, width, height, text_top)
                    if picture is not None:
                        painter.drawPixmap(x, y, picture)
                        continue
                if icon >= 0:
                    pixmap = self._icon(feed.message(row).type)
                    painter.drawPixmap(icon, y + icon_top, icon_width, icon_height, pixmap)
                if not text:
                    continue
                # The content is every row's own, and a text not pictured yet
                # is seen once so far: drawn as they are.
                laid = None
                if column != _CONTENT and pictures is None:
                    laid = laid_get((text, room)) or laid_out(text, room, column)
                if laid is None:
                    chosen = font_for(text)
                    if chosen is not font:
                        painter.setFont(chosen.font)
                        font = chosen
                    painter.drawText(left, top + ascent, chosen.fitted(text, room))
                else:
                    chosen, static = laid
                    if chosen is not font:
                        painter.setFont(chosen.font)
                        font = chosen
                    painter.drawStaticText(left, top, static)

    def row(
        self,
        painter: QPainter,
        row: int,
        y: int,
        height: int,
        cells: Sequence[tuple[int, int, int]],
        alternate: bool,
        texts: tuple[str, ...],
        marks: int,
    ) -> None:
        """A row selected, focused or with a text Qt lays out its own way: cell by cell."""
        feed = self.feed
        background: QBrush | None = self.flagged if marks & MARK_BAD else None
        fonts = self.fonts
        margin = self.margin
        for column, x, width in cells:
            rect = QRect(x, y, width, height)
            text = texts[column]
            # The focused cell's frame is the style's; a line break, a tab or a
            # control character Qt lays out its own way (rare: a name, a bad row).
            if self.focus == (row, column) or not text.isprintable():
                self._by_qt(painter, row, column, rect, alternate)
                continue
            selected = bool(self.selected) and self.is_selected(row, column)
            text_left = x
            if column == FeedModel.TYPE:
                decoration = QRect(x, y, self.icon_size.width() + 2 * margin, height)
                text_left = decoration.right() + 1
            # PE_PanelItemViewRow, then PE_PanelItemViewItem.
            if selected and self.decoration_selected:
                painter.fillRect(rect, self.highlight)
            else:
                if alternate:
                    painter.fillRect(rect, self.alternate_base)
                if background is not None:
                    painter.fillRect(rect, background)
                if selected:
                    painter.fillRect(
                        QRect(text_left, y, x + width - text_left, height), self.highlight
                    )
            if column == FeedModel.TYPE:
                icon = icons.type_icon(feed.message(row).type)
                place = QStyle.alignedRect(
                    Qt.LayoutDirection.LeftToRight, _ICON_CENTRE, self.icon_size, decoration
                )
                icon.paint(painter, place, _ICON_CENTRE, _ICON_MODES[selected], _ICON_OFF)
            if not text:
                continue
            font = fonts.font_for(text)
            room = x + width - text_left - 2 * margin
            if selected:
                painter.setPen(self.highlighted_text)
            else:
                painter.setPen(self.outgoing if marks & MARK_OUT else self.text)
            painter.setFont(font.font)
            top = y + height // 2 - font.height // 2
            painter.drawText(
                QPointF(text_left + margin, top + font.ascent), font.fitted(text, room)
            )

    def _picture(
        self,
        key: tuple[object, ...],
        text_left: int,
        room: int,
        width: int,
        height: int,
        text_top: int,
    ) -> QPixmap:
        """A cell whose text repeats (times, types, directions, a busy group's
        name and member), kept as a picture of what the quick path draws.

        Drawn onto the cell's own background (opaque: the base, or the
        alternate rows'), the text gets the very pixels it gets on the
        viewport; copying the picture then costs a fifth of drawing the
        text, and a type's icon comes with it.  ``text_left`` is where the
        text starts in the cell (its margin included).
        """
        _column, _width, text, alternate, outgoing, kind = key
        assert isinstance(text, str) and self.backgrounds is not None
        ratio = round(self.ratio)
        picture = QPixmap(width * ratio, height * ratio)
        picture.setDevicePixelRatio(ratio)
        picture.fill(self.backgrounds[bool(alternate)])
        painter = QPainter(picture)
        try:
            if isinstance(kind, MessageType):
                painter.drawPixmap(
                    self.icon_left,
                    (height - self.icon_height) // 2,
                    self.icon_width,
                    self.icon_height,
                    self._icon(kind),
                )
            if text:
                font = self.fonts.font_for(text)
                painter.setPen(self.outgoing if outgoing else self.text)
                painter.setFont(font.font)
                painter.drawText(
                    text_left, text_top + self.fonts.plain.ascent, font.fitted(text, room)
                )
        finally:
            painter.end()
        if len(self._pictures) >= _PICTURES_CAP:
            self._pictures.clear()
        self._pictures[key] = picture
        return picture

    def _icon(self, kind: MessageType) -> QPixmap:
        """The type's icon at the view's icon size, as ``QIcon.paint`` draws it."""
        found = self._icons.get(kind)
        if found is None:
            found = icons.type_icon(kind).pixmap(self.icon_size, self.ratio, QIcon.Mode.Normal)
            self._icons[kind] = found
        return found

    def _by_qt(
        self, painter: QPainter, row: int, column: int, rect: QRect, alternate: bool
    ) -> None:
        """A cell painted by Qt's delegate, as QTableView paints it (its row filled first)."""
        view = self.view
        self.feed.fill(row)
        index: QModelIndex = self.feed.index(row, column)
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        option.rect = rect
        if alternate:
            option.features |= QStyleOptionViewItem.ViewItemFeature.Alternate
        if self.is_selected(row, column):
            option.state |= _SELECTED
        if self.focus == (row, column):
            option.state |= QStyle.StateFlag.State_HasFocus
        option.palette.setCurrentColorGroup(_ColorGroup.Normal)
        view.style().drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewRow, option, painter, view
        )
        view.itemDelegateForIndex(index).paint(painter, option, index)
