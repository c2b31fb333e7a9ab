"""The wiring proposed for Engine._round, run by Engine.poll up to wx_command.

Engine.py is not changed here: :class:`WiredEngine` adds the hub the way the
report describes (after the replier, before the outbox), so this test shows
the integration works with the real poll loop.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import insert_events, text_event
from tests.core.rules.conftest import FAST
from tests.core.sources.conftest import MemoryKeyring
from wxpanel.core.engine import Engine, _Round
from wxpanel.core.rules.replier import AutoReplier, ReplyReport
from wxpanel.core.sources.hub import AnswerSources
from wxpanel.core.sources.store import SourceStore


class _Recording:
    """The replier, remembering its last report (the Engine drops it)."""

    def __init__(self, replier: AutoReplier) -> None:
        self.replier = replier
        self.last: ReplyReport | None = None

    def process(self, conn: sqlite3.Connection, pacer: Any, now: float) -> ReplyReport:
        self.last = self.replier.process(conn, pacer, now)
        return self.last


class WiredEngine(Engine):
    def __init__(self, *args: Any, plugin_dirs: tuple[Path, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = AnswerSources(
            self.paths.history, self.paths.media, plugin_dirs=plugin_dirs, scan_interval=0.05
        )
        self.sources.start(self.hconn)
        self.recording = _Recording(self.replier)
        self.replier = self.recording  # type: ignore[assignment]

    def _round(self, now: float, work: _Round) -> None:
        self.recording.last = None
        super()._round(now, work)
        sourced = self.sources.process(self.hconn, self.pacer, now, self.recording.last)
        self._collect(work, sourced.queued)
        work.alerts.extend(sourced.alerts)
        if sourced.queued:
            self._state.outbox_due = now
            self._step_outbox(now, work)

    def close(self) -> None:
        self.sources.close()
        super().close()


@pytest.fixture
def wired(
    exchange_db: Path, plugin_dir: Path, memory_keyring: MemoryKeyring
) -> Iterator[WiredEngine]:
    engine = WiredEngine(exchange_db, settings=FAST, plugin_dirs=(plugin_dir,))
    try:
        yield engine
    finally:
        engine.close()


@pytest.mark.slow  # plugin worker processes
def test_a_plugin_answer_reaches_wx_command(wired: WiredEngine, plugin_dir: Path) -> None:
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
