"""settings.json is the operator's: never silently replaced, every refusal says its key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.settings import Settings, SettingsError, load_settings

HAND_SET = {
    "pacer": {
        "automatic": {"min_gap": 20.0, "jitter": 10.0, "per_minute": 2},
        "manual": {"min_gap": 1.0, "jitter": 1.0, "per_minute": 20},
    },
    "my_note": "keep me",
}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "settings.json"


def test_a_missing_file_is_the_defaults_without_a_word(path: Path) -> None:
    loaded = load_settings(path)
    assert loaded.settings == Settings() and loaded.problems == ()


def test_one_trailing_comma_is_said_and_the_file_is_kept(path: Path) -> None:
    text = json.dumps(HAND_SET, indent=2)[:-2] + ",\n}"  # the typo
    path.write_text(text)
    loaded = load_settings(path)
    assert loaded.unreadable
    (problem,) = loaded.problems
    assert problem.reason == "not_json" and str(path) in str(problem)
    assert "line" in str(problem) and "default" in str(problem)
    assert loaded.settings == Settings()  # runs on the defaults, after saying so
    with pytest.raises(SettingsError, match="kept as it is"):
        loaded.settings.with_extra(language="zh_CN").save(path)
    assert path.read_text() == text  # not overwritten: the user's pace of 2 a minute is there


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe not utf-8", b"[1, 2]", b'"text"', b"{" * 100_000, b'{"poll_interval": NaN}'],
    ids=["not-utf8", "list", "string", "deep", "nan"],
)
def test_unreadable_files_are_problems_not_crashes(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    loaded = load_settings(path)
    assert loaded.unreadable and loaded.settings == Settings()
    with pytest.raises(SettingsError):
        Settings().save(path)
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        ({"poll_interval": 1e308}, "poll_interval", "not between"),
        ('{"poll_interval": 1e999}', "poll_interval", "inf is not between"),  # reads as inf
        ({"pacer": []}, "pacer", "expected a JSON object, found a list"),
        ({"pacer": {"automatic": {"min_gap": -1}}}, "pacer.automatic.min_gap", "-1 is not"),
        ({"pacer": {"manual": {"jitter": "1"}}}, "pacer.manual.jitter", "expected a number"),
        ({"pacer": {"manual": {"per_minute": 0}}}, "pacer.manual.per_minute", "0 is not"),
        ({"pacer": {"manual": {"per_minute": 2.5}}}, "pacer.manual.per_minute", "whole number"),
        ({"outbox": {"stuck_after": True}}, "outbox.stuck_after", "found true"),
        ({"outbox": "big"}, "outbox", "expected a JSON object"),
        ({"safety_poll": None}, "safety_poll", "found null"),
        ({"idle_poll_interval": -0.5}, "idle_poll_interval", "not between"),
    ],
)
def test_values_out_of_range_are_refused_with_key_and_reason(
    path: Path, data: dict[str, object] | str, key: str, words: str
) -> None:
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    loaded = load_settings(path)
    (problem,) = loaded.problems
    assert problem.key == key and not problem.whole_file
    assert key in str(problem) and words in str(problem) and "using the default" in str(problem)
    default = Settings()
    top = key.split(".")[0]
    assert getattr(loaded.settings, top) == getattr(default, top)


def test_good_values_next_to_a_refused_one_are_used(path: Path) -> None:
    path.write_text(json.dumps({**HAND_SET, "poll_interval": "fast", "safety_poll": 2}))
    loaded = load_settings(path)
    assert [p.key for p in loaded.problems] == ["poll_interval"]
    assert loaded.settings.pacer.automatic == PacingRule(20.0, 10.0, 2)
    assert loaded.settings.safety_poll == 2.0


def test_a_refused_value_is_written_back_as_it_was(path: Path) -> None:
    """Saving the panel's language must not replace the operator's typo with a default."""
    path.write_text(json.dumps({"pacer": {"automatic": {"min_gap": -3}}, "poll_interval": 99}))
    loaded = load_settings(path)
    loaded.settings.with_extra(language="zh_CN").save(path)
    saved = json.loads(path.read_text())
    assert saved["pacer"] == {"automatic": {"min_gap": -3}}
    assert saved["poll_interval"] == 99 and saved["language"] == "zh_CN"


def test_a_refused_value_set_anew_is_replaced(path: Path) -> None:
    path.write_text(json.dumps({"pacer": []}))
    settings = load_settings(path).settings
    wanted = PacerConfig(PacingRule(5.0, 1.0, 6), PacingRule(1.0, 0.0, 30))
    Settings(pacer=wanted, extra=settings.extra, refused=settings.refused).save(path)
    assert load_settings(path).settings.pacer == wanted


def test_every_rewrite_keeps_the_previous_file(path: Path) -> None:
    path.write_text(json.dumps(HAND_SET))
    before = path.read_bytes()
    settings = load_settings(path).settings
    assert settings.extra == {"my_note": "keep me"}
    settings.with_extra(language="en").save(path)
    assert path.with_name("settings.json.bak").read_bytes() == before
    assert json.loads(path.read_text())["my_note"] == "keep me"
