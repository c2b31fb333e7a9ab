"""What wxpanel did that an operator may ask about later, as log lines.

"Did it answer Mr Wang at 10:02?", "who switched the welcome rule off?":
the log answers such questions, in the panel (the Log page) as in
``wxpanel headless``, because the lines are written here, by the core
code that does the thing, whoever asked for it.  Actions and events of
interest are logged (a send queued, taken, stuck or failed; an auto-reply
dropped; a rule or timed message added, changed, switched, deleted; the
auto-reply switch; timed messages sent or missed, logged by
:mod:`wxpanel.core.rules.timed` on this same logger), never one line per
incoming message: a busy bot would drown the rest.

Everything goes to the ``wxpanel.activity`` logger at INFO (WARNING for
what went wrong), so the rotating file keeps it by default.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from wxpanel.core.models import CommandStatus, CommandUpdate, Message

if TYPE_CHECKING:
    from wxpanel.core.autoreply.alerts import Alert

log = logging.getLogger("wxpanel.activity")

#: A logged text is cut after this many characters.
PREVIEW_CHARS: Final = 80


def one_line(text: str | None, limit: int = PREVIEW_CHARS) -> str:
    """A text as one log line: newlines shown, long texts cut."""
    flat = (text or "").replace("\r", "").replace("\n", " ⏎ ")
    return flat if len(flat) <= limit else flat[:limit] + "…"


def queued(messages: Sequence[Message]) -> None:
    """Commands put in the outbox: by hand, by a rule, a source or a timed message."""
    for message in messages:
        log.info(
            "queued #%d to %s (%s, %s): %s",
            message.id,
            message.conversation,
            message.origin.value,
            message.type.name.lower(),
            one_line(message.content),
        )


def command_updates(updates: Iterable[CommandUpdate]) -> None:
    """A command taken by demo.exe, stuck or failed (written: only at debug)."""
    for update in updates:
        detail = f": {update.detail}" if update.detail else ""
        line = "command #%d to %s %s%s"
        args = (update.message_id, update.conversation, update.status.value, detail)
        if update.status in (CommandStatus.STUCK, CommandStatus.FAILED):
            log.warning(line, *args)
        elif update.status is CommandStatus.TAKEN:
            log.info(line, *args)
        else:
            log.debug(line, *args)


def alerts(raised: Iterable[Alert]) -> None:
    """Auto-replies dropped or stopped (caps, loops, bad rules, sources switched off)."""
    for alert in raised:
        where = f" in {alert.conversation}" if alert.conversation else ""
        log.warning("auto-reply %s%s: %s", alert.kind.value, where, alert.detail)


def changed(what: str, action: str, name: str = "", item_id: int | None = None) -> None:
    """An operator's edit: ``changed("rule", "added", "欢迎新朋友", 3)``."""
    label = f" #{item_id}" if item_id is not None else ""
    named = f" {name!r}" if name else ""
    log.info("%s%s%s %s", what, label, named, action)


__all__ = ["alerts", "changed", "command_updates", "one_line", "queued"]
