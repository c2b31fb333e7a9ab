"""Running the poller without a window: ``wxpanel headless``.

The loop is the Engine's: poll, wait the delay it asks for, repeat.  A stop
request (Ctrl-C, SIGTERM) is only looked at between two polls, and every
poll's writes are one transaction, so stopping loses nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from wxpanel.core.engine import Engine, PollResult
from wxpanel.core.health import HealthMonitor, gather_input

log = logging.getLogger(__name__)


def run(
    engine: Engine,
    stop: threading.Event,
    on_result: Callable[[PollResult], None] | None = None,
    *,
    verbose: bool = False,
) -> int:
    """Poll until ``stop`` is set; returns the number of messages ingested.

    Each message is logged (DEBUG) only when ``verbose``; otherwise one line per batch.
    """
    ingested = 0
    last_error: str | None = None
    while not stop.is_set():
        try:
            result = engine.poll()
        except Exception:  # a bug: keep the bot running, say so loudly
            log.exception("unexpected error while polling; retrying in 1 s")
            stop.wait(1.0)
            continue
        ingested += len(result.messages)
        if verbose:
            for message in result.messages:
                log.debug(
                    "%s %s %s: %s",
                    message.direction.value,
                    message.conversation,
                    message.sender or "",
                    _one_line(message.content),
                )
        elif result.messages:
            # One line per batch: a line per message cost a third of ingestion
            # and 122 MB of log for a million messages.
            log.info(
                "%d message(s) in %d conversation(s)",
                len(result.messages),
                len({message.conversation for message in result.messages}),
            )
        health = result.health
        if health is not None and health.error != last_error:
            if health.error:
                log.error("%s", health.error)
            elif last_error:
                log.info("exchange.db is readable again")
            last_error = health.error
        if on_result is not None:
            on_result(result)
        if result.delay > 0:
            stop.wait(result.delay)
    return ingested


def _one_line(text: str | None, limit: int = 200) -> str:
    """A message as one log line: newlines shown, long texts cut."""
    flat = (text or "").replace("\r", "").replace("\n", " ⏎ ")
    return flat if len(flat) <= limit else flat[:limit] + "…"


class HealthLog:
    """Logs health checks turning red and recovering, for an operator reading the log.

    Fed with every :class:`PollResult`; measures the disks only when the
    Engine sent a fresh health snapshot (about once a second).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._monitor = HealthMonitor(started_at=time.time())

    def __call__(self, result: PollResult) -> None:
        # Commands, auto-reply alerts and timed runs are logged by the Engine
        # (wxpanel.core.activity), for the panel and headless alike.
        if result.health is None:
            return
        data = gather_input(
            self._engine.exchange_db, self._engine.paths.history, result.health, time.time()
        )
        for transition in self._monitor.update(data):
            if transition.recovered:
                log.info("health: %s recovered: %s", transition.check.title, transition.check.text)
            else:
                log.warning("health: %s is red: %s", transition.check.title, transition.check.text)
