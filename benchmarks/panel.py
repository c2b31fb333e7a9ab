"""The panel's figures (issues 3 and 5): stalls, memory, start-up, statistics refresh.

Each measurement runs the real :class:`~wxpanel.gui.mainwindow.MainWindow`
(offscreen) in a child process of its own, so that memory and start-up are
not coloured by what ran before:

* ``start-up``   -- from the child's first line (before Qt is imported) to
  the first painted window, and from spawning the process (interpreter
  start included) to that moment; the time until the poller is up beside.
* ``burst``      -- the longest event-loop stall while a burst of
  ``--burst`` (5 000) events arrives in one commit, as demo.exe's queue
  would after a pause: a 5 ms ``QTimer`` records the largest gap between
  its ticks from the commit until every message is in the feed, the
  conversation list and the statistics page (visible, refreshing); repeated
  ``--repeat`` times on the same window.  Goal < 100 ms.
* ``memory``     -- resident memory of the panel opened on a history of
  ``--history`` (100 000) messages (built through the Engine from wx_event
  rows), with the busiest conversation open and the statistics page shown;
  then the same after another ``--history`` events arrived live while the
  window was open (the feed keeps its cap).  Goal < 200 MB.
* ``statistics`` -- with ``--stats-messages`` (1 000 000) messages in
  history (built by ``benchmarks/stats.py``'s builder): the page's refresh,
  from the request to the figures on screen (worker's collect() plus the
  GUI filling labels, chart and tables), and the GUI-thread part alone.
  Goal < 100 ms.

Run: ``python benchmarks/panel.py [--burst 5000] [--repeat 3] [--history 100000]
[--stats-messages 1000000] [--only startup,burst,memory,statistics]``.
Linux reads memory from /proc; elsewhere the peak from ``resource`` or n/a.
Exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before anything heavy is imported: the start-up clock

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import _common as common  # noqa: E402

STALL_GOAL = 0.100
MEMORY_GOAL = 200 * 1024 * 1024
REFRESH_GOAL = 0.100
TICK_MS = 5


def rss() -> tuple[int | None, int | None]:
    """(current, peak) resident memory in bytes, when the platform tells."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
        return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        try:
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            return None, peak
        except ImportError:  # Windows
            return None, None


def _mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 1048576:.0f} MB"


# -- the child: one window, one measurement ----------------------------------------


class Child:
    """A window on ``db`` with its data in ``data``; Qt imported here, not above."""

    def __init__(self, db: Path, data: Path) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QEvent, QObject, Qt, QTimer
        from PySide6.QtWidgets import QApplication

        from wxpanel.core.outbox import OutboxConfig
        from wxpanel.core.pacer import PacerConfig, PacingRule
        from wxpanel.core.settings import Settings
        from wxpanel.gui.app import tune_gc
        from wxpanel.gui.panel import build_panel
        from wxpanel.gui.worker import PollThread

        self.imported = time.perf_counter()
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        tune_gc()  # as app.run_gui does
        rule = PacingRule(0.0, 0.0, 10_000)
        settings = Settings(pacer=PacerConfig(rule, rule), outbox=OutboxConfig())
        self.panel = build_panel(PollThread(db, data, settings))
        self.window = self.panel.window
        self.window.resize(1100, 700)
        self.constructed = time.perf_counter()
        self.painted: float | None = None
        self.ready: float | None = None
        self.db = db

        class FirstPaint(QObject):
            def eventFilter(inner, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and self.painted is None:
                    # the whole first frame is painted before a zero timer fires
                    QTimer.singleShot(0, self._painted)
                    self.painted = -1.0
                return False

        self._filter = FirstPaint()
        self.app.installEventFilter(self._filter)
        self.window.poller.ready.connect(self._ready)
        self.window.show()
        self.window.start()
        self.QTimer = QTimer
        self.Qt = Qt

    def _painted(self) -> None:
        self.painted = time.perf_counter()
        self.app.removeEventFilter(self._filter)

    def _ready(self, _paths: object) -> None:
        self.ready = time.perf_counter()

    def wait(self, condition: Any, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            self.app.processEvents()
            time.sleep(0.001)

    def idle(self) -> bool:
        window = self.window
        return not window._pending and not window._drain_timer.isActive()

    def close(self) -> None:
        self.window.close()


def child_startup(db: Path, data: Path) -> dict[str, Any]:
    child = Child(db, data)
    child.wait(lambda: child.painted is not None and child.painted > 0 and child.ready)
    result = {
        "imports": child.imported - STARTED,
        "constructed": child.constructed - STARTED,
        "painted": (child.painted or 0.0) - STARTED,
        "ready": (child.ready or 0.0) - STARTED,
    }
    child.close()
    return result


class StallMeter:
    """The largest gap between the ticks of a 5 ms timer."""

    def __init__(self, child: Child) -> None:
        self.timer = child.QTimer()
        self.timer.setTimerType(child.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def start(self) -> None:
        self.worst = 0.0
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return self.worst


def child_burst(db: Path, data: Path, burst: int, repeat: int) -> dict[str, Any]:
    child = Child(db, data)
    window = child.window
    child.wait(lambda: child.ready is not None)
    window.show_page(child.panel.dashboard.stats_page)  # refreshing while it all arrives
    meter = StallMeter(child)
    idle_gap: list[float] = []
    meter.start()
    child.wait(lambda: time.perf_counter() - meter.last > 0 and meter.timer.isActive(), 1)
    end = time.perf_counter() + 1.0
    child.wait(lambda: time.perf_counter() >= end)
    idle_gap.append(meter.stop())
    stalls: list[float] = []
    shown: list[float] = []
    for run in range(repeat):
        rows = common.make_rows(burst, seed=100 + run)
        target = window.feed.rowCount() + burst
        cap = window.feed.cap
        meter.start()
        began = time.perf_counter()
        writer = threading.Thread(target=common.insert_rows, args=(db, rows))
        writer.start()
        child.wait(lambda: window.feed.rowCount() >= min(target, cap) and child.idle())  # noqa: B023
        shown.append(time.perf_counter() - began)
        writer.join()
        stalls.append(meter.stop())
    child.close()
    return {"idle": idle_gap[0], "stalls": stalls, "shown": shown}


def child_memory(db: Path, data: Path, live: int) -> dict[str, Any]:
    child = Child(db, data)
    window = child.window
    child.wait(lambda: child.ready is not None and window.conversations.rowCount() > 0)
    window.conversation_view.setCurrentIndex(window.conversations.index(0, 0))
    child.wait(lambda: window.chat.rowCount() > 0 and child.idle())
    page = child.panel.dashboard.stats_page
    window.show_page(page)
    child.wait(lambda: page.stats is not None)
    end = time.perf_counter() + 1.0
    child.wait(lambda: time.perf_counter() >= end)
    opened, _peak = rss()
    feed_before = window.feed.rowCount()
    sent = 0
    while sent < live:
        size = min(5000, live - sent)
        common.insert_rows(db, common.make_rows(size, seed=1000 + sent))
        sent += size
        child.wait(lambda: window.feed.rowCount() >= min(feed_before + sent, window.feed.cap))  # noqa: B023
    child.wait(child.idle)
    end = time.perf_counter() + 1.0
    child.wait(lambda: time.perf_counter() >= end)
    after, peak = rss()
    result = {
        "opened": opened,
        "after_live": after,
        "peak": peak,
        "feed_rows": window.feed.rowCount(),
        "conversations": window.conversations.rowCount(),
    }
    child.close()
    return result


def child_statistics(db: Path, data: Path, repeat: int) -> dict[str, Any]:
    child = Child(db, data)
    window = child.window
    child.wait(lambda: child.ready is not None)
    page = child.panel.dashboard.stats_page
    window.show_page(page)
    child.wait(lambda: page.stats is not None)
    page._timer.stop()  # only the refreshes asked for below
    gui_times: list[float] = []
    original = page.show_stats

    def timed_show(figures: Any) -> None:
        began = time.perf_counter()
        original(figures)
        gui_times.append(time.perf_counter() - began)

    window.poller.statsReady.disconnect(child.panel.dashboard._on_stats)
    window.poller.statsReady.connect(timed_show)
    round_trips: list[float] = []
    for _ in range(repeat):
        before = len(gui_times)
        page.request()
        child.wait(lambda: len(gui_times) > before)  # noqa: B023
        round_trips.append(page.last_refresh_seconds or 0.0)
    stats = page.stats
    child.close()
    return {
        "round_trips": round_trips,
        "gui": gui_times,
        "incoming": stats.all_time.incoming if stats else None,
    }


def run_child(kind: str, db: Path, data: Path, *extra: str) -> tuple[dict[str, Any], float]:
    began = time.perf_counter()
    process = subprocess.run(
        [
            sys.executable,
            "-X",
            "faulthandler",
            __file__,
            "--child",
            kind,
            str(db),
            str(data),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")},
    )
    wall = time.perf_counter() - began
    lines = [line for line in process.stdout.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        sys.stderr.write(process.stderr[-3000:])
        raise SystemExit(f"the {kind} child failed ({process.returncode})")
    return json.loads(lines[-1]), wall


# -- building histories ------------------------------------------------------------------


def history_through_engine(folder: Path, messages: int) -> tuple[Path, Path]:
    """``messages`` events queued in wx_event, then consumed by the Engine (no Qt)."""
    from wxpanel.core.engine import Engine

    db = common.fresh_exchange(folder)
    data = folder / "data"
    for start in range(0, messages, 20_000):
        common.insert_rows(db, common.make_rows(min(20_000, messages - start), seed=start + 1))
    with Engine(db, data_dir=data) as engine:
        while True:
            result = engine.poll()
            if result.health is not None and result.health.backlog == 0 and result.delay > 0:
                break
    return db, data


def history_direct(folder: Path, messages: int) -> tuple[Path, Path]:
    """A history of ``messages`` messages written with SQL by benchmarks/stats.py's builder."""
    import stats as stats_benchmark  # benchmarks/stats.py, beside this file

    from wxpanel.core.paths import DataPaths

    db = common.fresh_exchange(folder)
    data = folder / "data"
    paths = DataPaths.beside(db, data).ensure()
    stats_benchmark.build_history(paths.history, messages, 30, 300, time.time())
    return db, data


# -- the report ----------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def bench_startup(root: Path, repeat: int) -> None:
    folder = root / "startup"
    db = common.fresh_exchange(folder)
    rows = []
    for _ in range(repeat):
        shutil.rmtree(folder / "data", ignore_errors=True)
        result, _wall = run_child("startup", db, folder / "data")
        rows.append(result)
    print("start-up (offscreen, empty history; median of", repeat, "runs):")
    for key, label in (
        ("imports", "imports done (Qt, wxpanel)"),
        ("constructed", "MainWindow constructed"),
        ("painted", "first window painted"),
        ("ready", "poller up (Engine open)"),
    ):
        print(f"  {label:<36}{_ms(statistics.median(r[key] for r in rows))}")
    print("  (from the script's first line; the interpreter's own start adds ~20-50 ms)")


def bench_burst(root: Path, burst: int, repeat: int) -> None:
    folder = root / "burst"
    db = common.fresh_exchange(folder)
    result, _wall = run_child("burst", db, folder / "data", str(burst), str(repeat))
    worst = max(result["stalls"])
    print(f"burst of {burst:,} events in one commit (statistics page visible), {repeat} runs:")
    print(f"  idle, longest gap of a {TICK_MS} ms timer  {_ms(result['idle'])}")
    for run, (stall, shown) in enumerate(zip(result["stalls"], result["shown"], strict=True), 1):
        print(f"  run {run}: longest stall {_ms(stall)}; all shown after {_ms(shown)}")
    print(f"goal longest stall < {STALL_GOAL * 1000:.0f} ms: {common.verdict(worst < STALL_GOAL)}")


def bench_memory(root: Path, messages: int) -> None:
    folder = root / "memory"
    began = time.perf_counter()
    db, data = history_through_engine(folder, messages)
    built = time.perf_counter() - began
    result, _wall = run_child("memory", db, data, str(messages))
    print(f"memory: history of {messages:,} messages (built through the Engine in {built:.1f} s):")
    print(f"  opened, busiest chat and statistics shown   {_mb(result['opened'])}")
    print(
        f"  after {messages:,} more events arrived live    {_mb(result['after_live'])}"
        f" (feed holds {result['feed_rows']:,} rows; peak {_mb(result['peak'])})"
    )
    measured = result["after_live"] or result["peak"]
    ok = measured is not None and measured < MEMORY_GOAL
    verdict = common.verdict(ok) if measured is not None else "n/a"
    print(f"goal resident memory < {MEMORY_GOAL // 1048576} MB: {verdict}")


def bench_statistics(root: Path, messages: int, repeat: int) -> None:
    folder = root / "statistics"
    began = time.perf_counter()
    db, data = history_direct(folder, messages)
    built = time.perf_counter() - began
    result, _wall = run_child("statistics", db, data, str(repeat))
    trips, gui = result["round_trips"], result["gui"]
    print(f"statistics page with {messages:,} messages in history (built in {built:.1f} s):")
    print(
        f"  refresh, request to figures on screen   {_ms(min(trips))} best"
        f" {_ms(statistics.median(trips))} median ({len(trips)} runs)"
    )
    print(
        f"  of which GUI thread (labels, chart)     {_ms(min(gui))} best"
        f" {_ms(statistics.median(gui))} median"
    )
    median = statistics.median(trips)
    print(f"  incoming shown: {result['incoming']:,}")
    print(f"goal refresh < {REFRESH_GOAL * 1000:.0f} ms: {common.verdict(median < REFRESH_GOAL)}")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, db, data, *extra = sys.argv[2:]
        numbers = [int(value) for value in extra]
        runners = {
            "startup": lambda: child_startup(Path(db), Path(data)),
            "burst": lambda: child_burst(Path(db), Path(data), *numbers),
            "memory": lambda: child_memory(Path(db), Path(data), *numbers),
            "statistics": lambda: child_statistics(Path(db), Path(data), *numbers),
        }
        print(json.dumps(runners[kind]()), flush=True)
        # The figures are out; skip the interpreter's teardown of Qt objects in
        # arbitrary order, which can crash after the fact and hide them.
        os._exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--stats-messages", type=int, default=1_000_000)
    parser.add_argument("--stats-repeat", type=int, default=20)
    parser.add_argument("--only", default="startup,burst,memory,statistics")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    root = Path(tempfile.mkdtemp(prefix="wxpanel-panel-"))
    try:
        if "startup" in wanted:
            bench_startup(root, args.repeat)
        if "burst" in wanted:
            bench_burst(root, args.burst, args.repeat)
        if "memory" in wanted:
            bench_memory(root, args.history)
        if "statistics" in wanted:
            bench_statistics(root, args.stats_messages, args.stats_repeat)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
