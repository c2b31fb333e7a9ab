"""Keyword rules that delegate their answer to a named answer source (Reply.source)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from tests.core.rules.conftest import FAST
from tests.core.sources.conftest import Canned, FakeServer, MemoryKeyring
from wxpanel.core.engine import Engine, PollResult
from wxpanel.core.rules.jsoncodec import rule_from_json, rule_to_json
from wxpanel.core.rules.model import MatchMode, Reply, Rule, Trigger, errors, validate_rule
from wxpanel.core.rules.replier import AlertKind, Outcome
from wxpanel.core.rules.store import RuleStore
from wxpanel.core.sources.config import SourceKind, WebhookConfig
from wxpanel.core.sources.hub import SourceReport
from wxpanel.core.sources.store import SourceStore

WEATHER = Rule(
    name="weather",
    triggers=(Trigger("天气", MatchMode.CONTAINS),),
    reply=Reply(source="weather"),
    cooldown=0.0,
)

# -- the model and its JSON ----------------------------------------------------------


def test_a_source_alone_is_a_valid_reply() -> None:
    assert errors(validate_rule(WEATHER)) == []
    nothing = validate_rule(Rule("x", (Trigger("a"),), Reply()))
    assert [(i.path, i.key) for i in nothing] == [("reply", "reply_needs_content")]


def test_an_empty_source_name_is_refused() -> None:
    found = validate_rule(Rule("x", (Trigger("a"),), Reply(source="  ")))
    assert [(i.path, i.key) for i in found] == [("reply.source", "empty_source")]
    assert str(found[0]) == "reply.source: empty answer source name"


def test_the_source_round_trips_through_json() -> None:
    data = rule_to_json(WEATHER)
    assert data["reply"]["source"] == "weather"
    assert rule_from_json(data) == (WEATHER, [])
    plain = rule_to_json(Rule("menu", (Trigger("菜单"),), Reply(("hi",))), with_header=False)
    assert "source" not in plain["reply"]  # files without delegation stay as they were
    read, issues = rule_from_json(
        {"name": "w", "triggers": ["天气"], "reply": {"source": "my-webhook"}}
    )
    assert issues == [] and read is not None and read.reply == Reply(source="my-webhook")
    _, bad = rule_from_json({"name": "w", "triggers": ["a"], "reply": {"source": 3}})
    assert [str(i) for i in bad] == ["reply.source: expected a string, found the number 3"]
    _, typo = rule_from_json({"name": "w", "triggers": ["a"], "reply": {"sourc": "x"}})
    assert [i.key for i in typo] == ["unknown_key"]


# -- end to end through Engine.poll ------------------------------------------------------


@pytest.fixture
def engine_at(
    exchange_db: Path, tmp_path: Path, memory_keyring: MemoryKeyring
) -> Iterator[list[Engine]]:
    """Engines on one data folder (a restart opens a second one); closed at the end."""
    made: list[Engine] = []
    yield made
    for engine in made:
        engine.close()


def _start(exchange_db: Path, folder: Path, made: list[Engine]) -> Engine:
    engine = Engine(exchange_db, settings=FAST, plugin_dirs=(folder,))
    made.append(engine)
    return engine


def _commands(engine: Engine) -> list[tuple[str, str]]:
    with sqlite3.connect(engine.exchange_db) as conn:
        return conn.execute("SELECT id_1, id_2 FROM wx_command ORDER BY rowid").fetchall()


def _delegations(engine: Engine) -> object:
    row = engine.hconn.execute("SELECT value FROM auto_setting WHERE key = 'delegations'")
    return json.loads(row.fetchone()[0])


def _poll_until(engine: Engine, done: object, timeout: float = 10.0) -> list[PollResult]:
    results: list[PollResult] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        results.append(engine.poll())
        if done():  # type: ignore[operator]
            return results
        time.sleep(0.01)
    raise AssertionError("not reached in time")


def _setup(engine: Engine, server: FakeServer, *, enabled: bool = False) -> None:
    with RuleStore.open(engine.paths.history) as rules:
        rules.add(WEATHER)
        rules.add(Rule("hi", (Trigger("hi", MatchMode.EXACT),), Reply(("rule hi",))))
    with SourceStore.open(engine.paths.history) as sources:
        added = sources.add(SourceKind.WEBHOOK, "weather", WebhookConfig(url=server.url + "/w"))
        if not enabled:
            sources.set_enabled(added.id, False)  # not in the "after the rules" chain


def test_a_rule_delegates_to_a_webhook_and_its_text_reaches_wx_command(
    exchange_db: Path, tmp_path: Path, engine_at: list[Engine], server: FakeServer
) -> None:
    engine = _start(exchange_db, tmp_path / "plugins", engine_at)
    _setup(engine, server)
    server.respond(Canned(200, {"text": "晴，25°C"}))
    insert_events(
        engine.exchange_db,
        [
            text_event("wxid_c", "nothing matches"),
            text_event("wxid_a", "明天天气怎么样"),
        ],
    )
    _poll_until(engine, lambda: _commands(engine) != [])
    assert _commands(engine) == [("wxid_a", "晴，25°C")]
    # only the delegated message: the webhook is off in the "after the rules" chain
    assert [s.json()["message"]["content"] for s in server.seen] == ["明天天气怎么样"]
    row = engine.hconn.execute(
        "SELECT r.matched, r.sent FROM auto_rule_counter AS r JOIN auto_rule AS a"
        " ON a.id = r.rule_id WHERE a.name = 'weather'"
    ).fetchone()
    assert tuple(row) == (1, 1)
    assert _delegations(engine) == {}  # taken over by the hub


def test_the_replier_reports_the_delegation(
    exchange_db: Path, tmp_path: Path, engine_at: list[Engine], server: FakeServer
) -> None:
    engine = _start(exchange_db, tmp_path / "plugins", engine_at)
    _setup(engine, server)
    reports = []
    process = engine.replier.process

    def recording(*args: object) -> object:
        report = process(*args)  # type: ignore[arg-type]
        reports.append(report)
        return report

    engine.replier.process = recording  # type: ignore[method-assign]
    server.respond(Canned(200, {"text": "雨"}))
    insert_events(engine.exchange_db, [text_event("wxid_a", "天气")])
    _poll_until(engine, lambda: ("wxid_a", "雨") in _commands(engine))
    answers = [a for r in reports for a in r.answers]
    assert [(a.outcome, a.delegate, a.message_ids) for a in answers] == [
        (Outcome.DELEGATED, "weather", ())
    ]


def test_a_delegation_to_an_unknown_source_raises_an_alert(
    exchange_db: Path, tmp_path: Path, engine_at: list[Engine], server: FakeServer
) -> None:
    engine = _start(exchange_db, tmp_path / "plugins", engine_at)
    with RuleStore.open(engine.paths.history) as rules:
        rules.add(Rule("ghost", (Trigger("天气"),), Reply(source="nowhere")))
    insert_events(engine.exchange_db, [text_event("wxid_a", "天气")])
    results = _poll_until(
        engine, lambda: engine.hconn.execute("SELECT 1 FROM error_log").fetchone() is not None
    )
    alerts = [a for r in results for a in r.alerts]
    assert [(a.kind, a.key, a.conversation) for a in alerts] == [
        (AlertKind.SOURCE, "alert_unknown_source", "wxid_a")
    ]
    assert "no answer source named nowhere" in alerts[0].detail
    assert "ghost" in alerts[0].detail
    assert engine.hconn.execute("SELECT count(*) FROM source_job").fetchone()[0] == 0
    assert _commands(engine) == []


def test_a_delegation_is_answered_exactly_once_across_a_restart(
    exchange_db: Path, tmp_path: Path, engine_at: list[Engine], server: FakeServer
) -> None:
    engine = _start(exchange_db, tmp_path / "plugins", engine_at)
    _setup(engine, server, enabled=True)
    server.respond(Canned(200, {"text": "阴"}))
    insert_events(engine.exchange_db, [text_event("wxid_a", "天气")])
    _poll_until(engine, lambda: ("wxid_a", "阴") in _commands(engine))
    engine.close()
    engine_at.remove(engine)
    again = _start(exchange_db, tmp_path / "plugins", engine_at)
    for _ in range(20):
        again.poll()
    assert _commands(again) == [("wxid_a", "阴")]
    assert len(server.seen) == 1
    assert again.hconn.execute("SELECT state FROM source_job").fetchall() == [("done",)]


def test_a_delegation_recorded_before_a_crash_is_handed_over_after_it(
    exchange_db: Path, tmp_path: Path, engine_at: list[Engine], server: FakeServer
) -> None:
    """The replier committed, the hub never ran: the next run still asks the source, once."""
    engine = _start(exchange_db, tmp_path / "plugins", engine_at)
    _setup(engine, server)
    engine.sources.process = lambda *a, **k: SourceReport()  # type: ignore[method-assign]
    insert_events(engine.exchange_db, [text_event("wxid_a", "天气")])
    for _ in range(5):
        engine.poll()
    assert _delegations(engine) == {"1": ["weather"]}
    assert server.seen == []
    engine.close()
    engine_at.remove(engine)
    server.respond(Canned(200, {"text": "多云"}))
    again = _start(exchange_db, tmp_path / "plugins", engine_at)
    _poll_until(again, lambda: ("wxid_a", "多云") in _commands(again))
    for _ in range(10):
        again.poll()
    assert _commands(again) == [("wxid_a", "多云")]
    assert len(server.seen) == 1


def test_a_delegating_rule_cools_down_like_any_rule(
    exchange_db: Path, tmp_path: Path, engine_at: list[Engine], server: FakeServer
) -> None:
    engine = _start(exchange_db, tmp_path / "plugins", engine_at)
    _setup(engine, server)
    with RuleStore.open(engine.paths.history) as rules:
        (weather,) = [r for r in rules.rules() if r.name == "weather"]
        rules.update(replace(weather, cooldown=600.0))
    reports = []
    process = engine.replier.process

    def recording(*args: object) -> object:
        report = process(*args)  # type: ignore[arg-type]
        reports.append(report)
        return report

    engine.replier.process = recording  # type: ignore[method-assign]
    server.respond(Canned(200, {"text": "晴"}))
    insert_events(engine.exchange_db, [text_event("wxid_a", "天气"), text_event("wxid_a", "天气?")])
    _poll_until(engine, lambda: _commands(engine) != [])
    for _ in range(10):
        engine.poll()
    outcomes = [(a.outcome, a.delegate) for r in reports for a in r.answers]
    assert outcomes == [(Outcome.DELEGATED, "weather"), (Outcome.COOLDOWN, None)]
    assert len(server.seen) == 1
    assert _commands(engine) == [("wxid_a", "晴")]
