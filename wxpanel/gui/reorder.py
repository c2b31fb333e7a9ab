"""Drag-and-drop reordering for table models whose row order is a priority.

The rules and the answer sources are both ordered lists the operator
rearranges by dragging; the drag carries the row numbers in a MIME type of
the model's own, and the drop becomes one ``moveRows`` call, which each
model implements (and persists) itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class ReorderableRows:
    """Mixed into a QAbstractItemModel before it: ``class M(ReorderableRows, QAbstractTableModel)``.

    The model sets :attr:`ROWS_MIME` and implements ``moveRows``.
    """

    ROWS_MIME = "application/x-wxpanel-rows"

    def move_row(self, row: int, to_row: int) -> bool:
        """Put the item of ``row`` at ``to_row`` (its index afterwards)."""
        if row == to_row or not 0 <= to_row < self.rowCount():  # type: ignore[attr-defined]
            return False
        target = to_row + (to_row > row)
        return bool(self.moveRows(QModelIndex(), row, 1, QModelIndex(), target))  # type: ignore[attr-defined]

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
            row = self.rowCount()  # type: ignore[attr-defined]
        moved = self.moveRows(QModelIndex(), rows[0], len(rows), QModelIndex(), row)  # type: ignore[attr-defined]
        return bool(moved)
