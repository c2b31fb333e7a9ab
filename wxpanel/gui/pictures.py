"""Pictures to send: picked, pasted or dropped, previewed, saved where demo.exe can read them.

demo.exe sends a picture by *path*, so a pasted image must become a file
first; it goes to the panel's media folder, beside the history, so the
file outlives the clipboard and stays with the bot's folder.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

#: The preview in the confirmation box fits in this many pixels.
PREVIEW_SIZE = (320, 240)


def save_pasted(image: QImage, folder: Path) -> Path | None:
    """Write ``image`` as a new PNG in ``folder``; None if it cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"pasted-{stamp}.png"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"pasted-{stamp}-{number}.png"
    return target if image.save(str(target)) else None  # PNG, from the suffix


def confirm(parent: QWidget | None, path: str) -> bool:
    """Show the picture and ask before it is queued."""
    box = QMessageBox(parent)
    box.setWindowTitle(QCoreApplication.translate("Pictures", "Send a picture"))
    box.setText(QCoreApplication.translate("Pictures", "Send this picture?"))
    box.setInformativeText(path)
    pixmap = QPixmap(path)
    if not pixmap.isNull():
        width, height = PREVIEW_SIZE
        box.setIconPixmap(
            pixmap.scaled(
                width,
                height,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    return box.exec() == QMessageBox.StandardButton.Yes


def pick(parent: QWidget | None) -> str:
    """The file dialog; "" when cancelled."""
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("Pictures", "Send a picture"),
        "",
        QCoreApplication.translate("Pictures", "Pictures (*.png *.jpg *.jpeg *.gif *.bmp)"),
    )
    return path
