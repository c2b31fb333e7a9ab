"""The item models: batched inserts, caps, moves and paging, all checked by qtmodeltester."""

from __future__ import annotations

import dataclasses
import time

from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from wxpanel.core.codec import Flag
from wxpanel.core.models import CommandStatus, CommandUpdate, Conversation, Message, Origin
from wxpanel.core.protocol import Direction, MessageType
from wxpanel.gui import display
from wxpanel.gui.models import (
    ChatModel,
    ConversationModel,
    EntryRole,
    FeedModel,
    IdRole,
    IsGroupRole,
    KindRole,
    MessageRole,
    PreviewRole,
    TimeRole,
    UnreadRole,
)

NOW = time.time()


def msg(
    id: int,
    conversation: str = "wxid_a",
    content: str = "hi",
    *,
    out: bool = False,
    status: CommandStatus | None = None,
    echo_of: int | None = None,
) -> Message:
    return Message(
        id=id,
        conversation=conversation,
        sender="wxid_bot" if out else conversation,
        direction=Direction.OUT if out else Direction.IN,
        origin=Origin.MANUAL if out and echo_of is None else Origin.EVENT,
        type=MessageType.TEXT,
        content=content,
        time=NOW + id,
        status=status,
        echo_of=echo_of,
    )


def conv(id: str, last: int, unread: int = 0) -> Conversation:
    return Conversation(id, id.endswith("@chatroom"), None, last, "x", NOW + last, unread, 1)


# -- feed -----------------------------------------------------------------------


def test_feed_inserts_batches_and_keeps_a_cap(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    model = FeedModel(cap=5)
    qtmodeltester.check(model, force_py=True)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.append([msg(1), msg(2), msg(3)])
    model.append([msg(4), msg(5), msg(6, "room@chatroom")])
    assert inserted == [(0, 2), (3, 5)]  # one signal per batch
    assert model.rowCount() == 5
    assert [model.message(r).id for r in range(5)] == [2, 3, 4, 5, 6]
    assert model.index(4, FeedModel.CONVERSATION).data() is None  # filled when shown
    assert model.fill(0, 4) == 5
    assert model.index(4, FeedModel.CONVERSATION).data() == "room@chatroom"
    assert model.index(4, 0).data(KindRole) == "group"
    assert model.index(0, 0).data(MessageRole).id == 2
    qtmodeltester.check(model, force_py=True)


def test_feed_shows_command_status(qtmodeltester: ModelTester) -> None:
    model = FeedModel()
    model.append([msg(1, out=True, status=CommandStatus.QUEUED)])
    model.fill(0)
    changed: list[int] = []
    model.dataChanged.connect(lambda first, _last, _roles: changed.append(first.row()))
    model.apply_updates([CommandUpdate(1, "wxid_a", CommandStatus.TAKEN, NOW)])
    assert model.message(0).status is CommandStatus.TAKEN
    assert "demo.exe" in model.index(0, FeedModel.DIRECTION).data()
    assert model.index(0, 0).data(MessageRole).status is CommandStatus.TAKEN
    assert 0 in changed  # a shown row is painted again
    qtmodeltester.check(model, force_py=True)


def test_a_status_reaching_a_row_not_filled_yet_shows_once_it_is(qapp: object) -> None:
    model = FeedModel()
    model.append([msg(1, out=True, status=CommandStatus.QUEUED), msg(2)])
    changed: list[int] = []
    model.dataChanged.connect(lambda first, _last, _roles: changed.append(first.row()))
    model.apply_updates([CommandUpdate(1, "wxid_a", CommandStatus.TAKEN, NOW)])
    # Painted again from the lists (feedpaint): one signal, and no cell filled.
    assert changed == [0] and not model.is_filled(0)
    assert model.fill(0, 1) == 2
    assert "demo.exe" in model.index(0, FeedModel.DIRECTION).data()
    assert model.index(0, 0).data(MessageRole).status is CommandStatus.TAKEN
    assert model.fill(0, 1) == 0  # once


# -- conversations ----------------------------------------------------------------


def test_an_entry_is_read_in_one_call_and_says_what_the_roles_say() -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 1), conv("room@chatroom", 2, unread=3)])
    model.apply_messages([msg(10, "room@chatroom", "新消息")])
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        assert index.data(EntryRole) == (
            index.data(),
            index.data(PreviewRole),
            index.data(TimeRole),
            index.data(UnreadRole),
            index.data(IsGroupRole),
        )
        assert model.entry(row) == index.data(EntryRole)  # (the delegate's way, from Python)
    assert model.index(0, 0).data(EntryRole)[1:4:2] == ("新消息", 4)


def test_conversations_move_to_top_and_count_unread(qtmodeltester: ModelTester) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 3), conv("wxid_b", 2, unread=1), conv("room@chatroom", 1)])
    qtmodeltester.check(model, force_py=True)
    model.apply_messages([msg(10, "wxid_b"), msg(11, "room@chatroom"), msg(12, "room@chatroom")])
    assert [model.conversation(r).id for r in range(3)] == ["room@chatroom", "wxid_b", "wxid_a"]
    assert model.index(0, 0).data(UnreadRole) == 2
    assert model.index(1, 0).data(UnreadRole) == 2
    model.apply_messages([msg(13, "wxid_new"), msg(14, "wxid_a", out=True)])
    assert model.conversation(0).id == "wxid_a" and model.conversation(0).unread == 0
    assert model.conversation(1).id == "wxid_new" and model.conversation(1).unread == 1
    assert model.total_unread == 5
    qtmodeltester.check(model, force_py=True)


def test_a_busy_batch_reorders_once_and_keeps_the_selection(
    qtmodeltester: ModelTester,
) -> None:
    model = ConversationModel()
    model.load([conv(f"wxid_{i}", 100 - i) for i in range(6)])
    selected = QPersistentModelIndex(model.index(2, 0))  # wxid_2
    layouts: list[int] = []
    model.layoutChanged.connect(lambda *_: layouts.append(1))
    model.rowsMoved.connect(lambda *_: layouts.append(0))
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: changed.append((first.row(), last.row())))
    model.apply_messages([msg(200, "wxid_4"), msg(201, "wxid_new"), msg(202, "wxid_5")])
    order = [model.conversation(r).id for r in range(model.rowCount())]
    assert order == ["wxid_5", "wxid_new", "wxid_4", "wxid_0", "wxid_1", "wxid_2", "wxid_3"]
    # No relayout of the whole list, no move per conversation: the slots that
    # show something else now (all but none here: wxid_5 came from the bottom).
    assert layouts == []
    assert changed == [(0, 6)]
    assert model.conversation(selected.row()).id == "wxid_2"
    model.apply_messages([msg(203, "wxid_4")])  # third to first: rows below are untouched
    assert changed[-1] == (0, 2)
    assert model.conversation(selected.row()).id == "wxid_2"


def test_frozen_conversations_stay_in_place_then_sort(qtmodeltester: ModelTester) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 3), conv("wxid_b", 2), conv("wxid_c", 1)])
    qtmodeltester.check(model, force_py=True)
    held = QPersistentModelIndex(model.index(1, 0))  # wxid_b, selected
    model.set_frozen(True)
    model.apply_messages([msg(10, "wxid_c"), msg(11, "wxid_new")])
    assert [model.conversation(r).id for r in range(4)] == [
        "wxid_a",
        "wxid_b",
        "wxid_c",
        "wxid_new",
    ]
    assert model.conversation(2).unread == 1
    model.set_frozen(False)
    assert [model.conversation(r).id for r in range(4)] == [
        "wxid_new",
        "wxid_c",
        "wxid_a",
        "wxid_b",
    ]
    assert held.row() == 3 and held.data(IdRole) == "wxid_b"
    qtmodeltester.check(model, force_py=True)


def test_open_conversation_gets_no_unread_and_mark_read(qtmodeltester: ModelTester) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 1, unread=4)])
    model.active = "wxid_a"
    model.apply_messages([msg(2, "wxid_a")])
    assert model.conversation(0).unread == 4
    assert model.mark_read("wxid_a") and model.conversation(0).unread == 0
    assert not model.mark_read("wxid_a")
    qtmodeltester.check(model, force_py=True)


def test_alias_edit_in_place(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 1)])
    with qtbot.waitSignal(model.aliasEdited) as edited:
        assert model.setData(model.index(0, 0), " 老王 ")
    assert edited.args == ["wxid_a", "老王"]
    assert model.index(0, 0).data() == "老王"
    assert model.aliases() == {"wxid_a": "老王"}
    qtmodeltester.check(model, force_py=True)


def test_search_result_does_not_grow(qtmodeltester: ModelTester) -> None:
    model = ConversationModel()
    model.load([conv("wxid_a", 1)], filtered=True)
    model.apply_messages([msg(2, "wxid_other")])
    assert model.rowCount() == 1
    qtmodeltester.check(model, force_py=True)


# -- chat ---------------------------------------------------------------------------


def test_chat_pages_upwards(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    model = ChatModel()
    asked: list[tuple[str, int]] = []
    model.olderWanted.connect(lambda conversation, before: asked.append((conversation, before)))
    model.open("wxid_a")
    assert asked == [("wxid_a", 0)]
    assert not model.can_load_older()  # a request is on its way
    model.add_page("wxid_a", 0, [msg(5), msg(6)], False)
    assert model.can_load_older()
    assert not model.canFetchMore(model.index(-1, 0))  # never Qt's automatic fetching
    model.load_older()
    assert asked[-1] == ("wxid_a", 5)
    model.add_page("wxid_b", 5, [msg(1, "wxid_b")], True)  # stale answer: ignored
    model.add_page("wxid_a", 5, [msg(3), msg(4)], True)
    assert [model.message(r).id for r in range(model.rowCount())] == [3, 4, 5, 6]
    assert not model.can_load_older()
    qtmodeltester.check(model, force_py=True)


def test_chat_live_messages_statuses_and_echoes(qtmodeltester: ModelTester) -> None:
    model = ChatModel()
    model.open("wxid_a")
    model.append([msg(7), msg(8, "wxid_b")])  # live, before the first page
    model.add_page("wxid_a", 0, [msg(5), msg(6), msg(7)], True)
    ids = [model.message(r).id for r in range(model.rowCount())]
    assert ids == [5, 6, 7]
    model.append([msg(9, out=True, status=CommandStatus.QUEUED), msg(10, out=True, echo_of=9)])
    assert model.rowCount() == 4  # the echo is not a second bubble
    model.apply_updates([CommandUpdate(9, "wxid_a", CommandStatus.STUCK, NOW)])
    assert model.status_of(9) is CommandStatus.STUCK
    qtmodeltester.check(model, force_py=True)


def test_chat_with_nothing_open(qtmodeltester: ModelTester) -> None:
    model = ChatModel()
    model.open(None)
    model.append([msg(1)])
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


def test_flagged_rows_stand_out(qtmodeltester: ModelTester) -> None:
    model = FeedModel()
    bad = dataclasses.replace(msg(1), flags=Flag.NULL | Flag.GBK)
    model.append([bad, msg(2)])
    model.fill(0, model.rowCount() - 1)
    assert model.index(0, 0).data(KindRole) == "flagged"
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "gbk" in (model.tooltip(0, FeedModel.SENDER) or "")  # made when asked, not stored
    qtmodeltester.check(model, force_py=True)


def test_stored_previews_name_rich_messages(qapp: object) -> None:
    assert display.preview(None, '<?xml version="1.0"?>\n<msg>\n\t<img aeskey="x" />') == (
        "[Picture]"
    )
    assert display.preview(None, "<msg><voicemsg endflag='1' /></msg>") == "[Voice]"
    assert display.preview(None, "<msg><appmsg><title>季度报告</title></appmsg>") == (
        "[Link] 季度报告"
    )
    file = "<msg><appmsg appid=''><title>季度报告.pdf</title><type>6</type></appmsg></msg>"
    assert display.preview(None, file) == "[File] 季度报告.pdf"
    assert display.preview(None, "<msg><unknown/></msg>") == "[Message]"
    assert display.preview(None, "line one\n  line two") == "line one line two"


def test_structured_payloads_are_summarised_everywhere(qapp: object) -> None:
    """Issue 14: "[图片] <?xml version…" in the bubble, the feed and the list."""
    xml = '<?xml version="1.0"?>\n<msg>\n\t<img aeskey="0123abcd" length="2048" />\n</msg>'
    sent_from_phone = dataclasses.replace(
        msg(1), direction=Direction.OUT, type=MessageType.IMAGE, content=xml
    )
    as_text = dataclasses.replace(msg(2), content=xml)  # a bridge that calls it a text
    for message in (sent_from_phone, as_text):
        assert display.body(message) == "[Picture]"
        assert display.preview(message) == "[Picture]"
        assert display.raw_text(message) == xml
    feed = FeedModel()
    feed.append([sent_from_phone])
    feed.fill(0)
    assert feed.index(0, FeedModel.CONTENT).data() == "[Picture]"
    link = dataclasses.replace(
        msg(3),
        type=MessageType.APP,
        content="<msg><appmsg><title>双十一 &amp; 优惠</title><type>5</type></appmsg></msg>",
    )
    assert display.body(link) == "[Link] 双十一 & 优惠"
    assert display.raw_text(msg(4)) is None  # plain text is shown as it is


def test_feed_shows_a_type_icon(qapp: object) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QIcon

    from wxpanel.core.protocol import MessageType
    from wxpanel.gui.icons import GLYPHS, type_icon
    from wxpanel.gui.models import FeedModel

    assert set(GLYPHS) == set(MessageType)  # every type, the unknown one included
    model = FeedModel()
    model.append([msg(1)])
    model.fill(0)
    icon = model.data(model.index(0, FeedModel.TYPE), Qt.ItemDataRole.DecorationRole)
    assert isinstance(icon, QIcon) and not icon.isNull()
    # Drawn once, then cached: the model holds a copy sharing the same pixmaps.
    assert type_icon(MessageType.TEXT).cacheKey() == icon.cacheKey()


def test_a_long_followed_chat_forgets_its_oldest_rows(qtmodeltester: ModelTester) -> None:
    chat = ChatModel()
    qtmodeltester.check(chat)
    chat.open("wxid_a")
    chat.add_page("wxid_a", 0, [msg(i) for i in range(1, 4)], exhausted=True)
    chat.append([msg(i) for i in range(4, 8)])
    chat.trim(4)  # 7 rows: fewer than twice 4, kept
    assert chat.rowCount() == 7 and not chat.can_load_older()
    chat.append([msg(8)])
    chat.trim(4)
    assert [chat.message(r).id for r in range(chat.rowCount())] == [5, 6, 7, 8]
    assert chat.can_load_older()  # what was forgotten comes back by scrolling up


def test_feed_forgets_its_oldest_rows_a_block_at_a_time(qtmodeltester: ModelTester) -> None:
    """A removal relayouts the view: once per tenth of the cap, not in every frame."""
    model = FeedModel(cap=10)
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.append([msg(i) for i in range(1, 11)])
    assert model.rowCount() == 10 and removed == []  # at the cap, nothing forgotten yet
    model.append([msg(11)])
    assert removed == [(0, 1)]  # down to 9 rows at once
    assert [model.message(r).id for r in range(model.rowCount())] == list(range(3, 12))
    assert not any(model.is_filled(r) for r in range(9))  # the flags moved with their rows
    model.fill(0, model.rowCount() - 1)
    assert model.index(0, FeedModel.CONTENT).data() == "hi"
    assert model.index(8, 0).data(MessageRole).id == 11  # the cells moved with their rows
    assert resets == []
    qtmodeltester.check(model, force_py=True)


def test_feed_paints_without_python() -> None:
    """The view asks a C++ model and Qt's delegate: no Python override on the paint path.

    A Python ``data()`` or ``paint()`` per cell waits for the GIL the poller holds.
    """
    from wxpanel.gui.feed_delegate import FeedDelegate

    for name in ("data", "multiData", "rowCount", "columnCount", "index", "flags"):
        assert name not in vars(FeedModel)
    for name in ("paint", "sizeHint", "initStyleOption"):
        assert name not in vars(FeedDelegate)


def test_flagged_and_outgoing_rows_follow_the_theme(qapp: object) -> None:
    from PySide6.QtWidgets import QApplication

    from wxpanel.gui import palette
    from wxpanel.gui.preferences import apply_theme

    model = FeedModel()
    bad = dataclasses.replace(msg(1), flags=Flag.NULL)
    try:
        apply_theme("light")
        model.append([bad, msg(2, out=True), bad, msg(4, out=True)])
        model.fill(0, 1)  # rows 2 and 3 not shown yet
        apply_theme("dark")
        model.restyle()
        assert not model.is_filled(2)  # filled in the new theme when shown
        model.fill(2, 3)
        for row in (0, 2):
            background = model.index(row, FeedModel.CONTENT).data(Qt.ItemDataRole.BackgroundRole)
            assert background.color().name() == palette.DARK.flagged_background
        for row in (1, 3):
            foreground = model.index(row, FeedModel.TIME).data(Qt.ItemDataRole.ForegroundRole)
            assert foreground.color().name() == palette.DARK.ok
    finally:
        apply_theme("")
        assert isinstance(QApplication.instance(), QApplication)


def test_feed_cells_are_unshaped_only_where_shaping_changes_nothing(qapp: object) -> None:
    """Cheaper to paint (see wxpanel.gui.shaping), never at the cost of a script."""
    model = FeedModel()
    model.append([msg(1, content="好的，收到"), msg(2, content="ئۇيغۇرچە \u2764\ufe0f")])
    model.fill(0, model.rowCount() - 1)
    font = Qt.ItemDataRole.FontRole
    plain, shaped = model.index(0, FeedModel.CONTENT), model.index(1, FeedModel.CONTENT)
    assert plain.data(font).styleStrategy() & QFont.StyleStrategy.PreferNoShaping
    assert shaped.data(font) is None
    assert model.index(1, FeedModel.TIME).data(font) is not None  # our own clock text
    model.set_aliases({"wxid_a": "小王\U0001f338"})  # a name with an emoji: shaped again
    assert model.index(0, FeedModel.CONVERSATION).data() == "小王\U0001f338"
    assert model.index(0, FeedModel.CONVERSATION).data(font) is None
    model.set_aliases({"wxid_a": "小王"})
    assert model.index(0, FeedModel.CONVERSATION).data(font) is not None


def test_new_names_reach_rows_not_filled_yet_when_they_are(qapp: object) -> None:
    """Only filled rows are re-texted; the others take the names when filled (and are
    painted again from the lists meanwhile: wxpanel.gui.feedpaint)."""
    model = FeedModel()
    model.append([msg(1, "wxid_a"), msg(2, "wxid_a")])
    model.fill(0)
    changed: list[int] = []
    model.dataChanged.connect(lambda first, _last, _roles: changed.append(first.row()))
    model.set_aliases({"wxid_a": "Alice"})
    assert set(changed) == {0, 1}
    assert model.text(1, FeedModel.CONVERSATION) == "Alice"
    assert model.index(0, FeedModel.CONVERSATION).data() == "Alice"
    assert model.index(1, FeedModel.CONVERSATION).data() is None
    assert "alice" in model.haystack(1)  # the filter reads Python, filled or not
    model.fill(1)
    assert model.index(1, FeedModel.CONVERSATION).data() == "Alice"
    assert model.index(1, FeedModel.SENDER).data() == "Alice"


def test_rows_never_shown_cost_nothing_to_forget(qapp: object) -> None:
    """Appending fills no cell; the trim at the cap removes empty rows."""
    model = FeedModel(cap=100)
    model.append([msg(i) for i in range(1, 81)])
    model.append([msg(i) for i in range(81, 151)])
    assert model.rowCount() == 90
    assert not any(model.is_filled(r) for r in range(90))
    assert all(model.index(r, c).data() is None for r in range(90) for c in range(6))
