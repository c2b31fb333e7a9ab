"""Auto-reply rules and timed messages: plain Python, no Qt.

* :mod:`.model` — the values (:class:`Rule`, :class:`Trigger`, :class:`Scope`,
  :class:`Reply`, :class:`TimedMessage`…) and their validation;
* :mod:`.evaluate` — which rules answer a message (pure, fast);
* :mod:`.store` — rules, counters, the global switch in history.db;
* :mod:`.replier` — :class:`AutoReplier`, called by the poller, exactly once;
* :mod:`.timed` — timed messages and their runs;
* :mod:`.tryit` — "which rule would answer this, and what would it send";
* :mod:`.io` — the JSON rules file and ``wxpanel rules list``.
"""

from __future__ import annotations

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
    AutoReplyConfig,
    Issue,
    MatchMode,
    Reply,
    ReplyMode,
    Rule,
    RuleKind,
    ScheduleKind,
    Scope,
    ScopeKind,
    Severity,
    TimedMessage,
    Trigger,
    validate_rule,
    validate_timed,
    validate_trigger,
)
from wxpanel.core.rules.replier import Alert, AlertKind, AutoReplier, ReplyReport
from wxpanel.core.rules.store import RuleCounter, RuleError, RuleStore
from wxpanel.core.rules.timed import TimedReport, TimedRunner, TimedStore, process_timed
from wxpanel.core.rules.tryit import TryResult, try_message, try_stored

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
