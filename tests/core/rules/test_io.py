"""The rules file: round trip, precise refusals, nothing half-imported; the list table."""

from __future__ import annotations

import dataclasses
import json
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pytest

from wxpanel.core.autoreply.issues import Severity
from wxpanel.core.rules.io import (
    RulesFileError,
    dumps_rules,
    export_rules,
    format_rules_table,
    import_rules_file,
    parse_rules,
    read_rules_file,
)
from wxpanel.core.rules.model import (
    ActiveHours,
    AfterMatch,
    MatchMode,
    Reply,
    ReplyMode,
    Rule,
    RuleKind,
    Scope,
    ScopeKind,
    Trigger,
)
from wxpanel.core.rules.store import RuleCounter, RuleStore

RULES = [
    Rule(
        name="菜单",
        triggers=(Trigger("菜单", MatchMode.EXACT), Trigger("menu", ignore_case=False)),
        reply=Reply(("{nickname}，你好！", "1. 价格\n2. 地址"), ReplyMode.ALL),
        scope=Scope(ScopeKind.BOTH, only_when_mentioned=True, mention_names=("小助手",)),
        active=ActiveHours(dtime(9), dtime(18), (1, 2, 3, 4, 5)),
        cooldown=60,
    ),
    Rule(
        name="天气",
        triggers=(Trigger(r"^天气\s*(?P<city>\S+)$", MatchMode.REGEX, fold_width=False),),
        reply=Reply(("{city}：晴", "{city}：多云"), ReplyMode.RANDOM, "/srv/bot/weather.png"),
        scope=Scope(ScopeKind.CHOSEN, ("24368910573@chatroom", "wxid_a"), ("wxid_spam",)),
        after_match=AfterMatch.CONTINUE,
        enabled=False,
    ),
    Rule(
        name="默认",
        kind=RuleKind.DEFAULT,
        reply=Reply(("稍后回复",)),
        scope=Scope(ScopeKind.PRIVATE),
        cooldown=1800,
        active=ActiveHours(weekdays=(6, 7)),
    ),
    Rule("欢迎", kind=RuleKind.WELCOME_GROUP, reply=Reply(("欢迎 {nickname}",))),
]


def same(a: list[Rule], b: list[Rule]) -> bool:
    strip = [dataclasses.replace(r, id=None, position=0) for r in a]
    return strip == [dataclasses.replace(r, id=None, position=0) for r in b]


def test_round_trip_through_text_and_files(tmp_path: Path) -> None:
    rules, warnings = parse_rules(dumps_rules(RULES))
    assert same(rules, RULES)
    # /srv/bot/weather.png is missing; a group welcome can never fire with demo.exe
    assert [w.path for w in warnings] == ["rules[1].reply.picture", "rules[3].kind"]
    assert all(w.severity is Severity.WARNING for w in warnings)
    path = tmp_path / "rules.json"
    with RuleStore.open(tmp_path / "a" / "history.db") as source:
        source.import_rules(RULES, replace_all=True)
        export_rules(path, source.rules())
    with RuleStore.open(tmp_path / "b" / "history.db") as target:
        summary, _ = import_rules_file(target, path, replace_all=False)
        assert summary.added == 4
        assert same(target.rules(), RULES)
        export_rules(tmp_path / "again.json", target.rules())
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("wxpanel-rules", 1)
    assert "id" not in document["rules"][0] and "position" not in document["rules"][0]


def test_a_short_hand_written_file() -> None:
    text = """\ufeff{"format": "wxpanel-rules", "version": 1, "rules": [
        {"name": "价格", "triggers": ["价格", {"pattern": "多少钱"}], "reply": {"texts": ["99元"]}}
    ]}"""
    (rule,), warnings = parse_rules(text.lstrip("\ufeff"))
    assert warnings == []
    assert rule.triggers == (Trigger("价格"), Trigger("多少钱"))
    assert rule.scope == Scope() and rule.enabled and rule.cooldown == 0


def document(*rules: dict[str, Any], **header: Any) -> str:
    data: dict[str, Any] = {"format": "wxpanel-rules", "version": 1, "rules": list(rules)}
    data.update(header)
    return json.dumps(data, ensure_ascii=False, indent=2)


GOOD: dict[str, Any] = {"name": "ok", "triggers": ["ok"], "reply": {"texts": ["fine"]}}


def refusal(text: str) -> list[str]:
    with pytest.raises(RulesFileError) as caught:
        parse_rules(text)
    return [str(issue) for issue in caught.value.issues]


def test_a_bad_regular_expression_is_refused_with_its_path() -> None:
    bad = {**GOOD, "triggers": [{"pattern": "(unclosed", "mode": "regex"}]}
    problems = refusal(document(GOOD, GOOD, bad))
    assert problems == [
        "rules[2].triggers[0].pattern: bad regular expression:"
        " missing ), unterminated subpattern at position 0"
    ]


def test_a_regex_the_safe_engine_cannot_run_is_refused_at_import() -> None:
    lookahead = {**GOOD, "triggers": [{"pattern": "price(?=s)", "mode": "regex"}]}
    backref = {**GOOD, "triggers": [{"pattern": r"(\w)\1", "mode": "regex"}]}
    huge = {**GOOD, "triggers": [{"pattern": "[^z]{1000}z", "mode": "regex"}]}
    problems = refusal(document(lookahead, GOOD, backref, huge))
    unsupported = (
        ": not supported by the safe regular-expression engine (RE2: no backreferences"
        ", no look-ahead or look-behind such as (?=…)): "
    )
    assert problems == [
        "rules[0].triggers[0].pattern" + unsupported + "invalid perl operator: (?=",
        "rules[2].triggers[0].pattern" + unsupported + "invalid escape sequence: \\1",
        "rules[3].triggers[0].pattern: regular expression too big to match quickly:"
        " 1005 states, at most 300",
    ]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({**GOOD, "cooldown": "60"}, "rules[0].cooldown: expected a number, found the string '60'"),
        ({**GOOD, "enabled": "yes"}, "rules[0].enabled: expected true or false, found the string"),
        ({**GOOD, "kind": "fallback"}, "rules[0].kind: expected one of 'keyword', 'default'"),
        ({**GOOD, "triger": []}, "rules[0].triger: unknown key (typo?)"),
        ({"triggers": ["x"], "reply": {"texts": ["y"]}}, "rules[0].name: missing"),
        ({"name": "x", "triggers": ["x"]}, "rules[0].reply: missing"),
        ({**GOOD, "reply": {"texts": "fine"}}, "rules[0].reply.texts: expected a list of strings"),
        ({**GOOD, "reply": {"texts": ["a", 3]}}, "rules[0].reply.texts[1]: expected a string"),
        ({**GOOD, "triggers": [{"mode": "exact"}]}, "rules[0].triggers[0].pattern: missing"),
        (
            {**GOOD, "triggers": [{"pattern": "x", "mode": "glob"}]},
            "rules[0].triggers[0].mode: expected one of 'exact', 'contains', 'startswith', 'regex'",
        ),
        ({**GOOD, "triggers": "ok"}, "rules[0].triggers: expected a list of triggers"),
        ({**GOOD, "triggers": [3]}, "rules[0].triggers[0]: expected an object, found the number 3"),
        ({**GOOD, "scope": {"kind": "all"}}, "rules[0].scope.kind: expected one of 'private'"),
        (
            {**GOOD, "scope": {"kind": "chosen"}},
            "rules[0].scope.conversations: choose at least one conversation",
        ),
        (
            {**GOOD, "active": {"from": "9h", "until": "18:00"}},
            "rules[0].active.from: expected a time as HH:MM, found '9h'",
        ),
        ({**GOOD, "active": {"from": "09:00"}}, "rules[0].active: give both a start and an end"),
        ({**GOOD, "active": {"weekdays": [0]}}, "rules[0].active.weekdays[0]: a weekday is 1"),
        (
            {**GOOD, "active": {"weekdays": ["mon"]}},
            "rules[0].active.weekdays[0]: expected a weekday 1-7, found the string 'mon'",
        ),
        ({**GOOD, "reply": {"texts": []}}, "rules[0].reply: a reply needs a text or a picture"),
        ("just a string", "rules[0]: expected an object, found the string 'just a string'"),
    ],
)
def test_each_problem_has_its_place_and_reason(rule: Any, expected: str) -> None:
    problems = refusal(document(rule))
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"format": "wxpanel-rules", "version": 1, "rules": [}',
            "not valid JSON: line 1 column 53: Expecting value",
        ),
        ("[]", "expected a JSON object with a 'rules' list"),
        (document(format="other"), "format: expected 'wxpanel-rules', found 'other'"),
        (document(version=2), "version: format version 2 is newer than this wxpanel's 1"),
        (document(version="1"), "version: expected 1, found '1'"),
        (document(extra=True), "extra: unknown key (typo?)"),
        ('{"format": "wxpanel-rules", "version": 1}', "rules: expected a list of rules"),
    ],
)
def test_the_file_itself(text: str, expected: str) -> None:
    assert expected in refusal(text)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(RulesFileError) as caught:
        parse_rules(
            document({**GOOD, "name": ""}, {"name": "x"}, GOOD, {**GOOD, "cooldown": -5}),
            source="r.json",
        )
    message = str(caught.value)
    assert message.splitlines() == [
        "r.json: 3 problems:",
        "  rules[0].name: a rule needs a name",
        "  rules[1].reply: missing",
        "  rules[3].cooldown: must be a number of seconds, 0 or more",
    ]


def test_a_refused_file_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(
        document(GOOD, {**GOOD, "name": "x", "triggers": [{"pattern": "[", "mode": "regex"}]}),
        encoding="utf-8",
    )
    with RuleStore.open(tmp_path / "history.db") as store:
        store.add(Rule("existing", triggers=(Trigger("e"),), reply=Reply(("e",))))
        version = store.version()
        for replace_all in (False, True):
            with pytest.raises(RulesFileError, match=r"rules\[1\]\.triggers\[0\]\.pattern"):
                import_rules_file(store, path, replace_all=replace_all)
        assert [r.name for r in store.rules()] == ["existing"]
        assert store.version() == version


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="cannot read it"):
        read_rules_file(tmp_path / "missing.json")
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes(document(GOOD).replace("fine", "好的").encode("gbk"))
    with pytest.raises(RulesFileError, match=r"gbk.json: not UTF-8 text"):
        read_rules_file(gbk)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + document(GOOD).encode())
    assert [r.name for r in read_rules_file(bom)[0]] == ["ok"]


def test_duplicate_names_warn_because_merge_goes_by_name() -> None:
    _, warnings = parse_rules(document(GOOD, GOOD))
    assert [str(w) for w in warnings] == [
        "rules[1].name: the same name as rules[0]; a merge matches rules by name"
    ]


def test_rules_table() -> None:
    rules = [dataclasses.replace(r, id=i + 1, position=i) for i, r in enumerate(RULES)]
    counters = {1: RuleCounter(1, 12, 10, 1000.0)}
    table = format_rules_table(rules, counters, enabled=True, now=1000.0 + 7200)
    lines = table.splitlines()
    assert lines[0] == "auto-reply is ON"
    assert lines[1].split() == [
        "#",
        "id",
        "on",
        "kind",
        "name",
        "triggers",
        "scope",
        "when",
        "reply",
        "matched",
        "last",
        "matched",
    ]
    assert "=菜单, ~menu" in lines[2] and "both @me" in lines[2] and "12" in lines[2]
    assert "09:00-18:00 1,2,3,4,5 cd 60s" in lines[2] and "2 h ago" in lines[2]
    assert lines[3].split()[2:4] == ["off", "keyword"] and "2 chosen -1" in lines[3]
    assert "{city}：晴 (+1 random) +pic…" in lines[3]  # long cells are clipped
    assert "default" in lines[4] and "(any)" in lines[4] and "6,7 cd 1800s" in lines[4]
    assert lines[-1] == "(+ : lets later rules answer too)"
    # Columns line up although names are Chinese (double width).
    starts = {line.index("keyword") for line in lines[2:4]}
    assert len(starts) == 1
    assert format_rules_table([], enabled=False) == "auto-reply is OFF (global switch)\nno rules"
