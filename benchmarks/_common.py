"""Helpers shared by the benchmark scripts (not a benchmark itself).

Every benchmark works on copies of demo.exe's empty exchange.db in a
temporary folder; the fixture itself is read-only and never opened for
writing.  The events are generated here, from a seed, so every contender
and every run sees the same rows.  This module deliberately does not use
:mod:`wxpanel.core.simulator`: the rows must stay identical between
benchmark runs whatever happens to the simulator.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import sqlite3
import stat
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from wxpanel.core.engine import GATHER_FOR
from wxpanel.core.exchange.reader import (
    SNAPSHOT_MAX_ROWS,
    ExchangeReader,
    Snapshot,
    SnapshotRetry,
)
from wxpanel.core.exchange.writer import ExchangeWriter, WriteResult
from wxpanel.core.ingest import EventIngestor

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURE = REPO.parent / "shared" / "fixtures" / "exchange.db"
BUNDLED_FIXTURE = REPO / "resources" / "exchange.db"

Row = tuple[str | bytes | None, ...]
T = TypeVar("T")

INSERT_EVENT_SQL = (
    "INSERT INTO wx_event (ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE)"
    " VALUES (CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),"
    " CAST(? AS TEXT), CAST(? AS TEXT))"
)


def fixture_path() -> Path:
    """The shared fixture (or WXPANEL_FIXTURE, or the bundled copy), like the tests."""
    configured = os.environ.get("WXPANEL_FIXTURE")
    if configured:
        return Path(configured)
    return SHARED_FIXTURE if SHARED_FIXTURE.exists() else BUNDLED_FIXTURE


def copy_file(source: Path, target: Path) -> Path:
    """Copy an exchange.db into ``target`` (creating its folder), writable."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(target.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR)
    return target


def fresh_exchange(folder: Path) -> Path:
    """A writable copy of the empty fixture as ``folder/exchange.db``."""
    return copy_file(fixture_path(), folder / "exchange.db")


# -- realistic events ------------------------------------------------------------

OWN_WXID = "wxid_bot_self"
CONTACTS = (
    "wxid_8k2m4n6p9q1r3s",
    "wxid_a7b3c9d1e5f2g8",
    "wxid_zq93lm0x7y2w4e",
    "wxid_h5j7k9l1m3n5p7",
    "wxid_r2t4y6u8i0o1p3",
    "wxid_m0n9b8v7c6x5z4",
    "wxid_q1w2e3r4t5y6u7",
    "wxid_p0o9i8u7y6t5r4",
)
GROUPS = {
    "24368910573@chatroom": (*CONTACTS[:3], "wxid_s3d5f7g9h1j3k5"),
    "17788123456@chatroom": (*CONTACTS[3:7], "wxid_e4r6t8y0u2i4o6"),
    "20931475862@chatroom": (*CONTACTS[2:8], "wxid_g7h9j1k3l5z7x9"),
}
TEXTS = (
    "你好",
    "在吗？",
    "今天晚上一起吃饭吗",
    "好的，收到",
    "明天几点开会？",
    "哈哈哈哈哈",
    "我到了，在门口等你",
    "文件已经发你邮箱了，麻烦看一下",
    "周末有空吗？去爬山",
    "谢谢！辛苦了👍",
    "下午三点的会议改到四点了",
    "帮我看看这个报错是什么意思",
    "菜单",
    "天气 北京",
    "第一行\n第二行\n第三行",
    "他说：“今天不加班”",
    "Hi, are you free now?",
    "Can you send me the report by Friday?",
    "lol 😂😂",
    "I'll be there in 10 minutes",
    "Let's sync tomorrow morning.",
    "It's O'Brien's turn",
    "'; DROP TABLE wx_event; --",
    "PPT我改好了，check一下",
    "今晚 deadline 别忘了",
    "这个 bug 复现不了，能发个 screenshot 吗",
    "OK 没问题 🎉🎉🎉",
)
OWN_TEXTS = ("好的", "收到，马上处理", "OK, noted.", "稍等一下", "👌", "明天再说吧")


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def make_rows(count: int, seed: int = 1, gbk_fraction: float = 0.01) -> list[Row]:
    """``count`` wx_event rows shaped like a busy account's traffic.

    About 62 % text (Chinese, English and mixed, sometimes long or with an
    @mention), 13 % the account's own 发出 messages, the rest images,
    voice, links, system notices and friend requests as WeChat's XML; half
    in groups.  ``gbk_fraction`` of the text rows are stored as GBK bytes,
    as a GBK-era demo.exe may write them.
    """
    rng = random.Random(seed)
    rows: list[Row] = []
    for _ in range(count):
        in_group = rng.random() < 0.5
        if in_group:
            conversation = rng.choice(list(GROUPS))
            peer = rng.choice(GROUPS[conversation])
        else:
            peer = rng.choice(CONTACTS)
            conversation = peer
        origin = "群聊" if in_group else "私聊"
        kind = rng.choices(
            ("text", "own", "image", "voice", "app", "system", "friend"),
            weights=(62, 13, 8, 5, 6, 4, 2),
        )[0]
        content: str | bytes
        if kind == "text":
            content = rng.choice(TEXTS)
            if rng.random() < 0.01:
                content = (content + "。") * rng.randint(50, 200)
            if in_group and rng.random() < 0.2:
                content = f"@{rng.choice(GROUPS[conversation])}\u2005{content}"
            if rng.random() < gbk_fraction:
                try:
                    content = content.encode("gbk")
                except UnicodeEncodeError:
                    content = "你好，收到".encode("gbk")
            rows.append((conversation, peer, origin, content, "收到", "1"))
        elif kind == "own":
            rows.append((conversation, OWN_WXID, origin, rng.choice(OWN_TEXTS), "发出", "1"))
        elif kind == "image":
            content = (
                f'<?xml version="1.0"?>\n<msg>\n\t<img aeskey="{_hex(rng)}" encryver="1" '
                f'length="{rng.randint(20000, 900000)}" md5="{_hex(rng)}" />\n</msg>'
            )
            rows.append((conversation, peer, origin, content, "收到", "3"))
        elif kind == "voice":
            ms = rng.randint(800, 59000)
            content = (
                f'<msg><voicemsg endflag="1" voiceformat="4" voicelength="{ms}" '
                f'length="{ms // 3}" fromusername="{peer}" /></msg>'
            )
            rows.append((conversation, peer, origin, content, "收到", "34"))
        elif kind == "app":
            content = (
                '<?xml version="1.0"?>\n<msg><appmsg appid="" sdkver="0">'
                "<title>深度好文：如何高效地管理时间</title><des>这可能是今年最值得读的一篇文章</des>"
                f"<type>5</type><url>https://mp.weixin.qq.com/s/{_hex(rng)[:10]}</url>"
                "</appmsg></msg>"
            )
            rows.append((conversation, peer, origin, content, "收到", "49"))
        elif kind == "system":
            rows.append((conversation, peer, origin, '"张伟"撤回了一条消息', "收到", "10000"))
        else:
            content = (
                f'<msg fromusername="wxid_n4b6v8c0x2z4a6" encryptusername="v1_{_hex(rng)}'
                '@stranger" fromnickname="小鱼儿" content="我是小鱼儿，在羽毛球群里看到你的" '
                'scene="30" />'
            )
            rows.append(("fmessage", "wxid_n4b6v8c0x2z4a6", "私聊", content, "收到", "37"))
    return rows


def insert_rows(db: Path, rows: Sequence[Row]) -> None:
    """Insert rows the way demo.exe would: its own connection, then commit."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(INSERT_EVENT_SQL, rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def count(db: Path, table: str, schema: str = "main") -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {schema}.{table}").fetchone()[0])  # noqa: S608
    finally:
        conn.close()


def count_where(db: Path, condition: str) -> int:
    """Rows of wx_event matching a constant SQL condition (benchmark-only helper)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sql = f"SELECT count(*) FROM wx_event WHERE {condition}"  # noqa: S608
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# -- wxpanel's ingestion, as its poller runs it -----------------------------------


@dataclass
class IngestTally:
    """What :func:`ingest_pending` did: messages recorded, and how it went."""

    messages: int = 0
    snapshots: int = 0  # reads of wx_event
    transactions: int = 0  # of history.db, each recording one or more reads
    retries: int = 0
    #: Seconds spent in the lock-free snapshot reads of exchange.db (the rest
    #: of the loop is the history transactions).
    read_seconds: float = 0.0


def ingest_pending(
    reader: ExchangeReader,
    ingestor: EventIngestor,
    clock: Callable[[int], float] | None = None,
    *,
    max_rows: int = SNAPSHOT_MAX_ROWS,
) -> IngestTally:
    """The poller's read-and-record loop without its waits, until history has every row.

    Each round gathers lock-free reads of wx_event of up to ``max_rows`` rows
    (each retried when the seqlock check saw a writer at work) into one
    history.db transaction, as ``Engine._read_exchange`` does
    (:meth:`EventIngestor.gather`).  ``clock(rows)`` gives the time to
    record a snapshot of ``rows`` rows at (default: now).  Rows stay in
    wx_event: see :func:`clean_up`.
    """
    tally = IngestTally()

    def read(start: int | None, rows: int, size: int) -> Snapshot:
        while True:
            try:
                snapshot = reader.snapshot(
                    start, after=ingestor.after, max_rows=min(rows, max_rows), max_bytes=size
                )
            except SnapshotRetry:
                tally.retries += 1
                if tally.retries > 1000:
                    raise
            else:
                tally.snapshots += 1
                return snapshot

    while True:
        started = time.perf_counter()
        try:
            snapshot = ingestor.gather(read, until=time.monotonic() + GATHER_FOR)
        finally:
            tally.read_seconds += time.perf_counter() - started
        now = time.time() if clock is None else clock(len(snapshot.events))
        result = ingestor.ingest(snapshot, now)
        tally.transactions += 1
        tally.messages += len(result.messages)
        if not result.more:
            return tally


def clean_up(exchange_db: Path, ingestor: EventIngestor) -> WriteResult | None:
    """The clean-up: delete the ingested rows below the anchor from wx_event, in one
    short transaction on exchange.db, and tell the ingestor (None: nothing ingested)."""
    if ingestor.anchor is None:
        return None
    writer = ExchangeWriter(exchange_db)
    try:
        result = writer.write(clean_below=ingestor.anchor)
    finally:
        writer.close()
    if result.deleted_below is not None:
        ingestor.cleaned(result.deleted_below)
    return result


def attached_history(exchange_db: Path, history: Path) -> sqlite3.Connection:
    """A baseline's connection: exchange.db with history.db ATTACHed as ``hist``.

    For the SQL-only transfers the benchmarks compare wxpanel with: one
    two-file transaction per batch, which wxpanel itself no longer does (it
    never holds a lock on exchange.db while recording).  history.db gets the
    page cache wxpanel's own history connection has.
    """
    conn = sqlite3.connect(exchange_db, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS hist", (str(history),))
    conn.execute("PRAGMA hist.cache_size = -32768")
    return conn


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def time_each(items: Sequence[T], work: Callable[[T], object]) -> list[float]:
    """Seconds ``work`` took on each item, in order."""
    timings = []
    clock = time.perf_counter
    for item in items:
        start = clock()
        work(item)
        timings.append(clock() - start)
    return timings


def best_of(repeat: int, run: Callable[[], list[float]]) -> list[float]:
    """The timings of the repetition with the lowest p99."""
    runs = [run() for _ in range(repeat)]
    return min(runs, key=lambda t: percentile(t, 99))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"
