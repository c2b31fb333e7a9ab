"""A poller for test_crash_safety to kill: the Engine's loop with a pacer that never waits.

Run as ``python tests/core/crash_child.py EXCHANGE_DB``.  It prints ``ready``
once the Engine is constructed, then polls exactly as ``wxpanel headless``
does (same :func:`wxpanel.core.headless.run` loop) until SIGTERM or SIGKILL.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from wxpanel.core import headless
from wxpanel.core.engine import Engine
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings

#: No gap, no jitter and the largest per-minute cap, so commands flow as fast as
#: demo.exe takes them and a kill lands in the middle of the traffic.
FAST = Settings(pacer=PacerConfig(PacingRule(0.0, 0.0, 1000), PacingRule(0.0, 0.0, 1000)))


def main(argv: list[str]) -> int:
    engine = Engine(Path(argv[1]), settings=FAST)
    stop = threading.Event()
    headless.install_signal_handlers(stop)
    print("ready", flush=True)
    try:
        headless.run(engine, stop)
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
