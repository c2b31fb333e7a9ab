"""The history database's schema, one migration per version.

The version lives in ``PRAGMA user_version``; migration N turns version N-1
into N and runs in the same transaction that bumps the number, so a crash
leaves either the old or the new schema.  Never edit a released migration:
append a new one.

The database stays in rollback-journal mode (never WAL): ingestion attaches
it to exchange.db, and only without WAL is a transaction over both files
atomic (see :mod:`wxpanel.core.ingest`).
"""

from __future__ import annotations

from typing import Final

_V1: Final = """
-- Stage one of ingestion: wx_event rows moved verbatim (typeless columns
-- keep SQLite's storage class and bytes), in arrival order.  Stage two
-- decodes them into ``message`` and deletes them from here.
CREATE TABLE inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arrived REAL NOT NULL,
    ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE
);

CREATE TABLE message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- arrival order, never reused
    conversation TEXT NOT NULL,
    sender TEXT,
    direction TEXT NOT NULL,
    origin TEXT NOT NULL,
    type INTEGER NOT NULL,
    type_raw TEXT,
    state_raw TEXT,
    from_raw TEXT,
    content TEXT,
    time REAL NOT NULL,
    flags INTEGER NOT NULL DEFAULT 0,
    -- demo.exe's original values, kept only for flagged rows (invalid UTF-8,
    -- BLOBs, numbers, NULLs); typeless columns keep SQLite's storage class.
    raw_id1, raw_id2, raw_from, raw_content, raw_state, raw_type,
    -- our own commands: what was sent, and where it is in the outbox
    command TEXT,
    status TEXT,
    priority INTEGER,
    not_before REAL,  -- not released before this time (scheduled sends)
    jitter REAL,  -- the pacer's random extra delay, drawn once when queued
    wx_rowid INTEGER,
    written_at REAL,
    done_at REAL,
    echo_of INTEGER REFERENCES message(id)
);
CREATE INDEX message_by_conversation ON message(conversation, id);
CREATE INDEX message_open_command ON message(status, priority, id)
    WHERE status IN ('queued', 'written', 'stuck');
CREATE INDEX message_by_written_at ON message(written_at) WHERE written_at IS NOT NULL;
CREATE INDEX message_by_echo ON message(echo_of) WHERE echo_of IS NOT NULL;

-- The columns a Message is built from, so that queries are literal strings.
CREATE VIEW message_row AS SELECT
    id, conversation, sender, direction, origin, type, content, time, flags,
    type_raw, state_raw, from_raw, status, command, echo_of
FROM message;

CREATE TABLE conversation (
    id TEXT PRIMARY KEY,
    is_group INTEGER NOT NULL,
    last_message_id INTEGER,
    last_time REAL,
    unread INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    muted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversation_by_activity ON conversation(last_time);

CREATE TABLE contact (
    wxid TEXT PRIMARY KEY,
    alias TEXT
);

CREATE VIRTUAL TABLE message_fts USING fts5(
    content, content='message', content_rowid='id', tokenize='trigram'
);
-- New rows are indexed once per batch by HistoryWriter.insert: an insert
-- trigger would make FTS5 flush its buffer for every single row.
CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
    INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
    INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
END;

-- Statistics are kept incrementally, in the transaction that changes them.
CREATE TABLE counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE minute_count (
    minute INTEGER NOT NULL,  -- unix time // 60
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (minute, name)
) WITHOUT ROWID;

CREATE TABLE error_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
) WITHOUT ROWID;
"""

#: MIGRATIONS[i] turns schema version i into version i + 1.
MIGRATIONS: Final[tuple[str, ...]] = (_V1,)
SCHEMA_VERSION: Final = len(MIGRATIONS)
