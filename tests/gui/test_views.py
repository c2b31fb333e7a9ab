"""The views' painting: rows appended to the live feed repaint only themselves."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from pytestqt.qtbot import QtBot

from tests.gui.test_models import msg
from wxpanel.gui.models import FeedModel
from wxpanel.gui.views import FeedView


class CountingFeed(FeedModel):
    """A feed that notes which rows were asked for their text (painted)."""

    def __init__(self) -> None:
        super().__init__()
        self.painted: set[int] = set()

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            self.painted.add(index.row())
        return super().data(index, role)


def test_appended_rows_repaint_only_themselves(qtbot: QtBot) -> None:
    model = CountingFeed()
    view = FeedView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    model.append([msg(1), msg(2), msg(3)])
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: model.painted >= {0, 1, 2})
    model.painted.clear()
    model.append([msg(4)])
    qtbot.waitUntil(lambda: 3 in model.painted)
    assert model.painted == {3}
    model.painted.clear()
    model.set_aliases({"wxid_a": "Alice"})  # anything but an append: everything again
    qtbot.waitUntil(lambda: model.painted >= {0, 1, 2, 3})
