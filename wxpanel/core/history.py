"""wxpanel's own database: conversations, messages, the outbox and counters.

The poller writes it through the functions of :class:`HistoryWriter`, on a
connection to this file alone (exchange.db is never attached: see
:mod:`wxpanel.core.ingest` for how events get here exactly once).  Readers
(the panel, exports, ``wxpanel stats``) use a :class:`HistoryStore` of their
own.

history.db is in write-ahead-log mode (WAL) with ``synchronous=FULL``: a
commit appends its pages to ``history.db-wal`` and syncs once, where a
rollback journal wrote and synced every touched index page twice; at 1 M
messages a round's transaction took ~27 ms in DELETE mode (up to 250 ms on a
busy disk), sub-millisecond in WAL.  ``FULL`` syncs the -wal at every commit,
so a committed round survives a power cut or ``kill -9``: the exactly-once
promise (a message is in wx_event or in history) rests on it.  WAL is only
atomic per file, which is all we need: history.db is never ATTACHed to
exchange.db (the reason it once kept a rollback journal).  exchange.db itself
never goes WAL: demo.exe's SQLite 3.7.11 must not meet it (``exchange/``).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from wxpanel.core import stats
from wxpanel.core.codec import Flag
from wxpanel.core.errors import HistoryError, is_busy, is_read_only
from wxpanel.core.models import CommandStatus, Conversation, Message, Origin
from wxpanel.core.protocol import CommandType, Direction, MessageType, is_group_id
from wxpanel.core.schema import MIGRATIONS, SCHEMA_VERSION
from wxpanel.core.texts import Text

log = logging.getLogger(__name__)


def message_from_row(row: Sequence[Any]) -> Message:
    """Build a :class:`Message` from a row of the ``message_row`` view."""
    return Message(
        id=row[0],
        conversation=row[1],
        sender=row[2],
        direction=Direction(row[3]),
        origin=Origin(row[4]),
        type=MessageType.parse(str(row[5])),
        content=row[6],
        time=row[7],
        flags=Flag(row[8]),
        type_raw=row[9],
        state_raw=row[10],
        from_raw=row[11],
        status=CommandStatus(row[12]) if row[12] else None,
        command=CommandType(row[13]) if row[13] else None,
        echo_of=row[14],
    )


#: SQLite's page cache per history connection (32 MiB).  The default 2 MiB
#: held too little of a 1 M-message history's indexes and full-text index:
#: each batch re-read their pages.  Pages are only cached as they are read.
_CACHE_SIZE = "PRAGMA cache_size = -32768"

#: Durable at every commit in WAL mode too (SQLite's WAL default, NORMAL in
#: some builds, may lose the last commits to a power cut).
_SYNCHRONOUS = "PRAGMA synchronous = FULL"

#: What a -wal is cut back to when SQLite restarts it after a checkpoint.
#: Checkpoints (the Engine's :class:`~wxpanel.core.checkpoints.Checkpointer`,
#: SQLite's own every 1 000 pages on other connections) keep it small while
#: readers come and go; a long read (a big export) lets it grow meanwhile,
#: and this gives the disk back afterwards.
_JOURNAL_SIZE_LIMIT = "PRAGMA journal_size_limit = 16777216"


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to :data:`SCHEMA_VERSION`, one transaction per step."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version < 0:  # the header's bytes are garbage (found by fuzzing the CLI)
        raise HistoryError(Text.of("history_bad_version", path=str(path), version=version))
    if version > SCHEMA_VERSION:
        text = Text.of("history_newer", path=str(path), version=version, supported=SCHEMA_VERSION)
        raise HistoryError(text)
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _split_sql(script: str) -> Iterator[str]:
    """Statements of a migration; ``executescript`` would commit behind our back."""
    statement = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not statement.strip():
            continue
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL in migration: {statement!r}")


def open_history(path: Path, *, busy_timeout: float = 5.0) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the history database."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(Text.of("history_cannot_open", path=str(path), detail=str(exc))) from exc
    try:
        _use_wal(conn, path)
        conn.execute(_SYNCHRONOUS)
        conn.execute(_JOURNAL_SIZE_LIMIT)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(_CACHE_SIZE)
        migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise HistoryError(Text.of("history_unusable", path=str(path), detail=str(exc))) from exc
    return conn


#: How long a start waits for the file to itself to switch it to WAL (ms):
#: briefly, since it may as well switch at a later start.
_SWITCH_WAIT_MS = 200


def _use_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch a rollback-journal history (older wxpanel, or new) to WAL.

    The switch needs the file to itself for a moment: while another program
    (``wxpanel stats`` beside an older panel, a backup tool) reads it,
    SQLite answers BUSY after the busy timeout.  Then this connection works
    in the rollback journal as before (both modes are sound) and a later
    start switches; a start never fails for it.  A file that cannot be
    written (read-only copy) keeps its mode as well.
    """
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode == "wal":
        return
    waits = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute(f"PRAGMA busy_timeout = {min(waits, _SWITCH_WAIT_MS):d}")
    try:
        mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
    except sqlite3.OperationalError as exc:
        if not (is_busy(exc) or is_read_only(exc)):
            raise
        log.info("%s keeps its %s journal for now: %s", path, mode, exc)
        return
    finally:
        conn.execute(f"PRAGMA busy_timeout = {waits:d}")
    if mode != "wal":
        log.info("%s keeps its %s journal for now", path, mode)


def checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the -wal into history.db and empty it, before a clean stop.

    The last connection to close does this by itself and removes the -wal;
    this empties it also when a reader (the panel beside ``wxpanel
    headless``, ``stats``) still has the file open.  A busy or read-only
    file is left to SQLite's own checkpoints.
    """
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.OperationalError as exc:
        if not (is_busy(exc) or is_read_only(exc)):
            raise


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception.

    IMMEDIATE takes the write locks up front: SQLite answers BUSY at once,
    without waiting, to a DEFERRED reader that later wants to write.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message about to be written; it gets its id from :meth:`HistoryWriter.insert`."""

    conversation: str
    sender: str | None
    direction: Direction
    origin: Origin
    type: MessageType
    content: str | None
    time: float
    flags: Flag = Flag.NONE
    type_raw: str | None = None
    state_raw: str | None = None
    from_raw: str | None = None
    raw: tuple[Any, ...] | None = None  # demo.exe's six original values, for flagged rows
    name: str | None = None  # the conversation's display name demo.exe gave (MSG_FROM)
    command: CommandType | None = None
    status: CommandStatus | None = None
    priority: int | None = None
    not_before: float | None = None
    jitter: float | None = None
    echo_of: int | None = None


class HistoryWriter:
    """Writes that must happen inside a caller's transaction on any connection."""

    @staticmethod
    def next_id(conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'message'").fetchone()
        if row is not None:
            return int(row[0]) + 1
        row = conn.execute("SELECT max(id) FROM message").fetchone()
        return int(row[0] or 0) + 1

    @classmethod
    def insert(cls, conn: sqlite3.Connection, new: Sequence[NewMessage]) -> list[Message]:
        """Insert messages in order and update conversations and counters.

        Must run inside a write transaction: ids are handed out from the
        current sequence, which only a lock holder may rely on.
        """
        if not new:
            return []
        first = cls.next_id(conn)
        rows = []
        messages = []
        for offset, item in enumerate(new):
            raw = item.raw or (None,) * 6
            rows.append(
                (
                    first + offset,
                    item.conversation,
                    item.sender,
                    item.direction.value,
                    item.origin.value,
                    int(item.type),
                    item.content,
                    item.time,
                    int(item.flags),
                    item.type_raw,
                    item.state_raw,
                    item.from_raw,
                    *raw,
                    item.command.value if item.command else None,
                    item.status.value if item.status else None,
                    item.priority,
                    item.not_before,
                    item.jitter,
                    item.echo_of,
                )
            )
            messages.append(
                Message(
                    id=first + offset,
                    conversation=item.conversation,
                    sender=item.sender,
                    direction=item.direction,
                    origin=item.origin,
                    type=item.type,
                    content=item.content,
                    time=item.time,
                    flags=item.flags,
                    type_raw=item.type_raw,
                    state_raw=item.state_raw,
                    from_raw=item.from_raw,
                    status=item.status,
                    command=item.command,
                    echo_of=item.echo_of,
                )
            )
        conn.executemany(
            "INSERT INTO message (id, conversation, sender, direction, origin, type, content,"
            " time, flags, type_raw, state_raw, from_raw, raw_id1, raw_id2, raw_from,"
            " raw_content, raw_state, raw_type, command, status, priority, not_before, jitter,"
            " echo_of) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        conn.execute(
            "INSERT INTO message_fts (rowid, content)"
            " SELECT id, content FROM message WHERE id BETWEEN ? AND ?",
            (first, first + len(rows) - 1),
        )
        cls._touch_conversations(conn, messages)
        named = [
            (item.conversation, item.name, item.time, message.id)
            for item, message in zip(new, messages, strict=True)
            if item.name and item.conversation
        ]
        if named:
            cls._note_names(conn, named)
        stats.note_messages(conn, messages)
        return messages

    @staticmethod
    def _note_names(conn: sqlite3.Connection, named: Sequence[tuple[str, str, float, int]]) -> None:
        """Keep each conversation's latest name from demo.exe, and every change of it.

        ``named`` is ``(wxid, name, time, message id)`` in arrival order; one
        read per batch, and writes only when a name is new or changed.
        """
        wanted = sorted({wxid for wxid, *_ in named})
        current: dict[str, str | None] = dict(
            conn.execute(
                "SELECT wxid, name FROM contact WHERE wxid IN (SELECT value FROM json_each(?))",
                (_json_list(wanted),),
            ).fetchall()
        )
        changes = []
        for wxid, name, when, message_id in named:
            if current.get(wxid) != name:
                current[wxid] = name
                changes.append((wxid, name, when, message_id))
        if not changes:
            return
        conn.executemany(
            "INSERT INTO contact_name (wxid, name, since, message_id) VALUES (?, ?, ?, ?)",
            changes,
        )
        conn.executemany(
            "INSERT INTO contact (wxid, name) VALUES (?, ?)"
            " ON CONFLICT (wxid) DO UPDATE SET name = excluded.name",
            list({wxid: name for wxid, name, _, _ in changes}.items()),
        )

    @staticmethod
    def _touch_conversations(conn: sqlite3.Connection, messages: Iterable[Message]) -> None:
        """One upsert per conversation of the batch, not one per message."""
        per_conversation: dict[str, list[int]] = {}  # id -> [last_id, count, unread]
        times: dict[str, float] = {}
        for message in messages:
            entry = per_conversation.setdefault(message.conversation, [0, 0, 0])
            entry[0] = message.id
            entry[1] += 1
            if message.direction is Direction.IN and message.origin is Origin.EVENT:
                entry[2] += 1
            times[message.conversation] = message.time
        conn.executemany(
            "INSERT INTO conversation (id, is_group, last_message_id, last_time, unread,"
            " message_count) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET last_message_id = excluded.last_message_id,"
            " last_time = excluded.last_time, unread = unread + excluded.unread,"
            " message_count = message_count + excluded.message_count",
            [
                (conv, int(is_group_id(conv)), last, times[conv], unread, count)
                for conv, (last, count, unread) in per_conversation.items()
            ],
        )

    @staticmethod
    def count(conn: sqlite3.Connection, counts: dict[str, int], now: float) -> None:
        """Add to the running totals and to the current minute's bucket."""
        items = [(name, value) for name, value in counts.items() if value]
        if not items:
            return
        conn.executemany(
            "INSERT INTO counter (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            items,
        )
        minute = int(now // 60)
        conn.executemany(
            "INSERT INTO minute_count (minute, name, value) VALUES (?, ?, ?)"
            " ON CONFLICT (minute, name) DO UPDATE SET value = value + excluded.value",
            [(minute, name, value) for name, value in items],
        )

    @classmethod
    def log_error(cls, conn: sqlite3.Connection, kind: str, detail: str, now: float) -> None:
        conn.execute(
            "INSERT INTO error_log (time, kind, detail) VALUES (?, ?, ?)", (now, kind, detail)
        )
        cls.count(conn, {"errors": 1}, now)


class ConnectionStore:
    """Base of the stores that work on a caller's connection or open their own.

    A store made with a connection leaves it open; one made with
    :meth:`open` owns its connection and closes it with :meth:`close` or at
    the end of a ``with`` block.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._owned = False

    @classmethod
    def open(cls, history: Path, **options: Any) -> Self:
        """A store on its own connection to ``history`` (created and migrated if needed)."""
        store = cls(open_history(history), **options)
        store._owned = True
        return store

    def close(self) -> None:
        if self._owned:
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


#: Ids one step of :meth:`HistoryStore.search_progressive` scans (~10-20 ms at 1 M).
SEARCH_WINDOW = 20_000

_HITS = "SELECT m.* FROM message_fts AS f JOIN message_row AS m ON m.id = f.rowid"
_FTS_WHERE = " WHERE message_fts MATCH ?1 AND f.rowid > ?3 AND f.rowid < coalesce(?4, 1 << 62)"
_SCAN = "SELECT * FROM message_row"
_SCAN_WHERE = " WHERE content LIKE ?1 ESCAPE '\\' AND id > ?3 AND id < coalesce(?4, 1 << 62)"
_IN_CONVERSATION = " AND conversation = ?2"
_NEWEST = " ORDER BY id DESC LIMIT ?5"
_OLDEST = " ORDER BY id LIMIT ?5"
#: (trigram term, one conversation, oldest first) -> the query; every one stops at LIMIT.
#: ``id`` orders the scans through the primary key (or the conversation's index),
#: ``f.rowid`` the full-text index; neither needs a sort.
_SEARCH_SQL: dict[tuple[bool, bool, bool], str] = {
    (True, False, False): _HITS + _FTS_WHERE + " ORDER BY f.rowid DESC LIMIT ?5",
    (True, False, True): _HITS + _FTS_WHERE + " ORDER BY f.rowid LIMIT ?5",
    (True, True, False): _HITS + _FTS_WHERE + _IN_CONVERSATION + " ORDER BY f.rowid DESC LIMIT ?5",
    (True, True, True): _HITS + _FTS_WHERE + _IN_CONVERSATION + " ORDER BY f.rowid LIMIT ?5",
    (False, False, False): _SCAN + _SCAN_WHERE + _NEWEST,
    (False, False, True): _SCAN + _SCAN_WHERE + _OLDEST,
    (False, True, False): _SCAN + _SCAN_WHERE + _IN_CONVERSATION + _NEWEST,
    (False, True, True): _SCAN + _SCAN_WHERE + _IN_CONVERSATION + _OLDEST,
}


def _fts_phrase(text: str) -> str:
    """The term as one FTS5 phrase: quotes doubled, never FTS query syntax."""
    return '"' + text.replace('"', '""') + '"'


def _like_pattern(text: str) -> str:
    """``%text%`` for LIKE with ``\\`` escaping; LIKE folds ASCII case as lower() did."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class HistoryStore:
    """Reads and small edits of the history, on a connection of its own."""

    def __init__(self, path: Path, *, busy_timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.conn = open_history(self.path, busy_timeout=busy_timeout)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- messages -------------------------------------------------------------

    def message(self, message_id: int) -> Message | None:
        row = self.conn.execute(
            "SELECT * FROM message_row WHERE id = ?",
            (message_id,),
        ).fetchone()
        return message_from_row(row) if row else None

    def messages(
        self,
        conversation: str | None = None,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = 200,
    ) -> list[Message]:
        """A page of history in arrival order: the newest ``limit`` before ``before_id``.

        ``conversation`` None means every conversation (the live feed).
        """
        rows = self.conn.execute(
            "SELECT * FROM message_row"
            " WHERE (?1 IS NULL OR conversation = ?1) AND (?2 IS NULL OR id < ?2)"
            " AND (?3 IS NULL OR id > ?3) ORDER BY id DESC LIMIT ?4",
            (conversation, before_id, after_id, limit),
        ).fetchall()
        return [message_from_row(row) for row in reversed(rows)]

    def iter_messages(
        self, conversation: str | None = None, search: str | None = None
    ) -> Iterator[Message]:
        """Every matching message, oldest first, streamed in pages (for exports)."""
        after = 0
        while True:
            if search:
                page = self.search(
                    search, conversation, after_id=after, limit=1000, oldest_first=True
                )
            else:
                rows = self.conn.execute(
                    "SELECT * FROM message_row"
                    " WHERE (?1 IS NULL OR conversation = ?1) AND id > ?2 ORDER BY id LIMIT 1000",
                    (conversation, after),
                ).fetchall()
                page = [message_from_row(row) for row in rows]
            if not page:
                return
            yield from page
            after = page[-1].id

    def search(
        self,
        text: str,
        conversation: str | None = None,
        *,
        after_id: int = 0,
        before_id: int | None = None,
        limit: int = 200,
        oldest_first: bool = False,
    ) -> list[Message]:
        """Full-text search that works for Chinese: the newest ``limit`` hits (or oldest).

        Both ways stop as soon as ``limit`` hits are found, so the first page
        costs the same at 10 000 or 1 000 000 messages: the trigram index
        answers terms of three characters or more (``MATCH`` walked in rowid
        order, then ``LIMIT``); a shorter term ("你好") cannot use trigrams
        and is looked for by a scan in id order, newest first, that ends at
        the ``limit``-th hit.  Only a short term that is rare reads far back;
        :meth:`search_progressive` gives its hits window by window.
        ``before_id`` and ``after_id`` bound the ids (exclusive), for paging.
        """
        key = (len(text) >= 3, conversation is not None, oldest_first)
        pattern = _fts_phrase(text) if key[0] else _like_pattern(text)
        rows = self.conn.execute(
            _SEARCH_SQL[key], (pattern, conversation, after_id, before_id, limit)
        ).fetchall()
        return [message_from_row(row) for row in rows]

    def search_progressive(
        self,
        text: str,
        conversation: str | None = None,
        *,
        limit: int = 200,
        window: int = SEARCH_WINDOW,
    ) -> Iterator[list[Message]]:
        """The newest ``limit`` hits, newest first, a window of ``window`` ids at a time.

        Each step is one bounded query (a few tens of milliseconds at most),
        so a caller can show the hits found so far while a rare short term is
        still being looked for further back; steps without a hit yield an
        empty list, so the caller keeps control (and may stop early).
        """
        if len(text) >= 3:
            yield self.search(text, conversation, limit=limit)
            return
        top = self.conn.execute("SELECT max(id) FROM message").fetchone()[0]
        if top is None:
            return
        upper = int(top) + 1
        found = 0
        while upper > 1 and found < limit:
            lower = max(0, upper - window - 1)
            page = self.search(
                text, conversation, after_id=lower, before_id=upper, limit=limit - found
            )
            found += len(page)
            yield page
            upper = lower + 1

    def raw_values(self, message_id: int) -> tuple[Any, ...] | None:
        """demo.exe's original six values of a flagged event, exactly as stored."""
        row: tuple[Any, ...] | None = self.conn.execute(
            "SELECT raw_id1, raw_id2, raw_from, raw_content, raw_state, raw_type"
            " FROM message WHERE id = ?",
            (message_id,),
        ).fetchone()
        return row

    # -- conversations and contacts ------------------------------------------

    def conversations(self, search: str | None = None, limit: int = 10_000) -> list[Conversation]:
        """Conversations by latest activity, optionally those whose name or history matches."""
        sql = (
            "SELECT c.id, c.is_group, k.alias, c.last_message_id, m.content, c.last_time,"
            " c.unread, c.message_count, c.muted, k.name FROM conversation AS c"
            " LEFT JOIN contact AS k ON k.wxid = c.id"
            " LEFT JOIN message AS m ON m.id = c.last_message_id"
        )
        params: tuple[Any, ...]
        if search:
            matching = {m.conversation for m in self.search(search, limit=5000)}
            sql += (
                " WHERE instr(lower(c.id), lower(?1)) > 0"
                " OR instr(lower(coalesce(k.alias, '')), lower(?1)) > 0"
                " OR instr(lower(coalesce(k.name, '')), lower(?1)) > 0"
                " OR c.id IN (SELECT value FROM json_each(?2))"
            )
            params = (search, _json_list(sorted(matching)), limit)
            sql += " ORDER BY c.last_time DESC, c.last_message_id DESC LIMIT ?3"
        else:
            sql += " ORDER BY c.last_time DESC, c.last_message_id DESC LIMIT ?1"
            params = (limit,)
        return [
            Conversation(
                id=row[0],
                is_group=bool(row[1]),
                alias=row[2],
                last_message_id=row[3],
                last_preview=row[4],
                last_time=row[5],
                unread=row[6],
                message_count=row[7],
                muted=bool(row[8]),
                name=row[9],
            )
            for row in self.conn.execute(sql, params)
        ]

    def name_history(self, wxid: str) -> list[tuple[str, float]]:
        """Every name demo.exe gave ``wxid``, oldest first, with when it first came."""
        return self.conn.execute(
            "SELECT name, since FROM contact_name WHERE wxid = ? ORDER BY id", (wxid,)
        ).fetchall()

    def set_alias(self, wxid: str, alias: str | None) -> None:
        alias = (alias or "").strip() or None
        with immediate(self.conn):
            self.conn.execute(
                "INSERT INTO contact (wxid, alias) VALUES (?, ?)"
                " ON CONFLICT (wxid) DO UPDATE SET alias = excluded.alias",
                (wxid, alias),
            )

    def aliases(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT wxid, alias FROM contact WHERE alias IS NOT NULL"))

    def mark_read(self, conversation: str) -> None:
        with immediate(self.conn):
            self.conn.execute("UPDATE conversation SET unread = 0 WHERE id = ?", (conversation,))

    def set_muted(self, conversation: str, muted: bool) -> None:
        with immediate(self.conn):
            self.conn.execute(
                "UPDATE conversation SET muted = ? WHERE id = ?", (int(muted), conversation)
            )

    # -- statistics -----------------------------------------------------------

    def counters(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT name, value FROM counter"))

    def recent_errors(self, limit: int = 50) -> list[tuple[float, str, str]]:
        return self.conn.execute(
            "SELECT time, kind, detail FROM error_log ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()

    def log_error(self, kind: str, detail: str) -> None:
        with immediate(self.conn):
            HistoryWriter.log_error(self.conn, kind, detail, time.time())


def _json_list(values: Iterable[str]) -> str:
    import json

    return json.dumps(list(values), ensure_ascii=False)
