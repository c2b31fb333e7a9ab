"""The panel's own preferences, kept under ``"panel"`` in the core's settings.json.

The core keeps keys it does not know when it saves, so the panel needs no
file of its own: a copied data folder carries these along with the pacing.
Reading and writing happen once at start and when the settings dialog is
accepted, never on the hot path.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from wxpanel.core.pacer import PacerConfig
from wxpanel.core.settings import Settings
from wxpanel.gui import palette

KEY = "panel"
#: A quick-reply code: what follows "/" in the composer.
CODE = re.compile(r"^\w{1,20}$")
LANGUAGES = ("", "zh_CN", "en")  # "" follows the system
THEMES = ("", "light", "dark")  # "" follows the system
#: What a new panel offers after "/": common customer-service lines, in
#: Chinese (the customers' language) and GBK-safe (no emoji: demo.exe sends GBK).
DEFAULT_QUICK_REPLIES: dict[str, str] = {
    "hi": "您好，请问有什么可以帮您？",
    "wait": "好的，请稍等，我马上为您查询。",
    "thanks": "感谢您的耐心等待！",
    "later": "收到，我稍后回复您。",
    "bye": "不客气，祝您生活愉快！",
}


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the user may change in the panel itself."""

    enter_sends: bool = True  # else Ctrl/Shift+Enter sends and Enter is a new line
    notifications: bool = True
    close_to_tray: bool = False
    language: str = ""
    theme: str = ""
    quick_replies: dict[str, str] = field(
        default_factory=lambda: dict(DEFAULT_QUICK_REPLIES)
    )  # code -> text

    def to_json(self) -> dict[str, Any]:
        return {
            "enter_sends": self.enter_sends,
            "notifications": self.notifications,
            "close_to_tray": self.close_to_tray,
            "language": self.language,
            "theme": self.theme,
            "quick_replies": dict(self.quick_replies),
        }

    @classmethod
    def from_json(cls, data: Any) -> Preferences:
        """Lenient: a wrong value falls back to its default, as the core's settings do."""
        if not isinstance(data, dict):
            return cls()
        default = cls()

        def flag(name: str) -> bool:
            value = data.get(name)
            return value if isinstance(value, bool) else bool(getattr(default, name))

        language = data.get("language")
        theme = data.get("theme")
        replies = data.get("quick_replies")
        kept = {
            str(code): text
            for code, text in (replies.items() if isinstance(replies, dict) else ())
            if CODE.match(str(code)) and isinstance(text, str) and text
        }
        if not kept and replies != {}:  # missing or all wrong: the defaults
            kept = dict(default.quick_replies)
        return cls(
            enter_sends=flag("enter_sends"),
            notifications=flag("notifications"),
            close_to_tray=flag("close_to_tray"),
            language=language if language in LANGUAGES else "",
            theme=theme if theme in THEMES else "",
            quick_replies=kept,
        )

    def with_changes(self, **changes: Any) -> Preferences:
        return replace(self, **changes)


def load(path: Path) -> Preferences:
    return Preferences.from_json(Settings.load(path).extra.get(KEY))


def save(path: Path, preferences: Preferences, pacer: PacerConfig | None = None) -> None:
    """Write back into settings.json, keeping every other setting as it is on disk.

    ``pacer`` replaces the pacing of sends too; the poller reads it when it starts.
    """
    settings = Settings.load(path).with_extra(**{KEY: preferences.to_json()})
    if pacer is not None:
        settings = dataclasses.replace(settings, pacer=pacer)
    settings.save(path)


def load_pacer(path: Path) -> PacerConfig:
    return Settings.load(path).pacer


def expand_quick_reply(text: str, replies: dict[str, str]) -> str | None:
    """The text with a trailing ``/code`` replaced by its snippet, or None if none matches."""
    match = re.search(r"(?:^|(?<=\s))/(\w{1,20})$", text)
    if match is None or match.group(1) not in replies:
        return None
    return text[: match.start()] + replies[match.group(1)]


def apply_theme(theme: str) -> None:
    """Light or dark whatever the system says, or ("") follow the system, live.

    Qt follows the system's colour scheme by itself (Windows 11, macOS, GNOME,
    KDE).  A choice is asked of the platform first and, because not every
    platform honours that, also made certain with the Fusion style and a
    palette of that scheme; following the system again restores the original
    style and palette.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    hints = QGuiApplication.styleHints()
    global _system_look
    if _system_look is None:
        _system_look = (app.style().name(), QPalette(app.palette()))
    if theme not in ("light", "dark"):
        hints.unsetColorScheme()
        app.setStyle(_system_look[0])
        app.setPalette(_system_look[1])
        palette.refresh()
        return
    hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)
    style = QStyleFactory.create("Fusion")
    app.setStyle(style)
    app.setPalette(palette.dark_qt_palette() if theme == "dark" else style.standardPalette())
    palette.refresh()


#: The style name and palette Qt chose for the system, kept to return to them.
_system_look: tuple[str, QPalette] | None = None
