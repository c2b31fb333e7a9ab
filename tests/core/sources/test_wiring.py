"""The answer sources in the Engine's own loop of answerers, run by Engine.poll up to wx_command."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from tests.core.rules.conftest import FAST
from tests.core.sources.conftest import MemoryKeyring
from wxpanel.core.engine import Engine
from wxpanel.core.sources.store import SourceStore


@pytest.fixture
def wired(exchange_db: Path, plugin_dir: Path, memory_keyring: MemoryKeyring) -> Iterator[Engine]:
    engine = Engine(exchange_db, settings=FAST, plugin_dirs=(plugin_dir,))
    try:
        yield engine
    finally:
        engine.close()


@pytest.mark.slow  # plugin worker processes
def test_a_plugin_answer_reaches_wx_command(wired: Engine, plugin_dir: Path) -> None:
    (plugin_dir / "echo.py").write_text(
        "def handle(message):\n    return 'echo ' + message.content\n", "utf-8"
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the first scan finds the plugin
        wired.poll()
        with SourceStore.open(wired.paths.history) as store:
            if store.sources():
                break
        time.sleep(0.01)
    insert_events(wired.exchange_db, [text_event("wxid_a", "你好")])
    found: list[tuple[str, str]] = []
    while not found and time.monotonic() < deadline:
        wired.poll()
        with sqlite3.connect(wired.exchange_db) as conn:
            found = conn.execute("SELECT id_1, id_2 FROM wx_command").fetchall()
        time.sleep(0.01)
    assert found == [("wxid_a", "echo 你好")]
