"""The core's sentences in the user's language: the one place keys are translated.

The core says everything to a person as a :class:`~wxpanel.core.texts.Text`
(a key of :data:`~wxpanel.core.texts.TEXTS` and named fields); the values
that carry one (a rule's :class:`~wxpanel.core.rules.model.Issue`, an
:class:`~wxpanel.core.rules.replier.Alert`, a health
:class:`~wxpanel.core.health.Check`, a settings problem) are shown through
the functions here.  The translation is looked up by the key (the
disambiguation of the catalogue entry that ``pyside6-lupdate`` extracted from
``wxpanel/core/texts.py``) and filled with the same fields; a field that is
itself a text is translated too.  A translation that lost or misspelt a
field falls back to the English line instead of failing, and a value
without a key (an issue made by other code) is shown as it is.  Nothing here
parses a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from wxpanel.core.autoreply.alerts import Alert
from wxpanel.core.autoreply.issues import Issue, RuleError
from wxpanel.core.errors import KnownError
from wxpanel.core.health import Check, Level
from wxpanel.core.settings import SettingsProblem
from wxpanel.core.texts import CONTEXT, TEXTS, Text, field_names, fill


def template(key: str) -> str:
    """The catalogue's template ``key`` in the user's language; the fields stay in braces."""
    english = TEXTS[key]
    return QCoreApplication.translate(CONTEXT, english, key)


def text(value: Text) -> str:
    """``value`` in the user's language (English if its translation is broken)."""
    translated = template(value.key)
    if field_names(translated) != field_names(value.template):
        return str(value)
    values = {name: text(v) if isinstance(v, Text) else v for name, v in value.fields}
    try:
        return fill(translated, values)
    except (KeyError, IndexError, TypeError, ValueError):
        return str(value)


def _pair(first: str, second: str) -> str:
    """``"first: second"``, with the colon of the user's language."""
    return QCoreApplication.translate("texts", "%1: %2").replace("%1", first).replace("%2", second)


def error_text(exc: BaseException) -> str:
    """An expected failure in the user's language: its text if the core gave one.

    A refused rule lists its issues; an error without a text (words from
    outside wxpanel: the OS, SQLite, a plugin) is shown as it is.
    """
    if isinstance(exc, RuleError) and exc.issues:
        return rule_error_text(exc)
    if isinstance(exc, KnownError) and exc.text is not None:
        return text(exc.text)
    return str(exc) or type(exc).__name__


# -- rules and sources: validation issues, alerts -----------------------------------


def issue_text(issue: Issue) -> str:
    """An issue's message (without its path) in the user's language."""
    value = issue.text
    if value is None or value.key not in TEXTS:
        return issue.message
    return text(value)


def issue_line(issue: Issue) -> str:
    """``"triggers[0].pattern: …"``: the issue with its path, like ``str(issue)``."""
    message = issue_text(issue)
    return _pair(issue.path, message) if issue.path else message


def issues_text(issues: Iterable[Issue]) -> str:
    """Several issues, one a line."""
    return "\n".join(issue_line(issue) for issue in issues)


def rule_error_text(exc: RuleError) -> str:
    """Why the store refused a rule or a timed message, in the user's language."""
    return issues_text(exc.issues) or str(exc)


def alert_detail(alert: Alert) -> str:
    """An alert's detail in the user's language."""
    value = alert.text
    if value is None or value.key not in TEXTS:
        return alert.detail
    return text(value)


# -- health ------------------------------------------------------------------------


def level_name(level: Level) -> str:
    if level is Level.RED:
        return QCoreApplication.translate("health", "Alert")
    if level is Level.AMBER:
        return QCoreApplication.translate("health", "Warning")
    if level is Level.UNKNOWN:
        return QCoreApplication.translate("health", "Unknown")
    return QCoreApplication.translate("health", "OK")


def check_title(check: Check) -> str:
    return text(check.title)


def check_line(check: Check) -> str:
    """``"demo.exe: demo.exe has taken nothing for 40 s (2 commands stuck)"``."""
    return _pair(check_title(check), text(check.reason))


# -- settings.json -----------------------------------------------------------------


def problem_text(problem: SettingsProblem) -> str:
    """One problem of settings.json, translated."""
    return text(problem.text)


def problems_text(problems: Iterable[SettingsProblem]) -> str:
    """The banner's text: every problem on its own line."""
    return "\n".join(problem_text(p) for p in problems)
