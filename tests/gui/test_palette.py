"""The palette: light or dark with the theme, and readable on either."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.gui.conftest import panel_of
from tests.gui.test_delegate_contrast import contrast
from wxpanel.gui import palette
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.preferences import apply_theme

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

#: WCAG 2.x for large text and user-interface marks: the least a coloured note needs.
READABLE = 3.0


@pytest.fixture
def theme(qtbot: QtBot) -> Iterator[None]:
    yield
    apply_theme("")  # the system's again, for the next test


def test_the_scheme_follows_the_theme(theme: None) -> None:
    apply_theme("dark")
    assert palette.scheme() is palette.DARK
    apply_theme("light")
    assert palette.scheme() is palette.LIGHT


#: What each scheme's notes are written on: the view's base and the window.
BACKGROUNDS = {
    "light": (palette.LIGHT, ("#ffffff", "#efefef")),
    "dark": (
        palette.DARK,
        (palette.DARK_QT[QPalette.ColorRole.Base], palette.DARK_QT[QPalette.ColorRole.Window]),
    ),
}


@pytest.mark.parametrize("name", BACKGROUNDS)
def test_notes_are_readable_on_their_theme(name: str) -> None:
    scheme, backgrounds = BACKGROUNDS[name]
    for background in backgrounds:
        for role in ("muted", "error", "warning", "ok", "late"):
            colour = getattr(scheme, role)
            ratio = contrast(QColor(colour), QColor(background))
            assert ratio >= READABLE, f"{role} {colour} on {background}: {ratio:.2f}"
    for kind, (fill, _border, text) in scheme.banners.items():
        assert contrast(QColor(text), QColor(fill)) >= 4.5, kind


def test_coloured_text_follows_a_theme_change(
    qtbot: QtBot, theme: None, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    window.change_preferences(window.preferences.with_changes(theme="light"))
    label = panel_of(window).auto_reply.label  # "Auto-reply ON", in the status bar
    assert palette.LIGHT.ok in label.styleSheet()
    window.change_preferences(window.preferences.with_changes(theme="dark"))
    assert palette.DARK.ok in label.styleSheet()
    assert "bold" in label.styleSheet()
    hint = QLabel(window)
    palette.colour_text(hint, "muted")
    assert palette.DARK.muted in hint.styleSheet()
    window.change_preferences(window.preferences.with_changes(theme="light"))
    assert palette.LIGHT.muted in hint.styleSheet()
    with pytest.raises(AttributeError):
        palette.colour_text(hint, "no such role")
