"""Every visible string has a Simplified Chinese translation, compiled."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[2] / "wxpanel" / "gui"
TS = GUI / "i18n" / "wxpanel_zh_CN.ts"

_SELF_TR = re.compile(r'self\.tr\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
_TRANSLATE = re.compile(r'QCoreApplication\.translate\(\s*"(\w+)",\s*"((?:[^"\\]|\\.)*)"\s*\)')
_CLASS = re.compile(r"^class (\w+)\(", re.M)


def source_strings() -> set[tuple[str, str]]:
    """(context, text) of every literal tr()/translate() call in the GUI package."""
    found: set[tuple[str, str]] = set()
    for path in GUI.glob("*.py"):
        code = path.read_text(encoding="utf-8")
        classes = [(m.start(), m.group(1)) for m in _CLASS.finditer(code)]
        for match in _SELF_TR.finditer(code):
            context = [name for start, name in classes if start < match.start()][-1]
            found.add((context, match.group(1)))
        for match in _TRANSLATE.finditer(code):
            found.add((match.group(1), match.group(2)))
    return found


def ts_strings() -> dict[tuple[str, str], tuple[str, str | None]]:
    result = {}
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            result[(name, message.findtext("source") or "")] = (
                translation.text or "",
                translation.get("type"),
            )
    return result


def test_every_string_is_in_the_ts_file_and_translated() -> None:
    translations = ts_strings()
    missing = source_strings() - set(translations)
    assert not missing, f"run pyside6-lupdate (see i18n/README.md): {sorted(missing)}"
    unfinished = [key for key, (text, kind) in translations.items() if kind or not text]
    assert not unfinished


def test_placeholders_survive_translation() -> None:
    for (_context, source), (text, _kind) in ts_strings().items():
        assert re.findall(r"%\d", source) == re.findall(r"%\d", text), source


def test_compiled_file_is_newer_than_its_source() -> None:
    qm = TS.with_suffix(".qm")
    if not qm.exists():
        pytest.fail("run pyside6-lrelease (see i18n/README.md)")
    assert qm.stat().st_mtime >= TS.stat().st_mtime - 1
