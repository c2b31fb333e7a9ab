"""API keys in the OS credential store, and a log filter that keeps them out of the log.

Keys are kept with the ``keyring`` package: on Windows the Credential
Manager, on macOS the Keychain, on Linux the Secret Service.  A source's
settings hold only a reference (``AIConfig.key_ref``), so history.db,
settings.json, exports and bug reports never contain a key.

Every key read or stored is also registered with :func:`redact`, which
replaces it (and anything that looks like a bearer token or an OpenAI-style
``sk-…`` key) by ``***`` in error texts before they are stored, and in log
records through :class:`RedactingFilter` (:func:`install_redaction` puts it
on the root logger's handlers).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Iterable
from types import ModuleType
from typing import Final

from wxpanel.core.errors import KnownError

SERVICE: Final = "wxpanel"
MASK: Final = "***"
_PATTERNS: Final = (
    re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"),
    re.compile(r"(?i)(api[_-]?key[\"']?\s*[:=]\s*[\"']?)[^\s\"',;]+"),
    re.compile(r"()\bsk-[A-Za-z0-9_\-]{8,}"),
)
_known: set[str] = set()
_guard = threading.Lock()


class SecretStoreError(KnownError):
    """The OS credential store cannot be used (none installed, locked, refused)."""


def remember_secret(secret: str) -> None:
    """Make :func:`redact` hide ``secret`` from now on (keys shorter than 4 are not worth it)."""
    if len(secret) >= 4:
        with _guard:
            _known.add(secret)


def redact(text: str) -> str:
    """``text`` with every known key and every token-looking word replaced by ``***``."""
    with _guard:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback) through :func:`redact`; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's business
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_redaction(handlers: Iterable[logging.Handler] | None = None) -> None:
    """Put one :class:`RedactingFilter` on ``handlers`` (default: the root logger's); idempotent.

    A filter on a handler sees the records of every logger; a filter on a
    logger would miss those of its children.
    """
    targets = list(logging.getLogger().handlers if handlers is None else handlers)
    for handler in targets:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


class ApiKeys:
    """Keys of the sources in the OS credential store, under ``service``.

    ``keyring`` is imported on first use: without it (or without a usable
    backend) only AI sources fail, with a :class:`SecretStoreError`.
    """

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    @staticmethod
    def new_ref() -> str:
        """A fresh reference to store a key under (kept in the source's settings)."""
        return f"source-{secrets.token_hex(8)}"

    def get(self, ref: str) -> str | None:
        if not ref:
            return None
        keyring, errors = _keyring()
        try:
            value = keyring.get_password(self.service, ref)
        except errors.KeyringError as exc:
            raise SecretStoreError(f"cannot read the API key: {redact(str(exc))}") from None
        if value:
            remember_secret(value)
        return value or None

    def set(self, ref: str, key: str) -> None:
        if not ref:
            raise ValueError("a key needs a reference")
        remember_secret(key)
        keyring, errors = _keyring()
        try:
            keyring.set_password(self.service, ref, key)
        except errors.KeyringError as exc:
            raise SecretStoreError(f"cannot store the API key: {redact(str(exc))}") from None

    def delete(self, ref: str) -> None:
        keyring, errors = _keyring()
        try:
            keyring.delete_password(self.service, ref)
        except errors.PasswordDeleteError:
            pass  # not there: fine
        except errors.KeyringError as exc:
            raise SecretStoreError(f"cannot delete the API key: {redact(str(exc))}") from None

    def has(self, ref: str) -> bool:
        return self.get(ref) is not None


def _keyring() -> tuple[ModuleType, ModuleType]:
    try:
        import keyring
        import keyring.errors
    except ImportError:
        raise SecretStoreError("the keyring package is not installed") from None
    return keyring, keyring.errors
