# ruff: noqa: E501
"""What was wrong in settings.json, in the user's language.

:mod:`wxpanel.core.settings` describes each problem by a reason key and
fields (:class:`~wxpanel.core.settings.SettingsProblem`); its English
templates are :data:`~wxpanel.core.settings.TEXTS`.  The same templates are
here as literal ``QCoreApplication.translate("settings", …)`` calls for
``pyside6-lupdate``; ``tests/gui/test_settingstext.py`` checks they are the
core's.  A translation that lost a field falls back to the English line.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from wxpanel.core.settings import SettingsProblem


def templates() -> dict[str, str]:
    """Every template of settings.json's problems, translated; the fields stay in braces."""
    return {
        "unreadable": QCoreApplication.translate(
            "settings",
            "{path}: cannot be read ({detail}); running on the default settings, the file is kept as it is",
        ),
        "not_json": QCoreApplication.translate(
            "settings",
            "{path}: not valid JSON, line {line} column {column}: {detail}; running on the default settings, the file is kept as it is",
        ),
        "not_object": QCoreApplication.translate(
            "settings",
            "{path}: expected a JSON object, found {found}; running on the default settings, the file is kept as it is",
        ),
        "wrong_type": QCoreApplication.translate(
            "settings",
            "{path}: {key}: expected {expected}, found {found}; using the default {default}",
        ),
        "out_of_range": QCoreApplication.translate(
            "settings",
            "{path}: {key}: {found} is not between {low} and {high}; using the default {default}",
        ),
        "kept": QCoreApplication.translate(
            "settings",
            "{path}: not saved, the file cannot be read ({detail}) and is kept as it is; fix or remove it first",
        ),
    }


def problem_text(problem: SettingsProblem) -> str:
    """One problem, translated."""
    template = templates().get(problem.reason)
    if template is None:
        return str(problem)
    try:
        return template.format(key=problem.key, **problem.fields)
    except (KeyError, IndexError, ValueError):
        return str(problem)  # a translation that lost a field: the English line


def problems_text(problems: Iterable[SettingsProblem]) -> str:
    """The banner's text: every problem on its own line."""
    return "\n".join(problem_text(p) for p in problems)
