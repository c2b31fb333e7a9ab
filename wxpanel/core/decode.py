"""Interpreting one wx_event row: demo.exe's six columns into a message.

What demo.exe really writes (``shared/fixtures/README.md``, read from its
binary): only received plain text, as ``ID1`` the conversation, ``ID2`` the
group member who spoke or the literal ``_`` in a private chat, ``MSG_FROM``
the display name of ID1 (``_`` when unknown), ``MSG_STATE`` ``0`` and
``MSG_TYPE`` ``1``.  Such a row is clean.  Rows of any other shape (the
older guesses' 收到/私聊 labels, other bridges, hand-made rows) still decode
with the best reading we have, are flagged ``unknown_value`` and keep their
six original values, so nothing is lost and nothing is guessed silently.

Kept apart from :mod:`wxpanel.core.ingest`, which moves rows; this module
only says what a row means and never touches a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from wxpanel.core.codec import HUGE_BYTES, Flag, decode_value
from wxpanel.core.history import NewMessage
from wxpanel.core.models import Origin
from wxpanel.core.protocol import (
    FROM_GROUP,
    FROM_PRIVATE,
    NO_VALUE,
    STATE_RECEIVED,
    STATE_SENT,
    Direction,
    MessageType,
    is_group_id,
)

#: Rows with one of these flags keep their six original values beside the text.  (A
#: row of another shape keeps its values as text in ``message`` itself.)
_KEEP_RAW = Flag.NULL | Flag.NOT_TEXT | Flag.BLOB | Flag.GBK | Flag.INVALID
# The flags as plain ints while a row is decoded: each operation on an IntFlag
# goes through the enum machinery, a few microseconds a row in ingestion.
_KEEP_RAW_BITS: Final = int(_KEEP_RAW)
_HUGE: Final = int(Flag.HUGE)
_UNKNOWN: Final = int(Flag.UNKNOWN_VALUE)


def _raw(storage_class: str, value: bytes | None) -> object:
    """The original value as SQLite held it, for rows we must keep verbatim."""
    if value is None:
        return None
    if storage_class == "integer":
        return int(value)
    if storage_class == "real":
        return float(value)
    return value


_TYPES_BY_RAW = {str(int(kind)): kind for kind in MessageType if kind is not MessageType.UNKNOWN}
#: What demo.exe writes in MSG_STATE (the raw isSend flag) and MSG_TYPE.
REAL_STATE: Final = "0"
REAL_TYPE: Final = "1"
#: MSG_STATE values of other shapes that say the account sent the message.
_SENT_STATES: Final = frozenset({"1", STATE_SENT})
#: MSG_STATE values of other shapes that say it was received.
_RECEIVED_STATES: Final = frozenset({REAL_STATE, STATE_RECEIVED})
#: MSG_FROM values that are labels of the older guesses, not names.
_NOT_NAMES: Final = frozenset({NO_VALUE, FROM_PRIVATE, FROM_GROUP})


def name_of(msg_from: str | None) -> str | None:
    """The display name MSG_FROM carries, or None (``_``, a label of the old guesses, blank)."""
    if msg_from is None or msg_from in _NOT_NAMES or not msg_from.strip():
        return None
    return msg_from


def _decode_columns(
    row: Sequence[object],
) -> tuple[list[str | None], int, tuple[object, ...]]:
    """The six columns as text, the flags, and the raw values (kept when the row is odd).

    Nearly every row is six valid UTF-8 TEXT values: that case takes one
    decode per column and no flag arithmetic; anything else goes through
    :func:`decode_value` column by column.
    """
    classes = row[0::2]
    values = row[1::2]
    if all(kind == "text" for kind in classes):
        try:
            clean: list[str | None] = [v.decode("utf-8") for v in values]  # type: ignore[attr-defined]
        except UnicodeDecodeError:
            pass
        else:
            return clean, 0, tuple(values)
    texts: list[str | None] = []
    raws: list[object] = []
    flags = 0
    for storage_class, value in zip(classes, values, strict=True):
        raw = value if isinstance(value, bytes) or value is None else str(value).encode()
        decoded = decode_value(raw, str(storage_class))
        texts.append(decoded.text)
        raws.append(_raw(str(storage_class), raw))
        flags |= int(decoded.flags)
    return texts, flags, tuple(raws)


def event_to_message(row: Sequence[object], now: float) -> NewMessage:
    """Interpret one wx_event row; never raises, whatever the row holds.

    ``row`` is ``typeof(col), CAST(col AS BLOB)`` for each of the six columns.
    """
    texts, flags, raw = _decode_columns(row)
    id1, id2, msg_from, content, state, type_raw = texts
    conversation = id1 if id1 is not None else ""
    if (
        content is not None
        and len(content) > HUGE_BYTES // 4
        and len(content.encode()) > HUGE_BYTES
    ):
        flags |= _HUGE
    if state == REAL_STATE and type_raw == REAL_TYPE:
        message_type = MessageType.TEXT
        direction = Direction.IN
    else:
        flags |= _UNKNOWN  # demo.exe writes only received text
        message_type = _TYPES_BY_RAW.get(type_raw or "") or MessageType.parse(type_raw)
        stripped = state.strip() if state is not None else None
        direction = Direction.OUT if stripped in _SENT_STATES else Direction.IN
    if msg_from is not None and msg_from in (FROM_PRIVATE, FROM_GROUP):
        flags |= _UNKNOWN  # a label of the older guesses, not a name
    sender: str | None
    keep_raw = bool(flags & _KEEP_RAW_BITS)
    if id2 is None:
        sender = id1
    elif id2 == NO_VALUE:
        # ``_`` means "no member": the contact itself in a private chat; in a
        # group nobody is named, which demo.exe never does.
        if is_group_id(conversation):
            sender = None
            flags |= _UNKNOWN
            keep_raw = True
        else:
            sender = id1
    else:
        sender = id2
    return NewMessage(
        conversation=conversation,
        sender=sender,
        direction=direction,
        origin=Origin.EVENT,
        type=message_type,
        content=content,
        time=now,
        flags=Flag(flags),
        type_raw=type_raw,
        state_raw=state,
        from_raw=msg_from,
        raw=raw if keep_raw else None,
        name=name_of(msg_from),
    )
