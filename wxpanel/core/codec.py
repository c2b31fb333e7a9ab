"""Turning whatever demo.exe stored into text, without ever losing the original.

demo.exe is built with a GBK-era toolchain and SQLite does not validate
TEXT, so a column may hold valid UTF-8, GBK bytes, garbage, an INTEGER, a
BLOB or NULL.  :func:`decode_value` always returns something displayable and
says, through :class:`Flag`, what was wrong, so the caller can keep the raw
value beside the text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Flag(enum.IntFlag):
    """Why a stored event is not plain, valid text in every column."""

    NONE = 0
    NULL = 1
    NOT_TEXT = 2  # INTEGER or REAL where TEXT was expected
    BLOB = 4
    GBK = 8  # not UTF-8, but decoded as GBK
    INVALID = 16  # neither UTF-8 nor GBK: decoded with replacement characters
    HUGE = 32  # content larger than the display limit
    UNKNOWN_VALUE = 64  # MSG_FROM / MSG_STATE / MSG_TYPE value we do not know

    def describe(self) -> list[str]:
        """Stable machine names of the set flags, for exports and logs."""
        return [flag.name.lower() for flag in Flag if flag and flag in self and flag.name]


#: Content above this many bytes is flagged HUGE (still stored in full).
HUGE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Decoded:
    """A column's value as text plus what had to be done to get it."""

    text: str | None
    flags: Flag


def decode_bytes(raw: bytes) -> Decoded:
    """UTF-8 first, then GBK (demo.exe's likely legacy encoding), else replacement."""
    try:
        return Decoded(raw.decode("utf-8"), Flag.NONE)
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(raw.decode("gbk"), Flag.GBK)
    except UnicodeDecodeError:
        return Decoded(raw.decode("utf-8", errors="replace"), Flag.INVALID)


def decode_value(raw: bytes | None, storage_class: str) -> Decoded:
    """Decode one column read as ``CAST(column AS BLOB)``.

    Reading every column as bytes lets us decode invalid UTF-8 ourselves
    instead of letting :mod:`sqlite3` raise; ``storage_class`` is SQLite's
    ``typeof()`` of the original value, which the cast would otherwise hide.
    """
    if raw is None or storage_class == "null":
        return Decoded(None, Flag.NULL)
    decoded = decode_bytes(raw)
    if storage_class in ("integer", "real"):
        return Decoded(decoded.text, decoded.flags | Flag.NOT_TEXT)
    if storage_class == "blob":
        return Decoded(decoded.text, decoded.flags | Flag.BLOB)
    return decoded
