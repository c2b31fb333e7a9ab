"""Small widgets of the window: the composer, the error banner, the feed filter."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.codepage import fits, unsendable, without_unsendable
from wxpanel.gui import palette
from wxpanel.gui.models import FeedModel, kind_of
from wxpanel.gui.preferences import expand_quick_reply

#: What demo.exe can send as a picture (the core checks the content too).
PICTURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp"})

Index = QModelIndex | QPersistentModelIndex


class UnsendableHighlighter(QSyntaxHighlighter):
    """Marks, as they are typed, the characters code page 936 loses on the way to WeChat."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.mark = QTextCharFormat()
        colours = palette.scheme()
        self.mark.setBackground(QColor(colours.flagged_background))
        self.mark.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.mark.setUnderlineColor(QColor(colours.error))

    def highlightBlock(self, text: str) -> None:
        if text.isascii():
            return
        position = 0  # Qt counts UTF-16 units: an emoji is two
        for char in text:
            width = 2 if ord(char) > 0xFFFF else 1
            if not fits(char):
                self.setFormat(position, width, self.mark)
            position += width


class Composer(QPlainTextEdit):
    """The reply box: Enter sends, Shift+Enter starts a new line.

    ``enter_sends`` swaps the two (the setting the issue asks for), for people
    used to typing long replies.
    """

    submitted = Signal(str)
    #: Send was asked for a text with characters WeChat cannot receive through
    #: demo.exe: (text, those characters).  The text stays in the box until
    #: :meth:`send_without_unsendable` or the user edits it.
    unsendableSubmitted = Signal(str, list)
    #: A picture pasted from the clipboard or dropped as image data.
    imagePasted = Signal(QImage)
    #: Picture files dropped or pasted as file URLs (absolute local paths).
    picturesDropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enter_sends = True
        self.quick_replies: dict[str, str] = {}
        self.setTabChangesFocus(True)
        self.highlighter = UnsendableHighlighter(self.document())

    def event(self, event: QEvent) -> bool:
        """Tab normally moves the focus before keyPressEvent sees it; a quick reply wins."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Tab
            and self.expand_quick_reply()
        ):
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if (enter or key in (Qt.Key.Key_Tab, Qt.Key.Key_Space)) and self.expand_quick_reply():
            return  # "/code" became its snippet: the user reviews it before sending
        if enter:
            modifiers = event.modifiers()
            held = bool(
                modifiers
                & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
            )
            if held != self.enter_sends:
                self.submit()
                return
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)

    def expand_quick_reply(self) -> bool:
        """Replace a ``/code`` just before the cursor with its saved snippet."""
        if not self.quick_replies:
            return False
        cursor = self.textCursor()
        if cursor.hasSelection():
            return False
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
        expanded = expand_quick_reply(cursor.selectedText(), self.quick_replies)
        if expanded is None:
            return False
        cursor.insertText(expanded)
        self.setTextCursor(cursor)
        return True

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return (
            bool(_picture_paths(source))
            or source.hasImage()
            or super().canInsertFromMimeData(source)
        )

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Pictures become picture messages; only text is inserted as text."""
        paths = _picture_paths(source)
        if paths:
            self.picturesDropped.emit(paths)
            return
        if source.hasImage():
            image = QImage(source.imageData())
            if not image.isNull():
                self.imagePasted.emit(image)
                return
        super().insertFromMimeData(source)

    def submit(self) -> None:
        """Emit the text exactly as typed (no stripping inside), unless it is blank."""
        text = self.toPlainText()
        if not text.strip():
            return
        lost = unsendable(text)
        if lost:
            self.unsendableSubmitted.emit(text, lost)
            return
        self.submitted.emit(text)
        self.clear()

    def send_without_unsendable(self) -> None:
        """The operator agreed: send the text without what code page 936 loses."""
        text = without_unsendable(self.toPlainText())
        if text.strip():
            self.submitted.emit(text)
        self.clear()


def _picture_paths(source: QMimeData) -> list[str]:
    """Local picture files among the URLs of a drop or paste (all of them, or none)."""
    if not source.hasUrls():
        return []
    paths = [url.toLocalFile() for url in source.urls() if url.isLocalFile()]
    if not paths or len(paths) != len(source.urls()):
        return []
    if not all(Path(path).suffix.lower() in PICTURE_SUFFIXES for path in paths):
        return []
    return paths


class Banner(QFrame):
    """A non-blocking strip above the content: what went wrong and what to do.

    It never takes focus or blocks input; it hides itself when the problem
    is gone, or when the user closes it.
    """

    def __init__(self, parent: QWidget | None = None, kind: str = "warning") -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.kind = kind
        self.restyle()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def set_kind(self, kind: str) -> None:
        """``"warning"`` (amber), ``"alert"`` (red) or ``"recovered"`` (green)."""
        self.kind = kind
        self.restyle()

    def restyle(self) -> None:
        """Colours of the banner's kind for a light or dark window.

        Read from the application's palette: this widget's own is the style sheet's.
        """
        background, border, text = palette.scheme().banners[self.kind]
        style = (
            f"#banner {{ background: {background}; border: 1px solid {border};"
            f" border-radius: 4px; }} #banner QLabel {{ color: {text}; }}"
        )
        if style != self.styleSheet():  # setting it changes the palette: no loop
            self.setStyleSheet(style)

    def changeEvent(self, event: QEvent) -> None:
        """Light or dark with the window: a pale strip in a dark window glares."""
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            palette.refresh()
            self.restyle()
        super().changeEvent(event)

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.label.clear()
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class FeedFilter(QSortFilterProxyModel):
    """The feed's filters: a kind (private, group, outgoing, system, flagged) and a text.

    Rows are tested from the feed's own values (its cached, casefolded text
    per row), not through ``data()``: a keystroke re-tests all 10 000 rows,
    and every arriving batch is tested as it comes.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = ""
        self._text = ""
        # New rows are tested as they are inserted; the cells the feed fills
        # in afterwards (and every status) would each run the test again.
        self.setDynamicSortFilter(False)

    @property
    def active(self) -> bool:
        """A filter is set: some rows may be hidden."""
        return bool(self._kind or self._text)

    def set_filter(self, kind: str, text: str) -> None:
        """Show rows of ``kind`` ("" for all) holding ``text`` (any case); re-tested once."""
        if (kind, text.casefold()) == (self._kind, self._text):
            return
        self.beginFilterChange()
        self._kind, self._text = kind, text.casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._kind and not self._text:
            return True  # the usual case: nothing asked of the feed
        feed = cast(FeedModel, self.sourceModel())
        if self._kind and kind_of(feed.message(source_row)) != self._kind:
            return False
        return not self._text or self._text in feed.haystack(source_row)


def resize_within_screen(widget: QWidget, width: int, height: int) -> None:
    """``widget.resize(width, height)``, but never larger than the screen's free area.

    Old VPS desktops are 1024×640: a 720-pixel dialog would have its buttons
    off the screen.
    """
    available = widget.screen().availableGeometry()
    widget.resize(min(width, available.width()), min(height, available.height() - 40))


class RawTextDialog(QDialog):
    """A message's content exactly as stored: the XML behind "[图片]", to read or copy."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Raw text"))
        layout = QVBoxLayout(self)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setPlainText(text)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)
