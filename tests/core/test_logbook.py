"""The log: rotating file beside the data, live ring buffer, bug-report text."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from wxpanel import __version__
from wxpanel.core.logbook import (
    LOG_FILE_NAME,
    LogEntry,
    RingBuffer,
    format_for_bug_report,
    matches,
    setup_logging,
)
from wxpanel.core.paths import DataPaths

log = logging.getLogger("wxpanel.test")


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def ring() -> Iterator[RingBuffer]:
    buffer = RingBuffer(capacity=10)
    log.addHandler(buffer)
    log.setLevel(logging.DEBUG)
    yield buffer
    log.removeHandler(buffer)
    log.setLevel(logging.NOTSET)


def test_file_beside_the_data_rotates(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "wxpanel-data")
    book = setup_logging(paths, stderr=False, max_bytes=2000, backup_count=2)
    assert book.path == paths.logs / LOG_FILE_NAME
    for number in range(200):
        log.info("line %d with some padding to fill the file quickly", number)
    log.debug("not in the file unless verbose")
    book.close()
    names = sorted(p.name for p in paths.logs.iterdir())
    assert names == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2"]
    newest = (paths.logs / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "INFO wxpanel.test line 199 with" in newest
    assert all(p.stat().st_size <= 2000 for p in paths.logs.iterdir())
    assert "not in the file" not in newest
    assert len(book.ring.entries()) == 201  # the ring keeps debug too


def test_setup_twice_replaces_its_own_handlers_only(tmp_path: Path) -> None:
    foreign = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(foreign)
    paths = DataPaths(tmp_path)
    first = setup_logging(paths, stderr=True)
    second = setup_logging(paths, stderr=True)
    assert foreign in root.handlers
    assert not set(first.handlers) & set(root.handlers)
    assert set(second.handlers) <= set(root.handlers)
    log.warning("once")
    assert [e.message for e in second.ring.entries()] == ["once"]
    assert first.ring.entries() == ()
    second.close()
    assert not set(second.handlers) & set(root.handlers)
    headless = setup_logging(None, stderr=False)  # one-shot commands: no file
    assert headless.path is None and len(headless.handlers) == 1
    headless.close()


def test_ring_keeps_the_last_records_as_values(ring: RingBuffer) -> None:
    for number in range(25):
        log.info("message %d", number)
    entries = ring.entries()
    assert len(entries) == 10 == ring.capacity
    assert [e.message for e in entries] == [f"message {n}" for n in range(15, 25)]
    assert [e.seq for e in entries] == list(range(16, 26))
    assert entries[0].logger == "wxpanel.test" and entries[0].level_name == "INFO"
    with pytest.raises(dataclasses.FrozenInstanceError):
        entries[0].message = "changed"  # type: ignore[misc]
    assert [e.seq for e in ring.entries(after=23)] == [24, 25]
    ring.clear()
    assert ring.entries() == ()


def test_filter_by_level_and_text(ring: RingBuffer) -> None:
    log.debug("polling exchange.db")
    log.info("command 5 to wxid_a: taken")
    log.warning("exchange.db LOCKED for 3 s")
    log.error("disk full")
    warnings = ring.entries(min_level=logging.WARNING)
    assert [e.message for e in warnings] == ["exchange.db LOCKED for 3 s", "disk full"]
    assert [e.message for e in ring.entries(text="exchange.db")] == [
        "polling exchange.db",
        "exchange.db LOCKED for 3 s",
    ]
    assert [e.message for e in ring.entries(text="locked")] == ["exchange.db LOCKED for 3 s"]
    assert len(ring.entries(text="wxpanel.TEST")) == 4  # the logger name matches too
    entry = ring.entries()[0]
    assert matches(entry) and not matches(entry, logging.INFO)


def test_tracebacks_are_kept(ring: RingBuffer) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("poll failed")
    (entry,) = ring.entries()
    assert entry.message.startswith("poll failed\nTraceback")
    assert "ValueError: boom" in entry.message and entry.level == logging.ERROR


def test_subscribers_see_new_entries_and_can_leave(ring: RingBuffer) -> None:
    seen: list[LogEntry] = []
    unsubscribe = ring.subscribe(seen.append)

    def broken(entry: LogEntry) -> None:
        raise RuntimeError("subscriber bug")

    ring.subscribe(broken)
    log.info("first")
    log.info("second")  # the broken subscriber was dropped; logging goes on
    unsubscribe()
    log.info("third")
    assert [e.message for e in seen] == ["first", "second"]
    assert len(ring.entries()) == 3


def test_ring_is_thread_safe() -> None:
    ring = RingBuffer(capacity=1000)
    log.addHandler(ring)
    log.setLevel(logging.DEBUG)
    seen: list[int] = []
    ring.subscribe(lambda entry: seen.append(entry.seq))

    def chatter(number: int) -> None:
        for line in range(500):
            log.info("t%d %d", number, line)

    try:
        workers = [threading.Thread(target=chatter, args=(n,)) for n in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        log.removeHandler(ring)
        log.setLevel(logging.NOTSET)
    entries = ring.entries()
    assert len(entries) == 1000
    assert [e.seq for e in entries] == list(range(3001, 4001))
    assert sorted(seen) == list(range(1, 4001))


def test_bug_report_starts_with_the_versions(ring: RingBuffer) -> None:
    log.warning("stuck: wxid_a not taken after 31 s")
    text = format_for_bug_report(ring.entries())
    lines = text.splitlines()
    assert lines[0] == f"wxpanel {__version__}"
    assert lines[1].startswith("Platform: ")
    assert lines[2].startswith("Python: 3.")
    assert lines[3] == f"SQLite: {sqlite3.sqlite_version}"
    assert lines[-1].endswith("WARNING wxpanel.test: stuck: wxid_a not taken after 31 s")
    assert format_for_bug_report([]).count("\n") == 5
