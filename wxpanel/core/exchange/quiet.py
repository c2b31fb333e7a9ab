"""When to write: in one of demo.exe's quiet moments, never in the middle of its burst.

Every write of ours holds exchange.db's write lock for a few milliseconds,
and demo.exe loses each message whose INSERT falls inside that window.  For
messages arriving at random that costs ``rate x window`` messages a write,
whatever the moment.  But demo.exe handles WeChat's messages one after the
other on one thread: when they come faster than it commits them (a busy
group, WeChat delivering the messages it missed while offline), they queue
up, and it then tries one INSERT right after another, each failing at once
against a lock.  A write that lands in such a burst costs every message
queued behind it: measured with the stand-in at 100 messages/s, one 11 ms
write lost 18 messages, against one or none in a quiet moment.

So the poller notes the file's state at the start of each round (a
lock-free probe: ``PRAGMA data_version`` on the reader's ``nolock``
connection, and the journal's presence) and looks again just before it
writes.  If demo.exe wrote meanwhile, or is writing, it is busy: the write
waits until it has committed nothing for :data:`QUIET` seconds, which a
demo.exe with a queue, committing every few milliseconds, never is.  A
reply is worth more than the hope of a better moment, so after
:data:`PATIENCE` seconds of waiting the write goes ahead anyway.  When
demo.exe wrote nothing during the round, the write goes ahead at once: a
quiet file costs no latency.
"""

from __future__ import annotations

import math
from typing import Final, Protocol

#: demo.exe wrote nothing for this long: it has no queue of messages to write.
QUIET: Final = 0.03
#: The longest a write waits for a quiet moment before it goes ahead anyway.
PATIENCE: Final = 5.0
#: How soon to look again when the moment was not quiet.
RECHECK: Final = 0.01


class Probe(Protocol):
    def write_mark(self) -> object | None:
        """A value that changes whenever anybody commits; None while a journal stands."""


class QuietMoments:
    """Tells the poller whether now is a moment to write, or when to look again; takes no lock.

    ``quiet=0`` turns the wait off (every write goes ahead at once).
    """

    def __init__(self, probe: Probe, *, quiet: float = QUIET, patience: float = PATIENCE) -> None:
        self._probe = probe
        self.quiet = quiet
        self.patience = patience
        self._mark: object | None = None
        self._changed_at = -math.inf
        self._waiting_since: float | None = None
        #: Writes that waited, and those that went ahead only because patience ran out.
        self.waited = 0
        self.impatient = 0

    def note(self, now: float) -> None:
        """A round starts: remember the file's state, to see whether demo.exe writes during it."""
        if self.quiet > 0:
            self._look(now)

    def hold(self, now: float) -> float | None:
        """None when a write may start now; else when to look again."""
        if self.quiet <= 0:
            return None
        busy = self._look(now)
        if not busy and self._waiting_since is None:
            return None  # nothing written since the round began: a quiet file
        if self._waiting_since is None:
            self._waiting_since = now
            self.waited += 1
        if now - self._changed_at >= self.quiet or now - self._waiting_since >= self.patience:
            if now - self._changed_at < self.quiet:
                self.impatient += 1
            self._waiting_since = None
            return None
        return now + max(RECHECK, self._changed_at + self.quiet - now)

    def _look(self, now: float) -> bool:
        """Probe the file; True if demo.exe is writing or wrote since the last look."""
        mark = self._probe.write_mark()
        if mark is None or mark != self._mark:
            first = self._mark is None and mark is not None and self._changed_at == -math.inf
            self._mark = mark
            if not first:
                self._changed_at = now
                return True
        return False
