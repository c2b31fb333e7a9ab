"""The rule store: order, edits, undo, validation, the switch and the config."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.autoreply.issues import RuleError
from wxpanel.core.errors import KnownError
from wxpanel.core.history import open_history
from wxpanel.core.rules.model import AfterMatch, MatchMode, Reply, Rule, Trigger
from wxpanel.core.rules.store import RuleCounter, RuleStore


def rule(name: str, **changes: object) -> Rule:
    fields: dict[str, object] = {
        "name": name,
        "triggers": (Trigger(name),),
        "reply": Reply(("ok",)),
    }
    fields.update(changes)
    return Rule(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RuleStore]:
    with RuleStore.open(tmp_path / "history.db") as opened:
        yield opened


def names(store: RuleStore) -> list[str]:
    return [r.name for r in store.rules()]


def test_add_keeps_order_and_dense_positions(store: RuleStore) -> None:
    a = store.add(rule("a"))
    store.add(rule("b"))
    store.add(rule("first"), position=0)
    store.add(rule("middle"), position=2)
    assert names(store) == ["first", "a", "middle", "b"]
    assert [r.position for r in store.rules()] == [0, 1, 2, 3]
    assert a.id == 1 and a.position == 0
    assert store.rule(a.id) == dataclasses.replace(a, position=1)


def test_a_rule_round_trips_through_the_database(store: RuleStore) -> None:
    from datetime import time as dtime

    from wxpanel.core.rules.model import ActiveHours, ReplyMode, RuleKind, Scope, ScopeKind

    full = Rule(
        name="全部字段",
        triggers=(Trigger("天气(\\S+)", MatchMode.REGEX, False, False), Trigger("菜单")),
        reply=Reply(("a {1}", "b"), ReplyMode.RANDOM, "/srv/pic.png"),
        scope=Scope(ScopeKind.CHOSEN, ("1@chatroom",), ("wxid_x",), True, ("Bot",)),
        kind=RuleKind.KEYWORD,
        enabled=False,
        after_match=AfterMatch.CONTINUE,
        active=ActiveHours(dtime(22, 30), dtime(6), (5, 6)),
        cooldown=90.5,
    )
    saved = store.add(full)
    assert saved == dataclasses.replace(full, id=saved.id, position=0)


def test_move_reorder_duplicate(store: RuleStore) -> None:
    ids = [store.add(rule(n)).id or 0 for n in "abcd"]
    store.move(ids[3], 0)
    assert names(store) == ["d", "a", "b", "c"]
    store.move(ids[3], 99)
    assert names(store) == ["a", "b", "c", "d"]
    store.reorder([ids[2], ids[0]])
    assert names(store) == ["c", "a", "b", "d"]
    copy = store.duplicate(ids[0])
    assert copy is not None and copy.name == "a (copy)" and not copy.enabled
    assert names(store) == ["c", "a", "a (copy)", "b", "d"]
    assert copy.triggers == store.rule(ids[0]).triggers  # type: ignore[union-attr]


def test_delete_and_undo_bring_back_the_id_and_counters(store: RuleStore) -> None:
    ids = [store.add(rule(n)).id or 0 for n in "abc"]
    store.conn.execute(
        "INSERT INTO auto_rule_counter (rule_id, matched, sent, last_matched) VALUES (?, 5, 4, 9)",
        (ids[1],),
    )
    deleted = store.delete(ids[1])
    assert deleted is not None and deleted.position == 1
    assert names(store) == ["a", "c"] and store.counters() == {}
    assert store.add(rule("new")).id == 4  # ids are never reused by new rules
    restored = store.add(deleted, position=deleted.position)
    assert restored.id == ids[1]
    assert names(store) == ["a", "b", "c", "new"]
    assert store.counters() == {ids[1]: RuleCounter(ids[1], 5, 4, 9.0)}
    assert store.delete(12345) is None


def test_invalid_rules_are_refused_with_their_issues(store: RuleStore) -> None:
    with pytest.raises(RuleError) as caught:
        store.add(rule("bad", triggers=(Trigger("(", MatchMode.REGEX),), reply=Reply()))
    assert [i.path for i in caught.value.issues] == ["triggers[0].pattern", "reply"]
    assert str(caught.value).startswith("rule 'bad': 2 problems:")
    assert store.rules() == []
    saved = store.add(rule("warned", reply=Reply(("{unknown}",))))  # a warning only
    with pytest.raises(RuleError, match="a rule needs a name"):
        store.update(dataclasses.replace(saved, name=""))
    with pytest.raises(KnownError, match="no longer exists"):
        store.update(dataclasses.replace(saved, id=999))


def test_switch_config_and_version(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with RuleStore.open(path) as store:
        assert store.auto_reply_enabled() is True
        version = store.version()
        store.add(rule("a"))
        assert store.version() > version
        version = store.version()
        store.set_auto_reply_enabled(False)
        config = AutoReplyConfig(nicknames=("小助手", "Bot"), per_minute=10, loop_pause=60.0)
        store.set_config(config)
        assert store.version() > version
        with pytest.raises(RuleError, match="per_minute"):
            store.set_config(AutoReplyConfig(per_minute=0))
    with RuleStore.open(path) as again:  # another connection, after a "restart"
        assert again.auto_reply_enabled() is False
        assert again.config() == config
        assert names(again) == ["a"]


def test_damaged_rows_load_disabled_and_bad_config_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with RuleStore.open(path) as store:
        saved = store.add(rule("a"))
    conn = open_history(path)
    conn.execute("UPDATE auto_rule SET definition = 'not json' WHERE id = ?", (saved.id,))
    conn.execute("UPDATE auto_setting SET value = '{\"per_minute\": -3}' WHERE key = 'config'")
    conn.close()
    with RuleStore.open(path) as store:
        (loaded,) = store.rules()
        assert loaded.name == "a" and not loaded.enabled and loaded.triggers == ()
        assert store.config() == AutoReplyConfig()


def test_import_merge_and_replace(store: RuleStore) -> None:
    store.add(rule("keep"))
    original = store.add(rule("same", reply=Reply(("old",))))
    summary = store.import_rules(
        [rule("same", reply=Reply(("new",))), rule("added")], replace_all=False
    )
    assert (summary.added, summary.replaced, summary.removed) == (1, 1, 0)
    assert names(store) == ["keep", "same", "added"]
    merged = store.rule(original.id or 0)
    assert merged is not None and merged.reply.texts == ("new",)
    summary = store.import_rules([rule("only")], replace_all=True)
    assert (summary.added, summary.replaced, summary.removed) == (1, 0, 3)
    assert names(store) == ["only"]


def test_import_is_all_or_nothing(store: RuleStore) -> None:
    store.add(rule("keep"))
    with pytest.raises(RuleError) as caught:
        store.import_rules([rule("ok"), rule("x", cooldown=-1.0)], replace_all=True)
    assert [i.path for i in caught.value.issues] == ["rules[1].cooldown"]
    assert names(store) == ["keep"]
