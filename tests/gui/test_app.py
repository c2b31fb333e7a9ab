"""Starting the panel: which exchange.db, the demo with its screenshot, errors as messages."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from wxpanel.core import exchange
from wxpanel.core.errors import ExchangeError
from wxpanel.gui import app, firstrun
from wxpanel.gui.firstrun import Choice
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.preferences import Preferences

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def args(**values: object) -> argparse.Namespace:
    defaults: dict[str, object] = {
        "db": None,
        "data_dir": None,
        "create": False,
        "demo": False,
        "screenshot": None,
        "after": 3.0,
    }
    defaults.update(values)
    return argparse.Namespace(**defaults)


def test_db_option_wins(tmp_path: Path) -> None:
    (tmp_path / "exchange.db").write_bytes(b"")
    assert app.locate_exchange(Path("/elsewhere/x.db"), cwd=tmp_path) == Path("/elsewhere/x.db")


def test_current_directory_then_nothing(tmp_path: Path) -> None:
    assert app.locate_exchange(None, cwd=tmp_path) is None
    (tmp_path / "exchange.db").write_bytes(b"")
    assert app.locate_exchange(None, cwd=tmp_path) == tmp_path / "exchange.db"


def test_frozen_executable_folder_comes_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "wxpanel.exe"))
    candidates = app.default_candidates(cwd=tmp_path)
    assert candidates == [tmp_path / "bin" / "exchange.db", tmp_path / "exchange.db"]


@pytest.mark.slow  # the whole demo application, started more than once
def test_demo_screenshot(qapp: object, tmp_path: Path) -> None:
    target = tmp_path / "panel.png"
    assert app.run_gui(args(demo=True, screenshot=target, after=1.5)) == 0
    image = QImage(str(target))
    assert not image.isNull() and image.width() > 600 and image.height() > 400


def test_known_error_is_one_line_not_a_traceback(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = app.run_gui(args(db=tmp_path / "missing.db", screenshot=tmp_path / "x.png"))
    assert code == 2
    err = capsys.readouterr().err
    assert "missing.db" in err and "Traceback" not in err


def test_chinese_translation_is_loaded(qapp: QCoreApplication) -> None:
    if not (app.I18N_DIR / "wxpanel_zh_CN.qm").exists():
        pytest.skip("translations not compiled")
    translators = app.install_translators(
        qapp, QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    )
    try:
        assert translators
        assert QCoreApplication.translate("MainWindow", "Live feed") != "Live feed"
        assert QCoreApplication.translate("Display", "Picture") != "Picture"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
    assert QCoreApplication.translate("MainWindow", "Live feed") == "Live feed"


def test_a_bug_in_a_slot_is_reported_not_fatal(qtbot: QtBot) -> None:
    reports: list[tuple[str, str]] = []
    restore = app.install_excepthook(lambda summary, details: reports.append((summary, details)))
    try:
        emitter = _Emitter()

        def broken() -> None:
            raise ZeroDivisionError("oops")

        emitter.ping.connect(broken)
        emitter.ping.emit()
    finally:
        restore()
    ((summary, details),) = reports
    assert summary == "ZeroDivisionError: oops"
    assert "Traceback" in details and "broken" in details


class _Emitter(QObject):
    ping = Signal()


def test_first_run_creates_the_chosen_file(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no exchange.db here
    chosen = tmp_path / "bot" / "exchange.db"
    chosen.parent.mkdir()
    monkeypatch.setattr(app, "ask_for_exchange", lambda parent=None: (chosen, True))
    code = app.run_gui(args(screenshot=tmp_path / "shot.png", after=0.3))
    assert code == 0 and chosen.is_file()
    assert (tmp_path / "bot" / "wxpanel-data" / "history.db").is_file()


def test_first_run_cancelled(qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(app, "ask_for_exchange", lambda parent=None: None)
    assert app.run_gui(args()) == 0


def test_the_chosen_exchange_db_is_remembered_beside_the_program(
    tmp_path: Path, exchange_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wxpanel.core.paths import remember_exchange, remembered_exchange
    from wxpanel.gui.app import locate_exchange

    program = tmp_path / "program"
    program.mkdir()
    monkeypatch.chdir(program)  # from source, "beside the program" is the current folder
    assert locate_exchange(None) is None
    remember_exchange(exchange_db)
    assert remembered_exchange() == exchange_db.resolve()
    assert locate_exchange(None) == exchange_db.resolve()
    assert locate_exchange(tmp_path / "given.db") == tmp_path / "given.db"  # --db wins
    exchange_db.unlink()
    assert locate_exchange(None) is None  # a remembered file that is gone: ask again


def test_first_run_asks_before_creating_and_cancel_says_how_to_look_around(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    chosen = tmp_path / "exchange.db"
    monkeypatch.setattr(app, "ask_for_exchange", lambda parent=None: (chosen, True))
    asked: list[Path] = []
    told: list[bool] = []

    def confirm(path: Path, parent: object = None) -> Choice:
        asked.append(path)
        return Choice.QUIT  # Cancel

    monkeypatch.setattr(firstrun, "confirm_create", confirm)
    monkeypatch.setattr(firstrun, "show_how_to_look_around", lambda parent=None: told.append(True))
    assert app.run_gui(args()) == 0
    assert asked == [chosen] and told == [True] and not chosen.exists()
    monkeypatch.setattr(firstrun, "confirm_create", lambda path, parent=None: Choice.DEMO)
    assert app.choose_exchange(args(), headless=False) is Choice.DEMO
    assert not chosen.exists()


@pytest.mark.parametrize("content", [b"just some notes\n", None])
def test_a_bad_exchange_db_offers_the_ways_on(
    qapp: QCoreApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None
) -> None:
    monkeypatch.chdir(tmp_path)  # "beside the program", where the choice is remembered
    bad = tmp_path / "exchange.db"
    if content is None:  # an SQLite file without demo.exe's tables
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()
    else:
        bad.write_bytes(content)
    original = bad.read_bytes()
    seen: list[str] = []
    choices: list[Choice] = []

    def ask(exc: ExchangeError, path: Path, parent: object = None) -> Choice:
        seen.append(firstrun.problem_text(exc, path))
        return choices.pop(0)

    monkeypatch.setattr(firstrun, "ask_what_now", ask)
    monkeypatch.setattr(firstrun, "confirm_replace", lambda path, keep, parent=None: True)
    choices.append(Choice.QUIT)
    assert app.choose_exchange(args(db=bad), headless=False) is Choice.QUIT
    choices.append(Choice.DEMO)
    assert app.choose_exchange(args(db=bad), headless=False) is Choice.DEMO
    choices.append(Choice.CREATE)
    made = app.choose_exchange(args(db=bad), headless=False)
    assert made == bad.resolve() and exchange.check_exchange(bad) == bad.resolve()
    (kept,) = (tmp_path / "wxpanel-data" / firstrun.REPLACED_FOLDER).iterdir()
    assert kept.read_bytes() == original  # moved into wxpanel's folder, never deleted
    beside = sorted(p.name for p in tmp_path.iterdir())
    assert beside == ["exchange.db", "wxpanel-data", "wxpanel.json"]  # the choice remembered
    assert str(bad) in seen[0]

    translators = app.install_translators(
        qapp, QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    )
    try:
        with pytest.raises(ExchangeError) as raised:
            exchange.check_exchange(kept)
        chinese = firstrun.problem_text(raised.value, kept)
        assert "数据库" in chinese, chinese
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_chinese_covers_qts_own_dialogs_and_the_ai_prompt(qapp: QCoreApplication) -> None:
    """Issue 14: "Look in:" and "Files of type:" in English, and an English AI prompt."""
    from PySide6.QtWidgets import QFileDialog, QLabel

    from wxpanel.gui.source_dialog import AIDialog

    translators = app.install_translators(
        qapp, QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    )
    try:
        names = [Path(t.filePath()).name for t in translators]
        assert "qtbase_zh_CN.qm" in names, names
        dialog = QFileDialog(None, "x")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        labels = {label.text() for label in dialog.findChildren(QLabel)}
        assert {"查找范围(&L)：", "文件类型(&T)："} <= labels, labels
        ai = AIDialog()
        prompt = ai.prompt.toPlainText()
        assert prompt and "assistant" not in prompt, prompt
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
    english = AIDialog()
    assert "assistant" in english.prompt.toPlainText()


@pytest.mark.slow  # the whole demo application, started more than once
def test_the_demo_keeps_language_and_quick_replies_across_restarts(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / "config" / "demo-settings.json"
    monkeypatch.setattr(app, "demo_preferences_file", lambda: kept)
    seen: list[Preferences] = []

    def windows() -> list[MainWindow]:
        return [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]

    def change() -> None:
        for window in windows():
            seen.append(window.preferences)
            window.change_preferences(
                window.preferences.with_changes(language="en", quick_replies={"ok": "好的，收到"})
            )

    QTimer.singleShot(300, change)
    assert app.run_gui(args(demo=True, screenshot=tmp_path / "1.png", after=0.8)) == 0
    QTimer.singleShot(300, lambda: seen.extend(w.preferences for w in windows()))
    assert app.run_gui(args(demo=True, screenshot=tmp_path / "2.png", after=0.8)) == 0
    first, second = seen
    assert first.language == "" and "hi" in first.quick_replies
    assert second.language == "en" and second.quick_replies == {"ok": "好的，收到"}


def test_painting_stays_on_the_gui_thread_unless_the_operator_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Qt's switch for its thread pool of fills is set before the panel paints, not overridden."""
    monkeypatch.delenv("QT_NO_GUI_THREADPOOL", raising=False)
    app.tune_painting()
    assert os.environ["QT_NO_GUI_THREADPOOL"] == "1"
    monkeypatch.setenv("QT_NO_GUI_THREADPOOL", "0")
    app.tune_painting()
    assert os.environ["QT_NO_GUI_THREADPOOL"] == "0"
