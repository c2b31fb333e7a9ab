"""Views that keep the reader's place while rows arrive above or below.

A view fed 500 rows a second must not yank the reader around: when the
reader is at the bottom it follows new rows; when they scrolled up, nothing
moves; and when older history is prepended above, the rows they were
reading stay where they were.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    SignalInstance,
)
from PySide6.QtGui import (
    QAccessible,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QFrame,
    QHeaderView,
    QListView,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from wxpanel.core.models import Message
from wxpanel.gui.delegates import BubbleDelegate
from wxpanel.gui.feedpaint import FeedPainter
from wxpanel.gui.models import ChatModel, FeedModel
from wxpanel.gui.scrollbars import SteadyScrollBar


def _steady_bar(view: QAbstractItemView) -> SteadyScrollBar:
    """Give ``view`` a :class:`SteadyScrollBar`, wired as Qt wires its own.

    QAbstractItemView connects its slots to the bar it was born with only:
    a replaced bar must be connected again, or scrolling would no longer
    reach ``verticalScrollbarValueChanged``.
    """
    bar = SteadyScrollBar(Qt.Orientation.Vertical, view)
    view.setVerticalScrollBar(bar)
    bar.actionTriggered.connect(view.verticalScrollbarAction)
    bar.valueChanged.connect(view.verticalScrollbarValueChanged)
    return bar


def _rows_in_view(view: QTableView) -> range:
    """The rows of ``view``'s model in its viewport, at their current heights."""
    model = view.model()
    count = 0 if model is None else model.rowCount()
    if count == 0:
        return range(0)
    top = max(0, view.rowAt(0))
    bottom = view.rowAt(view.viewport().height() - 1)
    return range(top, (count - 1 if bottom < 0 else bottom) + 1)


def _lay_out(
    view: QTableView, first: int | None, qt_layout: Callable[[], None], placed: bool = False
) -> None:
    """Lay ``view`` out: rows only appended from ``first`` on, or else Qt's way.

    Qt's own layout repaints the whole viewport after any change of the row
    count; the rows above the new ones did not change, and scrolling to
    follow the new ones moves their pixels: only the view's new part is
    painted.  ``placed``: the view's geometry (its scroll bar) is already
    worked out for these rows.
    """
    if first is None:
        qt_layout()
        return
    if not placed:
        view.updateGeometries()
    top = max(0, view.rowViewportPosition(first))
    viewport = view.viewport()
    if top < viewport.height():
        viewport.update(0, top, viewport.width(), viewport.height() - top)


class _Follower:
    """Follows the bottom of a scroll bar while the reader is there.

    The bar asks it for the value that goes with each new range, inside the
    range change (see :class:`~wxpanel.gui.scrollbars.Keeper`): the view's
    layout sets the range and the value in one call from Python into Qt, and
    the bar decides at once whether its picture changed.
    """

    def __init__(self, bar: SteadyScrollBar) -> None:
        self.bar = bar
        self.at_bottom = True
        self._from_bottom: int | None = None  # keep this distance after a prepend
        bar.keeper = self

    def moved(self, value: int) -> None:
        """The bar moved, by anyone but the follower (told by the bar, before its signal)."""
        self.at_bottom = value >= self.bar.maximum()
        self._from_bottom = None

    def target(self, maximum: int) -> int | None:
        if self._from_bottom is not None:
            return maximum - self._from_bottom
        return maximum if self.at_bottom else None

    def keep_place_for_prepend(self) -> None:
        if not self.at_bottom:
            self._from_bottom = self.bar.maximum() - self.bar.value()


class ChatView(QTableView):
    """The bubbles of one conversation; scrolling to the top loads older history.

    A one-column table, not a QListView: QListView lays out every loaded row
    again after any insert, asking the delegate (Python) for each row's size,
    so each page of older history cost more than the one before (143 → 282 ms
    from the first page to 6 000 rows loaded).  Here each row's height is a
    section of the hidden vertical header, kept in C++: the delegate measures
    only the rows inserted, and every row again only when what a height
    depends on changes (the width, the font, the delegate).

    Measuring is never done all at once: a row whose height is not known for
    the current width and font is *stale* (it keeps a guess: its old height,
    or a typical bubble's for a row just loaded).  The stale rows in view are
    measured at once, before Qt paints them; the others :data:`CHUNK` at a
    time, nearest to the view first, for up to :data:`SLICE_SECONDS` per
    turn of the event loop, with the message at the top of the view kept in
    place.  Measuring 6 000 rows again after a resize stalled the window for
    0.6-1 s; a page of history at once, for tens of milliseconds.

    Live rows arriving at the bottom are measured only as far as they can be
    in view: a reader following a busy group (500 rows a second) sees the
    last screenful of each frame, and the rows that scrolled past unseen stay
    stale.  While rows keep arriving and the reader follows them, nothing
    else is measured: those rows are forgotten soon (the window keeps the
    newest few hundred), and a reader who scrolls up meets them measured
    before they are painted, as with a page.  Once the chat has been quiet
    for :data:`QUIET_MS`, or the reader leaves the bottom, the slices
    measure the rest.

    A frame's rows are painted once: resizing a row's section does not start
    Qt's own timer for repainting it (a second whole repaint ~10 ms after the
    first); the view asks for the part that changed itself.  Nor does a
    frame that only appended rows repaint the bubbles above them: Qt lays the
    view out again after any change of its row count and then repaints the
    whole viewport; here the rows above keep their pixels, scrolled.
    """

    #: Rows measured at a time (~2 ms on the build machine the first time,
    #: 0.1 ms for a width they had before).
    CHUNK = 16
    #: Measuring per turn of the event loop, at most (a chunk begun is finished).
    SLICE_SECONDS = 0.006
    #: Passes over the rows in view at most (each may bring other rows into it).
    VISIBLE_PASSES = 8
    #: Rows that scrolled past a following reader unseen are measured once no
    #: row has arrived for this long (milliseconds).
    QUIET_MS = 1000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._measured_width = -1  # the viewport width the heights were measured for
        #: One byte per row: 1 where the height is a guess, not measured for this width and font.
        self._stale = bytearray()
        self._typical = 0  # the mean of the heights measured so far: the guess
        self._measured_rows = 0
        self._first_new: int | None = None  # the first row appended since the last layout
        self._whole = False  # something else changed: lay out and repaint everything
        #: What the scroll bar's range was last worked out for (see _place_bar).
        self._placed_for: tuple[int, int, int, int] | None = None
        #: The view moves its own scroll bar (back on the reader's row, or the
        #: follower after a measure): no rows came into view by the reader's hand.
        self._placing = False
        self._slicer = QTimer(self)
        self._slicer.setSingleShot(True)
        self._slicer.setInterval(0)
        self._slicer.timeout.connect(self._measure_slice)
        #: Rows arrive and the reader follows them: the slicer waits for this.
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(self.QUIET_MS)
        self._quiet.timeout.connect(self._measure_slice)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The bar coming or going changes the width, so every height (measured
        # again then): narrower is never shorter, so it cannot come and go for ever.
        self.setShowGrid(False)
        self.setWordWrap(True)
        self.setTabKeyNavigation(False)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setMinimumSectionSize(0)
        self.follower = _Follower(_steady_bar(self))

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)  # the header connects to the model first: its sections exist
        if model is not None:
            model.rowsAboutToBeInserted.connect(self._about_to_insert)
            model.rowsInserted.connect(self._rows_inserted)
            model.rowsRemoved.connect(self._rows_removed)
            model.dataChanged.connect(self._data_changed)
            model.modelReset.connect(self.measure_all)
            for changed in (model.rowsMoved, model.layoutChanged, model.rowsRemoved):
                changed.connect(self._everything_changed)
        self.measure_all()

    def _everything_changed(self, *_args: object) -> None:
        self._whole = True

    def setItemDelegate(self, delegate: QAbstractItemDelegate) -> None:
        super().setItemDelegate(delegate)
        self.measure_all()

    def _about_to_insert(
        self, _parent: QModelIndex | QPersistentModelIndex, start: int, _end: int
    ) -> None:
        model = self.model()
        if start == 0 and model is not None and model.rowCount() > 0:
            self.follower.keep_place_for_prepend()

    def _rows_inserted(
        self, _parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        count = last - first + 1
        if first > 0:  # live messages at the bottom
            if self._first_new is None:
                self._first_new = first
            self._appended(first, last)
            return
        self._whole = True
        self._guess(range(0, count))
        self._stale[0:0] = b"\x01" * count  # a page of history above what is read
        self._measure_slice(0.0)  # the rows nearest to what is shown, now

    def _appended(self, first: int, last: int) -> None:
        """Measure the new rows that can be in view; the rest stay stale for now.

        For a reader following the bottom those are the last screenful (the
        view follows them before they are measured: their guessed heights
        put it near enough, and each pass over the rows in view corrects it).
        """
        count = last - first + 1
        self._stale[first:first] = b"\x01" * count
        if self._typical <= 0 or count * self._typical <= self.viewport().height():
            self._measure(range(first, last + 1))  # all of them can be in view
        else:
            self._guess(range(first, last + 1))
            self._place_bar()  # the follower goes to the new bottom
        self._measure_visible()
        if self.follower.at_bottom:
            self._slicer.stop()
            self._quiet.start()  # (again: the chat is not quiet)
        elif self._stale.count(1):
            self._slicer.start()

    def _rows_removed(
        self, _parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        del self._stale[first : last + 1]

    def unmeasured(self) -> int:
        """How many rows still have a guessed height."""
        return self._stale.count(1)

    def _guess(self, rows: range) -> None:
        if self._typical <= 0:
            return  # nothing measured yet: Qt's default height
        header = self.verticalHeader()
        header.setUpdatesEnabled(False)
        header.blockSignals(True)  # (see _measure)
        try:
            for row in rows:
                header.resizeSection(row, self._typical)
        finally:
            header.blockSignals(False)
            header.setUpdatesEnabled(True)
        self._repaint_from(rows)

    def _measure_slice(self, seconds: float | None = None) -> None:
        """The stale rows in view, then a chunk at a time nearest to it, for ``seconds``.

        The message at the top of the view stays where it is (or the bottom,
        for a reader following it).
        """
        if not self._stale.count(1) or not self._in_step():
            return
        if self.follower.at_bottom and self._quiet.isActive():
            self._measure_visible()
            return  # rows arrive and are followed: the rest when the chat is quiet
        if not self.follower.at_bottom:
            self.updateGeometries()  # rows just inserted: the follower keeps the place first
        self._measure_visible()
        budget = self.SLICE_SECONDS if seconds is None else seconds
        began = time.perf_counter()
        while rows := self._nearest_stale(self.CHUNK):
            self._measure_in_place(rows)
            if time.perf_counter() - began >= budget:
                break
        if self._stale.count(1):
            self._slicer.start()

    def _in_step(self) -> bool:
        """The stale flags are the model's rows: not in the middle of an insert or removal.

        (Qt's own slots for a change, which may move the scroll bar, run before ours.)
        """
        model = self.model()
        return model is not None and len(self._stale) == model.rowCount()

    def _measure_visible(self, place: tuple[int, int, int] | None = None) -> None:
        """Measure the stale rows in view until none is: they are about to be painted.

        Each pass may bring other rows into view (bubbles that got shorter),
        so it looks again, a few times at most.
        """
        if not self._in_step():
            return
        for _ in range(self.VISIBLE_PASSES):
            stale = self._stale
            rows = [row for row in _rows_in_view(self) if stale[row]]
            if not rows:
                return
            self._measure_in_place(rows, place)
            place = None  # once back on the reader's row, it is the one at the top

    def _nearest_stale(self, count: int) -> list[int]:
        """Up to ``count`` stale rows nearest to the view, half above and half below it."""
        stale = self._stale
        visible = _rows_in_view(self)  # (by the rows' current heights, guessed or not)
        above: list[int] = []
        row = stale.rfind(1, 0, visible.start)
        while row >= 0 and len(above) < count:
            above.append(row)
            row = stale.rfind(1, 0, row)
        below: list[int] = []
        row = stale.find(1, visible.stop)
        while row >= 0 and len(below) < count:
            below.append(row)
            row = stale.find(1, row + 1)
        if not above and not below:  # stale rows in view: the view is not laid out yet
            row = stale.find(1)
            while row >= 0 and len(below) < count:
                below.append(row)
                row = stale.find(1, row + 1)
        take_above = min(len(above), max(count // 2, count - len(below)))
        return above[:take_above] + below[: count - take_above]

    def _place(self) -> tuple[int, int, int] | None:
        """The reader's place: the row at the top of the view, how far into it, its height.

        None for a reader following the bottom (the follower keeps it).
        """
        if self.follower.at_bottom:
            return None
        row = self.rowAt(0)
        if row < 0:
            return None
        header = self.verticalHeader()
        offset = self.verticalScrollBar().value() - header.sectionPosition(row)
        return row, offset, header.sectionSize(row)

    def _measure_in_place(
        self, rows: Sequence[int], place: tuple[int, int, int] | None = None
    ) -> None:
        """Measure ``rows``; the reader's row (``place``, or the top one now) stays put."""
        if place is None:
            place = self._place()
        self._measure(rows)
        if place is None or self.follower.at_bottom:
            return
        row, offset, height = place
        model = self.model()
        if model is None or row >= model.rowCount():
            return
        header = self.verticalHeader()
        size = header.sectionSize(row)
        if height > 0 and size != height:  # as far into the bubble, in proportion
            offset = offset * size // height
        placing, self._placing = self._placing, True
        try:
            self.verticalScrollBar().setValue(header.sectionPosition(row) + offset)
        finally:
            self._placing = placing

    def _data_changed(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        _roles: object = None,
    ) -> None:
        """A status line may appear in a bubble's header: a few rows, measured again."""
        self._measure_in_place(range(top_left.row(), bottom_right.row() + 1))

    def measure_all(self) -> None:
        """Every row's height again: the model, the delegate, the width or the font changed."""
        self._remeasure(None)

    def _remeasure(self, place: tuple[int, int, int] | None) -> None:
        """Every row is stale: those in view measured now, the rest a slice per turn."""
        model = self.model()
        self._whole = True
        self._measured_width = self.viewport().width()
        self._stale = bytearray(b"\x01") * (0 if model is None else model.rowCount())
        self._slicer.stop()
        if self._stale:
            self._measure_visible(place)
            self._slicer.start()

    def _measure(self, rows: Sequence[int]) -> None:
        """Set the height of ``rows`` from the delegate; the rest keep theirs."""
        model = self.model()
        if model is None or not rows:
            return
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate = self.itemDelegate()
        header = self.verticalHeader()
        stale = self._stale
        total = 0
        resized: list[int] = []
        header.setUpdatesEnabled(False)  # no viewport position worked out per row
        # Nor Qt's timer that repaints the rows resized: it fired ~10 ms after
        # the frame was painted and painted it whole again (_repaint_from).
        header.blockSignals(True)
        try:
            for row in rows:
                height = delegate.sizeHint(option, model.index(row, 0)).height()
                if header.sectionSize(row) != height:
                    header.resizeSection(row, height)
                    resized.append(row)
                stale[row] = 0
                total += height
        finally:
            header.blockSignals(False)
            header.setUpdatesEnabled(True)
        self._measured_rows += len(rows)
        self._typical += (total - self._typical * len(rows)) // self._measured_rows
        # The scroll bar's range now, not at Qt's next layout: a place kept in
        # the meantime (a prepend's distance from the bottom) would be measured
        # against the old range.  (It may show or hide the bar: the width
        # changes, and every row is stale again, from inside this call.)
        self._place_bar()
        self._repaint_from(resized)

    def _place_bar(self) -> None:
        """The scroll bar's range for the rows' heights now (and the follower's value).

        What it was worked out for is kept: a layout of rows only appended
        since, with nothing else changed, has nothing to work out again (it
        was a second pass through Qt's geometry and the bar at each frame).
        """
        # (Before: a layout Qt runs inside it, the pointer being over the
        # view when the follower scrolls, finds it worked out.)
        self._placed_for = self._geometry()
        placing, self._placing = self._placing, True
        try:
            self.updateGeometries()
        finally:
            self._placing = placing

    def _geometry(self) -> tuple[int, int, int, int]:
        """What the scroll bar's range depends on: the rows, their heights, the viewport."""
        model = self.model()
        viewport = self.viewport()
        return (
            0 if model is None else model.rowCount(),
            self.verticalHeader().length(),
            viewport.width(),
            viewport.height(),
        )

    def _repaint_from(self, rows: Sequence[int]) -> None:
        """Repaint from the first of the resized ``rows`` down, as Qt's own timer would.

        A row resized above the view moved the rows in it: all of them.  (A
        row measured at the height it had is not resized: no repaint, as with
        Qt's timer, which only a change of size starts.)
        """
        if not rows:
            return
        viewport = self.viewport()
        height = viewport.height()
        top = self.rowViewportPosition(min(rows))
        if top < height:
            top = max(0, top)
            viewport.update(0, top, viewport.width(), height - top)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The bubbles in the area to paint, handed to the delegate at once.

        QTableView calls the delegate once per bubble, each call from Qt into
        Python waiting for the GIL (the poller's ingestion holds it) and
        asking the model for its message through Qt.  The table has nothing
        else to paint: no grid, no selection, no other column.
        """
        model = self.model()
        delegate = self.itemDelegate()
        if not isinstance(model, ChatModel) or not isinstance(delegate, BubbleDelegate):
            super().paintEvent(event)
            return
        shown: dict[int, None] = {}  # the rows of each part of the area, in order, once
        count = model.rowCount()
        for area in event.region():  # type: ignore[attr-defined]  # (iterable, unlike its stub)
            first = self.rowAt(area.top())
            if first < 0:
                continue  # below the last bubble (or no bubble at all)
            last = self.rowAt(area.bottom())
            shown.update(dict.fromkeys(range(first, (count - 1 if last < 0 else last) + 1)))
        if not shown:
            return
        width = self.columnWidth(0)
        place = self.rowViewportPosition
        rows = [
            (model.message(row), QRect(0, place(row), width, self.rowHeight(row)))
            for row in sorted(shown)
        ]
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        painter = QPainter(self.viewport())
        try:
            delegate.paint_rows(painter, option, rows)
        finally:
            painter.end()

    def _paints_bubbles(self) -> bool:
        """Whether paintEvent hands the bubbles to the delegate (which draws no hover)."""
        return isinstance(self.model(), ChatModel) and isinstance(
            self.itemDelegate(), BubbleDelegate
        )

    def doItemsLayout(self) -> None:
        """Rows only appended since the last layout: only they are painted."""
        first, whole = self._first_new, self._whole
        self._first_new, self._whole = None, False
        placed = first is not None and self._placed_for == self._geometry()
        _lay_out(self, None if whole else first, super().doItemsLayout, placed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        place = self._place()  # before Qt clamps the scroll bar to the new range
        super().resizeEvent(event)
        if self.viewport().width() != self._measured_width:
            self._remeasure(place)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._remeasure(self._place())

    def verticalScrollbarValueChanged(self, value: int) -> None:
        """Older history when the reader reaches the *top*; never by itself.

        Qt's own fetching (``canFetchMore``) runs whenever the last row is
        visible, which is where a chat sits: the model does not offer it.
        """
        if not (self.follower.bar.keeping and self._paints_bubbles()):
            super().verticalScrollbarValueChanged(value)  # (as FeedView's, which see)
        if not self._placing and self._stale.count(1):
            # Rows scrolled into view, measured before Qt paints them (the
            # follower already knows whether the reader left the bottom: the
            # bar told it before this signal, or it would put them back there).
            self._measure_visible()
            if not self.follower.at_bottom and self._stale.count(1):
                self._quiet.stop()
                self._slicer.start()  # the rest of the rows that went by unseen
        if value == self.verticalScrollBar().minimum():
            self._load_older()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Scrolling up a page too short to scroll still reaches older history."""
        bar = self.verticalScrollBar()
        if event.angleDelta().y() > 0 and bar.value() == bar.minimum():
            self._load_older()
        super().wheelEvent(event)

    def _load_older(self) -> None:
        model = self.model()
        if isinstance(model, ChatModel) and model.rowCount() and model.can_load_older():
            model.load_older()

    def reset(self) -> None:
        super().reset()
        self.follower.at_bottom = True


class ConversationView(QListView):
    """The conversation list: entries of one size, so a changed entry is only repainted.

    Qt 6's QListView lays every row out again after any ``dataChanged`` (an
    entry's size might have changed): with 2 000 conversations that is a
    pass asking the Python model about each of them, after every fold of
    new messages into the list, and again after each read badge.  Entries
    here all have the delegate's one size: a change repaints the visible
    entries, as Qt's base item view does.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUniformItemSizes(True)
        _steady_bar(self)

    def dataChanged(
        self,
        topLeft: QModelIndex | QPersistentModelIndex,
        bottomRight: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        QAbstractItemView.dataChanged(self, topLeft, bottomRight, list(roles))


_LOOK_CHANGES = frozenset(
    {
        QEvent.Type.StyleChange,
        QEvent.Type.PaletteChange,
        QEvent.Type.FontChange,
        QEvent.Type.ActivationChange,
        QEvent.Type.EnabledChange,
        QEvent.Type.LayoutDirectionChange,
    }
)


class FeedView(QTableView):
    """The live feed: fixed-height rows (cheap layout) that follow the newest one.

    Rows appended at the bottom repaint only themselves: Qt lays a table out
    again after any change of its row count and then repaints the whole
    viewport, every visible cell asking the model for its data in Python,
    several times a second under demo.exe's cadence.  The rows above did not
    change; scrolling to follow the new ones moves their pixels.  When the
    feed forgets its oldest rows, a reader who scrolled up keeps reading the
    same rows.

    The rows are painted from the feed's Python lists
    (:mod:`wxpanel.gui.feedpaint`, the one Python call of a paint).  They
    get their cells when they are about to be read through Qt
    (:meth:`FeedModel.fill`): the rows in view before a paint left to Qt
    (see :meth:`paintEvent`), the row under the pointer before its context
    menu, the current row before Qt copies its cell, the rows a search by
    typing would find, the rows in view before a column is fitted to its
    contents.  A hidden feed fills nothing.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Before any slot connected later (the window's menu reads the row's message).
        self.customContextMenuRequested.connect(self._fill_at)
        self._typed, self._typed_at = "", 0.0  # what Qt's search by typing looks for
        self._first_new: int | None = None  # the first row appended since the last layout
        self._whole = False  # something else changed: lay out and repaint everything
        self._reading_at: int | None = None  # where the reader's rows are once some go above
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # A message is what demo.exe wrote: nothing to edit.  A double click or
        # Return opens its conversation instead (the window's ``activated`` slot).
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(vertical.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 6)
        # A column fitted to its contents (a double click on the header's
        # divider) fits the rows in view: the others may not be filled.
        vertical.setResizeContentsPrecision(0)
        self.horizontalHeader().setStretchLastSection(True)
        self.follower = _Follower(_steady_bar(self))
        self._painter = FeedPainter(self)

    def _signals(
        self, model: QAbstractItemModel
    ) -> list[tuple[SignalInstance, Callable[..., None]]]:
        return [
            (model.rowsInserted, self._rows_inserted),
            (model.rowsAboutToBeRemoved, self._rows_to_be_removed),
            (model.rowsRemoved, self._rows_removed),
            *(
                (changed, self._everything_changed)
                for changed in (
                    model.rowsMoved,
                    model.modelReset,
                    model.layoutChanged,
                    model.columnsInserted,
                    model.columnsRemoved,
                )
            ),
        ]

    def setModel(self, model: QAbstractItemModel | None) -> None:
        old = self.model()
        if old is not None:
            for signal, slot in self._signals(old):
                signal.disconnect(slot)
        if model is not None:  # before Qt's own: the reader's place is read before Qt moves it
            for signal, slot in self._signals(model):
                signal.connect(slot)
        super().setModel(model)

    def show_model(self, model: QAbstractItemModel) -> None:
        """Show ``model`` instead: the feed, or the feed through its filter.

        The filter proxy is in the paint path only while a filter is set: it
        costs a mapping and Python calls for every cell painted.  The rows
        the operator selected stay selected, and the reader's place (the
        bottom, the current row or the top row) is kept.
        """
        old = self.model()
        selection = self.selectionModel()
        if model is old or old is None or selection is None:
            self.setModel(model)
            return
        selected = [QPersistentModelIndex(_source(i)) for i in selection.selectedRows()]
        current = QPersistentModelIndex(_source(self.currentIndex()))
        top = QPersistentModelIndex(_source(self.indexAt(QPoint(0, 0))))
        following = self.follower.at_bottom
        self.setModel(model)
        selection.deleteLater()  # setModel made a new one
        shown = QItemSelection()
        for index in selected:
            row = _shown(model, index)
            if row.isValid():
                shown.select(row, row)
        flags = QItemSelectionModel.SelectionFlag
        fresh = self.selectionModel()
        fresh.select(shown, flags.Select | flags.Rows)
        at = _shown(model, current)
        if at.isValid():
            fresh.setCurrentIndex(at, flags.NoUpdate)
        if following:
            self.scrollToBottom()
        elif at.isValid() and at.row() in {i.row() for i in fresh.selectedRows()}:
            self.scrollTo(at, QAbstractItemView.ScrollHint.PositionAtCenter)
        elif (first := _shown(model, top)).isValid():
            self.scrollTo(first, QAbstractItemView.ScrollHint.PositionAtTop)

    def _rows_inserted(
        self, parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        model = self.model()
        appended = model is not None and last == model.rowCount(parent) - 1
        if not appended:
            self._whole = True
        elif self._first_new is None:
            self._first_new = first

    def _everything_changed(self, *_args: object) -> None:
        self._whole = True

    def _rows_to_be_removed(
        self, _parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        """The oldest rows go (the feed's cap): a reader scrolled up stays on their rows."""
        if first == 0 and not self.follower.at_bottom:
            removed = (last + 1) * self.verticalHeader().defaultSectionSize()
            self._reading_at = max(0, self.verticalScrollBar().value() - removed)

    def _rows_removed(self, *_args: object) -> None:
        """Back to the rows being read (Qt may have scrolled to the current row's successor)."""
        self._whole = True
        if self._reading_at is not None:
            self.verticalScrollBar().setValue(self._reading_at)
            self._reading_at = None

    def paintEvent(self, event: QPaintEvent) -> None:
        """The rows to paint, painted from the feed's Python lists in one call.

        Where :class:`~wxpanel.gui.feedpaint.FeedPainter` cannot paint what
        Qt would (another style than Fusion, the feed through its filter),
        the rows in view get their cells and Qt paints them.  An assistive
        technology reads the cells through Qt: while one is active, the rows
        in view are filled as before.
        """
        feed, proxy = self._feed()
        if feed is None or proxy is not None or not self._painter.usable():
            self.fill_in_view()
            super().paintEvent(event)
            return
        if QAccessible.isActive():
            self.fill_in_view()
        painter = QPainter(self.viewport())
        try:
            self._painter.paint(painter, event.rect(), feed)
        finally:
            painter.end()

    def verticalScrollbarValueChanged(self, value: int) -> None:
        """Qt's, but not for the follower's own scroll while the painter paints the rows.

        Qt looks for the row under a resting pointer after every scroll and,
        the row there having changed, marks the old and the new one for a
        repaint (for a hover highlight).  Followed, that was every frame, and
        the feed's paint covers one rectangle: every row from the pointer
        down painted again, for a hover that neither the feed's painter nor
        the bubbles draw.  (Qt's slot otherwise only fetches more rows, which
        neither model offers.)  Under Qt's own painting, or for the reader's
        own scroll, Qt's slot runs as before.
        """
        if not (self.follower.bar.keeping and self._painted_here()):
            super().verticalScrollbarValueChanged(value)

    def _painted_here(self) -> bool:
        """Whether paintEvent paints the rows itself (the painter draws no hover)."""
        feed, proxy = self._feed()
        return feed is not None and proxy is None and self._painter.usable()

    def fill_in_view(self) -> None:
        """Fill the feed's rows in the viewport (Qt has laid the view out before a paint)."""
        rows = _rows_in_view(self)
        if rows:
            self._fill(rows.start, rows.stop - 1)

    def _feed(self) -> tuple[FeedModel | None, QAbstractProxyModel | None]:
        """The feed under the view, and the filter it is shown through, if any."""
        model = self.model()
        if isinstance(model, FeedModel):
            return model, None
        if isinstance(model, QAbstractProxyModel) and isinstance(
            feed := model.sourceModel(), FeedModel
        ):
            return feed, model
        return None, None

    def _fill(self, first: int, last: int) -> None:
        """Fill the feed's rows shown as rows ``first`` to ``last`` of the view's model."""
        feed, proxy = self._feed()
        if feed is None:
            return
        if proxy is None:
            feed.fill(first, last)
            return
        shown = QItemSelection(proxy.index(first, 0), proxy.index(last, 0))
        source = proxy.mapSelectionToSource(shown)  # a run of rows per gap the filter hid
        for part in range(source.count()):
            feed.fill(source.at(part).top(), source.at(part).bottom())

    def changeEvent(self, event: QEvent) -> None:
        """The painter works its look out again when it may have changed."""
        if event.type() in _LOOK_CHANGES:
            self._painter.forget()
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Qt copies the current cell's text on the copy key (Ctrl+C): filled first."""
        current = self.currentIndex()
        if current.isValid() and event.matches(QKeySequence.StandardKey.Copy):
            self._fill(current.row(), current.row())
        super().keyPressEvent(event)

    def message_at(self, index: QModelIndex) -> Message | None:
        """The message shown in ``index``'s row (of the feed, or of its filter)."""
        feed, _proxy = self._feed()
        row = _source(index).row()
        return feed.message(row) if feed is not None and 0 <= row < feed.rowCount() else None

    def _fill_at(self, point: QPoint) -> None:
        row = self.rowAt(point.y())
        if row >= 0:
            self._fill(row, row)

    def keyboardSearch(self, search: str) -> None:
        """Qt's search by typing reads the cells of the rows after the current one.

        Filling them all took most of a second at the cap, again after each
        trim: the first rows whose text starts with what was typed are filled
        (keys closer than ``keyboardInputInterval`` add up, as in Qt, which
        goes by the key alone when nothing matches them), and Qt finds them.
        """
        now = time.monotonic()
        if now - self._typed_at > QApplication.keyboardInputInterval() / 1000:
            self._typed = ""
        self._typed, self._typed_at = self._typed + search, now
        for typed in {self._typed, search}:
            self._fill_starting_with(typed)
        super().keyboardSearch(search)

    def _fill_starting_with(self, typed: str, count: int = 2) -> None:
        """Fill the first ``count`` rows from the current one on (and round) that
        Qt's search would find for ``typed``."""
        feed, proxy = self._feed()
        if not typed or feed is None:
            return
        rows = feed.rowCount() if proxy is None else proxy.rowCount()
        current = self.currentIndex()
        column, start = max(0, current.column()), max(0, current.row())
        wanted = typed.casefold()
        for row in itertools.chain(range(start, rows), range(start)):
            shown = row if proxy is None else proxy.mapToSource(proxy.index(row, 0)).row()
            if feed.text(shown, column).casefold().startswith(wanted):
                feed.fill(shown)
                count -= 1
                if not count:
                    return

    def sizeHintForColumn(self, column: int) -> int:
        self.fill_in_view()
        return super().sizeHintForColumn(column)

    def doItemsLayout(self) -> None:
        first, whole = self._first_new, self._whole
        self._first_new, self._whole = None, False
        _lay_out(self, None if whole else first, super().doItemsLayout)


def _source(index: QModelIndex) -> QModelIndex:
    """``index`` in the model under any proxy."""
    model = index.model()
    return model.mapToSource(index) if isinstance(model, QAbstractProxyModel) else index


def _shown(model: QAbstractItemModel, source: QPersistentModelIndex) -> QModelIndex:
    """The row of ``model`` (a proxy or the source itself) showing ``source``, if any."""
    if not source.isValid():
        return QModelIndex()
    index = source.model().index(source.row(), source.column())
    return model.mapFromSource(index) if isinstance(model, QAbstractProxyModel) else index
