"""The SQLite C API of demo.exe's line, through ctypes: just what demo.exe calls.

The library is one built by ``scripts/old-sqlite`` (3.7.13 or 3.7.8, which
bracket demo.exe's 3.7.11). Deliberately absent: ``sqlite3_busy_timeout``
and ``sqlite3_busy_handler``, which demo.exe never calls, so every lock met
fails at once with SQLITE_BUSY, as it does for demo.exe.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from wxpanel.core.demoexe import DbError, Param, Value

SQLITE_OK: Final = 0
SQLITE_ROW: Final = 100
SQLITE_DONE: Final = 101
SQLITE_OPEN_READWRITE: Final = 0x2
SQLITE_OPEN_CREATE: Final = 0x4
_INTEGER, _FLOAT, _TEXT, _BLOB, _NULL = 1, 2, 3, 4, 5
#: SQLITE_TRANSIENT: SQLite copies the bound text before bind returns.
_TRANSIENT: Final = ctypes.c_void_p(-1)

_db_p = ctypes.c_void_p
_stmt_p = ctypes.c_void_p


class Library:
    """One loaded libsqlite3.so, with the argument types of the calls we make."""

    def __init__(self, path: Path) -> None:
        lib = ctypes.CDLL(str(path))
        lib.sqlite3_libversion.restype = ctypes.c_char_p
        lib.sqlite3_libversion.argtypes = []
        lib.sqlite3_open_v2.argtypes = [
            ctypes.c_char_p,
            ctypes.POINTER(_db_p),
            ctypes.c_int,
            ctypes.c_char_p,
        ]
        lib.sqlite3_close.argtypes = [_db_p]
        lib.sqlite3_errcode.argtypes = [_db_p]
        lib.sqlite3_errmsg.argtypes = [_db_p]
        lib.sqlite3_errmsg.restype = ctypes.c_char_p
        lib.sqlite3_prepare_v2.argtypes = [
            _db_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(_stmt_p),
            ctypes.POINTER(ctypes.c_char_p),
        ]
        lib.sqlite3_bind_text.argtypes = [
            _stmt_p,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_void_p,
        ]
        lib.sqlite3_bind_int64.argtypes = [_stmt_p, ctypes.c_int, ctypes.c_int64]
        lib.sqlite3_step.argtypes = [_stmt_p]
        lib.sqlite3_finalize.argtypes = [_stmt_p]
        lib.sqlite3_column_count.argtypes = [_stmt_p]
        lib.sqlite3_column_type.argtypes = [_stmt_p, ctypes.c_int]
        lib.sqlite3_column_int64.argtypes = [_stmt_p, ctypes.c_int]
        lib.sqlite3_column_int64.restype = ctypes.c_int64
        lib.sqlite3_column_double.argtypes = [_stmt_p, ctypes.c_int]
        lib.sqlite3_column_double.restype = ctypes.c_double
        lib.sqlite3_column_blob.argtypes = [_stmt_p, ctypes.c_int]
        lib.sqlite3_column_blob.restype = ctypes.c_void_p
        lib.sqlite3_column_text.argtypes = [_stmt_p, ctypes.c_int]
        lib.sqlite3_column_text.restype = ctypes.c_void_p
        lib.sqlite3_column_bytes.argtypes = [_stmt_p, ctypes.c_int]
        self.lib = lib
        self.path = path

    @property
    def version(self) -> str:
        """``sqlite3_libversion()``, e.g. ``3.7.13``."""
        return (self.lib.sqlite3_libversion() or b"").decode()


class Connection37:
    """:class:`wxpanel.core.demoexe.Connection` on the old library: no busy handler."""

    def __init__(self, library: Library, db: Path) -> None:
        self._lib = library.lib
        handle = _db_p()
        flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        code = self._lib.sqlite3_open_v2(str(db).encode(), ctypes.byref(handle), flags, None)
        self._db = handle
        if code != SQLITE_OK:
            message = self._message()
            self._lib.sqlite3_close(handle)
            raise DbError(code, message)

    def _message(self) -> str:
        return (self._lib.sqlite3_errmsg(self._db) or b"").decode("utf-8", "replace")

    def _fail(self) -> DbError:
        return DbError(self._lib.sqlite3_errcode(self._db) & 0xFF, self._message())

    def rows(self, sql: str, params: Sequence[Param] = ()) -> list[tuple[Value, ...]]:
        """Prepare, bind, step to the end and finalize; raise DbError on any failure."""
        lib = self._lib
        stmt = _stmt_p()
        if lib.sqlite3_prepare_v2(self._db, sql.encode(), -1, ctypes.byref(stmt), None):
            raise self._fail()
        try:
            for index, value in enumerate(params, start=1):
                if isinstance(value, int):
                    code = lib.sqlite3_bind_int64(stmt, index, value)
                else:
                    data = value.encode()
                    code = lib.sqlite3_bind_text(stmt, index, data, len(data), _TRANSIENT)
                if code != SQLITE_OK:
                    raise self._fail()
            result: list[tuple[Value, ...]] = []
            while True:
                code = lib.sqlite3_step(stmt)
                if code == SQLITE_DONE:
                    return result
                if code != SQLITE_ROW:
                    raise self._fail()
                result.append(
                    tuple(self._column(stmt, i) for i in range(lib.sqlite3_column_count(stmt)))
                )
        finally:
            lib.sqlite3_finalize(stmt)

    def _column(self, stmt: _stmt_p, index: int) -> Value:
        lib = self._lib
        kind = lib.sqlite3_column_type(stmt, index)
        if kind == _NULL:
            return None
        if kind == _INTEGER:
            return int(lib.sqlite3_column_int64(stmt, index))
        if kind == _FLOAT:
            return float(lib.sqlite3_column_double(stmt, index))
        pointer = (
            lib.sqlite3_column_text(stmt, index)
            if kind == _TEXT
            else lib.sqlite3_column_blob(stmt, index)
        )
        size = lib.sqlite3_column_bytes(stmt, index)
        return ctypes.string_at(pointer, size) if pointer else b""

    def close(self) -> None:
        """Close the connection (every statement is already finalized)."""
        if self._db:
            self._lib.sqlite3_close(self._db)
            self._db = _db_p()
