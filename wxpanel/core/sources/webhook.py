"""Webhooks: forward a message as JSON, send what comes back.

The request (``POST``, ``Content-Type: application/json; charset=utf-8``)::

    {
      "version": 1,
      "source": "my-webhook",
      "message": {
        "id": 1234, "conversation": "wxid_abc" | "123@chatroom",
        "sender": "wxid_abc", "is_group": false, "type": 1,
        "content": "你好", "time": 1700000000.5, "mentioned": false
      }
    }

The answer (status 200) is a JSON object, every field optional::

    {"text": "hello"}                       one text
    {"text": ["one", "two"]}                several texts, in order
    {"picture_url": "https://…/a.png"}      a picture, downloaded into the media folder
    {"text": "look", "picture_url": "…"}    texts first, then the picture
    {} or {"text": null} or status 204      no answer

A timeout, a connection error, a 5xx or a 429 is retried (``retries``
times, backoff doubling); other statuses and malformed JSON fail at once.
A picture that cannot be downloaded or is not a picture is left out and its
error recorded; the texts still go.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import wxpanel.core.sources.http as http
from wxpanel.core.errors import PictureError
from wxpanel.core.outbox import DEFAULT_PICTURE_LIMIT, check_picture, picture_format
from wxpanel.core.sources.config import WebhookConfig
from wxpanel.core.sources.plugin_api import MAX_REPLIES, IncomingMessage, Reply

SCHEMA_VERSION: Final = 1
#: Sub-folder of the media folder where downloaded pictures go.
MEDIA_SUBFOLDER: Final = "webhook"


class WebhookError(Exception):
    """The webhook failed (after its retries); the text says why."""


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    replies: tuple[Reply, ...]
    attempts: int
    warning: str | None = None  # e.g. the picture could not be fetched


def request_body(source: str, message: IncomingMessage) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "source": source,
        "message": {
            "id": message.id,
            "conversation": message.conversation,
            "sender": message.sender,
            "is_group": message.is_group,
            "type": int(message.type),
            "content": message.content,
            "time": message.time,
            "mentioned": message.mentioned,
        },
    }


def call_webhook(
    config: WebhookConfig,
    source: str,
    message: IncomingMessage,
    media: Path,
    *,
    picture_max_bytes: int = DEFAULT_PICTURE_LIMIT,
    sleep: Callable[[float], None] | None = None,
    cancel: http.Cancel | None = None,
) -> WebhookAnswer:
    """Ask the webhook about ``message``; :class:`WebhookError` when it fails.

    Each attempt has a total deadline of ``config.timeout`` (see
    :mod:`.http`); ``cancel`` ends the call at once when wxpanel stops.
    """
    try:
        response = http.request(
            config.url,
            payload=request_body(source, message),
            timeout=config.timeout,
            retries=config.retries,
            backoff=config.backoff,
            cancel=cancel,
            sleep=sleep,
        )
        if response.status == 204 or not response.body.strip():
            return WebhookAnswer((), response.attempts)
        data = response.json()
    except http.HttpError as exc:
        raise WebhookError(str(exc)) from None
    replies, picture_url = parse_answer(data)
    warning = None
    if picture_url:
        try:
            path = download_picture(
                picture_url, media, config.timeout, picture_max_bytes, cancel=cancel
            )
            replies = (*replies, Reply.picture(path))
        except (http.HttpError, PictureError, OSError) as exc:
            warning = f"picture {picture_url}: {exc}"
    return WebhookAnswer(replies, response.attempts, warning)


def parse_answer(data: Any) -> tuple[tuple[Reply, ...], str | None]:
    """The texts and the picture URL of a webhook's answer; :class:`WebhookError` if malformed."""
    if data is None:
        return (), None
    if not isinstance(data, dict):
        raise WebhookError(f"the answer is a JSON {type(data).__name__}, expected an object")
    text = data.get("text")
    texts: list[str]
    if text is None:
        texts = []
    elif isinstance(text, str):
        texts = [text]
    elif isinstance(text, list) and all(isinstance(t, str) for t in text):
        texts = list(text)
    else:
        raise WebhookError('"text" must be a string or a list of strings')
    picture = data.get("picture_url")
    if picture is not None and not (isinstance(picture, str) and picture.startswith("http")):
        raise WebhookError('"picture_url" must be an http:// or https:// address')
    replies = tuple(Reply.text(t) for t in texts if t.strip())
    if len(replies) + (1 if picture else 0) > MAX_REPLIES:
        raise WebhookError(f"more than {MAX_REPLIES} replies in one answer")
    return replies, picture or None


def download_picture(
    url: str, media: Path, timeout: float, max_bytes: int, *, cancel: http.Cancel | None = None
) -> Path:
    """Fetch ``url`` into ``media/webhook/`` (named by its content) and check it.

    The request carries no credentials, so a redirect to a picture host
    elsewhere is followed.
    """
    response = http.request(
        url, timeout=timeout, max_body=max_bytes, same_origin=False, cancel=cancel
    )
    kind = picture_format(response.body[:16])
    if kind is None:
        raise PictureError(f"{url}: not a JPG, PNG, GIF or BMP picture")
    folder = media / MEDIA_SUBFOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(response.body).hexdigest()[:32]}.{kind}"
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(response.body)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return check_picture(target, max_bytes)
