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
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    SignalInstance,
)
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QScrollBar, QTableView, QWidget

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


class ChatView(QListView):
    """The bubbles of one conversation; scrolling to the top loads older history."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        # Laid out in slices between events: appending to a long chat re-measures
        # every loaded row (from the delegate's cache, still a Python call each).
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(500)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(True)
        self.follower = _Follower(self.verticalScrollBar())

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            model.rowsAboutToBeInserted.connect(self._about_to_insert)

    def _about_to_insert(
        self, _parent: QModelIndex | QPersistentModelIndex, start: int, _end: int
    ) -> None:
        model = self.model()
        if start == 0 and model is not None and model.rowCount() > 0:
            self.follower.keep_place_for_prepend()

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
