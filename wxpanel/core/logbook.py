"""The panel's log: a rotating file beside the data and a live ring buffer.

:func:`setup_logging` is the one place logging is configured, for the
headless command and the panel alike: a :class:`~logging.handlers.RotatingFileHandler`
writing ``DataPaths.logs / "wxpanel.log"``, optionally stderr, and a
:class:`RingBuffer` that keeps the last records in memory as immutable
:class:`LogEntry` values.  The panel's log page shows :meth:`RingBuffer.entries`,
filters them with :func:`matches`, follows new ones through
:meth:`RingBuffer.subscribe` (the callback runs in the thread that logged:
a Qt adapter re-emits it as a signal) and offers
:func:`format_for_bug_report` for "copy for a bug report".
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from wxpanel import __version__
from wxpanel.core.paths import DataPaths

LOG_FILE_NAME: Final = "wxpanel.log"
MAX_BYTES: Final = 2_000_000
BACKUP_COUNT: Final = 5
RING_CAPACITY: Final = 5000
FILE_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s %(message)s"
STDERR_FORMAT: Final = "%(asctime)s %(levelname)s %(message)s"
#: Marks the handlers :func:`setup_logging` installed, so a second call replaces them.
_MARK: Final = "_wxpanel_logbook"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One log record, copied out of :mod:`logging` so that it can cross threads."""

    seq: int  # increases by one per record: the page asks for entries after the last it has
    time: float
    level: int
    level_name: str
    logger: str
    message: str  # with the traceback, if the record carried one

    def line(self) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.time))
        millis = int(self.time % 1 * 1000)
        return f"{stamp}.{millis:03d} {self.level_name} {self.logger}: {self.message}"


Subscriber = Callable[[LogEntry], None]


class RingBuffer(logging.Handler):
    """The last ``capacity`` records, thread-safe, with subscribers for live display."""

    def __init__(self, capacity: int = RING_CAPACITY, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._entries: deque[LogEntry] = deque(maxlen=capacity)
        self._subscribers: list[Subscriber] = []
        self._guard = threading.Lock()
        self._seq = 0
        self._formatter = logging.Formatter()

    @property
    def capacity(self) -> int:
        return self._entries.maxlen or 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            if record.exc_text:
                message = f"{message}\n{record.exc_text}"
            if record.stack_info:
                message = f"{message}\n{record.stack_info}"
        except Exception:
            self.handleError(record)
            return
        with self._guard:
            self._seq += 1
            entry = LogEntry(
                self._seq, record.created, record.levelno, record.levelname, record.name, message
            )
            self._entries.append(entry)
            subscribers = tuple(self._subscribers)
        for callback in subscribers:  # outside the lock: a callback may read entries()
            try:
                callback(entry)
            except Exception:  # a broken subscriber must not break logging
                self._drop(callback)

    def entries(
        self, *, after: int = 0, min_level: int = logging.NOTSET, text: str = ""
    ) -> tuple[LogEntry, ...]:
        """A snapshot, oldest first: entries after sequence number ``after`` that match."""
        with self._guard:
            snapshot = tuple(self._entries)
        return tuple(e for e in snapshot if e.seq > after and matches(e, min_level, text))

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(entry)`` for every new record; returns the unsubscribe function.

        The callback runs in the logging thread, with logging's handler lock
        held: it must be quick and must not log.
        """
        with self._guard:
            self._subscribers.append(callback)
        return lambda: self._drop(callback)

    def _drop(self, callback: Subscriber) -> None:
        with self._guard:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()


def matches(entry: LogEntry, min_level: int = logging.NOTSET, text: str = "") -> bool:
    """The log page's filter: at least ``min_level``, ``text`` anywhere (ignoring case)."""
    if entry.level < min_level:
        return False
    if not text:
        return True
    needle = text.casefold()
    return needle in entry.message.casefold() or needle in entry.logger.casefold()


@dataclass(frozen=True, slots=True)
class Logbook:
    """What :func:`setup_logging` installed; :meth:`close` removes it again."""

    ring: RingBuffer
    path: Path | None  # the log file, None when there is no data folder (one-shot commands)
    handlers: tuple[logging.Handler, ...]

    def close(self) -> None:
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()


def setup_logging(
    paths: DataPaths | None,
    *,
    verbose: bool = False,
    stderr: bool = True,
    capacity: int = RING_CAPACITY,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
) -> Logbook:
    """Configure the root logger for a wxpanel process; safe to call again.

    The file (when ``paths`` is given) gets INFO and above, or DEBUG with
    ``verbose``; stderr likewise; the ring buffer keeps everything from DEBUG
    up, so the log page can show more than the file.  Handlers installed by
    an earlier call are removed first.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG)
    detail = logging.DEBUG if verbose else logging.INFO
    handlers: list[logging.Handler] = []
    ring = RingBuffer(capacity)
    handlers.append(ring)
    path: Path | None = None
    if paths is not None:
        paths.logs.mkdir(parents=True, exist_ok=True)
        path = paths.logs / LOG_FILE_NAME
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
        )
        file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
        file_handler.setLevel(detail)
        handlers.append(file_handler)
    if stderr:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(OneLineFormatter(STDERR_FORMAT, "%H:%M:%S"))
        console.setLevel(detail)
        handlers.append(console)
    for handler in handlers:
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    return Logbook(ring, path, tuple(handlers))


class OneLineFormatter(logging.Formatter):
    """One line per record: tracebacks go to the log file, never to the console.

    The command line promises one line per failure on stderr; a traceback
    there helps nobody running the bot and hides the line that matters.
    """

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        text = " ⏎ ".join(text.splitlines())
        if saved[0] or saved[1]:
            text += " (traceback in the log file)"
        return text


def crash_report(exc: BaseException, folder: Path | None) -> Path | None:
    """Append ``exc``'s traceback to a log file; returns the file, None if none could be written.

    The data folder's log comes first, where the operator looks; a data
    folder that cannot be written (the failure may be just that) falls back
    to the system's temporary folder.
    """
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    lines = "".join(traceback.format_exception(exc))
    text = f"{stamp} ERROR wxpanel unexpected error\n{' | '.join(environment())}\n{lines}"
    candidates = [folder] if folder is not None else []
    candidates.append(Path(tempfile.gettempdir()) / "wxpanel")
    for candidate in candidates:
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            target = candidate / LOG_FILE_NAME
            with target.open("a", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(text)
        except OSError:
            continue
        return target
    return None


def environment() -> tuple[str, ...]:
    """The lines that open a bug report: versions of everything involved."""
    return (
        f"wxpanel {__version__}",
        f"Platform: {platform.platform()} ({platform.machine() or '?'})",
        f"Python: {platform.python_version()} ({platform.python_implementation()})",
        f"SQLite: {sqlite3.sqlite_version}",
    )


def format_for_bug_report(entries: Iterable[LogEntry]) -> str:
    """Versions, then the log lines: what the "copy for a bug report" button copies."""
    lines = [*environment(), ""]
    lines.extend(entry.line() for entry in entries)
    return "\n".join(lines) + "\n"


__all__ = [
    "LOG_FILE_NAME",
    "LogEntry",
    "Logbook",
    "OneLineFormatter",
    "RingBuffer",
    "crash_report",
    "environment",
    "format_for_bug_report",
    "matches",
    "setup_logging",
]
