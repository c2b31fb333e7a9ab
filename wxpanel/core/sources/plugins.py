"""Loading plugin files and calling their handlers, each plugin in a process of its own.

:class:`PluginHost` watches the ``.py`` files directly inside its folders
(names starting with ``_`` or ``.`` are skipped; a name found in two
folders is taken from the first).  :meth:`PluginHost.refresh` compares each
file's modification time and size with what was loaded and (re)loads what
changed; it is cheap (a ``stat`` per file) and runs on worker threads,
never on the poller.

Each loaded plugin lives in a worker process
(:class:`~.plugin_worker.PluginProcess`, which says why and how): a call
waits at most the plugin's timeout, and a plugin that overran, died
(``os._exit``, a closed pipe) or raised is disabled with its error; a
worker that overran or died is killed, so nothing of it keeps running.  It
is started again when its file changes, or at its next call after the
operator switched it on again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from wxpanel.core.sources.plugin_api import IncomingMessage, Reply
from wxpanel.core.sources.plugin_worker import (
    MEMORY_LIMIT,
    STOP_WAIT,
    PluginProcess,
    WorkerError,
)

#: Longest a plugin file may take to start and import.
LOAD_TIMEOUT: Final = 10.0


class PluginFailure(Exception):
    """A plugin raised, hung or returned garbage; it must be disabled with this text."""

    def __init__(self, plugin: str, message: str) -> None:
        super().__init__(message)
        self.plugin = plugin


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """A plugin file as last loaded; ``generation`` changes with every (re)load."""

    name: str
    path: Path
    generation: int
    handlers: tuple[str, ...] = ()
    error: str | None = None  # it could not be loaded
    missing: bool = False  # the file is gone


@dataclass(slots=True)
class _Loaded:
    info: PluginInfo
    stamp: tuple[int, int]
    worker: PluginProcess | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    failed: str | None = None  # disabled by a failure since the last load
    retired: bool = False  # replaced by a reload, or the host closed: its worker is stopped


class PluginHost:
    """The plugins of some folders; thread-safe.  :meth:`close` stops every worker."""

    def __init__(
        self,
        folders: Sequence[Path],
        *,
        load_timeout: float = LOAD_TIMEOUT,
        memory_limit: int = MEMORY_LIMIT,
    ) -> None:
        self.folders = tuple(Path(f) for f in folders)
        self.load_timeout = load_timeout
        self.memory_limit = memory_limit
        self.killed = 0  # workers stopped because they overran or died
        self.version = 0  # bumped whenever :meth:`plugins` changes
        self._plugins: dict[str, _Loaded] = {}
        self._refreshing = threading.Lock()  # one refresh at a time (loads may take seconds)
        self._guard = threading.Lock()  # the dict only: never held while plugin code runs
        self._generation = 0
        self._closed = False

    def files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for folder in self.folders:
            try:
                entries = sorted(folder.iterdir())
            except OSError:
                continue
            for path in entries:
                name = path.stem
                if (
                    path.suffix == ".py"
                    and not name.startswith(("_", "."))
                    and name not in found
                    and path.is_file()
                ):
                    found[name] = path
        return found

    def refresh(self) -> list[str]:
        """Load new and changed files; returns the names whose :class:`PluginInfo` changed."""
        with self._refreshing:
            changed: list[str] = []
            if self._closed:
                return changed
            files = self.files()
            for name, path in files.items():
                try:
                    stat = path.stat()
                except OSError:
                    continue
                stamp = (stat.st_mtime_ns, stat.st_size)
                current = self._plugins.get(name)
                if current is not None and current.stamp == stamp and current.info.path == path:
                    continue
                loaded = self._load(name, path, stamp)
                with self._guard:
                    self._plugins[name] = loaded
                if current is not None:
                    self._retire(current)
                if self._closed:  # closed while this one loaded
                    self._retire(loaded)
                changed.append(name)
            for name, loaded in list(self._plugins.items()):
                if name not in files and not loaded.info.missing:
                    self._generation += 1
                    info = PluginInfo(name, loaded.info.path, self._generation, (), None, True)
                    with self._guard:
                        self._plugins[name] = _Loaded(info, (0, 0))
                    self._retire(loaded)
                    changed.append(name)
            if changed:
                self.version += 1
            return changed

    def plugins(self) -> dict[str, PluginInfo]:
        with self._guard:
            return {name: loaded.info for name, loaded in self._plugins.items()}

    def disable(self, name: str, error: str) -> None:
        """Stop calling ``name`` until its file changes (the hub also stores this)."""
        loaded = self._plugins.get(name)
        if loaded is not None:
            loaded.failed = error

    def enable(self, name: str) -> None:
        """The operator switched a failed plugin on again (its worker restarts if it must)."""
        loaded = self._plugins.get(name)
        if loaded is not None:
            loaded.failed = None

    def call(self, name: str, message: IncomingMessage, timeout: float) -> tuple[Reply, ...]:
        """Ask the plugin's handlers in order; the first answer wins (empty: none answered).

        Raises :class:`PluginFailure` when a handler raises, exceeds ``timeout``,
        returns something invalid or ends its process; the plugin is then
        disabled here.
        """
        loaded = self._plugins.get(name)
        if loaded is None or loaded.info.missing:
            raise PluginFailure(name, "the plugin file is gone")
        if loaded.info.error is not None:
            raise PluginFailure(name, loaded.info.error)
        if loaded.failed is not None or self._closed:
            return ()
        if not loaded.lock.acquire(timeout=timeout):
            return ()  # another call of this plugin is slow: do not pile up
        try:
            try:
                if loaded.worker is None or not loaded.worker.alive:
                    loaded.worker = self._start(name, loaded.info.path)
                return loaded.worker.call(message, timeout)
            except WorkerError as exc:
                error = str(exc)
            if loaded.retired:
                return ()  # stopped by a reload or by close(): not the plugin's fault
            worker, loaded.worker = loaded.worker, None
            if worker is not None:
                if not worker.alive:
                    self.killed += 1  # it overran or died
                worker.stop()  # switched off: nothing of it keeps running or holds memory
            loaded.failed = error
            raise PluginFailure(name, error)
        finally:
            loaded.lock.release()

    def close(self) -> None:
        """Kill every worker, waiting :data:`~.plugin_worker.STOP_WAIT` at most; no more calls."""
        self._closed = True
        with self._guard:
            loaded = list(self._plugins.values())
        workers = [item.worker for item in loaded if item.worker is not None]
        for item in loaded:
            item.retired = True
            item.worker = None
        for worker in workers:
            worker.stop(wait=0.0)
        deadline = time.monotonic() + STOP_WAIT
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))

    # -- loading ---------------------------------------------------------------

    def _start(self, name: str, path: Path) -> PluginProcess:
        return PluginProcess(
            name, path, load_timeout=self.load_timeout, memory_limit=self.memory_limit
        )

    def _load(self, name: str, path: Path, stamp: tuple[int, int]) -> _Loaded:
        self._generation += 1
        try:
            worker = self._start(name, path)
        except WorkerError as exc:
            return _Loaded(PluginInfo(name, path, self._generation, (), str(exc)), stamp)
        info = PluginInfo(name, path, self._generation, worker.handlers)
        return _Loaded(info, stamp, worker)

    @staticmethod
    def _retire(loaded: _Loaded) -> None:
        loaded.retired = True
        worker = loaded.worker
        loaded.worker = None
        if worker is not None:
            worker.stop()
