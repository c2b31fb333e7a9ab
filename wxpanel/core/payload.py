"""What a structured (XML) message is, in a word and a title.

demo.exe writes plain text only, but other bridges and old histories hold
WeChat's XML for pictures, links, files, voice and the like.  Shown as is,
``<?xml version="1.0"?><msg><img aeskey=…`` fills a bubble, the live feed
and the conversation list with noise; :func:`summarise` says instead what
it is ("picture", "link" with its title, "file" with its name), and the
panel shows that, with the raw text one click away.

Parsing is by regular expressions on the first few kilobytes, never by an
XML parser: the text comes from strangers and may be huge or malformed.
"""

from __future__ import annotations

import enum
import html
import re
from dataclasses import dataclass
from typing import Final

#: Only the start of a payload is looked at.
SCAN_CHARS: Final = 8192

_TITLE = re.compile(r"<title>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</title>", re.S)
_APP_TYPE = re.compile(r"<appmsg\b.*?<type>\s*(\d+)\s*</type>", re.S)
_LABEL = re.compile(r"""<location\b[^>]*\blabel\s*=\s*["']([^"']*)["']""")
_NICKNAME = re.compile(r"""\bnickname\s*=\s*["']([^"']*)["']""")


class PayloadKind(enum.StrEnum):
    PICTURE = "picture"
    VOICE = "voice"
    VIDEO = "video"
    STICKER = "sticker"
    LINK = "link"
    FILE = "file"
    LOCATION = "location"
    CARD = "card"
    SYSTEM = "system"
    OTHER = "other"


#: appmsg <type> values that are a file; the other types are links, mini programs...
_FILE_TYPES: Final = frozenset({"6"})

#: The element that tells the kind, in the order they are looked for.
_MARKERS: Final = (
    ("<img", PayloadKind.PICTURE),
    ("<voicemsg", PayloadKind.VOICE),
    ("<videomsg", PayloadKind.VIDEO),
    ("<emoji", PayloadKind.STICKER),
    ("<location", PayloadKind.LOCATION),
    ("<sysmsg", PayloadKind.SYSTEM),
)


@dataclass(frozen=True, slots=True)
class Payload:
    """A structured message summarised: its kind and a title ("" when it has none)."""

    kind: PayloadKind
    title: str = ""


def is_structured(content: str | None) -> bool:
    """Whether ``content`` is an XML payload rather than text someone typed."""
    head = (content or "").lstrip()[:64].lower()
    return head.startswith(("<?xml", "<msg", "<sysmsg"))


def summarise(content: str | None) -> Payload | None:
    """The payload's kind and title; None for plain text (show it as it is)."""
    if not is_structured(content):
        return None
    text = (content or "")[:SCAN_CHARS]
    if "<appmsg" in text:
        found = _APP_TYPE.search(text)
        kind = PayloadKind.FILE if found and found.group(1) in _FILE_TYPES else PayloadKind.LINK
        return Payload(kind, _clean(_TITLE.search(text)))
    for marker, kind in _MARKERS:
        if marker in text:
            title = _clean(_LABEL.search(text)) if kind is PayloadKind.LOCATION else ""
            return Payload(kind, title)
    nickname = _NICKNAME.search(text)
    if nickname is not None:
        return Payload(PayloadKind.CARD, _clean(nickname))
    return Payload(PayloadKind.OTHER, _clean(_TITLE.search(text)))


def _clean(found: re.Match[str] | None) -> str:
    if found is None:
        return ""
    return " ".join(html.unescape(found.group(1)).split())


__all__ = ["Payload", "PayloadKind", "is_structured", "summarise"]
