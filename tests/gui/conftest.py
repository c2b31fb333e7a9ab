"""GUI tests run offscreen on a copy of exchange.db; set QT_QPA_PLATFORM=xcb to watch them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from wxpanel.core.outbox import OutboxConfig
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.panel import Panel, build_panel
from wxpanel.gui.worker import PollThread

#: The panel of each window the tests opened: its plugged-in pages' controls.
_PANELS: dict[int, Panel] = {}


def panel_of(window: MainWindow) -> Panel:
    """The controls plugged into ``window`` (the window itself knows none of them)."""
    return _PANELS[id(window)]


def open_panel(qtbot: QtBot, poller: PollThread, *, start: bool = True) -> MainWindow:
    """The real window with its pages on ``poller``, shown and (by default) started."""
    panel = build_panel(poller)
    window = panel.window
    _PANELS[id(window)] = panel
    qtbot.addWidget(window)
    window.show()
    if start:
        with qtbot.waitSignal(window.poller.ready):
            window.start()
    return window


@pytest.fixture(autouse=True)
def _demo_preferences_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo keeps its preferences in the user's config folder: not the tester's."""
    from wxpanel.gui import app

    monkeypatch.setattr(app, "demo_preferences_file", lambda: tmp_path / "demo-settings.json")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """wxpanel's own files go to the test's folder."""
    return tmp_path / "data"


@pytest.fixture
def poller(qtbot: QtBot, exchange_db: Path, data_dir: Path) -> Iterator[PollThread]:
    """A poller thread whose Engine is up, always stopped at the end of the test."""
    thread = PollThread(exchange_db, data_dir)
    with qtbot.waitSignal(thread.ready):
        thread.start()
    yield thread
    assert thread.stop()


def fast_settings(stuck_after: float = 30.0) -> Settings:
    """No pacing delay, so a test never waits for the pacer's human-like gaps."""
    rule = PacingRule(0.0, 0.0, 10_000)
    return Settings(pacer=PacerConfig(rule, rule), outbox=OutboxConfig(stuck_after=stuck_after))


@pytest.fixture
def make_window(
    qtbot: QtBot, exchange_db: Path, data_dir: Path
) -> Iterator[Callable[..., MainWindow]]:
    """Open the real window on the test's exchange.db; closed (and checked) afterwards."""
    windows: list[MainWindow] = []

    def make(settings: Settings | None = None) -> MainWindow:
        window = open_panel(qtbot, PollThread(exchange_db, data_dir, settings or fast_settings()))
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        _PANELS.pop(id(window), None)
        assert not window.poller.running
