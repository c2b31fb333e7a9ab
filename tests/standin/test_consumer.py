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
