"""Reply templates: ``{sender}``, ``{nickname}``, ``{time}``, ``{date}``, ``{content}``, ``{1}``.

Rendering never raises, whatever the user typed: a placeholder that is not
known is sent exactly as written, ``{{`` and ``}}`` are literal braces, and
a lone brace is just a brace.  (``str.format`` would raise on all three.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{1,64})\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each known ``{name}`` replaced by ``values[name]``."""

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        value = values.get(match.group(1))
        return token if value is None else str(value)

    return _TOKEN.sub(substitute, template)


def placeholders(template: str) -> list[str]:
    """The names of the ``{name}`` placeholders in ``template``, in order."""
    return [m.group(1) for m in _TOKEN.finditer(template) if m.group(1) is not None]
