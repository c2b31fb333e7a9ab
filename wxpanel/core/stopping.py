"""Stopping a command-line process on Ctrl-C and SIGTERM, always and promptly.

A Python signal handler runs in the main thread between two bytecodes, and
that may be while the main thread is inside :meth:`threading.Event.wait`
holding the event's internal lock: a handler that calls ``Event.set()``
then waits for a lock its own thread holds, and the process hangs for good
(``wxpanel headless`` once could, on SIGTERM).  So the handler here does
nothing itself.  With :func:`signal.set_wakeup_fd` the interpreter's C-level
handler writes the signal's number to a socket, and a small relay thread
reading that socket sets the event from an ordinary thread, where taking
the lock is harmless.
A socket pair rather than a pipe: Windows accepts only a socket there.

The relay also keeps the promise that stopping "finishes within 2 s or says
what it is waiting for": the main thread names its current step in
:attr:`SignalStop.phase`, and if the process has not finished a second
after the request, the relay logs what it is still waiting for.  Threads
the process cannot wait for (a request that never ends) are left behind by
:func:`exit_abandoning`, which says which.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from types import FrameType, TracebackType

log = logging.getLogger(__name__)

#: The signals that ask a command to stop.
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)
#: After this many seconds of stopping, the log says what the process waits for.
SAY_AFTER = 1.0
#: How long the end of the process waits for other threads before leaving them.
THREAD_GRACE = 1.0


class SignalStop:
    """Turns Ctrl-C and SIGTERM into ``stop.set()`` without running code in the handler.

    Use as a context manager from the main thread; the previous handlers and
    wake-up descriptor are restored on exit.
    """

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        #: What the main thread is doing; said in the log if stopping takes long.
        self.phase = "starting"
        #: The name of the first stop signal received ("SIGTERM"), None before.
        self.received: str | None = None
        self._finished = threading.Event()
        self._reader: socket.socket | None = None
        self._writer: socket.socket | None = None
        self._relay: threading.Thread | None = None
        self._previous_fd = -1
        self._previous_handlers: dict[signal.Signals, object] = {}

    def __enter__(self) -> SignalStop:
        self.install()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.uninstall()

    def install(self) -> None:
        reader, writer = socket.socketpair()
        writer.setblocking(False)  # the C handler must never block on a full buffer
        self._reader, self._writer = reader, writer
        self._previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        for signum in STOP_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, _ignore)
        self._relay = threading.Thread(target=self._relay_signals, name="wxpanel-signals")
        self._relay.daemon = True  # never what keeps the process alive
        self._relay.start()

    def uninstall(self) -> None:
        """Put the previous handlers back and end the relay thread."""
        self._finished.set()
        if self._writer is None:
            return
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        signal.set_wakeup_fd(self._previous_fd)
        self._writer.close()  # the relay reads end-of-file and returns
        if self._relay is not None:
            self._relay.join(timeout=1.0)
        if self._reader is not None:
            self._reader.close()
        self._writer = self._reader = self._relay = None

    def _relay_signals(self) -> None:
        reader = self._reader
        assert reader is not None
        wanted = {int(s) for s in STOP_SIGNALS}
        watchdog: threading.Thread | None = None
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data:
                return
            for number in data:
                if number not in wanted:
                    continue
                if self.received is None:
                    self.received = signal.Signals(number).name
                    self.stop.set()
                    watchdog = threading.Thread(
                        target=self._say_if_slow, name="wxpanel-stop-watch", daemon=True
                    )
                    watchdog.start()
                else:
                    log.warning("already stopping: waiting for %s", self.phase)

    def _say_if_slow(self) -> None:
        started = time.monotonic()
        while not self._finished.wait(SAY_AFTER):
            log.warning(
                "still stopping after %.0f s: waiting for %s",
                time.monotonic() - started,
                self.phase,
            )


def _ignore(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler: the wake-up byte does the work (see the module doc)."""


def exit_abandoning(status: int, grace: float = THREAD_GRACE) -> int:
    """Give other threads ``grace`` seconds to end, then leave them behind.

    Python waits for every non-daemon thread before a process exits, so one
    request that never ends (a server dripping a byte a second) would keep a
    stopped command alive for good.  Everything wxpanel writes is committed
    before this is called, so leaving such a thread is safe; the log says
    which were left.  Returns ``status`` when nothing was left behind.
    """
    deadline = time.monotonic() + grace
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is current or thread.daemon:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [t.name for t in threading.enumerate() if t is not current and not t.daemon]
    if not left:
        return status
    log.warning("not waiting for %s: exiting without them", ", ".join(sorted(left)))
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
