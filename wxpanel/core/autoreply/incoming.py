"""Which messages may be answered at all, and who is mentioned: shared by every answerer.

Rules and answer sources decide differently *what* to answer, but never
differently *whom*: only what somebody else sent (never the account's own
messages, 发出, nor our commands), never WeChat's service conversations
unless a rule names them, and a message the operator typed ends any run of
automatic answers.  Those tests live here once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from wxpanel.core.codepage import as_delivered
from wxpanel.core.models import Message, Origin
from wxpanel.core.protocol import Direction

#: Conversations of WeChat itself and of official accounts (``gh_…``): only a
#: rule that names them in a "chosen conversations" scope answers there.
SERVICE_IDS: Final = frozenset(
    {
        "fmessage",
        "weixin",
        "newsapp",
        "floatbottle",
        "medianote",
        "qqmail",
        "notifymessage",
        "qmessage",
        "tmessage",
        "mphelper",
        "qqsync",
        "voip",
        "brandsessionholder",
    }
)

#: WeChat ends an @-mention with U+2005, which code page 936 lacks: demo.exe
#: delivers it as ``?``.  Either is part of the mention; a space ends one too.
_MENTION_END = "(?:[\u2005?]|(?=[\u0020\u00a0\n]|$))"


def is_service(conversation: str) -> bool:
    return conversation in SERVICE_IDS or conversation.startswith("gh_")


class MentionFinder:
    """Finds and removes @mentions of the account (WeChat ends them with U+2005).

    The text is taken as demo.exe delivers it: U+2005 and every other
    character outside code page 936 (an emoji in the account's name too)
    arrive as ``?``, so each name is also looked for in that form.
    """

    def __init__(self, names: Iterable[str]) -> None:
        stripped = {n.strip() for n in names if n and n.strip()}
        unique = sorted(stripped | {as_delivered(n) for n in stripped}, key=len, reverse=True)
        #: The delivered form of a name back to the name as configured.
        self._names = {as_delivered(n): n for n in stripped if as_delivered(n) != n}
        self._pattern = (
            re.compile("@(" + "|".join(re.escape(n) for n in unique) + ")" + _MENTION_END)
            if unique
            else None
        )

    def find(self, text: str) -> tuple[str, frozenset[str]]:
        """``text`` without the mentions, and the names that were mentioned."""
        if self._pattern is None or "@" not in text:
            return text, frozenset()
        found: set[str] = set()

        def drop(match: re.Match[str]) -> str:
            found.add(self._names.get(match.group(1), match.group(1)))
            return ""

        stripped = self._pattern.sub(drop, text)
        return (stripped, frozenset(found)) if found else (text, frozenset())


def spoken_by_operator(message: Message) -> bool:
    """Typed by a person: in the panel (``wxpanel send``) or on the phone (an own message
    that is no echo of one of our commands)."""
    return message.origin is Origin.MANUAL or (
        message.origin is Origin.EVENT
        and message.direction is Direction.OUT
        and message.echo_of is None
    )


def answerable(message: Message) -> bool:
    """Only what somebody else sent: never the account's own messages or our commands."""
    return (
        message.origin is Origin.EVENT
        and message.direction is Direction.IN
        and message.command is None
        and bool(message.conversation)
        and not is_service(message.conversation)
    )
