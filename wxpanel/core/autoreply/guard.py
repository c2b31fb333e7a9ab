"""The Guard: the safety of every automatic answer, which no rule or source can switch off.

One :class:`Guard` is opened inside each write transaction that may queue
automatic answers (the replier's, the answer sources' hand-over and
collection) and closed with :meth:`Guard.finish` before that transaction
commits, so that what it counted commits with the answers it let go, or
not at all.  It alone reads and writes the safety tables: ``auto_sent``
(the commands of the last hour, for the caps), ``auto_conversation`` (the
pause, and the rules' run of answers) and ``source_conversation`` (the
sources' run), and the switch ``enabled`` in ``auto_setting``.

What it enforces:

* the global switch (:func:`switched_on`, :func:`set_switched_on`);
* a global and a per-conversation cap of commands per minute, shared by
  every answerer; an answer over a cap is dropped, not delayed, and alerted;
* the loop stop: more than ``loop_exchanges`` answers in a row in one
  conversation, each within ``loop_window`` s of the previous one there
  (two bots answering each other), pauses the conversation for
  ``loop_pause`` s, for every answerer, and raises an alert.

A run of answers is counted per :class:`Track`: the rules end theirs at
every incoming message no rule answers, which would end a run of source
answers too (sources answer what no rule did), so each track counts its
own, and the pause they lead to is one.  A message the operator typed, or
one that got no answer, ends the run (:meth:`Guard.run_ends`).
"""

from __future__ import annotations

import enum
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from wxpanel.core.autoreply.alerts import Alert, AlertKind
from wxpanel.core.autoreply.keyvalue import read_json, write_json
from wxpanel.core.history import HistoryWriter

#: How long the cap log is kept, and how often old state is pruned.
KEEP_SENT: Final = 3600.0
PRUNE_EVERY: Final = 3600.0


class Limits(Protocol):
    """The safety settings (:class:`wxpanel.core.rules.model.AutoReplyConfig`)."""

    @property
    def per_minute(self) -> int: ...
    @property
    def per_conversation_per_minute(self) -> int: ...
    @property
    def loop_exchanges(self) -> int: ...
    @property
    def loop_window(self) -> float: ...
    @property
    def loop_pause(self) -> float: ...


class Track(enum.Enum):
    """Whose run of answers a loop counts (see the module doc)."""

    RULES = "rules"
    SOURCES = "sources"


@dataclass(frozen=True, slots=True)
class PausedConversation:
    """A conversation the loop stop stopped answering until ``until``."""

    conversation: str
    until: float


@dataclass(slots=True)
class _Talk:
    """One conversation's safety state, as read and as changed in this transaction."""

    streaks: dict[Track, int]
    last_replies: dict[Track, float | None]
    paused_until: float | None = None
    dirty: bool = False


def read_setting(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    """A value of ``auto_setting`` (the rules' and the switch's settings)."""
    return read_json(conn, "auto_setting", key, default)


def write_setting(conn: sqlite3.Connection, key: str, value: Any) -> None:
    write_json(conn, "auto_setting", key, value)


def switched_on(conn: sqlite3.Connection) -> bool:
    """The global switch: off, nothing answers automatically (timed messages still go)."""
    return read_setting(conn, "enabled", True) is not False


def set_switched_on(conn: sqlite3.Connection, enabled: bool) -> None:
    """Turn the switch; the caller holds the write transaction."""
    write_setting(conn, "enabled", bool(enabled))


def paused(conn: sqlite3.Connection, now: float) -> list[PausedConversation]:
    """Conversations the loop stop stopped answering, and until when."""
    return [
        PausedConversation(conversation, until)
        for conversation, until in conn.execute(
            "SELECT conversation, paused_until FROM auto_conversation"
            " WHERE paused_until > ? ORDER BY paused_until",
            (now,),
        )
    ]


def paused_until(conn: sqlite3.Connection, conversation: str) -> float | None:
    row = conn.execute(
        "SELECT paused_until FROM auto_conversation WHERE conversation = ?", (conversation,)
    ).fetchone()
    return None if row is None else row[0]


def resume(conn: sqlite3.Connection, conversation: str) -> None:
    """Answer a paused conversation again; the caller holds the write transaction."""
    conn.execute(
        "UPDATE auto_conversation SET paused_until = NULL, streak = 0 WHERE conversation = ?",
        (conversation,),
    )


class Guard:
    """The safety of the automatic answers queued in one write transaction.

    ``limits`` are the current settings; ``alerts`` collects what the
    operator is told, one per kind and conversation (answerers add theirs to
    it too).  Call :meth:`finish` before the transaction commits.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        now: float,
        limits: Limits,
        *,
        prune: bool = False,
    ) -> None:
        self.conn = conn
        self.now = now
        self.limits = limits
        self.switched_on = switched_on(conn)
        self.alerts: dict[tuple[AlertKind, str | None], Alert] = {}
        self.loops = 0
        self._prune = prune
        self._talks: dict[str, _Talk] = {}
        self._sent_log: list[tuple[float, str, int]] = []
        self._sent: dict[str, int] | None = None  # the last minute's commands, read on first use

    # -- reading ---------------------------------------------------------------------

    def preload(self, conversations: Iterable[str]) -> None:
        """Read the state of many conversations in two queries (a batch's)."""
        wanted = sorted({c for c in conversations if c not in self._talks})
        if not wanted:
            return
        names = json.dumps(wanted, ensure_ascii=False)
        for conversation in wanted:
            self._talks[conversation] = _Talk(
                {Track.RULES: 0, Track.SOURCES: 0}, {Track.RULES: None, Track.SOURCES: None}
            )
        for conversation, streak, last_reply, until in self.conn.execute(
            "SELECT conversation, streak, last_reply, paused_until FROM auto_conversation"
            " WHERE conversation IN (SELECT value FROM json_each(?))",
            (names,),
        ):
            talk = self._talks[conversation]
            talk.streaks[Track.RULES] = streak
            talk.last_replies[Track.RULES] = last_reply
            talk.paused_until = until
        for conversation, streak, last_reply in self.conn.execute(
            "SELECT conversation, streak, last_reply FROM source_conversation"
            " WHERE conversation IN (SELECT value FROM json_each(?))",
            (names,),
        ):
            talk = self._talks[conversation]
            talk.streaks[Track.SOURCES] = streak
            talk.last_replies[Track.SOURCES] = last_reply

    def _talk(self, conversation: str) -> _Talk:
        if conversation not in self._talks:
            self.preload((conversation,))
        return self._talks[conversation]

    def paused(self, conversation: str) -> bool:
        """Whether the loop stop paused ``conversation`` (for every answerer)."""
        until = self._talk(conversation).paused_until
        return until is not None and until > self.now

    # -- runs of answers and the loop stop -------------------------------------------

    def run_ends(self, conversation: str, track: Track) -> None:
        """No answer to an incoming message, or the operator spoke: a run of answers ends."""
        talk = self._talk(conversation)
        if talk.streaks[track]:
            talk.streaks[track] = 0
            talk.dirty = True

    def loop_stop(self, conversation: str, track: Track, *, counts: bool = True) -> bool:
        """Count one more answer in ``conversation``'s run (``counts``); True: stop, paused now.

        A message that is no conversation (a join, a friend request) does not
        count: a burst of them is no bot loop.
        """
        limits = self.limits
        talk = self._talk(conversation)
        if counts:
            last = talk.last_replies[track]
            recent = last is not None and self.now - last <= limits.loop_window
            talk.streaks[track] = talk.streaks[track] + 1 if recent else 1
            talk.dirty = True
        if talk.streaks[track] <= limits.loop_exchanges:
            return False
        talk.paused_until = self.now + limits.loop_pause
        talk.streaks = dict.fromkeys(Track, 0)
        talk.dirty = True
        alert = _loop_alert(track, conversation, limits, self.now)
        HistoryWriter.log_error(self.conn, "autoreply", alert.detail, self.now)
        self.alerts[(AlertKind.LOOP, conversation)] = alert
        self.loops += 1
        return True

    def replied(self, conversation: str, track: Track) -> None:
        """An answer of ``track`` went (or is let go) now: the next one may continue the run."""
        talk = self._talk(conversation)
        talk.last_replies[track] = self.now
        talk.dirty = True

    # -- caps ------------------------------------------------------------------------

    def _last_minute(self) -> dict[str, int]:
        """Commands queued in the last minute, by conversation."""
        if self._sent is None:
            rows = self.conn.execute(
                "SELECT conversation, sum(commands) FROM auto_sent WHERE time > ?"
                " GROUP BY conversation",
                (self.now - 60.0,),
            ).fetchall()
            self._sent = {conversation: int(total) for conversation, total in rows}
        return self._sent

    def over_cap(self, conversation: str, size: int) -> bool:
        """Whether ``size`` more commands would exceed a per-minute cap (then alerted)."""
        limits = self.limits
        sent = self._last_minute()
        if sum(sent.values()) + size > limits.per_minute:
            self.alerts.setdefault(
                (AlertKind.CAP, None),
                Alert.keyed(AlertKind.CAP, None, self.now, "alert_cap", limit=limits.per_minute),
            )
            return True
        if sent.get(conversation, 0) + size > limits.per_conversation_per_minute:
            self.alerts.setdefault(
                (AlertKind.CONVERSATION_CAP, conversation),
                Alert.keyed(
                    AlertKind.CONVERSATION_CAP,
                    conversation,
                    self.now,
                    "alert_conversation_cap",
                    conversation=conversation,
                    limit=limits.per_conversation_per_minute,
                ),
            )
            return True
        return False

    def sent(self, conversation: str, size: int) -> None:
        """``size`` commands were queued for ``conversation``: they count for the caps."""
        sent = self._last_minute()
        sent[conversation] = sent.get(conversation, 0) + size
        self._sent_log.append((self.now, conversation, size))

    # -- closing ---------------------------------------------------------------------

    def finish(self) -> None:
        """Write what changed, in the caller's transaction (before it commits)."""
        conn, now = self.conn, self.now
        dirty = [(c, t) for c, t in self._talks.items() if t.dirty]
        conn.executemany(
            "INSERT INTO auto_conversation (conversation, streak, last_reply, paused_until)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (conversation) DO UPDATE SET"
            " streak = excluded.streak, last_reply = excluded.last_reply,"
            " paused_until = excluded.paused_until",
            [
                (c, t.streaks[Track.RULES], t.last_replies[Track.RULES], t.paused_until)
                for c, t in dirty
            ],
        )
        conn.executemany(
            "INSERT INTO source_conversation (conversation, streak, last_reply) VALUES (?, ?, ?)"
            " ON CONFLICT (conversation) DO UPDATE SET streak = excluded.streak,"
            " last_reply = excluded.last_reply",
            [
                (c, t.streaks[Track.SOURCES], t.last_replies[Track.SOURCES])
                for c, t in dirty
                if t.last_replies[Track.SOURCES] is not None or t.streaks[Track.SOURCES]
            ],
        )
        conn.executemany(
            "INSERT INTO auto_sent (time, conversation, commands) VALUES (?, ?, ?)",
            self._sent_log,
        )
        if self.loops:
            HistoryWriter.count(conn, {"auto_loops": self.loops}, now)
        if self._prune:
            conn.execute("DELETE FROM auto_sent WHERE time < ?", (now - KEEP_SENT,))
            conn.execute(
                "DELETE FROM auto_conversation WHERE coalesce(paused_until, 0) < ?"
                " AND coalesce(last_reply, 0) < ?",
                (now, now - KEEP_SENT),
            )
        self._talks.clear()
        self._sent_log.clear()
        self.loops = 0


def _loop_alert(track: Track, conversation: str, limits: Limits, now: float) -> Alert:
    key = "alert_loop" if track is Track.RULES else "alert_source_loop"
    return Alert.keyed(
        AlertKind.LOOP,
        conversation,
        now,
        key,
        conversation=conversation,
        exchanges=limits.loop_exchanges,
        window=limits.loop_window,
        pause_min=limits.loop_pause / 60,
    )
