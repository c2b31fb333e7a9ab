"""A small JSON-over-HTTP client on ``urllib.request``: a total deadline, retries, no leaks.

Used on worker threads only.  Each attempt has a **total** deadline of
``timeout`` seconds for everything: name lookup, connect, sending, and the
whole response (a server that sends one byte a second is cut off when the
time is up, not kept alive by every byte).  A per-read socket timeout alone
cannot do that, and a name lookup has no timeout at all, so each attempt
runs on a daemon thread of its own: the caller stops waiting at the
deadline, shuts the attempt's sockets (which ends the thread's blocked
read at once) and reports the timeout.  :class:`Cancel` does the same to
every request made with it, for a prompt shutdown.

Retries happen after a connection error, a timeout, a 5xx or a 429, with
exponential backoff (a 429's ``Retry-After`` is honoured up to the
deadline).  A redirect to another origin (scheme, host or port) is refused
with an error naming the target: the request's headers carry credentials
(an API key) that must never reach another server.  Nothing here logs:
callers store :func:`~.credentials.redact`-ed errors.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
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


class Cancel:
    """Ends the requests made with it, at once and for good: :meth:`cancel` (the hub's close).

    A request already running stops waiting and raises :class:`HttpError`
    ("stopped"); one started afterwards fails before it connects.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: set[_Attempt] = set()
        self._event = threading.Event()
        self.cancelled = False

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            attempts = list(self._attempts)
        self._event.set()
        for attempt in attempts:
            attempt.abort()

    def sleep(self, seconds: float) -> None:
        """Wait between attempts, or less when cancelled meanwhile."""
        self._event.wait(seconds)

    def _add(self, attempt: _Attempt) -> None:
        with self._lock:
            if not self.cancelled:
                self._attempts.add(attempt)
                return
        attempt.abort()

    def _remove(self, attempt: _Attempt) -> None:
        with self._lock:
            self._attempts.discard(attempt)


class _Attempt:
    """One attempt's sockets and whether it is over; ``abort`` shuts them from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.over = threading.Event()
        self.aborted = False

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            aborted = self.aborted
        if aborted:
            _shut(sock)

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)
        self.over.set()


def _shut(sock: socket.socket) -> None:
    """Wake a thread blocked on ``sock`` (shutdown does; close alone may not)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def request(
    url: str,
    *,
    payload: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
    retries: int = 0,
    backoff: float = 0.5,
    max_body: int = MAX_BODY,
    same_origin: bool = True,
    cancel: Cancel | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Response:
    """POST ``payload`` as JSON (GET when None) and return the response, retrying as documented.

    Raises :class:`HttpError` after the last attempt; each attempt takes at
    most ``timeout`` seconds, so the whole call never takes much longer
    than ``(retries + 1) * timeout`` plus the backoff.  ``same_origin``
    False lets a redirect lead elsewhere (only for requests that carry no
    credentials, such as a picture download).  The wait between attempts
    ends early when ``cancel`` is cancelled (``sleep`` replaces it in tests).
    """
    if sleep is None:
        sleep = cancel.sleep if cancel is not None else time.sleep
    deadline = time.monotonic() + (retries + 1) * timeout + backoff * (2 ** (retries + 1))
    call = _Call(url, payload, dict(headers or {}), timeout, max_body, same_origin)
    attempt = 0
    while True:
        attempt += 1
        try:
            status, body, content_type = _once(call, cancel)
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


@dataclass(frozen=True, slots=True)
class _Call:
    """What each attempt of one :func:`request` sends, and how."""

    url: str
    payload: Any
    headers: Mapping[str, str]
    timeout: float
    max_body: int
    same_origin: bool


def _once(call: _Call, cancel: Cancel | None) -> tuple[int, bytes, str]:
    """One attempt on a thread of its own, abandoned (sockets shut) at its deadline."""
    attempt = _Attempt()
    if cancel is not None:
        cancel._add(attempt)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = _exchange(call, attempt)
        except BaseException as exc:
            box["error"] = exc
        finally:
            attempt.over.set()

    try:
        if not attempt.aborted:
            threading.Thread(target=work, name="wxpanel-http", daemon=True).start()
            attempt.over.wait(call.timeout)
        if attempt.aborted:  # cancelled: whatever the thread got meanwhile is not used
            raise HttpError("stopped: wxpanel is shutting down")
        if "value" in box:
            answer: tuple[int, bytes, str] = box["value"]
            return answer
        if "error" in box:
            raise box["error"]
        attempt.abort()
        raise HttpError(f"no answer within {call.timeout:g} s", retryable=True)
    finally:
        if cancel is not None:
            cancel._remove(attempt)


def _exchange(call: _Call, attempt: _Attempt) -> tuple[int, bytes, str]:
    data = None
    timeout = call.timeout
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if call.payload is not None:
        data = json.dumps(call.payload, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(call.headers)
    req = urllib.request.Request(call.url, data=data, headers=all_headers)
    opener = urllib.request.build_opener(_Tracked(attempt), _Redirects(call.same_origin))
    try:
        with opener.open(req, timeout=timeout) as response:
            body = _read(response, call.max_body)
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
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # reset connections, bad URLs, broken chunking
        raise HttpError(f"request failed: {exc}", retryable=isinstance(exc, OSError)) from None


def _read(response: Any, max_body: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            if getattr(response, "length", None):  # http.client does not say so itself
                raise HttpError("the connection closed before the whole answer", retryable=True)
            return b"".join(chunks)
        size += len(chunk)
        if size > max_body:
            raise HttpError(f"response larger than {max_body // 1024} KiB")
        chunks.append(chunk)


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with the scheme's default port filled in."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect within the origin; another origin is an error that names it."""

    def __init__(self, same_origin: bool) -> None:
        super().__init__()
        self.same_origin = same_origin

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if self.same_origin and origin(newurl) != origin(req.full_url):
            raise HttpError(
                f"HTTP {code}: redirected to another server, {newurl}; not followed"
                " (the request's credentials stay with the server they are meant for)"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Tracked(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """Opens http and https connections whose sockets the attempt can shut from another thread."""

    def __init__(self, attempt: _Attempt) -> None:
        super().__init__()
        self.attempt = attempt

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection(http.client.HTTPConnection), req)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = self._connection(http.client.HTTPSConnection)
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]

    def _connection(self, kind: type[http.client.HTTPConnection]) -> Any:
        def connect(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            connection = kind(host, **kwargs)
            create = connection._create_connection  # type: ignore[attr-defined]

            def tracked(*args: Any, **options: Any) -> socket.socket:
                sock: socket.socket = create(*args, **options)
                self.attempt.track(sock)
                return sock

            connection._create_connection = tracked  # type: ignore[attr-defined]
            return connection

        return connect


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, min(float(value), 60.0))
    except ValueError:
        return None
