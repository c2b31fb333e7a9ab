"""How a message is named and previewed on screen, translated.

Kept apart from the models so that the feed, the conversation list and the
chat bubbles agree on one wording, and so that every string lupdate must see
is a literal in one place.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication

from wxpanel.core.models import CommandStatus, Message
from wxpanel.core.payload import Payload, PayloadKind, summarise
from wxpanel.core.protocol import Direction, MessageType

#: A preview is one line of at most this many characters.
PREVIEW_CHARS = 80
#: A bubble shows at most this much text (the rest is in the export).
BUBBLE_CHARS = 4000

#: Payload kinds shown by the name of their message type.
_MEDIA = {
    PayloadKind.PICTURE: MessageType.IMAGE,
    PayloadKind.VOICE: MessageType.VOICE,
    PayloadKind.VIDEO: MessageType.VIDEO,
    PayloadKind.STICKER: MessageType.STICKER,
}


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


def payload_label(payload: Payload) -> str:
    """ "[图片]", "[链接] 标题", "[文件] 名称": a structured message in a few words."""
    kind = payload.kind
    if kind is PayloadKind.LINK:
        text = QCoreApplication.translate("Display", "[Link] %1")
    elif kind is PayloadKind.FILE:
        text = QCoreApplication.translate("Display", "[File] %1")
    elif kind is PayloadKind.LOCATION:
        text = QCoreApplication.translate("Display", "[Location] %1")
    elif kind is PayloadKind.CARD:
        text = "[" + type_name(MessageType.CARD) + "] %1"
    elif kind in _MEDIA:
        return "[" + type_name(_MEDIA[kind]) + "]"
    elif kind is PayloadKind.SYSTEM:
        return "[" + type_name(MessageType.SYSTEM) + "]"
    else:
        text = QCoreApplication.translate("Display", "[Message] %1")
    return text.replace("%1", payload.title).strip()


def send_problem(message: Message, detail: str | None = None) -> str:
    """Why our command did not go (stuck or failed), for its bubble; "" when it went."""
    if message.status is CommandStatus.STUCK:
        return QCoreApplication.translate(
            "Display",
            "Not taken by demo.exe yet: is demo.exe running and WeChat logged in?"
            " It goes as soon as demo.exe takes it.",
        )
    if message.status is CommandStatus.FAILED:
        reason = QCoreApplication.translate(
            "Display", "Not sent. Check in WeChat whether it arrived before sending it again."
        )
        return f"{reason}\n{detail}" if detail else reason
    return ""


def status_line(message: Message) -> str:
    """The status over an outgoing bubble; a warning sign when it did not go."""
    name = status_name(message.status)
    if message.status in (CommandStatus.STUCK, CommandStatus.FAILED):
        return "⚠ " + name
    return name


def body(message: Message, limit: int = BUBBLE_CHARS) -> str:
    """What a bubble shows: the text itself, or a bracketed description.

    XML payloads (other bridges, old histories) are summarised whatever
    their type says; :func:`raw_text` has the content as stored.
    """
    content = message.content or ""
    payload = summarise(content)
    if payload is not None:
        text = payload_label(payload)
    elif message.type in (MessageType.TEXT, MessageType.SYSTEM, MessageType.UNKNOWN):
        text = content
    elif message.type is MessageType.IMAGE and message.direction is Direction.OUT:
        text = QCoreApplication.translate("Display", "[Picture] %1").replace("%1", content)
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
        payload = summarise(text)
        if payload is not None:
            text = payload_label(payload)
    else:
        text = body(message, PREVIEW_CHARS * 2)
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


def raw_text(message: Message) -> str | None:
    """The content as stored when what is shown is a summary of it, else None."""
    return message.content if summarise(message.content) is not None else None


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
