"""The Answer sources page and the AI figures of the statistics page, on the real window.

The real poller runs on a copy of exchange.db with a plugin folder of the
test's own; webhooks talk to a local HTTP server on 127.0.0.1 and API keys
go to an in-memory keyring: no test reaches the internet or the system's
credential store.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt, QUrl
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, text_event
from tests.core.sources.conftest import Canned, FakeServer, MemoryKeyring
from tests.gui.conftest import fast_settings, open_panel, panel_of
from wxpanel.core.history import HistoryWriter, immediate, open_history
from wxpanel.core.paths import DataPaths
from wxpanel.core.sources import (
    AIConfig,
    PluginConfig,
    Source,
    SourceKind,
    SourceStatus,
    SourceStore,
    WebhookConfig,
)
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.source_dialog import AIDialog, WebhookDialog
from wxpanel.gui.sources_model import SourcesModel
from wxpanel.gui.sources_page import SourcesPage
from wxpanel.gui.worker import PollThread

MakeWindow = Callable[..., MainWindow]

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

#: A plugin is found by the poller's scan of its folder (every 2 s) and written in one round.
FOUND_MS = 15_000


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment must not see the requests to 127.0.0.1."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Keys go to a dict, never to the machine's credential store."""
    previous = keyring.get_keyring()
    fake = MemoryKeyring()
    keyring.set_keyring(fake)
    try:
        yield fake
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    running = FakeServer()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    return folder


@pytest.fixture
def make_window(
    qtbot: QtBot, exchange_db: Path, data_dir: Path, plugin_dir: Path
) -> Iterator[MakeWindow]:
    """The real window, its poller loading plugins from the test's folder."""
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        poller = PollThread(exchange_db, data_dir, fast_settings(), plugin_dirs=(plugin_dir,))
        window = open_panel(qtbot, poller)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert not window.poller.running


def sources_page(qtbot: QtBot, window: MainWindow) -> SourcesPage:
    page = panel_of(window).answer_sources.page
    window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.store is not None)
    return page


def stored(exchange_db: Path, data_dir: Path) -> list[Source]:
    """What the poller would read: a fresh connection."""
    with SourceStore.open(DataPaths.beside(exchange_db, data_dir).history) as store:
        return store.sources()


def row_named(page: SourcesPage, name: str) -> int:
    return next(
        (row for row in range(page.model.rowCount()) if page.model.source(row).name == name), -1
    )


def status_text(page: SourcesPage, name: str) -> str:
    row = row_named(page, name)
    return str(page.model.index(row, SourcesModel.STATUS).data()) if row >= 0 else ""


def answers(page: SourcesPage, source_id: int) -> int:
    status = page.model.status(source_id)
    return status.answers if status is not None else 0


def commands(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id_1, id_2 FROM wx_command").fetchall()
    finally:
        conn.close()


# -- the model ----------------------------------------------------------------------------


def test_sources_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = SourcesModel()
    sources = [
        Source(1, SourceKind.PLUGIN, "echo", 0, True, PluginConfig()),
        Source(2, SourceKind.WEBHOOK, "hook", 1, True, WebhookConfig(url="http://127.0.0.1/")),
        Source(3, SourceKind.AI, "model", 2, False, AIConfig(base_url="http://x", model="m")),
    ]
    status = SourceStatus(3, SourceKind.AI, "model", False, None, None, 4, 3, 1, 0.5, 0.4, 1.0)
    model.load(sources, [status], {"echo": Path("/plugins/echo.py")}, {3: True})
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, SourcesModel.WHERE).data() == "echo.py"
    assert model.index(2, SourcesModel.CALLS).data() == "4"
    assert model.index(2, SourcesModel.FAILED).data() == "1"


# -- plugins ------------------------------------------------------------------------------


def test_a_plugin_file_appears_and_can_be_switched_off(
    qtbot: QtBot, make_window: MakeWindow, plugin_dir: Path, exchange_db: Path, data_dir: Path
) -> None:
    (plugin_dir / "echo.py").write_text(
        "def handle(message):\n    return 'echo ' + message.content\n", "utf-8"
    )
    window = make_window()
    page = sources_page(qtbot, window)
    # No reload here: the row comes from the poller's status report.
    qtbot.waitUntil(lambda: row_named(page, "echo") >= 0, timeout=FOUND_MS)
    row = row_named(page, "echo")
    assert page.model.index(row, SourcesModel.WHERE).data() == "echo.py"
    assert page.model.index(row, SourcesModel.ON).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Checked
    )

    index = page.model.index(row, SourcesModel.ON)
    assert page.model.setData(index, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert [s.enabled for s in stored(exchange_db, data_dir) if s.name == "echo"] == [False]
    assert status_text(page, "echo") == "Off"

    # Switched off, it is not asked: a message gets no answer from it.
    insert_events(exchange_db, [text_event("wxid_a", "hello")])
    qtbot.waitUntil(lambda: window.feed.rowCount() >= 1)
    index = page.model.index(row_named(page, "echo"), SourcesModel.ON)
    assert page.model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert [s.enabled for s in stored(exchange_db, data_dir) if s.name == "echo"] == [True]
    insert_events(exchange_db, [text_event("wxid_a", "again")])
    qtbot.waitUntil(lambda: ("wxid_a", "echo again") in commands(exchange_db), timeout=10_000)
    assert ("wxid_a", "echo hello") not in commands(exchange_db)
    echo = page.model.source(row_named(page, "echo"))
    qtbot.waitUntil(lambda: answers(page, echo.id) == 1)  # the poller's status report


def test_a_raising_plugin_is_switched_off_with_its_error(
    qtbot: QtBot, make_window: MakeWindow, plugin_dir: Path, exchange_db: Path
) -> None:
    (plugin_dir / "grumpy.py").write_text(
        "def handle(message):\n    raise ValueError('no thanks')\n", "utf-8"
    )
    window = make_window()
    page = sources_page(qtbot, window)
    qtbot.waitUntil(lambda: row_named(page, "grumpy") >= 0, timeout=FOUND_MS)
    insert_events(exchange_db, [text_event("wxid_a", "hi")])
    qtbot.waitUntil(lambda: "ValueError: no thanks" in status_text(page, "grumpy"), timeout=10_000)
    grumpy = page.model.source(row_named(page, "grumpy"))
    assert grumpy.error_disabled and not grumpy.enabled
    assert status_text(page, "grumpy").startswith("Switched off by an error: handle: ValueError")
    index = page.model.index(row_named(page, "grumpy"), SourcesModel.STATUS)
    assert index.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    tabs = window.tabs
    assert "failing" in tabs.tabText(tabs.indexOf(page))
    page.select_source(grumpy.id)
    assert "no thanks" in page.details.toPlainText()
    assert commands(exchange_db) == []


def test_a_plugin_that_cannot_load_comes_back_after_reload(
    qtbot: QtBot, make_window: MakeWindow, plugin_dir: Path
) -> None:
    (plugin_dir / "picky.py").write_text(
        "from pathlib import Path\n"
        "if not Path(__file__).with_name('ready.txt').exists():\n"
        "    raise RuntimeError('ready.txt is missing')\n"
        "def handle(message):\n    return None\n",
        "utf-8",
    )
    window = make_window()
    page = sources_page(qtbot, window)
    qtbot.waitUntil(lambda: "ready.txt is missing" in status_text(page, "picky"), timeout=FOUND_MS)
    picky = page.model.source(row_named(page, "picky"))
    assert picky.error_disabled
    (plugin_dir / "ready.txt").write_text("yes", "utf-8")
    page.select_source(picky.id)
    assert page.reload_plugin_button.isEnabled()
    page.reload_plugin_button.click()  # the file is unchanged: only the button reloads it
    qtbot.waitUntil(lambda: page.model.source(row_named(page, "picky")).enabled, timeout=FOUND_MS)
    assert not page.model.source(row_named(page, "picky")).error_disabled
    assert "ready.txt" not in status_text(page, "picky")
    tabs = window.tabs
    assert tabs.tabText(tabs.indexOf(page)) == "Answer sources"


def test_open_folder_shows_the_plugins_folder(
    qtbot: QtBot, make_window: MakeWindow, plugin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = sources_page(qtbot, make_window())
    opened: list[QUrl] = []
    monkeypatch.setattr(page, "open_url", opened.append)
    page.open_folder_button.click()
    assert [Path(url.toLocalFile()) for url in opened] == [plugin_dir]
    assert str(plugin_dir) in page.hint.text()


# -- webhooks -----------------------------------------------------------------------------


def test_adding_a_webhook_persists_and_it_answers(
    qtbot: QtBot,
    make_window: MakeWindow,
    server: FakeServer,
    exchange_db: Path,
    data_dir: Path,
) -> None:
    window = make_window()
    page = sources_page(qtbot, window)
    dialog = page.add_webhook()
    assert isinstance(dialog, WebhookDialog)
    dialog.name_edit.setText("crm")
    dialog.url_edit.setText("ftp://127.0.0.1/hook")
    assert not dialog.save_button.isEnabled()
    assert "must be an http:// or https:// address" in dialog.issues_text()
    dialog.url_edit.setText(f"{server.url}/hook")
    dialog.retries.setValue(1)
    assert dialog.save_button.isEnabled()
    dialog.accept()
    assert page.dialog is None
    saved = [s for s in stored(exchange_db, data_dir) if s.kind is SourceKind.WEBHOOK]
    assert [s.name for s in saved] == ["crm"]
    assert isinstance(saved[0].config, WebhookConfig)
    assert saved[0].config.url == f"{server.url}/hook" and saved[0].config.retries == 1
    assert row_named(page, "crm") == page.selected_row() >= 0

    # A second one of the same name is refused while typed.
    again = page.add_webhook()
    assert isinstance(again, WebhookDialog)
    again.name_edit.setText("CRM")
    again.url_edit.setText(f"{server.url}/other")
    assert not again.save_button.isEnabled()
    assert "exists already" in again.issues_text()
    again.reject()

    server.respond(Canned(200, {"text": "pong"}))
    insert_events(exchange_db, [text_event("wxid_a", "ping")])
    qtbot.waitUntil(lambda: ("wxid_a", "pong") in commands(exchange_db), timeout=10_000)
    crm = saved[0].id
    qtbot.waitUntil(lambda: answers(page, crm) == 1)
    row = row_named(page, "crm")
    assert page.model.index(row, SourcesModel.CALLS).data() == "1"
    assert page.model.index(row, SourcesModel.LATENCY).data() != "–"
    assert [seen.json()["message"]["content"] for seen in server.seen] == ["ping"]


def test_order_changes_persist(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    page = sources_page(qtbot, make_window())
    assert page.store is not None
    for name in ("first", "second", "third"):
        page.store.add(SourceKind.WEBHOOK, name, WebhookConfig(url=f"http://127.0.0.1/{name}"))
    page.reload()
    page.select_source(page.model.source(0).id)
    page.down_button.click()
    assert [s.name for s in stored(exchange_db, data_dir)] == ["second", "first", "third"]
    page.select_source(page.model.source(2).id)
    page.up_button.click()
    assert [s.name for s in stored(exchange_db, data_dir)] == ["second", "third", "first"]
    assert [page.model.source(r).name for r in range(3)] == ["second", "third", "first"]


# -- AI models ----------------------------------------------------------------------------


def test_the_ai_key_goes_to_the_keyring_and_nowhere_else(
    qtbot: QtBot,
    make_window: MakeWindow,
    memory_keyring: MemoryKeyring,
    exchange_db: Path,
    data_dir: Path,
) -> None:
    secret = "sk-test-0123456789abcdefSECRET"
    window = make_window()
    page = sources_page(qtbot, window)
    dialog = page.add_ai()
    assert isinstance(dialog, AIDialog)
    dialog.name_edit.setText("assistant")
    dialog.base_url.setText("https://api.example.com/v1")
    dialog.model_edit.setText("gpt-4o-mini")
    assert "no API key" in dialog.issues_text() and dialog.save_button.isEnabled()  # a warning
    dialog.key_edit.setText(secret)
    dialog.temperature.setValue(0.3)
    dialog.price_prompt.setValue(0.5)
    dialog.accept()
    assert page.dialog is None

    [source] = [s for s in stored(exchange_db, data_dir) if s.kind is SourceKind.AI]
    assert isinstance(source.config, AIConfig)
    assert source.config.key_ref and source.config.temperature == pytest.approx(0.3)
    assert memory_keyring.values == {("wxpanel", source.config.key_ref): secret}
    page.select_source(source.id)
    assert "stored in the system's credential store" in page.details.toPlainText()
    assert secret not in page.details.toPlainText()

    # Neither history.db (nor its journal) nor settings.json holds the key.
    window.close()
    files = [path for path in data_dir.rglob("*") if path.is_file()]
    assert any(path.name == "history.db" for path in files)
    for path in files:
        assert secret.encode() not in path.read_bytes(), path


def test_editing_an_ai_source_shows_only_whether_a_key_is_set(
    qtbot: QtBot, make_window: MakeWindow, memory_keyring: MemoryKeyring
) -> None:
    page = sources_page(qtbot, make_window())
    store = page.store
    assert store is not None
    added = store.add(SourceKind.AI, "bot", AIConfig(base_url="http://127.0.0.1:9", model="m"))
    store.set_api_key(added.id, "sk-old-key-123456789")
    page.reload(select=added.id)
    dialog = page.edit_selected()
    assert isinstance(dialog, AIDialog)
    assert dialog.key_edit.text() == "" and dialog.key_set is True
    assert "A key is stored" in dialog.key_state.text()
    dialog.forget_key.setChecked(True)
    dialog.accept()
    assert memory_keyring.values == {}
    page.select_source(added.id)
    assert "API key\nnot set" in page.details.toPlainText()
    row = row_named(page, "bot")
    assert page.model.index(row, SourcesModel.STATUS).data() == "No API key"


# -- statistics ---------------------------------------------------------------------------


def test_the_statistics_page_shows_the_ai_cost(
    qtbot: QtBot, make_window: MakeWindow, exchange_db: Path, data_dir: Path
) -> None:
    window = make_window()
    conn = open_history(DataPaths.beside(exchange_db, data_dir).history)
    try:
        counts = {"ai_prompt_tokens": 1200, "ai_completion_tokens": 340, "ai_cost_micro": 2480}
        with immediate(conn):
            HistoryWriter.count(conn, counts, time.time())
    finally:
        conn.close()
    page = panel_of(window).dashboard.stats_page
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        window.show_page(panel_of(window).dashboard.stats_page)
    assert page.stats is not None and page.stats.ai_all_time.cost == pytest.approx(0.00248)
    values = page.values
    assert values["all_ai_cost"].text() == "0.0025"
    assert values["today_ai_cost"].text() == "0.0025"
    assert values["all_ai_prompt"].text() == "1,200"
    assert values["all_ai_completion"].text() == "340"
