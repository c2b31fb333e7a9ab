"""The quick-reply picker: type ``/`` in the reply box, pick a snippet (as in Chatwoot).

Typing ``/`` at the start of the box or after a space opens a list of the
quick replies right above the box; the letters typed after it narrow the
list (by code or by text), Up and Down move, Enter or Tab inserts the
chosen snippet in place of ``/…``, Escape closes it.  The focus stays in
the reply box all along.  A link under the list opens the settings, where
the snippets are edited.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from wxpanel.gui.widgets import Composer

#: "/" at the start or after a space, then what was typed of the code.
_QUERY = re.compile(r"(?:^|(?<=\s))/(\w{0,20})$")
#: The list shows at most this many rows before it scrolls.
VISIBLE_ROWS = 6
#: A snippet is shown on one line of at most this many characters.
PREVIEW_CHARS = 60

CodeRole = Qt.ItemDataRole.UserRole + 1


class QuickReplyPicker(QFrame):
    """The list of quick replies that opens when ``/`` is typed in ``composer``."""

    #: The operator asked to edit the quick replies (the settings dialog).
    editRequested = Signal()

    def __init__(self, composer: Composer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.composer = composer
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.list = QListWidget(self)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.itemClicked.connect(self._clicked)
        layout.addWidget(self.list)
        self.empty = QLabel(self.tr("No quick reply matches"), self)
        self.empty.setEnabled(False)
        layout.addWidget(self.empty)
        edit_text = self.tr("Edit quick replies…")
        self.edit_link = QLabel(f'<a href="edit">{edit_text}</a>', self)
        self.edit_link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.edit_link.linkActivated.connect(lambda _link: self.editRequested.emit())
        layout.addWidget(self.edit_link)
        self._dismissed: str | None = None  # the text Escape closed the list on
        composer.textChanged.connect(self.refresh)
        composer.cursorPositionChanged.connect(self.refresh)
        composer.installEventFilter(self)
        self.hide()

    # -- what is typed ---------------------------------------------------------------

    def query(self) -> str | None:
        """What follows the "/" being typed, or None when no quick reply is being asked for."""
        cursor = self.composer.textCursor()
        if cursor.hasSelection():
            return None
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
        found = _QUERY.search(cursor.selectedText())
        return None if found is None else found.group(1)

    def matches(self, query: str) -> list[tuple[str, str]]:
        """The quick replies whose code or text contains ``query``, codes first.

        In the order the operator keeps them (the defaults: greeting first).
        """
        wanted = query.casefold()
        replies = list(self.composer.quick_replies.items())
        by_code = [(c, t) for c, t in replies if c.casefold().startswith(wanted)]
        by_text = [
            (c, t)
            for c, t in replies
            if (c, t) not in by_code and (wanted in c.casefold() or wanted in t.casefold())
        ]
        return by_code + by_text

    def refresh(self) -> None:
        query = self.query()
        text = self.composer.toPlainText()
        if query is None or not self.composer.isEnabled() or text == self._dismissed:
            self.hide()
            return
        self._dismissed = None
        found = self.matches(query)
        self.list.clear()
        for code, snippet in found:
            line = " ".join(snippet.split())
            if len(line) > PREVIEW_CHARS:
                line = line[:PREVIEW_CHARS] + "…"
            item = QListWidgetItem(f"/{code}   {line}")
            item.setData(CodeRole, code)
            item.setToolTip(snippet)
            self.list.addItem(item)
        if found:
            self.list.setCurrentRow(0)
        rows = max(1, min(VISIBLE_ROWS, len(found)))
        self.list.setFixedHeight(rows * max(self.list.sizeHintForRow(0), 18) + 4)
        self.list.setVisible(bool(found))
        self.empty.setVisible(not found)
        self.show()

    # -- choosing ----------------------------------------------------------------------

    def choose(self, code: str) -> None:
        """Put the snippet of ``code`` in place of the "/…" just typed."""
        snippet = self.composer.quick_replies.get(code)
        query = self.query()
        if snippet is None or query is None:
            return
        cursor = self.composer.textCursor()
        cursor.movePosition(
            QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(query) + 1
        )
        cursor.insertText(snippet)
        self.composer.setTextCursor(cursor)
        self.hide()

    def _clicked(self, item: QListWidgetItem) -> None:
        self.choose(str(item.data(CodeRole)))
        self.composer.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up, Down, Enter, Tab and Escape belong to the list while it is open."""
        if (
            watched is not self.composer
            or not self.isVisible()
            or event.type() != QEvent.Type.KeyPress
            or not isinstance(event, QKeyEvent)
        ):
            return False
        key = event.key()
        rows = self.list.count()
        if key == Qt.Key.Key_Escape:
            self._dismissed = self.composer.toPlainText()
            self.hide()
            return True
        if not rows:
            return False
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = -1 if key == Qt.Key.Key_Up else 1
            self.list.setCurrentRow((self.list.currentRow() + step) % rows)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            item = self.list.currentItem()
            if item is not None:
                self.choose(str(item.data(CodeRole)))
                return True
        return False


__all__ = ["QuickReplyPicker"]
