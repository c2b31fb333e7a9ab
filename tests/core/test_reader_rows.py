"""The lock-free reader's fast row form is the full (typeof, CAST) form, whatever a row holds.

Plain rows (every column TEXT or NULL, all demo.exe writes) are read as their
raw values, one Python object a column, to keep the read short; any other row
is read again with typeof() and CAST.  Both must give the same columns, digest
and size as the full form, or rows ingested before this reader would no longer
be recognised in wx_event (their digests are stored).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wxpanel.core.exchange.reader import ExchangeReader, row_digest

FULL = (
    "SELECT rowid, typeof(ID1), CAST(ID1 AS BLOB), typeof(ID2), CAST(ID2 AS BLOB),"
    " typeof(MSG_FROM), CAST(MSG_FROM AS BLOB), typeof(MSG_CONTENT), CAST(MSG_CONTENT AS BLOB),"
    " typeof(MSG_STATE), CAST(MSG_STATE AS BLOB), typeof(MSG_TYPE), CAST(MSG_TYPE AS BLOB),"
    " coalesce(length(CAST(MSG_CONTENT AS BLOB)), 0) + coalesce(length(CAST(ID1 AS BLOB)), 0)"
    " + coalesce(length(CAST(ID2 AS BLOB)), 0) + coalesce(length(CAST(MSG_FROM AS BLOB)), 0)"
    " FROM wx_event ORDER BY rowid"
)

#: A value of any storage class; ("bad", bytes) is stored as TEXT holding invalid UTF-8.
values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.binary(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.binary(min_size=1, max_size=8).map(lambda raw: ("bad", raw)),
)
rows = st.lists(st.tuples(*[values] * 6), min_size=1, max_size=6)


#: demo.exe's schema (TEXT columns), and one without types, which keeps numbers as numbers.
TABLES = {
    True: "CREATE TABLE wx_event (ID1 TEXT, ID2 TEXT, MSG_FROM TEXT, MSG_CONTENT TEXT,"
    " MSG_STATE TEXT, MSG_TYPE TEXT)",
    False: "CREATE TABLE wx_event (ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE)",
}
ENCODINGS = {"UTF-8": "PRAGMA encoding = 'UTF-8'", "UTF-16le": "PRAGMA encoding = 'UTF-16le'"}
#: Each value bound three times: a flag, the value as TEXT if flagged, else as it is.
INSERT = (
    "INSERT INTO wx_event VALUES (iif(?, CAST(? AS TEXT), ?), iif(?, CAST(? AS TEXT), ?),"
    " iif(?, CAST(? AS TEXT), ?), iif(?, CAST(? AS TEXT), ?), iif(?, CAST(? AS TEXT), ?),"
    " iif(?, CAST(? AS TEXT), ?))"
)


def make_exchange(folder: Path, encoding: str, typed: bool) -> Path:
    db = folder / f"exchange-{encoding}-{typed}.db"
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.execute(ENCODINGS[encoding])
    conn.execute(TABLES[typed])
    conn.execute(
        "CREATE TABLE wx_command (Token TEXT, cmd_type TEXT, id_1 TEXT, id_2 TEXT, id_3 TEXT)"
    )
    conn.commit()
    conn.close()
    return db


def insert(db: Path, batch: list[tuple[object, ...]]) -> None:
    conn = sqlite3.connect(db)
    for row in batch:
        params: list[object] = []
        for value in row:
            if isinstance(value, tuple):  # ("bad", bytes): TEXT holding invalid UTF-8
                params += [True, value[1], None]
            else:
                params += [False, None, value]
        conn.execute(INSERT, params)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("encoding", "typed"), [("UTF-8", True), ("UTF-8", False), ("UTF-16le", False)]
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=rows)
def test_fast_rows_equal_the_full_form(
    tmp_path: Path, encoding: str, typed: bool, batch: list[tuple[object, ...]]
) -> None:
    db = make_exchange(tmp_path, encoding, typed)
    insert(db, batch)
    conn = sqlite3.connect(db)
    conn.text_factory = bytes
    expected = [
        (
            row[0],
            tuple(
                v.decode() if isinstance(v, bytes) and i % 2 == 0 else v
                for i, v in enumerate(row[1:13])
            ),
            row[13],
        )
        for row in conn.execute(FULL)
    ]
    conn.close()
    reader = ExchangeReader(db)
    try:
        got = reader.snapshot(None).events
    finally:
        reader.close()
    assert [(e.rowid, e.columns, e.size) for e in got] == expected
    assert [e.digest for e in got] == [row_digest(columns) for _, columns, _ in expected]
