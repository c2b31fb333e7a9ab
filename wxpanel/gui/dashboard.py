"""Statistics, health and log pages in the main window, and the health alerts.

:class:`Dashboard` is plugged into the window by :mod:`wxpanel.gui.panel`
through its :class:`~wxpanel.gui.host.PageHost` interface: three pages, a
red alert strip under the window's banner, wired to the poller.

Health: the worker measures free disk and history.db's size beside the
Engine's latest :class:`~wxpanel.core.engine.Health` (``healthMeasured``,
asked for every :data:`HEALTH_TICK_MS`); the GUI thread evaluates the checks
with the core's :class:`~wxpanel.core.health.HealthMonitor` on every Health
snapshot and every tick -- pure computation, no file -- so a poller that
stopped reporting still turns its check red.  When a check turns red: a tray
notification, the alert strip and, if switched on, a beep; when it recovers,
the strip says so (and the tray), then hides.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from wxpanel.core.engine import PollResult
from wxpanel.core.health import (
    BACKLOG,
    EXCHANGE,
    LAG,
    Check,
    HealthInput,
    HealthMonitor,
    Level,
    Thresholds,
    Transition,
    check_backlog,
    overall,
)
from wxpanel.core.models import Health
from wxpanel.core.settings import Settings, SettingsError
from wxpanel.core.stats import QueueStats
from wxpanel.gui import texts
from wxpanel.gui.health_page import HealthPage, level_icon
from wxpanel.gui.host import PageHost
from wxpanel.gui.log_page import LogPage, installed_ring
from wxpanel.gui.stats_page import StatsPage
from wxpanel.gui.texts import problem_text
from wxpanel.gui.tray import Tray
from wxpanel.gui.widgets import Banner
from wxpanel.gui.worker import PollThread

log = logging.getLogger(__name__)

#: How often the checks are evaluated (and disks measured) without a new Health.
HEALTH_TICK_MS = 1000
#: The "recovered" strip hides itself after this long.
RECOVERED_SHOWN_MS = 15_000
#: Where the alert preferences live in settings.json (kept by the core and the panel).
SETTINGS_KEY = "alerts"


def thresholds_for(settings: Settings) -> Thresholds:
    """demo.exe is red once our command waited as long as the outbox calls it stuck."""
    stuck_after = settings.outbox.stuck_after
    default = Thresholds()
    return replace(
        default,
        pending_red=stuck_after,
        pending_amber=min(default.pending_amber, stuck_after / 3),
    )


def load_sound(settings: Settings) -> bool:
    value = settings.extra.get(SETTINGS_KEY)
    return isinstance(value, dict) and value.get("sound") is True


def _state_of(health: Health) -> tuple[object, ...]:
    """What in a Health can turn a check red or green at once (the rest waits a tick)."""
    return (
        health.error,
        health.error_kind,
        health.locked_since,
        health.stuck,
        health.pending_commands,
        health.queued,
        health.backlog > 0,
    )


class Dashboard(QObject):
    """The three pages and the alerts, on one window and its poller."""

    #: A check turned red (a :class:`~wxpanel.core.health.Transition`).
    alertRaised = Signal(object)
    #: A check that had turned red is green again.
    alertRecovered = Signal(object)
    #: The checks were evaluated again (a tuple of :class:`Check`).
    checksChanged = Signal(tuple)

    def __init__(
        self,
        host: PageHost,
        poller: PollThread,
        tray: Tray,
        banner: Banner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.tray = tray
        self.banner = banner  # the window's own, for what settings.json had wrong
        self.poller = poller
        settings = poller.settings or Settings.load(poller.paths.settings)
        self.sound = load_sound(settings)
        self.monitor = HealthMonitor(thresholds_for(settings))
        self.health: Health | None = None
        self.measured: HealthInput | None = None
        self.beeps = 0
        self.paused = False  # polling paused by the user: the checks wait too
        self._resumed_at: float | None = None

        self.stats_page = StatsPage()
        self.health_page = HealthPage()
        self.log_page = LogPage()
        host.add_page(self.stats_page, self.tr("Statistics"))
        host.add_page(self.health_page, self.tr("Health"), after=self.stats_page)
        self._tab_level: Level | None = None  # the level the Health tab's icon shows
        host.add_page(self.log_page, self.tr("Log"), after=self.health_page)
        ring = installed_ring()
        if ring is not None:
            self.log_page.attach(ring, _log_path())
        self.health_page.sound_box.setChecked(self.sound)

        self.alert_banner = Banner(None, "alert")
        host.add_banner(self.alert_banner)
        self._recovered_timer = QTimer(self)
        self._recovered_timer.setSingleShot(True)
        self._recovered_timer.setInterval(RECOVERED_SHOWN_MS)
        self._recovered_timer.timeout.connect(self._hide_recovered)

        self._tick = QTimer(self)
        self._tick.setInterval(HEALTH_TICK_MS)
        self._tick.timeout.connect(self._on_tick)

        poller.ready.connect(self._on_ready)
        poller.polled.connect(self._on_polled)
        poller.healthMeasured.connect(self._on_measured)
        poller.statsReady.connect(self._on_stats)
        poller.statsFailed.connect(self.stats_page.show_failure)
        poller.integrityChecked.connect(self._on_integrity)
        poller.pausedChanged.connect(self._on_paused)
        self.stats_page.refreshWanted.connect(poller.request_stats)
        self.health_page.integrityWanted.connect(self._ask_integrity)
        self.health_page.soundToggled.connect(self.set_sound)

    # -- the poller ---------------------------------------------------------------

    def _on_ready(self, _paths: object) -> None:
        self.monitor.started_at = time.time()
        self.poller.measure_health()
        self._tick.start()

    def _on_tick(self) -> None:
        if not self.poller.running:  # the window closed: nothing more to watch
            self._tick.stop()
            return
        self.poller.measure_health()
        self.evaluate()

    def _on_polled(self, result: PollResult) -> None:
        if result.health is not None:
            self._on_health(result.health)

    def _on_health(self, health: Health) -> None:
        """Checked at once when the link's state changed, else at the next tick.

        An idle poller reports every second, and the tick asks for disk
        figures every second: checking on each of the three was most of an
        idle panel's Python time.
        """
        previous, self.health = self.health, health
        if self._resumed_at is not None and health.checked_at >= self._resumed_at:
            self._resume_checks()
        if previous is None or _state_of(previous) != _state_of(health):
            self.evaluate()

    def _on_measured(self, data: HealthInput) -> None:
        self.measured = data  # checked at the next tick, a second away at most

    def _on_paused(self, paused: bool) -> None:
        """While the user pauses polling, no Health arrives: that is not a stalled poller."""
        if paused:
            self.paused = True
            self._resumed_at = None
            self.health_page.show_paused()
        elif self.paused:  # the checks wait for the first Health measured after the pause
            self._resumed_at = time.time()

    def _resume_checks(self) -> None:
        self.paused = False
        self._resumed_at = None

    def _on_stats(self, figures: QueueStats) -> None:
        self.stats_page.show_stats(figures)

    def _ask_integrity(self) -> None:
        if self.poller.running:
            self.poller.check_integrity()
        else:
            self.health_page.integrity_unavailable()

    def _on_integrity(self, check: Check) -> None:
        self.health_page.integrity_done(check)
        self._apply(self.monitor.record_integrity(check, time.time()))

    # -- health --------------------------------------------------------------------

    def evaluate(self, now: float | None = None) -> list[Transition]:
        """Run the checks on the latest figures (no I/O) and act on what changed."""
        now = time.time() if now is None else now
        resumed = self._resumed_at
        if resumed is not None and now - resumed > self.monitor.limits.lag_red:
            self._resume_checks()  # resumed long ago and still no Health: let lag say so
        if self.paused:
            self._show_paused_backlog(now)
            return []
        if self.measured is None:
            data = HealthInput(now=now, health=self.health)
        else:
            data = replace(self.measured, now=now, health=self.health or self.measured.health)
        return self._apply(self.monitor.update(data))

    def _show_paused_backlog(self, now: float) -> None:
        """Paused: the other checks wait, but the backlog is still measured and shown."""
        if self.health is None:
            return
        fresh = check_backlog(HealthInput(now=now, health=self.health), self.monitor.limits)
        shown = [c for c in self.health_page.checks if c.name != BACKLOG]
        self.health_page.show_checks([*shown, fresh])
        self.health_page.show_paused()

    def _apply(self, transitions: list[Transition]) -> list[Transition]:
        checks = self.monitor.checks
        self.health_page.show_checks(checks)
        level = overall(checks)
        if level != self._tab_level:  # a new icon relayouts the whole window: only on change
            self._tab_level = level
            self.host.set_page_title(self.health_page, self.tr("Health"), self.level_icon(level))
        for transition in transitions:
            self.health_page.add_transition(transition)
            line = texts.check_line(transition.check)
            if transition.raised:
                log.warning("health: %s turned red: %s", transition.name, transition.check.text)
                self._notify(self.tr("wxpanel: alert"), line, critical=True)
                if self.sound:
                    self.beeps += 1
                    QApplication.beep()
                self.alertRaised.emit(transition)
            else:
                log.info("health: %s recovered: %s", transition.name, transition.check.text)
                text = self.tr("Recovered: %1").replace("%1", line)
                self._notify(self.tr("wxpanel: recovered"), text, critical=False)
                self.alertRecovered.emit(transition)
        if transitions:
            self._show_banner(transitions)
        self.checksChanged.emit(checks)
        return transitions

    def _elsewhere(self, check: Check) -> bool:
        """The window's own banner already says it, in more words: one banner per problem.

        exchange.db's errors and a long lock are explained (with advice) by
        :meth:`MainWindow._health_problem`; repeating them here showed the
        operator two banners for one cause.
        """
        if check.name == EXCHANGE:
            return True
        health = self.health
        return check.name == LAG and health is not None and health.locked_since is not None

    def _show_banner(self, transitions: list[Transition]) -> None:
        alerting = [
            c
            for c in self.monitor.checks
            if c.name in self.monitor.alerting and not self._elsewhere(c)
        ]
        if alerting:
            self._recovered_timer.stop()
            lines = [texts.check_line(c) for c in alerting]
            self.alert_banner.set_kind("alert")
            self.alert_banner.show_message("⚠ " + "\n⚠ ".join(lines))
            return
        recovered = [t.check for t in transitions if t.recovered and not self._elsewhere(t.check)]
        if not recovered and self.alert_banner.isVisible() and not self._recovered_timer.isActive():
            self.alert_banner.clear_message()  # what it showed is now the window's banner's
        if recovered:
            lines = [texts.check_line(c) for c in recovered]
            text = self.tr("Recovered: %1").replace("%1", "; ".join(lines))
            self.alert_banner.set_kind("recovered")
            self.alert_banner.show_message("✓ " + text)
            self._recovered_timer.start()

    def _hide_recovered(self) -> None:
        if not self.monitor.alerting:
            self.alert_banner.clear_message()

    def _notify(self, title: str, text: str, *, critical: bool) -> None:
        self.tray.alert(title, text, critical=critical)

    def level_icon(self, level: Level) -> QIcon:
        return level_icon(level)

    # -- preferences -----------------------------------------------------------------

    def set_sound(self, on: bool) -> None:
        """Beep when a check turns red; kept in settings.json beside the history."""
        self.sound = on
        path = self.poller.paths.settings
        try:
            settings = Settings.load(path)
            current = settings.extra.get(SETTINGS_KEY)
            values = dict(current) if isinstance(current, dict) else {}
            values["sound"] = on
            settings.with_extra(**{SETTINGS_KEY: values}).save(path)
        except SettingsError as exc:  # settings.json unreadable: kept as it is
            log.warning("%s", exc)
            self.banner.show_message(problem_text(exc.problem))
        except OSError as exc:
            log.warning("cannot save the alert sound setting: %s", exc)


def _log_path() -> Path | None:
    """The rotating log file's path, from the root logger's file handler."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None
