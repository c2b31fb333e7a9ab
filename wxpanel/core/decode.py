"""Interpreting one wx_event row: demo.exe's six columns into a message.

Kept apart from :mod:`wxpanel.core.ingest`, which moves rows; this module
only says what a row means and never touches a database.
"""

from __future__ import annotations

from collections.abc import Sequence

from wxpanel.core.codec import HUGE_BYTES, Flag, decode_value
from wxpanel.core.history import NewMessage
from wxpanel.core.models import Origin
from wxpanel.core.protocol import (
    FROM_GROUP,
    FROM_PRIVATE,
    STATE_RECEIVED,
    STATE_SENT,
    MessageType,
    direction_of,
)

_BAD_COLUMN = Flag.NULL | Flag.NOT_TEXT | Flag.BLOB | Flag.GBK | Flag.INVALID


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
_KNOWN_FROM = (None, FROM_PRIVATE, FROM_GROUP)
_KNOWN_STATE = (None, STATE_RECEIVED, STATE_SENT)


def _decode_columns(
    row: Sequence[object],
) -> tuple[list[str | None], int, tuple[object, ...] | None]:
    """The six columns as text, the flags, and the raw values when the row is not clean.

    Nearly every row is six valid UTF-8 TEXT values: that case takes one
    decode per column and no flag arithmetic; anything else goes through
    :func:`decode_value` column by column.
    """
    classes = row[0::2]
    values = row[1::2]
    if all(kind == "text" for kind in classes):
        try:
            return [v.decode("utf-8") for v in values], 0, None  # type: ignore[attr-defined]
        except UnicodeDecodeError:
            pass
    texts: list[str | None] = []
    raws: list[object] = []
    flags = 0
    for storage_class, value in zip(classes, values, strict=True):
        raw = value if isinstance(value, bytes) or value is None else str(value).encode()
        decoded = decode_value(raw, str(storage_class))
        texts.append(decoded.text)
        raws.append(_raw(str(storage_class), raw))
        flags |= int(decoded.flags)
    return texts, flags, tuple(raws) if flags & _BAD_COLUMN else None


def event_to_message(row: Sequence[object], now: float) -> NewMessage:
    """Interpret one wx_event row; never raises, whatever the row holds.

    ``row`` is ``typeof(col), CAST(col AS BLOB)`` for each of the six columns.
    """
    texts, flags, raw = _decode_columns(row)
    id1, id2, msg_from, content, state, type_raw = texts
    if (
        content is not None
        and len(content) > HUGE_BYTES // 4
        and len(content.encode()) > HUGE_BYTES
    ):
        flags |= Flag.HUGE
    if msg_from not in _KNOWN_FROM or state not in _KNOWN_STATE:
        flags |= Flag.UNKNOWN_VALUE
    message_type = _TYPES_BY_RAW.get(type_raw) if type_raw is not None else MessageType.UNKNOWN
    if message_type is None:
        message_type = MessageType.parse(type_raw)
        if message_type is MessageType.UNKNOWN:
            flags |= Flag.UNKNOWN_VALUE
    return NewMessage(
        conversation=id1 if id1 is not None else "",
        sender=id2 if id2 is not None else id1,
        direction=direction_of(state),
        origin=Origin.EVENT,
        type=message_type,
        content=content,
        time=now,
        flags=Flag(flags),
        type_raw=type_raw,
        state_raw=state,
        from_raw=msg_from,
        raw=raw,
    )
