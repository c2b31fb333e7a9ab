"""Which rules answer which message: modes, width folding, scope, mentions, hours, order."""

from __future__ import annotations

from datetime import time as dtime

import pytest

from tests.core.rules.conftest import MONDAY_10, TZ, at
from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.protocol import Direction, MessageType
from wxpanel.core.rules.evaluate import (
    EventKind,
    Incoming,
    LocalTime,
    RuleSet,
    classify,
    group_join,
    plan,
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

GROUP = "24368910573@chatroom"


def keyword(
    pattern: str,
    mode: MatchMode = MatchMode.CONTAINS,
    *,
    ignore_case: bool = True,
    fold_width: bool = True,
    name: str | None = None,
    **changes: object,
) -> Rule:
    fields: dict[str, object] = {
        "name": name or pattern,
        "triggers": (Trigger(pattern, mode, ignore_case, fold_width),),
        "reply": Reply((f"reply to {name or pattern}",)),
    }
    fields.update(changes)
    return Rule(**fields)  # type: ignore[arg-type]


def numbered(*rules: Rule) -> list[Rule]:
    from dataclasses import replace

    return [replace(r, id=i + 1, position=i) for i, r in enumerate(rules)]


def answering(
    rules: list[Rule],
    text: str,
    conversation: str = "wxid_alice",
    *,
    sender: str | None = None,
    now: float = MONDAY_10,
    config: AutoReplyConfig | None = None,
    kind: MessageType = MessageType.TEXT,
) -> list[str]:
    ruleset = RuleSet(numbered(*rules), config)
    event = ruleset.classify(Incoming(conversation, text, sender, kind))
    return [m.rule.name for m in ruleset.matches(event, LocalTime.at(now, TZ))]


@pytest.mark.parametrize(
    ("mode", "pattern", "text", "hit"),
    [
        (MatchMode.EXACT, "菜单", "菜单", True),
        (MatchMode.EXACT, "菜单", "  菜单 \n", True),  # surrounding blanks do not count
        (MatchMode.EXACT, "菜单", "菜单呢", False),
        (MatchMode.EXACT, "菜单", "看菜单", False),
        (MatchMode.CONTAINS, "价格", "请问价格多少", True),
        (MatchMode.CONTAINS, "价格", "多少钱", False),
        (MatchMode.STARTSWITH, "天气", "天气 北京", True),
        (MatchMode.STARTSWITH, "天气", "北京天气", False),
        (MatchMode.REGEX, r"^订单\s*\d{6}$", "订单 123456", True),
        (MatchMode.REGEX, r"^订单\s*\d{6}$", "订单 12345", False),
        (MatchMode.REGEX, r"(?i)hello", "say HELLO", True),
        (MatchMode.CONTAINS, "'; DROP TABLE", "x'; drop table wx_event", True),
    ],
)
def test_matching_modes(mode: MatchMode, pattern: str, text: str, hit: bool) -> None:
    assert answering([keyword(pattern, mode)], text) == ([pattern] if hit else [])


@pytest.mark.parametrize("mode", [MatchMode.EXACT, MatchMode.CONTAINS, MatchMode.STARTSWITH])
def test_ignore_case(mode: MatchMode) -> None:
    assert answering([keyword("Help", mode)], "help") == ["Help"]
    assert answering([keyword("Help", mode, ignore_case=False)], "help") == []
    assert answering([keyword("Help", mode, ignore_case=False)], "Help") == ["Help"]
    assert answering([keyword("STRASSE", mode)], "straße") == ["STRASSE"]  # casefold, not lower


def test_regex_ignore_case_uses_the_flag() -> None:
    assert answering([keyword("^help$", MatchMode.REGEX)], "HELP") == ["^help$"]
    assert answering([keyword("^help$", MatchMode.REGEX, ignore_case=False)], "HELP") == []


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("ABC123", "ＡＢＣ１２３"),  # full-width letters and digits
        ("ＡＢＣ１２３", "abc123"),  # the keyword full-width, the text half-width
        ("价格?", "价格？"),  # full-width question mark
        ("a b", "a\u3000b"),  # ideographic space
        ("VIP", "ｖｉｐ会员"),  # width and case together
    ],
)
def test_width_folding(pattern: str, text: str) -> None:
    assert answering([keyword(pattern)], text) == [pattern]
    assert answering([keyword(pattern, fold_width=False, ignore_case=False)], text) == []


def test_width_folding_with_regex_folds_the_text() -> None:
    rule = keyword(r"^订单(\d+)$", MatchMode.REGEX)
    ruleset = RuleSet(numbered(rule))
    event = ruleset.classify(Incoming("wxid_a", "订单１２３"))
    (match,) = ruleset.matches(event, LocalTime.at(MONDAY_10, TZ))
    assert match.groups["1"] == "123"
    assert answering(
        [keyword(r"^订单(\d+)$", MatchMode.REGEX, fold_width=False)], "订单１２３"
    ) == [
        r"^订单(\d+)$"  # \d matches full-width digits in Python even unfolded
    ]
    assert answering([keyword(r"^ok$", MatchMode.REGEX, fold_width=False)], "ｏｋ") == []


def test_several_triggers_any_matches() -> None:
    rule = Rule(
        "price",
        triggers=(Trigger("价格"), Trigger("多少钱"), Trigger("price", MatchMode.EXACT)),
        reply=Reply(("100",)),
    )
    for text in ("价格?", "这个多少钱", "PRICE"):
        assert answering([rule], text) == ["price"]
    assert answering([rule], "prices") == []


def test_first_match_only_or_let_later_rules_answer() -> None:
    first = keyword("a", name="first")
    second = keyword("ab", name="second")
    third = keyword("abc", name="third")
    assert answering([first, second, third], "abc") == ["first"]
    also = keyword("a", name="first", after_match=AfterMatch.CONTINUE)
    assert answering([also, second, third], "abc") == ["first", "second"]
    assert answering(
        [also, keyword("ab", name="second", after_match=AfterMatch.CONTINUE), third], "abc"
    ) == ["first", "second", "third"]
    assert answering([second, first], "abc") == ["second"]  # priority is the list order


def test_disabled_rules_do_not_answer() -> None:
    assert answering([keyword("hi", enabled=False), keyword("h")], "hi") == ["h"]


@pytest.mark.parametrize(
    ("scope", "private", "group"),
    [
        (Scope(ScopeKind.PRIVATE), True, False),
        (Scope(ScopeKind.GROUPS), False, True),
        (Scope(ScopeKind.BOTH), True, True),
        (Scope(ScopeKind.CHOSEN, conversations=(GROUP,)), False, True),
        (Scope(ScopeKind.CHOSEN, conversations=("wxid_alice",)), True, False),
        (Scope(ScopeKind.BOTH, exclude=("wxid_alice",)), False, True),
        (Scope(ScopeKind.BOTH, exclude=(GROUP,)), True, False),
        (Scope(ScopeKind.GROUPS, exclude=("wxid_bob",)), False, False),  # bob speaks in the group
    ],
)
def test_scope(scope: Scope, private: bool, group: bool) -> None:
    rule = keyword("hi", scope=scope)
    assert bool(answering([rule], "hi", "wxid_alice")) is private
    assert bool(answering([rule], "hi", GROUP, sender="wxid_bob")) is group


def test_service_accounts_only_when_chosen() -> None:
    assert answering([keyword("hi")], "hi", "gh_3a1b2c") == []
    assert answering([keyword("hi")], "hi", "weixin") == []
    chosen = keyword("hi", scope=Scope(ScopeKind.CHOSEN, conversations=("gh_3a1b2c",)))
    assert answering([chosen], "hi", "gh_3a1b2c") == ["hi"]


def test_only_when_mentioned_in_groups() -> None:
    config = AutoReplyConfig(nicknames=("小助手",))
    rule = keyword("菜单", MatchMode.EXACT, scope=Scope(only_when_mentioned=True))
    assert answering([rule], "@小助手\u2005菜单", GROUP, sender="wxid_b", config=config) == ["菜单"]
    assert answering([rule], "菜单 @小助手", GROUP, sender="wxid_b", config=config) == ["菜单"]
    assert answering([rule], "菜单", GROUP, sender="wxid_b", config=config) == []
    assert answering([rule], "@小王\u2005菜单", GROUP, sender="wxid_b", config=config) == []
    assert answering([rule], "@小助手们\u2005菜单", GROUP, sender="wxid_b", config=config) == []
    # In a private chat there is nobody else to talk to: no mention needed.
    assert answering([rule], "菜单", "wxid_alice", config=config) == ["菜单"]
    # The rule's own names win over the account's.
    own = keyword(
        "菜单", MatchMode.EXACT, scope=Scope(only_when_mentioned=True, mention_names=("Bot",))
    )
    assert answering([own], "@Bot\u2005菜单", GROUP, sender="wxid_b", config=config) == ["菜单"]
    assert answering([own], "@小助手\u2005菜单", GROUP, sender="wxid_b", config=config) == []


def test_mentions_as_demo_exe_delivers_them() -> None:
    """U+2005 and an emoji in the account's name arrive as ``?`` (code page 936)."""
    config = AutoReplyConfig(nicknames=("小助手",))
    rule = keyword("菜单", MatchMode.EXACT, scope=Scope(only_when_mentioned=True))
    assert answering([rule], "@小助手?菜单", GROUP, sender="wxid_b", config=config) == ["菜单"]
    assert answering([rule], "@小助手们?菜单", GROUP, sender="wxid_b", config=config) == []
    emoji = AutoReplyConfig(nicknames=("小助手🤖",))
    assert answering([rule], "@小助手??菜单", GROUP, sender="wxid_b", config=emoji) == ["菜单"]
    ruleset = RuleSet(numbered(rule), emoji)
    event = ruleset.classify(Incoming(GROUP, "@小助手??菜单", "wxid_b"))
    assert event.text == "菜单" and event.mentions == {"小助手🤖"}


def test_the_mention_is_not_part_of_the_text() -> None:
    config = AutoReplyConfig(nicknames=("小助手",))
    rule = keyword("天气", MatchMode.STARTSWITH, reply=Reply(("[{content}]",)))
    ruleset = RuleSet(numbered(rule), config)
    event = ruleset.classify(Incoming(GROUP, "@小助手\u2005天气 北京", "wxid_b"))
    assert event.text == "天气 北京" and event.mentions == {"小助手"}
    (match,) = ruleset.matches(event, LocalTime.at(MONDAY_10, TZ))
    assert plan(event, match, LocalTime.at(MONDAY_10, TZ)).texts == ("[天气 北京]",)


def test_active_hours_and_weekdays() -> None:
    office = keyword("hi", active=ActiveHours(dtime(9), dtime(18), (1, 2, 3, 4, 5)))
    assert answering([office], "hi", now=at(4, 9, 0)) == ["hi"]  # Monday 09:00
    assert answering([office], "hi", now=at(4, 17, 59)) == ["hi"]
    assert answering([office], "hi", now=at(4, 18, 0)) == []
    assert answering([office], "hi", now=at(4, 8, 59)) == []
    assert answering([office], "hi", now=at(9, 10, 0)) == []  # Saturday
    night = keyword("hi", name="night", active=ActiveHours(dtime(22), dtime(7)))
    assert answering([office, night], "hi", now=at(4, 23, 30)) == ["night"]
    assert answering([office, night], "hi", now=at(5, 6, 59)) == ["night"]
    assert answering([office, night], "hi", now=at(5, 12, 0)) == ["hi"]


def test_default_reply_only_when_nothing_matched() -> None:
    default = Rule(
        "fallback",
        kind=RuleKind.DEFAULT,
        reply=Reply(("?",)),
        cooldown=600,
        scope=Scope(ScopeKind.PRIVATE),
    )
    rules = [default, keyword("菜单")]
    assert answering(rules, "菜单") == ["菜单"]
    assert answering(rules, "随便说说") == ["fallback"]
    assert answering(rules, "随便说说", GROUP, sender="wxid_b") == []  # private only
    assert answering(rules, "菜单", kind=MessageType.IMAGE) == []  # only texts


def test_classify_never_answers_our_own_or_outgoing_messages() -> None:
    out = classify(Incoming("wxid_a", "菜单", direction=Direction.OUT))
    assert out.kind is EventKind.OTHER
    from wxpanel.core.models import Origin

    for origin in (Origin.MANUAL, Origin.AUTO, Origin.TIMED):
        assert classify(Incoming("wxid_a", "菜单", origin=origin)).kind is EventKind.OTHER
    assert classify(Incoming("wxid_a", None)).kind is EventKind.OTHER
    assert classify(Incoming("", "菜单")).kind is EventKind.OTHER
    assert classify(Incoming("wxid_a", "<msg/>", type=MessageType.IMAGE)).kind is EventKind.OTHER


@pytest.mark.parametrize(
    ("notice", "joined", "inviter"),
    [
        ('"张伟"邀请"李娜"加入了群聊', "李娜", "张伟"),
        ("张伟邀请李娜加入了群聊", "李娜", "张伟"),
        ('"张伟"邀请"李娜、王芳"加入了群聊', "李娜、王芳", "张伟"),
        ("你邀请“李娜”加入了群聊", "李娜", "你"),
        ('"李娜"通过扫描"张伟"分享的二维码加入群聊', "李娜", "张伟"),
        ('"李娜"通过扫描二维码加入群聊', "李娜", ""),
        ('"Anna" invited "Bob" to the group chat', "Bob", "Anna"),
        ('"Bob" joined the group chat via the QR Code shared by "Anna".', "Bob", "Anna"),
    ],
)
def test_group_join_notices(notice: str, joined: str, inviter: str) -> None:
    assert group_join(notice) == (joined, inviter)


@pytest.mark.parametrize(
    "notice",
    [
        '"张伟"撤回了一条消息',
        "张伟修改群名为“周末羽毛球”",
        "你已添加了李娜，现在可以开始聊天了。",
        "",
    ],
)
def test_other_notices_are_not_joins(notice: str) -> None:
    assert group_join(notice) is None


def test_welcomes() -> None:
    group_welcome = Rule(
        "welcome", kind=RuleKind.WELCOME_GROUP, reply=Reply(("欢迎 {nickname}！感谢 {inviter}",))
    )
    friend_welcome = Rule(
        "hello", kind=RuleKind.WELCOME_FRIEND, reply=Reply(("你好 {nickname}，你说：{content}",))
    )
    ruleset = RuleSet(numbered(group_welcome, friend_welcome))
    local = LocalTime.at(MONDAY_10, TZ)
    join = ruleset.classify(
        Incoming(GROUP, '"张伟"邀请"李娜"加入了群聊', "wxid_zw", MessageType.SYSTEM)
    )
    assert join.kind is EventKind.GROUP_JOIN
    (match,) = ruleset.matches(join, local)
    assert plan(join, match, local).texts == ("欢迎 李娜！感谢 张伟",)
    assert plan(join, match, local).to == GROUP
    request = ruleset.classify(
        Incoming(
            "fmessage",
            '<msg fromusername="wxid_new" fromnickname="小鱼儿" content="我是小鱼儿&amp;朋友" />',
            "wxid_new",
            MessageType.FRIEND_REQUEST,
        )
    )
    assert request.kind is EventKind.FRIEND_REQUEST
    (match,) = ruleset.matches(request, local)
    reply = plan(request, match, local)
    assert reply.to == "wxid_new"
    assert reply.texts == ("你好 小鱼儿，你说：我是小鱼儿&朋友",)
    # A join notice in a private chat, or a recall notice, is nobody joining.
    assert (
        ruleset.classify(Incoming("wxid_a", "张伟邀请李娜加入了群聊", type=MessageType.SYSTEM)).kind
        is EventKind.OTHER
    )


def test_welcome_with_a_trigger_and_scope() -> None:
    only_badminton = Rule(
        "badminton",
        kind=RuleKind.WELCOME_FRIEND,
        triggers=(Trigger("羽毛球"),),
        reply=Reply(("欢迎球友",)),
    )
    text = '<msg fromusername="wxid_n" fromnickname="N" content="{}" />'
    assert answering(
        [only_badminton],
        text.format("在羽毛球群看到你"),
        "fmessage",
        kind=MessageType.FRIEND_REQUEST,
    ) == ["badminton"]
    assert (
        answering(
            [only_badminton], text.format("你好"), "fmessage", kind=MessageType.FRIEND_REQUEST
        )
        == []
    )
    one_group = Rule(
        "w",
        kind=RuleKind.WELCOME_GROUP,
        reply=Reply(("hi",)),
        scope=Scope(ScopeKind.CHOSEN, conversations=(GROUP,)),
    )
    assert answering([one_group], "A邀请B加入了群聊", GROUP, kind=MessageType.SYSTEM) == ["w"]
    assert answering([one_group], "A邀请B加入了群聊", "1@chatroom", kind=MessageType.SYSTEM) == []


def test_templates_in_a_planned_reply() -> None:
    rule = keyword(
        r"天气\s*(?P<city>\S+)",
        MatchMode.REGEX,
        name="weather",
        reply=Reply(("{nickname}，{city}（{1}）{date} {time}：{content} {missing} {{x}}",)),
    )
    ruleset = RuleSet(numbered(rule))
    local = LocalTime.at(at(4, 9, 5), TZ)
    event = ruleset.classify(Incoming(GROUP, "天气 北京", "wxid_b"))
    (match,) = ruleset.matches(event, local)
    assert plan(event, match, local, {"wxid_b": "小明"}).texts == (
        "小明，北京（北京）2024-03-04 09:05：天气 北京 {missing} {x}",
    )
    # No alias and no name from demo.exe: empty, never the raw wxid.
    assert plan(event, match, local).texts[0].startswith("，北京")


def test_random_reply_and_picture() -> None:
    import random

    rule = keyword("hi", reply=Reply(("a", "b", "c"), ReplyMode.RANDOM, "/srv/p.png"))
    ruleset = RuleSet(numbered(rule))
    local = LocalTime.at(MONDAY_10, TZ)
    event = ruleset.classify(Incoming("wxid_a", "hi"))
    planned = plan(event, ruleset.matches(event, local)[0], local)
    assert planned.size == 2
    seen = {planned.outgoing(random.Random(seed))[0].payload for seed in range(30)}
    assert seen == {"a", "b", "c"}
    assert [s.command.value for s in planned.outgoing(random.Random(1))] == [
        "wx_send",
        "wx_picture",
    ]


def test_invalid_stored_rules_are_skipped_not_run() -> None:
    broken = keyword("[x", MatchMode.REGEX)
    ruleset = RuleSet(numbered(broken, keyword("x")))
    assert [r.name for r, _ in ruleset.skipped] == ["[x"]
    assert answering([broken, keyword("x")], "[x") == ["x"]


def test_a_huge_message_is_matched_on_its_start() -> None:
    """A pasted article is matched on its first MAX_MATCH_CHARS characters only."""
    from wxpanel.core.rules.evaluate import MAX_MATCH_CHARS

    assert answering([keyword("菜单")], "菜单" + "。" * 100_000) == ["菜单"]
    assert answering([keyword("菜单")], "。" * MAX_MATCH_CHARS + "菜单") == []


def test_the_prefilter_agrees_with_the_full_walk() -> None:
    """matches() uses an index; explain() ("try it") tries every rule: same answers."""
    import random

    rng = random.Random(3)
    words = ["菜单", "价格", "ＶＩＰ", "vip", "Hello", "地址", "天气", "会员"]
    modes = list(MatchMode)
    rules = []
    for index in range(120):
        triggers = []
        for _ in range(rng.randint(1, 2)):
            mode = rng.choice(modes)
            word = rng.choice(words)
            pattern = f"{word}(\\S*)" if mode is MatchMode.REGEX else word
            triggers.append(Trigger(pattern, mode, rng.random() < 0.5, rng.random() < 0.5))
        rules.append(
            Rule(
                f"r{index}",
                triggers=tuple(triggers),
                reply=Reply(("x",)),
                scope=rng.choice([Scope(), Scope(ScopeKind.PRIVATE), Scope(ScopeKind.GROUPS)]),
                after_match=rng.choice(list(AfterMatch)),
            )
        )
    rules.append(Rule("d", kind=RuleKind.DEFAULT, reply=Reply(("?",)), cooldown=60))
    ruleset = RuleSet(numbered(*rules))
    local = LocalTime.at(MONDAY_10, TZ)
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        conversation = rng.choice(["wxid_a", GROUP])
        event = ruleset.classify(Incoming(conversation, text, "wxid_b"))
        fast = [(m.rule.name, dict(m.groups)) for m in ruleset.matches(event, local)]
        full = [(m.rule.name, dict(m.groups)) for m, _, _ in ruleset.explain(event, local) if m]
        assert fast == full, text
