"""Nothing a plugin does reaches the poller: each misbehaviour costs only the plugin itself.

In a thread, ``os._exit`` ended wxpanel, a spinning handler ran for the life
of the process, a hog grew to gigabytes and closing file descriptors broke
ingestion.  Each case here runs a real Engine with its replier and hub: the
misbehaving plugin is switched off with its reason, its process is gone,
the next plugin answers, ingestion goes on, and the fixed file is loaded
and answers again.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from tests.conftest import text_event
from tests.core.rules.conftest import Clock, deliver
from tests.core.sources.conftest import Engines, rescanned, settle, wait_for_plugins
from tests.core.sources.test_hub import ECHO, _status, auto_texts, write
from wxpanel.core.sources.config import PluginConfig
from wxpanel.core.sources.store import SourceStore

MISBEHAVIOURS = {
    "os._exit": (
        "import os\ndef handle(message):\n    os._exit(7)\n",
        "the plugin's process ended during the call (exit code 7)",
        5.0,
    ),
    "spins": (
        "def handle(message):\n    while True:\n        pass\n",
        "no answer within 0.5 s; its process was stopped",
        0.5,
    ),
    "hogs memory": (
        "def handle(message):\n    hoard = []\n    while True:\n"
        "        hoard.append(bytearray(16 << 20))\n",
        "handle: MemoryError",
        20.0,  # filling 256 MiB takes a while on a busy PC; the limit, not the clock, stops it
    ),
    "closes every fd": (
        "import os\ndef handle(message):\n    os.closerange(0, 65536)\n    return 'x'\n",
        "the plugin's process ended during the call",
        5.0,
    ),
    "raises": (
        "def handle(message):\n    raise RuntimeError('bad day')\n",
        "handle: RuntimeError: bad day (a_bad.py:2)",
        5.0,
    ),
}
FIXED = "def handle(message):\n    return 'fixed: ' + message.content\n"


def worker_alive(name: str) -> bool:
    return any(
        child.name == f"wxpanel-plugin-{name}" for child in multiprocessing.active_children()
    )


@pytest.mark.slow
@pytest.mark.parametrize("behaviour", list(MISBEHAVIOURS))
def test_a_misbehaving_plugin_is_contained_switched_off_and_restarted_when_fixed(
    make_engine: Engines, clock: Clock, plugin_dir: Path, behaviour: str
) -> None:
    source, reason, timeout = MISBEHAVIOURS[behaviour]
    bad = write(plugin_dir, "a_bad", source)
    write(plugin_dir, "b_echo", ECHO)
    engine = make_engine()
    engine.sources.host.memory_limit = 256 << 20  # the hog meets its limit sooner
    wait_for_plugins(engine, "a_bad", "b_echo")
    with SourceStore.open(engine.paths.history) as store:
        store.update(_status(engine, "a_bad").source_id, PluginConfig(timeout=timeout))
    deliver(engine, [text_event("wxid_a", "one")])
    settle(engine, timeout=60)
    assert auto_texts(engine) == [("wxid_a", "plugin: one")]  # the next plugin answered
    status = _status(engine, "a_bad")
    assert not status.enabled and reason in (status.last_error or "")
    assert not worker_alive("a_bad")  # switched off: nothing of it runs or holds memory
    deliver(engine, [text_event("wxid_b", "two")])  # the poller goes on ingesting and answering
    settle(engine, timeout=30)
    assert auto_texts(engine)[-1] == ("wxid_b", "plugin: two")
    assert _status(engine, "a_bad").calls == 1  # switched off: not asked again
    bad.write_text(FIXED, encoding="utf-8")
    stat = bad.stat()
    os.utime(bad, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert any(rescanned(engine, clock, lambda: _status(engine, "a_bad").enabled) for _ in range(3))
    deliver(engine, [text_event("wxid_c", "three")])
    settle(engine, timeout=30)
    assert auto_texts(engine)[-1] == ("wxid_c", "fixed: three")
