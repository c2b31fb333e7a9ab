"""The outbox: byte-exact commands, picture checks, tracking, pacing, restarts."""

from __future__ import annotations

import itertools
import os
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import insert_events
from wxpanel.core.engine import Engine
from wxpanel.core.errors import AlreadyRunningError, PictureError
from wxpanel.core.history import HistoryStore
from wxpanel.core.models import CommandStatus, Origin
from wxpanel.core.outbox import OutboxConfig, check_picture
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings


class Clock:
    """A clock the test moves by hand: no sleeping."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


FAST = Settings(
    pacer=PacerConfig(PacingRule(0.0, 0.0, 1000), PacingRule(0.0, 0.0, 1000)),
    outbox=OutboxConfig(stuck_after=30.0),
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(exchange_db: Path, clock: Clock) -> Iterator[Engine]:
    with Engine(exchange_db, settings=FAST, clock=clock) as running:
        yield running


def commands(db: Path) -> list[tuple[int, bytes, bytes, bytes, bytes, bytes]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT rowid, CAST(Token AS BLOB), CAST(cmd_type AS BLOB), CAST(id_1 AS BLOB),"
            " CAST(id_2 AS BLOB), CAST(id_3 AS BLOB) FROM wx_command ORDER BY rowid"
        ).fetchall()


def take_all(db: Path) -> None:
    """What demo.exe does after executing its commands."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM wx_command")


TRICKY_TEXTS = [
    'it\'s a "quote"; DROP TABLE wx_command; --',
    "第一行\n第二行\r\n\tand a tab",
    "全角：，。！？ 符号 ·—“”…€ ①",  # all inside code page 936 (emoji: test_codepage.py)
    "长" * 10_000,
    "%s %d {0} ?",
]


@pytest.mark.parametrize(
    "text", TRICKY_TEXTS, ids=["sql", "newlines", "gbk-symbols", "10k", "format"]
)
def test_text_command_is_byte_exact(engine: Engine, exchange_db: Path, text: str) -> None:
    engine.queue_text("wxid_friend", text)
    result = engine.poll()
    assert [u.status for u in result.updates] == [CommandStatus.WRITTEN]
    (row,) = commands(exchange_db)
    assert row[2:] == (b"wx_send", b"wxid_friend", text.encode(), b"null")
    assert row[1].startswith(b"wxpanel:")  # the Token demo.exe never reads names our command


def test_picture_command_carries_absolute_path(
    engine: Engine, exchange_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    picture = tmp_path / "pic.png"
    picture.write_bytes(png_bytes())
    monkeypatch.chdir(tmp_path)
    engine.queue_picture("123@chatroom", Path("pic.png"))
    engine.poll()
    (row,) = commands(exchange_db)
    assert row[2:4] == (b"wx_picture", b"123@chatroom")
    assert row[4] == str(picture.resolve()).encode()
    assert Path(row[4].decode()).is_absolute()


def test_picture_checks(tmp_path: Path) -> None:
    with pytest.raises(PictureError, match="no such picture"):
        check_picture(tmp_path / "missing.jpg")
    with pytest.raises(PictureError, match="not a file"):
        check_picture(tmp_path)
    fake = tmp_path / "fake.jpg"
    fake.write_text("not really a jpeg")
    with pytest.raises(PictureError, match="not a JPG, PNG, GIF or BMP"):
        check_picture(fake)
    big = tmp_path / "big.png"
    big.write_bytes(png_bytes() + b"\0" * 2048)
    with pytest.raises(PictureError, match="over the"):
        check_picture(big, max_bytes=1024)
    for name, head in [("a.gif", b"GIF89a"), ("a.bmp", b"BM"), ("a.jpg", b"\xff\xd8\xff\xe0")]:
        (tmp_path / name).write_bytes(head + b"\0" * 32)
        assert check_picture(tmp_path / name) == (tmp_path / name).resolve()


def test_bad_picture_queues_nothing(engine: Engine, exchange_db: Path, tmp_path: Path) -> None:
    with pytest.raises(PictureError):
        engine.queue_picture("wxid_a", tmp_path / "nope.png")
    engine.poll()
    assert commands(exchange_db) == []
    with HistoryStore(engine.paths.history) as store:
        assert store.messages() == []


def test_picture_deleted_before_release_fails_visibly(
    exchange_db: Path, clock: Clock, tmp_path: Path
) -> None:
    picture = tmp_path / "gone.png"
    picture.write_bytes(png_bytes())
    slow = Settings(pacer=PacerConfig(PacingRule(5.0, 0.0, 100), PacingRule(5.0, 0.0, 100)))
    with Engine(exchange_db, settings=slow, clock=clock) as engine:
        engine.queue_text("wxid_a", "first")
        engine.poll()
        take_all(exchange_db)
        message = engine.queue_picture("wxid_a", picture)
        engine.poll()
        picture.unlink()
        clock.now += 6
        updates = engine.poll().updates
        assert (message.id, CommandStatus.FAILED) in [(u.message_id, u.status) for u in updates]
        assert commands(exchange_db) == []


def test_taken_and_stuck(engine: Engine, exchange_db: Path, clock: Clock) -> None:
    message = engine.queue_text("wxid_a", "hello")
    engine.poll()
    clock.now += 29
    assert engine.poll().updates == ()
    clock.now += 2
    result = engine.poll()
    (stuck,) = result.updates
    assert (stuck.message_id, stuck.status) == (message.id, CommandStatus.STUCK)
    health = result.health
    assert health is not None and health.stuck == 1 and not health.ok
    take_all(exchange_db)
    clock.now += 100
    (taken,) = engine.poll().updates
    assert (taken.message_id, taken.status) == (message.id, CommandStatus.TAKEN)
    with HistoryStore(engine.paths.history) as store:
        assert store.message(message.id).status is CommandStatus.TAKEN  # type: ignore[union-attr]


def test_one_command_in_flight_at_a_time(engine: Engine, exchange_db: Path) -> None:
    """A dead demo.exe must not find a heap of commands to fire when it comes back."""
    for i in range(3):
        engine.queue_text("wxid_a", f"m{i}")
    engine.poll()
    engine.poll()
    assert [row[4] for row in commands(exchange_db)] == [b"m0"]
    seen: list[object] = []
    for _ in range(3):
        seen.extend(row[4] for row in commands(exchange_db))
        take_all(exchange_db)
        engine.poll()
    assert seen == [b"m0", b"m1", b"m2"]


def test_identical_commands_are_tracked_separately(engine: Engine, exchange_db: Path) -> None:
    """SQLite reuses rowids: a second identical text must not look 'still pending'."""
    first = engine.queue_text("wxid_a", "same")
    second = engine.queue_text("wxid_a", "same")
    engine.poll()
    take_all(exchange_db)
    statuses = {u.message_id: u.status for u in engine.poll().updates}
    assert statuses == {first.id: CommandStatus.TAKEN, second.id: CommandStatus.WRITTEN}
    assert commands(exchange_db)[0][0] == 1  # the reused rowid


@pytest.mark.slow  # a long flow: many pacing rounds
def test_pacer_delays_but_never_drops(exchange_db: Path, clock: Clock) -> None:
    paced = Settings(pacer=PacerConfig(PacingRule(2.0, 0.0, 3), PacingRule(0.5, 0.0, 10)))
    with Engine(exchange_db, settings=paced, clock=clock) as engine:
        for i in range(5):
            engine.queue_text("wxid_a", f"auto{i}", origin=Origin.AUTO)
        written_at: list[float] = []
        for _ in range(200):
            for update in engine.poll().updates:
                if update.status is CommandStatus.WRITTEN:
                    written_at.append(clock.now)
            take_all(exchange_db)
            clock.now += 0.5
        assert len(written_at) == 5
        gaps = [b - a for a, b in itertools.pairwise(written_at)]
        assert min(gaps) >= 2.0
        assert written_at[3] - written_at[0] >= 60.0  # at most three a minute


def test_manual_replies_jump_the_automatic_queue(engine: Engine, exchange_db: Path) -> None:
    engine.queue_text("wxid_a", "auto", origin=Origin.AUTO)
    engine.queue_text("wxid_b", "typed by hand", origin=Origin.MANUAL)
    engine.poll()
    assert commands(exchange_db)[0][4] == b"typed by hand"


def test_queue_survives_restart(exchange_db: Path, clock: Clock) -> None:
    slow = Settings(pacer=PacerConfig(PacingRule(60.0, 0.0, 10), PacingRule(60.0, 0.0, 10)))
    with Engine(exchange_db, settings=slow, clock=clock) as engine:
        engine.queue_text("wxid_a", "one")
        engine.queue_text("wxid_a", "two")
        engine.poll()
        take_all(exchange_db)
        engine.poll()
    clock.now += 61
    with Engine(exchange_db, settings=slow, clock=clock) as engine:
        engine.poll()
        assert [row[4] for row in commands(exchange_db)] == [b"two"]


def test_sent_messages_join_their_conversation_and_echo_links(
    engine: Engine, exchange_db: Path
) -> None:
    sent = engine.queue_text("wxid_a", "回声")
    engine.poll()
    take_all(exchange_db)
    insert_events(exchange_db, [("wxid_a", "wxid_self", "私聊", "回声", "发出", "1")])
    messages = engine.poll().messages
    (echo,) = [m for m in messages if m.origin is Origin.EVENT]
    assert echo.echo_of == sent.id
    with HistoryStore(engine.paths.history) as store:
        history = store.messages("wxid_a")
    assert [m.id for m in history] == [sent.id, echo.id]


def test_second_consumer_is_refused(engine: Engine, exchange_db: Path) -> None:
    with pytest.raises(AlreadyRunningError, match="already consumes"):
        Engine(exchange_db)


def test_a_hard_link_elsewhere_is_the_same_file(
    engine: Engine, exchange_db: Path, tmp_path: Path
) -> None:
    """The lock follows the file, not its path: a second folder reaching the same file
    through a hard link would otherwise get a second consumer."""
    elsewhere = tmp_path / "other" / "exchange.db"
    elsewhere.parent.mkdir()
    os.link(exchange_db, elsewhere)
    with pytest.raises(AlreadyRunningError, match="already consumes"):
        Engine(elsewhere)


def test_nothing_of_ours_beside_demo_exe_s_file(engine: Engine, exchange_db: Path) -> None:
    engine.queue_text("wxid_a", "hi")
    for _ in range(3):
        engine.poll()
    assert sorted(p.name for p in exchange_db.parent.iterdir()) == ["exchange.db", "wxpanel-data"]


def test_a_lock_alone_does_not_stop_reading(engine: Engine, exchange_db: Path) -> None:
    """demo.exe's locks never make us wait: reading takes no lock of its own."""
    insert_events(exchange_db, [("wxid_a", "_", "A", "patience", "0", "1")])
    holder = sqlite3.connect(exchange_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = engine.poll()
        assert [m.content for m in result.messages] == ["patience"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_writer_at_work_is_reported_as_health_not_raised(
    engine: Engine, exchange_db: Path, clock: Clock
) -> None:
    insert_events(exchange_db, [("wxid_a", "_", "A", "patience", "0", "1")])
    holder = sqlite3.connect(exchange_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO wx_event VALUES ('wxid_a', '_', 'A', 'more', '0', '1')")
    try:
        result = engine.poll()
        assert result.messages == ()
        assert result.delay > 0
        clock.now += 2.0
        result = engine.poll()
        assert result.health is not None and result.health.locked_since is not None
    finally:
        holder.execute("COMMIT")
        holder.close()
    for _ in range(3):
        result = engine.poll()
        if result.messages:
            break
    assert [m.content for m in result.messages] == ["patience", "more"]
    assert result.health is not None and result.health.locked_since is None


def test_an_automatic_text_with_nothing_sendable_is_failed_not_written_empty(
    engine: Engine, exchange_db: Path
) -> None:
    """Code page 936 cannot carry emoji: an automatic answer made only of them would
    reach wx_command as an empty text."""
    (message,) = [engine.queue_text("wxid_a", "😀👍", origin=Origin.AUTO)]
    assert message.status is CommandStatus.FAILED
    kept = engine.queue_text("wxid_a", "好的😀", origin=Origin.AUTO)
    assert kept.content == "好的"
    for _ in range(3):
        engine.poll()
    assert [row[4] for row in commands(exchange_db)] == [b"\xe5\xa5\xbd\xe7\x9a\x84"]
