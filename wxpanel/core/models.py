"""Immutable values that cross module and thread boundaries.

Everything the poller reports to the panel is one of these frozen
dataclasses, so a value handed to the GUI thread can never change under it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from wxpanel.core.codec import Flag
from wxpanel.core.protocol import CommandType, Direction, MessageType
from wxpanel.core.texts import Text


class Origin(enum.StrEnum):
    """Who produced a history entry."""

    EVENT = "event"  # a wx_event row written by demo.exe
    MANUAL = "manual"  # typed by the operator in the panel or with `wxpanel send`
    AUTO = "auto"  # an auto-reply rule
    TIMED = "timed"  # a timed message


class CommandStatus(enum.StrEnum):
    """The life of an outgoing command.

    QUEUED waits in our outbox for the pacer; WRITTEN is a row in wx_command
    that demo.exe has not taken yet; TAKEN means demo.exe removed it; STUCK is
    WRITTEN for longer than the configured time (demo.exe not running or not
    logged in) and still becomes TAKEN if demo.exe comes back; FAILED was
    refused before it reached wx_command (e.g. the picture vanished).
    """

    QUEUED = "queued"
    WRITTEN = "written"
    TAKEN = "taken"
    STUCK = "stuck"
    FAILED = "failed"


#: Every flag but UNKNOWN_VALUE, as a plain int (see Message.is_bad).
_BAD_FLAGS = ~int(Flag.UNKNOWN_VALUE)


@dataclass(frozen=True, slots=True)
class Message:
    """One history entry: an ingested event or one of our own commands."""

    id: int
    conversation: str
    sender: str | None
    direction: Direction
    origin: Origin
    type: MessageType
    content: str | None
    time: float
    flags: Flag = Flag.NONE
    type_raw: str | None = None
    state_raw: str | None = None
    from_raw: str | None = None
    status: CommandStatus | None = None
    command: CommandType | None = None
    echo_of: int | None = None

    @property
    def is_group(self) -> bool:
        return self.conversation.endswith("@chatroom")

    @property
    def is_bad(self) -> bool:
        """A row demo.exe stored oddly (NULLs, bytes, numbers, huge); shown with a warning.

        An unknown MSG_TYPE or MSG_STATE alone is not "bad": it is shown raw.
        """
        return bool(int(self.flags) & _BAD_FLAGS)  # ints: enum operators cost microseconds


@dataclass(frozen=True, slots=True)
class CommandUpdate:
    """A command changed status (the bubble of message ``message_id`` follows)."""

    message_id: int
    conversation: str
    status: CommandStatus
    time: float
    detail: str = ""  # why it is stuck or failed, in English
    text: Text | None = None  # the same, for the panel to translate


@dataclass(frozen=True, slots=True)
class Conversation:
    """A row of the conversation list."""

    id: str
    is_group: bool
    alias: str | None
    last_message_id: int | None
    last_preview: str | None
    last_time: float | None
    unread: int
    message_count: int
    muted: bool = False
    name: str | None = None  # the latest name demo.exe gave it (MSG_FROM)

    @property
    def display_name(self) -> str:
        """The operator's alias, else demo.exe's name, else the wxid."""
        return self.alias or self.name or self.id or "?"


@dataclass(frozen=True, slots=True)
class Health:
    """How the link with demo.exe looks right now."""

    exchange: str
    locked_since: float | None = None
    #: The problem in English (the log, the command line); ``problem`` says it as a text.
    error: str | None = None
    #: What kind of error, for a translated banner: gone, disk_full, schema or other.
    error_kind: str | None = None
    #: The problem as a sentence of the catalogue, for the panel to translate.
    problem: Text | None = None
    backlog: int = 0  # rows waiting in wx_event
    pending_commands: int = 0  # rows in wx_command, ours or not
    queued: int = 0  # our commands waiting for the pacer
    stuck: int = 0
    oldest_pending_since: float | None = None
    last_event_at: float | None = None
    last_taken_at: float | None = None
    checked_at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.locked_since is None and not self.stuck
