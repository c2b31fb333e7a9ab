"""The core's sentences (rules, sources, health, settings) are shown in the user's language.

Every key's translation is checked in ``tests/gui/test_i18n.py``; these tests
follow texts through the functions and widgets that show them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from pytestqt.qtbot import QtBot

from tests.gui.conftest import open_panel
from wxpanel.core.autoreply.alerts import Alert, AlertKind
from wxpanel.core.autoreply.issues import Issue, RuleError, Severity
from wxpanel.core.rules.model import MatchMode, Reply, ReplyMode, Rule, Trigger, validate_trigger
from wxpanel.core.rules.tryit import TryAnswer, TryResult
from wxpanel.core.settings import SettingsProblem, load_settings
from wxpanel.core.texts import CONTEXT, TEXTS, Text
from wxpanel.gui import app, texts
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.rule_dialog import RuleDialog
from wxpanel.gui.worker import PollThread

CHINA = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
REGEX_DETAIL = "missing ), unterminated subpattern at position 0"


@pytest.fixture
def chinese(qapp: QCoreApplication) -> Iterator[QTranslator]:
    """wxpanel's Simplified Chinese installed in the application, as at a Chinese start."""
    if not (app.I18N_DIR / "wxpanel_zh_CN.qm").exists():
        pytest.skip("translations not compiled")
    translators = app.install_translators(qapp, CHINA)
    try:
        assert translators
        yield translators[0]
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def zh(translator: QTranslator, key: str) -> str:
    """The Chinese template of ``key``, looked up as the panel does: by the key."""
    return translator.translate(CONTEXT, TEXTS[key], key) or ""


def test_without_a_translator_every_template_is_the_english(qapp: QCoreApplication) -> None:
    assert {key: texts.template(key) for key in TEXTS} == dict(TEXTS)


def test_two_keys_with_the_same_english_are_translated_apart(chinese: QTranslator) -> None:
    assert TEXTS["backlog_high"] == TEXTS["backlog_ok"]
    assert zh(chinese, "backlog_high") and zh(chinese, "backlog_ok")


def test_a_chinese_rule_dialog_shows_a_chinese_regex_problem(
    qtbot: QtBot, chinese: QTranslator
) -> None:
    rule = Rule("订单", (Trigger("(", MatchMode.REGEX),), Reply(("好的",)))
    dialog = RuleDialog(rule)
    qtbot.addWidget(dialog)
    dialog.revalidate()
    expected = zh(chinese, "bad_regex").replace("{detail}", REGEX_DETAIL)
    assert expected != f"bad regular expression: {REGEX_DETAIL}"
    shown = dialog.issues_text()
    assert expected in shown, shown
    assert "bad regular expression" not in shown
    assert REGEX_DETAIL in shown  # Python's own words stay as they are
    assert expected in dialog.trigger_rows[0].pattern.toolTip()


def test_try_it_verdicts_and_alerts_in_chinese(chinese: QTranslator) -> None:
    assert texts.text(Text.of("cooling_down", seconds=199.6)) == zh(
        chinese, "cooling_down"
    ).replace("{seconds:.0f}", "200")
    verdict = texts.text(Text.of("no_trigger_matches"))
    assert verdict != "no trigger matches" and re.search(r"[\u4e00-\u9fff]", verdict)
    picture = Text.of("picture_missing", path="/srv/menu.png")
    alert = Alert.of(AlertKind.PICTURE, "wxid_a", Text.of("alert_picture", problem=picture), 0.0)
    detail = texts.alert_detail(alert)
    assert "/srv/menu.png" in detail and "no such picture" not in detail
    assert texts.text(picture) in detail  # the nested text is translated too


def test_a_json_problem_translates_what_was_found(chinese: QTranslator) -> None:
    issue = Issue.of("rules[0].name", "expected_string", found=Text.of("json_list"))
    shown = texts.issue_line(issue)
    assert shown.startswith("rules[0].name")
    assert zh(chinese, "json_list") in shown and "a list" not in shown


def test_a_broken_translation_falls_back_to_english(
    qapp: QCoreApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = {"cooling_down": "还要冷却 {secs} 秒", "empty_text": "空 {oops"}
    real = texts.template
    monkeypatch.setattr(texts, "template", lambda key: broken.get(key) or real(key))
    assert texts.text(Text.of("cooling_down", seconds=5)) == "cooling down for another 5 s"
    assert texts.issue_text(Issue.of("texts[0]", "empty_text")) == "空 {oops"  # no field


def test_text_without_a_key_is_shown_as_it_is(qapp: QCoreApplication) -> None:
    assert texts.issue_text(Issue("model", "a model name is needed")) == ("a model name is needed")
    alert = Alert(AlertKind.RULE, None, "webhook switched off: timeout", 0.0)
    assert texts.alert_detail(alert) == "webhook switched off: timeout"


def test_a_refused_rule_lists_its_translated_problems(chinese: QTranslator) -> None:
    issues = [
        Issue.of("name", "rule_needs_name"),
        *(issue.under("triggers[0]") for issue in validate_trigger(Trigger("", MatchMode.EXACT))),
    ]
    text = texts.rule_error_text(RuleError(issues, prefix="rule '': "))
    lines = text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("name") and "a rule needs a name" not in text
    assert lines[1].startswith("triggers[0].pattern")
    assert Issue.of("x", "empty_text", Severity.WARNING).severity is Severity.WARNING


def test_the_try_it_box_speaks_chinese(qtbot: QtBot, chinese: QTranslator) -> None:
    from wxpanel.core.rules.evaluate import EventKind, PlannedReply
    from wxpanel.gui.rules_page import RulesPage

    page = RulesPage()
    qtbot.addWidget(page)
    rule = Rule("menu", (Trigger("menu"),), Reply(("hi",)), id=1)
    reply = PlannedReply(rule, "wxid_a", ("hi",), ReplyMode.ALL, None)
    result = TryResult(
        EventKind.TEXT,
        (TryAnswer(rule, reply, Text.of("switched_off")),),
        ((rule, Text.of("matches")),),
    )
    shown = page.describe(result)
    assert texts.text(Text.of("switched_off")) in shown
    assert "auto-reply is switched off" not in shown and ": matches" not in shown


# -- sources' settings ---------------------------------------------------------------


def test_a_source_setting_problem_is_translated_by_its_key(chinese: QTranslator) -> None:
    from wxpanel.core.sources.config import AIConfig, WebhookConfig

    issues = {i.path: i for i in WebhookConfig(url="ftp://x", timeout=0, backoff=31).issues()}
    assert issues["url"].key == "source_url"
    timeout = texts.issue_text(issues["timeout"])
    assert timeout == zh(chinese, "source_timeout").replace("{limit:g}", "300")
    assert "seconds" not in timeout
    backoff = texts.issue_text(issues["backoff"])
    assert backoff == zh(chinese, "source_between_seconds").replace("{low}", "0").replace(
        "{high}", "30"
    )
    (model,) = [i for i in AIConfig(base_url="https://x").issues() if i.path == "model"]
    assert texts.issue_text(model) == zh(chinese, "source_model_needed")


# -- health --------------------------------------------------------------------------


def test_a_health_check_line_is_translated_with_its_nested_problem(
    chinese: QTranslator,
) -> None:
    from wxpanel.core.health import EXCHANGE, Check, Level

    problem = Text.of("problem_read_only", path="/bot/exchange.db")
    check = Check(EXCHANGE, Level.RED, Text.of("exchange_error", detail=problem))
    line = texts.check_line(check)
    assert line.startswith(zh(chinese, "check_exchange"))
    assert "/bot/exchange.db" in line and "read-only" not in line and "cannot be used" not in line


# -- settings.json -------------------------------------------------------------------


def test_a_broken_settings_translation_falls_back_to_english(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = SettingsProblem("kept", fields={"path": "s.json", "detail": "bad"})
    monkeypatch.setattr(texts, "template", lambda key: "{path} {missing_field}")
    assert texts.problem_text(problem) == str(problem)


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_the_panel_shows_what_settings_json_had_wrong(
    qtbot: QtBot, exchange_db: Path, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "settings.json").write_text(json.dumps({"poll_interval": 1e308, "pacer": []}))
    # The Engine reads settings.json.
    window = open_panel(qtbot, PollThread(exchange_db, data_dir), start=False)
    with qtbot.waitSignal(window.poller.settingsProblems):
        window.start()
    try:
        qtbot.waitUntil(lambda: "poll_interval" in window.banner.text)
        assert "pacer" in window.banner.text and "using the default" in window.banner.text
    finally:
        window.close()


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_saving_preferences_over_an_unreadable_file_is_refused_and_said(
    qtbot: QtBot, make_window: Callable[..., MainWindow], data_dir: Path
) -> None:
    window = make_window()
    broken = '{"pacer": {"automatic": {"per_minute": 2}},}'
    settings_file = data_dir / "settings.json"
    settings_file.write_text(broken)
    assert load_settings(settings_file).unreadable
    window.change_preferences(window.preferences)
    assert "not saved" in window.banner.text
    assert settings_file.read_text() == broken


# -- expected failures ---------------------------------------------------------------


def test_an_expected_failure_is_said_in_chinese_with_its_nested_kind(
    chinese: QTranslator, tmp_path: Path
) -> None:
    from wxpanel.core.errors import KnownError
    from wxpanel.core.rules.store import RuleStore
    from wxpanel.core.sources.config import SourceKind, WebhookConfig
    from wxpanel.core.sources.store import SourceStore

    with RuleStore.open(tmp_path / "history.db") as rules:
        sources = SourceStore(rules.conn)
        config = WebhookConfig(url="https://example.com/hook")
        sources.add(SourceKind.WEBHOOK, "orders", config)
        with pytest.raises(KnownError) as raised:
            sources.add(SourceKind.WEBHOOK, "orders", config)
    assert str(raised.value) == "a webhook source named 'orders' exists already"
    shown = texts.error_text(raised.value)
    assert "'orders'" in shown and "exists already" not in shown
    assert zh(chinese, "source_kind_webhook") in shown
    assert texts.error_text(OSError("disk on fire")) == "disk on fire"  # not ours: as it is


def test_a_command_that_did_not_go_says_why_in_chinese(chinese: QTranslator) -> None:
    from wxpanel.core.models import CommandStatus, CommandUpdate
    from wxpanel.core.outbox import INTERRUPTED, INTERRUPTED_TEXT
    from wxpanel.gui.models import ChatModel

    model = ChatModel()
    update = CommandUpdate(7, "wxid_a", CommandStatus.FAILED, 0.0, INTERRUPTED, INTERRUPTED_TEXT)
    model.apply_updates([update])
    assert model.problems[7] == zh(chinese, "command_interrupted") != INTERRUPTED
