"""Answer sources in history.db: their settings, order, switches and status.

:class:`SourceStore` is the panel's (and the command line's) view, on a
connection of its own; every edit is one ``BEGIN IMMEDIATE`` transaction and
bumps ``source_setting.version`` (by trigger), which is how the running
poller notices it.  The module-level functions work inside a transaction
the caller holds (the hub's).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from wxpanel.core.autoreply.issues import RuleError
from wxpanel.core.autoreply.keyvalue import read_json, write_json
from wxpanel.core.errors import KnownError
from wxpanel.core.history import ConnectionStore, immediate
from wxpanel.core.sources.config import (
    CONFIG_TYPES,
    AIConfig,
    Source,
    SourceConfig,
    SourceKind,
    SourceStatus,
    config_from_json,
    config_to_json,
)
from wxpanel.core.sources.credentials import ApiKeys, redact
from wxpanel.core.texts import Text


def read_value(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    return read_json(conn, "source_setting", key, default)


def write_value(conn: sqlite3.Connection, key: str, value: Any) -> None:
    write_json(conn, "source_setting", key, value)


def sources_version(conn: sqlite3.Connection) -> int:
    return int(read_value(conn, "version", 0) or 0)


def load_sources(conn: sqlite3.Connection) -> list[Source]:
    """Every source in order (a damaged definition loads with default settings)."""
    rows = conn.execute(
        "SELECT id, kind, name, position, enabled, definition, error_disabled"
        " FROM answer_source ORDER BY position, id"
    ).fetchall()
    return [_from_row(row) for row in rows]


def _from_row(row: Sequence[Any]) -> Source:
    source_id, kind, name, position, enabled, definition, error_disabled = row
    try:
        data = json.loads(definition)
    except (TypeError, ValueError):
        data = None
    try:
        source_kind = SourceKind(kind)
    except ValueError:
        source_kind = SourceKind.PLUGIN
        enabled = False  # from a newer wxpanel: shown, never run
    return Source(
        id=source_id,
        kind=source_kind,
        name=str(name),
        position=position,
        enabled=bool(enabled),
        config=config_from_json(source_kind, data),
        error_disabled=bool(error_disabled),
    )


def insert_source(
    conn: sqlite3.Connection, kind: SourceKind, name: str, config: SourceConfig, now: float
) -> int:
    """Append a source (last position); the caller holds a write transaction."""
    position = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM answer_source").fetchone()[
        0
    ]
    cursor = conn.execute(
        "INSERT INTO answer_source (kind, name, position, enabled, definition, created_at,"
        " updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)",
        (kind.value, name, position, json.dumps(config_to_json(config)), now, now),
    )
    return int(cursor.lastrowid or 0)


def set_failed(
    conn: sqlite3.Connection, source_id: int, error: str, now: float, *, disable: bool
) -> None:
    """Record a source's error; ``disable`` also switches it off (marked as by an error)."""
    conn.execute(
        "UPDATE answer_source SET last_error = ?, last_error_at = ?,"
        " enabled = CASE WHEN ?3 THEN 0 ELSE enabled END,"
        " error_disabled = CASE WHEN ?3 AND enabled THEN 1 ELSE error_disabled END"
        " WHERE id = ?4",
        (redact(error), now, int(disable), source_id),
    )


def status_from_row(row: Sequence[Any]) -> SourceStatus:
    (sid, kind, name, enabled, error, error_at, calls, answers, failures, total, last, used,
     prompt, completion, cost) = row  # fmt: skip
    return SourceStatus(
        source_id=sid,
        kind=SourceKind(kind) if kind in set(SourceKind) else SourceKind.PLUGIN,
        name=name,
        enabled=bool(enabled),
        last_error=error,
        last_error_at=error_at,
        calls=calls,
        answers=answers,
        failures=failures,
        mean_latency=total / calls if calls else None,
        last_latency=last,
        last_used_at=used,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost=cost,
    )


def read_statuses(conn: sqlite3.Connection, ids: Sequence[int] | None = None) -> list[SourceStatus]:
    """The status of the sources ``ids`` (None: all), in the sources' order."""
    rows = conn.execute(
        "SELECT id, kind, name, enabled, last_error, last_error_at, calls, answers, failures,"
        " latency_total, last_latency, last_used_at, prompt_tokens, completion_tokens, cost"
        " FROM answer_source WHERE ?1 IS NULL OR id IN (SELECT value FROM json_each(?1))"
        " ORDER BY position, id",
        (None if ids is None else json.dumps(sorted(ids)),),
    ).fetchall()
    return [status_from_row(row) for row in rows]


class SourceStore(ConnectionStore):
    """Reads and edits of the answer sources on one connection; each edit one transaction."""

    def __init__(
        self, conn: sqlite3.Connection, *, keys: ApiKeys | None = None, clock: Any = time.time
    ) -> None:
        super().__init__(conn)
        self.keys = keys or ApiKeys()
        self.clock = clock

    # -- reading ---------------------------------------------------------------

    def sources(self) -> list[Source]:
        return load_sources(self.conn)

    def source(self, source_id: int) -> Source | None:
        row = self.conn.execute(
            "SELECT id, kind, name, position, enabled, definition, error_disabled"
            " FROM answer_source WHERE id = ?",
            (source_id,),
        ).fetchone()
        return _from_row(row) if row else None

    def statuses(self) -> list[SourceStatus]:
        return read_statuses(self.conn)

    def version(self) -> int:
        return sources_version(self.conn)

    def total_cost(self) -> tuple[int, int, float]:
        """``(prompt tokens, completion tokens, cost)`` over every source, for statistics."""
        row = self.conn.execute(
            "SELECT coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),"
            " coalesce(sum(cost), 0) FROM answer_source"
        ).fetchone()
        return int(row[0]), int(row[1]), float(row[2])

    # -- editing ---------------------------------------------------------------

    def add(self, kind: SourceKind, name: str, config: SourceConfig) -> Source:
        """Save a new webhook or AI source, last in the order (plugins appear by themselves)."""
        if kind is SourceKind.PLUGIN:
            raise KnownError(Text.of("source_plugins_by_file"))
        _check(kind, name, config)
        try:
            with immediate(self.conn):
                source_id = insert_source(self.conn, kind, name.strip(), config, self.clock())
        except sqlite3.IntegrityError:
            kind_text = Text.of(f"source_kind_{kind.value}")
            raise KnownError(Text.of("source_exists", kind=kind_text, name=repr(name))) from None
        saved = self.source(source_id)
        assert saved is not None
        return saved

    def update(self, source_id: int, config: SourceConfig) -> Source:
        current = self.source(source_id)
        if current is None:
            raise KnownError(Text.of("source_gone", id=source_id))
        _check(current.kind, current.name, config)
        with immediate(self.conn):
            self.conn.execute(
                "UPDATE answer_source SET definition = ?, updated_at = ? WHERE id = ?",
                (json.dumps(config_to_json(config)), self.clock(), source_id),
            )
        return self.source(source_id) or current

    def set_enabled(self, source_id: int, enabled: bool) -> None:
        """The operator's switch; switching on clears the error that switched it off."""
        with immediate(self.conn):
            self.conn.execute(
                "UPDATE answer_source SET enabled = ?, error_disabled = 0,"
                " last_error = CASE WHEN ?1 THEN NULL ELSE last_error END,"
                " updated_at = ? WHERE id = ?",
                (int(enabled), self.clock(), source_id),
            )

    def reorder(self, ids: Sequence[int]) -> None:
        """Put the sources in the order of ``ids``; those not listed follow, in their order."""
        with immediate(self.conn):
            present = [
                r[0]
                for r in self.conn.execute("SELECT id FROM answer_source ORDER BY position, id")
            ]
            wanted = [i for i in dict.fromkeys(ids) if i in present]
            order = [*wanted, *(i for i in present if i not in set(wanted))]
            self.conn.executemany(
                "UPDATE answer_source SET position = ? WHERE id = ? AND position <> ?",
                [(index, source_id, index) for index, source_id in enumerate(order)],
            )

    def delete(self, source_id: int) -> None:
        """Remove a source and its API key (a plugin comes back while its file exists)."""
        source = self.source(source_id)
        with immediate(self.conn):
            self.conn.execute("DELETE FROM answer_source WHERE id = ?", (source_id,))
        if source is not None and isinstance(source.config, AIConfig) and source.config.key_ref:
            self.keys.delete(source.config.key_ref)

    def set_api_key(self, source_id: int, key: str) -> Source:
        """Keep ``key`` in the OS credential store for an AI source (never in history.db)."""
        source = self.source(source_id)
        if source is None or not isinstance(source.config, AIConfig):
            raise KnownError(Text.of("source_key_ai_only"))
        config = source.config
        if not config.key_ref:
            from dataclasses import replace

            config = replace(config, key_ref=self.keys.new_ref())
        self.keys.set(config.key_ref, key.strip())
        if config is not source.config:
            with immediate(self.conn):
                self.conn.execute(
                    "UPDATE answer_source SET definition = ?, updated_at = ? WHERE id = ?",
                    (json.dumps(config_to_json(config)), self.clock(), source_id),
                )
        return self.source(source_id) or source


def _check(kind: SourceKind, name: str, config: SourceConfig) -> None:
    if not isinstance(config, CONFIG_TYPES[kind]):
        raise KnownError(f"a {kind.value} source needs {CONFIG_TYPES[kind].__name__} settings")
    problems = config.issues()
    if not name.strip():
        from wxpanel.core.autoreply.issues import Issue

        problems.insert(0, Issue.of("name", "source_name_needed"))
    if problems:
        raise RuleError(problems, prefix=f"{kind.value} {name!r}: ")
