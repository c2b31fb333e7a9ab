"""Take the README's pictures of what an operator sees first, in Chinese and English.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py docs/

Each picture is the real window at 1024×640 (the smallest screen the panel
is made for): a fresh exchange.db with no demo.exe (the panel waiting, and
Health grey rather than green), the demo with the quick-reply list open,
the dark theme's statistics, and the dialog for an exchange.db that is not
demo.exe's.  Install the CJK font first (scripts/system-deps).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QLocale, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from wxpanel.core.demo import prepare_demo
from wxpanel.core.errors import ExchangeError
from wxpanel.core.exchange import check_exchange
from wxpanel.core.paths import DataPaths
from wxpanel.core.simulator import Simulator
from wxpanel.gui import app as gui_app
from wxpanel.gui import firstrun
from wxpanel.gui.panel import Panel, build_panel
from wxpanel.gui.worker import PollThread

SIZE = (1024, 640)


def wait(seconds: float, until: Callable[[], bool] | None = None) -> None:
    """Run the event loop for ``seconds`` (or until ``until`` holds)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
        if until is not None and until():
            return


def shoot(widget: QWidget, target: Path) -> None:
    wait(0.3)
    if not widget.grab().save(str(target)):
        raise SystemExit(f"cannot write {target}")
    print(target)


def window_on(db: Path, data: Path) -> Panel:
    panel = build_panel(PollThread(db, data))
    window = panel.window
    window.resize(*SIZE)
    window.show()
    window.start()
    wait(5, lambda: window.poller.running)
    return panel


def fresh_panel(folder: Path, out: Path, lang: str) -> None:
    """No demo.exe: the waiting panel, and Health grey."""
    db = folder / "WechatBot" / "exchange.db"
    db.parent.mkdir()
    shutil.copyfile(gui_app.BUNDLED_EXCHANGE, db)
    panel = window_on(db, folder / "fresh-data")
    window = panel.window
    wait(2.5)
    shoot(window, out / f"first-start-{lang}.png")
    window.show_page(panel.dashboard.health_page)
    shoot(window, out / f"health-{lang}.png")
    window.close()


def demo_panel(folder: Path, out: Path, lang: str) -> None:
    """The demo's traffic: a conversation open and the quick-reply list after "/"."""
    db = folder / "WechatBot-demo" / "exchange.db"
    db.parent.mkdir()
    shutil.copyfile(gui_app.BUNDLED_EXCHANGE, db)
    data = folder / "demo-data"
    prepare_demo(DataPaths.beside(db, data).ensure().history)
    stop = threading.Event()
    simulator = Simulator(db)
    runner = threading.Thread(target=simulator.run, kwargs={"rate": 3.0, "stop": stop})
    runner.start()
    try:
        panel = window_on(db, data)
        window = panel.window
        wait(4, lambda: window.conversations.rowCount() >= 4)
        window.conversation_view.setCurrentIndex(window.conversations.index(0, 0))
        wait(1)
        window.composer.setFocus()
        window.composer.insertPlainText("/")
        shoot(window, out / f"quick-replies-{lang}.png")
        window.composer.clear()
        window.apply_preferences(window.preferences.with_changes(theme="dark"))
        window.show_page(panel.dashboard.stats_page)
        wait(2)
        shoot(window, out / f"stats-dark-{lang}.png")
        window.apply_preferences(window.preferences.with_changes(theme=""))
        window.close()
    finally:
        stop.set()
        runner.join(timeout=10)
        simulator.close()


def bad_file_dialog(folder: Path, out: Path, lang: str) -> None:
    """A text file where exchange.db should be: the message and the ways on."""
    bad = folder / "bad" / "exchange.db"
    bad.parent.mkdir()
    bad.write_text("these are my notes, not a database\n", encoding="utf-8")
    try:
        check_exchange(bad)
    except ExchangeError as exc:
        problem = exc
    else:
        raise SystemExit("the bad file was accepted")

    def grab_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shoot(box, out / f"bad-file-{lang}.png")
            box.reject()

    QTimer.singleShot(600, grab_box)
    firstrun.ask_what_now(problem, bad)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    for lang in ("zh_CN", "en"):
        translators = gui_app.install_translators(qapp, QLocale(lang))
        with tempfile.TemporaryDirectory(prefix="wxpanel-shots-") as temp:
            folder = Path(temp)
            fresh_panel(folder, out, lang)
            demo_panel(folder, out, lang)
            bad_file_dialog(folder, out, lang)
        for translator in translators:
            QCoreApplication.removeTranslator(translator)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
