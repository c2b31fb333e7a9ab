"""Folding message batches into the conversation list: by what changed, the same result.

:class:`ConversationModel` finds a touched conversation's row by a key
instead of a dict of every row, and moves a few rows instead of building
the whole order.  These tests hold it to the straightforward fold over all
rows (:func:`fold_over_all_rows`, what the model did before): the same rows,
order, unread counts, signals and persistent indexes, for any batches,
frozen or not, filtered or not, with new conversations.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.gui.test_models import conv, msg
from tests.gui.test_views import shown_list
from wxpanel.core.models import Conversation, Message
from wxpanel.gui.models import ConversationModel, IdRole, counts_as_unread
from wxpanel.gui.views import ConversationView

Event = tuple[str, int, int]


@dataclasses.dataclass
class Folded:
    """The list as the straightforward fold keeps it."""

    rows: list[Conversation]
    frozen: bool = False
    filtered: bool = False
    active: str | None = None
    unsorted: bool = False


def fold_over_all_rows(state: Folded, messages: list[Message]) -> list[Event]:
    """Fold ``messages`` into ``state`` the plain way; the model's signals it implies."""
    latest: dict[str, Message] = {}
    unread: dict[str, int] = {}
    counts: dict[str, int] = {}
    for m in messages:
        latest[m.conversation] = m
        counts[m.conversation] = counts.get(m.conversation, 0) + 1
        if counts_as_unread(m) and m.conversation != state.active:
            unread[m.conversation] = unread.get(m.conversation, 0) + 1
    if not latest:
        return []
    events: list[Event] = []
    touched = sorted(latest, key=lambda c: latest[c].id, reverse=True)
    ids = [c.id for c in state.rows]
    fresh = [] if state.filtered else [c for c in touched if c not in ids]
    if fresh:
        at = len(state.rows) if state.frozen else 0
        state.unsorted = state.unsorted or state.frozen
        state.rows[at:at] = [
            Conversation(c, m.is_group, None, m.id, m.content, m.time, unread.get(c, 0), counts[c])
            for c, m in ((c, latest[c]) for c in fresh)
        ]
        events.append(("inserted", at, at + len(fresh) - 1))
        ids = [c.id for c in state.rows]
    known = [c for c in touched if c in ids and c not in fresh]
    before = list(state.rows)  # (an updated conversation shows other contents in its row)
    for c in known:
        old, m = state.rows[ids.index(c)], latest[c]
        state.rows[ids.index(c)] = dataclasses.replace(
            old,
            last_message_id=m.id,
            last_preview=m.content,
            last_time=m.time,
            unread=old.unread + unread.get(c, 0),
            message_count=old.message_count + counts[c],
        )
    order = [ids.index(c) for c in touched if c in ids]
    order += [row for row in range(len(ids)) if row not in order]
    if state.frozen or order == list(range(len(ids))):
        state.unsorted = state.unsorted or order != list(range(len(ids)))
        if known:
            rows = [ids.index(c) for c in known]
            events.append(("changed", min(rows), max(rows)))
        return events
    state.rows = [state.rows[row] for row in order]
    last = max(row for row, (a, b) in enumerate(zip(before, state.rows, strict=True)) if a is not b)
    events.append(("changed", 0, last))
    return events


def unfreeze(state: Folded) -> None:
    state.frozen = False
    if state.unsorted:
        state.unsorted = False
        state.rows.sort(key=lambda c: (c.last_time or 0.0, c.last_message_id or 0), reverse=True)


def watched(model: ConversationModel) -> list[Event]:
    events: list[Event] = []
    model.rowsInserted.connect(lambda _p, first, last: events.append(("inserted", first, last)))
    model.dataChanged.connect(
        lambda first, last, *_: events.append(("changed", first.row(), last.row()))
    )
    model.layoutChanged.connect(lambda *_: events.append(("layout", 0, 0)))
    return events


def listed(model: ConversationModel) -> list[tuple[str, int, int, int | None]]:
    """What the rows show that a fold changes: id, unread, count, newest message."""
    return [
        (c.id, c.unread, c.message_count, c.last_message_id)
        for c in (model.conversation(r) for r in range(model.rowCount()))
    ]


def same(rows: list[Conversation]) -> list[tuple[str, int, int, int | None]]:
    return [(c.id, c.unread, c.message_count, c.last_message_id) for c in rows]


POOL = [f"wxid_{n}" for n in range(12)] + ["room@chatroom", "team@chatroom"]
#: A step: a batch of (conversation, outgoing) messages, or "freeze" / "thaw",
#: or "read" of a conversation, or "select" of a row.
steps = st.lists(
    st.one_of(
        st.lists(st.tuples(st.sampled_from(POOL), st.booleans()), min_size=0, max_size=8),
        st.sampled_from(["freeze", "thaw"]),
        st.tuples(st.just("read"), st.sampled_from(POOL)),
        st.tuples(st.just("select"), st.integers(0, 20)),
    ),
    max_size=14,
)


@settings(max_examples=400, deadline=None)
@given(
    listed_at_first=st.integers(0, len(POOL)),
    filtered=st.booleans(),
    active=st.sampled_from([None, *POOL[:3]]),
    script=steps,
)
def test_a_fold_matches_the_fold_over_all_rows(
    qapp: QApplication, listed_at_first: int, filtered: bool, active: str | None, script: Any
) -> None:
    model = ConversationModel()
    first = [conv(c, 100 - n) for n, c in enumerate(POOL[:listed_at_first])]
    model.load(first, filtered=filtered)
    model.active = active
    state = Folded(list(first), filtered=filtered, active=active)
    events = watched(model)
    selected: list[tuple[QPersistentModelIndex, str]] = []
    next_id = 1000
    for step in script:
        events.clear()
        if step == "freeze":
            model.set_frozen(True)
            state.frozen = True
            continue
        if isinstance(step, list):
            batch = []
            for conversation, out in step:
                next_id += 1
                batch.append(msg(next_id, conversation, f"m{next_id}", out=out))
            expected = fold_over_all_rows(state, batch)
            model.apply_messages(batch)
            assert events == expected
        elif step == "thaw":
            model.set_frozen(False)
            unfreeze(state)
        elif step[0] == "read":
            model.mark_read(step[1])
            state.rows = [
                dataclasses.replace(c, unread=0) if c.id == step[1] else c for c in state.rows
            ]
        elif step[1] < model.rowCount():  # select a row
            chosen = model.index(step[1], 0)
            selected.append((QPersistentModelIndex(chosen), chosen.data(IdRole)))
        assert listed(model) == same(state.rows)
        for held, conversation in selected:  # every selection follows its conversation
            assert held.isValid() and held.data(IdRole) == conversation
        for row, c in enumerate(state.rows):
            assert model.row_of(c.id) == row
        assert all(model.row_of(c) == -1 for c in POOL if c not in {r.id for r in state.rows})
    unread = {c.id: c.unread for c in state.rows}
    assert model.total_unread >= sum(unread.values())  # (a search shows fewer rows)
    if not filtered:
        assert model.total_unread == sum(unread.values())


def test_new_conversations_while_frozen_come_last_and_sort_when_thawed(
    qtmodeltester: ModelTester,
) -> None:
    model = ConversationModel()
    model.load([conv(f"wxid_{n}", 100 - n) for n in range(5)])
    events = watched(model)
    held = QPersistentModelIndex(model.index(3, 0))  # wxid_3
    model.set_frozen(True)
    model.apply_messages([msg(500, "wxid_new"), msg(501, "wxid_4"), msg(502, "wxid_newer")])
    assert [r[0] for r in listed(model)] == [
        *("wxid_0", "wxid_1", "wxid_2", "wxid_3", "wxid_4"),
        *("wxid_newer", "wxid_new"),
    ]
    assert events == [("inserted", 5, 6), ("changed", 4, 4)]
    assert model.row_of("wxid_new") == 6 and model.row_of("wxid_4") == 4
    model.set_frozen(False)
    assert [r[0] for r in listed(model)][:4] == ["wxid_newer", "wxid_4", "wxid_new", "wxid_0"]
    assert held.row() == 6 and held.data(IdRole) == "wxid_3"
    assert model.row_of("wxid_3") == 6
    model.apply_messages([msg(503, "wxid_3")])  # keys given after the sort still order rows
    assert model.row_of("wxid_3") == 0 and held.row() == 0
    qtmodeltester.check(model, force_py=True)


def test_a_search_result_reorders_what_it_lists_and_adds_nothing(
    qtmodeltester: ModelTester,
) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 3), conv("wxid_b", 2), conv("wxid_c", 1)], filtered=True)
    events = watched(model)
    model.apply_messages([msg(10, "wxid_other"), msg(11, "wxid_c"), msg(12, "wxid_x")])
    assert [r[0] for r in listed(model)] == ["wxid_c", "wxid_a", "wxid_b"]
    assert events == [("changed", 0, 2)]
    assert model.row_of("wxid_other") == -1
    assert model.total_unread == 3  # the unlisted ones count in the title
    qtmodeltester.check(model, force_py=True)


def test_the_selection_follows_its_conversation_through_inserts_and_moves(
    qtbot: QtBot,
) -> None:
    model = ConversationModel()
    model.load([conv(f"wxid_{n}", 100 - n) for n in range(30)])
    view = ConversationView()
    shown_list(qtbot, view, model)
    view.setCurrentIndex(model.index(7, 0))
    model.apply_messages([msg(200, "wxid_new"), msg(201, "wxid_20"), msg(202, "wxid_2")])
    assert view.currentIndex().data(IdRole) == "wxid_7"
    assert view.currentIndex().row() == 9  # a new one and one from below above it now
    model.apply_messages([msg(203, "wxid_7")])
    assert view.currentIndex().row() == 0
    assert [i.data(IdRole) for i in view.selectionModel().selectedIndexes()] == ["wxid_7"]


@contextmanager
def python_calls() -> Iterator[list[int]]:
    """How many Python functions run meanwhile (calls into Python from Qt included)."""
    count = [0]

    def profile(_frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            count[0] += 1

    sys.setprofile(profile)
    try:
        yield count
    finally:
        sys.setprofile(None)


def fold_and_show(qtbot: QtBot, listed_rows: int) -> int:
    """Python calls of a fold with a new conversation and a moved one, and the list's
    layout and paint after it, with ``listed_rows`` conversations listed."""
    model = ConversationModel()
    model.load([conv(f"wxid_{n}", 10_000 - n) for n in range(listed_rows)])
    view = ConversationView()
    shown_list(qtbot, view, model)
    model.apply_messages([msg(19_999, "wxid_first")])  # (the delegate's fonts made)
    view.viewport().repaint()
    batch = [msg(20_000, f"wxid_{listed_rows - 1}"), msg(20_001, "wxid_new"), msg(20_002, "wxid_3")]
    with python_calls() as calls:
        model.apply_messages(batch)
        view.executeDelayedItemsLayout()  # a new row: QListView lays every row out
        view.viewport().repaint()
    assert model.row_of(f"wxid_{listed_rows - 1}") == 2
    return calls[0]


def test_a_fold_costs_by_what_changed_not_by_the_conversations_listed(qtbot: QtBot) -> None:
    """Nothing in Python per listed row: not the fold, not Qt's layout after an insert."""
    few, many = fold_and_show(qtbot, 40), fold_and_show(qtbot, 4_000)
    assert many <= few + 20


def test_an_entry_reads_the_same_from_the_model_as_from_its_roles(qapp: QApplication) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 1)])
    model.apply_messages([msg(5, "wxid_a", "新的")])
    index = model.index(0, 0)
    assert index.data(IdRole) == "wxid_a"
    assert model.itemData(index)[0] == "wxid_a"  # the name, not the string list's ""
    assert model.index(1, 0) == QModelIndex()
