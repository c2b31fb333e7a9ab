"""The Guard on its own: one set of caps, one pause, a run of answers per track."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from wxpanel.core.autoreply import guard as guards
from wxpanel.core.autoreply.alerts import AlertKind
from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.autoreply.guard import Guard, Track
from wxpanel.core.history import immediate, open_history

LIMITS = AutoReplyConfig(per_minute=5, per_conversation_per_minute=3, loop_exchanges=2)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_history(tmp_path / "history.db")
    try:
        yield connection
    finally:
        connection.close()


def guarded(conn: sqlite3.Connection, now: float) -> Guard:
    conn.execute("BEGIN IMMEDIATE")
    return Guard(conn, now, LIMITS)


def commit(guard: Guard) -> None:
    guard.finish()
    guard.conn.execute("COMMIT")


def test_the_caps_count_every_answerer_and_last_a_minute(conn: sqlite3.Connection) -> None:
    first = guarded(conn, 100.0)
    first.sent("a", 3)  # a rule's answer
    assert first.over_cap("a", 1)  # the conversation's cap, whoever answers next
    assert not first.over_cap("b", 2)
    commit(first)
    second = guarded(conn, 110.0)  # another transaction: read from auto_sent
    assert second.over_cap("a", 1)
    second.sent("b", 2)
    assert second.over_cap("c", 1)  # the global cap: 3 + 2 of 5
    assert [a.kind for a in second.alerts.values()] == [
        AlertKind.CONVERSATION_CAP,
        AlertKind.CAP,
    ]
    assert second.alerts[(AlertKind.CAP, None)].key == "alert_cap"
    commit(second)
    later = guarded(conn, 161.0)  # a minute after the first answer
    assert not later.over_cap("a", 3)
    commit(later)


def test_each_track_counts_its_run_and_the_pause_is_everyones(conn: sqlite3.Connection) -> None:
    now = 1000.0
    for step in range(2):
        guard = guarded(conn, now + step)
        assert not guard.loop_stop("bot", Track.SOURCES)
        guard.replied("bot", Track.SOURCES)
        guard.run_ends("bot", Track.RULES)  # no rule answered: the sources' run goes on
        commit(guard)
    guard = guarded(conn, now + 2)
    assert guard.loop_stop("bot", Track.SOURCES)  # the third in a row
    assert guard.paused("bot")
    (alert,) = guard.alerts.values()
    assert alert.kind is AlertKind.LOOP and "plugins, webhooks or models" in alert.detail
    commit(guard)
    assert [p.conversation for p in guards.paused(conn, now + 3)] == ["bot"]
    rules = guarded(conn, now + 3)
    assert rules.paused("bot")  # the rules do not answer there either
    commit(rules)
    counted = conn.execute("SELECT value FROM counter WHERE name = 'auto_loops'").fetchone()
    assert counted == (1,)
    with immediate(conn):
        guards.resume(conn, "bot")
    assert guards.paused(conn, now + 3) == []


def test_a_run_ends_when_it_stops_being_quick(conn: sqlite3.Connection) -> None:
    for step, at in enumerate((0.0, 10.0, 100.0, 110.0)):  # a pause longer than loop_window
        guard = guarded(conn, at)
        assert not guard.loop_stop("x", Track.RULES), step
        guard.replied("x", Track.RULES)
        commit(guard)


def test_nothing_is_kept_when_the_transaction_rolls_back(conn: sqlite3.Connection) -> None:
    guard = guarded(conn, 5.0)
    guard.sent("a", 3)
    guard.loop_stop("a", Track.RULES)
    guard.finish()
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM auto_sent").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM auto_conversation").fetchone() == (0,)


def test_the_switch(conn: sqlite3.Connection) -> None:
    assert guards.switched_on(conn)
    with immediate(conn):
        guards.set_switched_on(conn, False)
    assert not guards.switched_on(conn)
    assert not Guard(conn, 0.0, LIMITS).switched_on
