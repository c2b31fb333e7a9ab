"""Picking conversations and contacts by name, in any field that takes recipients.

A field holds entries separated by commas; while one is typed, a completer
offers the known conversations and contacts whose name, alias or wxid
contains it, each shown as "name (wxid)".  What the field holds is read back
through the core's :meth:`~wxpanel.core.names.Directory.resolve`, so a
label, a name or a wxid all give the wxid, and anything else stays as typed
for the validation to refuse.  The :class:`~wxpanel.core.names.Directory`
comes from the poller (``PollThread.directoryLoaded``): nothing here reads
the database.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from wxpanel.core.names import Directory

_LIST_SPLIT = re.compile(r"[,，]")


class TargetCompleter(QCompleter):
    """Completes the entry under the cursor of a comma-separated list."""

    def __init__(self, directory: Directory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStringListModel(self)
        self.setModel(self._model)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setMaxVisibleItems(12)
        self.set_directory(directory)

    def set_directory(self, directory: Directory) -> None:
        self._model.setStringList([contact.label for contact in directory.contacts])

    def splitPath(self, path: str) -> list[str]:
        return [_LIST_SPLIT.split(path)[-1].strip()]

    def pathFromIndex(self, index: object) -> str:
        label = str(super().pathFromIndex(index))  # type: ignore[arg-type]
        edit = self.widget()
        text = edit.text() if isinstance(edit, QLineEdit) else ""
        head = _LIST_SPLIT.split(text)[:-1]
        return ", ".join([part.strip() for part in head if part.strip()] + [label])


def attach(edit: QLineEdit, directory: Directory, *, many: bool = True) -> QCompleter:
    """Give ``edit`` a completer over ``directory`` (one entry, or a comma list)."""
    completer: QCompleter
    if many:
        completer = TargetCompleter(directory, edit)
    else:
        completer = QCompleter([contact.label for contact in directory.contacts], edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
    edit.setCompleter(completer)
    return completer


def labels(wxids: tuple[str, ...] | list[str], directory: Directory) -> str:
    """Stored wxids as the field shows them: "赵磊 (wxid_zl), …"."""
    return ", ".join(directory.label(wxid) for wxid in wxids)


def resolved(text: str, directory: Directory) -> tuple[str, ...]:
    """The field's entries as wxids; an entry that resolves to none stays as typed."""
    out = []
    for part in _LIST_SPLIT.split(text):
        part = part.strip()
        if part:
            out.append(directory.resolve(part).wxid or part)
    return tuple(out)
