"""The selected conversation stays readable whatever the window's state (WCAG AA contrast).

On Windows, once the focus leaves the window, Qt's palette turns the
selection light grey (Inactive Highlight #f5f5f5) while the Active
HighlightedText is white: a delegate that paints with the wrong group draws
white on near-white. These tests render the delegate as the view would, with
Qt's Windows light palette, and measure the contrast of the selected row's
name against its background.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QListView, QStyle, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from wxpanel.gui.delegates import ConversationDelegate
from wxpanel.gui.models import EntryRole

#: WCAG 2.x level AA for normal text.
AA = 4.5
Group = QPalette.ColorGroup
Role = QPalette.ColorRole


def windows_palette() -> QPalette:
    """The selection colours of Qt 6's Windows light palette (qwindowstheme.cpp)."""
    palette = QPalette()
    for group in (Group.Active, Group.Inactive):
        palette.setColor(group, Role.Base, QColor("#ffffff"))
        palette.setColor(group, Role.Text, QColor("#000000"))
    palette.setColor(Group.Active, Role.Highlight, QColor("#0078d4"))
    palette.setColor(Group.Active, Role.HighlightedText, QColor("#ffffff"))
    palette.setColor(Group.Inactive, Role.Highlight, QColor("#f5f5f5"))
    palette.setColor(Group.Inactive, Role.HighlightedText, QColor("#000000"))
    palette.setCurrentColorGroup(Group.Active)  # what a palette copied from the view says
    return palette


def luminance(colour: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def render_selected_row(view: QListView, state: QStyle.StateFlag) -> tuple[QImage, QRect]:
    """The first row painted selected in ``state``; returns the picture and the name's area."""
    delegate = ConversationDelegate(view)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.palette = windows_palette()
    option.widget = view  # as the view sets it: the delegate asks it for the style
    index = view.model().index(0, 0)
    option.rect = QRect(0, 0, 320, delegate.sizeHint(option, index).height())
    option.state = state | QStyle.StateFlag.State_Selected
    image = QImage(option.rect.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    delegate.paint(painter, option, index)
    painter.end()
    line = option.fontMetrics.height()
    avatar_end = 8 + 2 * line + 8  # PADDING, the avatar (two lines high), PADDING
    return image, QRect(avatar_end, 4, 320 - avatar_end - 80, line)  # the name, left of the time


def name_contrast(image: QImage, area: QRect) -> float:
    """Contrast of the name's strongest pixel against the row's background."""
    background = image.pixelColor(area.right() + 40, image.height() - 2)
    strongest = max(
        contrast(image.pixelColor(x, y), background)
        for x in range(area.left(), area.right())
        for y in range(area.top(), area.bottom())
    )
    return strongest


@pytest.fixture
def view(qtbot: QtBot) -> QListView:
    model = QStandardItemModel()
    item = QStandardItem("张伟 Zhang Wei")
    item.setData(("张伟 Zhang Wei", "明天几点开会？", "12:30", 0, False), EntryRole)
    model.appendRow(item)
    widget = QListView()
    widget.setModel(model)
    widget.setItemDelegate(ConversationDelegate(widget))
    qtbot.addWidget(widget)
    widget.model_ref = model  # type: ignore[attr-defined]  # keep the model alive
    return widget


@pytest.mark.parametrize(
    ("state", "background"),
    [
        (QStyle.StateFlag.State_Enabled, "#f5f5f5"),  # the window lost the focus
        (QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active, "#0078d4"),
    ],
    ids=["inactive window", "active window"],
)
def test_selected_conversation_meets_wcag_aa(
    view: QListView, state: QStyle.StateFlag, background: str
) -> None:
    image, area = render_selected_row(view, state)
    assert image.pixelColor(area.right() + 40, image.height() - 2) == QColor(background)
    assert name_contrast(image, area) >= AA


def test_the_measure_sees_unreadable_text(view: QListView) -> None:
    """White on the inactive grey, as before the fix, measures far below AA."""
    image = QImage(200, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#f5f5f5"))
    painter = QPainter(image)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRect(0, 0, 200, 40), Qt.AlignmentFlag.AlignCenter, "张伟 Zhang Wei")
    painter.end()
    assert name_contrast(image, QRect(10, 5, 140, 30)) < 1.2
