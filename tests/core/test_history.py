"""The history store: schema versions, search that works for Chinese, aliases, export."""

from __future__ import annotations

import calendar
import csv
import io
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from wxpanel.core.engine import Engine
from wxpanel.core.errors import HistoryError
from wxpanel.core.export import (
    write_csv,
    write_csv_bytes,
    write_csv_fast,
    write_jsonl,
    write_jsonl_fast,
)
from wxpanel.core.history import HistoryStore, immediate, open_history
from wxpanel.core.names import load_directory
from wxpanel.core.schema import SCHEMA_VERSION
from wxpanel.core.settings import Settings


@pytest.fixture
def filled(exchange_db: Path) -> Iterator[HistoryStore]:
    insert_events(
        exchange_db,
        [
            text_event("wxid_alice", "今天天气怎么样"),
            text_event("wxid_bob", "你好，我是Bob"),
            text_event("9988@chatroom", "大家晚上好，明天开会", sender="wxid_carol"),
            text_event("wxid_alice", "Hello WORLD from Alice"),
            text_event("9988@chatroom", "你好呀", sender="wxid_dave"),
        ],
    )
    with Engine(exchange_db, settings=Settings()) as engine:
        while engine.poll().messages:
            pass
        history = engine.paths.history
    store = HistoryStore(history)
    yield store
    store.close()


def test_new_database_is_at_current_version(tmp_path: Path) -> None:
    conn = open_history(tmp_path / "h.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_rollback_journal_history_is_switched_to_wal(tmp_path: Path) -> None:
    """history.db is never ATTACHed to exchange.db any more: WAL's per-file atomicity is enough.

    (This replaces a test that switched WAL back to DELETE for the attached
    exchange.db of older versions, a premise that no longer holds.)
    """
    path = tmp_path / "h.db"
    open_history(path).close()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA journal_mode = DELETE")
    raw.close()
    conn = open_history(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_busy_switch_to_wal_does_not_fail_the_start(tmp_path: Path) -> None:
    """Another program reading the file keeps it in its rollback journal until a later start."""
    path = tmp_path / "h.db"
    open_history(path).close()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = DELETE")  # as an older wxpanel left it
    raw.execute("BEGIN")
    raw.execute("SELECT * FROM message").fetchall()  # a SHARED lock held
    started = time.monotonic()
    conn = open_history(path)
    assert time.monotonic() - started < 2.0  # not the 5 s busy timeout: a later start switches
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    raw.execute("COMMIT")
    raw.close()
    conn.close()
    again = open_history(path)
    assert again.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_read_only_readers_see_the_latest_commits(tmp_path: Path) -> None:
    """``mode=ro`` readers (AI context, benchmarks) read committed rows still in the -wal."""
    path = tmp_path / "h.db"
    conn = open_history(path)
    with immediate(conn):
        conn.execute("INSERT INTO error_log (time, kind, detail) VALUES (1, 'x', 'in the wal')")
    reader = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = reader.execute("SELECT detail FROM error_log").fetchall()
    finally:
        reader.close()
    assert rows == [("in the wal",)]


def test_a_clean_stop_folds_the_wal_back_in(exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_alice", "你好")])
    with Engine(exchange_db, settings=Settings()) as engine:
        history = engine.paths.history
        engine.poll()
        reader = HistoryStore(history)  # the panel's reader, still open at the stop
    wal = history.with_name("history.db-wal")
    assert wal.stat().st_size == 0  # checkpointed although a reader remains
    reader.close()
    assert not wal.exists()
    copy = history.with_name("copy.db")
    copy.write_bytes(history.read_bytes())  # history.db alone holds everything
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT content FROM message").fetchall() == [("你好",)]
    conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(HistoryError, match="newer wxpanel"):
        open_history(path)


def test_garbage_history_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"garbage" * 500)
    with pytest.raises(HistoryError, match="not a usable history database"):
        open_history(path)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("你好", {"你好，我是Bob", "你好呀"}),  # two characters: below trigram size
        ("天气怎么", {"今天天气怎么样"}),  # trigram index
        ("明天开会", {"大家晚上好，明天开会"}),
        ("hello world", {"Hello WORLD from Alice"}),  # case-insensitive
        ("不存在的词", set()),
        ('"', set()),
    ],
)
def test_search_works_for_chinese(filled: HistoryStore, query: str, expected: set[str]) -> None:
    assert {m.content for m in filled.search(query)} == expected


def test_search_within_one_conversation(filled: HistoryStore) -> None:
    assert [m.content for m in filled.search("你好", "9988@chatroom")] == ["你好呀"]
    assert [m.content for m in filled.search("明天开", "9988@chatroom")] == ["大家晚上好，明天开会"]
    assert filled.search("明天开", "wxid_alice") == []


@pytest.mark.parametrize("query", ["你好", "o"])
def test_search_gives_the_newest_hits_first_and_pages_back(
    filled: HistoryStore, query: str
) -> None:
    every = filled.search(query, limit=100)
    assert [m.id for m in every] == sorted((m.id for m in every), reverse=True)
    newest = filled.search(query, limit=1)
    older = filled.search(query, before_id=newest[0].id, limit=100)
    assert newest + older == every
    oldest_first = filled.search(query, limit=100, oldest_first=True)
    assert oldest_first == every[::-1]


@pytest.mark.parametrize("query", ["%", "_", "\\"])
def test_short_search_takes_like_wildcards_literally(filled: HistoryStore, query: str) -> None:
    assert filled.search(query) == []


@pytest.mark.parametrize(("query", "window"), [("你好", 1), ("你好", 2), ("天气怎么", 1), ("o", 1)])
def test_progressive_search_finds_what_search_finds(
    filled: HistoryStore, query: str, window: int
) -> None:
    pages = list(filled.search_progressive(query, window=window))
    assert [m for page in pages for m in page] == filled.search(query)
    assert list(filled.search_progressive(query, limit=1, window=window))[-1] == filled.search(
        query, limit=1
    )


def test_conversations_sorted_by_activity_with_unread(filled: HistoryStore) -> None:
    conversations = filled.conversations()
    assert [c.id for c in conversations] == ["9988@chatroom", "wxid_alice", "wxid_bob"]
    by_id = {c.id: c for c in conversations}
    assert by_id["wxid_alice"].unread == 2 and by_id["9988@chatroom"].is_group
    assert by_id["9988@chatroom"].last_preview == "你好呀"
    filled.mark_read("wxid_alice")
    assert {c.id: c.unread for c in filled.conversations()}["wxid_alice"] == 0


def test_alias_and_conversation_search(filled: HistoryStore) -> None:
    filled.set_alias("wxid_bob", "鲍勃")
    assert [c.display_name for c in filled.conversations("鲍勃")] == ["鲍勃"]
    assert {c.id for c in filled.conversations("天气")} == {"wxid_alice"}
    filled.set_alias("wxid_bob", "  ")
    assert filled.aliases() == {}


def test_paging_older_history(filled: HistoryStore) -> None:
    newest = filled.messages(limit=2)
    older = filled.messages(before_id=newest[0].id, limit=10)
    assert [m.id for m in older + newest] == [m.id for m in filled.messages()]


def test_jsonl_export_has_the_promised_fields(filled: HistoryStore) -> None:
    out = io.StringIO()
    count = write_jsonl(filled.iter_messages(), out, {"wxid_bob": "Bob"})
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(lines) == 5
    for key in ("conversation", "sender", "direction", "type", "content", "time"):
        assert key in lines[0]
    bob = next(line for line in lines if line["conversation"] == "wxid_bob")
    assert bob["conversation_name"] == "Bob" and bob["direction"] == "in"
    assert bob["type"] == "text"


def test_csv_export_round_trips_chinese(filled: HistoryStore) -> None:
    out = io.StringIO()
    write_csv(filled.iter_messages("9988@chatroom"), out, {})
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["content"] for row in rows] == ["大家晚上好，明天开会", "你好呀"]
    assert rows[0]["sender"] == "wxid_carol"


def test_export_of_a_search(filled: HistoryStore) -> None:
    assert [m.content for m in filled.iter_messages(search="你好")] == ["你好，我是Bob", "你好呀"]


def _utc(text: str) -> float:
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S"))


@pytest.mark.slow  # exports many rows both ways
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/St_Johns", "Europe/London"])
@pytest.mark.parametrize("conversation", [None, "9988@chatroom", "wxid_bob", "wxid_nobody"])
@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_sql_made_export_is_the_same_as_python_made(
    filled: HistoryStore,
    conversation: str | None,
    zone: str,
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", zone)  # the local offset is written by SQLite and by Python
    time.tzset()
    filled.set_alias("wxid_bob", 'Bob "the" 鲍勃\n')
    with immediate(filled.conn):  # the odd values an export must carry: flags, status, text
        filled.conn.execute(
            "INSERT INTO contact (wxid, alias, name) VALUES (?, '', ?)", ("wxid_alice", "Alice, A.")
        )
        filled.conn.execute(
            "UPDATE message SET flags = 3, status = 'taken', type = 43,"
            " content = 'tab\tquote\" back\\ nl\n ctl\x01 😀, cr\r nul' || char(0) || '.',"
            " time = 1700000000.9999996 WHERE id = 1"  # shown as the next second
        )
        filled.conn.execute(
            "UPDATE message SET type = 12345, sender = NULL, time = ? WHERE id = 2",
            (_utc("2026-03-08 05:30:00") - 0.5,),  # St John's and London: before a change
        )
        filled.conn.execute(
            "UPDATE message SET flags = 200, content = NULL, time = ? WHERE id = 3",
            # far from the first and last message (SQLite's localtime), after a change
            (_utc("2030-03-31 01:00:00") + 0.25,),
        )
        filled.conn.execute(
            "UPDATE message SET sender = 'a,b', type_raw = 'x\"y', time = ? WHERE id = 4",
            (_utc("2026-11-01 04:30:00") - 1800,),  # St John's: 1:00 the first time
        )
        filled.conn.execute(
            "UPDATE message SET flags = 1, content = 'say \"hi\", ok', time = ? WHERE id = 5",
            (_utc("2026-11-01 04:30:00") + 1800,),  # and the second
        )
    names = load_directory(filled.conn).nicknames()
    python_made, sql_made = io.BytesIO(), io.BytesIO()
    if kind == "jsonl":
        text = io.TextIOWrapper(python_made, encoding="utf-8", newline="")
        count = write_jsonl(filled.iter_messages(conversation), text, names)
        text.flush()
        assert write_jsonl_fast(filled.conn, sql_made, conversation) == count
    else:
        count = write_csv_bytes(filled.iter_messages(conversation), python_made, names)
        assert write_csv_fast(filled.conn, sql_made, conversation) == count
    assert sql_made.getvalue() == python_made.getvalue()
    monkeypatch.undo()
    time.tzset()
