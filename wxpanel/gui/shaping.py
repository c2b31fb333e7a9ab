"""Which texts Qt may lay out glyph by glyph, without OpenType shaping.

Qt shapes every cell's text each time it paints it (once to elide, once to
draw), and for a feed row that is most of the paint's cost.  For text made
only of characters that no font shapes (ASCII, Latin letters already
composed, CJK ideographs and punctuation, kana, Hangul syllables) shaping
adds kerning and ligatures at most, and :data:`QFont.PreferNoShaping` skips
it.  For everything else it is not cosmetic: Qt 6.11, checked here, then
draws Arabic script (Uyghur is written in it) in its isolated forms, puts a
combining accent after its letter instead of on it, and gives the emoji
variation selector of "❤️" a glyph of its own.  So the unshaped font is
given per text, only to texts that :func:`needs_no_shaping` clears.
"""

from __future__ import annotations

import re
from typing import Final

from PySide6.QtGui import QFont

# Code points whose glyphs no shaping changes but for kerning and ligatures:
# printable ASCII; Latin-1 and Latin Extended-A/B letters (precomposed); the
# general punctuation that is not a joiner or a direction mark; CJK symbols and
# punctuation, kana; CJK ideographs (extension A and the main block); Hangul
# syllables; full- and half-width forms.  Anything else (combining marks,
# U+200C/U+200D, variation selectors, emoji, right-to-left and Indic scripts)
# keeps Qt's shaping.
_SHAPING_FREE: Final = re.compile(
    "[\x20-\x7e\u00a0-\u024f\u2010-\u2027\u2030-\u205e"
    "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uffdc]*"
)


def needs_no_shaping(text: str) -> bool:
    """Whether ``text`` looks the same laid out without shaping (see the module's docstring)."""
    return _SHAPING_FREE.fullmatch(text) is not None


def unshaped_font() -> QFont:
    """A font that sets only ``PreferNoShaping``: resolved against a view's font, it keeps the rest.

    Given as a cell's ``FontRole``, the item delegate resolves it against the
    view's font, so family and size still follow the window.
    """
    font = QFont()
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return font


def without_shaping(font: QFont) -> QFont:
    """``font`` itself, for text that no shaping changes: its other strategies kept.

    For text a delegate draws itself; a model's cell gives :func:`unshaped_font`
    for Qt's delegate to resolve instead.
    """
    plain = QFont(font)
    plain.setStyleStrategy(font.styleStrategy() | QFont.StyleStrategy.PreferNoShaping)
    return plain
