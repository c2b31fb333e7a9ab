"""What an answer source is: its kind, its settings, and their JSON form.

Every value is a frozen dataclass (handed to worker threads and the panel
as is).  A setting of the wrong type in a stored definition falls back to
its default, like ``settings.json``; :meth:`issues` lists what an edit
dialog must refuse.
"""

from __future__ import annotations

import enum
import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Final, TypeAlias, TypeVar
from urllib.parse import urlsplit

from wxpanel.core.autoreply.issues import Issue
from wxpanel.core.texts import Text

#: Longest a source may take for one message before its job counts as failed.
MAX_TIMEOUT: Final = 300.0


class SourceKind(enum.StrEnum):
    PLUGIN = "plugin"
    WEBHOOK = "webhook"
    AI = "ai"


class GroupPolicy(enum.StrEnum):
    """Which group messages a source is asked about (private chats always)."""

    NEVER = "never"
    MENTIONED = "mentioned"  # only when the account is @-ed
    ALWAYS = "always"


@dataclass(frozen=True, slots=True)
class PluginConfig:
    """A plugin file; handlers get every incoming event and decide themselves."""

    timeout: float = 5.0  # per handler call
    groups: GroupPolicy = GroupPolicy.ALWAYS
    also_answered: bool = False  # also asked about messages a rule answered

    def issues(self) -> list[Issue]:
        return _timeout_issues(self.timeout)


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """Forward incoming texts as JSON to ``url``; send the text or picture that comes back."""

    url: str = ""
    timeout: float = 5.0  # per attempt
    retries: int = 2  # further attempts after a timeout, a 5xx or a 429
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    groups: GroupPolicy = GroupPolicy.MENTIONED
    also_answered: bool = False

    def issues(self) -> list[Issue]:
        found = _url_issues("url", self.url) + _timeout_issues(self.timeout)
        if not 0 <= self.retries <= 5:
            found.append(Issue.of("retries", "source_between", low=0, high=5))
        if not 0 <= self.backoff <= 30:
            found.append(Issue.of("backoff", "source_between_seconds", low=0, high=30))
        return found


@dataclass(frozen=True, slots=True)
class AIConfig:
    """An OpenAI-compatible chat-completions endpoint.

    ``base_url`` is the API root (``https://api.openai.com/v1``; a URL that
    already ends in ``/chat/completions`` is used as is).  ``key_ref`` names
    the API key in the OS credential store (:mod:`.secrets`); the key itself
    is never part of the settings.  Prices are per 1000 tokens, in whatever
    currency the operator thinks in.
    """

    base_url: str = ""
    model: str = ""
    key_ref: str = ""
    system_prompt: str = "You are a helpful assistant replying in a WeChat chat. Be brief."
    context_messages: int = 10  # earlier messages of the conversation sent along
    max_reply_chars: int = 500  # a longer answer is cut
    max_tokens: int = 400
    temperature: float = 0.7
    timeout: float = 30.0
    retries: int = 1
    backoff: float = 1.0
    per_conversation_per_minute: int = 3  # model calls
    per_minute: int = 20
    price_prompt_per_1k: float = 0.0
    price_completion_per_1k: float = 0.0
    groups: GroupPolicy = GroupPolicy.MENTIONED
    also_answered: bool = False

    @property
    def endpoint(self) -> str:
        base = self.base_url.rstrip("/")
        return base if base.endswith("/chat/completions") else f"{base}/chat/completions"

    def issues(self) -> list[Issue]:
        found = _url_issues("base_url", self.base_url) + _timeout_issues(self.timeout)
        if not self.model.strip():
            found.append(Issue.of("model", "source_model_needed"))
        checks = (
            ("context_messages", 0, 100),
            ("max_reply_chars", 1, 4000),
            ("max_tokens", 1, 100_000),
            ("retries", 0, 5),
            ("per_conversation_per_minute", 1, 1000),
            ("per_minute", 1, 10_000),
        )
        for name, low, high in checks:
            if not low <= getattr(self, name) <= high:
                found.append(Issue.of(name, "source_between", low=low, high=high))
        if not 0 <= self.temperature <= 2:
            found.append(Issue.of("temperature", "source_between", low=0, high=2))
        for name in ("price_prompt_per_1k", "price_completion_per_1k", "backoff"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) >= 0):
                found.append(Issue.of(name, "source_zero_or_more"))
        return found

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.price_prompt_per_1k
            + completion_tokens * self.price_completion_per_1k
        ) / 1000.0


def source_label(kind: SourceKind, name: str) -> Text:
    """``webhook 'orders'``: a source's kind and its name, quoted."""
    return Text.of("source_label", kind=Text.of(f"source_kind_{kind.value}"), name=repr(name))


SourceConfig: TypeAlias = PluginConfig | WebhookConfig | AIConfig
CONFIG_TYPES: Final[dict[SourceKind, type[SourceConfig]]] = {
    SourceKind.PLUGIN: PluginConfig,
    SourceKind.WEBHOOK: WebhookConfig,
    SourceKind.AI: AIConfig,
}


@dataclass(frozen=True, slots=True)
class Source:
    """One stored source: ``position`` orders all sources, plugins included."""

    id: int
    kind: SourceKind
    name: str
    position: int
    enabled: bool
    config: SourceConfig
    error_disabled: bool = False  # switched off by an error; an edited plugin file re-enables

    @property
    def label(self) -> str:
        return str(self.label_text)

    @property
    def label_text(self) -> Text:
        """``webhook 'orders'`` as a sentence of the catalogue, its kind translatable."""
        return source_label(self.kind, self.name)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source's running status, for the panel and the statistics page."""

    source_id: int
    kind: SourceKind
    name: str
    enabled: bool
    last_error: str | None
    last_error_at: float | None
    calls: int
    answers: int
    failures: int
    mean_latency: float | None
    last_latency: float | None
    last_used_at: float | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


_C = TypeVar("_C")


def config_to_json(config: SourceConfig) -> dict[str, Any]:
    return {
        key: (value.value if isinstance(value, enum.Enum) else value)
        for key, value in asdict(config).items()
    }


def config_from_json(kind: SourceKind, data: Any) -> SourceConfig:
    """The stored settings of a ``kind`` source; wrong or missing values take their default."""
    cls = CONFIG_TYPES[kind]
    default = cls()
    if not isinstance(data, dict):
        return default
    values: dict[str, Any] = {}
    for item in fields(cls):
        current = getattr(default, item.name)
        given = data.get(item.name, current)
        if isinstance(current, enum.Enum):
            try:
                given = type(current)(given)
            except ValueError:
                given = current
        elif isinstance(current, bool):
            given = given if isinstance(given, bool) else current
        elif isinstance(current, float):
            ok = isinstance(given, int | float) and not isinstance(given, bool)
            given = float(given) if ok and math.isfinite(given) else current
        elif isinstance(current, int):
            given = given if isinstance(given, int) and not isinstance(given, bool) else current
        elif not isinstance(given, type(current)):
            given = current
        values[item.name] = given
    return cls(**values)


def _url_issues(name: str, url: str) -> list[Issue]:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Issue.of(name, "source_url")]
    return []


def _timeout_issues(timeout: float) -> list[Issue]:
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        return [Issue.of("timeout", "source_timeout", limit=MAX_TIMEOUT)]
    return []
