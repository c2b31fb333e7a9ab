"""The HTTP client: a total deadline per attempt, prompt cancelling, no credentials elsewhere.

Every server is local (127.0.0.1).  The dripping server answers one byte
every 50 ms: each read gets data well within any per-read timeout, so only
a deadline on the whole attempt cuts it off (the body would take 14 hours).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.core.sources.conftest import Canned, DripServer, FakeServer, wait_for
from tests.core.sources.test_ai import completion, empty_history, incoming
from tests.core.sources.test_ai import config as ai_config
from wxpanel.core.sources import http
from wxpanel.core.sources.ai import ModelError, ask_model
from wxpanel.core.sources.config import WebhookConfig
from wxpanel.core.sources.webhook import WebhookError, call_webhook, download_picture

KEY = "sk-secret-key-0123456789"


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "status line"])
def test_a_dripping_server_is_cut_off_at_the_total_deadline(in_headers: bool) -> None:
    drip = DripServer(in_headers=in_headers)
    try:
        started = time.monotonic()
        with pytest.raises(http.HttpError, match=r"no answer within 0\.5 s") as caught:
            http.request(drip.url, payload={"q": 1}, timeout=0.5)
        assert time.monotonic() - started < 5.0  # not the 14 hours the drip would take
        assert caught.value.retryable
    finally:
        drip.close()


def test_a_dripping_webhook_is_retried_then_fails_with_the_reason(
    drip: DripServer, tmp_path: Path
) -> None:
    config = WebhookConfig(url=drip.url, timeout=0.4, retries=1, backoff=0.1)
    with pytest.raises(WebhookError, match=r"no answer within 0\.4 s"):
        call_webhook(config, "hook", incoming(), tmp_path)
    assert drip.connections == 2


def test_cancel_ends_a_running_request_within_a_second(drip: DripServer) -> None:
    cancel = http.Cancel()
    outcome: list[str] = []

    def call() -> None:
        try:
            http.request(drip.url, timeout=60, retries=3, cancel=cancel)
        except http.HttpError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    wait_for(lambda: drip.connections == 1)
    started = time.monotonic()
    cancel.cancel()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 1.0
    assert outcome == ["stopped: wxpanel is shutting down"]  # and no retry
    with pytest.raises(http.HttpError, match="stopped"):  # later requests fail at once
        http.request(drip.url, timeout=60, cancel=cancel)
    assert drip.connections == 1


def test_the_api_key_never_follows_a_redirect_to_another_origin(
    server: FakeServer, elsewhere: FakeServer, tmp_path: Path
) -> None:
    target = f"{elsewhere.url}/collect"
    server.respond(Canned(302, headers={"Location": target}))
    elsewhere.respond(Canned(200, completion("stolen")))
    with pytest.raises(ModelError) as caught:
        ask_model(ai_config(server), KEY, incoming(), empty_history(tmp_path))
    assert f"redirected to another server, {target}; not followed" in str(caught.value)
    assert KEY not in str(caught.value)
    assert elsewhere.seen == [] and elsewhere.gets == []  # nothing reached it
    assert server.seen[0].headers["Authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_any_redirect_to_another_port_scheme_or_host_is_an_error(
    server: FakeServer, elsewhere: FakeServer, code: int
) -> None:
    server.respond(Canned(code, headers={"Location": f"{elsewhere.url}/x"}))
    with pytest.raises(http.HttpError, match="redirected to another server") as caught:
        http.request(server.url, payload={}, headers={"Authorization": "Bearer k"}, timeout=5)
    assert not caught.value.retryable
    assert elsewhere.gets == [] and elsewhere.seen == []


def test_a_redirect_within_the_origin_is_followed(server: FakeServer) -> None:
    server.files["/moved"] = b'{"ok": true}'
    server.respond(Canned(302, headers={"Location": "/moved"}))
    response = http.request(server.url + "/old", payload={}, headers={"X-Key": "k"}, timeout=5)
    assert response.json() == {"ok": True}
    assert [seen.path for seen in server.gets] == ["/moved"]
    assert server.gets[0].headers.get("X-Key") == "k"  # same origin: the header may go


def test_a_picture_without_credentials_may_come_from_elsewhere(
    server: FakeServer, elsewhere: FakeServer, tmp_path: Path
) -> None:
    from tests.core.sources.test_webhook import png

    elsewhere.files["/cdn/a.png"] = png()
    server.redirects["/a.png"] = f"{elsewhere.url}/cdn/a.png"  # a picture host's CDN
    path = download_picture(f"{server.url}/a.png", tmp_path, 5.0, 1 << 20)
    assert path.read_bytes() == png()
    assert [seen.path for seen in elsewhere.gets] == ["/cdn/a.png"]


def test_cancel_also_ends_the_wait_between_attempts(server: FakeServer) -> None:
    server.respond(Canned(503, "busy"))
    cancel = http.Cancel()
    outcome: list[str] = []

    def call() -> None:
        try:
            http.request(server.url, payload={}, timeout=5, retries=3, backoff=20, cancel=cancel)
        except http.HttpError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    wait_for(lambda: len(server.seen) == 1)  # now waiting 20 s before the second attempt
    started = time.monotonic()
    cancel.cancel()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 1.0
    assert outcome == ["stopped: wxpanel is shutting down"] and len(server.seen) == 1
