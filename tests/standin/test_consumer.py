"""wxpanel's consumer against the stand-in: demo.exe must lose nothing because of it.

demo.exe has no busy handler: any lock wxpanel holds on exchange.db when a
message arrives loses that message for good (issue 10). This is the test
that fails while the consumer costs messages.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.standin.fixtures import StartStandIn
from tests.standin.process import REPO

RATE = 20
SECONDS = 20


@pytest.mark.slow
def test_wxpanel_headless_makes_demo_exe_lose_nothing_at_20_per_second(
    start_standin: StartStandIn, exchange_db: Path
) -> None:
    consumer = subprocess.Popen(
        [sys.executable, "-m", "wxpanel", "headless", "--db", str(exchange_db)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        report = start_standin(exchange_db, rate=RATE, duration=SECONDS, numbered=True).wait(
            SECONDS + 30
        )
    finally:
        consumer.send_signal(signal.SIGTERM)
        try:
            consumer.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # issue 10 §4: headless may hang on SIGTERM
            consumer.kill()
            consumer.communicate()
    assert report.attempts >= RATE * SECONDS * 0.7
    lost = [entry["row"][3] for entry in report.lost_rows]
    assert report.lost == 0, f"demo.exe lost {report.lost} of {report.attempts}: {lost[:5]}…"
    # Exactly once: a clean stop leaves every committed message in history, once.
    with sqlite3.connect(exchange_db.parent / "wxpanel-data" / "history.db") as conn:
        contents = [row[0] for row in conn.execute("SELECT content FROM message ORDER BY id")]
    assert len(contents) == len(set(contents)) == report.inserted


COMMANDS = 25


@pytest.mark.slow
def test_commands_are_sent_once_each_in_order_while_messages_arrive(
    start_standin: StartStandIn, exchange_db: Path
) -> None:
    """The pacer at its fastest, demo.exe taking one command per 200 ms and deleting it
    after sending: a lock of ours met by that DELETE would make it send a command twice."""
    from wxpanel.core.engine import Engine
    from wxpanel.core.models import CommandStatus, Origin
    from wxpanel.core.pacer import PacerConfig, PacingRule
    from wxpanel.core.settings import Settings

    fastest = PacingRule(0.0, 0.0, 1000)
    settings = Settings(pacer=PacerConfig(fastest, fastest))
    texts = [f"第{i}条回复" for i in range(COMMANDS)]
    standin = start_standin(exchange_db, rate=RATE, numbered=True)
    with Engine(exchange_db, settings=settings, plugin_dirs=()) as engine:
        queued = [engine.queue_text("wxid_peer", text, origin=Origin.AUTO) for text in texts]
        taken: set[int] = set()
        deadline = time.monotonic() + COMMANDS * 0.2 * 3 + 20
        while len(taken) < COMMANDS and time.monotonic() < deadline:
            result = engine.poll()
            taken |= {u.message_id for u in result.updates if u.status is CommandStatus.TAKEN}
            time.sleep(result.delay)
        report = standin.stop()
    assert taken == {m.id for m in queued}
    assert report.duplicates == 0 and report.delete_failures == 0
    assert [s["id_2"] for s in report.sent] == texts
    # (What the command writes cost demo.exe's incoming messages depends on the
    # disk's fsync time: benchmarks/boundary.py measures it.)
