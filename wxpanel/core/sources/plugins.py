"""Loading plugin files and calling their handlers, each call bounded by a timeout.

:class:`PluginHost` watches the ``.py`` files directly inside its folders
(names starting with ``_`` or ``.`` are skipped; a name found in two
folders is taken from the first).  :meth:`PluginHost.refresh` compares each
file's modification time and size with what was loaded and (re)loads what
changed; it is cheap (a ``stat`` per file) and runs on worker threads,
never on the poller.

Plugin code runs on a daemon thread per call, joined with the timeout.  A
thread cannot be killed: a hung handler's thread lingers (counted in
:attr:`PluginHost.hung`) but, being a daemon, never keeps wxpanel from
exiting, which a ``concurrent.futures`` pool thread would (the pool's
threads are joined at interpreter exit).  The plugin is disabled, so it is
not called again until the operator switches it on or edits the file.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from wxpanel.core.sources.plugin_api import (
    HANDLER_ATTRIBUTE,
    HandlerInfo,
    IncomingMessage,
    InvalidResult,
    Reply,
    normalize,
)

#: Longest a plugin file may take to import.
LOAD_TIMEOUT: Final = 10.0
MODULE_PREFIX: Final = "wxpanel_plugin_"


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
    handlers: tuple[tuple[HandlerInfo, Callable[[IncomingMessage], object]], ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)
    failed: str | None = None  # disabled by a failure since the last load


class PluginHost:
    """The plugins of some folders; thread-safe."""

    def __init__(self, folders: Sequence[Path], *, load_timeout: float = LOAD_TIMEOUT) -> None:
        self.folders = tuple(Path(f) for f in folders)
        self.load_timeout = load_timeout
        self.hung = 0  # threads still stuck in plugin code
        self.version = 0  # bumped whenever :meth:`plugins` changes
        self._plugins: dict[str, _Loaded] = {}
        self._refreshing = threading.Lock()  # one refresh at a time (loads may take seconds)
        self._guard = threading.Lock()  # the dict only: never held while plugin code runs
        self._generation = 0

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
                changed.append(name)
            for name, loaded in list(self._plugins.items()):
                if name not in files and not loaded.info.missing:
                    self._generation += 1
                    info = PluginInfo(name, loaded.info.path, self._generation, (), None, True)
                    with self._guard:
                        self._plugins[name] = _Loaded(info, (0, 0))
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
        """The operator switched a failed plugin on again."""
        loaded = self._plugins.get(name)
        if loaded is not None:
            loaded.failed = None

    def call(self, name: str, message: IncomingMessage, timeout: float) -> tuple[Reply, ...]:
        """Ask the plugin's handlers in order; the first answer wins (empty: none answered).

        Raises :class:`PluginFailure` when a handler raises, exceeds ``timeout``
        or returns something invalid; the plugin is then disabled here.
        """
        loaded = self._plugins.get(name)
        if loaded is None or loaded.info.missing:
            raise PluginFailure(name, "the plugin file is gone")
        if loaded.info.error is not None:
            raise PluginFailure(name, loaded.info.error)
        if loaded.failed is not None:
            return ()
        if not loaded.lock.acquire(timeout=timeout):
            return ()  # another call of this plugin is slow: do not pile up
        try:
            for info, function in loaded.handlers:
                try:
                    result = self._run(function, message, timeout)
                    replies = normalize(result)
                except _Timeout:
                    error = f"{info.name}: no answer within {timeout:g} s"
                except InvalidResult as exc:
                    error = f"{info.name}: {exc}"
                except Exception as exc:
                    error = f"{info.name}: {_describe(exc)}"
                else:
                    if replies:
                        return replies
                    continue
                loaded.failed = error
                raise PluginFailure(name, error)
            return ()
        finally:
            loaded.lock.release()

    # -- loading and running ---------------------------------------------------

    def _load(self, name: str, path: Path, stamp: tuple[int, int]) -> _Loaded:
        self._generation += 1
        module_name = f"{MODULE_PREFIX}{name}"
        try:
            module = self._run(lambda _: _import(module_name, path), None, self.load_timeout)
            handlers = _handlers(module)
            if not handlers:
                raise ValueError("defines no handler (a @handler function or handle(message))")
        except _Timeout:
            error = f"loading took longer than {self.load_timeout:g} s"
        except Exception as exc:
            error = f"cannot load: {_describe(exc)}"
        else:
            names = tuple(info.name for info, _ in handlers)
            return _Loaded(PluginInfo(name, path, self._generation, names), stamp, handlers)
        sys.modules.pop(module_name, None)
        return _Loaded(PluginInfo(name, path, self._generation, (), error), stamp)

    def _run(self, function: Callable[[Any], Any], argument: Any, timeout: float) -> Any:
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = function(argument)
            except BaseException as exc:
                box["error"] = exc

        thread = threading.Thread(target=target, name="wxpanel-plugin", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            self.hung += 1
            raise _Timeout
        error = box.get("error")
        if isinstance(error, Exception):
            raise error
        if error is not None:  # SystemExit, KeyboardInterrupt: a plugin may not stop us
            raise RuntimeError(f"raised {type(error).__name__}")
        return box.get("value")


class _Timeout(Exception):
    pass


def _import(module_name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up there
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _handlers(
    module: ModuleType,
) -> tuple[tuple[HandlerInfo, Callable[[IncomingMessage], object]], ...]:
    found: list[tuple[HandlerInfo, Callable[[IncomingMessage], object]]] = []
    for value in vars(module).values():
        info = getattr(value, HANDLER_ATTRIBUTE, None)
        if isinstance(info, HandlerInfo) and callable(value):
            found.append((info, value))
    if not found:
        handle = getattr(module, "handle", None)
        if callable(handle):
            found.append((HandlerInfo("handle"), handle))
    found.sort(key=lambda item: item[0].order)
    return tuple(found)


def _describe(exc: BaseException) -> str:
    """``Type: message (file:line)`` of the innermost frame, for the panel."""
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" ({Path(last.filename).name}:{last.lineno})"
    return text
