"""The Engine against the simulator, as demo.exe would drive it."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from wxpanel.core.demoexe import EventRow
from wxpanel.core.engine import READ_ATTEMPTS, Engine, PollResult
from wxpanel.core.exchange.reader import EventRow as Row
from wxpanel.core.exchange.reader import Snapshot, SnapshotRetry
from wxpanel.core.ingest import RECORD_MAX_ROWS
from wxpanel.core.models import CommandStatus, Message, Origin
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.paths import DataPaths
from wxpanel.core.settings import Settings
from wxpanel.core.simulator import Shapes, SimEvent, Simulator

FAST = Settings(pacer=PacerConfig(PacingRule(0.0, 0.0, 1000), PacingRule(0.0, 0.0, 1000)))


def poll_until(
    engine: Engine, condition: Callable[[list[PollResult]], bool], timeout: float = 20.0
) -> list[PollResult]:
    """Drive the engine like the headless loop until ``condition`` holds."""
    results: list[PollResult] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = engine.poll()
        results.append(result)
        if condition(results):
            return results
        time.sleep(min(result.delay, 0.02))
    raise AssertionError("condition not reached in time")


def messages(results: list[PollResult]) -> list[str | None]:
    return [m.content for r in results for m in r.messages]


def test_reply_is_taken_by_demo_exe_without_an_echo(exchange_db: Path) -> None:
    with (
        Simulator(exchange_db, seed=7) as sim,
        Engine(exchange_db, settings=FAST) as engine,
    ):
        sent = engine.queue_text("wxid_friend", '你好呀 "quoted"')
        poll_until(
            engine, lambda rs: any(u.status is CommandStatus.WRITTEN for r in rs for u in r.updates)
        )
        (taken,) = sim.take_commands()
        assert (taken.id_1, taken.id_2) == ("wxid_friend", '你好呀 "quoted"')
        assert taken.deleted and not taken.echoed  # demo.exe never writes its own messages
        assert sim.take_commands() == []  # one row per tick, and it is gone
        results = poll_until(
            engine,
            lambda rs: any(
                u.message_id == sent.id and u.status is CommandStatus.TAKEN
                for r in rs
                for u in r.updates
            ),
        )
        assert not [m for r in results for m in r.messages if m.echo_of == sent.id]


def test_reply_of_a_richer_bridge_is_echoed_and_linked(exchange_db: Path) -> None:
    """Other bridges report what they sent as a 发出 event (Shapes.RICH): it is linked."""
    with (
        Simulator(exchange_db, seed=7, take_delay=0.0, shapes=Shapes.RICH) as sim,
        Engine(exchange_db, settings=FAST) as engine,
    ):
        sent = engine.queue_text("wxid_friend", '你好呀 "quoted"')
        poll_until(
            engine, lambda rs: any(u.status is CommandStatus.WRITTEN for r in rs for u in r.updates)
        )
        (taken,) = sim.take_commands()
        assert taken.id_2 == '你好呀 "quoted"' and taken.echoed
        results = poll_until(
            engine, lambda rs: any(m.echo_of == sent.id for r in rs for m in r.messages)
        )
        statuses = [u.status for r in results for u in r.updates if u.message_id == sent.id]
        assert CommandStatus.TAKEN in statuses


def backlog(sim: Simulator, count: int) -> list[SimEvent]:
    """``count`` of demo.exe's rows, waiting in wx_event at once.

    demo.exe commits each row on its own (an fsync each: seconds for a
    thousand); writing its rows in one transaction only saves the test time.
    """
    events = [sim.random_event() for _ in range(count)]
    insert_events(sim.db, [event.as_row() for event in events])
    return events


def test_burst_arrives_complete_and_in_order(exchange_db: Path) -> None:
    with Simulator(exchange_db, seed=3) as sim, Engine(exchange_db) as engine:
        events = backlog(sim, 1500)
        results = poll_until(engine, lambda rs: len(messages(rs)) >= 1500)
    expected = [e.MSG_CONTENT for e in events]
    assert messages(results) == expected


@contextlib.contextmanager
def lock_held(db: Path, seconds: float, *, journal: bool) -> Iterator[subprocess.Popen[str]]:
    """Another process holds an EXCLUSIVE lock on ``db`` for ``seconds``; with
    ``journal`` it has changed a page too (a journal stands beside the file)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db), str(seconds), "1" if journal else "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.wait(timeout=30)


@pytest.mark.slow  # a lock holder in a subprocess
def test_a_lock_held_by_another_process_does_not_stop_reading(exchange_db: Path) -> None:
    """An EXCLUSIVE lock with nothing written (a scanner, a second demo.exe connection)
    would have made an ordinary reader wait; the lock-free reader reads on."""
    with Simulator(exchange_db, seed=5) as sim:
        events = sim.emit(20)
    with lock_held(exchange_db, 3.0, journal=False) as holder, Engine(exchange_db) as engine:
        results = poll_until(engine, lambda rs: len(messages(rs)) >= 20, timeout=30)
        assert holder.poll() is None, "read only after the lock was gone"
    assert messages(results) == [e.MSG_CONTENT for e in events]


@pytest.mark.slow  # a lock holder in a subprocess
def test_a_writer_at_work_delays_and_loses_nothing(exchange_db: Path) -> None:
    """A transaction that changed pages (its journal beside the file) must be waited
    out: reading around it could see half its pages.  The start check alone waits
    up to ``_JOURNAL_GRACE`` for the journal to go (it may not open it to look
    closer), so the lock outlasts that and the rounds must report it."""
    with Simulator(exchange_db, seed=5) as sim:
        events = sim.emit(20)
    with lock_held(exchange_db, 6.0, journal=True), Engine(exchange_db) as engine:
        started = time.monotonic()
        results = poll_until(engine, lambda rs: len(messages(rs)) >= 20, timeout=30)
        waited = time.monotonic() - started
    locked = [r.health for r in results if r.health and r.health.locked_since]
    assert locked, "the lock was never reported as health"
    assert waited >= 1.0
    assert messages(results) == [e.MSG_CONTENT for e in events]


def test_the_poller_starts_while_another_program_commits_to_history(
    exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit met at start (``wxpanel send`` writing, its fsync slow on a busy disk)
    is waited for: with a round's short wait the poller died of "database is locked"
    (the crash tests' poller did, under load).  The rounds keep their short wait."""
    from wxpanel.core import engine as engine_module
    from wxpanel.core.history import open_history as real_open

    with Engine(exchange_db):  # history.db exists from here on
        pass
    history = DataPaths.beside(exchange_db).history
    holder = sqlite3.connect(history, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")  # what a commit holds while it writes and syncs
    opening = threading.Event()

    def open_history(path: Path, **kwargs: float) -> sqlite3.Connection:
        opening.set()
        return real_open(path, **kwargs)

    def commit_a_second_later() -> None:
        opening.wait(timeout=60)
        time.sleep(1.0)  # four times a round's wait
        holder.execute("COMMIT")

    monkeypatch.setattr(engine_module, "_open_history", open_history)
    committer = threading.Thread(target=commit_a_second_later)
    committer.start()
    try:
        with Engine(exchange_db) as engine:
            assert engine.hconn.execute("PRAGMA busy_timeout").fetchone() == (250,)
            assert engine.poll().health is not None
    finally:
        committer.join(timeout=60)
        holder.close()


#: argv: exchange.db, seconds, 1 to change a page (a journal appears) or 0 not to.
HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
if sys.argv[3] == "1":
    conn.execute("INSERT INTO wx_command VALUES ('x', 'none', 'x', 'x', 'x')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def test_stalled_demo_exe_shows_stuck_then_recovers(exchange_db: Path) -> None:
    clock_offset = [0.0]

    def clock() -> float:
        return time.time() + clock_offset[0]

    with (
        Simulator(exchange_db, seed=9, take_delay=0.0) as sim,
        Engine(exchange_db, settings=FAST, clock=clock) as engine,
    ):
        message = engine.queue_text("wxid_friend", "anyone there?", origin=Origin.AUTO)
        poll_until(engine, lambda rs: any(r.updates for r in rs))
        clock_offset[0] += FAST.outbox.stuck_after + 1  # demo.exe took nothing meanwhile
        results = poll_until(engine, lambda rs: any(r.updates for r in rs))
        (stuck,) = [u for r in results for u in r.updates]
        assert (stuck.message_id, stuck.status) == (message.id, CommandStatus.STUCK)
        sim.take_commands()
        results = poll_until(engine, lambda rs: any(r.updates for r in rs))
        assert [u.status for r in results for u in r.updates] == [CommandStatus.TAKEN]


def simulate(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wxpanel", "simulate", "--db", str(db), "--seed", "1", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_simulate_command_line(exchange_db: Path) -> None:
    result = simulate(exchange_db, "--burst", "200", "--rate", "20", "--duration", "1")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    with sqlite3.connect(exchange_db) as conn:
        rows = conn.execute("SELECT count(*) FROM wx_event").fetchone()[0]
        kinds = conn.execute("SELECT DISTINCT MSG_STATE, MSG_TYPE FROM wx_event").fetchall()
    assert figures["events"] == figures["inserted"] == rows >= 200
    assert (figures["lost"], figures["duplicates"]) == (0, 0)
    assert kinds == [("0", "1")]  # demo.exe: received text only


@pytest.mark.slow
def test_simulate_reports_the_messages_a_lock_lost(exchange_db: Path) -> None:
    conn = sqlite3.connect(exchange_db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")  # held by another process than demo.exe's
    try:
        result = simulate(exchange_db, "--burst", "5", "--rate", "0", "--duration", "0")
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert (figures["events"], figures["inserted"], figures["lost"]) == (5, 0, 5)
    assert "demo.exe lost 5 of 5 messages" in result.stderr


@pytest.mark.slow
def test_simulate_rich_writes_other_bridges_shapes(exchange_db: Path) -> None:
    result = simulate(exchange_db, "--rich", "--burst", "300", "--rate", "0", "--duration", "0")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(exchange_db) as conn:
        types = {row[0] for row in conn.execute("SELECT DISTINCT MSG_TYPE FROM wx_event")}
    assert json.loads(result.stdout)["inserted"] == 300
    assert {"1", "3", "37"} <= types


def test_simulate_stall_takes_nothing(exchange_db: Path) -> None:
    with sqlite3.connect(exchange_db) as conn:
        conn.execute("INSERT INTO wx_command VALUES ('0', 'wx_send', 'wxid_a', 'hi', 'null')")
    stop = threading.Event()
    with Simulator(exchange_db, seed=1, take_delay=0.0) as sim:
        figures = sim.run(rate=0, stall=True, duration=0.3, stop=stop)
    assert figures.commands == 0
    with sqlite3.connect(exchange_db) as conn:
        assert conn.execute("SELECT count(*) FROM wx_command").fetchone()[0] == 1


def test_no_message_is_reported_twice(exchange_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A round that ingests and then sees history.db changed must not report again."""
    from wxpanel.core import engine as engine_module

    monkeypatch.setattr(engine_module, "HISTORY_CHECK_EVERY", 1)
    with Simulator(exchange_db, seed=11) as sim, Engine(exchange_db) as engine:
        reported: list[int] = []
        for _ in range(5):
            backlog(sim, 300)
            for _ in range(10):
                reported.extend(m.id for m in engine.poll().messages)
    assert len(reported) == len(set(reported)) == 1500


def test_rules_answer_inside_the_engine(exchange_db: Path) -> None:
    from wxpanel.core.rules import Reply, Rule, RuleStore, Trigger

    with Engine(exchange_db, settings=FAST) as engine:
        with RuleStore.open(engine.paths.history) as rules:
            rules.add(Rule("菜单", triggers=(Trigger("菜单"),), reply=Reply(("功能列表",))))
        with Simulator(exchange_db, seed=2, take_delay=0.0) as sim:
            sim.insert_events([sim_text("wxid_friend", "菜单")])
            results = poll_until(
                engine,
                lambda rs: any(u.status is CommandStatus.WRITTEN for r in rs for u in r.updates),
            )
            (answer,) = [m for r in results for m in r.messages if m.origin is Origin.AUTO]
            assert (answer.conversation, answer.content) == ("wxid_friend", "功能列表")
            assert [c.id_2 for c in sim.take_commands()] == ["功能列表"]


def sim_text(conversation: str, text: str) -> SimEvent:
    return SimEvent.of(EventRow.private(conversation, "老朋友", text))


def test_a_vanished_exchange_db_is_reported_and_reopened(exchange_db: Path) -> None:
    import shutil

    backup = exchange_db.with_name("saved.db")
    with Engine(exchange_db) as engine:
        engine.poll()
        shutil.move(exchange_db, backup)
        result = poll_until(engine, lambda rs: bool(rs[-1].health and rs[-1].health.error))
        health = result[-1].health
        assert health is not None and health.error_kind == "gone"
        assert str(exchange_db) in (health.error or "")
        shutil.move(backup, exchange_db)
        with Simulator(exchange_db, seed=4) as sim:
            events = sim.emit(3)
        results = poll_until(engine, lambda rs: len(messages(rs)) >= 3)
        assert messages(results) == [e.MSG_CONTENT for e in events]


class Clock:
    """Time the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_deleted_exchange_db_is_reported_once_and_its_return_once(
    exchange_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Not "gone" and "back" alternately every second (a deleted file stays readable
    through an open descriptor on Linux, which made every other poll look fine)."""
    clock = Clock()
    backup = exchange_db.with_name("saved.db")
    with Engine(exchange_db, clock=clock) as engine, caplog.at_level("INFO"):
        engine.poll()
        backup.write_bytes(exchange_db.read_bytes())
        exchange_db.unlink()
        kinds = []
        for _ in range(30):
            clock.now += 0.2
            result = engine.poll()
            if result.health is not None:
                kinds.append(result.health.error_kind)
        assert kinds and all(kind == "gone" for kind in kinds[1:])
        backup.replace(exchange_db)
        insert_events(exchange_db, [("wxid_a", "_", "A", "回来了", "0", "1")])
        found = []
        for _ in range(10):
            clock.now += 0.2
            found += [m.content for m in engine.poll().messages]
        assert found == ["回来了"]
    gone = [r for r in caplog.records if "gone" in r.getMessage()]
    assert len(gone) == 1, [r.getMessage() for r in gone]


def test_exchange_db_replaced_by_a_text_file_is_reported(exchange_db: Path) -> None:
    clock = Clock()
    with Engine(exchange_db, clock=clock) as engine:
        engine.poll()
        replacement = exchange_db.with_name("notes.txt")
        replacement.write_text("这不是数据库\n" * 100, "utf-8")
        replacement.replace(exchange_db)
        clock.now += 1.5
        health = engine.poll().health
        assert health is not None and health.error is not None
        assert "not an SQLite database" in health.error
        clock.now += 1.5
        assert engine.poll().health is not None  # still reported, not forgotten


def test_a_full_disk_names_the_disk_and_ingestion_resumes_in_smaller_batches(
    exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wxpanel.core import ingest

    clock = Clock()
    insert_events(exchange_db, [("wxid_a", "_", "A", f"第{i}条", "0", "1") for i in range(40)])
    real_insert = ingest._insert
    room = {"rows": 5}  # what still fits on the "disk"

    def insert(conn: sqlite3.Connection, rows: Sequence[Row], now: float) -> list[Message]:
        if len(rows) > room["rows"]:
            full = sqlite3.OperationalError("database or disk is full")
            full.sqlite_errorcode = sqlite3.SQLITE_FULL
            raise full
        return real_insert(conn, rows, now)

    monkeypatch.setattr(ingest, "_insert", insert)
    with Engine(exchange_db, clock=clock) as engine:
        result = engine.poll()
        assert result.health is not None and result.health.error_kind == "disk_full"
        assert str(engine.paths.history.parent) in (result.health.error or "") or str(
            exchange_db.parent
        ) in (result.health.error or "")
        taken: list[str | None] = []
        for _ in range(60):
            clock.now += 0.5
            taken += [m.content for m in engine.poll().messages]
        assert taken == [f"第{i}条" for i in range(40)]


def test_a_damaged_history_is_named_as_such(
    exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "exchange.db: database disk image is malformed": the user would repair the
    wrong file."""
    from wxpanel.core import ingest

    def damaged(*args: object, **kwargs: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    insert_events(exchange_db, [("wxid_a", "_", "A", "hi", "0", "1")])
    monkeypatch.setattr(ingest, "_insert", damaged)
    with Engine(exchange_db) as engine:
        health = engine.poll().health
        assert health is not None and health.error is not None
        assert health.error.startswith(str(engine.paths.history))


CRASH_MID_COMMIT = """
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('PRAGMA cache_size = 2')
c.execute('BEGIN IMMEDIATE')
for i in range(200):
    c.execute("INSERT INTO wx_event VALUES ('x', '_', 'x', ?, '0', '1')", ('y' * 900,))
os._exit(9)
"""


@pytest.mark.slow  # a lock holder in a subprocess
def test_a_journal_is_rolled_back_only_once_it_has_stood_a_while(exchange_db: Path) -> None:
    """A live writer's journal lasts milliseconds; rolling back one by mistake would lose
    a message demo.exe believes written.  A dead writer's stays: then, and only then."""
    clock = Clock()
    journal = Path(str(exchange_db) + "-journal")
    with Engine(exchange_db, clock=clock) as engine:
        engine.poll()
        insert_events(exchange_db, [("wxid_a", "_", "A", "kept", "0", "1")])
        subprocess.run([sys.executable, "-c", CRASH_MID_COMMIT, str(exchange_db)], check=False)
        assert journal.exists()
        clock.now += 0.1
        found = [m.content for m in engine.poll().messages]
        clock.now += 1.0
        found += [m.content for m in engine.poll().messages]
        assert journal.exists() and found == []
        for _ in range(3):
            clock.now += 1.0
            found += [m.content for m in engine.poll().messages]
        assert not journal.exists() and found == ["kept"]


def test_a_watched_engine_idles_at_the_safety_pace_and_looks_when_poked(
    exchange_db: Path,
) -> None:
    """A file watcher tells of changes: idle rounds can be a second apart, not 0.1 s,
    and a poke makes the next round look at history.db (``wxpanel send``'s rows)."""
    clock = Clock()
    settings = Settings(idle_poll_interval=0.1, safety_poll=1.0)
    with Engine(exchange_db, settings=settings, clock=clock) as engine:
        engine.poll()
        clock.now += 10  # quiet: idle
        assert engine.poll().delay == pytest.approx(0.1)
        engine.watched = True
        assert engine.poll().delay == pytest.approx(1.0)
        with Engine(exchange_db, settings=settings, take_lock=False) as other:
            queued = other.queue_text("wxid_a", "from the command line")
        engine.poke()
        assert [m.id for m in engine.poll().messages] == [queued.id]


def test_a_fresh_engine_with_nothing_to_do_polls_at_the_idle_pace(exchange_db: Path) -> None:
    """No burst of fast rounds after a start; a message brings the fast pace back."""
    clock = Clock()
    settings = Settings(poll_interval=0.02, idle_poll_interval=0.1)
    with Engine(exchange_db, settings=settings, clock=clock) as engine:
        assert engine.poll().delay == pytest.approx(0.1)
        insert_events(exchange_db, [text_event("wxid_a", "hello")])
        result = engine.poll()
        assert [m.content for m in result.messages] == ["hello"]
        assert engine.poll().delay == pytest.approx(0.02)


class Tearing:
    """The reader's snapshot, torn by a commit (or kept off by a journal) the first times."""

    def __init__(self, engine: Engine, failures: list[bool]) -> None:
        self.real: Callable[..., Snapshot] = engine.reader.snapshot
        self.failures = list(failures)  # True: torn, False: a journal stood
        self.asked: list[int] = []
        engine.reader.snapshot = self  # type: ignore[method-assign,assignment]

    def __call__(
        self, start: int | None, *, after: int | None, max_rows: int, max_bytes: int
    ) -> Snapshot:
        self.asked.append(max_rows)
        if self.failures:
            raise SnapshotRetry(torn=self.failures.pop(0))
        return self.real(start, after=after, max_rows=max_rows, max_bytes=max_bytes)


def test_a_torn_read_is_retried_at_once_and_shorter(exchange_db: Path) -> None:
    """In a flood a read is only used if it falls between two of demo.exe's commits:
    a torn one is tried again in the same round, asking half the rows each time, and
    a read that found a journal again after a pause; a good read doubles the rows."""
    insert_events(exchange_db, [("wxid_a", "_", "A", str(i), "0", "1") for i in range(5)])
    with Engine(exchange_db) as engine:
        tearing = Tearing(engine, [True, True, False, True])
        result = engine.poll()
        assert [m.content for m in result.messages] == [str(i) for i in range(5)]
        assert tearing.asked == [1000, 500, 250, 250, 125]
        insert_events(exchange_db, [("wxid_a", "_", "A", "5", "0", "1")])
        assert [m.content for m in engine.poll().messages] == ["5"]
        assert tearing.asked[-1] == 250


def test_reads_torn_all_round_long_wait_a_moment_then_go_on(exchange_db: Path) -> None:
    insert_events(exchange_db, [("wxid_a", "_", "A", str(i), "0", "1") for i in range(3)])
    settings = Settings(poll_interval=0.02)
    with Engine(exchange_db, settings=settings) as engine:
        tearing = Tearing(engine, [True] * READ_ATTEMPTS)
        result = engine.poll()
        assert (result.messages, len(tearing.asked)) == ((), READ_ATTEMPTS)
        assert result.delay == pytest.approx(0.005)  # not a spin
        assert [m.content for m in engine.poll().messages] == ["0", "1", "2"]


def test_short_reads_are_gathered_into_one_history_transaction(
    exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each short read's rows are joined to the last (which starts at its last row,
    found unchanged) and recorded together: a commit per few rows cost fsyncs."""
    from wxpanel.core import engine as engine_module

    monkeypatch.setattr(engine_module, "GATHER_FOR", 600.0)  # however slow the machine
    insert_events(exchange_db, [("wxid_a", "_", "A", str(i), "0", "1") for i in range(9)])
    with Engine(exchange_db) as engine:
        engine._state.batch_rows = 2
        tearing = Tearing(engine, [])
        result = engine.poll()
        assert [m.content for m in result.messages] == [str(i) for i in range(9)]
        assert tearing.asked == [2, 4, 8]  # rows 1-2, 2-6, 6-9: each starts at the last
        assert len({m.time for m in result.messages}) == 1  # one transaction
        # A last row that changed between two reads ends the gathering: nothing is lost.
        insert_events(exchange_db, [("wxid_a", "_", "A", str(i), "0", "1") for i in range(9, 40)])
        engine._state.batch_rows = 4
        real = tearing.real

        def changing(start: int | None, **kwargs: int | None) -> Snapshot:
            snapshot = real(start, **kwargs)
            if len(tearing.asked) == 4:  # the round's first read: rowids 9 to 12
                with sqlite3.connect(exchange_db) as conn:
                    conn.execute("UPDATE wx_event SET MSG_CONTENT = 'changed' WHERE rowid = 12")
            return snapshot

        tearing.real = changing
        first = engine.poll()
        assert [m.content for m in first.messages] == ["9", "10", "11"]
        rest = poll_until(engine, lambda rs: len(messages(rs)) >= 29)
        # A row changed in place is a new row (rowid and digest are its identity).
        assert messages(rest) == ["changed"] + [str(i) for i in range(12, 40)]


def test_rows_beyond_one_transactions_budget_are_read_in_the_next_round_at_once(
    exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wxpanel.core import engine as engine_module

    monkeypatch.setattr(engine_module, "GATHER_FOR", 600.0)  # the row budget ends it here
    rows = RECORD_MAX_ROWS + 2
    insert_events(exchange_db, [("wxid_a", "_", "A", str(i), "0", "1") for i in range(rows)])
    with Engine(exchange_db) as engine:
        first = engine.poll()
        assert (len(first.messages), first.delay) == (RECORD_MAX_ROWS, 0.0)
        assert len(engine.poll().messages) == 2
