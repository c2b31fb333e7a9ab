"""A scroll bar that repaints only when what it draws changed.

Qt repaints a scroll bar after every change of its range or value.  A view
that follows rows arriving at its bottom changes both several times a
second, yet with thousands of rows the handle stays on the same pixels:
Fusion drawing the whole bar again (gradients, groove, arrows) was 6-8 % of
the GUI thread under demo.exe's cadence, for a picture identical to the one
on screen.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractSlider, QScrollBar, QStyle, QStyleOptionSlider, QWidget

#: What a scroll bar's picture depends on that a range or value change can alter.
_Look = tuple[QRect, bool, bool, bool]

_RANGE = QAbstractSlider.SliderChange.SliderRangeChange
_VALUE = QAbstractSlider.SliderChange.SliderValueChange
_NO_ACTION = QAbstractSlider.SliderAction.SliderNoAction

#: A followed bar's handle whose length alone changed is painted at most this often (ms)...
FOLLOWED_LENGTH_MS = 500
#: ... unless it changed by more pixels than this since it was painted.
FOLLOWED_LENGTH_PIXELS = 6


class Keeper(Protocol):
    """Who keeps a bar's value where the reader wants it (a view's follower)."""

    def moved(self, value: int) -> None:
        """The value changed, by anyone but the keeper."""

    def target(self, maximum: int) -> int | None:
        """The value that goes with a new range (``maximum``), or None to leave it."""


class SteadyScrollBar(QScrollBar):
    """Skips the repaint of a range or value change that leaves the bar's picture as it was.

    The picture is the handle's rectangle and the arrows' enabled states (at
    the minimum, at the maximum, nothing to scroll); any other change (hover,
    press, style, size) repaints as Qt's own bar does, through the events
    that cause it, and so does every change while the operator holds or
    clicks the bar.  Compared with the last paint, not the last change: a
    change skipped is never one that the screen lacks.

    A view that keeps the bar's value (its follower, a :class:`Keeper`) is
    asked for the value that goes with a new range inside the range change
    itself, and told of the other moves, from the one Python call that Qt
    makes for each change anyway: no signal carried into Python, and the
    range with its value is one change, decided at once.

    While the keeper follows the bar's end, rows arriving make the handle
    shorter at its top, its other end staying at the end of the track: that
    change alone is painted at most every :data:`FOLLOWED_LENGTH_MS`, or once
    it adds up to more than :data:`FOLLOWED_LENGTH_PIXELS` (a few pixels at a
    time, not one per frame).  The feed starts short, and its
    handle shrank at most frames for its first minutes at 50 messages a
    second: a paint of Fusion's bar each time.  Any other change is painted
    with the frame that made it.
    """

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        #: What the last paint drew: a change that keeps it needs no paint.
        self._painted: _Look | None = None
        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(0)
        self._recheck.timeout.connect(self._check)
        self.keeper: Keeper | None = None
        self._keeping = False  # the keeper's own move, inside a range change
        #: A followed handle that only got shorter (or longer) is painted this soon.
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(FOLLOWED_LENGTH_MS)
        self._soon.timeout.connect(self._check)

    @property
    def keeping(self) -> bool:
        """The keeper's own move is under way (its value goes with a range change)."""
        return self._keeping

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

    def _held(self) -> bool:
        """The operator holds or clicks the bar: its changes are Qt's own way."""
        return self.isSliderDown() or self.repeatAction() != _NO_ACTION

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:
        keeper = self.keeper
        if keeper is not None:
            if change == _VALUE:
                if self._keeping:
                    return  # decided with the range change it goes with
                keeper.moved(self.value())
            elif change == _RANGE:
                target = keeper.target(self.maximum())
                if target is not None:
                    self._keeping = True
                    try:
                        self.setValue(target)
                    finally:
                        self._keeping = False
                if self._painted is not None and not self._held():
                    self._recheck.stop()
                    self._decide(followed=target is not None)  # the range and its value
                    return
        if change not in (_RANGE, _VALUE) or self._painted is None or self._held():
            super().sliderChange(change)  # the operator's hand on the bar: Qt's own way
        elif change == _RANGE:
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

    def _decide(self, followed: bool) -> None:
        """Paint a range change with its value, now or (a followed handle's length) soon."""
        painted, look = self._painted, self._look()
        if painted is None or look == painted:
            return
        if followed and _grown_at_its_start(painted, look):
            if not self._soon.isActive():
                self._soon.start()
            return
        self.update()

    def _check(self) -> None:
        if self._painted is not None and self._look() != self._painted:
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        self._soon.stop()
        self._painted = self._look()
        super().paintEvent(event)


def _grown_at_its_start(painted: _Look, look: _Look) -> bool:
    """Only the handle's length changed, a little, at its top: its end stays at the track's end."""
    was, now = painted[0], look[0]
    return (
        look[2]
        and painted[1:] == look[1:]
        and (was.left(), was.right(), was.bottom()) == (now.left(), now.right(), now.bottom())
        and abs(was.top() - now.top()) <= FOLLOWED_LENGTH_PIXELS
    )
