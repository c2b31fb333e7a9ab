"""Writes wait for demo.exe's quiet moments: never into its burst, never forever."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import insert_events, text_event, wx_commands
from wxpanel.core.engine import Engine
from wxpanel.core.exchange.quiet import PATIENCE, QUIET, QuietMoments
from wxpanel.core.exchange.reader import ExchangeReader
from wxpanel.core.settings import Settings


class FakeFile:
    """demo.exe's file as the probe sees it: a commit counter, and a journal or not."""

    def __init__(self) -> None:
        self.commits = 0
        self.journal = False

    def write_mark(self) -> object | None:
        return None if self.journal else self.commits


def test_a_quiet_file_costs_no_wait() -> None:
    demo = FakeFile()
    moments = QuietMoments(demo)
    moments.note(0.0)
    assert moments.hold(0.001) is None
    demo.commits += 1  # between two rounds: arrivals at random say nothing of the next one
    moments.note(1.0)
    assert moments.hold(1.001) is None
    assert moments.waited == 0


def test_a_write_waits_while_demo_exe_writes_during_the_round() -> None:
    demo = FakeFile()
    moments = QuietMoments(demo)
    moments.note(0.0)
    demo.commits += 1  # demo.exe committed while the round ingested
    again = moments.hold(0.005)
    assert again is not None and again >= 0.005 + QUIET - 1e-9
    # It keeps writing: still no write.
    demo.commits += 1
    moments.note(0.02)
    assert moments.hold(0.021) is not None
    # Then nothing for QUIET seconds: the write goes ahead.
    moments.note(0.02 + QUIET)
    assert moments.hold(0.02 + QUIET + 0.001) is None
    assert (moments.waited, moments.impatient) == (1, 0)


def test_a_journal_means_demo_exe_is_writing_now() -> None:
    demo = FakeFile()
    moments = QuietMoments(demo)
    moments.note(0.0)
    demo.journal = True
    assert moments.hold(0.001) is not None
    demo.journal = False
    demo.commits += 1
    assert moments.hold(0.01) is not None
    assert moments.hold(0.01 + QUIET) is None


def test_a_demo_exe_that_never_pauses_gets_the_write_after_patience() -> None:
    demo = FakeFile()
    moments = QuietMoments(demo)
    now = 0.0
    moments.note(now)
    waits = 0
    while True:
        demo.commits += 1
        now += 0.005
        if moments.hold(now) is None:
            break
        waits += 1
        assert now <= PATIENCE + 0.01
    assert now >= PATIENCE
    assert waits > 100
    assert (moments.waited, moments.impatient) == (1, 1)


def test_quiet_zero_never_waits() -> None:
    demo = FakeFile()
    moments = QuietMoments(demo, quiet=0)
    moments.note(0.0)
    demo.journal = True
    assert moments.hold(0.0) is None


def test_the_readers_mark_changes_with_every_commit_and_vanishes_with_a_journal(
    exchange_db: Path,
) -> None:
    reader = ExchangeReader(exchange_db)
    try:
        first = reader.write_mark()
        assert first is not None
        assert reader.write_mark() == first
        insert_events(exchange_db, [text_event("wxid_a", "hello")])
        second = reader.write_mark()
        assert second not in (None, first)
        journal = Path(str(exchange_db) + "-journal")
        demo = sqlite3.connect(exchange_db, isolation_level=None)
        try:
            demo.execute("BEGIN IMMEDIATE")
            demo.execute("INSERT INTO wx_event (MSG_CONTENT) VALUES ('mid-write')")
            if journal.exists():  # SQLite keeps changes in memory until it must spill
                assert reader.write_mark() is None
            demo.execute("COMMIT")
        finally:
            demo.close()
        assert reader.write_mark() not in (None, second)
    finally:
        reader.close()


def test_the_engine_holds_a_reply_while_demo_exe_writes_during_its_round(
    exchange_db: Path,
) -> None:
    """Through the Engine: the command waits for a quiet moment, then is written."""
    now = [1000.0]
    with Engine(exchange_db, settings=Settings(), clock=lambda: now[0]) as engine:
        engine.poll()

        class Busy:
            """The reader as the gate sees it, with demo.exe committing at every look."""

            def __init__(self) -> None:
                self.commits = 0

            def write_mark(self) -> object | None:
                self.commits += 1
                return self.commits

        busy = Busy()
        engine.moments = QuietMoments(busy)
        engine.queue_text("wxid_a", "hi")
        engine.poll()
        assert wx_commands(exchange_db) == []
        assert engine.moments.waited == 1
        # demo.exe falls quiet: the next look sees the same mark for QUIET seconds.
        busy.write_mark = lambda: 0  # type: ignore[method-assign]
        for _ in range(3):
            now[0] += QUIET
            engine.wake_outbox()
            engine.poll()
        assert wx_commands(exchange_db) == [("wx_send", "wxid_a", "hi")]
