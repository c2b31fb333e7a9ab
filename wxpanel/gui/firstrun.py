"""The first minutes: no exchange.db yet, or one wxpanel cannot use.

A new operator meets these before the window: a missing exchange.db (the
panel asks before it creates one, and Cancel says how to look around with
``--demo``), or a file that is not demo.exe's (a text file, another
SQLite database).  Each problem is told in the user's language with what
can be done about it: choose another file, create a new exchange.db here,
open the demo, or quit.  Nothing is created or moved without a question.
"""

from __future__ import annotations

import enum
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from wxpanel.core.errors import ExchangeError
from wxpanel.gui.texts import error_text

#: Where a replaced exchange.db goes: inside wxpanel's own data folder, never beside it.
REPLACED_FOLDER = "replaced"


class Choice(enum.Enum):
    CHOOSE = "choose"
    CREATE = "create"
    DEMO = "demo"
    QUIT = "quit"


def problem_text(exc: ExchangeError, path: Path) -> str:
    """What is wrong with ``path``, in the user's language (English detail appended)."""
    where = str(path)
    if exc.reason == "not_sqlite":
        return QCoreApplication.translate(
            "FirstRun", "%1 is not a database: it cannot be demo.exe's exchange.db."
        ).replace("%1", where)
    if exc.reason == "not_demo":
        return (
            QCoreApplication.translate(
                "FirstRun", "%1 is an SQLite database, but not demo.exe's: it lacks %2."
            )
            .replace("%1", where)
            .replace("%2", exc.detail)
        )
    if exc.reason == "folder":
        return QCoreApplication.translate(
            "FirstRun", "%1 is a folder, not an exchange.db file."
        ).replace("%1", where)
    if exc.reason == "read_only":
        return QCoreApplication.translate(
            "FirstRun", "%1 is read-only: wxpanel must be able to delete the rows it has read."
        ).replace("%1", where)
    if exc.reason == "folder_read_only":
        return QCoreApplication.translate(
            "FirstRun", "The folder of %1 is read-only: SQLite writes its journal beside the file."
        ).replace("%1", where)
    if exc.reason == "missing":
        return QCoreApplication.translate("FirstRun", "There is no %1.").replace("%1", where)
    return error_text(exc)


def ask_what_now(exc: ExchangeError, path: Path, parent: QWidget | None = None) -> Choice:
    """The file cannot be used: say why and offer the ways on."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("FirstRun", "wxpanel cannot use this file"))
    box.setText(problem_text(exc, path))
    box.setInformativeText(
        QCoreApplication.translate(
            "FirstRun",
            "wxpanel needs the exchange.db that demo.exe uses, in demo.exe's folder."
            " What do you want to do?",
        )
    )
    buttons: dict[QAbstractButton, Choice] = {
        box.addButton(
            QCoreApplication.translate("FirstRun", "Choose another file…"),
            QMessageBox.ButtonRole.AcceptRole,
        ): (Choice.CHOOSE),
        box.addButton(
            QCoreApplication.translate("FirstRun", "Create a new exchange.db here"),
            QMessageBox.ButtonRole.ActionRole,
        ): Choice.CREATE,
        box.addButton(
            QCoreApplication.translate("FirstRun", "Open the demo"),
            QMessageBox.ButtonRole.ActionRole,
        ): Choice.DEMO,
    }
    quit_button = box.addButton(
        QCoreApplication.translate("FirstRun", "Quit"), QMessageBox.ButtonRole.RejectRole
    )
    buttons[quit_button] = Choice.QUIT
    box.setEscapeButton(quit_button)
    box.exec()
    return buttons.get(box.clickedButton(), Choice.QUIT)


def confirm_create(path: Path, parent: QWidget | None = None) -> Choice:
    """Before a new, empty exchange.db is made: Create, Open the demo, or Cancel (QUIT)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("FirstRun", "Create exchange.db?"))
    box.setText(
        QCoreApplication.translate(
            "FirstRun", "There is no exchange.db at %1. Create an empty one?"
        ).replace("%1", str(path))
    )
    box.setInformativeText(
        QCoreApplication.translate(
            "FirstRun",
            "demo.exe fills it once it runs in the same folder, with WeChat 2.6.8.51 logged in."
            " To look around first without demo.exe, open the demo (wxpanel --demo).",
        )
    )
    create = box.addButton(
        QCoreApplication.translate("FirstRun", "Create"), QMessageBox.ButtonRole.AcceptRole
    )
    demo = box.addButton(
        QCoreApplication.translate("FirstRun", "Open the demo"), QMessageBox.ButtonRole.ActionRole
    )
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(create)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return Choice.CREATE if clicked is create else Choice.DEMO if clicked is demo else Choice.QUIT


def confirm_replace(path: Path, keep_in: Path, parent: QWidget | None = None) -> bool:
    """A file already has the name: it is moved into ``keep_in``, never deleted."""
    answer = QMessageBox.warning(
        parent,
        QCoreApplication.translate("FirstRun", "Replace exchange.db?"),
        QCoreApplication.translate(
            "FirstRun",
            "%1 already exists. It will be moved to %2 and a new, empty exchange.db"
            " made in its place. demo.exe must not be running meanwhile.",
        )
        .replace("%1", str(path))
        .replace("%2", str(keep_in)),
        QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Ok


def move_aside(path: Path, data_root: Path) -> Path:
    """Move an unusable exchange.db into wxpanel's data folder; returns where it went."""
    folder = data_root / REPLACED_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}"
    path.replace(target)
    return target


def show_how_to_look_around(parent: QWidget | None = None) -> None:
    QMessageBox.information(
        parent,
        QCoreApplication.translate("FirstRun", "Nothing was created"),
        QCoreApplication.translate(
            "FirstRun",
            "wxpanel needs demo.exe's exchange.db. To look around without demo.exe,"
            " start it with: wxpanel --demo",
        ),
    )


__all__ = [
    "Choice",
    "ask_what_now",
    "confirm_create",
    "confirm_replace",
    "move_aside",
    "problem_text",
    "show_how_to_look_around",
]
