"""Webhooks against a local HTTP server: schema, timeout, retries, malformed answers, pictures."""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import pytest

from tests.core.sources.conftest import Canned, FakeServer
from wxpanel.core.sources.config import WebhookConfig
from wxpanel.core.sources.plugin_api import IncomingMessage, MessageType, Reply, ReplyKind
from wxpanel.core.sources.webhook import WebhookError, call_webhook

MESSAGE = IncomingMessage(
    "123@chatroom", "wxid_b", True, MessageType.TEXT, "你好 bot", 1700000000.5, True, 42
)


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def config(server: FakeServer, **changes: object) -> WebhookConfig:
    values: dict[str, object] = {"url": f"{server.url}/hook", "timeout": 2.0, "backoff": 0.01}
    values.update(changes)
    return WebhookConfig(**values)  # type: ignore[arg-type]


def test_posts_the_documented_json_and_sends_the_text(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(200, {"text": ["one", "two"]}))
    answer = call_webhook(config(server), "crm", MESSAGE, tmp_path)
    assert answer.replies == (Reply.text("one"), Reply.text("two")) and answer.attempts == 1
    (seen,) = server.seen
    assert seen.path == "/hook"
    assert seen.headers["Content-Type"].startswith("application/json")
    assert seen.json() == {
        "version": 1,
        "source": "crm",
        "message": {
            "id": 42,
            "conversation": "123@chatroom",
            "sender": "wxid_b",
            "is_group": True,
            "type": 1,
            "content": "你好 bot",
            "time": 1700000000.5,
            "mentioned": True,
        },
    }


@pytest.mark.parametrize("canned", [Canned(204), Canned(200, {}), Canned(200, {"text": None})])
def test_no_answer(server: FakeServer, tmp_path: Path, canned: Canned) -> None:
    server.respond(canned)
    assert call_webhook(config(server), "x", MESSAGE, tmp_path).replies == ()


def test_slow_webhook_times_out(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(200, {"text": "late"}, delay=1.5))
    started = time.monotonic()
    with pytest.raises(WebhookError, match=r"no answer within 0\.3 s"):
        call_webhook(config(server, timeout=0.3, retries=1), "x", MESSAGE, tmp_path)
    assert time.monotonic() - started < 1.5
    assert len(server.seen) == 2  # a timeout is retried


def test_a_failing_webhook_is_retried_with_backoff(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(500, "boom"), Canned(503), Canned(200, {"text": "ok"}))
    waits: list[float] = []
    answer = call_webhook(
        config(server, retries=2, backoff=0.5), "x", MESSAGE, tmp_path, sleep=waits.append
    )
    assert answer.replies == (Reply.text("ok"),) and answer.attempts == 3
    assert waits == [0.5, 1.0]


def test_retries_run_out(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(500, "boom"))
    with pytest.raises(WebhookError, match="HTTP 500"):
        call_webhook(config(server, retries=1), "x", MESSAGE, tmp_path, sleep=lambda _: None)
    assert len(server.seen) == 2


def test_client_errors_are_not_retried(server: FakeServer, tmp_path: Path) -> None:
    server.respond(Canned(404, "nope"))
    with pytest.raises(WebhookError, match="HTTP 404"):
        call_webhook(config(server, retries=3), "x", MESSAGE, tmp_path)
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{not json", "malformed JSON"),
        ('"just a string"', "expected an object"),
        ({"text": 5}, '"text" must be'),
        ({"picture_url": "file:///etc/passwd"}, '"picture_url" must be'),
    ],
)
def test_malformed_answers_fail_without_retry(
    server: FakeServer, tmp_path: Path, body: object, error: str
) -> None:
    server.respond(Canned(200, body))  # type: ignore[arg-type]
    with pytest.raises(WebhookError, match=error):
        call_webhook(config(server, retries=2), "x", MESSAGE, tmp_path)
    assert len(server.seen) == 1


def test_picture_url_is_downloaded_into_the_media_folder(
    server: FakeServer, tmp_path: Path
) -> None:
    server.files["/p.png"] = png()
    server.respond(Canned(200, {"text": "look", "picture_url": f"{server.url}/p.png"}))
    answer = call_webhook(config(server), "x", MESSAGE, tmp_path / "media")
    text, picture = answer.replies
    assert text == Reply.text("look") and picture.kind is ReplyKind.PICTURE
    path = Path(picture.value)
    assert path.parent == (tmp_path / "media" / "webhook").resolve()
    assert path.read_bytes() == png() and path.suffix == ".png"


def test_a_bad_picture_is_left_out_with_a_warning(server: FakeServer, tmp_path: Path) -> None:
    server.files["/fake.png"] = b"<html>not a picture</html>"
    server.respond(
        Canned(200, {"text": "look", "picture_url": f"{server.url}/fake.png"}),
    )
    answer = call_webhook(config(server), "x", MESSAGE, tmp_path)
    assert answer.replies == (Reply.text("look"),)
    assert answer.warning is not None and "not a JPG" in answer.warning
    server.respond(Canned(200, {"picture_url": f"{server.url}/missing.png"}))
    answer = call_webhook(config(server), "x", MESSAGE, tmp_path)
    assert answer.replies == () and "404" in (answer.warning or "")
