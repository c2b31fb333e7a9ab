"""The chat view at scale: a page of history costs its own rows, not all the loaded ones."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, QSize
from PySide6.QtGui import QColor, QCursor, QFont, QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, text_event
from tests.gui.test_mainwindow import open_conversation
from tests.gui.test_models import msg
from tests.gui.test_views import three_paints
from wxpanel.core.codec import Flag
from wxpanel.core.history import HistoryStore
from wxpanel.core.models import CommandStatus, CommandUpdate, Message
from wxpanel.core.paths import DataPaths
from wxpanel.gui.delegates import (
    _OUTLINE,
    BUBBLE_SHARE,
    PADDING,
    BubbleDelegate,
    Layout,
    _Look,
    _Shapes,
)
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.models import ChatModel, MessageRole
from wxpanel.gui.views import ChatView

MakeWindow = Callable[..., MainWindow]
LONG = "the meeting moved to the afternoon, " * 12


class CountingBubbles(BubbleDelegate):
    """Notes the messages whose size the view asked for, and the bubbles drawn (not copied)."""

    def __init__(self, view: ChatView) -> None:
        super().__init__(view)
        self.asked: list[int] = []
        self.drawn: list[int] = []
        self.laid_out: list[int] = []  # text measured, not found measured for the width

    def _draw(
        self, painter: QPainter, rect: QRect, message: Message, layout: Layout, look: _Look
    ) -> None:
        self.drawn.append(message.id)
        super()._draw(painter, rect, message, layout, look)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        message = index.data(MessageRole)
        if isinstance(message, Message):
            self.asked.append(message.id)
        return super().sizeHint(option, index)

    def _layout(self, option: QStyleOptionViewItem, message: Message) -> Layout:
        self.laid_out.append(message.id)
        return super()._layout(option, message)


def chat(qtbot: QtBot, first_page: list[Message]) -> tuple[ChatModel, ChatView, CountingBubbles]:
    """A shown chat with its newest page in, the reader at its bottom.

    The view is a child widget, as in the window: resizing it sends its
    resize event at once, so what a resize measures before the event loop
    turns can be counted.
    """
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(600, 500)
    model = ChatModel()
    view = ChatView(window)
    view.holder = window  # type: ignore[attr-defined]  # (its Python side owns it: kept alive)
    view.setModel(model)
    bubbles = CountingBubbles(view)
    view.setItemDelegate(bubbles)
    view.resize(500, 400)
    window.show()
    qtbot.waitExposed(window)
    model.open("wxid_a")
    model.add_page("wxid_a", 0, first_page, False)
    view.scrollToBottom()
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: not view.unmeasured())
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    return model, view, bubbles


def heights(view: ChatView) -> list[int]:
    return [view.rowHeight(row) for row in range(view.model().rowCount())]


def test_a_page_of_history_measures_only_its_own_rows(qtbot: QtBot) -> None:
    """QListView measured every loaded row again per page: each page cost more than the last."""
    model, view, bubbles = chat(qtbot, [msg(i, content=f"m{i}") for i in range(1000, 1200)])
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    for top in (800, 600, 400):
        bubbles.asked.clear()
        bar.setValue(bar.minimum())
        model.add_page(
            "wxid_a", top + 200, [msg(i, content=f"m{i}") for i in range(top, top + 200)], False
        )
        qtbot.waitUntil(lambda: bar.value() > bar.minimum())  # the reader's place is kept
        qtbot.waitUntil(lambda: not view.unmeasured())
        assert sorted(set(bubbles.asked)) == list(range(top, top + 200))
    assert model.rowCount() == 800
    assert all(height > 0 for height in heights(view))


def test_live_messages_are_appended_and_measured_alone(qtbot: QtBot) -> None:
    model, view, bubbles = chat(qtbot, [msg(i) for i in range(1, 101)])
    reset: list[bool] = []
    model.modelReset.connect(lambda: reset.append(True))
    before = heights(view)
    bubbles.asked.clear()
    model.append([msg(101, content=LONG), msg(102)])
    qtbot.wait(50)
    assert sorted(set(bubbles.asked)) == [101, 102]
    assert not reset
    assert heights(view)[:100] == before
    assert view.rowHeight(100) > view.rowHeight(101)  # the long one wraps
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())  # followed at the bottom


def test_heights_follow_the_width_and_the_font(qtbot: QtBot) -> None:
    model, view, _bubbles = chat(qtbot, [msg(1, content=LONG), msg(2)])
    wide = view.rowHeight(0)
    view.resize(250, 400)
    qtbot.waitUntil(lambda: view.rowHeight(0) > wide)
    assert (
        view.rowHeight(0)
        == view.itemDelegate().sizeHint(view_option(view), model.index(0, 0)).height()
    )
    narrow = view.rowHeight(1)
    font = QFont(view.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    view.setFont(font)
    qtbot.waitUntil(lambda: view.rowHeight(1) > narrow)


def view_option(view: ChatView) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    return option


def test_a_new_status_measures_that_row_again(qtbot: QtBot) -> None:
    queued = msg(2, out=True, status=CommandStatus.QUEUED)
    model, view, bubbles = chat(qtbot, [msg(1), queued])
    bubbles.asked.clear()
    model.apply_updates([CommandUpdate(2, "wxid_a", CommandStatus.TAKEN, 0.0)])
    qtbot.waitUntil(lambda: 2 in bubbles.asked)
    assert 1 not in bubbles.asked
    assert (
        view.rowHeight(1)
        == view.itemDelegate().sizeHint(view_option(view), model.index(1, 0)).height()
    )


def test_a_word_longer_than_the_bubble_is_broken_inside_it(qtbot: QtBot) -> None:
    """A bad row of megabytes without a space stays in its bubble, and in the view."""
    huge = dataclasses.replace(msg(1, content="x" * 1_000_000), flags=Flag.HUGE)
    model, view, bubbles = chat(qtbot, [huge, msg(2, content="hello world " * 40)])
    option = view_option(view)
    room = int(view.viewport().width() * BUBBLE_SHARE) - 2 * PADDING
    for row in (0, 1):
        _size, layout = bubbles._measured(option, model.message(row))
        assert layout[3].width() <= room
    assert view.rowHeight(0) > view.rowHeight(1) > view.rowHeight(0) // 100


def test_a_page_is_measured_in_slices_and_what_is_read_stays_put(qtbot: QtBot) -> None:
    """Measuring a page at once stalled the window; what is on screen must not jump meanwhile."""
    model, view, bubbles = chat(qtbot, [msg(i, content=f"m{i}") for i in range(1000, 1200)])
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)  # the reader scrolled up, not to the top
    read = model.message(view.rowAt(0)).id
    y = view.rowViewportPosition(view.rowAt(0))
    bubbles.asked.clear()
    model.add_page("wxid_a", 1000, [msg(i, content=LONG) for i in range(800, 1000)], False)
    assert len(set(bubbles.asked)) == ChatView.CHUNK  # the rest on later turns
    assert view.unmeasured() == 200 - ChatView.CHUNK
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert sorted(set(bubbles.asked)) == list(range(800, 1000))
    assert model.message(view.rowAt(0)).id == read
    assert view.rowViewportPosition(view.rowAt(0)) == y
    option = view_option(view)
    assert heights(view)[:200] == [
        view.itemDelegate().sizeHint(option, model.index(row, 0)).height() for row in range(200)
    ]


def test_bubbles_are_drawn_twice_at_most_until_they_change(qtbot: QtBot) -> None:
    """Onto the view at the first paint, into a picture at the second, copied after."""
    queued = msg(2, out=True, status=CommandStatus.QUEUED)
    model, view, bubbles = chat(qtbot, [msg(1), queued])
    qtbot.waitUntil(lambda: {1, 2} <= set(bubbles.drawn))
    view.viewport().repaint()  # (a second paint, if the first was the only one)
    bubbles.drawn.clear()
    view.viewport().repaint()  # everything painted again: copied, not drawn
    assert bubbles.drawn == []
    model.apply_updates([CommandUpdate(2, "wxid_a", CommandStatus.TAKEN, 0.0)])
    qtbot.waitUntil(lambda: bubbles.drawn == [2])
    bubbles.drawn.clear()
    view.setPalette(QPalette(QColor("#202020")))  # another theme: drawn in its colours
    view.viewport().repaint()
    assert sorted(bubbles.drawn) == [1, 2]


def test_a_bubble_looks_the_same_drawn_onto_the_view_and_copied(qtbot: QtBot) -> None:
    for palette in (QPalette(QColor("#f0f0f0")), QPalette(QColor("#202020"))):
        _model, view, bubbles = chat(
            qtbot, [msg(1, content=LONG), msg(2, out=True, status=CommandStatus.FAILED)]
        )
        view.setPalette(palette)
        (first, drawn), (second, pictured), (third, copied) = three_paints(view, bubbles.drawn)
        assert (drawn, pictured, copied) == (2, 2, 0)
        assert first == second == third


def test_a_resize_that_wraps_no_bubble_again_draws_none_again(qtbot: QtBot) -> None:
    """Pictures are as wide as their bubble: dragging the window's edge copies them."""
    queued = msg(2, out=True, status=CommandStatus.QUEUED)
    _model, view, bubbles = chat(qtbot, [msg(1, content=LONG), queued, msg(3)])
    qtbot.waitUntil(lambda: {1, 2, 3} <= set(bubbles.drawn))
    view.viewport().repaint()  # (painted twice: pictures made)
    bubbles.drawn.clear()
    view.resize(490, 400)
    qtbot.waitUntil(lambda: not view.unmeasured())
    view.viewport().repaint()
    # The long one wraps at another width; the short ones are copied.
    assert set(bubbles.drawn) == {1}


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_what_arrives_in_the_open_conversation_is_read_in_history(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    """Marked read with the list's pace (once a second), not a write per frame."""
    window = make_window()
    marked: list[str] = []
    mark_read = window.poller.mark_read

    def counted(conversation: str) -> None:
        marked.append(conversation)
        mark_read(conversation)

    window.poller.mark_read = counted  # type: ignore[method-assign]
    insert_events(exchange_db, [text_event("wxid_alice", "first")])
    open_conversation(qtbot, window, "wxid_alice")
    qtbot.waitUntil(lambda: window.chat.rowCount() == 1)
    for count in range(2, 7):
        insert_events(exchange_db, [text_event("wxid_alice", f"more {count}")])
        qtbot.waitUntil(partial(shows, window, count))

    def unread() -> int:
        with HistoryStore(DataPaths.beside(exchange_db, data_dir).history) as store:
            return next(c.unread for c in store.conversations() if c.id == "wxid_alice")

    qtbot.waitUntil(lambda: "wxid_alice" in marked and unread() == 0)
    alice = window.conversations.find("wxid_alice")
    assert alice is not None and alice.unread == 0


def shows(window: MainWindow, rows: int) -> bool:
    return window.chat.rowCount() == rows


def test_heights_follow_the_scroll_bar_coming_and_going(qtbot: QtBot) -> None:
    """The bar takes width from the bubbles: a short chat has none, a long one has it."""
    model, view, _bubbles = chat(qtbot, [msg(1, content=LONG)])
    bar = view.verticalScrollBar()
    assert not bar.isVisible()
    without = view.rowHeight(0)
    model.append([msg(i, content=LONG) for i in range(2, 40)])
    qtbot.waitUntil(bar.isVisible)
    qtbot.waitUntil(lambda: view.rowHeight(0) >= without)
    option = view_option(view)
    assert heights(view) == [
        view.itemDelegate().sizeHint(option, model.index(row, 0)).height()
        for row in range(model.rowCount())
    ]


# -- a resize with many rows loaded: the rows in view at once, the rest a slice per turn ----


def varied(first: int, last: int) -> list[Message]:
    """Bubbles whose heights depend on the width (long ones) beside ones that do not."""
    return [msg(i, content=LONG if i % 3 else f"m{i}") for i in range(first, last)]


def in_view(view: ChatView) -> range:
    bottom = view.rowAt(view.viewport().height() - 1)
    return range(view.rowAt(0), (view.model().rowCount() - 1 if bottom < 0 else bottom) + 1)


def measured_right(view: ChatView, rows: range) -> bool:
    """The rows have the heights the delegate gives them for the view's width and font now.

    (Asked of the delegate uncounted: the counts are the view's.)
    """
    option = view_option(view)
    model = view.model()
    delegate = view.itemDelegate()
    assert isinstance(delegate, BubbleDelegate)
    return all(
        view.rowHeight(row)
        == BubbleDelegate.sizeHint(delegate, option, model.index(row, 0)).height()
        for row in rows
    )


def reading_mid_chat(qtbot: QtBot) -> tuple[ChatModel, ChatView, CountingBubbles]:
    """600 rows, the reader halfway up, a few pixels into the message at the top."""
    model, view, bubbles = chat(qtbot, varied(1000, 1600))
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2 + 7)
    assert not view.follower.at_bottom
    bubbles.asked.clear()
    bubbles.laid_out.clear()
    return model, view, bubbles


def test_a_resize_measures_the_rows_in_view_at_once_and_the_rest_later(qtbot: QtBot) -> None:
    """Measuring 6 000 loaded rows again froze the window for up to a second."""
    model, view, bubbles = reading_mid_chat(qtbot)
    view.resize(300, 400)  # its resize event is handled before this returns
    shown = in_view(view)
    assert measured_right(view, shown)
    asked = set(bubbles.asked)
    assert {model.message(row).id for row in shown} <= asked
    assert len(asked) <= 2 * len(shown) < 60  # not the 600 rows loaded
    assert view.unmeasured() == 600 - len(asked)
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert measured_right(view, range(600))
    assert sorted(set(bubbles.asked)) == list(range(1000, 1600))  # each row once
    assert len(bubbles.asked) == 600


def test_the_message_read_stays_at_the_top_while_the_rest_is_measured(qtbot: QtBot) -> None:
    model, view, _bubbles = reading_mid_chat(qtbot)
    read = model.message(view.rowAt(0)).id
    view.resize(300, 400)
    assert model.message(view.rowAt(0)).id == read
    y = view.rowViewportPosition(view.rowAt(0))
    assert -view.rowHeight(view.rowAt(0)) < y <= 0
    qtbot.waitUntil(lambda: not view.unmeasured())  # taller bubbles above: kept in place
    assert model.message(view.rowAt(0)).id == read
    assert view.rowViewportPosition(view.rowAt(0)) == y
    view.resize(500, 400)
    assert model.message(view.rowAt(0)).id == read
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert model.message(view.rowAt(0)).id == read


def test_a_reader_at_the_bottom_stays_there_through_a_resize(qtbot: QtBot) -> None:
    model, view, _bubbles = chat(qtbot, varied(1000, 1600))
    bar = view.verticalScrollBar()
    view.resize(300, 400)
    assert bar.value() == bar.maximum()
    assert view.rowAt(view.viewport().height() - 1) == 599
    assert measured_right(view, in_view(view))
    assert view.unmeasured() > 500
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert bar.value() == bar.maximum()
    model.append([msg(1600, content=LONG)])
    qtbot.waitUntil(lambda: view.rowAt(view.viewport().height() - 1) == 600)


def test_rows_scrolled_into_view_during_the_measuring_are_measured_at_once(
    qtbot: QtBot,
) -> None:
    _model, view, _bubbles = reading_mid_chat(qtbot)
    view.resize(300, 400)
    bar = view.verticalScrollBar()
    for value in (bar.maximum() // 5, bar.maximum() - 3, 0):
        assert view.unmeasured()  # the slices have not reached these rows yet
        bar.setValue(value)
        assert measured_right(view, in_view(view))


def test_another_conversation_opened_during_the_measuring_is_measured_alone(
    qtbot: QtBot,
) -> None:
    model, view, bubbles = reading_mid_chat(qtbot)
    view.resize(300, 400)
    assert view.unmeasured()
    model.open("wxid_b")
    assert view.unmeasured() == 0
    bubbles.asked.clear()
    model.add_page("wxid_b", 0, varied(5000, 5100), False)
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert sorted(set(bubbles.asked)) == list(range(5000, 5100))
    assert measured_right(view, range(100))


def test_a_font_change_measures_the_rows_in_view_at_once(qtbot: QtBot) -> None:
    model, view, bubbles = reading_mid_chat(qtbot)
    read = model.message(view.rowAt(0)).id
    font = QFont(view.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    view.setFont(font)
    assert model.message(view.rowAt(0)).id == read
    assert measured_right(view, in_view(view))
    assert len(set(bubbles.asked)) <= 2 * len(in_view(view)) < 60
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert measured_right(view, range(600))
    assert model.message(view.rowAt(0)).id == read


def test_a_width_the_view_had_before_finds_its_bubbles_measured(qtbot: QtBot) -> None:
    """Maximised and restored: the restored width's layouts were kept."""
    _model, view, bubbles = reading_mid_chat(qtbot)
    view.resize(300, 400)
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert len(bubbles.laid_out) == 600
    bubbles.laid_out.clear()
    view.resize(500, 400)
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert bubbles.laid_out == []
    assert measured_right(view, range(600))


def test_a_reader_leaving_the_bottom_while_a_page_is_measured_stays_where_they_went(
    qtbot: QtBot,
) -> None:
    """The rows scrolled into view are measured at once: the follower must not pull back down."""
    model, view, _bubbles = chat(qtbot, varied(1500, 1600))
    model.add_page("wxid_a", 1500, varied(1000, 1500), False)  # loaded above the reader
    view.scrollToBottom()
    bar = view.verticalScrollBar()
    assert view.unmeasured()
    bar.setValue(bar.maximum() // 3)
    read = model.message(view.rowAt(0)).id
    assert not view.follower.at_bottom
    assert measured_right(view, in_view(view))
    qtbot.waitUntil(lambda: not view.unmeasured())
    assert model.message(view.rowAt(0)).id == read
    assert not view.follower.at_bottom


# -- live rows: measured as far as they can be seen ----------------------------------


def test_rows_that_arrive_beyond_the_view_stay_stale_while_the_reader_follows(
    qtbot: QtBot,
) -> None:
    """500 rows a second scroll past a following reader: only the last screenful is measured."""
    model, view, bubbles = chat(qtbot, [msg(i) for i in range(1, 101)])
    bar = view.verticalScrollBar()
    bubbles.asked.clear()
    model.append([msg(i, content=LONG if i % 2 else f"m{i}") for i in range(101, 201)])
    shown = in_view(view)
    assert bar.value() == bar.maximum()  # followed at once
    assert shown.stop == 200
    assert measured_right(view, shown)
    asked = set(bubbles.asked)
    assert {model.message(row).id for row in shown} <= asked
    assert len(asked) <= 2 * len(shown) + 2 < 50  # not the 100 rows that arrived
    assert view.unmeasured() == 100 - len(asked)
    model.append([msg(201)])  # the chat is busy: nothing else is measured meanwhile
    qtbot.wait(3 * ChatView.CHUNK)
    assert view.unmeasured() >= 100 - len(asked) - 3


def test_rows_that_went_by_unseen_are_measured_once_the_chat_is_quiet(qtbot: QtBot) -> None:
    model, view, _bubbles = chat(qtbot, [msg(i) for i in range(1, 101)])
    model.append([msg(i, content=LONG) for i in range(101, 201)])
    assert view.unmeasured()
    qtbot.waitUntil(lambda: not view.unmeasured(), timeout=ChatView.QUIET_MS + 3000)
    assert measured_right(view, range(200))
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum()


def test_a_reader_scrolling_up_among_rows_that_went_by_sees_them_measured_in_place(
    qtbot: QtBot,
) -> None:
    model, view, _bubbles = chat(qtbot, [msg(i) for i in range(1, 101)])
    model.append([msg(i, content=LONG if i % 3 else f"m{i}") for i in range(101, 301)])
    bar = view.verticalScrollBar()
    assert view.unmeasured()
    bar.setValue(bar.maximum() // 2)
    assert not view.follower.at_bottom
    assert measured_right(view, in_view(view))
    read = model.message(view.rowAt(0)).id
    y = view.rowViewportPosition(view.rowAt(0))
    qtbot.waitUntil(lambda: not view.unmeasured())  # at once, not when the chat is quiet
    assert model.message(view.rowAt(0)).id == read
    assert view.rowViewportPosition(view.rowAt(0)) == y
    assert measured_right(view, range(model.rowCount()))


def test_a_frame_of_new_rows_is_painted_once(qtbot: QtBot) -> None:
    """Qt's own timer for resized rows painted the whole view again after each frame."""
    model, view, _bubbles = chat(qtbot, [msg(i) for i in range(1, 101)])
    painted: list[QRect] = []

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                assert isinstance(event, QPaintEvent)
                painted.append(event.rect())
            return False

    paints = Paints()
    view.viewport().installEventFilter(paints)
    model.append([msg(101), msg(102)])
    view.executeDelayedItemsLayout()  # as the window does after a batch
    qtbot.waitUntil(lambda: bool(painted))
    qtbot.wait(100)  # Qt's timer fired within ~10 ms
    assert len(painted) == 1
    bottom = view.viewport().height()
    assert painted[0].bottom() == bottom - 1
    assert painted[0].top() <= view.rowViewportPosition(100)  # the new rows are in it


def test_a_frame_of_new_rows_works_the_geometry_out_once(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measured, the new rows set the scroll bar's range: the layout does not do it again."""
    model, view, _bubbles = chat(qtbot, [msg(i) for i in range(1, 101)])
    view.doItemsLayout()  # whatever the opening left to lay out
    worked_out: list[int] = []
    geometries = view.updateGeometries

    def counted() -> None:
        worked_out.append(view.model().rowCount())
        geometries()

    monkeypatch.setattr(view, "updateGeometries", counted)
    bar = view.verticalScrollBar()
    for first in (101, 103):
        model.append([msg(first), msg(first + 1)])
        view.executeDelayedItemsLayout()  # as the window does after a batch
        assert bar.value() == bar.maximum() > 0
        last = model.rowCount() - 1  # the newest bubble ends at the view's bottom
        assert view.rowViewportPosition(last) + view.rowHeight(last) == view.viewport().height()
    assert worked_out == [102, 104]
    view.resize(480, 400)  # the width, so every height, changed: Qt's way, as before
    model.append([msg(105)])
    view.executeDelayedItemsLayout()
    assert bar.value() == bar.maximum()


def test_followed_bubbles_under_a_resting_pointer_are_not_painted_again(qtbot: QtBot) -> None:
    """Qt repaints the bubbles under the pointer after a scroll (a hover): not the follower's."""
    model, view, _bubbles = chat(qtbot, [msg(i) for i in range(1, 101)])
    view.doItemsLayout()  # whatever the opening left to lay out
    QCursor.setPos(view.viewport().mapToGlobal(QPoint(100, 60)))
    qtbot.waitUntil(view.viewport().underMouse)
    painted: list[QRect] = []

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                assert isinstance(event, QPaintEvent)
                painted.extend(event.region())  # type: ignore[arg-type]  # (iterable, unlike its stub)
            return False

    paints = Paints()
    view.viewport().installEventFilter(paints)
    for first in (101, 103, 105):  # (the first frame after the opening paints it all)
        painted.clear()
        model.append([msg(first), msg(first + 1)])
        view.executeDelayedItemsLayout()  # as the window does after a batch
        qtbot.waitUntil(lambda: bool(painted))
    assert min(rect.top() for rect in painted) >= view.rowViewportPosition(104) > 60


def all_measured(view: ChatView) -> bool:
    return not view.unmeasured()


class CellByCell(ChatView):
    """The chat painted the way QTableView paints it: the delegate asked once per cell."""

    def paintEvent(self, event: QPaintEvent) -> None:
        QTableView.paintEvent(self, event)


def test_a_paint_shows_what_painting_cell_by_cell_shows(qtbot: QtBot) -> None:
    """The view hands a paint's bubbles to the delegate at once; the picture is the same."""
    messages = [
        msg(1, content=LONG),
        msg(2, out=True, status=CommandStatus.QUEUED, content="好的，下午三点"),
        msg(3, out=True, status=CommandStatus.FAILED),
        dataclasses.replace(msg(4, content="x" * 3000), flags=Flag.HUGE),
        msg(5, content="line one\nline two\ttabbed"),
        *(msg(i, content=f"m{i} 今天的会议改到下午") for i in range(6, 40)),
    ]
    pictures = []
    for kind in (ChatView, CellByCell):
        window = QWidget()
        qtbot.addWidget(window)
        window.resize(600, 500)
        view = kind(window)
        model = ChatModel(view)
        view.setModel(model)
        view.setItemDelegate(BubbleDelegate(view))
        view.resize(500, 400)
        window.show()
        qtbot.waitExposed(window)
        model.open("wxid_a")
        model.add_page("wxid_a", 0, messages, False)
        qtbot.waitUntil(partial(all_measured, view))
        bar = view.verticalScrollBar()
        bar.setValue(bar.maximum() // 3)
        qtbot.waitUntil(partial(all_measured, view))
        pictures.append(view.viewport().grab().toImage())
    blank = QImage(pictures[0])
    blank.fill(pictures[0].pixelColor(0, 0))
    assert pictures[0] != blank  # bubbles were painted
    assert pictures[0] == pictures[1]


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_a_bubble_outline_from_slices_is_the_rounded_rectangle(qtbot: QtBot, ratio: float) -> None:
    """Copied in three slices, pixel for pixel what drawing the rectangle gives."""
    shapes = _Shapes()
    for base, fill in (("#ffffff", "#f0f0f0"), ("#202020", "#3a3a3a"), ("#ffffff", "#95ec69")):
        for bubble in (QRect(8, 23, 15, 33), QRect(37, 23, 333, 51), QRect(8, 5, 40, 200)):
            drawn = QImage(QSize(400, 240) * ratio, QImage.Format.Format_ARGB32_Premultiplied)
            drawn.setDevicePixelRatio(ratio)
            drawn.fill(QColor(base))
            copied = QImage(drawn)
            painter = QPainter(drawn)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(_OUTLINE)
            painter.setBrush(QColor(fill))
            painter.drawRoundedRect(bubble, _Shapes.RADIUS, _Shapes.RADIUS)
            painter.end()
            painter = QPainter(copied)
            shapes.draw(painter, bubble, QColor(fill), QColor(base), ratio)
            painter.end()
            assert copied == drawn
