"""Panel preferences: stored in settings.json, quick replies, the sending key, the dialog."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, text_event, wx_commands
from tests.gui.test_mainwindow import open_conversation
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings
from wxpanel.gui import preferences
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.preferences import Preferences, expand_quick_reply
from wxpanel.gui.settingsdialog import SettingsDialog
from wxpanel.gui.widgets import Composer

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def test_round_trip_keeps_the_core_settings(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    Settings(poll_interval=0.5).save(path)
    wanted = Preferences(enter_sends=False, language="zh_CN", quick_replies={"hi": "您好！"})
    preferences.save(path, wanted)
    assert preferences.load(path) == wanted
    assert Settings.load(path).poll_interval == 0.5


def test_bad_values_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    bad = {
        "enter_sends": "yes",
        "language": "klingon",
        "quick_replies": {"no spaces": "x", "ok": 3},
    }
    path.write_text(json.dumps({"panel": bad}), encoding="utf-8")
    assert preferences.load(path) == Preferences()
    assert preferences.load(tmp_path / "missing.json") == Preferences()


def test_expand_quick_reply() -> None:
    replies = {"addr": "北京市海淀区", "hi": "您好"}
    assert expand_quick_reply("/hi", replies) == "您好"
    assert expand_quick_reply("地址 /addr", replies) == "地址 北京市海淀区"
    assert expand_quick_reply("a/hi", replies) is None  # a path, not a code
    assert expand_quick_reply("/nope", replies) is None


def test_composer_expands_then_sends(qtbot: QtBot) -> None:
    composer = Composer()
    qtbot.addWidget(composer)
    composer.quick_replies = {"thx": "Thank you!\nBest"}
    sent: list[str] = []
    composer.submitted.connect(sent.append)
    qtbot.keyClicks(composer, "/thx")
    qtbot.keyClick(composer, Qt.Key.Key_Return)  # expands, does not send
    assert composer.toPlainText() == "Thank you!\nBest" and sent == []
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert sent == ["Thank you!\nBest"]


def test_enter_makes_new_lines_when_so_chosen(qtbot: QtBot) -> None:
    composer = Composer()
    qtbot.addWidget(composer)
    composer.enter_sends = False
    sent: list[str] = []
    composer.submitted.connect(sent.append)
    qtbot.keyClicks(composer, "a")
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    qtbot.keyClicks(composer, "b")
    assert sent == []
    qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent == ["a\nb"]


def test_dialog_edits_preferences(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(quick_replies={"hi": "您好"}))
    qtbot.addWidget(dialog)
    dialog.enter_sends.setChecked(False)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.add_reply("/bye", "再见")
    dialog.add_reply("bad code", "ignored")
    dialog.add_reply("empty", "")
    result = dialog.preferences()
    assert result.enter_sends is False and result.language == "en"
    assert result.quick_replies == {"hi": "您好", "bye": "再见"}


def test_quick_replies_name_what_wechat_will_not_receive(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(quick_replies={"hi": "您好🌹"}))
    qtbot.addWidget(dialog)
    assert "/hi" in dialog.replies_warning.text() and "🌹" in dialog.replies_warning.text()
    reply = dialog.replies.item(0, 1)
    assert reply is not None and "🌹" in reply.toolTip()
    reply.setText("您好")
    assert dialog.replies_warning.text() == "" and reply.toolTip() == ""
    dialog.add_reply("ok", "好的👌")
    assert "/ok" in dialog.replies_warning.text()


def test_window_applies_and_saves_preferences(
    qtbot: QtBot, make_window: Callable[..., MainWindow], exchange_db: Path
) -> None:
    window = make_window()
    changed = Preferences(quick_replies={"ok": "好的，收到"})
    window.change_preferences(changed)
    assert preferences.load(window.poller.paths.settings) == changed
    insert_events(exchange_db, [text_event("wxid_alice", "在吗")])
    open_conversation(qtbot, window, "wxid_alice")
    qtbot.keyClicks(window.composer, "/ok")
    qtbot.keyClick(window.composer, Qt.Key.Key_Tab)
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wx_commands(exchange_db) == [("wx_send", "wxid_alice", "好的，收到")])


def test_dialog_edits_pacing_and_it_is_saved(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    start = PacerConfig(automatic=PacingRule(3.0, 3.0, 12), manual=PacingRule(1.0, 1.0, 20))
    dialog = SettingsDialog(Preferences(), start)
    qtbot.addWidget(dialog)
    assert dialog.pacer() == start
    gap, jitter, per_minute = dialog.pacing["manual"]
    gap.setValue(2.5)
    jitter.setValue(0.0)
    per_minute.setValue(10)
    pacer = dialog.pacer()
    assert pacer.manual == PacingRule(2.5, 0.0, 10) and pacer.automatic == start.automatic
    preferences.save(path, dialog.preferences(), pacer)
    assert Settings.load(path).pacer == pacer
    assert preferences.load_pacer(path) == pacer
