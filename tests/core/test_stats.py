"""Statistics: counts match the traffic, first-response times, series, busiest, cost."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import EventRow, insert_events, text_event
from wxpanel.core import stats
from wxpanel.core.engine import Engine
from wxpanel.core.history import HistoryStore, _split_sql, open_history
from wxpanel.core.models import Health, Origin
from wxpanel.core.outbox import OutboxConfig
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.protocol import STATE_RECEIVED, STATE_SENT
from wxpanel.core.schema import MIGRATIONS
from wxpanel.core.settings import Settings
from wxpanel.core.simulator import Shapes, Simulator

FAST = Settings(
    pacer=PacerConfig(PacingRule(0.0, 0.0, 1000), PacingRule(0.0, 0.0, 1000)),
    outbox=OutboxConfig(stuck_after=30.0),
)
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp()
OLD_JSON_KEYS = {
    "events_received",
    "incoming",
    "account_sent",
    "flagged",
    "commands_queued",
    "commands_written",
    "commands_taken",
    "commands_stuck",
    "commands_failed",
    "commands_waiting",
    "errors",
    "backlog",
    "pending_commands",
    "oldest_pending_age",
    "events_per_minute_1m",
    "events_per_minute_15m",
    "commands_per_minute_15m",
    "time",
}


class Clock:
    """A clock the test moves by hand: no sleeping."""

    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(exchange_db: Path, clock: Clock) -> Iterator[Engine]:
    with Engine(exchange_db, settings=FAST, clock=clock) as running:
        yield running


@pytest.fixture
def store(engine: Engine) -> Iterator[HistoryStore]:
    with HistoryStore(engine.paths.history) as opened:
        yield opened


def settle(engine: Engine) -> None:
    """Poll until a round brings nothing new (the clock does not move)."""
    quiet = 0
    for _ in range(200):
        result = engine.poll()
        quiet = 0 if result.messages or result.updates else quiet + 1
        if quiet >= 2:
            return
    raise AssertionError("the engine never settled")


def private(conversation: str, content: str, state: str = STATE_RECEIVED) -> EventRow:
    sender = "wxid_bot_self" if state == STATE_SENT else conversation
    return (conversation, sender, "私聊", content, state, "1")


def send_and_take(engine: Engine, sim: Simulator) -> int:
    """Let the outbox write every queued command and the simulator take each one."""
    taken = 0
    for _ in range(500):
        settle(engine)
        got = sim.take_commands()
        taken += len(got)
        if not got:
            settle(engine)
            if not sim.take_commands():
                return taken
    raise AssertionError("commands never drained")


# -- counts -------------------------------------------------------------------


def test_counts_match_the_traffic_sent(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    # A richer bridge than demo.exe: own messages typed on the phone and echoes
    # of what was sent, so every figure has something to count.
    with Simulator(exchange_db, seed=11, take_delay=0.0, clock=clock, shapes=Shapes.RICH) as sim:
        events = sim.emit(300)
        settle(engine)
        origins = [Origin.MANUAL] * 4 + [Origin.AUTO] * 7 + [Origin.TIMED] * 2
        for number, origin in enumerate(origins):
            engine.queue_text(f"wxid_target{number % 3}", f"reply {number}", origin)
        taken = send_and_take(engine, sim)
    figures = stats.collect(store, exchange_db, clock.now, tz=UTC)

    received = sum(1 for e in events if e.MSG_STATE == STATE_RECEIVED)
    from_phone = sum(1 for e in events if e.MSG_STATE == STATE_SENT)
    assert taken == len(origins)
    assert figures.incoming == figures.today.incoming == figures.all_time.incoming == received
    assert figures.account_sent == figures.all_time.from_phone == from_phone
    assert figures.events_received == len(events) + taken  # each command is echoed
    assert figures.commands_queued == figures.commands_written == len(origins)
    assert figures.commands_taken == len(origins)
    assert (figures.today.sent_manual, figures.today.sent_auto, figures.today.sent_timed) == (
        4,
        7,
        2,
    )
    assert (figures.all_time.queued_manual, figures.all_time.queued_auto) == (4, 7)
    assert figures.today.outgoing == len(origins) + from_phone
    assert sum(p.incoming for p in figures.last_hour) == received
    assert sum(p.outgoing for p in figures.last_day) == len(origins) + from_phone
    assert (figures.backlog, figures.pending_commands, figures.oldest_pending_age) == (0, 0, None)

    expected = Counter(str(e.ID1) for e in events)
    for number, _origin in enumerate(origins):
        expected[f"wxid_target{number % 3}"] += 2  # the command and its echo
    ranked = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert [(b.id, b.message_count) for b in figures.busiest] == ranked


def test_json_keeps_every_old_key_and_text_mentions_the_new_figures(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "hi"), text_event("1@chatroom", "yo")])
    settle(engine)
    figures = stats.collect(store, exchange_db, clock.now)
    data = json.loads(json.dumps(figures.to_json()))  # what `wxpanel stats --json` prints
    assert set(data) >= OLD_JSON_KEYS
    assert data["today"]["incoming"] == 2 and len(data["last_hour"]) == 60
    assert data["last_hour"][-1] == [60 * int(clock.now // 60), 2, 0]
    text = stats.format_text(figures)
    assert "wx_event backlog     0" in text
    assert "today" in text and "first response" in text and "busiest conversations" in text


# -- first-response times ----------------------------------------------------


def test_median_first_response_in_private_chats(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    start = clock.now
    with Simulator(exchange_db, seed=1, take_delay=0.0, clock=clock) as sim:
        insert_events(exchange_db, [private("wxid_a", "q1")])
        settle(engine)
        clock.now = start + 5
        insert_events(exchange_db, [private("wxid_a", "q2")])  # A still waits since `start`
        settle(engine)
        clock.now = start + 10
        engine.queue_text("wxid_a", "manual answer", Origin.MANUAL)  # A: 10 s
        insert_events(
            exchange_db,
            [
                private("wxid_b", "b?"),
                private("wxid_e", "e?"),
                text_event("9@chatroom", "group question", sender="wxid_x"),
                ("fmessage", "wxid_stranger", "私聊", "<msg/>", STATE_RECEIVED, "37"),
                ("wxid_f", "wxid_f", "私聊", "你已添加了F", STATE_RECEIVED, "10000"),
            ],
        )
        send_and_take(engine, sim)
        clock.now = start + 40
        engine.queue_text("wxid_b", "auto answer", Origin.AUTO)  # B: 30 s
        engine.queue_text("wxid_e", "timed news", Origin.TIMED)  # not an answer
        engine.queue_text("9@chatroom", "group answer", Origin.MANUAL)  # groups are not measured
        engine.queue_text("wxid_d", "out of the blue", Origin.MANUAL)  # nothing to answer
        engine.queue_text("wxid_f", "hello F", Origin.MANUAL)  # a system notice asks nothing
        insert_events(exchange_db, [private("wxid_c", "c?")])
        assert send_and_take(engine, sim) == 5
        clock.now = start + 60
        insert_events(exchange_db, [private("wxid_c", "typed on the phone", STATE_SENT)])  # C: 20 s
        settle(engine)

    response = stats.collect(store, None, clock.now).response
    assert response.count == 3 and response.median == 20.0
    assert [(o.origin, o.median, o.count) for o in response.by_origin] == [
        ("auto", 30.0, 1),
        ("event", 20.0, 1),
        ("manual", 10.0, 1),
    ]
    assert response.waiting == 1  # E: a timed message is no answer

    clock.now = start + stats.RESPONSE_WINDOW + 61
    later = stats.collect(store, None, clock.now).response
    assert (later.median, later.count, later.waiting) == (None, 0, 0)


def test_question_and_phone_answer_in_one_batch(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    insert_events(
        exchange_db,
        [
            private("wxid_a", "first"),
            private("wxid_a", "answered on the phone", STATE_SENT),
            private("wxid_a", "second question"),
            private("wxid_b", "waits"),
        ],
    )
    settle(engine)
    rows = store.conn.execute(
        "SELECT conversation, origin, seconds FROM response_sample"
    ).fetchall()
    assert rows == [("wxid_a", "event", 0.0)]
    waits = dict(store.conn.execute("SELECT conversation, since FROM response_wait"))
    assert waits == {"wxid_a": clock.now, "wxid_b": clock.now}


def test_old_samples_are_pruned(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    for conversation in ("wxid_a", "wxid_b"):
        insert_events(exchange_db, [private(conversation, "?")])
        settle(engine)
        clock.now += 3
        engine.queue_text(conversation, "!", Origin.MANUAL)
        settle(engine)
        with sqlite3.connect(exchange_db) as conn:
            conn.execute("DELETE FROM wx_command")  # demo.exe took it
        clock.now += stats.RESPONSE_KEEP
        settle(engine)
    assert store.conn.execute("SELECT conversation FROM response_sample").fetchall() == [
        ("wxid_b",)
    ]


# -- series and days ----------------------------------------------------------


def test_series_put_each_minute_in_its_bucket(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    base = clock.now
    for minutes_ago, count in ((0, 3), (1, 1), (59, 2), (60, 4), (600, 5)):
        clock.now = base - minutes_ago * 60
        insert_events(exchange_db, [text_event("wxid_a", f"m{i}") for i in range(count)])
        settle(engine)
    clock.now = base
    figures = stats.collect(store, None, base)
    hour = [p.incoming for p in figures.last_hour]
    assert len(hour) == 60 and hour[-1] == 3 and hour[-2] == 1 and hour[0] == 2
    assert sum(hour) == 6  # 60 minutes ago is outside the last hour
    assert figures.last_hour[-1].start == int(base // 60) * 60
    day = figures.last_day
    assert len(day) == 144 and all(p.start % 600 == 0 for p in day)
    assert day[-1].start <= base < day[-1].start + 600
    assert sum(p.incoming for p in day) == 15
    assert day[-61].incoming == 5  # 600 minutes ago, exactly 60 buckets before the last
    custom = stats.series(store.conn, base - 3600, base, 1800)
    assert sum(p.incoming for p in custom) == 10
    with pytest.raises(ValueError):
        stats.series(store.conn, 0, 1, 90)


def test_today_starts_at_local_midnight(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    midnight = datetime(2026, 11, 27, tzinfo=UTC).timestamp()
    clock.now = midnight - 600  # 23:50 UTC
    insert_events(exchange_db, [text_event("wxid_a", f"late {i}") for i in range(3)])
    settle(engine)
    clock.now = midnight + 600  # 00:10 UTC, the next day
    insert_events(exchange_db, [text_event("wxid_a", f"early {i}") for i in range(2)])
    settle(engine)
    utc = stats.collect(store, None, midnight + 1200, tz=UTC)
    assert utc.day_start == midnight
    assert (utc.today.incoming, utc.all_time.incoming) == (2, 5)
    beijing = timezone(timedelta(hours=8))  # 07:50 and 08:10 on the same day there
    local = stats.collect(store, None, midnight + 1200, tz=beijing)
    assert local.day_start == midnight - 8 * 3600
    assert local.today.incoming == 5


# -- commands, errors, exchange counts ----------------------------------------


def test_stuck_commands_and_errors(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    written = clock.now
    message = engine.queue_text("wxid_a", "nobody takes this")
    settle(engine)
    clock.now += 31
    settle(engine)
    figures = stats.collect(store, exchange_db, clock.now)
    assert figures.commands_stuck == 1 and figures.pending_commands == 1
    assert figures.oldest_pending_age == 31
    (stuck,) = figures.stuck
    assert (stuck.message_id, stuck.conversation, stuck.written_at) == (
        message.id,
        "wxid_a",
        written,
    )
    assert stuck.age == 31
    assert figures.recent_errors[0].kind == "stuck" and figures.today.errors == 1
    assert "stuck commands" in stats.format_text(figures)


def test_backlog_from_the_engines_health_or_unknown(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "waiting")] * 3)
    assert stats.collect(store, exchange_db, clock.now).backlog == 3
    health = Health(exchange=str(exchange_db), backlog=7, pending_commands=1, checked_at=1.0)
    from_health = stats.collect(store, exchange_db, clock.now, health=health)
    assert (from_health.backlog, from_health.pending_commands) == (7, 1)
    broken = Health(exchange=str(exchange_db), error="gone", checked_at=1.0)
    assert stats.collect(store, exchange_db, clock.now, health=broken).backlog is None
    assert stats.collect(store, None, clock.now).backlog is None
    missing = exchange_db.parent / "nope.db"
    assert stats.collect(store, missing, clock.now).pending_commands is None


# -- cost ---------------------------------------------------------------------


def test_collect_never_scans_a_table_that_grows_with_history(
    engine: Engine, store: HistoryStore, exchange_db: Path, clock: Clock
) -> None:
    """Every statement collect() runs is answered through an index or a small table."""
    insert_events(exchange_db, [text_event("wxid_a", "x")])
    settle(engine)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    stats.collect(store, None, clock.now)
    store.conn.set_trace_callback(None)
    assert statements
    small = {"counter", "response_wait"}  # a few dozen rows; one per waiting private chat
    for statement in statements:
        plan = store.conn.execute("EXPLAIN QUERY PLAN " + statement).fetchall()
        for _id, _parent, _unused, detail in plan:
            if detail.startswith("SCAN"):
                table = detail.split()[1]
                indexed = "USING" in detail and "INDEX" in detail
                newest_first = "ORDER BY id DESC LIMIT" in statement  # reads LIMIT rows
                assert table in small or indexed or newest_first, (statement, detail)


def test_migration_from_version_2_adds_the_statistics_tables(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in _split_sql(migration):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    conn = open_history(path)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"response_wait", "response_sample", "conversation_by_count"} <= names
    conn.close()
