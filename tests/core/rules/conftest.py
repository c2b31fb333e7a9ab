"""Fixtures of the rules tests: an Engine on a copy of exchange.db, a hand-moved clock."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import EventRow, insert_events
from wxpanel.core.autoreply.answerer import AnswerReport, Turn
from wxpanel.core.engine import Engine
from wxpanel.core.models import Message
from wxpanel.core.outbox import OutboxConfig
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.rules.replier import AutoReplier, ReplyReport
from wxpanel.core.rules.store import RuleStore
from wxpanel.core.settings import Settings

#: Rules are judged in this zone in the tests, whatever the machine's.
TZ = timezone(timedelta(hours=8))
#: Monday 4 March 2024, 10:00 in TZ.
GROUP_ID = "24368910573@chatroom"
MONDAY_10 = datetime(2024, 3, 4, 10, 0, tzinfo=TZ).timestamp()

FAST = Settings(
    pacer=PacerConfig(PacingRule(0.0, 0.0, 1000), PacingRule(0.0, 0.0, 1000)),
    outbox=OutboxConfig(stuck_after=30.0),
)


class Clock:
    """A clock the test moves by hand: no sleeping."""

    def __init__(self, now: float = MONDAY_10) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> float:
    """A moment of March 2024 in TZ (4 March is a Monday)."""
    return datetime(2024, month, day, hour, minute, tzinfo=TZ).timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(exchange_db: Path, clock: Clock) -> Iterator[Engine]:
    """An Engine that ingests and sends, but leaves answering to each test.

    The Engine's own replier and timed runner are replaced by inert ones, so
    a test drives its :func:`replier` (or :func:`process_timed`) by hand and
    sees the whole report; ``tests/core/test_end_to_end.py`` checks the wiring.
    """
    with quiet_engine(exchange_db, clock) as running:
        yield running


@contextmanager
def quiet_engine(exchange_db: Path, clock: Clock) -> Iterator[Engine]:
    """See :func:`engine`; for tests that start and stop engines themselves."""
    with Engine(exchange_db, settings=FAST, clock=clock) as running:
        running.replier = _InertAnswerer()  # type: ignore[assignment]
        running.timed = _InertAnswerer()  # type: ignore[assignment]
        yield running


class _InertAnswerer:
    """An answerer that never has work: the Engine's loop passes it by."""

    def start(self, conn: sqlite3.Connection) -> None:
        pass

    def wanted(self, now: float, *, arrived: bool, edited: bool) -> bool:
        return False

    def answer(self, turn: Turn) -> AnswerReport:
        raise AssertionError("an inert answerer is never asked")

    def pass_over(self, conn: sqlite3.Connection) -> None:
        """The rules' step in the ingest's transaction: the test's own replier decides."""

    def close(self) -> None:
        pass


@pytest.fixture
def store(engine: Engine, clock: Clock) -> Iterator[RuleStore]:
    """The rules of the engine's history, edited on a connection of their own."""
    with RuleStore.open(engine.paths.history) as rules:
        rules.clock = clock
        yield rules


@pytest.fixture
def replier() -> AutoReplier:
    return AutoReplier(tz=TZ, rng=random.Random(7))


def deliver(engine: Engine, rows: Sequence[EventRow]) -> list[Message]:
    """demo.exe writes ``rows``; the engine ingests all of them."""
    insert_events(engine.exchange_db, list(rows))
    ingested: list[Message] = []
    while True:
        result = engine.poll()
        ingested.extend(m for m in result.messages if m.origin.value == "event")
        if not result.messages:
            return ingested


def exchange(
    engine: Engine, replier: AutoReplier, rows: Sequence[EventRow], now: float | None = None
) -> ReplyReport:
    """Deliver ``rows`` and let the replier answer them."""
    deliver(engine, rows)
    return replier.process(engine.hconn, engine.pacer, engine.clock() if now is None else now)


def release(engine: Engine) -> None:
    """Let the Engine's outbox write what the replier queued beside it, as a poll would."""
    engine.wake_outbox()
    engine.poll()


def sent_texts(report: ReplyReport) -> list[tuple[str, str | None]]:
    return [(m.conversation, m.content) for m in report.queued]


def own_event(conversation: str, content: str) -> EventRow:
    """The account's own message (发出), as the hook reports it."""
    group = conversation.endswith("@chatroom")
    return (conversation, "wxid_bot_self", "群聊" if group else "私聊", content, "发出", "1")


def system_event(conversation: str, content: str, sender: str | None = None) -> EventRow:
    return (conversation, sender or conversation, "群聊", content, "收到", "10000")


def friend_request(wxid: str, nickname: str, greeting: str) -> EventRow:
    content = (
        f'<msg fromusername="{wxid}" encryptusername="v1_abc@stranger" '
        f'fromnickname="{nickname}" content="{greeting}" scene="30" />'
    )
    return ("fmessage", wxid, "私聊", content, "收到", "37")


def commands(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT cmd_type, id_1, id_2 FROM wx_command ORDER BY rowid").fetchall()


def take_all(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM wx_command")
