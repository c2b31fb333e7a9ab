"""Code page 936: what survives demo.exe's way to WeChat and back.

demo.exe converts every text through the ANSI code page of a Chinese
Windows (936, GBK), both ways: a character outside it (an emoji, U+2005
after an @-mention, most non-Chinese scripts) reaches WeChat as nothing
useful, and arrives from WeChat as ``?``.  Every path that writes a text
command checks it here first, so that what goes to ``wx_command`` never
silently differs from what the operator saw.
"""

from __future__ import annotations

from typing import Final

from wxpanel.core.errors import KnownError

#: Code page 936 has the euro sign at 0x80; Python's GBK codec does not.
_EXTRA: Final = frozenset("\u20ac")
#: What demo.exe puts where a character did not survive.
LOST_MARK: Final = "?"


def fits(char: str) -> bool:
    """Whether one character survives code page 936."""
    if char in _EXTRA or char < "\x80":
        return True
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def unsendable(text: str) -> list[str]:
    """The distinct characters of ``text`` that code page 936 loses, in order of appearance."""
    if text.isascii():
        return []
    seen: dict[str, None] = {}
    for char in text:
        if char not in seen and not fits(char):
            seen[char] = None
    return list(seen)


def without_unsendable(text: str) -> str:
    """``text`` with every character code page 936 loses removed (what the operator agreed to)."""
    lost = set(unsendable(text))
    return "".join(char for char in text if char not in lost) if lost else text


def as_delivered(text: str) -> str:
    """``text`` as demo.exe delivers it from WeChat: each lost character becomes ``?``."""
    lost = set(unsendable(text))
    return "".join(LOST_MARK if char in lost else char for char in text) if lost else text


def describe(chars: list[str]) -> str:
    """The lost characters for a message: each shown, invisible ones by code point."""
    return " ".join(char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
                    for char in chars)  # fmt: skip


class UnsendableText(KnownError):
    """A text command holds characters code page 936 loses; ``chars`` lists them."""

    def __init__(self, chars: list[str]) -> None:
        super().__init__(f"characters that cannot reach WeChat (code page 936): {describe(chars)}")
        self.chars = chars
