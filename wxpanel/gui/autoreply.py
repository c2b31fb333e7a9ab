"""Auto-reply in the window: the global switch, the alerts, the Rules and Timed pages.

:class:`AutoReplyControl` is installed by :class:`~wxpanel.gui.mainwindow.MainWindow`
with one line, and adds what auto-reply needs of the window: the switch (a
toolbar action with Ctrl+Shift+A, a status-bar label, the tray menu entry),
an alert banner under the window's banner, and the Rules and Timed messages
tabs with their own connection to history.db (opened once the poller is up).

The switch is stored in history.db (:meth:`RuleStore.set_auto_reply_enabled`),
so it survives a restart and the poller obeys it from its next round.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QBoxLayout, QLabel, QToolBar

from wxpanel.core.errors import KnownError
from wxpanel.core.history import open_history
from wxpanel.core.names import Directory
from wxpanel.core.paths import DataPaths
from wxpanel.core.rules import Alert, AlertKind, RuleCounter, RuleStore, TimedStore
from wxpanel.core.rules.timed import TimedOutcome, TimedRun
from wxpanel.gui.rules_page import RulesPage, TimedPage
from wxpanel.gui.rulestext import alert_detail
from wxpanel.gui.widgets import Banner

if TYPE_CHECKING:
    from wxpanel.gui.mainwindow import MainWindow

#: The switch's keyboard shortcut, in the window.
SWITCH_SHORTCUT: Final = "Ctrl+Shift+A"
#: The GUI thread waits at most this long for history.db (the poller's writes are short).
GUI_BUSY_TIMEOUT: Final = 1.0
#: The "limit reached" banner goes when no cap was hit for this long.
CAP_BANNER_MS: Final = 60_000


class AutoReplyControl(QObject):
    """The auto-reply switch, alerts and pages of one window."""

    #: The switch changed (from any of its places): True = auto-replies on.
    switched = Signal(bool)
    #: A problem to show in the window's banner.
    failed = Signal(str)
    #: An alert for the tray: (title, text).
    notify = Signal(str, str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.conn: sqlite3.Connection | None = None
        self.rule_store: RuleStore | None = None
        self.timed_store: TimedStore | None = None
        self.enabled = True
        self._missed_banner = False
        self._cap_banner = False
        self._cap_timer = QTimer(self)
        self._cap_timer.setSingleShot(True)
        self._cap_timer.setInterval(CAP_BANNER_MS)
        self._cap_timer.timeout.connect(self._cap_quiet)
        self.action = QAction(self.tr("Auto-reply"), window)
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setEnabled(False)  # until history.db is open
        self.action.setShortcut(QKeySequence(SWITCH_SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(self.action)  # the shortcut works even with the toolbar hidden
        toolbar = window.findChild(QToolBar, "main-toolbar")
        if toolbar is not None:
            toolbar.addAction(self.action)
        self.label = QLabel(window)
        window.statusBar().addPermanentWidget(self.label)
        holder = window.banner.parentWidget()
        self.alert_banner = Banner(holder)
        layout = holder.layout() if holder is not None else None
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.indexOf(window.banner) + 1, self.alert_banner)
        self.rules_page = RulesPage(window.tabs)
        self.timed_page = TimedPage(window.tabs)
        self._tabs = window.tabs
        window.tabs.addTab(self.rules_page, self.tr("Rules"))
        window.tabs.addTab(self.timed_page, self.tr("Timed messages"))
        self.action.toggled.connect(self.set_enabled)
        self.rules_page.failed.connect(self.failed)
        self.timed_page.failed.connect(self.failed)
        self.timed_page.attentionChanged.connect(self._on_attention)
        self.failed.connect(window.banner.show_message)
        self._connect_poller()
        self._show(True)

    def _connect_poller(self) -> None:
        """What the poller reports, what the pages ask of it, and the tray's switch."""
        poller, tray = self.window.poller, self.window.tray
        poller.ready.connect(self._on_ready)
        poller.alertsRaised.connect(self.on_alerts)
        poller.ruleCountersChanged.connect(self.on_rule_counters)
        poller.timedRunsReported.connect(self.on_timed_runs)
        poller.lateSent.connect(self.timed_page.on_late_sent)
        self.timed_page.sendLateRequested.connect(poller.send_late)
        tray.autoReplyToggled.connect(self.set_enabled)
        self.switched.connect(tray.set_auto_reply)
        self.notify.connect(tray.alert)
        tray.set_auto_reply(self.enabled)

    def set_directory(self, directory: Directory) -> None:
        """The known conversations and contacts, for the pages' pickers."""
        self.rules_page.set_directory(directory)
        self.timed_page.set_directory(directory)

    # -- life ---------------------------------------------------------------------------

    def _on_ready(self, paths: DataPaths) -> None:
        self.attach(paths.history)

    def attach(self, history: Path) -> None:
        """Open the panel's own connection to history.db (the poller created it)."""
        if self.conn is not None:
            return
        try:
            self.conn = open_history(history, busy_timeout=GUI_BUSY_TIMEOUT)
        except (KnownError, sqlite3.Error, OSError) as exc:
            self.failed.emit(self.tr("Cannot open the rules: %1").replace("%1", str(exc)))
            return
        self.rule_store = RuleStore(self.conn)
        self.timed_store = TimedStore(self.conn)
        try:
            enabled = self.rule_store.auto_reply_enabled()
        except sqlite3.Error:
            enabled = True  # what the poller assumes too when it cannot read the switch
        self.action.setEnabled(True)
        self._show(enabled)
        self.rules_page.attach(self.rule_store)
        self.timed_page.attach(self.timed_store)
        missed = self.timed_page.missed.rowCount()
        if missed:
            text = self.tr(
                "%1 timed message(s) missed while wxpanel was closed: see Timed messages."
            )
            self._show_missed(text.replace("%1", str(missed)))

    def close(self) -> None:
        self.rules_page.attach(None)
        self.timed_page.attach(None)
        self.rule_store = self.timed_store = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    # -- the switch -----------------------------------------------------------------------

    def set_enabled(self, enabled: bool) -> None:
        """Flip the global switch: written at once, obeyed by the poller's next round."""
        if enabled == self.enabled:
            self._show(enabled)
            return
        if self.rule_store is None:
            self._show(self.enabled)
            return
        try:
            self.rule_store.set_auto_reply_enabled(enabled)
        except (KnownError, sqlite3.Error) as exc:
            self.failed.emit(self.tr("Cannot switch auto-reply: %1").replace("%1", str(exc)))
            self._show(self.enabled)
            return
        self._show(enabled)

    def _show(self, enabled: bool) -> None:
        changed = enabled != self.enabled
        self.enabled = enabled
        if self.action.isChecked() != enabled:
            self.action.blockSignals(True)
            self.action.setChecked(enabled)
            self.action.blockSignals(False)
        state = self.tr("ON") if enabled else self.tr("OFF")
        self.action.setText(self.tr("Auto-reply: %1").replace("%1", state))
        self.action.setToolTip(
            self.tr("Switch every auto-reply on or off (%1)").replace("%1", SWITCH_SHORTCUT)
        )
        self.label.setText(self.tr("Auto-reply %1").replace("%1", state))
        colour = "#1a7f37" if enabled else "#c62828"
        self.label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        if changed:
            self.switched.emit(enabled)

    # -- from the poller ------------------------------------------------------------------

    def on_alerts(self, alerts: Sequence[Alert]) -> None:
        """Loops stopped and caps hit: a banner in the window and a tray notification."""
        if not alerts:
            return
        lines = [self.describe(alert) for alert in alerts]
        text = "\n".join(lines)
        self.alert_banner.show_message(text)
        self._missed_banner = False
        caps = (AlertKind.CAP, AlertKind.CONVERSATION_CAP)
        self._cap_banner = all(alert.kind in caps for alert in alerts)
        if self._cap_banner:  # its cause passes: gone a minute after the last cap hit
            self._cap_timer.start()
        if any(alert.kind is AlertKind.LOOP for alert in alerts):
            self.rules_page.refresh_paused()
        self.notify.emit(self.tr("wxpanel auto-reply"), text)

    def describe(self, alert: Alert) -> str:
        where = alert.conversation or ""
        if alert.kind is AlertKind.LOOP:
            text = self.tr("Possible bot loop in %1: auto-replies there are paused. %2")
        elif alert.kind in (AlertKind.CAP, AlertKind.CONVERSATION_CAP):
            text = self.tr("Auto-reply limit reached %1: answers were dropped. %2")
            where = self.tr("in %1").replace("%1", where) if where else ""
        elif alert.kind is AlertKind.PICTURE:
            text = self.tr("A rule's picture cannot be sent %1: %2")
            where = self.tr("in %1").replace("%1", where) if where else ""
        elif alert.kind is AlertKind.SOURCE:
            text = self.tr("An answer source was switched off %1: %2")
            where = ""
        elif alert.kind is AlertKind.EVALUATION:
            text = self.tr("A message was passed over by the auto-reply %1: %2")
            where = self.tr("in %1").replace("%1", where) if where else ""
        else:
            text = self.tr("A stored rule is invalid and was skipped %1: %2")
            where = ""
        return " ".join(text.replace("%1", where).replace("%2", alert_detail(alert)).split())

    def on_rule_counters(self, counters: Sequence[RuleCounter]) -> None:
        self.rules_page.update_counters(counters)

    def on_timed_runs(self, runs: Sequence[TimedRun]) -> None:
        added = self.timed_page.add_runs(runs)
        failed = [run for run in runs if run.outcome is TimedOutcome.FAILED]
        if added:
            text = self.tr("%1 timed message(s) were missed or failed: see Timed messages.")
            text = text.replace("%1", str(added))
            if failed:
                text += " " + (failed[0].detail or "")
            self._show_missed(text)
            self.notify.emit(self.tr("wxpanel timed messages"), text)

    def _on_attention(self, count: int) -> None:
        title = self.tr("Timed messages")
        if count:
            title = self.tr("Timed messages (%1)").replace("%1", str(count))
        index = self._tabs.indexOf(self.timed_page)
        if self._tabs.tabText(index) != title:  # a new text relayouts the whole window
            self._tabs.setTabText(index, title)
        if count == 0 and self._missed_banner:
            self.alert_banner.clear_message()
            self._missed_banner = False

    def _cap_quiet(self) -> None:
        """No cap was hit for a minute: the banner about it has nothing left to say."""
        if self._cap_banner:
            self.alert_banner.clear_message()
            self._cap_banner = False

    def _show_missed(self, text: str) -> None:
        self._cap_banner = False
        self.alert_banner.show_message(text)
        self._missed_banner = True
