"""Code page 936: what cannot reach WeChat is caught on every path that writes a command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import insert_events, real_event
from wxpanel.core.codepage import (
    UnsendableText,
    as_delivered,
    describe,
    unsendable,
    without_unsendable,
)
from wxpanel.core.engine import Engine
from wxpanel.core.history import HistoryStore
from wxpanel.core.models import Origin
from wxpanel.core.rules import RuleStore
from wxpanel.core.rules.model import MatchMode, Reply, Rule, Trigger


def test_what_code_page_936_loses() -> None:
    assert unsendable("你好，世界！ABC €·—“”…") == []
    assert unsendable("好😀的😀\u2005ñ") == ["😀", "\u2005", "ñ"]
    assert without_unsendable("好😀的") == "好的"
    assert as_delivered("@小助手\u2005你好😀") == "@小助手?你好?"
    assert describe(["😀", "\u2005"]) == "😀 U+2005"


def commands(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id_1, id_2 FROM wx_command").fetchall()


def test_manual_text_outside_gbk_is_refused_not_changed(exchange_db: Path) -> None:
    with Engine(exchange_db) as engine:
        with pytest.raises(UnsendableText) as refused:
            engine.queue_text("wxid_a", "好的👍")
        assert refused.value.chars == ["👍"]
        engine.poll()
        with HistoryStore(engine.paths.history) as store:
            assert store.messages() == []
    assert commands(exchange_db) == []


@pytest.mark.parametrize("origin", [Origin.AUTO, Origin.TIMED])
def test_automatic_text_loses_the_characters_and_history_says_so(
    exchange_db: Path, origin: Origin
) -> None:
    with Engine(exchange_db) as engine:
        message = engine.queue_text("wxid_a", "好的👍谢谢", origin=origin)
        assert message.content == "好的谢谢"  # history shows exactly what goes out
        engine.poll()
    assert commands(exchange_db) == [("wxid_a", "好的谢谢")]


def test_rule_answers_are_written_as_shown(exchange_db: Path) -> None:
    with Engine(exchange_db) as engine:
        RuleStore(engine.hconn).add(
            Rule("hi", (Trigger("hi", MatchMode.EXACT),), Reply(("hello 😀 {nickname}",)))
        )
        insert_events(exchange_db, [real_event("wxid_a", "hi", name="阿明")])
        engine.poll()
        with HistoryStore(engine.paths.history) as store:
            sent = [m.content for m in store.messages("wxid_a") if m.origin is Origin.AUTO]
        assert sent == ["hello  阿明"]
