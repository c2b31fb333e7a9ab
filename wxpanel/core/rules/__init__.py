"""Auto-reply rules and timed messages: plain Python, no Qt.

* :mod:`.model` — the values (:class:`Rule`, :class:`Trigger`, :class:`Scope`,
  :class:`Reply`, :class:`TimedMessage`…) and their validation;
* :mod:`.evaluate` — which rules answer a message (pure, fast);
* :mod:`.store` — rules and their counters in history.db (the switch, caps and
  pauses are the :class:`~wxpanel.core.autoreply.guard.Guard`'s);
* :mod:`.replier` — :class:`AutoReplier`, called by the poller, exactly once;
* :mod:`.timed` — timed messages and their runs;
* :mod:`.tryit` — "which rule would answer this, and what would it send";
* :mod:`.io` — the JSON rules file and ``wxpanel rules list``.

The names below are imported on first use, as in :mod:`wxpanel.core.sources`:
the neutral modules of :mod:`wxpanel.core.autoreply` import
:mod:`.texts`, and importing it must not pull in the rules' machinery that
imports them back.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wxpanel.core.autoreply.alerts import Alert, AlertKind
    from wxpanel.core.autoreply.config import AutoReplyConfig
    from wxpanel.core.autoreply.issues import Issue, RuleError, Severity
    from wxpanel.core.rules.evaluate import Incoming, PlannedReply, RuleSet
    from wxpanel.core.rules.io import (
        RulesFileError,
        export_rules,
        format_rules_table,
        import_rules_file,
        parse_rules,
    )
    from wxpanel.core.rules.model import (
        ActiveHours,
        AfterMatch,
        MatchMode,
        Reply,
        ReplyMode,
        Rule,
        RuleKind,
        ScheduleKind,
        Scope,
        ScopeKind,
        TimedMessage,
        Trigger,
        validate_rule,
        validate_timed,
        validate_trigger,
    )
    from wxpanel.core.rules.replier import AutoReplier, ReplyReport
    from wxpanel.core.rules.store import RuleCounter, RuleStore
    from wxpanel.core.rules.timed import TimedReport, TimedRunner, TimedStore, process_timed
    from wxpanel.core.rules.tryit import TryResult, try_message, try_stored

_WHERE = {
    "ActiveHours": "wxpanel.core.rules.model",
    "AfterMatch": "wxpanel.core.rules.model",
    "Alert": "wxpanel.core.autoreply.alerts",
    "AlertKind": "wxpanel.core.autoreply.alerts",
    "AutoReplier": "wxpanel.core.rules.replier",
    "AutoReplyConfig": "wxpanel.core.rules.model",
    "Incoming": "wxpanel.core.rules.evaluate",
    "Issue": "wxpanel.core.autoreply.issues",
    "MatchMode": "wxpanel.core.rules.model",
    "PlannedReply": "wxpanel.core.rules.evaluate",
    "Reply": "wxpanel.core.rules.model",
    "ReplyMode": "wxpanel.core.rules.model",
    "ReplyReport": "wxpanel.core.rules.replier",
    "Rule": "wxpanel.core.rules.model",
    "RuleCounter": "wxpanel.core.rules.store",
    "RuleError": "wxpanel.core.autoreply.issues",
    "RuleKind": "wxpanel.core.rules.model",
    "RuleSet": "wxpanel.core.rules.evaluate",
    "RuleStore": "wxpanel.core.rules.store",
    "RulesFileError": "wxpanel.core.rules.io",
    "ScheduleKind": "wxpanel.core.rules.model",
    "Scope": "wxpanel.core.rules.model",
    "ScopeKind": "wxpanel.core.rules.model",
    "Severity": "wxpanel.core.autoreply.issues",
    "TimedMessage": "wxpanel.core.rules.model",
    "TimedReport": "wxpanel.core.rules.timed",
    "TimedRunner": "wxpanel.core.rules.timed",
    "TimedStore": "wxpanel.core.rules.timed",
    "Trigger": "wxpanel.core.rules.model",
    "TryResult": "wxpanel.core.rules.tryit",
    "export_rules": "wxpanel.core.rules.io",
    "format_rules_table": "wxpanel.core.rules.io",
    "import_rules_file": "wxpanel.core.rules.io",
    "parse_rules": "wxpanel.core.rules.io",
    "process_timed": "wxpanel.core.rules.timed",
    "try_message": "wxpanel.core.rules.tryit",
    "try_stored": "wxpanel.core.rules.tryit",
    "validate_rule": "wxpanel.core.rules.model",
    "validate_timed": "wxpanel.core.rules.model",
    "validate_trigger": "wxpanel.core.rules.model",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "ActiveHours",
    "AfterMatch",
    "Alert",
    "AlertKind",
    "AutoReplier",
    "AutoReplyConfig",
    "Incoming",
    "Issue",
    "MatchMode",
    "PlannedReply",
    "Reply",
    "ReplyMode",
    "ReplyReport",
    "Rule",
    "RuleCounter",
    "RuleError",
    "RuleKind",
    "RuleSet",
    "RuleStore",
    "RulesFileError",
    "ScheduleKind",
    "Scope",
    "ScopeKind",
    "Severity",
    "TimedMessage",
    "TimedReport",
    "TimedRunner",
    "TimedStore",
    "Trigger",
    "TryResult",
    "export_rules",
    "format_rules_table",
    "import_rules_file",
    "parse_rules",
    "process_timed",
    "try_message",
    "try_stored",
    "validate_rule",
    "validate_timed",
    "validate_trigger",
]
