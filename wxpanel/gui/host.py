"""What a page may ask of the window it is plugged into.

The auto-reply, answer sources and dashboard controls used to take the
whole :class:`~wxpanel.gui.mainwindow.MainWindow` and reach into its tabs,
toolbar and banner (``findChild``), which tied every control to the
window's insides and the tab order to the order of construction.  They now
see only this small interface; :mod:`wxpanel.gui.panel` plugs them in.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QWidget

from wxpanel.gui.widgets import Banner


class PageHost(Protocol):
    """The window's side of a plugged-in page."""

    def add_page(
        self, widget: QWidget, title: str, after: QWidget | None = None, tooltip: str = ""
    ) -> None:
        """A tab right after ``after`` (None: after the last one)."""

    def set_page_title(self, widget: QWidget, title: str, icon: QIcon | None = None) -> None:
        """A new title (and icon, if given) for a plugged-in page's tab."""

    def show_page(self, widget: QWidget) -> None:
        """Bring a plugged-in page to the front."""

    def add_action(self, action: QAction) -> None:
        """An action in the toolbar whose shortcut works anywhere in the window."""

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget in the status bar."""

    def add_banner(self, banner: Banner) -> None:
        """A strip under the window's own banner (alerts of one kind)."""
