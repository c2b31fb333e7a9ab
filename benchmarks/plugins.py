"""Plugin call cost: a handler in its worker process against the same handler called directly.

What is measured, on ``--calls`` calls (default 2000) of the example plugin
(``resources/plugins/example_plugin.py``: "ping" → "pong", "天气 北京" → a
forecast, anything else → no answer; the three alternate):

* ``in-process``      -- the baseline: the plugin's handlers called in this
  process, the answer normalised (:func:`~wxpanel.core.sources.plugin_api.normalize`),
  what wxpanel did before plugins moved out of process;
* ``worker process``  -- :meth:`PluginHost.call`: the message pickled over a
  pipe to the plugin's worker, the handlers run there, the answer back;
  what every plugin call costs now.

Printed: mean, p50, p99 and max per call, and the added cost per call
(worker mean − in-process mean).  Goal: the worker call under 5 ms (judged
on p99 of the best repetition).  The worker's start (once per plugin and
after each edit of its file) is timed separately.

Run: ``python benchmarks/plugins.py [--calls 2000] [--repeat 3]``.  Exit
status is 0 whatever the verdict.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

import _common as common

from wxpanel.core.protocol import MessageType
from wxpanel.core.sources.plugin_api import IncomingMessage, normalize
from wxpanel.core.sources.plugin_worker import load
from wxpanel.core.sources.plugins import PluginHost

GOAL = 0.005  # seconds per call
FOLDER = common.REPO / "resources" / "plugins"
TEXTS = ("ping", "天气 北京", "你好")


def messages(count: int) -> list[IncomingMessage]:
    return [
        IncomingMessage("wxid_a", "wxid_a", False, MessageType.TEXT, TEXTS[i % 3], 1.0, False, i)
        for i in range(count)
    ]


def row(name: str, timings: Sequence[float]) -> str:
    cells = [
        statistics.fmean(timings),
        common.median(timings),
        common.percentile(timings, 99),
        max(timings),
    ]
    return f"  {name:<18}" + "".join(f" {v * 1e6:9.1f}µs" for v in cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    items = messages(args.calls)

    handlers = load("bench", FOLDER / "example_plugin.py")

    def in_process(message: IncomingMessage) -> object:
        for _info, function in handlers:
            replies = normalize(function(message))
            if replies:
                return replies
        return ()

    host = PluginHost([FOLDER])
    start = time.perf_counter()
    host.refresh()
    started = time.perf_counter() - start
    if host.plugins()["example_plugin"].error:
        raise SystemExit(host.plugins()["example_plugin"].error)
    try:
        for message in items[:50]:  # both warmed up alike
            in_process(message)
            host.call("example_plugin", message, 5.0)
        direct = common.best_of(args.repeat, lambda: common.time_each(items, in_process))
        worker = common.best_of(
            args.repeat,
            lambda: common.time_each(items, lambda m: host.call("example_plugin", m, 5.0)),
        )
    finally:
        host.close()

    print(f"worker started and plugin loaded in {started * 1000:.0f} ms; {args.calls} calls")
    print()
    print(f"  {'per call':<18}" + "".join(f" {h:>11}" for h in ("mean", "p50", "p99", "max")))
    print(row("in-process", direct))
    print(row("worker process", worker))
    added = statistics.fmean(worker) - statistics.fmean(direct)
    p99 = common.percentile(worker, 99)
    print()
    print(f"out of process adds {added * 1e6:.0f} µs per call (mean)")
    print(
        f"worker call p99 {p99 * 1e6:.0f} µs, goal < {GOAL * 1e6:.0f} µs:"
        f" {common.verdict(p99 < GOAL)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
