"""Answer sources beyond keywords (issue 7): plain Python, no Qt.

* :mod:`.plugin_api` — the public, documented API of plugin files;
* :mod:`.plugins` — loading plugin files, calling handlers with a timeout;
* :mod:`.webhook` — forwarding a message as JSON to an HTTP URL;
* :mod:`.ai` — OpenAI-compatible chat completions, rate limits, cost;
* :mod:`.credentials` — API keys in the OS credential store, log redaction;
* :mod:`.config` / :mod:`.store` — the sources' settings and status in history.db;
* :mod:`.hub` — :class:`AnswerSources`, called by the poller after the rules.
"""

from __future__ import annotations

from wxpanel.core.sources.config import (
    AIConfig,
    GroupPolicy,
    PluginConfig,
    Source,
    SourceKind,
    SourceStatus,
    WebhookConfig,
)
from wxpanel.core.sources.credentials import (
    ApiKeys,
    RedactingFilter,
    SecretStoreError,
    install_redaction,
    redact,
)
from wxpanel.core.sources.hub import AnswerSources, SourceReport, default_plugin_dirs
from wxpanel.core.sources.plugin_api import IncomingMessage, Reply, handler
from wxpanel.core.sources.store import SourceStore

__all__ = [
    "AIConfig",
    "AnswerSources",
    "ApiKeys",
    "GroupPolicy",
    "IncomingMessage",
    "PluginConfig",
    "RedactingFilter",
    "Reply",
    "SecretStoreError",
    "Source",
    "SourceKind",
    "SourceReport",
    "SourceStatus",
    "SourceStore",
    "WebhookConfig",
    "default_plugin_dirs",
    "handler",
    "install_redaction",
    "redact",
]
