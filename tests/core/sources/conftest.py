"""Fixtures of the answer-source tests: local HTTP servers, an in-memory keyring, a hub.

Every server listens on 127.0.0.1 on a free port, serves from a daemon
thread and is shut down by its fixture; no test reaches the internet.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.conftest import EventRow
from tests.core.rules.conftest import FAST, Clock, deliver, quiet_engine
from wxpanel.core.autoreply.answerer import AnswerReport
from wxpanel.core.engine import Engine
from wxpanel.core.sources.config import Source
from wxpanel.core.sources.credentials import ApiKeys
from wxpanel.core.sources.hub import SCAN_INTERVAL, AnswerSources, SourceReport
from wxpanel.core.sources.store import SourceStore


@dataclass(frozen=True, slots=True)
class Canned:
    """One response of a :class:`FakeServer`: status, body, headers, delay before answering."""

    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(slots=True)
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class FakeServer:
    """Answers every request with the next :class:`Canned` (the last one repeats)."""

    def __init__(self) -> None:
        self.script: list[Canned] = [Canned(204)]
        self.seen: list[Seen] = []
        self.files: dict[str, bytes] = {}  # GET path -> body
        self.gets: list[Seen] = []  # every GET, answered or not
        self.redirects: dict[str, str] = {}  # GET path -> Location of a 302
        self._guard = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with server._guard:
                    server.gets.append(Seen(self.path, dict(self.headers.items()), b""))
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = server.files.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with server._guard:
                    server.seen.append(Seen(self.path, dict(self.headers.items()), body))
                    canned = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                if canned.delay:
                    time.sleep(canned.delay)
                payload = canned.body
                if isinstance(payload, dict | list):
                    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                elif isinstance(payload, str):
                    data = payload.encode("utf-8")
                else:
                    data = payload or b""
                try:
                    self.send_response(canned.status)
                    for key, value in canned.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def respond(self, *canned: Canned) -> None:
        with self._guard:
            self.script = list(canned)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class DripServer:
    """A server on 127.0.0.1 that answers one byte every ``interval`` seconds, forever.

    ``in_headers`` drips the status line itself; otherwise the headers come
    at once and the body (announced as a megabyte) drips.  ``connections``
    counts the requests that reached it.
    """

    def __init__(self, interval: float = 0.05, *, in_headers: bool = False) -> None:
        self.interval = interval
        self.in_headers = in_headers
        self.connections = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}/"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._drip, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _drip(self, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n"
        with conn:
            try:
                conn.recv(65536)
                if not self.in_headers:
                    conn.sendall(head)
                    head = b""
                data = head + b" " * 1048576
                for index in range(len(data)):
                    if self._stop.wait(self.interval):  # one byte per interval: the drip
                        return
                    conn.sendall(data[index : index + 1])
            except OSError:
                return  # the client hung up: what the tests want

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(5)


@pytest.fixture
def drip() -> Iterator[DripServer]:
    running = DripServer()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment must not see the tests' requests to 127.0.0.1."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture
def server() -> Iterator[FakeServer]:
    running = FakeServer()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def elsewhere() -> Iterator[FakeServer]:
    """A second server: another origin (another port) than :func:`server`'s."""
    running = FakeServer()
    try:
        yield running
    finally:
        running.close()


class MemoryKeyring(KeyringBackend):
    """A credential store in a dict: what the tests see of Windows Credential Manager."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    fake = MemoryKeyring()
    keyring.set_keyring(fake)
    try:
        yield fake
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(exchange_db: Path, clock: Clock) -> Iterator[Engine]:
    with quiet_engine(exchange_db, clock) as running:
        yield running


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    return folder


class Recorded:
    """The hub's own reports of the rounds Engine.poll runs (PollResult merges them)."""

    def __init__(self, hub: AnswerSources) -> None:
        self.reports: list[SourceReport] = []
        self.earlier: list[tuple[AnswerReport, ...]] = []
        process = hub.process

        def recording(*args: Any) -> SourceReport:
            report = process(*args)
            self.earlier.append(tuple(args[3]) if len(args) > 3 else ())
            self.reports.append(report)
            return report

        hub.process = recording  # type: ignore[method-assign,assignment]


Engines = Callable[..., Engine]


@pytest.fixture
def make_engine(
    exchange_db: Path, clock: Clock, plugin_dir: Path, memory_keyring: MemoryKeyring
) -> Iterator[Engines]:
    """Engines on one exchange.db (a restart closes one and makes the next), closed at the end.

    Each has the real replier and a hub made with ``options`` (plugins from
    ``plugin_dir``, API keys in the test's keyring), both on ``clock``.
    """
    made: list[Engine] = []

    def make(replacing: Engine | None = None, **options: Any) -> Engine:
        if replacing is not None:  # wxpanel stops, abandoning its jobs, and starts again
            made.remove(replacing)
            replacing.close()
        engine = Engine(
            exchange_db, settings=FAST, clock=clock, monotonic=clock, rng=random.Random(7)
        )
        made.append(engine)
        options.setdefault("plugin_dirs", (plugin_dir,))
        options.setdefault("keys", ApiKeys("wxpanel-test"))
        engine.sources.close()
        engine.sources = AnswerSources(
            engine.paths.history, engine.paths.media, clock=clock, **options
        )
        engine.sources.start(engine.hconn)
        engine.recorded = Recorded(engine.sources)  # type: ignore[attr-defined]
        return engine

    yield make
    for engine in made:
        engine.close()


def reports(engine: Engine) -> list[SourceReport]:
    return engine.recorded.reports  # type: ignore[attr-defined, no-any-return]


def settle(engine: Engine, timeout: float = 10.0) -> list[SourceReport]:
    """Rounds until every job finished and nothing waits to be handed over; the hub's reports."""
    start = len(reports(engine))
    deadline = time.monotonic() + timeout
    while True:
        engine.poll()
        if engine.sources.idle:
            return reports(engine)[start:]
        if time.monotonic() > deadline:
            raise AssertionError("the answer sources did not settle")
        engine.sources.wait(max(0.0, deadline - time.monotonic()))


def exchange(engine: Engine, rows: list[EventRow]) -> list[SourceReport]:
    """demo.exe writes ``rows``; rounds until answered: the hub's reports of all of them."""
    start = len(reports(engine))
    deliver(engine, rows)
    settle(engine)
    return reports(engine)[start:]


def wait_for_plugins(engine: Engine, *names: str, timeout: float = 10.0) -> None:
    """Rounds until a scan of the plugin folders has listed ``names``."""
    deadline = time.monotonic() + timeout
    while {s.name for s in sources(engine)} < set(names):
        if time.monotonic() > deadline:
            raise AssertionError(f"plugins {names} not found")
        engine.poll()
        engine.sources.wait(max(0.0, deadline - time.monotonic()))


def sources(engine: Engine) -> list[Source]:
    with SourceStore.open(engine.paths.history) as store:
        return store.sources()


def rescanned(engine: Engine, clock: Clock, check: Callable[[], bool]) -> bool:
    """Whether ``check`` holds after the next scan of the plugin folders (the clock moves to it)."""
    clock.advance(SCAN_INTERVAL)
    engine.poll()  # starts the scan
    engine.sources.wait(10.0)
    engine.poll()  # what the scan found is written
    return check()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached in time")
