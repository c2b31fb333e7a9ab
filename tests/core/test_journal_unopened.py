"""wxpanel never opens demo.exe's journal while it stands (issue 10, seen under Wine).

A handle on ``exchange.db-journal`` at the instant demo.exe's SQLite deletes
it (its commit) keeps the file there under Wine, and demo.exe's next INSERT
then rolls back the message it had just committed (the reader module's
docstring).  On Linux an open is seen through inotify's ``IN_OPEN``, whoever
makes it, SQLite's ``hasHotJournal`` included; ``stat`` opens nothing, so
asking whether the journal exists is not an open here (on Windows it would
be, which is why :func:`exists_unopened` asks GetFileAttributesW there).
"""

from __future__ import annotations

import ctypes
import os
import sqlite3
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from wxpanel.core.exchange import files
from wxpanel.core.exchange.files import exists_unopened, journal_of
from wxpanel.core.exchange.reader import ExchangeReader, SnapshotRetry

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")

IN_OPEN = 0x20
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of name)


class Opens:
    """Counts the opens of one file, by anybody, through inotify."""

    def __init__(self, path: Path) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self._fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0 or libc.inotify_add_watch(self._fd, os.fsencode(path), IN_OPEN) < 0:
            raise OSError(ctypes.get_errno(), "inotify")

    def count(self) -> int:
        opens = 0
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return opens
            offset = 0
            while offset < len(data):
                _wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                opens += bool(mask & IN_OPEN)
                offset += _EVENT.size + length

    def close(self) -> None:
        os.close(self._fd)


@pytest.fixture
def demo_at_work(exchange_db: Path) -> Iterator[sqlite3.Connection]:
    """demo.exe in the middle of its INSERT: its journal stands beside the file."""
    insert_events(exchange_db, [text_event("wxid_a", "one")])
    writer = sqlite3.connect(exchange_db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO wx_event VALUES ('wxid_a', '_', 'A', 'two', '0', '1')")
    assert journal_of(exchange_db).exists()
    yield writer
    writer.execute("ROLLBACK")
    writer.close()


def test_the_reader_never_opens_a_journal_that_stands(
    exchange_db: Path, demo_at_work: sqlite3.Connection
) -> None:
    """Every reader call while demo.exe writes: none opens its journal, none reads."""
    reader = ExchangeReader(exchange_db)
    opens = Opens(journal_of(exchange_db))
    try:
        assert reader.changed()  # before any snapshot: True without asking SQLite
        assert reader.write_mark() is None
        for read in (
            lambda: reader.snapshot(None),
            lambda: reader.counts(None),
            reader.missing_columns,
        ):
            with pytest.raises(SnapshotRetry):
                read()
        assert opens.count() == 0
    finally:
        opens.close()
        reader.close()


def test_a_reader_that_saw_the_file_never_opens_the_journal_either(
    exchange_db: Path,
) -> None:
    """changed() runs on every round: after a snapshot, a journal that appears is
    noticed by its presence, not by a statement that would make SQLite open it."""
    insert_events(exchange_db, [text_event("wxid_a", "one")])
    reader = ExchangeReader(exchange_db)
    assert [row.rowid for row in reader.snapshot(None).events] == [1]
    writer = sqlite3.connect(exchange_db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO wx_event VALUES ('wxid_a', '_', 'A', 'two', '0', '1')")
    opens = Opens(journal_of(exchange_db))
    try:
        changed, mark = reader.changed(), reader.write_mark()
        assert opens.count() == 0
        assert changed
        assert mark is None
    finally:
        opens.close()
        writer.execute("COMMIT")
        writer.close()
    assert not reader.journal_stands()
    assert [row.rowid for row in reader.snapshot(2).events] == [2]
    reader.close()


def test_the_start_check_waits_without_opening_the_journal(
    monkeypatch: pytest.MonkeyPatch, exchange_db: Path, demo_at_work: sqlite3.Connection
) -> None:
    """check_exchange's lock-free read waits out a writer's journal without opening it
    (its ordinary read after the grace is the roll-back SQLite does itself)."""
    monkeypatch.setattr(files, "_JOURNAL_GRACE", 0.2)
    opens = Opens(journal_of(exchange_db))
    try:
        assert files._read_schema_lock_free(exchange_db) is None
        assert opens.count() == 0
    finally:
        opens.close()


def test_exists_unopened(tmp_path: Path) -> None:
    present = tmp_path / "exchange.db-journal"
    assert not exists_unopened(present)
    assert not exists_unopened(tmp_path / "no-folder" / "x")
    present.write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7")
    assert exists_unopened(present)
