# ruff: noqa: E501
"""The rules' problems, try-it verdicts and alerts in the user's language.

The rules core (:mod:`wxpanel.core.rules`) describes each of them with an
English template from :data:`~wxpanel.core.rules.texts.TEXTS` and the values
of its fields (:class:`~wxpanel.core.rules.texts.Text`; an
:class:`~wxpanel.core.rules.model.Issue` or
:class:`~wxpanel.core.rules.replier.Alert` carries its ``key`` and
``fields``).  This module holds the same templates as literal
``QCoreApplication.translate("rules", …)`` calls, so that ``pyside6-lupdate``
extracts them, and fills the translated template with the fields; a field
that is itself a text is translated too.  A translation that lost or
misspelt a field falls back to the English line instead of failing, and a
value without a key (an issue made by other code) is shown as it is.
``tests/gui/test_rulestext.py`` checks that the templates here are exactly
the core's.  (Long templates stay on one line: lupdate and the i18n test
read one literal per call, hence the file-wide E501 exemption.)
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication

from wxpanel.core.rules.model import Issue
from wxpanel.core.rules.replier import Alert
from wxpanel.core.rules.store import RuleError
from wxpanel.core.rules.texts import Text, field_names, fill


def templates() -> dict[str, str]:
    """Every template of the rules core, translated; the fields stay in braces."""
    # fmt: off
    return {
        "at_least_one": QCoreApplication.translate("rules", "must be a whole number of at least 1"),
        "positive_seconds": QCoreApplication.translate(
            "rules", "must be a positive number of seconds"
        ),
        "empty_nickname": QCoreApplication.translate("rules", "empty nickname"),
        "empty_keyword": QCoreApplication.translate("rules", "empty keyword"),
        "bad_regex": QCoreApplication.translate("rules", "bad regular expression: {detail}"),
        "regex_unsupported": QCoreApplication.translate(
            "rules", "not supported by the safe regular-expression engine (RE2: no backreferences, no look-ahead or look-behind such as (?=…)): {detail}"
        ),
        "regex_too_big": QCoreApplication.translate(
            "rules", "regular expression too big to match quickly: {detail}"
        ),
        "group_name_taken": QCoreApplication.translate(
            "rules", "group name '{name}' is taken by the placeholder {placeholder}"
        ),
        "regex_matches_empty": QCoreApplication.translate(
            "rules", "matches an empty text, so it matches every message"
        ),
        "regex_full_width": QCoreApplication.translate(
            "rules", "contains full-width characters; with width folding the text is searched in half-width form, so write the pattern half-width"
        ),
        "rule_needs_name": QCoreApplication.translate("rules", "a rule needs a name"),
        "keyword_needs_trigger": QCoreApplication.translate(
            "rules", "a keyword rule needs at least one trigger"
        ),
        "default_no_triggers": QCoreApplication.translate(
            "rules", "a default reply answers what nothing matched: no triggers"
        ),
        "cooldown_invalid": QCoreApplication.translate(
            "rules", "must be a number of seconds, 0 or more"
        ),
        "default_needs_cooldown": QCoreApplication.translate(
            "rules", "a default reply needs one: at most once per conversation per N s"
        ),
        "choose_conversation": QCoreApplication.translate(
            "rules", "choose at least one conversation"
        ),
        "empty_entry": QCoreApplication.translate("rules", "empty entry"),
        "welcome_group_private": QCoreApplication.translate(
            "rules", "a group welcome cannot be limited to private chats"
        ),
        "no_mention_nickname": QCoreApplication.translate(
            "rules", "no nickname to recognise an @mention: set the account's nickname"
        ),
        "default_in_groups": QCoreApplication.translate(
            "rules", "a default reply in groups answers every unmatched message there; consider 'only when mentioned'"
        ),
        "reply_needs_content": QCoreApplication.translate(
            "rules", "a reply needs a text or a picture"
        ),
        "empty_source": QCoreApplication.translate("rules", "empty answer source name"),
        "empty_text": QCoreApplication.translate("rules", "empty text"),
        "unknown_placeholder": QCoreApplication.translate(
            "rules", "unknown placeholder {placeholder} is sent as it is (write {{ and }} for literal braces)"
        ),
        "empty_picture": QCoreApplication.translate("rules", "empty picture path"),
        "picture_not_absolute": QCoreApplication.translate(
            "rules", "must be an absolute path: demo.exe reads the file itself"
        ),
        "hours_start_and_end": QCoreApplication.translate(
            "rules", "give both a start and an end time, or neither"
        ),
        "hours_same": QCoreApplication.translate(
            "rules", "start and end are the same time: leave both empty for all day"
        ),
        "choose_weekday": QCoreApplication.translate("rules", "choose at least one weekday"),
        "weekday_range": QCoreApplication.translate(
            "rules", "a weekday is 1 (Monday) to 7 (Sunday)"
        ),
        "weekday_twice": QCoreApplication.translate("rules", "a weekday is listed twice"),
        "timed_needs_name": QCoreApplication.translate("rules", "a timed message needs a name"),
        "timed_needs_content": QCoreApplication.translate(
            "rules", "a timed message needs a text or a picture"
        ),
        "once_needs_moment": QCoreApplication.translate(
            "rules", "a one-off message needs a date and time"
        ),
        "repeat_needs_time": QCoreApplication.translate(
            "rules", "a daily or weekly message needs a time"
        ),
        "time_passed": QCoreApplication.translate("rules", "that time has passed"),
        "target_unknown": QCoreApplication.translate("rules", "{target} is neither a known contact nor a wxid: choose one from the list"),
        "target_ambiguous": QCoreApplication.translate("rules", "{target} names several contacts: {names}; choose one from the list"),
        "not_gbk": QCoreApplication.translate("rules", "cannot reach WeChat through code page 936 and will be left out: {chars}"),
        "demo_no_friend_requests": QCoreApplication.translate("rules", "demo.exe accepts friend requests itself and never reports them: this rule cannot fire with demo.exe (kept for other bridges)"),
        "demo_no_group_joins": QCoreApplication.translate("rules", "demo.exe reports only received text, never someone joining a group: this rule cannot fire with demo.exe (kept for other bridges)"),
        "demo_text_only": QCoreApplication.translate("rules", "demo.exe delivers only received text: pictures, voice, links, transfers and the account's own messages never arrive from it"),
        "picture_missing": QCoreApplication.translate("rules", "{path}: no such picture"),
        "picture_not_file": QCoreApplication.translate("rules", "{path}: not a file"),
        "picture_unreadable": QCoreApplication.translate(
            "rules", "{path}: cannot be read ({detail})"
        ),
        "picture_too_big": QCoreApplication.translate(
            "rules", "{path}: {size_mib:.1f} MiB is over the {limit_mib:.1f} MiB limit"
        ),
        "picture_not_picture": QCoreApplication.translate(
            "rules", "{path}: not a JPG, PNG, GIF or BMP picture"
        ),
        "not_json": QCoreApplication.translate(
            "rules", "not valid JSON: line {line} column {column}: {detail}"
        ),
        "not_rules_object": QCoreApplication.translate(
            "rules", "expected a JSON object with a 'rules' list"
        ),
        "too_deep": QCoreApplication.translate("rules", "nested too deeply to be a rules file"),
        "expected_found": QCoreApplication.translate("rules", "expected {expected}, found {found}"),
        "version_newer": QCoreApplication.translate(
            "rules", "format version {version} is newer than this wxpanel's {supported}"
        ),
        "unknown_key": QCoreApplication.translate("rules", "unknown key (typo?)"),
        "expected_rule_list": QCoreApplication.translate("rules", "expected a list of rules"),
        "same_name": QCoreApplication.translate(
            "rules", "the same name as rules[{index}]; a merge matches rules by name"
        ),
        "cannot_read": QCoreApplication.translate("rules", "cannot read it ({detail})"),
        "not_utf8": QCoreApplication.translate("rules", "not UTF-8 text (byte {byte})"),
        "missing": QCoreApplication.translate("rules", "missing"),
        "expected_object": QCoreApplication.translate("rules", "expected an object, found {found}"),
        "expected_string": QCoreApplication.translate("rules", "expected a string, found {found}"),
        "expected_boolean": QCoreApplication.translate(
            "rules", "expected true or false, found {found}"
        ),
        "expected_number": QCoreApplication.translate("rules", "expected a number, found {found}"),
        "expected_one_of": QCoreApplication.translate(
            "rules", "expected one of {choices}, found {found}"
        ),
        "expected_strings": QCoreApplication.translate(
            "rules", "expected a list of strings, found {found}"
        ),
        "expected_weekdays": QCoreApplication.translate(
            "rules", "expected a list of weekdays 1-7, found {found}"
        ),
        "expected_weekday": QCoreApplication.translate(
            "rules", "expected a weekday 1-7, found {found}"
        ),
        "expected_hhmm": QCoreApplication.translate(
            "rules", "expected a time as HH:MM, found {found}"
        ),
        "expected_triggers": QCoreApplication.translate(
            "rules", "expected a list of triggers, found {found}"
        ),
        "json_null": QCoreApplication.translate("rules", "null"),
        "json_true": QCoreApplication.translate("rules", "true"),
        "json_false": QCoreApplication.translate("rules", "false"),
        "json_string": QCoreApplication.translate("rules", "the string {value}"),
        "json_number": QCoreApplication.translate("rules", "the number {value}"),
        "json_list": QCoreApplication.translate("rules", "a list"),
        "json_object": QCoreApplication.translate("rules", "an object"),
        "never_outgoing": QCoreApplication.translate(
            "rules", "rules never answer an outgoing message"
        ),
        "never_this_kind": QCoreApplication.translate(
            "rules", "rules never answer this kind of message"
        ),
        "never_system": QCoreApplication.translate(
            "rules", "rules never answer a system notice other than someone joining a group"
        ),
        "switched_off": QCoreApplication.translate("rules", "auto-reply is switched off"),
        "loop_paused": QCoreApplication.translate(
            "rules", "loop detection paused this conversation"
        ),
        "cooling_down": QCoreApplication.translate(
            "rules", "cooling down for another {seconds:.0f} s"
        ),
        "renders_empty": QCoreApplication.translate("rules", "every text renders empty"),
        "matches": QCoreApplication.translate("rules", "matches"),
        "outside_hours": QCoreApplication.translate("rules", "outside its active hours"),
        "no_trigger_matches": QCoreApplication.translate("rules", "no trigger matches"),
        "excluded": QCoreApplication.translate("rules", "the conversation or sender is excluded"),
        "not_chosen": QCoreApplication.translate("rules", "not one of its chosen conversations"),
        "service_account": QCoreApplication.translate(
            "rules", "a WeChat service or official account (choose it explicitly to answer there)"
        ),
        "private_only": QCoreApplication.translate("rules", "answers private chats only"),
        "groups_only": QCoreApplication.translate("rules", "answers groups only"),
        "mention_only": QCoreApplication.translate(
            "rules", "in groups only when the account is @-mentioned"
        ),
        "alert_loop": QCoreApplication.translate(
            "rules", "{conversation}: {exchanges} auto-replies in a row, each within {window:g} s; looks like another bot answering. Not answering there for {pause_min:g} min."
        ),
        "alert_cap": QCoreApplication.translate(
            "rules", "more than {limit} auto-replies a minute; answer dropped"
        ),
        "alert_conversation_cap": QCoreApplication.translate(
            "rules", "{conversation}: more than {limit} auto-replies a minute here; answer dropped"
        ),
        "alert_picture": QCoreApplication.translate("rules", "{problem}; sent without it"),
        "alert_rule_failed": QCoreApplication.translate(
            "rules", "message #{message}: the rules could not be evaluated ({detail}); it gets no automatic answer"
        ),
        "alert_unknown_source": QCoreApplication.translate(
            "rules", "rule {rule}: there is no answer source named {source}; message not answered"
        ),
    }
    # fmt: on


def text(value: Text) -> str:
    """``value`` in the user's language (English if its translation is broken)."""
    translated = templates().get(value.key)
    if translated is None or field_names(translated) != field_names(value.template):
        return str(value)
    values = {name: text(v) if isinstance(v, Text) else v for name, v in value.fields}
    try:
        return fill(translated, values)
    except (KeyError, IndexError, TypeError, ValueError):
        return str(value)


def issue_text(issue: Issue) -> str:
    """An issue's message (without its path) in the user's language."""
    value = issue.text
    if value is None or value.key not in templates():
        return issue.message
    return text(value)


def alert_detail(alert: Alert) -> str:
    """An alert's detail in the user's language."""
    value = alert.text
    if value is None or value.key not in templates():
        return alert.detail
    return text(value)


def issue_line(issue: Issue) -> str:
    """``"triggers[0].pattern: …"``: the issue with its path, like ``str(issue)``."""
    message = issue_text(issue)
    if not issue.path:
        return message
    return (
        QCoreApplication.translate("rules", "%1: %2")
        .replace("%1", issue.path)
        .replace("%2", message)
    )


def issues_text(issues: Iterable[Issue]) -> str:
    """Several issues, one a line."""
    return "\n".join(issue_line(issue) for issue in issues)


def rule_error_text(exc: RuleError) -> str:
    """Why the store refused a rule or a timed message, in the user's language."""
    return issues_text(exc.issues) or str(exc)
