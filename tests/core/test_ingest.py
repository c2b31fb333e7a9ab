"""Ingestion: exactly the rows read are stored and removed, bad rows included."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from wxpanel.core import exchange
from wxpanel.core.codec import HUGE_BYTES, Flag
from wxpanel.core.history import HistoryStore, attach_history, open_history
from wxpanel.core.ingest import DrainResult, drain_batch, ingest_batch, process_inbox
from wxpanel.core.models import Origin
from wxpanel.core.protocol import Direction, MessageType


@pytest.fixture
def conn(exchange_db: Path) -> sqlite3.Connection:
    history = exchange_db.parent / "history.db"
    open_history(history).close()
    connection = exchange.connect(exchange_db)
    attach_history(connection, history)
    return connection


def backlog(db: Path) -> int:
    with sqlite3.connect(db) as c:
        return int(c.execute("SELECT count(*) FROM wx_event").fetchone()[0])


def test_events_move_in_arrival_order(conn: sqlite3.Connection, exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_a", f"第{i}条") for i in range(50)])
    result = ingest_batch(conn, now=1000.0)
    assert [m.content for m in result.messages] == [f"第{i}条" for i in range(50)]
    assert [m.id for m in result.messages] == sorted(m.id for m in result.messages)
    assert not result.more
    assert backlog(exchange_db) == 0
    with HistoryStore(exchange_db.parent / "history.db") as store:
        assert [m.content for m in store.messages("wxid_a")] == [f"第{i}条" for i in range(50)]


def test_same_sender_rows_are_not_deleted_together(
    conn: sqlite3.Connection, exchange_db: Path
) -> None:
    """Upstream deleted by ID1 and lost a sender's queued messages; we delete by rowid."""
    insert_events(exchange_db, [text_event("wxid_a", str(i)) for i in range(5)])
    result = ingest_batch(conn, now=1.0, max_rows=2)
    assert [m.content for m in result.messages] == ["0", "1"]
    assert result.more
    assert backlog(exchange_db) == 3
    rest = ingest_batch(conn, now=2.0)
    assert [m.content for m in rest.messages] == ["2", "3", "4"]


def test_rowid_reuse_after_emptying_keeps_order(
    conn: sqlite3.Connection, exchange_db: Path
) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "first")])
    ingest_batch(conn, now=1.0)
    insert_events(exchange_db, [text_event("wxid_a", "second")])  # gets rowid 1 again
    ingest_batch(conn, now=2.0)
    with HistoryStore(exchange_db.parent / "history.db") as store:
        assert [m.content for m in store.messages("wxid_a")] == ["first", "second"]


BAD_ROWS = [
    ("wxid_gbk", "wxid_gbk", "私聊", "你好".encode("gbk"), "收到", "1"),
    ("wxid_junk", "wxid_junk", "私聊", b"\xff\xfe\xfa", "收到", "1"),
    (None, None, None, None, None, None),
    ("wxid_num", 42, 3.5, 12345, 7, 1),
    ("wxid_q", "wxid_q", "私聊", 'it\'s "quoted"; DROP TABLE wx_event; --', "收到", "1"),
    ("wxid_emoji", "wxid_emoji", "私聊", "😀👍🏽 表情", "收到", "47"),
    ("wxid_odd", "wxid_odd", "未知来源", "odd", "撤回", "9999"),
]


def test_bad_rows_are_kept_flagged_and_never_fatal(
    conn: sqlite3.Connection, exchange_db: Path
) -> None:
    raw = sqlite3.connect(exchange_db)
    raw.executemany("INSERT INTO wx_event VALUES (?, ?, ?, ?, ?, ?)", BAD_ROWS)
    # demo.exe writes GBK bytes as TEXT, not as a BLOB: CAST stores them so
    raw.execute(
        "INSERT INTO wx_event VALUES ('wxid_text_gbk', 'x', '私聊', CAST(? AS TEXT), '收到', '1')",
        ("中文".encode("gbk"),),
    )
    raw.commit()
    result = ingest_batch(conn, now=5.0)
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
    assert backlog(exchange_db) == 0

    with HistoryStore(exchange_db.parent / "history.db") as store:
        assert store.raw_values(by_conv["wxid_junk"].id)[3] == b"\xff\xfe\xfa"
        assert store.raw_values(by_conv["wxid_gbk"].id)[3] == "你好".encode("gbk")
        assert store.raw_values(by_conv["wxid_q"].id) == (None,) * 6  # clean rows keep no copy


def test_huge_content_is_stored_whole(conn: sqlite3.Connection, exchange_db: Path) -> None:
    big = "长" * (HUGE_BYTES // 3 + 10) + "end"
    insert_events(exchange_db, [text_event("wxid_big", big), text_event("wxid_big", "small")])
    result = ingest_batch(conn, now=1.0, max_bytes=1024)
    # the byte budget cuts the batch after the huge row, never before the first row
    assert [len(m.content or "") for m in result.messages] == [len(big)]
    assert Flag.HUGE in result.messages[0].flags
    assert result.more
    assert ingest_batch(conn, now=2.0).messages[0].content == "small"


def test_directions_and_groups(conn: sqlite3.Connection, exchange_db: Path) -> None:
    insert_events(
        exchange_db,
        [
            ("123@chatroom", "wxid_member", "群聊", "大家好", "收到", "1"),
            ("wxid_friend", "wxid_self", "私聊", "sent from phone", "发出", "1"),
        ],
    )
    group, own = ingest_batch(conn, now=1.0).messages
    assert group.is_group and group.sender == "wxid_member" and group.direction is Direction.IN
    assert own.direction is Direction.OUT and own.origin is Origin.EVENT
    with HistoryStore(exchange_db.parent / "history.db") as store:
        unread = {c.id: c.unread for c in store.conversations()}
    assert unread == {"123@chatroom": 1, "wxid_friend": 0}


def test_locked_exchange_changes_nothing(conn: sqlite3.Connection, exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "waiting")])
    holder = sqlite3.connect(exchange_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            ingest_batch(conn, now=1.0)
        assert exchange.is_busy(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not conn.in_transaction
    assert [m.content for m in ingest_batch(conn, now=2.0).messages] == ["waiting"]


def inbox_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM inbox").fetchone()[0])


def test_failed_drain_rolls_back_both_files(conn: sqlite3.Connection, exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "keep me")])
    # A temporary trigger lives in this connection only: demo.exe's file is untouched.
    conn.execute(
        "CREATE TEMP TRIGGER refuse BEFORE DELETE ON main.wx_event"
        " BEGIN SELECT RAISE(ABORT, 'simulated failure after the copy'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="simulated failure"):
        drain_batch(conn, now=1.0)
    assert backlog(exchange_db) == 1 and inbox_count(conn) == 0
    conn.execute("DROP TRIGGER temp.refuse")
    assert drain_batch(conn, now=2.0) == DrainResult(1, False)
    assert backlog(exchange_db) == 0 and inbox_count(conn) == 1


def test_failed_processing_keeps_the_inbox(
    conn: sqlite3.Connection, exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_events(exchange_db, [text_event("wxid_a", "keep me")])
    drain_batch(conn, now=1.0)
    from wxpanel.core import ingest

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash between insert and delete")

    with monkeypatch.context() as patch:
        patch.setattr(ingest.HistoryWriter, "count", explode)
        with pytest.raises(RuntimeError):
            process_inbox(conn, now=1.0)
    assert inbox_count(conn) == 1
    with HistoryStore(exchange_db.parent / "history.db") as store:
        assert store.messages() == []
    assert [m.content for m in process_inbox(conn, now=2.0).messages] == ["keep me"]
    assert inbox_count(conn) == 0


def test_drain_keeps_bytes_and_storage_classes(conn: sqlite3.Connection, exchange_db: Path) -> None:
    raw = sqlite3.connect(exchange_db)
    raw.execute(
        "INSERT INTO wx_event VALUES (CAST(? AS TEXT), ?, NULL, 'x', '收到', '1')",
        (b"\xff\xfe", b"\x00blob"),
    )
    raw.commit()
    drain_batch(conn, now=1.0)
    row = conn.execute(
        "SELECT typeof(ID1), CAST(ID1 AS BLOB), typeof(ID2), ID2, typeof(MSG_FROM) FROM inbox"
    ).fetchone()
    assert row == ("text", b"\xff\xfe", "blob", b"\x00blob", "null")
