"""Ingestion: every row of wx_event reaches history exactly once, bad rows included,
and reading wx_event never takes a lock demo.exe could meet."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from wxpanel.core.codec import HUGE_BYTES, Flag
from wxpanel.core.exchange.reader import (
    ExchangeReader,
    HotJournalError,
    Snapshot,
    SnapshotRetry,
)
from wxpanel.core.exchange.writer import AnchorMoved, ExchangeWriter, WriteBusy
from wxpanel.core.history import HistoryStore, open_history
from wxpanel.core.ingest import CleanupPolicy, EventIngestor, IngestResult, process_inbox
from wxpanel.core.models import Origin
from wxpanel.core.protocol import Direction, MessageType


class Consumer:
    """The poller's three pieces, driven by hand."""

    def __init__(self, exchange_db: Path) -> None:
        self.history = exchange_db.parent / "history.db"
        self.hconn = open_history(self.history)
        self.reader = ExchangeReader(exchange_db)
        self.writer = ExchangeWriter(exchange_db)
        self.ingestor = EventIngestor(self.hconn)

    def step(self, now: float, **budget: int) -> IngestResult:
        snapshot = self.reader.snapshot(self.ingestor.start, after=self.ingestor.after, **budget)
        return self.ingestor.ingest(snapshot, now)

    def until_idle(self, now: float) -> list[str | None]:
        contents: list[str | None] = []
        while True:
            result = self.step(now)
            contents += [m.content for m in result.messages]
            if not result.more:
                return contents

    def clean(self) -> int:
        anchor = self.ingestor.anchor
        assert anchor is not None
        result = self.writer.write(clean_below=anchor)
        assert result.deleted_below is not None
        self.ingestor.cleaned(result.deleted_below)
        return result.deleted

    def stored(self, conversation: str | None = None) -> list[str | None]:
        with HistoryStore(self.history) as store:
            return [m.content for m in store.messages(conversation)]

    def close(self) -> None:
        self.reader.close()
        self.writer.close()
        self.hconn.close()


@pytest.fixture
def consumer(exchange_db: Path) -> Iterator[Consumer]:
    made = Consumer(exchange_db)
    yield made
    made.close()


def rows_in(db: Path) -> list[str]:
    with sqlite3.connect(db) as c:
        return [row[0] for row in c.execute("SELECT MSG_CONTENT FROM wx_event ORDER BY rowid")]


def test_events_arrive_in_order_and_stay_until_cleaned(
    consumer: Consumer, exchange_db: Path
) -> None:
    insert_events(exchange_db, [text_event("wxid_a", f"第{i}条") for i in range(50)])
    result = consumer.step(now=1000.0)
    assert [m.content for m in result.messages] == [f"第{i}条" for i in range(50)]
    assert [m.id for m in result.messages] == sorted(m.id for m in result.messages)
    assert not result.more
    # Reading wrote nothing to demo.exe's file: the rows wait for the clean-up.
    assert len(rows_in(exchange_db)) == 50
    assert consumer.step(now=1001.0).messages == ()  # and are not taken twice
    assert consumer.clean() == 49
    assert rows_in(exchange_db) == ["第49条"]  # the anchor stays: no rowid is reused
    insert_events(exchange_db, [text_event("wxid_a", "后来")])
    assert [m.content for m in consumer.step(now=1002.0).messages] == ["后来"]
    assert consumer.stored("wxid_a") == [f"第{i}条" for i in range(50)] + ["后来"]


def test_a_budget_cuts_between_rows_and_the_rest_follows(
    consumer: Consumer, exchange_db: Path
) -> None:
    """Upstream deleted by ID1 and lost a sender's queued messages; rows go by rowid."""
    insert_events(exchange_db, [text_event("wxid_a", str(i)) for i in range(5)])
    first = consumer.step(now=1.0, max_rows=2)
    assert [m.content for m in first.messages] == ["0", "1"]
    assert first.more
    assert consumer.until_idle(now=2.0) == ["2", "3", "4"]


def test_the_backlog_beyond_a_cut_snapshot_is_every_row_after_the_anchor(
    consumer: Consumer, exchange_db: Path
) -> None:
    """Told by max(rowid), not counted row by row inside the read."""
    insert_events(exchange_db, [text_event("wxid_a", str(i)) for i in range(7)])
    assert consumer.reader.snapshot(None, max_rows=3).backlog == 7
    consumer.step(now=1.0, max_rows=3)  # the anchor is now the third row
    anchor = consumer.ingestor.anchor
    assert anchor is not None
    snapshot = consumer.reader.snapshot(anchor.rowid, after=anchor.rowid, max_rows=2)
    assert (snapshot.more, snapshot.backlog) == (True, 4)
    whole = consumer.reader.snapshot(anchor.rowid, after=anchor.rowid)
    assert (whole.more, whole.backlog) == (False, 4)


def test_gathered_reads_are_one_snapshot_with_the_backlog_of_the_last(
    consumer: Consumer, exchange_db: Path
) -> None:
    """Reads of 2 rows, each from the last row of the one before, joined into one; not
    while wx_event is compared row by row (that needs one snapshot of what it compares)."""
    insert_events(exchange_db, [text_event("wxid_a", str(i)) for i in range(7)])
    asked: list[int | None] = []

    def read(start: int | None, rows: int, size: int) -> Snapshot:
        asked.append(start)
        return consumer.reader.snapshot(
            start, after=consumer.ingestor.after, max_rows=min(rows, 2), max_bytes=size
        )

    gathered = consumer.ingestor.gather(read, until=time.monotonic() + 600, max_rows=5)
    assert asked == [None, 2, 3, 4]  # the last read asked for the one row left in the budget
    assert [event.rowid for event in gathered.events] == [1, 2, 3, 4, 5]
    assert (gathered.more, gathered.backlog) == (True, 7)
    consumer.ingestor.ingest(gathered, now=1.0)
    with sqlite3.connect(exchange_db) as conn:
        conn.execute("DELETE FROM wx_event WHERE rowid <= 5")  # the anchor too: compare
    consumer.step(now=2.0)
    assert consumer.ingestor.compare_from is not None
    asked.clear()
    consumer.ingestor.gather(read, until=time.monotonic() + 600)
    assert asked == [0]


def test_rows_emptied_behind_our_back_are_compared_one_by_one(
    consumer: Consumer, exchange_db: Path
) -> None:
    """Another program empties wx_event: rowids start again at 1 and must not hide rows."""
    insert_events(exchange_db, [text_event("wxid_a", "first"), text_event("wxid_a", "second")])
    consumer.until_idle(now=1.0)
    with sqlite3.connect(exchange_db) as other:
        other.execute("DELETE FROM wx_event")
    insert_events(exchange_db, [text_event("wxid_a", "third"), text_event("wxid_a", "fourth")])
    assert consumer.until_idle(now=2.0) == ["third", "fourth"]
    assert consumer.ingestor.resets == 1
    insert_events(exchange_db, [text_event("wxid_a", "fifth")])
    assert consumer.until_idle(now=3.0) == ["fifth"]
    assert consumer.stored("wxid_a") == ["first", "second", "third", "fourth", "fifth"]


def test_a_replaced_file_is_read_from_its_first_row(consumer: Consumer, exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_a", str(i)) for i in range(3)])
    consumer.until_idle(now=1.0)
    consumer.clean()
    replacement = exchange_db.with_name("new.db")
    replacement.write_bytes(Path(exchange_db).read_bytes())
    with sqlite3.connect(replacement) as other:
        other.execute("DELETE FROM wx_event")
    insert_events(replacement, [text_event("wxid_b", "new file")])
    consumer.reader.close()
    replacement.replace(exchange_db)
    assert consumer.until_idle(now=2.0) == ["new file"]


def test_same_rowid_and_same_row_is_recognised(consumer: Consumer, exchange_db: Path) -> None:
    """While comparing, a row we hold (rowid and digest) is not taken again."""
    insert_events(exchange_db, [text_event("wxid_a", "a"), text_event("wxid_a", "b")])
    consumer.until_idle(now=1.0)
    with sqlite3.connect(exchange_db) as other:
        other.execute("DELETE FROM wx_event WHERE MSG_CONTENT = 'b'")  # the anchor
    insert_events(exchange_db, [text_event("wxid_a", "c")])  # rowid 2 again
    assert consumer.until_idle(now=2.0) == ["c"]


BAD_ROWS = [
    ("wxid_gbk", "wxid_gbk", "私聊", "你好".encode("gbk"), "收到", "1"),
    ("wxid_junk", "wxid_junk", "私聊", b"\xff\xfe\xfa", "收到", "1"),
    (None, None, None, None, None, None),
    ("wxid_num", 42, 3.5, 12345, 7, 1),
    ("wxid_q", "wxid_q", "私聊", 'it\'s "quoted"; DROP TABLE wx_event; --', "收到", "1"),
    ("wxid_emoji", "wxid_emoji", "私聊", "😀👍🏽 表情", "收到", "47"),
    ("wxid_odd", "wxid_odd", "未知来源", "odd", "撤回", "9999"),
]


def test_bad_rows_are_kept_flagged_and_never_fatal(consumer: Consumer, exchange_db: Path) -> None:
    raw = sqlite3.connect(exchange_db)
    raw.executemany("INSERT INTO wx_event VALUES (?, ?, ?, ?, ?, ?)", BAD_ROWS)
    # demo.exe writes GBK bytes as TEXT, not as a BLOB: CAST stores them so
    raw.execute(
        "INSERT INTO wx_event VALUES ('wxid_text_gbk', 'x', '私聊', CAST(? AS TEXT), '收到', '1')",
        ("中文".encode("gbk"),),
    )
    raw.commit()
    raw.close()
    result = consumer.step(now=5.0)
    by_conv = {m.conversation: m for m in result.messages}
    assert len(result.messages) == len(BAD_ROWS) + 1
    assert by_conv["wxid_gbk"].content == "你好"
    assert Flag.GBK in by_conv["wxid_gbk"].flags and by_conv["wxid_gbk"].is_bad
    assert Flag.INVALID in by_conv["wxid_junk"].flags
    assert "\ufffd" in (by_conv["wxid_junk"].content or "")
    null_row = by_conv[""]
    assert null_row.content is None and Flag.NULL in null_row.flags
    # TEXT affinity turns numbers into text on insert: they arrive as digits
    assert by_conv["wxid_num"].content == "12345" and by_conv["wxid_num"].sender == "42"
    assert by_conv["wxid_q"].content == 'it\'s "quoted"; DROP TABLE wx_event; --'
    assert not by_conv["wxid_q"].is_bad
    assert by_conv["wxid_emoji"].type is MessageType.STICKER
    odd = by_conv["wxid_odd"]
    assert Flag.UNKNOWN_VALUE in odd.flags and not odd.is_bad
    assert odd.type is MessageType.UNKNOWN and odd.type_raw == "9999"
    assert odd.state_raw == "撤回" and odd.from_raw == "未知来源"
    text_gbk = by_conv["wxid_text_gbk"]
    assert text_gbk.content == "中文" and Flag.GBK in text_gbk.flags
    assert Flag.BLOB not in text_gbk.flags

    with HistoryStore(exchange_db.parent / "history.db") as store:
        junk = store.raw_values(by_conv["wxid_junk"].id)
        gbk = store.raw_values(by_conv["wxid_gbk"].id)
        assert junk is not None and junk[3] == b"\xff\xfe\xfa"
        assert gbk is not None and gbk[3] == "你好".encode("gbk")
        assert store.raw_values(by_conv["wxid_q"].id) == (None,) * 6  # clean rows keep no copy


def test_huge_content_is_stored_whole(consumer: Consumer, exchange_db: Path) -> None:
    big = "长" * (HUGE_BYTES // 3 + 10) + "end"
    insert_events(exchange_db, [text_event("wxid_big", big), text_event("wxid_big", "small")])
    result = consumer.step(now=1.0, max_bytes=1024)
    # the byte budget cuts the batch after the huge row, never before the first row
    assert [len(m.content or "") for m in result.messages] == [len(big)]
    assert Flag.HUGE in result.messages[0].flags
    assert result.more
    assert consumer.step(now=2.0).messages[0].content == "small"


def test_directions_and_groups(consumer: Consumer, exchange_db: Path) -> None:
    insert_events(
        exchange_db,
        [
            ("123@chatroom", "wxid_member", "群聊", "大家好", "收到", "1"),
            ("wxid_friend", "wxid_self", "私聊", "sent from phone", "发出", "1"),
        ],
    )
    group, own = consumer.step(now=1.0).messages
    assert group.is_group and group.sender == "wxid_member" and group.direction is Direction.IN
    assert own.direction is Direction.OUT and own.origin is Origin.EVENT
    with HistoryStore(exchange_db.parent / "history.db") as store:
        unread = {c.id: c.unread for c in store.conversations()}
    assert unread == {"123@chatroom": 1, "wxid_friend": 0}


def test_reading_takes_no_lock(consumer: Consumer, exchange_db: Path) -> None:
    """demo.exe has no busy handler: our reads must succeed under its locks and never
    hold one of their own."""
    insert_events(exchange_db, [text_event("wxid_a", "before")])
    holder = sqlite3.connect(exchange_db, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")  # an ordinary reader would get SQLITE_BUSY now
    try:
        assert consumer.reader.changed()
        assert [m.content for m in consumer.step(now=1.0).messages] == ["before"]
    finally:
        holder.execute("ROLLBACK")
    # While our read runs, a writer without a busy handler still commits.
    committed: list[str] = []

    def write_during_read(statement: str) -> None:
        if "FROM wx_event WHERE rowid >=" in statement and not committed:
            holder.execute("INSERT INTO wx_event VALUES ('wxid_a', '_', 'A', 'during', '0', '1')")
            committed.append(statement)

    insert_events(exchange_db, [text_event("wxid_a", "after")])
    conn = consumer.reader._connection()
    conn.set_trace_callback(write_during_read)
    with pytest.raises(SnapshotRetry):  # the read saw a commit: thrown away, not used
        consumer.step(now=2.0)
    assert committed
    holder.close()
    assert consumer.until_idle(now=3.0) == ["after", "during"]


def test_a_row_appearing_between_the_reads_queries_means_try_again(
    consumer: Consumer, exchange_db: Path
) -> None:
    """The rows and wx_command are two queries in one read transaction, which
    takes no lock: a commit between them fills a gap below the rows read.  That
    read is thrown away, not trusted."""
    insert_events(exchange_db, [text_event("wxid_a", "one"), text_event("wxid_a", "gap")])
    insert_events(exchange_db, [text_event("wxid_a", "three")])
    with sqlite3.connect(exchange_db, isolation_level=None) as setup:
        setup.execute("DELETE FROM wx_event WHERE MSG_CONTENT = 'gap'")  # rowids 1 and 3
    holder = sqlite3.connect(exchange_db, isolation_level=None, timeout=0)

    def write_between(statement: str) -> None:
        if "FROM wx_command" in statement:
            holder.execute(
                "INSERT INTO wx_event (rowid, ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE,"
                " MSG_TYPE) VALUES (2, 'wxid_a', '_', 'A', 'two', '0', '1')"
            )

    consumer.reader._connection().set_trace_callback(write_between)
    with pytest.raises(SnapshotRetry):
        consumer.step(now=1.0)
    consumer.reader._connection().set_trace_callback(None)
    holder.close()
    assert consumer.until_idle(now=2.0) == ["one", "two", "three"]


def test_odd_rows_read_again_in_full_form_must_be_the_same_rows(
    consumer: Consumer, exchange_db: Path
) -> None:
    """A row that is not all TEXT or NULL (a BLOB: TEXT affinity turns numbers into
    text) is read again with typeof() and CAST; a commit between the two reads that
    changes which rows there are is a retry."""
    insert_events(exchange_db, [text_event("wxid_a", "one"), ("wxid_a", "_", "A", b"7", "0", "1")])
    holder = sqlite3.connect(exchange_db, isolation_level=None, timeout=0)

    def write_between(statement: str) -> None:
        if "FROM wx_event WHERE rowid BETWEEN" in statement:
            holder.execute("DELETE FROM wx_event WHERE MSG_CONTENT = 'one'")

    consumer.reader._connection().set_trace_callback(write_between)
    with pytest.raises(SnapshotRetry):
        consumer.step(now=1.0)
    assert consumer.reader.retries == 1
    holder.close()
    assert consumer.until_idle(now=2.0) == ["7"]


def test_a_writer_at_work_means_try_again(consumer: Consumer, exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "one")])
    writer = sqlite3.connect(exchange_db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO wx_event VALUES ('wxid_a', '_', 'A', 'two', '0', '1')")
    assert Path(str(exchange_db) + "-journal").exists()
    with pytest.raises(SnapshotRetry):
        consumer.step(now=1.0)
    writer.execute("COMMIT")
    writer.close()
    assert consumer.until_idle(now=2.0) == ["one", "two"]


def test_a_hot_journal_is_rolled_back_then_read(consumer: Consumer, exchange_db: Path) -> None:
    """A writer killed mid-commit leaves a hot journal: the lock-free reader refuses to
    read around it, and an ordinary connection rolls it back, as demo.exe's would."""
    import subprocess
    import sys

    insert_events(exchange_db, [text_event("wxid_a", "kept")])
    crash = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 2')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "for i in range(200):\n"
        "    c.execute('INSERT INTO wx_event VALUES (?, ?, ?, ?, ?, ?)',"
        " ('x', '_', 'x', 'y' * 900, '0', '1'))\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", crash, str(exchange_db)], check=False)
    assert Path(str(exchange_db) + "-journal").exists()
    with pytest.raises((HotJournalError, SnapshotRetry)):
        consumer.step(now=1.0)
    assert consumer.reader.recover()
    assert consumer.until_idle(now=2.0) == ["kept"]


def test_clean_up_fails_fast_and_keeps_everything(consumer: Consumer, exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_a", str(i)) for i in range(3)])
    consumer.until_idle(now=1.0)
    holder = sqlite3.connect(exchange_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # demo.exe in the middle of its INSERT
    anchor = consumer.ingestor.anchor
    assert anchor is not None
    with pytest.raises(WriteBusy):
        consumer.writer.write(clean_below=anchor)
    holder.execute("ROLLBACK")
    holder.close()
    assert rows_in(exchange_db) == ["0", "1", "2"]
    assert consumer.clean() == 2


def test_clean_up_refuses_a_moved_anchor(consumer: Consumer, exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "a"), text_event("wxid_a", "b")])
    consumer.until_idle(now=1.0)
    with sqlite3.connect(exchange_db) as other:
        other.execute("UPDATE wx_event SET MSG_CONTENT = 'changed' WHERE MSG_CONTENT = 'b'")
    anchor = consumer.ingestor.anchor
    assert anchor is not None
    with pytest.raises(AnchorMoved):
        consumer.writer.write(clean_below=anchor)
    assert rows_in(exchange_db) == ["a", "changed"]


def test_clean_up_policy() -> None:
    policy = CleanupPolicy(max_rows=100, max_bytes=1000, quiet=30.0)
    assert not policy.due((0, 0), quiet_for=999.0, commands_waiting=0)
    assert not policy.due((10, 10), quiet_for=1.0, commands_waiting=0)
    assert policy.due((10, 10), quiet_for=31.0, commands_waiting=0)
    assert policy.due((100, 10), quiet_for=0.0, commands_waiting=0)
    assert policy.due((1, 1000), quiet_for=0.0, commands_waiting=0)
    # demo.exe is about to DELETE a command: our lock would make it send it twice
    assert not policy.due((100, 1000), quiet_for=99.0, commands_waiting=1)


def test_a_failed_history_write_records_nothing(
    consumer: Consumer, exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "keep me")])
    from wxpanel.core.history import HistoryWriter

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash between the messages and their record")

    with monkeypatch.context() as patch:
        patch.setattr(HistoryWriter, "count", explode)
        with pytest.raises(RuntimeError):
            consumer.step(now=1.0)
    assert consumer.stored() == []
    consumer.ingestor = EventIngestor(consumer.hconn)  # as after a restart
    assert consumer.until_idle(now=2.0) == ["keep me"]
    assert consumer.stored() == ["keep me"]


def test_raw_bytes_and_storage_classes_are_read_as_stored(
    consumer: Consumer, exchange_db: Path
) -> None:
    raw = sqlite3.connect(exchange_db)
    raw.execute(
        "INSERT INTO wx_event VALUES (CAST(? AS TEXT), ?, NULL, 'x', '0', '1')",
        (b"\xff\xfe", b"\x00blob"),
    )
    raw.commit()
    raw.close()
    snapshot = consumer.reader.snapshot(None)
    (row,) = snapshot.events
    assert row.columns[:6] == ("text", b"\xff\xfe", "blob", b"\x00blob", "null", None)


def test_rows_left_in_the_inbox_by_an_earlier_version_are_decoded(consumer: Consumer) -> None:
    consumer.hconn.execute(
        "INSERT INTO inbox (arrived, ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE)"
        " VALUES (1.0, 'wxid_old', '_', '老朋友', '升级前', '0', '1')"
    )
    result = process_inbox(consumer.hconn, now=2.0)
    assert [m.content for m in result.messages] == ["升级前"]
    assert process_inbox(consumer.hconn, now=3.0).messages == ()


def test_a_read_that_looks_damaged_while_a_writer_committed_is_retried(
    consumer: Consumer, exchange_db: Path
) -> None:
    """A page read while demo.exe rewrote it can look damaged.  Whether somebody
    committed meanwhile is asked on the connection that read: a new connection's
    data_version starts afresh and may equal the old one's by chance, which made
    every such read "not an SQLite database" under a flood of commits."""
    insert_events(exchange_db, [text_event("wxid_a", "one")])
    reader = consumer.reader

    def torn(conn: sqlite3.Connection) -> None:
        insert_events(exchange_db, [text_event("wxid_a", "two")])
        raise sqlite3.DatabaseError("database disk image is malformed")

    with pytest.raises(SnapshotRetry):
        reader._consistent(torn)
    assert reader.retries == 1

    def damaged(conn: sqlite3.Connection) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    with pytest.raises(sqlite3.DatabaseError):  # nobody wrote: the damage is real
        reader._consistent(damaged)
    assert consumer.until_idle(now=1.0) == ["one", "two"]


def test_pending_rows_are_kept_as_batches_are_recorded(
    consumer: Consumer, exchange_db: Path
) -> None:
    """Kept as batches go by instead of counted after each: always what a count says."""

    def counted() -> tuple[int, int]:
        anchor = consumer.ingestor.anchor
        if anchor is None:
            return 0, 0
        count, size = consumer.hconn.execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM ingested WHERE rowid < ?",
            (anchor.rowid,),
        ).fetchone()
        return int(count), int(size)

    assert consumer.ingestor.pending == counted() == (0, 0)
    insert_events(exchange_db, [text_event("wxid_a", "x" * i) for i in range(1, 8)])
    consumer.step(now=1.0, max_rows=3)
    assert (
        consumer.ingestor.pending == counted() == (2, 2 * len(b"wxid_a" * 2 + "私聊".encode()) + 3)
    )
    consumer.until_idle(now=2.0)
    assert consumer.ingestor.pending == counted()
    consumer.clean()
    assert consumer.ingestor.pending == counted() == (0, 0)
    with sqlite3.connect(exchange_db) as conn:  # emptied behind our back: compared row by row
        conn.execute("DELETE FROM wx_event")
    insert_events(exchange_db, [text_event("wxid_a", "again")])
    consumer.until_idle(now=3.0)
    assert consumer.ingestor.pending == counted()
    assert EventIngestor(consumer.hconn).pending == consumer.ingestor.pending


def test_a_journal_that_appears_as_the_counter_is_read_stops_the_read_before_it_begins(
    consumer: Consumer, exchange_db: Path
) -> None:
    """The journal is looked at after data_version, not only before: a writer that
    created its journal and rewrote page 1 in between would give data_version its new
    counter, change pages under the query, and be gone (journal and all) by the end."""
    insert_events(exchange_db, [text_event("wxid_a", "one")])
    consumer.reader.snapshot(None)  # a connection, warm
    writer = sqlite3.connect(exchange_db, isolation_level=None, timeout=0)
    queries: list[str] = []

    def trace(statement: str) -> None:
        if statement == "PRAGMA data_version" and not writer.in_transaction:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO wx_event VALUES ('wxid_a', '_', 'A', 'two', '0', '1')")
        if "FROM wx_event" in statement:
            queries.append(statement)

    consumer.reader._connection().set_trace_callback(trace)
    with pytest.raises(SnapshotRetry) as retry:
        consumer.reader.snapshot(None)
    assert not retry.value.torn and not queries  # stopped before reading a page
    consumer.reader._connection().set_trace_callback(None)
    writer.execute("COMMIT")
    writer.close()
    assert consumer.until_idle(now=1.0) == ["one", "two"]
