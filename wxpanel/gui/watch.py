"""Waking the poller when a file changes beside exchange.db or history.db.

An idle panel polling exchange.db ten times a second woke its process ten
times a second for nothing.  The OS can say when something changes instead
(inotify on Linux, directory change notifications on Windows, through
:class:`~PySide6.QtCore.QFileSystemWatcher`): every commit of demo.exe
creates and deletes ``exchange.db-journal`` beside the file and rewrites the
file; every commit of another writer of history.db appends to
``history.db-wal`` (WAL mode), which is watched as a file.  Watching
takes no SQLite lock and opens no handle on either database, so demo.exe
cannot meet it (issue 10); the poller still reads the files only through
its lock-free reader.  The watcher only
shortens the wait: polls stay the safety net (``safety_poll``), so a missed
or unsupported notification costs at most that delay.

Under traffic the poller looks every ``poll_interval`` anyway, and the
notifications are pure cost: at 1 000 commits a second they came some
3 000 times a second (each commit makes and deletes the journal and writes
the file; the poller's own commits append to history.db-wal), each a wake-up
of the poller's thread, a Python call and a wait for the GIL that the GUI
thread holds.  So the poller pauses the watch (:meth:`~ChangeWatcher.pause`)
while its next round is due within ``poll_interval`` and resumes it before a
longer wait: a paused watch is no watch at all (the kernel queues nothing).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal

log = logging.getLogger(__name__)


class ChangeWatcher(QObject):
    """Says ``changed`` when anything happens to the given files or in their folders."""

    changed = Signal()

    def __init__(self, files: tuple[Path, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._folders = sorted({str(path.parent) for path in files})
        self._files = sorted({str(path) for path in files})
        self._paused = False
        refused = self._watcher.addPaths(self._folders + self._files)
        if refused:
            log.info("not watched (polled instead): %s", ", ".join(refused))
        self._watcher.fileChanged.connect(self._changed)
        self._watcher.directoryChanged.connect(self._changed)

    @property
    def active(self) -> bool:
        """Every folder is watched: changes there are told, polls may be rare."""
        return len(self._watcher.directories()) == len(self._folders)

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Stop watching until :meth:`resume`: nothing is told, nothing wakes the thread.

        A change made while paused is not told after resuming either: the
        caller looks once more after :meth:`resume` (see the module's docstring).
        """
        if self._paused:
            return
        self._paused = True
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)

    def resume(self) -> None:
        """Watch again what :meth:`pause` stopped watching (the files that exist now)."""
        if not self._paused:
            return
        self._paused = False
        # Asking for a missing file (history.db-wal after a clean stop) would
        # only be refused; it is added by the folder's event when it appears.
        present = [path for path in self._files if Path(path).is_file()]
        self._watcher.addPaths(self._folders + present)

    def _changed(self, _path: str) -> None:
        if self._paused:
            return  # told before the watch was removed: the caller looks after resuming
        # A deleted or replaced file (history.db-wal after a checkpoint, a restore)
        # drops out of the watch; it comes back with a folder's event, so every
        # event looks for given files that exist again.  Only those are asked of
        # the file system: while all are watched, an event costs no stat.
        watched = self._watcher.files()
        for path in self._files:
            if path not in watched and Path(path).is_file():
                self._watcher.addPath(path)
        self.changed.emit()
