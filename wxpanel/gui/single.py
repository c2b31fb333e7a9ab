"""One panel per exchange.db on the desktop: a second start brings the first forward.

The core's :class:`~wxpanel.core.instance.InstanceLock` is what guarantees a
single consumer; this only improves what the user sees.  The first panel
listens on a local socket named after the exchange.db it uses; a second
panel started on the same file connects, asks the first to come to the
front, and exits instead of failing on the lock.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

#: How long a second instance waits for the first to answer, in ms.
CONNECT_TIMEOUT_MS = 500
_MESSAGE = b"raise\n"


def server_name(exchange_db: Path) -> str:
    """A socket name per exchange.db (resolved, so two spellings of one file agree)."""
    digest = hashlib.sha256(str(Path(exchange_db).resolve()).encode("utf-8")).hexdigest()
    return f"wxpanel-{digest[:24]}"


class SingleInstance(QObject):
    """Listens for later panels started on the same exchange.db."""

    #: Another panel was started on our exchange.db: come to the front.
    activated = Signal()

    def __init__(self, exchange_db: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(exchange_db)
        self._server: QLocalServer | None = None

    def notify_running(self) -> bool:
        """True if a panel already serves this exchange.db (and it was told to show itself)."""
        socket = QLocalSocket()  # Python-owned: gone when this returns
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(_MESSAGE)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        """Start answering later panels; False if the name cannot be taken (not fatal)."""
        server = QLocalServer(self)
        if not server.listen(self.name):
            # A panel that crashed leaves its socket file behind on Unix.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                return False
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _on_connection(self) -> None:
        """Read the short request at once: the client writes it right after connecting."""
        server = self._server
        if server is None:
            return
        socket = server.nextPendingConnection()
        while socket is not None:
            arrived = socket.bytesAvailable() or socket.waitForReadyRead(CONNECT_TIMEOUT_MS)
            if arrived and bytes(socket.readAll().data()).startswith(_MESSAGE.strip()):
                self.activated.emit()
            socket.abort()
            socket.deleteLater()
            socket = server.nextPendingConnection()
