"""demo.exe's real rows decode cleanly; rows of other shapes decode too, flagged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ingest_once, insert_events, real_event
from wxpanel.core.codec import Flag
from wxpanel.core.decode import event_to_message, name_of
from wxpanel.core.history import HistoryStore
from wxpanel.core.protocol import Direction, MessageType

GROUP = "20481234567@chatroom"
LONG = "很长的消息。" * 2000

#: (row, conversation, sender, name demo.exe gave the conversation)
CORPUS = [
    (real_event("wxid_zhaolei", "在吗", name="赵磊"), "wxid_zhaolei", "wxid_zhaolei", "赵磊"),
    (
        real_event(GROUP, "大家好", "wxid_member1", "周末爬山群"),
        GROUP,
        "wxid_member1",
        "周末爬山群",
    ),
    (real_event("wxid_stranger", "你好"), "wxid_stranger", "wxid_stranger", None),
    (
        real_event("wxid_zhaolei", "好的?谢谢??", name="赵磊"),
        "wxid_zhaolei",
        "wxid_zhaolei",
        "赵磊",
    ),
    (
        real_event(GROUP, "@小助手?查订单", "wxid_member2", "周末爬山群"),
        GROUP,
        "wxid_member2",
        "周末爬山群",
    ),
    (real_event("wxid_long", LONG, name="Long"), "wxid_long", "wxid_long", "Long"),
]


def as_row(values: tuple[object, ...]) -> list[object]:
    """The ``typeof(col), CAST(col AS BLOB)`` pairs ingestion reads."""
    row: list[object] = []
    for value in values:
        row += ["text", str(value).encode()]
    return row


@pytest.mark.parametrize(("values", "conversation", "sender", "name"), CORPUS)
def test_real_rows_decode_clean(
    values: tuple[object, ...], conversation: str, sender: str, name: str | None
) -> None:
    message = event_to_message(as_row(values), now=1.0)
    assert message.conversation == conversation and message.sender == sender
    assert message.name == name
    assert message.flags == Flag.NONE and message.raw is None
    assert message.direction is Direction.IN and message.type is MessageType.TEXT
    assert message.content == values[3]


def test_corpus_end_to_end(exchange_db: Path) -> None:
    history = exchange_db.parent / "history.db"
    insert_events(exchange_db, [values for values, *_ in CORPUS])
    messages = ingest_once(exchange_db, now=10.0)
    assert [(m.conversation, m.sender) for m in messages] == [(c, s) for _, c, s, _ in CORPUS]
    assert all(m.flags == Flag.NONE for m in messages)
    assert messages[-1].content == LONG
    with HistoryStore(history) as store:
        names = {c.id: c.name for c in store.conversations()}
        assert names == {
            "wxid_zhaolei": "赵磊",
            GROUP: "周末爬山群",
            "wxid_stranger": None,
            "wxid_long": "Long",
        }
        counters = store.counters()
    assert counters.get("flagged", 0) == 0 and counters["received"] == len(CORPUS)


def test_name_changes_are_kept(exchange_db: Path) -> None:
    history = exchange_db.parent / "history.db"
    rows = [
        real_event("wxid_a", "1", name="阿明"),
        real_event("wxid_a", "2", name="阿明"),
        real_event("wxid_a", "3"),  # unknown this time: not a change
        real_event("wxid_a", "4", name="明哥"),
    ]
    insert_events(exchange_db, rows[:2])
    ingest_once(exchange_db, now=1.0)
    insert_events(exchange_db, rows[2:])
    ingest_once(exchange_db, now=2.0)
    with HistoryStore(history) as store:
        assert store.name_history("wxid_a") == [("阿明", 1.0), ("明哥", 2.0)]
        assert [c.name for c in store.conversations()] == ["明哥"]


@pytest.mark.parametrize(
    ("values", "sender", "direction"),
    [
        (("wxid_a", "wxid_a", "私聊", "old", "收到", "1"), "wxid_a", Direction.IN),
        (("wxid_a", "wxid_self", "私聊", "mine", "发出", "1"), "wxid_self", Direction.OUT),
        (("wxid_a", "_", "_", "pic", "0", "3"), "wxid_a", Direction.IN),
        (("wxid_a", "_", "名字", "sent", "1", "1"), "wxid_a", Direction.OUT),
        ((GROUP, "_", "群", "who?", "0", "1"), None, Direction.IN),
    ],
)
def test_other_shapes_decode_flagged(
    values: tuple[object, ...], sender: str | None, direction: Direction
) -> None:
    message = event_to_message(as_row(values), now=1.0)
    assert Flag.UNKNOWN_VALUE in message.flags and not (message.flags & ~Flag.UNKNOWN_VALUE)
    assert message.sender == sender and message.direction is direction
    assert (message.from_raw, message.state_raw, message.type_raw) == (values[2], *values[4:])


def test_group_row_without_member_keeps_its_raw_values() -> None:
    message = event_to_message(as_row((GROUP, "_", "群", "who?", "0", "1")), now=1.0)
    assert message.raw is not None and message.raw[1] == b"_"


@pytest.mark.parametrize(
    ("msg_from", "name"),
    [("赵磊", "赵磊"), ("_", None), ("私聊", None), ("群聊", None), ("  ", None), (None, None)],
)
def test_name_of(msg_from: str | None, name: str | None) -> None:
    assert name_of(msg_from) == name


# -- the migration of a history written by earlier versions -------------------------


def old_history(path: Path) -> None:
    """A history.db at schema 4, with rows as the earlier decoder stored them."""
    from wxpanel.core.history import _split_sql
    from wxpanel.core.schema import MIGRATIONS

    conn = sqlite3.connect(path, isolation_level=None)
    for version, script in enumerate(MIGRATIONS[:4], start=1):
        for statement in _split_sql(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version:d}")
    rows = [
        # id, conversation, sender, flags, from_raw, state_raw, type_raw
        (1, "wxid_zl", "_", 64, "赵磊", "0", "1"),
        (2, GROUP, "wxid_m1", 64, "爬山群", "0", "1"),
        (3, "wxid_zl", "_", 64, "赵磊", "0", "1"),
        (4, "wxid_zl", "_", 64, "赵磊(老同学)", "0", "1"),
        (5, "wxid_anon", "_", 64, "_", "0", "1"),
        (6, "wxid_old", "wxid_old", 0, "私聊", "收到", "1"),
        (7, "wxid_gbk", "_", 64 | 8, "名", "0", "1"),
    ]
    conn.executemany(
        "INSERT INTO message (id, conversation, sender, direction, origin, type, content, time,"
        " flags, from_raw, state_raw, type_raw) VALUES (?, ?, ?, 'in', 'event', 1, 'x', ?, ?, ?,"
        " ?, ?)",
        [(i, c, s, float(i), f, fr, st, ty) for i, c, s, f, fr, st, ty in rows],
    )
    conn.execute(
        "INSERT INTO conversation (id, is_group, last_message_id, last_time)"
        " SELECT conversation, conversation LIKE '%@chatroom', max(id), max(time) FROM message"
        " GROUP BY conversation"
    )
    conn.execute("INSERT INTO contact (wxid, alias) VALUES ('wxid_zl', '老赵')")
    conn.close()


def test_old_history_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    old_history(path)
    with HistoryStore(path) as store:
        messages = {m.id: m for m in store.messages()}
        assert messages[1].sender == "wxid_zl" and messages[1].flags == Flag.NONE
        assert messages[2].sender == "wxid_m1" and messages[2].flags == Flag.NONE
        assert messages[5].sender == "wxid_anon" and messages[5].flags == Flag.NONE
        assert messages[6].flags == Flag.NONE  # not touched
        assert messages[7].flags == Flag.GBK  # only the shape flag goes
        names = {c.id: (c.alias, c.name) for c in store.conversations()}
        assert names["wxid_zl"] == ("老赵", "赵磊(老同学)")
        assert names[GROUP] == (None, "爬山群")
        assert names["wxid_anon"] == (None, None)
        assert store.name_history("wxid_zl") == [("赵磊", 1.0), ("赵磊(老同学)", 4.0)]
