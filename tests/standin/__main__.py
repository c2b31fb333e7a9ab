"""The stand-in program: ``python -m tests.standin --lib LIB --db DB [options]``.

Messages arrive at ``--rate`` per second (a Poisson process, or ``regular``
intervals), after an optional ``--burst``; the 200 ms command timer runs
throughout. It prints ``ready`` once its connection is open, then one line per
happening (``insert <index> ok|lost``, ``sent <rowid> deleted|kept``) so a
test can follow it without reading exchange.db (a reader's shared lock
makes demo.exe's commit fail too), and writes a JSON report to
``--report`` when ``--duration`` is over or on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from tests.standin.sqlite37 import Connection37, Library
from wxpanel.core.demoexe import COMMAND_PERIOD, DemoExe, EventRow, Insert, Sent
from wxpanel.core.demoworld import Traffic

#: The longest single sleep, so a stop request is seen promptly.
_SLICE = 0.05


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.standin", description=__doc__)
    parser.add_argument("--lib", type=Path, required=True, help="libsqlite3.so of 3.7.x")
    parser.add_argument("--db", type=Path, required=True, help="exchange.db (a copy)")
    parser.add_argument("--report", type=Path, required=True, help="where to write the JSON")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second")
    parser.add_argument("--duration", type=float, default=math.inf, help="seconds, else until TERM")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--arrival", choices=("poisson", "regular"), default="poisson")
    parser.add_argument("--burst", type=int, default=0, help="messages at once, first")
    parser.add_argument(
        "--numbered",
        action="store_true",
        help="end each text with ' #N' so every row can be told apart",
    )
    parser.add_argument("--no-commands", action="store_true", help="never take commands")
    return parser.parse_args(argv)


def _row(traffic: Traffic, index: int, numbered: bool) -> EventRow:
    row = traffic.next_row()
    if numbered:
        return EventRow(row.conversation, row.member, row.name, f"{row.text} #{index}")
    return row


def _receive(demo: DemoExe, row: EventRow, index: int) -> None:
    attempt = demo.receive(row)
    print(f"insert {index} {'lost' if attempt.lost else 'ok'}", flush=True)


def _tick(demo: DemoExe) -> None:
    sent = demo.tick()
    if sent is not None:
        print(f"sent {sent.rowid} {'deleted' if sent.deleted else 'kept'}", flush=True)


def _insert_json(index: int, attempt: Insert) -> dict[str, object]:
    return {
        "index": index,
        "row": list(attempt.row.values()),
        "started": attempt.started,
        "finished": attempt.finished,
        "committed": None if attempt.lost else attempt.finished,
        "error": attempt.error,
    }


def _sent_json(sent: Sent) -> dict[str, object]:
    return {
        "rowid": sent.rowid,
        "cmd_type": sent.cmd_type,
        "id_1": sent.id_1,
        "id_2": sent.id_2,
        "time": sent.time,
        "executed": sent.executed,
        "deleted": sent.deleted,
        "repeat": sent.repeat,
    }


def write_report(path: Path, demo: DemoExe, meta: dict[str, object]) -> None:
    """The whole run as JSON, written atomically (a reader never sees half)."""
    inserts = [_insert_json(i, attempt) for i, attempt in enumerate(demo.inserts)]
    report = {
        **meta,
        "stopped": time.time(),
        "attempts": len(demo.inserts),
        "inserted": demo.inserted,
        "lost": len(demo.lost),
        "lost_rows": [entry for entry in inserts if entry["error"] is not None],
        "inserts": inserts,
        "sent": [_sent_json(sent) for sent in demo.sent],
        "executed": demo.executed,
        "duplicates": demo.duplicates,
        "delete_failures": demo.delete_failures,
        "read_failures": demo.read_failures,
    }
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    os.replace(partial, path)


def run(args: argparse.Namespace) -> int:
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    library = Library(args.lib)
    demo = DemoExe(Connection37(library, args.db))
    traffic = Traffic(args.seed)
    timing = random.Random(args.seed + 1)

    rate: float = args.rate

    def interval() -> float:
        if rate <= 0:
            return math.inf
        if args.arrival == "regular":
            return 1.0 / rate
        return timing.expovariate(rate)

    meta: dict[str, object] = {
        "sqlite": library.version,
        "db": str(args.db),
        "rate": args.rate,
        "arrival": args.arrival,
        "seed": args.seed,
        "started": time.time(),
    }
    print("ready", flush=True)
    index = 0
    try:
        for _ in range(max(0, args.burst)):
            _receive(demo, _row(traffic, index, args.numbered), index)
            index += 1
        start = time.monotonic()
        deadline = start + args.duration
        next_message = start + interval()
        next_tick = start + COMMAND_PERIOD
        while not stopping:
            now = time.monotonic()
            if now >= deadline:
                break
            if now >= next_message:
                _receive(demo, _row(traffic, index, args.numbered), index)
                index += 1
                # Messages arrive whatever demo.exe is doing: a late one queues.
                next_message += interval()
                continue
            if now >= next_tick:
                if not args.no_commands:
                    _tick(demo)
                # A timer message never queues up twice: a late tick delays the next.
                next_tick = max(next_tick + COMMAND_PERIOD, now + COMMAND_PERIOD / 2)
                continue
            time.sleep(max(0.0, min(next_message, next_tick, deadline, now + _SLICE) - now))
    finally:
        write_report(args.report, demo, meta)
        demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(run(parse_args()))
