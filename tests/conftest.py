"""Shared fixtures: every test works on a fresh copy of demo.exe's real exchange.db."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from wxpanel.core.models import Message

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURE = REPO.parent / "shared" / "fixtures" / "exchange.db"
BUNDLED_FIXTURE = REPO / "resources" / "exchange.db"

#: demo.exe's stand-in on real SQLite 3.7: ``sqlite37``, ``start_standin``.
pytest_plugins = ["tests.standin.fixtures"]


def real_exchange_db() -> Path:
    """The shared fixture when it is there (CI lays it beside the clone), else our copy."""
    configured = os.environ.get("WXPANEL_FIXTURE")
    if configured:
        return Path(configured)
    return SHARED_FIXTURE if SHARED_FIXTURE.exists() else BUNDLED_FIXTURE


@pytest.fixture
def exchange_db(tmp_path: Path) -> Path:
    """A writable copy of the real, empty exchange.db in its own folder."""
    folder = tmp_path / "bot"
    folder.mkdir()
    target = folder / "exchange.db"
    shutil.copyfile(real_exchange_db(), target)
    target.chmod(target.stat().st_mode | stat.S_IWUSR)
    return target


EventRow = tuple[object, object, object, object, object, object]


def insert_events(db: Path, rows: Sequence[tuple[object, ...]]) -> None:
    """Insert wx_event rows the way demo.exe would: another connection, one commit."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        conn.executemany("INSERT INTO wx_event VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.commit()
    finally:
        conn.close()


def wx_commands(db: Path) -> list[tuple[str, str, str]]:
    """What waits in wx_command for demo.exe: type, recipient, text."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT cmd_type, id_1, id_2 FROM wx_command").fetchall()
    finally:
        conn.close()


def real_event(
    conversation: str, content: str, member: str | None = None, name: str = "_"
) -> EventRow:
    """A row exactly as demo.exe writes it (shared/fixtures/README.md).

    ID2 is the member who spoke in a group and ``_`` in a private chat;
    MSG_FROM is the display name of the conversation, ``_`` when unknown.
    """
    return (conversation, member or "_", name, content, "0", "1")


def text_event(conversation: str, content: str, sender: str | None = None) -> EventRow:
    group = conversation.endswith("@chatroom")
    return (conversation, sender or conversation, "群聊" if group else "私聊", content, "收到", "1")


def ingest_once(exchange_db: Path, now: float) -> list[Message]:
    """Take every new wx_event row into history.db beside it, as the poller does:
    a lock-free snapshot, then one history transaction per batch."""
    from wxpanel.core.exchange.reader import ExchangeReader
    from wxpanel.core.history import open_history
    from wxpanel.core.ingest import EventIngestor

    conn = open_history(exchange_db.parent / "history.db")
    reader = ExchangeReader(exchange_db)
    messages: list[Message] = []
    try:
        ingestor = EventIngestor(conn)
        while True:
            snapshot = reader.snapshot(ingestor.start, after=ingestor.after)
            result = ingestor.ingest(snapshot, now)
            messages += result.messages
            if not result.more:
                return messages
    finally:
        reader.close()
        conn.close()


def stop(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """SIGTERM ``process`` (killed if it does not end in ``timeout`` s); its stderr."""
    try:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return stderr or ""


#: Fixtures that make a test slow wherever it is used: the whole window with its
#: poller thread, or a poller thread alone (long GUI flows, seconds each).
SLOW_FIXTURES = frozenset({"make_window", "poller"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark as ``slow`` every test that uses a :data:`SLOW_FIXTURES` fixture.

    ``pytest -m "not slow"`` is the fast loop for development; the full run
    (``./scripts/test``, CI) runs everything.
    """
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
