"""SteadyScrollBar: a range or value change repaints the bar only if its picture changes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from wxpanel.gui.scrollbars import FOLLOWED_LENGTH_MS, FOLLOWED_LENGTH_PIXELS, SteadyScrollBar
from wxpanel.gui.views import ChatView, ConversationView, FeedView


class Paints(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture
def bar(qtbot: QtBot) -> tuple[SteadyScrollBar, Paints]:
    """A shown 300-pixel bar over 100 000 pixels of content, painted once, at its bottom."""
    bar = SteadyScrollBar(Qt.Orientation.Vertical)
    qtbot.addWidget(bar)
    bar.resize(16, 300)
    bar.setRange(0, 100_000)
    bar.setPageStep(300)
    bar.setValue(100_000)
    paints = Paints()
    bar.installEventFilter(paints)
    bar.show()
    qtbot.waitExposed(bar)
    qtbot.waitUntil(lambda: paints.count > 0)
    settle()
    paints.count = 0
    return bar, paints


def settle() -> None:
    """Deliver every pending update (an update() becomes a paint here, or never)."""
    for _ in range(3):
        QApplication.processEvents()


def test_following_rows_that_move_no_pixel_paints_nothing(
    bar: tuple[SteadyScrollBar, Paints],
) -> None:
    scroll, paints = bar
    for _ in range(5):  # a row arrives, the view follows it: the handle stays put
        scroll.setRange(0, scroll.maximum() + 20)
        scroll.setValue(scroll.maximum())
        settle()
    assert paints.count == 0


def test_a_batch_of_rows_followed_paints_nothing_though_the_range_alone_would_move_it(
    bar: tuple[SteadyScrollBar, Paints],
) -> None:
    """A range change moves the handle up until the view follows: one change, not two."""
    scroll, paints = bar
    for _ in range(3):  # a frame's rows: the handle would stand 1 % of the track higher
        scroll.setRange(0, scroll.maximum() + 1_000)
        assert scroll.value() < scroll.maximum()
        scroll.setValue(scroll.maximum())
        settle()
    assert paints.count == 0


def test_a_change_that_moves_the_handle_paints(
    qtbot: QtBot, bar: tuple[SteadyScrollBar, Paints]
) -> None:
    scroll, paints = bar
    scroll.setValue(0)
    qtbot.waitUntil(lambda: paints.count > 0)


def test_leaving_the_end_paints_even_if_the_handle_stays(
    qtbot: QtBot, bar: tuple[SteadyScrollBar, Paints]
) -> None:
    """The arrow at the end is drawn enabled again: a picture of its own."""
    scroll, paints = bar
    scroll.setValue(scroll.maximum() - 1)
    qtbot.waitUntil(lambda: paints.count > 0)


def test_a_skipped_change_is_never_missing_from_the_screen(
    qtbot: QtBot, bar: tuple[SteadyScrollBar, Paints]
) -> None:
    """There and back before a paint: the bar shows where it is, not where it went."""
    scroll, paints = bar
    scroll.setValue(0)
    scroll.setValue(scroll.maximum())
    settle()
    scroll.setValue(0)
    qtbot.waitUntil(lambda: paints.count > 0)
    assert scroll.value() == 0


class Keeper:
    """Keeps the bar at its bottom, as a view's follower does, counting what it is told."""

    def __init__(self, bar: SteadyScrollBar, *, following: bool = True) -> None:
        self.moves: list[int] = []
        self.following = following
        bar.keeper = self

    def moved(self, value: int) -> None:
        self.moves.append(value)

    def target(self, maximum: int) -> int | None:
        return maximum if self.following else None


def test_a_keeper_gets_its_value_inside_the_range_change(
    bar: tuple[SteadyScrollBar, Paints],
) -> None:
    """The view's layout sets the range: the value goes with it in the same call, unpainted."""
    scroll, paints = bar
    keeper = Keeper(scroll)
    values: list[int] = []
    scroll.valueChanged.connect(values.append)
    for _ in range(3):  # a frame's rows: the handle would stand 1 % of the track higher
        scroll.setRange(0, scroll.maximum() + 1_000)
        assert scroll.value() == scroll.maximum()
        assert not scroll._recheck.isActive()
        settle()
    assert paints.count == 0
    assert values == [101_000, 102_000, 103_000]
    assert keeper.moves == []  # its own moves are not news to it


def test_a_keeper_is_told_of_the_other_moves(bar: tuple[SteadyScrollBar, Paints]) -> None:
    keeper = Keeper(bar[0])
    bar[0].setValue(500)
    assert keeper.moves == [500]


def test_a_range_change_a_keeper_leaves_is_painted_without_waiting_for_the_timer(
    bar: tuple[SteadyScrollBar, Paints],
) -> None:
    """The reader scrolled up: the handle moves up, decided in the range change itself."""
    scroll, paints = bar
    Keeper(scroll, following=False)
    scroll.setValue(50_000)
    settle()
    paints.count = 0
    scroll.setRange(0, scroll.maximum() * 2)
    assert not scroll._recheck.isActive()
    assert scroll.value() == 50_000
    settle()
    assert paints.count > 0


def test_a_followed_handle_that_only_gets_shorter_is_painted_soon_not_each_frame(
    qtbot: QtBot, bar: tuple[SteadyScrollBar, Paints]
) -> None:
    """Rows arriving in a short view shorten the handle at its top: a few pixels at a time."""
    scroll, paints = bar
    scroll.setRange(0, 600)  # a short feed: a long handle, at the bottom
    qtbot.waitUntil(lambda: paints.count > 0)
    settle()
    paints.count = 0
    Keeper(scroll)
    handles = [scroll._look()[0]]
    for _ in range(3):  # a frame's rows each time
        scroll.setRange(0, scroll.maximum() + 10)
        assert scroll.value() == scroll.maximum()
        handles.append(scroll._look()[0])
        settle()
    assert len({handle.top() for handle in handles}) == 4  # shorter every frame
    assert handles[-1].top() - handles[0].top() <= FOLLOWED_LENGTH_PIXELS
    assert len({handle.bottom() for handle in handles}) == 1  # at the end of the track
    assert paints.count == 0
    qtbot.waitUntil(lambda: paints.count == 1, timeout=FOLLOWED_LENGTH_MS * 4)
    assert scroll._painted == scroll._look()  # the handle as it is now


def test_a_followed_handle_that_changes_much_is_painted_with_its_frame(
    bar: tuple[SteadyScrollBar, Paints],
) -> None:
    """A handle that changes more than a few pixels (another chat opened) is not put off."""
    scroll, paints = bar
    Keeper(scroll)
    scroll.setRange(0, 600)  # far fewer rows: the handle grows to a third of the track
    assert scroll.value() == 600
    settle()
    assert paints.count == 1


@pytest.mark.parametrize("view_type", [FeedView, ChatView, ConversationView])
def test_the_views_that_follow_rows_have_a_steady_bar(view_type: type, qtbot: QtBot) -> None:
    view = view_type()
    qtbot.addWidget(view)
    assert isinstance(view.verticalScrollBar(), SteadyScrollBar)
