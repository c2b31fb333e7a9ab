"""The answerers' small JSON settings tables: ``auto_setting`` and ``source_setting``.

Both are ``key TEXT PRIMARY KEY, value TEXT`` (JSON).  The statements are
written out per table, never formatted: every SQL statement of wxpanel is
a constant with parameters.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Final, Literal

Table = Literal["auto_setting", "source_setting"]

_READ: Final[dict[Table, str]] = {
    "auto_setting": "SELECT value FROM auto_setting WHERE key = ?",
    "source_setting": "SELECT value FROM source_setting WHERE key = ?",
}
_WRITE: Final[dict[Table, str]] = {
    "auto_setting": "INSERT INTO auto_setting (key, value) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    "source_setting": "INSERT INTO source_setting (key, value) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
}


def read_json(conn: sqlite3.Connection, table: Table, key: str, default: Any = None) -> Any:
    """The value of ``key``; ``default`` when missing or not JSON."""
    row = conn.execute(_READ[table], (key,)).fetchone()
    if row is None:
        return default
    try:
        return json.loads(row[0])
    except (TypeError, ValueError):
        return default


def write_json(conn: sqlite3.Connection, table: Table, key: str, value: Any) -> None:
    conn.execute(_WRITE[table], (key, json.dumps(value, ensure_ascii=False)))
