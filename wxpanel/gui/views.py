"""Views that keep the reader's place while rows arrive above or below.

A view fed 500 rows a second must not yank the reader around: when the
reader is at the bottom it follows new rows; when they scrolled up, nothing
moves; and when older history is prepended above, the rows they were
reading stay where they were.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QScrollBar, QTableView, QWidget

from wxpanel.gui.feed_delegate import FeedDelegate
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


#: Changes after which the feed's delegate lays its texts out and picks its colours again.
_RELAID_OUT = (QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.PaletteChange)


class FeedView(QTableView):
    """The live feed: fixed-height rows (cheap layout) that follow the newest one.

    Rows appended at the bottom repaint only themselves: Qt lays a table out
    again after any change of its row count and then repaints the whole
    viewport, every visible cell asking the model for its data in Python,
    several times a second under demo.exe's cadence.  The rows above did not
    change; scrolling to follow the new ones moves their pixels.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._first_new: int | None = None  # the first row appended since the last layout
        self._whole = False  # something else changed: lay out and repaint everything
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

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is None:
            return
        model.rowsInserted.connect(self._rows_inserted)
        for changed in (
            model.rowsRemoved,
            model.rowsMoved,
            model.modelReset,
            model.layoutChanged,
            model.columnsInserted,
            model.columnsRemoved,
        ):
            changed.connect(self._everything_changed)

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

    def changeEvent(self, event: QEvent) -> None:
        """A new font, style or palette: what the delegate made once is made again."""
        if event.type() in _RELAID_OUT:
            delegate = self.itemDelegate()
            if isinstance(delegate, FeedDelegate):
                delegate.forget()
        super().changeEvent(event)

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
