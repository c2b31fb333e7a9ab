"""SIGTERM stops headless at once, even while a server drips its answer or a plugin spins.

Before, a dripping webhook kept a pool thread in a read that never timed
out, and interpreter exit joins pool threads: SIGTERM no longer stopped
headless.  A spinning plugin's thread could not be stopped at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import insert_events, stop, text_event
from tests.core.sources.conftest import DripServer, wait_for
from wxpanel.core.engine import Engine
from wxpanel.core.sources.config import PluginConfig, SourceKind, WebhookConfig
from wxpanel.core.sources.store import SourceStore

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.parametrize("busy", ["dripping webhook", "spinning plugin"])
def test_sigterm_stops_headless_within_two_seconds_whatever_a_source_does(
    exchange_db: Path, tmp_path: Path, drip: DripServer, busy: str
) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    with Engine(exchange_db, plugin_dirs=()) as engine:
        history = engine.paths.history
    with SourceStore.open(history) as store:
        if busy == "dripping webhook":
            store.add(SourceKind.WEBHOOK, "slow", WebhookConfig(url=drip.url, timeout=60))
        else:
            (plugins / "spin.py").write_text(
                "from pathlib import Path\n"
                f"def handle(message):\n    Path({str(tmp_path / 'spinning')!r}).touch()\n"
                "    while True:\n        pass\n",
                encoding="utf-8",
            )
    env = {**os.environ, "PYTHONPATH": str(REPO), "no_proxy": "*"}
    command = [sys.executable, "-m", "wxpanel", "headless", "--db", str(exchange_db)]
    process = subprocess.Popen(
        [*command, "--plugins", str(plugins)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        if busy == "spinning plugin":
            with SourceStore.open(history) as store:
                wait_for(lambda: any(s.name == "spin" for s in store.sources()), timeout=60)
                (spin,) = store.sources()
                store.update(spin.id, PluginConfig(timeout=60))
        insert_events(exchange_db, [text_event("wxid_a", "question")])
        if busy == "dripping webhook":
            wait_for(lambda: drip.connections == 1, timeout=60)
        else:
            wait_for((tmp_path / "spinning").exists, timeout=60)
        started = time.monotonic()
    finally:
        stderr = stop(process)
    assert time.monotonic() - started < 2.0, stderr
    assert process.returncode == 0 and "stopped cleanly" in stderr, stderr
