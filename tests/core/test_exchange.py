"""Opening exchange.db: every problem is one clear error, and nothing is modified."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from wxpanel.core import exchange, protocol
from wxpanel.core.errors import ExchangeError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_real_file_is_accepted(exchange_db: Path) -> None:
    assert exchange.check_exchange(exchange_db) == exchange_db.resolve()


def test_missing_file_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "exchange.db"
    with pytest.raises(ExchangeError, match=r"no such file.*--create"):
        exchange.check_exchange(missing)
    assert not missing.exists()


def test_create_writes_demo_exe_schema_verbatim(tmp_path: Path, exchange_db: Path) -> None:
    created = tmp_path / "new" / "exchange.db"
    created.parent.mkdir()
    exchange.check_exchange(created, create=True)

    def schema(path: Path) -> list[tuple[str, str]]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
        finally:
            conn.close()

    assert schema(created) == schema(exchange_db)
    conn = sqlite3.connect(created)
    assert conn.execute("PRAGMA page_size").fetchone()[0] == protocol.PAGE_SIZE
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "exchange.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    before = digest(junk)
    with pytest.raises(ExchangeError, match="not an SQLite database"):
        exchange.check_exchange(junk)
    assert digest(junk) == before


def test_wrong_schema_names_what_is_missing(tmp_path: Path) -> None:
    other = tmp_path / "exchange.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE wx_event (ID1 TEXT, ID2 TEXT)")
    conn.commit()
    conn.close()
    before = digest(other)
    with pytest.raises(ExchangeError) as caught:
        exchange.check_exchange(other)
    text = str(caught.value)
    assert "table wx_command" in text and "wx_event.MSG_CONTENT" in text
    assert str(other) in text
    assert digest(other) == before


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match="is a folder"):
        exchange.check_exchange(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_read_only_file(exchange_db: Path) -> None:
    exchange_db.chmod(0o444)
    with pytest.raises(ExchangeError, match="read-only"):
        exchange.check_exchange(exchange_db)


def test_read_only_check_uses_access(monkeypatch: pytest.MonkeyPatch, exchange_db: Path) -> None:
    """Root can write anything, so the permission check is tested through os.access."""
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == exchange_db else real_access(p, mode)
    )
    with pytest.raises(ExchangeError, match="the file is read-only"):
        exchange.check_exchange(exchange_db)
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode: False if Path(p) == exchange_db.parent else real_access(p, mode),
    )
    with pytest.raises(ExchangeError, match="folder is read-only"):
        exchange.check_exchange(exchange_db)


def test_is_busy_recognises_locks(tmp_path: Path) -> None:
    """By SQLite's result code: the words "database is locked" alone are not a lock."""
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as locked:
            other.execute("SELECT * FROM t")
        with pytest.raises(sqlite3.OperationalError) as no_table:
            holder.execute("SELECT * FROM missing")
    finally:
        other.close()
        holder.close()
    assert exchange.is_busy(locked.value)
    assert not exchange.is_busy(no_table.value)
    assert not exchange.is_busy(sqlite3.OperationalError("database is locked"))  # no code
    assert not exchange.is_busy(ValueError("database is locked"))
