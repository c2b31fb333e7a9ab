"""The auto-replier end to end: exactly once, never to ourselves, capped, loop-safe."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.conftest import EventRow, insert_events, real_event, text_event
from tests.core.rules.conftest import (
    FAST,
    GROUP_ID,
    Clock,
    commands,
    deliver,
    exchange,
    friend_request,
    own_event,
    quiet_engine,
    release,
    sent_texts,
    system_event,
    take_all,
)
from wxpanel.core.autoreply.alerts import AlertKind
from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.engine import Engine
from wxpanel.core.history import HistoryStore, _split_sql, open_history
from wxpanel.core.models import CommandStatus, Message, Origin
from wxpanel.core.rules.model import MatchMode, Reply, Rule, RuleKind, Scope, ScopeKind, Trigger
from wxpanel.core.rules.replier import AutoReplier, Outcome
from wxpanel.core.rules.store import RuleStore
from wxpanel.core.schema import MIGRATIONS

REPO = Path(__file__).resolve().parents[3]


def hi_rule(**changes: object) -> Rule:
    fields: dict[str, object] = {
        "name": "hi",
        "triggers": (Trigger("hi", MatchMode.EXACT),),
        "reply": Reply(("hello {sender}",)),
    }
    fields.update(changes)
    return Rule(**fields)  # type: ignore[arg-type]


def auto_messages(history: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(history)
    try:
        return conn.execute(
            "SELECT conversation, content FROM message WHERE origin = 'auto' ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_answers_go_through_the_outbox(
    engine: Engine, store: RuleStore, replier: AutoReplier
) -> None:
    store.add(hi_rule(reply=Reply(("first {sender}", "second"))))
    report = exchange(engine, replier, [text_event("wxid_a", "hi")])
    assert sent_texts(report) == [("wxid_a", "first wxid_a"), ("wxid_a", "second")]
    assert all(m.origin is Origin.AUTO and m.status is CommandStatus.QUEUED for m in report.queued)
    assert [a.outcome for a in report.answers] == [Outcome.QUEUED]
    assert report.answers[0].message_ids == tuple(m.id for m in report.queued)
    # The outbox releases them one at a time, in order, paced like every command.
    # (Wired into the Engine, a report with queued messages marks the outbox due.)
    release(engine)
    assert commands(engine.exchange_db) == [("wx_send", "wxid_a", "first wxid_a")]
    take_all(engine.exchange_db)
    release(engine)
    assert commands(engine.exchange_db) == [("wx_send", "wxid_a", "second")]
    counters = {c.rule_id: (c.matched, c.sent) for c in report.counters}
    assert counters == {1: (1, 1)}
    assert store.counters()[1].last_matched == engine.clock()
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.more = True  # type: ignore[misc]


def test_nickname_is_the_alias_else_demo_exes_name_never_the_wxid(
    engine: Engine, store: RuleStore, replier: AutoReplier
) -> None:
    store.add(hi_rule(reply=Reply(("hello {nickname}",))))
    with HistoryStore(engine.paths.history) as history:
        history.set_alias("wxid_b", "小明")
        history.set_alias("wxid_d", "老板")
    events = [
        real_event("wxid_a", "hi"),  # no name at all: empty, never the wxid
        real_event("wxid_b", "hi"),
        real_event("wxid_c", "hi", name="老王"),
        real_event("wxid_d", "hi", name="王总"),  # the alias wins
    ]
    assert sent_texts(exchange(engine, replier, events)) == [
        ("wxid_a", "hello "),
        ("wxid_b", "hello 小明"),
        ("wxid_c", "hello 老王"),
        ("wxid_d", "hello 老板"),
    ]


def test_never_answers_own_messages_our_commands_or_their_echoes(
    engine: Engine, store: RuleStore, replier: AutoReplier
) -> None:
    # A rule whose reply contains its own trigger: answering an echo would loop at once.
    store.add(Rule("echo", triggers=(Trigger("hi"),), reply=Reply(("hi back",))))
    report = exchange(engine, replier, [own_event("wxid_a", "hi"), own_event(GROUP_ID, "hi")])
    assert report.queued == ()
    engine.queue_text("wxid_a", "hi from the operator")
    assert replier.process(engine.hconn, engine.pacer, engine.clock()).queued == ()
    take_all(engine.exchange_db)
    engine.poll()
    take_all(engine.exchange_db)
    report = exchange(engine, replier, [text_event("wxid_b", "hi")])
    assert sent_texts(report) == [("wxid_b", "hi back")]
    release(engine)  # written; demo.exe sends it and reports it as 发出
    assert commands(engine.exchange_db) == [("wx_send", "wxid_b", "hi back")]
    take_all(engine.exchange_db)
    report = exchange(engine, replier, [own_event("wxid_b", "hi back")])
    assert report.queued == ()
    assert auto_messages(engine.paths.history) == [("wxid_b", "hi back")]


def auto_replies(engine: Engine, rows: list[EventRow]) -> list[Message]:
    """Deliver ``rows`` to a real Engine (its own replier wired in) and collect its answers."""
    insert_events(engine.exchange_db, rows)
    answers: list[Message] = []
    for _ in range(20):
        answers.extend(m for m in engine.poll().messages if m.origin is Origin.AUTO)
    return answers


def test_each_event_is_answered_once_even_across_a_restart(exchange_db: Path, clock: Clock) -> None:
    with Engine(exchange_db, settings=FAST, clock=clock) as engine:
        RuleStore(engine.hconn).add(hi_rule())
        assert [m.content for m in auto_replies(engine, [text_event("wxid_a", "hi")])] == [
            "hello wxid_a"
        ]
        again = AutoReplier().process(engine.hconn, engine.pacer, clock.now)  # a second replier
        assert again.queued == () and again.examined == 0
        history = engine.paths.history
    clock.advance(3600)
    with Engine(exchange_db, settings=FAST, clock=clock) as engine:
        assert auto_replies(engine, []) == []  # the restart answers nothing again
        assert len(auto_replies(engine, [text_event("wxid_a", "hi")])) == 1  # a new event is
    assert auto_messages(history) == [("wxid_a", "hello wxid_a")] * 2


def test_without_rules_messages_and_the_watermark_commit_together(
    exchange_db: Path, clock: Clock
) -> None:
    """No rule can answer: the round's one commit records the messages and skips them.

    A second commit per round (the rules' own, only to move the watermark)
    cost a sync of history.db-wal each; and committed with the messages,
    no crash can leave them waiting to be answered once rules are added.
    """
    with Engine(exchange_db, settings=FAST, clock=clock) as engine:
        engine.poll()
        statements: list[str] = []
        engine.hconn.set_trace_callback(statements.append)
        insert_events(exchange_db, [text_event("wxid_a", "hi"), text_event("wxid_b", "hi")])
        assert len(engine.poll().messages) == 2
        engine.hconn.set_trace_callback(None)
        assert statements.count("COMMIT") == 1
        newest = engine.hconn.execute("SELECT max(id) FROM message").fetchone()[0]
        assert RuleStore(engine.hconn).watermark() == newest
        assert auto_replies(engine, []) == []


def test_rules_added_between_rounds_answer_the_next_message(
    exchange_db: Path, clock: Clock
) -> None:
    """The rules' step in the ingest's transaction asks again whether any rule can answer."""
    with Engine(exchange_db, settings=FAST, clock=clock) as engine:
        assert auto_replies(engine, [text_event("wxid_a", "hi")]) == []  # no rule yet
        with RuleStore.open(engine.paths.history) as rules:  # the rules page's connection
            rules.add(hi_rule())
        answers = auto_replies(engine, [text_event("wxid_b", "hi")])
        assert [(m.conversation, m.content) for m in answers] == [("wxid_b", "hello wxid_b")]
        # Switched off again: the next messages are skipped in the ingest's commit.
        with RuleStore.open(engine.paths.history) as rules:
            rules.set_auto_reply_enabled(False)
        assert auto_replies(engine, [text_event("wxid_c", "hi")]) == []
        newest = engine.hconn.execute("SELECT max(id) FROM message").fetchone()[0]
        assert RuleStore(engine.hconn).watermark() == newest


def test_a_failed_round_changes_nothing_and_is_done_again(
    engine: Engine, store: RuleStore, replier: AutoReplier, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add(hi_rule(cooldown=60))
    deliver(engine, [text_event("wxid_a", "hi"), text_event("wxid_b", "hi")])
    import wxpanel.core.rules.replier as module

    def boom(conn: sqlite3.Connection, key: str, value: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    with monkeypatch.context() as patch:
        patch.setattr(module, "write_setting", boom)
        with pytest.raises(sqlite3.OperationalError):
            replier.process(engine.hconn, engine.pacer, engine.clock())
        assert auto_messages(engine.paths.history) == []
        assert store.counters() == {}
        watermark = store.watermark()
    report = replier.process(engine.hconn, engine.pacer, engine.clock())
    assert len(report.queued) == 2 and store.watermark() > watermark
    assert len(auto_messages(engine.paths.history)) == 2
    assert {c.rule_id: c.matched for c in report.counters} == {1: 2}


CHILD = """
import os, sys
from pathlib import Path
import wxpanel.core.rules.replier as module
from wxpanel.core.engine import Engine
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings

def die(conn, key, value):
    if key == "watermark":
        os._exit(9)  # the answers are inserted, the transaction is not committed

module.write_setting = die
fast = Settings(pacer=PacerConfig(PacingRule(0, 0, 1000), PacingRule(0, 0, 1000)))
engine = Engine(Path(sys.argv[1]), settings=fast)
while engine.poll().messages:
    pass
module.AutoReplier().process(engine.hconn, engine.pacer, 1.0e9)
"""


@pytest.mark.slow
def test_killed_in_the_middle_of_a_round_answers_once_after_restart(
    exchange_db: Path, clock: Clock
) -> None:
    with quiet_engine(exchange_db, clock) as engine:
        RuleStore(engine.hconn).add(hi_rule())
        history = engine.paths.history
    from tests.conftest import insert_events

    insert_events(exchange_db, [text_event("wxid_a", "hi"), text_event("wxid_b", "hi")])
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(exchange_db)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert child.returncode == 9, child.stderr
    # Killed with the connection open: its -wal is left (WAL mode; it held a
    # rollback journal when history.db had one), the half round uncommitted.
    assert (history.parent / "history.db-wal").exists()
    with quiet_engine(exchange_db, clock) as engine:
        assert auto_messages(history) == []  # the half round was rolled back
        report = AutoReplier().process(engine.hconn, engine.pacer, clock.now)
        assert sorted(sent_texts(report)) == [
            ("wxid_a", "hello wxid_a"),
            ("wxid_b", "hello wxid_b"),
        ]
        assert AutoReplier().process(engine.hconn, engine.pacer, clock.now).queued == ()
    assert len(auto_messages(history)) == 2


def test_history_from_before_the_rules_is_not_answered(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in _split_sql(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO message (conversation, sender, direction, origin, type, content, time)"
        " VALUES ('wxid_a', 'wxid_a', 'in', 'event', 1, 'hi', 1.0)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    conn = open_history(path)  # migrates to version 2
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    store = RuleStore(conn)
    assert store.watermark() == 1
    store.add(hi_rule())
    from wxpanel.core.pacer import Pacer, PacerConfig

    report = AutoReplier().process(conn, Pacer(PacerConfig()), 10.0)
    assert report.queued == () and report.examined == 0
    conn.close()


def test_cooldown_per_rule_and_conversation(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    store.add(hi_rule(cooldown=60))
    assert len(exchange(engine, replier, [text_event("wxid_a", "hi")]).queued) == 1
    clock.advance(30)
    report = exchange(engine, replier, [text_event("wxid_a", "hi"), text_event("wxid_b", "hi")])
    assert sent_texts(report) == [("wxid_b", "hello wxid_b")]
    assert [a.outcome for a in report.answers] == [Outcome.COOLDOWN, Outcome.QUEUED]
    clock.advance(31)
    assert len(exchange(engine, replier, [text_event("wxid_a", "hi")]).queued) == 1
    counter = store.counters()[1]
    assert (counter.matched, counter.sent) == (4, 3)


def test_cooldown_survives_a_restart(exchange_db: Path, clock: Clock) -> None:
    with quiet_engine(exchange_db, clock) as engine:
        RuleStore(engine.hconn).add(hi_rule(cooldown=600))
        assert len(exchange(engine, AutoReplier(), [text_event("wxid_a", "hi")]).queued) == 1
    clock.advance(60)
    with quiet_engine(exchange_db, clock) as engine:
        assert exchange(engine, AutoReplier(), [text_event("wxid_a", "hi")]).queued == ()


def test_default_reply_once_per_conversation_per_period(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    store.add(hi_rule())
    store.add(
        Rule(
            "fallback",
            kind=RuleKind.DEFAULT,
            reply=Reply(("我是机器人，稍后回复你",)),
            cooldown=600,
            scope=Scope(ScopeKind.PRIVATE),
        )
    )
    report = exchange(
        engine,
        replier,
        [
            text_event("wxid_a", "在吗"),
            text_event("wxid_a", "有事找你"),
            text_event("wxid_a", "hi"),
            text_event(GROUP_ID, "在吗", sender="wxid_c"),
        ],
    )
    assert sent_texts(report) == [
        ("wxid_a", "我是机器人，稍后回复你"),
        ("wxid_a", "hello wxid_a"),
    ]
    clock.advance(601)
    assert sent_texts(exchange(engine, replier, [text_event("wxid_a", "还在吗")])) == [
        ("wxid_a", "我是机器人，稍后回复你")
    ]


def test_welcome_new_group_members_and_friend_requests(
    engine: Engine, store: RuleStore, replier: AutoReplier
) -> None:
    store.add(Rule("join", kind=RuleKind.WELCOME_GROUP, reply=Reply(("欢迎 {nickname}！",))))
    store.add(Rule("friend", kind=RuleKind.WELCOME_FRIEND, reply=Reply(("你好 {nickname}",))))
    report = exchange(
        engine,
        replier,
        [
            system_event(GROUP_ID, '"张伟"邀请"李娜"加入了群聊', "wxid_zw"),
            system_event(GROUP_ID, '"张伟"撤回了一条消息', "wxid_zw"),
            friend_request("wxid_new", "小鱼儿", "我是小鱼儿"),
            text_event("wxid_a", "张伟邀请李娜加入了群聊"),  # a text, not a notice
        ],
    )
    assert sent_texts(report) == [(GROUP_ID, "欢迎 李娜！"), ("wxid_new", "你好 小鱼儿")]


def test_a_welcome_is_once_per_contact_ever_whatever_the_cooldown(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    """Issue 14: a welcome with cooldown 0 greeted one contact ten times in six minutes."""
    store.add(Rule("欢迎新朋友", kind=RuleKind.WELCOME_FRIEND, reply=Reply(("你好 {nickname}",))))
    store.add(Rule("join", kind=RuleKind.WELCOME_GROUP, reply=Reply(("欢迎 {nickname}！",))))
    join = system_event(GROUP_ID, '"张伟"邀请"李娜"加入了群聊', "wxid_zw")
    first = exchange(engine, replier, [friend_request("wxid_new", "小鱼儿", "我是小鱼儿"), join])
    assert sent_texts(first) == [("wxid_new", "你好 小鱼儿"), (GROUP_ID, "欢迎 李娜！")]
    for _ in range(3):
        clock.advance(2 * 86_400)  # days later, after any pruning of cooldowns
        again = exchange(engine, replier, [friend_request("wxid_new", "小鱼儿", "在吗"), join])
        assert sent_texts(again) == []
        assert {a.outcome for a in again.answers} == {Outcome.COOLDOWN}
    other = exchange(engine, replier, [friend_request("wxid_other", "阿强", "你好")])
    assert sent_texts(other) == [("wxid_other", "你好 阿强")]


def test_global_cap_drops_and_alerts(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    store.set_config(AutoReplyConfig(per_minute=3))
    store.add(hi_rule())
    report = exchange(engine, replier, [text_event(f"wxid_{n}", "hi") for n in range(5)])
    assert [m.conversation for m in report.queued] == ["wxid_0", "wxid_1", "wxid_2"]
    assert [a.kind for a in report.alerts] == [AlertKind.CAP]
    assert [a.outcome for a in report.answers].count(Outcome.CAP) == 2
    clock.advance(30)
    assert exchange(engine, replier, [text_event("wxid_5", "hi")]).queued == ()
    clock.advance(31)  # the first three left the one-minute window
    assert len(exchange(engine, replier, [text_event("wxid_6", "hi")]).queued) == 1
    with HistoryStore(engine.paths.history) as history:
        assert history.counters()["auto_dropped"] == 3


def test_conversation_cap_counts_commands(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    store.set_config(AutoReplyConfig(per_conversation_per_minute=3))
    store.add(hi_rule(reply=Reply(("one", "two"))))
    report = exchange(
        engine,
        replier,
        [text_event("wxid_a", "hi"), text_event("wxid_a", "hi"), text_event("wxid_b", "hi")],
    )
    assert sent_texts(report) == [
        ("wxid_a", "one"),
        ("wxid_a", "two"),
        ("wxid_b", "one"),
        ("wxid_b", "two"),
    ]  # the second answer to wxid_a (2 more commands) would make 4 > 3: dropped whole
    assert [(a.kind, a.conversation) for a in report.alerts] == [
        (AlertKind.CONVERSATION_CAP, "wxid_a")
    ]


def bot_says(engine: Engine, replier: AutoReplier, clock: Clock, text: str = "hi") -> list[str]:
    clock.advance(5)
    report = exchange(engine, replier, [text_event("wxid_bot", text)])
    return [a.outcome.value for a in report.answers]


def test_two_bots_answering_each_other_are_stopped(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    store.set_config(AutoReplyConfig(loop_exchanges=3, loop_window=30, loop_pause=600))
    store.add(hi_rule())
    assert [bot_says(engine, replier, clock) for _ in range(3)] == [["queued"]] * 3
    clock.advance(5)
    report = exchange(engine, replier, [text_event("wxid_bot", "hi"), text_event("wxid_a", "hi")])
    assert sent_texts(report) == [("wxid_a", "hello wxid_a")]  # other conversations go on
    (alert,) = report.alerts
    assert alert.kind is AlertKind.LOOP and alert.conversation == "wxid_bot"
    assert [p.conversation for p in store.paused(clock.now)] == ["wxid_bot"]
    with HistoryStore(engine.paths.history) as history:
        assert "wxid_bot" in history.recent_errors()[0][2]
    assert bot_says(engine, replier, clock) == ["paused"]
    clock.advance(600)
    assert bot_says(engine, replier, clock) == ["queued"]  # the pause is over


def test_operator_can_resume_a_paused_conversation(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    store.set_config(AutoReplyConfig(loop_exchanges=1, loop_window=30, loop_pause=600))
    store.add(hi_rule())
    assert bot_says(engine, replier, clock) == ["queued"]
    assert bot_says(engine, replier, clock) == ["loop"]
    store.resume("wxid_bot")
    assert store.paused(clock.now) == []
    assert bot_says(engine, replier, clock) == ["queued"]


def test_a_streak_ends_with_an_unanswered_message_a_human_or_a_pause(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    store.set_config(AutoReplyConfig(loop_exchanges=2, loop_window=30, loop_pause=600))
    store.add(hi_rule())
    assert bot_says(engine, replier, clock) == ["queued"]
    assert bot_says(engine, replier, clock) == ["queued"]
    assert bot_says(engine, replier, clock, "no rule matches this") == []
    assert bot_says(engine, replier, clock) == ["queued"]
    assert bot_says(engine, replier, clock) == ["queued"]
    engine.queue_text("wxid_bot", "the operator speaks")
    assert bot_says(engine, replier, clock) == ["queued"]
    assert bot_says(engine, replier, clock) == ["queued"]
    clock.advance(31)  # slower than loop_window: a human pace
    assert bot_says(engine, replier, clock) == ["queued"]
    assert bot_says(engine, replier, clock) == ["queued"]
    assert bot_says(engine, replier, clock) == ["loop"]


def test_global_switch_stops_everything_and_survives_a_restart(
    exchange_db: Path, clock: Clock
) -> None:
    with quiet_engine(exchange_db, clock) as engine:
        store = RuleStore(engine.hconn)
        store.add(hi_rule())
        store.set_auto_reply_enabled(False)
        assert exchange(engine, AutoReplier(), [text_event("wxid_a", "hi")]).queued == ()
    with quiet_engine(exchange_db, clock) as engine:
        store = RuleStore(engine.hconn)
        assert store.auto_reply_enabled() is False
        replier = AutoReplier()
        assert exchange(engine, replier, [text_event("wxid_b", "hi")]).queued == ()
        store.set_auto_reply_enabled(True)
        # What arrived while it was off is not answered afterwards.
        assert replier.process(engine.hconn, engine.pacer, clock.now).queued == ()
        assert len(exchange(engine, replier, [text_event("wxid_c", "hi")]).queued) == 1


def test_edits_on_another_connection_apply_at_once(
    engine: Engine, store: RuleStore, replier: AutoReplier
) -> None:
    store.add(hi_rule())
    assert len(exchange(engine, replier, [text_event("wxid_a", "hi")]).queued) == 1
    menu = store.add(Rule("menu", triggers=(Trigger("菜单"),), reply=Reply(("1. 价格",))))
    assert sent_texts(exchange(engine, replier, [text_event("wxid_a", "菜单")])) == [
        ("wxid_a", "1. 价格")
    ]
    assert menu.id is not None
    store.set_enabled(menu.id, False)
    assert exchange(engine, replier, [text_event("wxid_a", "菜单")]).queued == ()
    store.move(menu.id, 0)
    store.set_enabled(menu.id, True)
    store.update(Rule("menu", triggers=(Trigger("hi"),), reply=Reply(("menu first",)), id=menu.id))
    assert sent_texts(exchange(engine, replier, [text_event("wxid_a", "hi")])) == [
        ("wxid_a", "menu first")
    ]


def test_batches_continue_where_they_stopped(
    engine: Engine, store: RuleStore, clock: Clock
) -> None:
    store.add(hi_rule())
    deliver(engine, [text_event(f"wxid_{n}", "hi") for n in range(5)])
    replier = AutoReplier(batch=2)
    rounds = []
    while True:
        report = replier.process(engine.hconn, engine.pacer, clock.now)
        rounds.append((report.examined, report.more, len(report.queued)))
        if not report.more:
            break
    # Rounds after the events meet our own replies, answer nothing, and move past them.
    assert [r[2] for r in rounds] == [2, 2, 1, 0, 0]
    assert all(examined == 2 for examined, _, _ in rounds)
    last = replier.process(engine.hconn, engine.pacer, clock.now)
    assert last.examined == 0 and not last.more
    assert sorted(c for c, _ in auto_messages(engine.paths.history)) == [
        f"wxid_{n}" for n in range(5)
    ]


def test_no_lock_is_taken_while_nothing_is_new(
    engine: Engine, store: RuleStore, replier: AutoReplier
) -> None:
    store.add(hi_rule())
    exchange(engine, replier, [text_event("wxid_a", "hi")])
    blocker = sqlite3.connect(engine.paths.history, isolation_level=None, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the history
    try:
        report = replier.process(engine.hconn, engine.pacer, engine.clock())
        assert report.empty
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    data += chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    path.write_bytes(data)
    return path


def test_picture_replies_and_a_missing_picture(
    engine: Engine, store: RuleStore, replier: AutoReplier, tmp_path: Path
) -> None:
    picture = png(tmp_path / "menu.png")
    rule = store.add(hi_rule(reply=Reply(("see the menu",), picture=str(picture))))
    report = exchange(engine, replier, [text_event("wxid_a", "hi")])
    assert [(m.command.value if m.command else None, m.content) for m in report.queued] == [
        ("wx_send", "see the menu"),
        ("wx_picture", str(picture.resolve())),
    ]
    picture.unlink()
    report = exchange(engine, replier, [text_event("wxid_b", "hi")])
    assert sent_texts(report) == [("wxid_b", "see the menu")]
    assert [a.kind for a in report.alerts] == [AlertKind.PICTURE]
    assert rule.id is not None
    store.update(dataclasses.replace(rule, reply=Reply(picture=str(picture))))
    report = exchange(engine, replier, [text_event("wxid_c", "hi")])
    assert report.queued == () and [a.outcome for a in report.answers] == [Outcome.EMPTY]


def test_only_when_mentioned_uses_the_configured_nickname(
    engine: Engine, store: RuleStore, replier: AutoReplier
) -> None:
    store.set_config(AutoReplyConfig(nicknames=("小助手",)))
    store.add(hi_rule(scope=Scope(ScopeKind.GROUPS, only_when_mentioned=True)))
    report = exchange(
        engine,
        replier,
        [
            text_event(GROUP_ID, "hi", sender="wxid_b"),
            text_event(GROUP_ID, "@小助手\u2005hi", sender="wxid_c"),
        ],
    )
    assert sent_texts(report) == [(GROUP_ID, "hello wxid_c")]


def test_a_burst_of_welcomes_is_not_a_loop(
    engine: Engine, store: RuleStore, replier: AutoReplier, clock: Clock
) -> None:
    store.set_config(AutoReplyConfig(loop_exchanges=1, loop_window=30))
    store.add(Rule("join", kind=RuleKind.WELCOME_GROUP, reply=Reply(("欢迎 {nickname}",))))
    for name in ("甲", "乙", "丙"):
        clock.advance(2)
        report = exchange(
            engine, replier, [system_event(GROUP_ID, f'"张伟"邀请"{name}"加入了群聊')]
        )
        assert sent_texts(report) == [(GROUP_ID, f"欢迎 {name}")]


def test_a_catastrophic_regex_rule_cannot_stop_the_bot(
    engine: Engine, store: RuleStore, replier: AutoReplier
) -> None:
    # Under re, "(a+)+$" against 41 "a" and "!" ran for hours on the poller thread.
    store.add(
        Rule("evil", triggers=(Trigger("(a+)+$", MatchMode.REGEX),), reply=Reply(("caught",)))
    )
    store.add(hi_rule())
    report = exchange(
        engine,
        replier,
        [text_event("wxid_a", "a" * 41 + "!"), text_event("wxid_b", "hi")],
    )
    assert sent_texts(report) == [("wxid_b", "hello wxid_b")]


def test_a_message_whose_evaluation_fails_is_recorded_once_and_never_retried(
    exchange_db: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wxpanel.core.rules.evaluate as evaluate

    real = evaluate.RuleSet.matches
    tries: list[str] = []

    def fragile(self: evaluate.RuleSet, event: evaluate.Event, local: object) -> object:
        tries.append(event.text)
        if event.text == "poison":
            raise MemoryError("out of memory in a rule")
        return real(self, event, local)  # type: ignore[arg-type]

    monkeypatch.setattr(evaluate.RuleSet, "matches", fragile)
    with quiet_engine(exchange_db, clock) as engine:
        RuleStore(engine.hconn).add(hi_rule(triggers=(Trigger("hi"),)))
        deliver(engine, [text_event("wxid_a", "poison"), text_event("wxid_b", "hi")])
        report = AutoReplier().process(engine.hconn, engine.pacer, clock.now)
        assert sent_texts(report) == [("wxid_b", "hello wxid_b")]
        [alert] = report.alerts
        assert alert.kind is AlertKind.EVALUATION and alert.key == "alert_rule_failed"
        assert "MemoryError: out of memory in a rule" in alert.detail
        with HistoryStore(engine.paths.history) as history:
            errors = [detail for _, kind, detail in history.recent_errors() if kind == "autoreply"]
        assert len(errors) == 1 and "could not be evaluated" in errors[0]
    assert tries == ["poison", "hi"]
    with quiet_engine(exchange_db, clock) as engine:  # a restart
        report = AutoReplier().process(engine.hconn, engine.pacer, clock.now)
        assert report.examined == 0 and report.alerts == ()
    assert tries == ["poison", "hi"]  # not evaluated again
