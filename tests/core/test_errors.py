"""SQLite errors are classified by their result codes, never by their English text."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from wxpanel.core.errors import (
    AlreadyRunningError,
    ExchangeError,
    HistoryError,
    KnownError,
    concerning,
    describe_failure,
    is_busy,
    is_damaged,
    is_disk_full,
    is_read_only,
    sqlite_code,
)


def error_of(connect: str, statement: str, *, uri: bool = False) -> sqlite3.Error:
    conn = sqlite3.connect(connect, uri=uri, timeout=0)
    try:
        with pytest.raises(sqlite3.Error) as raised:
            conn.execute(statement)
    finally:
        conn.close()
    return raised.value


def test_a_file_that_is_no_database_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "not.db"
    path.write_bytes(b"this is no SQLite file at all.." * 40)
    exc = error_of(str(path), "SELECT * FROM sqlite_master")
    assert sqlite_code(exc) == sqlite3.SQLITE_NOTADB
    assert is_damaged(exc) and not is_busy(exc) and not is_disk_full(exc)


def test_a_read_only_connection_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    exc = error_of(f"{path.as_uri()}?mode=ro", "INSERT INTO t VALUES (1)", uri=True)
    assert is_read_only(exc) and not is_damaged(exc) and not is_busy(exc)


def test_a_full_database_is_disk_full(tmp_path: Path) -> None:
    """max_page_count makes SQLite itself report SQLITE_FULL, as a full disk does."""
    conn = sqlite3.connect(tmp_path / "full.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 3")
    with pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute("INSERT INTO t VALUES (?)", (b"x" * 100_000,))
    conn.close()
    assert is_disk_full(raised.value) and not is_busy(raised.value)
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))


def test_the_words_alone_classify_nothing() -> None:
    for words in ("database is locked", "database or disk is full", "file is not a database"):
        exc = sqlite3.OperationalError(words)
        assert sqlite_code(exc) is None
        assert not (is_busy(exc) or is_disk_full(exc) or is_damaged(exc) or is_read_only(exc))
    assert sqlite_code(ValueError("x")) is None


def test_an_extended_code_counts_as_its_primary_code() -> None:
    exc = sqlite3.OperationalError("whatever SQLite says")
    exc.sqlite_errorcode = sqlite3.SQLITE_BUSY_SNAPSHOT
    assert is_busy(exc)


def test_the_command_line_and_history_errors_say_locked_by_the_code(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        locked = error_of(str(path), "SELECT * FROM t")
        with pytest.raises(HistoryError, match="locked by another program"), concerning(path):
            raise locked
    finally:
        holder.close()
    assert "locked by another program" in (describe_failure(locked) or "")
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"garbage!" * 200)
    notadb = error_of(str(damaged), "SELECT 1 FROM sqlite_master")
    with pytest.raises(HistoryError, match="damaged"), concerning(damaged):
        raise notadb


def test_expected_failures_carry_their_sentence_as_a_key(tmp_path: Path) -> None:
    """The panel translates ``exc.text``; ``str(exc)`` stays the English line."""
    from wxpanel.core.exchange import check_exchange
    from wxpanel.core.instance import InstanceLock

    not_db = tmp_path / "exchange.db"
    not_db.write_bytes(b"this is no SQLite file at all.." * 40)
    with pytest.raises(ExchangeError) as raised:
        check_exchange(not_db)
    assert raised.value.text is not None and raised.value.text.key == "problem_not_sqlite"
    assert str(raised.value) == str(raised.value.text) and raised.value.reason == "not_sqlite"
    with pytest.raises(ExchangeError) as missing:
        check_exchange(tmp_path / "nowhere.db")
    assert missing.value.text is not None and missing.value.text.key == "problem_missing"
    db = tmp_path / "real.db"
    check_exchange(db, create=True)
    with InstanceLock(db), pytest.raises(AlreadyRunningError) as twice:
        InstanceLock(db).acquire()
    assert twice.value.text is not None and twice.value.text.key == "already_running"
    assert KnownError("words from elsewhere").text is None


def test_history_errors_say_which_file_as_keys(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"garbage!" * 200)
    with pytest.raises(HistoryError) as raised, concerning(path):
        sqlite3.connect(path).execute("SELECT 1 FROM sqlite_master")
    assert raised.value.text is not None and raised.value.text.key == "history_damaged"
    assert dict(raised.value.text.fields)["path"] == str(path)
