"""Regular expressions of rules, matched in linear time whatever the operator writes.

Python's ``re`` backtracks: ``(a+)+$`` against forty ``a`` and a ``!``
runs for hours, on the poller thread, and a restart meets the same message
again.  No timeout can stop ``re`` (it holds the GIL in C and a thread
cannot be killed), so rules are compiled with RE2 (the ``google-re2``
package), whose automata take time linear in the text.  With the text cut
to :data:`~wxpanel.core.rules.evaluate.MAX_MATCH_CHARS` and the automaton
to :data:`MAX_STATES`, one search is bounded by construction —
there is no budget a pattern could outlast.

RE2 has no backreferences (``\\1``, ``(?P=name)``), look-around
(``(?=…)``, ``(?!…)``, ``(?<=…)``, ``(?<!…)``), atomic groups or verbose
mode; a pattern using them is refused with :class:`PatternError` (key
``regex_unsupported``), and what Python itself rejects keeps Python's own
message (key ``bad_regex``).  So that a rule keeps meaning what it meant
under ``re``, :func:`to_re2` rewrites the Unicode-aware classes ``\\d``,
``\\w``, ``\\s`` (ASCII-only in RE2) and ``\\Z`` into RE2's spelling;
``\\b`` stays ASCII-only (documented in the README).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import re2

#: Most automaton states a pattern may have (the size of its program with
#: every character class counted as one character, see :func:`_rewrite`).  A
#: search takes about text length × states steps at worst: 4000 characters
#: × this stays under a quarter of a second (``benchmarks/rules.py``).
MAX_STATES: Final = 300
#: Memory RE2 may use per pattern (its automata); more makes the pattern too big.
MAX_MEMORY: Final = 8 << 20
#: Memory of the automaton that runs all of a rule set's patterns at once.
SET_MEMORY: Final = 64 << 20

_UNANCHORED: Final = re2._re2.RE2.Anchor.UNANCHORED
_DIGIT: Final = r"\p{Nd}"
_WORD_CHARS: Final = r"\p{L}\p{N}_"
_SPACE_CHARS: Final = r"\t-\r\x1c-\x20\x{85}\p{Z}"
#: ``\X`` outside a character class → RE2; inside a class the unbracketed form.
_OUTSIDE: Final = {
    "d": _DIGIT,
    "D": r"\P{Nd}",
    "w": f"[{_WORD_CHARS}]",
    "W": f"[^{_WORD_CHARS}]",
    "s": f"[{_SPACE_CHARS}]",
    "S": f"[^{_SPACE_CHARS}]",
    "Z": r"\z",
}
_INSIDE: Final = {"d": _DIGIT, "D": r"\P{Nd}", "w": _WORD_CHARS, "s": _SPACE_CHARS}


class RegexMatch:
    """A successful search: the ``re.Match`` methods wxpanel uses (groups by number or name)."""

    __slots__ = ("_data", "_names", "_spans")

    def __init__(self, data: bytes, spans: Sequence[tuple[int, int]], names: Mapping[str, int]):
        self._data = data
        self._spans = spans
        self._names = names

    def group(self, index: int | str = 0, /) -> str | None:
        """The text of group ``index`` (0: the whole match); None if it took no part."""
        number = self._names[index] if isinstance(index, str) else index
        start, end = self._spans[number]
        if start < 0:
            return None
        return self._data[start:end].decode("utf-8", "replace")

    def groups(self) -> tuple[str | None, ...]:
        return tuple(self.group(number) for number in range(1, len(self._spans)))

    def groupdict(self) -> dict[str, str | None]:
        return {name: self.group(number) for name, number in self._names.items()}


class Regex:
    """A compiled rule pattern: RE2's program, searched the way ``re.Pattern.search`` is.

    Calls RE2's C++ ``Match`` directly on the UTF-8 text: the ``re2``
    module's own ``search`` costs ten times more (it maps every offset back
    to characters, which wxpanel never needs).
    """

    __slots__ = ("_program", "groupindex", "groups", "ignore_case", "pattern", "states")

    def __init__(self, pattern: str, program: Any, states: int, ignore_case: bool) -> None:
        self.pattern = pattern
        self.ignore_case = ignore_case
        self._program = program
        self.groups: int = program.NumberOfCapturingGroups()
        self.groupindex: dict[str, int] = {
            name.decode("utf-8"): number for name, number in program.NamedCapturingGroups()
        }
        self.states = states

    def search(self, text: str) -> RegexMatch | None:
        data = encode(text)
        spans = self._program.Match(_UNANCHORED, data, 0, len(data))
        if spans[0][0] < 0:
            return None
        return RegexMatch(data, spans, self.groupindex)

    def found(self, data: bytes) -> bool:
        """Whether the pattern matches somewhere in ``data`` (:func:`encode`-d once for many)."""
        return bool(self._program.Match(_UNANCHORED, data, 0, len(data))[0][0] >= 0)


def encode(text: str) -> bytes:
    """``text`` as RE2 reads it (UTF-8; a lone surrogate of an undecodable row becomes ?)."""
    return text.encode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class PatternError(Exception):
    """A pattern that cannot be used: ``key`` is a rule-text key, ``detail`` the engine's reason."""

    key: str
    detail: str

    def __str__(self) -> str:
        return self.detail


def to_re2(pattern: str) -> str:
    """``pattern`` in RE2's syntax with Python's meaning of ``\\d \\w \\s \\Z``."""
    return _rewrite(pattern, skeleton=False)


def _rewrite(pattern: str, *, skeleton: bool) -> str:
    """RE2 syntax; with ``skeleton`` every class (``[…]``, ``.``, ``\\w``, ``\\p{…}``) is ``a``.

    A class is one state of the matching automaton however many characters
    it holds (``\\w`` is over a thousand UTF-8 instructions), so the
    skeleton's size counts what a search really costs per character.
    """
    out: list[str] = []
    in_class = False
    class_start = -1  # index in pattern just after "[" or "[^"
    i = 0
    n = len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            code = pattern[i + 1]
            end = i + 2
            if code in "pP" and pattern.startswith("{", end):
                close = pattern.find("}", end)
                end = close + 1 if close != -1 else n
            if not in_class:
                if skeleton and (code in _OUTSIDE or code in "pP") and code != "Z":
                    out.append("a")
                else:
                    out.append(_OUTSIDE.get(code, pattern[i:end]))
            elif not skeleton:
                out.append(_INSIDE.get(code, pattern[i:end]))
            i = end
            continue
        if in_class:
            if char == "[" and pattern.startswith("[:", i):
                close = pattern.find(":]", i + 2)
                if close != -1:  # a POSIX class such as [:alpha:]
                    if not skeleton:
                        out.append(pattern[i : close + 2])
                    i = close + 2
                    continue
            if char == "]" and i != class_start:
                in_class = False
                if skeleton:
                    out.append("a")
                    i += 1
                    continue
        elif char == "[":
            in_class = True
            class_start = i + 1
            if pattern.startswith("^", class_start):
                class_start += 1
            if not skeleton:
                out.append(pattern[i:class_start])
            i = class_start
            continue
        elif char == "." and skeleton:
            char = "a"
        if not (in_class and skeleton):
            out.append(char)
        i += 1
    return "".join(out)


def compile_regex(pattern: str, *, ignore_case: bool = False) -> Regex:
    """The RE2 program of a rule's pattern, or :class:`PatternError` saying why not."""
    options = _options(ignore_case)
    try:
        program = _program(to_re2(pattern), options)
    except re2.error as exc:
        raise _refusal(pattern, exc) from None
    except (TypeError, ValueError, OverflowError) as exc:
        raise PatternError("bad_regex", str(exc)) from None
    try:
        states = _program(_rewrite(pattern, skeleton=True), options).ProgramSize()
    except re2.error:  # cannot happen for a pattern RE2 took; then its own size counts
        states = program.ProgramSize()
    if states > MAX_STATES:
        raise PatternError("regex_too_big", f"{states} states, at most {MAX_STATES}")
    return Regex(pattern, program, states, ignore_case)


class RegexSet:
    """Which of many patterns (all one case mode) match a text, in one pass (RE2's Set).

    Fifty rule patterns cost one automaton run instead of fifty searches.
    RE2 gives up on a set whose automaton outgrows its memory and then
    reports no match at all; a pattern that matches every text (index 0)
    tells that apart, and :meth:`matching` returns None so that the caller
    asks each pattern itself.
    """

    def __init__(self, regexes: Sequence[Regex], ignore_case: bool) -> None:
        self._set = re2._re2.Set(_UNANCHORED, _options(ignore_case, SET_MEMORY))
        ok = self._set.Add(b"") == 0  # the sentinel: matches whenever the run completed
        for regex in regexes:
            ok = ok and self._set.Add(to_re2(regex.pattern).encode("utf-8")) >= 0
        if not (ok and self._set.Compile()):
            raise PatternError("regex_too_big", "the rules' patterns together are too big")

    def matching(self, data: bytes) -> list[int] | None:
        """Positions (in the constructor's order) of the patterns found in ``data``."""
        found = sorted(self._set.Match(data))
        if not found or found[0] != 0:
            return None
        return [index - 1 for index in found[1:]]


def _options(ignore_case: bool, memory: int = MAX_MEMORY) -> Any:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    options.max_mem = memory
    return options


def _program(pattern: str, options: Any) -> Any:
    program = re2._re2.RE2(pattern.encode("utf-8"), options)
    if not program.ok():
        raise re2.error(program.error())
    return program


def _refusal(pattern: str, exc: Exception) -> PatternError:
    """Why RE2 refused: too big, Python's own message when ``re`` rejects it too, or RE2's."""
    reason = exc.args[0] if exc.args else str(exc)
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    reason = str(reason)
    if "too large" in reason:
        return PatternError("regex_too_big", reason)
    try:
        re.compile(pattern)
    except re.error as python:
        return PatternError("bad_regex", str(python))
    except (OverflowError, RecursionError, ValueError) as python:
        return PatternError("bad_regex", str(python))
    return PatternError("regex_unsupported", reason)
