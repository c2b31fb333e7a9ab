"""History as JSON Lines or CSV, streamed so that exporting a million messages is flat in memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, BinaryIO, TextIO

from wxpanel.core.models import Message

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
        out.write(json.dumps(record(message, aliases), ensure_ascii=False))
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
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        return write_csv(messages, text, aliases)
    finally:
        text.flush()
        text.detach()  # the caller's stream stays open
