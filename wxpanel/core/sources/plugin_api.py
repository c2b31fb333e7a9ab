"""The public API of wxpanel plugins: what a handler receives and may return.

A plugin is a ``.py`` file in the ``plugins/`` folder beside wxpanel (or the
folder given with ``--plugins``).  It defines handlers, either with the
decorator::

    from wxpanel.core.sources.plugin_api import IncomingMessage, Reply, handler

    @handler(name="ping", order=10)
    def ping(message: IncomingMessage) -> str | None:
        if message.content.strip().lower() == "ping":
            return "pong"
        return None

or, for the smallest plugins, with a module-level ``handle(message)``
function (it runs when no decorated handler exists in the file).

A handler gets one :class:`IncomingMessage` (a frozen value: it cannot
change anything) and returns

* ``None`` or ``""`` — no answer; the next handler, plugin or source is asked;
* a ``str`` — one text;
* :meth:`Reply.text` / :meth:`Reply.picture` — a text, or a picture file that
  exists on this computer (JPG, PNG, GIF or BMP);
* a list or tuple of those (at most :data:`MAX_REPLIES`), sent in order.

The first handler that answers wins; the answer goes through the same
safety as the built-in rules (global switch, caps per minute, loop
detection) and the same pacer.  A handler that raises, runs longer than the
configured timeout, returns anything else or ends its process disables its
whole plugin, with the error shown in the panel and the log; the operator
switches it on again (or edits the file, which reloads it and switches it
on again).

Each plugin runs in a process of its own (:mod:`.plugin_worker`), with a
memory limit (1 GiB); a handler that overruns its timeout is stopped with
its process.  Handlers of one plugin are never called concurrently.  The
process starts fresh when the file is loaded: module-level state lasts
until the next edit or failure, and the plugin cannot reach wxpanel's own
objects (nor the GUI).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeAlias, TypeVar, overload

from wxpanel.core.protocol import MessageType

#: Most replies one answer may queue.
MAX_REPLIES: Final = 5
#: Longest text a reply may carry (longer is invalid, not cut).
MAX_TEXT_CHARS: Final = 4000
#: Attribute the decorator sets on a handler function.
HANDLER_ATTRIBUTE: Final = "__wxpanel_handler__"


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A message somebody sent to the account; read-only.

    ``conversation`` is where an answer goes (the friend's wxid, or the
    group's ``…@chatroom`` id); ``sender`` who wrote it (in a group, the
    member); ``content`` the text (for other types WeChat's raw content);
    ``time`` when wxpanel received it (unix seconds); ``mentioned`` whether
    the account was @-ed in a group (by one of the nicknames set in the
    auto-reply settings); ``id`` the message's number in wxpanel's history.
    """

    conversation: str
    sender: str
    is_group: bool
    type: MessageType
    content: str
    time: float
    mentioned: bool = False
    id: int = 0

    @property
    def is_text(self) -> bool:
        return self.type is MessageType.TEXT


class ReplyKind(enum.StrEnum):
    TEXT = "text"
    PICTURE = "picture"


@dataclass(frozen=True, slots=True)
class Reply:
    """One thing to send: build it with :meth:`text` or :meth:`picture`."""

    kind: ReplyKind
    value: str

    @classmethod
    def text(cls, text: str) -> Reply:
        return cls(ReplyKind.TEXT, str(text))

    @classmethod
    def picture(cls, path: str | Path) -> Reply:
        """A local picture file, checked (exists, is a picture, not too big) before sending."""
        return cls(ReplyKind.PICTURE, str(path))


HandlerResult: TypeAlias = "str | Reply | Sequence[str | Reply] | None"
Handler: TypeAlias = Callable[[IncomingMessage], HandlerResult]
_F = TypeVar("_F", bound=Callable[..., object])


@dataclass(frozen=True, slots=True)
class HandlerInfo:
    """What :func:`handler` recorded: the handler's name and its order in its plugin."""

    name: str
    order: int = 0


@overload
def handler(func: _F, /) -> _F: ...
@overload
def handler(*, name: str | None = None, order: int = 0) -> Callable[[_F], _F]: ...


def handler(
    func: _F | None = None, /, *, name: str | None = None, order: int = 0
) -> _F | Callable[[_F], _F]:
    """Mark a function as a handler; ``order`` sorts the handlers of one plugin (low first).

    Usable bare (``@handler``) or with arguments (``@handler(name="x", order=1)``).
    """

    def mark(function: _F) -> _F:
        label = name or str(getattr(function, "__name__", "handler"))
        setattr(function, HANDLER_ATTRIBUTE, HandlerInfo(label, int(order)))
        return function

    return mark(func) if func is not None else mark


class InvalidResult(ValueError):
    """A handler returned something that is not a :data:`HandlerResult`."""


def normalize(result: object) -> tuple[Reply, ...]:
    """A handler's result as replies (empty: no answer), or :class:`InvalidResult`."""
    if result is None:
        return ()
    if isinstance(result, str | Reply):
        items: Sequence[object] = (result,)
    elif isinstance(result, list | tuple):
        items = result
    else:
        raise InvalidResult(
            f"returned {type(result).__name__}; expected None, str, Reply or a list"
        )
    if len(items) > MAX_REPLIES:
        raise InvalidResult(f"returned {len(items)} replies; at most {MAX_REPLIES} are allowed")
    replies: list[Reply] = []
    for item in items:
        if isinstance(item, str):
            item = Reply.text(item)
        if not isinstance(item, Reply) or not isinstance(item.value, str):
            raise InvalidResult(f"returned a list holding {type(item).__name__}")
        if not isinstance(item.kind, ReplyKind):
            raise InvalidResult(f"returned a Reply of unknown kind {item.kind!r}")
        if item.kind is ReplyKind.TEXT:
            if len(item.value) > MAX_TEXT_CHARS:
                raise InvalidResult(f"returned a text of {len(item.value)} characters")
            if not item.value.strip():
                continue
        elif not item.value:
            raise InvalidResult("returned a picture without a path")
        replies.append(item)
    return tuple(replies)


__all__ = [
    "MAX_REPLIES",
    "Handler",
    "HandlerInfo",
    "HandlerResult",
    "IncomingMessage",
    "InvalidResult",
    "MessageType",
    "Reply",
    "ReplyKind",
    "handler",
    "normalize",
]
