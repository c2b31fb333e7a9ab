"""The poller thread: signals carry what demo.exe wrote, requests go through, stop is clean."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import insert_events, text_event, wx_commands
from wxpanel.core import engine as engine_module
from wxpanel.core.engine import PollResult
from wxpanel.core.history import HistoryStore
from wxpanel.core.models import CommandStatus, CommandUpdate, Health, Message, Origin
from wxpanel.core.names import Directory, load_directory
from wxpanel.core.outbox import queue_command
from wxpanel.core.pacer import Pacer
from wxpanel.core.paths import DataPaths
from wxpanel.core.protocol import CommandType, Direction, MessageType
from wxpanel.core.settings import Settings
from wxpanel.gui import worker as worker_module
from wxpanel.gui.worker import RESULTS_EVERY, PollThread, PollWorker


def has(field: str) -> Callable[[PollResult], bool]:
    """For ``waitSignal(poller.polled)``: a result that carries ``field``."""
    return lambda result: bool(getattr(result, field))


def test_ready_then_messages_in_a_batch(qtbot: QtBot, exchange_db: Path, data_dir: Path) -> None:
    thread = PollThread(exchange_db, data_dir)
    with qtbot.waitSignal(thread.ready) as ready:
        thread.start()
    try:
        assert isinstance(ready.args[0], DataPaths)
        with qtbot.waitSignal(thread.polled, check_params_cb=has("messages")) as arrived:
            insert_events(
                exchange_db, [text_event("wxid_a", "你好"), text_event("wxid_b", "hello")]
            )
        batch = arrived.args[0].messages
        assert isinstance(batch, tuple) and all(isinstance(m, Message) for m in batch)
        assert [m.content for m in batch] == ["你好", "hello"]
    finally:
        assert thread.stop()
    assert not thread.running


@pytest.fixture
def idle_poller(
    qtbot: QtBot, exchange_db: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PollThread]:
    """Idle at once, rounds 10 s apart: what arrives is seen only if the file watcher wakes it."""
    monkeypatch.setattr(engine_module, "IDLE_AFTER", 0.0)
    thread = PollThread(exchange_db, data_dir, Settings(idle_poll_interval=10.0, safety_poll=10.0))
    # The first round is over: idle from now.
    with qtbot.waitSignal(thread.polled, check_params_cb=has("health")):
        thread.start()
    try:
        engine = thread.worker._engine
        assert engine is not None and engine.watched
        yield thread
    finally:
        assert thread.stop()


def test_an_idle_poller_is_woken_by_the_file_watcher(
    qtbot: QtBot, idle_poller: PollThread, exchange_db: Path
) -> None:
    with qtbot.waitSignal(idle_poller.polled, timeout=5000, check_params_cb=has("messages")) as got:
        insert_events(exchange_db, [text_event("wxid_a", "wake up")])
    assert [m.content for m in got.args[0].messages] == ["wake up"]


def test_an_idle_poller_is_woken_by_another_writer_of_history(
    qtbot: QtBot, idle_poller: PollThread, data_dir: Path
) -> None:
    """``wxpanel send`` beside the panel: its commit only writes history.db-wal (WAL mode)."""
    history = DataPaths(data_dir).history
    with (
        qtbot.waitSignal(idle_poller.polled, timeout=5000, check_params_cb=has("messages")) as got,
        HistoryStore(history) as store,
    ):
        queue_command(
            store.conn,
            to="wxid_a",
            command=CommandType.TEXT,
            payload="from the command line",
            origin=Origin.MANUAL,
            pacer=Pacer(Settings().pacer),
            now=time.time(),
        )
    assert [m.content for m in got.args[0].messages] == ["from the command line"]


def arrive(qtbot: QtBot, thread: PollThread, exchange_db: Path, text: str) -> tuple[str, ...]:
    """demo.exe writes one message; the texts of the batch that brought it."""
    with qtbot.waitSignal(thread.polled, timeout=5000, check_params_cb=has("messages")) as got:
        insert_events(exchange_db, [text_event("wxid_a", text)])
    return tuple(m.content or "" for m in got.args[0].messages)


def test_under_traffic_the_watch_is_paused(
    qtbot: QtBot, poller: PollThread, exchange_db: Path
) -> None:
    """After a round with messages the next is due within poll_interval: no watch meanwhile."""
    assert arrive(qtbot, poller, exchange_db, "busy") == ("busy",)
    qtbot.waitUntil(lambda: poller.worker._watcher is not None and poller.worker._watcher.paused)


def test_once_idle_the_watch_wakes_the_poller_again(
    qtbot: QtBot, idle_poller: PollThread, exchange_db: Path
) -> None:
    """The idle poller's round after a busy one is idle again: it resumes the watch."""
    watcher = idle_poller.worker._watcher
    assert watcher is not None
    assert arrive(qtbot, idle_poller, exchange_db, "first") == ("first",)
    qtbot.waitUntil(lambda: not watcher.paused, timeout=3000)
    assert arrive(qtbot, idle_poller, exchange_db, "second") == ("second",)


def test_resuming_the_watch_looks_once_more_soon(qtbot: QtBot, idle_poller: PollThread) -> None:
    """A change made while the watch was paused is not told: the round after resuming finds it."""
    engine = idle_poller.worker._engine
    assert engine is not None
    interval = engine.settings.poll_interval
    seen: list[tuple[object, ...]] = []

    def pace(worker: PollWorker) -> None:
        watcher = worker._watcher
        assert watcher is not None
        busy = worker._pace_watch(engine, interval / 2)
        paused = watcher.paused
        resumed = worker._pace_watch(engine, 10.0)
        seen.append((busy, paused, resumed, watcher.paused, worker._pace_watch(engine, 10.0)))

    idle_poller._ask(pace)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [(interval / 2, True, interval, False, 10.0)]


def test_the_poller_thread_keeps_one_python_thread_state(qtbot: QtBot, poller: PollThread) -> None:
    """Each call into Python from the thread's loop reuses the thread's state.

    A plain QThread made PySide create and delete one per call (every
    round): an allocation and two system calls each time, and what the
    thread kept in a ``threading.local`` was gone by the next call.
    """
    kept = threading.local()
    seen: list[object] = []

    def remember(_worker: PollWorker) -> None:
        kept.value = "still here"

    def recall(_worker: PollWorker) -> None:
        seen.append(getattr(kept, "value", None))

    poller._ask(remember)
    poller._ask(recall)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == ["still here"]


def test_health_is_reported(qtbot: QtBot, poller: PollThread) -> None:
    with qtbot.waitSignal(poller.polled, timeout=3000, check_params_cb=has("health")) as polled:
        pass
    assert isinstance(polled.args[0].health, Health)


def test_send_text_reaches_wx_command(qtbot: QtBot, poller: PollThread, exchange_db: Path) -> None:
    updates: list[CommandUpdate] = []
    poller.polled.connect(lambda result: updates.extend(result.updates))
    with qtbot.waitSignal(poller.polled, check_params_cb=has("messages")) as queued:
        poller.send_text("wxid_a", "第一行\n第二行")
    (message,) = queued.args[0].messages
    assert message.status is CommandStatus.QUEUED
    qtbot.waitUntil(lambda: wx_commands(exchange_db) == [("wx_send", "wxid_a", "第一行\n第二行")])
    qtbot.waitUntil(
        lambda: (message.id, CommandStatus.WRITTEN) in [(u.message_id, u.status) for u in updates]
    )


def test_refused_picture_is_reported_not_raised(
    qtbot: QtBot, poller: PollThread, tmp_path: Path
) -> None:
    with qtbot.waitSignal(poller.failed) as failed:
        poller.send_picture("wxid_a", str(tmp_path / "missing.png"))
    assert "missing.png" in failed.args[0]


def test_history_page_and_conversations(
    qtbot: QtBot, poller: PollThread, exchange_db: Path
) -> None:
    with qtbot.waitSignal(poller.polled, check_params_cb=has("messages")):
        insert_events(exchange_db, [text_event("wxid_a", f"m{i}") for i in range(5)])
    with qtbot.waitSignal(poller.historyLoaded) as page:
        poller.load_history("wxid_a")
    conversation, before, messages, exhausted = page.args
    assert (conversation, before, exhausted) == ("wxid_a", 0, True)
    assert [m.content for m in messages] == [f"m{i}" for i in range(5)]
    with qtbot.waitSignal(poller.conversationsLoaded) as found:
        poller.load_conversations("")
    assert [c.id for c in found.args[1]] == ["wxid_a"]
    assert found.args[1][0].unread == 5


def test_messages_grow_the_directory_without_reading_every_contact(
    qtbot: QtBot,
    poller: PollThread,
    exchange_db: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """New conversations and names reach the panel as history.db now has them,
    without the whole directory read again (that was ~10 ms a second under traffic)."""
    reads: list[object] = []

    def counted(conn: sqlite3.Connection) -> Directory:
        reads.append(conn)
        return load_directory(conn)

    monkeypatch.setattr(worker_module, "load_directory", counted)
    monkeypatch.setattr(worker_module, "DIRECTORY_EVERY", 0.0)
    given: list[Directory] = []
    poller.directoryLoaded.connect(given.append)
    with qtbot.waitSignal(poller.polled, check_params_cb=has("messages")):
        insert_events(
            exchange_db,
            [text_event("wxid_a", "hi"), ("wxid_zl", "wxid_zl", "赵磊", "hello", "收到", "1")],
        )
    poller.load_conversations("")
    qtbot.waitUntil(lambda: len(reads) == 1 and bool(given))
    poller.set_alias("wxid_member", "小王")  # a group member named by the operator
    qtbot.waitUntil(lambda: len(reads) == 2 and given[-1].get("wxid_member").alias == "小王")
    insert_events(
        exchange_db,
        [
            text_event("wxid_new", "first words"),
            ("wxid_zl", "wxid_zl", "赵磊老师", "renamed", "收到", "1"),
            ("123@chatroom", "wxid_b", "项目群", "a new group", "收到", "1"),
            text_event("wxid_member", "now a conversation"),
        ],
    )
    qtbot.waitUntil(lambda: "123@chatroom" in given[-1] and "wxid_new" in given[-1])
    qtbot.waitUntil(lambda: given[-1].get("wxid_member").conversation)
    store = HistoryStore(DataPaths.beside(exchange_db, data_dir).history)
    try:
        assert set(given[-1].contacts) == set(load_directory(store.conn).contacts)
    finally:
        store.close()
    assert given[-1].get("wxid_zl").name == "赵磊老师"
    assert given[-1].get("wxid_member").alias == "小王"
    assert len(reads) == 2


def test_the_poller_leaves_checkpoints_to_the_engines_checkpointer(
    qtbot: QtBot, poller: PollThread
) -> None:
    """A mark read once a second no longer runs SQLite's own checkpoint in its commit."""
    seen: list[int] = []

    def look(worker: PollWorker) -> None:
        assert worker._store is not None
        seen.append(worker._store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])

    poller._ask(look)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [0]


def test_pause_leaves_rows_in_wx_event(qtbot: QtBot, poller: PollThread, exchange_db: Path) -> None:
    with qtbot.waitSignal(poller.pausedChanged):
        poller.set_paused(True)
    arrived: list[Message] = []
    poller.polled.connect(lambda result: arrived.extend(result.messages))
    insert_events(exchange_db, [text_event("wxid_a", "later")])

    def counted(result: PollResult) -> bool:
        return result.health is not None and result.health.backlog >= 1

    with qtbot.waitSignal(poller.polled, check_params_cb=counted):
        pass  # a look while paused: the row is counted in the backlog, not consumed
    assert arrived == []
    with qtbot.waitSignal(poller.polled, check_params_cb=has("messages")) as polled:
        poller.set_paused(False)
    assert polled.args[0].messages[0].content == "later"


def test_unusable_exchange_db_is_reported(qtbot: QtBot, tmp_path: Path) -> None:
    bogus = tmp_path / "exchange.db"
    bogus.write_bytes(b"not a database at all" * 100)
    thread = PollThread(bogus, tmp_path / "data")
    try:
        with qtbot.waitSignal(thread.startFailed) as failed:
            thread.start()
        assert "exchange.db" in failed.args[0]
    finally:
        assert thread.stop()


def test_second_consumer_is_refused(
    qtbot: QtBot, poller: PollThread, exchange_db: Path, tmp_path: Path
) -> None:
    other = PollThread(exchange_db, tmp_path / "other")
    try:
        with qtbot.waitSignal(other.startFailed) as failed:
            other.start()
        assert "another wxpanel" in failed.args[0]
    finally:
        assert other.stop()


def test_rounds_reach_the_window_at_most_once_a_frame_each_message_once(
    qtbot: QtBot, poller: PollThread, exchange_db: Path
) -> None:
    """demo.exe commits one row at a time: the window gets them a frame's worth at once."""
    sent: list[tuple[float, tuple[str, ...]]] = []

    def record(result: PollResult) -> None:  # in the worker's thread, as it emits
        if result.messages:
            sent.append((time.monotonic(), tuple(m.content or "" for m in result.messages)))

    poller.worker.polled.connect(record, Qt.ConnectionType.DirectConnection)
    for i in range(60):
        insert_events(exchange_db, [text_event("wxid_a", f"m{i}")])
        qtbot.wait(15)
    qtbot.waitUntil(lambda: sum(len(texts) for _, texts in sent) >= 60, timeout=5000)
    assert [text for _, texts in sent for text in texts] == [f"m{i}" for i in range(60)]
    gaps = [later - earlier for (earlier, _), (later, _) in pairwise(sent)]
    assert min(gaps) >= 0.9 * RESULTS_EVERY  # a coarse timer may fire 5 % early
    assert len(sent) < 30  # rows arrived about 35 ms apart: one to four a result


def two_rounds(worker: PollWorker) -> None:
    """Two rounds' messages, "first" and "second", the second within RESULTS_EVERY: held."""
    for text in ("first", "second"):
        message = Message(
            1, "wxid_a", "wxid_a", Direction.IN, Origin.EVENT, MessageType.TEXT, text, time.time()
        )
        worker.report(PollResult(messages=(message,)), hold=True)


def test_what_a_round_held_goes_before_what_a_request_reports(
    qtbot: QtBot, poller: PollThread
) -> None:
    order: list[str] = []
    worker = poller.worker
    worker.polled.connect(
        lambda result: order.extend(f"polled {m.content}" for m in result.messages),
        Qt.ConnectionType.DirectConnection,
    )
    worker.conversationsLoaded.connect(
        lambda *_args: order.append("conversations"), Qt.ConnectionType.DirectConnection
    )
    with qtbot.waitSignal(poller.polled, check_params_cb=has("health")):
        pass  # the first rounds are over

    poller._ask(two_rounds)
    poller.load_conversations()
    qtbot.waitUntil(lambda: "conversations" in order)
    assert order[-3:] == ["polled first", "polled second", "conversations"]


def test_a_held_round_is_sent_by_the_next_round_when_that_comes_in_time(
    qtbot: QtBot, poller: PollThread
) -> None:
    """Under traffic the next round sends what is held: no timer wakes the thread for it."""
    sent: list[str] = []
    poller.worker.polled.connect(
        lambda result: sent.extend(m.content or "" for m in result.messages),
        Qt.ConnectionType.DirectConnection,
    )
    with qtbot.waitSignal(poller.polled, check_params_cb=has("health")):
        pass  # the first rounds are over
    timer_started: list[bool] = []

    def rounds(worker: PollWorker) -> None:
        message = Message(
            1, "wxid_a", "wxid_a", Direction.IN, Origin.EVENT, MessageType.TEXT, "held", 0.0
        )
        assert worker._release_timer is not None
        worker.flush()
        worker._sent_at = time.monotonic()  # a result just went: this one waits
        worker.report(PollResult(messages=(message,)), hold=True, next_round=RESULTS_EVERY)
        timer_started.append(worker._release_timer.isActive())
        held = list(sent)
        worker._sent_at -= RESULTS_EVERY  # the next round, a frame later, brings nothing
        worker.report(PollResult(), hold=True, next_round=0.02)
        timer_started.append(worker._release_timer.isActive())
        sent.append(f"after the next round: {held}")

    poller._ask(rounds)
    qtbot.waitUntil(lambda: bool(timer_started))
    assert timer_started == [False, False]
    assert sent[-2:] == ["held", "after the next round: []"]


def test_a_held_round_is_sent_by_itself_a_frame_later(qtbot: QtBot, poller: PollThread) -> None:
    """No later round needed (an idle poller's is a second away): the frame's timer sends it."""
    with qtbot.waitSignal(
        poller.polled,
        timeout=round(RESULTS_EVERY * 1000 * 5),
        check_params_cb=lambda result: "second" in [m.content for m in result.messages],
    ):
        poller._ask(two_rounds)
