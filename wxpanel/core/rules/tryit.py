"""The "try it" box: which rule would answer a sample message, and exactly what it would send.

Pure: nothing is written, no counter moves, no cooldown starts.
:func:`try_message` works on rules in memory (the edit dialog's unsaved
rule included); :func:`try_stored` reads the stored rules, the switch, the
aliases and the conversation's cooldowns and pause, so that its answer is
the one the running poller would give right now.  Caps are not simulated:
they depend on traffic, not on the message.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from wxpanel.core.autoreply.config import AutoReplyConfig, load_config
from wxpanel.core.autoreply.guard import paused_until, switched_on
from wxpanel.core.names import nicknames
from wxpanel.core.protocol import MessageType
from wxpanel.core.rules.evaluate import (
    EventKind,
    Incoming,
    LocalTime,
    PlannedReply,
    RuleSet,
    base_values,
    plan,
)
from wxpanel.core.rules.model import ReplyMode, Rule, demo_limit
from wxpanel.core.rules.store import load_rules
from wxpanel.core.texts import Text


@dataclass(frozen=True, slots=True)
class TryState:
    """What the poller remembers that changes an answer: the switch, cooldowns, pauses."""

    enabled: bool = True
    last_answered: Mapping[int, float] = field(default_factory=dict)  # rule id -> time, here
    paused_until: float | None = None


@dataclass(frozen=True, slots=True)
class TryAnswer:
    """A rule that matches; ``reply`` is what it sends unless ``blocked`` says why not.

    ``blocked_text`` is the same reason as a translatable
    :class:`~wxpanel.core.texts.Text`; ``blocked`` its English.
    """

    rule: Rule
    reply: PlannedReply
    blocked_text: Text | None = None

    @property
    def blocked(self) -> str | None:
        return None if self.blocked_text is None else str(self.blocked_text)


@dataclass(frozen=True, slots=True)
class TryResult:
    """What the rules would do with a sample.

    ``verdicts`` and ``note_text`` are translatable
    :class:`~wxpanel.core.texts.Text` values; ``considered`` and
    ``note`` are the same in English.
    """

    kind: EventKind
    answers: tuple[TryAnswer, ...] = ()
    verdicts: tuple[tuple[Rule, Text], ...] = ()  # every rule looked at, and the verdict
    note_text: Text | None = None  # why nothing at all would answer
    #: What each placeholder would say for this sample: (``nickname``, "阿明")…
    values: tuple[tuple[str, str], ...] = ()
    #: Enabled rules that can never fire with demo.exe, and why.
    never: tuple[tuple[Rule, Text], ...] = ()

    @property
    def considered(self) -> tuple[tuple[Rule, str], ...]:
        """Every rule looked at and its verdict in English (``"no trigger matches"``)."""
        return tuple((rule, str(verdict)) for rule, verdict in self.verdicts)

    @property
    def note(self) -> str | None:
        return None if self.note_text is None else str(self.note_text)

    @property
    def sending(self) -> tuple[TryAnswer, ...]:
        """The answers that would really go out."""
        return tuple(answer for answer in self.answers if answer.blocked is None)

    def describe(self) -> str:
        """A plain-text account, for the command line and logs."""
        lines: list[str] = []
        if self.note:
            lines.append(self.note)
        for answer in self.answers:
            reply = answer.reply
            head = f"rule {answer.rule.label!r} answers {reply.to}"
            if answer.blocked:
                head += f", but not now: {answer.blocked}"
            lines.append(head)
            if reply.mode is ReplyMode.RANDOM and len(reply.texts) > 1:
                lines.append("  one of, at random:")
                lines.extend(f"    {text}" for text in reply.texts)
            else:
                lines.extend(f"  {text}" for text in reply.texts)
            if reply.picture:
                lines.append(f"  [picture] {reply.picture}")
        if not self.answers and not self.note:
            lines.append("no rule answers this message")
        lines.extend(f"rule {rule.label!r}: {reason}" for rule, reason in self.never)
        return "\n".join(lines)


def try_message(
    rules: Sequence[Rule] | RuleSet,
    sample: Incoming,
    *,
    now: float,
    tz: tzinfo | None = None,
    config: AutoReplyConfig | None = None,
    aliases: Mapping[str, str] | None = None,
    state: TryState | None = None,
) -> TryResult:
    """What the rules would do with ``sample`` at ``now``.

    Unsaved rules without an id can be tried too (they never have a cooldown).
    """
    ruleset = rules if isinstance(rules, RuleSet) else RuleSet(_with_ids(rules), config)
    state = state or TryState()
    event = ruleset.classify(sample)
    never = tuple(
        (rule, limit)
        for rule in ruleset.rules
        if rule.enabled and (limit := demo_limit(rule)) is not None
    )
    if event.kind is EventKind.OTHER:
        key = "never_outgoing" if sample.direction.value == "out" else "never_this_kind"
        if sample.type is MessageType.SYSTEM:
            key = "never_system"
        return TryResult(event.kind, note_text=Text.of(key), never=never)
    local = LocalTime.at(now, tz)
    values = tuple(base_values(event, local, aliases or {}).items())
    explained = ruleset.explain(event, local)
    answers: list[TryAnswer] = []
    for match, rule, _ in explained:
        if match is None:
            continue
        reply = plan(event, match, local, aliases or {})
        blocked: Text | None = None
        if not state.enabled:
            blocked = Text.of("switched_off")
        elif state.paused_until is not None and state.paused_until > now:
            blocked = Text.of("loop_paused")
        elif rule.id is not None and rule.cooldown > 0:
            last = state.last_answered.get(rule.id)
            if last is not None and now - last < rule.cooldown:
                blocked = Text.of("cooling_down", seconds=rule.cooldown - (now - last))
        if blocked is None and reply.size == 0 and not rule.reply.source:
            blocked = Text.of("renders_empty")
        answers.append(TryAnswer(rule, reply, blocked))
    verdicts = tuple((rule, reason) for _, rule, reason in explained)
    return TryResult(event.kind, tuple(answers), verdicts, values=values, never=never)


def try_stored(
    conn: sqlite3.Connection,
    sample: Incoming,
    *,
    now: float,
    tz: tzinfo | None = None,
) -> TryResult:
    """:func:`try_message` with the stored rules and this conversation's current state."""
    ruleset = RuleSet(load_rules(conn), load_config(conn))
    event = ruleset.classify(sample)
    where = event.reply_to
    last_answered = {
        rule_id: float(last)
        for rule_id, last in conn.execute(
            "SELECT rule_id, last_time FROM auto_cooldown WHERE conversation = ?", (where,)
        )
    }
    state = TryState(
        enabled=switched_on(conn),
        last_answered=last_answered,
        paused_until=paused_until(conn, where),
    )
    return try_message(
        ruleset,
        sample,
        now=now,
        tz=tz,
        aliases=nicknames(conn, [event.sender]),
        state=state,
    )


def _with_ids(rules: Sequence[Rule]) -> list[Rule]:
    """Unsaved rules get negative ids so that results can tell them apart."""
    from dataclasses import replace

    return [
        rule if rule.id is not None else replace(rule, id=-(index + 1))
        for index, rule in enumerate(rules)
    ]
