"""The public plugin API: the message value, replies, the decorator, result checking."""

from __future__ import annotations

import dataclasses

import pytest

from wxpanel.core.sources.plugin_api import (
    MAX_REPLIES,
    HandlerInfo,
    IncomingMessage,
    InvalidResult,
    MessageType,
    Reply,
    ReplyKind,
    handler,
    normalize,
)


def sample(content: str = "hi") -> IncomingMessage:
    return IncomingMessage("wxid_a", "wxid_a", False, MessageType.TEXT, content, 1.0)


def test_message_is_read_only() -> None:
    message = sample()
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.content = "changed"  # type: ignore[misc]
    assert message.is_text and not message.mentioned


def test_decorator_bare_and_with_arguments() -> None:
    @handler
    def plain(message: IncomingMessage) -> None:
        return None

    @handler(name="weather", order=3)
    def named(message: IncomingMessage) -> str:
        return "x"

    assert plain.__wxpanel_handler__ == HandlerInfo("plain", 0)  # type: ignore[attr-defined]
    assert named.__wxpanel_handler__ == HandlerInfo("weather", 3)  # type: ignore[attr-defined]
    assert named(sample()) == "x"  # still the same function


def test_normalize_accepts_every_documented_shape() -> None:
    assert normalize(None) == ()
    assert normalize("") == ()
    assert normalize("pong") == (Reply.text("pong"),)
    assert normalize(Reply.picture("/tmp/a.png")) == (Reply(ReplyKind.PICTURE, "/tmp/a.png"),)
    assert normalize(["a", Reply.text("b"), "  "]) == (Reply.text("a"), Reply.text("b"))
    assert normalize(("a",)) == (Reply.text("a"),)


@pytest.mark.parametrize(
    "garbage",
    [
        42,
        {"text": "x"},
        b"bytes",
        [1],
        ["ok", None],
        ["x"] * (MAX_REPLIES + 1),
        "x" * 5000,
        Reply(ReplyKind.PICTURE, ""),
    ],
)
def test_normalize_refuses_garbage(garbage: object) -> None:
    with pytest.raises(InvalidResult):
        normalize(garbage)
