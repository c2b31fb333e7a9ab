"""The simulator must play demo.exe faithfully, or every test built on it lies.

Each test works on a copy of the real, empty exchange.db and reads the file
back through its own connection, as the consumer would. Tests of the richer
bridge (``Shapes.RICH``: other event kinds, echoes, retries) say so.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from wxpanel.core import exchange, protocol
from wxpanel.core.codec import decode_bytes
from wxpanel.core.demoexe import EventRow, gbk_text, non_gbk
from wxpanel.core.demoworld import STRANGERS
from wxpanel.core.protocol import CommandType, MessageType
from wxpanel.core.simulator import (
    CONTACTS,
    FRIEND_REQUEST_ID,
    GROUPS,
    MAX_BATCH,
    Shapes,
    SimEvent,
    SimStats,
    Simulator,
)

OWN = "wxid_bot_self"
GROUP_ID = GROUPS[1].wxid
PRIVATE_ID = CONTACTS[0].wxid

# SQL is spelled out here, not built from protocol's constants, so the tests
# also check those constants against the real file.
_EVENT_SELECT = (
    "SELECT rowid, CAST(ID1 AS BLOB), CAST(ID2 AS BLOB), CAST(MSG_FROM AS BLOB), "
    "CAST(MSG_CONTENT AS BLOB), CAST(MSG_STATE AS BLOB), CAST(MSG_TYPE AS BLOB) "
    "FROM wx_event ORDER BY rowid"
)


class FakeClock:
    """Time that moves only when the test says so: no sleeping for take_delay."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(exchange_db: Path) -> Path:
    """A fresh copy of the real exchange.db (conftest's ``exchange_db``)."""
    return exchange_db


@pytest.fixture
def sim(db: Path) -> Iterator[Simulator]:
    """demo.exe, exactly."""
    with Simulator(db, seed=7, own_wxid=OWN) as simulator:
        yield simulator


@pytest.fixture
def rich(db: Path) -> Iterator[Simulator]:
    """A richer bridge than demo.exe (every kind of event, echoes, retries)."""
    with Simulator(db, seed=7, take_delay=0.0, own_wxid=OWN, shapes=Shapes.RICH) as simulator:
        yield simulator


def open_db(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """The consumer's side: a separate connection of its own (timeout=0: fail at once)."""
    return sqlite3.connect(path, timeout=timeout, isolation_level=None)


def read_events(path: Path) -> list[tuple[str | None, ...]]:
    """wx_event rows decoded the way the consumer must (bytes first)."""
    conn = open_db(path)
    try:
        rows = conn.execute(_EVENT_SELECT).fetchall()
    finally:
        conn.close()
    return [tuple(None if v is None else decode_bytes(v).text for v in row[1:]) for row in rows]


def event_count(path: Path) -> int:
    """Counted without a lock: an ordinary read while the simulator inserts would make
    it lose that message, as demo.exe would."""
    uri = f"file:{quote(str(path))}?mode=ro&nolock=1"
    conn = sqlite3.connect(uri, uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM wx_event").fetchone()[0])
    finally:
        conn.close()


def add_command(path: Path, cmd_type: str, wxid: str, value: str) -> int:
    """Queue a command exactly as the upstream helper writes one; return its rowid."""
    conn = open_db(path)
    try:
        cur = conn.execute(
            "INSERT INTO wx_command VALUES (?, ?, ?, ?, ?)",
            (protocol.COMMAND_TOKEN, cmd_type, wxid, value, protocol.COMMAND_ID3),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid
    finally:
        conn.close()


def command_rowids(path: Path) -> list[int]:
    conn = open_db(path)
    try:
        rows = conn.execute("SELECT rowid FROM wx_command ORDER BY rowid")
        return [int(r[0]) for r in rows]
    finally:
        conn.close()


def master(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(exchange.sqlite_uri(path, "ro"), uri=True)
    try:
        return conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


def command_values(path: Path) -> list[tuple[str, ...]]:
    conn = open_db(path)
    try:
        return conn.execute("SELECT cmd_type, id_1, id_2 FROM wx_command ORDER BY rowid").fetchall()
    finally:
        conn.close()


def as_text(event: SimEvent) -> tuple[str | None, ...]:
    return tuple(v.decode() if isinstance(v, bytes) else v for v in event.as_row())


# --------------------------------------------------------------------------
# Events: demo.exe's


def test_inserted_event_lands_in_the_right_columns(sim: Simulator, db: Path) -> None:
    assert sim.insert_events([SimEvent.of(EventRow.private("wxid_a", "张三", "内容 'x'"))]) == 1
    assert sim.insert_events([SimEvent.of(EventRow.group("1@chatroom", None, "wxid_b", "hi"))]) == 1
    assert read_events(db) == [
        ("wxid_a", "_", "张三", "内容 'x'", "0", "1"),
        ("1@chatroom", "wxid_b", "_", "hi", "0", "1"),
    ]


def test_emit_inserts_the_returned_events_in_order(sim: Simulator, db: Path) -> None:
    events = sim.emit(30)
    assert len(events) == 30 and sim.lost == []
    assert read_events(db) == [as_text(e) for e in events]


def test_same_seed_same_conversation(db: Path) -> None:
    with Simulator(db, seed=42) as a, Simulator(db, seed=42) as b:
        assert [a.random_event() for _ in range(50)] == [b.random_event() for _ in range(50)]


def test_random_events_are_only_what_demo_exe_writes(sim: Simulator) -> None:
    events = [sim.random_event() for _ in range(3000)]
    groups = {g.wxid: g for g in GROUPS}
    contacts = {c.wxid: c for c in CONTACTS}
    strangers = {c.wxid for c in STRANGERS}
    seen: set[str] = set()
    for e in events:
        row = e.as_row()
        assert all(isinstance(v, str) for v in row)
        text = str(e.MSG_CONTENT)
        assert (e.MSG_STATE, e.MSG_TYPE) == ("0", "1")  # received text, nothing else
        assert non_gbk(text) == [] and non_gbk(str(e.MSG_FROM)) == []
        conversation = str(e.ID1)
        seen.add(conversation)
        if conversation in groups:
            group = groups[conversation]
            assert e.ID2 in {m.wxid for m in group.members}
            assert gbk_text(group.name) == e.MSG_FROM
        elif conversation in strangers:
            assert (e.ID2, e.MSG_FROM) == ("_", "_")
        else:
            assert e.ID2 == "_" and contacts[conversation].display_name == e.MSG_FROM
    assert seen >= set(groups) | set(contacts)
    assert seen & strangers
    texts = [str(e.MSG_CONTENT) for e in events]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts)
    assert any(t.isascii() and any(ch.isalpha() for ch in t) for t in texts)
    assert any("?" in t and "😂" not in t for t in texts)  # emoji arrive as "?"
    assert any(t.startswith("@小助手?") for t in texts)  # U+2005 after an @-mention too
    assert "周末羽毛球?" in {e.MSG_FROM for e in events}


def test_what_code_page_936_cannot_carry_becomes_a_question_mark() -> None:
    assert gbk_text("谢谢！辛苦了👍") == "谢谢！辛苦了?"
    assert gbk_text("@张伟\u2005明天见") == "@张伟?明天见"
    assert gbk_text("สวัสดี and 中文 ok") == "?????? and 中文 ok"
    assert non_gbk("好的👌👌 ✅") == ["👌", "✅"]
    row = EventRow.private("wxid_a", "小明😀", "🎉 done")
    assert (row.name, row.text) == ("小明?", "? done")


def test_demo_exe_binds_text_only(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="text"):
        sim.insert_events([SimEvent("wxid_a", None, None, b"\xff", "0", "1")])


def test_a_lock_at_insert_time_loses_that_message_and_counts_it(sim: Simulator, db: Path) -> None:
    first, second, third = (SimEvent.of(EventRow.private("wxid_a", "A", t)) for t in "123")
    assert sim.insert_events([first]) == 1
    for begin in ("BEGIN EXCLUSIVE", "BEGIN IMMEDIATE"):  # any lock a writer needs
        blocker = open_db(db, timeout=0)
        blocker.execute(begin)
        try:
            started = time.monotonic()
            assert sim.insert_events([second]) == 0
            assert time.monotonic() - started < 0.5  # no busy handler: it fails at once
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
    assert sim.insert_events([third]) == 1
    assert sim.lost == [second, second]
    assert [e[3] for e in read_events(db)] == ["1", "3"]  # never retried


def test_burst_inserts_every_row_on_its_own(sim: Simulator, db: Path) -> None:
    stats = sim.run(burst=40, rate=0, duration=0, stall=True)
    assert (stats.events, stats.inserted, stats.lost) == (40, 40, 0)
    assert event_count(db) == 40


def test_run_emits_at_rate_until_stopped(sim: Simulator, db: Path) -> None:
    stop = threading.Event()
    result: list[SimStats] = []
    thread = threading.Thread(target=lambda: result.append(sim.run(rate=200.0, stop=stop)))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while event_count(db) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    (stats,) = result
    assert stats.events == stats.inserted == event_count(db) >= 5


def test_run_counts_the_messages_a_lock_lost(sim: Simulator, db: Path) -> None:
    blocker = open_db(db, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        stats = sim.run(rate=0, burst=3, duration=0, stall=True)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert (stats.events, stats.inserted, stats.lost) == (3, 0, 3)
    assert len(sim.lost) == 3 and event_count(db) == 0


# --------------------------------------------------------------------------
# Events: a richer bridge's


def test_rich_events_cover_groups_chats_and_types(rich: Simulator) -> None:
    events = [rich.random_event() for _ in range(2000)]
    members = {g.wxid: {m.wxid for m in g.members} for g in GROUPS}
    contacts = {c.wxid for c in CONTACTS}
    assert len(GROUPS) >= 3 and len(contacts) >= 8

    seen_groups: set[str] = set()
    seen_private: set[str] = set()
    for e in events:
        assert all(isinstance(v, str) for v in e.as_row())
        assert e.MSG_STATE in (protocol.STATE_RECEIVED, protocol.STATE_SENT)
        assert isinstance(e.MSG_TYPE, str)
        assert MessageType.parse(e.MSG_TYPE) is not MessageType.UNKNOWN
        sent = e.MSG_STATE == protocol.STATE_SENT
        if MessageType.parse(e.MSG_TYPE) is MessageType.FRIEND_REQUEST:
            assert e.ID1 == FRIEND_REQUEST_ID
            continue
        assert isinstance(e.ID1, str)
        if protocol.is_group_id(e.ID1):
            seen_groups.add(e.ID1)
            assert e.MSG_FROM == protocol.FROM_GROUP
            allowed = {OWN} if sent else members[e.ID1]
            assert e.ID2 in allowed
        else:
            seen_private.add(e.ID1)
            assert e.MSG_FROM == protocol.FROM_PRIVATE
            assert e.ID1 in contacts
            assert (OWN if sent else e.ID1) == e.ID2

    assert seen_groups == set(members)
    assert seen_private == contacts
    assert {MessageType.parse(str(e.MSG_TYPE)) for e in events} >= {
        MessageType.TEXT,
        MessageType.IMAGE,
        MessageType.VOICE,
        MessageType.FRIEND_REQUEST,
        MessageType.STICKER,
        MessageType.APP,
        MessageType.SYSTEM,
    }
    assert any(e.MSG_STATE == protocol.STATE_SENT for e in events)
    assert any("加入了群聊" in str(e.MSG_CONTENT) for e in events)


def test_rich_bytes_are_stored_as_text_with_those_exact_bytes(rich: Simulator, db: Path) -> None:
    gbk = "你好".encode("gbk")
    rich.insert_events([SimEvent("wxid_a", None, None, gbk, b"\xff\xfe", "1")])
    conn = open_db(db)
    try:
        row = conn.execute(
            "SELECT typeof(MSG_CONTENT), CAST(MSG_CONTENT AS BLOB), CAST(MSG_STATE AS BLOB), "
            "ID2 IS NULL FROM wx_event"
        ).fetchone()
    finally:
        conn.close()
    assert row == ("text", gbk, b"\xff\xfe", 1)


def test_rich_burst_inserts_exactly_n_rows_in_bounded_batches(
    rich: Simulator, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    original = rich.insert_events

    def spy(events: list[SimEvent], **kwargs: threading.Event | None) -> int:
        sizes.append(len(events))
        return original(events, **kwargs)

    monkeypatch.setattr(rich, "insert_events", spy)
    stats = rich.run(burst=2345, rate=0, duration=0, stall=True)
    assert stats.events == stats.inserted == 2345
    assert event_count(db) == 2345
    assert sum(sizes) == 2345 and max(sizes) <= MAX_BATCH


# --------------------------------------------------------------------------
# Commands: demo.exe's


def test_one_command_per_tick_sent_then_deleted(sim: Simulator, db: Path) -> None:
    first = add_command(db, CommandType.TEXT, PRIVATE_ID, "one")
    second = add_command(db, CommandType.PICTURE, GROUP_ID, r"C:\pics\a.png")
    (taken,) = sim.take_commands()
    assert (taken.rowid, taken.cmd_type, taken.id_1, taken.id_2) == (
        first,
        "wx_send",
        PRIVATE_ID,
        "one",
    )
    assert taken.deleted and taken.problem is None and not taken.echoed
    assert taken.Token is None and taken.id_3 is None  # demo.exe never reads them
    assert command_rowids(db) == [second]
    (taken,) = sim.take_commands()
    assert (taken.rowid, taken.id_2) == (second, r"C:\pics\a.png")
    assert sim.take_commands() == []
    assert read_events(db) == []  # demo.exe writes no echo of what it sent


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "it's \"quoted\" ' ; DROP TABLE wx_command; --",
        "line 1\nline 2\r\n\tline 3",
        "emoji 😀👍🏽👨‍👩‍👧 and 中文",
        "长" * 10_000,
        "",
    ],
    ids=["plain", "quotes", "newlines", "emoji", "10000-chars", "empty"],
)
def test_text_command_is_read_exactly(sim: Simulator, db: Path, text: str) -> None:
    rowid = add_command(db, CommandType.TEXT, GROUP_ID, text)
    (taken,) = sim.take_commands()
    assert taken.rowid == rowid and taken.id_2 == text and taken.deleted
    assert command_rowids(db) == []


def test_unknown_command_is_deleted_unexecuted(sim: Simulator, db: Path) -> None:
    add_command(db, "wx_reboot", PRIVATE_ID, "x")
    (taken,) = sim.take_commands()
    assert taken.cmd_type == "wx_reboot" and taken.problem and taken.deleted
    assert command_rowids(db) == []
    assert read_events(db) == []


def test_bad_command_rows_do_not_crash_a_tick(sim: Simulator, db: Path) -> None:
    insert_bad_commands(db)
    taken = [command for _ in range(5) for command in sim.take_commands()]
    assert len(taken) == 5 and command_rowids(db) == []
    assert taken[0].cmd_type is None and taken[0].id_1 is None and taken[0].problem
    assert taken[1].id_2 is not None and taken[1].id_2.startswith("bad ")
    assert [t.problem is None for t in taken] == [False, True, False, True, True]


def test_a_delete_that_meets_a_lock_sends_the_command_again(sim: Simulator, db: Path) -> None:
    add_command(db, CommandType.TEXT, PRIVATE_ID, "only once, please")
    blocker = open_db(db, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # readers pass, the DELETE does not
    try:
        first = sim.take_commands()
        second = sim.take_commands()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    (third,) = sim.take_commands()
    assert [(c.id_2, c.deleted, c.repeat) for c in (*first, *second, third)] == [
        ("only once, please", False, 0),
        ("only once, please", False, 1),
        ("only once, please", True, 2),
    ]
    assert sim.duplicates == 2 and command_rowids(db) == []


def test_run_takes_commands_and_stall_does_not(sim: Simulator, db: Path) -> None:
    add_command(db, CommandType.TEXT, PRIVATE_ID, "hello")
    add_command(db, CommandType.TEXT, PRIVATE_ID, "world")

    stalled = sim.run(rate=0, duration=0.5, stall=True)
    assert stalled.commands == 0
    assert len(command_rowids(db)) == 2

    stats = sim.run(rate=0, duration=0.3)  # one 200 ms tick: one command
    assert (stats.commands, stats.echoes, stats.duplicates) == (1, 0, 0)
    assert [values[2] for values in command_values(db)] == ["world"]


# --------------------------------------------------------------------------
# Commands: a richer bridge's


def insert_bad_commands(db: Path) -> None:
    conn = open_db(db)
    try:
        conn.execute("INSERT INTO wx_command VALUES (NULL, NULL, NULL, NULL, NULL)")
        conn.execute(
            "INSERT INTO wx_command VALUES ('0', 'wx_send', ?, CAST(? AS TEXT), 'null')",
            (PRIVATE_ID, b"bad \xff\xfe\x80 utf-8"),
        )
        conn.execute(
            "INSERT INTO wx_command VALUES (0, CAST(? AS TEXT), ?, 12, x'00ff')",
            (b"wx_\xff", b"\x80\x81"),
        )
        conn.execute("INSERT INTO wx_command VALUES ('0', 'wx_send', NULL, 'no one', 'null')")
        conn.execute(
            "INSERT INTO wx_command VALUES ('0', 'wx_picture', ?, NULL, 'null')", (PRIVATE_ID,)
        )
    finally:
        conn.close()


def test_rich_take_deletes_exactly_the_due_rows_by_rowid(db: Path) -> None:
    clock = FakeClock()
    with Simulator(
        db, seed=1, take_delay=5.0, own_wxid=OWN, clock=clock, shapes=Shapes.RICH
    ) as sim:
        first = add_command(db, CommandType.TEXT, PRIVATE_ID, "same")
        second = add_command(db, CommandType.TEXT, PRIVATE_ID, "same")
        assert sim.take_commands() == []  # first seen now: not due yet
        clock.now += 3
        other = add_command(db, CommandType.TEXT, GROUP_ID, "other")
        assert sim.take_commands() == []
        clock.now += 2.5  # the identical pair is due, the other is not
        taken = sim.take_commands()
        assert [t.rowid for t in taken] == [first, second]
        assert command_rowids(db) == [other]
        clock.now += 5
        assert [t.rowid for t in sim.take_commands()] == [other]
        assert command_rowids(db) == []

    events = read_events(db)
    assert [e[3] for e in events] == ["same", "same", "other"]


def test_rich_text_command_is_echoed_exactly(rich: Simulator, db: Path) -> None:
    text = 'emoji 😀 and "quotes"\''
    rowid = add_command(db, CommandType.TEXT, GROUP_ID, text)
    (taken,) = rich.take_commands()
    assert taken.rowid == rowid and taken.echoed and taken.id_2 == text
    assert taken.Token == protocol.COMMAND_TOKEN and taken.id_3 == protocol.COMMAND_ID3
    assert read_events(db) == [(GROUP_ID, OWN, protocol.FROM_GROUP, text, protocol.STATE_SENT, "1")]
    assert command_rowids(db) == []


def test_rich_picture_command_is_echoed_as_image_with_its_path(rich: Simulator, db: Path) -> None:
    path = r"C:\Users\张三\Pictures\it's a photo.png"
    add_command(db, CommandType.PICTURE, PRIVATE_ID, path)
    (taken,) = rich.take_commands()
    assert taken.echo == SimEvent(
        PRIVATE_ID, OWN, protocol.FROM_PRIVATE, path, protocol.STATE_SENT, "3"
    )
    assert read_events(db) == [as_text(taken.echo)]


def test_rich_bad_command_rows_do_not_crash_take(rich: Simulator, db: Path) -> None:
    insert_bad_commands(db)
    taken = rich.take_commands()
    assert len(taken) == 5
    assert command_rowids(db) == []
    assert [t.echoed for t in taken] == [False, True, False, False, False]
    assert all(t.problem for t in taken if not t.echoed)
    echoed_text = taken[1].id_2
    assert echoed_text is not None and echoed_text.startswith("bad ")
    (event,) = read_events(db)
    assert event[0] == PRIVATE_ID and event[3] == echoed_text and event[4] == "发出"


def test_rich_run_takes_and_echoes(rich: Simulator, db: Path) -> None:
    add_command(db, CommandType.TEXT, PRIVATE_ID, "hello")
    stats = rich.run(rate=0, duration=0.15)
    assert (stats.commands, stats.echoes) == (1, 1)
    assert command_rowids(db) == []


# --------------------------------------------------------------------------
# Locks


def test_hold_lock_blocks_other_writers_while_held(sim: Simulator, db: Path) -> None:
    held = threading.Event()
    release = threading.Event()
    thread = threading.Thread(
        target=sim.hold_lock, args=(60.0,), kwargs={"held": held, "stop": release}
    )
    thread.start()
    try:
        assert held.wait(10)
        conn = open_db(db, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                conn.execute("INSERT INTO wx_event (ID1) VALUES ('during')")
        finally:
            conn.close()
    finally:
        release.set()
        thread.join(10)
    assert not thread.is_alive()

    conn = open_db(db)
    try:
        conn.execute("INSERT INTO wx_event (ID1) VALUES ('after')")
    finally:
        conn.close()
    assert [e[0] for e in read_events(db)] == ["after"]


def test_hold_lock_returns_after_its_time(sim: Simulator, db: Path) -> None:
    """Without a stop it holds the lock for its time, then lets go of it, the file unchanged."""
    sim.emit(2)
    before = read_events(db)
    held = threading.Event()
    started = time.monotonic()
    sim.hold_lock(0.2, held=held)
    assert held.is_set()
    assert time.monotonic() - started >= 0.2
    assert command_rowids(db) == [] and read_events(db) == before  # rolled back
    assert not db.with_name(db.name + "-journal").exists()
    conn = open_db(db, timeout=0)  # no wait: the lock is gone
    try:
        conn.execute("INSERT INTO wx_event (ID1) VALUES ('after')")
    finally:
        conn.close()
    assert len(read_events(db)) == len(before) + 1


def test_rich_writes_wait_for_a_lock_instead_of_failing(rich: Simulator, db: Path) -> None:
    blocker = open_db(db, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    thread = threading.Thread(target=rich.emit, args=(3,))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while rich.busy_retries == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert rich.busy_retries > 0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        thread.join(10)
    assert not thread.is_alive()
    assert event_count(db) == 3


def test_close_interrupts_a_held_lock_and_refuses_more_work(db: Path) -> None:
    sim = Simulator(db, take_delay=0.0)
    held = threading.Event()
    thread = threading.Thread(target=sim.hold_lock, args=(60.0,), kwargs={"held": held})
    thread.start()
    assert held.wait(10)
    sim.close()
    thread.join(10)
    assert not thread.is_alive()
    with pytest.raises(RuntimeError):
        sim.emit()


# --------------------------------------------------------------------------
# The file itself


@pytest.mark.slow  # a long flow: every simulator operation
def test_schema_is_unchanged_after_everything(sim: Simulator, db: Path) -> None:
    before = master(db)  # still a byte-for-byte copy of the fixture here
    assert [row[0] for row in before] == ["table", "table"]
    add_command(db, CommandType.TEXT, GROUP_ID, "x")
    add_command(db, "bogus", GROUP_ID, "y")
    sim.run(burst=100, rate=0, duration=0.5, lock_seconds=0.01)
    sim.emit(5)
    while sim.take_commands():  # whatever the run's ticks left
        pass
    sim.hold_lock(0.0)
    assert master(db) == before
    assert command_rowids(db) == []
    conn = open_db(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA page_size").fetchone()[0] == protocol.PAGE_SIZE
    finally:
        conn.close()


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    from wxpanel.core.errors import ExchangeError

    with pytest.raises(ExchangeError):
        Simulator(tmp_path / "nope.db")
