"""Every sentence the core says to a person, as a key with named parameters.

The core never formats a sentence for the user ad hoc: it builds a
:class:`Text`, a key of :data:`TEXTS` and the values of the template's named
fields.  ``str(text)`` is the English line, which the command line, the
logs and the JSON import errors show; the panel translates the key in one
place (``wxpanel/gui/texts.py``) and fills the translation with the same
fields.  Nothing downstream ever parses a sentence back.

The catalogue below is written as ``QT_TRANSLATE_NOOP("texts", english,
key)`` calls so that ``pyside6-lupdate`` extracts every template, with its
key as the disambiguation, straight from this module (see
``wxpanel/gui/i18n/README.md``): the English exists once, and two keys with
the same English (``backlog_high``, ``backlog_ok``) are translated apart.
The marker is a plain function here; the core imports nothing of Qt.

A field is written ``{name}`` or ``{name:spec}`` (a :func:`format` spec such
as ``.0f``); every other brace is literal text, so ``{{ and }}`` stays as it
is.  A field's value may itself be a :class:`Text` (the kind of a JSON
value, a picture's problem), translated in turn by the panel.  Values that
come from outside wxpanel (a regular expression's error from :mod:`re`,
SQLite's or the OS's message, a file name) are passed through as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

# The translation context of every catalogue entry (``QCoreApplication.translate``).
CONTEXT: Final = "texts"


def QT_TRANSLATE_NOOP(context: str, english: str, key: str) -> tuple[str, str]:
    """One catalogue entry, ``(key, english)``; named so that lupdate finds it."""
    if context != CONTEXT:
        raise ValueError(f"text {key!r}: the context is {CONTEXT!r}, not {context!r}")
    return key, english


def _catalogue(*entries: tuple[str, str]) -> Mapping[str, str]:
    found: dict[str, str] = {}
    for key, english in entries:
        if key in found:
            raise ValueError(f"text key {key!r} given twice")
        found[key] = english
    return MappingProxyType(found)


# Every text's English template, by key (see the module docstring for the form).
TEXTS: Final[Mapping[str, str]] = _catalogue(
    # -- rule and timed message validation (rules/model.py)
    QT_TRANSLATE_NOOP("texts", "must be a whole number of at least 1", "at_least_one"),
    QT_TRANSLATE_NOOP("texts", "must be a positive number of seconds", "positive_seconds"),
    QT_TRANSLATE_NOOP("texts", "empty nickname", "empty_nickname"),
    QT_TRANSLATE_NOOP("texts", "empty keyword", "empty_keyword"),
    QT_TRANSLATE_NOOP("texts", "bad regular expression: {detail}", "bad_regex"),
    QT_TRANSLATE_NOOP(
        "texts",
        "not supported by the safe regular-expression engine (RE2: no backreferences,"
        " no look-ahead or look-behind such as (?=…)): {detail}",
        "regex_unsupported",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "regular expression too big to match quickly: {detail}",
        "regex_too_big",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "group name '{name}' is taken by the placeholder {placeholder}",
        "group_name_taken",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "matches an empty text, so it matches every message",
        "regex_matches_empty",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "contains full-width characters; with width folding the text is searched in"
        " half-width form, so write the pattern half-width",
        "regex_full_width",
    ),
    QT_TRANSLATE_NOOP("texts", "a rule needs a name", "rule_needs_name"),
    QT_TRANSLATE_NOOP(
        "texts",
        "a keyword rule needs at least one trigger",
        "keyword_needs_trigger",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "a default reply answers what nothing matched: no triggers",
        "default_no_triggers",
    ),
    QT_TRANSLATE_NOOP("texts", "must be a number of seconds, 0 or more", "cooldown_invalid"),
    QT_TRANSLATE_NOOP(
        "texts",
        "a default reply needs one: at most once per conversation per N s",
        "default_needs_cooldown",
    ),
    QT_TRANSLATE_NOOP("texts", "choose at least one conversation", "choose_conversation"),
    QT_TRANSLATE_NOOP("texts", "empty entry", "empty_entry"),
    QT_TRANSLATE_NOOP(
        "texts",
        "a group welcome cannot be limited to private chats",
        "welcome_group_private",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "no nickname to recognise an @mention: set the account's nickname",
        "no_mention_nickname",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "a default reply in groups answers every unmatched message there; consider"
        " 'only when mentioned'",
        "default_in_groups",
    ),
    QT_TRANSLATE_NOOP("texts", "a reply needs a text or a picture", "reply_needs_content"),
    QT_TRANSLATE_NOOP("texts", "empty answer source name", "empty_source"),
    QT_TRANSLATE_NOOP("texts", "empty text", "empty_text"),
    QT_TRANSLATE_NOOP(
        "texts",
        "unknown placeholder {placeholder} is sent as it is (write {{ and }} for literal braces)",
        "unknown_placeholder",
    ),
    QT_TRANSLATE_NOOP("texts", "empty picture path", "empty_picture"),
    QT_TRANSLATE_NOOP(
        "texts",
        "must be an absolute path: demo.exe reads the file itself",
        "picture_not_absolute",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "give both a start and an end time, or neither",
        "hours_start_and_end",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "start and end are the same time: leave both empty for all day",
        "hours_same",
    ),
    QT_TRANSLATE_NOOP("texts", "choose at least one weekday", "choose_weekday"),
    QT_TRANSLATE_NOOP("texts", "a weekday is 1 (Monday) to 7 (Sunday)", "weekday_range"),
    QT_TRANSLATE_NOOP("texts", "a weekday is listed twice", "weekday_twice"),
    QT_TRANSLATE_NOOP("texts", "a timed message needs a name", "timed_needs_name"),
    QT_TRANSLATE_NOOP("texts", "a timed message needs a text or a picture", "timed_needs_content"),
    QT_TRANSLATE_NOOP("texts", "a one-off message needs a date and time", "once_needs_moment"),
    QT_TRANSLATE_NOOP("texts", "a daily or weekly message needs a time", "repeat_needs_time"),
    QT_TRANSLATE_NOOP("texts", "that time has passed", "time_passed"),
    QT_TRANSLATE_NOOP(
        "texts",
        "{target} is neither a known contact nor a wxid: choose one from the list",
        "target_unknown",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{target} names several contacts: {names}; choose one from the list",
        "target_ambiguous",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "cannot reach WeChat through code page 936 and will be left out: {chars}",
        "not_gbk",
    ),
    # -- what demo.exe can never deliver (rules/model.demo_limit)
    QT_TRANSLATE_NOOP(
        "texts",
        "demo.exe accepts friend requests itself and never reports them: this rule"
        " cannot fire with demo.exe (kept for other bridges)",
        "demo_no_friend_requests",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "demo.exe reports only received text, never someone joining a group: this rule"
        " cannot fire with demo.exe (kept for other bridges)",
        "demo_no_group_joins",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "demo.exe delivers only received text: pictures, voice, links, transfers and"
        " the account's own messages never arrive from it",
        "demo_text_only",
    ),
    # -- a picture that cannot be sent (outbox.check_picture)
    QT_TRANSLATE_NOOP("texts", "{path}: no such picture", "picture_missing"),
    QT_TRANSLATE_NOOP("texts", "{path}: not a file", "picture_not_file"),
    QT_TRANSLATE_NOOP("texts", "{path}: cannot be read ({detail})", "picture_unreadable"),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: {size_mib:.1f} MiB is over the {limit_mib:.1f} MiB limit",
        "picture_too_big",
    ),
    QT_TRANSLATE_NOOP("texts", "{path}: not a JPG, PNG, GIF or BMP picture", "picture_not_picture"),
    # -- rules files and their JSON (rules/io.py, rules/jsoncodec.py)
    QT_TRANSLATE_NOOP("texts", "not valid JSON: line {line} column {column}: {detail}", "not_json"),
    QT_TRANSLATE_NOOP("texts", "expected a JSON object with a 'rules' list", "not_rules_object"),
    QT_TRANSLATE_NOOP("texts", "nested too deeply to be a rules file", "too_deep"),
    QT_TRANSLATE_NOOP("texts", "expected {expected}, found {found}", "expected_found"),
    QT_TRANSLATE_NOOP(
        "texts",
        "format version {version} is newer than this wxpanel's {supported}",
        "version_newer",
    ),
    QT_TRANSLATE_NOOP("texts", "unknown key (typo?)", "unknown_key"),
    QT_TRANSLATE_NOOP("texts", "expected a list of rules", "expected_rule_list"),
    QT_TRANSLATE_NOOP(
        "texts",
        "the same name as rules[{index}]; a merge matches rules by name",
        "same_name",
    ),
    QT_TRANSLATE_NOOP("texts", "cannot read it ({detail})", "cannot_read"),
    QT_TRANSLATE_NOOP("texts", "not UTF-8 text (byte {byte})", "not_utf8"),
    QT_TRANSLATE_NOOP("texts", "missing", "missing"),
    QT_TRANSLATE_NOOP("texts", "expected an object, found {found}", "expected_object"),
    QT_TRANSLATE_NOOP("texts", "expected a string, found {found}", "expected_string"),
    QT_TRANSLATE_NOOP("texts", "expected true or false, found {found}", "expected_boolean"),
    QT_TRANSLATE_NOOP("texts", "expected a number, found {found}", "expected_number"),
    QT_TRANSLATE_NOOP("texts", "expected one of {choices}, found {found}", "expected_one_of"),
    QT_TRANSLATE_NOOP("texts", "expected a list of strings, found {found}", "expected_strings"),
    QT_TRANSLATE_NOOP(
        "texts",
        "expected a list of weekdays 1-7, found {found}",
        "expected_weekdays",
    ),
    QT_TRANSLATE_NOOP("texts", "expected a weekday 1-7, found {found}", "expected_weekday"),
    QT_TRANSLATE_NOOP("texts", "expected a time as HH:MM, found {found}", "expected_hhmm"),
    QT_TRANSLATE_NOOP("texts", "expected a list of triggers, found {found}", "expected_triggers"),
    QT_TRANSLATE_NOOP("texts", "null", "json_null"),
    QT_TRANSLATE_NOOP("texts", "true", "json_true"),
    QT_TRANSLATE_NOOP("texts", "false", "json_false"),
    QT_TRANSLATE_NOOP("texts", "the string {value}", "json_string"),
    QT_TRANSLATE_NOOP("texts", "the number {value}", "json_number"),
    QT_TRANSLATE_NOOP("texts", "a list", "json_list"),
    QT_TRANSLATE_NOOP("texts", "an object", "json_object"),
    # -- try it (rules/tryit.py, rules/evaluate.py)
    QT_TRANSLATE_NOOP("texts", "rules never answer an outgoing message", "never_outgoing"),
    QT_TRANSLATE_NOOP("texts", "rules never answer this kind of message", "never_this_kind"),
    QT_TRANSLATE_NOOP(
        "texts",
        "rules never answer a system notice other than someone joining a group",
        "never_system",
    ),
    QT_TRANSLATE_NOOP("texts", "auto-reply is switched off", "switched_off"),
    QT_TRANSLATE_NOOP("texts", "loop detection paused this conversation", "loop_paused"),
    QT_TRANSLATE_NOOP("texts", "cooling down for another {seconds:.0f} s", "cooling_down"),
    QT_TRANSLATE_NOOP("texts", "every text renders empty", "renders_empty"),
    QT_TRANSLATE_NOOP("texts", "matches", "matches"),
    QT_TRANSLATE_NOOP("texts", "outside its active hours", "outside_hours"),
    QT_TRANSLATE_NOOP("texts", "no trigger matches", "no_trigger_matches"),
    QT_TRANSLATE_NOOP("texts", "the conversation or sender is excluded", "excluded"),
    QT_TRANSLATE_NOOP("texts", "not one of its chosen conversations", "not_chosen"),
    QT_TRANSLATE_NOOP(
        "texts",
        "a WeChat service or official account (choose it explicitly to answer there)",
        "service_account",
    ),
    QT_TRANSLATE_NOOP("texts", "answers private chats only", "private_only"),
    QT_TRANSLATE_NOOP("texts", "answers groups only", "groups_only"),
    QT_TRANSLATE_NOOP("texts", "in groups only when the account is @-mentioned", "mention_only"),
    # -- auto-reply alerts (rules/replier.py)
    QT_TRANSLATE_NOOP(
        "texts",
        "{conversation}: {exchanges} auto-replies in a row, each within {window:g} s;"
        " looks like another bot answering. Not answering there for {pause_min:g} min.",
        "alert_loop",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "more than {limit} auto-replies a minute; answer dropped",
        "alert_cap",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{conversation}: more than {limit} auto-replies a minute here; answer dropped",
        "alert_conversation_cap",
    ),
    QT_TRANSLATE_NOOP("texts", "{problem}; sent without it", "alert_picture"),
    QT_TRANSLATE_NOOP(
        "texts",
        "message #{message}: the rules could not be evaluated ({detail}); it gets no"
        " automatic answer",
        "alert_rule_failed",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "rule {rule}: there is no answer source named {source}; message not answered",
        "alert_unknown_source",
    ),
    # -- answer sources' alerts (sources/hub.py)
    QT_TRANSLATE_NOOP("texts", "{source} switched off: {detail}", "alert_source_off"),
    QT_TRANSLATE_NOOP(
        "texts",
        "{conversation}: {exchanges} answers of plugins, webhooks or models in a row, each"
        " within {window:g} s; looks like another bot answering. Not answering there for"
        " {pause_min:g} min.",
        "alert_source_loop",
    ),
    # -- our commands in wx_command (outbox.py)
    QT_TRANSLATE_NOOP("texts", "not taken by demo.exe after {seconds:.0f} s", "command_stuck"),
    QT_TRANSLATE_NOOP(
        "texts",
        "interrupted while being written to wx_command; check WeChat before sending again",
        "command_interrupted",
    ),
    # -- health checks: their titles and reasons (health.py)
    QT_TRANSLATE_NOOP("texts", "exchange.db", "check_exchange"),
    QT_TRANSLATE_NOOP("texts", "demo.exe", "check_demo"),
    QT_TRANSLATE_NOOP("texts", "Disk beside exchange.db", "check_disk_exchange"),
    QT_TRANSLATE_NOOP("texts", "Disk beside history.db", "check_disk_history"),
    QT_TRANSLATE_NOOP("texts", "History size", "check_history_size"),
    QT_TRANSLATE_NOOP("texts", "Poller", "check_lag"),
    QT_TRANSLATE_NOOP("texts", "wx_event backlog", "check_backlog"),
    QT_TRANSLATE_NOOP("texts", "History integrity", "check_integrity"),
    QT_TRANSLATE_NOOP("texts", "exchange.db is readable and has demo.exe's tables", "exchange_ok"),
    QT_TRANSLATE_NOOP(
        "texts",
        "Waiting for the poller's first look at exchange.db",
        "exchange_waiting",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "exchange.db is not demo.exe's database ({detail})",
        "exchange_schema",
    ),
    QT_TRANSLATE_NOOP("texts", "exchange.db is gone; waiting for it to come back", "exchange_gone"),
    QT_TRANSLATE_NOOP("texts", "exchange.db cannot be used: {detail}", "exchange_error"),
    QT_TRANSLATE_NOOP("texts", "missing {missing}", "exchange_missing"),
    QT_TRANSLATE_NOOP("texts", "Cannot tell while exchange.db is unreadable", "demo_unknown"),
    QT_TRANSLATE_NOOP(
        "texts",
        "demo.exe has taken nothing for {seconds} s ({stuck} commands stuck)",
        "demo_stuck",
    ),
    QT_TRANSLATE_NOOP("texts", "demo.exe has not taken a command for {seconds} s", "demo_slow"),
    QT_TRANSLATE_NOOP("texts", "No event from demo.exe for {minutes} min", "demo_quiet"),
    QT_TRANSLATE_NOOP("texts", "demo.exe takes commands; last event {seconds} s ago", "demo_ok"),
    QT_TRANSLATE_NOOP("texts", "demo.exe takes commands; no event yet", "demo_ok_no_event"),
    QT_TRANSLATE_NOOP("texts", "demo.exe writes events; last event {seconds} s ago", "demo_events"),
    QT_TRANSLATE_NOOP(
        "texts",
        "No sign of demo.exe yet: no event arrived and no command was taken",
        "demo_unseen",
    ),
    QT_TRANSLATE_NOOP("texts", "Free space beside {file} is unknown", "disk_unknown"),
    QT_TRANSLATE_NOOP(
        "texts",
        "Only {free_mb} MB free beside {file}: the disk is nearly full",
        "disk_full",
    ),
    QT_TRANSLATE_NOOP("texts", "{free_mb} MB free beside {file}", "disk_low"),
    QT_TRANSLATE_NOOP("texts", "{free_gb:.1f} GB free beside {file}", "disk_ok"),
    QT_TRANSLATE_NOOP("texts", "history.db's size is unknown", "history_unknown"),
    QT_TRANSLATE_NOOP(
        "texts",
        "history.db is {size_gb:.1f} GB: export and archive old messages",
        "history_huge",
    ),
    QT_TRANSLATE_NOOP("texts", "history.db is {size_gb:.1f} GB", "history_large"),
    QT_TRANSLATE_NOOP("texts", "history.db is {size_mb} MB", "history_ok"),
    QT_TRANSLATE_NOOP("texts", "Waiting for the poller's first report", "lag_waiting"),
    QT_TRANSLATE_NOOP(
        "texts",
        "exchange.db locked by another program for {seconds} s",
        "lag_locked",
    ),
    QT_TRANSLATE_NOOP("texts", "The poller last looked {seconds} s ago", "lag_stale"),
    QT_TRANSLATE_NOOP("texts", "The poller looked {seconds} s ago", "lag_ok"),
    QT_TRANSLATE_NOOP(
        "texts",
        "Backlog unknown while exchange.db is unreadable",
        "backlog_unknown",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "wx_event backlog grew from {first} to {last} rows in {seconds} s",
        "backlog_growing",
    ),
    QT_TRANSLATE_NOOP("texts", "{rows} events wait in wx_event", "backlog_high"),
    QT_TRANSLATE_NOOP("texts", "{rows} events wait in wx_event", "backlog_ok"),
    QT_TRANSLATE_NOOP("texts", "PRAGMA quick_check found no problem", "integrity_ok"),
    QT_TRANSLATE_NOOP("texts", "history.db is busy; try the check again", "integrity_busy"),
    QT_TRANSLATE_NOOP("texts", "history.db is damaged: {detail}", "integrity_bad"),
    QT_TRANSLATE_NOOP("texts", "history.db cannot be read: {detail}", "integrity_unreadable"),
    # -- settings.json (settings.py)
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: cannot be read ({detail}); running on the default settings, the file"
        " is kept as it is",
        "settings_unreadable",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: not valid JSON, line {line} column {column}: {detail}; running on the"
        " default settings, the file is kept as it is",
        "settings_not_json",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: expected a JSON object, found {found}; running on the default"
        " settings, the file is kept as it is",
        "settings_not_object",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: {key}: expected {expected}, found {found}; using the default {default}",
        "settings_wrong_type",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: {key}: {found} is not between {low} and {high}; using the default {default}",
        "settings_out_of_range",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: not saved, the file cannot be read ({detail}) and is kept as it is;"
        " fix or remove it first",
        "settings_kept",
    ),
    # -- what stops the poller (engine.py); {detail} is SQLite's or the OS's own words
    QT_TRANSLATE_NOOP(
        "texts", "{path}: the file is gone; waiting for it to come back", "problem_gone"
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{folder}: the disk is full ({free_mib:.1f} MiB free); wxpanel goes on by itself"
        " once about {needed_mib} MiB are free",
        "problem_disk_full",
    ),
    QT_TRANSLATE_NOOP(
        "texts", "{path}: not demo.exe's exchange.db, missing {missing}", "problem_not_demo"
    ),
    QT_TRANSLATE_NOOP("texts", "{path}: not an SQLite database ({detail})", "problem_not_sqlite"),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: the file is read-only; wxpanel must delete ingested rows",
        "problem_read_only",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: its folder is read-only; SQLite needs to write its journal there",
        "problem_folder_read_only",
    ),
    QT_TRANSLATE_NOOP("texts", "{path}: is a folder, not an exchange.db file", "problem_folder"),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: locked by another program for too long; try again",
        "problem_locked",
    ),
    QT_TRANSLATE_NOOP("texts", "{path}: {detail}", "problem_file"),
    QT_TRANSLATE_NOOP("texts", "{detail}", "problem_other"),
    QT_TRANSLATE_NOOP(
        "texts", "{path}: no such file (add --create to make an empty one)", "problem_missing"
    ),
    QT_TRANSLATE_NOOP("texts", "{path}: already exists, not overwriting it", "problem_exists"),
    QT_TRANSLATE_NOOP("texts", "{path}: folder {folder} does not exist", "problem_no_folder"),
    QT_TRANSLATE_NOOP("texts", "{path}: cannot create it ({detail})", "problem_cannot_create"),
    QT_TRANSLATE_NOOP("texts", "{path}: cannot open it ({detail})", "problem_cannot_open"),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: another wxpanel (pid {pid}) already consumes this exchange.db",
        "already_running",
    ),
    # -- history.db (history.py, errors.concerning)
    QT_TRANSLATE_NOOP("texts", "{path}: locked by another program; try again", "history_locked"),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: the database is damaged ({detail}); restore a backup or move it away",
        "history_damaged",
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: the database is damaged (its schema cannot be read); restore a backup or"
        " move it away",
        "history_schema_damaged",
    ),
    QT_TRANSLATE_NOOP(
        "texts", "{path}: the database is damaged (schema version {version})", "history_bad_version"
    ),
    QT_TRANSLATE_NOOP(
        "texts",
        "{path}: made by a newer wxpanel (schema {version}, this one knows {supported});"
        " upgrade wxpanel",
        "history_newer",
    ),
    QT_TRANSLATE_NOOP(
        "texts", "{path}: cannot open the history database ({detail})", "history_cannot_open"
    ),
    QT_TRANSLATE_NOOP(
        "texts", "{path}: not a usable history database ({detail})", "history_unusable"
    ),
    # -- what was edited away meanwhile (rules/store.py, rules/timed.py, sources/store.py)
    QT_TRANSLATE_NOOP("texts", "rule #{id} no longer exists", "rule_gone"),
    QT_TRANSLATE_NOOP("texts", "timed message #{id} no longer exists", "timed_gone"),
    QT_TRANSLATE_NOOP("texts", "run #{id} is not a missed timed message", "run_not_missed"),
    QT_TRANSLATE_NOOP("texts", "the timed message of run #{id} was deleted", "run_timed_deleted"),
    QT_TRANSLATE_NOOP("texts", "source #{id} no longer exists", "source_gone"),
    QT_TRANSLATE_NOOP(
        "texts",
        "plugins are added by putting their file in the plugins folder",
        "source_plugins_by_file",
    ),
    QT_TRANSLATE_NOOP("texts", "a {kind} source named {name} exists already", "source_exists"),
    QT_TRANSLATE_NOOP("texts", "{kind} {name}", "source_label"),
    QT_TRANSLATE_NOOP("texts", "source #{id}", "source_number"),
    QT_TRANSLATE_NOOP("texts", "plugin", "source_kind_plugin"),
    QT_TRANSLATE_NOOP("texts", "webhook", "source_kind_webhook"),
    QT_TRANSLATE_NOOP("texts", "ai", "source_kind_ai"),
    QT_TRANSLATE_NOOP("texts", "only an AI source has an API key", "source_key_ai_only"),
    # -- answer sources' settings (sources/config.py, sources/store.py)
    QT_TRANSLATE_NOOP("texts", "a name is needed", "source_name_needed"),
    QT_TRANSLATE_NOOP("texts", "must be an http:// or https:// address", "source_url"),
    QT_TRANSLATE_NOOP("texts", "a model name is needed", "source_model_needed"),
    QT_TRANSLATE_NOOP("texts", "must be zero or more", "source_zero_or_more"),
    QT_TRANSLATE_NOOP("texts", "must be between {low} and {high}", "source_between"),
    QT_TRANSLATE_NOOP(
        "texts", "must be between {low} and {high} seconds", "source_between_seconds"
    ),
    QT_TRANSLATE_NOOP(
        "texts", "must be more than 0 and at most {limit:g} seconds", "source_timeout"
    ),
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
