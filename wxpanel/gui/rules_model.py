"""Table models of the Rules and Timed messages pages.

The models hold immutable values from the core (:class:`Rule`,
:class:`RuleCounter`, :class:`TimedMessage`, :class:`TimedRun`) and never
touch the database: a toggle or a move made in a view changes the row at
once and is *announced* with a signal, which the page writes through the
store (and reloads from it if that fails).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from wxpanel.core.names import Directory
from wxpanel.core.rules import (
    MatchMode,
    Rule,
    RuleCounter,
    RuleKind,
    ScheduleKind,
    ScopeKind,
    TimedMessage,
)
from wxpanel.core.rules.model import demo_limit
from wxpanel.core.rules.timed import TimedOutcome, TimedRun, next_occurrence
from wxpanel.gui import display, palette
from wxpanel.gui.reorder import ReorderableRows
from wxpanel.gui.texts import text as rules_text

Index = QModelIndex | QPersistentModelIndex

#: The object under a row, for views and tests.
ValueRole = Qt.ItemDataRole.UserRole + 20
#: The mime type of rows dragged inside the rules table.
RULE_ROWS_MIME: Final = "application/x-wxpanel-rule-rows"

_PREVIEW = 60


def _short(text: str, limit: int = _PREVIEW) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _when(moment: float | None) -> str:
    return display.full_time(moment)[:16] if moment is not None else ""


def weekday_names() -> tuple[str, ...]:
    """Monday … Sunday, short and translated (ISO order)."""
    return (
        QCoreApplication.translate("Weekdays", "Mon"),
        QCoreApplication.translate("Weekdays", "Tue"),
        QCoreApplication.translate("Weekdays", "Wed"),
        QCoreApplication.translate("Weekdays", "Thu"),
        QCoreApplication.translate("Weekdays", "Fri"),
        QCoreApplication.translate("Weekdays", "Sat"),
        QCoreApplication.translate("Weekdays", "Sun"),
    )


def weekdays_text(days: Sequence[int]) -> str:
    if tuple(sorted(days)) == (1, 2, 3, 4, 5, 6, 7):
        return QCoreApplication.translate("Weekdays", "every day")
    names = weekday_names()
    return " ".join(names[day - 1] for day in sorted(days) if 1 <= day <= 7)


# -- rules ----------------------------------------------------------------------------


class RulesModel(ReorderableRows, QAbstractTableModel):
    """The rules in priority order, with their counters; checkable, and rows movable."""

    ROWS_MIME = RULE_ROWS_MIME

    ON, NAME, TRIGGERS, WHERE, REPLY, MATCHED, SENT, LAST = range(8)
    COLUMNS = 8

    #: The user switched a rule on or off in the view: (rule id, enabled).
    enabledChangeRequested = Signal(int, bool)
    #: The user moved rows: the new order of every rule id.
    orderChanged = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rules: list[Rule] = []
        self._counters: dict[int, RuleCounter] = {}

    # -- content ----------------------------------------------------------------

    def load(self, rules: Sequence[Rule], counters: Mapping[int, RuleCounter]) -> None:
        self.beginResetModel()
        self._rules = list(rules)
        self._counters = dict(counters)
        self.endResetModel()

    def rule(self, row: int) -> Rule:
        return self._rules[row]

    def rules(self) -> list[Rule]:
        return list(self._rules)

    def ids(self) -> list[int]:
        return [rule.id for rule in self._rules if rule.id is not None]

    def row_of(self, rule_id: int | None) -> int:
        for row, rule in enumerate(self._rules):
            if rule.id == rule_id:
                return row
        return -1

    def counter(self, rule_id: int | None) -> RuleCounter | None:
        return self._counters.get(rule_id) if rule_id is not None else None

    def update_counters(self, counters: Iterable[RuleCounter]) -> None:
        """New totals from the poller: repaint the counter cells of those rules."""
        for counter in counters:
            self._counters[counter.rule_id] = counter
            row = self.row_of(counter.rule_id)
            if row >= 0:
                self.dataChanged.emit(self.index(row, self.MATCHED), self.index(row, self.LAST))

    # -- Qt interface -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rules)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if 0 <= section < len(self._rules) else None
        names = (
            self.tr("On"),
            self.tr("Name"),
            self.tr("Triggers"),
            self.tr("Where"),
            self.tr("Reply"),
            self.tr("Matched"),
            self.tr("Sent"),
            self.tr("Last matched"),
        )
        return names[section] if 0 <= section < len(names) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled  # between rows: a drop moves there
        flags = (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        if index.column() == self.ON:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rules):
            return None
        rule = self._rules[index.row()]
        column = index.column()
        if role == ValueRole:
            return rule
        if role == Qt.ItemDataRole.CheckStateRole and column == self.ON:
            return Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked
        limit = demo_limit(rule)
        if role == Qt.ItemDataRole.ForegroundRole and (not rule.enabled or limit is not None):
            return palette.brush(palette.scheme().disabled)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.NAME and limit is not None:
            return rules_text(limit)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TRIGGERS:
            return "\n".join(trigger.pattern for trigger in rule.triggers) or None
        if role == Qt.ItemDataRole.ToolTipRole and column == self.REPLY:
            return "\n---\n".join(rule.reply.texts) or rule.reply.picture
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.MATCHED, self.SENT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        counter = self._counters.get(rule.id) if rule.id is not None else None
        if column == self.ON:
            return None
        if column == self.NAME:
            if limit is not None:
                return self.tr("%1 (never with demo.exe)").replace("%1", rule.label)
            return rule.label
        if column == self.TRIGGERS:
            return self._triggers(rule)
        if column == self.WHERE:
            return self._where(rule)
        if column == self.REPLY:
            return self._reply(rule)
        if column == self.MATCHED:
            return str(counter.matched if counter else 0)
        if column == self.SENT:
            return str(counter.sent if counter else 0)
        if column == self.LAST:
            return _when(counter.last_matched) if counter else ""
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != self.ON
            or role != Qt.ItemDataRole.CheckStateRole
        ):
            return False
        rule = self._rules[index.row()]
        enabled = Qt.CheckState(value) == Qt.CheckState.Checked
        if enabled == rule.enabled or rule.id is None:
            return False
        self._rules[index.row()] = replace(rule, enabled=enabled)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.COLUMNS - 1))
        self.enabledChangeRequested.emit(rule.id, enabled)
        return True

    # -- moving rows --------------------------------------------------------------

    def ordered_items(self) -> list[Any]:
        return self._rules

    # -- summaries ------------------------------------------------------------------

    def _triggers(self, rule: Rule) -> str:
        if rule.kind is RuleKind.DEFAULT:
            return self.tr("(when nothing else matched)")
        if rule.kind is RuleKind.WELCOME_FRIEND:
            return self.tr("(friend request)")
        if rule.kind is RuleKind.WELCOME_GROUP:
            return self.tr("(someone joined a group)")
        parts = []
        for trigger in rule.triggers:
            if trigger.mode is MatchMode.EXACT:
                parts.append(f"“{trigger.pattern}”")
            elif trigger.mode is MatchMode.STARTSWITH:
                parts.append(f"{trigger.pattern}…")
            elif trigger.mode is MatchMode.REGEX:
                parts.append(f"/{trigger.pattern}/")
            else:
                parts.append(f"…{trigger.pattern}…")
        return _short(" · ".join(parts))

    def _where(self, rule: Rule) -> str:
        scope = rule.scope
        if scope.kind is ScopeKind.PRIVATE:
            text = self.tr("Private chats")
        elif scope.kind is ScopeKind.GROUPS:
            text = self.tr("Groups")
        elif scope.kind is ScopeKind.BOTH:
            text = self.tr("Private chats and groups")
        else:
            text = self.tr("%1 chosen").replace("%1", str(len(scope.conversations)))
        if scope.only_when_mentioned:
            text += " · " + self.tr("when @-mentioned")
        if scope.exclude:
            text += " · " + self.tr("%1 excluded").replace("%1", str(len(scope.exclude)))
        return text

    def _reply(self, rule: Rule) -> str:
        reply = rule.reply
        text = _short(reply.texts[0]) if reply.texts else ""
        if len(reply.texts) > 1:
            text += " " + self.tr("(+%1 more)").replace("%1", str(len(reply.texts) - 1))
        if reply.picture:
            text = (text + " " if text else "") + self.tr("[picture]")
        if reply.source:
            text = (text + " " if text else "") + self.tr("→ %1").replace("%1", reply.source)
        return text


# -- timed messages ---------------------------------------------------------------------


class TimedModel(QAbstractTableModel):
    """The timed messages, with their schedule and next run; checkable."""

    ON, NAME, WHEN, NEXT, TARGETS, CONTENT = range(6)
    COLUMNS = 6

    #: The user switched a timed message on or off: (id, enabled).
    enabledChangeRequested = Signal(int, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[TimedMessage] = []
        #: Known contacts, so that targets show as "name (wxid)".
        self.directory = Directory()

    def set_directory(self, directory: Directory) -> None:
        self.directory = directory
        if self._items:
            top, bottom = (
                self.index(0, self.TARGETS),
                self.index(len(self._items) - 1, self.TARGETS),
            )
            self.dataChanged.emit(top, bottom)

    def load(self, items: Sequence[TimedMessage]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> TimedMessage:
        return self._items[row]

    def row_of(self, timed_id: int | None) -> int:
        for row, item in enumerate(self._items):
            if item.id == timed_id:
                return row
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        names = (
            self.tr("On"),
            self.tr("Name"),
            self.tr("When"),
            self.tr("Next"),
            self.tr("To"),
            self.tr("Message"),
        )
        return names[section] if 0 <= section < len(names) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.ON:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = index.column()
        if role == ValueRole:
            return item
        if role == Qt.ItemDataRole.CheckStateRole and column == self.ON:
            return Qt.CheckState.Checked if item.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and not item.enabled:
            return palette.brush(palette.scheme().disabled)
        if role == Qt.ItemDataRole.ToolTipRole and column in (self.TARGETS, self.CONTENT):
            if column == self.TARGETS:
                return "\n".join(self.directory.label(target) for target in item.targets)
            return item.text
        if role != Qt.ItemDataRole.DisplayRole or column == self.ON:
            return None
        if column == self.NAME:
            return item.name
        if column == self.WHEN:
            return self.schedule_text(item)
        if column == self.NEXT:
            if not item.enabled:
                return ""
            moment = next_occurrence(item, max(item.checked_until, time.time()))
            return _when(moment) if moment is not None else self.tr("done")
        if column == self.TARGETS:
            names = (self.directory.get(target).display_name for target in item.targets)
            return _short(", ".join(names), 40)
        if column == self.CONTENT:
            text = _short(item.text or "")
            if item.picture:
                text = (text + " " if text else "") + self.tr("[picture]")
            return text
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != self.ON
            or role != Qt.ItemDataRole.CheckStateRole
        ):
            return False
        item = self._items[index.row()]
        enabled = Qt.CheckState(value) == Qt.CheckState.Checked
        if enabled == item.enabled or item.id is None:
            return False
        self._items[index.row()] = replace(item, enabled=enabled)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.COLUMNS - 1))
        self.enabledChangeRequested.emit(item.id, enabled)
        return True

    def schedule_text(self, item: TimedMessage) -> str:
        at = item.time_of_day.strftime("%H:%M") if item.time_of_day else "?"
        if item.schedule is ScheduleKind.ONCE:
            when = _when(item.at) if item.at is not None else "?"
            return self.tr("once, %1").replace("%1", when)
        if item.schedule is ScheduleKind.DAILY:
            return self.tr("daily at %1").replace("%1", at)
        return (
            self.tr("weekly at %1 on %2")
            .replace("%1", at)
            .replace("%2", weekdays_text(item.weekdays))
        )


class MissedRunsModel(QAbstractTableModel):
    """Timed runs that were missed (or failed) and wait for the operator's decision."""

    NAME, DUE, WHAT = range(3)
    COLUMNS = 3

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runs: list[TimedRun] = []

    def load(self, runs: Iterable[TimedRun]) -> None:
        self.beginResetModel()
        self._runs = [run for run in runs if _needs_attention(run)]
        self.endResetModel()

    def add(self, runs: Iterable[TimedRun]) -> int:
        """Append the runs that need a decision and are not listed yet; returns how many."""
        known = {run.id for run in self._runs}
        fresh = [run for run in runs if _needs_attention(run) and run.id not in known]
        if fresh:
            first = len(self._runs)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._runs.extend(fresh)
            self.endInsertRows()
        return len(fresh)

    def remove(self, run_id: int) -> bool:
        for row, run in enumerate(self._runs):
            if run.id == run_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._runs[row]
                self.endRemoveRows()
                return True
        return False

    def run(self, row: int) -> TimedRun:
        return self._runs[row]

    def runs(self) -> list[TimedRun]:
        return list(self._runs)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._runs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        names = (self.tr("Timed message"), self.tr("Was due"), self.tr("What happened"))
        return names[section] if 0 <= section < len(names) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._runs):
            return None
        run = self._runs[index.row()]
        if role == ValueRole:
            return run
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.WHAT:
            colours = palette.scheme()
            failed = run.outcome is TimedOutcome.FAILED
            return palette.brush(colours.error if failed else colours.late)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if index.column() == self.NAME:
            return run.name
        if index.column() == self.DUE:
            return _when(run.due)
        if run.outcome is TimedOutcome.FAILED:
            return self.tr("failed: %1").replace("%1", run.detail or "")
        text = self.tr("missed: wxpanel was not running")
        if run.skipped:
            text += " " + self.tr("(and %1 earlier)").replace("%1", str(run.skipped))
        return text


def _needs_attention(run: TimedRun) -> bool:
    return run.outcome in (TimedOutcome.MISSED, TimedOutcome.FAILED) and not run.acknowledged
