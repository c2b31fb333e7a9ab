"""Chat completions against a fake local server: normal, slow, malformed, 429; context; cost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import text_event
from tests.core.rules.conftest import deliver
from tests.core.sources.conftest import Canned, FakeServer
from wxpanel.core.engine import Engine
from wxpanel.core.history import open_history
from wxpanel.core.sources.ai import ModelError, RateLimiter, ask_model, parse_completion
from wxpanel.core.sources.config import AIConfig
from wxpanel.core.sources.plugin_api import IncomingMessage, MessageType, Reply

KEY = "sk-test-0123456789abcdef"


def completion(text: str | None, prompt: int = 12, done: int = 5) -> dict[str, object]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": done},
    }


def config(server: FakeServer, **changes: object) -> AIConfig:
    values: dict[str, object] = {
        "base_url": f"{server.url}/v1",
        "model": "tiny",
        "system_prompt": "Be brief.",
        "timeout": 2.0,
        "retries": 1,
        "backoff": 0.01,
        "price_prompt_per_1k": 0.5,
        "price_completion_per_1k": 1.5,
    }
    values.update(changes)
    return AIConfig(**values)  # type: ignore[arg-type]


def empty_history(tmp_path: Path) -> Path:
    path = tmp_path / "history.db"
    open_history(path).close()
    return path


def incoming(content: str = "hello", message_id: int = 1, group: bool = False) -> IncomingMessage:
    conversation = "1@chatroom" if group else "wxid_a"
    return IncomingMessage(
        conversation, "wxid_a", group, MessageType.TEXT, content, 1.0, False, message_id
    )


def test_normal_answer_with_usage_and_cost(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(200, completion("  Hi there!  ", prompt=1000, done=2000)))
    answer = ask_model(config(server), KEY, incoming(), empty_history(tmp_path))
    assert answer.replies == (Reply.text("Hi there!"),)
    assert (answer.prompt_tokens, answer.completion_tokens) == (1000, 2000)
    assert answer.cost == pytest.approx(0.5 + 3.0)
    (seen,) = server.seen
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["Authorization"] == f"Bearer {KEY}"
    body = seen.json()
    assert body["model"] == "tiny" and body["max_tokens"] == 400
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hello"},
    ]


def test_context_is_the_conversations_last_messages(server: FakeServer, engine: Engine) -> None:
    deliver(engine, [text_event("wxid_a", f"line {i}") for i in range(4)])
    deliver(engine, [text_event("wxid_other", "elsewhere")])
    engine.queue_text("wxid_a", "our answer")
    (last,) = deliver(engine, [text_event("wxid_a", "question")])
    server.respond(Canned(200, completion("ok")))
    message = incoming("question", last.id)
    ask_model(config(server, context_messages=3), None, message, engine.paths.history)
    messages = server.seen[0].json()["messages"]
    assert messages[1:] == [
        {"role": "user", "content": "line 2"},
        {"role": "user", "content": "line 3"},
        {"role": "assistant", "content": "our answer"},
        {"role": "user", "content": "question"},
    ]
    assert "Authorization" not in server.seen[0].headers


def test_long_answers_are_cut(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(200, completion("x" * 50)))
    answer = ask_model(config(server, max_reply_chars=10), KEY, incoming(), empty_history(tmp_path))
    assert answer.replies == (Reply.text("x" * 9 + "…"),)


def test_slow_model_times_out(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(200, completion("late"), delay=1.5))
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"no answer within 0\.3 s"):
        ask_model(config(server, timeout=0.3, retries=0), KEY, incoming(), empty_history(tmp_path))
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize(
    "body", ["<html>", {"choices": []}, {"choices": [{"message": {"content": 7}}]}, [1, 2]]
)
def test_malformed_answers_fail(server: FakeServer, tmp_path: Path, body: object) -> None:
    server.respond(Canned(200, body))  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="malformed"):
        ask_model(config(server), KEY, incoming(), empty_history(tmp_path))


def test_429_is_retried_after_retry_after(server: FakeServer, tmp_path: Path) -> None:
    server.respond(
        Canned(429, {"error": {"message": "rate limited"}}, {"Retry-After": "0.2"}),
        Canned(200, completion("after the wait")),
    )
    started = time.monotonic()
    answer = ask_model(config(server), KEY, incoming(), empty_history(tmp_path))
    assert answer.replies == (Reply.text("after the wait"),) and answer.attempts == 2
    assert time.monotonic() - started >= 0.2


def test_429_without_retries_left_is_an_error_without_the_key(
    server: FakeServer, tmp_path: Path
) -> None:
    server.respond(Canned(429, f"quota exceeded for key {KEY}"))
    with pytest.raises(ModelError) as caught:
        ask_model(config(server, retries=0), KEY, incoming(), empty_history(tmp_path))
    assert "HTTP 429" in str(caught.value) and KEY not in str(caught.value)


def test_empty_content_is_no_answer() -> None:
    assert parse_completion(completion(None), 100) == ("", 12, 5)
    assert parse_completion({"choices": [{"message": {"content": "a"}}]}, 100) == ("a", 0, 0)


def test_group_turns_name_the_sender(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(200, completion("ok")))
    ask_model(config(server), None, incoming("hey", group=True), empty_history(tmp_path))
    assert server.seen[0].json()["messages"][-1] == {"role": "user", "content": "wxid_a: hey"}


def test_rate_limiter_per_conversation_and_overall() -> None:
    limiter = RateLimiter()
    cfg = AIConfig(per_conversation_per_minute=2, per_minute=3)
    assert limiter.allow(1, cfg, "a", 0.0) and limiter.allow(1, cfg, "a", 1.0)
    assert not limiter.allow(1, cfg, "a", 2.0)
    assert limiter.allow(1, cfg, "b", 3.0)
    assert not limiter.allow(1, cfg, "c", 4.0)  # three calls this minute
    assert limiter.allow(2, cfg, "c", 4.0)  # another source counts apart
    assert limiter.allow(1, cfg, "a", 61.0)  # the first call left the window


def test_endpoint_accepts_a_full_url() -> None:
    assert AIConfig(base_url="http://h/v1/").endpoint == "http://h/v1/chat/completions"
    full = "http://h/openai/chat/completions"
    assert AIConfig(base_url=full).endpoint == full
