"""The add/edit dialogs of a rule and of a timed message, validated as the user types.

Every change rebuilds the value from the fields and runs the core's own
validation (:func:`~wxpanel.core.rules.validate_rule`,
:func:`~wxpanel.core.rules.validate_timed`): the problems are listed under
the form with the place they were found, the offending field is outlined,
and Save stays disabled while there is an error.  A bad regular expression
is therefore shown while it is typed, never found by the poller.

Saving goes through a ``saver`` callable given by the page: when the store
refuses (a lock, a rule edited away meanwhile), the dialog stays open with
the reason.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import time as dtime

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.names import Directory
from wxpanel.core.rules import (
    ActiveHours,
    AfterMatch,
    AutoReplyConfig,
    Issue,
    MatchMode,
    Reply,
    ReplyMode,
    Rule,
    RuleKind,
    ScheduleKind,
    Scope,
    ScopeKind,
    Severity,
    TimedMessage,
    Trigger,
    validate_rule,
    validate_timed,
)
from wxpanel.gui import palette, targets
from wxpanel.gui.rules_model import weekday_names
from wxpanel.gui.texts import issue_text
from wxpanel.gui.widgets import resize_within_screen

#: Between two reply texts in the text box.
#: A new rule starts with a cooldown: a safe default against answering every message.
NEW_RULE_COOLDOWN = 60.0
TEXT_SEPARATOR = "---"
#: A saver returns None when saved, else the reason to show.
Saver = Callable[[object], str | None]


def invalid_style() -> str:
    """A refused field: outlined in the theme's error colour."""
    colours = palette.scheme()
    return f"border: 1px solid {colours.error}; background: {colours.invalid_background};"


_LIST_SPLIT = re.compile(r"[,，;；\n]")
_INDEX = re.compile(r"\[(\d+)\]")


def split_list(text: str) -> tuple[str, ...]:
    """ "a, b，c" → ("a", "b", "c"): wxids and names, commas of either width."""
    return tuple(part.strip() for part in _LIST_SPLIT.split(text) if part.strip())


def split_texts(text: str) -> tuple[str, ...]:
    """The reply box: texts separated by a line holding only ``---``."""
    if not text.strip():
        return ()
    chunks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip() == TEXT_SEPARATOR:
            chunks.append([])
        else:
            chunks[-1].append(line)
    return tuple("\n".join(chunk).strip("\n") for chunk in chunks)


def join_texts(texts: Sequence[str]) -> str:
    return f"\n{TEXT_SEPARATOR}\n".join(texts)


def _mark(widget: QWidget, messages: Sequence[str], outline: bool = True) -> None:
    widget.setStyleSheet(invalid_style() if messages and outline else "")
    widget.setToolTip("\n".join(messages))


def issues_html(issues: Sequence[tuple[str, Issue]]) -> str:
    """The list under the form: errors in red, warnings in amber, each with its place."""
    lines = []
    for place, issue in issues:
        error = issue.severity is Severity.ERROR
        colour = palette.scheme().error if error else palette.scheme().warning
        mark = "✖" if error else "⚠"
        where = f"<b>{html.escape(place)}</b>: " if place else ""
        lines.append(
            f'<div style="color:{colour}">{mark} {where}{html.escape(issue_text(issue))}</div>'
        )
    return "".join(lines)


class WeekdayPicker(QWidget):
    """Seven check boxes, Monday first."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[QCheckBox] = []
        for name in weekday_names():
            box = QCheckBox(name, self)
            box.setChecked(True)
            box.toggled.connect(self.changed)
            layout.addWidget(box)
            self.boxes.append(box)
        layout.addStretch(1)

    def days(self) -> tuple[int, ...]:
        return tuple(day for day, box in enumerate(self.boxes, start=1) if box.isChecked())

    def set_days(self, days: Sequence[int]) -> None:
        for day, box in enumerate(self.boxes, start=1):
            box.setChecked(day in days)


class TriggerRow(QWidget):
    """One keyword: pattern, how it is matched, case and width folding."""

    changed = Signal()
    removeRequested = Signal(QWidget)

    def __init__(self, trigger: Trigger | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        trigger = trigger or Trigger("")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.pattern = QLineEdit(trigger.pattern, self)
        self.pattern.setPlaceholderText(self.tr("Keyword or regular expression"))
        self.mode = QComboBox(self)
        for label, mode in (
            (self.tr("contains"), MatchMode.CONTAINS),
            (self.tr("is exactly"), MatchMode.EXACT),
            (self.tr("starts with"), MatchMode.STARTSWITH),
            (self.tr("regular expression"), MatchMode.REGEX),
        ):
            self.mode.addItem(label, mode.value)
        self.mode.setCurrentIndex(self.mode.findData(trigger.mode.value))
        self.ignore_case = QCheckBox(self.tr("Ignore case"), self)
        self.ignore_case.setChecked(trigger.ignore_case)
        self.fold_width = QCheckBox(self.tr("Full/half width alike"), self)
        self.fold_width.setChecked(trigger.fold_width)
        remove = QToolButton(self)
        remove.setText("✕")
        remove.setToolTip(self.tr("Remove this trigger"))
        remove.clicked.connect(lambda: self.removeRequested.emit(self))
        layout.addWidget(self.mode)
        layout.addWidget(self.pattern, 1)
        layout.addWidget(self.ignore_case)
        layout.addWidget(self.fold_width)
        layout.addWidget(remove)
        self.pattern.textChanged.connect(self.changed)
        self.mode.currentIndexChanged.connect(self.changed)
        self.ignore_case.toggled.connect(self.changed)
        self.fold_width.toggled.connect(self.changed)

    def trigger(self) -> Trigger:
        return Trigger(
            pattern=self.pattern.text(),
            mode=MatchMode(str(self.mode.currentData())),
            ignore_case=self.ignore_case.isChecked(),
            fold_width=self.fold_width.isChecked(),
        )


class _ValidatedDialog(QDialog):
    """Shared by both dialogs: the issue list, the Save button, saving through ``saver``."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.saver: Saver | None = None
        self.issues_label = QLabel(self)
        self.issues_label.setWordWrap(True)
        self.issues_label.setTextFormat(Qt.TextFormat.RichText)
        self.issues_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self._errors = 0
        #: Problems are shown once the operator changed something or pressed
        #: Save (at once when editing): a new form opens clean, not red.
        self.touched = False
        self._built = False

    def _show_issues(self, placed: Sequence[tuple[str, Issue]]) -> None:
        if self._built:
            self.touched = True  # a field changed after the form was built
        self._errors = sum(1 for _, issue in placed if issue.severity is Severity.ERROR)
        shown = placed if self.touched else ()
        self.issues_label.setText(issues_html(shown))
        self.issues_label.setVisible(bool(shown))
        # Untouched, Save stays enabled: pressing it is how the problems show.
        self.save_button.setEnabled(self._errors == 0 or not self.touched)

    @property
    def has_errors(self) -> bool:
        return self._errors > 0

    def issues_text(self) -> str:
        """What the issue list says, as plain text (for tests and screen readers)."""
        doc = self.issues_label.text()
        return html.unescape(re.sub(r"<[^>]+>", " ", doc)).strip()

    def value(self) -> object:
        raise NotImplementedError

    def revalidate(self) -> None:
        """Check the form and show what is wrong (each dialog knows its fields)."""
        raise NotImplementedError

    def accept(self) -> None:
        """Save only a valid value, and only if the store took it."""
        if self.has_errors:
            if not self.touched:  # Save on a fresh form: now say what is missing
                self.touched = True
                self.revalidate()
            return
        if self.saver is not None:
            refusal = self.saver(self.value())
            if refusal:
                self.issues_label.setText(
                    f'<div style="color:{palette.scheme().error}">✖ {html.escape(refusal)}</div>'
                )
                self.issues_label.setVisible(True)
                return
        super().accept()

    def pick_picture_file(self) -> str:
        """The file dialog; a method so that tests can answer it."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            QCoreApplication.translate("RuleDialog", "Choose a picture"),
            "",
            QCoreApplication.translate("RuleDialog", "Pictures (*.png *.jpg *.jpeg *.gif *.bmp)"),
        )
        return path


def _picture_row(dialog: _ValidatedDialog, edit: QLineEdit) -> QWidget:
    row = QWidget(dialog)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    browse = QPushButton("…", row)
    browse.setMaximumWidth(32)

    def choose() -> None:
        path = dialog.pick_picture_file()
        if path:
            edit.setText(path)

    browse.clicked.connect(choose)
    layout.addWidget(edit, 1)
    layout.addWidget(browse)
    return row


class RuleDialog(_ValidatedDialog):
    """Add or edit one rule."""

    def __init__(
        self,
        rule: Rule | None = None,
        config: AutoReplyConfig | None = None,
        parent: QWidget | None = None,
        *,
        sources: Sequence[str] = (),
        directory: Directory | None = None,
    ) -> None:
        super().__init__(parent)
        self.original = rule
        self.config = config
        #: Known conversations and contacts (the page's, from the poller), for the pickers.
        self.directory = directory or Directory()
        #: The answer sources a rule may hand its question to, by name.
        self.source_names = tuple(sources)
        rule = rule or Rule(
            name="", triggers=(Trigger(""),), reply=Reply(texts=()), cooldown=NEW_RULE_COOLDOWN
        )
        self.setWindowTitle(self.tr("Edit rule") if self.original else self.tr("New rule"))
        resize_within_screen(self, 760, 720)
        self.trigger_rows: list[TriggerRow] = []

        form_widget = QWidget(self)
        form = QVBoxLayout(form_widget)
        form.addWidget(self._build_general(rule))
        form.addWidget(self._build_triggers(rule))
        form.addWidget(self._build_scope(rule))
        form.addWidget(self._build_reply(rule))
        form.addWidget(self._build_when(rule))
        form.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.issues_label)
        layout.addWidget(self.buttons)
        self.touched = self.original is not None
        self._on_kind_changed()
        self._built = True  # from now on a change is the operator's

    # -- construction ---------------------------------------------------------------

    def _build_general(self, rule: Rule) -> QWidget:
        box = QGroupBox(self.tr("Rule"), self)
        form = QFormLayout(box)
        self.name_edit = QLineEdit(rule.name, box)
        self.name_edit.setPlaceholderText(self.tr("A name you will recognise"))
        self.kind_box = QComboBox(box)
        for label, kind in (
            (self.tr("Answer keywords"), RuleKind.KEYWORD),
            (self.tr("Default reply (nothing else matched)"), RuleKind.DEFAULT),
            (self.tr("Welcome a friend request"), RuleKind.WELCOME_FRIEND),
            (self.tr("Welcome someone joining a group"), RuleKind.WELCOME_GROUP),
        ):
            self.kind_box.addItem(label, kind.value)
        self.kind_box.setCurrentIndex(self.kind_box.findData(rule.kind.value))
        self.enabled_box = QCheckBox(self.tr("On"), box)
        self.enabled_box.setChecked(rule.enabled)
        self.continue_box = QCheckBox(
            self.tr("Let later rules answer too (otherwise this rule answers alone)"), box
        )
        self.continue_box.setChecked(rule.after_match is AfterMatch.CONTINUE)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Kind:"), self.kind_box)
        form.addRow("", self.enabled_box)
        form.addRow("", self.continue_box)
        self.name_edit.textChanged.connect(self.revalidate)
        self.kind_box.currentIndexChanged.connect(self._on_kind_changed)
        self.enabled_box.toggled.connect(self.revalidate)
        self.continue_box.toggled.connect(self.revalidate)
        return box

    def _build_triggers(self, rule: Rule) -> QWidget:
        self.triggers_box = QGroupBox(self.tr("When the message…"), self)
        layout = QVBoxLayout(self.triggers_box)
        self.triggers_layout = QVBoxLayout()
        layout.addLayout(self.triggers_layout)
        add = QPushButton(self.tr("Add a trigger"), self.triggers_box)
        add.clicked.connect(lambda: self.add_trigger())
        row = QHBoxLayout()
        row.addWidget(add)
        row.addStretch(1)
        layout.addLayout(row)
        for trigger in rule.triggers:
            self.add_trigger(trigger, revalidate=False)
        return self.triggers_box

    def _build_scope(self, rule: Rule) -> QWidget:
        scope = rule.scope
        box = QGroupBox(self.tr("Where"), self)
        form = QFormLayout(box)
        self.scope_box = QComboBox(box)
        for label, kind in (
            (self.tr("Private chats and groups"), ScopeKind.BOTH),
            (self.tr("Private chats only"), ScopeKind.PRIVATE),
            (self.tr("Groups only"), ScopeKind.GROUPS),
            (self.tr("Only the conversations below"), ScopeKind.CHOSEN),
        ):
            self.scope_box.addItem(label, kind.value)
        self.scope_box.setCurrentIndex(self.scope_box.findData(scope.kind.value))
        self.conversations_edit = QLineEdit(
            targets.labels(scope.conversations, self.directory), box
        )
        targets.attach(self.conversations_edit, self.directory)
        self.conversations_edit.setPlaceholderText(
            self.tr("A name or wxid, picked from the list; comma separated")
        )
        self.exclude_edit = QLineEdit(targets.labels(scope.exclude, self.directory), box)
        targets.attach(self.exclude_edit, self.directory)
        self.exclude_edit.setPlaceholderText(
            self.tr("Conversations or group members never answered")
        )
        self.mentioned_box = QCheckBox(
            self.tr("In groups, only when the account is @-mentioned"), box
        )
        self.mentioned_box.setChecked(scope.only_when_mentioned)
        self.mention_edit = QLineEdit(", ".join(scope.mention_names), box)
        self.mention_edit.setPlaceholderText(self.tr("The account's group nicknames (optional)"))
        form.addRow(self.tr("Answer in:"), self.scope_box)
        form.addRow(self.tr("Conversations:"), self.conversations_edit)
        form.addRow(self.tr("Never answer:"), self.exclude_edit)
        form.addRow("", self.mentioned_box)
        form.addRow(self.tr("@ names:"), self.mention_edit)
        self.scope_box.currentIndexChanged.connect(self._on_scope_changed)
        for edit in (self.conversations_edit, self.exclude_edit, self.mention_edit):
            edit.textChanged.connect(self.revalidate)
        self.mentioned_box.toggled.connect(self._on_scope_changed)
        self._on_scope_changed()
        return box

    def _build_reply(self, rule: Rule) -> QWidget:
        reply = rule.reply
        box = QGroupBox(self.tr("Reply"), self)
        form = QFormLayout(box)
        self.texts_edit = QPlainTextEdit(join_texts(reply.texts), box)
        self.texts_edit.setPlaceholderText(
            self.tr("The text to send. Several texts: a line with --- between them.")
        )
        self.texts_edit.setMinimumHeight(90)
        hint = QLabel(
            self.tr(
                "Placeholders: {sender} {nickname} {time} {date} {content}, regex groups {1} {name}"
            ),
            box,
        )
        hint.setWordWrap(True)
        palette.colour_text(hint, "muted")
        self.mode_box = QComboBox(box)
        self.mode_box.addItem(self.tr("Send every text, in order"), ReplyMode.ALL.value)
        self.mode_box.addItem(self.tr("Send one text, at random"), ReplyMode.RANDOM.value)
        self.mode_box.setCurrentIndex(self.mode_box.findData(reply.mode.value))
        self.picture_edit = QLineEdit(reply.picture or "", box)
        self.picture_edit.setPlaceholderText(self.tr("Optional: a picture sent after the texts"))
        form.addRow(self.tr("Texts:"), self.texts_edit)
        form.addRow("", hint)
        form.addRow(self.tr("Several texts:"), self.mode_box)
        form.addRow(self.tr("Picture:"), _picture_row(self, self.picture_edit))
        self.source_box = QComboBox(box)
        self.source_box.addItem(self.tr("(none: the rule answers by itself)"), "")
        names = list(self.source_names)
        if reply.source and reply.source not in names:
            names.append(reply.source)  # a source deleted since: keep what the rule says
        for name in names:
            self.source_box.addItem(name, name)
        self.source_box.setCurrentIndex(max(0, self.source_box.findData(reply.source or "")))
        source_hint = QLabel(
            self.tr(
                "The rule decides when to answer; the chosen webhook, AI model or plugin"
                " writes the answer. It runs even when it is off in the sources' chain."
            ),
            box,
        )
        source_hint.setWordWrap(True)
        palette.colour_text(source_hint, "muted")
        form.addRow(self.tr("Let an answer source write the reply:"), self.source_box)
        form.addRow("", source_hint)
        self.texts_edit.textChanged.connect(self.revalidate)
        self.mode_box.currentIndexChanged.connect(self.revalidate)
        self.picture_edit.textChanged.connect(self.revalidate)
        self.source_box.currentIndexChanged.connect(self.revalidate)
        return box

    def _build_when(self, rule: Rule) -> QWidget:
        box = QGroupBox(self.tr("When"), self)
        form = QFormLayout(box)
        active = rule.active
        self.hours_box = QCheckBox(self.tr("Only between"), box)
        self.hours_box.setChecked(active is not None and active.start is not None)
        self.start_edit = QTimeEdit(box)
        self.end_edit = QTimeEdit(box)
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("HH:mm")
        start = active.start if active and active.start else dtime(9, 0)
        end = active.end if active and active.end else dtime(18, 0)
        self.start_edit.setTime(QTime(start.hour, start.minute))
        self.end_edit.setTime(QTime(end.hour, end.minute))
        hours = QWidget(box)
        row = QHBoxLayout(hours)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.hours_box)
        row.addWidget(self.start_edit)
        row.addWidget(QLabel(self.tr("and"), hours))
        row.addWidget(self.end_edit)
        row.addStretch(1)
        self.weekdays = WeekdayPicker(box)
        self.weekdays.set_days(active.weekdays if active else (1, 2, 3, 4, 5, 6, 7))
        self.cooldown_spin = QSpinBox(box)
        self.cooldown_spin.setRange(0, 7 * 86400)
        self.cooldown_spin.setSuffix(self.tr(" s"))
        self.cooldown_spin.setValue(round(rule.cooldown))
        self.cooldown_spin.setToolTip(
            self.tr("The least time between two answers of this rule in one conversation")
        )
        form.addRow(self.tr("Hours:"), hours)
        form.addRow(self.tr("Days:"), self.weekdays)
        form.addRow(self.tr("Cooldown:"), self.cooldown_spin)
        self.hours_box.toggled.connect(self._on_hours_toggled)
        self.start_edit.timeChanged.connect(self.revalidate)
        self.end_edit.timeChanged.connect(self.revalidate)
        self.weekdays.changed.connect(self.revalidate)
        self.cooldown_spin.valueChanged.connect(self.revalidate)
        self._on_hours_toggled()
        return box

    # -- triggers -----------------------------------------------------------------------

    def add_trigger(self, trigger: Trigger | None = None, *, revalidate: bool = True) -> TriggerRow:
        row = TriggerRow(trigger, self.triggers_box)
        row.changed.connect(self.revalidate)
        row.removeRequested.connect(self._remove_trigger)
        self.triggers_layout.addWidget(row)
        self.trigger_rows.append(row)
        if revalidate:
            row.pattern.setFocus()
            self.revalidate()
        return row

    def _remove_trigger(self, row: QWidget) -> None:
        if row in self.trigger_rows:
            self.trigger_rows.remove(row)
            row.setParent(None)
            row.deleteLater()
            self.revalidate()

    # -- reactions ------------------------------------------------------------------------

    def _kind(self) -> RuleKind:
        return RuleKind(str(self.kind_box.currentData()))

    def _on_kind_changed(self) -> None:
        kind = self._kind()
        self.triggers_box.setEnabled(kind is RuleKind.KEYWORD)
        if kind is RuleKind.DEFAULT and self.cooldown_spin.value() == 0:
            self.cooldown_spin.setValue(600)  # a default reply must have one
        self.revalidate()

    def _on_scope_changed(self) -> None:
        self.conversations_edit.setEnabled(str(self.scope_box.currentData()) == ScopeKind.CHOSEN)
        self.mention_edit.setEnabled(self.mentioned_box.isChecked())
        self.revalidate()

    def _on_hours_toggled(self) -> None:
        on = self.hours_box.isChecked()
        self.start_edit.setEnabled(on)
        self.end_edit.setEnabled(on)
        self.revalidate()

    # -- the value ------------------------------------------------------------------------

    def rule(self) -> Rule:
        """The rule as the fields describe it now (possibly invalid)."""
        kind = self._kind()
        triggers = (
            tuple(row.trigger() for row in self.trigger_rows) if kind is RuleKind.KEYWORD else ()
        )
        days = self.weekdays.days()
        active: ActiveHours | None = None
        if self.hours_box.isChecked():
            start, end = self.start_edit.time(), self.end_edit.time()
            active = ActiveHours(
                dtime(start.hour(), start.minute()), dtime(end.hour(), end.minute()), days
            )
        elif days != (1, 2, 3, 4, 5, 6, 7):
            active = ActiveHours(None, None, days)
        picture = self.picture_edit.text().strip() or None
        source = str(self.source_box.currentData() or "") or None
        base = self.original or Rule(name="")
        return replace(
            base,
            name=self.name_edit.text().strip(),
            kind=kind,
            enabled=self.enabled_box.isChecked(),
            after_match=AfterMatch.CONTINUE if self.continue_box.isChecked() else AfterMatch.STOP,
            triggers=triggers,
            scope=Scope(
                kind=ScopeKind(str(self.scope_box.currentData())),
                conversations=targets.resolved(self.conversations_edit.text(), self.directory),
                exclude=targets.resolved(self.exclude_edit.text(), self.directory),
                only_when_mentioned=self.mentioned_box.isChecked(),
                mention_names=split_list(self.mention_edit.text()),
            ),
            reply=Reply(
                texts=split_texts(self.texts_edit.toPlainText()),
                mode=ReplyMode(str(self.mode_box.currentData())),
                picture=picture,
                source=source,
            ),
            active=active,
            cooldown=float(self.cooldown_spin.value()),
        )

    def value(self) -> object:
        return self.rule()

    def issues(self) -> list[Issue]:
        return validate_rule(self.rule(), self.config, self.directory)

    def revalidate(self) -> None:
        """Check the rule as it stands and show what is wrong, where."""
        if not hasattr(self, "cooldown_spin"):
            return  # still being built
        issues = self.issues()
        placed = [(self._place(issue.path), issue) for issue in issues]
        self._show_issues(placed)
        marks: dict[QWidget, list[str]] = {widget: [] for widget in self._markable()}
        for issue in issues:
            widget = self._widget_for(issue.path)
            if widget is not None and issue.severity is Severity.ERROR:
                marks.setdefault(widget, []).append(issue_text(issue))
        for widget, messages in marks.items():
            _mark(widget, messages, self.touched)

    def _markable(self) -> list[QWidget]:
        return [
            self.name_edit,
            self.conversations_edit,
            self.exclude_edit,
            self.mention_edit,
            self.texts_edit,
            self.picture_edit,
            self.source_box,
            self.cooldown_spin,
            self.weekdays,
            *(row.pattern for row in self.trigger_rows),
        ]

    def _widget_for(self, path: str) -> QWidget | None:
        head = path.split(".")[0].split("[")[0]
        if head == "name":
            return self.name_edit
        if head == "triggers":
            match = _INDEX.search(path)
            if match and int(match.group(1)) < len(self.trigger_rows):
                return self.trigger_rows[int(match.group(1))].pattern
            return None
        if head == "scope":
            for key, widget in (
                ("conversations", self.conversations_edit),
                ("exclude", self.exclude_edit),
                ("mention_names", self.mention_edit),
            ):
                if path.startswith(f"scope.{key}"):
                    return widget
            return None
        if head == "reply":
            if path.startswith("reply.source"):
                return self.source_box
            return self.picture_edit if path.startswith("reply.picture") else self.texts_edit
        if head == "active":
            return self.weekdays
        if head == "cooldown":
            return self.cooldown_spin
        return None

    def _place(self, path: str) -> str:
        """A readable, translated name for an issue's path."""
        index = _INDEX.search(path)
        number = str(int(index.group(1)) + 1) if index else ""
        if path == "name":
            return self.tr("Name")
        if path == "triggers":
            return self.tr("Triggers")
        if path.startswith("triggers["):
            return self.tr("Trigger %1").replace("%1", number)
        if path.startswith("scope.conversations"):
            return self.tr("Conversations")
        if path.startswith("scope.exclude"):
            return self.tr("Never answer")
        if path.startswith("scope.mention_names") or path.startswith("scope.only_when"):
            return self.tr("@ names")
        if path.startswith("scope"):
            return self.tr("Where")
        if path.startswith("reply.texts"):
            return self.tr("Reply text %1").replace("%1", number)
        if path.startswith("reply.picture"):
            return self.tr("Picture")
        if path.startswith("reply.source"):
            return self.tr("Answer source")
        if path.startswith("reply"):
            return self.tr("Reply")
        if path.startswith("active"):
            return self.tr("Hours and days")
        if path.startswith("cooldown"):
            return self.tr("Cooldown")
        return path


class TimedDialog(_ValidatedDialog):
    """Add or edit one timed message: what, to whom, once / daily / weekly."""

    def __init__(
        self,
        timed: TimedMessage | None = None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,
        directory: Directory | None = None,
    ) -> None:
        super().__init__(parent)
        self.original = timed
        self.clock = clock
        self.directory = directory or Directory()
        self.setWindowTitle(
            self.tr("Edit timed message") if timed is not None else self.tr("New timed message")
        )
        self.resize(620, 520)
        timed = timed or TimedMessage(
            name="", targets=(), schedule=ScheduleKind.DAILY, time_of_day=dtime(9, 0)
        )
        form = QFormLayout()
        self.name_edit = QLineEdit(timed.name, self)
        self.name_edit.setPlaceholderText(self.tr("e.g. Morning greeting"))
        self.enabled_box = QCheckBox(self.tr("On"), self)
        self.enabled_box.setChecked(timed.enabled)
        self.targets_edit = QLineEdit(targets.labels(timed.targets, self.directory), self)
        targets.attach(self.targets_edit, self.directory)
        self.targets_edit.setPlaceholderText(
            self.tr("A name or wxid, picked from the list; comma separated")
        )
        self.text_edit = QPlainTextEdit(timed.text or "", self)
        self.text_edit.setPlaceholderText(self.tr("The text; {time} and {date} are filled in"))
        self.text_edit.setMinimumHeight(90)
        self.picture_edit = QLineEdit(timed.picture or "", self)
        self.picture_edit.setPlaceholderText(self.tr("Optional: a picture sent after the text"))
        self.schedule_box = QComboBox(self)
        for label, kind in (
            (self.tr("Once"), ScheduleKind.ONCE),
            (self.tr("Every day"), ScheduleKind.DAILY),
            (self.tr("Every week"), ScheduleKind.WEEKLY),
        ):
            self.schedule_box.addItem(label, kind.value)
        self.schedule_box.setCurrentIndex(self.schedule_box.findData(timed.schedule.value))
        self.at_edit = QDateTimeEdit(self)
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at_edit.setCalendarPopup(True)
        at = timed.at if timed.at is not None else (clock() // 60 + 60) * 60
        self.at_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(at)))
        self.time_edit = QTimeEdit(self)
        self.time_edit.setDisplayFormat("HH:mm")
        tod = timed.time_of_day or dtime(9, 0)
        self.time_edit.setTime(QTime(tod.hour, tod.minute))
        self.weekdays = WeekdayPicker(self)
        self.weekdays.set_days(timed.weekdays)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow("", self.enabled_box)
        form.addRow(self.tr("Send to:"), self.targets_edit)
        form.addRow(self.tr("Text:"), self.text_edit)
        form.addRow(self.tr("Picture:"), _picture_row(self, self.picture_edit))
        form.addRow(self.tr("Repeat:"), self.schedule_box)
        form.addRow(self.tr("At:"), self.at_edit)
        form.addRow(self.tr("Time:"), self.time_edit)
        form.addRow(self.tr("Days:"), self.weekdays)
        self._form = form
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.issues_label)
        layout.addWidget(self.buttons)
        for edit in (self.name_edit, self.targets_edit, self.picture_edit):
            edit.textChanged.connect(self.revalidate)
        self.text_edit.textChanged.connect(self.revalidate)
        self.enabled_box.toggled.connect(self.revalidate)
        self.schedule_box.currentIndexChanged.connect(self._on_schedule_changed)
        self.at_edit.dateTimeChanged.connect(self.revalidate)
        self.time_edit.timeChanged.connect(self.revalidate)
        self.weekdays.changed.connect(self.revalidate)
        self.touched = self.original is not None
        self._on_schedule_changed()
        self._built = True  # from now on a change is the operator's

    def _schedule(self) -> ScheduleKind:
        return ScheduleKind(str(self.schedule_box.currentData()))

    def _on_schedule_changed(self) -> None:
        schedule = self._schedule()
        for widget, visible in (
            (self.at_edit, schedule is ScheduleKind.ONCE),
            (self.time_edit, schedule is not ScheduleKind.ONCE),
            (self.weekdays, schedule is ScheduleKind.WEEKLY),
        ):
            widget.setVisible(visible)
            label = self._form.labelForField(widget)
            if label is not None:
                label.setVisible(visible)
        self.revalidate()

    def timed(self) -> TimedMessage:
        schedule = self._schedule()
        tod = self.time_edit.time()
        text = self.text_edit.toPlainText()
        base = self.original or TimedMessage(name="", targets=(), schedule=schedule)
        return replace(
            base,
            name=self.name_edit.text().strip(),
            enabled=self.enabled_box.isChecked(),
            targets=targets.resolved(self.targets_edit.text(), self.directory),
            schedule=schedule,
            text=text if text.strip() else None,
            picture=self.picture_edit.text().strip() or None,
            at=float(self.at_edit.dateTime().toSecsSinceEpoch())
            if schedule is ScheduleKind.ONCE
            else None,
            time_of_day=dtime(tod.hour(), tod.minute())
            if schedule is not ScheduleKind.ONCE
            else None,
            weekdays=self.weekdays.days()
            if schedule is ScheduleKind.WEEKLY
            else (1, 2, 3, 4, 5, 6, 7),
        )

    def value(self) -> object:
        return self.timed()

    def issues(self) -> list[Issue]:
        timed = self.timed()
        found = validate_timed(timed, self.directory)
        if (
            timed.enabled
            and timed.schedule is ScheduleKind.ONCE
            and timed.at is not None
            and timed.at <= self.clock()
        ):
            found.append(Issue("at", self.tr("that time has passed")))
        return found

    def revalidate(self) -> None:
        if not hasattr(self, "weekdays"):
            return
        issues = self.issues()
        self._show_issues([(self._place(issue.path), issue) for issue in issues])
        widgets: dict[str, QWidget] = {
            "name": self.name_edit,
            "targets": self.targets_edit,
            "picture": self.picture_edit,
            "at": self.at_edit,
            "time_of_day": self.time_edit,
            "weekdays": self.weekdays,
            "text": self.text_edit,
            "": self.text_edit,
        }
        marks: dict[QWidget, list[str]] = {widget: [] for widget in widgets.values()}
        for issue in issues:
            head = issue.path.split(".")[0].split("[")[0]
            widget = widgets.get(head)
            if widget is not None and issue.severity is Severity.ERROR:
                marks[widget].append(issue_text(issue))
        for widget, messages in marks.items():
            _mark(widget, messages, self.touched)

    def _place(self, path: str) -> str:
        head = path.split(".")[0].split("[")[0]
        names = {
            "name": self.tr("Name"),
            "targets": self.tr("Send to"),
            "picture": self.tr("Picture"),
            "at": self.tr("At"),
            "time_of_day": self.tr("Time"),
            "weekdays": self.tr("Days"),
        }
        return names.get(head, path)


class SafetyDialog(_ValidatedDialog):
    """The account's nicknames (to recognise an @mention) and the always-on safety limits."""

    def __init__(self, config: AutoReplyConfig | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        config = config or AutoReplyConfig()
        self.setWindowTitle(self.tr("Auto-reply settings"))
        self.setMinimumWidth(480)
        form = QFormLayout()
        self.nicknames_edit = QLineEdit(", ".join(config.nicknames), self)
        self.nicknames_edit.setPlaceholderText(self.tr("How the account is @-mentioned in groups"))
        self.per_minute = self._spin(config.per_minute, 1, 10_000)
        self.per_conversation = self._spin(config.per_conversation_per_minute, 1, 10_000)
        self.loop_exchanges = self._spin(config.loop_exchanges, 1, 1000)
        self.loop_window = self._spin(round(config.loop_window), 1, 86_400, self.tr(" s"))
        self.loop_pause = self._spin(round(config.loop_pause), 1, 7 * 86_400, self.tr(" s"))
        form.addRow(self.tr("Account nicknames:"), self.nicknames_edit)
        form.addRow(self.tr("At most per minute, in all:"), self.per_minute)
        form.addRow(self.tr("At most per minute, per conversation:"), self.per_conversation)
        form.addRow(self.tr("Loop: answers in a row:"), self.loop_exchanges)
        form.addRow(self.tr("Loop: each within:"), self.loop_window)
        form.addRow(self.tr("Loop: then pause for:"), self.loop_pause)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.issues_label)
        layout.addWidget(self.buttons)
        self.nicknames_edit.textChanged.connect(self.revalidate)
        self.touched = True
        self.revalidate()
        self._built = True

    def _spin(self, value: int, low: int, high: int, suffix: str = "") -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setSuffix(suffix)
        spin.valueChanged.connect(self.revalidate)
        return spin

    def config(self) -> AutoReplyConfig:
        return AutoReplyConfig(
            nicknames=split_list(self.nicknames_edit.text()),
            per_minute=self.per_minute.value(),
            per_conversation_per_minute=self.per_conversation.value(),
            loop_exchanges=self.loop_exchanges.value(),
            loop_window=float(self.loop_window.value()),
            loop_pause=float(self.loop_pause.value()),
        )

    def value(self) -> object:
        return self.config()

    def revalidate(self) -> None:
        if not hasattr(self, "loop_pause"):
            return
        self._show_issues([(issue.path, issue) for issue in self.config().issues()])
