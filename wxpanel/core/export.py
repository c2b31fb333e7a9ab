"""History as JSON Lines or CSV, streamed so that exporting a million messages is flat in memory.

Two ways to the same bytes.  :func:`write_jsonl` and :func:`write_csv` build
each line in Python from a :class:`Message` (exports of a search use them,
and the tests hold the other way to their output); :func:`write_jsonl_fast`
and :func:`write_csv_fast` let SQLite build each line, as ``sqlite3 -json``
does, and write the bytes it made: no Message, dict or str per row (a
million messages took 65 s the Python way, ~3x ``sqlite3 -json`` this way).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, BinaryIO, TextIO

from wxpanel.core.codec import Flag
from wxpanel.core.models import Message
from wxpanel.core.protocol import MessageType

FIELDS = (
    "id",
    "time",
    "conversation",
    "conversation_name",
    "group",
    "sender",
    "direction",
    "origin",
    "type",
    "type_raw",
    "content",
    "status",
    "flags",
)


def record(message: Message, aliases: dict[str, str]) -> dict[str, Any]:
    """One exported message; ``time`` is ISO 8601 with the local offset."""
    return {
        "id": message.id,
        "time": datetime.fromtimestamp(message.time).astimezone().isoformat(timespec="seconds"),
        "conversation": message.conversation,
        "conversation_name": aliases.get(message.conversation, ""),
        "group": message.is_group,
        "sender": message.sender,
        "direction": message.direction.value,
        "origin": message.origin.value,
        "type": message.type.name.lower(),
        "type_raw": message.type_raw,
        "content": message.content,
        "status": message.status.value if message.status else None,
        "flags": message.flags.describe(),
    }


def write_jsonl(messages: Iterable[Message], out: TextIO, aliases: dict[str, str]) -> int:
    count = 0
    for message in messages:
        out.write(json.dumps(record(message, aliases), ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        count += 1
    return count


def write_csv(messages: Iterable[Message], out: TextIO, aliases: dict[str, str]) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for message in messages:
        row = record(message, aliases)
        row["flags"] = " ".join(row["flags"])
        writer.writerow(row)
        count += 1
    return count


def write_csv_bytes(messages: Iterable[Message], out: BinaryIO, aliases: dict[str, str]) -> int:
    """CSV onto a byte stream, the same bytes on every OS: UTF-8 with a BOM, rows ending CRLF.

    Through a text-mode stream Windows turns the csv module's ``\r\n`` into
    ``\r\r\n`` (an empty line after every row in some readers), so the text
    is encoded here with ``newline=""``. The BOM is what makes Excel on a
    Chinese Windows read the file as UTF-8 instead of GBK; Python's
    ``utf-8-sig``, LibreOffice and pandas skip it.
    """
    with _csv_text(out) as text:
        return write_csv(messages, text, aliases)


@contextmanager
def _csv_text(out: BinaryIO) -> Iterator[TextIO]:
    """``out`` as text for the csv module: UTF-8 with a BOM, no newline translation."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        yield text
    finally:
        text.flush()
        text.detach()  # the caller's stream stays open


# -- lines made by SQLite -----------------------------------------------------
#
# Each value is what record() makes of it, computed in SQL:
# * time: the local wall clock is the UTC one plus the offset of that
#   moment, from a small table of the offsets Python itself gives around
#   the history's first and last message (_local_offsets); SQLite only
#   adds and formats.  A message outside that span (its time is not its
#   arrival) gets the offset SQLite's localtime gives.  The second is the
#   one ``datetime.fromtimestamp`` shows: microseconds rounded half-even,
#   so .9999996 is the next second.
# * type and flags: looked up in tables made from the enums.
# * conversation_name: the alias, else demo.exe's name (Contact.nickname).

_WITH = """
WITH kind (code, name) AS MATERIALIZED (
    SELECT CAST(key AS INTEGER), value FROM json_each(:kinds)
), flag_names (bits, names) AS MATERIALIZED (
    SELECT CAST(key AS INTEGER), value FROM json_each(:flags)
), zone (start, stop, offset, suffix) AS MATERIALIZED (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
        json_extract(value, '$[2]'), json_extract(value, '$[3]')
    FROM json_each(:zones)
)
"""
_FROM = """
FROM (
    SELECT *, CAST(time AS INTEGER)
        + ((time - CAST(time AS INTEGER)) * 1000000 >= 999999.5) AS second
    FROM message WHERE :conversation IS NULL OR conversation = :conversation
) AS m
LEFT JOIN zone AS z ON z.start <= m.second AND m.second < z.stop
LEFT JOIN (
    SELECT wxid, coalesce(nullif(alias, ''), nullif(name, '')) AS nickname FROM contact
) AS k ON k.wxid = m.conversation
LEFT JOIN kind AS t ON t.code = m.type
LEFT JOIN flag_names AS f ON f.bits = m.flags & :all_flags
"""
_TIME = """coalesce(
    strftime('%Y-%m-%dT%H:%M:%S', m.second + z.offset, 'unixepoch') || z.suffix,
    strftime('%Y-%m-%dT%H:%M:%S', m.second, 'unixepoch', 'localtime')
    || (SELECT CASE WHEN off < 0 THEN '-' ELSE '+' END
            || printf('%02d:%02d', abs(off) / 3600, abs(off) % 3600 / 60)
        FROM (SELECT CAST(round((julianday(m.second, 'unixepoch', 'localtime')
            - julianday(m.second, 'unixepoch')) * 86400) AS INTEGER) AS off)))"""
_GROUP = "substr(m.conversation, -9) = '@chatroom'"
_ONLY_IDS = "WHERE m.id IN (SELECT value FROM json_each(:ids))"
#: One JSON line per message: ``json.dumps(record(...))`` with
#: ``ensure_ascii=False`` and compact separators (SQLite escapes the same way).
_JSONL_SQL = (
    _WITH
    + "SELECT CAST(json_object('id', m.id, 'time', "
    + _TIME
    + """,
    'conversation', m.conversation,
    'conversation_name', coalesce(k.nickname, ''),
    'group', CASE WHEN """
    + _GROUP
    + """ THEN json('true') ELSE json('false') END,
    'sender', m.sender,
    'direction', m.direction,
    'origin', m.origin,
    'type', coalesce(t.name, 'unknown'),
    'type_raw', m.type_raw,
    'content', m.content,
    'status', nullif(m.status, ''),
    'flags', CASE WHEN m.flags & :all_flags = 0 THEN json_array() ELSE json(f.names) END
) || :newline AS BLOB)"""
    + _FROM
    + "ORDER BY m.id"
)
#: One CSV row per message in two parts, as the csv module writes it: the
#: fields before the content joined by commas, None as nothing, unquoted
#: (:func:`write_csv_fast` checks that none needed quotes); then the content,
#: in quotes (its own doubled) if it holds a quote, comma, CR or LF, and the
#: rest.  ``||``, not printf: a NUL inside a field stays, as in Python.
_CSV_SQL = (
    _WITH
    + "SELECT CAST(m.id || ',' || "
    + _TIME
    + """ || ',' || m.conversation || ',' || coalesce(k.nickname, '')
    || CASE WHEN """
    + _GROUP
    + """ THEN ',True,' ELSE ',False,' END
    || coalesce(m.sender, '') || ',' || m.direction || ',' || m.origin
    || ',' || coalesce(t.name, 'unknown') || ',' || coalesce(m.type_raw, '') || ',' AS BLOB),
    CAST(CASE WHEN m.content GLOB :special
        THEN '"' || replace(m.content, '"', '""') || '"' ELSE coalesce(m.content, '') END
    || ',' || coalesce(m.status, '') || ',' || coalesce(f.names, '') || char(13, 10) AS BLOB)"""
    + _FROM
    + "ORDER BY m.id"
)
#: The values of the rows the csv module quotes, for it to write them.
_CSV_VALUES_SQL = (
    _WITH
    + "SELECT m.id, "
    + _TIME
    + ", m.conversation, coalesce(k.nickname, ''), CASE WHEN "
    + _GROUP
    + """ THEN 'True' ELSE 'False' END,
    m.sender, m.direction, m.origin, coalesce(t.name, 'unknown'), m.type_raw, m.content,
    nullif(m.status, ''), coalesce(f.names, '')"""
    + _FROM
    + _ONLY_IDS
    + " ORDER BY m.id"
)
_KINDS = json.dumps({str(int(kind)): kind.name.lower() for kind in MessageType})
_ALL_FLAGS = int(sum(Flag))
#: Every combination of flags -> its names, as JSON (for JSON Lines) or words (for CSV).
_FLAG_LISTS = json.dumps(
    {
        str(bits): json.dumps(Flag(bits).describe(), separators=(",", ":"))
        for bits in range(1, _ALL_FLAGS + 1)
    }
)
_FLAG_WORDS = json.dumps(
    {str(bits): " ".join(Flag(bits).describe()) for bits in range(1, _ALL_FLAGS + 1)}
)
#: What the csv module puts a field in quotes for (with our "\r\n" line end),
#: as a GLOB and as bytes; the fields before the content hold only their commas.
_CSV_SPECIAL = '*[",\r\n]*'
_CSV_SPECIAL_BYTES = b',"\r\n'
_CSV_HEAD_COMMAS = FIELDS.index("content")
#: Local offsets are looked for this far apart (then bisected to the second):
#: no time zone changes its offset twice within it.
_OFFSET_STEP = 6 * 3600
#: Beyond the first and last message, offsets are looked for this far.
_OFFSET_MARGIN = 7 * 86400
#: Nor further back from the last message than this.
_OFFSET_SPAN = 20 * 366 * 86400


def write_jsonl_fast(
    conn: sqlite3.Connection,
    out: BinaryIO,
    conversation: str | None = None,
    *,
    newline: str = "\n",
) -> int:
    """The whole history (or one conversation) as JSON Lines, lines made by SQLite.

    The bytes :func:`write_jsonl` would encode, with the names of the
    ``contact`` table (the alias, else demo.exe's name), each line ending
    in ``newline`` (``os.linesep`` is what a text-mode stdout wrote).
    """
    count = 0
    cursor = conn.execute(
        _JSONL_SQL, _params(conn, conversation, flags=_FLAG_LISTS, newline=newline)
    )
    while rows := cursor.fetchmany(2000):
        out.write(b"".join(row[0] for row in rows))
        count += len(rows)
    return count


def write_csv_fast(conn: sqlite3.Connection, out: BinaryIO, conversation: str | None = None) -> int:
    """The whole history (or one conversation) as :func:`write_csv_bytes` writes it.

    SQLite makes each row (see ``_CSV_SQL``).  A batch whose fields before
    the content hold more commas, quotes, CRs or LFs than their separators,
    or that holds a NUL (GLOB stops at one), has rows SQLite may have
    quoted otherwise than the csv module: their values are fetched again
    and written by the csv module itself.
    """
    with _csv_text(out) as text:
        csv.writer(text, lineterminator="\r\n").writerow(FIELDS)
    params = _params(conn, conversation, flags=_FLAG_WORDS, special=_CSV_SPECIAL)
    count = 0
    cursor = conn.execute(_CSV_SQL, params)
    while rows := cursor.fetchmany(2000):
        heads = b"".join(row[0] for row in rows)
        chunk = b"".join(itertools.chain.from_iterable(rows))
        if b"\0" in chunk or _specials(heads) != _CSV_HEAD_COMMAS * len(rows):
            chunk = b"".join(_rewritten(conn, params, rows))
        out.write(chunk)
        count += len(rows)
    return count


def _specials(data: bytes) -> int:
    return len(data) - len(data.translate(None, _CSV_SPECIAL_BYTES))


def _rewritten(
    conn: sqlite3.Connection, params: dict[str, Any], rows: list[tuple[bytes, bytes]]
) -> list[bytes]:
    """The rows' lines, those SQLite may have quoted wrongly written by the csv module."""
    lines = [head + rest for head, rest in rows]
    suspect = {
        int(head[: head.index(b",")]): index
        for index, (head, rest) in enumerate(rows)
        if _specials(head) != _CSV_HEAD_COMMAS or b"\0" in head + rest
    }
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for values in conn.execute(_CSV_VALUES_SQL, {**params, "ids": json.dumps(list(suspect))}):
        writer.writerow(values)
        lines[suspect[values[0]]] = text.getvalue().encode()
        text.seek(0)
        text.truncate()
    return lines


def _params(conn: sqlite3.Connection, conversation: str | None, **more: str) -> dict[str, Any]:
    return {
        "kinds": _KINDS,
        "all_flags": _ALL_FLAGS,
        "zones": _local_offsets(conn),
        "conversation": conversation,
        **more,
    }


def _local_offsets(conn: sqlite3.Connection) -> str:
    """JSON ``[[start, stop, offset, suffix], ...]``: the local UTC offset from
    second ``start`` (included) to ``stop``, around the history's time span.

    The offset and its text (``+08:00``) are what ``datetime.astimezone``
    says, found every few hours from a week before the first message to a
    week after the last (by id: times are arrival times) and bisected to
    the second where they change.
    """
    ends = [
        row[0]
        for row in conn.execute(
            "SELECT time FROM (SELECT time FROM message ORDER BY id LIMIT 1)"
            " UNION ALL SELECT time FROM (SELECT time FROM message ORDER BY id DESC LIMIT 1)"
        )
    ]
    if not ends:
        return "[]"
    last = math.ceil(max(ends)) + _OFFSET_MARGIN
    second = max(math.floor(min(ends)) - _OFFSET_MARGIN, last - _OFFSET_SPAN)
    start, current = second, _offset_at(second)
    zones = []
    while second < last:
        probe = min(second + _OFFSET_STEP, last)
        if _offset_at(probe) != current:
            before, after = second, probe  # the change is in (before, after]
            while after - before > 1:
                middle = (before + after) // 2
                if _offset_at(middle) == current:
                    before = middle
                else:
                    after = middle
            zones.append([start, after, *current])
            start, current = after, _offset_at(after)
        second = probe
    zones.append([start, last, *current])
    return json.dumps(zones)


def _offset_at(second: int) -> tuple[int, str]:
    """The local UTC offset at ``second`` in seconds, and as ``isoformat`` writes it."""
    local = datetime.fromtimestamp(second).astimezone()
    offset = local.utcoffset()
    assert offset is not None  # astimezone() always gives an aware time
    return int(offset.total_seconds()), local.isoformat(timespec="seconds")[19:]
