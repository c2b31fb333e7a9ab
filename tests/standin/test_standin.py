"""The stand-in must behave like demo.exe, or every figure measured with it lies.

Each test runs on both old SQLite builds (3.7.13 and 3.7.8), in a separate
process, against a copy of the real empty exchange.db; the locks are taken
here, by this process, exactly as a consumer would take them.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.standin.fixtures import StartStandIn

pytestmark = pytest.mark.slow


def event_rows(db: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE FROM wx_event"
            " ORDER BY rowid"
        ).fetchall()


def count(db: Path, table: str) -> int:
    """Counted without a lock (as wxpanel reads): an ordinary read would make the
    stand-in lose the message it inserts meanwhile, which is what it measures."""
    uri = f"file:{quote(str(db))}?mode=ro&nolock=1"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        query = {
            "wx_event": "SELECT count(*) FROM wx_event",
            "wx_command": "SELECT count(*) FROM wx_command",
        }
        return int(conn.execute(query[table]).fetchone()[0])


def add_command(db: Path, cmd_type: str, id_1: str, id_2: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO wx_command VALUES ('0', ?, ?, ?, 'null')", (cmd_type, id_1, id_2))


def test_inserts_at_the_rate_asked_in_demo_exes_shapes(
    start_standin: StartStandIn, exchange_db: Path, sqlite37: Path
) -> None:
    report = start_standin(exchange_db, rate=20, duration=2, arrival="regular").wait(30)
    assert report.sqlite == sqlite37.parent.name
    assert 30 <= report.attempts <= 41  # 40 due; a slow disk may leave the last ones undue
    starts = [entry["started"] for entry in report.inserts]
    gaps = sorted(later - earlier for earlier, later in itertools.pairwise(starts))
    assert 0.045 <= gaps[len(gaps) // 2] <= 0.055  # one every 50 ms
    assert report.lost == 0 and report.inserted == report.attempts
    rows = event_rows(exchange_db)
    assert rows == report.committed_rows
    for conversation, member, name, text, state, kind in rows:
        assert (state, kind) == ("0", "1") and name and text
        if conversation.endswith("@chatroom"):
            assert member.startswith("wxid_")
        else:
            assert member == "_"
        text.encode("gbk")  # only what code page 936 lets through


def test_poisson_arrivals_keep_the_rate(start_standin: StartStandIn, exchange_db: Path) -> None:
    report = start_standin(exchange_db, rate=50, duration=2, seed=3).wait(30)
    assert 60 <= report.attempts <= 140  # 100 expected; ±4 standard deviations
    assert report.lost == 0 and len(event_rows(exchange_db)) == report.attempts


def test_a_lock_at_insert_time_loses_exactly_that_message(
    start_standin: StartStandIn, exchange_db: Path
) -> None:
    standin = start_standin(exchange_db, rate=10, arrival="regular", numbered=True)
    standin.wait_inserts(3)
    conn = sqlite3.connect(exchange_db, isolation_level=None)
    asked = time.time()
    conn.execute("BEGIN EXCLUSIVE")
    locked = time.time()
    standin.wait_for(lambda lines: sum(line.endswith(" lost") for line in lines) >= 3)
    unlocking = time.time()
    conn.execute("ROLLBACK")
    unlocked = time.time()
    conn.close()
    standin.wait_inserts(12)
    report = standin.stop()
    assert report.lost >= 3
    for entry in report.inserts:
        if entry["error"] is None:  # no commit can end while we hold the lock
            assert not locked < entry["committed"] < unlocking
        else:
            assert entry["error"] == 5  # SQLITE_BUSY, at once: no busy handler
            assert asked <= entry["started"] and entry["finished"] <= unlocked
    rows = event_rows(exchange_db)
    assert rows == report.committed_rows  # nothing retried, nothing lost silently
    assert not {tuple(entry["row"]) for entry in report.lost_rows} & set(rows)
    assert report.inserted + report.lost == report.attempts


def test_even_a_readers_shared_lock_loses_messages(
    start_standin: StartStandIn, exchange_db: Path
) -> None:
    """A commit needs EXCLUSIVE, which any SHARED lock refuses: reading costs messages too."""
    standin = start_standin(exchange_db, rate=20, arrival="regular")
    standin.wait_inserts(2)
    reader = sqlite3.connect(exchange_db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM wx_event").fetchone()  # SHARED until the transaction ends
    standin.wait_for(lambda lines: sum(line.endswith(" lost") for line in lines) >= 2)
    reader.execute("COMMIT")
    reader.close()
    report = standin.stop()
    assert report.lost >= 2 and {entry["error"] for entry in report.lost_rows} == {5}
    assert event_rows(exchange_db) == report.committed_rows


def test_a_command_is_sent_then_deleted_one_per_tick(
    start_standin: StartStandIn, exchange_db: Path
) -> None:
    add_command(exchange_db, "wx_send", "wxid_a", "你好 😀")
    add_command(exchange_db, "wx_flash", "wxid_a", "unknown")
    add_command(exchange_db, "wx_picture", "wxid_b", "C:\\pics\\a.png")
    standin = start_standin(exchange_db, rate=0)
    standin.wait_deleted(3)
    report = standin.stop()
    assert count(exchange_db, "wx_command") == 0
    sent = report.sent
    assert [(s["rowid"], s["cmd_type"], s["id_1"], s["id_2"]) for s in sent] == [
        (1, "wx_send", "wxid_a", "你好 😀"),
        (2, "wx_flash", "wxid_a", "unknown"),
        (3, "wx_picture", "wxid_b", "C:\\pics\\a.png"),
    ]
    assert [s["executed"] for s in sent] == [True, False, True]  # unknown: deleted unexecuted
    assert all(s["deleted"] for s in sent) and report.duplicates == 0
    gaps = [later["time"] - earlier["time"] for earlier, later in itertools.pairwise(sent)]
    assert all(gap > 0.09 for gap in gaps)  # one row per 200 ms tick, never two at once


def test_a_delete_that_meets_a_lock_sends_the_command_twice(
    start_standin: StartStandIn, exchange_db: Path
) -> None:
    add_command(exchange_db, "wx_send", "wxid_a", "only once, please")
    conn = sqlite3.connect(exchange_db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")  # readers pass, writers fail: the DELETE meets it
    standin = start_standin(exchange_db, rate=0)
    standin.wait_for(lambda lines: lines.count("sent 1 kept") >= 2)
    conn.execute("ROLLBACK")
    conn.close()
    standin.wait_deleted(1)
    report = standin.stop()
    assert count(exchange_db, "wx_command") == 0
    sent = report.sent
    assert len(sent) >= 3
    assert all(s["rowid"] == 1 and s["id_2"] == "only once, please" for s in sent)
    assert [s["deleted"] for s in sent] == [False] * (len(sent) - 1) + [True]
    assert report.duplicates == report.delete_failures == len(sent) - 1


def test_the_report_is_written_on_sigterm_with_every_attempt(
    start_standin: StartStandIn, exchange_db: Path
) -> None:
    standin = start_standin(exchange_db, rate=30, burst=25, numbered=True)
    standin.wait_inserts(40)
    report = standin.stop()
    assert report.attempts >= 40 and report.lost == 0
    indexes = [entry["index"] for entry in report.inserts]
    assert indexes == list(range(report.attempts))
    assert [row[3].rsplit(" #", 1)[1] for row in report.committed_rows] == [str(i) for i in indexes]
    for entry in report.inserts:
        assert entry["started"] <= entry["committed"] <= report.raw["stopped"]
