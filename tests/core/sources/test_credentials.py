"""API keys: kept in the credential store, never in history.db, settings or the log."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from tests.conftest import text_event
from tests.core.rules.conftest import deliver
from tests.core.sources.conftest import Canned, Engines, FakeServer, MemoryKeyring, settle
from wxpanel.core.engine import Engine
from wxpanel.core.logbook import setup_logging
from wxpanel.core.sources.config import AIConfig, SourceKind
from wxpanel.core.sources.credentials import (
    ApiKeys,
    RedactingFilter,
    SecretStoreError,
    install_redaction,
    redact,
)
from wxpanel.core.sources.store import SourceStore

KEY = "sk-live-9f8e7d6c5b4a39281706"
ODD_KEY = "correct-horse-battery-staple"  # no sk- prefix: only known, not guessed


def test_redact_hides_known_and_token_looking_values() -> None:
    ApiKeys("wxpanel-test")  # nothing is remembered by constructing
    assert redact(f"Authorization: Bearer {ODD_KEY}") == "Authorization: Bearer ***"
    assert redact(f"key {KEY} refused") == "key *** refused"
    assert redact('{"api_key": "abc123xyz"}') == '{"api_key": "***"}'
    assert ODD_KEY in redact(f"plain {ODD_KEY}")  # unknown and not token-like
    from wxpanel.core.sources.credentials import remember_secret

    remember_secret(ODD_KEY)
    assert redact(f"plain {ODD_KEY}") == "plain ***"


def test_filter_rewrites_messages_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "using %s", (KEY,), None)
    try:
        raise ValueError(f"server said {KEY}")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    assert KEY not in record.getMessage() and KEY not in (record.exc_text or "")


def test_keys_live_in_the_keyring(memory_keyring: MemoryKeyring, engine: Engine) -> None:
    keys = ApiKeys("wxpanel-test")
    with SourceStore.open(engine.paths.history, keys=keys) as store:
        source = store.add(SourceKind.AI, "m", AIConfig(base_url="http://127.0.0.1:9", model="x"))
        saved = store.set_api_key(source.id, KEY)
        assert isinstance(saved.config, AIConfig) and saved.config.key_ref.startswith("source-")
        assert memory_keyring.values == {("wxpanel-test", saved.config.key_ref): KEY}
        assert keys.get(saved.config.key_ref) == KEY
        store.delete(source.id)
    assert memory_keyring.values == {}


def test_no_credential_store_is_a_known_error() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(SecretStoreError, match="cannot store"):
            ApiKeys().set("ref", KEY)
        with pytest.raises(SecretStoreError, match="cannot read"):
            ApiKeys().get("ref")
    finally:
        keyring.set_keyring(previous)


def test_the_key_never_reaches_a_file_or_the_log(
    make_engine: Engines,
    memory_keyring: MemoryKeyring,
    server: FakeServer,
    tmp_path: Path,
) -> None:
    engine = make_engine(plugin_dirs=())
    logbook = setup_logging(engine.paths, stderr=False)
    try:
        install_redaction(logbook.handlers)
        keys = ApiKeys("wxpanel-test")
        with SourceStore.open(engine.paths.history, keys=keys) as store:
            source = store.add(
                SourceKind.AI, "model", AIConfig(base_url=f"{server.url}/v1", model="m")
            )
            store.set_api_key(source.id, KEY)
        # A server that echoes the key in its error, and code that logs it by mistake.
        server.respond(Canned(401, {"error": f"invalid key {KEY}"}))
        deliver(engine, [text_event("wxid_a", "hello")])
        settle(engine)
        assert server.seen[0].headers["Authorization"] == f"Bearer {KEY}"
        logging.getLogger("wxpanel.test").warning("oops, the key is %s", KEY)
        try:
            raise RuntimeError(f"Bearer {KEY}")
        except RuntimeError:
            logging.getLogger("wxpanel.test").exception("failed")
        for handler in logbook.handlers:
            handler.flush()
        entries = "\n".join(e.message for e in logbook.ring.entries())
        assert "HTTP 401" in entries and "***" in entries
        assert KEY not in entries
        files = [p for p in engine.paths.root.rglob("*") if p.is_file()]
        assert engine.paths.history in files and logbook.path in files
        for path in files:
            assert KEY.encode() not in path.read_bytes(), path
    finally:
        logbook.close()
