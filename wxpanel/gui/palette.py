"""Every colour of the panel, light and dark, in one place.

Colours were written where they were used (62 of them in 19 modules), each
chosen for a white window: with the dark theme, red notes and grey hints
turned into dim smudges on dark grey.  Now a widget asks for a meaning --
``scheme().error``, ``scheme().muted`` -- and gets the colour of the current
theme; the few colours that mean the same on both (WeChat's green, the
unread badge, the message-type marks) are constants here too.
``tests/gui/test_layout.py`` checks that no other module of ``wxpanel.gui``
writes a colour of its own.

:func:`scheme` is read on every paint and every ``data()`` call, so it is
cached; :func:`refresh` recomputes it when the application's palette changes
(the theme preference, or the system's scheme).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from wxpanel.core.health import Level
from wxpanel.core.models import CommandStatus
from wxpanel.core.protocol import MessageType


@dataclass(frozen=True, slots=True)
class Scheme:
    """The colours whose value depends on the window being light or dark."""

    dark: bool
    #: Secondary text: hints, labels of details.
    muted: str
    #: Something is wrong (a failed source, a refused value).
    error: str
    #: Worth a look (a key not set, a rule that never matches).
    warning: str
    #: Working as it should (a source that answers, auto-reply on, a reply sent).
    ok: str
    #: Late or missed (timed runs, log warnings).
    late: str
    #: Switched off.
    disabled: str
    #: Behind a field whose value is refused.
    invalid_background: str
    #: Behind a row or a character that is lost or flagged.
    flagged_background: str
    #: Banners per kind: (background, border, text).
    banners: dict[str, tuple[str, str, str]]


LIGHT: Final = Scheme(
    dark=False,
    muted="#666666",
    error="#c62828",
    warning="#8a6100",
    ok="#1a7f37",
    late="#b35c00",
    disabled="#8a8a8a",
    invalid_background="#fdecea",
    flagged_background="#fde2e1",
    banners={
        "warning": ("#fff3cd", "#e0c36c", "#5c4400"),
        "alert": ("#fde2e1", "#e64340", "#8a1c1a"),
        "recovered": ("#e3f6ea", "#07c160", "#0b5e33"),
    },
)

DARK: Final = Scheme(
    dark=True,
    muted="#a8a8a8",
    error="#ff7b72",
    warning="#e3b341",
    ok="#56d364",
    late="#f0883e",
    disabled="#8a8a8a",
    invalid_background="#4d1f1e",
    flagged_background="#4d1f1e",
    banners={
        "warning": ("#4a3d12", "#a8882a", "#f5e3a8"),
        "alert": ("#4d1f1e", "#e64340", "#ffd2d0"),
        "recovered": ("#173d27", "#07c160", "#c9f2d9"),
    },
)

# -- the same on light and dark ------------------------------------------------------

#: WeChat's green: the application mark, healthy, outgoing in the chart.
BRAND: Final = "#07c160"
#: The unread badge, red health, errors in the log and the statistics.
ALARM: Final = "#e64340"
#: Incoming messages in the chart.
INCOMING: Final = "#1989fa"
#: What draws on a coloured mark (avatar letters, the badge's count).
ON_MARK: Final = "#ffffff"
#: Avatars without a picture: one of these per name.
AVATARS: Final = ("#5b8def", "#e8833a", "#3fb27f", "#b36ae2", "#e05d6f", "#2fa7b8", "#9a8c3a")
#: Health levels (the Health tab's icon and its rows).
LEVELS: Final = {
    Level.GREEN: BRAND,
    Level.UNKNOWN: "#9e9e9e",
    Level.AMBER: "#f0a020",
    Level.RED: ALARM,
}
#: The mark of each message type in the live feed.
MESSAGE_TYPES: Final = {
    MessageType.TEXT: "#4a90d9",
    MessageType.IMAGE: "#2e9e6b",
    MessageType.VOICE: "#8e6bd6",
    MessageType.VIDEO: "#d9534f",
    MessageType.STICKER: "#e0a020",
    MessageType.FRIEND_REQUEST: "#16a085",
    MessageType.CARD: "#7f8c8d",
    MessageType.APP: "#2c7fb8",
    MessageType.SYSTEM: "#95a5a6",
    MessageType.UNKNOWN: "#b0b0b0",
}
#: A reply's state under its bubble; drawn on the green bubble in both themes.
COMMAND_STATUS: Final = {
    CommandStatus.QUEUED: "#8a8a8a",
    CommandStatus.WRITTEN: "#3b78c2",
    CommandStatus.TAKEN: "#2e8b57",
    CommandStatus.STUCK: "#c0392b",
    CommandStatus.FAILED: "#c0392b",
}
#: Chat bubbles: ours (WeChat's green), a failed one, theirs on light and dark.
BUBBLE_OUT: Final = "#95ec69"
BUBBLE_FAILED: Final = "#f5c6c2"
BUBBLE_IN_LIGHT: Final = "#ffffff"
BUBBLE_IN_DARK: Final = "#3a3a3a"
#: Text in a bubble: on a light fill, on a dark one.
BUBBLE_TEXT_ON_LIGHT: Final = "#111111"
BUBBLE_TEXT_ON_DARK: Final = "#eeeeee"

#: The dark theme's Qt palette (Fusion), role by role.
DARK_QT: Final = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1e1e",
    QPalette.ColorRole.AlternateBase: "#2f2f2f",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Link: "#5aa9e6",
    QPalette.ColorRole.Highlight: "#2f6fb3",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#8a8a8a",
}
#: Disabled text in the dark theme.
DARK_QT_DISABLED_TEXT: Final = "#7a7a7a"


def dark_qt_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK_QT.items():
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(disabled, role, QColor(DARK_QT_DISABLED_TEXT))
    return palette


# -- the current scheme ----------------------------------------------------------------

_current: Scheme | None = None


def _window_is_dark() -> bool:
    if QApplication.instance() is None:
        return False
    return QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def scheme() -> Scheme:
    """The colours for the window as it is now (light or dark)."""
    global _current
    if _current is None:
        _current = DARK if _window_is_dark() else LIGHT
    return _current


def refresh() -> Scheme:
    """The application's palette changed: read light or dark again."""
    global _current
    _current = None
    return scheme()


@cache
def brush(colour: str) -> QBrush:
    """One QBrush per colour, for models' ``data()`` (made once, not per call)."""
    return QBrush(QColor(colour))


#: The dynamic property that names a widget's text colour in the scheme.
_ROLE: Final = "paletteRole"


def colour_text(widget: QWidget, role: str, *, bold: bool = False) -> None:
    """Give ``widget`` the scheme's ``role`` colour (``"muted"``, ``"error"``...) for its text.

    The role is kept on the widget, so that :func:`restyle` gives it the
    other theme's colour when the theme changes.
    """
    getattr(LIGHT, role)  # a role the schemes do not have fails here, not at the next theme
    widget.setProperty(_ROLE, f"{role};bold" if bold else role)
    _apply(widget)


def _apply(widget: QWidget) -> None:
    role, _, bold = str(widget.property(_ROLE)).partition(";")
    style = f"color: {getattr(scheme(), role)};" + (" font-weight: bold;" if bold else "")
    if widget.styleSheet() != style:  # a new style sheet relayouts the widget
        widget.setStyleSheet(style)


def restyle(root: QWidget) -> None:
    """After a theme change: every text coloured by :func:`colour_text` under ``root``."""
    for widget in root.findChildren(QWidget):
        if widget.property(_ROLE) is not None:
            _apply(widget)
