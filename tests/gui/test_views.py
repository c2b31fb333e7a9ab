"""The views' painting: only what changed is painted (or drawn) again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QCursor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QListView,
    QStyleOptionViewItem,
    QTabWidget,
)
from pytestqt.qtbot import QtBot

from tests.gui.test_models import conv, msg
from wxpanel.core.models import Message
from wxpanel.gui.delegates import ConversationDelegate, _Entry, _Pictures
from wxpanel.gui.models import FEED_CAP, ConversationModel, FeedModel, MessageRole
from wxpanel.gui.views import ConversationView, FeedView
from wxpanel.gui.widgets import FeedFilter


class CountingFeed(FeedModel):
    """A feed that notes which rows were asked for their texts (painted, see feedpaint)."""

    def __init__(self) -> None:
        super().__init__()
        self.painted: set[int] = set()

    def cells(self, row: int) -> tuple[str, ...]:
        self.painted.add(row)
        return super().cells(row)


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


def test_followed_rows_under_a_resting_pointer_repaint_only_themselves(qtbot: QtBot) -> None:
    """Qt repaints the rows under the pointer after a scroll (a hover): not the follower's."""
    model, view = painted_feed(qtbot, [msg(1), msg(2), msg(3)])
    model.append([msg(i) for i in range(4, 61)])  # more than a screenful
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() > 0)
    QCursor.setPos(view.viewport().mapToGlobal(QPoint(100, 100)))
    qtbot.waitUntil(view.viewport().underMouse)
    for first in (61, 64):
        model.painted.clear()
        model.append([msg(first), msg(first + 1), msg(first + 2)])
        view.executeDelayedItemsLayout()  # as the window does after a batch
        rows = {first - 1, first, first + 1}
        qtbot.waitUntil(lambda rows=rows: model.painted >= rows)  # type: ignore[misc]
        assert model.painted == rows
    view.verticalScrollBar().setValue(0)  # the reader's own scroll: Qt's way, all repainted
    qtbot.waitUntil(lambda: 0 in model.painted)


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
    assert model.text(1, FeedModel.CONVERSATION) == "Bob"  # what was painted
    assert model.text(0, FeedModel.CONVERSATION) == "Alice"


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


def test_conversation_entries_are_drawn_twice_at_most_until_they_change(qtbot: QtBot) -> None:
    """Onto the list at the first paint, into a picture at the second, copied after."""
    model = ConversationModel()
    model.load([conv("wxid_a", 1), conv("wxid_b", 2, unread=1)])
    view = QListView()
    delegate = shown_list(qtbot, view, model)
    qtbot.waitUntil(lambda: {"wxid_a", "wxid_b"} <= set(delegate.drawn))
    view.viewport().repaint()  # (a second paint, if the first was the only one)
    delegate.drawn.clear()
    view.viewport().repaint()  # everything painted again: copied, not drawn
    assert delegate.drawn == []
    model.mark_read("wxid_b")
    qtbot.waitUntil(lambda: delegate.drawn == ["wxid_b"])


def test_an_entry_looks_the_same_drawn_onto_the_list_and_copied(qtbot: QtBot) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 1), conv("b@chatroom", 2, unread=3), conv("wxid_c", 3, unread=120)])
    view = QListView()
    delegate = shown_list(qtbot, view, model)
    view.setCurrentIndex(model.index(1, 0))  # a selected entry too
    (first, drawn), (second, pictured), (third, copied) = three_paints(view, delegate.drawn)
    assert (drawn, pictured, copied) == (3, 3, 0)
    assert first == second == third


def three_paints(view: QAbstractItemView, drawn: list[Any]) -> list[tuple[QImage, int]]:
    """``view`` painted three times over (rows drawn onto it, into pictures, then
    copied): each time what it shows and how many rows its delegate noted in ``drawn``."""
    painted = []
    for _paint in range(3):
        drawn.clear()
        image = view.viewport().grab().toImage()
        painted.append((image, len(drawn)))
    return painted


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


def shown_feed(
    qtbot: QtBot, count: int, cap: int = FEED_CAP
) -> tuple[FeedModel, FeedFilter, FeedView]:
    feed = FeedModel(cap)
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


def source_row(index: QModelIndex) -> int:
    model = index.model()
    return model.mapToSource(index).row() if isinstance(model, FeedFilter) else index.row()


def selected_ids(view: FeedView, feed: FeedModel) -> list[int]:
    """The messages selected (from Python: a selected row need not be filled)."""
    selection = view.selectionModel()
    return [feed.message(source_row(index)).id for index in selection.selectedRows()]


def test_the_selected_row_stays_selected_while_rows_arrive_and_filters_change(
    qtbot: QtBot,
) -> None:
    feed, proxy, view = shown_feed(qtbot, 10)
    view.selectRow(4)
    assert selected_ids(view, feed) == [5]
    feed.append([msg(11), msg(12, "room@chatroom")])
    assert selected_ids(view, feed) == [5]
    proxy.set_filter("group", "")
    view.show_model(proxy)  # a filter set: the view shows the proxy
    assert view.model() is proxy
    assert selected_ids(view, feed) == [5]
    feed.append([msg(13, "room@chatroom"), msg(14)])  # the filter applies to new rows
    assert [feed.message(source_row(proxy.index(r, 0))).id for r in range(proxy.rowCount())] == [
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
    assert selected_ids(view, feed) == [5]
    assert view.currentIndex().row() == 4


def test_a_text_filter_applies_to_new_rows(qtbot: QtBot) -> None:
    feed, proxy, view = shown_feed(qtbot, 3)
    proxy.set_filter("", "APPLE")
    view.show_model(proxy)
    assert proxy.rowCount() == 0
    feed.append([msg(4, content="an apple pie"), msg(5, content="pear")])
    assert proxy.rowCount() == 1
    qtbot.waitUntil(lambda: proxy.index(0, FeedModel.CONTENT).data() == "an apple pie")  # shown


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
    feed, proxy, view = shown_feed(qtbot, 3)
    proxy.set_filter("group", "")
    view.show_model(proxy)  # (the feed itself is painted from its lists: nothing filled)
    changed: list[object] = []
    inserted: list[tuple[int, int]] = []
    feed.dataChanged.connect(lambda *args: changed.append(args))
    proxy.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    feed.append([msg(4, "room@chatroom", "新的"), msg(5)])
    assert inserted == [(2, 2)]  # the filter tested the new rows from the feed's own lists
    qtbot.waitUntil(lambda: feed.is_filled(3))  # painted
    assert changed == []
    assert proxy.index(2, FeedModel.CONTENT).data() == "新的"
    assert feed.index(3, FeedModel.CONVERSATION).data() == "room@chatroom"
    assert feed.index(3, 0).data(MessageRole).id == 4
    assert not feed.is_filled(4)  # filtered out: not shown


# -- the feed fills only the rows it shows ---------------------------------------------


class EmptyCellFeed(FeedModel):
    """A feed that notes every cell painted without a text (an empty row on screen)."""

    def __init__(self, cap: int = FEED_CAP) -> None:
        super().__init__(cap)
        self.painted: set[int] = set()
        self.empty: set[int] = set()

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        value = super().data(index, role)
        if role == Qt.ItemDataRole.DisplayRole:
            self.painted.add(index.row())
            if value is None:
                self.empty.add(index.row())
        return value

    def cells(self, row: int) -> tuple[str, ...]:
        self.painted.add(row)  # painted from the lists (feedpaint): nothing to fill
        return super().cells(row)


def filled_rows(feed: FeedModel) -> set[int]:
    return {row for row in range(feed.rowCount()) if feed.is_filled(row)}


def feed_view(qtbot: QtBot, feed: FeedModel, *, shown: bool = True) -> FeedView:
    """A 600 × 300 view of ``feed``, shown and exposed (or not)."""
    view = FeedView()
    qtbot.addWidget(view)
    view.setModel(feed)
    view.resize(600, 300)
    if shown:
        view.show()
        qtbot.waitExposed(view)
    return view


def test_a_hidden_feed_fills_nothing_and_its_rows_in_view_once_shown(qtbot: QtBot) -> None:
    feed = EmptyCellFeed()
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("the chat"), "Chat")
    view = FeedView()
    view.setModel(feed)
    tabs.addTab(view, "Live feed")
    tabs.resize(600, 300)
    tabs.show()
    qtbot.waitExposed(tabs)
    for first in range(1, 1001, 50):  # batches arriving while the chat is open
        feed.append([msg(i) for i in range(first, first + 50)])
        QApplication.processEvents()
    assert filled_rows(feed) == set() and feed.painted == set()
    tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: 999 in feed.painted)
    shown = set(range(view.rowAt(0), 1000))
    assert 5 < len(shown) < 50
    assert feed.painted == shown  # the newest rows, followed; none above them
    assert filled_rows(feed) == set()  # painted from the lists (feedpaint)


def test_rows_scrolled_into_view_are_filled_before_they_are_painted(qtbot: QtBot) -> None:
    feed = EmptyCellFeed()
    view = feed_view(qtbot, feed)
    feed.append([msg(i) for i in range(1, 501)])
    qtbot.waitUntil(lambda: 499 in feed.painted)
    assert not feed.is_filled(0)
    bar = view.verticalScrollBar()
    for value in (bar.maximum() // 2, bar.maximum() // 2 + 37, 0):  # a jump, a few rows, the top
        bar.setValue(value)
        top = view.rowAt(0)
        qtbot.waitUntil(lambda: top in feed.painted)  # noqa: B023 (waited for here)
    assert feed.empty == set()
    assert len(filled_rows(feed)) < 200


def test_a_filtered_feed_fills_the_rows_it_shows_and_no_other(qtbot: QtBot) -> None:
    feed, proxy, view = shown_feed(qtbot, 0)
    proxy.set_filter("group", "")
    view.show_model(proxy)
    feed.append([msg(i, "room@chatroom" if i % 3 == 0 else "wxid_a") for i in range(1, 301)])
    assert proxy.rowCount() == 100
    qtbot.waitUntil(lambda: feed.is_filled(299))  # the newest group message, at the bottom
    shown = {source_row(proxy.index(r, 0)) for r in range(view.rowAt(0), proxy.rowCount())}
    assert filled_rows(feed) == shown
    assert all(feed.message(row).is_group for row in shown)
    assert proxy.index(99, FeedModel.CONVERSATION).data() == "room@chatroom"


def test_the_menu_of_a_row_not_painted_yet_finds_its_message(qtbot: QtBot) -> None:
    """The window's menu reads the row's message through Qt, after the view filled it."""
    feed = FeedModel()
    view = feed_view(qtbot, feed, shown=False)
    feed.append([msg(1), msg(2)])
    found: list[object] = []
    view.customContextMenuRequested.connect(
        lambda point: found.append(view.indexAt(point).siblingAtColumn(0).data(MessageRole))
    )
    y = view.rowViewportPosition(1) + 2
    view.customContextMenuRequested.emit(QPoint(30, y))
    assert [m.id for m in found if isinstance(m, Message)] == [2]
    assert filled_rows(feed) == {1}


def test_the_copy_key_copies_a_row_not_filled(qtbot: QtBot) -> None:
    feed = FeedModel()
    view = feed_view(qtbot, feed, shown=False)
    feed.append([msg(1, content="first"), msg(2, content="second")])
    view.setCurrentIndex(feed.index(1, FeedModel.CONTENT))
    QApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "second"
    assert filled_rows(feed) == {1}


def test_a_feed_cell_opens_no_editor(qtbot: QtBot) -> None:
    """A row is what demo.exe wrote: neither a double click nor F2 edits it (the
    double click opens its conversation: test_mainwindow)."""
    feed = FeedModel()
    view = feed_view(qtbot, feed)
    feed.append([msg(1, content="first"), msg(2, content="second")])
    qtbot.waitUntil(lambda: view.rowAt(view.rowViewportPosition(1)) == 1)
    activated: list[int] = []
    view.activated.connect(lambda index: activated.append(index.row()))
    view.setCurrentIndex(feed.index(1, FeedModel.CONTENT))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    at = view.visualRect(feed.index(0, FeedModel.CONTENT)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)  # (as the OS sends
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)  # a double click)
    assert view.state() != QAbstractItemView.State.EditingState
    assert not isinstance(QApplication.focusWidget(), QLineEdit)
    assert activated == [0]
    assert view.message_at(feed.index(0, FeedModel.TYPE)) == feed.message(0)


def test_typing_in_the_feed_finds_a_row_not_filled_and_fills_few(qtbot: QtBot) -> None:
    """Qt's search by typing reads cells: the rows it would find are filled, not all."""
    feed, proxy, view = shown_feed(qtbot, 0)
    contents = {250: "zebra", 251: "zeal", 270: "zest", 290: "zebu"}
    feed.append([msg(i, content=contents.get(i, "hi")) for i in range(1, 301)])
    view.setCurrentIndex(feed.index(0, FeedModel.CONTENT))
    view.keyboardSearch("z")
    view.keyboardSearch("e")
    view.keyboardSearch("b")  # "zeb", keys in a row
    assert feed.message(view.currentIndex().row()).id == 250
    assert len(filled_rows(feed) - set(range(view.rowAt(0), 300))) <= 4
    proxy.set_filter("", "ze")  # through the filter: its rows, its order
    other = feed_view(qtbot, feed, shown=False)  # (its own search: Qt's is per view)
    other.show_model(proxy)
    other.setCurrentIndex(proxy.index(0, FeedModel.CONTENT))
    other.keyboardSearch("zest")
    assert feed.message(source_row(other.currentIndex())).id == 270


def test_a_column_fits_the_rows_in_view(qtbot: QtBot) -> None:
    feed = FeedModel()
    view = feed_view(qtbot, feed)
    wide = "a message far wider than the column is at first"
    feed.append([msg(i) for i in range(1, 200)] + [msg(200, content=wide)])
    qtbot.waitUntil(lambda: view.rowAt(view.viewport().height() - 1) in (-1, 199))
    view.resizeColumnToContents(FeedModel.CONTENT)
    assert view.columnWidth(FeedModel.CONTENT) >= view.fontMetrics().horizontalAdvance(wide)
    assert not feed.is_filled(0)


def test_the_trim_empties_the_filled_rows_and_the_view_paints_its_own_again(qtbot: QtBot) -> None:
    """Cells made before an earlier trim cost Qt a long search to delete: none is left for one."""
    feed = EmptyCellFeed(cap=200)  # 180 rows after a trim
    view = feed_view(qtbot, feed)
    feed.append([msg(i) for i in range(1, 151)])
    qtbot.waitUntil(lambda: 149 in feed.painted)
    feed.fill(140)  # as its menu or the copy key would (painting fills nothing)
    view.selectRow(140)  # Qt holds an index of it: kept filled
    feed.painted.clear()
    feed.append([msg(i) for i in range(151, 211)])  # over the cap: 30 rows go
    assert feed.rowCount() == 180
    assert filled_rows(feed) == {110}  # the selected row, 30 rows up
    qtbot.waitUntil(lambda: 179 in feed.painted)
    shown = set(range(view.rowAt(0), 180))
    assert feed.painted >= shown
    assert filled_rows(feed) == {110}  # painted from the lists (feedpaint): nothing filled
    assert feed.empty == set()
    assert selected_ids(view, feed) == [141]


def test_a_filtered_feed_keeps_its_selection_and_cells_across_a_trim(qtbot: QtBot) -> None:
    feed, proxy, view = shown_feed(qtbot, 0, cap=200)  # 180 rows after a trim
    proxy.set_filter("group", "")
    view.show_model(proxy)
    feed.append([msg(i, "room@chatroom" if i % 2 else "wxid_a") for i in range(1, 191)])
    qtbot.waitUntil(lambda: feed.is_filled(188))
    view.selectRow(proxy.rowCount() - 3)
    selected = selected_ids(view, feed)
    feed.append([msg(i, "room@chatroom" if i % 2 else "wxid_a") for i in range(191, 221)])
    assert feed.rowCount() == 180
    qtbot.waitUntil(lambda: feed.is_filled(178))
    assert selected_ids(view, feed) == selected
    last = proxy.index(proxy.rowCount() - 1, 0)
    assert last.data(MessageRole).id == 219
    assert proxy.index(proxy.rowCount() - 1, FeedModel.CONVERSATION).data() == "room@chatroom"


def test_drawn_pictures_are_bounded_in_pixels_least_recently_used_first(qtbot: QtBot) -> None:
    pictures = _Pictures(pixels=300)
    for key in "abc":
        pictures.put((key,), QPixmap(10, 10))
    assert pictures.get(("a",)) is not None  # used: now the newest; "b" is the oldest
    pictures.put(("d",), QPixmap(10, 10))  # 400 pixels: the least recently used goes
    assert pictures.get(("b",)) is None
    pictures.put(("a",), QPixmap(10, 10))  # the same key again: counted once, nothing goes
    assert all(pictures.get((key,)) is not None for key in "cad")
    pictures.put(("huge",), QPixmap(100, 100))  # alone over the bound: kept, the rest go
    assert pictures.get(("huge",)) is not None
    assert all(pictures.get((key,)) is None for key in "cad")
