"""The shape of ``wxpanel/gui``: no import cycle, no colour outside the palette.

Read from the source with :mod:`ast` (nothing is imported), so that an
import hidden behind ``TYPE_CHECKING`` counts too: a page that imports the
window "only for its type" is the cycle this test is here to prevent.
"""

from __future__ import annotations

import ast
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import wxpanel.gui

GUI = Path(wxpanel.gui.__file__).parent
PACKAGE = "wxpanel.gui"
#: A colour written as #rgb, #rrggbb or #aarrggbb in a string.
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(GUI.rglob("*.py")):
        parts = path.relative_to(GUI).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every module name ``module`` imports, relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            yield name
            yield from (f"{name}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        module: {name for name in _imported(module, path) if name in modules and name != module}
        for module, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


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
