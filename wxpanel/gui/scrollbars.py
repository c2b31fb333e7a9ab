"""A scroll bar that repaints only when what it draws changed.

Qt repaints a scroll bar after every change of its range or value.  A view
that follows rows arriving at its bottom changes both several times a
second, yet with thousands of rows the handle stays on the same pixels:
Fusion drawing the whole bar again (gradients, groove, arrows) was 6-8 % of
the GUI thread under demo.exe's cadence, for a picture identical to the one
on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractSlider, QScrollBar, QStyle, QStyleOptionSlider, QWidget

#: What a scroll bar's picture depends on that a range or value change can alter.
_Look = tuple[QRect, bool, bool, bool]


class SteadyScrollBar(QScrollBar):
    """Skips the repaint of a range or value change that leaves the bar's picture as it was.

    The picture is the handle's rectangle and the arrows' enabled states (at
    the minimum, at the maximum, nothing to scroll); any other change (hover,
    press, style, size) repaints as Qt's own bar does, through the events
    that cause it, and so does every change while the operator holds or
    clicks the bar.  Compared with the last paint, not the last change: a
    change skipped is never one that the screen lacks.
    """

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        #: What the last paint drew: a change that keeps it needs no paint.
        self._painted: _Look | None = None
        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(0)
        self._recheck.timeout.connect(self._check)

    def _look(self) -> _Look:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(
            QStyle.ComplexControl.CC_ScrollBar,
            option,
            QStyle.SubControl.SC_ScrollBarSlider,
            self,
        )
        low, high, value = self.minimum(), self.maximum(), self.value()
        return handle, value <= low, value >= high, low == high

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:
        steady = (
            QAbstractSlider.SliderChange.SliderRangeChange,
            QAbstractSlider.SliderChange.SliderValueChange,
        )
        if (
            change not in steady
            or self._painted is None
            or self.isSliderDown()
            or self.repeatAction() != QAbstractSlider.SliderAction.SliderNoAction
        ):
            super().sliderChange(change)  # the operator's hand on the bar: Qt's own way
        elif change == QAbstractSlider.SliderChange.SliderRangeChange:
            # Decided once the caller is done: a range change followed at once
            # by the value that goes with it (a view following its bottom) is
            # one change, which usually leaves the bar as it was.
            if not self._recheck.isActive():
                self._recheck.start()
        else:
            look = self._look()
            if look[0] != self._painted[0]:
                super().sliderChange(change)  # the handle moved: painted with the view
            elif look != self._painted and not self._recheck.isActive():
                self._recheck.start()  # an end's state: the range may follow

    def settle(self) -> None:
        """The caller is done changing the bar: decide now, not at the next turn.

        Asked by whoever knows (a view's follower, once it has followed a new
        range), so that a bar that did change is painted in the same pass as
        its view.
        """
        if self._recheck.isActive():
            self._recheck.stop()
            self._check()

    def _check(self) -> None:
        if self._painted is not None and self._look() != self._painted:
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        self._painted = self._look()
        super().paintEvent(event)
