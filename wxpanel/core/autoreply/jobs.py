"""Questions to answer sources, as rows of ``source_job``: also a rule's delegation.

A job row is made for every message an answer source is asked about.  A
keyword rule whose reply names a source (``Reply.source``) makes one in the
replier's own transaction, in state ``delegated`` with the names of the
sources it chose; the sources' hand-over (:mod:`wxpanel.core.sources.hub`)
turns it into a ``pending`` job for those sources alone, in the transaction
that hands the message over, or deletes it when the message is not to be
asked after all (the switch is off, the conversation paused, no such
source).  A crash between the two transactions therefore loses no
delegation and asks nothing twice.  States: delegated → pending → done,
failed or dropped.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping


def delegate(
    conn: sqlite3.Connection,
    delegations: Mapping[int, tuple[str, str]],
    now: float,
) -> None:
    """Record rules' delegations: message id -> (conversation, JSON of source names)."""
    conn.executemany(
        "INSERT OR IGNORE INTO source_job (message_id, conversation, state, sources, created_at)"
        " VALUES (?, ?, 'delegated', ?, ?)",
        [(mid, conversation, names, now) for mid, (conversation, names) in delegations.items()],
    )


def names_json(names: Iterable[str]) -> str:
    return json.dumps(list(names), ensure_ascii=False)


def delegated(conn: sqlite3.Connection, after: int, upto: int) -> dict[int, list[str]]:
    """The delegations of messages ``after`` < id <= ``upto``: message id -> source names."""
    found: dict[int, list[str]] = {}
    for message_id, sources in conn.execute(
        "SELECT message_id, sources FROM source_job"
        " WHERE state = 'delegated' AND message_id > ? AND message_id <= ?",
        (after, upto),
    ):
        try:
            names = json.loads(sources)
        except (TypeError, ValueError):
            names = []
        found[int(message_id)] = (
            [str(n) for n in names if isinstance(n, str)] if isinstance(names, list) else []
        )
    return found


def any_delegated_after(conn: sqlite3.Connection, after: int) -> bool:
    """Whether a rule delegated a message after ``after`` not handed over yet."""
    return (
        conn.execute(
            "SELECT 1 FROM source_job WHERE state = 'delegated' AND message_id > ? LIMIT 1",
            (after,),
        ).fetchone()
        is not None
    )


def start_jobs(conn: sqlite3.Connection, jobs: Iterable[tuple[int, str]], now: float) -> None:
    """Jobs (message id, conversation) asked now: new rows, or delegated ones taken over."""
    conn.executemany(
        "INSERT INTO source_job (message_id, conversation, state, created_at)"
        " VALUES (?, ?, 'pending', ?) ON CONFLICT (message_id) DO UPDATE SET"
        " state = 'pending', created_at = excluded.created_at"
        " WHERE source_job.state = 'delegated'",
        [(message_id, conversation, now) for message_id, conversation in jobs],
    )


def drop_delegations(conn: sqlite3.Connection, upto: int) -> None:
    """Delegations up to ``upto`` that the hand-over did not turn into jobs."""
    conn.execute("DELETE FROM source_job WHERE state = 'delegated' AND message_id <= ?", (upto,))
