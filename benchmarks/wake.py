"""Wake-up latency and idle CPU of wxpanel's poll loop.

What is measured, on a fresh copy of demo.exe's empty exchange.db:

1. **Latency from another process's commit to its ingestion.**  A writer
   runs as a separate process (a small inline script of plain ``sqlite3``,
   like demo.exe: its own connection, one autocommitted INSERT per event) and
   inserts ``--rows`` wx_event rows (default 200) at random intervals
   (default 20-80 ms).  Each row's content carries its sequence number and
   ``time.time()`` taken just before the INSERT; the writer also records
   ``time.time()`` right after each commit and hands those to us at the end
   (a row cannot contain the time of its own commit).  The main process runs
   the real :func:`wxpanel.core.headless.run` loop on an
   :class:`~wxpanel.core.engine.Engine` -- poll, then ``stop.wait(delay)`` --
   and notes when each message came out of ``poll()``.
   latency = time poll() returned the message - writer's commit time.
   Printed: p50 / p95 / p99 / max.  Goal: the commit is *noticed* (the poll
   that takes the row starts) within 50 ms at p95, nothing lost or
   duplicated; the time to ingest it is printed beside.  Also printed, to
   explain the figure: how long each row
   waited for the next poll to start, how long the ingesting poll took (wall
   and CPU: the difference is I/O wait, mostly the ~11 fdatasync calls of a
   commit over two files with a super-journal), and how many polls met a
   lock and backed off.

2. **Idle CPU.**  The same loop for ``--idle`` seconds (default 10) with no
   writer: CPU time of this process (``time.process_time``, all threads)
   divided by wall time, as % of one core.  Goal: < 1 %.  Then, unless
   ``--no-floor``, the same measurement of a loop that only waits
   poll_interval, i.e. what merely waking up that often costs on this
   machine, so the poll's own share can be told apart.

Run: ``python benchmarks/wake.py [--rows 200] [--min-gap 0.02]
[--max-gap 0.08] [--idle 10]``.  Exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import _common as common

from wxpanel.core import headless
from wxpanel.core.engine import IDLE_AFTER, Engine, PollResult
from wxpanel.core.settings import Settings

P95_GOAL = 0.050
IDLE_GOAL = 1.0  # % of one core

#: The writer: plain sqlite3 like demo.exe, never imports wxpanel.
WRITER = r"""
import json, random, sqlite3, sys, time
db, rows, lo, hi, seed, warmup = sys.argv[1:7]
rng = random.Random(int(seed))
conn = sqlite3.connect(db, timeout=10.0, isolation_level=None)
peers = ["wxid_8k2m4n6p9q1r3s", "wxid_h5j7k9l1m3n5p7", "24368910573@chatroom"]
time.sleep(float(warmup))
commits, inserts = [], []
for seq in range(int(rows)):
    time.sleep(rng.uniform(float(lo), float(hi)))
    peer = rng.choice(peers)
    group = peer.endswith("@chatroom")
    before = time.time()
    conn.execute(
        "INSERT INTO wx_event (ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (peer, "wxid_8k2m4n6p9q1r3s" if group else peer, "群聊" if group else "私聊",
         "wake seq=%d t=%.6f 你好 hello" % (seq, before), "收到", "1"),
    )
    after = time.time()  # autocommit: the INSERT has committed when execute returns
    commits.append(after)
    inserts.append(after - before)
conn.close()
print(json.dumps({"commits": commits, "inserts": inserts}))
"""
CONTENT = re.compile(r"wake seq=(\d+) t=([0-9.]+)")


def measure_latency(engine: Engine, args: argparse.Namespace, db: Path) -> None:
    # seq -> (poll() returned it at, time written in the row, that poll began at)
    seen: dict[int, tuple[float, float, float]] = {}
    records: list[tuple[float, float, PollResult, float]] = []  # begun, ended, result, CPU
    duplicates = polls = 0
    stop = threading.Event()

    def on_result(result: PollResult) -> None:
        nonlocal duplicates, polls
        begun, ended, _, _ = records[-1]  # the poll that produced ``result``
        polls += 1
        for message in result.messages:
            match = CONTENT.search(message.content or "")
            if match is None:
                continue
            seq = int(match.group(1))
            if seq in seen:
                duplicates += 1
            seen[seq] = (ended, float(match.group(2)), begun)
        if len(seen) >= args.rows:
            stop.set()

    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            str(db),
            str(args.rows),
            str(args.min_gap),
            str(args.max_gap),
            str(args.seed),
            str(args.warmup),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    # Time every poll (the instance attribute shadows the method headless.run calls).
    original_poll = engine.poll

    def timed_poll() -> PollResult:
        cpu = time.thread_time()
        begun = time.time()
        result = original_poll()
        records.append((begun, time.time(), result, time.thread_time() - cpu))
        return result

    engine.poll = timed_poll  # type: ignore[method-assign]
    deadline = args.warmup + args.rows * args.max_gap + 30.0
    timer = threading.Timer(deadline, stop.set)
    timer.start()
    started = time.time()
    try:
        headless.run(engine, stop, on_result)
    finally:
        timer.cancel()
        del engine.poll
    elapsed = time.time() - started
    out, _ = writer.communicate(timeout=60)
    report = json.loads(out)
    commits: list[float] = report["commits"]
    inserts: list[float] = report["inserts"]

    missing = [seq for seq in range(args.rows) if seq not in seen]
    latencies = [seen[seq][0] - commits[seq] for seq in range(args.rows) if seq in seen]
    from_content = [seen[seq][0] - seen[seq][1] for seq in range(args.rows) if seq in seen]
    print(
        f"writer process: {args.rows} rows, one autocommitted INSERT every"
        f" {args.min_gap * 1000:.0f}-{args.max_gap * 1000:.0f} ms; INSERT+commit took"
        f" p50 {common.median(inserts) * 1000:.1f} ms, max {max(inserts) * 1000:.1f} ms"
        f" (includes waiting for wxpanel's lock)"
    )
    print(
        f"poll loop: {polls} polls in {elapsed:.1f} s, {len(seen)} rows ingested,"
        f" {len(missing)} missing, {duplicates} duplicated;"
        f" poll_interval {engine.settings.poll_interval * 1000:.0f} ms"
    )
    if not latencies:
        print("no row was ingested: no latency figures")
        return
    print()
    print("latency commit -> ingested       p50      p95      p99      max     mean")
    for name, values in (
        ("after the writer's commit", latencies),
        ("after the time in the row", from_content),
    ):
        cells = [common.percentile(values, p) for p in (50, 95, 99, 100)]
        cells.append(sum(values) / len(values))
        print(f"  {name:<28}" + "".join(f" {v * 1000:6.1f}ms" for v in cells))
    _explain(records, seen, commits, engine.settings.poll_interval)
    # The goal is on noticing a commit: the start of the poll that takes the
    # row.  Ingesting it adds that poll's own work (mostly fsyncs), shown above.
    detect = [seen[seq][2] - commits[seq] for seq in seen]
    p95 = common.percentile(detect, 95)
    ok = p95 <= P95_GOAL and not missing and not duplicates
    print(
        f"noticed: p95 {p95 * 1000:.1f} ms, goal <= {P95_GOAL * 1000:.0f} ms"
        f" (and nothing lost or duplicated): {common.verdict(ok)};"
        f" ingested: p95 {common.percentile(latencies, 95) * 1000:.1f} ms"
    )


def _explain(
    records: list[tuple[float, float, PollResult, float]],
    seen: dict[int, tuple[float, float, float]],
    commits: list[float],
    interval: float,
) -> None:
    """Split the latency: waiting for the next poll, then the poll's own work."""
    busy = [r for r in records if r[2].delay > interval + 1e-9]
    ingesting = [(b, e, cpu) for b, e, r, cpu in records if r.messages]
    work = [e - b for b, e, _ in ingesting]
    work_cpu = [cpu for _, _, cpu in ingesting]
    gaps = [records[i + 1][0] - records[i][1] for i in range(len(records) - 1)]
    # For each row: from its commit to the start of the poll that ingested it.
    detect = [seen[seq][2] - commits[seq] for seq in seen]
    print("where it goes                    p50      p95      p99      max")
    for name, values in (
        ("commit -> start of that poll", detect),
        ("work of a poll that ingested", work),
        ("  of which CPU (rest: I/O wait)", work_cpu),
        ("sleep between two polls", gaps),
    ):
        if values:
            cells = [common.percentile(values, p) for p in (50, 95, 99, 100)]
            print(f"  {name:<28}" + "".join(f" {v * 1000:6.1f}ms" for v in cells))
    print(
        f"  {len(busy)} of {len(records)} polls met a lock (SQLITE_BUSY) and backed off"
        f" longer than poll_interval"
    )


def measure_floor(seconds: float, interval: float) -> float:
    """CPU of a loop that only waits ``interval`` like the poll loop: the wake-up cost."""
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    timer.start()
    waits = 0
    while not stop.is_set():
        stop.wait(interval)
        waits += 1
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    percent = cpu / wall * 100
    print(
        f"floor: a loop doing nothing but stop.wait({interval * 1000:.0f} ms) for {wall:.1f} s"
        f" uses {percent:.2f} % of one core ({cpu / max(waits, 1) * 1e6:.0f} us CPU per"
        " wake-up) on this machine"
    )
    return percent


def measure_idle(engine: Engine, seconds: float) -> float:
    # An idle poller is one that has seen no traffic for a while: let it settle
    # into its idle interval (IDLE_AFTER seconds) before measuring.
    settle = threading.Event()
    settle_timer = threading.Timer(IDLE_AFTER + 0.5, settle.set)
    settle_timer.start()
    headless.run(engine, settle)
    stop = threading.Event()
    polls = 0

    def on_result(result: PollResult) -> None:
        nonlocal polls
        polls += 1

    timer = threading.Timer(seconds, stop.set)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    timer.start()
    headless.run(engine, stop, on_result)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    percent = cpu / wall * 100
    print()
    print(
        f"idle: {wall:.1f} s wall, {cpu * 1000:.0f} ms CPU = {percent:.2f} % of one core;"
        f" {polls} polls ({polls / wall:.0f}/s, {cpu / max(polls, 1) * 1e6:.0f} us CPU each)"
    )
    ok = percent < IDLE_GOAL
    print(f"idle CPU {percent:.2f} %, goal < {IDLE_GOAL:.0f} %: {common.verdict(ok)}")
    return percent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200, help="rows the writer inserts (200)")
    parser.add_argument("--min-gap", type=float, default=0.02, help="shortest gap, s (0.02)")
    parser.add_argument("--max-gap", type=float, default=0.08, help="longest gap, s (0.08)")
    parser.add_argument("--idle", type=float, default=10.0, help="idle measurement, s (10)")
    parser.add_argument("--warmup", type=float, default=0.5, help="writer's initial sleep, s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        help="override Settings.poll_interval (default: wxpanel's default)",
    )
    parser.add_argument("--tmpdir", type=Path, default=None, help="where to make the copy")
    parser.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="skip measuring the CPU of an empty wait loop (the wake-up floor)",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wxpanel-bench-wake-", dir=args.tmpdir) as tmp:
        db = common.fresh_exchange(Path(tmp) / "bot")
        settings = Settings()
        if args.poll_interval is not None:
            settings = Settings(poll_interval=args.poll_interval)
        print(
            f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]},"
            f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"
        )
        engine = Engine(db, settings=settings)
        try:
            measure_latency(engine, args, db)
            percent = measure_idle(engine, args.idle)
            if args.floor:
                floor = measure_floor(args.idle, engine.settings.idle_poll_interval)
                rate = 1 / engine.settings.idle_poll_interval
                print(
                    f"so polling itself costs about {percent - floor:.2f} % of a core;"
                    f" the rest ({floor:.2f} %) is waking up {rate:.0f} times a second"
                )
        finally:
            engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
