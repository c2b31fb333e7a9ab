"""History as JSON Lines or CSV, streamed so that exporting a million messages is flat in memory."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable
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


#: :func:`record` in SQL: SQLite builds each line itself, as ``sqlite3 -json`` does,
#: instead of a Message, a dict and ``json.dumps`` per row (65 s for 1 M messages).
#: The time is ISO 8601 with the local offset of that moment, like ``astimezone()``.
_RECORD_SQL = """
SELECT json_object(
    'id', m.id,
    'time', strftime('%Y-%m-%dT%H:%M:%S', CAST(m.time AS INTEGER), 'unixepoch', 'localtime')
        || (SELECT CASE WHEN off < 0 THEN '-' ELSE '+' END
                   || printf('%02d:%02d', abs(off) / 3600, abs(off) % 3600 / 60)
            FROM (SELECT CAST(round((
                julianday(CAST(m.time AS INTEGER), 'unixepoch', 'localtime')
                - julianday(CAST(m.time AS INTEGER), 'unixepoch')) * 86400) AS INTEGER) AS off)),
    'conversation', m.conversation,
    'conversation_name', coalesce(k.alias, k.name, ''),
    'group', json(CASE WHEN substr(m.conversation, -9) = '@chatroom' THEN 'true' ELSE 'false' END),
    'sender', m.sender,
    'direction', m.direction,
    'origin', m.origin,
    'type', coalesce(json_extract(?1, '$."' || m.type || '"'), 'unknown'),
    'type_raw', m.type_raw,
    'content', m.content,
    'status', nullif(m.status, ''),
    'flags', CASE WHEN m.flags = 0 THEN json('[]') ELSE
        (SELECT json_group_array(f.value) FROM json_each(?2) AS f WHERE m.flags & f.key) END
)
FROM message AS m
LEFT JOIN contact AS k ON k.wxid = m.conversation
WHERE ?3 IS NULL OR m.conversation = ?3
ORDER BY m.id
"""
_TYPE_NAMES = json.dumps({str(int(kind)): kind.name.lower() for kind in MessageType})
_FLAG_NAMES = json.dumps({str(int(flag)): flag.name.lower() for flag in Flag if flag and flag.name})


def write_jsonl_fast(conn: sqlite3.Connection, out: TextIO, conversation: str | None = None) -> int:
    """The whole history (or one conversation) as JSON Lines, lines made by SQLite.

    The same lines as :func:`write_jsonl` with the names of the ``contact``
    table (the alias, else demo.exe's name); a test holds the two to the same bytes.
    """
    count = 0
    cursor = conn.execute(_RECORD_SQL, (_TYPE_NAMES, _FLAG_NAMES, conversation))
    while rows := cursor.fetchmany(2000):
        out.write("\n".join(row[0] for row in rows))
        out.write("\n")
        count += len(rows)
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
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        return write_csv(messages, text, aliases)
    finally:
        text.flush()
        text.detach()  # the caller's stream stays open
