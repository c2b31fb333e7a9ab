"""The panel put together: the window, and the pages plugged into it in a stated order.

The window knows only its own chat and live feed; every other page comes
through :meth:`MainWindow.add_page` from here, so that no page reaches into
the window's children and the tab order reads in one place:

    Chat · Live feed · Statistics · Health · Log · Rules · Answer sources · Timed messages

The poller, the window's banner, the tray and the pages' history.db service
are made here and handed to whoever needs them, rather than found as
attributes of the window or of a parent widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from wxpanel.gui.autoreply import AutoReplyControl
from wxpanel.gui.dashboard import Dashboard
from wxpanel.gui.history_service import HistoryService
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.preferences import Preferences
from wxpanel.gui.sources_page import SourcesControl
from wxpanel.gui.tray import Tray
from wxpanel.gui.widgets import Banner
from wxpanel.gui.worker import PollThread


@dataclass(frozen=True)
class Panel:
    """The window and the controls of its plugged-in pages."""

    window: MainWindow
    dashboard: Dashboard  # statistics, health, log pages
    auto_reply: AutoReplyControl  # the switch, alerts, rules and timed pages
    answer_sources: SourcesControl  # plugins, webhooks, AI after the rules
    history: HistoryService  # the pages' one budgeted connection to history.db


def build_panel(poller: PollThread, preferences: Preferences | None = None) -> Panel:
    """Make the window on ``poller`` and plug every page in (not started, not shown)."""
    banner, tray = Banner(), Tray()
    window = MainWindow(poller, banner, tray, preferences)
    history = HistoryService(window)
    history.failed.connect(banner.show_message)
    dashboard = Dashboard(window, poller, tray, banner, parent=window)
    auto_reply = AutoReplyControl(window, poller, tray, banner, history, parent=window)
    sources = SourcesControl(
        window, poller, banner, history, after=auto_reply.rules_page, parent=window
    )
    poller.ready.connect(lambda paths: history.open(paths.history))  # the poller made it
    window.preferencesApplied.connect(lambda _p: dashboard.stats_page.apply_chart_theme())
    window.closing.connect(auto_reply.close)
    window.closing.connect(sources.close)
    window.closing.connect(history.close)
    return Panel(window, dashboard, auto_reply, sources, history)
