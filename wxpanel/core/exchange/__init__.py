"""demo.exe's exchange.db: opening and checking it, reading it lock-free, writing briefly.

- :mod:`~wxpanel.core.exchange.files`: find, check and create the file.
- :mod:`~wxpanel.core.exchange.reader`: notice changes and read both tables
  without ever taking a lock demo.exe could meet.
- :mod:`~wxpanel.core.exchange.writer`: the only writes, short and fail-fast.
"""

from wxpanel.core.errors import is_busy
from wxpanel.core.exchange.files import (
    DEFAULT_BUSY_TIMEOUT,
    check_exchange,
    connect,
    create_exchange,
    missing_columns,
    sqlite_uri,
)

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "check_exchange",
    "connect",
    "create_exchange",
    "is_busy",
    "missing_columns",
    "sqlite_uri",
]
