"""settings.json's problems are said in the panel with the core's templates, translated."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.conftest import open_panel
from wxpanel.core.settings import TEXTS, SettingsProblem, load_settings
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.settingstext import problem_text, templates
from wxpanel.gui.worker import PollThread

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def test_the_templates_are_the_cores(qapp: object) -> None:
    assert templates() == TEXTS


def test_a_broken_translation_falls_back_to_english(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = SettingsProblem("kept", fields={"path": "s.json", "detail": "bad"})
    monkeypatch.setattr(
        "wxpanel.gui.settingstext.templates", lambda: {"kept": "{path} {missing_field}"}
    )
    assert problem_text(problem) == str(problem)


def test_the_panel_shows_what_settings_json_had_wrong(
    qtbot: QtBot, exchange_db: Path, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "settings.json").write_text(json.dumps({"poll_interval": 1e308, "pacer": []}))
    window = open_panel(
        qtbot, PollThread(exchange_db, data_dir), start=False
    )  # reads settings.json
    with qtbot.waitSignal(window.poller.settingsProblems):
        window.start()
    try:
        qtbot.waitUntil(lambda: "poll_interval" in window.banner.text)
        assert "pacer" in window.banner.text and "using the default" in window.banner.text
    finally:
        window.close()


def test_saving_preferences_over_an_unreadable_file_is_refused_and_said(
    qtbot: QtBot, make_window: Callable[..., MainWindow], data_dir: Path
) -> None:
    window = make_window()
    broken = '{"pacer": {"automatic": {"per_minute": 2}},}'
    settings_file = data_dir / "settings.json"
    settings_file.write_text(broken)
    assert load_settings(settings_file).unreadable
    window.change_preferences(window.preferences)
    assert "not saved" in window.banner.text
    assert settings_file.read_text() == broken
