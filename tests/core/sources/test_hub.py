"""The hub with a real Engine and replier: after the rules, exactly once, always safely."""

from __future__ import annotations

import os
import random
import sqlite3
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import text_event
from tests.core.rules.conftest import GROUP_ID, TZ, deliver, own_event
from tests.core.sources.conftest import Canned, DripServer, FakeServer, wait_for
from wxpanel.core.engine import Engine
from wxpanel.core.history import HistoryStore
from wxpanel.core.rules.model import AutoReplyConfig, MatchMode, Reply, Rule, Trigger
from wxpanel.core.rules.replier import AlertKind, AutoReplier, ReplyReport
from wxpanel.core.rules.store import RuleStore
from wxpanel.core.sources.config import (
    AIConfig,
    GroupPolicy,
    PluginConfig,
    Source,
    SourceKind,
    SourceStatus,
    WebhookConfig,
)
from wxpanel.core.sources.hub import AnswerSources, SourceReport
from wxpanel.core.sources.store import SourceStore

pytestmark = pytest.mark.slow  # real-time waits and plugin worker processes

Hubs = Callable[..., AnswerSources]


class Driver:
    """Runs the replier and the hub the way Engine._round does."""

    def __init__(self, engine: Engine, hub: AnswerSources) -> None:
        self.engine = engine
        self.hub = hub
        self.replier = AutoReplier(tz=TZ, rng=random.Random(7))
        self.reports: list[SourceReport] = []
        hub.start(engine.hconn)

    def round(self) -> SourceReport:
        now = self.engine.clock()
        replies: ReplyReport = self.replier.process(self.engine.hconn, self.engine.pacer, now)
        report = self.hub.process(self.engine.hconn, self.engine.pacer, now, replies)
        self.reports.append(report)
        return report

    def settle(self, timeout: float = 10.0) -> list[SourceReport]:
        """Rounds until every job finished and nothing waits to be handed over."""
        start = len(self.reports)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            report = self.round()
            if not report.pending and not report.more:
                return self.reports[start:]
            time.sleep(0.01)
        raise AssertionError("the hub did not settle")

    def wait_for_plugins(self, *names: str) -> None:
        def loaded() -> bool:
            self.round()
            return {s.name for s in self.sources()} >= set(names)

        wait_for(loaded)

    def sources(self) -> list[Source]:
        with SourceStore.open(self.engine.paths.history) as store:
            return store.sources()


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
    engine: Engine, make_hub: Hubs, plugin_dir: Path, rules: RuleStore
) -> None:
    write(plugin_dir, "echo", ECHO)
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("echo")
    deliver(engine, [text_event("wxid_a", "hi"), text_event("wxid_b", "weather?")])
    reports = driver.settle()
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
    driver.settle()
    assert len(auto_texts(engine)) == 2


def test_also_answered_asks_about_every_message(
    engine: Engine, make_hub: Hubs, plugin_dir: Path, rules: RuleStore
) -> None:
    write(plugin_dir, "echo", ECHO)
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("echo")
    with SourceStore.open(engine.paths.history) as store:
        (echo,) = store.sources()
        store.update(echo.id, PluginConfig(also_answered=True))
    deliver(engine, [text_event("wxid_a", "hi")])
    driver.settle()
    assert auto_texts(engine) == [("wxid_a", "rule hi"), ("wxid_a", "plugin: hi")]


def test_never_answers_own_or_operator_messages(
    engine: Engine, make_hub: Hubs, plugin_dir: Path
) -> None:
    write(plugin_dir, "echo", ECHO)
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("echo")
    deliver(engine, [own_event("wxid_a", "sent from the phone")])
    engine.queue_text("wxid_a", "typed in the panel")
    deliver(engine, [text_event("weixin", "service notice"), text_event("gh_news", "news")])
    driver.settle()
    assert auto_texts(engine) == [] and jobs(engine) == []


def test_group_policy_and_mentions(engine: Engine, make_hub: Hubs, plugin_dir: Path) -> None:
    write(plugin_dir, "echo", ECHO)
    with RuleStore.open(engine.paths.history) as rules:
        rules.set_config(AutoReplyConfig(nicknames=("bot",)))
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("echo")
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
    driver.settle()
    assert auto_texts(engine) == [(GROUP_ID, "plugin: ping")]  # the mention is removed


def test_a_failing_plugin_is_switched_off_and_the_next_answers(
    engine: Engine, make_hub: Hubs, plugin_dir: Path
) -> None:
    write(plugin_dir, "a_broken", "def handle(message):\n    raise RuntimeError('bad day')\n")
    write(plugin_dir, "b_echo", ECHO)
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("a_broken", "b_echo")
    deliver(engine, [text_event("wxid_a", "one")])
    reports = driver.settle()
    assert auto_texts(engine) == [("wxid_a", "plugin: one")]
    (alert,) = [a for r in reports for a in r.alerts]
    assert alert.kind is AlertKind.SOURCE and "bad day" in alert.detail
    broken = next(s for s in driver.sources() if s.name == "a_broken")
    assert not broken.enabled and broken.error_disabled
    with SourceStore.open(engine.paths.history) as store:
        status = next(s for s in store.statuses() if s.name == "a_broken")
    assert status.failures == 1 and "RuntimeError: bad day" in (status.last_error or "")
    with HistoryStore(engine.paths.history) as history:
        assert any("bad day" in detail for _, kind, detail in history.recent_errors())
    # Switched off: not asked again.
    deliver(engine, [text_event("wxid_a", "two")])
    driver.settle()
    with SourceStore.open(engine.paths.history) as store:
        assert next(s for s in store.statuses() if s.name == "a_broken").calls == 1


def test_a_hanging_plugin_does_not_block_the_poller(
    engine: Engine, make_hub: Hubs, plugin_dir: Path
) -> None:
    write(plugin_dir, "a_slow", "import time\ndef handle(message):\n    time.sleep(30)\n")
    write(plugin_dir, "b_echo", ECHO)
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("a_slow", "b_echo")
    with SourceStore.open(engine.paths.history) as store:
        slow = next(s for s in store.sources() if s.name == "a_slow")
        store.update(slow.id, PluginConfig(timeout=0.3))
    deliver(engine, [text_event("wxid_a", "x")])
    started = time.monotonic()
    driver.round()  # hands over and returns at once
    assert time.monotonic() - started < 0.2
    driver.settle()
    assert auto_texts(engine) == [("wxid_a", "plugin: x")]
    slow = next(s for s in driver.sources() if s.name == "a_slow")
    assert not slow.enabled


def test_an_edited_plugin_is_reloaded_and_switched_on_again(
    engine: Engine, make_hub: Hubs, plugin_dir: Path
) -> None:
    path = write(plugin_dir, "echo", "def handle(message):\n    return 42\n")
    driver = Driver(engine, make_hub(scan_interval=0.05))
    driver.wait_for_plugins("echo")
    deliver(engine, [text_event("wxid_a", "one")])
    driver.settle()
    assert auto_texts(engine) == []
    assert "returned int" in (_status(engine, "echo").last_error or "")
    path.write_text(ECHO, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    wait_for(lambda: (driver.round(), driver.sources()[0].enabled)[1])
    deliver(engine, [text_event("wxid_a", "two")])
    driver.settle()
    assert auto_texts(engine) == [("wxid_a", "plugin: two")]


def _status(engine: Engine, name: str) -> SourceStatus:
    with SourceStore.open(engine.paths.history) as store:
        return next(s for s in store.statuses() if s.name == name)


def test_global_switch_caps_and_pauses(engine: Engine, make_hub: Hubs, plugin_dir: Path) -> None:
    write(plugin_dir, "echo", ECHO)
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("echo")
    with RuleStore.open(engine.paths.history) as rules:
        rules.set_config(AutoReplyConfig(per_conversation_per_minute=1))
        rules.set_auto_reply_enabled(False)
        deliver(engine, [text_event("wxid_a", "while off")])
        driver.settle()
        assert auto_texts(engine) == [] and jobs(engine) == []
        rules.set_auto_reply_enabled(True)
    deliver(engine, [text_event("wxid_a", "one"), text_event("wxid_a", "two")])
    reports = driver.settle()
    assert auto_texts(engine) == [("wxid_a", "plugin: one")]
    assert [a.kind for r in reports for a in r.alerts] == [AlertKind.CONVERSATION_CAP]
    assert [state for _, state, _ in jobs(engine)] == ["done", "dropped"]


def test_loop_detection_pauses_the_conversation(
    engine: Engine, make_hub: Hubs, plugin_dir: Path, rules: RuleStore
) -> None:
    write(plugin_dir, "echo", ECHO)
    rules.set_config(AutoReplyConfig(loop_exchanges=2, per_conversation_per_minute=100))
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("echo")
    alerts = []
    for i in range(4):
        deliver(engine, [text_event("wxid_bot", f"bot says {i}")])
        alerts += [a for r in driver.settle() for a in r.alerts]
    assert auto_texts(engine) == [
        ("wxid_bot", "plugin: bot says 0"),
        ("wxid_bot", "plugin: bot says 1"),
    ]
    assert [a.kind for a in alerts] == [AlertKind.LOOP]
    assert [p.conversation for p in rules.paused(engine.clock())] == ["wxid_bot"]
    # The pause is shared: the rules do not answer there either.
    deliver(engine, [text_event("wxid_bot", "hi")])
    driver.settle()
    assert len(auto_texts(engine)) == 2


def test_exactly_once_across_a_restart(engine: Engine, make_hub: Hubs, plugin_dir: Path) -> None:
    write(
        plugin_dir,
        "slow",
        "import time\ndef handle(message):\n    time.sleep(0.5)\n    return 'late'\n",
    )
    write(plugin_dir, "zz_echo", ECHO)
    first = Driver(engine, make_hub())
    first.wait_for_plugins("slow", "zz_echo")
    with SourceStore.open(engine.paths.history) as store:
        store.set_enabled(next(s.id for s in store.sources() if s.name == "zz_echo"), False)
    deliver(engine, [text_event("wxid_a", "asked before the stop")])
    first.round()
    assert [state for _, state, _ in jobs(engine)] == ["pending"]
    first.hub.close()  # wxpanel stops while the plugin is still thinking
    time.sleep(0.7)  # the abandoned call finishes; nobody collects it
    second = Driver(engine, make_hub())
    second.settle()
    ((_, state, detail),) = jobs(engine)
    assert (state, detail) == ("failed", "interrupted by a restart")
    assert auto_texts(engine) == []
    # A done job is not asked again after another restart.
    with SourceStore.open(engine.paths.history) as store:
        for source in store.sources():
            store.set_enabled(source.id, source.name == "zz_echo")
    deliver(engine, [text_event("wxid_b", "after")])
    second.settle()
    second.hub.close()
    third = Driver(engine, make_hub())
    third.settle()
    assert auto_texts(engine) == [("wxid_b", "plugin: after")]


def test_a_crash_between_the_rules_and_the_hand_over(
    engine: Engine, make_hub: Hubs, plugin_dir: Path, rules: RuleStore
) -> None:
    write(plugin_dir, "echo", ECHO)
    first = Driver(engine, make_hub())
    first.wait_for_plugins("echo")
    deliver(engine, [text_event("wxid_a", "hi"), text_event("wxid_b", "unmatched")])
    first.replier.process(engine.hconn, engine.pacer, engine.clock())  # rules commit...
    first.hub.close()  # ...and the process dies before the sources saw the batch
    second = Driver(engine, make_hub())
    second.settle()
    assert auto_texts(engine) == [("wxid_a", "rule hi"), ("wxid_b", "plugin: unmatched")]


def test_webhook_source(engine: Engine, make_hub: Hubs, server: FakeServer) -> None:
    with SourceStore.open(engine.paths.history) as store:
        store.add(SourceKind.WEBHOOK, "crm", WebhookConfig(url=f"{server.url}/hook", retries=0))
    driver = Driver(engine, make_hub(plugin_dirs=()))
    server.respond(Canned(200, {"text": "from the webhook"}))
    deliver(engine, [text_event("wxid_a", "question")])
    driver.settle()
    assert auto_texts(engine) == [("wxid_a", "from the webhook")]
    assert server.seen[0].json()["message"]["content"] == "question"
    server.respond(Canned(500, "down"))
    deliver(engine, [text_event("wxid_a", "again")])
    driver.settle()
    status = _status(engine, "crm")
    assert status.calls == 2 and status.failures == 1 and "HTTP 500" in (status.last_error or "")
    assert status.enabled  # a failing webhook stays on
    assert [state for _, state, _ in jobs(engine)] == ["done", "failed"]


def test_a_dripping_webhook_fails_its_job_with_the_reason(
    engine: Engine, make_hub: Hubs, drip: DripServer
) -> None:
    with SourceStore.open(engine.paths.history) as store:
        store.add(SourceKind.WEBHOOK, "slow", WebhookConfig(url=drip.url, timeout=0.5, retries=0))
    driver = Driver(engine, make_hub(plugin_dirs=()))
    deliver(engine, [text_event("wxid_a", "question")])
    driver.settle()
    status = _status(engine, "slow")
    assert status.failures == 1 and "no answer within 0.5 s" in (status.last_error or "")
    assert jobs(engine) == [(1, "failed", "no answer within 0.5 s")]


def test_closing_the_hub_does_not_wait_for_a_dripping_server(
    engine: Engine, make_hub: Hubs, drip: DripServer
) -> None:
    with SourceStore.open(engine.paths.history) as store:
        store.add(SourceKind.WEBHOOK, "slow", WebhookConfig(url=drip.url, timeout=30, retries=5))
    hub = make_hub(plugin_dirs=())
    driver = Driver(engine, hub)
    deliver(engine, [text_event("wxid_a", "question")])
    wait_for(lambda: driver.round().pending == 1 and drip.connections == 1)
    started = time.monotonic()
    hub.close()

    # What interpreter exit joins (concurrent.futures' atexit hook): the pool's threads.
    threads = list(hub._pool._threads)
    wait_for(lambda: not any(thread.is_alive() for thread in threads), timeout=5.0)
    assert time.monotonic() - started < 1.0
    assert drip.connections == 1  # not retried after the stop


def test_ai_source_counts_tokens_and_cost(
    engine: Engine, make_hub: Hubs, server: FakeServer
) -> None:
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
    driver = Driver(engine, make_hub(plugin_dirs=()))
    deliver(engine, [text_event("wxid_a", "你好"), text_event("wxid_a", "rate limited")])
    driver.settle()
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


def test_pending_jobs_are_bounded(engine: Engine, make_hub: Hubs, plugin_dir: Path) -> None:
    write(
        plugin_dir,
        "echo",
        "import time\ndef handle(message):\n    time.sleep(0.05)\n    return 'ok'\n",
    )
    with RuleStore.open(engine.paths.history) as rules:
        rules.set_config(AutoReplyConfig(per_minute=1000, per_conversation_per_minute=1000))
    driver = Driver(engine, make_hub(max_pending=2))
    driver.wait_for_plugins("echo")
    deliver(engine, [text_event(f"wxid_{i}", "x") for i in range(5)])
    report = driver.round()
    assert report.handed_over == 2 and report.pending == 2 and not report.more
    assert len(jobs(engine)) == 2  # the others wait, unread, behind the watermark
    driver.settle()
    assert len(auto_texts(engine)) == 5


def test_idle_rounds_touch_no_database(engine: Engine, make_hub: Hubs) -> None:
    driver = Driver(engine, make_hub(plugin_dirs=()))
    driver.settle()
    statements: list[str] = []
    engine.hconn.set_trace_callback(statements.append)
    try:
        report = driver.hub.process(
            engine.hconn, engine.pacer, engine.clock(), ReplyReport(watermark=driver.hub._replier)
        )
    finally:
        engine.hconn.set_trace_callback(None)
    assert report == SourceReport() and statements == []


def test_sqlite_locked_is_retried_next_round(
    engine: Engine, make_hub: Hubs, plugin_dir: Path
) -> None:
    write(plugin_dir, "echo", ECHO)
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("echo")
    deliver(engine, [text_event("wxid_a", "x")])
    replies = driver.replier.process(engine.hconn, engine.pacer, engine.clock())
    other = sqlite3.connect(engine.paths.history, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError):
            driver.hub.process(engine.hconn, engine.pacer, engine.clock(), replies)
    finally:
        other.rollback()
        other.close()
    driver.settle()
    assert auto_texts(engine) == [("wxid_a", "plugin: x")]


def test_default_plugin_dirs(tmp_path: Path) -> None:
    from wxpanel.core.sources.hub import default_plugin_dirs

    assert default_plugin_dirs(executable_dir=tmp_path) == (tmp_path.resolve() / "plugins",)
    extra = tmp_path / "mine"
    assert default_plugin_dirs(extra, tmp_path) == (extra.resolve(), tmp_path.resolve() / "plugins")


def test_rounds_without_the_replier_still_collect(
    engine: Engine, make_hub: Hubs, plugin_dir: Path
) -> None:
    write(
        plugin_dir,
        "echo",
        "import time\ndef handle(message):\n    time.sleep(0.1)\n    return 'ok'\n",
    )
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("echo")
    deliver(engine, [text_event("wxid_a", "x")])
    assert driver.round().handed_over == 1
    hub = driver.hub

    def collected() -> bool:  # the Engine passes None while the replier has nothing new
        return bool(hub.process(engine.hconn, engine.pacer, engine.clock(), None).queued)

    wait_for(collected)
    assert auto_texts(engine) == [("wxid_a", "ok")]


def test_a_job_past_its_deadline_fails_and_its_late_answer_is_ignored(
    engine: Engine, make_hub: Hubs, plugin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wxpanel.core.sources.hub as hub_module

    monkeypatch.setattr(hub_module, "GRACE", 0.1)
    monkeypatch.setattr(hub_module, "_worst_case", lambda source: 0.0)
    write(
        plugin_dir,
        "late",
        "import time\ndef handle(message):\n    time.sleep(0.6)\n    return 'late'\n",
    )
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("late")
    deliver(engine, [text_event("wxid_a", "x")])
    driver.settle()
    assert jobs(engine)[0][1:] == ("failed", "no source finished in time")
    time.sleep(0.8)  # the call finishes now; nobody looks at it
    driver.settle()
    assert auto_texts(engine) == []


def test_webhook_picture_is_queued_as_a_picture(
    engine: Engine, make_hub: Hubs, server: FakeServer
) -> None:
    from tests.core.sources.test_webhook import png

    server.files["/cat.png"] = png()
    server.respond(Canned(200, {"text": "a cat", "picture_url": f"{server.url}/cat.png"}))
    with SourceStore.open(engine.paths.history) as store:
        store.add(SourceKind.WEBHOOK, "pics", WebhookConfig(url=f"{server.url}/hook"))
    driver = Driver(engine, make_hub(plugin_dirs=()))
    deliver(engine, [text_event("wxid_a", "cat please")])
    (report,) = [r for r in driver.settle() if r.queued]
    text, picture = report.queued
    assert text.content == "a cat" and picture.command is not None
    assert picture.command.value == "wx_picture"
    assert Path(picture.content or "").parent == engine.paths.media.resolve() / "webhook"


def test_a_missing_picture_is_left_out_and_the_text_goes(
    engine: Engine, make_hub: Hubs, plugin_dir: Path, tmp_path: Path
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
    driver = Driver(engine, make_hub())
    driver.wait_for_plugins("pics")
    deliver(engine, [text_event("wxid_a", "picture?")])
    alerts = [a for r in driver.settle() for a in r.alerts]
    assert auto_texts(engine) == [("wxid_a", "here it is")]
    assert [a.kind for a in alerts] == [AlertKind.PICTURE]
