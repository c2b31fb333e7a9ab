"""The live feed's delegate: Qt's own painting, and tooltips made when asked.

The feed's rows are painted by :mod:`wxpanel.gui.feedpaint` (one Python call
per paint); where the view leaves a paint to Qt (another style, the filter),
Qt's delegate paints it from the C++ :class:`~wxpanel.gui.models.FeedModel`
without running Python.  A Python ``paint`` (or ``data``) made every cell
wait for the GIL, which the poller thread holds while it ingests.  Only the
tooltip, asked when the pointer rests on a cell, is made in Python from the
message: storing the full content of every row for it would double the
feed's memory.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractProxyModel, QEvent, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem, QToolTip

from wxpanel.gui.models import FeedModel

Index = QModelIndex | QPersistentModelIndex


class FeedDelegate(QStyledItemDelegate):
    """Overrides nothing on the paint path (``paint``, ``sizeHint``): those stay in C++."""

    def __init__(self, feed: FeedModel, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.feed = feed

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if event.type() != QEvent.Type.ToolTip or not index.isValid():
            return super().helpEvent(event, view, option, index)
        model = index.model()
        source = model.mapToSource(index) if isinstance(model, QAbstractProxyModel) else index
        text = self.feed.tooltip(source.row(), source.column())
        if text:
            QToolTip.showText(event.globalPos(), text, view.viewport(), option.rect)
        else:
            QToolTip.hideText()
            event.ignore()
        return True
