"""Closing the panel finishes within 2 s whatever the poller is doing, or says what it waits for."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, text_event
from wxpanel.gui.app import QuitOnSignals
from wxpanel.gui.mainwindow import MainWindow

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

#: The promise: closing takes at most this long.
STOP_WITHIN = 2.0


def close_and_time(window: MainWindow) -> float:
    started = time.monotonic()
    window.close()
    took = time.monotonic() - started
    assert not window.poller.running
    return took


def test_closing_while_a_burst_is_ingested(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    exchange_db: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = make_window()
    insert_events(exchange_db, [text_event(f"wxid_{i % 50}", f"m {i}") for i in range(20_000)])
    with qtbot.waitSignal(
        window.poller.polled, timeout=10_000, check_params_cb=lambda r: bool(r.messages)
    ):
        pass  # ingestion is under way
    with caplog.at_level(logging.WARNING, logger="wxpanel.gui.worker"):
        took = close_and_time(window)
    # Within 2 s, or the log says what closing waits for (a loaded machine).
    said = any("still closing" in r.getMessage() for r in caplog.records)
    assert took < STOP_WITHIN or said, f"{took:.2f} s"


def test_closing_while_history_is_locked_by_another_program(
    qtbot: QtBot, make_window: Callable[..., MainWindow], data_dir: Path
) -> None:
    """A request waiting on a lock (renaming a contact while ``wxpanel export`` holds
    history.db) must not hold the window's close for SQLite's whole busy timeout."""
    window = make_window()
    holder = sqlite3.connect(data_dir / "history.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        window.poller.set_alias("wxid_a", "Alice")
        window.poller.load_history("wxid_a")
        assert close_and_time(window) < STOP_WITHIN
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_slow_stop_says_what_it_waits_for(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = make_window()
    monkeypatch.setattr("wxpanel.gui.worker.SAY_AFTER_MS", 50)
    engine = window.poller.worker._engine
    assert engine is not None
    real_close = engine.close

    def slow_close() -> None:
        time.sleep(0.3)  # stands for a close that takes long
        real_close()

    monkeypatch.setattr(engine, "close", slow_close)
    with caplog.at_level(logging.WARNING, logger="wxpanel.gui.worker"):
        window.close()
    assert not window.poller.running
    assert any("closing exchange.db and history.db" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_ctrl_c_and_sigterm_close_the_panel(qtbot: QtBot, signum: int) -> None:
    """Qt's event loop runs no Python between events: the signal must wake it."""
    quits: list[bool] = []
    signals = QuitOnSignals(lambda: quits.append(True))
    try:
        os.kill(os.getpid(), signum)
        qtbot.waitUntil(lambda: bool(quits), timeout=2000)
    finally:
        signals.close()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_closed_panel_leaves_history_whole_without_its_wal(
    qtbot: QtBot, make_window: Callable[..., MainWindow], exchange_db: Path, data_dir: Path
) -> None:
    """history.db alone holds every commit once the panel is closed: a copy of it is complete."""
    window = make_window()
    with qtbot.waitSignal(
        window.poller.polled, timeout=10_000, check_params_cb=lambda r: bool(r.messages)
    ):
        insert_events(exchange_db, [text_event("wxid_a", "kept")])
    assert (data_dir / "history.db-wal").exists()  # WAL mode while it runs
    close_and_time(window)
    assert not (data_dir / "history.db-wal").exists()
    conn = sqlite3.connect(f"{(data_dir / 'history.db').as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        assert conn.execute("SELECT content FROM message").fetchall() == [("kept",)]
    finally:
        conn.close()
