"""Rules, their counters and the replier's state, in history.db.

The global switch and the list of paused conversations are the Guard's
(:mod:`wxpanel.core.autoreply.guard`); :class:`RuleStore` offers them to the
panel and the command line.

:class:`RuleStore` works on any connection that sees the history tables: the
panel's or the command line's own (:meth:`RuleStore.open`), or the poller's
exchange.db connection with history attached.  Every change is one
``BEGIN IMMEDIATE`` transaction; SQLite triggers bump ``rules_version`` on
every change of ``auto_rule``, which is how a running poller notices an edit
made on another connection and reloads at once.

The module-level functions read and write inside a transaction the caller
already holds (the replier's).  Every statement is parameterised.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from wxpanel.core import activity
from wxpanel.core.autoreply import guard
from wxpanel.core.autoreply.config import (
    AutoReplyConfig,
    config_to_json,
    load_config,
)
from wxpanel.core.autoreply.guard import PausedConversation, read_setting, write_setting
from wxpanel.core.autoreply.issues import Issue, RuleError
from wxpanel.core.errors import KnownError
from wxpanel.core.history import ConnectionStore, immediate
from wxpanel.core.names import known_wxids
from wxpanel.core.rules.jsoncodec import (
    rule_from_json,
    rule_to_json,
)
from wxpanel.core.rules.model import (
    Rule,
    errors,
    validate_rule,
)
from wxpanel.core.texts import Text


@dataclass(frozen=True, slots=True)
class RuleCounter:
    """How often a rule matched (answered or not) and answered, and when it last matched."""

    rule_id: int
    matched: int = 0
    sent: int = 0
    last_matched: float | None = None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    added: int = 0
    replaced: int = 0
    removed: int = 0


# -- inside a caller's transaction ------------------------------------------------------


def bump_version(conn: sqlite3.Connection, key: str = "rules_version") -> None:
    conn.execute("UPDATE auto_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = ?", (key,))


def rules_version(conn: sqlite3.Connection) -> int:
    return int(read_setting(conn, "rules_version", 0) or 0)


def load_rules(conn: sqlite3.Connection) -> list[Rule]:
    """Every stored rule in priority order (a damaged definition loads disabled)."""
    rows = conn.execute(
        "SELECT id, position, enabled, kind, name, definition FROM auto_rule ORDER BY position, id"
    ).fetchall()
    return [_rule_from_row(row) for row in rows]


def _rule_from_row(row: Sequence[Any]) -> Rule:
    rule_id, position, enabled, kind, name, definition = row
    try:
        data = json.loads(definition)
    except (TypeError, ValueError):
        data = None
    if isinstance(data, dict):
        data = {**data, "name": name, "enabled": bool(enabled), "kind": kind}
        rule, _ = rule_from_json(data)
        if rule is not None:
            return replace(rule, id=rule_id, position=position)
    # Edited by hand into something unreadable: keep it visible, never run it.
    return Rule(name=str(name), id=rule_id, position=position, enabled=False, triggers=())


def _definition(rule: Rule) -> str:
    return json.dumps(rule_to_json(rule, with_header=False), ensure_ascii=False)


def _check(rule: Rule, config: AutoReplyConfig | None, known: Container[str] = ()) -> None:
    problems = errors(validate_rule(rule, config, known))
    if problems:
        raise RuleError(problems, prefix=f"rule {rule.name!r}: " if rule.name else "")


# -- the store ---------------------------------------------------------------------------


class RuleStore(ConnectionStore):
    """Reads and edits of the rules on one connection; each edit one transaction."""

    def __init__(self, conn: sqlite3.Connection, *, clock: Any = time.time) -> None:
        super().__init__(conn)
        self.clock = clock

    # -- reading ---------------------------------------------------------------

    def rules(self) -> list[Rule]:
        return load_rules(self.conn)

    def rule(self, rule_id: int) -> Rule | None:
        row = self.conn.execute(
            "SELECT id, position, enabled, kind, name, definition FROM auto_rule WHERE id = ?",
            (rule_id,),
        ).fetchone()
        return _rule_from_row(row) if row else None

    def counters(self) -> dict[int, RuleCounter]:
        return {
            row[0]: RuleCounter(row[0], row[1], row[2], row[3])
            for row in self.conn.execute(
                "SELECT c.rule_id, c.matched, c.sent, c.last_matched FROM auto_rule_counter AS c"
                " JOIN auto_rule AS r ON r.id = c.rule_id"
            )
        }

    def version(self) -> int:
        """Changes with every edit of the rules or the config, from any connection."""
        return rules_version(self.conn)

    def auto_reply_enabled(self) -> bool:
        """The global switch: False means no auto-reply at all."""
        return guard.switched_on(self.conn)

    def config(self) -> AutoReplyConfig:
        return load_config(self.conn)

    def watermark(self) -> int:
        """The id of the last message the replier has looked at."""
        return int(read_setting(self.conn, "watermark", 0) or 0)

    def paused(self, now: float | None = None) -> list[PausedConversation]:
        """Conversations the loop detector stopped answering, and until when."""
        return guard.paused(self.conn, self.clock() if now is None else now)

    # -- editing ---------------------------------------------------------------

    def add(self, rule: Rule, position: int | None = None) -> Rule:
        """Save a new rule at ``position`` (default: last); returns it with id and position.

        A rule that carries the id of a deleted rule (undo of a delete) gets that
        id back, with its counters.
        """
        _check(rule, self.config(), known_wxids(self.conn))
        with immediate(self.conn):
            saved = self._insert(rule, position, self.clock())
            self._renumber()
        activity.changed("rule", "added", rule.name, saved)
        return self.rule(saved) or rule

    def update(self, rule: Rule) -> Rule:
        """Save an edited rule (same id); its position is changed with :meth:`move`."""
        if rule.id is None:
            raise ValueError("update() needs a saved rule; use add()")
        _check(rule, self.config(), known_wxids(self.conn))
        with immediate(self.conn):
            cursor = self.conn.execute(
                "UPDATE auto_rule SET enabled = ?, kind = ?, name = ?, definition = ?,"
                " updated_at = ? WHERE id = ?",
                (
                    int(rule.enabled),
                    rule.kind.value,
                    rule.name,
                    _definition(rule),
                    self.clock(),
                    rule.id,
                ),
            )
            if cursor.rowcount != 1:
                raise KnownError(Text.of("rule_gone", id=str(rule.id)))
        activity.changed("rule", "changed", rule.name, rule.id)
        return self.rule(rule.id) or rule

    def delete(self, rule_id: int) -> Rule | None:
        """Remove a rule; returns it (with id and position) so that an undo can :meth:`add` it."""
        with immediate(self.conn):
            row = self.conn.execute(
                "SELECT id, position, enabled, kind, name, definition FROM auto_rule WHERE id = ?",
                (rule_id,),
            ).fetchone()
            if row is None:
                return None
            self.conn.execute("DELETE FROM auto_rule WHERE id = ?", (rule_id,))
            self._renumber()
        deleted = _rule_from_row(row)
        activity.changed("rule", "deleted", deleted.name, rule_id)
        return deleted

    def set_enabled(self, rule_id: int, enabled: bool) -> None:
        with immediate(self.conn):
            self.conn.execute(
                "UPDATE auto_rule SET enabled = ?, updated_at = ? WHERE id = ?",
                (int(enabled), self.clock(), rule_id),
            )
        activity.changed("rule", "switched on" if enabled else "switched off", item_id=rule_id)

    def move(self, rule_id: int, index: int) -> None:
        """Move a rule to ``index`` in the priority order (clamped to the list)."""
        with immediate(self.conn):
            ids = self._ids()
            if rule_id not in ids:
                return
            ids.remove(rule_id)
            ids.insert(max(0, min(index, len(ids))), rule_id)
            self._renumber(ids)

    def reorder(self, ids: Sequence[int]) -> None:
        """Put the rules in the order of ``ids``; rules not listed keep their order, after."""
        with immediate(self.conn):
            present = self._ids()
            wanted = [i for i in dict.fromkeys(ids) if i in present]
            rest = [i for i in present if i not in set(wanted)]
            self._renumber([*wanted, *rest])

    def duplicate(self, rule_id: int) -> Rule | None:
        """A copy of the rule right after it, named "… (copy)" and switched off."""
        original = self.rule(rule_id)
        if original is None:
            return None
        copy = replace(original, id=None, name=f"{original.name} (copy)", enabled=False)
        return self.add(copy, original.position + 1)

    def set_auto_reply_enabled(self, enabled: bool) -> None:
        """Flip the global switch; the poller obeys from its next round."""
        with immediate(self.conn):
            guard.set_switched_on(self.conn, enabled)
        activity.changed("auto-reply", "switched on" if enabled else "switched off")

    def set_config(self, config: AutoReplyConfig) -> None:
        problems = config.issues()
        if problems:
            raise RuleError(problems, prefix="auto-reply settings: ")
        with immediate(self.conn):
            write_setting(self.conn, "config", config_to_json(config))
            bump_version(self.conn)
        activity.changed("auto-reply settings", "changed")

    def resume(self, conversation: str) -> None:
        """Answer a conversation again that loop detection paused."""
        with immediate(self.conn):
            guard.resume(self.conn, conversation)

    def import_rules(self, rules: Sequence[Rule], *, replace_all: bool) -> ImportSummary:
        """Save ``rules`` in one transaction: all of them or, on any error, none.

        ``replace_all`` deletes every rule first.  Otherwise (merge) a rule
        whose name equals an existing rule's replaces that rule in place
        (keeping its id, position and counters) and the others are appended
        in the file's order.
        """
        config = self.config()
        known = known_wxids(self.conn)
        problems: list[Issue] = []
        for index, rule in enumerate(rules):
            found = errors(validate_rule(rule, config, known))
            problems.extend(i.under(f"rules[{index}]") for i in found)
        if problems:
            raise RuleError(problems)
        now = self.clock()
        added = replaced = removed = 0
        with immediate(self.conn):
            if replace_all:
                removed = self.conn.execute("DELETE FROM auto_rule").rowcount
                self.conn.execute(
                    "DELETE FROM auto_rule_counter WHERE rule_id NOT IN (SELECT id FROM auto_rule)"
                )
                self.conn.execute(
                    "DELETE FROM auto_cooldown WHERE rule_id NOT IN (SELECT id FROM auto_rule)"
                )
                existing: dict[str, int] = {}
            else:
                existing = {
                    name: rule_id
                    for rule_id, name in self.conn.execute(
                        "SELECT id, name FROM auto_rule ORDER BY position DESC, id DESC"
                    )
                }
            for rule in rules:
                target = existing.pop(rule.name, None)  # a name twice in a file: 2nd appended
                if target is not None:
                    self.conn.execute(
                        "UPDATE auto_rule SET enabled = ?, kind = ?, definition = ?,"
                        " updated_at = ? WHERE id = ?",
                        (int(rule.enabled), rule.kind.value, _definition(rule), now, target),
                    )
                    replaced += 1
                else:
                    self._insert(replace(rule, id=None), None, now)
                    added += 1
            self._renumber()
        return ImportSummary(added, replaced, removed)

    # -- helpers (inside a transaction) ------------------------------------------

    def _ids(self) -> list[int]:
        return [
            row[0] for row in self.conn.execute("SELECT id FROM auto_rule ORDER BY position, id")
        ]

    def _insert(self, rule: Rule, position: int | None, now: float) -> int:
        count = self.conn.execute("SELECT count(*) FROM auto_rule").fetchone()[0]
        position = count if position is None else max(0, min(position, count))
        self.conn.execute(
            "UPDATE auto_rule SET position = position + 1 WHERE position >= ?", (position,)
        )
        reuse = (
            rule.id is not None
            and self.conn.execute("SELECT 1 FROM auto_rule WHERE id = ?", (rule.id,)).fetchone()
            is None
        )
        cursor = self.conn.execute(
            "INSERT INTO auto_rule (id, position, enabled, kind, name, definition, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rule.id if reuse else None,
                position,
                int(rule.enabled),
                rule.kind.value,
                rule.name,
                _definition(rule),
                now,
                now,
            ),
        )
        return int(cursor.lastrowid or 0)

    def _renumber(self, ids: Iterable[int] | None = None) -> None:
        order = list(ids) if ids is not None else self._ids()
        current = dict(self.conn.execute("SELECT id, position FROM auto_rule").fetchall())
        changes = [
            (index, rule_id) for index, rule_id in enumerate(order) if current.get(rule_id) != index
        ]
        if changes:
            self.conn.executemany("UPDATE auto_rule SET position = ? WHERE id = ?", changes)
