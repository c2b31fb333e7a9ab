"""Rules, timed messages and the safety settings as JSON values, both ways.

The rules file (:mod:`wxpanel.core.rules.io`) and the database (which keeps
each rule's definition as JSON, see :mod:`wxpanel.core.rules.store`) share
this one encoding.  Decoding is strict and precise: every problem is an
:class:`~wxpanel.core.rules.model.Issue` whose path says where it is
(``triggers[0].mode``), unknown keys included, so a typo is not silently
ignored.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from datetime import time as dtime
from typing import Any, TypeVar

from wxpanel.core.autoreply.issues import Issue
from wxpanel.core.rules.model import (
    ALL_WEEKDAYS,
    ActiveHours,
    AfterMatch,
    MatchMode,
    Reply,
    ReplyMode,
    Rule,
    RuleKind,
    ScheduleKind,
    Scope,
    ScopeKind,
    TimedMessage,
    Trigger,
)
from wxpanel.core.texts import FieldValue, Text

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_MISSING: Any = object()


# -- encoding ------------------------------------------------------------------------


def format_hhmm(value: dtime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def trigger_to_json(trigger: Trigger) -> dict[str, Any]:
    return {
        "pattern": trigger.pattern,
        "mode": trigger.mode.value,
        "ignore_case": trigger.ignore_case,
        "fold_width": trigger.fold_width,
    }


def rule_to_json(rule: Rule, *, with_header: bool = True) -> dict[str, Any]:
    """The rule as the rules file writes it (no id, no position: order is the list's)."""
    data: dict[str, Any] = {}
    if with_header:
        data.update({"name": rule.name, "enabled": rule.enabled, "kind": rule.kind.value})
    scope = rule.scope
    active: dict[str, Any] | None = None
    if rule.active is not None:
        active = {"weekdays": list(rule.active.weekdays)}
        if rule.active.start is not None and rule.active.end is not None:
            active = {
                "from": format_hhmm(rule.active.start),
                "until": format_hhmm(rule.active.end),
                **active,
            }
    data.update(
        {
            "triggers": [trigger_to_json(t) for t in rule.triggers],
            "scope": {
                "kind": scope.kind.value,
                "conversations": list(scope.conversations),
                "exclude": list(scope.exclude),
                "only_when_mentioned": scope.only_when_mentioned,
                "mention_names": list(scope.mention_names),
            },
            "reply": {
                "texts": list(rule.reply.texts),
                "mode": rule.reply.mode.value,
                "picture": rule.reply.picture,
                **({"source": rule.reply.source} if rule.reply.source is not None else {}),
            },
            "after_match": rule.after_match.value,
            "active": active,
            "cooldown": _number_out(rule.cooldown),
        }
    )
    return data


def timed_to_json(timed: TimedMessage, *, with_header: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if with_header:
        data.update({"name": timed.name, "enabled": timed.enabled})
    data.update(
        {
            "targets": list(timed.targets),
            "schedule": timed.schedule.value,
            "text": timed.text,
            "picture": timed.picture,
            "at": timed.at,
            "time": format_hhmm(timed.time_of_day) if timed.time_of_day else None,
            "weekdays": list(timed.weekdays),
        }
    )
    return data


def _number_out(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# -- decoding ------------------------------------------------------------------------


class _Reader:
    """Reads typed fields out of parsed JSON, noting every problem with its path."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def problem(self, path: str, key: str, **fields: FieldValue) -> None:
        self.issues.append(Issue.from_text(path, Text.of(key, **fields)))

    def obj(self, value: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, "expected_object", found=_kind(value))
            return None
        for key in value:
            if key not in allowed:
                self.problem(_join(path, str(key)), "unknown_key")
        return value

    def field(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        check: Callable[[Any, str], T | None],
        default: Any = _MISSING,
    ) -> T | None:
        where = _join(path, key)
        if key not in data:
            if default is _MISSING:
                self.problem(where, "missing")
                return None
            given: T | None = default
            return given
        return check(data[key], where)

    def string(self, value: Any, path: str) -> str | None:
        if isinstance(value, str):
            return value
        self.problem(path, "expected_string", found=_kind(value))
        return None

    def optional_string(self, value: Any, path: str) -> str | None:
        return None if value is None else self.string(value, path)

    def boolean(self, value: Any, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem(path, "expected_boolean", found=_kind(value))
        return None

    def number(self, value: Any, path: str) -> float | None:
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        self.problem(path, "expected_number", found=_kind(value))
        return None

    def optional_number(self, value: Any, path: str) -> float | None:
        return None if value is None else self.number(value, path)

    def choice(self, kind: type[E]) -> Callable[[Any, str], E | None]:
        def check(value: Any, path: str) -> E | None:
            try:
                return kind(value)
            except ValueError:
                names = ", ".join(repr(member.value) for member in kind)
                self.problem(path, "expected_one_of", choices=names, found=repr(value))
                return None

        return check

    def strings(self, value: Any, path: str) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.problem(path, "expected_strings", found=_kind(value))
            return None
        items = [self.string(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return None if any(item is None for item in items) else tuple(i for i in items if i)

    def weekdays(self, value: Any, path: str) -> tuple[int, ...] | None:
        if not isinstance(value, list):
            self.problem(path, "expected_weekdays", found=_kind(value))
            return None
        days: list[int] = []
        for index, day in enumerate(value):
            if isinstance(day, int) and not isinstance(day, bool):
                days.append(day)  # the range is checked by validation
            else:
                self.problem(f"{path}[{index}]", "expected_weekday", found=_kind(day))
        return tuple(days)

    def hhmm(self, value: Any, path: str, *, allow_24: bool = False) -> dtime | None:
        if isinstance(value, str):
            if allow_24 and value.strip() == "24:00":
                return dtime(0, 0)
            match = _HHMM.match(value.strip())
            if match:
                return dtime(int(match.group(1)), int(match.group(2)))
        self.problem(path, "expected_hhmm", found=repr(value))
        return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> Text | str:
    """What a JSON value is, for a problem's "found …" (a type's name if not JSON)."""
    if value is None:
        return Text.of("json_null")
    if isinstance(value, bool):
        return Text.of("json_true" if value else "json_false")
    if isinstance(value, str):
        return Text.of("json_string", value=repr(value[:40]))
    if isinstance(value, int | float):
        return Text.of("json_number", value=repr(value))
    if isinstance(value, list):
        return Text.of("json_list")
    if isinstance(value, dict):
        return Text.of("json_object")
    return type(value).__name__


_RULE_KEYS = (
    "name",
    "enabled",
    "kind",
    "triggers",
    "scope",
    "reply",
    "after_match",
    "active",
    "cooldown",
)
_TRIGGER_KEYS = ("pattern", "mode", "ignore_case", "fold_width")
_SCOPE_KEYS = ("kind", "conversations", "exclude", "only_when_mentioned", "mention_names")
_REPLY_KEYS = ("texts", "mode", "picture", "source")
_ACTIVE_KEYS = ("from", "until", "weekdays")


def rule_from_json(value: Any, path: str = "") -> tuple[Rule | None, list[Issue]]:
    """Decode one rule; the issues are format problems only (run validation after)."""
    r = _Reader()
    data = r.obj(value, path, _RULE_KEYS)
    if data is None:
        return None, r.issues
    name = r.field(data, "name", path, r.string)
    enabled = r.field(data, "enabled", path, r.boolean, True)
    kind = r.field(data, "kind", path, r.choice(RuleKind), RuleKind.KEYWORD)
    triggers = _triggers(r, data, path)
    scope = _scope(r, data.get("scope", {}), _join(path, "scope"))
    reply = _reply(r, data.get("reply", _MISSING), _join(path, "reply"))
    after = r.field(data, "after_match", path, r.choice(AfterMatch), AfterMatch.STOP)
    active = _active(r, data.get("active"), _join(path, "active"))
    cooldown = r.field(data, "cooldown", path, r.number, 0.0)
    if r.issues:
        return None, r.issues
    assert name is not None and enabled is not None and kind is not None
    assert triggers is not None and scope is not None and reply is not None
    assert after is not None and cooldown is not None
    rule = Rule(
        name=name,
        enabled=enabled,
        kind=kind,
        triggers=triggers,
        scope=scope,
        reply=reply,
        after_match=after,
        active=active,
        cooldown=cooldown,
    )
    return rule, []


def _triggers(r: _Reader, data: Mapping[str, Any], path: str) -> tuple[Trigger, ...] | None:
    value = data.get("triggers", [])
    where = _join(path, "triggers")
    if not isinstance(value, list):
        r.problem(where, "expected_triggers", found=_kind(value))
        return None
    triggers: list[Trigger] = []
    for index, item in enumerate(value):
        item_path = f"{where}[{index}]"
        if isinstance(item, str):  # shorthand: "菜单" is a "contains" trigger
            triggers.append(Trigger(item))
            continue
        body = r.obj(item, item_path, _TRIGGER_KEYS)
        if body is None:
            continue
        pattern = r.field(body, "pattern", item_path, r.string)
        mode = r.field(body, "mode", item_path, r.choice(MatchMode), MatchMode.CONTAINS)
        ignore_case = r.field(body, "ignore_case", item_path, r.boolean, True)
        fold = r.field(body, "fold_width", item_path, r.boolean, True)
        if (
            pattern is not None
            and mode is not None
            and ignore_case is not None
            and fold is not None
        ):
            triggers.append(Trigger(pattern, mode, ignore_case, fold))
    return tuple(triggers)


def _scope(r: _Reader, value: Any, path: str) -> Scope | None:
    data = r.obj(value, path, _SCOPE_KEYS)
    if data is None:
        return None
    kind = r.field(data, "kind", path, r.choice(ScopeKind), ScopeKind.BOTH)
    chosen = r.field(data, "conversations", path, r.strings, ())
    exclude = r.field(data, "exclude", path, r.strings, ())
    mentioned = r.field(data, "only_when_mentioned", path, r.boolean, False)
    names = r.field(data, "mention_names", path, r.strings, ())
    if kind is None or chosen is None or exclude is None or mentioned is None or names is None:
        return None
    return Scope(kind, chosen, exclude, mentioned, names)


def _reply(r: _Reader, value: Any, path: str) -> Reply | None:
    if value is _MISSING:
        r.problem(path, "missing")
        return None
    data = r.obj(value, path, _REPLY_KEYS)
    if data is None:
        return None
    texts = r.field(data, "texts", path, r.strings, ())
    mode = r.field(data, "mode", path, r.choice(ReplyMode), ReplyMode.ALL)
    picture = r.field(data, "picture", path, r.optional_string, None)
    source = r.field(data, "source", path, r.optional_string, None)
    if texts is None or mode is None:
        return None
    return Reply(texts, mode, picture or None, source)


def _active(r: _Reader, value: Any, path: str) -> ActiveHours | None:
    if value is None:
        return None
    data = r.obj(value, path, _ACTIVE_KEYS)
    if data is None:
        return None
    start = None if data.get("from") is None else r.hhmm(data["from"], _join(path, "from"))
    end = (
        None
        if data.get("until") is None
        else r.hhmm(data["until"], _join(path, "until"), allow_24=True)
    )
    weekdays = r.field(data, "weekdays", path, r.weekdays, ALL_WEEKDAYS)
    return ActiveHours(start, end, ALL_WEEKDAYS if weekdays is None else weekdays)


_TIMED_KEYS = (
    "name",
    "enabled",
    "targets",
    "schedule",
    "text",
    "picture",
    "at",
    "time",
    "weekdays",
)


def timed_from_json(value: Any, path: str = "") -> tuple[TimedMessage | None, list[Issue]]:
    r = _Reader()
    data = r.obj(value, path, _TIMED_KEYS)
    if data is None:
        return None, r.issues
    name = r.field(data, "name", path, r.string)
    enabled = r.field(data, "enabled", path, r.boolean, True)
    targets = r.field(data, "targets", path, r.strings)
    schedule = r.field(data, "schedule", path, r.choice(ScheduleKind))
    text = r.field(data, "text", path, r.optional_string, None)
    picture = r.field(data, "picture", path, r.optional_string, None)
    at = r.field(data, "at", path, r.optional_number, None)
    raw_time = data.get("time")
    time_of_day = None if raw_time is None else r.hhmm(raw_time, _join(path, "time"))
    weekdays = r.field(data, "weekdays", path, r.weekdays, ALL_WEEKDAYS)
    if r.issues:
        return None, r.issues
    assert name is not None and enabled is not None and targets is not None
    assert schedule is not None and weekdays is not None
    return (
        TimedMessage(
            name=name,
            enabled=enabled,
            targets=targets,
            schedule=schedule,
            text=text,
            picture=picture or None,
            at=at,
            time_of_day=time_of_day,
            weekdays=weekdays,
        ),
        [],
    )
