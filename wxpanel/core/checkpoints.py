"""Copying history.db-wal back into history.db, outside the poller's rounds.

In WAL mode every commit appends to ``history.db-wal``, and a *checkpoint*
copies those pages into history.db (and syncs it) so that the -wal can
start over.  SQLite runs one by itself inside the commit that takes the -wal
past 1 000 pages: under a flood of messages that was one round in five to
ten whose commit took 20-90 ms instead of 3, and every message of that
round (and the ones arriving meanwhile) waited for it.

So the Engine's connection turns SQLite's own checkpoints off and tells a
:class:`Checkpointer` after each commit; the checkpointer copies the -wal on
a thread and connection of its own, at most every :data:`EVERY` seconds
while there are writes (and not at all while there are none).  A
``PASSIVE`` checkpoint runs beside the writer: it takes no lock the writer
waits for, copies what no reader still needs, and waits for nobody.  A
page written in many rounds is copied once per checkpoint, not once per
1 000 pages.  Its one statement runs without the GIL, so the poller's
Python is not held up either.  What the writer appended while it ran is
copied by the writer itself, once, between two of its transactions
(:meth:`Checkpointer.catch_up`): only then can the -wal start over.

Nothing here changes what a crash leaves: a commit is durable once it is in
the synced -wal (``synchronous=FULL``), and a checkpoint interrupted by a
crash is done again by the next connection.  The -wal cannot grow without
bound: should the checkpointer fail (a read-only copy, an unexpected error),
the connection it was serving gets SQLite's own checkpoints back
(:meth:`Checkpointer.wrote`).  The poller's other connection (the
panel's pages and edits) leaves checkpoints to the checkpointer too; other
programs' (``wxpanel send``) keep SQLite's default.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

#: Seconds between two checkpoints while the -wal is being written.
EVERY = 1.0
#: SQLite's own checkpoint threshold (pages), given back if the checkpointer fails.
SQLITE_DEFAULT_PAGES = 1000


class Checkpointer:
    """Checkpoints one history.db on a thread of its own, after writes, at most every ``every`` s.

    ``conn`` is the writer's connection: its automatic checkpoints are
    turned off here, and back on if this one cannot do its work.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, every: float = EVERY) -> None:
        self._conn = conn
        self._path = path
        self._every = every
        self._wrote = threading.Event()
        self._stop = threading.Event()
        self._failed = False  # set by the thread when it gave up
        self._given_back = False  # SQLite's own checkpoints were turned back on
        self._side_done = False  # a checkpoint on the side ended: the writer catches up
        #: Set after each checkpoint (for tests and the curious).
        self.checkpointed = threading.Event()
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._thread = threading.Thread(target=self._run, name="wxpanel-checkpoint", daemon=True)
        self._thread.start()

    def wrote(self) -> None:
        """The writer committed: a checkpoint is due within ``every`` seconds.

        Costs an event's flag; called from the writer's thread.
        """
        if self._failed and not self._given_back:
            self._given_back = True
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_DEFAULT_PAGES:d}")
            log.info("%s: SQLite checkpoints the -wal itself again", self._path)
        self._wrote.set()

    def catch_up(self) -> None:
        """After a checkpoint on the side: copy the last few pages in the writer's thread.

        The -wal starts over only when a write transaction begins with every
        page of it copied, and under a steady flood the writer appends while
        the side's checkpoint runs: the -wal grew by 10 MB a second at
        1 000 ev/s and was never restarted.  So once after each checkpoint
        on the side, the writer (between its transactions) copies what it
        appended meanwhile, a round's pages or so, and its next transaction
        starts the -wal over.  Called from the writer's thread.
        """
        if not self._side_done:
            return
        self._side_done = False
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.OperationalError as exc:  # busy, read-only: the next one does it
            log.debug("%s: no catch-up checkpoint: %s", self._path, exc)

    def close(self) -> None:
        """Stop the thread (a checkpoint under way ends first).  The caller checkpoints last."""
        self._stop.set()
        self._wrote.set()
        self._thread.join()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                self._wrote.wait()
                if self._stop.is_set():
                    return
                self._wrote.clear()
                if conn is None:
                    conn = sqlite3.connect(self._path, isolation_level=None)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self._side_done = True
                self.checkpointed.set()
                if self._stop.wait(self._every):
                    return
        except sqlite3.Error as exc:
            log.warning("%s: cannot checkpoint the -wal on the side: %s", self._path, exc)
            self._failed = True
        finally:
            if conn is not None:
                conn.close()
