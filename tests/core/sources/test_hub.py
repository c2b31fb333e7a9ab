"""The answer sources in the real Engine and its replier: after the rules, once, safely.

Every test drives ``Engine.poll`` on a clock it moves by hand (the Engine's
wall clock and the sources' monotonic clock for deadlines and plugin
scans); between rounds it waits on the jobs themselves
(:meth:`AnswerSources.wait`), never for a fixed time.  What runs for real
is what the jobs do: plugin processes, HTTP servers on 127.0.0.1.
"""

from __future__ import annotations

import os
import sqlite3
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import text_event
from tests.core.rules.conftest import GROUP_ID, Clock, deliver, own_event
from tests.core.sources.conftest import (
    Canned,
    DripServer,
    Engines,
    FakeServer,
    exchange,
    reports,
    rescanned,
    settle,
    sources,
    wait_for,
    wait_for_plugins,
)
from wxpanel.core.autoreply.alerts import AlertKind
from wxpanel.core.autoreply.answerer import AnswerReport, Turn
from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.engine import Engine
from wxpanel.core.history import HistoryStore
from wxpanel.core.rules.model import MatchMode, Reply, Rule, Trigger
from wxpanel.core.rules.store import RuleStore
from wxpanel.core.sources.config import (
    AIConfig,
    GroupPolicy,
    PluginConfig,
    SourceKind,
    SourceStatus,
    WebhookConfig,
)
from wxpanel.core.sources.hub import SourceReport
from wxpanel.core.sources.store import SourceStore

pytestmark = pytest.mark.slow  # plugin worker processes


@pytest.fixture
def engine(make_engine: Engines) -> Engine:
    """An engine with the default hub (the sources' conftest has a quiet one)."""
    return make_engine()


def auto_texts(engine: Engine) -> list[tuple[str, str]]:
    return engine.hconn.execute(
        "SELECT conversation, content FROM message WHERE origin = 'auto' ORDER BY id"
    ).fetchall()


def jobs(engine: Engine) -> list[tuple[int, str, str | None]]:
    return engine.hconn.execute(
        "SELECT message_id, state, detail FROM source_job ORDER BY message_id"
    ).fetchall()


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


ECHO = "def handle(message):\n    return 'plugin: ' + message.content\n"


@pytest.fixture
def rules(engine: Engine) -> RuleStore:
    store = RuleStore.open(engine.paths.history)
    store.add(
        Rule(name="hi", triggers=(Trigger("hi", MatchMode.EXACT),), reply=Reply(("rule hi",)))
    )
    return store


def test_sources_answer_what_no_rule_answered(
    engine: Engine, plugin_dir: Path, rules: RuleStore
) -> None:
    write(plugin_dir, "echo", ECHO)
    wait_for_plugins(engine, "echo")
    reports = exchange(engine, [text_event("wxid_a", "hi"), text_event("wxid_b", "weather?")])
    assert auto_texts(engine) == [("wxid_a", "rule hi"), ("wxid_b", "plugin: weather?")]
    queued = [m for r in reports for m in r.queued]
    assert [(m.conversation, m.content, m.origin.value) for m in queued] == [
        ("wxid_b", "plugin: weather?", "auto")
    ]
    (job,) = jobs(engine)
    assert job[1] == "done"
    (status,) = [s for r in reports for s in r.statuses]
    assert status.name == "echo" and status.calls == 1 and status.answers == 1
    # Asked once: more rounds change nothing.
    settle(engine)
    assert len(auto_texts(engine)) == 2


def test_also_answered_asks_about_every_message(
    engine: Engine, plugin_dir: Path, rules: RuleStore
) -> None:
    write(plugin_dir, "echo", ECHO)
    wait_for_plugins(engine, "echo")
    with SourceStore.open(engine.paths.history) as store:
        (echo,) = store.sources()
        store.update(echo.id, PluginConfig(also_answered=True))
    deliver(engine, [text_event("wxid_a", "hi")])
    settle(engine)
    assert auto_texts(engine) == [("wxid_a", "rule hi"), ("wxid_a", "plugin: hi")]


def test_never_answers_own_or_operator_messages(engine: Engine, plugin_dir: Path) -> None:
    write(plugin_dir, "echo", ECHO)
    wait_for_plugins(engine, "echo")
    deliver(engine, [own_event("wxid_a", "sent from the phone")])
    engine.queue_text("wxid_a", "typed in the panel")
    deliver(engine, [text_event("weixin", "service notice"), text_event("gh_news", "news")])
    settle(engine)
    assert auto_texts(engine) == [] and jobs(engine) == []


def test_group_policy_and_mentions(engine: Engine, plugin_dir: Path) -> None:
    write(plugin_dir, "echo", ECHO)
    with RuleStore.open(engine.paths.history) as rules:
        rules.set_config(AutoReplyConfig(nicknames=("bot",)))
    wait_for_plugins(engine, "echo")
    with SourceStore.open(engine.paths.history) as store:
        (echo,) = store.sources()
        store.update(echo.id, PluginConfig(groups=GroupPolicy.MENTIONED))
    deliver(
        engine,
        [
            text_event(GROUP_ID, "chatter", "wxid_m"),
            text_event(GROUP_ID, "@bot\u2005ping", "wxid_m"),
        ],
    )
    settle(engine)
    assert auto_texts(engine) == [(GROUP_ID, "plugin: ping")]  # the mention is removed


def test_a_failing_plugin_is_switched_off_and_the_next_answers(
    engine: Engine, plugin_dir: Path
) -> None:
    write(plugin_dir, "a_broken", "def handle(message):\n    raise RuntimeError('bad day')\n")
    write(plugin_dir, "b_echo", ECHO)
    wait_for_plugins(engine, "a_broken", "b_echo")
    reports = exchange(engine, [text_event("wxid_a", "one")])
    assert auto_texts(engine) == [("wxid_a", "plugin: one")]
    (alert,) = [a for r in reports for a in r.alerts]
    assert alert.kind is AlertKind.SOURCE and "bad day" in alert.detail
    assert alert.key == "alert_source_off" and str(alert.text) == alert.detail  # translatable
    broken = next(s for s in sources(engine) if s.name == "a_broken")
    assert not broken.enabled and broken.error_disabled
    with SourceStore.open(engine.paths.history) as store:
        status = next(s for s in store.statuses() if s.name == "a_broken")
    assert status.failures == 1 and "RuntimeError: bad day" in (status.last_error or "")
    with HistoryStore(engine.paths.history) as history:
        assert any("bad day" in detail for _, kind, detail in history.recent_errors())
    # Switched off: not asked again.
    deliver(engine, [text_event("wxid_a", "two")])
    settle(engine)
    with SourceStore.open(engine.paths.history) as store:
        assert next(s for s in store.statuses() if s.name == "a_broken").calls == 1


def test_a_hanging_plugin_does_not_block_the_poller(engine: Engine, plugin_dir: Path) -> None:
    write(plugin_dir, "a_slow", "import time\ndef handle(message):\n    time.sleep(30)\n")
    write(plugin_dir, "b_echo", ECHO)
    wait_for_plugins(engine, "a_slow", "b_echo")
    with SourceStore.open(engine.paths.history) as store:
        slow = next(s for s in store.sources() if s.name == "a_slow")
        store.update(slow.id, PluginConfig(timeout=0.3))
    engine.sources.wanted = lambda *args, **kwargs: False  # type: ignore[method-assign]
    deliver(engine, [text_event("wxid_a", "x")])  # ingested, and seen by the rules
    del engine.sources.wanted
    (newest,) = engine.hconn.execute("SELECT max(id) FROM message").fetchone()
    turn = Turn(engine.hconn, engine.pacer, engine.clock(), (AnswerReport(seen=newest),))
    started = time.monotonic()
    engine.sources.answer(turn)  # the sources' turn of a round: hands over, returns at once
    assert time.monotonic() - started < 0.2
    assert reports(engine)[-1].handed_over == 1
    settle(engine)
    assert auto_texts(engine) == [("wxid_a", "plugin: x")]
    slow = next(s for s in sources(engine) if s.name == "a_slow")
    assert not slow.enabled


def test_an_edited_plugin_is_reloaded_and_switched_on_again(
    engine: Engine, plugin_dir: Path, clock: Clock
) -> None:
    path = write(plugin_dir, "echo", "def handle(message):\n    return 42\n")
    wait_for_plugins(engine, "echo")
    deliver(engine, [text_event("wxid_a", "one")])
    settle(engine)
    assert auto_texts(engine) == []
    assert "returned int" in (_status(engine, "echo").last_error or "")
    path.write_text(ECHO, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))

    assert any(rescanned(engine, clock, lambda: sources(engine)[0].enabled) for _ in range(3))
    deliver(engine, [text_event("wxid_a", "two")])
    settle(engine)
    assert auto_texts(engine) == [("wxid_a", "plugin: two")]


def _status(engine: Engine, name: str) -> SourceStatus:
    with SourceStore.open(engine.paths.history) as store:
        return next(s for s in store.statuses() if s.name == name)


def test_global_switch_caps_and_pauses(engine: Engine, plugin_dir: Path) -> None:
    write(plugin_dir, "echo", ECHO)
    wait_for_plugins(engine, "echo")
    with RuleStore.open(engine.paths.history) as rules:
        rules.set_config(AutoReplyConfig(per_conversation_per_minute=1))
        rules.set_auto_reply_enabled(False)
        deliver(engine, [text_event("wxid_a", "while off")])
        settle(engine)
        assert auto_texts(engine) == [] and jobs(engine) == []
        rules.set_auto_reply_enabled(True)
    reports = exchange(engine, [text_event("wxid_a", "one"), text_event("wxid_a", "two")])
    assert auto_texts(engine) == [("wxid_a", "plugin: one")]
    assert [(a.kind, a.key) for r in reports for a in r.alerts] == [
        (AlertKind.CONVERSATION_CAP, "alert_conversation_cap")
    ]
    assert [state for _, state, _ in jobs(engine)] == ["done", "dropped"]


def test_loop_detection_pauses_the_conversation(
    engine: Engine, plugin_dir: Path, rules: RuleStore
) -> None:
    write(plugin_dir, "echo", ECHO)
    rules.set_config(AutoReplyConfig(loop_exchanges=2, per_conversation_per_minute=100))
    wait_for_plugins(engine, "echo")
    alerts = []
    for i in range(4):
        alerts += [
            a for r in exchange(engine, [text_event("wxid_bot", f"bot says {i}")]) for a in r.alerts
        ]
    assert auto_texts(engine) == [
        ("wxid_bot", "plugin: bot says 0"),
        ("wxid_bot", "plugin: bot says 1"),
    ]
    assert [(a.kind, a.key) for a in alerts] == [(AlertKind.LOOP, "alert_source_loop")]
    assert [p.conversation for p in rules.paused(engine.clock())] == ["wxid_bot"]
    # The pause is shared: the rules do not answer there either.
    deliver(engine, [text_event("wxid_bot", "hi")])
    settle(engine)
    assert len(auto_texts(engine)) == 2


def test_exactly_once_across_a_restart(make_engine: Engines, plugin_dir: Path) -> None:
    write(
        plugin_dir,
        "slow",
        "import time\ndef handle(message):\n    time.sleep(0.5)\n    return 'late'\n",
    )
    write(plugin_dir, "zz_echo", ECHO)
    first = make_engine()
    wait_for_plugins(first, "slow", "zz_echo")
    with SourceStore.open(first.paths.history) as store:
        store.set_enabled(next(s.id for s in store.sources() if s.name == "zz_echo"), False)
    deliver(first, [text_event("wxid_a", "asked before the stop")])
    assert [state for _, state, _ in jobs(first)] == ["pending"]
    # wxpanel stops while the plugin is still thinking; the call is abandoned
    second = make_engine(replacing=first)
    settle(second)
    ((_, state, detail),) = jobs(second)
    assert (state, detail) == ("failed", "interrupted by a restart")
    assert auto_texts(second) == []
    # A done job is not asked again after another restart.
    with SourceStore.open(second.paths.history) as store:
        for source in store.sources():
            store.set_enabled(source.id, source.name == "zz_echo")
    deliver(second, [text_event("wxid_b", "after")])
    settle(second)
    third = make_engine(replacing=second)
    settle(third)
    assert auto_texts(third) == [("wxid_b", "plugin: after")]


def test_a_crash_between_the_rules_and_the_hand_over(
    engine: Engine, make_engine: Engines, plugin_dir: Path, rules: RuleStore
) -> None:
    write(plugin_dir, "echo", ECHO)
    wait_for_plugins(engine, "echo")
    engine.sources.wanted = lambda *args, **kwargs: False  # type: ignore[method-assign]
    # The rules commit, and the process dies before the sources saw the batch.
    deliver(engine, [text_event("wxid_a", "hi"), text_event("wxid_b", "unmatched")])
    second = make_engine(replacing=engine)
    settle(second)
    assert auto_texts(second) == [("wxid_a", "rule hi"), ("wxid_b", "plugin: unmatched")]


def test_webhook_source(engine: Engine, server: FakeServer) -> None:
    with SourceStore.open(engine.paths.history) as store:
        store.add(SourceKind.WEBHOOK, "crm", WebhookConfig(url=f"{server.url}/hook", retries=0))
    server.respond(Canned(200, {"text": "from the webhook"}))
    deliver(engine, [text_event("wxid_a", "question")])
    settle(engine)
    assert auto_texts(engine) == [("wxid_a", "from the webhook")]
    assert server.seen[0].json()["message"]["content"] == "question"
    server.respond(Canned(500, "down"))
    deliver(engine, [text_event("wxid_a", "again")])
    settle(engine)
    status = _status(engine, "crm")
    assert status.calls == 2 and status.failures == 1 and "HTTP 500" in (status.last_error or "")
    assert status.enabled  # a failing webhook stays on
    assert [state for _, state, _ in jobs(engine)] == ["done", "failed"]


def test_a_dripping_webhook_fails_its_job_with_the_reason(engine: Engine, drip: DripServer) -> None:
    with SourceStore.open(engine.paths.history) as store:
        store.add(SourceKind.WEBHOOK, "slow", WebhookConfig(url=drip.url, timeout=0.5, retries=0))
    deliver(engine, [text_event("wxid_a", "question")])
    settle(engine)
    status = _status(engine, "slow")
    assert status.failures == 1 and "no answer within 0.5 s" in (status.last_error or "")
    assert jobs(engine) == [(1, "failed", "no answer within 0.5 s")]


def test_closing_the_hub_does_not_wait_for_a_dripping_server(
    engine: Engine, drip: DripServer
) -> None:
    with SourceStore.open(engine.paths.history) as store:
        store.add(SourceKind.WEBHOOK, "slow", WebhookConfig(url=drip.url, timeout=30, retries=5))
    hub = engine.sources
    deliver(engine, [text_event("wxid_a", "question")])
    wait_for(lambda: (engine.poll(), reports(engine)[-1].pending == 1)[1] and drip.connections == 1)
    started = time.monotonic()
    hub.close()

    # What interpreter exit joins (concurrent.futures' atexit hook): the pool's threads.
    threads = list(hub._pool._threads)
    wait_for(lambda: not any(thread.is_alive() for thread in threads), timeout=5.0)
    assert time.monotonic() - started < 1.0
    assert drip.connections == 1  # not retried after the stop


def test_ai_source_counts_tokens_and_cost(engine: Engine, server: FakeServer) -> None:
    with SourceStore.open(engine.paths.history) as store:
        source = store.add(
            SourceKind.AI,
            "model",
            AIConfig(
                base_url=f"{server.url}/v1",
                model="tiny",
                price_prompt_per_1k=1.0,
                price_completion_per_1k=2.0,
                per_conversation_per_minute=1,
            ),
        )
        store.keys.service = "wxpanel-test"
        store.set_api_key(source.id, "sk-secret-abcdef123456")
    server.respond(
        Canned(
            200,
            {
                "choices": [{"message": {"content": "模型回答"}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50},
            },
        )
    )
    deliver(engine, [text_event("wxid_a", "你好"), text_event("wxid_a", "rate limited")])
    settle(engine)
    assert auto_texts(engine) == [("wxid_a", "模型回答")]
    assert len(server.seen) == 1  # the second message was over the per-conversation limit
    assert server.seen[0].headers["Authorization"] == "Bearer sk-secret-abcdef123456"
    status = _status(engine, "model")
    assert (status.prompt_tokens, status.completion_tokens) == (100, 50)
    assert status.cost == pytest.approx(0.2)
    with HistoryStore(engine.paths.history) as history:
        counters = history.counters()
    assert counters["ai_cost_micro"] == 200_000 and counters["ai_prompt_tokens"] == 100
    with SourceStore.open(engine.paths.history) as store:
        prompt, completion, cost = store.total_cost()
    assert (prompt, completion) == (100, 50) and cost == pytest.approx(0.2)


def test_store_refuses_bad_settings(engine: Engine) -> None:
    from wxpanel.core.errors import KnownError

    with SourceStore.open(engine.paths.history) as store:
        with pytest.raises(KnownError, match="url"):
            store.add(SourceKind.WEBHOOK, "x", WebhookConfig(url="ftp://nope"))
        with pytest.raises(KnownError, match="plugins folder"):
            store.add(SourceKind.PLUGIN, "x", PluginConfig())
        store.add(SourceKind.WEBHOOK, "x", WebhookConfig(url="http://127.0.0.1:9/"))
        with pytest.raises(KnownError, match="exists already"):
            store.add(SourceKind.WEBHOOK, "x", WebhookConfig(url="http://127.0.0.1:9/"))


def test_pending_jobs_are_bounded(make_engine: Engines, plugin_dir: Path) -> None:
    write(
        plugin_dir,
        "echo",
        "import time\ndef handle(message):\n    time.sleep(0.3)\n    return 'ok'\n",
    )
    engine = make_engine(max_pending=2)
    with RuleStore.open(engine.paths.history) as rules:
        rules.set_config(AutoReplyConfig(per_minute=1000, per_conversation_per_minute=1000))
    wait_for_plugins(engine, "echo")
    deliver(engine, [text_event(f"wxid_{i}", "x") for i in range(5)])
    report = next(r for r in reports(engine) if r.handed_over)
    assert report.handed_over == 2 and report.pending == 2 and not report.more
    assert len(jobs(engine)) == 2  # the others wait, unread, behind the watermark
    settle(engine)
    assert len(auto_texts(engine)) == 5


def test_idle_rounds_touch_no_database(engine: Engine) -> None:
    settle(engine)
    hub = engine.sources
    statements: list[str] = []
    engine.hconn.set_trace_callback(statements.append)
    try:
        report = hub.process(
            engine.hconn, engine.pacer, engine.clock(), [AnswerReport(seen=hub._replier)]
        )
    finally:
        engine.hconn.set_trace_callback(None)
    assert report == SourceReport() and statements == []


def test_sqlite_locked_is_retried_next_round(engine: Engine, plugin_dir: Path) -> None:
    write(plugin_dir, "echo", ECHO)
    wait_for_plugins(engine, "echo")
    engine.sources.wanted = lambda *args, **kwargs: False  # type: ignore[method-assign]
    deliver(engine, [text_event("wxid_a", "x")])  # the rules look at it, the sources not yet
    del engine.sources.wanted
    (newest,) = engine.hconn.execute("SELECT max(id) FROM message").fetchone()
    other = sqlite3.connect(engine.paths.history, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError):
            engine.sources.answer(
                Turn(engine.hconn, engine.pacer, engine.clock(), (AnswerReport(seen=newest),))
            )
    finally:
        other.rollback()
        other.close()
    settle(engine)
    assert auto_texts(engine) == [("wxid_a", "plugin: x")]


def test_default_plugin_dirs(tmp_path: Path) -> None:
    from wxpanel.core.sources.hub import default_plugin_dirs

    assert default_plugin_dirs(executable_dir=tmp_path) == (tmp_path.resolve() / "plugins",)
    extra = tmp_path / "mine"
    assert default_plugin_dirs(extra, tmp_path) == (extra.resolve(), tmp_path.resolve() / "plugins")


def test_rounds_without_the_replier_still_collect(engine: Engine, plugin_dir: Path) -> None:
    write(
        plugin_dir,
        "echo",
        "import time\ndef handle(message):\n    time.sleep(0.1)\n    return 'ok'\n",
    )
    wait_for_plugins(engine, "echo")
    deliver(engine, [text_event("wxid_a", "x")])
    assert [r.handed_over for r in reports(engine) if r.handed_over] == [1]
    for _ in range(100):
        if reports(engine)[-1].queued:
            break
        engine.sources.wait(10.0)
        engine.poll()
    assert [m.content for m in reports(engine)[-1].queued] == ["ok"]
    # The replier had nothing new, so the Engine told the sources nothing of it.
    assert engine.recorded.earlier[-1] == ()  # type: ignore[attr-defined]
    assert auto_texts(engine) == [("wxid_a", "ok")]


def test_a_job_past_its_deadline_fails_and_its_late_answer_is_ignored(
    engine: Engine, plugin_dir: Path, clock: Clock
) -> None:
    write(
        plugin_dir,
        "late",
        "import time\ndef handle(message):\n    time.sleep(0.6)\n    return 'late'\n",
    )
    wait_for_plugins(engine, "late")
    deliver(engine, [text_event("wxid_a", "x")])
    (flight,) = engine.sources._flights.values()
    clock.advance(3600.0)  # far past the job's worst case
    settle(engine)
    assert jobs(engine)[0][1:] == ("failed", "no source finished in time")
    flight.future.result(timeout=10.0)  # the call finishes now; nobody looks at it
    settle(engine)
    assert auto_texts(engine) == []


def test_webhook_picture_is_queued_as_a_picture(engine: Engine, server: FakeServer) -> None:
    from tests.core.sources.test_webhook import png

    server.files["/cat.png"] = png()
    server.respond(Canned(200, {"text": "a cat", "picture_url": f"{server.url}/cat.png"}))
    with SourceStore.open(engine.paths.history) as store:
        store.add(SourceKind.WEBHOOK, "pics", WebhookConfig(url=f"{server.url}/hook"))
    (report,) = [r for r in exchange(engine, [text_event("wxid_a", "cat please")]) if r.queued]
    text, picture = report.queued
    assert text.content == "a cat" and picture.command is not None
    assert picture.command.value == "wx_picture"
    assert Path(picture.content or "").parent == engine.paths.media.resolve() / "webhook"


def test_a_missing_picture_is_left_out_and_the_text_goes(
    engine: Engine, plugin_dir: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.png"
    write(
        plugin_dir,
        "pics",
        f"""
        from wxpanel.core.sources.plugin_api import Reply

        def handle(message):
            return ["here it is", Reply.picture({str(missing)!r})]
        """,
    )
    wait_for_plugins(engine, "pics")
    alerts = [a for r in exchange(engine, [text_event("wxid_a", "picture?")]) for a in r.alerts]
    assert auto_texts(engine) == [("wxid_a", "here it is")]
    assert [(a.kind, a.key) for a in alerts] == [(AlertKind.PICTURE, "alert_picture")]
