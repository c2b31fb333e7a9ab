"""The pages' one way to history.db: injected, and never a long wait on the GUI thread.

The rules, timed messages and answer sources pages read and edit a few small
tables (rules, settings, sources), on the operator's click.  They used to open
two connections of their own, each waiting up to a second for a lock: one
``wxpanel export`` or a slow disk froze the window that long, on every click.

:class:`HistoryService` is made once by :mod:`wxpanel.gui.panel` and handed
to the controls that need it; nothing finds it through a parent widget.  It
opens one connection when the poller has created the file, and every
statement on it keeps to a budget, so the GUI thread never waits on SQLite
for more than about a frame or two:

- a lock held by another program is waited for at most :data:`LOCK_BUDGET`
  (SQLite's busy timeout), then the call fails with "database is locked";
- a statement that runs longer than :data:`RUN_BUDGET` is interrupted (a
  progress handler, armed by a trace callback as each statement starts).

Either way the page says "history.db is busy; try again in a moment" and
keeps what it showed: the rows stay in the file, and the next click (or the
poller's next report) reads them.  The poller's own work on history.db runs
on its thread (:mod:`wxpanel.gui.worker`) and is not held to this budget.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Signal

from wxpanel.core.errors import KnownError
from wxpanel.core.history import open_history
from wxpanel.core.rules import RuleStore, TimedStore
from wxpanel.core.sources import SourceStore

#: How long a statement waits for another program's lock before it gives up.
LOCK_BUDGET: Final = 0.1
#: How long a statement may run before it is interrupted.
RUN_BUDGET: Final = 0.1
#: SQLite virtual-machine steps between two looks at the clock.
_STEPS_PER_LOOK: Final = 1000


class HistoryService(QObject):
    """One budgeted connection to history.db and the stores the pages use on it."""

    #: The stores are usable (history.db is open).
    opened = Signal()
    #: history.db could not be opened: why, for the window's banner.
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.conn: sqlite3.Connection | None = None
        self.rules: RuleStore | None = None
        self.timed: TimedStore | None = None
        self.sources: SourceStore | None = None
        self._deadline = 0.0

    def open(self, path: Path) -> bool:
        """Open history.db (the poller created it); True once the stores are usable."""
        if self.conn is not None:
            return True
        try:
            conn = open_history(path, busy_timeout=LOCK_BUDGET)
        except (KnownError, sqlite3.Error, OSError) as exc:
            self.failed.emit(self.tr("Cannot open history.db: %1").replace("%1", str(exc)))
            return False
        conn.set_trace_callback(self._statement_starts)
        conn.set_progress_handler(self._over_budget, _STEPS_PER_LOOK)
        self.conn = conn
        self.rules = RuleStore(conn)
        self.timed = TimedStore(conn)
        self.sources = SourceStore(conn)
        self.opened.emit()
        return True

    def close(self) -> None:
        self.rules = self.timed = self.sources = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _statement_starts(self, _sql: str) -> None:
        self._deadline = time.monotonic() + RUN_BUDGET

    def _over_budget(self) -> int:
        """Nonzero interrupts the statement (``sqlite3.OperationalError: interrupted``)."""
        return int(time.monotonic() > self._deadline)


def busy(exc: BaseException) -> bool:
    """A call that ran out of its budget: locked by another program, or interrupted."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT)
