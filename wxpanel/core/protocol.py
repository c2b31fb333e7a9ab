"""What we know of demo.exe's tables and the values it writes into them.

The schema is the file demo.exe ships; what it writes into it was read from
its binary (``shared/fixtures/README.md``): only received text, ``ID2`` the
group member or ``_``, ``MSG_FROM`` the display name of ``ID1`` or ``_``,
``MSG_STATE`` ``0`` and ``MSG_TYPE`` ``1``.  The older guesses below (收到,
私聊…) are still understood for rows of other bridges and hand-made rows,
which :mod:`wxpanel.core.decode` flags.
"""

from __future__ import annotations

import enum
from typing import Final

EVENT_TABLE: Final = "wx_event"
COMMAND_TABLE: Final = "wx_command"

#: Column names exactly as demo.exe declares them, in declaration order.
EVENT_COLUMNS: Final = ("ID1", "ID2", "MSG_FROM", "MSG_CONTENT", "MSG_STATE", "MSG_TYPE")
COMMAND_COLUMNS: Final = ("Token", "cmd_type", "id_1", "id_2", "id_3")

#: The schema demo.exe ships, verbatim; ``--create`` writes exactly this.
SCHEMA_SQL: Final = (
    "CREATE TABLE [wx_command] ([Token] TEXT, [cmd_type] TEXT, [id_1] TEXT, "
    "[id_2] TEXT, [id_3] TEXT)",
    "CREATE TABLE [wx_event] ([ID1] TEXT, [ID2] TEXT, [MSG_FROM] TEXT, "
    "[MSG_CONTENT] TEXT, [MSG_STATE] TEXT, [MSG_TYPE] TEXT)",
)
#: demo.exe's file uses 1 KiB pages; a file we create should look the same.
PAGE_SIZE: Final = 1024

#: The fixed values of a command row, as the upstream helper writes them.
COMMAND_TOKEN: Final = "0"
COMMAND_ID3: Final = "null"
GROUP_SUFFIX: Final = "@chatroom"


class CommandType(enum.StrEnum):
    """The ``cmd_type`` values demo.exe executes."""

    TEXT = "wx_send"
    PICTURE = "wx_picture"


#: demo.exe's "nothing here": ID2 of a private chat, MSG_FROM of an unknown name.
NO_VALUE: Final = "_"
#: The code page demo.exe converts text through, both ways.
CODE_PAGE: Final = "gbk"

#: Older guesses of MSG_STATE values (demo.exe writes ``0``; these are its window's labels).
STATE_RECEIVED: Final = "收到"
STATE_SENT: Final = "发出"
#: Older guesses of MSG_FROM values (demo.exe writes a name; these are its window's labels).
FROM_PRIVATE: Final = "私聊"
FROM_GROUP: Final = "群聊"


class MessageType(enum.IntEnum):
    """WeChat's numeric message types, as far as they are known."""

    UNKNOWN = 0
    TEXT = 1
    IMAGE = 3
    VOICE = 34
    FRIEND_REQUEST = 37
    CARD = 42
    VIDEO = 43
    STICKER = 47
    APP = 49
    SYSTEM = 10000

    @classmethod
    def parse(cls, raw: str | None) -> MessageType:
        """Map a raw MSG_TYPE to a known type, or UNKNOWN; never raises."""
        if raw is None:
            return cls.UNKNOWN
        try:
            return cls(int(raw.strip()))
        except ValueError:
            return cls.UNKNOWN


class Direction(enum.StrEnum):
    """Whether a message came to the account or left it."""

    IN = "in"
    OUT = "out"


def is_group_id(wxid: str | None) -> bool:
    """Group conversations are the ids that end in ``@chatroom``."""
    return bool(wxid) and wxid is not None and wxid.endswith(GROUP_SUFFIX)
