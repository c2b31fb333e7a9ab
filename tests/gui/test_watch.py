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


def test_a_paused_watch_watches_nothing_and_resumes(qtbot: QtBot, tmp_path: Path) -> None:
    """Paused under traffic: the kernel has no watch to report to; resumed, changes are told."""
    exchange = tmp_path / "exchange.db"
    exchange.write_bytes(b"one")
    missing = tmp_path / "history.db-wal"
    watcher = ChangeWatcher((exchange, missing))
    assert watcher.active
    watcher.pause()
    assert watcher.paused and not watcher.active
    assert watcher._watcher.files() == [] and watcher._watcher.directories() == []
    watcher.resume()
    assert not watcher.paused and watcher.active
    assert watcher._watcher.files() == [str(exchange)]  # the missing file is not asked for
    with qtbot.waitSignal(watcher.changed, timeout=5000), exchange.open("ab") as file:
        file.write(b"two")
    with qtbot.waitSignal(watcher.changed, timeout=5000):
        missing.write_bytes(b"new")  # told by the folder's event, then watched itself
    qtbot.waitUntil(lambda: str(missing) in watcher._watcher.files(), timeout=5000)


def test_pause_and_resume_twice_are_harmless(tmp_path: Path) -> None:
    exchange = tmp_path / "exchange.db"
    exchange.write_bytes(b"one")
    watcher = ChangeWatcher((exchange,))
    watcher.resume()
    assert watcher._watcher.files() == [str(exchange)]
    watcher.pause()
    watcher.pause()
    assert watcher.paused and watcher._watcher.files() == []
    watcher.resume()
    watcher.resume()
    assert watcher._watcher.files() == [str(exchange)]
    assert watcher._watcher.directories() == [str(tmp_path)]
