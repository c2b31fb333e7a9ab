"""The rules file: JSON export and import, and the table of ``wxpanel rules list``.

The file is versioned and strict::

    {
      "format": "wxpanel-rules",
      "version": 1,
      "rules": [
        {
          "name": "menu",
          "enabled": true,
          "kind": "keyword",
          "triggers": [{"pattern": "菜单", "mode": "exact", "ignore_case": true,
                        "fold_width": true}],
          "scope": {"kind": "both", "conversations": [], "exclude": [],
                    "only_when_mentioned": true, "mention_names": []},
          "reply": {"texts": ["{nickname}，你好！回复 1 查询订单"], "mode": "all",
                    "picture": null},
          "after_match": "stop",
          "active": {"from": "09:00", "until": "18:00", "weekdays": [1, 2, 3, 4, 5]},
          "cooldown": 60
        }
      ]
    }

A reply may instead name an answer source (a webhook, a chat model or a
plugin, by the name it has on the Sources page) that writes the answer:
``"reply": {"source": "my-webhook"}``.  The rule still decides *when* to
answer (triggers, scope, active hours, cooldown); the message is then
handed to that source alone, even when the source is switched off in the
"after the rules" chain.  ``source`` may be omitted or null (no source);
texts or a picture beside it are sent first.

Only ``name`` and ``reply`` are required (and ``triggers`` for a keyword
rule); a trigger may be written as a bare string (a case-insensitive,
width-folding "contains").  Unknown keys are refused, so a typo is never
ignored.  A file with any error is refused whole, with the JSON path of
every problem and the reason (``rules[2].triggers[0].pattern: bad regular
expression: …``); nothing is half-imported.
"""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.autoreply.issues import Issue, RuleError, Severity
from wxpanel.core.rules.jsoncodec import format_hhmm, rule_from_json, rule_to_json
from wxpanel.core.rules.model import (
    ALL_WEEKDAYS,
    MatchMode,
    ReplyMode,
    Rule,
    RuleKind,
    ScopeKind,
    validate_rule,
)
from wxpanel.core.rules.store import ImportSummary, RuleCounter, RuleStore

FORMAT: Final = "wxpanel-rules"
VERSION: Final = 1


class RulesFileError(RuleError):
    """A rules file that cannot be imported; ``issues`` hold every problem found."""


def document(rules: Sequence[Rule]) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "rules": [rule_to_json(r) for r in rules]}


def dumps_rules(rules: Sequence[Rule]) -> str:
    return json.dumps(document(rules), ensure_ascii=False, indent=2) + "\n"


def export_rules(path: Path, rules: Sequence[Rule]) -> None:
    """Write the rules file atomically (a crash leaves the old file, never half a file)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=".rules-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(dumps_rules(rules))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_rules(
    text: str, *, source: str = "", config: AutoReplyConfig | None = None
) -> tuple[list[Rule], list[Issue]]:
    """The rules of a file's text and its warnings; raises :class:`RulesFileError`."""
    prefix = f"{source}: " if source else ""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RulesFileError(
            [Issue.of("", "not_json", line=exc.lineno, column=exc.colno, detail=exc.msg)],
            prefix,
        ) from None
    except RecursionError:  # "[[[[…" 100 000 deep: the parser's stack, not a bug
        raise RulesFileError([Issue.of("", "too_deep")], prefix) from None
    problems: list[Issue] = []
    if not isinstance(data, dict):
        raise RulesFileError([Issue.of("", "not_rules_object")], prefix)
    if data.get("format") != FORMAT:
        given = repr(data.get("format"))
        problems.append(Issue.of("format", "expected_found", expected=repr(FORMAT), found=given))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(
            Issue.of("version", "expected_found", expected=VERSION, found=repr(version))
        )
    elif version > VERSION:
        problems.append(Issue.of("version", "version_newer", version=version, supported=VERSION))
    for key in data:
        if key not in ("format", "version", "rules"):
            problems.append(Issue.of(str(key), "unknown_key"))
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        problems.append(Issue.of("rules", "expected_rule_list"))
        raise RulesFileError(problems, prefix)
    if problems:
        raise RulesFileError(problems, prefix)
    rules: list[Rule] = []
    warnings: list[Issue] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw_rules):
        where = f"rules[{index}]"
        rule, found = rule_from_json(item, where)
        problems.extend(found)
        if rule is None:
            continue
        for issue in validate_rule(rule, config):
            target = problems if issue.severity is Severity.ERROR else warnings
            target.append(issue.under(where))
        if rule.name in seen:
            warnings.append(
                Issue.of(f"{where}.name", "same_name", Severity.WARNING, index=seen[rule.name])
            )
        seen.setdefault(rule.name, index)
        rules.append(rule)
    if problems:
        raise RulesFileError(problems, prefix)
    return rules, warnings


def read_rules_file(
    path: Path, config: AutoReplyConfig | None = None
) -> tuple[list[Rule], list[Issue]]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem = Issue.of("", "cannot_read", detail=str(exc.strerror or exc))
        raise RulesFileError([problem], f"{path}: ") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RulesFileError([Issue.of("", "not_utf8", byte=exc.start)], f"{path}: ") from None
    return parse_rules(text, source=str(path), config=config)


def import_rules_file(
    store: RuleStore, path: Path, *, replace_all: bool = False
) -> tuple[ImportSummary, list[Issue]]:
    """Read, check and save a rules file in one transaction; returns the summary and warnings."""
    rules, warnings = read_rules_file(path, store.config())
    return store.import_rules(rules, replace_all=replace_all), warnings


# -- wxpanel rules list ---------------------------------------------------------------

_MODE_MARK = {
    MatchMode.EXACT: "=",
    MatchMode.CONTAINS: "~",
    MatchMode.STARTSWITH: "^",
    MatchMode.REGEX: "/",
}
_KIND_LABEL = {
    RuleKind.KEYWORD: "keyword",
    RuleKind.DEFAULT: "default",
    RuleKind.WELCOME_FRIEND: "welcome friend",
    RuleKind.WELCOME_GROUP: "welcome group",
}
_CELL = 28


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, limit: int = _CELL) -> str:
    text = " ".join(text.split())
    if _width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def _triggers(rule: Rule) -> str:
    if not rule.triggers:
        return "(any)" if rule.kind is not RuleKind.KEYWORD else "(none)"
    parts = []
    for trigger in rule.triggers:
        if trigger.mode is MatchMode.REGEX:
            parts.append(f"/{trigger.pattern}/")
        else:
            parts.append(f"{_MODE_MARK[trigger.mode]}{trigger.pattern}")
    return ", ".join(parts)


def _scope(rule: Rule) -> str:
    scope = rule.scope
    text = scope.kind.value
    if scope.kind is ScopeKind.CHOSEN:
        text = f"{len(scope.conversations)} chosen"
    if scope.only_when_mentioned:
        text += " @me"
    if scope.exclude:
        text += f" -{len(scope.exclude)}"
    return text


def _when(rule: Rule) -> str:
    parts = []
    if rule.active is not None:
        if rule.active.start is not None and rule.active.end is not None:
            parts.append(f"{format_hhmm(rule.active.start)}-{format_hhmm(rule.active.end)}")
        if tuple(sorted(rule.active.weekdays)) != ALL_WEEKDAYS:
            parts.append(",".join(str(day) for day in sorted(rule.active.weekdays)))
    if rule.cooldown:
        parts.append(f"cd {rule.cooldown:g}s")
    return " ".join(parts) or "always"


def _reply(rule: Rule) -> str:
    reply = rule.reply
    text = reply.texts[0] if reply.texts else ""
    if len(reply.texts) > 1:
        text += f" (+{len(reply.texts) - 1}{' random' if reply.mode is ReplyMode.RANDOM else ''})"
    if reply.picture:
        text = f"{text} +picture" if text else "picture"
    if reply.source:
        text = f"{text} -> {reply.source}" if text else f"-> {reply.source}"
    return text


def _ago(when: float | None, now: float | None) -> str:
    if when is None:
        return "never"
    if now is None:
        from datetime import datetime

        return datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M")
    seconds = max(0.0, now - when)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


def format_rules_table(
    rules: Sequence[Rule],
    counters: Mapping[int, RuleCounter] | None = None,
    *,
    enabled: bool | None = None,
    now: float | None = None,
) -> str:
    """The rules as an aligned text table (CJK counted double width), in priority order."""
    header = (
        "#", "id", "on", "kind", "name", "triggers", "scope", "when", "reply", "matched",
        "last matched",
    )  # fmt: skip
    rows: list[tuple[str, ...]] = []
    for index, rule in enumerate(sorted(rules, key=lambda r: r.position), start=1):
        counter = (counters or {}).get(rule.id or 0)
        rows.append(
            (
                str(index),
                str(rule.id or ""),
                "on" if rule.enabled else "off",
                _KIND_LABEL[rule.kind] + ("" if rule.after_match.value == "stop" else " +"),
                _clip(rule.name, 20),
                _clip(_triggers(rule)),
                _scope(rule),
                _when(rule),
                _clip(_reply(rule)),
                str(counter.matched if counter else 0),
                _ago(counter.last_matched if counter else None, now),
            )
        )
    widths = [max(_width(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = []
    if enabled is not None:
        lines.append(f"auto-reply is {'ON' if enabled else 'OFF (global switch)'}")
    if not rules:
        lines.append("no rules")
        return "\n".join(lines)
    for row in (header, *rows):
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    if any(rule.after_match.value == "continue" for rule in rules):
        lines.append("(+ : lets later rules answer too)")
    return "\n".join(lines)
