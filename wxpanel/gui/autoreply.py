"""Auto-reply in the window: the global switch, the alerts, the Rules and Timed pages.

:class:`AutoReplyControl` is plugged into the window by :mod:`wxpanel.gui.panel`
through its :class:`~wxpanel.gui.host.PageHost` interface: the switch (a
toolbar action with Ctrl+Shift+A, a status-bar label, the tray menu entry),
an alert banner under the window's banner, and the Rules and Timed messages
tabs, which read and edit history.db through the injected
:class:`~wxpanel.gui.history_service.HistoryService` (open once the poller is up).

The switch is stored in history.db (:meth:`RuleStore.set_auto_reply_enabled`),
so it survives a restart and the poller obeys it from its next round.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

from wxpanel.core.engine import PollResult
from wxpanel.core.errors import KnownError
from wxpanel.core.names import Directory
from wxpanel.core.rules import Alert, AlertKind, RuleCounter, RuleStore, TimedStore
from wxpanel.core.rules.timed import TimedOutcome, TimedRun
from wxpanel.gui import palette
from wxpanel.gui.history_service import HistoryService
from wxpanel.gui.host import PageHost
from wxpanel.gui.rules_page import RulesPage, TimedPage
from wxpanel.gui.texts import alert_detail
from wxpanel.gui.tray import Tray
from wxpanel.gui.widgets import Banner
from wxpanel.gui.worker import PollThread

#: The switch's keyboard shortcut, in the window.
SWITCH_SHORTCUT: Final = "Ctrl+Shift+A"
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

    def __init__(
        self,
        host: PageHost,
        poller: PollThread,
        tray: Tray,
        banner: Banner,
        history: HistoryService,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.poller = poller
        self.tray = tray
        self.history = history
        self.rule_store: RuleStore | None = None
        self.timed_store: TimedStore | None = None
        self.enabled = True
        self._missed_banner = False
        self._cap_banner = False
        self._cap_timer = QTimer(self)
        self._cap_timer.setSingleShot(True)
        self._cap_timer.setInterval(CAP_BANNER_MS)
        self._cap_timer.timeout.connect(self._cap_quiet)
        self.action = QAction(self.tr("Auto-reply"), self)
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setEnabled(False)  # until history.db is open
        self.action.setShortcut(QKeySequence(SWITCH_SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        host.add_action(self.action)
        self.label = QLabel()
        host.add_status_widget(self.label)
        self.alert_banner = Banner()
        host.add_banner(self.alert_banner)
        self.rules_page = RulesPage()
        self.timed_page = TimedPage()
        host.add_page(self.rules_page, self.tr("Rules"))
        host.add_page(self.timed_page, self.tr("Timed messages"), after=self.rules_page)
        self.action.toggled.connect(self.set_enabled)
        self.rules_page.failed.connect(self.failed)
        self.timed_page.failed.connect(self.failed)
        self.timed_page.attentionChanged.connect(self._on_attention)
        self.failed.connect(banner.show_message)
        self._directory: Directory | None = None  # not yet given to the pickers
        self.rules_page.installEventFilter(self)
        self.timed_page.installEventFilter(self)
        self._connect_poller()
        self._show(True)

    def _connect_poller(self) -> None:
        """What the poller reports, what the pages ask of it, and the tray's switch."""
        poller, tray = self.poller, self.tray
        self.history.opened.connect(self.attach)
        poller.directoryLoaded.connect(self.set_directory)
        poller.polled.connect(self.on_polled)
        poller.lateSent.connect(self.timed_page.on_late_sent)
        self.timed_page.sendLateRequested.connect(poller.send_late)
        tray.autoReplyToggled.connect(self.set_enabled)
        self.switched.connect(tray.set_auto_reply)
        self.notify.connect(tray.alert)
        tray.set_auto_reply(self.enabled)

    def set_directory(self, directory: Directory) -> None:
        """The known conversations and contacts, for the pages' pickers: filled
        once one of the pages is on screen (listing every contact takes ~50 ms
        with 2 000 conversations, not worth doing for pages nobody looks at)."""
        self._directory = directory
        self._refresh_pickers()

    def _refresh_pickers(self) -> None:
        directory, pages = self._directory, (self.rules_page, self.timed_page)
        if directory is not None and any(page.isVisible() for page in pages):
            self._directory = None
            for page in pages:
                page.set_directory(directory)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A page comes on screen: its pickers catch up with the latest directory."""
        if event.type() == QEvent.Type.Show:
            self._refresh_pickers()
        return False

    # -- life ---------------------------------------------------------------------------

    def attach(self) -> None:
        """history.db is open (the poller created it): the switch and the pages work on it."""
        if self.history.rules is None or self.history.timed is None:
            return
        self.rule_store = self.history.rules
        self.timed_store = self.history.timed
        try:
            enabled = self.rule_store.auto_reply_enabled()
        except sqlite3.Error:
            enabled = True  # what the poller assumes too when it cannot read the switch
        self.action.setEnabled(True)
        self._show(enabled)
        self.rules_page.attach(self.rule_store, self.history.sources)
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
        palette.colour_text(self.label, "ok" if enabled else "error", bold=True)
        if changed:
            self.switched.emit(enabled)

    # -- from the poller ------------------------------------------------------------------

    def on_polled(self, result: PollResult) -> None:
        """Auto-reply's share of a round: alerts, rule counters, timed runs."""
        if result.alerts:
            self.on_alerts(result.alerts)
        if result.rule_counters:
            self.on_rule_counters(result.rule_counters)
        if result.timed_runs:
            self.on_timed_runs(result.timed_runs)

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
        self.host.set_page_title(self.timed_page, title)
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
