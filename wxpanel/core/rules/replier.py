"""The auto-replier: answers new messages by the rules, exactly once, always safely.

:meth:`AutoReplier.process` is called by the poller after each ingested
batch.  In one ``BEGIN IMMEDIATE`` transaction it reads the messages after
the watermark, decides, queues the answers in the outbox (origin AUTO, so
the pacer spaces them), updates the per-rule counters and per-conversation
state, and advances the watermark.  A crash at any instant leaves either
all of that or none of it, so an event is answered once, never twice, even
across a restart.  While there is nothing new it takes no lock at all.
While no rule can answer (no rule, or the switch off), the messages are
passed over in the transaction that records them (:meth:`AutoReplier.pass_over`,
run by the Engine inside the ingest's commit): one commit per round, not two.

Safety that no rule can switch off is the
:class:`~wxpanel.core.autoreply.guard.Guard`'s, opened in the same
transaction: the global switch, the per-minute caps (an answer that would
exceed one is dropped, not delayed, and reported) and the loop stop, which
counts the rules' run of answers in a conversation (an incoming message
that gets no answer, or a message the operator sends, ends it).  Only
incoming events are answered: never the account's own messages (发出),
never a command of ours (manual, auto or timed).

A rule whose reply names an answer source (``Reply.source``) *delegates*:
it matches, cools down and counts like any rule, queues its own texts or
picture if it has any, and its :class:`Answer` says ``delegate`` (outcome
DELEGATED).  The same transaction records the delegation as a job row
(:mod:`wxpanel.core.autoreply.jobs`), which the answer sources' hand-over
takes over in its own transaction, so a crash between the two loses
nothing and answers nothing twice.  The source's answer goes through the
Guard like any source answer.
"""

from __future__ import annotations

import enum
import random
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Final

from wxpanel.core.autoreply import jobs
from wxpanel.core.autoreply.alerts import Alert, AlertKind
from wxpanel.core.autoreply.answerer import AnswerReport, Turn
from wxpanel.core.autoreply.config import load_config
from wxpanel.core.autoreply.guard import (
    KEEP_SENT,
    PRUNE_EVERY,
    Guard,
    Track,
    read_setting,
    switched_on,
    write_setting,
)
from wxpanel.core.autoreply.incoming import spoken_by_operator
from wxpanel.core.autoreply.sending import Outgoing, queue_commands, with_pictures_checked
from wxpanel.core.history import HistoryWriter, immediate, message_from_row
from wxpanel.core.models import Message, Origin
from wxpanel.core.names import nicknames
from wxpanel.core.outbox import DEFAULT_PICTURE_LIMIT
from wxpanel.core.pacer import Pacer
from wxpanel.core.protocol import Direction
from wxpanel.core.rules.evaluate import (
    Event,
    EventKind,
    Incoming,
    LocalTime,
    RuleSet,
    plan,
)
from wxpanel.core.rules.model import Rule, RuleKind
from wxpanel.core.rules.store import RuleCounter, load_rules, rules_version
from wxpanel.core.texts import Text

#: Messages looked at per transaction; the rest waits for the next call.
BATCH: Final = 500
#: Cooldown keys of welcome rules start with this and are never pruned:
#: a welcome is once per contact, ever, whatever the rule's cooldown.
WELCOMED: Final = "welcome:"


class Outcome(enum.StrEnum):
    """What became of one matched rule for one message."""

    QUEUED = "queued"
    COOLDOWN = "cooldown"
    PAUSED = "paused"  # the conversation is paused by loop detection
    LOOP = "loop"  # this message started the pause
    CAP = "cap"
    EMPTY = "empty"  # every text rendered empty and no picture
    DELEGATED = "delegated"  # handed to the answer source ``Answer.delegate``


@dataclass(frozen=True, slots=True)
class Answer:
    """One rule's decision on one message."""

    event_id: int
    conversation: str
    rule_id: int
    rule_name: str
    outcome: Outcome
    message_ids: tuple[int, ...] = ()
    delegate: str | None = None  # the answer source that writes the answer (DELEGATED)


@dataclass(frozen=True, slots=True)
class ReplyReport:
    """What one :meth:`AutoReplier.process` call did; immutable, safe to hand to the GUI.

    ``queued`` are the new outgoing messages (show them like any message);
    ``counters`` the new totals of the rules that matched; ``more`` says that
    messages are still waiting (call again without delay).
    """

    queued: tuple[Message, ...] = ()
    alerts: tuple[Alert, ...] = ()
    answers: tuple[Answer, ...] = ()
    counters: tuple[RuleCounter, ...] = ()
    examined: int = 0
    watermark: int = 0
    more: bool = False

    @property
    def empty(self) -> bool:
        return not (self.queued or self.alerts or self.answers)


@dataclass(slots=True)
class _Round:
    """Mutable bookkeeping of one transaction; the safety state is the Guard's."""

    guard: Guard
    cooldowns: dict[tuple[int, str], float] = field(default_factory=dict)
    cooldowns_changed: dict[tuple[int, str], float] = field(default_factory=dict)
    counters: dict[int, list[float]] = field(default_factory=dict)  # id -> [matched, sent, last]
    queued: list[Message] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    dropped: int = 0
    #: message id -> (conversation, the sources rules delegated it to)
    delegations: dict[int, tuple[str, list[str]]] = field(default_factory=dict)


class AutoReplier:
    """Answers new history messages by the stored rules; one per poller.

    ``tz`` is the zone of active hours and ``{time}`` (None: the system's);
    ``rng`` picks among random replies.  The rules are reloaded whenever
    another connection changed them (``rules_version``).
    """

    def __init__(
        self,
        *,
        rng: random.Random | None = None,
        tz: tzinfo | None = None,
        batch: int = BATCH,
        picture_max_bytes: int = DEFAULT_PICTURE_LIMIT,
    ) -> None:
        self.rng = rng or random.Random()
        self.tz = tz
        self.batch = batch
        self.picture_max_bytes = picture_max_bytes
        self._ruleset: RuleSet | None = None
        self._version = -1
        self._seen = -1  # the watermark as of our last transaction
        self._next_prune = 0.0
        self._pending = True  # messages may wait that the rules have not looked at
        #: The last look found that no rule could answer (see :meth:`pass_over`).
        self._mute = True

    # -- the Answerer interface (wxpanel.core.autoreply.answerer) ----------------------

    def start(self, conn: sqlite3.Connection) -> None:
        """Nothing to read ahead: the watermark is read in each transaction."""

    def wanted(self, now: float, *, arrived: bool, edited: bool) -> bool:
        self._pending = self._pending or arrived
        return self._pending

    def answer(self, turn: Turn) -> AnswerReport:
        report = self.process(turn.conn, turn.pacer, turn.now)
        self._pending = report.more
        return AnswerReport(
            queued=report.queued,
            alerts=report.alerts,
            shown=report.counters,
            answered=frozenset(a.event_id for a in report.answers),
            seen=report.watermark,
            more=report.more,
        )

    def close(self) -> None:
        """Nothing to release."""

    @property
    def ruleset(self) -> RuleSet | None:
        """The compiled rules of the last round (None before the first)."""
        return self._ruleset

    def process(self, conn: sqlite3.Connection, pacer: Pacer, now: float) -> ReplyReport:
        """Answer the messages that arrived since the last call; see the module doc.

        ``conn`` is a connection to history.db (the Engine's ``hconn``: its
        transaction then never locks demo.exe's exchange.db); any connection
        that sees the history tables works.  Raises
        :class:`sqlite3.OperationalError` when locked; nothing changed then,
        and the next call does the same work.
        """
        newest = int(conn.execute("SELECT coalesce(max(id), 0) FROM message").fetchone()[0])
        if newest > self._seen and self._mute:
            # :meth:`pass_over` may have moved it past them, in the ingest's commit.
            self._seen = max(self._seen, int(read_setting(conn, "watermark", 0) or 0))
        if newest <= self._seen:
            return ReplyReport(watermark=self._seen)
        with immediate(conn):
            report = self._process(conn, pacer, now, newest)
        self._seen = report.watermark
        return report

    def _process(
        self, conn: sqlite3.Connection, pacer: Pacer, now: float, newest: int
    ) -> ReplyReport:
        watermark = int(read_setting(conn, "watermark", 0) or 0)
        ruleset = self._load(conn)
        self._mute = not switched_on(conn) or ruleset.empty
        if self._mute:
            # Nothing can answer: skip everything there is, without reading it.
            skipped, last = self._pass_over(conn, watermark)
            return ReplyReport(examined=skipped, watermark=last)
        rows = conn.execute(
            "SELECT * FROM message_row WHERE id > ? ORDER BY id LIMIT ?",
            (watermark, self.batch + 1),
        ).fetchall()
        if not rows:
            return ReplyReport(watermark=watermark)
        more = len(rows) > self.batch
        messages = [message_from_row(row) for row in rows[: self.batch]]
        local = LocalTime.at(now, self.tz)
        events = [
            (message, ruleset.classify(Incoming.from_message(message))) for message in messages
        ]
        prune = now >= self._next_prune
        if prune:
            self._next_prune = now + PRUNE_EVERY
        state = _Round(Guard(conn, now, ruleset.config, prune=prune))
        state.guard.preload({event.reply_to for _, event in events})
        aliases = nicknames(conn, {event.sender for _, event in events if event.sender})
        for message, event in events:
            if spoken_by_operator(message):
                state.guard.run_ends(message.conversation, Track.RULES)  # a human spoke
                continue
            if event.kind is EventKind.OTHER:
                if message.origin is Origin.EVENT and message.direction is Direction.IN:
                    state.guard.run_ends(event.reply_to, Track.RULES)
                continue
            try:
                self._answer(conn, pacer, state, ruleset, event, local, aliases)
            except sqlite3.Error:
                raise  # locked, disk full: nothing is kept, the next call does it again
            except Exception as exc:
                self._failed(conn, state, event, exc)
        last = messages[-1].id
        if state.queued and not more:
            last = max(last, state.queued[-1].id)
        write_setting(conn, "watermark", last)
        self._finish_round(conn, state, ruleset, prune)
        return ReplyReport(
            queued=tuple(state.queued),
            alerts=tuple(state.guard.alerts.values()),
            answers=tuple(state.answers),
            counters=_read_counters(conn, state.counters),
            examined=len(messages),
            watermark=last,
            more=more,
        )

    def pass_over(self, conn: sqlite3.Connection) -> None:
        """In the transaction that records new messages: skip them now if no rule can answer.

        Called by the Engine inside the ingest's transaction, after its
        inserts.  While no rule can answer (the switch off, or no rule), the
        watermark then moves past the new messages in the very commit that
        records them, and :meth:`process` finds nothing to do: no second
        commit per round (a sync of history.db-wal) for nothing.  Moving it
        with the messages also leaves no moment after a crash where messages
        that arrived while nothing could answer wait to be answered.  Whether
        rules can answer is asked again here, in the transaction, so rules
        switched on meanwhile answer as usual in the round's own transaction;
        after a round that answered, this costs nothing until one that could
        not.  ``_seen`` is not moved here: the commit may still fail, and the
        next :meth:`process` reads the watermark that was committed.
        """
        if not self._mute:
            return
        ruleset = self._load(conn)
        self._mute = not switched_on(conn) or ruleset.empty
        if self._mute:
            self._pass_over(conn, int(read_setting(conn, "watermark", 0) or 0))

    def _pass_over(self, conn: sqlite3.Connection, watermark: int) -> tuple[int, int]:
        """Move the watermark past every message: how many it skipped (at most a
        batch are counted) and the new watermark."""
        skipped, newest = conn.execute(
            "SELECT count(*), max(id) FROM"
            " (SELECT id FROM message WHERE id > ? ORDER BY id DESC LIMIT ?)",
            (watermark, self.batch),
        ).fetchone()
        if not skipped:
            return 0, watermark
        write_setting(conn, "watermark", int(newest))
        return int(skipped), int(newest)

    # -- one message ---------------------------------------------------------------

    def _answer(
        self,
        conn: sqlite3.Connection,
        pacer: Pacer,
        state: _Round,
        ruleset: RuleSet,
        event: Event,
        local: LocalTime,
        aliases: Mapping[str, str],
    ) -> None:
        matches = ruleset.matches(event, local)
        conversation = event.reply_to
        guard = state.guard
        if not matches:
            guard.run_ends(conversation, Track.RULES)
            return
        now = state.guard.now
        ready: list[tuple[Rule, tuple[Outgoing, ...]]] = []
        delegating: list[Rule] = []  # rules that only hand the message to a source
        for match in matches:
            rule = match.rule
            assert rule.id is not None
            counter = state.counters.setdefault(rule.id, [0, 0, now])
            counter[0] += 1
            counter[2] = now
            if guard.paused(conversation):
                self._note(state, event.incoming.id, conversation, rule, Outcome.PAUSED)
                continue
            last = self._cooldown(conn, state, rule.id, cooldown_key(rule, event))
            welcomed = rule.kind in WELCOMES and last is not None
            if welcomed or (rule.cooldown > 0 and last is not None and now - last < rule.cooldown):
                self._note(state, event.incoming.id, conversation, rule, Outcome.COOLDOWN)
                continue
            planned = plan(event, match, local, aliases).outgoing(self.rng)
            sends = with_pictures_checked(planned, self.picture_max_bytes, now, state.guard.alerts)
            if not sends and rule.reply.source is not None:
                delegating.append(rule)
                continue
            if not sends:
                self._note(state, event.incoming.id, conversation, rule, Outcome.EMPTY)
                continue
            ready.append((rule, sends))
        if not ready:
            # The source's answer counts for the sources' run, not the rules'.
            for rule in delegating:
                self._delegate(state, event, rule, ())
            return
        # A burst of joins or requests is no bot loop: only texts count.
        if guard.loop_stop(conversation, Track.RULES, counts=event.kind is EventKind.TEXT):
            for rule in [rule for rule, _ in ready] + delegating:
                self._note(state, event.incoming.id, conversation, rule, Outcome.LOOP)
            return
        for rule in delegating:
            self._delegate(state, event, rule, ())
        for rule, sends in ready:
            size = len(sends)
            if guard.over_cap(conversation, size):
                state.dropped += 1
                self._note(state, event.incoming.id, conversation, rule, Outcome.CAP)
                continue
            queued = queue_commands(conn, sends, origin=Origin.AUTO, pacer=pacer, now=now)
            assert rule.id is not None
            state.queued.extend(queued)
            guard.sent(conversation, size)
            cooled = cooldown_key(rule, event)
            state.cooldowns[(rule.id, cooled)] = now
            state.cooldowns_changed[(rule.id, cooled)] = now
            state.counters[rule.id][1] += 1
            if event.kind is EventKind.TEXT:
                guard.replied(conversation, Track.RULES)
            if rule.reply.source is not None:
                state.counters[rule.id][1] -= 1  # _delegate counts it
                self._delegate(state, event, rule, tuple(m.id for m in queued))
                continue
            self._note(
                state,
                event.incoming.id,
                conversation,
                rule,
                Outcome.QUEUED,
                tuple(m.id for m in queued),
            )

    @staticmethod
    def _note(
        state: _Round,
        event_id: int,
        conversation: str,
        rule: Rule,
        outcome: Outcome,
        ids: tuple[int, ...] = (),
    ) -> None:
        assert rule.id is not None
        state.answers.append(Answer(event_id, conversation, rule.id, rule.label, outcome, ids))

    @staticmethod
    def _delegate(state: _Round, event: Event, rule: Rule, ids: tuple[int, ...]) -> None:
        """``rule`` hands ``event`` to its answer source: cooldown, counter, the hub's note."""
        assert rule.id is not None and rule.reply.source is not None
        key = cooldown_key(rule, event)
        state.cooldowns[(rule.id, key)] = state.guard.now
        state.cooldowns_changed[(rule.id, key)] = state.guard.now
        state.counters[rule.id][1] += 1
        _, names = state.delegations.setdefault(event.incoming.id, (event.reply_to, []))
        if rule.reply.source not in names:
            names.append(rule.reply.source)
        state.answers.append(
            Answer(
                event.incoming.id,
                event.reply_to,
                rule.id,
                rule.label,
                Outcome.DELEGATED,
                ids,
                rule.reply.source,
            )
        )

    @staticmethod
    def _failed(conn: sqlite3.Connection, state: _Round, event: Event, exc: Exception) -> None:
        """Evaluating ``event`` raised: record it with the watermark that moves past it.

        The error, the alert and the new watermark commit together, so a
        message that cannot be evaluated is reported once and never tried
        again, after a restart neither: one message must not stop the bot.
        """
        text = Text.of(
            "alert_rule_failed",
            message=event.incoming.id,
            detail=f"{type(exc).__name__}: {exc}",
        )
        alert = Alert.of(AlertKind.EVALUATION, event.reply_to, text, state.guard.now)
        state.guard.alerts[(AlertKind.EVALUATION, str(event.incoming.id))] = alert
        HistoryWriter.log_error(conn, "autoreply", alert.detail, state.guard.now)
        state.guard.run_ends(event.reply_to, Track.RULES)

    # -- state ---------------------------------------------------------------------

    def _load(self, conn: sqlite3.Connection) -> RuleSet:
        version = rules_version(conn)
        if self._ruleset is None or version != self._version:
            self._ruleset = RuleSet(load_rules(conn), load_config(conn))
            self._version = version
        return self._ruleset

    def reload(self) -> None:
        """Forget the compiled rules; the next call reads them again."""
        self._ruleset = None

    @staticmethod
    def _cooldown(
        conn: sqlite3.Connection, state: _Round, rule_id: int, conversation: str
    ) -> float | None:
        key = (rule_id, conversation)
        if key not in state.cooldowns:
            row = conn.execute(
                "SELECT last_time FROM auto_cooldown WHERE rule_id = ? AND conversation = ?",
                key,
            ).fetchone()
            if row is None:
                return None
            state.cooldowns[key] = float(row[0])
        return state.cooldowns[key]

    def _finish_round(
        self, conn: sqlite3.Connection, state: _Round, ruleset: RuleSet, prune: bool
    ) -> None:
        now = state.guard.now
        conn.executemany(
            "INSERT INTO auto_cooldown (rule_id, conversation, last_time) VALUES (?, ?, ?)"
            " ON CONFLICT (rule_id, conversation) DO UPDATE SET last_time = excluded.last_time",
            [(rule_id, conv, when) for (rule_id, conv), when in state.cooldowns_changed.items()],
        )
        conn.executemany(
            "INSERT INTO auto_rule_counter (rule_id, matched, sent, last_matched)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (rule_id) DO UPDATE SET"
            " matched = matched + excluded.matched, sent = sent + excluded.sent,"
            " last_matched = excluded.last_matched",
            [(rule_id, int(c[0]), int(c[1]), c[2]) for rule_id, c in state.counters.items()],
        )
        answers = sum(1 for a in state.answers if a.outcome is Outcome.QUEUED or a.message_ids)
        jobs.delegate(
            conn,
            {mid: (c, jobs.names_json(names)) for mid, (c, names) in state.delegations.items()},
            state.guard.now,
        )
        HistoryWriter.count(conn, {"auto_answers": answers, "auto_dropped": state.dropped}, now)
        state.guard.finish()
        if prune:
            longest = max((r.cooldown for r in ruleset.rules), default=0.0)
            conn.execute(
                "DELETE FROM auto_cooldown WHERE last_time < ? AND substr(conversation, 1, ?) <> ?",
                (now - longest - KEEP_SENT, len(WELCOMED), WELCOMED),
            )


WELCOMES: Final = frozenset({RuleKind.WELCOME_FRIEND, RuleKind.WELCOME_GROUP})


def cooldown_key(rule: Rule, event: Event) -> str:
    """Whose answer a cooldown counts: the conversation, or for welcomes the newcomer.

    A friend request is welcomed once per wxid, a group join once per group
    and names who joined (a notice carries names only), and both forever.
    """
    if rule.kind is RuleKind.WELCOME_FRIEND:
        return f"{WELCOMED}{event.sender}"
    if rule.kind is RuleKind.WELCOME_GROUP:
        return f"{WELCOMED}{event.reply_to}:{event.text}"
    return event.reply_to


def _read_counters(
    conn: sqlite3.Connection, touched: Mapping[int, object]
) -> tuple[RuleCounter, ...]:
    import json

    if not touched:
        return ()
    rows = conn.execute(
        "SELECT rule_id, matched, sent, last_matched FROM auto_rule_counter"
        " WHERE rule_id IN (SELECT value FROM json_each(?)) ORDER BY rule_id",
        (json.dumps(sorted(touched)),),
    ).fetchall()
    return tuple(RuleCounter(*row) for row in rows)
