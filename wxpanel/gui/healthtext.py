"""The health checks' titles and reasons in the user's language.

The core (:mod:`wxpanel.core.health`) describes every check with an English
template from :data:`~wxpanel.core.health.REASONS` and the values of its
fields; this module holds the same templates as literal
``QCoreApplication.translate("health", …)`` calls, so that ``pyside6-lupdate``
extracts them, and fills the translated template with the reason's fields.
A translation that lost or misspelt a field falls back to the English line
instead of failing.  ``tests/gui/test_stats_page.py`` checks that there is
a template here for every one of the core's, and that the Chinese ones keep
their fields.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from wxpanel.core.health import Check, Level, Reason


def titles() -> dict[str, str]:
    """Every check's title, translated."""
    return {
        "exchange": QCoreApplication.translate("health", "exchange.db"),
        "demo": QCoreApplication.translate("health", "demo.exe"),
        "disk_exchange": QCoreApplication.translate("health", "Disk beside exchange.db"),
        "disk_history": QCoreApplication.translate("health", "Disk beside history.db"),
        "history_size": QCoreApplication.translate("health", "History size"),
        "lag": QCoreApplication.translate("health", "Poller"),
        "backlog": QCoreApplication.translate("health", "wx_event backlog"),
        "integrity": QCoreApplication.translate("health", "History integrity"),
    }


def reasons() -> dict[str, str]:
    """Every reason's template, translated; the fields stay in braces."""
    return {
        "exchange_ok": QCoreApplication.translate(
            "health", "exchange.db is readable and has demo.exe's tables"
        ),
        "exchange_waiting": QCoreApplication.translate(
            "health", "Waiting for the poller's first look at exchange.db"
        ),
        "exchange_schema": QCoreApplication.translate(
            "health", "exchange.db is not demo.exe's database ({detail})"
        ),
        "exchange_gone": QCoreApplication.translate(
            "health", "exchange.db is gone; waiting for it to come back"
        ),
        "exchange_error": QCoreApplication.translate(
            "health", "exchange.db cannot be used: {detail}"
        ),
        "demo_unknown": QCoreApplication.translate(
            "health", "Cannot tell while exchange.db is unreadable"
        ),
        "demo_stuck": QCoreApplication.translate(
            "health", "demo.exe has taken nothing for {seconds} s ({stuck} commands stuck)"
        ),
        "demo_slow": QCoreApplication.translate(
            "health", "demo.exe has not taken a command for {seconds} s"
        ),
        "demo_quiet": QCoreApplication.translate(
            "health", "No event from demo.exe for {minutes} min"
        ),
        "demo_ok": QCoreApplication.translate(
            "health", "demo.exe takes commands; last event {seconds} s ago"
        ),
        "demo_ok_no_event": QCoreApplication.translate(
            "health", "demo.exe takes commands; no event yet"
        ),
        "demo_events": QCoreApplication.translate(
            "health", "demo.exe writes events; last event {seconds} s ago"
        ),
        "demo_unseen": QCoreApplication.translate(
            "health", "No sign of demo.exe yet: no event arrived and no command was taken"
        ),
        "disk_unknown": QCoreApplication.translate("health", "Free space beside {file} is unknown"),
        "disk_full": QCoreApplication.translate(
            "health", "Only {free_mb} MB free beside {file}: the disk is nearly full"
        ),
        "disk_low": QCoreApplication.translate("health", "{free_mb} MB free beside {file}"),
        "disk_ok": QCoreApplication.translate("health", "{free_gb:.1f} GB free beside {file}"),
        "history_unknown": QCoreApplication.translate("health", "history.db's size is unknown"),
        "history_huge": QCoreApplication.translate(
            "health", "history.db is {size_gb:.1f} GB: export and archive old messages"
        ),
        "history_large": QCoreApplication.translate("health", "history.db is {size_gb:.1f} GB"),
        "history_ok": QCoreApplication.translate("health", "history.db is {size_mb} MB"),
        "lag_waiting": QCoreApplication.translate(
            "health", "Waiting for the poller's first report"
        ),
        "lag_locked": QCoreApplication.translate(
            "health", "exchange.db locked by another program for {seconds} s"
        ),
        "lag_stale": QCoreApplication.translate("health", "The poller last looked {seconds} s ago"),
        "lag_ok": QCoreApplication.translate("health", "The poller looked {seconds} s ago"),
        "backlog_unknown": QCoreApplication.translate(
            "health", "Backlog unknown while exchange.db is unreadable"
        ),
        "backlog_growing": QCoreApplication.translate(
            "health", "wx_event backlog grew from {first} to {last} rows in {seconds} s"
        ),
        "backlog_high": QCoreApplication.translate("health", "{rows} events wait in wx_event"),
        "backlog_ok": QCoreApplication.translate("health", "{rows} events wait in wx_event"),
        "integrity_ok": QCoreApplication.translate("health", "PRAGMA quick_check found no problem"),
        "integrity_busy": QCoreApplication.translate(
            "health", "history.db is busy; try the check again"
        ),
        "integrity_bad": QCoreApplication.translate("health", "history.db is damaged: {detail}"),
        "integrity_unreadable": QCoreApplication.translate(
            "health", "history.db cannot be read: {detail}"
        ),
    }


def level_name(level: Level) -> str:
    if level is Level.RED:
        return QCoreApplication.translate("health", "Alert")
    if level is Level.AMBER:
        return QCoreApplication.translate("health", "Warning")
    if level is Level.UNKNOWN:
        return QCoreApplication.translate("health", "Unknown")
    return QCoreApplication.translate("health", "OK")


def title(name: str) -> str:
    return titles().get(name, name)


def reason_text(reason: Reason) -> str:
    """The one-line reason in the user's language (English if the translation is broken)."""
    template = reasons().get(reason.key)
    if template is None:
        return reason.format()
    try:
        return reason.format(template)
    except (KeyError, IndexError, ValueError):
        return reason.format()


def check_line(check: Check) -> str:
    """``"demo.exe: demo.exe has taken nothing for 40 s (2 commands stuck)"``."""
    return (
        QCoreApplication.translate("health", "%1: %2")
        .replace("%1", title(check.name))
        .replace("%2", reason_text(check.reason))
    )
