"""A second panel on the same exchange.db brings the first forward instead of failing."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from wxpanel.gui.single import SingleInstance, server_name


def test_second_start_activates_the_first(qtbot: QtBot, exchange_db: Path) -> None:
    first = SingleInstance(exchange_db)
    assert not first.notify_running()  # nobody there yet
    assert first.listen()
    try:
        second = SingleInstance(exchange_db.parent / "." / exchange_db.name)
        with qtbot.waitSignal(first.activated):
            assert second.notify_running()
    finally:
        first.close()
    assert not SingleInstance(exchange_db).notify_running()


def test_other_files_do_not_collide(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a" / "exchange.db") != server_name(
        tmp_path / "b" / "exchange.db"
    )
