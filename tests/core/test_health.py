"""Health checks: each level of each check, alerts and recoveries, integrity."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from wxpanel.core import health as h
from wxpanel.core.engine import Engine
from wxpanel.core.health import (
    Check,
    HealthInput,
    HealthMonitor,
    Level,
    Thresholds,
    evaluate,
    gather_input,
    integrity_check,
)
from wxpanel.core.history import HistoryStore, checkpoint
from wxpanel.core.models import Health
from wxpanel.core.outbox import OutboxConfig
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings
from wxpanel.core.simulator import Simulator
from wxpanel.core.texts import Text

FAST = Settings(
    pacer=PacerConfig(PacingRule(0.0, 0.0, 1000), PacingRule(0.0, 0.0, 1000)),
    outbox=OutboxConfig(stuck_after=30.0),
)
NOW = 1_000_000.0
GIB = 1024**3
FINE = Health(
    exchange="/bot/exchange.db", checked_at=NOW, last_event_at=NOW - 5, last_taken_at=NOW - 9
)


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def data(health: Health | None = FINE, **changes: object) -> HealthInput:
    base = HealthInput(
        now=NOW,
        health=health,
        exchange_free=50 * GIB,
        history_free=50 * GIB,
        history_bytes=10 * 1024**2,
        started_at=NOW - 60,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def by_name(checks: tuple[Check, ...] | list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def level_of(name: str, inputs: HealthInput, limits: Thresholds | None = None) -> Level:
    return by_name(evaluate(inputs, limits))[name].level


# -- reasons ------------------------------------------------------------------


def test_every_check_has_a_title_in_the_catalogue() -> None:
    checks = [*evaluate(data()), Check(h.INTEGRITY, Level.GREEN, Text.of("integrity_ok"))]
    assert all(str(check.title) for check in checks)  # Text.of raises for a missing key
    reason = Text.of("demo_slow", seconds=12)
    assert (
        reason.format("demo.exe 已经 {seconds} 秒没有取走命令") == "demo.exe 已经 12 秒没有取走命令"
    )


def test_all_green_when_everything_is_fine() -> None:
    checks = evaluate(data())
    assert [c.name for c in checks] == [
        h.EXCHANGE,
        h.DEMO,
        h.DISK_EXCHANGE,
        h.DISK_HISTORY,
        h.HISTORY_SIZE,
        h.LAG,
        h.BACKLOG,
    ]
    assert all(c.level is Level.GREEN for c in checks), [c.text for c in checks]
    assert h.overall(checks) is Level.GREEN
    assert by_name(checks)[h.DEMO].text == "demo.exe takes commands; last event 5 s ago"


# -- each check ---------------------------------------------------------------


BOT = "/bot/exchange.db"


def failed(problem: Text) -> Health:
    """The Engine's snapshot after ``problem`` stopped it."""
    return replace(FINE, error=str(problem), problem=problem)


@pytest.mark.parametrize(
    ("problem", "key"),
    [
        (Text.of("problem_not_demo", path=BOT, missing="table wx_event"), "exchange_schema"),
        (
            Text.of("problem_not_sqlite", path=BOT, detail="file is not a database"),
            "exchange_schema",
        ),
        (Text.of("problem_gone", path=BOT), "exchange_gone"),
        (Text.of("problem_file", path=BOT, detail="disk I/O error"), "exchange_error"),
    ],
)
def test_exchange_errors_are_red(problem: Text, key: str) -> None:
    """Told apart by the problem's key, never by the words of the English line."""
    check = by_name(evaluate(data(failed(problem))))[h.EXCHANGE]
    assert check.level is Level.RED and check.reason.key == key
    assert "/bot/" not in check.text and "\n" not in check.text
    assert level_of(h.EXCHANGE, data(None)) is Level.AMBER  # no poll yet


def test_schema_reason_names_what_is_missing() -> None:
    problem = Text.of("problem_not_demo", path=BOT, missing="table wx_event")
    check = by_name(evaluate(data(failed(problem))))[h.EXCHANGE]
    assert check.text == "exchange.db is not demo.exe's database (missing table wx_event)"


def test_demo_levels() -> None:
    assert level_of(h.DEMO, data(replace(FINE, oldest_pending_since=NOW - 5))) is Level.GREEN
    slow = by_name(evaluate(data(replace(FINE, oldest_pending_since=NOW - 12))))[h.DEMO]
    assert slow.level is Level.AMBER and slow.text == ("demo.exe has not taken a command for 12 s")
    stuck = by_name(evaluate(data(replace(FINE, oldest_pending_since=NOW - 45, stuck=1))))[h.DEMO]
    assert stuck.level is Level.RED and stuck.reason.values == {"seconds": 45, "stuck": 1}
    quiet = replace(FINE, last_event_at=NOW - 3600)
    assert by_name(evaluate(data(quiet)))[h.DEMO].text == "No event from demo.exe for 60 min"
    never = replace(FINE, last_event_at=None)  # commands taken, no event
    assert level_of(h.DEMO, data(never, started_at=NOW - 60)) is Level.GREEN
    assert level_of(h.DEMO, data(never, started_at=NOW - 1000)) is Level.AMBER
    events_only = by_name(evaluate(data(replace(FINE, last_taken_at=None))))[h.DEMO]
    assert events_only.level is Level.GREEN
    assert events_only.text == "demo.exe writes events; last event 5 s ago"
    broken = replace(FINE, error="/bot/exchange.db: disk I/O error")
    assert level_of(h.DEMO, data(broken)) is Level.AMBER
    limits = Thresholds(pending_amber=1, pending_red=2)
    assert level_of(h.DEMO, data(replace(FINE, oldest_pending_since=NOW - 3)), limits) is Level.RED


def test_demo_without_evidence_is_unknown_never_green() -> None:
    """A fresh exchange.db with nothing running: no event, no command taken (issue 14)."""
    nothing = replace(FINE, last_event_at=None, last_taken_at=None)
    for started in (NOW - 5, NOW - 3600):
        checks = evaluate(data(nothing, started_at=started))
        demo = by_name(checks)[h.DEMO]
        assert demo.level is Level.UNKNOWN and demo.reason.key == "demo_unseen"
        assert h.overall(checks) is Level.UNKNOWN
    stuck = replace(nothing, oldest_pending_since=NOW - 45, stuck=1)
    assert level_of(h.DEMO, data(stuck)) is Level.RED  # a command not taken in time is red


def test_disk_levels() -> None:
    for free, level in ((50 * GIB, Level.GREEN), (500 * 1024**2, Level.AMBER), (10**7, Level.RED)):
        inputs = data(exchange_free=free, history_free=free)
        assert level_of(h.DISK_EXCHANGE, inputs) is level
        assert level_of(h.DISK_HISTORY, inputs) is level
    full = by_name(evaluate(data(history_free=100 * 1024**2)))[h.DISK_HISTORY]
    assert full.text == "Only 100 MB free beside history.db: the disk is nearly full"
    assert level_of(h.DISK_EXCHANGE, data(exchange_free=None)) is Level.AMBER


def test_history_size_levels() -> None:
    assert level_of(h.HISTORY_SIZE, data(history_bytes=3 * GIB)) is Level.AMBER
    assert level_of(h.HISTORY_SIZE, data(history_bytes=25 * GIB)) is Level.RED
    assert level_of(h.HISTORY_SIZE, data(history_bytes=None)) is Level.AMBER
    ok = by_name(evaluate(data(history_bytes=12 * 1024**2)))[h.HISTORY_SIZE]
    assert ok.level is Level.GREEN and ok.text == "history.db is 12 MB"


def test_lag_levels_and_a_lock_is_lag_not_an_error() -> None:
    assert level_of(h.LAG, data(replace(FINE, checked_at=NOW - 1))) is Level.GREEN
    assert level_of(h.LAG, data(replace(FINE, checked_at=NOW - 10))) is Level.AMBER
    assert level_of(h.LAG, data(replace(FINE, checked_at=NOW - 100))) is Level.RED
    locked = data(replace(FINE, locked_since=NOW - 5))
    checks = by_name(evaluate(locked))
    assert checks[h.LAG].level is Level.AMBER
    assert checks[h.LAG].text == "exchange.db locked by another program for 5 s"
    assert checks[h.EXCHANGE].level is Level.GREEN
    assert level_of(h.LAG, data(replace(FINE, locked_since=NOW - 90))) is Level.RED
    assert level_of(h.LAG, data(None)) is Level.AMBER


def test_backlog_levels() -> None:
    assert level_of(h.BACKLOG, data(replace(FINE, backlog=5))) is Level.GREEN
    assert level_of(h.BACKLOG, data(replace(FINE, backlog=5000))) is Level.AMBER
    rising = tuple((NOW - 60 + 10 * i, 100 * i) for i in range(7))
    growing = by_name(evaluate(data(replace(FINE, backlog=600), backlog_samples=rising)))
    assert growing[h.BACKLOG].level is Level.RED
    assert growing[h.BACKLOG].text == "wx_event backlog grew from 0 to 600 rows in 60 s"
    wobbly = (*rising[:3], (rising[3][0], 0), *rising[4:])
    assert level_of(h.BACKLOG, data(replace(FINE, backlog=600), backlog_samples=wobbly)) in (
        Level.GREEN,
        Level.AMBER,
    )
    short = rising[-2:]  # two samples ten seconds apart prove nothing
    assert level_of(h.BACKLOG, data(replace(FINE, backlog=600), backlog_samples=short)) is (
        Level.GREEN
    )
    assert level_of(h.BACKLOG, data(replace(FINE, error="x"))) is Level.AMBER


# -- monitor -----------------------------------------------------------------


def test_monitor_raises_once_and_recovers_on_green() -> None:
    monitor = HealthMonitor()
    pending = replace(FINE, oldest_pending_since=NOW - 40, stuck=1)
    (raised,) = monitor.update(data(pending))
    assert raised.raised and raised.name == h.DEMO and raised.check.level is Level.RED
    assert monitor.alerting == {h.DEMO} and monitor.level is Level.RED
    assert monitor.update(data(pending, now=NOW + 1)) == []  # still red: no second alert
    slow = replace(FINE, oldest_pending_since=NOW + 2 - 12)
    assert monitor.update(data(slow, now=NOW + 2)) == []  # amber is not yet recovered
    assert monitor.update(data(pending, now=NOW + 3)) == []  # red again, alert still standing
    (recovered,) = monitor.update(data(replace(FINE, checked_at=NOW + 4), now=NOW + 4))
    assert recovered.recovered and recovered.name == h.DEMO
    assert monitor.alerting == frozenset() and h.overall(monitor.checks) is Level.GREEN


def test_monitor_remembers_the_backlog() -> None:
    monitor = HealthMonitor()
    transitions = []
    for second in range(0, 61, 5):
        snapshot = replace(FINE, backlog=second * 10, checked_at=NOW + second)
        transitions += monitor.update(data(snapshot, now=NOW + second))
    assert [(t.name, t.raised) for t in transitions] == [(h.BACKLOG, True)]
    drained = replace(FINE, backlog=0, checked_at=NOW + 61)
    (recovered,) = monitor.update(data(drained, now=NOW + 61))
    assert recovered.name == h.BACKLOG and recovered.recovered


def test_integrity_result_joins_the_checks(tmp_path: Path) -> None:
    monitor = HealthMonitor()
    monitor.update(data())
    bad = Check(h.INTEGRITY, Level.RED, Text.of("integrity_bad", detail="page 4"))
    (raised,) = monitor.record_integrity(bad, NOW)
    assert raised.name == h.INTEGRITY
    monitor.update(data(now=NOW + 1))
    assert monitor.checks[-1] == bad


# -- against the engine and the simulator ---------------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(exchange_db: Path, clock: Clock) -> Iterator[Engine]:
    with Engine(exchange_db, settings=FAST, clock=clock) as running:
        yield running


def watch(engine: Engine, monitor: HealthMonitor, now: float) -> list[h.Transition]:
    """What the panel does after each poll that brought a health snapshot."""
    result = engine.poll()
    snapshot = result.health or engine._state.health
    inputs = gather_input(engine.exchange_db, engine.paths.history, snapshot, now)
    return monitor.update(inputs)


def test_stalled_simulator_turns_demo_red_and_back_green(
    engine: Engine, exchange_db: Path, clock: Clock
) -> None:
    monitor = HealthMonitor(started_at=clock.now)
    with Simulator(exchange_db, seed=2, take_delay=0.0, clock=clock) as sim:
        sim.emit(5)
        assert watch(engine, monitor, clock.now) == []
        engine.queue_text("wxid_a", "are you there?")
        watch(engine, monitor, clock.now)
        assert by_name(monitor.checks)[h.DEMO].level is Level.GREEN
        clock.now += 15  # demo.exe stalls: nothing is taken
        watch(engine, monitor, clock.now)
        assert by_name(monitor.checks)[h.DEMO].level is Level.AMBER
        clock.now += 20
        (alert,) = watch(engine, monitor, clock.now)
        assert alert.raised and alert.name == h.DEMO
        assert alert.check.text == "demo.exe has taken nothing for 35 s (1 commands stuck)"
        clock.now += 1  # demo.exe resumes
        assert len(sim.take_commands()) == 1
        (recovered,) = watch(engine, monitor, clock.now)
    assert recovered.recovered and recovered.name == h.DEMO
    assert by_name(monitor.checks)[h.DEMO].level is Level.GREEN
    assert monitor.level is Level.GREEN, [c.text for c in monitor.checks]


def test_a_writer_at_work_shows_as_lag(engine: Engine, exchange_db: Path, clock: Clock) -> None:
    monitor = HealthMonitor(started_at=clock.now)
    watch(engine, monitor, clock.now)
    insert_events(exchange_db, [text_event("wxid_a", "waiting behind the lock")])
    holder = sqlite3.connect(exchange_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO wx_command VALUES ('x', 'none', 'x', 'x', 'x')")  # a journal
    try:
        watch(engine, monitor, clock.now)
        clock.now += 5
        transitions = watch(engine, monitor, clock.now)
        checks = by_name(monitor.checks)
        assert checks[h.LAG].level is Level.AMBER
        assert checks[h.LAG].text == "exchange.db locked by another program for 5 s"
        assert checks[h.EXCHANGE].level is Level.GREEN and transitions == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    clock.now += 1
    watch(engine, monitor, clock.now)
    assert by_name(monitor.checks)[h.LAG].level is Level.GREEN


def test_damaged_exchange_is_red_until_it_is_repaired(
    engine: Engine, exchange_db: Path, clock: Clock
) -> None:
    monitor = HealthMonitor(started_at=clock.now)
    watch(engine, monitor, clock.now)
    original = exchange_db.read_bytes()
    with exchange_db.open("r+b") as handle:  # same file, overwritten: not a database any more
        handle.write(b"this is no SQLite file at all.." * 4)
    clock.now += 1
    (alert,) = [t for t in watch(engine, monitor, clock.now) if t.name == h.EXCHANGE]
    assert alert.raised and alert.check.reason.key in ("exchange_schema", "exchange_error")
    assert by_name(monitor.checks)[h.DEMO].level is Level.AMBER  # cannot tell meanwhile
    with exchange_db.open("r+b") as handle:
        handle.write(original)
    clock.now += 1
    recovered = [t for t in watch(engine, monitor, clock.now) if t.name == h.EXCHANGE]
    assert [t.recovered for t in recovered] == [True]


def test_gather_measures_disk_and_history(engine: Engine, exchange_db: Path) -> None:
    inputs = gather_input(exchange_db, engine.paths.history, None, NOW)
    assert inputs.exchange_free and inputs.history_free and inputs.history_bytes
    missing = gather_input(exchange_db, exchange_db.parent / "none" / "h.db", None, NOW)
    assert missing.history_bytes is None


def test_history_size_counts_the_write_ahead_log(tmp_path: Path, exchange_db: Path) -> None:
    history_db = tmp_path / "history.db"
    history_db.write_bytes(b"\0" * 4096)
    alone = gather_input(exchange_db, history_db, None, NOW).history_bytes
    (tmp_path / "history.db-wal").write_bytes(b"\0" * 8192)
    assert alone == 4096
    assert gather_input(exchange_db, history_db, None, NOW).history_bytes == 4096 + 8192


# -- integrity ---------------------------------------------------------------


def filled_history(exchange_db: Path, engine: Engine) -> Path:
    insert_events(exchange_db, [text_event(f"wxid_{i % 40}", "内容" * 100) for i in range(2000)])
    while engine.poll().messages:
        pass
    return engine.paths.history


def test_integrity_check_on_a_good_file(engine: Engine, exchange_db: Path) -> None:
    check = integrity_check(filled_history(exchange_db, engine))
    assert check.level is Level.GREEN and check.name == h.INTEGRITY


def test_integrity_check_on_a_corrupted_file(
    engine: Engine, exchange_db: Path, tmp_path: Path
) -> None:
    history = filled_history(exchange_db, engine)
    # WAL mode: the file alone holds every commit only after this, which the
    # Engine's own checkpointer, running at that moment, would make busy.
    engine.checkpoints.close()
    checkpoint(engine.hconn)
    data_bytes = bytearray(history.read_bytes())
    page = int.from_bytes(data_bytes[16:18], "big")
    pages = len(data_bytes) // page
    # Scribble over cells of pages in the second half: message data, far from
    # the schema pages at the start (whose damage makes the file unreadable).
    for number in range(pages // 2, pages // 2 + 35):
        start = number * page + 100
        data_bytes[start : start + 64] = b"\xab" * 64
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data_bytes))
    check = integrity_check(damaged)
    assert check.level is Level.RED and check.reason.key == "integrity_bad"
    assert "\n" not in check.text and "***" not in check.text
    data_bytes[:16] = b"not a database!!"
    (tmp_path / "header.db").write_bytes(bytes(data_bytes))
    header = integrity_check(tmp_path / "header.db")
    assert header.level is Level.RED and header.reason.key == "integrity_unreadable"


def test_integrity_check_leaves_the_store_usable(engine: Engine, exchange_db: Path) -> None:
    path = filled_history(exchange_db, engine)
    with HistoryStore(path) as store:
        assert integrity_check(path).level is Level.GREEN
        assert store.counters()["events"] == 2000
