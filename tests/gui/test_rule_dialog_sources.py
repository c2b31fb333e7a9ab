"""The rule dialog lets an answer source write a rule's reply (Reply.source)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.test_rules_page import rules_page, stored_rules
from wxpanel.core.paths import DataPaths
from wxpanel.core.rules import MatchMode, Reply, Rule, Trigger
from wxpanel.core.sources.config import SourceKind, WebhookConfig
from wxpanel.core.sources.store import SourceStore
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.rule_dialog import RuleDialog

MakeWindow = Callable[..., MainWindow]

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _names(dialog: RuleDialog) -> list[str]:
    box = dialog.source_box
    return [str(box.itemData(i)) for i in range(box.count())]


def test_a_source_alone_makes_the_reply_valid_as_you_type(qtbot: QtBot) -> None:
    rule = Rule("weather", (Trigger("天气"),), Reply())
    dialog = RuleDialog(rule, sources=["weather", "gpt"])
    qtbot.addWidget(dialog)
    dialog.revalidate()
    assert _names(dialog) == ["", "weather", "gpt"]
    assert "a reply needs a text or a picture" in dialog.issues_text()
    assert not dialog.save_button.isEnabled()
    dialog.source_box.setCurrentIndex(dialog.source_box.findData("gpt"))
    assert "a reply needs" not in dialog.issues_text()
    assert dialog.save_button.isEnabled()
    assert dialog.rule().reply == Reply(source="gpt")
    dialog.source_box.setCurrentIndex(0)
    assert dialog.rule().reply.source is None
    assert not dialog.save_button.isEnabled()


def test_a_source_that_is_gone_stays_chosen(qtbot: QtBot) -> None:
    rule = Rule("weather", (Trigger("天气"),), Reply(source="old-hook"))
    dialog = RuleDialog(rule, sources=["weather"])
    qtbot.addWidget(dialog)
    assert _names(dialog) == ["", "weather", "old-hook"]
    assert dialog.rule().reply.source == "old-hook"


def test_the_dialog_offers_the_stored_sources_and_saves_the_delegation(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    history = DataPaths.beside(exchange_db, data_dir).history
    window = make_window()
    page = rules_page(window)
    qtbot.waitUntil(lambda: page.store is not None)
    with SourceStore.open(history) as sources:
        sources.add(SourceKind.WEBHOOK, "weather", WebhookConfig(url="http://127.0.0.1:9/w"))
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, RuleDialog)
    assert _names(dialog) == ["", "weather"]
    dialog.name_edit.setText("天气")  # typed: keyClicks cannot type Chinese
    row = dialog.trigger_rows[0]
    row.mode.setCurrentIndex(row.mode.findData(MatchMode.CONTAINS.value))
    row.pattern.setText("天气")
    assert not dialog.save_button.isEnabled()  # nothing answers yet
    dialog.source_box.setCurrentIndex(dialog.source_box.findData("weather"))
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None)
    (saved,) = stored_rules(exchange_db, data_dir)
    assert saved.reply == Reply(source="weather")
    assert saved.triggers[0].pattern == "天气"
