"""kill -9 at any instant: exactly-once ingestion and an outbox that never sends twice.

The guarantee of :mod:`wxpanel.core.ingest`: after a crash at any instant,
every event demo.exe committed is in history.db's ``message`` table exactly
once, or still in ``wx_event`` and not recorded in ``ingested`` (so it will
be read); ``message.id`` keeps arrival order; the counters and conversations
agree with ``message``.  The outbox's: no command reaches demo.exe twice,
they reach it in queue order with their text byte for byte, and one that a
crash left unclear is marked failed, never written again.

These tests run the real poller in a child process (``crash_child.py``, the
loop of ``wxpanel headless``, with a clean-up after every few dozen rows so
that exchange.db is written often) and SIGKILL it at random instants or at
chosen ones (when exchange.db's journal is synced and hot, or history.db's
write-ahead log grows: a commit of ours in flight), while demo.exe keeps
writing events (its own statements on SQLite 3.7, no busy handler: the
project's stand-in) or a stand-in takes commands.  After some kills the first
program to open exchange.db is demo.exe's own SQLite 3.7 (the stand-in's
library), as it would be on the user's PC.  Then both files are checked with
plain :mod:`sqlite3`, exchange.db first and read-write, since only a
read-write opener can roll a hot journal back.  Every random choice comes
from a ``random.Random`` seeded with the test id, so a run can be repeated;
the exact instant a kill lands still depends on the machine.  Run with
``-s`` to see what each kill left on disk.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.standin.sqlite37 import Connection37, Library
from wxpanel.core.demoexe import EVENT_PRELUDE_SQL, INSERT_EVENT_SQL, DemoExe
from wxpanel.core.demoexe import EventRow as DemoEvent
from wxpanel.core.exchange.reader import row_digest
from wxpanel.core.history import HistoryStore
from wxpanel.core.models import Origin
from wxpanel.core.outbox import queue_command
from wxpanel.core.pacer import Pacer, PacerConfig, PacingRule
from wxpanel.core.paths import DataPaths
from wxpanel.core.protocol import COMMAND_ID3, CommandType

pytestmark = pytest.mark.slow

CHILD = Path(__file__).resolve().with_name("crash_child.py")
#: The first eight bytes of a rollback journal once SQLite has synced it; before
#: that they are zero and SQLite ignores the file (it is not "hot").
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
POLL = 0.02
SEQ = re.compile(r"seq:(\d{6}) ")
INSERT_EVENT = (
    "INSERT INTO wx_event (ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)

PHRASES = (
    "你好",
    "在吗？",
    "今天晚上一起吃饭吧",
    "收到，谢谢！",
    "群公告：明天上午九点在三楼会议室开会，请准时参加。",
    "😀👍🎉",
    "'单引号' \"双引号\" `反引号`",
    "换行\n第二行\r\n第三行",
    "金额：￥1,234.56",
    "路径 C:\\Users\\微信\\文件",
    "   前后空格   ",
    "%s %d {} ? :name",
    "ＡＢＣ全角字符",
    "繁體中文測試",
    "'); DROP TABLE wx_event; --",
)
#: (ID1, ID2, MSG_FROM) as demo.exe writes them.
SENDERS = (
    ("wxid_alice", "_", "爱丽丝"),
    ("wxid_bob", "_", "_"),
    ("123456789@chatroom", "wxid_carol", "周末爬山群"),
    ("987654321@chatroom", "wxid_dave", "工作群"),
)


# -- processes ------------------------------------------------------------------


@dataclass
class Child:
    proc: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    started: float

    def output(self) -> str:
        return self.stdout.read_text("utf-8", "replace") + self.stderr.read_text("utf-8", "replace")


class Children:
    """Every process a test starts; each one is killed by its pid when the test ends."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.all: list[Child] = []

    def start(self, args: Sequence[str], name: str) -> Child:
        index = len(self.all)
        stdout = self.folder / f"{name}-{index}.stdout"
        stderr = self.folder / f"{name}-{index}.stderr"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            proc = subprocess.Popen(list(args), stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        child = Child(proc, stdout, stderr, time.monotonic())
        self.all.append(child)
        return child

    def headless(self, db: Path) -> Child:
        """The headless loop, cleaning wx_event up every :data:`CLEANUP_ROWS` rows."""
        args = [sys.executable, str(CHILD), str(db), "--cleanup-rows", str(CLEANUP_ROWS)]
        return self.start(args, "headless")

    def poller(self, db: Path) -> Child:
        return self.start([sys.executable, str(CHILD), str(db)], "poller")

    @staticmethod
    def kill(child: Child) -> None:
        if child.proc.poll() is None:
            os.kill(child.proc.pid, signal.SIGKILL)
        child.proc.wait(timeout=10)

    @staticmethod
    def stop(child: Child) -> None:
        """SIGTERM, as a user would stop it; it must finish its round and exit 0."""
        child.proc.send_signal(signal.SIGTERM)
        try:
            code = child.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            Children.kill(child)
            raise AssertionError(f"did not stop on SIGTERM:\n{child.output()[-3000:]}") from None
        assert code == 0, f"exit status {code} after SIGTERM:\n{child.output()[-3000:]}"

    def problems(self) -> list[str]:
        """Tracebacks or errors a child logged: the loop survives bugs, the test must not."""
        found = []
        for child in self.all:
            text = child.output()
            for marker in ("Traceback", " ERROR ", " WARNING ", "unexpected error"):
                if marker in text:
                    found.append(f"{child.stderr.name}: {marker.strip()}\n{text[-2000:]}")
                    break
        return found

    def close(self) -> None:
        for child in self.all:
            if child.proc.poll() is None:
                self.kill(child)


@pytest.fixture
def children(tmp_path: Path) -> Iterator[Children]:
    folder = tmp_path / "processes"
    folder.mkdir()
    started = Children(folder)
    try:
        yield started
    finally:
        started.close()


# -- small tools ------------------------------------------------------------------


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``condition`` every 20 ms until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL)


def wait_for_event(event: Callable[[], bool], skip: int, timeout: float) -> bool:
    """Spin until ``event`` fires for the (skip+1)-th time; False on timeout.

    A tight loop on purpose: the windows it aims at (a journal that is hot, a
    super-journal that exists) last milliseconds.
    """
    deadline = time.monotonic() + timeout
    fired = 0
    while time.monotonic() < deadline:
        if event():
            if fired == skip:
                return True
            fired += 1
    return False


def rising(probe: Callable[[], bool]) -> Callable[[], bool]:
    """An event that fires each time ``probe`` turns from false to true."""
    before = probe()

    def event() -> bool:
        nonlocal before
        now = probe()
        fired = now and not before
        before = now
        return fired

    return event


def connect_rw(path: Path, timeout: float = 10.0) -> sqlite3.Connection:
    """Read-write, never creating: a read-only connection cannot roll back a hot journal."""
    uri = f"file:{quote(str(path))}?mode=rw"
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)


def is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def journal_of(db: Path) -> Path:
    return db.with_name(db.name + "-journal")


def journal_synced(db: Path) -> bool:
    try:
        with journal_of(db).open("rb") as handle:
            return handle.read(8) == JOURNAL_MAGIC
    except OSError:
        return False


def wal_written(db: Path) -> Callable[[], bool]:
    """An event that fires each time ``db``'s -wal is seen written since the last look.

    history.db is in WAL mode: a commit writes its frames to the -wal (the
    commit frame last, then a sync; after a checkpoint, from the start of the
    file again), so a kill as it changes lands inside the write of a
    transaction or right after its commit.
    """
    wal = db.with_name(db.name + "-wal")
    seen: tuple[int, int] | None = None

    def event() -> bool:
        nonlocal seen
        try:
            info = wal.stat()
            now = (info.st_size, info.st_mtime_ns)
        except OSError:
            now = None
        written = now is not None and seen is not None and now != seen
        seen = now
        return written

    return event


def journal_is_hot(db: Path) -> bool:
    """Whether the next opener of ``db`` must roll its journal back, by SQLite's rules:
    the journal was synced (it starts with the magic).  wxpanel never writes two files
    in one transaction, so no journal of ours names a super-journal."""
    try:
        data = journal_of(db).read_bytes()
    except OSError:
        return False
    return data.startswith(JOURNAL_MAGIC)


def crash_state(db: Path) -> str:
    """What the kill left behind, for messages: which journals exist and are hot."""
    history = DataPaths.beside(db).history
    parts = []
    for path in (db, history):
        if journal_of(path).exists():
            parts.append(f"{path.name}-journal({'hot' if journal_is_hot(path) else 'stale'})")
    wal = history.with_name(history.name + "-wal")
    if wal.exists():
        parts.append(f"{wal.name}({wal.stat().st_size} bytes)")
    if any(db.parent.glob(db.name + "-mj*")):
        parts.append("super-journal (wxpanel must never leave one)")
    return ", ".join(parts) or "clean"


# -- events and the ledger of what demo.exe committed -----------------------------


def event_row(rng: random.Random, seq: int, size: int = 0) -> tuple[str, ...]:
    """A row as demo.exe writes it (received text; ID2 ``_`` in a private chat)."""
    conversation, member, name = rng.choice(SENDERS)
    if size:
        block = "".join(rng.choice(PHRASES) for _ in range(40))
        body = block * (size // len(block.encode()) + 1)
    else:
        body = " ".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 6)))
    return (conversation, member, name, f"seq:{seq:06d} {body}", "0", "1")


def seq_of(content: str) -> int:
    match = SEQ.match(content)
    assert match, f"not one of our events: {content[:80]!r}"
    return int(match.group(1))


@dataclass
class Ledger:
    """Events demo.exe committed, in commit order (which is arrival order)."""

    order: list[int] = field(default_factory=list)
    content: dict[int, str] = field(default_factory=dict)

    def committed(self, rows: Sequence[tuple[str, ...]]) -> None:
        for row in rows:
            seq = seq_of(row[3])
            self.order.append(seq)
            self.content[seq] = row[3]


def insert_events(db: Path, rows: Sequence[tuple[str, ...]]) -> None:
    conn = connect_rw(db)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(INSERT_EVENT, rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


class Writer(threading.Thread):
    """demo.exe meanwhile: one message every few milliseconds, with demo.exe's own
    statements on its SQLite 3.7 and no busy handler; only what committed is noted
    (a message that met a lock is lost, as it would be)."""

    def __init__(
        self, db: Path, ledger: Ledger, rng: random.Random, first_seq: int, library: Path
    ) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.ledger = ledger
        self.rng = rng
        self.next_seq = first_seq
        self.library = library
        self.halt = threading.Event()
        self.error: BaseException | None = None
        self.commits = 0
        self.lost = 0

    def run(self) -> None:
        try:
            demo = DemoExe(Connection37(Library(self.library), self.db), keep=False)
        except BaseException as exc:
            self.error = exc
            return
        try:
            while not self.halt.is_set():
                values = event_row(self.rng, self.next_seq)
                attempt = demo.receive(DemoEvent(*values[:4]))
                self.next_seq += 1
                if attempt.lost:
                    self.lost += 1
                else:
                    self.ledger.committed([values])
                    self.commits += 1
                self.halt.wait(self.rng.uniform(0.002, 0.015))
        except BaseException as exc:
            self.error = exc
        finally:
            demo.close()

    def finish(self) -> None:
        self.halt.set()
        self.join(timeout=30)
        assert not self.is_alive(), "the writer thread did not stop"
        if self.error is not None:
            raise AssertionError(f"the demo.exe stand-in failed: {self.error!r}") from self.error


def read_places(db: Path) -> dict[str, list[tuple[int, bytes]]]:
    """(key, MSG_CONTENT bytes) where an event can be, in arrival order when concatenated.

    ``message`` by id, then ``waiting``: the wx_event rows (by rowid) that
    history's ``ingested`` does not hold with the same digest.  ``recorded``
    lists the wx_event rows it does hold (already in ``message``, left for the
    clean-up).
    """
    history = DataPaths.beside(db).history
    places: dict[str, list[tuple[int, bytes]]] = {"message": [], "waiting": [], "recorded": []}
    # exchange.db first and read-write: its first read rolls back a hot journal.
    conn = connect_rw(db)
    try:
        rows = conn.execute(
            "SELECT rowid, typeof(ID1), CAST(ID1 AS BLOB), typeof(ID2), CAST(ID2 AS BLOB),"
            " typeof(MSG_FROM), CAST(MSG_FROM AS BLOB), typeof(MSG_CONTENT),"
            " CAST(MSG_CONTENT AS BLOB), typeof(MSG_STATE), CAST(MSG_STATE AS BLOB),"
            " typeof(MSG_TYPE), CAST(MSG_TYPE AS BLOB) FROM wx_event ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    ingested: dict[int, int] = {}
    if history.exists():  # else killed before it was created
        conn = connect_rw(history)
        try:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            if "message" in tables:  # else killed during the first migration
                places["message"] = conn.execute(
                    "SELECT id, CAST(content AS BLOB) FROM message ORDER BY id"
                ).fetchall()
            if "ingested" in tables:
                ingested = dict(conn.execute("SELECT rowid, digest FROM ingested"))
        finally:
            conn.close()
    for row in rows:
        place = "recorded" if ingested.get(row[0]) == row_digest(row[1:]) else "waiting"
        places[place].append((row[0], row[8]))
    return places


def backlog(db: Path) -> int:
    """Events not yet in ``message``."""
    return len(read_places(db)["waiting"])


def history_totals(db: Path) -> tuple[int, int]:
    """The ``events`` counter and the conversations' message counts, summed."""
    history = DataPaths.beside(db).history
    if not history.exists():
        return 0, 0
    conn = connect_rw(history)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        if "counter" not in tables:
            return 0, 0
        row = conn.execute("SELECT value FROM counter WHERE name = 'events'").fetchone()
        (in_conversations,) = conn.execute(
            "SELECT coalesce(sum(message_count), 0) FROM conversation"
        ).fetchone()
    finally:
        conn.close()
    return (row[0] if row else 0), in_conversations


def check_exactly_once(db: Path, ledger: Ledger, *, drained: bool = False, state: str = "") -> str:
    """The guarantee, checked on fresh connections; returns where the events are."""
    where = f" (after the kill: {state})" if state else ""
    places = read_places(db)
    seqs = {
        name: [seq_of(bytes(blob).decode()) for _, blob in rows] for name, rows in places.items()
    }
    located: dict[int, list[str]] = {}
    for name in ("message", "waiting"):
        for seq in seqs[name]:
            located.setdefault(seq, []).append(name)
    repeated = {seq: names for seq, names in located.items() if len(names) > 1}
    assert not repeated, f"{len(repeated)} events twice{where}, e.g. " + ", ".join(
        f"seq {seq} in {'+'.join(names)}" for seq, names in sorted(repeated.items())[:5]
    )
    lost = [seq for seq in ledger.order if seq not in located]
    assert not lost, f"{len(lost)} events neither in history nor waiting{where}: {lost[:10]}"
    unknown = sorted(set(located) - set(ledger.order))
    assert not unknown, f"events nobody committed{where}: {unknown[:10]}"
    stray = [seq for seq in seqs["recorded"] if located.get(seq) != ["message"]]
    assert not stray, f"wx_event rows recorded as ingested but not in message{where}: {stray[:10]}"
    # Arrival order: message holds the oldest, wx_event's unrecorded rows the newest.
    offset = 0
    for name in ("message", "waiting"):
        found = seqs[name]
        expected = ledger.order[offset : offset + len(found)]
        if found != expected:
            at = next(i for i, (a, b) in enumerate(zip(found, expected, strict=True)) if a != b)
            raise AssertionError(
                f"{name} is out of arrival order{where}: row {places[name][at][0]} holds seq"
                f" {found[at]}, expected {expected[at]}"
            )
        for (key, blob), seq in zip(places[name], found, strict=True):
            assert bytes(blob) == ledger.content[seq].encode(), (
                f"{name} row {key} (seq {seq}) altered{where}"
            )
        offset += len(found)
    # Counters and conversations are written in the same transaction as the messages.
    moved = len(seqs["message"])
    counted, in_conversations = history_totals(db)
    assert counted == moved, f"counter 'events' {counted} != {moved} messages{where}"
    assert in_conversations == moved, (
        f"conversations count {in_conversations} messages, history has {moved}{where}"
    )
    if drained:
        assert moved == len(ledger.order), f"{len(ledger.order) - moved} events not in message"
    return ", ".join(f"{len(found)} {name}" for name, found in seqs.items())


def demo_exe_opens_first(db: Path, library: Path, ledger: Ledger, rng: random.Random) -> str:
    """demo.exe's own SQLite 3.7, no busy handler, is the first to open the file after
    the kill: its exact statements for a few messages (it rolls a hot journal back)."""
    conn = Connection37(Library(library), db)
    first = 900_000 + len(ledger.order)
    committed = []
    try:
        for i in range(3):
            row = event_row(rng, first + i)
            for sql in EVENT_PRELUDE_SQL:
                conn.rows(sql)
            conn.rows(INSERT_EVENT_SQL, row)
            committed.append(row)
    finally:
        ledger.committed(committed)
        conn.close()
    return f"SQLite 3.7 wrote {len(committed)} events first"


# -- 1. ingestion ----------------------------------------------------------------------

N_EVENTS = 3000
BIG_EVENTS = 5  # 100-400 KB each, so that some transactions take long
CYCLES = 2  # kills per run, each followed by a full check
#: The children delete ingested rows this often, so that a kill meets clean-ups too.
CLEANUP_ROWS = 40
#: How each run chooses its kill instants:
#: start - uniform 0.05-0.6 s after the process starts (startup, migration, first batches);
#: ready - uniform 0-0.8 s after it logged "ready" (batches, then the writer's trickle);
#: history-wal - once it is ready, the moment history.db's -wal is written (an
#:   ingestion's commit);
#: exchange-journal - the moment exchange.db's journal is synced (a clean-up's commit,
#:   or demo.exe's own), after which SQLite 3.7 is the first to open the file.
KILL_PLANS = (
    ("start", 1),
    ("start", 2),
    ("ready", 3),
    ("ready", 4),
    ("history-wal", 5),
    ("history-wal", 6),
    ("exchange-journal", 7),
    ("exchange-journal", 8),
)


def kill_per_plan(children: Children, child: Child, db: Path, plan: str, rng: random.Random) -> str:
    history = DataPaths.beside(db).history
    if plan == "start":
        delay = rng.uniform(0.05, 0.6)
        time.sleep(max(0.0, child.started + delay - time.monotonic()))
        how = f"{delay:.3f} s after start"
    elif plan == "ready":
        wait_for(lambda: "ready" in child.output(), 30, "the poller to start")
        delay = rng.uniform(0.0, 0.8)
        time.sleep(delay)
        how = f"{delay:.3f} s after ready"
    else:
        skip = rng.randint(0, 4)
        if plan == "history-wal":
            # Its start-up commits (migrations) write the -wal too: not the target.
            wait_for(lambda: "ready" in child.output(), 30, "the poller to start")
            event = wal_written(history)
        else:
            event = rising(lambda: journal_synced(db))
        hit = wait_for_event(event, skip, timeout=20)
        how = f"at {plan} #{skip + 1}" if hit else f"{plan} #{skip + 1} not seen in 20 s"
    assert child.proc.poll() is None, f"the poller exited early:\n{child.output()[-3000:]}"
    children.kill(child)
    return f"{how}, leaving {crash_state(db)}"


@pytest.mark.parametrize(("plan", "seed"), KILL_PLANS, ids=[f"{p}-{s}" for p, s in KILL_PLANS])
def test_ingestion_is_exactly_once_across_kill_9(
    exchange_db: Path,
    children: Children,
    old_sqlite: dict[str, Path],
    plan: str,
    seed: int,
) -> None:
    rng = random.Random(f"ingest-{plan}-{seed}")
    ledger = Ledger()
    big = set(rng.sample(range(N_EVENTS), BIG_EVENTS))
    rows = [
        event_row(rng, seq, rng.randint(100_000, 400_000) if seq in big else 0)
        for seq in range(N_EVENTS)
    ]
    insert_events(exchange_db, rows)
    ledger.committed(rows)
    library = old_sqlite[sorted(old_sqlite)[seed % len(old_sqlite)]]

    for cycle in range(CYCLES):
        first_seq = 100_000 * (cycle + 1)
        writer = Writer(exchange_db, ledger, random.Random(f"{seed}-{cycle}"), first_seq, library)
        if plan != "exchange-journal":  # there, demo.exe's SQLite 3.7 opens the file first
            writer.start()
        elif cycle:  # rows to clean up again
            more = [event_row(rng, first_seq + i, 1000) for i in range(N_EVENTS // 3)]
            insert_events(exchange_db, more)
            ledger.committed(more)
        try:
            child = children.headless(exchange_db)
            how = kill_per_plan(children, child, exchange_db, plan, rng)
            if plan == "exchange-journal":
                how += "; " + demo_exe_opens_first(exchange_db, library, ledger, rng)
            else:
                time.sleep(rng.uniform(0.0, 0.05))  # demo.exe does not notice: it writes on
        finally:
            if writer.is_alive():
                writer.finish()
        state = f"killed {how}; then {crash_state(exchange_db)}"
        if writer.commits or writer.lost:
            state += f"; demo.exe wrote {writer.commits}, lost {writer.lost}"
        print(f"cycle {cycle}: {state}; {check_exactly_once(exchange_db, ledger, state=state)}")

    child = children.headless(exchange_db)
    wait_for(
        lambda: child.proc.poll() is not None or backlog(exchange_db) == 0,
        60,
        "the poller to take every event into history",
    )
    assert child.proc.poll() is None, f"the poller exited:\n{child.output()[-3000:]}"
    children.stop(child)
    check_exactly_once(exchange_db, ledger, drained=True)
    assert not any(exchange_db.parent.glob("*-mj*")), "a super-journal beside exchange.db"
    assert not children.problems(), "\n".join(children.problems())


def test_restart_right_after_kill_9_mid_clean_up(exchange_db: Path, children: Children) -> None:
    """Nothing touches exchange.db between the kill and the restart (demo.exe idle)."""
    rng = random.Random("restart-hot-journal")
    ledger = Ledger()
    for attempt in range(5):
        # ~1 KB events: a clean-up of many rows dirties more pages than the cache
        # holds, so SQLite syncs the journal early and it stays hot until the end.
        first = attempt * N_EVENTS
        rows = [event_row(rng, first + i, 1000) for i in range(N_EVENTS)]
        insert_events(exchange_db, rows)
        ledger.committed(rows)
        child = children.start(
            [sys.executable, str(CHILD), str(exchange_db), "--cleanup-rows", "2000"], "poller"
        )
        wait_for_event(rising(lambda: journal_synced(exchange_db)), 0, timeout=15)
        children.kill(child)
        if journal_is_hot(exchange_db):
            break
    else:
        pytest.skip("could not kill the poller while exchange.db's journal was hot")
    state = crash_state(exchange_db)

    child = children.headless(exchange_db)
    wait_for(
        lambda: child.proc.poll() is not None or "ready" in child.output(),
        30,
        "the poller to start",
    )
    assert child.proc.poll() is None, (
        f"the poller refused to restart after a kill -9 that left {state}"
        f" (exit {child.proc.returncode}):\n{child.output()[-1000:]}"
    )
    wait_for(lambda: backlog(exchange_db) == 0, 60, "the poller to take every event")
    children.stop(child)
    check_exactly_once(exchange_db, ledger, drained=True)


# -- 2. the outbox -----------------------------------------------------------------------

N_COMMANDS = 50
MAX_KILLS = 8
#: The outbox has stalled when no command is settled for this long: a measure
#: of progress, not of speed, so a slow machine takes longer but does not fail.
STALL = 60.0
#: Must match crash_child.FAST: the jitter is drawn when a command is queued.
NO_WAIT = PacerConfig(PacingRule(0.0, 0.0, 1000), PacingRule(0.0, 0.0, 1000))
#: Every text fits code page 936: demo.exe could not carry the others, and the
#: outbox refuses them from the operator (tests/core/test_codepage.py).
COMMAND_TEXTS = (
    "你好，我是机器人",
    "收到",
    "符号 ①②③ ·—“”… €",
    "'单引号' \"双引号\" `反引号`",
    "第一行\n第二行\r\n第三行\t制表符",
    "   前后空格   ",
    "路径 C:\\Users\\微信\\文件 and %s %d {}",
    "'); DELETE FROM wx_command; --",
    "拼音 é ü à ɑ ㄅㄆㄇ",
    "长" * 20_000,
)
RECIPIENTS = ("wxid_alice", "123456789@chatroom", "wxid_bob")


class FakeDemo:
    """demo.exe's side of wx_command: takes a row a little while after it appears."""

    def __init__(self, db: Path, rng: random.Random) -> None:
        self.conn = connect_rw(db, timeout=0.5)
        self.rng = rng
        self.take_at: float | None = None
        self.seen: list[tuple[object, ...]] = []  # every row taken, in the order taken

    def close(self) -> None:
        self.conn.close()

    def step(self) -> None:
        try:
            pending = self.conn.execute("SELECT 1 FROM wx_command LIMIT 1").fetchone()
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                return
            raise
        if not pending:
            self.take_at = None
            return
        now = time.monotonic()
        if self.take_at is None:
            self.take_at = now + self.rng.uniform(0.0, 0.04)
        if now >= self.take_at:
            self.seen.extend(self.take())

    def take(self) -> list[tuple[object, ...]]:
        """Read and delete in one transaction, in rowid order; nothing on a lock."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                return []
            raise
        try:
            rows = self.conn.execute(
                "SELECT rowid, Token, cmd_type, id_1, CAST(id_2 AS BLOB), id_3"
                " FROM wx_command ORDER BY rowid"
            ).fetchall()
            self.conn.executemany(
                "DELETE FROM wx_command WHERE rowid = ?", [(row[0],) for row in rows]
            )
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")  # nothing was taken
            if is_busy(exc):
                return []
            raise
        self.take_at = None
        return [tuple(row[1:]) for row in rows]


class Sniper(threading.Thread):
    """SIGKILLs a child at the (skip+1)-th synced journal of exchange.db or write of
    history.db's -wal: inside the write of a command, or of its record before or after."""

    def __init__(self, child: Child, db: Path, skip: int) -> None:
        super().__init__(daemon=True)
        self.child = child
        self.db = db
        self.skip = skip
        self.hit = False
        self.cancel = threading.Event()
        self.state = ""
        self.fired = threading.Event()

    def run(self) -> None:
        history = DataPaths.beside(self.db).history
        deadline = time.monotonic() + 10
        while "ready" not in self.child.output() and time.monotonic() < deadline:
            time.sleep(0.001)  # its start-up commits (migrations) are not the target
        written = wal_written(history)
        synced = rising(lambda: journal_synced(self.db))

        def event() -> bool:
            return written() or synced()

        deadline = time.monotonic() + 10
        fired = 0
        while not self.cancel.is_set() and time.monotonic() < deadline:
            if event():
                if fired == self.skip:
                    self.hit = True
                    break
                fired += 1
        if self.cancel.is_set():
            return
        # The child cannot have been reaped yet: the main thread reaps it only once it
        # has exited, and it exits only through this kill (or disarm() came first).
        self.fired.set()
        os.kill(self.child.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # the main thread reaped it already
            os.waitid(os.P_PID, self.child.proc.pid, os.WEXITED | os.WNOWAIT)  # no reaping
        # Look before the test's own connections roll the journals back.
        self.state = crash_state(self.db)

    def disarm(self) -> None:
        self.cancel.set()
        self.join(timeout=10)


def command_row(to: str, text: str) -> tuple[object, ...]:
    """A command as demo.exe reads it, without its Token."""
    return (CommandType.TEXT.value, to, text.encode("utf-8"), COMMAND_ID3)


def check_outbox(
    db: Path, history: Path, queued: Sequence[tuple[int, str, str]], seen: Sequence[object]
) -> str:
    """No command taken twice, in queue order, byte for byte; at most one in flight;
    one a crash left unclear is failed, not written again."""
    conn = connect_rw(db)  # first, and read-write: it rolls back a hot journal
    try:
        in_table = [
            (token, kind, to, bytes(text), id3)
            for token, kind, to, text, id3 in conn.execute(
                "SELECT Token, cmd_type, id_1, CAST(id_2 AS BLOB), id_3 FROM wx_command"
                " ORDER BY rowid"
            )
        ]
    finally:
        conn.close()
    conn = connect_rw(history)
    try:
        rows = conn.execute(
            "SELECT id, status, token FROM message WHERE command IS NOT NULL ORDER BY id"
        ).fetchall()
        counters = dict(conn.execute("SELECT name, value FROM counter"))
    finally:
        conn.close()
    expected = {message_id: command_row(to, text) for message_id, to, text in queued}
    assert [message_id for message_id, _, _ in rows] == [q[0] for q in queued]
    status = {message_id: state for message_id, state, _ in rows}
    by_token = {token: message_id for message_id, _, token in rows if token}
    codes = "".join(
        {"taken": "T", "written": "W", "queued": "Q", "failed": "F"}.get(state, "?")
        for _, state, _ in rows
    )
    assert re.fullmatch("[TF]*W?Q*", codes), f"outbox statuses in queue order: {codes}"
    assert len(in_table) <= 1, f"more than one command in wx_command: {in_table!r:.300}"
    # What demo.exe took: each a command of ours, at most once, in queue order, exact.
    taken_ids = []
    for row in seen:
        token = row[0]  # type: ignore[index]
        assert token in by_token, f"demo.exe took a command nobody recorded: {row!r:.200}"
        message_id = by_token[token]
        assert message_id not in taken_ids, f"command #{message_id} sent twice ({codes})"
        assert tuple(row[1:]) == expected[message_id], f"command #{message_id} altered"  # type: ignore[index]
        taken_ids.append(message_id)
    assert taken_ids == sorted(taken_ids), f"commands taken out of order: {taken_ids}"
    for message_id, state in status.items():
        if state == "taken":
            assert message_id in taken_ids, f"#{message_id} marked taken, demo.exe never saw it"
    # The kill may have come between a command's write and its record: then it is
    # still 'queued' with its Token, and the restart settles it from wx_command.
    unrecorded = [
        message_id
        for message_id, state, token in rows
        if state == "queued"
        and token
        and (message_id in taken_ids or token in {r[0] for r in in_table})
    ]
    written = [m for m, state in status.items() if state == "written"] + unrecorded
    in_flight_seen = [m for m in written if m in taken_ids]
    if in_flight_seen:  # taken by demo.exe, not yet noticed by the poller
        assert not in_table, f"{codes}; wx_command holds {in_table!r:.300}"
        flight = "taken, not yet tracked"
    elif written:
        (row,) = in_table
        assert by_token.get(row[0]) == written[0] and row[1:] == expected[written[0]]
        flight = "in wx_command"
    else:
        assert not in_table, f"{codes}; wx_command holds untracked rows: {in_table!r:.300}"
        flight = "none"
    taken = codes.count("T")
    assert counters.get("commands_queued", 0) == len(queued)
    assert counters.get("commands_written", 0) == taken + len(written) - len(unrecorded)
    assert counters.get("commands_taken", 0) == taken
    return f"{taken} taken, {codes.count('F')} failed as unclear, in flight: {flight}"


@pytest.mark.parametrize(("plan", "seed"), [("random", 1), ("random", 2), ("commit", 3)], ids=str)
def test_outbox_sends_each_command_once_in_order_across_kill_9(
    exchange_db: Path, children: Children, plan: str, seed: int
) -> None:
    """random: kill uniform 0-0.6 s after each "ready"; commit: at a synced journal."""
    rng = random.Random(f"outbox-{plan}-{seed}")
    history = DataPaths.beside(exchange_db).history
    pacer = Pacer(NO_WAIT, random.Random(seed))
    to_queue = [(rng.choice(RECIPIENTS), rng.choice(COMMAND_TEXTS)) for _ in range(N_COMMANDS)]
    to_queue[:3] = [(RECIPIENTS[0], "收到")] * 3  # identical commands back to back
    queued: list[tuple[int, str, str]] = []
    demo = FakeDemo(exchange_db, random.Random(f"demo-{seed}"))
    kills = 0

    with HistoryStore(history) as store:

        def queue_next() -> None:
            to, text = to_queue[len(queued)]
            message = queue_command(
                store.conn,
                to=to,
                command=CommandType.TEXT,
                payload=text,
                origin=Origin.MANUAL,
                pacer=pacer,
                now=time.time(),
            )
            queued.append((message.id, to, text))

        def settled() -> int:
            """Commands taken by demo.exe or failed as unclear."""
            (count,) = store.conn.execute(
                "SELECT count(*) FROM message WHERE command IS NOT NULL"
                " AND status IN ('taken', 'failed')"
            ).fetchone()
            return int(count)

        # Half is queued before any poller runs, the rest while one runs (`wxpanel send`).
        while len(queued) < N_COMMANDS // 2:
            queue_next()

        def launch() -> tuple[Child, float, Sniper | None]:
            child = children.poller(exchange_db)
            if kills == MAX_KILLS:  # the last one finishes the queue
                return child, float("inf"), None
            if plan == "random":  # the delay counts from "ready", when it starts sending
                return child, -rng.uniform(0.0, 0.6), None
            sniper = Sniper(child, exchange_db, rng.randint(0, 12))
            sniper.start()
            return child, float("inf"), sniper

        child, kill_at, sniper = launch()
        try:
            progress, deadline = -1, time.monotonic() + STALL
            while True:
                if sniper is None or not sniper.fired.is_set():  # hands off while it shoots
                    done = settled()
                    if len(queued) == N_COMMANDS and done == N_COMMANDS:
                        break
                    if done != progress:  # stalled: no command settled for STALL seconds
                        progress, deadline = done, time.monotonic() + STALL
                    demo.step()
                    if len(queued) < N_COMMANDS and rng.random() < 0.1:
                        queue_next()
                sniped = sniper is not None and not sniper.is_alive()
                if kill_at <= 0 and "ready" in child.output():
                    kill_at = time.monotonic() - kill_at
                if (kill_at > 0 and time.monotonic() >= kill_at) or sniped:
                    how = "at random"
                    if sniper is not None:
                        sniper.disarm()
                        how = f"in commit #{sniper.skip + 1}" if sniper.hit else "after 10 s"
                    children.kill(child)
                    kills += 1
                    state = (sniper and sniper.state) or crash_state(exchange_db)
                    report = check_outbox(exchange_db, history, queued, demo.seen)
                    print(f"kill {kills} {how}: left {state}; {report}")
                    child, kill_at, sniper = launch()
                if child.proc.poll() is not None:  # only the sniper may have done that
                    assert sniper is not None and sniper.fired.is_set(), (
                        f"poller exited:\n{child.output()[-3000:]}"
                    )
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"outbox stalled: {check_outbox(exchange_db, history, queued, demo.seen)}"
                    )
                time.sleep(0.005)
            if sniper is not None:
                sniper.disarm()
            children.stop(child)
        finally:
            demo.close()

    assert kills >= 3, f"only {kills} kills happened before the outbox was empty"
    report = check_outbox(exchange_db, history, queued, demo.seen)
    print(f"finally: {report}")
    assert len(demo.seen) >= N_COMMANDS - kills, "more commands lost than kills"
    assert not children.problems(), "\n".join(children.problems())
