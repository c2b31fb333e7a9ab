"""The real window on a copy of exchange.db: what demo.exe writes shows, what we type is sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QLocale, QMimeData, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, text_event, wx_commands
from tests.gui.conftest import fast_settings, panel_of
from tests.gui.test_models import msg
from wxpanel.core.engine import Engine, PollResult
from wxpanel.core.history import HistoryStore
from wxpanel.core.models import CommandStatus, CommandUpdate
from wxpanel.core.outbox import INTERRUPTED
from wxpanel.core.paths import DataPaths
from wxpanel.core.simulator import Shapes, Simulator
from wxpanel.gui import app, display, mainwindow, palette
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.models import FeedModel, PreviewRole, UnreadRole
from wxpanel.gui.widgets import Banner, resize_within_screen

MakeWindow = Callable[..., MainWindow]

#: The offscreen platform says so when a window is shown; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a keyboard (ASCII) or an input method (the rest: QTest knows only ASCII)."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def feed_cell(qtbot: QtBot, window: MainWindow, row: int, column: int) -> object:
    """A feed cell as the operator sees it: the Live feed open, the row in view and painted.

    (The feed paints a row from its Python lists: wxpanel.gui.feedpaint.)
    """
    view = window.feed_view
    page = view.parentWidget()
    assert page is not None
    window.tabs.setCurrentWidget(page)
    view.scrollTo(window.feed.index(row, 0))  # the view shows the feed itself: no filter
    qtbot.waitUntil(lambda: view.isVisible() and view.rowAt(view.rowViewportPosition(row)) == row)
    return window.feed.text(row, column)


def open_conversation(qtbot: QtBot, window: MainWindow, wxid: str) -> None:
    qtbot.waitUntil(lambda: window.conversations.row_of(wxid) >= 0)
    row = window.conversations.row_of(wxid)
    window.conversation_view.setCurrentIndex(window.conversations.index(row, 0))
    assert window.conversations.active == wxid


def test_events_show_in_feed_and_conversations(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    insert_events(
        exchange_db,
        [
            text_event("wxid_alice", "你好"),
            text_event("wxid_alice", "在吗？"),
            text_event("123@chatroom", "开会了", sender="wxid_bob"),
        ],
    )
    qtbot.waitUntil(lambda: window.feed.rowCount() == 3)
    assert feed_cell(qtbot, window, 2, FeedModel.CONTENT) == "开会了"
    assert window.feed_filter.rowCount() == 3
    conversations = window.conversations
    qtbot.waitUntil(lambda: conversations.rowCount() == 2)  # the list follows at its pace
    assert [conversations.conversation(r).id for r in range(2)] == ["123@chatroom", "wxid_alice"]
    assert conversations.index(1, 0).data(UnreadRole) == 2
    assert conversations.index(0, 0).data(UnreadRole) == 1
    assert "3" in window.windowTitle()


def test_reply_typed_and_entered_becomes_a_wx_command(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "你好")])
    open_conversation(qtbot, window, "wxid_alice")
    assert window.conversations.conversation(0).unread == 0  # opened: read
    qtbot.waitUntil(lambda: window.chat.rowCount() == 1)  # its history page arrived
    composer = window.composer
    type_text(qtbot, composer, "line one, 第一行")
    qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_text(qtbot, composer, "  二 ")
    assert wx_commands(exchange_db) == []
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.toPlainText() == ""
    text = "line one, 第一行\n  二 "
    qtbot.waitUntil(lambda: wx_commands(exchange_db) == [("wx_send", "wxid_alice", text)])
    qtbot.waitUntil(lambda: window.chat.rowCount() == 2)
    outgoing = window.chat.message(1)
    assert outgoing.content == text
    qtbot.waitUntil(lambda: window.chat.status_of(outgoing.id) is CommandStatus.WRITTEN)
    # A bridge takes it: the bubble says so, and an echo (a richer bridge than
    # demo.exe reports what it sent) is not a second bubble.
    Simulator(exchange_db, take_delay=0, shapes=Shapes.RICH).take_commands()
    qtbot.waitUntil(lambda: window.chat.status_of(outgoing.id) is CommandStatus.TAKEN)
    qtbot.waitUntil(lambda: window.feed.rowCount() == 3)  # event, reply, echo
    assert window.chat.rowCount() == 2


def test_picture_is_sent_as_its_absolute_path(
    qtbot: QtBot,
    make_window: MakeWindow,
    exchange_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "send me the photo")])
    open_conversation(qtbot, window, "wxid_alice")
    monkeypatch.chdir(tmp_path)
    previewed: list[str] = []
    monkeypatch.setattr(window, "pick_picture_file", lambda: "photo.png")

    def confirm(path: str) -> bool:
        previewed.append(path)
        return True

    monkeypatch.setattr(window, "confirm_picture", confirm)
    window.picture_button.click()
    qtbot.waitUntil(
        lambda: wx_commands(exchange_db) == [("wx_picture", "wxid_alice", str(picture.resolve()))]
    )
    assert previewed == ["photo.png"]


def test_pasted_picture_is_saved_in_media_and_sent(
    qtbot: QtBot,
    make_window: MakeWindow,
    exchange_db: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "paste it here")])
    open_conversation(qtbot, window, "wxid_alice")
    monkeypatch.setattr(window, "confirm_picture", lambda path: True)
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    clipboard = QMimeData()
    clipboard.setImageData(image)
    window.composer.insertFromMimeData(clipboard)
    assert window.composer.toPlainText() == ""
    media = DataPaths.beside(exchange_db, data_dir).media
    qtbot.waitUntil(lambda: len(wx_commands(exchange_db)) == 1)
    ((kind, to, path),) = wx_commands(exchange_db)
    assert (kind, to) == ("wx_picture", "wxid_alice")
    assert Path(path).is_absolute() and Path(path).parent == media
    assert QImage(path).size() == image.size()


def test_dropped_picture_file_is_sent_and_declined_one_is_not(
    qtbot: QtBot,
    make_window: MakeWindow,
    exchange_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    yes, no = tmp_path / "yes.png", tmp_path / "no.png"
    for picture in (yes, no):
        picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "drop it")])
    open_conversation(qtbot, window, "wxid_alice")
    monkeypatch.setattr(window, "confirm_picture", lambda path: path.endswith("yes.png"))
    drop = QMimeData()
    drop.setUrls([QUrl.fromLocalFile(str(yes)), QUrl.fromLocalFile(str(no))])
    assert window.composer.canInsertFromMimeData(drop)
    window.composer.insertFromMimeData(drop)
    qtbot.waitUntil(lambda: wx_commands(exchange_db) == [("wx_picture", "wxid_alice", str(yes))])


def test_stalled_demo_exe_shows_stuck(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window(fast_settings(stuck_after=0.3))
    insert_events(exchange_db, [text_event("wxid_alice", "hello?")])
    open_conversation(qtbot, window, "wxid_alice")
    window.send_text("anyone there")
    qtbot.waitUntil(lambda: window.chat.rowCount() == 2)
    message_id = window.chat.message(1).id
    qtbot.waitUntil(lambda: window.chat.status_of(message_id) is CommandStatus.STUCK, timeout=5000)
    # One problem, one banner (issue 14: the window's and the health strip both said it).
    qtbot.waitUntil(lambda: len(banners_about(window, "demo.exe")) == 1, timeout=5000)
    panel_of(window).dashboard.evaluate()
    panel_of(window).dashboard.evaluate()
    assert len(banners_about(window, "demo.exe")) == 1


def test_a_failed_send_is_shown_on_its_message(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window(fast_settings(stuck_after=0.3))
    insert_events(exchange_db, [text_event("wxid_alice", "hello?")])
    open_conversation(qtbot, window, "wxid_alice")
    window.send_text("anyone there")
    qtbot.waitUntil(lambda: window.chat.rowCount() == 2)
    sent = window.chat.message(1)
    qtbot.waitUntil(lambda: window.chat.status_of(sent.id) is CommandStatus.STUCK, timeout=5000)
    tip = window.chat.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "demo.exe" in tip
    assert display.status_line(window.chat.message(1)).startswith("⚠")
    # After a crash the outbox marks a command it cannot vouch for as failed.
    failed = CommandUpdate(sent.id, "wxid_alice", CommandStatus.FAILED, time.time(), INTERRUPTED)
    window.poller.polled.emit(PollResult(updates=(failed,)))
    qtbot.waitUntil(lambda: window.chat.status_of(sent.id) is CommandStatus.FAILED)
    tip = window.chat.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert INTERRUPTED in tip and "Not sent" in tip


def banners_about(window: MainWindow, word: str) -> list[Banner]:
    """The banners shown anywhere in the window whose text mentions ``word``."""
    return [b for b in window.findChildren(Banner) if b.isVisible() and word in b.label.text()]


def test_feed_filters_by_kind_and_text(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    insert_events(
        exchange_db,
        [
            text_event("wxid_alice", "苹果"),
            text_event("123@chatroom", "香蕉", sender="wxid_bob"),
            text_event("wxid_carol", "apple pie"),
        ],
    )
    qtbot.waitUntil(lambda: window.feed.rowCount() == 3)
    window.kind_box.setCurrentIndex(window.kind_box.findData("group"))
    assert window.feed_filter.rowCount() == 1
    window.kind_box.setCurrentIndex(0)
    window.feed_search.setText("APPLE")
    assert window.feed_filter.rowCount() == 1
    window.feed_search.setText("wxid_alice")
    assert window.feed_filter.rowCount() == 1


def test_rename_and_search_conversations(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    insert_events(
        exchange_db, [text_event("wxid_alice", "明天见"), text_event("wxid_bob", "see you")]
    )
    qtbot.waitUntil(lambda: window.conversations.rowCount() == 2)
    row = window.conversations.row_of("wxid_alice")
    window.conversations.setData(window.conversations.index(row, 0), "爱丽丝")
    conversations = window.conversations

    def listed() -> list[str]:
        return [conversations.conversation(r).id for r in range(conversations.rowCount())]

    window.search.setText("爱丽")  # the alias just given
    qtbot.waitUntil(lambda: listed() == ["wxid_alice"])
    window.search.setText("see")  # full-text search in the messages
    qtbot.waitUntil(lambda: listed() == ["wxid_bob"])
    window.search.setText("")
    qtbot.waitUntil(lambda: len(listed()) == 2)
    window.close()
    with HistoryStore(DataPaths.beside(exchange_db, data_dir).history) as store:
        assert store.aliases() == {"wxid_alice": "爱丽丝"}


def test_the_empty_panel_says_it_waits_for_demo_exe(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    hint = window.waiting_hint
    assert hint.isVisible()
    assert "demo.exe" in hint.text() and "2.6.8.51" in hint.text()
    assert str(exchange_db.parent) in hint.text()
    insert_events(exchange_db, [text_event("wxid_alice", "你好")])
    qtbot.waitUntil(lambda: not hint.isVisible())
    assert window.chat_view.isVisible()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_page_fits_1024_by_640_without_cut_texts(
    qtbot: QtBot, qapp: QApplication, make_window: MakeWindow, language: str
) -> None:
    translators = app.install_translators(qapp, QLocale(language))
    try:
        window = make_window()
        window.resize(1024, 640)
        qtbot.waitUntil(lambda: window.width() <= 1024 and window.height() <= 640)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            page = window.tabs.widget(index)
            assert page is not None
            QApplication.processEvents()
            for widget in page.findChildren(QAbstractButton):
                if widget.isVisibleTo(page) and widget.text():
                    shown = (window.tabs.tabText(index), widget.text())
                    assert widget.width() >= widget.minimumSizeHint().width(), shown
            for scroll in page.findChildren(QScrollArea):  # no figure hidden to the right
                bar = scroll.horizontalScrollBar()
                if scroll.isVisibleTo(page):
                    assert bar.maximum() == 0, (window.tabs.tabText(index), bar.maximum())
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_slash_opens_a_searchable_list_of_quick_replies(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "多少钱？")])
    open_conversation(qtbot, window, "wxid_alice")
    picker, composer = window.quick_picker, window.composer
    assert composer.quick_replies  # a few useful defaults from the start
    assert all(text.encode("gbk") for text in composer.quick_replies.values())  # no emoji
    qtbot.keyClicks(composer, "/")
    assert picker.isVisible() and picker.list.count() == len(composer.quick_replies)
    qtbot.keyClicks(composer, "wa")
    assert [picker.list.item(r).text().split()[0] for r in range(picker.list.count())] == ["/wait"]
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.toPlainText() == composer.quick_replies["wait"]
    assert not picker.isVisible()
    composer.clear()
    composer.insertPlainText("价格 /稍后")  # searched in the texts too
    assert picker.list.count() == 1
    qtbot.keyClick(composer, Qt.Key.Key_Escape)
    assert not picker.isVisible() and composer.toPlainText() == "价格 /稍后"
    composer.clear()
    qtbot.keyClicks(composer, "/zzz")
    assert picker.isVisible() and picker.empty.isVisible()
    opened: list[bool] = []
    window.open_settings = lambda: opened.append(True)  # type: ignore[method-assign]
    picker.editRequested.disconnect()
    picker.editRequested.connect(window.open_settings)
    picker.edit_link.linkActivated.emit("edit")
    assert opened == [True]


def test_dialogs_open_no_larger_than_a_small_screen(qtbot: QtBot) -> None:
    from PySide6.QtCore import QRect

    class SmallScreen:
        def availableGeometry(self) -> QRect:
            return QRect(0, 0, 1024, 640)

    class Dialog(QWidget):
        def screen(self) -> SmallScreen:  # type: ignore[override]
            return SmallScreen()

    dialog = Dialog()
    qtbot.addWidget(dialog)
    resize_within_screen(dialog, 760, 720)  # the rule dialog's wish
    assert dialog.width() == 760 and dialog.height() <= 640


def test_ctrl_q_quits(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    window.activateWindow()
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible() and not window.poller.running)


def test_quitting_with_queued_replies_says_how_many_will_wait(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "在吗")])
    open_conversation(qtbot, window, "wxid_alice")
    for n in range(3):  # nobody takes the first: the other two wait in the outbox
        window.send_text(f"回复 {n}")
    qtbot.waitUntil(lambda: window.queued_replies() == 2, timeout=5000)
    asked: list[int] = []
    answers = [False, True]

    def ask_quit(count: int) -> bool:
        asked.append(count)
        return answers.pop(0)

    window.ask_quit = ask_quit  # type: ignore[method-assign]
    window.quit_action.trigger()
    assert asked == [2] and window.isVisible() and window.poller.running
    window.quit_action.trigger()
    qtbot.waitUntil(lambda: not window.poller.running)
    assert asked == [2, 2]


def test_the_list_holds_still_under_the_pointer_and_opens_the_row_clicked(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()

    def on_top(wxid: str) -> bool:
        return window.conversations.row_of(wxid) == 0

    for wxid in ("wxid_alice", "wxid_bob", "wxid_carol"):
        insert_events(exchange_db, [text_event(wxid, f"hi from {wxid}")])
        qtbot.waitUntil(partial(on_top, wxid))
    view, model = window.conversation_view, window.conversations

    def listed() -> list[str]:
        return [model.conversation(r).id for r in range(model.rowCount())]

    assert listed() == ["wxid_carol", "wxid_bob", "wxid_alice"]
    window.list_hold.timer.setInterval(100)
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.Enter))  # the pointer arrives
    insert_events(exchange_db, [text_event("wxid_alice", "new!"), text_event("wxid_dave", "yo")])
    qtbot.waitUntil(lambda: model.rowCount() == 4)
    qtbot.waitUntil(lambda: "new!" in model.index(2, 0).data(PreviewRole))
    assert listed() == ["wxid_carol", "wxid_bob", "wxid_alice", "wxid_dave"]  # nothing moved
    target = view.visualRect(model.index(1, 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=target)
    assert model.active == "wxid_bob"  # the row that was under the pointer
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.Leave))
    qtbot.waitUntil(lambda: listed()[0] == "wxid_dave", timeout=3000)
    assert listed() == ["wxid_dave", "wxid_alice", "wxid_carol", "wxid_bob"]
    assert view.currentIndex().row() == 3 and model.active == "wxid_bob"


def test_title_unread_count_does_not_follow_the_search(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    """A search shows fewer rows, not fewer unread messages (issue 14: 1514 → 1)."""
    window = make_window()
    rows = [text_event("wxid_alice", f"第 {n} 条") for n in range(5)]
    insert_events(exchange_db, [*rows, text_event("wxid_bob", "see you")])
    qtbot.waitUntil(lambda: window.conversations.total_unread == 6)
    assert "6" in window.windowTitle()
    window.search.setText("see")
    qtbot.waitUntil(lambda: window.conversations.rowCount() == 1)
    assert "6" in window.windowTitle()
    insert_events(exchange_db, [text_event("wxid_carol", "hidden by the search")])
    qtbot.waitUntil(lambda: "7" in window.windowTitle())
    window.search.setText("")
    qtbot.waitUntil(lambda: window.conversations.rowCount() == 3)
    assert "7" in window.windowTitle()


def test_xml_payloads_are_summarised_with_the_raw_text_one_click_away(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    xml = '<?xml version="1.0"?>\n<msg><img aeskey="9f8e7d" cdnthumburl="30570201" /></msg>'
    insert_events(exchange_db, [text_event("wxid_alice", xml)])
    open_conversation(qtbot, window, "wxid_alice")
    qtbot.waitUntil(lambda: window.chat.rowCount() == 1)
    row = window.conversations.row_of("wxid_alice")
    shown = (
        window.chat.index(0, 0).data(),
        window.conversations.index(row, 0).data(PreviewRole),
        feed_cell(qtbot, window, 0, FeedModel.CONTENT),
    )
    assert shown == ("[Picture]", "[Picture]", "[Picture]")
    dialog = window.show_raw(window.chat.message(0))
    qtbot.addWidget(dialog)
    assert dialog.view.toPlainText() == xml


def test_long_lock_shows_a_banner_that_goes_away(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mainwindow, "LOCK_BANNER_AFTER", 0.0)
    window = make_window()
    simulator = Simulator(exchange_db)
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(
        target=simulator.hold_lock, args=(30.0,), kwargs={"held": held, "stop": release}
    )
    holder.start()
    try:
        assert held.wait(10)
        qtbot.waitUntil(lambda: "locked" in window.banner.text, timeout=5000)
    finally:
        release.set()
        holder.join()
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5000)


def test_refused_picture_shows_a_banner(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, tmp_path: Path
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "hi")])
    open_conversation(qtbot, window, "wxid_alice")
    (tmp_path / "notes.txt").write_text("not a picture")
    window.poller.send_picture("wxid_alice", str(tmp_path / "notes.txt"))
    qtbot.waitUntil(lambda: "notes.txt" in window.banner.text)
    assert wx_commands(exchange_db) == []


def test_close_stops_the_worker_and_releases_the_file(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", f"m{i}") for i in range(500)])
    qtbot.waitUntil(lambda: window.feed.rowCount() > 0)
    window.close()
    assert not window.poller.running
    # Nothing is lost: whatever was not ingested is still in wx_event for next time.
    with Engine(exchange_db, data_dir=data_dir) as engine:
        while engine.poll().messages:
            pass
    with HistoryStore(DataPaths.beside(exchange_db, data_dir).history) as store:
        assert len(store.messages("wxid_alice", limit=1000)) == 500


def test_scrolling_to_the_top_loads_older_history(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", f"message {i}") for i in range(450)])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 450)
    open_conversation(qtbot, window, "wxid_alice")
    qtbot.waitUntil(lambda: window.chat.rowCount() == 200)
    assert window.chat.message(199).content == "message 449"
    bar = window.chat_view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())

    def loaded(rows: int) -> bool:
        return window.chat.rowCount() == rows

    for expected in (400, 450):
        bar.setValue(bar.minimum())
        qtbot.waitUntil(partial(loaded, expected))
        qtbot.waitUntil(lambda: bar.value() > bar.minimum())  # the reader's place is kept
    assert window.chat.message(0).content == "message 0"
    assert not window.chat.can_load_older()


def test_feed_follows_new_rows_unless_scrolled_up(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = make_window()
    window.tabs.setCurrentIndex(1)
    bar = window.feed_view.verticalScrollBar()
    insert_events(exchange_db, [text_event("wxid_alice", f"a{i}") for i in range(200)])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 200)
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.setValue(bar.minimum() + 10)  # the reader scrolls up
    insert_events(exchange_db, [text_event("wxid_alice", f"b{i}") for i in range(200)])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 400)
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    assert bar.value() == bar.minimum() + 10
    bar.setValue(bar.maximum())  # back at the bottom: follows again
    insert_events(exchange_db, [text_event("wxid_alice", f"c{i}") for i in range(200)])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 600)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())


def test_a_batch_is_laid_out_and_followed_before_the_window_paints(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    """One paint of the window per frame: the rows, the scroll that follows them and
    the bar are ready when the batch is applied, not at Qt's next turn (a second paint)."""
    window = make_window()
    window.tabs.setCurrentIndex(1)
    view, bar = window.feed_view, window.feed_view.verticalScrollBar()
    insert_events(exchange_db, [text_event("wxid_alice", f"a{i}") for i in range(100)])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 100)
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    newest = window.feed.message(99).id
    window._apply_messages(tuple(msg(newest + i, "wxid_alice", f"b{i}") for i in range(1, 6)))
    assert view.rowAt(view.viewport().height() - 1) == 104  # no event processed since
    assert bar.value() == bar.maximum()


def test_mute_is_kept_in_history(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "spam"), text_event("wxid_bob", "hi")])
    qtbot.waitUntil(lambda: window.conversations.rowCount() == 2)
    window.set_muted("wxid_alice", True)
    assert window.conversations.find("wxid_alice").muted  # type: ignore[union-attr]
    window.close()
    with HistoryStore(DataPaths.beside(exchange_db, data_dir).history) as store:
        muted = {c.id: c.muted for c in store.conversations()}
    assert muted == {"wxid_alice": True, "wxid_bob": False}


def test_starts_while_demo_exe_holds_the_file(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mainwindow, "LOCK_BANNER_AFTER", 0.0)
    simulator = Simulator(exchange_db)
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(
        target=simulator.hold_lock, args=(30.0,), kwargs={"held": held, "stop": release}
    )
    holder.start()
    try:
        assert held.wait(10)
        window = make_window()  # does not fail: the poller waits for the lock
        qtbot.waitUntil(lambda: "locked" in window.banner.text, timeout=5000)
    finally:
        release.set()
        holder.join()
    insert_events(exchange_db, [text_event("wxid_alice", "finally")])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5000)


def test_theme_setting_overrides_the_system(qtbot: QtBot, make_window: MakeWindow) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    window = make_window()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    system = app.palette().color(QPalette.ColorRole.Window)
    window.apply_preferences(window.preferences.with_changes(theme="dark"))
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
    window.apply_preferences(window.preferences.with_changes(theme="light"))
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 180
    window.apply_preferences(window.preferences.with_changes(theme=""))  # follow the system
    assert app.palette().color(QPalette.ColorRole.Window) == system


def test_the_dark_theme_reaches_the_charts_and_the_banners(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    from PySide6.QtCharts import QChart

    window = make_window()
    chart = panel_of(window).dashboard.stats_page.chart
    banners = window.findChildren(Banner)
    assert len(banners) >= 3
    try:
        window.apply_preferences(window.preferences.with_changes(theme="dark"))
        QApplication.processEvents()
        assert chart.theme() is QChart.ChartTheme.ChartThemeDark
        for banner in banners:
            assert palette.DARK.banners[banner.kind][0] in banner.styleSheet(), banner.kind
        window.apply_preferences(window.preferences.with_changes(theme="light"))
        QApplication.processEvents()
        assert chart.theme() is QChart.ChartTheme.ChartThemeLight
        for banner in banners:
            assert palette.LIGHT.banners[banner.kind][0] in banner.styleSheet(), banner.kind
    finally:
        window.apply_preferences(window.preferences.with_changes(theme=""))


def test_poller_errors_are_shown_in_the_users_words(make_window: MakeWindow) -> None:
    from wxpanel.core.models import Health

    window = make_window()
    gone = Health(exchange="/bot/exchange.db", error="/bot/exchange.db: gone", error_kind="gone")
    assert "/bot/exchange.db" in window._error_text(gone)
    assert "waits for it to come back" in window._error_text(gone)
    other = Health(exchange="/bot/exchange.db", error="/bot/exchange.db: disk I/O error")
    assert window._error_text(other).startswith("/bot/exchange.db: disk I/O error")


def test_a_feed_row_double_clicked_or_entered_opens_its_conversation(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    """The operator sees a message go by in the Live feed and answers it from there."""
    window = make_window()
    insert_events(
        exchange_db,
        [text_event("wxid_alice", "你好"), text_event("123@chatroom", "开会了", sender="wxid_bob")],
    )
    qtbot.waitUntil(lambda: window.conversations.rowCount() == 2)
    feed_cell(qtbot, window, 0, FeedModel.CONTENT)
    view = window.feed_view
    at = view.visualRect(window.feed.index(0, FeedModel.CONTENT)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)  # (as the OS sends
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)  # a double click)
    assert window.conversations.active == "wxid_alice"
    assert window.tabs.currentIndex() == 0
    current = window.conversation_view.currentIndex()
    assert window.conversations.conversation(current.row()).id == "wxid_alice"
    qtbot.waitUntil(lambda: window.chat.rowCount() == 1)  # its history page arrived
    # Return on a row of the filtered feed: the filter's row, the feed's message.
    window.feed_search.setText("开会")
    feed_page = view.parentWidget()
    assert feed_page is not None
    window.tabs.setCurrentWidget(feed_page)
    view.setCurrentIndex(window.feed_filter.index(0, FeedModel.CONTENT))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.conversations.active == "123@chatroom"
    assert window.tabs.currentIndex() == 0
    # Again on the conversation already open: back to its chat all the same.
    window.tabs.setCurrentWidget(feed_page)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.tabs.currentIndex() == 0
    assert window.conversations.active == "123@chatroom"
