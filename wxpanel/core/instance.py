"""One consumer per exchange.db.

Two pollers on the same file would each take part of the events and each
pace its own sends.  The lock is an OS file lock, so it disappears with the
process, even after kill -9: no stale lock to clean up by hand.  Its file is
named after the exchange.db's identity (device and inode; on Windows the
volume serial number and file index), not its path, so a second path or a
hard link to the same file finds the lock taken; and it lives in the user's
temporary folder, so that nothing of wxpanel's is left beside demo.exe's file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO

from wxpanel.core.errors import AlreadyRunningError
from wxpanel.core.texts import Text


def lock_path_for(exchange_db: Path) -> Path:
    """The lock file of the file ``exchange_db`` names (which must exist)."""
    identity = os.stat(exchange_db)
    owner = getattr(os, "getuid", lambda: "")()  # /tmp is shared between users on POSIX
    folder = Path(tempfile.gettempdir()) / f"wxpanel-locks{owner and f'-{owner}'}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{identity.st_dev:x}-{identity.st_ino:x}.lock"


class InstanceLock:
    """Held while this process consumes ``exchange_db``; its pid is in the file."""

    def __init__(self, exchange_db: Path) -> None:
        self.exchange_db = Path(exchange_db)
        self.path = lock_path_for(exchange_db)
        self._handle: IO[str] | None = None

    def acquire(self) -> InstanceLock:
        handle = self.path.open("a+", encoding="utf-8")
        try:
            _lock(handle)
        except OSError as exc:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            handle.close()
            text = Text.of("already_running", path=str(self.exchange_db), pid=owner)
            raise AlreadyRunningError(text) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
