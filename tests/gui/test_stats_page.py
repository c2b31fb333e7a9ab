"""The statistics, health and log pages on the real window, against the simulator."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, text_event
from tests.gui.conftest import fast_settings, panel_of
from wxpanel.core import logbook
from wxpanel.core.health import DEMO, INTEGRITY, LAG, Level, Transition
from wxpanel.core.paths import DataPaths
from wxpanel.core.rules import Reply, Rule, Trigger
from wxpanel.core.settings import Settings
from wxpanel.core.simulator import Shapes, Simulator, TakenCommand
from wxpanel.core.stats import QueueStats
from wxpanel.gui.dashboard import load_sound
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.worker import PollThread

MakeWindow = Callable[..., MainWindow]

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def simulator(exchange_db: Path) -> Iterator[Simulator]:
    """demo.exe on the test's exchange.db; it takes commands only when told to."""
    with Simulator(exchange_db, seed=7, take_delay=0.0) as sim:
        yield sim


def level_of(window: MainWindow, name: str) -> Level | None:
    check = panel_of(window).dashboard.health_page.row_of(name)
    return None if check is None else check.level


def reason_of(window: MainWindow, name: str) -> str:
    check = panel_of(window).dashboard.health_page.row_of(name)
    return "" if check is None else check.reason.key


def take_until(simulator: Simulator, count: int) -> Callable[[], bool]:
    """A waitUntil condition: take what demo.exe finds until ``count`` commands are taken."""
    taken: list[TakenCommand] = []

    def condition() -> bool:
        taken.extend(simulator.take_commands())
        return len(taken) >= count

    return condition


def test_worker_collects_stats_off_the_gui_thread(qtbot: QtBot, poller: PollThread) -> None:
    with qtbot.waitSignal(poller.statsReady) as blocker:
        poller.request_stats()
    figures = blocker.args[0]
    assert isinstance(figures, QueueStats)
    assert len(figures.last_hour) == 60 and len(figures.last_day) == 144


def test_counts_shown_match_the_traffic_sent(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    # A richer bridge than demo.exe: messages typed on the phone count too, and
    # its inserts wait for the poller's locks (demo.exe's would be lost, issue 10).
    simulator = Simulator(exchange_db, seed=7, take_delay=0.0, shapes=Shapes.RICH)
    window = make_window()
    page = panel_of(window).dashboard.stats_page
    events = simulator.emit(120)
    incoming = sum(1 for e in events if e.MSG_STATE == "收到")
    typed_on_phone = len(events) - incoming
    qtbot.waitUntil(lambda: window.feed.rowCount() >= len(events), timeout=10_000)
    window.poller.send_text("wxid_8k2m4n6p9q1r3s", "好的，收到")
    window.poller.send_text("wxid_a7b3c9d1e5f2g8", "OK, noted.")
    qtbot.waitUntil(take_until(simulator, 2), timeout=10_000)

    window.show_page(panel_of(window).dashboard.stats_page)
    assert page.isVisible()
    expected = {
        "today_in": incoming,
        "all_in": incoming,
        "today_out": typed_on_phone + 2,
        "all_out": typed_on_phone + 2,
        "all_manual": 2,
        "all_auto": 0,
        "all_phone": typed_on_phone,
        "backlog": 0,
        "stuck": 0,
    }

    def shown() -> dict[str, str]:
        page.request()  # no-op while one is on its way
        return {key: page.values[key].text().replace(",", "") for key in expected}

    want = {key: str(value) for key, value in expected.items()}
    qtbot.waitUntil(lambda: shown() == want, timeout=10_000)
    hour_in = sum(point.y() for point in page.incoming_series.points())
    hour_out = sum(point.y() for point in page.outgoing_series.points())
    assert (hour_in, hour_out) == (incoming, typed_on_phone + 2)
    assert page.busiest_table.rowCount() > 0
    assert page.last_refresh_seconds is not None
    page.range_box.setCurrentIndex(page.range_box.findData("day"))
    day_in = sum(point.y() for point in page.incoming_series.points()) * 10
    assert round(day_in) == incoming


def test_stalled_simulator_turns_demo_red_then_green(
    qtbot: QtBot, make_window: MakeWindow, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(fast_settings(stuck_after=0.5))
    dashboard = panel_of(window).dashboard
    dashboard.sound = True
    tray_calls: list[tuple[str, str, bool]] = []
    monkeypatch.setattr(
        window.tray,
        "alert",
        lambda title, text, critical=True: tray_calls.append((title, text, critical)),
    )
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    insert_events(simulator.db, [text_event("wxid_alice", "在吗？")])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 1)

    def is_demo(transition: Transition) -> bool:
        return transition.name == DEMO

    with qtbot.waitSignal(dashboard.alertRaised, check_params_cb=is_demo, timeout=10_000):
        window.poller.send_text("wxid_alice", "在的")  # demo.exe (stalled) never takes it
    assert level_of(window, DEMO) is Level.RED
    assert reason_of(window, DEMO) == "demo_stuck"
    assert dashboard.alert_banner.isVisible()
    assert "demo.exe" in dashboard.alert_banner.text
    assert tray_calls and tray_calls[-1][2] is True
    assert dashboard.beeps == 1
    assert window.tabs.tabIcon(window.tabs.indexOf(dashboard.health_page)).cacheKey() == (
        dashboard.level_icon(Level.RED).cacheKey()
    )

    with qtbot.waitSignal(dashboard.alertRecovered, check_params_cb=is_demo, timeout=10_000):
        qtbot.waitUntil(take_until(simulator, 1), timeout=10_000)  # demo.exe resumes
    assert level_of(window, DEMO) is Level.GREEN
    assert dashboard.alert_banner.isVisible() and "✓" in dashboard.alert_banner.text
    assert tray_calls[-1][2] is False
    assert DEMO not in dashboard.monitor.alerting


def test_no_demo_exe_is_unknown_until_an_event_arrives(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    """A fresh exchange.db, nothing running: grey "not seen yet", never "everything works"."""
    window = make_window()
    page = panel_of(window).dashboard.health_page
    # (Before the poller's first health report, the check is "unknown" for lack of one.)
    qtbot.waitUntil(lambda: panel_of(window).dashboard.health is not None, timeout=10_000)
    panel_of(window).dashboard.evaluate()
    assert level_of(window, DEMO) is Level.UNKNOWN
    assert reason_of(window, DEMO) == "demo_unseen"
    assert "Everything is working" not in page.summary.text()
    assert panel_of(window).dashboard.monitor.level is not Level.GREEN
    insert_events(exchange_db, [text_event("wxid_alice", "在吗？")])
    qtbot.waitUntil(lambda: level_of(window, DEMO) is Level.GREEN, timeout=10_000)
    assert reason_of(window, DEMO) == "demo_events"


def test_lock_held_by_demo_exe_shows_as_lag_not_as_an_error(
    qtbot: QtBot, make_window: MakeWindow, simulator: Simulator
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: level_of(window, LAG) is Level.GREEN, timeout=10_000)
    held = threading.Event()
    simulator.emit(1)  # a message waits behind the lock: the poller tries to read it
    locker = threading.Thread(target=simulator.hold_lock, args=(2.5,), kwargs={"held": held})
    with qtbot.assertNotEmitted(panel_of(window).dashboard.alertRaised):
        locker.start()
        try:
            qtbot.waitUntil(held.is_set)
            qtbot.waitUntil(lambda: reason_of(window, LAG) == "lag_locked", timeout=5000)
            assert level_of(window, LAG) is Level.AMBER
            assert QApplication.activeModalWidget() is None
            assert not window.banner.isVisible()  # a short lock is routine
        finally:
            locker.join()
        qtbot.waitUntil(lambda: level_of(window, LAG) is Level.GREEN, timeout=5000)
    assert QApplication.activeModalWidget() is None


def test_integrity_check_reports_ok(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    page = panel_of(window).dashboard.health_page
    with qtbot.waitSignal(window.poller.integrityChecked, timeout=10_000):
        page.integrity_button.click()
        assert not page.integrity_button.isEnabled()
    assert level_of(window, INTEGRITY) is Level.GREEN
    assert reason_of(window, INTEGRITY) == "integrity_ok"
    assert page.integrity_button.isEnabled()
    assert page.history.count() >= 1


@pytest.fixture
def log_book(data_dir: Path, exchange_db: Path) -> Iterator[logbook.Logbook]:
    book = logbook.setup_logging(DataPaths.beside(exchange_db, data_dir), stderr=False)
    yield book
    book.close()


def test_log_page_shows_lines_live_and_copies_them(
    qtbot: QtBot, make_window: MakeWindow, log_book: logbook.Logbook
) -> None:
    window = make_window()
    page = panel_of(window).dashboard.log_page
    assert page.ring is log_book.ring
    window.show_page(panel_of(window).dashboard.log_page)
    logging.getLogger("wxpanel.test").warning("the marker line 4711")
    threading.Thread(
        target=lambda: logging.getLogger("wxpanel.other").info("from another thread 0815")
    ).start()
    qtbot.waitUntil(lambda: "the marker line 4711" in page.view.toPlainText())
    qtbot.waitUntil(lambda: "from another thread 0815" in page.view.toPlainText())

    page.search.setText("MARKER")
    assert "4711" in page.view.toPlainText() and "0815" not in page.view.toPlainText()
    page.level_box.setCurrentIndex(page.level_box.findData(logging.ERROR))
    assert "4711" not in page.view.toPlainText()
    page.level_box.setCurrentIndex(page.level_box.findData(logging.INFO))

    QGuiApplication.clipboard().clear()
    page.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "the marker line 4711" in copied and "0815" not in copied
    assert copied.startswith("wxpanel ")
    assert log_book.path is not None and log_book.path.exists()


def test_what_the_operator_did_is_in_the_log(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, log_book: logbook.Logbook
) -> None:
    """Sends, rule edits and toggles, settings, pauses: all on the Log page and in the file."""
    window = make_window()
    page = panel_of(window).dashboard.log_page
    window.poller.send_text("wxid_alice", "价格是 99 元")
    qtbot.waitUntil(lambda: "价格是 99 元" in page.view.toPlainText(), timeout=5000)
    qtbot.waitUntil(lambda: panel_of(window).auto_reply.rule_store is not None, timeout=5000)
    store = panel_of(window).auto_reply.rule_store
    assert store is not None
    rule = store.add(Rule("报价", triggers=(Trigger("价格"),), reply=Reply(texts=("见官网",))))
    panel_of(window).auto_reply.rules_page.set_enabled(rule.id or 0, False)
    panel_of(window).auto_reply.set_enabled(False)
    with qtbot.waitSignal(window.poller.pausedChanged):
        window.pause_action.setChecked(True)
    with qtbot.waitSignal(window.poller.pausedChanged):
        window.pause_action.setChecked(False)
    window.change_preferences(window.preferences.with_changes(enter_sends=False))
    expected = (
        "queued #",
        "wxid_alice (manual, text): 价格是 99 元",
        "rule #1 '报价' added",
        "rule #1 switched off",
        "auto-reply switched off",
        "polling paused by the operator",
        "polling resumed",
        "settings changed (enter_sends)",
    )
    qtbot.waitUntil(lambda: all(line in page.view.toPlainText() for line in expected))
    assert log_book.path is not None
    for handler in log_book.handlers:
        handler.flush()
    written = log_book.path.read_text(encoding="utf-8")
    assert all(line in written for line in expected), written


def test_alert_sound_switch_is_kept_in_settings(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    panel_of(window).dashboard.health_page.sound_box.setChecked(True)
    assert panel_of(window).dashboard.sound
    settings_file = DataPaths.beside(exchange_db, data_dir).settings
    assert Settings.load(settings_file).extra["alerts"] == {"sound": True}
    assert load_sound(Settings.load(settings_file))


def test_statistics_refresh_only_while_the_page_is_shown(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window()
    page = panel_of(window).dashboard.stats_page
    assert not page.isVisible() and page.stats is None
    with qtbot.waitSignal(page.refreshed):
        window.show_page(panel_of(window).dashboard.stats_page)
    assert page._timer.isActive()
    window.tabs.setCurrentIndex(0)
    assert not page._timer.isActive()


def test_backlog_is_measured_while_paused(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path
) -> None:
    """Paused, rows wait in wx_event: the status bar and Health count them (issue 14)."""
    window = make_window()
    insert_events(exchange_db, [text_event("wxid_alice", "before the pause")])
    qtbot.waitUntil(lambda: window.feed.rowCount() == 1, timeout=10_000)
    with qtbot.waitSignal(window.poller.pausedChanged):
        window.pause_action.setChecked(True)
    insert_events(exchange_db, [text_event("wxid_bob", f"waiting {n}") for n in range(78)])

    def backlog_shown() -> tuple[str, object]:
        check = panel_of(window).dashboard.health_page.row_of("backlog")
        return window.health_label.text(), None if check is None else check.reason.values

    qtbot.waitUntil(lambda: "backlog 78 " in backlog_shown()[0], timeout=10_000)
    qtbot.waitUntil(lambda: backlog_shown()[1] == {"rows": 78}, timeout=5000)
    assert window.feed.rowCount() == 1  # nothing was ingested
    assert "paused" in panel_of(window).dashboard.health_page.summary.text()
    with qtbot.waitSignal(window.poller.pausedChanged):
        window.pause_action.setChecked(False)
    qtbot.waitUntil(lambda: window.feed.rowCount() == 79, timeout=10_000)


def test_pausing_polling_is_not_a_stalled_poller(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    dashboard = panel_of(window).dashboard
    qtbot.waitUntil(lambda: level_of(window, LAG) is Level.GREEN, timeout=10_000)
    with qtbot.waitSignal(window.poller.pausedChanged):
        window.pause_action.setChecked(True)
    assert dashboard.evaluate(now=time.time() + 3600) == []  # an hour without a look
    assert level_of(window, LAG) is Level.GREEN
    assert "paused" in dashboard.health_page.summary.text()
    with qtbot.assertNotEmitted(dashboard.alertRaised):
        with qtbot.waitSignal(window.poller.pausedChanged):
            window.pause_action.setChecked(False)
        assert dashboard.evaluate(now=time.time() + 1) == []  # no fresh Health yet
        qtbot.waitUntil(lambda: not dashboard.paused, timeout=10_000)
        assert level_of(window, LAG) is Level.GREEN
