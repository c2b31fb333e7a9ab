"""The "try it" box: which rule answers a sample, exactly what it sends, and nothing is written."""

from __future__ import annotations

import sqlite3

from tests.conftest import text_event
from tests.core.rules.conftest import GROUP_ID, MONDAY_10, TZ, Clock, exchange
from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.engine import Engine
from wxpanel.core.protocol import Direction, MessageType
from wxpanel.core.rules.evaluate import EventKind, Incoming
from wxpanel.core.rules.model import (
    MatchMode,
    Reply,
    ReplyMode,
    Rule,
    RuleKind,
    Scope,
    ScopeKind,
    Trigger,
)
from wxpanel.core.rules.replier import AutoReplier
from wxpanel.core.rules.store import RuleStore
from wxpanel.core.rules.tryit import try_message, try_stored

MENU = Rule(
    "menu",
    triggers=(Trigger("菜单", MatchMode.EXACT),),
    reply=Reply(("你好 {nickname}", "1. 价格"), picture="/srv/menu.png"),
    cooldown=300,
)
WEATHER = Rule(
    "weather",
    triggers=(Trigger(r"天气\s*(?P<city>\S+)", MatchMode.REGEX),),
    reply=Reply(("{city} 晴", "{city} 雨"), ReplyMode.RANDOM),
    scope=Scope(ScopeKind.GROUPS),
)


def test_unsaved_rules_can_be_tried() -> None:
    result = try_message(
        [MENU, WEATHER],
        Incoming("wxid_a", "菜单"),
        now=MONDAY_10,
        tz=TZ,
        aliases={"wxid_a": "阿明"},
    )
    (answer,) = result.sending
    assert answer.rule.name == "menu"
    assert answer.reply.to == "wxid_a"
    assert answer.reply.texts == ("你好 阿明", "1. 价格")
    assert answer.reply.picture == "/srv/menu.png"
    assert result.describe() == (
        "rule 'menu' answers wxid_a\n  你好 阿明\n  1. 价格\n  [picture] /srv/menu.png"
    )
    assert [(rule.name, why) for rule, why in result.considered] == [("menu", "matches")]


def test_why_a_rule_does_not_answer() -> None:
    result = try_message([MENU, WEATHER], Incoming("wxid_a", "天气 北京"), now=MONDAY_10, tz=TZ)
    assert result.answers == ()
    assert [(rule.name, why) for rule, why in result.considered] == [
        ("menu", "no trigger matches"),
        ("weather", "answers groups only"),
    ]
    assert result.describe() == "no rule answers this message"
    in_group = try_message(
        [MENU, WEATHER], Incoming(GROUP_ID, "天气 北京", "wxid_b"), now=MONDAY_10, tz=TZ
    )
    assert "one of, at random:\n    北京 晴\n    北京 雨" in in_group.describe()


def test_mentions_and_messages_rules_never_answer() -> None:
    mentioned = Rule(
        "m", triggers=(Trigger("hi"),), reply=Reply(("yo",)), scope=Scope(only_when_mentioned=True)
    )
    config = AutoReplyConfig(nicknames=("Bot",))
    assert (
        try_message(
            [mentioned], Incoming(GROUP_ID, "hi", "wxid_b"), now=MONDAY_10, config=config
        ).answers
        == ()
    )
    assert try_message(
        [mentioned], Incoming(GROUP_ID, "@Bot\u2005hi", "wxid_b"), now=MONDAY_10, config=config
    ).sending
    own = try_message([MENU], Incoming("wxid_a", "菜单", direction=Direction.OUT), now=MONDAY_10)
    assert own.kind is EventKind.OTHER and own.note == "rules never answer an outgoing message"
    picture = try_message(
        [MENU], Incoming("wxid_a", "<img/>", type=MessageType.IMAGE), now=MONDAY_10
    )
    assert picture.note == "rules never answer this kind of message"


def test_stored_rules_with_the_live_state(engine: Engine, clock: Clock) -> None:
    store = RuleStore(engine.hconn)
    store.add(MENU)
    sample = Incoming("wxid_a", "菜单")
    assert try_stored(engine.hconn, sample, now=clock.now, tz=TZ).sending
    exchange(engine, AutoReplier(tz=TZ), [text_event("wxid_a", "菜单")])
    clock.advance(100)
    result = try_stored(engine.hconn, sample, now=clock.now, tz=TZ)
    assert result.sending == ()
    assert result.answers[0].blocked == "cooling down for another 200 s"
    other = try_stored(engine.hconn, Incoming("wxid_b", "菜单"), now=clock.now, tz=TZ)
    assert other.sending  # the cooldown is per conversation
    store.set_auto_reply_enabled(False)
    off = try_stored(engine.hconn, Incoming("wxid_b", "菜单"), now=clock.now, tz=TZ)
    assert off.answers[0].blocked == "auto-reply is switched off"


def test_trying_writes_nothing(engine: Engine, clock: Clock) -> None:
    RuleStore(engine.hconn).add(MENU)

    def snapshot() -> list[object]:
        conn = sqlite3.connect(engine.paths.history)
        try:
            return [
                conn.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608
                for table in ("message", "auto_rule_counter", "auto_cooldown", "auto_setting")
            ]
        finally:
            conn.close()

    before = snapshot()
    for _ in range(3):
        try_stored(engine.hconn, Incoming("wxid_a", "菜单"), now=clock.now, tz=TZ)
    assert snapshot() == before


def test_a_rule_that_delegates_is_shown_answering() -> None:
    ask_ai = Rule("ask", triggers=(Trigger("问"),), reply=Reply(source="assistant"))
    result = try_message([ask_ai], Incoming("wxid_a", "我想问一下"), now=MONDAY_10, tz=TZ)
    (answer,) = result.sending  # not "every text renders empty": the source writes it
    assert answer.rule.reply.source == "assistant" and answer.reply.texts == ()


def test_try_it_says_what_each_placeholder_expands_to_and_what_never_fires() -> None:
    rules = [
        Rule("hi", (Trigger("hi"),), Reply(("{nickname}，你好 {sender}",))),
        Rule("welcome", kind=RuleKind.WELCOME_FRIEND, reply=Reply(("欢迎",))),
    ]
    sample = Incoming("wxid_a", "hi")
    result = try_message(rules, sample, now=MONDAY_10, tz=TZ, aliases={"wxid_a": "阿明"})
    values = dict(result.values)
    assert values["nickname"] == "阿明" and values["sender"] == "wxid_a"
    assert values["content"] == "hi" and values["time"] == "10:00"
    assert [(rule.name, text.key) for rule, text in result.never] == [
        ("welcome", "demo_no_friend_requests")
    ]
    assert "demo.exe accepts friend requests itself" in result.describe()
    anonymous = try_message(rules, sample, now=MONDAY_10, tz=TZ)
    assert dict(anonymous.values)["nickname"] == ""
    assert anonymous.sending[0].reply.texts == ("，你好 wxid_a",)
