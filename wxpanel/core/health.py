"""Health checks: green, amber or red, each with a one-line reason.

:func:`evaluate` is a pure function of one immutable :class:`HealthInput`
(the Engine's :class:`~wxpanel.core.engine.Health`, the statistics, free disk
space, the history file's size and the time), so every rule is tested
without files or clocks.  :func:`gather_input` is the only part that
measures anything (``shutil.disk_usage`` and a ``stat``; microseconds).
:class:`HealthMonitor` keeps the little memory the rules need (recent
backlog samples, which checks are alerting) and reports
:class:`Transition` values when a check turns red and when it recovers:
the panel turns those into a tray notification, a banner and a sound.

Reasons and titles are not formatted English but a
:class:`~wxpanel.core.texts.Text` of the catalogue (a key and the values of
its fields): ``str(reason)`` is the English line, the panel translates the
key.  :func:`integrity_check` runs ``PRAGMA
quick_check`` on demand (seconds on a large file: call it off the GUI
thread).
"""

from __future__ import annotations

import contextlib
import enum
import shutil
import sqlite3
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Final

from wxpanel.core import exchange
from wxpanel.core.models import Health
from wxpanel.core.texts import Text

if TYPE_CHECKING:
    from wxpanel.core.stats import QueueStats


class Level(enum.IntEnum):
    """Ordered, so that ``max(levels)`` is the overall state.

    UNKNOWN (grey) is worse than GREEN: a check without evidence must not let
    the page say that everything works.
    """

    GREEN = 0
    UNKNOWN = 1
    AMBER = 2
    RED = 3


# Check names, in the order :func:`evaluate` returns them.
EXCHANGE: Final = "exchange"
DEMO: Final = "demo"
DISK_EXCHANGE: Final = "disk_exchange"
DISK_HISTORY: Final = "disk_history"
HISTORY_SIZE: Final = "history_size"
LAG: Final = "lag"
BACKLOG: Final = "backlog"
INTEGRITY: Final = "integrity"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    level: Level
    reason: Text

    @property
    def title(self) -> Text:
        """The check's title (the key ``check_<name>`` of the catalogue)."""
        return Text.of(f"check_{self.name}")

    @property
    def text(self) -> str:
        """The English one-line reason."""
        return str(self.reason)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a check turns amber or red; seconds and bytes."""

    pending_amber: float = 10.0  # our command in wx_command this long: demo.exe slow
    pending_red: float = 30.0  # ... this long: demo.exe not taking (OutboxConfig.stuck_after)
    quiet_amber: float = 900.0  # no event from demo.exe for this long
    disk_amber: int = 1024**3
    disk_red: int = 200 * 1024**2
    history_amber: int = 2 * 1024**3
    history_red: int = 20 * 1024**3
    lag_amber: float = 3.0  # the poller's last look, or a lock held this long
    lag_red: float = 60.0
    backlog_amber: int = 1000
    backlog_window: float = 60.0  # growth is judged over this long
    backlog_growth: int = 50  # ... and must be at least this many rows


@dataclass(frozen=True, slots=True)
class HealthInput:
    """Everything the checks look at, measured at ``now``."""

    now: float
    health: Health | None  # the Engine's latest snapshot; None before the first poll
    stats: QueueStats | None = None
    exchange_free: int | None = None  # bytes free on exchange.db's disk; None: unknown
    history_free: int | None = None
    history_bytes: int | None = None
    started_at: float | None = None  # when watching began: "no event since"
    backlog_samples: tuple[tuple[float, int], ...] = ()  # (time, rows), oldest first


@dataclass(frozen=True, slots=True)
class Transition:
    """A check started alerting (``raised``) or came back to green (``recovered``)."""

    name: str
    raised: bool
    check: Check
    time: float

    @property
    def recovered(self) -> bool:
        return not self.raised


# -- measuring ---------------------------------------------------------------


def _free(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path.parent if not path.is_dir() else path).free
    except OSError:
        return None


def _history_size(path: Path) -> int | None:
    """history.db's size on disk, its write-ahead log included.

    Between checkpoints the newest pages live in ``history.db-wal`` (WAL
    mode, :mod:`wxpanel.core.history`); the disk holds both, so the warning
    about a large history counts both.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return None
    with contextlib.suppress(OSError):  # no log: everything is in history.db
        size += path.with_name(path.name + "-wal").stat().st_size
    return size


def gather_input(
    exchange_db: Path,
    history_db: Path,
    health: Health | None,
    now: float,
    *,
    stats: QueueStats | None = None,
    started_at: float | None = None,
) -> HealthInput:
    """Measure the disks and history.db's size beside the given snapshot (cheap)."""
    return HealthInput(
        now=now,
        health=health,
        stats=stats,
        exchange_free=_free(Path(exchange_db)),
        history_free=_free(Path(history_db)),
        history_bytes=_history_size(Path(history_db)),
        started_at=started_at,
    )


# -- the rules (pure) --------------------------------------------------------


def _seconds(value: float) -> int:
    return max(0, round(value))


def check_exchange(data: HealthInput) -> Check:
    health = data.health
    if health is None or health.checked_at == 0.0:
        return Check(EXCHANGE, Level.AMBER, Text.of("exchange_waiting"))
    problem = health.problem
    if health.error is None or problem is None:
        if health.error is None:
            return Check(EXCHANGE, Level.GREEN, Text.of("exchange_ok"))
        return Check(EXCHANGE, Level.RED, Text.of("exchange_error", detail=health.error))
    fields = problem.values
    if problem.key == "problem_gone":
        return Check(EXCHANGE, Level.RED, Text.of("exchange_gone"))
    if problem.key == "problem_not_demo":
        missing = Text.of("exchange_missing", missing=fields["missing"])
        return Check(EXCHANGE, Level.RED, Text.of("exchange_schema", detail=missing))
    if problem.key == "problem_not_sqlite":
        return Check(EXCHANGE, Level.RED, Text.of("exchange_schema", detail=fields["detail"]))
    # The path is shown elsewhere on the page: SQLite's or the OS's words alone.
    detail = fields["detail"] if problem.key in ("problem_file", "problem_other") else problem
    return Check(EXCHANGE, Level.RED, Text.of("exchange_error", detail=detail))


def _oldest_pending_since(data: HealthInput) -> float | None:
    if data.health is not None and data.health.oldest_pending_since is not None:
        return data.health.oldest_pending_since
    if data.stats is not None and data.stats.oldest_pending_age is not None:
        return data.stats.time - data.stats.oldest_pending_age
    return None


def check_demo(data: HealthInput, limits: Thresholds) -> Check:
    """demo.exe is alive if it takes our commands or writes events; unknown without either.

    A fresh exchange.db with nothing running looks exactly like a demo.exe
    that has nothing to say: only a command taken or an event arriving is
    evidence, so until then the check is grey, never green.
    """
    health = data.health
    if health is None or health.error is not None or health.checked_at == 0.0:
        return Check(DEMO, Level.AMBER, Text.of("demo_unknown"))
    since = _oldest_pending_since(data)
    if since is not None:
        waited = data.now - since
        if waited >= limits.pending_red or health.stuck:
            return Check(
                DEMO,
                Level.RED,
                Text.of("demo_stuck", seconds=_seconds(waited), stuck=health.stuck),
            )
        if waited >= limits.pending_amber:
            return Check(DEMO, Level.AMBER, Text.of("demo_slow", seconds=_seconds(waited)))
    last_event = health.last_event_at
    if last_event is None and health.last_taken_at is None:
        return Check(DEMO, Level.UNKNOWN, Text.of("demo_unseen"))
    quiet_since = last_event if last_event is not None else data.started_at
    if quiet_since is not None and data.now - quiet_since >= limits.quiet_amber:
        minutes = _seconds((data.now - quiet_since) / 60)
        return Check(DEMO, Level.AMBER, Text.of("demo_quiet", minutes=minutes))
    if last_event is None:
        return Check(DEMO, Level.GREEN, Text.of("demo_ok_no_event"))
    seconds = _seconds(data.now - last_event)
    if health.last_taken_at is None:
        return Check(DEMO, Level.GREEN, Text.of("demo_events", seconds=seconds))
    return Check(DEMO, Level.GREEN, Text.of("demo_ok", seconds=seconds))


def check_disk(name: str, file: str, free: int | None, limits: Thresholds) -> Check:
    if free is None:
        return Check(name, Level.AMBER, Text.of("disk_unknown", file=file))
    free_mb = free // 1024**2
    if free < limits.disk_red:
        return Check(name, Level.RED, Text.of("disk_full", free_mb=free_mb, file=file))
    if free < limits.disk_amber:
        return Check(name, Level.AMBER, Text.of("disk_low", free_mb=free_mb, file=file))
    return Check(name, Level.GREEN, Text.of("disk_ok", free_gb=free / 1024**3, file=file))


def check_history_size(size: int | None, limits: Thresholds) -> Check:
    if size is None:
        return Check(HISTORY_SIZE, Level.AMBER, Text.of("history_unknown"))
    if size >= limits.history_red:
        return Check(HISTORY_SIZE, Level.RED, Text.of("history_huge", size_gb=size / 1024**3))
    if size >= limits.history_amber:
        return Check(HISTORY_SIZE, Level.AMBER, Text.of("history_large", size_gb=size / 1024**3))
    return Check(HISTORY_SIZE, Level.GREEN, Text.of("history_ok", size_mb=size // 1024**2))


def check_lag(data: HealthInput, limits: Thresholds) -> Check:
    """How old the poller's last look is; a lock held by demo.exe shows here, not as an error."""
    health = data.health
    if health is None or health.checked_at == 0.0:
        return Check(LAG, Level.AMBER, Text.of("lag_waiting"))
    lag = data.now - health.checked_at
    if health.locked_since is not None:
        locked = max(lag, data.now - health.locked_since)
        level = Level.RED if locked >= limits.lag_red else Level.AMBER
        return Check(LAG, level, Text.of("lag_locked", seconds=_seconds(locked)))
    if lag >= limits.lag_red:
        return Check(LAG, Level.RED, Text.of("lag_stale", seconds=_seconds(lag)))
    if lag >= limits.lag_amber:
        return Check(LAG, Level.AMBER, Text.of("lag_stale", seconds=_seconds(lag)))
    return Check(LAG, Level.GREEN, Text.of("lag_ok", seconds=_seconds(lag)))


def current_backlog(data: HealthInput) -> int | None:
    if data.health is not None and data.health.checked_at and data.health.error is None:
        return data.health.backlog
    if data.stats is not None:
        return data.stats.backlog
    return None


def check_backlog(data: HealthInput, limits: Thresholds) -> Check:
    """Red when wx_event kept growing over the whole window, amber when merely large."""
    rows = current_backlog(data)
    if rows is None:
        return Check(BACKLOG, Level.AMBER, Text.of("backlog_unknown"))
    window = [(t, n) for t, n in data.backlog_samples if t >= data.now - limits.backlog_window]
    if len(window) >= 3:
        (first_t, first), (last_t, last) = window[0], window[-1]
        rising = all(b[1] >= a[1] for a, b in pairwise(window))
        if (
            rising
            and last - first >= limits.backlog_growth
            and last_t - first_t >= limits.backlog_window / 2
        ):
            reason = Text.of(
                "backlog_growing", first=first, last=last, seconds=_seconds(last_t - first_t)
            )
            return Check(BACKLOG, Level.RED, reason)
    if rows >= limits.backlog_amber:
        return Check(BACKLOG, Level.AMBER, Text.of("backlog_high", rows=rows))
    return Check(BACKLOG, Level.GREEN, Text.of("backlog_ok", rows=rows))


def evaluate(data: HealthInput, limits: Thresholds | None = None) -> tuple[Check, ...]:
    """Every periodic check, in display order."""
    limits = limits or Thresholds()
    return (
        check_exchange(data),
        check_demo(data, limits),
        check_disk(DISK_EXCHANGE, "exchange.db", data.exchange_free, limits),
        check_disk(DISK_HISTORY, "history.db", data.history_free, limits),
        check_history_size(data.history_bytes, limits),
        check_lag(data, limits),
        check_backlog(data, limits),
    )


def overall(checks: Sequence[Check]) -> Level:
    return max((check.level for check in checks), default=Level.GREEN)


# -- on demand ---------------------------------------------------------------


def integrity_check(history_path: Path, *, max_errors: int = 3) -> Check:
    """``PRAGMA quick_check`` on history.db, read-only; seconds on a large file."""
    path = Path(history_path)
    try:
        conn = sqlite3.connect(exchange.sqlite_uri(path, "ro"), uri=True, timeout=2.0)
    except sqlite3.Error as exc:
        return Check(INTEGRITY, Level.RED, Text.of("integrity_unreadable", detail=str(exc)))
    try:
        rows = [str(row[0]) for row in conn.execute(f"PRAGMA quick_check({max_errors:d})")]
    except sqlite3.Error as exc:
        if exchange.is_busy(exc):
            return Check(INTEGRITY, Level.AMBER, Text.of("integrity_busy"))
        return Check(INTEGRITY, Level.RED, Text.of("integrity_unreadable", detail=str(exc)))
    finally:
        conn.close()
    if rows == ["ok"]:
        return Check(INTEGRITY, Level.GREEN, Text.of("integrity_ok"))
    problems = [
        line.strip()
        for row in rows
        for line in row.splitlines()
        if line.strip() and not line.startswith("***")  # "*** in database main ***"
    ]
    detail = "; ".join(problems[:max_errors])
    return Check(INTEGRITY, Level.RED, Text.of("integrity_bad", detail=detail))


# -- memory --------------------------------------------------------------------


class HealthMonitor:
    """Remembers recent backlog sizes and which checks alert; reports transitions.

    Not thread-safe: call it from one thread (the panel's GUI thread, on
    every Health the worker reports, or on a timer).
    """

    def __init__(
        self, limits: Thresholds | None = None, *, started_at: float | None = None
    ) -> None:
        self.limits = limits or Thresholds()
        self.started_at = started_at
        self._samples: deque[tuple[float, int]] = deque(maxlen=600)
        self._checks: dict[str, Check] = {}
        self._alerting: set[str] = set()

    @property
    def checks(self) -> tuple[Check, ...]:
        """The latest result of every check, integrity last if it was run."""
        return tuple(self._checks.values())

    @property
    def level(self) -> Level:
        return overall(self.checks)

    @property
    def alerting(self) -> frozenset[str]:
        """Checks that turned red and have not come back to green yet."""
        return frozenset(self._alerting)

    def update(self, data: HealthInput) -> list[Transition]:
        """Evaluate ``data`` (its backlog remembered) and say what started or stopped alerting."""
        rows = current_backlog(data)
        if rows is not None and (not self._samples or data.now > self._samples[-1][0]):
            self._samples.append((data.now, rows))
        horizon = data.now - self.limits.backlog_window
        while self._samples and self._samples[0][0] < horizon:
            self._samples.popleft()
        started = data.started_at if data.started_at is not None else self.started_at
        data = replace(data, backlog_samples=tuple(self._samples), started_at=started)
        return self._apply(evaluate(data, self.limits), data.now)

    def record_integrity(self, check: Check, now: float) -> list[Transition]:
        """Keep the result of an on-demand :func:`integrity_check` among the checks."""
        return self._apply((check,), now)

    def _apply(self, checks: Sequence[Check], now: float) -> list[Transition]:
        transitions: list[Transition] = []
        for check in checks:
            self._checks[check.name] = check
            if check.level is Level.RED and check.name not in self._alerting:
                self._alerting.add(check.name)
                transitions.append(Transition(check.name, True, check, now))
            elif check.level is Level.GREEN and check.name in self._alerting:
                self._alerting.discard(check.name)
                transitions.append(Transition(check.name, False, check, now))
        if INTEGRITY in self._checks:  # on-demand result shown last
            self._checks[INTEGRITY] = self._checks.pop(INTEGRITY)
        return transitions


__all__ = [
    "Check",
    "HealthInput",
    "HealthMonitor",
    "Level",
    "Thresholds",
    "Transition",
    "evaluate",
    "gather_input",
    "integrity_check",
    "overall",
]
