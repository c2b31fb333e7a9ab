"""The two kinds of failure wxpanel distinguishes.

A :class:`KnownError` is something the user can act on (a missing file, a
wrong schema, a bad picture); it is shown as one line and never as a
traceback.  Anything else is a bug and is reported as such by the caller.
"""

from __future__ import annotations


class KnownError(Exception):
    """An expected failure with a message fit for the user."""


class ExchangeError(KnownError):
    """exchange.db cannot be used: missing, not a database, wrong schema, read-only.

    ``reason`` (``"missing"``, ``"folder"``, ``"not_sqlite"``, ``"not_demo"``,
    ``"read_only"``, ``"folder_read_only"``, ``"exists"``; "" when not given)
    and ``detail`` let the panel say it in the user's language.
    """

    def __init__(self, message: str, reason: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


class ExchangeLockedError(ExchangeError):
    """exchange.db exists but another program held its lock for the whole check.

    The poller can start anyway and check the schema once the lock is gone;
    a one-shot command reports it.
    """

    def __init__(self, path: object) -> None:
        super().__init__(f"{path}: locked by another program for too long; try again")
        self.path = path


class HistoryError(KnownError):
    """wxpanel's own history database cannot be used."""


class PictureError(KnownError):
    """A picture cannot be queued for sending.

    ``reason`` (``"missing"``, ``"too_big"``…; "" when not given) and ``fields``
    say the same as the message in parts, for the panel to translate it.
    """

    def __init__(self, message: str, reason: str = "", **fields: str | int | float) -> None:
        super().__init__(message)
        self.reason = reason
        self.fields = fields


class AlreadyRunningError(KnownError):
    """Another wxpanel already consumes this exchange.db."""
