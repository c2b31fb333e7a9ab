"""A real account's history, built once through wxpanel's own ingestion and cached.

Not a benchmark itself: ``benchmarks/scale.py`` and ``benchmarks/live.py``
open what this builds.  The history is what an operator of a busy account
has after a few months: ``messages`` (1 000 000) over 2 000 conversations,
one group of them carrying 20 % (200 000 messages), the rest skewed (a few
busy chats, a long tail of quiet ones); 13 % the account's own 发出
messages; texts in Chinese and English, pictures and links as WeChat's XML.

It is built the way demo.exe's rows really arrive: inserted into
``wx_event`` of a copy of demo.exe's exchange.db, then taken in by
wxpanel's own pipeline, as its poller does: lock-free snapshots of
wx_event (:class:`~wxpanel.core.exchange.reader.ExchangeReader`), each
recorded in one history.db transaction by
:class:`~wxpanel.core.ingest.EventIngestor` (decode, history writer,
full-text index, counters, the ``ingested`` rowids), and after each chunk
the clean-up that deletes the ingested rows below the anchor from
wx_event.  So the history.db is what wxpanel would have made, and the
exchange.db beside it holds only the anchor row, as after a real clean-up.

The result is cached under ``~/.cache/wxpanel/bench/``
(``WXPANEL_BENCH_CACHE`` overrides), keyed by the generator's parameters,
:data:`BUILD_VERSION` and history.db's schema version
(:data:`~wxpanel.core.schema.SCHEMA_VERSION`): a history built by an older
ingestion or under an older schema is not reused but built again (a
migrated one would not be what wxpanel makes now).  Stale builds are left
where they are; delete them by hand.  Building 1 000 000 messages takes
minutes on a busy 2-core machine; the rates seen while building are kept
beside it (``build.json``).
"""

from __future__ import annotations

import bisect
import json
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import _common as common

from wxpanel.core.exchange.reader import ExchangeReader
from wxpanel.core.history import open_history
from wxpanel.core.ingest import EventIngestor
from wxpanel.core.schema import SCHEMA_VERSION

#: Bump when the generated rows or the way they are ingested change: a cached
#: history is then rebuilt.  2: lock-free snapshots + ``ingested`` + clean-up
#: (1 drained wx_event through an attached history.db).
BUILD_VERSION = 2
CONVERSATIONS = 2000
BIG_GROUP = "10000000001@chatroom"
BIG_GROUP_SHARE = 0.2
OWN_SHARE = 0.13
#: Messages arrive over this many days before the build's clock ends.
SPAN_DAYS = 90
#: A word found in one message in RARE_EVERY, for the "rare hits" searches.
RARE_WORD = "蓝鲸计划"
RARE_SHORT = "鲸鱼"
RARE_EVERY = 20_000
#: Rows inserted into wx_event per demo.exe commit while building (speed only).
CHUNK = 20_000

_WORDS = (
    "会议",
    "报告",
    "项目",
    "客户",
    "订单",
    "发货",
    "合同",
    "周报",
    "预算",
    "方案",
    "deadline",
    "review",
    "invoice",
    "meeting",
)


def cache_root() -> Path:
    configured = os.environ.get("WXPANEL_BENCH_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "wxpanel" / "bench"


@dataclass(frozen=True)
class Scale:
    """Where a built history lives: ``exchange`` and ``history``.

    wx_event of ``exchange`` holds only the anchor (the newest ingested row,
    which wxpanel's clean-up leaves there), so an Engine on it starts with
    nothing to ingest.
    """

    folder: Path
    messages: int

    @property
    def exchange(self) -> Path:
        return self.folder / "exchange.db"

    @property
    def data_dir(self) -> Path:
        return self.folder / "wxpanel-data"

    @property
    def history(self) -> Path:
        return self.data_dir / "history.db"

    def build_info(self) -> dict[str, object]:
        path = self.folder / "build.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def copy_to(self, target: Path) -> Scale:
        """A writable copy (for benchmarks that add to the history)."""
        target.mkdir(parents=True, exist_ok=True)
        common.copy_file(self.exchange, target / "exchange.db")
        (target / "wxpanel-data").mkdir(exist_ok=True)
        shutil.copyfile(self.history, target / "wxpanel-data" / "history.db")
        return Scale(target, self.messages)


def conversation_names(count: int = CONVERSATIONS) -> list[str]:
    """The big group first, then a sixth groups and the rest private chats."""
    names = [BIG_GROUP]
    for i in range(1, count):
        names.append(f"{20000000000 + i}@chatroom" if i % 6 == 0 else f"wxid_bench{i:05d}")
    return names


def make_rows(count: int, seed: int = 7, start: int = 0) -> Iterator[common.Row]:
    """wx_event rows ``start`` .. ``start + count`` of the deterministic stream."""
    names = conversation_names()
    # Zipf-like weights over the 1 999 other conversations.
    weights = [1.0 / (rank + 3) for rank in range(len(names) - 1)]
    total = sum(weights)
    cumulative: list[float] = []
    running = 0.0
    for weight in weights:
        running += weight / total
        cumulative.append(running)
    rng = random.Random(seed * 1_000_003 + start)
    texts = common.TEXTS
    for n in range(start, start + count):
        if rng.random() < BIG_GROUP_SHARE:
            conversation = BIG_GROUP
        else:
            pick = min(bisect.bisect_left(cumulative, rng.random()), len(cumulative) - 1)
            conversation = names[pick + 1]
        group = conversation.endswith("@chatroom")
        peer = f"wxid_member{rng.randrange(500):03d}" if group else conversation
        origin = "群聊" if group else "私聊"
        if n % RARE_EVERY == RARE_EVERY // 2:
            text = f"关于{RARE_WORD}和{RARE_SHORT}的安排 #{n}"
            yield (conversation, peer, origin, text, "收到", "1")
            continue
        roll = rng.random()
        if roll < OWN_SHARE:
            yield (conversation, common.OWN_WXID, origin, rng.choice(common.OWN_TEXTS), "发出", "1")
        elif roll < 0.85:
            text = rng.choice(texts)
            if rng.random() < 0.5:
                text = f"{text} {rng.choice(_WORDS)}{rng.randrange(10_000)}"
            yield (conversation, peer, origin, text, "收到", "1")
        elif roll < 0.93:
            content = (
                f'<?xml version="1.0"?>\n<msg>\n\t<img aeskey="{rng.getrandbits(128):032x}" '
                f'length="{rng.randint(20000, 900000)}" />\n</msg>'
            )
            yield (conversation, peer, origin, content, "收到", "3")
        else:
            content = (
                '<msg><appmsg appid="" sdkver="0"><title>深度好文：如何高效地管理时间</title>'
                f"<type>5</type><url>https://mp.weixin.qq.com/s/{rng.getrandbits(40):010x}"
                "</url></appmsg></msg>"
            )
            yield (conversation, peer, origin, content, "收到", "49")


def history_for(messages: int = 1_000_000, *, quiet: bool = False) -> Scale:
    """The cached history of ``messages`` messages, built now if missing."""
    key = f"v{BUILD_VERSION}-s{SCHEMA_VERSION}-{messages}-{CONVERSATIONS}"
    folder = cache_root() / key
    scale = Scale(folder, messages)
    if scale.history.exists() and (folder / "build.json").exists():
        return scale
    building = cache_root() / f"{key}.building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    common.fresh_exchange(building)
    info = build(Scale(building, messages), quiet=quiet)
    (building / "build.json").write_text(json.dumps(info, indent=1))
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    return scale


def build(scale: Scale, *, quiet: bool = False) -> dict[str, object]:
    """Insert and ingest ``scale.messages`` events; returns the rates seen on the way."""
    conn = open_history(scale.history)
    reader = ExchangeReader(scale.exchange)
    # Messages spread over SPAN_DAYS ending now, in arrival order.
    clock_end = time.time()
    step = SPAN_DAYS * 86400.0 / max(1, scale.messages)
    clock = clock_end - SPAN_DAYS * 86400.0

    def arrival(rows: int) -> float:
        """When the snapshot's rows were received: after the previous ones."""
        nonlocal clock
        clock += step * rows
        return min(clock, clock_end)

    windows: list[tuple[int, float]] = []  # (messages so far, ingest seconds per event)
    done = 0
    cleanup = 0.0
    started = time.perf_counter()
    try:
        ingestor = EventIngestor(conn)
        while done < scale.messages:
            count = min(CHUNK, scale.messages - done)
            common.insert_rows(scale.exchange, list(make_rows(count, start=done)))
            t0 = time.perf_counter()
            moved = common.ingest_pending(reader, ingestor, arrival).messages
            spent = time.perf_counter() - t0
            if moved != count:
                raise RuntimeError(f"{count} rows inserted, {moved} ingested")
            # CHUNK rows pending: the Engine's clean-up policy would delete them now.
            cleaned = common.clean_up(scale.exchange, ingestor)
            cleanup += cleaned.held if cleaned is not None else 0.0
            done += moved
            windows.append((done, spent / max(1, moved)))
            if not quiet:
                elapsed = time.perf_counter() - started
                print(
                    f"  built {done:>9,} / {scale.messages:,} messages"
                    f" ({moved / spent:,.0f} ev/s now, {elapsed:,.0f} s so far)",
                    flush=True,
                )
    finally:
        reader.close()
        conn.close()
    return {
        "messages": scale.messages,
        "seconds": time.perf_counter() - started,
        "per_event": windows,
        "cleanup_seconds": cleanup,
        "schema_version": SCHEMA_VERSION,
        "built_at": time.time(),
    }


def biggest(history: Path) -> str:
    """The busiest conversation (the 200 000-message group)."""
    conn = sqlite3.connect(f"file:{history}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT id FROM conversation ORDER BY message_count DESC LIMIT 1"
        ).fetchone()
        return str(row[0])
    finally:
        conn.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="build (or find) the cached history")
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    print(history_for(args.messages).folder)
