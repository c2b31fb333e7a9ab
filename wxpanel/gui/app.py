"""Starting the panel: find exchange.db, load translations, run, clean up.

``run_gui`` is what ``wxpanel`` without a subcommand calls.  It decides which
exchange.db to open (``--db``; else the one beside the frozen executable or
in the current directory; else a first-run dialog), or for ``--demo`` a
temporary copy of the bundled real file with the simulator writing to it.
Expected failures (:class:`~wxpanel.core.errors.KnownError`) become a message
box, unexpected ones a dialog with the details to copy: never a traceback on
a console the user of a double-clicked exe does not have.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import shutil
import signal
import socket
import stat
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    QSocketNotifier,
    QStandardPaths,
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from wxpanel.core import exchange, logbook
from wxpanel.core.demo import prepare_demo
from wxpanel.core.errors import ExchangeError, ExchangeLockedError, KnownError
from wxpanel.core.paths import DataPaths, remember_exchange, remembered_exchange
from wxpanel.core.simulator import Simulator
from wxpanel.core.sources.hub import default_plugin_dirs
from wxpanel.core.stopping import STOP_SIGNALS
from wxpanel.gui import firstrun
from wxpanel.gui.firstrun import Choice
from wxpanel.gui.mainwindow import MainWindow
from wxpanel.gui.panel import build_panel
from wxpanel.gui.preferences import load as load_preferences
from wxpanel.gui.preferences import save as save_preferences
from wxpanel.gui.single import SingleInstance
from wxpanel.gui.texts import error_text
from wxpanel.gui.worker import PollThread

log = logging.getLogger(__name__)

#: The real, empty exchange.db shipped with wxpanel (the demo copies it).
BUNDLED_EXCHANGE = Path(__file__).resolve().parents[2] / "resources" / "exchange.db"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
#: Simulated traffic in the demo, events per second.
DEMO_RATE = 3.0
EXCHANGE_NAME = "exchange.db"


# -- finding exchange.db ------------------------------------------------------------


def default_candidates(cwd: Path | None = None) -> list[Path]:
    """Where exchange.db is looked for without ``--db``, in order."""
    candidates: list[Path] = []
    if getattr(sys, "frozen", False):
        candidates.append(Path(sys.executable).resolve().parent / EXCHANGE_NAME)
    candidates.append((cwd or Path.cwd()) / EXCHANGE_NAME)
    return candidates


def locate_exchange(db: Path | None, cwd: Path | None = None) -> Path | None:
    """``--db`` if given, else the one remembered beside the program (first-run dialog or
    settings), else the first candidate that exists, else None (ask)."""
    if db is not None:
        return Path(db)
    remembered = remembered_exchange()
    if remembered is not None and remembered.is_file():
        return remembered
    for candidate in default_candidates(cwd):
        if candidate.is_file():
            return candidate
    return None


def ask_for_exchange(parent: QWidget | None = None) -> tuple[Path, bool] | None:
    """The first-run dialog: pick demo.exe's exchange.db, or name a new one to create."""
    dialog = QFileDialog(
        parent, QCoreApplication.translate("App", "Where is demo.exe's exchange.db?")
    )
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setNameFilters(
        [
            QCoreApplication.translate("App", "exchange.db (exchange.db)"),
            QCoreApplication.translate("App", "SQLite files (*.db)"),
        ]
    )
    dialog.selectFile(EXCHANGE_NAME)
    if not dialog.exec():
        return None
    files = dialog.selectedFiles()
    if not files:
        return None
    path = Path(files[0])
    return path, not path.exists()


def choose_exchange(args: argparse.Namespace, headless: bool) -> Path | Choice:
    """The exchange.db to open, or :attr:`Choice.DEMO` / :attr:`Choice.QUIT`.

    A missing file is created only after a question; a file wxpanel cannot
    use is explained and the ways on offered (:mod:`wxpanel.gui.firstrun`).
    Headless (``--screenshot``) the problem is raised as before.
    """
    found = locate_exchange(args.db)
    create = bool(args.create)
    confirmed = create  # --create is the operator's answer already
    asked = False
    if found is None:
        answer = ask_for_exchange()
        if answer is None:
            return Choice.QUIT
        (found, create), asked = answer, True
    while True:
        if create and not confirmed and not headless:
            choice = firstrun.confirm_create(Path(found))
            if choice is not Choice.CREATE:
                if choice is Choice.QUIT:
                    firstrun.show_how_to_look_around()
                return choice
        try:
            db = exchange.check_exchange(found, create=create)
        except ExchangeLockedError:
            db = Path(found)  # demo.exe is busy with it: the poller waits for the lock
        except ExchangeError as exc:
            if headless:
                raise
            choice = firstrun.ask_what_now(exc, Path(found))
            if choice is Choice.CHOOSE:
                answer = ask_for_exchange()
                if answer is None:
                    return Choice.QUIT
                (found, create), asked, confirmed = answer, True, False
                continue
            if choice is not Choice.CREATE:
                return choice
            target = Path(found) if Path(found).is_dir() else Path(found).parent
            target = target / EXCHANGE_NAME
            if target.exists():
                data_root = DataPaths.beside(target, args.data_dir).root
                if not firstrun.confirm_replace(target, data_root / firstrun.REPLACED_FOLDER):
                    continue
                moved = firstrun.move_aside(target, data_root)
                log.warning("moved the unusable %s to %s", target, moved)
            found, create, confirmed, asked = target, True, True, True
            continue
        if asked:  # chosen in a dialog and usable: keep it
            try:
                remember_exchange(db)
            except OSError:
                log.warning("cannot remember %s beside the program", db)
        return db


def demo_preferences_file() -> Path:
    """Where the demo keeps the panel's preferences between runs (the user's config folder)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    return Path(folder) / "demo-settings.json"


def keep_demo_preferences(paths: DataPaths) -> None:
    """Copy the demo's preferences out of its temporary folder before it goes."""
    target = demo_preferences_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        save_preferences(target, load_preferences(paths.settings))
    except OSError as exc:
        log.warning("cannot keep the demo's settings in %s: %s", target, exc)


def demo_copy(folder: Path) -> Path:
    """A writable copy of the bundled exchange.db in ``folder``."""
    if not BUNDLED_EXCHANGE.is_file():
        raise KnownError(f"{BUNDLED_EXCHANGE}: the bundled exchange.db is missing")
    target = folder / EXCHANGE_NAME
    shutil.copyfile(BUNDLED_EXCHANGE, target)
    target.chmod(target.stat().st_mode | stat.S_IWUSR)
    return target


# -- translations and errors ------------------------------------------------------------


def install_translators(app: QCoreApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Load wxpanel's and Qt's own translations for ``locale`` (the system's by default).

    A missing .qm is not an error: the panel is then in English.
    """
    locale = locale or QLocale.system()
    loaded: list[QTranslator] = []
    sources = (
        ("wxpanel", str(I18N_DIR)),
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    )
    for name, folder in sources:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            loaded.append(translator)
    return loaded


def qt_translation_gaps() -> tuple[str, ...]:
    """Qt's own strings that its shipped qtbase_zh_CN.qm lacks, translated by wxpanel's file.

    Qt renamed these file dialog labels ("Look in:" became "&Look in:") and
    the Chinese translation was never updated, so the dialog was half
    English.  The literal calls make lupdate keep them in wxpanel_zh_CN.ts
    under Qt's own context; Qt asks every installed translator in turn.
    """
    return (
        QCoreApplication.translate("QFileDialog", "&Look in:"),
        QCoreApplication.translate("QFileDialog", "Files of &type:"),
    )


def show_error_dialog(summary: str, details: str) -> None:
    """An unexpected error: a short text, the traceback under "Show Details…" to copy."""
    box = QMessageBox(
        QMessageBox.Icon.Critical, QCoreApplication.translate("App", "wxpanel"), summary
    )
    box.setInformativeText(
        QCoreApplication.translate(
            "App", "Something went wrong inside wxpanel. The details below can be copied."
        )
    )
    box.setDetailedText(details)
    box.exec()


def print_error(summary: str, details: str) -> None:
    print(f"wxpanel: unexpected error: {summary}\n{details}", file=sys.stderr)


def install_excepthook(show: Callable[[str, str], None]) -> Callable[[], None]:
    """Report exceptions escaping a slot (bugs) through ``show`` and keep running.

    Returns the function that puts the previous hook back.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        if isinstance(value, KnownError):
            log.warning("%s", value)
            show(str(value), "")
            return
        log.error("unexpected error\n%s", details)
        show(f"{kind.__name__}: {value}", details)

    sys.excepthook = hook

    def restore() -> None:
        sys.excepthook = previous

    return restore


# -- running ------------------------------------------------------------------------------


def tune_gc() -> None:
    """Collect young objects less often: the panel keeps many small immutable values.

    A burst creates thousands of :class:`Message` objects that live on in the
    models; with the default threshold (700) the collector walks them again
    and again, which measured here made ingesting a 20 000-event burst three
    times slower and doubled the longest stall of the window.
    """
    gc.set_threshold(50_000, 50, 1000)


def tune_painting() -> None:
    """Keep Qt's raster painting on the GUI thread: set before anything is painted.

    Qt hands every fill of 96 pixel rows or more to a pool of threads and
    waits for them.  The panel's tall fills are narrow (a scroll bar, 16
    pixels wide, painted at each frame while the feed's handle shrinks):
    waking the threads cost 4-5 times the fill, ~1.5 ms of CPU a paint of
    the bar against ~0.35 ms on the GUI thread alone.  Qt reads its switch
    (``QT_NO_GUI_THREADPOOL``) once, at its first such fill; one set by the
    operator is kept.
    """
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def _stage_demo(window: MainWindow) -> None:
    """For a demo screenshot: open the busiest conversation and answer it.

    A picture of an empty chat pane says little; this shows bubbles on both
    sides and a reply's status, with traffic the simulator really produced.
    """
    if window.conversations.rowCount() == 0:
        return
    window.conversation_view.setCurrentIndex(window.conversations.index(0, 0))
    window.send_text(QCoreApplication.translate("App", "Got it, I will look at it right away."))


class QuitOnSignals(QObject):
    """Ctrl-C and SIGTERM close the panel like its Quit action, from Qt's event loop.

    While Qt waits for events no Python code runs, so a Python signal handler
    alone would only run at the next event, maybe never.  As in headless mode
    (:mod:`wxpanel.core.stopping`) the handler does nothing itself: the
    interpreter writes the signal to a socket, and a socket notifier in the
    GUI thread reads it and calls ``quit``.
    """

    def __init__(self, quit: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit = quit
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {s: signal.signal(s, _no_op) for s in STOP_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    def _read(self) -> None:
        try:
            data = self._reader.recv(64)
        except OSError:
            return
        wanted = {int(s) for s in STOP_SIGNALS}
        received = [signal.Signals(n).name for n in data if n in wanted]
        if received:
            log.info("%s received: closing the panel", received[0])
            self._quit()

    def close(self) -> None:
        """Put the previous handlers back."""
        self._notifier.setEnabled(False)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def _no_op(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler: the wake-up byte does the work."""


def _run_simulator(simulator: Simulator, stop: threading.Event) -> None:
    try:
        figures = simulator.run(rate=DEMO_RATE, stop=stop)
    except Exception:
        log.exception("the demo simulator stopped")
        return
    if figures.lost or figures.duplicates:
        # The simulator is demo.exe: no busy handler, so wxpanel's locks cost messages.
        log.warning(
            "demo.exe lost %d of %d messages and sent %d commands twice",
            figures.lost,
            figures.events,
            figures.duplicates,
        )


def run_gui(args: argparse.Namespace) -> int:
    """Open the panel; returns the exit status."""
    console = logging.StreamHandler()  # stderr, INFO and up, even once the log book is set up
    console.setLevel(logging.INFO)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", handlers=[console]
    )
    tune_painting()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("wxpanel")
    app.setOrganizationName("wxpanel")
    # Windows shows an exe's own icon only for a resource Qt does not look
    # for: set it here, for the title bar, the task bar and the tray alike.
    app.setWindowIcon(QIcon(str(BUNDLED_EXCHANGE.parent / "wxpanel.png")))
    translators = install_translators(app)
    tune_gc()
    headless = args.screenshot is not None
    restore_hook = install_excepthook(print_error if headless else show_error_dialog)
    temp: tempfile.TemporaryDirectory[str] | None = None
    stop = threading.Event()
    simulator: Simulator | None = None
    sim_thread: threading.Thread | None = None
    window: MainWindow | None = None
    single: SingleInstance | None = None
    signals: QuitOnSignals | None = None
    book: logbook.Logbook | None = None
    demo_paths: DataPaths | None = None
    status: list[int] = []
    try:
        demo = bool(args.demo)
        chosen: Path | Choice = Choice.DEMO if demo else choose_exchange(args, headless)
        if chosen is Choice.QUIT or chosen is Choice.CHOOSE:
            return 0
        if isinstance(chosen, Path):
            db = chosen
        else:
            demo = True
            temp = tempfile.TemporaryDirectory(prefix="wxpanel-demo-")
            db = demo_copy(Path(temp.name))
        single = SingleInstance(db)
        if not demo and single.notify_running():
            text = QCoreApplication.translate(
                "App", "wxpanel is already open on %1; it was brought to the front."
            ).replace("%1", str(db))
            if headless:
                print(f"wxpanel: {text}", file=sys.stderr)
            else:
                QMessageBox.information(None, QCoreApplication.translate("App", "wxpanel"), text)
            return 0
        single.listen()
        paths = DataPaths.beside(db, args.data_dir)
        if demo:
            prepare_demo(paths.ensure().history)
            demo_paths = paths
            # The demo's folder is temporary: its language and quick replies are not.
            save_preferences(paths.settings, load_preferences(demo_preferences_file()))
        # The rotating log file beside the data and the ring the log page shows.
        book = logbook.setup_logging(paths, stderr=False)
        preferences = load_preferences(paths.settings)
        if preferences.language:
            for translator in translators:
                app.removeTranslator(translator)
            translators = install_translators(app, QLocale(preferences.language))
        plugins = default_plugin_dirs(getattr(args, "plugins", None))
        panel = build_panel(PollThread(db, args.data_dir, plugin_dirs=plugins), preferences)
        window = panel.window
        single.activated.connect(window.bring_to_front)
        panel.dashboard.log_page.attach(book.ring, book.path)

        def fatal(message: str) -> None:
            if not headless:
                QMessageBox.critical(window, QCoreApplication.translate("App", "wxpanel"), message)
            else:
                print(f"wxpanel: error: {message}", file=sys.stderr)
            status.append(2)
            app.exit(2)

        window.fatalError.connect(fatal)
        shown_window = window

        def quit_now() -> None:
            shown_window.quit()  # stops the poller within 2 s (see PollThread.stop)
            app.quit()  # even with a dialog open

        signals = QuitOnSignals(quit_now)
        window.show()
        window.start()
        if demo:
            simulator = Simulator(db)
            sim_thread = threading.Thread(
                target=_run_simulator, args=(simulator, stop), name="wxpanel-demo", daemon=True
            )
            sim_thread.start()
        if args.screenshot is not None:
            target = Path(args.screenshot)
            shown = window

            def shoot() -> None:
                if not shown.grab().save(str(target)):
                    print(f"wxpanel: error: cannot write {target}", file=sys.stderr)
                    app.exit(2)
                    return
                app.exit(0)

            delay = max(0, round(float(args.after) * 1000))
            if demo:
                QTimer.singleShot(delay * 6 // 10, lambda: _stage_demo(shown))
            QTimer.singleShot(delay, shoot)
        code = app.exec()
        return status[0] if status else code
    except KnownError as exc:
        if headless:
            print(f"wxpanel: error: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(
                None, QCoreApplication.translate("App", "wxpanel"), error_text(exc)
            )
        return 2
    finally:
        if signals is not None:
            signals.close()
        if window is not None:
            window.close()  # stops the poller first: it owns the file
        stop.set()  # run() returns at its next wait; close() after, or it raises
        if sim_thread is not None:
            sim_thread.join(timeout=10)
        if simulator is not None:
            simulator.close()
        if single is not None:
            single.close()
        if demo_paths is not None:
            keep_demo_preferences(demo_paths)
        if book is not None:
            book.close()  # before the demo's folder goes: the file is open
        if temp is not None:
            temp.cleanup()
        restore_hook()
