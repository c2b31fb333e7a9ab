"""Every problem, try-it verdict and alert carries a translatable key and fields.

The English lines stay exactly what they were (the command line, the JSON
import errors and the logs show them); the key and fields are what the
panel translates (``tests/gui/test_rulestext.py``).
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterable
from datetime import time as dtime
from pathlib import Path

import pytest

from tests.conftest import text_event
from tests.core.rules.conftest import MONDAY_10, TZ, Clock, exchange
from wxpanel.core.autoreply.alerts import Alert, AlertKind
from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.autoreply.issues import Issue, Severity
from wxpanel.core.autoreply.sending import picture_text
from wxpanel.core.engine import Engine
from wxpanel.core.errors import PictureError
from wxpanel.core.outbox import check_picture
from wxpanel.core.protocol import Direction, MessageType
from wxpanel.core.rules.evaluate import Incoming
from wxpanel.core.rules.io import RulesFileError, parse_rules, read_rules_file
from wxpanel.core.rules.model import (
    ActiveHours,
    MatchMode,
    Reply,
    Rule,
    RuleKind,
    ScheduleKind,
    Scope,
    ScopeKind,
    TimedMessage,
    Trigger,
    validate_rule,
    validate_timed,
    validate_trigger,
)
from wxpanel.core.rules.replier import AutoReplier
from wxpanel.core.rules.store import RuleStore
from wxpanel.core.rules.tryit import TryState, try_message
from wxpanel.core.texts import TEXTS, Text, field_names, fill


def keyed(issues: Iterable[Issue]) -> list[Issue]:
    """The issues, each checked: a known key whose English is the message."""
    found = list(issues)
    for issue in found:
        assert issue.key in TEXTS, issue
        assert issue.text is not None
        assert str(issue.text) == issue.message, issue
        assert set(dict(issue.fields)) == field_names(TEXTS[issue.key]), issue
    return found


def test_fill_replaces_only_fields_and_keeps_other_braces() -> None:
    template = TEXTS["unknown_placeholder"]
    assert field_names(template) == {"placeholder"}
    assert fill(template, {"placeholder": "{city}"}) == (
        "unknown placeholder {city} is sent as it is (write {{ and }} for literal braces)"
    )
    assert fill("{seconds:.0f} s", {"seconds": 199.6}) == "200 s"
    with pytest.raises(KeyError):
        fill("{seconds} s", {})
    with pytest.raises(KeyError):
        Text.of("cooling_down")  # a field is missing
    with pytest.raises(KeyError):
        Text.of("no such key")


def test_a_nested_text_is_filled_in_english() -> None:
    found = Text.of("expected_string", found=Text.of("json_number", value="3"))
    assert str(found) == "expected a string, found the number 3"


def test_rule_issues_have_keys_and_the_same_english() -> None:
    rule = Rule(
        "",
        triggers=(
            Trigger(" "),
            Trigger("(", MatchMode.REGEX),
            Trigger("(?P<sender>x)?", MatchMode.REGEX),
            Trigger("ｍｅｎｕ", MatchMode.REGEX),
        ),
        reply=Reply(("", "{nope}")),
        scope=Scope(ScopeKind.CHOSEN, exclude=(" ",)),
        active=ActiveHours(dtime(9, 0), None, ()),
        cooldown=-1,
    )
    issues = keyed(validate_rule(rule))
    assert [str(issue) for issue in issues] == [
        "name: a rule needs a name",
        "triggers[0].pattern: empty keyword",
        "triggers[1].pattern: bad regular expression:"
        " missing ), unterminated subpattern at position 0",
        "triggers[2].pattern: group name 'sender' is taken by the placeholder {sender}",
        "triggers[2].pattern: matches an empty text, so it matches every message",
        "triggers[3].pattern: contains full-width characters; with width folding the text is"
        " searched in half-width form, so write the pattern half-width",
        "scope.conversations: choose at least one conversation",
        "scope.exclude[0]: empty entry",
        "reply.texts[0]: empty text",
        "reply.texts[1]: unknown placeholder {nope} is sent as it is"
        " (write {{ and }} for literal braces)",
        "active: give both a start and an end time, or neither",
        "active.weekdays: choose at least one weekday",
        "cooldown: must be a number of seconds, 0 or more",
    ]
    bad_regex = issues[2]
    assert bad_regex.key == "bad_regex" and bad_regex.path == "triggers[1].pattern"
    assert bad_regex.fields == (("detail", "missing ), unterminated subpattern at position 0"),)
    assert issues[3].fields == (("name", "sender"), ("placeholder", "{sender}"))
    assert [i.key for i in issues if i.severity is Severity.WARNING] == [
        "regex_matches_empty",
        "regex_full_width",
        "unknown_placeholder",
    ]


def test_special_kinds_and_scopes_have_keys() -> None:
    default = Rule(
        "fallback",
        triggers=(Trigger("x"),),
        reply=Reply(picture="relative.png"),
        kind=RuleKind.DEFAULT,
        scope=Scope(ScopeKind.GROUPS, only_when_mentioned=True),
    )
    issues = keyed(validate_rule(default, AutoReplyConfig()))
    assert [(i.path, i.key) for i in issues] == [
        ("triggers", "default_no_triggers"),
        ("scope.only_when_mentioned", "no_mention_nickname"),
        ("reply.picture", "picture_not_absolute"),
        ("cooldown", "default_needs_cooldown"),
    ]
    loud = Rule("fallback", reply=Reply(("?",)), kind=RuleKind.DEFAULT, cooldown=60)
    assert [i.key for i in keyed(validate_rule(loud))] == ["default_in_groups"]
    welcome = Rule("hi", reply=Reply(), kind=RuleKind.WELCOME_GROUP, scope=Scope(ScopeKind.PRIVATE))
    assert [i.key for i in keyed(validate_rule(welcome))] == [
        "welcome_group_private",
        "reply_needs_content",
        "demo_no_group_joins",
    ]
    empty = Rule("kw", reply=Reply(("x",), picture=" "))
    assert [i.key for i in keyed(validate_rule(empty))] == [
        "keyword_needs_trigger",
        "empty_picture",
    ]
    same = Rule("kw", (Trigger("x"),), Reply(("x",)), active=ActiveHours(dtime(9), dtime(9), (9,)))
    assert [i.key for i in keyed(validate_rule(same))] == ["hours_same", "weekday_range"]
    twice = Rule("kw", (Trigger("x"),), Reply(("x",)), active=ActiveHours(weekdays=(1, 1)))
    assert [i.key for i in keyed(validate_rule(twice))] == ["weekday_twice"]


def test_a_trigger_alone_has_a_path_without_prefix() -> None:
    (issue,) = keyed(validate_trigger(Trigger("[", MatchMode.REGEX)))
    assert issue.path == "pattern" and issue.key == "bad_regex"
    assert issue.under("triggers[4]") == Issue(
        "triggers[4].pattern", issue.message, Severity.ERROR, "bad_regex", issue.fields
    )


def test_config_issues_have_keys() -> None:
    config = AutoReplyConfig(nicknames=(" ",), per_minute=0, loop_pause=-1)
    assert [(i.path, i.key) for i in keyed(config.issues())] == [
        ("per_minute", "at_least_one"),
        ("loop_pause", "positive_seconds"),
        ("nicknames[0]", "empty_nickname"),
    ]


def test_timed_issues_have_keys() -> None:
    once = TimedMessage("", (), ScheduleKind.ONCE)
    assert [(str(i), i.key) for i in keyed(validate_timed(once))] == [
        ("name: a timed message needs a name", "timed_needs_name"),
        ("targets: choose at least one conversation", "choose_conversation"),
        ("a timed message needs a text or a picture", "timed_needs_content"),
        ("at: a one-off message needs a date and time", "once_needs_moment"),
    ]
    weekly = TimedMessage("w", (" ",), ScheduleKind.WEEKLY, text="hi", weekdays=())
    assert [i.key for i in keyed(validate_timed(weekly))] == [
        "empty_entry",
        "repeat_needs_time",
        "choose_weekday",
    ]


def png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
    return path


def picture_error(path: Path, max_bytes: int = 1 << 20) -> PictureError:
    with pytest.raises(PictureError) as caught:
        check_picture(path, max_bytes)
    return caught.value


def test_picture_problems_have_keys(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    big = png(tmp_path / "big.png")
    cases = {
        "picture_missing": picture_error(tmp_path / "gone.png"),
        "picture_not_file": picture_error(tmp_path),
        "picture_not_picture": picture_error(text),
        "picture_too_big": picture_error(big, max_bytes=10),
    }
    for key, exc in cases.items():
        found = picture_text(exc)
        assert found is not None and found.key == key and str(found) == str(exc)
    assert str(cases["picture_too_big"]).endswith("0.0 MiB is over the 0.0 MiB limit")
    rule = Rule("pic", (Trigger("x"),), Reply(picture=str(tmp_path / "gone.png")))
    (issue,) = keyed(validate_rule(rule))
    assert (issue.path, issue.key, issue.severity) == (
        "reply.picture",
        "picture_missing",
        Severity.WARNING,
    )
    assert picture_text(PictureError("http://x: not a JPG, PNG, GIF or BMP picture")) is None


def rules_file_issues(text: str) -> list[Issue]:
    with pytest.raises(RulesFileError) as caught:
        parse_rules(text)
    return keyed(caught.value.issues)


def test_rules_file_problems_have_keys_and_the_same_english() -> None:
    (issue,) = rules_file_issues("{")
    assert issue.key == "not_json"
    assert str(issue) == (
        "not valid JSON: line 1 column 2: Expecting property name enclosed in double quotes"
    )
    assert [i.key for i in rules_file_issues("[]")] == ["not_rules_object"]
    issues = rules_file_issues(json.dumps({"format": "x", "version": 99, "extra": 1}))
    assert [str(i) for i in issues] == [
        "format: expected 'wxpanel-rules', found 'x'",
        "version: format version 99 is newer than this wxpanel's 1",
        "extra: unknown key (typo?)",
        "rules: expected a list of rules",
    ]
    rules = [
        {"name": 3, "triggers": "hi", "reply": {"texts": [1]}},
        {"name": "a", "enabled": "yes", "cooldown": None, "reply": None, "kind": "odd"},
        {"name": "b", "triggers": [{"pattern": "x"}], "reply": {"texts": "x"}, "scope": []},
        {
            "name": "c",
            "triggers": ["x"],
            "reply": {"texts": ["x"]},
            "active": {"from": "9", "until": "10:00", "weekdays": [1, "2"]},
        },
        {"name": "d", "triggers": ["x"], "active": {"weekdays": {}}},
    ]
    document = {"format": "wxpanel-rules", "version": 1, "rules": rules}
    issues = rules_file_issues(json.dumps(document))
    keys = {issue.key for issue in issues}
    assert keys >= {
        "expected_string",
        "expected_triggers",
        "expected_boolean",
        "expected_number",
        "expected_one_of",
        "expected_strings",
        "expected_object",
        "expected_hhmm",
        "expected_weekday",
        "expected_weekdays",
        "missing",
    }, sorted(keys)
    by_path = {issue.path: issue for issue in issues}
    name = by_path["rules[0].name"]
    assert name.message == "expected a string, found the number 3"
    assert name.fields == (("found", Text.of("json_number", value="3")),)


def test_rules_file_warnings_and_read_errors_have_keys(tmp_path: Path) -> None:
    rule = {"name": "a", "triggers": ["x"], "reply": {"texts": ["x"]}}
    document = {"format": "wxpanel-rules", "version": 1, "rules": [rule, rule]}
    _, warnings = parse_rules(json.dumps(document))
    (same,) = keyed(warnings)
    assert str(same) == "rules[1].name: the same name as rules[0]; a merge matches rules by name"
    latin = tmp_path / "rules.json"
    latin.write_bytes(b"\xff{}")
    with pytest.raises(RulesFileError) as caught:
        read_rules_file(latin)
    (issue,) = keyed(caught.value.issues)
    assert issue.key == "not_utf8" and issue.message == "not UTF-8 text (byte 0)"
    with pytest.raises(RulesFileError) as caught:
        read_rules_file(tmp_path / "none.json")
    assert [i.key for i in keyed(caught.value.issues)] == ["cannot_read"]


MENU = Rule("menu", (Trigger("菜单", MatchMode.EXACT),), Reply(("hi",)), id=1, cooldown=300)
BLANK = Rule("blank", (Trigger("^(x?)y$", MatchMode.REGEX),), Reply(("{1}",)))
GROUPS = Rule("groups", (Trigger("菜单"),), Reply(("x",)), scope=Scope(ScopeKind.GROUPS))


def test_try_it_verdicts_and_reasons_have_keys() -> None:
    result = try_message(
        [GROUPS, MENU],
        Incoming("wxid_a", "菜单"),
        now=MONDAY_10,
        tz=TZ,
        state=TryState(last_answered={1: MONDAY_10 - 100}),
    )
    assert [(rule.name, verdict.key) for rule, verdict in result.verdicts] == [
        ("groups", "groups_only"),
        ("menu", "matches"),
    ]
    assert [(rule.name, why) for rule, why in result.considered] == [
        ("groups", "answers groups only"),
        ("menu", "matches"),
    ]
    (answer,) = result.answers
    assert answer.blocked_text == Text.of("cooling_down", seconds=200.0)
    assert answer.blocked == "cooling down for another 200 s"
    off = try_message([MENU], Incoming("wxid_a", "菜单"), now=MONDAY_10, state=TryState(False))
    assert off.answers[0].blocked_text is not None
    assert off.answers[0].blocked_text.key == "switched_off"
    empty = try_message([BLANK], Incoming("wxid_a", "y"), now=MONDAY_10)
    assert empty.answers[0].blocked_text == Text.of("renders_empty")
    missed = try_message([MENU], Incoming("wxid_a", "天气"), now=MONDAY_10)
    assert [v.key for _, v in missed.verdicts] == ["no_trigger_matches"]
    own = try_message([MENU], Incoming("wxid_a", "菜单", direction=Direction.OUT), now=MONDAY_10)
    assert own.note_text == Text.of("never_outgoing")
    assert own.note == "rules never answer an outgoing message"
    system = try_message([MENU], Incoming("wxid_a", "x", type=MessageType.SYSTEM), now=MONDAY_10)
    assert system.note_text is not None and system.note_text.key == "never_system"


def hi_rule(**changes: object) -> Rule:
    fields: dict[str, object] = {
        "name": "hi",
        "triggers": (Trigger("hi", MatchMode.EXACT),),
        "reply": Reply(("hello",)),
    }
    fields.update(changes)
    return Rule(**fields)  # type: ignore[arg-type]


def checked(alert: Alert) -> Alert:
    assert alert.key in TEXTS and alert.text is not None
    assert str(alert.text) == alert.detail
    return alert


def test_cap_alerts_have_keys(engine: Engine, store: RuleStore, replier: AutoReplier) -> None:
    store.set_config(AutoReplyConfig(per_minute=2, per_conversation_per_minute=1))
    store.add(hi_rule())
    report = exchange(engine, replier, [text_event("wxid_a", "hi"), text_event("wxid_a", "hi")])
    (alert,) = report.alerts
    assert checked(alert).key == "alert_conversation_cap"
    assert alert.detail == "wxid_a: more than 1 auto-replies a minute here; answer dropped"
    report = exchange(engine, replier, [text_event(f"wxid_{n}", "hi") for n in "bcd"])
    assert [checked(a).key for a in report.alerts] == ["alert_cap"]
    assert report.alerts[0].detail == "more than 2 auto-replies a minute; answer dropped"


def test_loop_and_picture_alerts_have_keys(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock, tmp_path: Path
) -> None:
    store.set_config(AutoReplyConfig(loop_exchanges=1, loop_window=30, loop_pause=90))
    store.add(hi_rule(reply=Reply(("hello",), picture=str(tmp_path / "gone.png"))))
    report = exchange(engine, replier, [text_event("wxid_bot", "hi")])
    (picture,) = report.alerts
    assert checked(picture).key == "alert_picture"
    assert picture.detail == f"{tmp_path / 'gone.png'}: no such picture; sent without it"
    problem = dict(picture.fields)["problem"]
    assert isinstance(problem, Text) and problem.key == "picture_missing"
    clock.advance(5)
    report = exchange(engine, replier, [text_event("wxid_bot", "hi")])
    (loop,) = [a for a in report.alerts if a.kind is AlertKind.LOOP]
    assert checked(loop).key == "alert_loop"
    assert loop.detail == (
        "wxid_bot: 1 auto-replies in a row, each within 30 s; looks like another bot"
        " answering. Not answering there for 1.5 min."
    )


def test_an_alert_or_issue_without_a_key_still_works() -> None:
    alert = Alert(AlertKind.RULE, None, "source switched off", 0.0)
    assert alert.text is None and alert.key == ""
    issue = Issue("model", "a model name is needed")
    assert issue.text is None and str(issue.under("sources[0]")) == (
        "sources[0].model: a model name is needed"
    )
