"""The views' painting: only what changed is painted (or drawn) again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QListView, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from tests.gui.test_models import conv, msg
from wxpanel.core.models import Message
from wxpanel.gui.delegates import ConversationDelegate, Index
from wxpanel.gui.models import ConversationModel, FeedModel, IdRole
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


def painted_feed(qtbot: QtBot, messages: list[Message]) -> tuple[CountingFeed, FeedView]:
    """A shown feed view whose rows were all painted once; ``painted`` is cleared."""
    model = CountingFeed()
    view = FeedView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    model.append(messages)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: model.painted >= set(range(len(messages))))
    model.painted.clear()
    return model, view  # the caller keeps the view alive


def test_appended_rows_repaint_only_themselves(qtbot: QtBot) -> None:
    model, _view = painted_feed(qtbot, [msg(1), msg(2), msg(3)])
    model.append([msg(4)])
    qtbot.waitUntil(lambda: 3 in model.painted)
    assert model.painted == {3}
    model.painted.clear()
    model.set_aliases({"wxid_a": "Alice"})  # anything but an append: everything again
    qtbot.waitUntil(lambda: model.painted >= {0, 1, 2, 3})


def test_new_names_repaint_only_the_rows_they_name(qtbot: QtBot) -> None:
    """A directory comes with every new conversation; most bring no new name."""
    model, _view = painted_feed(qtbot, [msg(1, "wxid_a"), msg(2, "wxid_b"), msg(3, "wxid_a")])
    model.set_aliases({"wxid_a": "Alice"})
    qtbot.waitUntil(lambda: model.painted >= {0, 2})
    model.painted.clear()
    model.set_aliases({"wxid_a": "Alice"})  # the same names: nothing to do
    model.set_aliases({"wxid_a": "Alice", "wxid_b": "Bob"})
    qtbot.waitUntil(lambda: 1 in model.painted)
    assert 0 not in model.painted  # (the row below may share a border pixel)
    assert model.index(1, FeedModel.CONVERSATION).data() == "Bob"
    assert model.index(0, FeedModel.CONVERSATION).data() == "Alice"


class CountingDelegate(ConversationDelegate):
    """Notes which conversations were drawn (not copied from the cache)."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.drawn: list[str] = []

    def _draw(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.drawn.append(str(index.data(IdRole)))
        super()._draw(painter, option, index)


def test_conversation_entries_are_drawn_once_until_they_change(qtbot: QtBot) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 1), conv("wxid_b", 2, unread=1)])
    view = QListView()
    qtbot.addWidget(view)
    delegate = CountingDelegate(view)
    view.setItemDelegate(delegate)
    view.setModel(model)
    view.resize(300, 300)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: {"wxid_a", "wxid_b"} <= set(delegate.drawn))
    delegate.drawn.clear()
    view.viewport().repaint()  # everything painted again: copied, not drawn
    assert delegate.drawn == []
    model.mark_read("wxid_b")
    qtbot.waitUntil(lambda: delegate.drawn == ["wxid_b"])
