"""Validation issues: what is wrong with a rule, a timed message or an answer source, and where.

The same :class:`Issue` serves an edit dialog, the import command and the
stores, whatever answerer it is about; :class:`RuleError` is the refusal
that carries them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace

from wxpanel.core.errors import KnownError
from wxpanel.core.texts import FieldValue, Text


class Severity(enum.StrEnum):
    ERROR = "error"  # the rule cannot be saved or imported
    WARNING = "warning"  # saved, but probably not what the user meant


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem of a rule: where (a JSON-like path, "" for the whole rule) and why.

    ``message`` is the English line; ``key`` and ``fields`` are the same sentence
    as a :class:`~wxpanel.core.texts.Text` (a key of
    :data:`~wxpanel.core.texts.TEXTS`), for the panel to translate.  An
    issue made by other code may have no key ("" ): show its message.
    """

    path: str
    message: str
    severity: Severity = Severity.ERROR
    key: str = ""
    fields: tuple[tuple[str, FieldValue], ...] = ()

    @classmethod
    def of(
        cls, path: str, key: str, /, severity: Severity = Severity.ERROR, **fields: FieldValue
    ) -> Issue:
        """The issue whose message is the text ``key`` filled with ``fields``."""
        return cls.from_text(path, Text.of(key, **fields), severity)

    @classmethod
    def from_text(cls, path: str, text: Text, severity: Severity = Severity.ERROR) -> Issue:
        return cls(path, str(text), severity, text.key, text.fields)

    @property
    def text(self) -> Text | None:
        """The message as a translatable text, or None for an issue without a key."""
        return Text(self.key, self.fields) if self.key else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def under(self, prefix: str) -> Issue:
        """The same issue seen from an enclosing value (``rules[2]`` + ``.name``)."""
        if not self.path:
            return replace(self, path=prefix)
        joiner = "" if self.path.startswith("[") else "."
        return replace(self, path=f"{prefix}{joiner}{self.path}")


class RuleError(KnownError):
    """A rule (or a rules file) cannot be saved; ``issues`` say where and why."""

    def __init__(self, issues: Sequence[Issue], prefix: str = "") -> None:
        self.issues = tuple(issues)
        lines = [str(issue) for issue in self.issues] or ["invalid rule"]
        text = lines[0] if len(lines) == 1 else "\n  ".join([f"{len(lines)} problems:", *lines])
        super().__init__(f"{prefix}{text}")
