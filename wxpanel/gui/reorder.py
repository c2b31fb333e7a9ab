"""Reordering for table models whose row order is a priority: buttons and drag and drop.

The rules and the answer sources are both ordered lists the operator
rearranges by dragging; the drag carries the row numbers in a MIME type of
the model's own, and the drop becomes one ``moveRows`` call, which each
model implements (and persists) itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class ReorderableRows:
    """Mixed in before the Qt model: ``class M(ReorderableRows, QAbstractTableModel)``.

    The model sets :attr:`ROWS_MIME`, returns its row list from
    :meth:`ordered_items` and has an ``orderChanged`` signal and ``ids()``;
    a move announces the new order of ids, which the page saves.
    """

    ROWS_MIME = "application/x-wxpanel-rows"

    def ordered_items(self) -> list[Any]:
        """The model's rows, in order; moved in place."""
        raise NotImplementedError

    def moveRows(
        self,
        sourceParent: Index,
        sourceRow: int,
        count: int,
        destinationParent: Index,
        destinationChild: int,
    ) -> bool:
        """Move ``count`` rows before ``destinationChild`` (Qt's convention) and announce it."""
        items = self.ordered_items()
        if sourceParent.isValid() or destinationParent.isValid() or count < 1:
            return False
        if sourceRow < 0 or sourceRow + count > len(items):
            return False
        if not 0 <= destinationChild <= len(items):
            return False
        if sourceRow <= destinationChild <= sourceRow + count:
            return False  # onto itself
        model: Any = self
        last = sourceRow + count - 1
        if not model.beginMoveRows(QModelIndex(), sourceRow, last, QModelIndex(), destinationChild):
            return False
        moving = items[sourceRow : sourceRow + count]
        del items[sourceRow : sourceRow + count]
        target = destinationChild - count if destinationChild > sourceRow else destinationChild
        items[target:target] = moving
        model.endMoveRows()
        model.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(items) - 1)
        model.orderChanged.emit(model.ids())
        return True

    def move_row(self, row: int, to_row: int) -> bool:
        """Put the item of ``row`` at ``to_row`` (its index afterwards)."""
        if row == to_row or not 0 <= to_row < len(self.ordered_items()):
            return False
        target = to_row + (to_row > row)
        return self.moveRows(QModelIndex(), row, 1, QModelIndex(), target)

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        """Never: after an internal drag the view asks to remove the source rows,
        which :meth:`dropMimeData` has already moved."""
        return False

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [self.ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        data = QMimeData()
        data.setData(self.ROWS_MIME, QByteArray(json.dumps(rows).encode()))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return action == Qt.DropAction.MoveAction and data.hasFormat(self.ROWS_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """A drag inside the table: move the dragged rows before the row dropped on."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            rows = [int(r) for r in json.loads(bytes(data.data(self.ROWS_MIME).data()).decode())]
        except (ValueError, TypeError):
            return False
        if not rows or rows != list(range(rows[0], rows[0] + len(rows))):
            return False  # one block at a time (the view selects one row)
        if parent.isValid():
            row = parent.row()  # dropped onto a row: take its place
        if row < 0:
            row = len(self.ordered_items())
        return self.moveRows(QModelIndex(), rows[0], len(rows), QModelIndex(), row)
