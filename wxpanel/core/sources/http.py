"""A small JSON-over-HTTP client on ``urllib.request``: timeouts, retries, a deadline.

Used on worker threads only.  ``timeout`` bounds every socket operation and
the whole attempt (a server that drips one byte a second is cut off too);
retries happen after a connection error, a timeout, a 5xx or a 429, with
exponential backoff (a 429's ``Retry-After`` is honoured up to the
deadline).  Nothing here logs: callers store :func:`~.credentials.redact`-ed
errors.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

#: Largest response body read (a JSON answer; pictures have their own limit).
MAX_BODY: Final = 1024 * 1024
USER_AGENT: Final = "wxpanel"
_CHUNK: Final = 16384


class HttpError(Exception):
    """A request failed; ``retryable`` says whether another attempt may succeed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str
    attempts: int

    def json(self) -> Any:
        """The body as JSON; :class:`HttpError` (not retryable) when it is not."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            preview = self.body[:80].decode("utf-8", "replace")
            raise HttpError(f"malformed JSON in the response ({exc}): {preview!r}") from None


def request(
    url: str,
    *,
    payload: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
    retries: int = 0,
    backoff: float = 0.5,
    max_body: int = MAX_BODY,
    sleep: Callable[[float], None] = time.sleep,
) -> Response:
    """POST ``payload`` as JSON (GET when None) and return the response, retrying as documented.

    Raises :class:`HttpError` after the last attempt; the whole call never
    takes much longer than ``(retries + 1) * timeout`` plus the backoff.
    """
    deadline = time.monotonic() + (retries + 1) * timeout + backoff * (2 ** (retries + 1))
    attempt = 0
    while True:
        attempt += 1
        try:
            status, body, content_type = _once(url, payload, headers, timeout, max_body)
            return Response(status, body, content_type, attempt)
        except HttpError as exc:
            if not exc.retryable or attempt > retries:
                raise
            wait = backoff * 2 ** (attempt - 1)
            if exc.retry_after is not None:
                wait = max(wait, exc.retry_after)
            if time.monotonic() + wait + timeout > deadline:
                raise
            sleep(wait)


def _once(
    url: str,
    payload: Any,
    headers: Mapping[str, str] | None,
    timeout: float,
    max_body: int,
) -> tuple[int, bytes, str]:
    data = None
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if payload is not None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=all_headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            body = _read(response, max_body, started + timeout)
            return response.status, body, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        status = exc.code
        try:
            detail = exc.read(200).decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            detail = ""
        retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
        text = f"HTTP {status} {exc.reason}" + (f": {detail}" if detail else "")
        raise HttpError(
            text,
            status=status,
            retryable=status == 429 or status >= 500,
            retry_after=retry_after,
        ) from None
    except TimeoutError:
        raise HttpError(f"no answer within {timeout:g} s", retryable=True) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise HttpError(f"no answer within {timeout:g} s", retryable=True) from None
        raise HttpError(f"cannot connect: {reason}", retryable=True) from None
    except (OSError, ValueError) as exc:  # reset connections, bad URLs, broken chunking
        raise HttpError(f"request failed: {exc}", retryable=isinstance(exc, OSError)) from None


def _read(response: Any, max_body: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_body:
            raise HttpError(f"response larger than {max_body // 1024} KiB")
        chunks.append(chunk)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, min(float(value), 60.0))
    except ValueError:
        return None
