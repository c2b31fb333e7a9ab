"""Item models fed in batches from the poller thread.

Every model keeps immutable :class:`~wxpanel.core.models.Message` /
:class:`~wxpanel.core.models.Conversation` values and changes only through
one ``beginInsertRows``/``endInsertRows`` (or move, or remove) pair per batch,
so that 500 messages a second cost the views a handful of layout passes, not
500.  No model touches the database: pages of history are *asked for* with a
signal and arrive later through :meth:`ChatModel.add_page`.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QStandardItemModel

from wxpanel.core.decode import name_of
from wxpanel.core.models import CommandStatus, CommandUpdate, Conversation, Message, Origin
from wxpanel.core.names import short_wxid
from wxpanel.core.protocol import Direction, MessageType
from wxpanel.gui import display, icons, palette
from wxpanel.gui.shaping import needs_no_shaping, unshaped_font
from wxpanel.gui.texts import text as translated

Index = QModelIndex | QPersistentModelIndex

#: Custom roles shared by the models and their delegates.
MessageRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2
ConversationRole = Qt.ItemDataRole.UserRole + 3
PreviewRole = Qt.ItemDataRole.UserRole + 4
TimeRole = Qt.ItemDataRole.UserRole + 5
UnreadRole = Qt.ItemDataRole.UserRole + 6
IsGroupRole = Qt.ItemDataRole.UserRole + 7
IdRole = Qt.ItemDataRole.UserRole + 8
#: A conversation entry as the list draws it, in one call: (name, preview,
#: time, unread, is a group).  Five roles were five Python calls per entry.
EntryRole = Qt.ItemDataRole.UserRole + 9

#: The live feed keeps this many rows (about 1.5 KB each in its C++ model,
#: and the message in Python); older ones are in history.
FEED_CAP = 10_000
#: Once over its cap, the feed forgets this share of it at once: a removal
#: makes the view lay out and paint everything again, so it is done once per
#: block (every 5 s at 200 events a second), not in every frame.
FEED_TRIM_SHARE = 10
#: Rows demo.exe stored oddly stand out; our own sends are told apart at a glance.
#: A feed row's marks, worked out once when it arrives.
MARK_BAD, MARK_OUT = 1, 2
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_K = TypeVar("_K")


def kind_of(message: Message) -> str:
    """The feed's filter kinds: private, group, outgoing, system, flagged."""
    if message.is_bad:
        return "flagged"
    if message.direction is Direction.OUT:
        return "outgoing"
    if message.type is MessageType.SYSTEM or message.conversation == "fmessage":
        return "system"
    return "group" if message.is_group else "private"


def _marks_of(message: Message) -> int:
    out = message.direction is Direction.OUT
    return (MARK_BAD if message.is_bad else 0) | (MARK_OUT if out else 0)


def _remember(shared: dict[_K, str], key: _K, text: str) -> str:
    """``text`` kept as ``key``'s in a dictionary of shared cell texts (forgotten past 10 000)."""
    if len(shared) > 10_000:
        shared.clear()
    shared[key] = text
    return text


def _direction_text(message: Message) -> str:
    """The direction cell: the way a message went and, for ours, where it stands."""
    text = display.direction_name(message.direction)
    status = display.status_name(message.status)
    return f"{text} · {status}" if status else text


def counts_as_unread(message: Message) -> bool:
    """Only what demo.exe reported as received; our own sends are never unread."""
    return message.direction is Direction.IN and message.origin is Origin.EVENT


def _find(rows: Sequence[Message], message_id: int) -> int:
    """Row of ``message_id`` in ``rows``, or -1.

    Rows are in id order but for the rare message reported late (a send from
    another process), hence the bisection first and a scan of the recent end
    as a fallback.
    """
    row = bisect.bisect_left(rows, message_id, key=lambda m: m.id)
    if row < len(rows) and rows[row].id == message_id:
        return row
    for row in range(len(rows) - 1, max(-1, len(rows) - 1001), -1):
        if rows[row].id == message_id:
            return row
    return -1


class FeedModel(QStandardItemModel):
    """Every message as it happens, newest at the bottom, capped in memory.

    The view paints the feed from the Python lists (:meth:`cells`, the
    marks; :mod:`wxpanel.gui.feedpaint`), in one call per paint.  A C++
    model holds the cells for whatever reads them through Qt (texts, the
    type's icon, the colours of flagged and outgoing rows), and for Qt's
    own painting where the view leaves it to Qt: no Python ``data()`` per
    cell, which waits for the GIL the poller thread holds while it ingests.
    Nothing here overrides a virtual method of the model.  Python keeps the
    messages, their marks and what the filter reads; tooltips are made when
    asked (:meth:`tooltip`).  Between ``cap - cap // FEED_TRIM_SHARE`` and
    ``cap`` rows once full: the oldest are forgotten a block at a time.

    A row's cells are filled only when something is about to read them
    through Qt (:meth:`fill`): the view, for the rows Qt is about to paint.  An
    appended row is an empty C++ row (a few pointers) until then; most rows
    are never seen (at 1 000 events a second a row lives 9 s in the feed,
    and the feed is often a hidden tab), and filling them was most of what
    the panel's window did per message.  An empty row also costs nothing to
    forget, where a filled one costs Qt a search per cell (each item's
    remembered position is stale once rows above it went): each trim first
    empties the rows filled since the last one (:meth:`_empty_filled`).
    """

    TIME, CONVERSATION, SENDER, TYPE, DIRECTION, CONTENT = range(6)

    def __init__(self, cap: int = FEED_CAP, parent: QObject | None = None) -> None:
        super().__init__(0, 6, parent)
        self.cap = max(1, cap)
        self._keep = self.cap - self.cap // FEED_TRIM_SHARE  # after a trim
        self._rows: list[Message] = []
        self.marks: list[int] = []  # MARK_BAD | MARK_OUT per row
        #: What the text filter looks in, casefolded, made once per row it meets.
        self._haystacks: list[str | None] = []
        #: 1 for a row whose cells are in the C++ model, 0 for a row still empty.
        self._filled = bytearray()
        #: Cell texts many rows share (a second's clock, a type's name, a
        #: direction and status), made once each instead of once per row.
        self._clocks: dict[int, str] = {}
        self._kinds: dict[MessageType, str] = {}
        self._directions: dict[tuple[Direction, CommandStatus | None], str] = {}
        self._aliases: dict[str, str] = {}
        self._unshaped = unshaped_font()
        self.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("FeedModel", "Time"),
                QCoreApplication.translate("FeedModel", "Conversation"),
                QCoreApplication.translate("FeedModel", "Sender"),
                QCoreApplication.translate("FeedModel", "Type"),
                QCoreApplication.translate("FeedModel", "Direction"),
                QCoreApplication.translate("FeedModel", "Content"),
            ]
        )

    # -- asked by Python only ---------------------------------------------------------

    def message(self, row: int) -> Message:
        return self._rows[row]

    def tooltip(self, row: int, column: int) -> str | None:
        """The full content, the date, or what demo.exe stored oddly."""
        message = self._rows[row]
        if column == self.CONTENT:
            return display.body(message, 1000)
        if column == self.TIME:
            return display.full_time(message.time)
        return ", ".join(message.flags.describe()) if message.is_bad else None

    def haystack(self, row: int) -> str:
        """What the feed's text filter looks in, casefolded: the cells, the content, the id."""
        found = self._haystacks[row]
        if found is None:
            message = self._rows[row]
            cells = " ".join(self._cells_of(message))
            found = f"{cells} {message.content or ''} {message.conversation}".casefold()
            self._haystacks[row] = found
        return found

    def text(self, row: int, column: int) -> str:
        """A cell's text, filled or not (a search by typing asks every row's)."""
        return self._text_of(self._rows[row], column)

    def _text_of(self, message: Message, column: int) -> str:
        return display.preview(message) if column == self.CONTENT else self._labels(message)[column]

    def cells(self, row: int) -> tuple[str, ...]:
        """A row's six texts, filled or not: what :mod:`wxpanel.gui.feedpaint` paints."""
        return self._cells_of(self._rows[row])

    def _cells_of(self, message: Message) -> tuple[str, ...]:
        """The six texts at once: a new row painted asks for all of them."""
        return (*self._labels(message), display.preview(message))

    def _labels(self, message: Message) -> tuple[str, str, str, str, str]:
        """The texts but the content: straight-line code, one dictionary per shared
        kind of text, no call per cell."""
        aliases = self._aliases
        conversation = message.conversation
        sender = message.sender or ""
        second = int(message.time)
        clock = self._clocks.get(second)
        if clock is None:
            clock = _remember(self._clocks, second, display.full_time(message.time)[11:])
        kind = self._kinds.get(message.type)
        if kind is None:
            kind = _remember(self._kinds, message.type, display.type_name(message.type))
        way = (message.direction, message.status)
        direction = self._directions.get(way)
        if direction is None:
            direction = _remember(self._directions, way, _direction_text(message))
        return (
            clock,
            aliases.get(conversation, conversation),
            aliases.get(sender) or (short_wxid(sender) if message.is_group else sender),
            kind,
            direction,
        )

    def is_filled(self, row: int) -> bool:
        """The row's cells are in the C++ model (see :meth:`fill`)."""
        return bool(self._filled[row])

    def fill(self, first: int, last: int | None = None) -> int:
        """Make sure rows ``first`` to ``last`` (inclusive; ``first`` alone if None)
        have their cells, before anything reads them through Qt; returns how
        many were filled now.

        No signal: whoever asks is about to read (the view, to paint), and a
        ``dataChanged`` per cell would make every view and the filter proxy
        queue repaints and map each cell.
        """
        last = first if last is None else last
        first, last = max(first, 0), min(last, len(self._rows) - 1)
        filled = self._filled
        row = filled.find(0, first, last + 1)
        if row < 0:
            return 0
        count = 0
        blocked = self.blockSignals(True)
        try:
            while 0 <= row <= last:
                self._fill(row, self._rows[row])
                filled[row] = 1
                count += 1
                row = filled.find(0, row + 1, last + 1)
        finally:
            self.blockSignals(blocked)
        return count

    def _fill(self, row: int, message: Message) -> None:
        """Give the C++ model a row's cells: texts, icon, colours, the message itself.

        One ``setItemData`` per cell: each call into Qt costs more than the
        Python around it.  The caller blocks the model's signals meanwhile.
        """
        colours = self._colours(self.marks[row])
        index = self.index
        for column, text in enumerate(self._cells_of(message)):
            roles: dict[int, object] = {_DISPLAY: text, **colours}
            if (font := self._font_for(text)) is not None:
                roles[_FONT] = font
            if column == 0:
                roles[MessageRole] = message
                roles[KindRole] = kind_of(message)
            elif column == self.TYPE:
                roles[_DECORATION] = icons.type_icon(message.type)
            self.setItemData(index(row, column), roles)

    def _font_for(self, text: str) -> QFont | None:
        """The unshaped font for a text that no shaping changes (a third of a
        repaint's cost: see :mod:`wxpanel.gui.shaping`); None keeps the view's."""
        return self._unshaped if needs_no_shaping(text) else None

    def _retext(self, row: int, column: int, message: Message) -> None:
        """A cell's text changed: its font follows."""
        cell = self.index(row, column)
        text = self._text_of(message, column)
        self.setData(cell, self._font_for(text), _FONT)
        self.setData(cell, text)

    @staticmethod
    def _colours(marks: int) -> dict[int, object]:
        """The roles that make a flagged or outgoing row stand out, in this theme."""
        if not marks:
            return {}
        scheme = palette.scheme()
        colours: dict[int, object] = {}
        if marks & MARK_BAD:
            colours[_BACKGROUND] = palette.brush(scheme.flagged_background)
        if marks & MARK_OUT:
            colours[_FOREGROUND] = palette.brush(scheme.ok)
        return colours

    def restyle(self) -> None:
        """The theme changed: flagged and outgoing rows take the new scheme's colours.

        Only rows already filled: the others take them when filled.
        """
        for row, marks in enumerate(self.marks):
            if not self._filled[row]:
                continue
            for role, brush in self._colours(marks).items():
                for column in range(6):
                    self.setData(self.index(row, column), brush, role)

    # -- feeding --------------------------------------------------------------

    def append(self, messages: Sequence[Message]) -> None:
        """One insert of empty rows for the whole batch, then one removal if over the cap.

        The messages are in the Python lists before the rows exist, so the
        filter proxy tests the new rows from them as they are inserted.  The
        rows' cells wait for :meth:`fill`.
        """
        if not messages:
            return
        batch = list(messages[-self.cap :])
        first = len(self._rows)
        self._rows.extend(batch)
        self.marks.extend(_marks_of(m) for m in batch)
        self._haystacks.extend([None] * len(batch))
        self._filled.extend(bytes(len(batch)))
        self.insertRows(first, len(batch))
        if len(self._rows) > self.cap:
            excess = len(self._rows) - self._keep
            self._empty_filled()
            del self._rows[:excess]
            del self.marks[:excess]
            del self._haystacks[:excess]
            del self._filled[:excess]
            self.removeRows(0, excess)

    def _empty_filled(self) -> None:
        """Empty the filled rows (but those Qt holds an index of), before a trim.

        Qt finds a cell it deletes by searching from where its row was when
        the cell was made: deleting cells made before earlier trims took
        ~230 ms per 1 000 rows at the cap (a stall every 1 000 rows with the
        feed open), and emptying them as soon as they leave the view would
        cost Python calls per row.  At each trim the filled rows go, all
        made since the last trim, hence quick to find; the view fills the
        rows it shows again as it repaints after the trim.  Removed and
        inserted again without a signal: the rows stay where they are for
        every view, the filter and the selection (whose corners, the
        current row and the like are the rows Qt holds an index of, kept).
        """
        filled = self._filled
        if filled.find(1) < 0:
            return
        held = sorted({index.row() for index in self.persistentIndexList()})
        blocked = self.blockSignals(True)
        try:
            start = 0
            for stop in [*held, len(filled)]:
                first = filled.find(1, start, stop)
                if first >= 0:
                    count = filled.rfind(1, first, stop) - first + 1
                    self.removeRows(first, count)
                    self.insertRows(first, count)
                    filled[first : first + count] = bytes(count)
                start = stop + 1
        finally:
            self.blockSignals(blocked)

    def apply_updates(self, updates: Iterable[CommandUpdate]) -> None:
        for update in updates:
            row = _find(self._rows, update.message_id)
            if row < 0:
                continue
            message = self._rows[row] = dataclasses.replace(self._rows[row], status=update.status)
            self._haystacks[row] = None
            if self._filled[row]:  # else filled from the new message when needed
                self.setData(self.index(row, 0), message, MessageRole)
                self._retext(row, self.DIRECTION, message)
            else:  # painted from the lists (wxpanel.gui.feedpaint): painted again
                cell = self.index(row, self.DIRECTION)
                self.dataChanged.emit(cell, cell, [_DISPLAY])

    def set_aliases(self, aliases: dict[str, str]) -> None:
        """New names: only the rows they name are made and painted again.

        A directory arrives with every new conversation; re-making all the
        rows' texts (and re-filtering them in the proxy) each time was most
        of the GUI thread's work under a flood of new conversations.  A row
        not filled yet takes the names when it is; the view paints it from
        the lists again.
        """
        old, self._aliases = self._aliases, dict(aliases)
        changed = {k for k in old.keys() | self._aliases.keys() if old.get(k) != aliases.get(k)}
        if not changed:
            return
        unfilled: list[int] = []  # painted from the lists (wxpanel.gui.feedpaint)
        for row, message in enumerate(self._rows):
            if message.conversation in changed or message.sender in changed:
                self._haystacks[row] = None
                if not self._filled[row]:
                    unfilled.append(row)
                    continue
                for column in (self.CONVERSATION, self.SENDER):
                    self._retext(row, column, message)
        # A signal per row (a view repaints that row only), or one for them all
        # when many: the view then repaints its viewport once.
        spans = [(r, r) for r in unfilled] if len(unfilled) <= 50 else [(unfilled[0], unfilled[-1])]
        for first, last in spans:
            top_left = self.index(first, self.CONVERSATION)
            self.dataChanged.emit(top_left, self.index(last, self.SENDER), [_DISPLAY])


class ConversationModel(QStringListModel):
    """Conversations by latest activity, kept current from message batches.

    The list comes from history once (:meth:`load`); afterwards each batch
    moves the conversations it touches to the top, updating preview, time and
    unread count in place: no reload, no database access.

    A fold costs by the conversations it touches, not by those listed (a
    real account has thousands): each row has a place key, ascending from
    the top, so a conversation's row is a bisection of :attr:`_keys`; the
    rows a batch moves up get keys above the rest, and nothing else changes
    key.  The row count lives in C++: Qt's QListView lays every row out
    again after an insert (a new conversation), asking the model for an
    index of each, and a row count in Python made that a call into Python
    per row (10 ms with 2 000 conversations).  So the model is a
    QStringListModel of empty strings, one per row, which only counts them
    (every role comes from :meth:`data`); its own insert and reset signal
    the views, and the Python rows change at the moment its list does.
    """

    #: The user renamed a conversation in place: (wxid, alias or "").
    aliasEdited = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Conversation] = []
        #: Each row's place key, ascending (the rows' order), and each conversation's.
        self._keys: list[int] = []
        self._key_of: dict[str, int] = {}
        #: The lowest key given (the top's) and the highest (the bottom's).
        self._top = 0
        self._bottom = -1
        #: The change to the Python rows that QStringListModel's next insert or
        #: reset stands for: made by :meth:`_follow_qt`, before anyone reads them.
        self._changing: Callable[[], None] | None = None
        self.rowsInserted.connect(self._follow_qt)  # (first: before any view's slot)
        self.modelReset.connect(self._follow_qt)
        #: Every alias the history knows, for conversations that appear later.
        self.known_aliases: dict[str, str] = {}
        self._previews: dict[str, str] = {}
        self.active: str | None = None  # the open conversation: its messages are read
        self.filtered = False  # a search result: do not add new conversations
        #: While the pointer is over the list, rows stay where they are (a
        #: click must open the row it was aimed at); :meth:`set_frozen` sorts after.
        self.frozen = False
        self._unsorted = False
        #: Unread per conversation, all of them: the title's count does not
        #: follow the search box (a search shows fewer rows, not fewer unread).
        self._unread: dict[str, int] = {}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        conv = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return conv.display_name if role == Qt.ItemDataRole.DisplayRole else (conv.alias or "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return conv.id
        if role == ConversationRole:
            return conv
        if role == IdRole:
            return conv.id
        if role == PreviewRole:
            return self._preview(conv)
        if role == TimeRole:
            return display.clock_time(conv.last_time)
        if role == UnreadRole:
            return conv.unread
        if role == IsGroupRole:
            return conv.is_group
        if role == EntryRole:
            return self._entry(conv)
        return None

    def entry(self, row: int) -> tuple[str, str, str, int, bool]:
        """What the list draws for ``row`` (:data:`EntryRole`), asked from Python."""
        return self._entry(self._rows[row])

    def _entry(self, conv: Conversation) -> tuple[str, str, str, int, bool]:
        return (
            conv.display_name,
            self._preview(conv),
            display.clock_time(conv.last_time),
            conv.unread,
            conv.is_group,
        )

    def itemData(self, index: Index) -> dict[int, Any]:
        """From :meth:`data`, as a list model's: not QStringListModel's empty strings."""
        return QAbstractListModel.itemData(self, index)

    def _preview(self, conv: Conversation) -> str:
        """The entry's second line: the newest message seen here, else history's."""
        return self._previews.get(conv.id) or display.preview(None, conv.last_preview)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = QAbstractListModel.flags(self, index)  # (no drag and drop, unlike a string list)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Renaming in place: the alias is shown at once and saved by the worker."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        alias = str(value or "").strip()
        row = index.row()
        self._rows[row] = dataclasses.replace(self._rows[row], alias=alias or None)
        self.dataChanged.emit(index, index)
        self.aliasEdited.emit(self._rows[row].id, alias)
        return True

    # -- the rows, in Python and in C++ ----------------------------------------------

    def _follow_qt(self, *_args: object) -> None:
        change, self._changing = self._changing, None
        if change is not None:
            change()

    def _insert(self, at: int, conversations: list[Conversation], keys: list[int]) -> None:
        """``conversations`` as rows ``at`` on, with their place ``keys``; one insert."""

        def change() -> None:
            self._rows[at:at] = conversations
            self._keys[at:at] = keys
            self._key_of.update(zip((c.id for c in conversations), keys, strict=True))

        self._changing = change
        self.insertRows(at, len(conversations))
        self._changing = None  # (made by then; an insert refused changes neither side)

    def _renumber(self) -> None:
        """Keys from the rows' order as it is now: after a load or a sort."""
        self._keys = list(range(len(self._rows)))
        self._key_of = {conv.id: row for row, conv in enumerate(self._rows)}
        self._top, self._bottom = 0, len(self._rows) - 1

    # -- feeding --------------------------------------------------------------

    def load(self, conversations: Iterable[Conversation], *, filtered: bool = False) -> None:
        rows = list(conversations)

        def change() -> None:
            self._rows = rows
            self._renumber()
            self._previews.clear()
            self.filtered = filtered
            self._unsorted = False  # the history's order
            if not filtered:
                self._unread.clear()
            self._unread.update({conv.id: conv.unread for conv in rows})

        self._changing = change
        self.setStringList([""] * len(rows))  # a reset
        self._changing = None

    def row_of(self, conversation: str) -> int:
        key = self._key_of.get(conversation)
        if key is None:
            return -1
        row = bisect.bisect_left(self._keys, key)
        return row if row < len(self._keys) and self._keys[row] == key else -1

    def conversation(self, row: int) -> Conversation:
        return self._rows[row]

    def aliases(self) -> dict[str, str]:
        return {conv.id: conv.alias for conv in self._rows if conv.alias}

    @property
    def total_unread(self) -> int:
        """Unread messages in every conversation, listed by the search or not."""
        return sum(self._unread.values())

    def apply_messages(self, messages: Sequence[Message]) -> None:
        """Fold a batch in: one insert for new conversations, one reorder for the rest.

        A busy account touches dozens of conversations per frame; a
        ``beginMoveRows`` each made the list lay out and remap its indexes
        dozens of times (up to 200 ms a frame with 2 000 conversations).
        While :attr:`frozen`, rows change in place and new ones come last:
        :meth:`set_frozen` sorts them afterwards.
        """
        latest: dict[str, Message] = {}
        unread: dict[str, int] = {}
        counts: dict[str, int] = {}
        for message in messages:
            latest[message.conversation] = message
            counts[message.conversation] = counts.get(message.conversation, 0) + 1
            if counts_as_unread(message) and message.conversation != self.active:
                unread[message.conversation] = unread.get(message.conversation, 0) + 1
        for conv_id, count in unread.items():
            self._unread[conv_id] = self._unread.get(conv_id, 0) + count
        if not latest:
            return
        # Most recent activity first: that is the new top of the list.
        touched = sorted(latest, key=lambda conv_id: latest[conv_id].id, reverse=True)
        fresh = [c for c in touched if c not in self._key_of] if not self.filtered else []
        if fresh:
            self._unsorted = self._unsorted or self.frozen
            new = [self._new(c, latest[c], unread.get(c, 0), counts[c]) for c in fresh]
            for conv_id in fresh:
                self._previews[conv_id] = display.preview(latest[conv_id])
            if self.frozen:  # appended, sorted later
                keys = list(range(self._bottom + 1, self._bottom + 1 + len(fresh)))
                self._bottom += len(fresh)
                self._insert(len(self._rows), new, keys)
            else:
                keys = list(range(self._top - len(fresh), self._top))
                self._top -= len(fresh)
                self._insert(0, new, keys)
        rows = {c: self.row_of(c) for c in touched if c in self._key_of}
        known = rows.keys() - fresh
        for conv_id in known:
            old, message = self._rows[rows[conv_id]], latest[conv_id]
            self._previews[conv_id] = display.preview(message)
            self._rows[rows[conv_id]] = dataclasses.replace(
                old,
                last_message_id=message.id,
                last_preview=message.content,
                last_time=message.time,
                unread=old.unread + unread.get(conv_id, 0),
                message_count=old.message_count + counts[conv_id],
                name=_name_in(message) or old.name,
            )
        order = list(rows.values())  # the touched rows, in their new order
        if self.frozen or order == list(range(len(order))):  # nothing changes place
            self._unsorted = self._unsorted or order != list(range(len(order)))
            if known:
                changed = [rows[c] for c in known]
                self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), 0))
            return
        self._to_top(order)

    def _to_top(self, order: list[int]) -> None:
        """Rows ``order`` (a few) to the top, in that order; the rest keep theirs.

        The rows are slots: the moved conversations and those they pushed
        down show other contents, the rest are untouched.  Not layoutChanged:
        after it QListView lays out every row again and repaints;
        dataChanged repaints only the visible slots, and the entries that
        merely moved down come from the delegate's cache.  The rows move in
        C (a memmove each), the keys of the moved ones only change.
        """
        moved = [self._rows[row] for row in order]
        rising = sorted(order)
        for row in reversed(rising):  # (a memmove in C each)
            del self._rows[row]
            del self._keys[row]
        self._rows[0:0] = moved
        keys = list(range(self._top - len(order), self._top))
        self._top -= len(order)
        self._keys[0:0] = keys
        self._key_of.update(zip((conv.id for conv in moved), keys, strict=True))
        last = rising[-1]  # below it, every row kept its conversation
        persistent = self.persistentIndexList()
        if persistent:  # the selection follows its conversation
            up = {old: new for new, old in enumerate(order)}
            self.changePersistentIndexList(
                persistent,
                [
                    self.index(
                        up[row]
                        if row in up
                        else row + len(order) - bisect.bisect_left(rising, row),
                        0,
                    )
                    for row in (index.row() for index in persistent)
                ],
            )
        self.dataChanged.emit(self.index(0, 0), self.index(last, 0))

    def _new(self, conv_id: str, message: Message, unread: int, count: int) -> Conversation:
        return Conversation(
            id=conv_id,
            is_group=message.is_group,
            alias=self.known_aliases.get(conv_id),
            name=_name_in(message),
            last_message_id=message.id,
            last_preview=message.content,
            last_time=message.time,
            unread=unread,
            message_count=count,
        )

    def set_frozen(self, frozen: bool) -> None:
        """Hold the rows in place (pointer over the list), or put them back in order."""
        self.frozen = frozen
        if frozen or not self._unsorted:
            return
        self._unsorted = False
        self.layoutAboutToBeChanged.emit()
        before = [conv.id for conv in self._rows]
        self._rows.sort(key=lambda c: (c.last_time or 0.0, c.last_message_id or 0), reverse=True)
        self._renumber()
        after = self._key_of
        old = self.persistentIndexList()
        self.changePersistentIndexList(
            old, [self.index(after[before[index.row()]], 0) for index in old]
        )
        self.layoutChanged.emit()

    def set_muted(self, conversation: str, muted: bool) -> bool:
        """Silence notifications for one conversation; True if it changed."""
        row = self.row_of(conversation)
        if row < 0 or self._rows[row].muted == muted:
            return False
        self._rows[row] = dataclasses.replace(self._rows[row], muted=muted)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)
        return True

    def find(self, conversation: str) -> Conversation | None:
        row = self.row_of(conversation)
        return self._rows[row] if row >= 0 else None

    def mark_read(self, conversation: str) -> bool:
        """Clear the badge; True if there was one (the worker then saves it)."""
        self._unread.pop(conversation, None)
        row = self.row_of(conversation)
        if row < 0 or not self._rows[row].unread:
            return False
        self._rows[row] = dataclasses.replace(self._rows[row], unread=0)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index, [UnreadRole])
        return True


class ChatModel(QAbstractListModel):
    """One conversation's history, oldest at the top, loaded page by page upwards.

    :meth:`load_older` does not read anything: it asks with :attr:`olderWanted`
    and the page arrives through :meth:`add_page`, so scrolling to the top
    never blocks the GUI thread on SQLite.  It is not Qt's ``fetchMore``:
    Qt fetches whenever the *last* row is visible, which is where a chat
    sits, so a 200 000-message conversation would load itself page after
    page; only the operator scrolling up (:class:`~wxpanel.gui.views.ChatView`)
    asks for older history.
    """

    #: Ask for the page before a message: (conversation, before_id or 0 for the newest).
    olderWanted = Signal(str, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.conversation: str | None = None
        self._rows: list[Message] = []
        self._exhausted = True
        self._waiting = False
        #: Why a command is stuck or failed, by message id (any conversation):
        #: the bubble tells it once its conversation is open.
        self.problems: dict[int, str] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        message = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display.body(message)
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = display.send_problem(message, self.problems.get(message.id))
            when = display.full_time(message.time)
            return f"{when}\n{problem}" if problem else when
        if role == MessageRole:
            return message
        return None

    # -- paging ---------------------------------------------------------------

    def open(self, conversation: str | None) -> None:
        """Show another conversation: empty until its newest page arrives."""
        self.beginResetModel()
        self.conversation = conversation
        self._rows = []
        self._exhausted = conversation is None
        self._waiting = False
        self.endResetModel()
        if conversation is not None:
            self._request(0)

    def can_load_older(self) -> bool:
        """Older history exists and no page is on its way."""
        return not self._exhausted and not self._waiting

    def load_older(self) -> None:
        if self.can_load_older():
            self._request(self._rows[0].id if self._rows else 0)

    def _request(self, before_id: int) -> None:
        if self.conversation is None:
            return
        self._waiting = True
        self.olderWanted.emit(self.conversation, before_id)

    def add_page(
        self, conversation: str, before_id: int, messages: Sequence[Message], exhausted: bool
    ) -> None:
        """A page answered by the worker; stale answers (another conversation) are dropped."""
        if conversation != self.conversation:
            return
        self._waiting = False
        self._exhausted = exhausted
        present = {m.id for m in self._rows}
        page = [m for m in messages if m.id not in present and self._shown(m)]
        if not page:
            return
        if not self._rows or page[-1].id < self._rows[0].id:
            self.beginInsertRows(QModelIndex(), 0, len(page) - 1)
            self._rows[:0] = page
            self.endInsertRows()
        else:  # live messages arrived while the first page was read: merge
            self.beginResetModel()
            self._rows = sorted([*self._rows, *page], key=lambda m: m.id)
            self.endResetModel()

    @staticmethod
    def _shown(message: Message) -> bool:
        """demo.exe's echo of our own command is not a second bubble."""
        return message.echo_of is None

    # -- live -------------------------------------------------------------------

    def append(self, messages: Iterable[Message]) -> None:
        """New messages of the open conversation from a feed batch, at the bottom."""
        if self.conversation is None:
            return
        last = self._rows[-1].id if self._rows else 0
        batch = [
            m
            for m in messages
            if m.conversation == self.conversation and m.id > last and self._shown(m)
        ]
        if not batch:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        self.endInsertRows()

    def trim(self, keep: int) -> None:
        """Forget all but the newest ``keep`` rows once there are twice as many.

        For a reader at the bottom of a busy chat: the rows nobody looks at
        would pile up in memory (with their measured layouts) and be measured
        again after each change of the view's width.  They are history:
        scrolling up loads them again, page by page.
        """
        excess = len(self._rows) - keep
        if keep <= 0 or len(self._rows) < 2 * keep:
            return
        self.beginRemoveRows(QModelIndex(), 0, excess - 1)
        del self._rows[:excess]
        self._exhausted = False
        self.endRemoveRows()

    def apply_updates(self, updates: Iterable[CommandUpdate]) -> None:
        for update in updates:
            if update.status in (CommandStatus.STUCK, CommandStatus.FAILED) and update.detail:
                detail = update.detail if update.text is None else translated(update.text)
                self.problems[update.message_id] = detail
            if update.conversation != self.conversation:
                continue
            row = _find(self._rows, update.message_id)
            if row < 0:
                continue
            self._rows[row] = dataclasses.replace(self._rows[row], status=update.status)
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)

    def message(self, row: int) -> Message:
        return self._rows[row]

    def status_of(self, message_id: int) -> CommandStatus | None:
        row = _find(self._rows, message_id)
        return self._rows[row].status if row >= 0 else None


def _name_in(message: Message) -> str | None:
    """The conversation's name demo.exe sent with this message, if any."""
    return name_of(message.from_raw) if message.origin is Origin.EVENT else None
