"""The shape of ``wxpanel/gui``: no import cycle, no colour outside the palette.

Read from the source with :mod:`ast` (nothing is imported), so that an
import hidden behind ``TYPE_CHECKING`` counts too: a page that imports the
window "only for its type" is the cycle this test is here to prevent.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import wxpanel.gui
from tests.test_architecture import cycles, graph, modules

GUI = Path(wxpanel.gui.__file__).parent
#: A colour written as #rgb, #rrggbb or #aarrggbb in a string.
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def _modules() -> dict[str, Path]:
    return modules(GUI)


def import_graph() -> dict[str, set[str]]:
    """The gui package's imports, read as ``tests/test_architecture.py`` reads core's."""
    return graph(GUI)


def test_the_graph_sees_the_gui_imports() -> None:
    graph = import_graph()
    assert "wxpanel.gui.mainwindow" in graph["wxpanel.gui.panel"]
    assert "wxpanel.gui.worker" in graph["wxpanel.gui.mainwindow"]


def test_gui_has_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_no_page_imports_the_window() -> None:
    """Pages see the window through ``host.PageHost``; only the assembly knows it."""
    importers = {m for m, names in import_graph().items() if "wxpanel.gui.mainwindow" in names}
    assert importers <= {"wxpanel.gui.panel", "wxpanel.gui.app"}


def _string_literals(path: Path) -> Iterator[tuple[int, str]]:
    """Every string literal of a module (f-strings whole), with its line."""
    with path.open(encoding="utf-8") as source:
        for token in tokenize.generate_tokens(source.readline):
            if token.type == tokenize.STRING:
                yield token.start[0], token.string


def test_the_colour_finder_finds_colours() -> None:
    assert HEX_COLOUR.search('"color: #c62828;"')
    assert HEX_COLOUR.search("f'<p style=\"color:#666\">'")
    assert not HEX_COLOUR.search('"message #42"')
    assert not HEX_COLOUR.search('"#banner { background: %s }"')


def test_colours_are_written_only_in_the_palette() -> None:
    found = [
        f"{path.relative_to(GUI)}:{line}: {text}"
        for path in _modules().values()
        if path.name != "palette.py"
        for line, text in _string_literals(path)
        if HEX_COLOUR.search(text)
    ]
    assert found == []
