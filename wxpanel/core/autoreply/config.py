"""The Guard's settings: the always-on safety limits and the account's names.

Stored as the JSON value ``config`` of ``auto_setting`` and edited with the
rules (:meth:`wxpanel.core.rules.store.RuleStore.set_config`), read by the
:class:`~wxpanel.core.autoreply.guard.Guard` and by every answerer that
needs the account's nicknames (to find an @mention).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from typing import Any

from wxpanel.core.autoreply.guard import read_setting
from wxpanel.core.autoreply.issues import Issue


@dataclass(frozen=True, slots=True)
class AutoReplyConfig:
    """The always-on safety limits and the account's names, stored with the rules.

    ``per_minute`` and ``per_conversation_per_minute`` count queued commands
    (an answer of two texts and a picture is three); an answer that would go
    over a cap is dropped whole and reported.  Loop detection: more than
    ``loop_exchanges`` answers in a row in one conversation, each within
    ``loop_window`` seconds of our previous answer there, stops answering it
    for ``loop_pause`` seconds and raises an alert.
    """

    nicknames: tuple[str, ...] = ()
    per_minute: int = 20
    per_conversation_per_minute: int = 6
    loop_exchanges: int = 5
    loop_window: float = 30.0
    loop_pause: float = 600.0

    def issues(self) -> list[Issue]:
        found: list[Issue] = []
        for name in ("per_minute", "per_conversation_per_minute", "loop_exchanges"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                found.append(Issue.of(name, "at_least_one"))
        for name in ("loop_window", "loop_pause"):
            value = getattr(self, name)
            if not finite(value) or value <= 0:
                found.append(Issue.of(name, "positive_seconds"))
        for index, nick in enumerate(self.nicknames):
            if not isinstance(nick, str) or not nick.strip():
                found.append(Issue.of(f"nicknames[{index}]", "empty_nickname"))
        return found


def config_to_json(config: AutoReplyConfig) -> dict[str, Any]:
    return {
        "nicknames": list(config.nicknames),
        "per_minute": config.per_minute,
        "per_conversation_per_minute": config.per_conversation_per_minute,
        "loop_exchanges": config.loop_exchanges,
        "loop_window": config.loop_window,
        "loop_pause": config.loop_pause,
    }


def config_from_json(value: Any) -> AutoReplyConfig:
    """Lenient, like settings.json: a bad or missing value falls back to its default."""
    default = AutoReplyConfig()
    if not isinstance(value, dict):
        return default
    names = value.get("nicknames")
    nicknames = (
        tuple(n for n in names if isinstance(n, str) and n.strip())
        if isinstance(names, list)
        else default.nicknames
    )
    values: dict[str, Any] = {"nicknames": nicknames}
    for name in ("per_minute", "per_conversation_per_minute", "loop_exchanges"):
        given = value.get(name)
        ok = isinstance(given, int) and not isinstance(given, bool) and given >= 1
        values[name] = given if ok else getattr(default, name)
    for name in ("loop_window", "loop_pause"):
        number = _positive(value.get(name))
        values[name] = getattr(default, name) if number is None else number
    return AutoReplyConfig(**values)


def load_config(conn: sqlite3.Connection) -> AutoReplyConfig:
    return config_from_json(read_setting(conn, "config", {}))


def finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number > 0:
            return number
    return None
