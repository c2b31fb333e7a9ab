"""Queue statistics, computed from incremental counters, never from a history scan.

``wxpanel stats`` and the panel's statistics page both call
:func:`collect`; the figures therefore always agree.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wxpanel.core import exchange
from wxpanel.core.history import HistoryStore


@dataclass(frozen=True, slots=True)
class QueueStats:
    """A snapshot of everything the operator asks "is it working?" about."""

    events_received: int
    incoming: int
    account_sent: int
    flagged: int
    commands_queued: int
    commands_written: int
    commands_taken: int
    commands_stuck: int
    commands_failed: int
    commands_waiting: int  # still in our outbox (pacer)
    errors: int
    backlog: int | None  # rows in wx_event; None if exchange.db could not be read
    pending_commands: int | None  # rows in wx_command
    oldest_pending_age: float | None  # seconds since our oldest pending command was written
    events_per_minute_1m: float
    events_per_minute_15m: float
    commands_per_minute_15m: float
    time: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _exchange_counts(path: Path) -> tuple[int | None, int | None]:
    """Backlog and pending commands, without waiting long on demo.exe's locks."""
    try:
        conn = exchange.connect(path, busy_timeout=0.5)  # rw: may roll back a hot journal
        try:
            backlog = conn.execute("SELECT count(*) FROM wx_event").fetchone()[0]
            pending = conn.execute("SELECT count(*) FROM wx_command").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None, None
    return int(backlog), int(pending)


def _per_minute(store: HistoryStore, name: str, minutes: int, now: float) -> float:
    counts = store.minute_counts(now - minutes * 60, name)
    return sum(counts.values()) / minutes


def collect(store: HistoryStore, exchange_db: Path, now: float | None = None) -> QueueStats:
    now = time.time() if now is None else now
    counters = store.counters()
    open_commands = store.command_counts()
    backlog, pending = _exchange_counts(exchange_db)
    oldest = store.oldest_open_command()
    return QueueStats(
        events_received=counters.get("events", 0),
        incoming=counters.get("received", 0),
        account_sent=counters.get("account_sent", 0),
        flagged=counters.get("flagged", 0),
        commands_queued=counters.get("commands_queued", 0),
        commands_written=counters.get("commands_written", 0),
        commands_taken=counters.get("commands_taken", 0),
        commands_stuck=sum(count for status, count in open_commands.items() if status == "stuck"),
        commands_failed=counters.get("commands_failed", 0),
        commands_waiting=sum(c for s, c in open_commands.items() if s == "queued"),
        errors=counters.get("errors", 0),
        backlog=backlog,
        pending_commands=pending,
        oldest_pending_age=None if oldest is None else max(0.0, now - oldest),
        events_per_minute_1m=_per_minute(store, "events", 1, now),
        events_per_minute_15m=_per_minute(store, "events", 15, now),
        commands_per_minute_15m=_per_minute(store, "commands_written", 15, now),
        time=now,
    )


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def format_text(stats: QueueStats) -> str:
    """The human-readable ``wxpanel stats`` report."""
    unknown = "? (exchange.db unreadable)"
    backlog = unknown if stats.backlog is None else str(stats.backlog)
    pending = unknown if stats.pending_commands is None else str(stats.pending_commands)
    lines = [
        f"events received      {stats.events_received}"
        f"  (incoming {stats.incoming}, sent from the phone {stats.account_sent},"
        f" flagged {stats.flagged})",
        f"commands queued      {stats.commands_queued}",
        f"  waiting for pacer  {stats.commands_waiting}",
        f"  written            {stats.commands_written}",
        f"  taken by demo.exe  {stats.commands_taken}",
        f"  stuck now          {stats.commands_stuck}",
        f"  failed             {stats.commands_failed}",
        f"errors               {stats.errors}",
        f"wx_event backlog     {backlog}",
        f"wx_command pending   {pending}  (oldest {_age(stats.oldest_pending_age)})",
        f"events per minute    {stats.events_per_minute_1m:.1f} (last minute),"
        f" {stats.events_per_minute_15m:.1f} (last 15 min)",
        f"commands per minute  {stats.commands_per_minute_15m:.1f} (last 15 min)",
    ]
    return "\n".join(lines)
