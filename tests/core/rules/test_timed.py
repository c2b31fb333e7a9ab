"""Timed messages: once, daily, weekly; sent exactly once; a missed time is reported."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from datetime import time as dtime
from pathlib import Path

import pytest

from tests.core.rules.conftest import TZ, Clock, at
from wxpanel.core.autoreply.issues import RuleError
from wxpanel.core.engine import Engine
from wxpanel.core.models import Origin
from wxpanel.core.rules.model import ScheduleKind, TimedMessage
from wxpanel.core.rules.timed import (
    TimedOutcome,
    TimedRunner,
    TimedStore,
    due,
    next_occurrence,
    occurrences,
    process_timed,
    send_late,
)


def daily(hour: int = 9, minute: int = 0, **changes: object) -> TimedMessage:
    fields: dict[str, object] = {
        "name": "早安",
        "targets": ("wxid_a", "1@chatroom"),
        "schedule": ScheduleKind.DAILY,
        "text": "早上好！今天是 {date}",
        "time_of_day": dtime(hour, minute),
    }
    fields.update(changes)
    return TimedMessage(**fields)  # type: ignore[arg-type]


# -- pure arithmetic ----------------------------------------------------------------


def test_occurrences_daily_weekly_once() -> None:
    start = at(4, 10)  # Monday 10:00
    assert occurrences(daily(checked_until=start), start, at(6, 10), TZ) == [at(5, 9), at(6, 9)]
    weekly = daily(schedule=ScheduleKind.WEEKLY, weekdays=(1, 5))  # Monday and Friday
    assert occurrences(weekly, start, at(18, 9), TZ) == [at(8, 9), at(11, 9), at(15, 9), at(18, 9)]
    once = TimedMessage("x", ("wxid_a",), ScheduleKind.ONCE, text="hi", at=at(4, 12))
    assert occurrences(once, start, at(5, 0), TZ) == [at(4, 12)]
    assert occurrences(once, at(4, 12), at(5, 0), TZ) == []  # (after, until]
    assert next_occurrence(daily(), start, TZ) == at(5, 9)
    assert next_occurrence(daily(), at(4, 8), TZ) == at(4, 9)
    assert next_occurrence(weekly, at(8, 9), TZ) == at(11, 9)
    assert next_occurrence(once, at(4, 12), TZ) is None


def test_due_sends_the_latest_and_reports_the_rest_missed() -> None:
    message = daily(id=1, checked_until=at(4, 10))
    assert due([message], at(5, 8, 59), tz=TZ) == []
    (sent,) = due([message], at(5, 9, 1), tz=TZ)
    assert (sent.outcome, sent.due, sent.skipped) == (TimedOutcome.SENT, at(5, 9), 0)
    (missed,) = due([message], at(5, 9, 3), tz=TZ, grace=120)  # three minutes late: missed
    assert (missed.outcome, missed.due, missed.skipped) == (TimedOutcome.MISSED, at(5, 9), 0)
    (missed,) = due([message], at(8, 12), tz=TZ)
    assert (missed.outcome, missed.due, missed.skipped) == (TimedOutcome.MISSED, at(8, 9), 3)
    both = due([message], at(7, 9) + 30, tz=TZ)  # Tue and Wed missed, Thu on time
    assert [(d.outcome, d.due, d.skipped) for d in both] == [
        (TimedOutcome.MISSED, at(6, 9), 1),
        (TimedOutcome.SENT, at(7, 9), 0),
    ]
    assert due([daily(id=1, checked_until=at(4, 10), enabled=False)], at(8, 12), tz=TZ) == []


def test_daylight_saving_keeps_the_wall_clock_time() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    before = datetime(2024, 3, 30, 12, tzinfo=berlin).timestamp()
    moments = occurrences(daily(), before, before + 2 * 86400, berlin)
    assert [datetime.fromtimestamp(m, berlin).strftime("%d %H:%M") for m in moments] == [
        "31 09:00",
        "01 09:00",
    ]
    assert moments[1] - moments[0] == 86400  # both 09:00 local; the clocks went forward at night
    assert moments[0] - before == 20 * 3600  # 30th 12:00 CET to 31st 09:00 CEST


# -- stored and run -------------------------------------------------------------------


@pytest.fixture
def timed_store(engine: Engine, clock: Clock) -> TimedStore:
    store = TimedStore(engine.hconn, clock=clock)
    return store


def run(engine: Engine, runner: TimedRunner, clock: Clock) -> list[tuple[str, str]]:
    report = runner.process(engine.hconn, engine.pacer, clock.now)
    assert all(m.origin is Origin.TIMED for m in report.queued)
    return [(m.conversation, m.content or "") for m in report.queued]


def test_daily_message_is_sent_once_per_day_and_survives_a_restart(
    engine: Engine, timed_store: TimedStore, clock: Clock
) -> None:
    saved = timed_store.add(daily())
    assert saved.checked_until == clock.now and saved.id is not None
    runner = TimedRunner(tz=TZ)
    assert run(engine, runner, clock) == []  # Monday 09:00 was before it existed
    assert runner.next_due == at(5, 9)
    clock.now = at(5, 9, 0) + 20
    assert run(engine, runner, clock) == [
        ("wxid_a", "早上好！今天是 2024-03-05"),
        ("1@chatroom", "早上好！今天是 2024-03-05"),
    ]
    assert run(engine, runner, clock) == []
    assert run(engine, TimedRunner(tz=TZ), clock) == []  # a restarted poller: not again
    assert process_timed(engine.hconn, engine.pacer, clock.now, tz=TZ).queued == ()
    assert runner.next_due == at(6, 9)
    (latest,) = timed_store.runs(saved.id, limit=1)
    assert latest.outcome is TimedOutcome.SENT and latest.due == at(5, 9)


def test_a_time_missed_while_not_running_is_reported_not_sent(
    engine: Engine, timed_store: TimedStore, clock: Clock
) -> None:
    timed_store.add(daily())
    clock.now = at(7, 12)  # wxpanel was off on Tuesday, Wednesday and Thursday at 09:00
    report = TimedRunner(tz=TZ).process(engine.hconn, engine.pacer, clock.now)
    assert report.queued == ()
    (missed,) = report.missed
    assert (missed.due, missed.skipped, missed.name) == (at(7, 9), 2, "早安")
    assert [r.id for r in timed_store.needs_attention()] == [missed.id]
    assert TimedRunner(tz=TZ).process(engine.hconn, engine.pacer, clock.now).runs == ()
    # The operator may still send it, explicitly, late.
    late = send_late(engine.hconn, engine.pacer, missed.id, clock.now, tz=TZ)
    assert [m.content for m in late] == ["早上好！今天是 2024-03-07"] * 2
    assert timed_store.needs_attention() == []
    assert timed_store.runs(limit=1)[0].detail == "sent late on request"
    with pytest.raises(Exception, match="not a missed"):
        send_late(engine.hconn, engine.pacer, missed.id + 1, clock.now)


def test_once_and_weekly(engine: Engine, timed_store: TimedStore, clock: Clock) -> None:
    timed_store.add(TimedMessage("提醒", ("wxid_b",), ScheduleKind.ONCE, text="开会", at=at(4, 15)))
    timed_store.add(
        daily(
            8,
            30,
            name="周报",
            targets=("wxid_c",),
            text="交周报",
            schedule=ScheduleKind.WEEKLY,
            weekdays=(5,),
        )
    )
    runner = TimedRunner(tz=TZ)
    assert runner.process(engine.hconn, engine.pacer, clock.now).next_due == at(4, 15)
    clock.now = at(4, 15) + 1
    assert run(engine, runner, clock) == [("wxid_b", "开会")]
    clock.now = at(7, 8, 30) + 1  # Thursday: nothing
    assert run(engine, runner, clock) == []
    clock.now = at(8, 8, 30) + 5  # Friday
    assert run(engine, runner, clock) == [("wxid_c", "交周报")]
    clock.now = at(15, 8, 30) + 5
    assert run(engine, runner, clock) == [("wxid_c", "交周报")]
    assert runner.next_due == at(22, 8, 30)


def test_a_once_message_missed_is_not_sent_later(
    engine: Engine, timed_store: TimedStore, clock: Clock
) -> None:
    timed_store.add(TimedMessage("提醒", ("wxid_b",), ScheduleKind.ONCE, text="开会", at=at(4, 15)))
    clock.now = at(4, 17)
    report = TimedRunner(tz=TZ).process(engine.hconn, engine.pacer, clock.now)
    assert report.queued == () and [r.outcome for r in report.runs] == [TimedOutcome.MISSED]
    assert report.next_due is None


def test_switched_off_time_is_neither_sent_nor_missed(
    engine: Engine, timed_store: TimedStore, clock: Clock
) -> None:
    saved = timed_store.add(daily())
    assert saved.id is not None
    timed_store.set_enabled(saved.id, False)
    clock.now = at(8, 12)
    runner = TimedRunner(tz=TZ)
    assert runner.process(engine.hconn, engine.pacer, clock.now).runs == ()
    timed_store.set_enabled(saved.id, True)  # from now on
    assert runner.process(engine.hconn, engine.pacer, clock.now).runs == ()
    clock.now = at(9, 9, 1)
    assert len(run(engine, runner, clock)) == 2


def test_edits_reach_the_running_poller(
    engine: Engine, timed_store: TimedStore, clock: Clock
) -> None:
    runner = TimedRunner(tz=TZ)
    assert runner.process(engine.hconn, engine.pacer, clock.now).next_due is None
    with TimedStore.open(engine.paths.history) as other:  # the panel's connection
        other.clock = clock
        saved = other.add(daily(11))
        assert runner.process(engine.hconn, engine.pacer, clock.now).next_due == at(4, 11)
        other.update(daily(10, 30, id=saved.id))
    assert runner.process(engine.hconn, engine.pacer, clock.now).next_due == at(4, 10, 30)


def test_no_lock_while_nothing_is_due(
    engine: Engine, timed_store: TimedStore, clock: Clock
) -> None:
    timed_store.add(daily())
    runner = TimedRunner(tz=TZ)
    blocker = sqlite3.connect(engine.paths.history, isolation_level=None, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        assert runner.process(engine.hconn, engine.pacer, clock.now).runs == ()
        clock.now = at(5, 9) + 1
        with pytest.raises(sqlite3.OperationalError):  # due: it needs the lock, and waits
            runner.process(engine.hconn, engine.pacer, clock.now)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert len(run(engine, runner, clock)) == 2  # retried: sent once


def test_a_missing_picture_is_a_failed_run(
    engine: Engine, timed_store: TimedStore, clock: Clock, tmp_path: Path
) -> None:
    from tests.core.rules.test_replier import png

    picture = png(tmp_path / "poster.png")
    timed_store.add(daily(text=None, picture=str(picture)))
    picture.unlink()
    clock.now = at(5, 9) + 1
    report = TimedRunner(tz=TZ).process(engine.hconn, engine.pacer, clock.now)
    assert report.queued == ()
    (failed,) = report.runs
    assert failed.outcome is TimedOutcome.FAILED and "no such picture" in (failed.detail or "")
    assert [r.outcome for r in timed_store.needs_attention()] == [TimedOutcome.FAILED]


def test_store_checks(timed_store: TimedStore, clock: Clock) -> None:
    with pytest.raises(RuleError, match="at: that time has passed"):
        timed_store.add(
            TimedMessage("x", ("wxid_a",), ScheduleKind.ONCE, text="hi", at=clock.now - 1)
        )
    with pytest.raises(RuleError, match="targets: choose at least one"):
        timed_store.add(daily(targets=()))
    saved = timed_store.add(daily())
    assert timed_store.all() == [saved]
    assert saved.id is not None
    assert timed_store.delete(saved.id) == saved
    assert timed_store.all() == []
