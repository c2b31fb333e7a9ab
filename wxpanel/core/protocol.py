"""What we know of demo.exe's tables and the values it writes into them.

The schema is certain (it is the file demo.exe ships).  The meaning of
MSG_FROM, MSG_STATE and MSG_TYPE comes from strings inside demo.exe and is
therefore *likely*, not certain: every mapping here has an "unknown" answer,
and the raw value is always kept and shown next to the interpretation.
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


#: MSG_STATE values: the hook reports received messages and the account's own sent ones.
STATE_RECEIVED: Final = "收到"
STATE_SENT: Final = "发出"
#: MSG_FROM values: private chat or group chat.
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


def direction_of(state: str | None) -> Direction:
    """发出 is the account's own message; everything else is treated as received."""
    return Direction.OUT if state is not None and state.strip() == STATE_SENT else Direction.IN
