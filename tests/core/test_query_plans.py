"""No statement the poller runs may scan the whole history.

SQLite uses a partial index only when a query states the index's condition,
so a query that looks indexed can still read every message.  This test
records every statement an Engine runs while idle, while ingesting, and with
commands queued, written and stuck, and asks SQLite for each one's plan.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.conftest import insert_events, text_event
from wxpanel.core.engine import Engine
from wxpanel.core.models import Origin
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings

#: Tables that grow with the history; a SCAN of one of them is a bug.
HISTORY_TABLES = (
    "message", "conversation", "minute_count", "error_log", "response_sample", "ingested"
)  # fmt: skip


def test_poller_queries_use_indexes(exchange_db: Path) -> None:
    slow = Settings(pacer=PacerConfig(PacingRule(60, 0, 10), PacingRule(60, 0, 10)))
    statements: set[str] = set()
    now = [1_000_000.0]
    with Engine(exchange_db, settings=slow, clock=lambda: now[0]) as engine:
        engine.hconn.set_trace_callback(statements.add)
        for side in (engine.reader, engine.writer):  # their connections come and go
            opened = side._connection

            def traced(opened: Callable[[], sqlite3.Connection] = opened) -> sqlite3.Connection:
                conn = opened()
                conn.set_trace_callback(statements.add)
                return conn

            side._connection = traced  # type: ignore[method-assign]
        insert_events(exchange_db, [text_event(f"wxid_{i}", "你好") for i in range(50)])
        for _ in range(5):
            engine.poll()
        engine.queue_text("wxid_1", "reply", origin=Origin.AUTO)
        engine.queue_text("wxid_2", "second", origin=Origin.AUTO)
        for step in (0.1, 1, 40, 100):  # written, then stuck, then the next one
            now[0] += step
            engine.poll()
        # demo.exe reports the account's own message: the echo matcher's query runs
        insert_events(exchange_db, [("wxid_1", "wxid_1", "私聊", "reply", "发出", "1")])
        engine.poll()
        now[0] += 2
        engine.poll()  # the safety poll and the health measurement
        history = engine.paths.history
    checker = sqlite3.connect(history)
    checker.execute("ATTACH DATABASE ? AS exchange", (str(exchange_db),))
    scans = []
    for sql in sorted(statements):
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        if "'main'.'message_fts_" in sql:
            continue  # FTS5's own reads of its shadow tables (its config, after a schema change)
        plan = [row[3] for row in checker.execute("EXPLAIN QUERY PLAN " + sql)]
        # "FROM message AS m" is planned as "SCAN m"
        names = set(HISTORY_TABLES) | {
            alias for table, alias in re.findall(r"\b(\w+) AS (\w+)", sql)
            if table in HISTORY_TABLES
        }  # fmt: skip
        for step in plan:
            if any(step == f"SCAN {name}" or step.startswith(f"SCAN {name} ") for name in names):
                scans.append(f"{sql}\n    -> {step}")
    assert not scans, "full scans of the history:\n" + "\n".join(scans)
    assert len(statements) > 20  # the trace saw the poller's work
