"""Rule patterns run on RE2: no pattern can make a search last, and Python's meaning is kept."""

from __future__ import annotations

import threading

import pytest

from wxpanel.core.rules.evaluate import Incoming, LocalTime, RuleSet, group_join
from wxpanel.core.rules.model import MatchMode, Reply, Rule, Trigger, validate_trigger
from wxpanel.core.rules.pattern import (
    MAX_STATES,
    PatternError,
    RegexSet,
    compile_regex,
    encode,
    to_re2,
)

CATASTROPHIC = "(a+)+$"  # exponential under a backtracking engine
EVIL_TEXT = "a" * 41 + "!"


def finishes(work: object, seconds: float = 20.0) -> bool:
    """Whether ``work()`` returns within ``seconds`` (re would take hours here)."""
    thread = threading.Thread(target=work, daemon=True)  # type: ignore[arg-type]
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def test_a_catastrophic_pattern_is_accepted_and_searched_in_linear_time() -> None:
    assert validate_trigger(Trigger(CATASTROPHIC, MatchMode.REGEX)) == []
    ruleset = RuleSet(
        [Rule("evil", (Trigger(CATASTROPHIC, MatchMode.REGEX),), Reply(("x",)), id=1)]
    )
    event = ruleset.classify(Incoming("wxid_a", EVIL_TEXT))
    found: list[object] = []
    assert finishes(lambda: found.append(ruleset.matches(event, LocalTime.at(0))))
    assert found == [[]]  # "!" ends the text: no match, and no hang either
    event = ruleset.classify(Incoming("wxid_a", "a" * 41))
    assert [m.rule.name for m in ruleset.matches(event, LocalTime.at(0))] == ["evil"]


@pytest.mark.parametrize(
    ("pattern", "feature"),
    [
        (r"(a)\1", r"\1"),
        (r"(?P<x>a)(?P=x)", "(?P"),
        (r"foo(?=bar)", "(?="),
        (r"foo(?!bar)", "(?!"),
        (r"(?<=a)b", "(?<"),
        (r"(?<!a)b", "(?<"),
        (r"(?x) a b", "(?x"),
    ],
)
def test_what_re2_cannot_run_is_refused_naming_the_construct(pattern: str, feature: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_regex(pattern)
    assert caught.value.key == "regex_unsupported"
    assert feature in caught.value.detail
    [issue] = validate_trigger(Trigger(pattern, MatchMode.REGEX))
    assert issue.key == "regex_unsupported" and issue.path == "pattern"
    assert "backreferences" in issue.message and "look-ahead" in issue.message


def test_a_broken_pattern_keeps_pythons_message() -> None:
    [issue] = validate_trigger(Trigger("(", MatchMode.REGEX))
    assert issue.key == "bad_regex"
    assert issue.message == (
        "bad regular expression: missing ), unterminated subpattern at position 0"
    )


def test_a_pattern_with_too_many_states_is_refused() -> None:
    with pytest.raises(PatternError) as caught:
        compile_regex(r"[^z]{1000}z")
    assert caught.value.key == "regex_too_big"
    assert str(MAX_STATES) in caught.value.detail
    compile_regex(r"[^z]{200}z")  # big classes are one state each: this one is fine
    compile_regex(r"(\w+\s){1,30}x")


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"^订单(\w+)$", "订单苹果", "苹果"),  # RE2's own \w is ASCII-only
        (r"(\d+)", "٣٤", "٣٤"),  # Unicode digits, as in re
        (r"a(\s)b", "a\u3000b", "\u3000"),  # ideographic space
        (r"a(\s)b", "a\x0bb", "\x0b"),  # vertical tab: RE2's \s lacks it
        (r"^(\S+)", "你好 世界", "你好"),
        (r"(\W)", "ab，", "，"),
        (r"([\w-]+)", "号-码!", "号-码"),
        (r"([^\d]+)", "abc1", "abc"),
        (r"([]\d]+)", "x]1]", "]1]"),
        (r"(end)\Z", "the end", "end"),
        (r"([[:alpha:]]+)", "abc1", "abc"),
        (r"(\\d)", r"a\d", r"\d"),  # an escaped backslash is not a class
    ],
)
def test_pythons_meaning_of_classes_is_kept(pattern: str, text: str, expected: str) -> None:
    found = compile_regex(pattern).search(text)
    assert found is not None, to_re2(pattern)
    assert found.group(1) == expected


def test_groups_by_number_and_name() -> None:
    regex = compile_regex(r"^(?P<item>订单)(\d+)(x)?$")
    assert regex.groups == 3 and regex.groupindex == {"item": 1}
    found = regex.search("订单42")
    assert found is not None
    assert found.group(0) == "订单42" and found.group("item") == "订单"
    assert found.groups() == ("订单", "42", None)
    assert found.groupdict() == {"item": "订单"}
    assert compile_regex("ABC", ignore_case=True).search("xabcx") is not None
    assert compile_regex("ABC").search("xabcx") is None
    assert regex.search("订单\udcff") is None  # a lone surrogate (undecodable row) is no error


def test_group_join_notices_cannot_stall_the_poller() -> None:
    # Under re, each of these took a minute of backtracking (16 000 repeats).
    for notice in ("a invited " * 16000, "甲邀请" * 16000, "甲通过" * 16000):
        assert finishes(lambda notice=notice: group_join(notice))
    assert group_join("张三邀请李四、王五加入了群聊") == ("李四、王五", "张三")


SET_PATTERNS = [r"^订单(\d+)$", r"\w+x", "abc", r"(a+)+$", r"\s\S", r"^$", r"[^\d]{3}"]
SET_TEXTS = ["订单12", "ABC zzx", "", "aaaa", "a b", "١٢٣", "甲乙丙", "\u3000x"]


@pytest.mark.parametrize("ignore_case", [False, True])
def test_a_set_finds_exactly_what_each_pattern_finds(ignore_case: bool) -> None:
    regexes = [compile_regex(p, ignore_case=ignore_case) for p in SET_PATTERNS]
    together = RegexSet(regexes, ignore_case)
    for text in SET_TEXTS:
        data = encode(text)
        expected = [k for k, regex in enumerate(regexes) if regex.search(text) is not None]
        assert together.matching(data) == expected, text


def test_rules_still_match_when_re2_gives_up_on_the_set(monkeypatch: pytest.MonkeyPatch) -> None:
    import wxpanel.core.rules.pattern as pattern

    rules = [
        Rule(f"r{k}", (Trigger(p, MatchMode.REGEX),), Reply(("x",)), id=k, position=k)
        for k, p in enumerate(SET_PATTERNS)
    ]
    expected = {
        text: [r.name for r in rules if compile_regex(r.triggers[0].pattern, ignore_case=True)
               .search(text.strip().casefold()) is not None][:1]
        for text in SET_TEXTS if text.strip()
    }  # fmt: skip
    tries = [
        lambda: None,
        lambda: monkeypatch.setattr(RegexSet, "matching", lambda self, data: None),  # a bail
        lambda: monkeypatch.setattr(pattern, "SET_MEMORY", 1 << 12),  # too small to build
    ]
    for setup in tries:
        setup()
        ruleset = RuleSet(rules)
        for text, names in expected.items():
            event = ruleset.classify(Incoming("wxid_a", text))
            assert [m.rule.name for m in ruleset.matches(event, LocalTime.at(0))] == names, text
