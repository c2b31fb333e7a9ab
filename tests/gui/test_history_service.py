"""The pages' history.db service: one connection, every statement on a budget.

The GUI thread never waits long on SQLite: a lock held by another program
costs a click at most :data:`LOCK_BUDGET`, a runaway statement is interrupted
after :data:`RUN_BUDGET`, and the pages say "busy" and keep working.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from tests.gui.conftest import panel_of
from wxpanel.core.history import open_history
from wxpanel.core.paths import DataPaths
from wxpanel.core.rules import Reply, Rule, RuleStore, Trigger
from wxpanel.core.sources import SourceKind, SourceStore, WebhookConfig
from wxpanel.gui.history_service import LOCK_BUDGET, HistoryService, busy
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.rules_model import RulesModel
from wxpanel.gui.sources_model import SourcesModel

MakeWindow = Callable[..., MainWindow]

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.db"
    open_history(path).close()  # created and migrated, as the poller does
    return path


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another program (``wxpanel export``, a backup) holds history.db's write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_the_service_opens_one_budgeted_connection(qtbot: QtBot, history: Path) -> None:
    service = HistoryService()
    with qtbot.waitSignal(service.opened):
        assert service.open(history)
    assert service.conn is not None
    assert service.rules is not None and service.sources is not None
    assert service.rules.conn is service.conn is service.sources.conn
    (timeout,) = service.conn.execute("PRAGMA busy_timeout").fetchone()
    assert timeout == round(LOCK_BUDGET * 1000)  # a lock is waited for a frame or two, not 1 s
    service.close()
    assert service.conn is None and service.rules is None


def test_a_lock_fails_the_call_as_busy_instead_of_holding_the_gui(
    qtbot: QtBot, history: Path
) -> None:
    """An edit meets the other program's write lock; reads do not wait for it (WAL mode).

    (Before history.db was in WAL mode the read itself met the lock; this
    test then read. A read now sees the last commit: it is the edit that
    must give up within the budget.)
    """
    service = HistoryService()
    service.open(history)
    assert service.rules is not None
    greet = Rule("greet", (Trigger("hi"),), Reply(texts=("hello",)))
    with locked(history):
        assert service.rules.rules() == []  # a reader is never held up by a writer
        with pytest.raises(sqlite3.OperationalError) as raised:
            service.rules.add(greet)
    assert busy(raised.value)
    service.rules.add(greet)  # the lock gone, the same connection writes again
    assert [rule.name for rule in service.rules.rules()] == ["greet"]
    service.close()


def test_a_runaway_statement_is_interrupted(qtbot: QtBot, history: Path) -> None:
    """Without the run budget this statement would never end."""
    service = HistoryService()
    service.open(history)
    assert service.conn is not None
    endless = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    )
    with pytest.raises(sqlite3.OperationalError) as raised:
        service.conn.execute(endless).fetchone()
    assert busy(raised.value)
    assert service.conn.execute("SELECT 1").fetchone() == (1,)  # the next statement runs
    service.close()


def test_an_unopenable_file_is_said(qtbot: QtBot, tmp_path: Path) -> None:
    bogus = tmp_path / "history.db"
    bogus.write_bytes(b"not a database at all" * 100)
    service = HistoryService()
    with qtbot.waitSignal(service.failed) as failed:
        assert not service.open(bogus)
    assert str(bogus) in failed.args[0]
    assert service.rules is None


def test_the_pages_share_the_panels_service(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window()
    panel = panel_of(window)
    qtbot.waitUntil(lambda: panel.answer_sources.store is not None)
    qtbot.waitUntil(lambda: panel.auto_reply.rule_store is not None)
    assert panel.auto_reply.rule_store is panel.history.rules
    assert panel.auto_reply.rules_page.sources is panel.history.sources
    assert panel.answer_sources.page.store is panel.history.sources
    window.close()
    assert panel.history.conn is None  # closed with the window, after the poller


def test_a_locked_history_does_not_freeze_the_pages(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    """While another program holds history.db, clicks are refused as busy, fast;
    the GUI thread keeps running its timers; once the lock goes, the click works."""
    window = make_window()
    panel = panel_of(window)
    page = panel.auto_reply.rules_page
    qtbot.waitUntil(lambda: page.store is not None)
    assert page.store is not None
    page.store.add(Rule("greet", (Trigger("hi"),), Reply(texts=("hello",))))
    page.reload()
    assert page.model.rowCount() == 1
    path = DataPaths.beside(exchange_db, data_dir).history
    index = page.model.index(0, RulesModel.ON)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    with locked(path):
        with qtbot.waitSignal(page.failed) as failed:
            page.model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
        assert "busy" in failed.args[0]
        page.reload()  # a read meets the lock too: said, the rows shown are kept
        assert page.model.rowCount() == 1
        before = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) >= before + 3)  # the event loop runs meanwhile
    timer.stop()
    page.model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    with RuleStore.open(path) as store:
        assert [rule.enabled for rule in store.rules()] == [False]


def test_a_refused_change_is_taken_back_while_history_is_locked(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    """The table shows what is stored: a move or a switch the lock refused goes back."""
    window = make_window()
    panel = panel_of(window)
    rules = panel.auto_reply.rules_page
    sources = panel.answer_sources.page
    qtbot.waitUntil(lambda: rules.store is not None and sources.store is not None)
    assert rules.store is not None and sources.store is not None
    for name in ("first", "second"):
        rules.store.add(Rule(name, (Trigger(name),), Reply(texts=("x",))))
    rules.reload()
    sources.store.add(SourceKind.WEBHOOK, "hook", WebhookConfig(url="http://127.0.0.1:9/w"))
    sources.reload()
    path = DataPaths.beside(exchange_db, data_dir).history
    with locked(path):
        rules.select_rule(rules.model.rule(0).id)
        with qtbot.waitSignal(rules.failed):
            rules.move_selected(1)
        assert [rule.name for rule in rules.model.rules()] == ["first", "second"]
        on = sources.model.index(0, SourcesModel.ON)
        with qtbot.waitSignal(sources.failed):
            sources.model.setData(on, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
        assert on.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    with SourceStore.open(path) as store:
        assert [source.enabled for source in store.sources()] == [True]
