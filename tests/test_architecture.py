"""The layout ``docs/architecture.md`` promises, checked on the source itself.

The import graph is read from the syntax tree of every module of
``wxpanel.core`` (nothing is imported): every ``import`` counts, also one
inside a function or behind ``if TYPE_CHECKING:``, since a cycle that only
type checkers see still ties the modules together for whoever reads or moves
them.  ``from package import name`` depends on the package and, when
``name`` is a module, on that module too.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "wxpanel"
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")


def modules(root: Path) -> dict[str, Path]:
    """Every module below ``root`` by its dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    base = root.parent
    while (base / "__init__.py").exists():  # name modules from the top package down
        base = base.parent
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(base).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path) -> Iterator[str]:
    """The absolute names of everything ``path`` (the module ``name``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports."""
    known = modules(root)
    return {
        name: {other for other in imported(name, path) if other in known and other != name}
        for name, path in known.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_relative_and_type_checking_imports_count(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    for folder in (tmp_path, root, root / "sub"):
        (folder / "__init__.py").write_text("")
    (root / "a.py").write_text("from .sub import b\n")
    (root / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import x\n"
    )
    top = tmp_path.name
    edges = graph(root)
    assert edges[f"{top}.pkg.a"] == {f"{top}.pkg.sub", f"{top}.pkg.sub.b"}
    assert edges[f"{top}.pkg.sub.b"] == {f"{top}.pkg.a"}
    assert cycles(edges) == [[f"{top}.pkg.a", f"{top}.pkg.sub.b"]]


def test_the_real_tree_is_read() -> None:
    assert "wxpanel.core.history" in core_graph()["wxpanel.core.engine"]


@functools.cache
def core_graph() -> dict[str, set[str]]:
    return graph(PACKAGE / "core")


def test_core_has_no_import_cycle() -> None:
    found = cycles(core_graph())
    assert found == [], "\n".join(f"{len(c)} modules: {', '.join(c)}" for c in found)


def test_core_imports_no_qt() -> None:
    found = sorted(
        f"{name} imports {other}"
        for name, path in modules(PACKAGE / "core").items()
        for other in imported(name, path)
        if other.split(".")[0] in QT
    )
    assert found == []


def test_a_qt_import_is_seen(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("def f():\n    from PySide6.QtCore import QObject\n")
    assert "PySide6.QtCore" in set(imported("mod", tmp_path / "mod.py"))


@pytest.mark.parametrize(
    ("importer", "imported_package"),
    [
        ("wxpanel.core.sources", "wxpanel.core.rules"),
        ("wxpanel.core.rules", "wxpanel.core.sources"),
        ("wxpanel.core.autoreply", "wxpanel.core.rules"),
        ("wxpanel.core.autoreply", "wxpanel.core.sources"),
        ("wxpanel.core.autoreply", "wxpanel.core.engine"),
    ],
)
def test_answerers_import_autoreply_never_each_other(importer: str, imported_package: str) -> None:
    edges = core_graph()
    found = sorted(
        f"{name} -> {other}"
        for name, others in edges.items()
        if name == importer or name.startswith(importer + ".")
        for other in others
        if (other == imported_package or other.startswith(imported_package + "."))
    )
    assert found == []


def test_every_folder_of_modules_is_a_package() -> None:
    """A folder without ``__init__.py`` is a namespace package: left out of the install."""
    folders = {path.parent for path in PACKAGE.rglob("*.py")}
    assert sorted(str(f) for f in folders if not (f / "__init__.py").exists()) == []
