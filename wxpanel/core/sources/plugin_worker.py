"""Each plugin runs in a worker process of its own, which wxpanel can kill and start again.

In a thread, nothing could contain a plugin: ``os._exit`` ended wxpanel, a
spinning handler kept a core busy for the life of the process (a thread
cannot be killed), a memory hog grew to gigabytes and closing file
descriptors broke ingestion.  A process is the unit the operating system
can stop: the poller's side (:class:`PluginProcess`) sends one message over
a pipe and waits at most the plugin's timeout; no answer in time, the pipe
closed or the process gone, and the worker is killed and the plugin
reported.  Whatever a plugin does to its own process, the poller's
process is untouched.

How the worker starts: :mod:`multiprocessing` with the *spawn* method on
every system (no fork of a process that runs Qt and SQLite threads), which
PyInstaller supports in the frozen exe once ``wxpanel/__main__.py`` calls
:func:`multiprocessing.freeze_support` first.  Workers are daemonic:
``multiprocessing`` ends them when wxpanel exits.

The memory limit is set by the worker on itself before it imports the
plugin, so a hog fails with ``MemoryError`` inside its own process (reported
like any error) rather than growing until something is killed:

* POSIX: ``RLIMIT_AS`` (address space), enforced by the kernel at once;
* Windows: a Job Object with ``JOB_OBJECT_LIMIT_PROCESS_MEMORY`` (committed
  memory), through ctypes, also enforced by the kernel at allocation.

Both are hard limits that no polling watchdog could match (a hog allocates a
gigabyte between two looks at its size).
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from wxpanel.core.sources.plugin_api import (
    HANDLER_ATTRIBUTE,
    HandlerInfo,
    IncomingMessage,
    InvalidResult,
    Reply,
    ReplyKind,
    normalize,
)

#: Address space (POSIX) or committed memory (Windows) a plugin's process may use.
MEMORY_LIMIT: Final = 1024 * 1024 * 1024
#: How long a worker may take to start Python, before the plugin's own load timeout.
START_TIMEOUT: Final = 60.0
#: How long :meth:`PluginProcess.stop` waits for a process to end after killing it.
STOP_WAIT: Final = 0.5
MODULE_PREFIX: Final = "wxpanel_plugin_"

_Handlers = tuple[tuple[HandlerInfo, Callable[[IncomingMessage], object]], ...]


class WorkerError(Exception):
    """The plugin's process failed: it could not start, overran, died or raised."""


class PluginProcess:
    """One plugin file loaded in its own worker process (the poller's side).

    Not thread-safe: :class:`~.plugins.PluginHost` calls one plugin at a time.
    """

    def __init__(
        self, name: str, path: Path, *, load_timeout: float, memory_limit: int = MEMORY_LIMIT
    ) -> None:
        """Start the worker and load the plugin; :class:`WorkerError` when that fails."""
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(
            target=serve,
            args=(child, name, str(path), memory_limit),
            name=f"wxpanel-plugin-{name}",
            daemon=True,
        )
        try:
            self.process.start()
        except (OSError, ValueError, RuntimeError) as exc:  # no memory, too many processes
            self._conn.close()
            raise WorkerError(f"its process cannot start: {exc}") from None
        finally:
            child.close()
        try:
            if not self._conn.poll(START_TIMEOUT):  # Python itself starting, on a busy PC
                raise WorkerError(f"its process did not start within {START_TIMEOUT:g} s")
            self._receive("while starting")
            if not self._conn.poll(load_timeout):
                raise WorkerError(f"loading took longer than {load_timeout:g} s")
            kind, value = self._receive("while loading")
        except WorkerError:
            self.stop()
            raise
        if kind != "ready":
            self.stop()
            raise WorkerError(str(value))
        self.handlers: tuple[str, ...] = tuple(value)

    @property
    def alive(self) -> bool:
        return self.process.is_alive() and not self._conn.closed

    def call(self, message: IncomingMessage, timeout: float) -> tuple[Reply, ...]:
        """The plugin's answer (empty: none); :class:`WorkerError` when it failed.

        A worker that overran ``timeout`` is killed; one that died is gone.
        Either way the plugin must be started again before its next call.
        """
        try:
            self._conn.send(message)
        except (OSError, ValueError):
            raise WorkerError(self._ended("before the call")) from None
        if not self._conn.poll(timeout):
            self.stop()
            raise WorkerError(f"no answer within {timeout:g} s; its process was stopped")
        kind, value = self._receive("during the call")
        if kind == "error":
            raise WorkerError(str(value))
        return tuple(Reply(ReplyKind(k), v) for k, v in value)

    def stop(self, wait: float = STOP_WAIT) -> None:
        """Kill the worker (at once: a plugin gets no say) and wait ``wait`` s for it to end."""
        with contextlib.suppress(OSError):
            self._conn.close()
        if self.process.is_alive():
            self.process.kill()
        if wait > 0:
            self.process.join(wait)

    def _receive(self, when: str) -> tuple[str, Any]:
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            raise WorkerError(self._ended(when)) from None
        return str(kind), value

    def _ended(self, when: str) -> str:
        self.stop()
        code = self.process.exitcode
        how = f"exit code {code}" if code is not None and code >= 0 else f"signal {-(code or 0)}"
        return f"the plugin's process ended {when} ({how})"


# -- the worker process ------------------------------------------------------------------


def serve(conn: Connection, name: str, path: str, memory_limit: int) -> None:
    """The worker's main loop: load the plugin, then answer messages until the pipe closes."""
    try:
        limit_memory(memory_limit)
    except OSError as exc:  # a system that refuses the limit still runs the plugin
        print(f"wxpanel plugin {name}: no memory limit ({exc})", file=sys.stderr)
    conn.send(("started", None))  # the load timeout counts from here
    try:
        handlers = load(name, Path(path))
    except BaseException as exc:
        conn.send(("error", f"cannot load: {describe(exc)}"))
        return
    conn.send(("ready", [info.name for info, _ in handlers]))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(handlers, message))


def answer(handlers: _Handlers, message: IncomingMessage) -> tuple[str, Any]:
    """``("ok", [(kind, value), …])`` of the first handler that answers, or ``("error", text)``."""
    for info, function in handlers:
        try:
            replies = normalize(function(message))
        except InvalidResult as exc:
            return "error", f"{info.name}: {exc}"
        except BaseException as exc:  # SystemExit, KeyboardInterrupt: errors like any other
            return "error", f"{info.name}: {describe(exc)}"
        if replies:
            return "ok", [(reply.kind.value, reply.value) for reply in replies]
    return "ok", []


def limit_memory(limit: int) -> None:
    """Cap this process's memory (see the module doc); ``OSError`` if the system refuses."""
    if sys.platform == "win32":
        _limit_windows(limit)
        return
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except ValueError as exc:
        raise OSError(str(exc)) from None


def _limit_windows(limit: int) -> None:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    class BasicLimits(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", wintypes.DWORD),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", wintypes.DWORD),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", wintypes.DWORD),
            ("SchedulingClass", wintypes.DWORD),
        ]

    class IoCounters(ctypes.Structure):
        _fields_ = [
            (field, ctypes.c_uint64)
            for field in (
                "ReadOperationCount",
                "WriteOperationCount",
                "OtherOperationCount",
                "ReadTransferCount",
                "WriteTransferCount",
                "OtherTransferCount",
            )
        ]

    class ExtendedLimits(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", BasicLimits),
            ("IoInfo", IoCounters),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    job_object_limit_process_memory = 0x00000100
    job_object_extended_limit_information = 9
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    kernel32.CreateJobObjectW.argtypes = (ctypes.c_void_p, wintypes.LPCWSTR)
    kernel32.SetInformationJobObject.restype = wintypes.BOOL
    kernel32.SetInformationJobObject.argtypes = (
        wintypes.HANDLE,
        ctypes.c_int,
        ctypes.c_void_p,
        wintypes.DWORD,
    )
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    kernel32.AssignProcessToJobObject.restype = wintypes.BOOL
    kernel32.AssignProcessToJobObject.argtypes = (wintypes.HANDLE, wintypes.HANDLE)
    job = kernel32.CreateJobObjectW(None, None)
    if not job:
        raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
    info = ExtendedLimits()
    info.BasicLimitInformation.LimitFlags = job_object_limit_process_memory
    info.ProcessMemoryLimit = limit
    if not kernel32.SetInformationJobObject(
        job, job_object_extended_limit_information, ctypes.byref(info), ctypes.sizeof(info)
    ) or not kernel32.AssignProcessToJobObject(job, kernel32.GetCurrentProcess()):
        raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
    # The handle stays open for the life of the process: closing it would end the job.


def load(name: str, path: Path) -> _Handlers:
    """Import the plugin file and find its handlers (``ValueError`` when it has none)."""
    handlers = _handlers(_import(f"{MODULE_PREFIX}{name}", path))
    if not handlers:
        raise ValueError("defines no handler (a @handler function or handle(message))")
    return handlers


def _import(module_name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up there
    spec.loader.exec_module(module)
    return module


def _handlers(module: ModuleType) -> _Handlers:
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


def describe(exc: BaseException) -> str:
    """``Type: message (file:line)`` of the innermost frame, for the panel."""
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" ({Path(last.filename).name}:{last.lineno})"
    return text
