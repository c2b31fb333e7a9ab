"""The history database's schema, one migration per version.

The version lives in ``PRAGMA user_version``; migration N turns version N-1
into N and runs in the same transaction that bumps the number, so a crash
leaves either the old or the new schema.  Never edit a released migration:
append a new one.

The database stays in rollback-journal mode: it is ours alone, and the
poller, the panel and ``wxpanel send`` share it with short transactions.
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

_V2: Final = """
-- Auto-reply rules (wxpanel.core.rules).  The columns are what lists and
-- filters need, the rest of a rule is its JSON definition (the rules file's
-- encoding without name, enabled and kind), so a new rule option needs no
-- migration.  Ids are never reused (AUTOINCREMENT): a deleted rule's
-- counters and cooldowns come back only if an undo restores that very id.
CREATE TABLE auto_rule (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    position INTEGER NOT NULL,  -- priority order, 0 first, kept dense
    enabled INTEGER NOT NULL DEFAULT 1,
    kind TEXT NOT NULL,  -- keyword, default, welcome_friend, welcome_group
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX auto_rule_by_position ON auto_rule(position, id);

CREATE TABLE auto_rule_counter (
    rule_id INTEGER PRIMARY KEY,
    matched INTEGER NOT NULL DEFAULT 0,
    sent INTEGER NOT NULL DEFAULT 0,  -- answers queued (not dropped by a cooldown or cap)
    last_matched REAL
);

-- JSON values: enabled (the global switch), watermark (the last message id
-- the replier has looked at), config (safety limits and the account's
-- nicknames), rules_version and timed_version (bumped on every change, so a
-- running poller reloads what another connection edited).
CREATE TABLE auto_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO auto_setting (key, value) VALUES
    ('enabled', 'true'), ('config', '{}'), ('rules_version', '0'), ('timed_version', '0');
-- What was in the history before rules existed is never answered.
INSERT INTO auto_setting (key, value) SELECT 'watermark', coalesce(max(id), 0) FROM message;

CREATE TRIGGER auto_rule_inserted AFTER INSERT ON auto_rule BEGIN
    UPDATE auto_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rules_version';
END;
CREATE TRIGGER auto_rule_updated
AFTER UPDATE OF position, enabled, kind, name, definition ON auto_rule BEGIN
    UPDATE auto_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rules_version';
END;
CREATE TRIGGER auto_rule_deleted AFTER DELETE ON auto_rule BEGIN
    UPDATE auto_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rules_version';
END;

-- Per-conversation state of the replier: cooldowns, loop detection, caps.
CREATE TABLE auto_cooldown (
    rule_id INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    last_time REAL NOT NULL,  -- when this rule last answered there
    PRIMARY KEY (rule_id, conversation)
) WITHOUT ROWID;
CREATE TABLE auto_conversation (
    conversation TEXT PRIMARY KEY,
    streak INTEGER NOT NULL DEFAULT 0,  -- answers in a row, each soon after the last
    last_reply REAL,
    paused_until REAL  -- a loop was detected: not answered before this time
) WITHOUT ROWID;
CREATE TABLE auto_sent (  -- answers of the last hour, for the per-minute caps
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    conversation TEXT NOT NULL,
    commands INTEGER NOT NULL
);
CREATE INDEX auto_sent_by_time ON auto_sent(time);

-- Timed messages: the definition is JSON (targets, text, picture, schedule).
CREATE TABLE timed_message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    position INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    checked_until REAL NOT NULL,  -- every occurrence up to here was sent or reported missed
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TRIGGER timed_message_inserted AFTER INSERT ON timed_message BEGIN
    UPDATE auto_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'timed_version';
END;
CREATE TRIGGER timed_message_updated
AFTER UPDATE OF position, enabled, name, definition ON timed_message BEGIN
    UPDATE auto_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'timed_version';
END;
CREATE TRIGGER timed_message_deleted AFTER DELETE ON timed_message BEGIN
    UPDATE auto_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'timed_version';
END;
CREATE TABLE timed_run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timed_id INTEGER NOT NULL,
    due REAL NOT NULL,  -- the occurrence (unix time)
    outcome TEXT NOT NULL,  -- sent, missed or failed
    skipped INTEGER NOT NULL DEFAULT 0,  -- earlier occurrences missed along with this one
    detail TEXT,
    handled_at REAL NOT NULL,
    acknowledged INTEGER NOT NULL DEFAULT 0,  -- the operator saw the missed run
    first_message_id INTEGER
);
CREATE INDEX timed_run_by_timed ON timed_run(timed_id, id);
"""

_V3: Final = """
-- Dashboard statistics (wxpanel.core.stats), kept incrementally like the
-- counters.  The busiest conversations are read through this index instead
-- of sorting the conversation table.
CREATE INDEX conversation_by_count ON conversation(message_count);

-- Private conversations whose oldest incoming message is not answered yet:
-- one row per waiting conversation, deleted by the answer.
CREATE TABLE response_wait (
    conversation TEXT PRIMARY KEY,
    since REAL NOT NULL  -- time of the oldest unanswered incoming message
) WITHOUT ROWID;
-- First-response times in private chats, one per answered wait; rows older
-- than a week are pruned as new ones arrive.
CREATE TABLE response_sample (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,  -- when the answer was written to wx_command (or seen)
    conversation TEXT NOT NULL,
    origin TEXT NOT NULL,  -- manual, auto, or event (typed on the phone)
    seconds REAL NOT NULL
);
CREATE INDEX response_sample_by_time ON response_sample(time);
"""

_V4: Final = """
-- Answer sources (wxpanel.core.sources): plugins, webhooks and chat models
-- asked after the built-in rules, in ``position`` order.  ``definition`` is
-- the source's JSON settings (never an API key: those live in the OS
-- credential store); the other columns are its running status.
CREATE TABLE answer_source (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,  -- plugin, webhook, ai
    name TEXT NOT NULL,  -- a plugin's file name without .py
    position INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    error_disabled INTEGER NOT NULL DEFAULT 0,  -- switched off by an error, not by the operator
    definition TEXT NOT NULL DEFAULT '{}',
    last_error TEXT,
    last_error_at REAL,
    calls INTEGER NOT NULL DEFAULT 0,
    answers INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    latency_total REAL NOT NULL DEFAULT 0,  -- seconds, over all calls
    last_latency REAL,
    last_used_at REAL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost REAL NOT NULL DEFAULT 0,  -- in the currency of the configured prices
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (kind, name)
);

-- One row per message handed to the sources, written in the transaction
-- that advances the sources' watermark; it becomes done, failed or dropped
-- in the transaction that queues its answer, so an answer is queued once.
CREATE TABLE source_job (
    message_id INTEGER PRIMARY KEY,
    conversation TEXT NOT NULL,
    state TEXT NOT NULL,  -- pending, done, failed, dropped
    source_id INTEGER,  -- the source that answered (or failed last)
    detail TEXT,
    created_at REAL NOT NULL,
    finished_at REAL,
    first_reply_id INTEGER  -- the first message the answer queued
);
CREATE INDEX source_job_pending ON source_job(state) WHERE state = 'pending';

-- Loop detection of the sources' answers (the pause itself is shared with
-- the rules through auto_conversation.paused_until).
CREATE TABLE source_conversation (
    conversation TEXT PRIMARY KEY,
    streak INTEGER NOT NULL DEFAULT 0,
    last_reply REAL
) WITHOUT ROWID;

-- JSON values: watermark (the last message id handed over), version
-- (bumped by every change of a source's settings, order or switch).
CREATE TABLE source_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO source_setting (key, value) VALUES ('version', '0');
INSERT INTO source_setting (key, value) SELECT 'watermark', coalesce(max(id), 0) FROM message;

CREATE TRIGGER answer_source_inserted AFTER INSERT ON answer_source BEGIN
    UPDATE source_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version';
END;
CREATE TRIGGER answer_source_updated
AFTER UPDATE OF position, enabled, kind, name, definition ON answer_source BEGIN
    UPDATE source_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version';
END;
CREATE TRIGGER answer_source_deleted AFTER DELETE ON answer_source BEGIN
    UPDATE source_setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version';
END;
"""

_V_BOUNDARY: Final = """
-- wx_event rows already in history, by wx_event's rowid, until the clean-up
-- deletes them from exchange.db (see wxpanel.core.ingest).  The newest one
-- is the anchor: it stays in wx_event, so demo.exe never reuses a rowid.
-- The digest tells an ingested row from a new one under a reused rowid.
CREATE TABLE ingested (
    rowid INTEGER PRIMARY KEY,
    digest INTEGER NOT NULL,
    size INTEGER NOT NULL
);

-- The Token a command is written to wx_command with (demo.exe never reads
-- it), set in history before the write: after a crash between the write and
-- its record, wx_command says whether the command got there.
ALTER TABLE message ADD COLUMN token TEXT;
"""

_V_NAMES: Final = """
-- Names demo.exe gives conversations (MSG_FROM: the remark, else the
-- nickname, of the contact or the group).  ``contact.name`` is the latest;
-- ``contact_name`` keeps every change, oldest first.  The operator's alias
-- (``contact.alias``) wins over both wherever a name is shown.
ALTER TABLE contact ADD COLUMN name TEXT;
CREATE TABLE contact_name (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wxid TEXT NOT NULL,
    name TEXT NOT NULL,
    since REAL NOT NULL,  -- time of the first message that carried it
    message_id INTEGER  -- that message
);
CREATE INDEX contact_name_by_wxid ON contact_name(wxid, id);

-- Histories written before demo.exe's real rows were understood: a private
-- sender stored as ``_`` is the contact, rows of demo.exe's own shape
-- (MSG_STATE 0, MSG_TYPE 1) are not odd, and names come from the MSG_FROM
-- kept with every event.
UPDATE message SET sender = conversation
    WHERE origin = 'event' AND sender = '_' AND conversation NOT LIKE '%@chatroom';
UPDATE message SET flags = flags & ~64
    WHERE origin = 'event' AND state_raw = '0' AND type_raw = '1'
    AND sender IS NOT NULL AND sender <> '_'
    AND (from_raw IS NULL OR from_raw NOT IN ('私聊', '群聊'));
INSERT INTO contact_name (wxid, name, since, message_id)
SELECT conversation, from_raw, time, id FROM (
    SELECT id, conversation, from_raw, time,
        lag(from_raw) OVER (PARTITION BY conversation ORDER BY id) AS previous
    FROM message
    WHERE origin = 'event' AND trim(coalesce(from_raw, '')) <> ''
        AND from_raw NOT IN ('_', '私聊', '群聊')
) WHERE previous IS NULL OR previous <> from_raw
ORDER BY id;
INSERT INTO contact (wxid, name)
SELECT wxid, name FROM contact_name AS c
    WHERE id = (SELECT max(id) FROM contact_name WHERE wxid = c.wxid)
ON CONFLICT (wxid) DO UPDATE SET name = excluded.name;
"""

_V_DELEGATED_JOBS: Final = """
-- A rule that delegates its answer to named answer sources makes a job row
-- (state 'delegated', the names in ``sources`` as a JSON list) in the
-- replier's own transaction; the sources' hand-over turns it into a
-- 'pending' job.  Before, the delegations waited in the JSON value
-- ``delegations`` of auto_setting: those still waiting move into rows.
ALTER TABLE source_job ADD COLUMN sources TEXT;
CREATE INDEX source_job_delegated ON source_job(message_id) WHERE state = 'delegated';
INSERT OR IGNORE INTO source_job (message_id, conversation, state, sources, created_at)
SELECT m.id, m.conversation, 'delegated', d.value, m.time
    FROM auto_setting AS s, json_each(s.value) AS d
    JOIN message AS m ON m.id = CAST(d.key AS INTEGER)
    WHERE s.key = 'delegations' AND json_valid(s.value)
    AND json_type(s.value) = 'object' AND d.type = 'array';
DELETE FROM auto_setting WHERE key = 'delegations';
"""

#: MIGRATIONS[i] turns schema version i into version i + 1.
MIGRATIONS: Final[tuple[str, ...]] = (
    _V1,
    _V2,
    _V3,
    _V4,
    _V_BOUNDARY,
    _V_NAMES,
    _V_DELEGATED_JOBS,
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
