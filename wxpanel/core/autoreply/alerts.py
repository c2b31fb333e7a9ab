"""Alerts: what the answering pipeline tells the operator it stopped or dropped.

Raised by the :class:`~wxpanel.core.autoreply.guard.Guard` (loops, caps)
and by the answerers (a picture left out, a rule that failed, a source
switched off); shown by the panel as a banner, the tray and the log.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from wxpanel.core.texts import FieldValue, Text


class AlertKind(enum.StrEnum):
    LOOP = "loop"  # a conversation was paused
    CAP = "cap"  # the global per-minute cap dropped an answer
    CONVERSATION_CAP = "conversation_cap"  # the per-conversation cap dropped an answer
    PICTURE = "picture"  # a rule's picture cannot be sent; its texts went
    RULE = "rule"  # a stored rule is invalid and was skipped
    EVALUATION = "evaluation"  # evaluating the rules raised for one message; it was passed over
    SOURCE = "source"  # an answer source (plugin, webhook, AI) was switched off by an error


@dataclass(frozen=True, slots=True)
class Alert:
    """Something the operator should see (a banner, the tray, the log).

    ``detail`` is the English line; ``key`` and ``fields`` the same sentence as
    a translatable :class:`~wxpanel.core.texts.Text` ("" when the
    alert was made without one: show ``detail``).
    """

    kind: AlertKind
    conversation: str | None
    detail: str
    time: float
    key: str = ""
    fields: tuple[tuple[str, FieldValue], ...] = ()

    @classmethod
    def of(cls, kind: AlertKind, conversation: str | None, text: Text, time: float) -> Alert:
        """The alert whose detail is ``text`` in English."""
        return cls(kind, conversation, str(text), time, text.key, text.fields)

    @classmethod
    def keyed(
        cls,
        kind: AlertKind,
        conversation: str | None,
        time: float,
        key: str,
        /,
        **fields: FieldValue,
    ) -> Alert:
        """The alert of the text ``key`` filled with ``fields``."""
        return cls.of(kind, conversation, Text.of(key, **fields), time)

    @property
    def text(self) -> Text | None:
        return Text(self.key, self.fields) if self.key else None
