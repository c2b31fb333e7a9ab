"""The statistics page: traffic per minute as charts, totals, replies, the queue.

The page only shows :class:`~wxpanel.core.stats.QueueStats` values: it asks
for them with :attr:`StatsPage.refreshWanted` (the window forwards that to
the worker, which runs :func:`wxpanel.core.stats.collect` on its own
connection) and receives them in :meth:`StatsPage.show_stats`.  While the
page is visible it asks every :data:`REFRESH_MS`, never with a request
already on its way, so a slow answer cannot pile requests up in the worker.
The figures are the same as ``wxpanel stats`` prints: one implementation.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QEvent, QMargins, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPalette, QPen, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wxpanel.core.models import Origin
from wxpanel.core.stats import AIUsage, Point, QueueStats, Totals
from wxpanel.gui import palette

#: How often a visible page asks for fresh figures.
REFRESH_MS = 3000
#: A request unanswered this long (the poller stopped meanwhile) no longer blocks new ones.
STALE_REQUEST_S = 30.0
INCOMING_COLOR = QColor(palette.INCOMING)
OUTGOING_COLOR = QColor(palette.BRAND)


def _number(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


class StatsPage(QWidget):
    """Figures from the worker; a request goes out through :attr:`refreshWanted`."""

    #: The page wants fresh figures (shown, on its timer, or the Refresh button).
    refreshWanted = Signal()
    #: New figures are on screen.
    refreshed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stats: QueueStats | None = None
        self.values: dict[str, QLabel] = {}
        #: Seconds from the last request to its figures on screen.
        self.last_refresh_seconds: float | None = None
        self._asked_at: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.request)
        self._build()

    # -- construction ---------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)

        header = QHBoxLayout()
        self.status_label = QLabel(self.tr("Waiting for the first figures…"), body)
        self.refresh_button = QPushButton(self.tr("Refresh"), body)
        self.refresh_button.setToolTip(self.tr("Read the figures again now"))
        self.refresh_button.clicked.connect(self.request)
        header.addWidget(self.status_label, 1)
        header.addWidget(self.refresh_button)
        layout.addLayout(header)

        # Two columns, not three: three did not fit beside the conversation
        # list on a 1024-pixel screen (their figures were cut off).
        boxes = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self._build_totals(body))
        left.addWidget(self._build_ai(body))
        right.addWidget(self._build_replies(body))
        right.addWidget(self._build_queue(body))
        boxes.addLayout(left, 1)
        boxes.addLayout(right, 1)
        layout.addLayout(boxes)

        chart_row = QHBoxLayout()
        chart_row.addWidget(QLabel(self.tr("Messages per minute:"), body))
        self.range_box = QComboBox(body)
        self.range_box.addItem(self.tr("Last hour"), "hour")
        self.range_box.addItem(self.tr("Last day"), "day")
        self.range_box.currentIndexChanged.connect(lambda _row: self._show_chart())
        chart_row.addWidget(self.range_box)
        chart_row.addStretch(1)
        layout.addLayout(chart_row)
        layout.addWidget(self._build_chart(body), 1)

        tables = QHBoxLayout()
        tables.addWidget(self._build_busiest(body), 1)
        tables.addWidget(self._build_problems(body), 1)
        layout.addLayout(tables)

    def _value(self, key: str, parent: QWidget) -> QLabel:
        label = QLabel("–", parent)
        label.setObjectName(f"stat-{key}")
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values[key] = label
        return label

    def _build_totals(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Messages"), parent)
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(12)
        for column, text in ((1, self.tr("Today")), (2, self.tr("Since start"))):
            heading = QLabel(text, box)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            grid.addWidget(heading, 0, column, Qt.AlignmentFlag.AlignRight)
        rows = (
            ("in", self.tr("In")),
            ("out", self.tr("Out")),
            ("auto", self.tr("· auto replies")),
            ("manual", self.tr("· manual replies")),
            ("timed", self.tr("· timed messages")),
            ("phone", self.tr("· typed on the phone")),
            ("errors", self.tr("Errors")),
        )
        for row, (key, label) in enumerate(rows, 1):
            grid.addWidget(QLabel(label, box), row, 0)
            grid.addWidget(self._value(f"today_{key}", box), row, 1)
            grid.addWidget(self._value(f"all_{key}", box), row, 2)
        grid.setColumnStretch(0, 1)
        return box

    def _build_replies(self, parent: QWidget) -> QGroupBox:
        title = self.tr("First response in private chats (24 h)")
        rows = (
            ("median", self.tr("Median")),
            ("answers", self.tr("Answers")),
            ("median_auto", self.tr("· auto replies")),
            ("median_manual", self.tr("· manual replies")),
            ("median_phone", self.tr("· typed on the phone")),
            ("waiting", self.tr("Chats waiting for an answer")),
        )
        return self._figures_box(title, rows, parent)

    def _build_queue(self, parent: QWidget) -> QGroupBox:
        rows = (
            ("backlog", self.tr("wx_event backlog")),
            ("pending", self.tr("Pending in wx_command")),
            ("oldest", self.tr("· oldest of ours")),
            ("waiting_outbox", self.tr("Waiting in our outbox")),
            ("stuck", self.tr("Stuck commands")),
            ("rate", self.tr("Events per minute (15 min)")),
        )
        return self._figures_box(self.tr("Queue"), rows, parent)

    def _figures_box(
        self, title: str, rows: tuple[tuple[str, str], ...], parent: QWidget
    ) -> QGroupBox:
        """A titled column of label / value pairs; values are filled by key on refresh."""
        box = QGroupBox(title, parent)
        grid = QGridLayout(box)
        for row, (key, label) in enumerate(rows):
            grid.addWidget(QLabel(label, box), row, 0)
            grid.addWidget(self._value(key, box), row, 1)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(len(rows), 1)
        return box

    def _build_ai(self, parent: QWidget) -> QGroupBox:
        """Tokens and cost of the AI answer sources (cost in the currency of their prices)."""
        box = QGroupBox(self.tr("AI models"), parent)
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(12)
        for column, text in ((1, self.tr("Today")), (2, self.tr("Since start"))):
            heading = QLabel(text, box)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            grid.addWidget(heading, 0, column, Qt.AlignmentFlag.AlignRight)
        rows = (
            ("ai_prompt", self.tr("Prompt tokens")),
            ("ai_completion", self.tr("Completion tokens")),
            ("ai_cost", self.tr("Cost")),
        )
        for row, (key, label) in enumerate(rows, 1):
            grid.addWidget(QLabel(label, box), row, 0)
            grid.addWidget(self._value(f"today_{key}", box), row, 1)
            grid.addWidget(self._value(f"all_{key}", box), row, 2)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(len(rows) + 1, 1)
        box.setToolTip(self.tr("The cost is in the currency of the prices set for each AI model"))
        return box

    def _build_chart(self, parent: QWidget) -> QChartView:
        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.incoming_series = QLineSeries(self.chart)
        self.incoming_series.setName(self.tr("In"))
        self.outgoing_series = QLineSeries(self.chart)
        self.outgoing_series.setName(self.tr("Out"))
        self.apply_chart_theme()
        self.chart.addSeries(self.incoming_series)
        self.chart.addSeries(self.outgoing_series)
        self.time_axis = QDateTimeAxis(self.chart)
        self.time_axis.setFormat("HH:mm")
        self.time_axis.setTickCount(7)
        self.count_axis = QValueAxis(self.chart)
        self.count_axis.setLabelFormat("%.0f")
        self.count_axis.setMin(0)
        self.chart.addAxis(self.time_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(self.count_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (self.incoming_series, self.outgoing_series):
            series.attachAxis(self.time_axis)
            series.attachAxis(self.count_axis)
        view = QChartView(self.chart, parent)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(220)
        view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.chart_view = view
        return view

    def apply_chart_theme(self) -> None:
        """The chart in the window's scheme: a white chart in a dark window glares."""
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        theme = QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight
        if self.chart.theme() != theme:
            self.chart.setTheme(theme)  # resets the series' pens: set them again
        self.incoming_series.setPen(QPen(INCOMING_COLOR, 2))
        self.outgoing_series.setPen(QPen(OUTGOING_COLOR, 2))

    def changeEvent(self, event: QEvent) -> None:
        """The theme changed (the settings, or the system's): the chart follows."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.apply_chart_theme()
        super().changeEvent(event)

    def _table(self, headers: Sequence[str], parent: QWidget) -> QTableWidget:
        table = QTableWidget(0, len(headers), parent)
        table.setHorizontalHeaderLabels(list(headers))
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(headers)):
            table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        table.setMinimumHeight(160)
        return table

    def _build_busiest(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Busiest conversations"), parent)
        layout = QVBoxLayout(box)
        self.busiest_table = self._table(
            [self.tr("Conversation"), self.tr("Messages"), self.tr("Last message")], box
        )
        layout.addWidget(self.busiest_table)
        return box

    def _build_problems(self, parent: QWidget) -> QTabWidget:
        tabs = QTabWidget(parent)
        self.stuck_table = self._table(
            [self.tr("Conversation"), self.tr("Message"), self.tr("In wx_command for")], tabs
        )
        self.errors_table = self._table([self.tr("Error"), self.tr("Kind"), self.tr("Time")], tabs)
        tabs.addTab(self.stuck_table, self.tr("Stuck commands"))
        tabs.addTab(self.errors_table, self.tr("Recent errors"))
        self.problem_tabs = tabs
        return tabs

    # -- refreshing -----------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()
        self.request()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()

    @property
    def waiting(self) -> bool:
        """A request is on its way to the worker."""
        return self._asked_at is not None

    def request(self) -> None:
        """Ask for figures unless a request is already on its way."""
        now = time.perf_counter()
        if self._asked_at is None or now - self._asked_at > STALE_REQUEST_S:
            self._asked_at = now
            self.refreshWanted.emit()

    def show_failure(self, message: str) -> None:
        self._asked_at = None
        self.status_label.setText(self.tr("Cannot read the statistics: %1").replace("%1", message))

    def show_stats(self, stats: QueueStats) -> None:
        """Put new figures on screen (in the GUI thread; no database here)."""
        self.stats = stats
        self._fill_totals(stats.today, "today")
        self._fill_totals(stats.all_time, "all")
        self._fill_replies(stats)
        self._fill_queue(stats)
        self._fill_ai(stats.ai_today, "today")
        self._fill_ai(stats.ai_all_time, "all")
        self._show_chart()
        self._fill_busiest(stats)
        self._fill_problems(stats)
        if self._asked_at is not None:
            self.last_refresh_seconds = time.perf_counter() - self._asked_at
            self._asked_at = None
        stamp = time.strftime("%H:%M:%S", time.localtime(stats.time))
        self.status_label.setText(self.tr("Updated at %1").replace("%1", stamp))
        self.refreshed.emit()

    def _set(self, key: str, text: str) -> None:
        self.values[key].setText(text)

    def _fill_totals(self, totals: Totals, prefix: str) -> None:
        self._set(f"{prefix}_in", _number(totals.incoming))
        self._set(f"{prefix}_out", _number(totals.outgoing))
        self._set(f"{prefix}_auto", _number(totals.sent_auto))
        self._set(f"{prefix}_manual", _number(totals.sent_manual))
        self._set(f"{prefix}_timed", _number(totals.sent_timed))
        self._set(f"{prefix}_phone", _number(totals.from_phone))
        self._set(f"{prefix}_errors", _number(totals.errors))

    def _fill_ai(self, usage: AIUsage, prefix: str) -> None:
        self._set(f"{prefix}_ai_prompt", _number(usage.prompt_tokens))
        self._set(f"{prefix}_ai_completion", _number(usage.completion_tokens))
        self._set(f"{prefix}_ai_cost", f"{usage.cost:,.4f}")

    def _fill_replies(self, stats: QueueStats) -> None:
        response = stats.response
        self._set("median", self.duration(response.median))
        self._set("answers", _number(response.count))
        by_origin = {o.origin: o for o in response.by_origin}
        for key, origin in (
            ("median_auto", Origin.AUTO.value),
            ("median_manual", Origin.MANUAL.value),
            ("median_phone", Origin.EVENT.value),
        ):
            found = by_origin.get(origin)
            self._set(key, self.duration(found.median) if found else "–")
        self._set("waiting", _number(response.waiting))

    def _fill_queue(self, stats: QueueStats) -> None:
        self._set("backlog", _number(stats.backlog))
        self._set("pending", _number(stats.pending_commands))
        self._set("oldest", self.duration(stats.oldest_pending_age))
        self._set("waiting_outbox", _number(stats.commands_waiting))
        self._set("stuck", _number(stats.commands_stuck))
        self._set("rate", f"{stats.events_per_minute_15m:.1f}")
        stuck = self.values["stuck"]
        alarm = f"color: {palette.ALARM}; font-weight: bold;"
        stuck.setStyleSheet(alarm if stats.commands_stuck else "")

    def _show_chart(self) -> None:
        stats = self.stats
        if stats is None:
            return
        if self.range_box.currentData() == "day":
            self._plot(stats.last_day, 10)
        else:
            self._plot(stats.last_hour, 1)

    def _plot(self, points: Sequence[Point], minutes: int) -> None:
        """Messages per minute: a ten-minute bucket of the day chart is divided by ten."""
        incoming = [QPointF(p.start * 1000.0, p.incoming / minutes) for p in points]
        outgoing = [QPointF(p.start * 1000.0, p.outgoing / minutes) for p in points]
        self.incoming_series.replace(incoming)
        self.outgoing_series.replace(outgoing)
        if points:
            first = QDateTime.fromSecsSinceEpoch(points[0].start)
            last = QDateTime.fromSecsSinceEpoch(points[-1].start + minutes * 60)
            self.time_axis.setRange(first, last)
        top = max((max(p.incoming, p.outgoing) / minutes for p in points), default=0.0)
        self.count_axis.setLabelFormat("%.0f" if minutes == 1 or top >= 10 else "%.1f")
        self.count_axis.setRange(0, max(1.0, top * 1.15))
        self.count_axis.applyNiceNumbers()

    def _fill_busiest(self, stats: QueueStats) -> None:
        table = self.busiest_table
        table.setRowCount(len(stats.busiest))
        for row, busy in enumerate(stats.busiest):
            name = busy.display_name
            label = name if name == busy.id else f"{name} ({busy.id})"
            table.setItem(row, 0, QTableWidgetItem(label))
            count = QTableWidgetItem(_number(busy.message_count))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, 1, count)
            table.setItem(row, 2, QTableWidgetItem(self.clock(busy.last_time)))

    def _fill_problems(self, stats: QueueStats) -> None:
        self.stuck_table.setRowCount(len(stats.stuck))
        for row, command in enumerate(stats.stuck):
            self.stuck_table.setItem(row, 0, QTableWidgetItem(command.conversation))
            self.stuck_table.setItem(row, 1, QTableWidgetItem(f"#{command.message_id}"))
            self.stuck_table.setItem(row, 2, QTableWidgetItem(self.duration(command.age)))
        self.errors_table.setRowCount(len(stats.recent_errors))
        for row, error in enumerate(stats.recent_errors):
            item = QTableWidgetItem(error.detail)
            item.setToolTip(error.detail)
            self.errors_table.setItem(row, 0, item)
            self.errors_table.setItem(row, 1, QTableWidgetItem(error.kind))
            self.errors_table.setItem(row, 2, QTableWidgetItem(self.clock(error.time)))
        self.problem_tabs.setTabText(
            0, self.tr("Stuck commands (%1)").replace("%1", str(stats.commands_stuck))
        )
        self.problem_tabs.setTabText(
            1, self.tr("Recent errors (%1)").replace("%1", str(len(stats.recent_errors)))
        )

    # -- formatting -----------------------------------------------------------

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return "–"
        if seconds < 120:
            return self.tr("%1 s").replace("%1", f"{seconds:.0f}")
        if seconds < 7200:
            return self.tr("%1 min").replace("%1", f"{seconds / 60:.0f}")
        return self.tr("%1 h").replace("%1", f"{seconds / 3600:.1f}")

    def clock(self, when: float | None) -> str:
        if when is None:
            return "–"
        moment = time.localtime(when)
        if time.strftime("%Y%m%d", moment) == time.strftime("%Y%m%d"):
            return time.strftime("%H:%M:%S", moment)
        return time.strftime("%Y-%m-%d %H:%M", moment)
