"""Deciding which rules answer a message: pure functions over immutable values.

A :class:`RuleSet` is built once from the stored rules (each trigger's
keyword normalised, each regular expression compiled) and then answers
:meth:`RuleSet.matches` for every message without touching the database;
the per-conversation state (cooldowns, caps, loops) is the replier's
business.  The same code serves the poller and the "try it" box.

A message is first classified (:func:`classify`): a text in a private chat
or a group, a friend request (MSG_TYPE 37, conversation ``fmessage``), a
group join (a MSG_TYPE 10000 notice such as "A邀请B加入了群聊"), or
something no rule answers (pictures, voice, the account's own messages…).
"""

from __future__ import annotations

import enum
import html
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Final

from wxpanel.core.autoreply.config import AutoReplyConfig
from wxpanel.core.autoreply.incoming import MentionFinder, is_service
from wxpanel.core.autoreply.sending import Outgoing
from wxpanel.core.models import Message, Origin
from wxpanel.core.protocol import CommandType, Direction, MessageType, is_group_id
from wxpanel.core.rules.model import (
    AfterMatch,
    MatchMode,
    ReplyMode,
    Rule,
    RuleKind,
    ScopeKind,
    errors,
    validate_rule,
)
from wxpanel.core.rules.pattern import PatternError, Regex, RegexSet, compile_regex, encode
from wxpanel.core.rules.template import render
from wxpanel.core.texts import Text

#: Longest text the triggers see; a longer message is matched on its start, so
#: that a pasted article cannot make a regular expression run for seconds.
MAX_MATCH_CHARS: Final = 4000

_QUOTES = "\"'“”‘’「」"
# RE2 (linear) like the rules': with ``re``, a notice of "x invited " repeated
# 16 000 times takes a minute of backtracking on the poller.
_JOIN_PATTERNS: Final = tuple(
    compile_regex(pattern)
    for pattern in (
        r"^(?P<inviter>.+?)邀请(?P<joined>.+?)加入了群聊",
        r"^(?P<joined>.+?)通过扫描(?P<inviter>.+?)分享的二维码加入群聊",
        r"^(?P<joined>.+?)通过扫描二维码加入群聊",
        r"^(?P<joined>.+?)通过(?P<inviter>.+?)的邀请链接加入群聊",
        r"^(?P<inviter>.+?) invited (?P<joined>.+?) to (?:join )?the group chat",
        r"^(?P<joined>.+?) joined the group chat via the QR [Cc]ode shared by (?P<inviter>.+?)\.?$",
    )
)
_XML_ATTR = re.compile(r'\b(fromusername|fromnickname|content)="([^"]*)"')


class EventKind(enum.Enum):
    TEXT = "text"
    FRIEND_REQUEST = "friend request"
    GROUP_JOIN = "group join"
    OTHER = "other"


#: Which rules look at which kind of event.
_KINDS_FOR: Final = {
    EventKind.TEXT: (RuleKind.KEYWORD, RuleKind.DEFAULT),
    EventKind.FRIEND_REQUEST: (RuleKind.WELCOME_FRIEND,),
    EventKind.GROUP_JOIN: (RuleKind.WELCOME_GROUP,),
    EventKind.OTHER: (),
}


@dataclass(frozen=True, slots=True)
class Incoming:
    """What rules see of a message (a history :class:`Message`, or a sample to try)."""

    conversation: str
    content: str | None
    sender: str | None = None
    type: MessageType = MessageType.TEXT
    direction: Direction = Direction.IN
    origin: Origin = Origin.EVENT
    id: int = 0

    @classmethod
    def from_message(cls, message: Message) -> Incoming:
        return cls(
            conversation=message.conversation,
            content=message.content,
            sender=message.sender,
            type=message.type,
            direction=message.direction,
            origin=message.origin,
            id=message.id,
        )


@dataclass(frozen=True, slots=True)
class Event:
    """A classified message: what kind, whom an answer goes to, what triggers see."""

    kind: EventKind
    incoming: Incoming
    reply_to: str
    sender: str
    text: str  # matched by triggers and sent as {content}: our @mention removed, stripped
    is_group: bool = False
    is_service: bool = False
    mentions: frozenset[str] = frozenset()  # which of the account's names were @-ed
    values: Mapping[str, str] = field(default_factory=dict)  # {nickname}, {inviter} of welcomes


@dataclass(frozen=True, slots=True)
class Match:
    """A rule that answers an event; ``groups`` are its regular expression's groups."""

    rule: Rule
    groups: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlannedReply:
    """Exactly what a matched rule would send: rendered texts, then the picture.

    With :attr:`ReplyMode.RANDOM`, ``texts`` are the alternatives and one is
    sent.
    """

    rule: Rule
    to: str
    texts: tuple[str, ...]
    mode: ReplyMode
    picture: str | None

    @property
    def size(self) -> int:
        """How many commands it queues."""
        count = len(self.texts) if self.mode is ReplyMode.ALL else min(1, len(self.texts))
        return count + (1 if self.picture else 0)

    def outgoing(self, rng: random.Random | None = None) -> tuple[Outgoing, ...]:
        texts = self.texts
        if self.mode is ReplyMode.RANDOM and len(texts) > 1:
            texts = ((rng or random.Random()).choice(texts),)
        sends = [Outgoing(self.to, CommandType.TEXT, text) for text in texts]
        if self.picture:
            sends.append(Outgoing(self.to, CommandType.PICTURE, self.picture))
        return tuple(sends)


@dataclass(frozen=True, slots=True)
class LocalTime:
    """The wall clock rules are judged by."""

    moment: datetime

    @classmethod
    def at(cls, now: float, tz: tzinfo | None = None) -> LocalTime:
        return cls(datetime.fromtimestamp(now, tz))

    @property
    def weekday(self) -> int:
        return self.moment.isoweekday()

    @property
    def minute(self) -> int:
        return self.moment.hour * 60 + self.moment.minute


# -- classification ------------------------------------------------------------------


def classify(incoming: Incoming, mentions: MentionFinder | None = None) -> Event:
    """What kind of event ``incoming`` is for the rules; never raises."""
    conversation = incoming.conversation or ""
    sender = incoming.sender or conversation
    content = incoming.content if isinstance(incoming.content, str) else ""
    other = Event(EventKind.OTHER, incoming, conversation, sender, content)
    if (
        not conversation
        or incoming.direction is not Direction.IN
        or incoming.origin is not Origin.EVENT
    ):
        return other
    group = is_group_id(conversation)
    if incoming.type is MessageType.FRIEND_REQUEST:
        attrs = {key: html.unescape(value) for key, value in _XML_ATTR.findall(content)}
        wxid = attrs.get("fromusername") or (sender if sender != conversation else "")
        if not wxid:
            return other
        return Event(
            EventKind.FRIEND_REQUEST,
            incoming,
            reply_to=wxid,
            sender=wxid,
            text=attrs.get("content", "").strip(),
            values={"nickname": attrs.get("fromnickname") or wxid},
        )
    if incoming.type is MessageType.SYSTEM:
        joined = group_join(content) if group else None
        if joined is None:
            return other
        names, inviter = joined
        return Event(
            EventKind.GROUP_JOIN,
            incoming,
            reply_to=conversation,
            sender=sender,
            text=names,
            is_group=True,
            values={"nickname": names, "inviter": inviter, "content": content},
        )
    if incoming.type is not MessageType.TEXT or not content.strip():
        return other
    text, found = mentions.find(content) if mentions is not None and group else (content, None)
    return Event(
        EventKind.TEXT,
        incoming,
        reply_to=conversation,
        sender=sender,
        text=text.strip(),
        is_group=group,
        is_service=is_service(conversation),
        mentions=found or frozenset(),
    )


def group_join(notice: str) -> tuple[str, str] | None:
    """``(joined names, inviter)`` of a "someone joined the group" notice, else None."""
    notice = notice.strip()
    for pattern in _JOIN_PATTERNS:
        match = pattern.search(notice)
        if match is None:
            continue
        parts = re.split(r"[、,，]", match.group("joined") or "")
        names = "、".join(p.strip().strip(_QUOTES).strip() for p in parts if p.strip(_QUOTES))
        groups = match.groupdict()
        inviter = (groups.get("inviter") or "").strip().strip(_QUOTES).strip()
        if names:
            return names, inviter
    return None


# -- compiled rules ------------------------------------------------------------------


def _normalise(text: str, fold: bool, ignore_case: bool) -> str:
    if fold:
        text = unicodedata.normalize("NFKC", text)
    if ignore_case:
        text = text.casefold()
    return text.strip()


def _variant(fold: bool, ignore_case: bool) -> int:
    return (2 if fold else 0) + (1 if ignore_case else 0)


@dataclass(frozen=True, slots=True)
class _Trigger:
    mode: MatchMode
    variant: int
    needle: str
    regex: Regex | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    triggers: tuple[_Trigger, ...]
    scope: ScopeKind
    chosen: frozenset[str]
    exclude: frozenset[str]
    mention: frozenset[str] | None  # names of which one must be @-ed in groups, or None
    stop: bool


@dataclass(frozen=True, slots=True)
class _Patterns:
    """The regular expressions of one text variant and case mode, searched in one pass."""

    variant: int
    rules: tuple[int, ...]  # rule index of each pattern
    regexes: tuple[Regex, ...]
    together: RegexSet | None  # None: too big together, each is searched alone

    def matching(self, data: bytes) -> list[int]:
        """Rule indexes whose pattern matches ``data`` (this variant's text, encoded)."""
        hits = self.together.matching(data) if self.together is not None else None
        if hits is None:  # RE2 gave up on the set (memory): ask each pattern
            hits = [k for k, regex in enumerate(self.regexes) if regex.found(data)]
        return [self.rules[k] for k in hits]


@dataclass(frozen=True, slots=True)
class _Index:
    """A prefilter over the triggers of one kind's rules: which rules *may* match a text.

    Exact keywords are a dict lookup; "contains" and "starts with" keywords
    are tested in tight loops over plain tuples; regular expressions run
    together, one RE2 pass per text variant and case mode.  Only the
    candidates then take the full path (hours, scope, groups) in priority
    order, so 500 rules cost far less than 500 full evaluations.
    """

    exact: tuple[dict[str, tuple[int, ...]], ...]  # per variant
    contains: tuple[tuple[tuple[str, int], ...], ...]
    starts: tuple[tuple[tuple[str, int], ...], ...]
    patterns: tuple[_Patterns, ...]
    always: tuple[int, ...]  # rules without triggers

    @classmethod
    def build(cls, compiled: Sequence[_Compiled]) -> _Index:
        exact: list[dict[str, list[int]]] = [{}, {}, {}, {}]
        contains: list[list[tuple[str, int]]] = [[], [], [], []]
        starts: list[list[tuple[str, int]]] = [[], [], [], []]
        regexes: dict[tuple[int, bool], list[tuple[Regex, int]]] = {}
        always: list[int] = []
        for index, item in enumerate(compiled):
            if not item.triggers:
                always.append(index)
            for trigger in item.triggers:
                if trigger.mode is MatchMode.EXACT:
                    exact[trigger.variant].setdefault(trigger.needle, []).append(index)
                elif trigger.mode is MatchMode.CONTAINS:
                    contains[trigger.variant].append((trigger.needle, index))
                elif trigger.mode is MatchMode.STARTSWITH:
                    starts[trigger.variant].append((trigger.needle, index))
                elif trigger.regex is not None:
                    key = (trigger.variant, trigger.regex.ignore_case)
                    regexes.setdefault(key, []).append((trigger.regex, index))
        return cls(
            tuple({k: tuple(v) for k, v in d.items()} for d in exact),
            tuple(tuple(items) for items in contains),
            tuple(tuple(items) for items in starts),
            tuple(
                _patterns(variant, ignore_case, items)
                for (variant, ignore_case), items in sorted(regexes.items())
            ),
            tuple(always),
        )

    def candidates(self, texts: Sequence[str]) -> list[int]:
        """Indexes of the rules that may match, in priority order."""
        found = set(self.always)
        for variant in range(4):
            text = texts[variant]
            found.update(self.exact[variant].get(text, ()))
            found.update([i for needle, i in self.contains[variant] if needle in text])
            found.update([i for needle, i in self.starts[variant] if text.startswith(needle)])
        if self.patterns:
            data = [encode(text) if text else b"" for text in texts]  # once for every pattern
            for patterns in self.patterns:
                found.update(patterns.matching(data[patterns.variant]))
        return sorted(found)


def _patterns(variant: int, ignore_case: bool, items: Sequence[tuple[Regex, int]]) -> _Patterns:
    regexes = tuple(regex for regex, _ in items)
    try:
        together: RegexSet | None = RegexSet(regexes, ignore_case)
    except PatternError:
        together = None
    return _Patterns(variant, tuple(index for _, index in items), regexes, together)


class RuleSet:
    """Enabled, valid rules compiled for fast evaluation, in priority order.

    Rules with errors (possible only in a database edited by hand) are left
    out and listed in :attr:`skipped`.
    """

    def __init__(self, rules: Sequence[Rule], config: AutoReplyConfig | None = None) -> None:
        self.config = config or AutoReplyConfig()
        self.rules = tuple(sorted(rules, key=lambda r: r.position))
        self.skipped: tuple[tuple[Rule, str], ...] = ()
        skipped: list[tuple[Rule, str]] = []
        by_kind: dict[RuleKind, list[_Compiled]] = {kind: [] for kind in RuleKind}
        variants: set[int] = set()
        names: set[str] = set(self.config.nicknames)
        for rule in self.rules:
            if not rule.enabled:
                continue
            problems = errors(validate_rule(rule))
            if problems:
                skipped.append((rule, str(problems[0])))
                continue
            compiled = self._compile(rule)
            variants.update(t.variant for t in compiled.triggers)
            names.update(rule.scope.mention_names)
            by_kind[rule.kind].append(compiled)
        self.skipped = tuple(skipped)
        self._by_kind = {kind: tuple(items) for kind, items in by_kind.items()}
        self._index = {kind: _Index.build(items) for kind, items in self._by_kind.items()}
        self._variants = tuple(sorted(variants))
        self.mentions = MentionFinder(names)

    def _compile(self, rule: Rule) -> _Compiled:
        triggers = []
        for trigger in rule.triggers:
            if trigger.mode is MatchMode.REGEX:
                triggers.append(
                    _Trigger(
                        trigger.mode,
                        _variant(trigger.fold_width, False),
                        "",
                        compile_regex(trigger.pattern, ignore_case=trigger.ignore_case),
                    )
                )
            else:
                needle = _normalise(trigger.pattern, trigger.fold_width, trigger.ignore_case)
                triggers.append(
                    _Trigger(
                        trigger.mode,
                        _variant(trigger.fold_width, trigger.ignore_case),
                        needle,
                        None,
                    )
                )
        scope = rule.scope
        mention: frozenset[str] | None = None
        if scope.only_when_mentioned and rule.kind in (RuleKind.KEYWORD, RuleKind.DEFAULT):
            mention = frozenset(n.strip() for n in scope.mention_names or self.config.nicknames)
        return _Compiled(
            rule=rule,
            triggers=tuple(triggers),
            scope=scope.kind,
            chosen=frozenset(scope.conversations),
            exclude=frozenset(scope.exclude),
            mention=mention,
            stop=rule.after_match is AfterMatch.STOP,
        )

    @property
    def empty(self) -> bool:
        return not any(self._by_kind.values())

    def classify(self, incoming: Incoming) -> Event:
        return classify(incoming, self.mentions)

    def matches(self, event: Event, local: LocalTime) -> list[Match]:
        """The rules that answer ``event``, in order, honouring "first match only"."""
        return [match for match, _ in self._evaluate(event, local, explain=False) if match]

    def explain(self, event: Event, local: LocalTime) -> list[tuple[Match | None, Rule, Text]]:
        """Every rule considered and why it did or did not answer (for "try it").

        ``str(reason)`` is the English verdict, e.g. ``"no trigger matches"``.
        """
        return [
            (match, rule, reason)
            for match, (rule, reason) in self._evaluate(event, local, explain=True)
        ]

    def _evaluate(
        self, event: Event, local: LocalTime, *, explain: bool
    ) -> list[tuple[Match | None, tuple[Rule, Text]]]:
        found: list[tuple[Match | None, tuple[Rule, Text]]] = []
        kinds = _KINDS_FOR[event.kind]
        if not kinds:
            return found
        texts = self._texts(event.text) if event.kind is EventKind.TEXT else None
        weekday, minute = local.weekday, local.minute
        for kind in kinds:
            if kind is RuleKind.DEFAULT and any(m is not None for m, _ in found):
                break  # something answered (or would, but for a cooldown)
            rules = self._by_kind[kind]
            if not explain and texts is not None:
                rules = tuple(rules[i] for i in self._index[kind].candidates(texts))
            for compiled in rules:
                rule = compiled.rule
                if rule.active is not None and not rule.active.contains(weekday, minute):
                    if explain:
                        found.append((None, (rule, _OUTSIDE_HOURS)))
                    continue
                reason = _out_of_scope(compiled, event)
                if reason is not None:
                    if explain:
                        found.append((None, (rule, reason)))
                    continue
                groups = _match_triggers(compiled, event, texts)
                if groups is None:
                    if explain:
                        found.append((None, (rule, _NO_TRIGGER)))
                    continue
                found.append((Match(rule, groups), (rule, _MATCHES)))
                if compiled.stop:
                    return found
        return found

    def _texts(self, text: str) -> list[str]:
        text = text[:MAX_MATCH_CHARS]
        texts = ["", "", "", ""]
        for variant in self._variants:
            texts[variant] = _normalise(text, variant >= 2, variant % 2 == 1)
        return texts


_NO_GROUPS: Mapping[str, str] = {}

# The try-it verdicts (made once: the poller asks why not for every candidate rule).
_MATCHES: Final = Text.of("matches")
_OUTSIDE_HOURS: Final = Text.of("outside_hours")
_NO_TRIGGER: Final = Text.of("no_trigger_matches")
_EXCLUDED: Final = Text.of("excluded")
_NOT_CHOSEN: Final = Text.of("not_chosen")
_SERVICE: Final = Text.of("service_account")
_PRIVATE_ONLY: Final = Text.of("private_only")
_GROUPS_ONLY: Final = Text.of("groups_only")
_MENTION_ONLY: Final = Text.of("mention_only")


def _out_of_scope(compiled: _Compiled, event: Event) -> Text | None:
    """None when the rule may answer in the event's conversation, else why not."""
    if event.sender in compiled.exclude or event.incoming.conversation in compiled.exclude:
        return _EXCLUDED
    if compiled.rule.kind is RuleKind.WELCOME_FRIEND:
        return None  # a friend request has no conversation yet
    scope = compiled.scope
    conversation = event.incoming.conversation
    if scope is ScopeKind.CHOSEN:
        if conversation not in compiled.chosen:
            return _NOT_CHOSEN
    elif event.is_service:
        return _SERVICE
    elif scope is ScopeKind.PRIVATE and event.is_group:
        return _PRIVATE_ONLY
    elif scope is ScopeKind.GROUPS and not event.is_group:
        return _GROUPS_ONLY
    if compiled.mention is not None and event.is_group and not (compiled.mention & event.mentions):
        return _MENTION_ONLY
    return None


def _match_triggers(
    compiled: _Compiled, event: Event, texts: list[str] | None
) -> Mapping[str, str] | None:
    """The regex groups of the first trigger that matches ({} for keywords), or None."""
    if not compiled.triggers:
        return _NO_GROUPS  # default replies and welcomes without a condition
    if texts is None:  # welcomes: match the greeting / the names of who joined
        texts = ["", "", "", ""]
        for trigger in compiled.triggers:
            texts[trigger.variant] = _normalise(
                event.text[:MAX_MATCH_CHARS], trigger.variant >= 2, trigger.variant % 2 == 1
            )
    for trigger in compiled.triggers:
        text = texts[trigger.variant]
        mode = trigger.mode
        if mode is MatchMode.CONTAINS:
            if trigger.needle in text:
                return _NO_GROUPS
        elif mode is MatchMode.EXACT:
            if text == trigger.needle:
                return _NO_GROUPS
        elif mode is MatchMode.STARTSWITH:
            if text.startswith(trigger.needle):
                return _NO_GROUPS
        elif trigger.regex is not None:
            found = trigger.regex.search(text)
            if found is not None:
                groups = {"0": found.group(0) or ""}
                for index, value in enumerate(found.groups(), start=1):
                    groups[str(index)] = value or ""
                for name, value in found.groupdict().items():
                    groups[name] = value or ""
                return groups
    return None


# -- rendering -----------------------------------------------------------------------


def template_values(
    event: Event,
    match: Match,
    local: LocalTime,
    aliases: Mapping[str, str],
) -> dict[str, str]:
    """The values of a reply's placeholders for one event (the match's groups too)."""
    values = dict(match.groups)
    values.update(base_values(event, local, aliases))
    return values


def base_values(event: Event, local: LocalTime, aliases: Mapping[str, str]) -> dict[str, str]:
    """``{sender}``, ``{nickname}``, ``{time}``, ``{date}``, ``{content}`` of an event.

    ``aliases`` maps a wxid to its nickname (the operator's alias, else the
    name demo.exe gave it); ``{nickname}`` is empty without one, never the
    raw wxid, which would end up in a customer-facing text.
    """
    values = {
        "sender": event.sender,
        "nickname": aliases.get(event.sender) or "",
        "time": local.moment.strftime("%H:%M"),
        "date": local.moment.strftime("%Y-%m-%d"),
        "content": event.text,
    }
    values.update(event.values)
    return values


def plan(
    event: Event,
    match: Match,
    local: LocalTime,
    aliases: Mapping[str, str] | None = None,
) -> PlannedReply:
    """The rendered reply of ``match`` to ``event``; empty rendered texts are dropped."""
    values = template_values(event, match, local, aliases or {})
    reply = match.rule.reply
    texts = tuple(t for t in (render(text, values) for text in reply.texts) if t.strip())
    return PlannedReply(match.rule, event.reply_to, texts, reply.mode, reply.picture or None)
