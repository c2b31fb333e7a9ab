"""The checkpointer copies history.db-wal into history.db outside the poller's rounds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import insert_events, text_event
from wxpanel.core.checkpoints import SQLITE_DEFAULT_PAGES, Checkpointer
from wxpanel.core.engine import Engine
from wxpanel.core.history import checkpoint, open_history
from wxpanel.core.settings import Settings


def rows_in_main_file(history: Path) -> int:
    """Messages in history.db itself, the -wal left out (what a checkpoint copied)."""
    conn = sqlite3.connect(f"file:{history}?immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM message").fetchone()[0])
    finally:
        conn.close()


def add_message(conn: sqlite3.Connection, content: str) -> None:
    conn.execute(
        "INSERT INTO message (conversation, sender, direction, origin, type, content, time)"
        " VALUES ('wxid_a', 'wxid_a', 'in', 'event', 1, ?, 1.0)",
        (content,),
    )


def test_a_write_is_checkpointed_on_the_side_not_in_the_commit(tmp_path: Path) -> None:
    history = tmp_path / "history.db"
    conn = open_history(history)
    checkpoint(conn)  # the schema in the file itself
    checkpointer = Checkpointer(conn, history, every=0.0)
    try:
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        add_message(conn, "one")
        assert rows_in_main_file(history) == 0  # in the -wal only
        checkpointer.wrote()
        assert checkpointer.checkpointed.wait(10)
        assert rows_in_main_file(history) == 1
    finally:
        checkpointer.close()
        conn.close()


def test_without_writes_nothing_is_checkpointed(tmp_path: Path) -> None:
    history = tmp_path / "history.db"
    conn = open_history(history)
    checkpointer = Checkpointer(conn, history, every=0.0)
    checkpointer.close()  # the thread ends without having been told of a write
    assert not checkpointer.checkpointed.is_set()
    conn.close()


def test_a_checkpointer_that_fails_gives_sqlite_its_checkpoints_back(tmp_path: Path) -> None:
    """The -wal must not grow without bound: SQLite's own checkpoints come back."""
    history = tmp_path / "history.db"
    conn = open_history(history)
    checkpointer = Checkpointer(conn, tmp_path, every=0.0)  # a folder: cannot be opened
    try:
        checkpointer.wrote()
        checkpointer._thread.join(10)
        assert not checkpointer._thread.is_alive()
        checkpointer.wrote()
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == SQLITE_DEFAULT_PAGES
    finally:
        checkpointer.close()
        conn.close()


def test_the_engine_tells_its_checkpointer_after_a_round_that_wrote(exchange_db: Path) -> None:
    with Engine(exchange_db, data_dir=exchange_db.parent / "data", settings=Settings()) as engine:
        engine.poll()
        engine.checkpoints.checkpointed.clear()
        insert_events(exchange_db, [text_event("wxid_a", "hello")])
        assert len(engine.poll().messages) == 1
        assert engine.checkpoints.checkpointed.wait(10)
        assert rows_in_main_file(engine.paths.history) >= 1


def test_the_writer_catches_up_so_that_the_wal_starts_over(tmp_path: Path) -> None:
    """Under a steady writer the side's checkpoint never ends with everything copied.

    What the writer appended meanwhile is copied by the writer itself, and
    its next transaction starts the -wal over: it holds that transaction only.
    """
    history = tmp_path / "history.db"
    conn = open_history(history)
    checkpoint(conn)
    checkpointer = Checkpointer(conn, history, every=60.0)  # one on the side, then none
    try:
        for number in range(50):
            add_message(conn, f"before {number}")
        checkpointer.wrote()
        assert checkpointer.checkpointed.wait(10)
        for number in range(50):
            add_message(conn, f"meanwhile {number}")  # appended after the side's copy
        checkpointer.catch_up()
        assert rows_in_main_file(history) == 100
        add_message(conn, "after")
        _busy, frames, _copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert 0 < frames < 10  # without the catch-up: some 150
    finally:
        checkpointer.close()
        conn.close()
