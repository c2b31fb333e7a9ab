"""Answer sources beyond keywords: plain Python, no Qt.

* :mod:`.plugin_api` — the public, documented API of plugin files;
* :mod:`.plugins` — loading plugin files, calling handlers with a timeout;
* :mod:`.webhook` — forwarding a message as JSON to an HTTP URL;
* :mod:`.ai` — OpenAI-compatible chat completions, rate limits, cost;
* :mod:`.credentials` — API keys in the OS credential store, log redaction;
* :mod:`.config` / :mod:`.store` — the sources' settings and status in history.db;
* :mod:`.hub` — :class:`AnswerSources`, called by the poller after the rules.

The names below are imported on first use: every plugin's worker process
imports :mod:`.plugin_api`, hence this package, and must not pay for the
poller's modules (rules, history, HTTP) it never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

_MODULES = {
    "config": (
        "AIConfig",
        "GroupPolicy",
        "PluginConfig",
        "Source",
        "SourceKind",
        "SourceStatus",
        "WebhookConfig",
    ),
    "credentials": (
        "ApiKeys",
        "RedactingFilter",
        "SecretStoreError",
        "install_redaction",
        "redact",
    ),
    "hub": ("AnswerSources", "SourceReport", "default_plugin_dirs"),
    "plugin_api": ("IncomingMessage", "Reply", "handler"),
    "store": ("SourceStore",),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
