"""The feed painted from Python looks exactly as Qt's cell-by-cell painting of it."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QFontDatabase, QImage, QPaintEvent
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.test_models import msg
from tests.gui.test_views import CountingFeed
from wxpanel.core.codec import Flag
from wxpanel.core.models import CommandStatus, Message
from wxpanel.core.protocol import MessageType
from wxpanel.gui import feedpaint
from wxpanel.gui.feed_delegate import FeedDelegate
from wxpanel.gui.feedpaint import _Fonts
from wxpanel.gui.models import FeedModel
from wxpanel.gui.preferences import apply_theme
from wxpanel.gui.views import FeedView


class CellByCell(FeedView):
    """The feed painted the way QTableView paints it: its cells filled, the delegate per cell."""

    def paintEvent(self, event: QPaintEvent) -> None:
        self.fill_in_view()
        QTableView.paintEvent(self, event)


def feed_rows() -> list[Message]:
    return [
        msg(1, content="a short one"),
        msg(2, "room@chatroom", "今天的会议改到下午三点，请大家准时参加" * 3),
        dataclasses.replace(msg(3, content="bad\x00row"), flags=Flag.NULL),
        msg(4, out=True, status=CommandStatus.QUEUED, content="好的，收到"),
        msg(5, content="ئۇيغۇرچە \u2764\ufe0f shaped"),
        dataclasses.replace(msg(6), type=MessageType.IMAGE, content=None),
        msg(7, out=True, status=CommandStatus.FAILED, content="x" * 400),
        msg(8, "line\nbreak", "a\ttab"),
        dataclasses.replace(msg(9, content="\ufffd\ufffd"), flags=Flag.GBK),
        # Names seen once (drawn as they are), a name elided, a content that fits
        # only by its characters' advances, a content about as wide as its cell.
        msg(10, "wxid_bench00001", "今天的会议改到下午 ok"),
        msg(11, "wxid_bench00002_with_a_long_name", "今天的会议改到下午 ok ok ok ok ok okkk"),
        *(msg(i, "room@chatroom" if i % 3 else "wxid_b", f"m{i} hello") for i in range(12, 40)),
    ]


def picture(
    qtbot: QtBot, kind: type[FeedView], focus: bool, rows: int, scrolled: int
) -> tuple[QImage, FeedModel, FeedView]:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(760, 420)
    view = kind(window)
    feed = CountingFeed()
    view.setModel(feed)
    view.setItemDelegate(FeedDelegate(feed, view))
    view.resize(740, 400)
    for column, width in ((0, 70), (1, 120), (2, 100), (3, 90), (4, 110)):
        view.horizontalHeader().resizeSection(column, width)
    feed.append(feed_rows()[:rows])
    window.show()
    qtbot.waitExposed(window)
    flags = QItemSelectionModel.SelectionFlag
    selection = view.selectionModel()
    selection.select(feed.index(2, 0), flags.Select | flags.Rows)
    selection.select(feed.index(5, 0), flags.Select | flags.Rows)
    selection.setCurrentIndex(feed.index(5, FeedModel.TYPE), flags.NoUpdate)
    if focus:
        window.activateWindow()
        qtbot.waitActive(window)
        view.setFocus()
        qtbot.waitUntil(view.hasFocus)
    view.verticalScrollBar().setValue(scrolled)
    qtbot.mouseMove(view.viewport(), QPoint(300, view.rowViewportPosition(1) + 5))  # hovered
    view.viewport().repaint()
    return view.viewport().grab().toImage(), feed, view


@pytest.mark.parametrize("pictures", [True, False])
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(
    ("focus", "rows", "scrolled"), [(True, 40, 0), (False, 40, 13), (True, 9, 0)]
)
def test_the_feed_painted_at_once_looks_as_qt_paints_it(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    pictures: bool,
    theme: str,
    focus: bool,
    rows: int,
    scrolled: int,
) -> None:
    """Alternating rows, flagged rows, outgoing rows, a selection, the focused cell, a
    hovered row, icons, elided texts in both fonts (shaped and not), a line break and
    a tab (left to Qt), the grid, a row cut at the top, the empty space below the
    last row; light and dark; texts that repeat copied from pictures of their cells,
    or (where a picture could not be pixel-exact: a fractional device pixel ratio)
    laid out once."""
    assert QApplication.style().name().lower() == "fusion"
    if not pictures:
        monkeypatch.setattr(feedpaint, "_backgrounds", lambda *_args: None)
    try:
        apply_theme(theme)
        ours, feed, view = picture(qtbot, FeedView, focus, rows, scrolled)
        state = view._painter._state
        qts, _, _ = picture(qtbot, CellByCell, focus, rows, scrolled)
    finally:
        apply_theme("")
    assert isinstance(feed, CountingFeed) and feed.painted  # painted from Python, not by Qt
    assert not feed.is_filled(0)  # ... without filling the C++ model's cells
    assert state is not None
    # ... repeating texts pictured (on whole pixels only: not at a ratio of 1.5), or
    # laid out once.
    pictured = pictures and state.ratio.is_integer()
    assert bool(state._pictures) == pictured
    assert bool(state.fonts.laid) != pictured
    if ours != qts:
        name = f"{theme}-{focus}-{rows}-{scrolled}-{pictures}"
        ours.save(f"/tmp/feedpaint-ours-{name}.png")
        qts.save(f"/tmp/feedpaint-qt-{name}.png")
    assert ours == qts


@pytest.mark.skipif("QT_SCALE_FACTOR" in os.environ, reason="runs the test above scaled")
@pytest.mark.parametrize("scale", ["2", "1.5"])
def test_the_feed_painted_at_once_on_a_scaled_screen_looks_as_qt_paints_it(scale: str) -> None:
    """On a screen at twice the pixels the pictures land on whole pixels; at one and a
    half times they would not, and the texts are laid out once instead: both exact.
    (Qt's scale is set before its application starts: the test above, in a process
    of its own.)"""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            __file__,
            "-k",
            "test_the_feed_painted_at_once_looks_as_qt_paints_it",
        ],
        env={**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "12 passed" in run.stdout


def test_another_style_is_painted_by_qt(qtbot: QtBot) -> None:
    """Styles other than Fusion draw item views their own way: Qt paints them."""
    from PySide6.QtWidgets import QStyleFactory

    view = FeedView()
    qtbot.addWidget(view)
    feed = CountingFeed()
    view.setModel(feed)
    style = QStyleFactory.create("Windows")
    view.setStyle(style)
    feed.append(feed_rows()[:3])
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: feed.is_filled(2))
    assert feed.painted == set()
    view.setStyle(QApplication.style())
    del style
    _ = Qt


#: Characters of every kind that is laid out without shaping (see wxpanel.gui.shaping):
#: narrow and wide ASCII, Latin letters, punctuation, CJK, kana, Hangul, full width.
UNSHAPED = "iljWM@ .,-_0123456789abcxyzAVToéßŁƒ–—…‰今天的会议改到下午かなカナ한글ＡＢ１"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=UNSHAPED, max_size=160), room=st.integers(-5, 900))
def test_a_text_is_elided_where_qt_elides_it(qapp: QApplication, text: str, room: int) -> None:
    """A text judged to fit by its characters' advances is one Qt would not elide; also
    in a small fixed-width font, whose ideographs (from another font) are wider than
    any of its own characters."""
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    fixed.setPointSize(7)
    for fonts in (_Fonts(QApplication.font()), _Fonts(fixed)):
        for font in (fonts.unshaped, fonts.plain):
            assert font.fitted(text, room) == font.metrics.elidedText(
                text, Qt.TextElideMode.ElideRight, room
            )
