"""demo.exe's real rows in the panel: names shown, picked by name, code page 936 said first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractProxyModel, Qt
from PySide6.QtWidgets import QCompleter
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, real_event, wx_commands
from tests.gui.test_mainwindow import feed_cell, open_conversation, type_text
from tests.gui.test_rules_page import keyword, rules_page, stored_timed, timed_page, with_rules
from wxpanel.core.models import Message
from wxpanel.core.rules import Rule
from wxpanel.core.rules.model import Reply, RuleKind
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.models import FeedModel, MessageRole
from wxpanel.gui.rules_model import RulesModel, TimedModel
from wxpanel.gui.widgets import Composer

MakeWindow = Callable[..., MainWindow]
GROUP = "20481234567@chatroom"

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def named_window(qtbot: QtBot, make_window: MakeWindow, exchange_db: Path) -> MainWindow:
    """A window whose history knows 赵磊 (private) and a hiking group with one member."""
    window = make_window()
    insert_events(
        exchange_db,
        [
            real_event("wxid_zhaolei", "在吗", name="赵磊"),
            real_event(GROUP, "周六去吗", "wxid_8k2m4n6p9q1r3s", "周末爬山群"),
        ],
    )
    qtbot.waitUntil(lambda: window.feed.rowCount() == 2)
    qtbot.waitUntil(lambda: "wxid_zhaolei" in window.directory and GROUP in window.directory)
    return window


def test_names_from_demo_exe_and_short_members(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = named_window(qtbot, make_window, exchange_db)
    assert feed_cell(qtbot, window, 0, FeedModel.CONVERSATION) == "赵磊"
    assert feed_cell(qtbot, window, 0, FeedModel.SENDER) == "赵磊"  # '_' is the contact
    assert feed_cell(qtbot, window, 1, FeedModel.CONVERSATION) == "周末爬山群"
    assert feed_cell(qtbot, window, 1, FeedModel.SENDER) == "8k2m4n6p9…"  # no name: a short wxid
    window.search.clear()
    qtbot.waitUntil(lambda: window.conversations.row_of("wxid_zhaolei") >= 0)
    row = window.conversations.row_of("wxid_zhaolei")
    assert window.conversations.index(row, 0).data() == "赵磊"


def test_a_member_is_named_from_the_chat(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = named_window(qtbot, make_window, exchange_db)
    open_conversation(qtbot, window, GROUP)
    qtbot.waitUntil(lambda: window.chat.rowCount() == 1)
    message = window.chat.index(0, 0).data(MessageRole)
    assert isinstance(message, Message) and message.sender == "wxid_8k2m4n6p9q1r3s"
    monkeypatch.setattr(window, "ask_text", lambda *_args: ("老李", True))
    window.name_member("wxid_8k2m4n6p9q1r3s")
    assert feed_cell(qtbot, window, 1, FeedModel.SENDER) == "老李"
    assert window.bubbles.aliases["wxid_8k2m4n6p9q1r3s"] == "老李"
    qtbot.waitUntil(lambda: window.directory.get("wxid_8k2m4n6p9q1r3s").alias == "老李")


def test_composer_marks_and_asks_before_dropping_characters(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = named_window(qtbot, make_window, exchange_db)
    open_conversation(qtbot, window, "wxid_zhaolei")
    composer: Composer = window.composer
    type_text(qtbot, composer, "好的👍")
    block = composer.document().firstBlock()
    marked = [r for r in block.layout().formats() if r.format == composer.highlighter.mark]
    assert [(r.start, r.length) for r in marked] == [(2, 2)]  # the emoji, two UTF-16 units
    with qtbot.waitSignal(composer.unsendableSubmitted):
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    box = window.unsendable_box
    assert "👍" in box.text()
    assert composer.toPlainText() == "好的👍"  # nothing sent, nothing lost yet
    box.button(box.StandardButton.Cancel).click()
    assert composer.toPlainText() == "好的👍" and wx_commands(exchange_db) == []
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    window.send_without_button.click()
    qtbot.waitUntil(lambda: wx_commands(exchange_db) == [("wx_send", "wxid_zhaolei", "好的")])
    assert composer.toPlainText() == ""


def test_try_it_picks_by_name_and_shows_placeholders(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    window = named_window(qtbot, make_window, exchange_db)
    page = with_rules(qtbot, window, keyword("hi", "hi", "{nickname}，你好"))
    qtbot.waitUntil(lambda: "wxid_zhaolei" in page.directory)
    completer = page.try_conversation.completer()
    assert isinstance(completer, QCompleter)
    completer.setCompletionPrefix("赵")
    assert completer.currentCompletion() == "赵磊 (wxid_zhaolei)"
    page.try_conversation.setText("赵磊")
    page.try_text.setText("hi")
    result = page.try_it()
    assert result is not None and result.sending[0].reply.to == "wxid_zhaolei"
    assert dict(result.values)["nickname"] == "赵磊"
    shown = page.try_result.toPlainText()
    assert "赵磊，你好" in shown and "{nickname}" in shown
    page.try_conversation.setText("李四")
    assert page.try_it() is None
    assert "neither a known contact nor a wxid" in page.try_result.toPlainText()


def test_rules_demo_exe_cannot_fire_are_said_so(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    welcome = Rule("欢迎", kind=RuleKind.WELCOME_GROUP, reply=Reply(("欢迎 {nickname}",)))
    page = with_rules(qtbot, window, keyword("hi", "hi", "hello"), welcome)
    name = page.model.index(1, RulesModel.NAME)
    assert "never with demo.exe" in name.data()
    assert "joining a group" in name.data(Qt.ItemDataRole.ToolTipRole)
    page.try_conversation.setText("wxid_alice1")
    page.try_text.setText("hi")
    page.try_it()
    assert "Never with demo.exe" in page.try_result.toPlainText()
    assert rules_page(window) is page


def test_timed_targets_by_name_and_refused_phantoms(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = named_window(qtbot, make_window, exchange_db)
    page = timed_page(window)
    qtbot.waitUntil(lambda: page.store is not None and "wxid_zhaolei" in page.directory)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.name_edit, "morning")
    dialog.text_edit.setPlainText("早上好")
    dialog.targets_edit.setText("李四")  # a name nobody has: would go to nobody
    assert "neither a known contact nor a wxid" in dialog.issues_text()
    assert not dialog.save_button.isEnabled()
    dialog.targets_edit.setText("周末爬山")
    completer = dialog.targets_edit.completer()
    completer.setCompletionPrefix("周末爬山")
    assert completer.setCurrentRow(0) and completer.completionCount() == 1
    proxy = completer.completionModel()
    assert isinstance(proxy, QAbstractProxyModel)
    # What the completer puts in the field when the entry is chosen:
    dialog.targets_edit.setText(
        completer.pathFromIndex(proxy.mapToSource(completer.currentIndex()))
    )
    assert dialog.targets_edit.text() == f"周末爬山群 ({GROUP})"
    dialog.targets_edit.setText(dialog.targets_edit.text() + ", 赵磊")
    dialog.text_edit.setPlainText("早上好🌞")
    assert "🌞" in dialog.issues_text()  # a warning, not a refusal
    assert dialog.save_button.isEnabled(), dialog.issues_text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None)
    (saved,) = stored_timed(exchange_db, data_dir)
    assert saved.targets == (GROUP, "wxid_zhaolei")
    assert page.model.index(0, TimedModel.TARGETS).data() == "周末爬山群, 赵磊"
