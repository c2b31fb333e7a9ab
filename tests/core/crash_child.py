"""A poller for test_crash_safety to kill: the Engine's loop with a pacer that never waits.

Run as ``python tests/core/crash_child.py EXCHANGE_DB [--cleanup-rows N]``.  It
prints ``ready`` once the Engine is constructed, then polls exactly as
``wxpanel headless`` does (same :func:`wxpanel.core.headless.run` loop) until
SIGTERM or SIGKILL.  ``--cleanup-rows`` deletes ingested rows from wx_event
that often (instead of every 10 000), so that kills meet clean-ups too.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from wxpanel.core import headless
from wxpanel.core.engine import Engine
from wxpanel.core.ingest import CleanupPolicy
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings
from wxpanel.core.stopping import SignalStop

#: No gap, no jitter and the largest per-minute cap, so commands flow as fast as
#: demo.exe takes them and a kill lands in the middle of the traffic.
FAST = Settings(pacer=PacerConfig(PacingRule(0.0, 0.0, 1000), PacingRule(0.0, 0.0, 1000)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--cleanup-rows", type=int, default=CleanupPolicy().max_rows)
    args = parser.parse_args(argv[1:])
    cleanup = CleanupPolicy(max_rows=args.cleanup_rows)
    engine = Engine(args.db, settings=FAST, cleanup=cleanup)
    stop = threading.Event()
    with SignalStop(stop):
        print("ready", flush=True)
        try:
            headless.run(engine, stop)
        finally:
            engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
