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
        folders = {str(path.parent) for path in files}
        self._folders = len(folders)
        self._files = sorted({str(path) for path in files})
        refused = self._watcher.addPaths(sorted(set(self._files) | folders))
        if refused:
            log.info("not watched (polled instead): %s", ", ".join(refused))
        self._watcher.fileChanged.connect(self._changed)
        self._watcher.directoryChanged.connect(self._changed)

    @property
    def active(self) -> bool:
        """Every folder is watched: changes there are told, polls may be rare."""
        return len(self._watcher.directories()) == self._folders

    def _changed(self, _path: str) -> None:
        # A deleted or replaced file (history.db-wal after a checkpoint, a restore)
        # drops out of the watch; it comes back with a folder's event, so every
        # event looks for given files that exist again.  Only those are asked of
        # the file system: while all are watched, an event costs no stat.
        watched = self._watcher.files()
        for path in self._files:
            if path not in watched and Path(path).is_file():
                self._watcher.addPath(path)
        self.changed.emit()
