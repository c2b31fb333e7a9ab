"""The panel at a real account's scale and demo.exe's cadence (issue 16).

Every figure is taken on a copy of the cached 1 000 000-message history of
``benchmarks/_scale.py`` (built through wxpanel's own ingestion the first
time), with the real :class:`~wxpanel.gui.mainwindow.MainWindow` offscreen
in a child process of its own, and events committed the way demo.exe
commits them: a separate process (plain ``sqlite3``, never wxpanel) doing
one INSERT per autocommit transaction into ``wx_event``, at a steady rate.
The feeder's connection uses ``synchronous=OFF`` so that 1 000 commits a
second are possible on this disk; wxpanel's own connections are untouched.

* ``live``    -- commit -> shown, at ``--rates`` (50, 200, 1 000 ev/s) for
  ``--seconds`` each, with the Live feed tab open, then with the Chat tab
  open on the 200 000-message group (which gets half the events): from the
  time the feeder took just before its INSERT to the start of the first
  paint of the open view after the row reached its model.  Beside it,
  under the same load, the gaps of a 10 ms GUI timer and the delay of key
  presses (events posted to the search box from another thread every
  37 ms, as the OS would deliver an operator's typing).  The panel's CPU
  (all threads, and the GUI thread's and the poller's) is taken in a run of
  its own just before, the same feeder and tab, without those probes: they
  cost 2-3 % of a core by themselves (printed too, as "CPU with the probes
  in").  The same run measures **the engine alone**
  (:func:`wxpanel.core.headless.run` on the same history, same feeder):
  commit -> ingested, and its CPU: the baseline.  Goals: p95 <= 250 ms,
  timer gap p99 <= 50 ms, key press p95 <= 20 ms, panel CPU <= 1.5x the
  engine's.
* ``chat``    -- open the 200 000-message group and leave it 10 s: rows
  loaded (goal: one page); then scroll to the top ``--pages`` times, each
  time until the next page is in: the time per page by how many rows were
  already loaded (goal: flat), and the timer's gaps meanwhile (p99 <= 50 ms).
* ``resize``  -- scroll up ``--resize-pages`` pages of the 200 000-message
  group, put the reader in the middle of them, then make the window
  narrower, maximise it, restore it, drag its edge and the splitter beside
  the chat (30 steps each, one per frame): for each, the time until every
  row is measured for the new width, the timer's gaps meanwhile (p99 <=
  50 ms) and how far the message at the top of the view moved.  The same
  with one page loaded is the window's own cost of a resize (the floor).
  With ``--baseline DIR`` (a worktree of main) the same children run that
  code too, interleaved, ``--rounds`` times (``live`` too, once, after this
  code's at each rate and tab).
* ``idle``    -- the panel on the 1 M history doing nothing for
  ``--idle`` seconds: CPU and wake-ups (voluntary + involuntary context
  switches of every thread, from /proc), per thread; beside, a bare Qt
  window in the same conditions.  Goal: < 0.5 % and < 20 wake-ups/s.

Run: ``python benchmarks/live.py [--messages 1000000] [--rates 50,200,1000]
[--seconds 10] [--pages 30] [--idle 20] [--only live,chat,resize,idle] [--tabs feed,chat]
[--resize-pages 30] [--baseline DIR] [--rounds N] [--repeat N]``.
Linux only for wake-ups (/proc).  Exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

import _common as common
import _scale

LATENCY_GOAL = 0.250
GAP_GOAL = 0.050
KEY_GOAL = 0.020
CPU_RATIO_GOAL = 1.5
IDLE_CPU_GOAL = 0.5  # % of one core
IDLE_WAKE_GOAL = 20.0  # per second
TICK_MS = 10

#: demo.exe's cadence: one INSERT per autocommit transaction, plain sqlite3.
FEEDER = r"""
import sqlite3, sys, time
db, rate, seconds, big = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
conn = sqlite3.connect(db, timeout=10.0, isolation_level=None)
conn.execute("PRAGMA synchronous = OFF")
total = int(rate * seconds)
start = time.time() + 0.2
for seq in range(total):
    due = start + seq / rate
    pause = due - time.time()
    if pause > 0:
        time.sleep(pause)
    conv = big if seq % 2 == 0 else "wxid_bench%05d" % (1 + seq % 1999)
    group = conv.endswith("@chatroom")
    before = time.time()
    conn.execute(
        "INSERT INTO wx_event (ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (conv, "wxid_member001" if group else conv, "群聊" if group else "私聊",
         "live seq=%d t=%.6f 今天的会议改到下午" % (seq, before), "收到", "1"),
    )
conn.close()
print(total)
"""
CONTENT = re.compile(r"live seq=(\d+) t=([0-9.]+)")


def feeder(exchange: Path, rate: float, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", FEEDER, str(exchange), str(rate), str(seconds), _scale.BIG_GROUP],
        stdout=subprocess.PIPE,
        text=True,
    )


def threads_switches() -> dict[str, tuple[int, float]]:
    """Context switches and CPU seconds so far of each thread of this process (Linux)."""
    found: dict[str, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            text = (task / "status").read_text()
            stat = (task / "stat").read_text()
        except OSError:
            continue
        switches = sum(
            int(line.split()[1])
            for line in text.splitlines()
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"))
        )
        fields = stat.rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        found[f"{name}/{task.name}"] = (switches, cpu)
    return found


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def pct(values: list[float], p: float) -> float:
    return common.percentile(values, p) if values else float("nan")


# -- the children -------------------------------------------------------------------


class Panel:
    """The real window on ``folder`` (Qt imported here, in the child only)."""

    def __init__(self, folder: Path) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QEvent, QObject, Qt, QTimer
        from PySide6.QtWidgets import QApplication

        import wxpanel.gui.app as panel_app
        from wxpanel.core.settings import Settings
        from wxpanel.gui.app import tune_gc
        from wxpanel.gui.panel import build_panel
        from wxpanel.gui.worker import PollThread

        # As the panel starts (app.run_gui); a baseline older than it lacks it.
        getattr(panel_app, "tune_painting", lambda: None)()
        self.QEvent, self.Qt, self.QTimer = QEvent, Qt, QTimer
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        tune_gc()
        scale = _scale.Scale(folder, 0)
        self.folder = folder
        self.window = build_panel(PollThread(scale.exchange, scale.data_dir, Settings())).window
        self.window.resize(1100, 700)
        self.window.show()
        self.window.start()
        self.paints: list[float] = []
        panel = self

        class Watcher(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and watched is panel.viewport:
                    panel.paints.append(time.time())
                return False

        self.viewport = self.window.feed_view.viewport()
        self._watcher = Watcher()
        # On the two views only: an application-wide filter would run Python per event.
        self.window.feed_view.viewport().installEventFilter(self._watcher)
        self.window.chat_view.viewport().installEventFilter(self._watcher)
        self.wait(lambda: self.window.conversations.rowCount() > 0, 120)
        self.settle()

    def wait(self, condition: Any, timeout: float = 120.0, every_ms: int = 20) -> None:
        """Run the real event loop (no busy polling) until ``condition()`` holds.

        ``condition`` is tested every ``every_ms``: a Python call each time,
        which a CPU measurement should make rare.
        """
        from PySide6.QtCore import QEventLoop

        deadline = time.monotonic() + timeout
        loop = QEventLoop()
        check = self.QTimer()
        expired = []

        def test() -> None:
            if condition():
                loop.quit()
            elif time.monotonic() > deadline:
                expired.append(True)
                loop.quit()

        check.timeout.connect(test)
        check.start(every_ms)
        if not condition():
            loop.exec()
        check.stop()
        if expired:
            raise TimeoutError("condition not met in time")

    def settle(self, seconds: float = 1.0) -> None:
        end = time.monotonic() + seconds
        self.wait(lambda: time.monotonic() > end)

    def open_big(self) -> None:
        self.window.open_conversation(_scale.BIG_GROUP)
        self.window.tabs.setCurrentIndex(0)
        self.viewport = self.window.chat_view.viewport()
        self.wait(lambda: self.window.chat.rowCount() > 0)

    def load_older_page(self) -> None:
        """Scroll to the top of the chat; back once the page it asked for is in, the place kept."""
        window = self.window
        bar = window.chat_view.verticalScrollBar()
        before = window.chat.rowCount()
        bar.setValue(bar.minimum())
        self.wait(
            lambda: (
                window.chat.rowCount() > before
                and window.chat.can_load_older()
                and not window._pending
            ),
            60,
        )
        self.wait(lambda: bar.value() > bar.minimum(), 10)

    def ticker(self) -> list[float]:
        """Gaps of a 10 ms timer, appended to the returned list while the loop runs."""
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        self.timer = self.QTimer()
        self.timer.setTimerType(self.Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(tick)
        self.timer.start(TICK_MS)
        return gaps


def child_live(folder: Path, tab: str, rate: float, seconds: float) -> dict[str, Any]:
    from PySide6.QtCore import QCoreApplication, QEvent, QObject

    panel = Panel(folder)
    window = panel.window
    model: Any = window.feed
    if tab == "chat":
        panel.open_big()
        model = window.chat
    else:
        window.tabs.setCurrentIndex(1)
        panel.viewport = window.feed_view.viewport()
    panel.settle(1.0)
    cpu, threads = unprobed_cpu(panel, model, tab, rate, seconds)
    arrived: list[float] = []  # commit times of rows in the model, not yet painted
    latencies: list[float] = []

    def inserted(_parent: object, first: int, last: int) -> None:
        for row in range(first, last + 1):
            found = CONTENT.search(model.message(row).content or "")
            if found:
                arrived.append(float(found.group(2)))

    model.rowsInserted.connect(inserted)
    painted_upto = [len(panel.paints)]
    keys: list[float] = []
    stop = threading.Event()

    key_type = QEvent.Type(QEvent.registerEventType())
    sent: deque[float] = deque()

    def typist() -> None:
        """An operator's key presses, posted from another thread like the OS would.

        A plain event of its own type: a QKeyEvent made outside the GUI thread
        touches Qt's input devices, which is not thread-safe.
        """
        while not stop.wait(0.037):
            sent.append(time.perf_counter())
            QCoreApplication.postEvent(window.search, QEvent(key_type))

    class KeyWatch(QObject):
        def eventFilter(self, watched: QObject, event: Any) -> bool:
            if event.type() == key_type:
                keys.append(time.perf_counter() - sent.popleft())
                return True  # the operator's keys are measured, not typed
            return False

    watch = KeyWatch()
    window.search.installEventFilter(watch)
    gaps = panel.ticker()
    typing = threading.Thread(target=typist, daemon=True)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    feed = feeder(folder / "exchange.db", rate, seconds)
    total = int(rate * seconds)
    expected = total // 2 if tab == "chat" else total
    seen = [0]
    typing.start()

    def step() -> bool:
        new_paints = panel.paints[painted_upto[0] :]
        if new_paints and arrived:
            shown = new_paints[0]
            latencies.extend(shown - t for t in arrived)
            seen[0] += len(arrived)
            arrived.clear()
        painted_upto[0] = len(panel.paints)
        return feed.poll() is not None and seen[0] >= expected

    panel.wait(step, seconds * 6 + 120)
    wall, probed = time.perf_counter() - wall0, cpu_seconds() - cpu0
    stop.set()
    typing.join()
    panel.timer.stop()
    window.close()
    return {
        "rate": rate,
        "tab": tab,
        "shown": seen[0],
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "max": max(latencies, default=float("nan")),
        "gap_p99": pct(gaps, 99) - TICK_MS / 1000,
        "gap_max": max(gaps, default=0.0) - TICK_MS / 1000,
        "key_p95": pct(keys, 95),
        "keys": len(keys),
        "cpu": cpu,
        "probed_cpu": probed / wall * 100,
        "threads": threads,
    }


def unprobed_cpu(
    panel: Panel, model: Any, tab: str, rate: float, seconds: float
) -> tuple[float, dict[str, float]]:
    """The panel's CPU (all threads, and per thread) under the feeder, with no probe in it.

    The probes of the latency run (a 10 ms timer, an operator's typing from
    a thread, a Python call per row inserted and per paint) cost 2-3 % of a
    core by themselves, on an idle panel: more than the goal's margin at
    50 ev/s.  So the CPU is taken in a run of its own beforehand, the same
    feeder and the same open tab, where the only Python of the benchmark's is
    a row count per batch and a check four times a second.
    """
    inserted = [0]

    def count(_parent: object, first: int, last: int) -> None:
        inserted[0] += last - first + 1

    model.rowsInserted.connect(count)
    total = int(rate * seconds)
    expected = total // 2 if tab == "chat" else total
    threads0 = threads_switches()
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    feed = feeder(panel.folder / "exchange.db", rate, seconds)
    panel.wait(
        lambda: feed.poll() is not None and inserted[0] >= expected,
        seconds * 6 + 120,
        every_ms=250,
    )
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    threads = {
        name: (used - threads0.get(name, (0, 0.0))[1]) / wall * 100
        for name, (_switches, used) in threads_switches().items()
    }
    model.rowsInserted.disconnect(count)
    panel.settle(0.5)
    return cpu / wall * 100, dict(sorted(threads.items(), key=lambda item: -item[1]))


def child_engine(folder: Path, rate: float, seconds: float) -> dict[str, Any]:
    from wxpanel.core import headless
    from wxpanel.core.engine import Engine, PollResult
    from wxpanel.core.settings import Settings

    scale = _scale.Scale(folder, 0)
    latencies: list[float] = []
    total = int(rate * seconds)
    stop = threading.Event()
    with Engine(scale.exchange, data_dir=scale.data_dir, settings=Settings()) as engine:
        engine.poll()

        def on_result(result: PollResult) -> None:
            now = time.time()
            for message in result.messages:
                found = CONTENT.search(message.content or "")
                if found:
                    latencies.append(now - float(found.group(2)))
            if len(latencies) >= total:
                stop.set()

        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        feed = feeder(scale.exchange, rate, seconds)
        watchdog = threading.Timer(seconds * 6 + 120, stop.set)
        watchdog.start()
        headless.run(engine, stop, on_result)
        watchdog.cancel()
        wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
        feed.wait()
    return {
        "rate": rate,
        "ingested": len(latencies),
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "cpu": cpu / wall * 100,
    }


def child_chat(folder: Path, pages: int) -> dict[str, Any]:
    panel = Panel(folder)
    window = panel.window
    panel.open_big()
    panel.settle(10.0)
    left_alone = window.chat.rowCount()
    gaps = panel.ticker()
    per_page: list[tuple[int, float]] = []
    for _ in range(pages):
        before = window.chat.rowCount()
        started = time.perf_counter()
        panel.load_older_page()
        per_page.append((before, time.perf_counter() - started))
        panel.settle(0.05)
    panel.timer.stop()
    window.close()
    return {
        "left_alone": left_alone,
        "per_page": per_page,
        "gap_p99": pct(gaps, 99) - TICK_MS / 1000,
        "gap_max": max(gaps) - TICK_MS / 1000,
    }


#: The resizes measured, as an operator makes them: (what, steps of (window width,
#: height, conversation list's width)); a step per 16 ms frame.
RESIZES: list[tuple[str, list[tuple[int, int, int]]]] = [
    ("narrower", [(640, 700, 300)]),
    ("maximised", [(1600, 1000, 300)]),
    ("restored", [(1100, 700, 300)]),
    ("dragged", [(1100 - 8 * step, 700, 300) for step in range(1, 31)]),
    ("splitter", [(1100, 700, 300 + 12 * step) for step in range(1, 31)]),
]


def child_resize(folder: Path, pages: int) -> dict[str, Any]:
    """Resize the window with ``pages`` pages of the big group loaded, the reader mid-chat.

    Each resize is made in steps (a drag: one step per 16 ms frame) and
    measured until the view has measured every row again (``unmeasured()``
    is 0 and the width is the new one): the time, the 10 ms timer's gaps
    meanwhile, and whether the message the reader had at the top of the
    view is still in it.
    """
    from PySide6.QtWidgets import QSplitter

    panel = Panel(folder)
    window = panel.window
    panel.open_big()
    view = window.chat_view
    splitter = window.findChild(QSplitter)
    panel.wait(lambda: not view.unmeasured(), 30)
    bar = view.verticalScrollBar()
    for _ in range(pages):
        panel.load_older_page()
        panel.wait(lambda: not view.unmeasured(), 30)
    bar.setValue(bar.maximum() // 2)  # reading in the middle of what is loaded
    panel.settle(0.3)
    results: list[dict[str, Any]] = []
    for name, steps in RESIZES:
        read_row = view.rowAt(0)
        read = window.chat.message(read_row).id
        read_y = view.rowViewportPosition(read_row)
        gaps = panel.ticker()
        started = time.perf_counter()
        for width, height, listed in steps:
            window.resize(width, height)
            splitter.setSizes([listed, max(1, width - listed)])
            if len(steps) > 1:
                panel.settle(0.016)
        target = view.viewport().width()
        panel.wait(lambda: not view.unmeasured(), 60)
        settled = time.perf_counter() - started
        panel.settle(0.1)  # anything Qt does after the last measure
        panel.timer.stop()
        row = next(r for r in range(window.chat.rowCount()) if window.chat.message(r).id == read)
        y = view.rowViewportPosition(row)
        results.append(
            {
                "name": name,
                "rows": window.chat.rowCount(),
                "width": target,
                "settled": settled,
                "gap_p99": pct(gaps, 99) - TICK_MS / 1000,
                "gap_max": max(gaps) - TICK_MS / 1000,
                "kept": -view.rowHeight(row) < y < view.viewport().height(),
                "moved": y - read_y,
            }
        )
    window.close()
    return {"resizes": results}


def child_idle(folder: Path | None, seconds: float) -> dict[str, Any]:
    if folder is None:  # a bare Qt window: the floor
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication.instance() or QApplication(sys.argv[:1])
        bare = QMainWindow()
        bare.resize(1100, 700)
        bare.show()
        end = time.monotonic() + 2

        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        run = app
    else:
        panel = Panel(folder)
        panel.open_big()
        panel.settle(3.0)
        run = panel.app
    from PySide6.QtCore import QTimer

    before, cpu0, wall0 = threads_switches(), cpu_seconds(), time.perf_counter()
    measured: list[Any] = []

    def measure() -> None:
        """Before quitting: on quit the window stops its poller thread."""
        measured.extend((threads_switches(), cpu_seconds() - cpu0, time.perf_counter() - wall0))
        run.quit()

    QTimer.singleShot(int(seconds * 1000), measure)
    run.exec()
    after, cpu, wall = measured
    per_thread = {
        name: (
            (switches - before.get(name, (0, 0.0))[0]) / wall,
            (used - before.get(name, (0, 0.0))[1]) / wall * 100,
        )
        for name, (switches, used) in after.items()
    }
    return {
        "cpu": cpu / wall * 100,
        "wakeups": sum(wakes for wakes, _ in per_thread.values()),
        "threads": dict(sorted(per_thread.items(), key=lambda item: -item[1][0])),
    }


# -- the parent ---------------------------------------------------------------------------


def run_child(*args: str, code: str | None = None) -> dict[str, Any]:
    """Run a child; with ``code``, the wxpanel of that checkout (a baseline) is the one imported."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([code, *filter(None, [env.get("PYTHONPATH")])])
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_resizes(work: Path, pages: int, rounds: int, baseline: str | None) -> None:
    """The resizes, this code and the baseline's interleaved (A B A B) under the same load."""
    codes: list[tuple[str, str | None]] = [("this", None)]
    if baseline:
        codes.append(("base", baseline))
    print(
        f"\nresizing the 200 000-message chat with {pages} pages loaded (load"
        f" {os.getloadavg()[0]:.1f}); until every row is measured, timer gap p99 / max:"
    )
    runs = [(label, code, pages) for label, code in codes]
    runs += [(f"{label}, 1 page", code, 0) for label, code in codes]  # the window's own cost
    for _ in range(rounds):
        for label, code, loaded in runs:
            result = run_child("resize", str(work), str(loaded), code=code)
            for one in result["resizes"]:
                ok = one["gap_p99"] <= GAP_GOAL and one["kept"]
                print(
                    f"  {label:>12} {one['name']:>9} to {one['width']:>4} px, {one['rows']:,} rows:"
                    f" settled {one['settled'] * 1000:>5.0f} ms, gap p99"
                    f" {one['gap_p99'] * 1000:>4.0f} ms, max {one['gap_max'] * 1000:>4.0f} ms,"
                    f" reader's message {'moved' if one['kept'] else 'LOST'}"
                    f" {one['moved']:+} px"
                    f"  [{common.verdict(ok)}]"
                )
        print(f"  (load {os.getloadavg()[0]:.1f})")


def print_live(work: Path, args: argparse.Namespace) -> None:
    """Commit -> shown and the panel's cost per rate and tab, against the engine alone.

    With ``--baseline`` the baseline's panel runs right after this code's,
    on the same history and beside the same engine figures.  With
    ``--repeat N`` every rate is run N times over (the engine alone each
    time too): the CPU of either side swings by a few points between runs
    (history.db's full-text merges), so the verdict on the CPU ratio is
    taken on the median of the N ratios, printed last.
    """
    codes: list[tuple[str, str | None]] = [("this", None)]
    if args.baseline:
        codes.append(("base", args.baseline))
    print(
        f"\n{'rate':>6} {'tab':>5} {'code':>4} | {'engine p50/p95':>15} {'CPU':>5} |"
        f" {'panel p50/p95':>15} {'max':>6} {'gap p99':>7} {'key p95':>7} {'CPU':>5}"
        f" {'ratio':>5}  (GUI thread + poller; CPU with the probes in)"
    )
    ratios: dict[tuple[float, str, str], list[float]] = {}
    for _ in range(args.repeat):
        for rate in [float(r) for r in args.rates.split(",")]:
            for tab in args.tabs.split(","):
                # Just before the panel's runs, not once per rate: the machine's
                # speed drifts over minutes (a shared VM), and so do both figures.
                engine = run_child("engine", str(work), str(rate), str(args.seconds))
                for label, code in codes:
                    live = run_child(
                        "live", str(work), tab, str(rate), str(args.seconds), code=code
                    )
                    ratio = live["cpu"] / engine["cpu"]
                    ratios.setdefault((rate, tab, label), []).append(ratio)
                    print_live_run(rate, tab, label, engine, live, ratio)
    print(f"  (load {os.getloadavg()[0]:.1f})")
    if args.repeat > 1:
        print(f"\nthe panel's CPU against the engine alone's, median of {args.repeat} runs:")
        for (rate, tab, label), found in ratios.items():
            middle = common.median(found)
            print(
                f"{rate:>6.0f} {tab:>5} {label:>4}  {middle:.2f}x"
                f" ({', '.join(f'{r:.2f}' for r in found)})"
                f"  [{common.verdict(middle <= CPU_RATIO_GOAL)}]"
            )


def print_live_run(
    rate: float, tab: str, label: str, engine: dict[str, Any], live: dict[str, Any], ratio: float
) -> None:
    ok = (
        live["p95"] <= LATENCY_GOAL
        and live["gap_p99"] <= GAP_GOAL
        and live["key_p95"] <= KEY_GOAL
        and ratio <= CPU_RATIO_GOAL
    )
    threads = live["threads"].items()
    gui = sum(v for k, v in threads if k.startswith("python/"))
    poller = sum(v for k, v in threads if k.startswith("wxpanel-poller"))
    print(
        f"{rate:>6.0f} {tab:>5} {label:>4} |"
        f" {engine['p50'] * 1000:>6.0f}/{engine['p95'] * 1000:<6.0f}ms"
        f" {engine['cpu']:>4.0f}% |"
        f" {live['p50'] * 1000:>6.0f}/{live['p95'] * 1000:<6.0f}ms"
        f" {live['max'] * 1000:>4.0f}ms {live['gap_p99'] * 1000:>5.0f}ms"
        f" {live['key_p95'] * 1000:>5.1f}ms {live['cpu']:>4.0f}% {ratio:>4.2f}x"
        f"  [{common.verdict(ok)}]  ({gui:.0f} + {poller:.0f} %;"
        f" {live['probed_cpu']:.0f} %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rates", default="50,200,1000")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--resize-pages", type=int, default=30)
    parser.add_argument(
        "--rounds", type=int, help="rounds of --only resize (default 2 with --baseline, else 1)"
    )
    parser.add_argument(
        "--baseline",
        help="a checkout of the code before (a worktree of main) for --only resize and live",
    )
    parser.add_argument("--only", default="live,chat,resize,idle")
    parser.add_argument("--tabs", default="feed,chat", help="the tabs --only live measures")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of --only live; the CPU verdict on the median"
    )
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "live":
            result = child_live(Path(rest[0]), rest[1], float(rest[2]), float(rest[3]))
        elif kind == "engine":
            result = child_engine(Path(rest[0]), float(rest[1]), float(rest[2]))
        elif kind == "chat":
            result = child_chat(Path(rest[0]), int(rest[1]))
        elif kind == "resize":
            result = child_resize(Path(rest[0]), int(rest[1]))
        else:
            result = child_idle(Path(rest[0]) if rest[0] != "-" else None, float(rest[1]))
        print(json.dumps(result))
        return
    only = set(args.only.split(","))
    scale = _scale.history_for(args.messages)
    print(f"history: {args.messages:,} messages in {scale.folder}")
    with tempfile.TemporaryDirectory(prefix="wxpanel-live-") as tmp:
        work = scale.copy_to(Path(tmp) / "copy").folder
        if "idle" in only:
            panel = run_child("idle", str(work), str(args.idle))
            bare = run_child("idle", "-", str(args.idle))
            ok = panel["cpu"] < IDLE_CPU_GOAL and panel["wakeups"] < IDLE_WAKE_GOAL
            print(
                f"\nidle, {args.idle:.0f} s: panel {panel['cpu']:.2f} % CPU,"
                f" {panel['wakeups']:.1f} wake-ups/s; bare Qt window {bare['cpu']:.2f} %,"
                f" {bare['wakeups']:.1f}/s  [{common.verdict(ok)}]"
            )
            busiest = ", ".join(
                f"{name} {wakes:.1f}/s {cpu:.2f} %"
                for name, (wakes, cpu) in list(panel["threads"].items())[:5]
            )
            print(f"  busiest threads: {busiest}")
        if "chat" in only:
            chat = run_child("chat", str(work), str(args.pages))
            pages = chat["per_page"]
            first = common.median([s for _, s in pages[:5]])
            last = common.median([s for _, s in pages[-5:]])
            print(
                f"\n200 000-message chat: {chat['left_alone']} rows loaded after 10 s alone"
                f" (goal {200}) [{common.verdict(chat['left_alone'] <= 200)}]"
            )
            print(
                f"  scrolling up {len(pages)} pages: first pages {first * 1000:.0f} ms,"
                f" after {pages[-1][0]:,} rows {last * 1000:.0f} ms"
                f" [{common.verdict(last <= max(2 * first, first + 0.02))}];"
                f" timer gap p99 {chat['gap_p99'] * 1000:.0f} ms, max"
                f" {chat['gap_max'] * 1000:.0f} ms [{common.verdict(chat['gap_p99'] <= GAP_GOAL)}]"
            )
        if "resize" in only:
            rounds = args.rounds or (2 if args.baseline else 1)
            print_resizes(work, args.resize_pages, rounds, args.baseline)
        if "live" in only:
            print_live(work, args)


if __name__ == "__main__":
    main()
