"""Names and picking a recipient: a name finds its wxid, a bare unknown name is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import insert_events, real_event
from wxpanel.cli import main
from wxpanel.core.autoreply.issues import RuleError
from wxpanel.core.engine import Engine
from wxpanel.core.history import HistoryStore
from wxpanel.core.names import (
    Contact,
    Directory,
    Verdict,
    load_directory,
    looks_like_wxid,
    short_wxid,
)
from wxpanel.core.paths import DataPaths
from wxpanel.core.rules.model import ScheduleKind, TimedMessage, validate_timed
from wxpanel.core.rules.timed import TimedStore

GROUP = "20481234567@chatroom"


@pytest.mark.parametrize(
    "text", ["wxid_a1b2c3d4e5", "zhao_lei88", GROUP, "gh_3a1b2c3d", "filehelper"]
)
def test_wxid_shapes(text: str) -> None:
    assert looks_like_wxid(text)


@pytest.mark.parametrize("text", ["赵磊", "Zhao Lei", "ab", "", "5abcdef", "wxid_a b"])
def test_not_wxid_shapes(text: str) -> None:
    assert not looks_like_wxid(text)


def test_short_form_of_a_member() -> None:
    assert short_wxid("wxid_8k2m4n6p9q1r3s") == "8k2m4n6p9…"
    assert short_wxid("zhaolei") == "zhaolei"


def directory() -> Directory:
    return Directory(
        [
            Contact("wxid_zl", name="赵磊"),
            Contact("wxid_ws", alias="王总", name="王胜"),
            Contact(GROUP, name="周末爬山群"),
            Contact("wxid_z1", name="小张"),
            Contact("wxid_z2", name="小张"),
        ]
    )


def test_resolve_by_wxid_name_alias_and_label() -> None:
    book = directory()
    assert book.resolve("wxid_zl").wxid == "wxid_zl"
    assert book.resolve("赵磊").wxid == "wxid_zl"
    assert book.resolve("王总").wxid == "wxid_ws"
    assert book.resolve("王胜").wxid == "wxid_ws"
    assert book.resolve(" 周末爬山群 ").wxid == GROUP
    assert book.resolve("赵磊 (wxid_zl)").wxid == "wxid_zl"  # what the picker shows
    assert book.resolve("wxid_newcomer").verdict is Verdict.SHAPED


def test_resolve_refuses_unknown_and_ambiguous_names() -> None:
    book = directory()
    unknown = book.resolve("李四")
    assert unknown.wxid is None and unknown.verdict is Verdict.UNKNOWN
    assert "neither a known contact nor a wxid" in unknown.message()
    both = book.resolve("小张")
    assert both.wxid is None and both.verdict is Verdict.AMBIGUOUS
    assert "wxid_z1" in both.message() and "wxid_z2" in both.message()


def test_search_and_labels() -> None:
    book = directory()
    assert [c.wxid for c in book.search("爬山")] == [GROUP]
    assert [c.wxid for c in book.search("WXID_Z")] == ["wxid_zl", "wxid_z1", "wxid_z2"]
    assert book.label("wxid_ws") == "王总 (wxid_ws)"
    assert book.get("wxid_8k2m4n6p9q1r3s").display_name == "8k2m4n6p9…"  # unnamed member
    assert book.get("wxid_8k2m4n6p9q1r3s").nickname == ""


def test_a_directory_with_contacts_added_and_replaced() -> None:
    book = directory()
    renamed = Contact("wxid_zl", name="赵磊老师")
    grown = book.with_contacts([Contact("wxid_new"), renamed])
    assert [c.wxid for c in grown.contacts[:2]] == ["wxid_new", "wxid_zl"]  # the newest first
    assert grown.get("wxid_zl") == renamed
    assert len(grown) == len(book) + 1
    assert "wxid_new" not in book and book.get("wxid_zl").name == "赵磊"  # the old one unchanged


def test_directory_from_history(exchange_db: Path) -> None:
    with Engine(exchange_db) as engine:
        insert_events(
            exchange_db,
            [real_event("wxid_zl", "在吗", name="赵磊"), real_event(GROUP, "hi", "wxid_m1", "群")],
        )
        engine.poll()
        with HistoryStore(engine.paths.history) as store:
            store.set_alias("wxid_m1", "老李")
            book = load_directory(store.conn)
    assert book.resolve("赵磊").wxid == "wxid_zl"
    assert book.resolve("老李").wxid == "wxid_m1"  # a member named by the operator
    assert book.get("wxid_m1").conversation is False


def test_timed_message_to_a_bare_name_is_refused(exchange_db: Path) -> None:
    """A timed message to "赵磊" used to be "sent" to nobody and make a phantom conversation."""
    to_name = TimedMessage("t", ("赵磊",), ScheduleKind.ONCE, text="hi", at=2e9)
    assert [i.key for i in validate_timed(to_name)] == ["target_unknown"]
    refused = pytest.raises(RuleError, match="赵磊 is neither a known contact nor a wxid")
    with Engine(exchange_db) as engine, refused:
        TimedStore(engine.hconn).add(to_name)


def test_cli_send_and_export_by_name(exchange_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Engine(exchange_db) as engine:
        insert_events(exchange_db, [real_event("wxid_zl", "在吗", name="赵磊")])
        engine.poll()
    db = str(exchange_db)
    assert main(["send", "--db", db, "--to", "赵磊", "--text", "在的"]) == 0
    assert main(["send", "--db", db, "--to", "李四", "--text", "x"]) == 2
    assert "neither a known contact nor a wxid" in capsys.readouterr().err
    assert main(["send", "--db", db, "--to", "赵磊", "--text", "好😀"]) == 2
    assert "--drop-unsendable" in capsys.readouterr().err
    dropped = ["--to", "赵磊", "--text", "好😀", "--drop-unsendable", "--wait", "0"]
    assert main(["send", "--db", db, *dropped]) == 0
    with sqlite3.connect(exchange_db) as conn:
        written = conn.execute("SELECT id_1, id_2 FROM wx_command").fetchall()
    assert written == [("wxid_zl", "在的")]  # one command at a time: the next one waits
    with HistoryStore(DataPaths.beside(exchange_db).history) as store:
        assert [m.content for m in store.messages("wxid_zl")] == ["在吗", "在的", "好"]
    capsys.readouterr()
    assert main(["export", "--db", db, "--conversation", "赵磊"]) == 0
    exported = capsys.readouterr().out
    assert "在吗" in exported and '"conversation_name":"赵磊"' in exported
    assert main(["export", "--db", db, "--conversation", "李四"]) == 2
    capsys.readouterr()
    assert main(["contacts", "--db", db, "赵"]) == 0
    assert capsys.readouterr().out == "wxid_zl\t赵磊\n"
