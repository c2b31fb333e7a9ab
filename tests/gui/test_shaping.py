"""Only text that looks the same unshaped is laid out without shaping."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QTextLayout

from wxpanel.gui.shaping import needs_no_shaping, unshaped_font, without_shaping


@pytest.mark.parametrize(
    "text",
    [
        "",
        "好的，收到。",
        "Meeting at 3pm (room 2)",
        "Café São Paulo",
        "「会议」—“今天”…",
        "ＡＢＣ１２３",
        "안녕하세요",
        "カタカナ",
    ],
)
def test_plain_latin_and_cjk_need_no_shaping(text: str) -> None:
    assert needs_no_shaping(text)


@pytest.mark.parametrize(
    "text",
    [
        "ئۇيغۇرچە",  # Uyghur, in Arabic script
        "e\u0301",  # a combining accent
        "好\u2764\ufe0f",  # an emoji with its variation selector
        "👨\u200d👩\u200d👧",  # a joined emoji sequence
        "👍",
        "สวัสดี",  # Thai
        "नमस्ते",  # Devanagari
        "a\u202eb",  # a direction override
    ],
)
def test_scripts_and_sequences_that_shaping_changes_keep_it(text: str) -> None:
    assert not needs_no_shaping(text)


def glyphs(text: str, font: QFont) -> list[list[int]]:
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [list(run.glyphIndexes()) for run in layout.glyphRuns()]


def test_what_is_let_through_lays_out_the_same_unshaped(qapp: object) -> None:
    """The premise, checked against this Qt: the same glyphs with or without shaping."""
    for text in ["好的，收到。", "Meeting at 3pm (room 2)", "Café", "「会议」"]:
        assert glyphs(text, unshaped_font()) == glyphs(text, QFont()), text


def test_what_is_kept_shaped_would_change(qapp: object) -> None:
    """And why the rest keeps shaping: unshaped, these come out other glyphs."""
    for text in ["ئۇيغۇرچە", "e\u0301", "\u2764\ufe0f"]:
        assert glyphs(text, unshaped_font()) != glyphs(text, QFont()), text


def test_a_font_without_shaping_keeps_the_rest_of_itself(qapp: object) -> None:
    """What a delegate draws with: its own font, only shaping off, other strategies kept."""
    font = QFont("Sans", 13)
    font.setBold(True)
    font.setStyleStrategy(QFont.StyleStrategy.NoSubpixelAntialias)
    plain = without_shaping(font)
    strategy = plain.styleStrategy()
    assert strategy & QFont.StyleStrategy.PreferNoShaping
    assert strategy & QFont.StyleStrategy.NoSubpixelAntialias
    assert (plain.family(), plain.pointSize(), plain.bold()) == ("Sans", 13, True)
    assert font.styleStrategy() == QFont.StyleStrategy.NoSubpixelAntialias  # a copy
    assert glyphs("Meeting at 3pm", plain) == glyphs("Meeting at 3pm", font)
