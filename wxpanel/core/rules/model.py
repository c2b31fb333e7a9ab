"""What an auto-reply rule and a timed message are, and how they are checked.

Every value here is a frozen dataclass, so a rule handed to the panel's
thread or to the poller can never change under it.  A value may be
*invalid* (an edit dialog builds one from half-typed fields): constructing
never checks anything, :func:`validate_rule` and :func:`validate_timed` do,
and return every problem with the place it was found (``triggers[0].pattern``)
so that the same text serves the dialog, the import command and the store.
"""

from __future__ import annotations

import enum
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import time as dtime
from pathlib import Path, PureWindowsPath
from typing import Final

from wxpanel.core.autoreply.config import AutoReplyConfig, finite
from wxpanel.core.autoreply.issues import Issue, Severity
from wxpanel.core.autoreply.sending import picture_text
from wxpanel.core.codepage import describe, unsendable
from wxpanel.core.errors import PictureError
from wxpanel.core.names import Resolution, Verdict, looks_like_wxid
from wxpanel.core.outbox import check_picture
from wxpanel.core.rules.pattern import PatternError, compile_regex
from wxpanel.core.rules.template import placeholders
from wxpanel.core.texts import Text

#: ISO weekday numbers, Monday = 1 … Sunday = 7.
ALL_WEEKDAYS: Final = (1, 2, 3, 4, 5, 6, 7)
WEEKDAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: Placeholders every reply text may use; regex groups add ``{1}`` and ``{name}``.
BUILTIN_PLACEHOLDERS: Final = frozenset({"sender", "nickname", "time", "date", "content"})
#: Extra placeholders of welcome rules (the inviter of a group join).
WELCOME_PLACEHOLDERS: Final = frozenset({"inviter"})


class MatchMode(enum.StrEnum):
    """How a trigger's keyword is compared with the message text."""

    EXACT = "exact"
    CONTAINS = "contains"
    STARTSWITH = "startswith"
    REGEX = "regex"


class ScopeKind(enum.StrEnum):
    """Which conversations a rule answers in."""

    PRIVATE = "private"
    GROUPS = "groups"
    BOTH = "both"
    CHOSEN = "chosen"  # only the conversations listed


class ReplyMode(enum.StrEnum):
    """Several reply texts: send them all in order, or one picked at random."""

    ALL = "all"
    RANDOM = "random"


class RuleKind(enum.StrEnum):
    """Keyword rules answer texts; the special kinds answer what nothing else did."""

    KEYWORD = "keyword"
    DEFAULT = "default"  # no keyword rule matched a text
    WELCOME_FRIEND = "welcome_friend"  # a friend request (MSG_TYPE 37)
    WELCOME_GROUP = "welcome_group"  # someone joined a group (a MSG_TYPE 10000 notice)


class AfterMatch(enum.StrEnum):
    """After a rule matched: stop (first match only), or let later rules answer too."""

    STOP = "stop"
    CONTINUE = "continue"


@dataclass(frozen=True, slots=True)
class Trigger:
    """One keyword.  ``fold_width`` compares full-width and half-width forms alike (NFKC).

    With ``REGEX`` and ``fold_width``, the message text is folded before the
    search; write the pattern in half-width characters.
    """

    pattern: str
    mode: MatchMode = MatchMode.CONTAINS
    ignore_case: bool = True
    fold_width: bool = True


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a rule answers.

    ``exclude`` lists conversations *or* senders (a member of a group) never
    answered.  ``only_when_mentioned`` applies in groups: the text must @ the
    account, by one of ``mention_names`` or, when that is empty, by one of the
    account nicknames of the :class:`AutoReplyConfig`.
    """

    kind: ScopeKind = ScopeKind.BOTH
    conversations: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    only_when_mentioned: bool = False
    mention_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    """What a rule sends: its texts (templates), and/or a picture sent after them.

    ``source`` names an answer source (a webhook, a chat model or a plugin)
    that writes the answer instead: the rule matches as usual (triggers,
    scope, hours, cooldown) and hands the message to that source.
    """

    texts: tuple[str, ...] = ()
    mode: ReplyMode = ReplyMode.ALL
    picture: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ActiveHours:
    """When a rule is active: between ``start`` and ``end`` (local time) on ``weekdays``.

    ``start``/``end`` None means the whole day.  A range that ends before it
    starts runs overnight (22:00–06:00), and the night belongs to the weekday
    on which it began: Friday 22:00–06:00 includes Saturday 03:00.
    """

    start: dtime | None = None
    end: dtime | None = None
    weekdays: tuple[int, ...] = ALL_WEEKDAYS

    def contains(self, weekday: int, minute: int) -> bool:
        """Whether ISO ``weekday`` at ``minute`` after midnight is inside."""
        if self.start is None or self.end is None:
            return weekday in self.weekdays
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        if start < end:
            return start <= minute < end and weekday in self.weekdays
        if minute >= start:
            return weekday in self.weekdays
        if minute < end:
            return (weekday - 2) % 7 + 1 in self.weekdays  # the night began the day before
        return False


@dataclass(frozen=True, slots=True)
class Rule:
    """An auto-reply rule.  ``id`` is None until the store saved it.

    ``position`` orders rules (lower first; the store keeps 0..n-1).
    ``cooldown`` is the least number of seconds between two answers of this
    rule in one conversation; a default reply must have one.
    """

    name: str
    triggers: tuple[Trigger, ...] = ()
    reply: Reply = field(default_factory=Reply)
    scope: Scope = field(default_factory=Scope)
    kind: RuleKind = RuleKind.KEYWORD
    enabled: bool = True
    after_match: AfterMatch = AfterMatch.STOP
    active: ActiveHours | None = None
    cooldown: float = 0.0
    id: int | None = None
    position: int = 0

    @property
    def label(self) -> str:
        return self.name or f"rule #{self.id}"


class ScheduleKind(enum.StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class TimedMessage:
    """A text and/or picture sent to ``targets`` once, daily or weekly.

    ``at`` (unix time) is the moment of a ONCE message; ``time_of_day``
    (local time) and ``weekdays`` (ISO numbers) those of DAILY and WEEKLY
    ones.  ``checked_until`` is kept by the store: every occurrence up to it
    has been sent or reported missed.
    """

    name: str
    targets: tuple[str, ...]
    schedule: ScheduleKind
    text: str | None = None
    picture: str | None = None
    at: float | None = None
    time_of_day: dtime | None = None
    weekdays: tuple[int, ...] = ALL_WEEKDAYS
    enabled: bool = True
    id: int | None = None
    checked_until: float = 0.0


# -- validation --------------------------------------------------------------------


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity is Severity.ERROR]


def validate_trigger(trigger: Trigger) -> list[Issue]:
    """Problems of one trigger; a regular expression must be one RE2 can run (see pattern.py)."""
    found: list[Issue] = []
    if not isinstance(trigger.pattern, str) or not trigger.pattern.strip():
        return [Issue.of("pattern", "empty_keyword")]
    if trigger.mode is MatchMode.REGEX:
        try:
            compiled = compile_regex(trigger.pattern)
        except PatternError as exc:
            return [Issue.of("pattern", exc.key, detail=exc.detail)]
        reserved = sorted(set(compiled.groupindex) & (BUILTIN_PLACEHOLDERS | WELCOME_PLACEHOLDERS))
        for name in reserved:
            found.append(
                Issue.of("pattern", "group_name_taken", name=name, placeholder=f"{{{name}}}")
            )
        if compiled.search("") is not None:
            found.append(Issue.of("pattern", "regex_matches_empty", Severity.WARNING))
        if trigger.fold_width and _changes_when_folded(trigger.pattern):
            found.append(Issue.of("pattern", "regex_full_width", Severity.WARNING))
    return found


def regex_groups(rule: Rule) -> set[str]:
    """The placeholders the rule's regular expressions provide (``0``, ``1``, ``name``)."""
    names: set[str] = set()
    for trigger in rule.triggers:
        if trigger.mode is not MatchMode.REGEX:
            continue
        try:
            compiled = compile_regex(trigger.pattern)
        except PatternError:
            continue
        names.add("0")
        names.update(str(i) for i in range(1, compiled.groups + 1))
        names.update(compiled.groupindex)
    return names


def demo_limit(rule: Rule) -> Text | None:
    """Why ``rule`` can never fire with demo.exe (which delivers only received text), or None."""
    if rule.kind is RuleKind.WELCOME_FRIEND:
        return Text.of("demo_no_friend_requests")
    if rule.kind is RuleKind.WELCOME_GROUP:
        return Text.of("demo_no_group_joins")
    return None


def target_issues(path: str, targets: Sequence[str], known: Container[str] = ()) -> list[Issue]:
    """A target must be a wxid the history knows or shaped like one, never a bare name."""
    return [
        Issue.of(f"{path}[{index}]", "target_unknown", target=target)
        for index, target in enumerate(targets)
        if isinstance(target, str)
        and target.strip()
        and target not in known
        and not looks_like_wxid(target)
    ]


def target_refusal(resolution: Resolution) -> Text:
    """Why a typed target was refused, as a text for the panel to translate."""
    if resolution.verdict is Verdict.AMBIGUOUS:
        names = ", ".join(contact.label for contact in resolution.candidates)
        return Text.of("target_ambiguous", target=resolution.text, names=names)
    return Text.of("target_unknown", target=resolution.text)


def text_issues(path: str, text: object) -> list[Issue]:
    """A warning naming the characters of ``text`` that code page 936 loses."""
    if not isinstance(text, str):
        return []
    lost = unsendable(text)
    return [Issue.of(path, "not_gbk", Severity.WARNING, chars=describe(lost))] if lost else []


def validate_rule(
    rule: Rule, config: AutoReplyConfig | None = None, known: Container[str] = ()
) -> list[Issue]:
    """Every problem of ``rule``, errors and warnings, each with its path.

    ``known`` are the wxids the history knows: a scope may name those even
    when they are not shaped like a wxid.
    """
    found: list[Issue] = []
    if not isinstance(rule.name, str) or not rule.name.strip():
        found.append(Issue.of("name", "rule_needs_name"))
    if rule.kind is RuleKind.KEYWORD and not rule.triggers:
        found.append(Issue.of("triggers", "keyword_needs_trigger"))
    if rule.kind is RuleKind.DEFAULT and rule.triggers:
        found.append(Issue.of("triggers", "default_no_triggers"))
    for index, trigger in enumerate(rule.triggers):
        found.extend(issue.under(f"triggers[{index}]") for issue in validate_trigger(trigger))
    found.extend(issue.under("scope") for issue in _validate_scope(rule, config))
    for name in ("conversations", "exclude"):
        targets = getattr(rule.scope, name)
        found.extend(issue.under("scope") for issue in target_issues(name, targets, known))
    found.extend(issue.under("reply") for issue in _validate_reply(rule))
    if rule.active is not None:
        found.extend(issue.under("active") for issue in _validate_hours(rule.active))
    if not finite(rule.cooldown) or rule.cooldown < 0:
        found.append(Issue.of("cooldown", "cooldown_invalid"))
    elif rule.kind is RuleKind.DEFAULT and rule.cooldown <= 0:
        found.append(Issue.of("cooldown", "default_needs_cooldown"))
    limit = demo_limit(rule)
    if limit is not None:
        found.append(Issue.from_text("kind", limit, Severity.WARNING))
    return found


def _validate_scope(rule: Rule, config: AutoReplyConfig | None) -> list[Issue]:
    scope = rule.scope
    found: list[Issue] = []
    if scope.kind is ScopeKind.CHOSEN and not scope.conversations:
        found.append(Issue.of("conversations", "choose_conversation"))
    for name in ("conversations", "exclude", "mention_names"):
        for index, value in enumerate(getattr(scope, name)):
            if not isinstance(value, str) or not value.strip():
                found.append(Issue.of(f"{name}[{index}]", "empty_entry"))
    if rule.kind is RuleKind.WELCOME_GROUP and scope.kind is ScopeKind.PRIVATE:
        found.append(Issue.of("kind", "welcome_group_private"))
    if scope.only_when_mentioned and rule.kind in (RuleKind.KEYWORD, RuleKind.DEFAULT):
        names = scope.mention_names or (config.nicknames if config is not None else ("?",))
        if not names:
            found.append(Issue.of("only_when_mentioned", "no_mention_nickname", Severity.WARNING))
    elif (
        rule.kind is RuleKind.DEFAULT
        and scope.kind in (ScopeKind.GROUPS, ScopeKind.BOTH)
        and not scope.only_when_mentioned
    ):
        found.append(Issue.of("kind", "default_in_groups", Severity.WARNING))
    return found


def _validate_reply(rule: Rule) -> list[Issue]:
    reply = rule.reply
    found: list[Issue] = []
    if reply.source is not None and (not isinstance(reply.source, str) or not reply.source.strip()):
        found.append(Issue.of("source", "empty_source"))
    if not reply.texts and not reply.picture and reply.source is None:
        found.append(Issue.of("", "reply_needs_content"))
    known = BUILTIN_PLACEHOLDERS | regex_groups(rule)
    if rule.kind in (RuleKind.WELCOME_FRIEND, RuleKind.WELCOME_GROUP):
        known |= WELCOME_PLACEHOLDERS
    for index, text in enumerate(reply.texts):
        if not isinstance(text, str) or not text.strip():
            found.append(Issue.of(f"texts[{index}]", "empty_text"))
            continue
        found.extend(text_issues(f"texts[{index}]", text))
        for name in placeholders(text):
            if name not in known:
                found.append(
                    Issue.of(
                        f"texts[{index}]",
                        "unknown_placeholder",
                        Severity.WARNING,
                        placeholder=f"{{{name}}}",
                    )
                )
    if reply.picture is not None:
        found.extend(issue.under("picture") for issue in validate_picture(reply.picture))
    return found


def validate_picture(picture: str) -> list[Issue]:
    """A picture must be an absolute local path (demo.exe reads it); missing is a warning."""
    if not isinstance(picture, str) or not picture.strip():
        return [Issue.of("", "empty_picture")]
    if not (Path(picture).is_absolute() or PureWindowsPath(picture).is_absolute()):
        return [Issue.of("", "picture_not_absolute")]
    try:
        check_picture(picture)
    except PictureError as exc:
        text = picture_text(exc)
        if text is None:
            return [Issue("", str(exc), Severity.WARNING)]
        return [Issue.from_text("", text, Severity.WARNING)]
    return []


def _validate_hours(hours: ActiveHours) -> list[Issue]:
    found: list[Issue] = []
    if (hours.start is None) != (hours.end is None):
        found.append(Issue.of("", "hours_start_and_end"))
    elif hours.start is not None and hours.start == hours.end:
        found.append(Issue.of("", "hours_same"))
    found.extend(_validate_weekdays(hours.weekdays))
    return found


def _validate_weekdays(weekdays: Sequence[int]) -> list[Issue]:
    if not weekdays:
        return [Issue.of("weekdays", "choose_weekday")]
    for index, day in enumerate(weekdays):
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 7:
            return [Issue.of(f"weekdays[{index}]", "weekday_range")]
    if len(set(weekdays)) != len(weekdays):
        return [Issue.of("weekdays", "weekday_twice")]
    return []


def validate_timed(timed: TimedMessage, known: Container[str] = ()) -> list[Issue]:
    """Every problem of ``timed``; ``known`` as for :func:`validate_rule`."""
    found: list[Issue] = []
    if not isinstance(timed.name, str) or not timed.name.strip():
        found.append(Issue.of("name", "timed_needs_name"))
    if not timed.targets:
        found.append(Issue.of("targets", "choose_conversation"))
    for index, target in enumerate(timed.targets):
        if not isinstance(target, str) or not target.strip():
            found.append(Issue.of(f"targets[{index}]", "empty_entry"))
    found.extend(target_issues("targets", timed.targets, known))
    if not (timed.text and timed.text.strip()) and not timed.picture:
        found.append(Issue.of("", "timed_needs_content"))
    elif timed.text:
        found.extend(text_issues("text", timed.text))
    if timed.picture is not None:
        found.extend(issue.under("picture") for issue in validate_picture(timed.picture))
    if timed.schedule is ScheduleKind.ONCE:
        if timed.at is None or not finite(timed.at):
            found.append(Issue.of("at", "once_needs_moment"))
    else:
        if timed.time_of_day is None:
            found.append(Issue.of("time_of_day", "repeat_needs_time"))
        if timed.schedule is ScheduleKind.WEEKLY:
            found.extend(_validate_weekdays(timed.weekdays))
    return found


def _changes_when_folded(pattern: str) -> bool:
    import unicodedata

    return any(
        unicodedata.normalize("NFKC", char) != char
        for char in pattern
        if not char.isspace() and ord(char) > 0x7F
    )
