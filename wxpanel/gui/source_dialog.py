"""The add/edit dialogs of the answer sources (webhooks, AI models, plugins), validated as typed.

Each change rebuilds the settings from the fields and runs the core's own
check (``config.issues()``): the problems are listed under the form, in the
panel's language, the field is outlined and Save stays disabled while there
is an error.  Numbers are spin boxes bounded like the core's limits.

The API key field of an AI source is never filled in: the dialog only says
whether a key is stored.  A typed key travels in :class:`SourceEdit` to the
page, which stores it in the OS credential store (:class:`ApiKeys`), never
in a file.
"""

from __future__ import annotations

import html
from collections.abc import Collection
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.rules import Issue, Severity
from wxpanel.core.sources.config import (
    MAX_TIMEOUT,
    AIConfig,
    GroupPolicy,
    PluginConfig,
    Source,
    SourceConfig,
    SourceKind,
    WebhookConfig,
)
from wxpanel.gui import palette
from wxpanel.gui.rule_dialog import _ValidatedDialog, invalid_style
from wxpanel.gui.texts import issue_text


@dataclass(frozen=True, slots=True)
class SourceEdit:
    """What a dialog hands to the page: the settings, and what to do with the API key."""

    kind: SourceKind
    name: str
    config: SourceConfig
    source_id: int | None = None  # None: a new source
    key: str = ""  # a new API key to store ("" leaves the stored one as it is)
    forget_key: bool = False


def groups_box(parent: QWidget, policy: GroupPolicy) -> QComboBox:
    box = QComboBox(parent)
    for label, value in (
        (
            QCoreApplication.translate("SourceDialog", "Only when the account is @-mentioned"),
            GroupPolicy.MENTIONED,
        ),
        (QCoreApplication.translate("SourceDialog", "Every group message"), GroupPolicy.ALWAYS),
        (QCoreApplication.translate("SourceDialog", "Never in groups"), GroupPolicy.NEVER),
    ):
        box.addItem(label, value.value)
    box.setCurrentIndex(max(0, box.findData(policy.value)))
    return box


class SourceDialog(_ValidatedDialog):
    """Shared by the three dialogs: name, groups, "also answered", timeout, the issue list."""

    kind = SourceKind.PLUGIN

    def __init__(
        self,
        source: Source | None,
        config: SourceConfig,
        taken_names: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.original = source
        self.source_id = source.id if source is not None else None
        self.taken_names = {name.casefold() for name in taken_names}
        self.setMinimumWidth(600)
        self.form = QFormLayout()
        self.name_edit = QLineEdit(source.name if source else "", self)
        self.name_edit.setReadOnly(source is not None)  # the name identifies it
        self.name_edit.setPlaceholderText(self.tr("A name to recognise it by"))
        self.groups = groups_box(self, config.groups)
        self.also_answered = QCheckBox(
            self.tr("Also asked about messages a rule already answered"), self
        )
        self.also_answered.setChecked(config.also_answered)
        self.timeout = self._seconds(config.timeout, 0.1, MAX_TIMEOUT)
        self._fields: dict[str, QWidget] = {"name": self.name_edit, "timeout": self.timeout}
        self._labels: dict[str, str] = {"name": self.tr("Name"), "timeout": self.tr("Timeout")}
        self.touched = source is not None
        self.name_edit.textChanged.connect(self._on_edited)
        self.groups.currentIndexChanged.connect(self._on_edited)
        self.also_answered.toggled.connect(self._on_edited)

    # -- building blocks ---------------------------------------------------------------

    def _finish(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.issues_label)
        layout.addWidget(self.buttons)
        self.revalidate()

    def _field(self, key: str, label: str, widget: QWidget) -> None:
        self._fields[key] = widget
        self._labels[key] = label.rstrip(":：")
        self.form.addRow(label, widget)

    def _seconds(self, value: float, low: float, high: float) -> QDoubleSpinBox:
        spin = self._double(value, low, high, 1)
        spin.setSuffix(self.tr(" s"))
        return spin

    def _double(self, value: float, low: float, high: float, decimals: int) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setDecimals(decimals)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.valueChanged.connect(self._on_edited)
        return spin

    def _int(self, value: int, low: int, high: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.valueChanged.connect(self._on_edited)
        return spin

    def _common_rows(self) -> None:
        self.form.addRow(self.tr("In groups:"), self.groups)
        self.form.addRow("", self.also_answered)

    # -- validation --------------------------------------------------------------------

    def config(self) -> SourceConfig:
        raise NotImplementedError

    def edit(self) -> SourceEdit:
        return SourceEdit(self.kind, self.name_edit.text().strip(), self.config(), self.source_id)

    def value(self) -> object:
        return self.edit()

    def issues(self) -> list[Issue]:
        found: list[Issue] = []
        name = self.name_edit.text().strip()
        if not name:
            found.append(Issue.of("name", "source_name_needed"))
        elif self.original is None and name.casefold() in self.taken_names:
            found.append(Issue("name", "taken"))
        return found + self.config().issues()

    def _on_edited(self) -> None:
        self.touched = True
        self.revalidate()

    def revalidate(self) -> None:
        if not hasattr(self, "buttons"):
            return
        placed: list[tuple[str, Issue]] = []
        marked: dict[str, list[str]] = {}
        for issue in self.issues():
            text = self.describe(issue)
            shown = Issue(issue.path, text, issue.severity)
            placed.append((self._labels.get(issue.path, issue.path), shown))
            if issue.severity is Severity.ERROR:
                marked.setdefault(issue.path, []).append(text)
        for key, widget in self._fields.items():
            messages = marked.get(key, [])
            widget.setStyleSheet(invalid_style() if messages and self.touched else "")
            widget.setToolTip("\n".join(messages))
        self._show_issues(placed)

    def describe(self, issue: Issue) -> str:
        if issue.message == "taken":
            return self.tr("a source of this kind with this name exists already")
        return issue_text(issue)


class WebhookDialog(SourceDialog):
    """Add or edit a webhook: the message goes as JSON to the URL, the answer comes back."""

    kind = SourceKind.WEBHOOK

    def __init__(
        self,
        source: Source | None = None,
        taken_names: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        config = source.config if source is not None else WebhookConfig()
        assert isinstance(config, WebhookConfig)
        super().__init__(source, config, taken_names, parent)
        self.setWindowTitle(self.tr("Edit webhook") if source else self.tr("New webhook"))
        self.url_edit = QLineEdit(config.url, self)
        self.url_edit.setPlaceholderText("https://example.com/wechat-hook")
        self.url_edit.textChanged.connect(self._on_edited)
        self.retries = self._int(config.retries, 0, 5)
        self.backoff = self._seconds(config.backoff, 0.0, 30.0)
        self.form.addRow(self.tr("Name:"), self.name_edit)
        self._field("url", self.tr("URL:"), self.url_edit)
        self.form.addRow(self.tr("Timeout per attempt:"), self.timeout)
        self._field("retries", self.tr("Retries:"), self.retries)
        self._field("backoff", self.tr("First retry after:"), self.backoff)
        self._common_rows()
        note = QLabel(
            self.tr(
                "Each incoming text is POSTed as JSON; the text or picture URL it returns is sent."
            )
            + " "
            + self.tr("Retried after a timeout, a 5xx or a 429."),
            self,
        )
        note.setWordWrap(True)
        palette.colour_text(note, "muted")
        self.form.addRow(note)
        self._finish()

    def config(self) -> WebhookConfig:
        return WebhookConfig(
            url=self.url_edit.text().strip(),
            timeout=self.timeout.value(),
            retries=self.retries.value(),
            backoff=self.backoff.value(),
            groups=GroupPolicy(str(self.groups.currentData())),
            also_answered=self.also_answered.isChecked(),
        )


class AIDialog(SourceDialog):
    """Add or edit an OpenAI-compatible chat model; the key goes to the credential store."""

    kind = SourceKind.AI

    def __init__(
        self,
        source: Source | None = None,
        taken_names: Collection[str] = (),
        parent: QWidget | None = None,
        *,
        key_set: bool | None = False,
    ) -> None:
        if source is None:  # a new model's prompt in the operator's language
            prompt = self.tr("You are a helpful assistant replying in a WeChat chat. Be brief.")
            config: SourceConfig = AIConfig(system_prompt=prompt)
        else:
            config = source.config
        assert isinstance(config, AIConfig)
        super().__init__(source, config, taken_names, parent)
        self.base = config
        self.key_set = key_set
        self.setWindowTitle(self.tr("Edit AI model") if source else self.tr("New AI model"))
        self.base_url = QLineEdit(config.base_url, self)
        self.base_url.setPlaceholderText("https://api.openai.com/v1")
        self.model_edit = QLineEdit(config.model, self)
        self.model_edit.setPlaceholderText("gpt-4o-mini")
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setClearButtonEnabled(True)
        if key_set:
            self.key_edit.setPlaceholderText(
                self.tr("A key is stored; type a new one to replace it")
            )
        else:
            self.key_edit.setPlaceholderText(self.tr("Kept in the system's credential store"))
        self.key_state = QLabel(self)
        self.forget_key = QCheckBox(self.tr("Remove the stored key"), self)
        self.forget_key.setVisible(bool(key_set))
        self.prompt = QPlainTextEdit(config.system_prompt, self)
        self.prompt.setMaximumHeight(self.prompt.fontMetrics().height() * 5 + 12)
        self.context = self._int(config.context_messages, 0, 100)
        self.max_chars = self._int(config.max_reply_chars, 1, 4000)
        self.max_tokens = self._int(config.max_tokens, 1, 100_000)
        self.temperature = self._double(config.temperature, 0.0, 2.0, 2)
        self.temperature.setSingleStep(0.1)
        self.per_conversation = self._int(config.per_conversation_per_minute, 1, 1000)
        self.per_minute = self._int(config.per_minute, 1, 10_000)
        self.price_prompt = self._double(config.price_prompt_per_1k, 0.0, 1_000_000.0, 6)
        self.price_completion = self._double(config.price_completion_per_1k, 0.0, 1_000_000.0, 6)
        for edit in (self.base_url, self.model_edit, self.key_edit):
            edit.textChanged.connect(self._on_edited)
        self.prompt.textChanged.connect(self._on_edited)
        self.forget_key.toggled.connect(self._on_edited)
        self.form.addRow(self.tr("Name:"), self.name_edit)
        self._field("base_url", self.tr("Base URL:"), self.base_url)
        self._field("model", self.tr("Model:"), self.model_edit)
        self._field("key", self.tr("API key:"), self.key_edit)
        self.form.addRow("", self.key_state)
        self.form.addRow("", self.forget_key)
        self.form.addRow(self.tr("System prompt:"), self.prompt)
        self._field("context_messages", self.tr("Earlier messages sent along:"), self.context)
        self._field("max_reply_chars", self.tr("Longest reply (characters):"), self.max_chars)
        self._field("max_tokens", self.tr("Most tokens per answer:"), self.max_tokens)
        self._field("temperature", self.tr("Temperature:"), self.temperature)
        self._field(
            "per_conversation_per_minute",
            self.tr("Calls per minute, per conversation:"),
            self.per_conversation,
        )
        self._field("per_minute", self.tr("Calls per minute, in all:"), self.per_minute)
        self._field(
            "price_prompt_per_1k", self.tr("Price per 1000 prompt tokens:"), self.price_prompt
        )
        self._field(
            "price_completion_per_1k",
            self.tr("Price per 1000 completion tokens:"),
            self.price_completion,
        )
        self.form.addRow(self.tr("Timeout:"), self.timeout)
        self._common_rows()
        self._finish()

    def config(self) -> AIConfig:
        return AIConfig(
            base_url=self.base_url.text().strip(),
            model=self.model_edit.text().strip(),
            key_ref=self.base.key_ref,
            system_prompt=self.prompt.toPlainText().strip(),
            context_messages=self.context.value(),
            max_reply_chars=self.max_chars.value(),
            max_tokens=self.max_tokens.value(),
            temperature=self.temperature.value(),
            timeout=self.timeout.value(),
            retries=self.base.retries,
            backoff=self.base.backoff,
            per_conversation_per_minute=self.per_conversation.value(),
            per_minute=self.per_minute.value(),
            price_prompt_per_1k=self.price_prompt.value(),
            price_completion_per_1k=self.price_completion.value(),
            groups=GroupPolicy(str(self.groups.currentData())),
            also_answered=self.also_answered.isChecked(),
        )

    def edit(self) -> SourceEdit:
        base = super().edit()
        forget = self.forget_key.isChecked() and not self.key_edit.text().strip()
        return SourceEdit(
            base.kind, base.name, base.config, base.source_id, self.key_edit.text().strip(), forget
        )

    def issues(self) -> list[Issue]:
        found = super().issues()
        typed = self.key_edit.text().strip()
        if typed and any(c.isspace() for c in typed):
            found.append(Issue("key", "spaces"))
        elif not typed and (not self.key_set or self.forget_key.isChecked()):
            found.append(Issue("key", "none", Severity.WARNING))
        return found

    def revalidate(self) -> None:
        if not hasattr(self, "key_state"):
            return
        typed = bool(self.key_edit.text().strip())
        colours = palette.scheme()
        if typed:
            state, colour = self.tr("The new key is stored when you save."), colours.ok
        elif self.key_set and not self.forget_key.isChecked():
            state, colour = self.tr("A key is stored in the credential store."), colours.ok
        elif self.key_set is None:
            state, colour = self.tr("The credential store cannot be read."), colours.error
        else:
            state, colour = self.tr("No key stored."), colours.warning
        self.key_state.setText(f'<span style="color:{colour}">{html.escape(state)}</span>')
        super().revalidate()

    def describe(self, issue: Issue) -> str:
        if issue.path == "key" and issue.message == "spaces":
            return self.tr("a key has no spaces")
        if issue.path == "key":
            return self.tr("no API key: most services refuse requests without one")
        return super().describe(issue)


class PluginDialog(SourceDialog):
    """A plugin's settings (its file defines what it does)."""

    kind = SourceKind.PLUGIN

    def __init__(self, source: Source, parent: QWidget | None = None) -> None:
        config = source.config
        assert isinstance(config, PluginConfig)
        super().__init__(source, config, (), parent)
        self.setWindowTitle(self.tr("Plugin settings"))
        self.form.addRow(self.tr("Plugin:"), self.name_edit)
        self.form.addRow(self.tr("Timeout per call:"), self.timeout)
        self._common_rows()
        self._finish()

    def config(self) -> PluginConfig:
        return PluginConfig(
            timeout=self.timeout.value(),
            groups=GroupPolicy(str(self.groups.currentData())),
            also_answered=self.also_answered.isChecked(),
        )
