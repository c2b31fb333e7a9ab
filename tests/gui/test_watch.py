"""ChangeWatcher: a watched file that goes away is watched again when it comes back."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from wxpanel.gui.watch import ChangeWatcher


def test_a_file_deleted_and_made_again_is_watched_again(qtbot: QtBot, tmp_path: Path) -> None:
    """history.db-wal is deleted at a checkpoint and made anew: its appends still wake."""
    wal = tmp_path / "history.db-wal"
    wal.write_bytes(b"one")
    watcher = ChangeWatcher((tmp_path / "history.db", wal))
    with qtbot.waitSignal(watcher.changed, timeout=5000):
        wal.unlink()
    with qtbot.waitSignal(watcher.changed, timeout=5000):
        wal.write_bytes(b"two")  # a new file: the folder's event
    qtbot.waitUntil(lambda: str(wal) in watcher._watcher.files(), timeout=5000)
    # An append: no folder event, only the file's.
    with qtbot.waitSignal(watcher.changed, timeout=5000), wal.open("ab") as file:
        file.write(b"three")
