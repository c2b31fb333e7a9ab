"""Every sentence the rules core says to a user, as a key and an English template.

The core never formats a problem, a try-it verdict or an alert detail ad
hoc: it builds a :class:`Text` (a key of :data:`TEXTS` and the values of the
template's named fields) and keeps the English line beside it
(:attr:`Issue.message <wxpanel.core.rules.model.Issue.message>`,
:attr:`Alert.detail <wxpanel.core.rules.replier.Alert.detail>`…), so that
the command line, the JSON import errors and the logs stay English while
the panel translates the template (``wxpanel/gui/rulestext.py`` repeats
every template as a literal ``QCoreApplication.translate("rules", …)``) and
fills it with the same fields.

A field is written ``{name}`` or ``{name:spec}`` (a :func:`format` spec such
as ``.0f``); every other brace is literal text, so ``{{ and }}`` stays as it
is.  A field's value may itself be a :class:`Text` (the kind of a JSON value,
a picture's problem), translated in turn by the panel.  Values that come
from outside wxpanel (a regular expression's error from :mod:`re`, a file
name, an OS error) are passed through as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

#: Every text's English template, by key.
TEXTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # -- rule and timed message validation (model.py)
        "at_least_one": "must be a whole number of at least 1",
        "positive_seconds": "must be a positive number of seconds",
        "empty_nickname": "empty nickname",
        "empty_keyword": "empty keyword",
        "bad_regex": "bad regular expression: {detail}",
        "regex_unsupported": "not supported by the safe regular-expression engine (RE2: no"
        " backreferences, no look-ahead or look-behind such as (?=…)): {detail}",
        "regex_too_big": "regular expression too big to match quickly: {detail}",
        "group_name_taken": "group name '{name}' is taken by the placeholder {placeholder}",
        "regex_matches_empty": "matches an empty text, so it matches every message",
        "regex_full_width": "contains full-width characters; with width folding the text is"
        " searched in half-width form, so write the pattern half-width",
        "rule_needs_name": "a rule needs a name",
        "keyword_needs_trigger": "a keyword rule needs at least one trigger",
        "default_no_triggers": "a default reply answers what nothing matched: no triggers",
        "cooldown_invalid": "must be a number of seconds, 0 or more",
        "default_needs_cooldown": "a default reply needs one: at most once per conversation"
        " per N s",
        "choose_conversation": "choose at least one conversation",
        "empty_entry": "empty entry",
        "welcome_group_private": "a group welcome cannot be limited to private chats",
        "no_mention_nickname": "no nickname to recognise an @mention: set the account's nickname",
        "default_in_groups": "a default reply in groups answers every unmatched message there;"
        " consider 'only when mentioned'",
        "reply_needs_content": "a reply needs a text or a picture",
        "empty_source": "empty answer source name",
        "empty_text": "empty text",
        "unknown_placeholder": "unknown placeholder {placeholder} is sent as it is"
        " (write {{ and }} for literal braces)",
        "empty_picture": "empty picture path",
        "picture_not_absolute": "must be an absolute path: demo.exe reads the file itself",
        "hours_start_and_end": "give both a start and an end time, or neither",
        "hours_same": "start and end are the same time: leave both empty for all day",
        "choose_weekday": "choose at least one weekday",
        "weekday_range": "a weekday is 1 (Monday) to 7 (Sunday)",
        "weekday_twice": "a weekday is listed twice",
        "timed_needs_name": "a timed message needs a name",
        "timed_needs_content": "a timed message needs a text or a picture",
        "once_needs_moment": "a one-off message needs a date and time",
        "repeat_needs_time": "a daily or weekly message needs a time",
        "time_passed": "that time has passed",
        "target_unknown": "{target} is neither a known contact nor a wxid: choose one from"
        " the list",
        "target_ambiguous": "{target} names several contacts: {names}; choose one from the list",
        "not_gbk": "cannot reach WeChat through code page 936 and will be left out: {chars}",
        # -- what demo.exe can never deliver (model.demo_limit)
        "demo_no_friend_requests": "demo.exe accepts friend requests itself and never reports"
        " them: this rule cannot fire with demo.exe (kept for other bridges)",
        "demo_no_group_joins": "demo.exe reports only received text, never someone joining a"
        " group: this rule cannot fire with demo.exe (kept for other bridges)",
        "demo_text_only": "demo.exe delivers only received text: pictures, voice, links,"
        " transfers and the account's own messages never arrive from it",
        # -- a picture that cannot be sent (outbox.check_picture's reasons)
        "picture_missing": "{path}: no such picture",
        "picture_not_file": "{path}: not a file",
        "picture_unreadable": "{path}: cannot be read ({detail})",
        "picture_too_big": "{path}: {size_mib:.1f} MiB is over the {limit_mib:.1f} MiB limit",
        "picture_not_picture": "{path}: not a JPG, PNG, GIF or BMP picture",
        # -- rules files and their JSON (io.py, jsoncodec.py)
        "not_json": "not valid JSON: line {line} column {column}: {detail}",
        "not_rules_object": "expected a JSON object with a 'rules' list",
        "too_deep": "nested too deeply to be a rules file",
        "expected_found": "expected {expected}, found {found}",
        "version_newer": "format version {version} is newer than this wxpanel's {supported}",
        "unknown_key": "unknown key (typo?)",
        "expected_rule_list": "expected a list of rules",
        "same_name": "the same name as rules[{index}]; a merge matches rules by name",
        "cannot_read": "cannot read it ({detail})",
        "not_utf8": "not UTF-8 text (byte {byte})",
        "missing": "missing",
        "expected_object": "expected an object, found {found}",
        "expected_string": "expected a string, found {found}",
        "expected_boolean": "expected true or false, found {found}",
        "expected_number": "expected a number, found {found}",
        "expected_one_of": "expected one of {choices}, found {found}",
        "expected_strings": "expected a list of strings, found {found}",
        "expected_weekdays": "expected a list of weekdays 1-7, found {found}",
        "expected_weekday": "expected a weekday 1-7, found {found}",
        "expected_hhmm": "expected a time as HH:MM, found {found}",
        "expected_triggers": "expected a list of triggers, found {found}",
        "json_null": "null",
        "json_true": "true",
        "json_false": "false",
        "json_string": "the string {value}",
        "json_number": "the number {value}",
        "json_list": "a list",
        "json_object": "an object",
        # -- try it (tryit.py, evaluate.py)
        "never_outgoing": "rules never answer an outgoing message",
        "never_this_kind": "rules never answer this kind of message",
        "never_system": "rules never answer a system notice other than someone joining a group",
        "switched_off": "auto-reply is switched off",
        "loop_paused": "loop detection paused this conversation",
        "cooling_down": "cooling down for another {seconds:.0f} s",
        "renders_empty": "every text renders empty",
        "matches": "matches",
        "outside_hours": "outside its active hours",
        "no_trigger_matches": "no trigger matches",
        "excluded": "the conversation or sender is excluded",
        "not_chosen": "not one of its chosen conversations",
        "service_account": "a WeChat service or official account"
        " (choose it explicitly to answer there)",
        "private_only": "answers private chats only",
        "groups_only": "answers groups only",
        "mention_only": "in groups only when the account is @-mentioned",
        # -- alerts (replier.py)
        "alert_loop": "{conversation}: {exchanges} auto-replies in a row, each within"
        " {window:g} s; looks like another bot answering."
        " Not answering there for {pause_min:g} min.",
        "alert_cap": "more than {limit} auto-replies a minute; answer dropped",
        "alert_conversation_cap": "{conversation}: more than {limit} auto-replies a minute"
        " here; answer dropped",
        "alert_picture": "{problem}; sent without it",
        "alert_rule_failed": "message #{message}: the rules could not be evaluated ({detail});"
        " it gets no automatic answer",
        "alert_unknown_source": "rule {rule}: there is no answer source named {source};"
        " message not answered",
    }
)

_FIELD: Final = re.compile(r"\{(\w+)(?::([^{}]*))?\}")


def field_names(template: str) -> set[str]:
    """The names of a template's fields: ``{"seconds"}`` for ``"for {seconds:.0f} s"``."""
    return {match.group(1) for match in _FIELD.finditer(template)}


def fill(template: str, values: Mapping[str, object]) -> str:
    """``template`` with its fields replaced; raises KeyError for a field without a value."""

    def one(match: re.Match[str]) -> str:
        return format(values[match.group(1)], match.group(2) or "")

    return _FIELD.sub(one, template)


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence for the user: a key of :data:`TEXTS` and the values of its fields.

    ``str(text)`` is the English line.
    """

    key: str
    fields: tuple[tuple[str, FieldValue], ...] = ()

    @classmethod
    def of(cls, key: str, /, **fields: FieldValue) -> Text:
        """The text ``key`` with ``fields``; every field of the template must be given."""
        template = TEXTS[key]
        if set(fields) != field_names(template):
            raise KeyError(f"text {key!r} has fields {sorted(field_names(template))}")
        return cls(key, tuple(sorted(fields.items())))

    @property
    def template(self) -> str:
        """The English template, e.g. ``"cooling down for another {seconds:.0f} s"``."""
        return TEXTS[self.key]

    @property
    def values(self) -> dict[str, FieldValue]:
        return dict(self.fields)

    def format(self, template: str | None = None) -> str:
        """``template`` (a translation of :attr:`template`; the English if None), filled."""
        return fill(self.template if template is None else template, self.values)

    def __str__(self) -> str:
        return self.format()

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


#: What a field may hold; a :class:`Text` is translated before it is filled in.
FieldValue = str | int | float | Text
