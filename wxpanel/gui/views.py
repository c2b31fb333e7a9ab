"""Views that keep the reader's place while rows arrive above or below.

A view fed 500 rows a second must not yank the reader around: when the
reader is at the bottom it follows new rows; when they scrolled up, nothing
moves; and when older history is prepended above, the rows they were
reading stay where they were.
"""

from __future__ import annotations

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
    Qt,
    QTimer,
    SignalInstance,
)
from PySide6.QtGui import QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QListView,
    QScrollBar,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from wxpanel.gui.models import ChatModel


class _Follower:
    """Follows the bottom of a scroll bar while the reader is there."""

    def __init__(self, bar: QScrollBar) -> None:
        self.bar = bar
        self.at_bottom = True
        self._from_bottom: int | None = None  # keep this distance after a prepend
        self._adjusting = False
        bar.valueChanged.connect(self._moved)
        bar.rangeChanged.connect(self._range_changed)

    def _moved(self, value: int) -> None:
        if self._adjusting:
            return
        self.at_bottom = value >= self.bar.maximum()
        self._from_bottom = None

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        target: int | None = None
        if self._from_bottom is not None:
            target = maximum - self._from_bottom
        elif self.at_bottom:
            target = maximum
        if target is not None:
            self._adjusting = True
            try:
                self.bar.setValue(target)
            finally:
                self._adjusting = False

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

    Rows inserted at the top (a page of history, or the newest page of a
    conversation just opened) are measured :data:`CHUNK` at a time from the
    bottom up, one slice per turn of the event loop, with the rows on screen
    kept in place: measuring a whole page at once stalled the window for
    tens of milliseconds.  Until then they have the height of a typical bubble.
    """

    #: Rows measured per turn of the event loop (~5 ms on the build machine).
    CHUNK = 40

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._measured_width = -1  # the viewport width the heights were measured for
        #: Rows 0 .. _unmeasured - 1 have a guessed height (always the top rows).
        self._unmeasured = 0
        self._typical = 0  # the mean of the heights measured so far: the guess
        self._measured_rows = 0
        self._slicer = QTimer(self)
        self._slicer.setSingleShot(True)
        self._slicer.setInterval(0)
        self._slicer.timeout.connect(self._measure_slice)
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
        self.follower = _Follower(self.verticalScrollBar())

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)  # the header connects to the model first: its sections exist
        if model is not None:
            model.rowsAboutToBeInserted.connect(self._about_to_insert)
            model.rowsInserted.connect(self._rows_inserted)
            model.rowsRemoved.connect(self._rows_removed)
            model.dataChanged.connect(self._data_changed)
            model.modelReset.connect(self.measure_all)
        self.measure_all()

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
        if first > 0:  # live messages at the bottom: a few, and in sight
            self._measure(range(first, last + 1))
            return
        count = last - first + 1
        self._guess(range(0, count))
        self._unmeasured += count  # still the top rows: they were inserted above
        self._measure_slice()  # the ones nearest to what is shown, now

    def _rows_removed(
        self, _parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        if first < self._unmeasured:
            self._unmeasured -= min(last + 1, self._unmeasured) - first

    def unmeasured(self) -> int:
        """How many rows (at the top) still have a guessed height."""
        return self._unmeasured

    def _guess(self, rows: range) -> None:
        if self._typical <= 0:
            return  # nothing measured yet: Qt's default height
        header = self.verticalHeader()
        header.setUpdatesEnabled(False)
        try:
            for row in rows:
                header.resizeSection(row, self._typical)
        finally:
            header.setUpdatesEnabled(True)

    def _measure_slice(self) -> None:
        """The lowest :data:`CHUNK` rows of those with a guessed height, the rows in sight kept."""
        if self._unmeasured <= 0:
            return
        start = max(0, self._unmeasured - self.CHUNK)
        rows = range(start, self._unmeasured)
        self._unmeasured = start
        bar = self.verticalScrollBar()
        anchor = -1
        if not self.follower.at_bottom:
            self.updateGeometries()  # rows just inserted: the follower keeps the place first
            anchor = self.rowAt(0)
        if anchor < 0:
            self._measure(rows)
        else:
            header = self.verticalHeader()
            offset = bar.value() - header.sectionPosition(anchor)
            self._measure(rows)
            bar.setValue(header.sectionPosition(anchor) + offset)
        if self._unmeasured > 0:
            self._slicer.start()

    def _data_changed(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        _roles: object = None,
    ) -> None:
        """A status line may appear in a bubble's header: a few rows, measured again."""
        self._measure(range(top_left.row(), bottom_right.row() + 1))

    def measure_all(self) -> None:
        """Every row's height again: the width, the font or the delegate changed."""
        model = self.model()
        self._measured_width = self.viewport().width()
        self._unmeasured = 0
        if model is not None:
            self._measure(range(model.rowCount()))

    def _measure(self, rows: range) -> None:
        """Set the height of ``rows`` from the delegate; the rest keep theirs."""
        model = self.model()
        if model is None or not rows:
            return
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate = self.itemDelegate()
        header = self.verticalHeader()
        total = 0
        header.setUpdatesEnabled(False)  # no viewport position worked out per row
        try:
            for row in rows:
                height = delegate.sizeHint(option, model.index(row, 0)).height()
                header.resizeSection(row, height)
                total += height
        finally:
            header.setUpdatesEnabled(True)
        self._measured_rows += len(rows)
        self._typical += (total - self._typical * len(rows)) // self._measured_rows
        # The scroll bar's range now, not at Qt's next layout: a place kept in
        # the meantime (a prepend's distance from the bottom) would be measured
        # against the old range.
        self.updateGeometries()  # (Qt repaints from the first resized row down)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.viewport().width() != self._measured_width:
            self.measure_all()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.measure_all()

    def verticalScrollbarValueChanged(self, value: int) -> None:
        """Older history when the reader reaches the *top*; never by itself.

        Qt's own fetching (``canFetchMore``) runs whenever the last row is
        visible, which is where a chat sits: the model does not offer it.
        """
        super().verticalScrollbarValueChanged(value)
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

    def dataChanged(
        self,
        topLeft: QModelIndex | QPersistentModelIndex,
        bottomRight: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        QAbstractItemView.dataChanged(self, topLeft, bottomRight, list(roles))


class FeedView(QTableView):
    """The live feed: fixed-height rows (cheap layout) that follow the newest one.

    Rows appended at the bottom repaint only themselves: Qt lays a table out
    again after any change of its row count and then repaints the whole
    viewport, every visible cell asking the model for its data in Python,
    several times a second under demo.exe's cadence.  The rows above did not
    change; scrolling to follow the new ones moves their pixels.  When the
    feed forgets its oldest rows, a reader who scrolled up keeps reading the
    same rows.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._first_new: int | None = None  # the first row appended since the last layout
        self._whole = False  # something else changed: lay out and repaint everything
        self._reading_at: int | None = None  # where the reader's rows are once some go above
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(vertical.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setStretchLastSection(True)
        self.follower = _Follower(self.verticalScrollBar())

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

    def doItemsLayout(self) -> None:
        first, whole = self._first_new, self._whole
        self._first_new, self._whole = None, False
        if whole or first is None:
            super().doItemsLayout()
            return
        self.updateGeometries()
        top = max(0, self.rowViewportPosition(first))
        viewport = self.viewport()
        if top < viewport.height():
            viewport.update(0, top, viewport.width(), viewport.height() - top)


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
