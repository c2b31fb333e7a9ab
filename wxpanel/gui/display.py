"""How a message is named and previewed on screen, translated.

Kept apart from the models so that the feed, the conversation list and the
chat bubbles agree on one wording, and so that every string lupdate must see
is a literal in one place.
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QCoreApplication

from wxpanel.core.models import CommandStatus, Message
from wxpanel.core.protocol import Direction, MessageType

#: A preview is one line of at most this many characters.
PREVIEW_CHARS = 80
#: A bubble shows at most this much text (the rest is in the export).
BUBBLE_CHARS = 4000

_TITLE = re.compile(r"<title>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</title>", re.S)


def type_name(kind: MessageType) -> str:
    """The translated name of a WeChat message type."""
    names = {
        MessageType.UNKNOWN: QCoreApplication.translate("Display", "Unknown"),
        MessageType.TEXT: QCoreApplication.translate("Display", "Text"),
        MessageType.IMAGE: QCoreApplication.translate("Display", "Picture"),
        MessageType.VOICE: QCoreApplication.translate("Display", "Voice"),
        MessageType.FRIEND_REQUEST: QCoreApplication.translate("Display", "Friend request"),
        MessageType.CARD: QCoreApplication.translate("Display", "Contact card"),
        MessageType.VIDEO: QCoreApplication.translate("Display", "Video"),
        MessageType.STICKER: QCoreApplication.translate("Display", "Sticker"),
        MessageType.APP: QCoreApplication.translate("Display", "Link or file"),
        MessageType.SYSTEM: QCoreApplication.translate("Display", "System"),
    }
    return names.get(kind, QCoreApplication.translate("Display", "Unknown"))


def direction_name(direction: Direction) -> str:
    return (
        QCoreApplication.translate("Display", "In")
        if direction is Direction.IN
        else QCoreApplication.translate("Display", "Out")
    )


def status_name(status: CommandStatus | None) -> str:
    """The wording of an outgoing command's state under its bubble."""
    if status is None:
        return ""
    names = {
        CommandStatus.QUEUED: QCoreApplication.translate("Display", "queued"),
        CommandStatus.WRITTEN: QCoreApplication.translate("Display", "written"),
        CommandStatus.TAKEN: QCoreApplication.translate("Display", "taken by demo.exe"),
        CommandStatus.STUCK: QCoreApplication.translate("Display", "stuck"),
        CommandStatus.FAILED: QCoreApplication.translate("Display", "failed"),
    }
    return names[status]


def body(message: Message, limit: int = BUBBLE_CHARS) -> str:
    """What a bubble shows: the text itself, or a bracketed description."""
    content = message.content or ""
    if message.type in (MessageType.TEXT, MessageType.SYSTEM, MessageType.UNKNOWN):
        text = content
    elif message.type is MessageType.IMAGE and message.direction is Direction.OUT:
        text = QCoreApplication.translate("Display", "[Picture] %1").replace("%1", content)
    elif message.type is MessageType.APP:
        match = _TITLE.search(content)
        title = match.group(1).strip() if match else ""
        text = QCoreApplication.translate("Display", "[Link or file] %1").replace("%1", title)
    else:
        text = "[" + type_name(message.type) + "]"
    if message.is_bad:
        text = QCoreApplication.translate("Display", "⚠ stored oddly by demo.exe: ") + text
    return text if len(text) <= limit else text[:limit] + "…"


def preview(message: Message | None, content: str | None = None) -> str:
    """One line for lists: the body with line breaks folded."""
    if message is None:
        # The stored list only has the raw content: XML means a rich message.
        text = content or ""
        if text.lstrip().startswith("<"):
            text = _describe_xml(text)
    else:
        text = body(message, PREVIEW_CHARS * 2)
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


#: The element that tells what a rich message is, when only its XML is at hand.
_XML_KINDS = (
    ("<img", MessageType.IMAGE),
    ("<voicemsg", MessageType.VOICE),
    ("<videomsg", MessageType.VIDEO),
    ("<emoji", MessageType.STICKER),
)


def _describe_xml(text: str) -> str:
    """A rich message known only by its XML (the stored conversation list): name its kind."""
    match = _TITLE.search(text)
    if match:
        return "[" + match.group(1).strip() + "]"
    for marker, kind in _XML_KINDS:
        if marker in text[:200]:
            return "[" + type_name(kind) + "]"
    return QCoreApplication.translate("Display", "[Message]")


def clock_time(moment: float | None, now: float | None = None) -> str:
    """HH:MM today, else the date: lists stay narrow."""
    if moment is None:
        return ""
    local = time.localtime(moment)
    today = time.localtime(now if now is not None else time.time())
    if local[:3] == today[:3]:
        return time.strftime("%H:%M", local)
    return time.strftime("%Y-%m-%d", local)


def full_time(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(moment))
