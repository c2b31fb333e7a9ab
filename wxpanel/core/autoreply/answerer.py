"""The one interface behind which rules, timed messages and answer sources answer.

The Engine holds a list of :class:`Answerer` objects and, every round,
asks each in turn whether it has work (:meth:`Answerer.wanted`) and lets
it answer (:meth:`Answerer.answer`).  Each returns an
:class:`AnswerReport`; later answerers see the reports of earlier ones of
the same round (the answer sources ask only about what no rule answered).
Answerers never import each other: what one must know of another travels
in these reports or in history.db (a rule's delegation is a job row).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol

from wxpanel.core.autoreply.alerts import Alert
from wxpanel.core.models import Message
from wxpanel.core.pacer import Pacer


@dataclass(frozen=True, slots=True)
class AnswerReport:
    """What one answerer did in one round; immutable, safe to hand to the GUI.

    ``queued`` are the new outgoing messages; ``shown`` the values the panel
    shows that changed (a rule's counters, a timed message's run, a
    source's status); ``answered`` the ids of the messages answered;
    ``seen`` the newest message id looked at (0: none); ``more``: work is
    still waiting, call again at once; ``busy``: work is in flight elsewhere
    (answers computed on a pool), so the poller keeps its normal pace even
    when a file watcher wakes it; ``next_due``: the time of the next work
    known in advance (a timed message), if any.
    """

    queued: tuple[Message, ...] = ()
    alerts: tuple[Alert, ...] = ()
    shown: tuple[object, ...] = ()
    answered: frozenset[int] = frozenset()
    seen: int = 0
    more: bool = False
    busy: bool = False
    next_due: float | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """One answerer's turn in a round.

    ``conn`` is the Engine's history connection, ``pacer`` spaces what is
    queued, ``earlier`` are this round's reports of the answerers before.
    """

    conn: sqlite3.Connection
    pacer: Pacer
    now: float
    earlier: tuple[AnswerReport, ...] = ()


class Answerer(Protocol):
    """Something that answers messages (or sends on its own), on the Engine's thread."""

    def start(self, conn: sqlite3.Connection) -> None:
        """Before the first round: read where the last run stopped (reads only)."""

    def wanted(self, now: float, *, arrived: bool, edited: bool) -> bool:
        """Whether to call :meth:`answer` this round.

        ``arrived``: new messages came in since the last round; ``edited``:
        another connection changed history.db (the panel, ``wxpanel send``).
        """

    def answer(self, turn: Turn) -> AnswerReport:
        """One round of work.  Raises :class:`sqlite3.OperationalError` when locked
        (nothing changed then; the next turn does the same work)."""

    def close(self) -> None:
        """The Engine stops."""
