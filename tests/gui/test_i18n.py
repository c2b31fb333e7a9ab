"""Every visible string and every key of the core's catalogue has a Simplified Chinese
translation, and the committed .qm is exactly what the .ts compiles to."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

from wxpanel.core.texts import CONTEXT, TEXTS, field_names

GUI = Path(__file__).resolve().parents[2] / "wxpanel" / "gui"
TS = GUI / "i18n" / "wxpanel_zh_CN.ts"
QM = TS.with_suffix(".qm")

_SELF_TR = re.compile(r'self\.tr\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
_TRANSLATE = re.compile(r'QCoreApplication\.translate\(\s*"(\w+)",\s*"((?:[^"\\]|\\.)*)"\s*\)')
_CLASS = re.compile(r"^class (\w+)\(", re.M)
#: A field with its format spec: ``{seconds:.0f}``.
_FIELD = re.compile(r"\{\w+(?::[^{}]*)?\}")
_NAME = re.compile(r"\w+\.(?:db|exe)\b")
#: Keys whose Chinese is the English word, as the rest of the panel writes it.
_KEPT_AS_IS = {"source_kind_webhook"}


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


def ts_messages() -> dict[tuple[str, str, str], tuple[str, str | None]]:
    """(context, source, disambiguation) -> (translation, its type: "unfinished" or None)."""
    result = {}
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            key = (name, message.findtext("source") or "", message.findtext("comment") or "")
            result[key] = (translation.text or "", translation.get("type"))
    return result


def ts_strings() -> dict[tuple[str, str], tuple[str, str | None]]:
    return {(context, source): value for (context, source, _), value in ts_messages().items()}


def test_every_string_is_in_the_ts_file_and_translated() -> None:
    translations = ts_strings()
    missing = source_strings() - set(translations)
    assert not missing, f"run pyside6-lupdate (see i18n/README.md): {sorted(missing)}"
    unfinished = [key for key, (text, kind) in translations.items() if kind or not text]
    assert not unfinished


def test_every_key_of_the_catalogue_is_translated_with_its_fields() -> None:
    """Looked up as the panel does (by the key), every field kept with its format spec."""
    messages = ts_messages()
    for key, english in TEXTS.items():
        found = messages.get((CONTEXT, english, key))
        assert found is not None, f"{key}: run pyside6-lupdate (see i18n/README.md)"
        chinese, kind = found
        assert chinese and kind is None, key
        assert field_names(chinese) == field_names(english), key
        assert sorted(_FIELD.findall(chinese)) == sorted(_FIELD.findall(english)), key
        words = _NAME.sub("", _FIELD.sub("", english))  # "exchange.db" is a name, not English
        if re.search(r"[a-z]{3}", words) and key not in _KEPT_AS_IS:
            assert re.search(r"[\u4e00-\u9fff]", chinese), key  # really translated
    stale = {k for (context, _, k) in messages if context == CONTEXT and k} - set(TEXTS)
    assert not stale, f"keys no longer in the catalogue: run pyside6-lupdate: {sorted(stale)}"


def test_placeholders_survive_translation() -> None:
    for (_context, source), (text, _kind) in ts_strings().items():
        assert re.findall(r"%\d", source) == re.findall(r"%\d", text), source


def test_the_compiled_file_says_what_the_source_says() -> None:
    """Every translation of the .ts, looked up in the committed .qm, is the same.

    Compared by content, never by modification times (meaningless after a git
    checkout) nor by bytes (lrelease's output may differ between Qt versions):
    a .qm left stale by an edited .ts fails here on any machine, Windows too.
    """
    if not QM.exists():
        pytest.fail("run pyside6-lrelease (see i18n/README.md)")
    translator = QTranslator()
    assert translator.load(str(QM))
    stale = [
        (context, source, comment)
        for (context, source, comment), (text, _kind) in ts_messages().items()
        if translator.translate(context, source, comment or None) != text
    ]
    assert not stale, f"run pyside6-lrelease (see i18n/README.md): {stale[:5]}"
