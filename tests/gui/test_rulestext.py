"""The rules' problems, try-it verdicts and alerts are shown in the user's language."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from pytestqt.qtbot import QtBot

from wxpanel.core.rules.model import (
    Issue,
    MatchMode,
    Reply,
    ReplyMode,
    Rule,
    Severity,
    Trigger,
    validate_trigger,
)
from wxpanel.core.rules.replier import Alert, AlertKind
from wxpanel.core.rules.store import RuleError
from wxpanel.core.rules.texts import TEXTS, Text, field_names
from wxpanel.core.rules.tryit import TryAnswer, TryResult
from wxpanel.gui import app, rulestext
from wxpanel.gui.rule_dialog import RuleDialog

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


def zh(translator: QTranslator, english: str) -> str:
    """The Chinese of one "rules" text; a missing one fails here rather than as a None."""
    chinese = translator.translate("rules", english)
    assert chinese, english
    return chinese


def test_every_core_template_is_in_the_gui_word_for_word(qapp: QCoreApplication) -> None:
    assert rulestext.templates() == dict(TEXTS)  # no translator: the English itself


def test_the_chinese_keeps_every_field() -> None:
    translator = QTranslator()
    if not translator.load(CHINA, "wxpanel", "_", str(app.I18N_DIR)):
        pytest.skip("translations not compiled")
    for key, english in TEXTS.items():
        chinese = translator.translate("rules", english)
        assert chinese, key
        assert field_names(chinese) == field_names(english), key
        # every field keeps its format spec too ({seconds:.0f})
        assert sorted(re.findall(r"\{\w+(?::[^{}]*)?\}", chinese)) == sorted(
            re.findall(r"\{\w+(?::[^{}]*)?\}", english)
        ), key
        if re.search(r"[a-z]{3}", re.sub(r"\{[^{}]*\}", "", english)):
            assert re.search(r"[\u4e00-\u9fff]", chinese), key  # really translated


def test_a_chinese_rule_dialog_shows_a_chinese_regex_problem(
    qtbot: QtBot, chinese: QTranslator
) -> None:
    rule = Rule("订单", (Trigger("(", MatchMode.REGEX),), Reply(("好的",)))
    dialog = RuleDialog(rule)
    qtbot.addWidget(dialog)
    dialog.revalidate()
    expected = zh(chinese, TEXTS["bad_regex"]).replace("{detail}", REGEX_DETAIL)
    assert expected != f"bad regular expression: {REGEX_DETAIL}"
    shown = dialog.issues_text()
    assert expected in shown, shown
    assert "bad regular expression" not in shown
    assert REGEX_DETAIL in shown  # Python's own words stay as they are
    assert expected in dialog.trigger_rows[0].pattern.toolTip()


def test_try_it_verdicts_and_alerts_in_chinese(chinese: QTranslator) -> None:
    assert rulestext.text(Text.of("cooling_down", seconds=199.6)) == zh(
        chinese, TEXTS["cooling_down"]
    ).replace("{seconds:.0f}", "200")
    verdict = rulestext.text(Text.of("no_trigger_matches"))
    assert verdict != "no trigger matches" and re.search(r"[\u4e00-\u9fff]", verdict)
    picture = Text.of("picture_missing", path="/srv/menu.png")
    alert = Alert.of(AlertKind.PICTURE, "wxid_a", Text.of("alert_picture", problem=picture), 0.0)
    detail = rulestext.alert_detail(alert)
    assert "/srv/menu.png" in detail and "no such picture" not in detail
    assert rulestext.text(picture) in detail  # the nested text is translated too


def test_a_json_problem_translates_what_was_found(chinese: QTranslator) -> None:
    issue = Issue.of("rules[0].name", "expected_string", found=Text.of("json_list"))
    shown = rulestext.issue_line(issue)
    assert shown.startswith("rules[0].name")
    assert zh(chinese, "a list") in shown and "a list" not in shown


def test_a_broken_translation_falls_back_to_english(
    qapp: QCoreApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = rulestext.templates()
    broken = dict(good, cooling_down="还要冷却 {secs} 秒", empty_text="空 {oops")
    monkeypatch.setattr(rulestext, "templates", lambda: broken)
    assert rulestext.text(Text.of("cooling_down", seconds=5)) == "cooling down for another 5 s"
    assert rulestext.issue_text(Issue.of("texts[0]", "empty_text")) == "空 {oops"  # no field


def test_text_without_a_key_is_shown_as_it_is(qapp: QCoreApplication) -> None:
    assert rulestext.issue_text(Issue("model", "a model name is needed")) == (
        "a model name is needed"
    )
    alert = Alert(AlertKind.RULE, None, "webhook switched off: timeout", 0.0)
    assert rulestext.alert_detail(alert) == "webhook switched off: timeout"


def test_a_refused_rule_lists_its_translated_problems(chinese: QTranslator) -> None:
    issues = [
        Issue.of("name", "rule_needs_name"),
        *(issue.under("triggers[0]") for issue in validate_trigger(Trigger("", MatchMode.EXACT))),
    ]
    text = rulestext.rule_error_text(RuleError(issues, prefix="rule '': "))
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
    assert rulestext.text(Text.of("switched_off")) in shown
    assert "auto-reply is switched off" not in shown and ": matches" not in shown
