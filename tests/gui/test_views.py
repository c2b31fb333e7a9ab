"""The views' painting: only what changed is painted (or drawn) again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QListView,
    QStyleOptionViewItem,
)
from pytestqt.qtbot import QtBot

from tests.gui.test_models import conv, msg
from wxpanel.core.models import Message
from wxpanel.gui.delegates import ConversationDelegate, _Entry
from wxpanel.gui.models import ConversationModel, FeedModel, MessageRole
from wxpanel.gui.views import ConversationView, FeedView
from wxpanel.gui.widgets import FeedFilter


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

    def _draw(self, painter: QPainter, option: QStyleOptionViewItem, entry: _Entry) -> None:
        self.drawn.append(entry.title)  # the id: these conversations have no name
        super()._draw(painter, option, entry)


def shown_list(qtbot: QtBot, view: QListView, model: ConversationModel) -> CountingDelegate:
    """``view`` showing ``model`` through a delegate that notes what it draws."""
    qtbot.addWidget(view)
    delegate = CountingDelegate(view)
    view.setItemDelegate(delegate)
    view.setModel(model)
    view.resize(300, 300)
    view.show()
    qtbot.waitExposed(view)
    return delegate


def test_conversation_entries_are_drawn_once_until_they_change(qtbot: QtBot) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 1), conv("wxid_b", 2, unread=1)])
    view = QListView()
    delegate = shown_list(qtbot, view, model)
    qtbot.waitUntil(lambda: {"wxid_a", "wxid_b"} <= set(delegate.drawn))
    delegate.drawn.clear()
    view.viewport().repaint()  # everything painted again: copied, not drawn
    assert delegate.drawn == []
    model.mark_read("wxid_b")
    qtbot.waitUntil(lambda: delegate.drawn == ["wxid_b"])


class CountingListView(ConversationView):
    """Counts the relayouts of the conversation list."""

    def __init__(self) -> None:
        super().__init__()
        self.layouts = 0

    def doItemsLayout(self) -> None:
        self.layouts += 1
        super().doItemsLayout()


def test_a_changed_conversation_is_repainted_without_a_relayout(qtbot: QtBot) -> None:
    """Qt 6's QListView lays every row out again on dataChanged: 2 000 rows, in Python."""
    model = ConversationModel()
    model.load([conv(f"wxid_{i}", 100 - i) for i in range(50)])
    view = CountingListView()
    delegate = shown_list(qtbot, view, model)
    qtbot.waitUntil(lambda: "wxid_0" in delegate.drawn)
    layouts = view.layouts
    delegate.drawn.clear()
    model.apply_messages([msg(200, "wxid_3"), msg(201, "wxid_1")])  # a reorder
    qtbot.waitUntil(lambda: {"wxid_1", "wxid_3"} <= set(delegate.drawn))
    assert view.layouts == layouts
    assert [model.conversation(r).id for r in range(3)] == ["wxid_1", "wxid_3", "wxid_0"]


def shown_feed(qtbot: QtBot, count: int) -> tuple[FeedModel, FeedFilter, FeedView]:
    feed = FeedModel()
    proxy = FeedFilter()
    proxy.setSourceModel(feed)
    view = FeedView()
    qtbot.addWidget(view)
    view.setModel(feed)
    view.resize(600, 300)
    feed.append([msg(i, "room@chatroom" if i % 2 else "wxid_a") for i in range(1, count + 1)])
    view.show()
    qtbot.waitExposed(view)
    return feed, proxy, view


def selected_ids(view: FeedView) -> list[int]:
    selection = view.selectionModel()
    return [index.data(MessageRole).id for index in selection.selectedRows()]


def test_the_selected_row_stays_selected_while_rows_arrive_and_filters_change(
    qtbot: QtBot,
) -> None:
    feed, proxy, view = shown_feed(qtbot, 10)
    view.selectRow(4)
    assert selected_ids(view) == [5]
    feed.append([msg(11), msg(12, "room@chatroom")])
    assert selected_ids(view) == [5]
    proxy.set_filter("group", "")
    view.show_model(proxy)  # a filter set: the view shows the proxy
    assert view.model() is proxy
    assert selected_ids(view) == [5]
    feed.append([msg(13, "room@chatroom"), msg(14)])  # the filter applies to new rows
    assert [proxy.index(r, 0).data(MessageRole).id for r in range(proxy.rowCount())] == [
        1,
        3,
        5,
        7,
        9,
        12,
        13,
    ]
    proxy.set_filter("", "")
    view.show_model(feed)  # no filter: the feed itself, no proxy in the paint path
    assert view.model() is feed
    assert selected_ids(view) == [5]
    assert view.currentIndex().row() == 4


def test_a_text_filter_applies_to_new_rows(qtbot: QtBot) -> None:
    feed, proxy, view = shown_feed(qtbot, 3)
    proxy.set_filter("", "APPLE")
    view.show_model(proxy)
    assert proxy.rowCount() == 0
    feed.append([msg(4, content="an apple pie"), msg(5, content="pear")])
    assert proxy.rowCount() == 1
    assert proxy.index(0, FeedModel.CONTENT).data() == "an apple pie"


def test_a_reader_scrolled_up_keeps_their_rows_when_the_oldest_go(qtbot: QtBot) -> None:
    feed = FeedModel(cap=200)
    view = FeedView()
    qtbot.addWidget(view)
    view.setModel(feed)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    feed.append([msg(i) for i in range(1, 151)])
    view.setCurrentIndex(feed.index(0, 0))  # among the rows that go: Qt scrolls to its successor
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    view.scrollTo(feed.index(99, 0), view.ScrollHint.PositionAtTop)  # reading message 100
    qtbot.waitUntil(lambda: view.indexAt(view.viewport().rect().topLeft()).row() == 99)
    feed.append([msg(i) for i in range(151, 211)])  # over the cap: 30 rows go at once
    assert feed.rowCount() == 180

    def reading() -> int:
        return feed.message(view.indexAt(view.viewport().rect().topLeft()).row()).id

    qtbot.waitUntil(lambda: reading() == 100)  # once the view has laid the rows out again
    assert not view.follower.at_bottom


def test_a_batch_fills_its_rows_without_a_signal_per_cell(qtbot: QtBot) -> None:
    feed, proxy, _view = shown_feed(qtbot, 3)
    proxy.set_filter("group", "")
    changed: list[object] = []
    inserted: list[tuple[int, int]] = []
    feed.dataChanged.connect(lambda *args: changed.append(args))
    proxy.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    feed.append([msg(4, "room@chatroom", "新的"), msg(5)])
    assert changed == []
    assert inserted == [(2, 2)]  # the filter tested the new rows from the feed's own lists
    assert proxy.index(2, FeedModel.CONTENT).data() == "新的"
    assert feed.index(4, FeedModel.CONVERSATION).data() == "wxid_a"
    assert feed.index(3, 0).data(MessageRole).id == 4
