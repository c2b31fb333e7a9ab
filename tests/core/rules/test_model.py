"""Rule values: validation with precise paths, and templates that never raise."""

from __future__ import annotations

from datetime import time as dtime
from pathlib import Path

import pytest

from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.autoreply.issues import Issue, Severity
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
    errors,
    validate_rule,
    validate_timed,
    validate_trigger,
)
from wxpanel.core.rules.template import placeholders, render


def rule(**changes: object) -> Rule:
    base: dict[str, object] = {
        "name": "menu",
        "triggers": (Trigger("菜单"),),
        "reply": Reply(("hello",)),
    }
    base.update(changes)
    return Rule(**base)  # type: ignore[arg-type]


def messages(found: list[Issue]) -> list[str]:
    return [str(issue) for issue in found]


def test_a_good_rule_has_no_issue() -> None:
    assert validate_rule(rule()) == []


def test_bad_regex_is_reported_with_the_regex_error() -> None:
    found = validate_trigger(Trigger("[abc", MatchMode.REGEX))
    assert len(found) == 1
    assert found[0].path == "pattern"
    assert found[0].message.startswith("bad regular expression: unterminated character set")
    assert found[0].severity is Severity.ERROR
    nested = validate_rule(rule(triggers=(Trigger("ok"), Trigger("(?P<x", MatchMode.REGEX))))
    assert nested[0].path == "triggers[1].pattern"
    assert "bad regular expression: missing >, unterminated name" in nested[0].message


def test_regex_warnings_and_reserved_group_names() -> None:
    empty = validate_trigger(Trigger("a*", MatchMode.REGEX))
    assert [i.severity for i in empty] == [Severity.WARNING]
    assert "every message" in empty[0].message
    reserved = validate_trigger(Trigger(r"(?P<sender>\w+)", MatchMode.REGEX))
    assert reserved[0].severity is Severity.ERROR and "{sender}" in reserved[0].message
    wide = validate_trigger(Trigger("价格？", MatchMode.REGEX))
    assert wide[0].severity is Severity.WARNING and "half-width" in wide[0].message
    assert validate_trigger(Trigger("价格？", MatchMode.REGEX, fold_width=False)) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "  "}, "name: a rule needs a name"),
        ({"triggers": ()}, "triggers: a keyword rule needs at least one trigger"),
        ({"triggers": (Trigger(""),)}, "triggers[0].pattern: empty keyword"),
        ({"reply": Reply()}, "reply: a reply needs a text or a picture"),
        ({"reply": Reply(("ok", " "))}, "reply.texts[1]: empty text"),
        ({"reply": Reply(picture="pic.png")}, "reply.picture: must be an absolute path"),
        ({"scope": Scope(ScopeKind.CHOSEN)}, "scope.conversations: choose at least one"),
        ({"scope": Scope(exclude=("",))}, "scope.exclude[0]: empty entry"),
        ({"cooldown": -1.0}, "cooldown: must be a number of seconds"),
        ({"cooldown": float("nan")}, "cooldown: must be a number of seconds"),
        ({"active": ActiveHours(dtime(9), None)}, "active: give both a start and an end"),
        ({"active": ActiveHours(dtime(9), dtime(9))}, "active: start and end are the same"),
        ({"active": ActiveHours(weekdays=())}, "active.weekdays: choose at least one weekday"),
        ({"active": ActiveHours(weekdays=(1, 8))}, "active.weekdays[1]: a weekday is 1"),
        ({"kind": RuleKind.DEFAULT}, "triggers: a default reply answers what nothing matched"),
        (
            {"kind": RuleKind.WELCOME_GROUP, "scope": Scope(ScopeKind.PRIVATE)},
            "scope.kind: a group welcome cannot be limited to private chats",
        ),
    ],
)
def test_errors_name_their_place(changes: dict[str, object], expected: str) -> None:
    found = messages(errors(validate_rule(rule(**changes))))
    assert any(text.startswith(expected) for text in found), found


def test_default_reply_needs_a_cooldown_and_warns_about_groups() -> None:
    default = Rule("fallback", kind=RuleKind.DEFAULT, reply=Reply(("?",)))
    assert messages(errors(validate_rule(default))) == [
        "cooldown: a default reply needs one: at most once per conversation per N s"
    ]
    warned = validate_rule(
        Rule("fallback", kind=RuleKind.DEFAULT, reply=Reply(("?",)), cooldown=600)
    )
    assert [(i.path, i.severity) for i in warned] == [("scope.kind", Severity.WARNING)]
    private = Rule(
        "fallback",
        kind=RuleKind.DEFAULT,
        reply=Reply(("?",)),
        cooldown=600,
        scope=Scope(ScopeKind.PRIVATE),
    )
    assert validate_rule(private) == []


def test_mention_without_a_nickname_is_a_warning() -> None:
    mentioned = rule(scope=Scope(only_when_mentioned=True))
    found = validate_rule(mentioned, AutoReplyConfig())
    assert [(i.path, i.severity) for i in found] == [
        ("scope.only_when_mentioned", Severity.WARNING)
    ]
    assert validate_rule(mentioned, AutoReplyConfig(nicknames=("小助手",))) == []


def test_unknown_placeholders_are_warnings_and_regex_groups_are_known() -> None:
    found = validate_rule(rule(reply=Reply(("hi {sender}, {nickname} {foo}",))))
    assert messages(found) == [
        "reply.texts[0]: unknown placeholder {foo} is sent as it is"
        " (write {{ and }} for literal braces)"
    ]
    regex = rule(
        triggers=(Trigger(r"天气\s*(?P<city>\S+)(\d)?", MatchMode.REGEX),),
        reply=Reply(("{city} {1} {2} {0} {content} {time} {date}",)),
    )
    assert validate_rule(regex) == []
    welcome = Rule("hi", kind=RuleKind.WELCOME_GROUP, reply=Reply(("{inviter} 邀请了 {nickname}",)))
    # Only the warning that demo.exe never reports group joins.
    assert [i.key for i in validate_rule(welcome)] == ["demo_no_group_joins"]


def test_missing_picture_is_only_a_warning(tmp_path: Path) -> None:
    found = validate_rule(rule(reply=Reply(picture=str(tmp_path / "gone.png"))))
    assert [(i.path, i.severity) for i in found] == [("reply.picture", Severity.WARNING)]
    assert "no such picture" in found[0].message
    windows = validate_rule(rule(reply=Reply(picture="C:\\bot\\menu.png")))
    assert errors(windows) == []


def test_active_hours_overnight_belong_to_the_day_they_began() -> None:
    office = ActiveHours(dtime(9), dtime(18), (1, 2, 3, 4, 5))
    assert office.contains(1, 9 * 60) and not office.contains(1, 18 * 60)
    assert not office.contains(6, 10 * 60)
    friday_night = ActiveHours(dtime(22), dtime(6), (5,))
    assert friday_night.contains(5, 23 * 60)
    assert friday_night.contains(6, 3 * 60)  # Saturday 03:00 is Friday's night
    assert not friday_night.contains(5, 3 * 60)  # Friday 03:00 is Thursday's
    assert not friday_night.contains(6, 12 * 60)
    sunday_night = ActiveHours(dtime(23), dtime(1), (7,))
    assert sunday_night.contains(1, 30)  # Monday 00:30 follows Sunday
    weekend = ActiveHours(weekdays=(6, 7))
    assert weekend.contains(7, 0) and not weekend.contains(1, 600)


def test_config_issues() -> None:
    assert AutoReplyConfig().issues() == []
    bad = AutoReplyConfig(per_minute=0, loop_window=-1.0, nicknames=(" ",))
    assert [i.path for i in bad.issues()] == ["per_minute", "loop_window", "nicknames[0]"]


def test_timed_validation() -> None:
    daily = TimedMessage(
        "早安", ("wxid_a",), ScheduleKind.DAILY, text="早上好", time_of_day=dtime(9)
    )
    assert validate_timed(daily) == []
    assert messages(validate_timed(TimedMessage("x", (), ScheduleKind.ONCE))) == [
        "targets: choose at least one conversation",
        "a timed message needs a text or a picture",
        "at: a one-off message needs a date and time",
    ]
    weekly = TimedMessage(
        "w", ("wxid_a",), ScheduleKind.WEEKLY, text="hi", time_of_day=dtime(9), weekdays=()
    )
    assert messages(validate_timed(weekly)) == ["weekdays: choose at least one weekday"]


# -- templates -------------------------------------------------------------------------

VALUES = {"sender": "wxid_a", "nickname": "阿明", "1": "北京", "city": "北京", "empty": ""}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("你好 {nickname}（{sender}）", "你好 阿明（wxid_a）"),
        ("{city}天气 {1}", "北京天气 北京"),
        ("{unknown} stays", "{unknown} stays"),
        ("{{sender}} is literal", "{sender} is literal"),
        ("{{{sender}}}", "{wxid_a}"),
        ("lone { and } braces", "lone { and } braces"),
        ("{", "{"),
        ("}", "}"),
        ("{}", "{}"),
        ("{0!r:>10}", "{0!r:>10}"),
        ("{empty}x", "x"),
        ("{sender", "{sender"),
        ("{ sender }", "{ sender }"),
        ("%s %(x)s $x", "%s %(x)s $x"),
    ],
)
def test_render_never_raises(template: str, expected: str) -> None:
    assert render(template, VALUES) == expected


def test_placeholders() -> None:
    assert placeholders("{a} {{b}} {1} {c") == ["a", "1"]
