"""The Rules and Timed messages pages, the global switch and the alerts, on the real window.

Every test runs the real poller on a copy of exchange.db: what the pages
write goes through the store, and what the poller does with it (answer, stay
silent, send a missed timed message) is checked in the file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, text_event, wx_commands
from tests.gui.conftest import panel_of
from wxpanel.core.demo import DEMO_RULES
from wxpanel.core.engine import PollResult
from wxpanel.core.models import CommandStatus, Message, Origin
from wxpanel.core.paths import DataPaths
from wxpanel.core.protocol import Direction
from wxpanel.core.rules import (
    Alert,
    AlertKind,
    AutoReplyConfig,
    MatchMode,
    Reply,
    Rule,
    RuleCounter,
    RuleStore,
    ScheduleKind,
    TimedMessage,
    TimedStore,
    Trigger,
)
from wxpanel.core.rules.timed import TimedOutcome, TimedRun
from wxpanel.core.texts import Text
from wxpanel.gui import autoreply
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.rule_dialog import RuleDialog, split_texts
from wxpanel.gui.rules_model import RULE_ROWS_MIME, MissedRunsModel, RulesModel, TimedModel
from wxpanel.gui.rules_page import RulesPage, TimedPage

MakeWindow = Callable[..., MainWindow]

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def history(exchange_db: Path, data_dir: Path) -> Path:
    return DataPaths.beside(exchange_db, data_dir).history


def stored_rules(exchange_db: Path, data_dir: Path) -> list[Rule]:
    """What another process (the poller) would read: a fresh connection."""
    with RuleStore.open(history(exchange_db, data_dir)) as store:
        return store.rules()


def keyword(name: str, pattern: str, *texts: str, enabled: bool = True) -> Rule:
    return Rule(
        name=name,
        triggers=(Trigger(pattern),),
        reply=Reply(texts=texts or (f"answer of {name}",)),
        enabled=enabled,
    )


def rules_page(window: MainWindow) -> RulesPage:
    page = panel_of(window).auto_reply.rules_page
    window.tabs.setCurrentWidget(page)
    return page


def timed_page(window: MainWindow) -> TimedPage:
    page = panel_of(window).auto_reply.timed_page
    window.tabs.setCurrentWidget(page)
    return page


def with_rules(qtbot: QtBot, window: MainWindow, *rules: Rule) -> RulesPage:
    """Window is up; the page's store saves ``rules`` and the page shows them."""
    page = rules_page(window)
    qtbot.waitUntil(lambda: page.store is not None)
    assert page.store is not None
    for rule in rules:
        page.store.add(rule)
    page.reload()
    assert page.model.rowCount() == len(rules)
    return page


def outgoing(window: MainWindow, origin: Origin) -> list[Message]:
    feed = window.feed
    return [
        m
        for m in (feed.message(row) for row in range(feed.rowCount()))
        if m.direction is Direction.OUT and m.origin is origin
    ]


# -- the models -------------------------------------------------------------------------


def test_rules_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = RulesModel()
    rules = [
        Rule(name, triggers=(Trigger(name),), reply=Reply(texts=("x",)), id=i, position=i - 1)
        for i, name in enumerate(["a", "b", "c", "d"], start=1)
    ]
    model.load(rules, {2: RuleCounter(2, matched=5, sent=4, last_matched=time.time())})
    qtmodeltester.check(model, force_py=True)
    assert model.index(1, RulesModel.MATCHED).data() == "5"
    orders: list[list[int]] = []
    model.orderChanged.connect(orders.append)
    assert model.move_row(0, 2)  # a below c
    assert model.ids() == [2, 3, 1, 4]
    assert model.move_row(3, 0)
    assert model.ids() == [4, 2, 3, 1]
    assert orders == [[2, 3, 1, 4], [4, 2, 3, 1]]
    model.update_counters([RuleCounter(3, matched=1, sent=1, last_matched=1.0)])
    assert model.index(2, RulesModel.MATCHED).data() == "1"
    qtmodeltester.check(model, force_py=True)


def test_timed_and_missed_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    timed = TimedModel()
    timed.load(
        [
            TimedMessage("a", ("wxid_a",), ScheduleKind.DAILY, text="hi", id=1),
            TimedMessage("b", ("wxid_b",), ScheduleKind.ONCE, text="x", at=time.time() + 60, id=2),
        ]
    )
    qtmodeltester.check(timed, force_py=True)
    missed = MissedRunsModel()
    run = TimedRun(1, 1, "a", time.time(), TimedOutcome.MISSED, 2, None, time.time(), False, None)
    sent = TimedRun(2, 1, "a", time.time(), TimedOutcome.SENT, 0, None, time.time(), False, 7)
    assert missed.add([run, sent]) == 1  # a sent run needs no decision
    assert missed.add([run]) == 0
    qtmodeltester.check(missed, force_py=True)
    assert "2" in missed.index(0, MissedRunsModel.WHAT).data()
    assert missed.remove(1)
    qtmodeltester.check(missed, force_py=True)


def test_reply_texts_are_split_on_a_separator_line() -> None:
    assert split_texts("") == ()
    assert split_texts("one") == ("one",)
    assert split_texts("one\nline two\n---\nthree") == ("one\nline two", "three")


# -- the rules table --------------------------------------------------------------------------


def test_toggling_a_rule_persists(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    page = with_rules(qtbot, window, keyword("greet", "hi"), keyword("bye", "bye"))
    index = page.model.index(0, RulesModel.ON)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert page.model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert [r.enabled for r in stored_rules(exchange_db, data_dir)] == [False, True]
    assert page.model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert [r.enabled for r in stored_rules(exchange_db, data_dir)] == [True, True]


def test_a_rule_switched_off_stops_answering_at_once(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    page = with_rules(qtbot, window, keyword("greet", "hi", "hello"))
    insert_events(exchange_db, [text_event("wxid_alice", "hi")])
    qtbot.waitUntil(lambda: len(outgoing(window, Origin.AUTO)) == 1)
    index = page.model.index(0, RulesModel.ON)
    page.model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    insert_events(exchange_db, [text_event("wxid_alice", "hi again")])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 3)
    newest = window.feed.message(2).id

    def looked_at() -> bool:
        with RuleStore.open(history(exchange_db, data_dir)) as store:
            return store.watermark() >= newest

    qtbot.waitUntil(looked_at)
    assert len(outgoing(window, Origin.AUTO)) == 1  # the running poller obeyed at once


def test_reordering_persists_by_drag_and_by_buttons(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    page = with_rules(qtbot, window, keyword("a", "a"), keyword("b", "b"), keyword("c", "c"))
    model = page.model
    # A drag of row 0 dropped on row 2, as the view does it: mime data, then a drop.
    data = model.mimeData([model.index(0, RulesModel.NAME)])
    assert data.hasFormat(RULE_ROWS_MIME)
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert [r.name for r in stored_rules(exchange_db, data_dir)] == ["b", "c", "a"]
    # The view's own removal after a move does nothing: the rows were moved already.
    assert not model.removeRows(0, 1)
    page.select_rule(model.rule(2).id)
    qtbot.mouseClick(page.up_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in stored_rules(exchange_db, data_dir)] == ["b", "a", "c"]
    assert page.selected_id() == model.rule(1).id  # the moved rule stays selected
    qtbot.mouseClick(page.up_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in stored_rules(exchange_db, data_dir)] == ["a", "b", "c"]
    assert [r.position for r in stored_rules(exchange_db, data_dir)] == [0, 1, 2]


def regex_rule_dialog(
    qtbot: QtBot, page: RulesPage, name: str, pattern: str, text: str
) -> RuleDialog:
    """The new-rule dialog of ``page`` with one regex trigger typed in."""
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, RuleDialog)
    qtbot.keyClicks(dialog.name_edit, name)
    row = dialog.trigger_rows[0]
    row.mode.setCurrentIndex(row.mode.findData(MatchMode.REGEX.value))
    qtbot.keyClicks(row.pattern, pattern)
    dialog.texts_edit.setPlainText(text)
    return dialog


def assert_trigger_refused(dialog: RuleDialog, reason: str) -> None:
    """The dialog names the first trigger's problem and will not save."""
    assert reason in dialog.issues_text()
    assert "Trigger 1" in dialog.issues_text()
    assert not dialog.save_button.isEnabled()


def test_dialog_refuses_a_regex_the_safe_engine_cannot_run(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    page = with_rules(qtbot, make_window())
    dialog = regex_rule_dialog(qtbot, page, "twice", r"(\w)\1", "doubled")
    row = dialog.trigger_rows[0]
    assert_trigger_refused(dialog, "backreferences")
    row.pattern.clear()
    qtbot.keyClicks(row.pattern, "(a+)+$")  # catastrophic for re, linear for RE2: fine
    assert "regular expression" not in dialog.issues_text()
    assert dialog.save_button.isEnabled()


def test_dialog_shows_a_bad_regex_and_refuses_to_save(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    page = with_rules(qtbot, make_window())
    dialog = regex_rule_dialog(qtbot, page, "order", r"order (\d+", "order {1} is on its way")
    row = dialog.trigger_rows[0]
    assert_trigger_refused(dialog, "bad regular expression")  # while typing, before a save
    assert "c62828" in row.pattern.styleSheet()  # the field itself is outlined
    dialog.accept()  # Enter, or a click that slipped through: still refused
    assert dialog.isVisible()
    assert stored_rules(exchange_db, data_dir) == []
    qtbot.keyClicks(row.pattern, ")")
    assert "bad regular expression" not in dialog.issues_text()
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None)
    (saved,) = stored_rules(exchange_db, data_dir)
    assert saved.triggers[0].pattern == r"order (\d+)"
    assert saved.reply.texts == ("order {1} is on its way",)
    assert page.model.rule(0).name == "order"


def test_edit_and_duplicate(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    page = with_rules(qtbot, window, keyword("greet", "hi", "hello"))
    page.select_rule(page.model.rule(0).id)
    dialog = page.edit_selected()
    assert dialog is not None
    assert dialog.texts_edit.toPlainText() == "hello"
    dialog.texts_edit.setPlainText("hello\n---\nhow can I help?")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None)
    assert stored_rules(exchange_db, data_dir)[0].reply.texts == ("hello", "how can I help?")
    qtbot.mouseClick(page.duplicate_button, Qt.MouseButton.LeftButton)
    names = [(r.name, r.enabled) for r in stored_rules(exchange_db, data_dir)]
    assert names == [("greet", True), ("greet (copy)", False)]


def test_delete_then_undo_restores_the_rule(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    page = with_rules(qtbot, window, keyword("a", "a"), keyword("b", "b"), keyword("c", "c"))
    before = stored_rules(exchange_db, data_dir)
    page.select_rule(before[1].id)
    assert not page.undo_action.isEnabled()
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in stored_rules(exchange_db, data_dir)] == ["a", "c"]
    assert page.model.rowCount() == 2
    assert page.undo_action.isEnabled()
    assert "b" in page.undo_action.text()
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    after = stored_rules(exchange_db, data_dir)
    assert [(r.id, r.name, r.position) for r in after] == [
        (r.id, r.name, r.position) for r in before
    ]
    assert page.selected_id() == before[1].id
    page.undo_stack.redo()  # and redo deletes it again
    assert [r.name for r in stored_rules(exchange_db, data_dir)] == ["a", "c"]
    page.select_rule(before[0].id)
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)  # the Delete key, on the table
    assert [r.name for r in stored_rules(exchange_db, data_dir)] == ["c"]
    page.undo_action.trigger()
    assert [r.name for r in stored_rules(exchange_db, data_dir)] == ["a", "c"]


def test_try_it_shows_the_answering_rule_and_its_text(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    page = with_rules(
        qtbot,
        window,
        keyword("prices", "price", "Hi {sender}, our prices: see the menu"),
        keyword("catch-all", "p", "should not answer"),
    )
    page.try_conversation.setText("123@chatroom")
    assert page.try_sender.isEnabled()
    page.try_sender.setText("wxid_bob")
    page.try_text.setText("what is the price?")
    qtbot.mouseClick(page.try_button, Qt.MouseButton.LeftButton)
    shown = page.try_result.toPlainText()
    assert "prices" in shown
    assert "Hi wxid_bob, our prices: see the menu" in shown
    assert "should not answer" not in shown
    result = page.try_it()
    assert result is not None
    assert [answer.rule.name for answer in result.sending] == ["prices"]
    page.try_text.setText("nothing to see")
    qtbot.keyClick(page.try_text, Qt.Key.Key_Return)
    assert "No rule answers this message" in page.try_result.toPlainText()


def test_safety_settings_are_saved(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    page = with_rules(qtbot, window)
    dialog = page.open_settings()
    dialog.nicknames_edit.setText("小助手，helper")  # QTest types ASCII only
    dialog.per_minute.setValue(7)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with RuleStore.open(history(exchange_db, data_dir)) as store:
        config = store.config()
    assert config.nicknames == ("小助手", "helper")
    assert config.per_minute == 7


# -- the global switch -------------------------------------------------------------------------


def test_global_switch_stops_replies_and_survives_a_restart(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    page = with_rules(qtbot, window, keyword("ping", "ping", "pong"))
    control = panel_of(window).auto_reply
    assert control.action.isChecked()
    assert "ON" in control.label.text()

    control.action.trigger()  # the toolbar button (Ctrl+Shift+A)
    assert not control.enabled
    assert "OFF" in control.label.text()
    assert "OFF" in control.action.text()
    with RuleStore.open(history(exchange_db, data_dir)) as store:
        assert not store.auto_reply_enabled()
    insert_events(exchange_db, [text_event("wxid_alice", "ping 1")])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 1)
    newest = window.feed.message(0).id

    def looked_at() -> bool:
        with RuleStore.open(history(exchange_db, data_dir)) as store:
            return store.watermark() >= newest

    qtbot.waitUntil(looked_at)  # the poller has judged the message: no answer
    assert outgoing(window, Origin.AUTO) == []

    window.tray.autoReplyToggled.emit(True)  # the tray menu's entry
    assert control.enabled
    assert control.action.isChecked()
    insert_events(exchange_db, [text_event("wxid_alice", "ping 2")])
    qtbot.waitUntil(lambda: len(outgoing(window, Origin.AUTO)) == 1)
    assert outgoing(window, Origin.AUTO)[0].content == "pong"
    # The counters came from the poller's report, not from a read of the database.
    qtbot.waitUntil(lambda: page.model.index(0, RulesModel.MATCHED).data() == "1")
    assert page.model.index(0, RulesModel.LAST).data()

    control.action.trigger()  # the toolbar switch: off again, then restart the window
    window.close()
    assert not window.poller.running
    again = make_window()
    qtbot.waitUntil(lambda: panel_of(again).auto_reply.action.isEnabled())
    assert not panel_of(again).auto_reply.enabled
    assert not panel_of(again).auto_reply.action.isChecked()
    assert "OFF" in panel_of(again).auto_reply.label.text()


def test_switch_has_a_keyboard_shortcut(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    control = panel_of(window).auto_reply
    qtbot.waitUntil(control.action.isEnabled)
    assert control.action.shortcut().toString() == "Ctrl+Shift+A"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.search, Qt.Key.Key_A, modifiers)
    assert not control.enabled
    with RuleStore.open(history(exchange_db, data_dir)) as store:
        assert not store.auto_reply_enabled()
    qtbot.keyClick(window.search, Qt.Key.Key_A, modifiers)
    assert control.enabled


# -- alerts --------------------------------------------------------------------------------


def test_an_alert_shows_a_banner(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    alert = Alert(AlertKind.LOOP, "wxid_bot", "5 answers in a row", time.time())
    window.poller.polled.emit(PollResult(alerts=(alert,)))
    banner = panel_of(window).auto_reply.alert_banner
    qtbot.waitUntil(banner.isVisible)
    assert "wxid_bot" in banner.text
    assert "5 answers in a row" in banner.text


def test_a_message_the_rules_could_not_evaluate_is_named_in_the_banner(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    text = Text.of("alert_rule_failed", message=42, detail="MemoryError: boom")
    window.poller.polled.emit(
        PollResult(alerts=(Alert.of(AlertKind.EVALUATION, "wxid_a", text, 0.0),))
    )
    banner = panel_of(window).auto_reply.alert_banner
    qtbot.waitUntil(banner.isVisible)
    assert banner.text == (
        "A message was passed over by the auto-reply in wxid_a: message #42: the rules"
        " could not be evaluated (MemoryError: boom); it gets no automatic answer"
    )


def test_the_cap_banner_clears_itself_when_the_cap_is_no_longer_hit(
    qtbot: QtBot, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autoreply, "CAP_BANNER_MS", 300)  # a minute, in the panel
    window = make_window()
    banner = panel_of(window).auto_reply.alert_banner
    cap = Alert(AlertKind.CAP, None, "20 answers a minute", time.time())
    window.poller.polled.emit(PollResult(alerts=(cap,)))
    qtbot.waitUntil(banner.isVisible)
    qtbot.wait(150)
    window.poller.polled.emit(PollResult(alerts=(cap,)))  # hit again: the minute starts over
    qtbot.wait(200)
    assert banner.isVisible()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=2000)
    loop = Alert(AlertKind.LOOP, "wxid_bot", "5 answers in a row", time.time())
    window.poller.polled.emit(PollResult(alerts=(loop,)))  # a loop stays until the operator acts
    qtbot.wait(500)
    assert banner.isVisible()


def test_a_new_rule_dialog_opens_clean_and_shows_errors_once_touched(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    dialog = rules_page(window).add_rule()
    qtbot.addWidget(dialog)
    fields = (dialog.name_edit, dialog.texts_edit, *(row.pattern for row in dialog.trigger_rows))
    assert dialog.issues_text() == "" and not dialog.issues_label.isVisible()
    assert not any(widget.styleSheet() for widget in fields)
    assert dialog.has_errors  # it is not valid yet, it just does not shout
    qtbot.keyClicks(dialog.name_edit, "price")  # touched: now the list says what is missing
    assert dialog.issues_text() and not dialog.save_button.isEnabled()
    dialog.reject()


def test_shipped_rules_and_new_rules_have_a_cooldown(qtbot: QtBot, make_window: MakeWindow) -> None:
    assert all(rule.cooldown > 0 for rule in DEMO_RULES)
    window = make_window()
    dialog = rules_page(window).add_rule()
    qtbot.addWidget(dialog)
    assert dialog.cooldown_spin.value() > 0
    dialog.reject()


def test_a_real_loop_raises_an_alert_through_the_poller(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    page = with_rules(qtbot, window, keyword("echo", "ping", "ping back"))
    assert page.store is not None
    page.store.set_config(AutoReplyConfig(loop_exchanges=1, loop_window=600.0))
    with qtbot.waitSignal(
        window.poller.polled, timeout=10_000, check_params_cb=lambda r: bool(r.alerts)
    ) as raised:
        insert_events(window.poller.exchange_db, [text_event("wxid_bot", "ping")])
        qtbot.waitUntil(lambda: len(outgoing(window, Origin.AUTO)) == 1)
        insert_events(window.poller.exchange_db, [text_event("wxid_bot", "ping")])
    alerts = raised.args[0].alerts
    assert alerts[0].kind is AlertKind.LOOP
    banner = panel_of(window).auto_reply.alert_banner
    qtbot.waitUntil(banner.isVisible)
    assert "wxid_bot" in banner.text
    # The Rules page says which conversation is paused, and can resume it.
    qtbot.waitUntil(page.paused_bar.isVisible)
    assert "wxid_bot" in page.paused_label.text()
    qtbot.mouseClick(page.resume_button, Qt.MouseButton.LeftButton)
    assert not page.paused_bar.isVisible()
    assert page.store.paused() == []


# -- timed messages ----------------------------------------------------------------------------


def stored_timed(exchange_db: Path, data_dir: Path) -> list[TimedMessage]:
    with TimedStore.open(history(exchange_db, data_dir)) as store:
        return store.all()


def test_timed_message_add_and_edit(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    page = timed_page(window)
    qtbot.waitUntil(lambda: page.store is not None)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    # Issue 14: a new form opens clean; Save on it says what is missing, and refuses.
    assert dialog.issues_text() == "" and not dialog.name_edit.styleSheet()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert page.dialog is dialog and dialog.issues_text()
    assert not dialog.save_button.isEnabled()  # nothing filled in yet
    qtbot.keyClicks(dialog.name_edit, "morning")
    qtbot.keyClicks(dialog.targets_edit, "wxid_alice, 123@chatroom")
    dialog.text_edit.setPlainText("Good morning, it is {date}")
    dialog.schedule_box.setCurrentIndex(dialog.schedule_box.findData(ScheduleKind.WEEKLY.value))
    dialog.weekdays.set_days((1, 3, 5))
    assert dialog.save_button.isEnabled(), dialog.issues_text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None)
    (saved,) = stored_timed(exchange_db, data_dir)
    assert saved.targets == ("wxid_alice", "123@chatroom")
    assert saved.schedule is ScheduleKind.WEEKLY
    assert saved.weekdays == (1, 3, 5)
    assert page.model.rowCount() == 1
    assert "Mon" in page.model.index(0, TimedModel.WHEN).data()

    page.view.selectRow(0)
    dialog = page.edit_selected()
    assert dialog is not None
    dialog.schedule_box.setCurrentIndex(dialog.schedule_box.findData(ScheduleKind.ONCE.value))
    dialog.at_edit.setDateTime(dialog.at_edit.dateTime().addDays(-2))
    assert "passed" in dialog.issues_text()  # a one-off in the past is refused at once
    assert not dialog.save_button.isEnabled()
    dialog.at_edit.setDateTime(dialog.at_edit.dateTime().addDays(3))
    dialog.text_edit.setPlainText("Just once")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None)
    (edited,) = stored_timed(exchange_db, data_dir)
    assert (edited.id, edited.schedule, edited.text) == (saved.id, ScheduleKind.ONCE, "Just once")

    index = page.model.index(0, TimedModel.ON)
    assert page.model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert not stored_timed(exchange_db, data_dir)[0].enabled


def missed_daily(exchange_db: Path, data_dir: Path, name: str, target: str) -> None:
    """A daily message that should have run two hours ago, saved three days ago."""
    now = time.time()
    due = datetime.fromtimestamp(now) - timedelta(hours=2)
    with TimedStore.open(history(exchange_db, data_dir)) as store:
        store.clock = lambda: now - 3 * 86400
        store.add(
            TimedMessage(
                name,
                (target,),
                ScheduleKind.DAILY,
                text=f"{name} text",
                time_of_day=due.time().replace(second=0, microsecond=0),
            )
        )


def test_missed_runs_are_reported_then_sent_or_dismissed(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    missed_daily(exchange_db, data_dir, "greeting", "wxid_alice")
    missed_daily(exchange_db, data_dir, "report", "wxid_boss")
    window = make_window()
    page = timed_page(window)
    qtbot.waitUntil(lambda: page.missed.rowCount() == 2)
    assert outgoing(window, Origin.TIMED) == []  # reported, never sent late on its own
    assert "missed" in panel_of(window).auto_reply.alert_banner.text
    control = panel_of(window).auto_reply
    assert "(2)" in window.tabs.tabText(window.tabs.indexOf(control.timed_page))
    names = [page.missed.run(row).name for row in range(2)]

    page.missed_view.selectRow(names.index("greeting"))
    assert page.send_now_button.isEnabled()
    with qtbot.waitSignal(window.poller.lateSent) as sent:
        qtbot.mouseClick(page.send_now_button, Qt.MouseButton.LeftButton)
    assert sent.args[1] == ""
    qtbot.waitUntil(lambda: page.missed.rowCount() == 1)
    qtbot.waitUntil(lambda: len(outgoing(window, Origin.TIMED)) == 1)
    message = outgoing(window, Origin.TIMED)[0]
    assert (message.conversation, message.content) == ("wxid_alice", "greeting text")
    qtbot.waitUntil(lambda: outgoing(window, Origin.TIMED)[-1].status is CommandStatus.WRITTEN)
    assert len(outgoing(window, Origin.TIMED)) == 1  # shown once, and written for demo.exe
    assert [row[2] for row in wx_commands(exchange_db)] == ["greeting text"]

    page.missed_view.selectRow(0)
    qtbot.mouseClick(page.dismiss_button, Qt.MouseButton.LeftButton)
    assert page.missed.rowCount() == 0
    with TimedStore.open(history(exchange_db, data_dir)) as store:
        assert store.needs_attention() == []
    assert not panel_of(window).auto_reply.alert_banner.isVisible()
    assert window.tabs.tabText(window.tabs.indexOf(control.timed_page)) == "Timed messages"
    assert len(outgoing(window, Origin.TIMED)) == 1  # the dismissed one was not sent
