"""Answers from an OpenAI-compatible chat-completions endpoint.

:func:`ask_model` runs on a worker thread: it reads the conversation's last
``context_messages`` messages from history.db on a read-only connection of
its own, posts ``{"model", "messages", "temperature", "max_tokens"}`` to
``…/chat/completions`` with the key from the OS credential store as a
bearer token, and returns the first choice's text (cut to
``max_reply_chars``) and the token ``usage``.  A 429 or 5xx is retried with
backoff; a malformed answer fails at once.

:class:`RateLimiter` (the hub's, on the poller thread) bounds the model
calls per conversation and overall per minute, before a job is handed over.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import wxpanel.core.sources.http as http
from wxpanel.core.models import Origin
from wxpanel.core.protocol import Direction, MessageType
from wxpanel.core.sources.config import AIConfig
from wxpanel.core.sources.credentials import redact
from wxpanel.core.sources.plugin_api import IncomingMessage, Reply

#: Longest text of one context message sent to the model.
CONTEXT_CHARS: Final = 1000


class ModelError(Exception):
    """The model call failed; the text is already redacted."""


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    replies: tuple[Reply, ...]
    prompt_tokens: int
    completion_tokens: int
    cost: float
    attempts: int


def read_context(history: Path, message: IncomingMessage, limit: int) -> list[dict[str, str]]:
    """The ``limit`` texts before ``message`` in its conversation, oldest first, as chat turns.

    Incoming messages are the user's turns (prefixed with the sender in a
    group), everything the account sent (rules, operator, phone) the
    assistant's.  Opens history.db read-only: the poller's writes never wait
    for more than this one quick query.
    """
    if limit <= 0:
        return []
    uri = f"{history.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=2.0)
    try:
        rows = conn.execute(
            "SELECT sender, direction, origin, content FROM message"
            " WHERE conversation = ? AND id < ? AND type = ? AND content IS NOT NULL"
            " AND coalesce(status, '') <> 'failed'"
            " ORDER BY id DESC LIMIT ?",
            (message.conversation, message.id, int(MessageType.TEXT), limit),
        ).fetchall()
    finally:
        conn.close()
    turns: list[dict[str, str]] = []
    for sender, direction, origin, content in reversed(rows):
        text = str(content)[:CONTEXT_CHARS]
        ours = direction == Direction.OUT.value or origin != Origin.EVENT.value
        if ours:
            turns.append({"role": "assistant", "content": text})
        else:
            prefix = f"{sender}: " if message.is_group and sender else ""
            turns.append({"role": "user", "content": prefix + text})
    return turns


def build_request(
    config: AIConfig, message: IncomingMessage, context: list[dict[str, str]]
) -> dict[str, Any]:
    prefix = f"{message.sender}: " if message.is_group else ""
    messages: list[dict[str, str]] = []
    if config.system_prompt.strip():
        messages.append({"role": "system", "content": config.system_prompt})
    messages.extend(context)
    messages.append({"role": "user", "content": prefix + message.content})
    return {
        "model": config.model,
        "messages": messages,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
    }


def parse_completion(data: Any, max_chars: int) -> tuple[str, int, int]:
    """``(text, prompt_tokens, completion_tokens)`` of a chat-completions answer."""
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ModelError("malformed answer: no choices[0].message.content") from None
    if content is not None and not isinstance(content, str):
        raise ModelError("malformed answer: the content is not a text")
    usage = data.get("usage") if isinstance(data, dict) else None
    prompt = completion = 0
    if isinstance(usage, dict):
        prompt = _count(usage.get("prompt_tokens"))
        completion = _count(usage.get("completion_tokens"))
    text = (content or "").strip()
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text, prompt, completion


def ask_model(
    config: AIConfig,
    key: str | None,
    message: IncomingMessage,
    history: Path,
    *,
    sleep: Callable[[float], None] | None = None,
    cancel: http.Cancel | None = None,
) -> ModelAnswer:
    """One answer for ``message``; :class:`ModelError` (redacted) when there is none.

    The key goes to the configured endpoint only: a redirect to another
    origin fails, naming the target (:mod:`.http`).
    """
    try:
        context = read_context(history, message, config.context_messages)
    except sqlite3.Error as exc:
        raise ModelError(f"cannot read the conversation: {exc}") from None
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = http.request(
            config.endpoint,
            payload=build_request(config, message, context),
            headers=headers,
            timeout=config.timeout,
            retries=config.retries,
            backoff=config.backoff,
            cancel=cancel,
            sleep=sleep,
        )
        data = response.json()
    except http.HttpError as exc:
        raise ModelError(redact(str(exc))) from None
    text, prompt, completion = parse_completion(data, config.max_reply_chars)
    replies = (Reply.text(text),) if text else ()
    return ModelAnswer(
        replies, prompt, completion, config.cost(prompt, completion), response.attempts
    )


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


class RateLimiter:
    """Calls per minute, overall and per conversation, over a sliding window (in memory)."""

    def __init__(self) -> None:
        self._calls: dict[int, deque[tuple[float, str]]] = {}

    def allow(self, source_id: int, config: AIConfig, conversation: str, now: float) -> bool:
        """Whether a call may happen now; if so it is counted."""
        calls = self._calls.setdefault(source_id, deque())
        while calls and calls[0][0] <= now - 60.0:
            calls.popleft()
        if len(calls) >= config.per_minute:
            return False
        if sum(1 for _, c in calls if c == conversation) >= config.per_conversation_per_minute:
            return False
        calls.append((now, conversation))
        return True
