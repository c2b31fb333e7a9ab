"""Settings shared by the panel, headless mode and the command line.

They live in ``settings.json`` in the data folder, which by default sits
beside exchange.db, so a copied folder keeps them.  The file is the
operator's, often edited by hand, so wxpanel never loses what is in it:

* Unknown keys are kept when saving (a newer wxpanel's settings survive an
  older one).
* A file that cannot be read (one trailing comma, not UTF-8, not an object)
  is never overwritten: :func:`load_settings` reports it, wxpanel runs on the
  defaults after saying so, and :meth:`Settings.save` refuses to replace it.
* A value that is out of range or of the wrong type (``poll_interval:
  1e308``, ``{"pacer": []}``) is refused with its key and the reason; the
  default is used instead, and the value as written is saved back untouched
  unless the operator sets that key anew.
* Every rewrite first keeps the previous file as ``settings.json.bak``.

Problems carry a reason key and fields, so the panel can say them in the
user's language; ``str()`` is the English line for logs and the terminal.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from wxpanel.core.errors import KnownError
from wxpanel.core.outbox import OutboxConfig
from wxpanel.core.pacer import PacerConfig, PacingRule
from wxpanel.core.texts import TEXTS, FieldValue, Text, field_names

#: What the previous settings.json is kept as before each rewrite.
BACKUP_SUFFIX = ".bak"


@dataclass(frozen=True, slots=True)
class Range:
    """The values a number setting accepts, both ends included."""

    low: float
    high: float
    integer: bool = False


#: Accepted values, by key path; whatever lies outside is refused with its key.
RANGES: dict[str, Range] = {
    "poll_interval": Range(0.005, 10.0),
    "idle_poll_interval": Range(0.005, 10.0),
    "safety_poll": Range(0.1, 60.0),
    "pacer.*.min_gap": Range(0.0, 3600.0),
    "pacer.*.jitter": Range(0.0, 3600.0),
    "pacer.*.per_minute": Range(1, 1000, integer=True),
    "outbox.stuck_after": Range(1.0, 86_400.0),
    "outbox.picture_max_bytes": Range(1, 2**31 - 1, integer=True),
}


@dataclass(frozen=True, slots=True)
class SettingsProblem:
    """One thing wrong in settings.json: which key ("" for the file), why, what wxpanel does."""

    reason: str  # the catalogue's ``settings_<reason>``
    key: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> Text:
        """The problem as a sentence of the catalogue (:mod:`wxpanel.core.texts`)."""
        key = f"settings_{self.reason}"
        fields: dict[str, FieldValue] = dict(self.fields)
        if "key" in field_names(TEXTS[key]):
            fields["key"] = self.key
        return Text.of(key, **fields)

    def __str__(self) -> str:
        return str(self.text)

    @property
    def whole_file(self) -> bool:
        """The file could not be read at all: every setting is the default."""
        return not self.key


class SettingsError(KnownError):
    """settings.json cannot be saved without losing what is in it."""

    def __init__(self, problem: SettingsProblem) -> None:
        super().__init__(problem.text)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the core needs to know that a user may change."""

    pacer: PacerConfig = field(default_factory=PacerConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    #: Seconds between checks for new rows while idle (a check costs microseconds).
    poll_interval: float = 0.02
    #: After :data:`IDLE_AFTER` quiet seconds the poller looks less often: half
    #: the wake-ups (the bulk of idle CPU) while a new row is still noticed
    #: well within 50 ms.
    idle_poll_interval: float = 0.1
    #: Every n seconds the poller looks at wx_event even without a change signal;
    #: also the pace of idle rounds when a file watcher wakes the poller on changes.
    safety_poll: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)
    #: Refused values as written, by top-level key, with the value used instead:
    #: saved back as they were unless that setting was changed since.
    refused: dict[str, tuple[Any, Any]] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.extra)
        data.update(
            {
                "pacer": {
                    "automatic": asdict(self.pacer.automatic),
                    "manual": asdict(self.pacer.manual),
                },
                "outbox": asdict(self.outbox),
                "poll_interval": self.poll_interval,
                "idle_poll_interval": self.idle_poll_interval,
                "safety_poll": self.safety_poll,
            }
        )
        for key, (raw, used) in self.refused.items():
            if getattr(self, key) == used:
                data[key] = raw
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], path: Path | str = "settings.json") -> Settings:
        return _Reader(str(path)).settings(data)

    @classmethod
    def load(cls, path: Path) -> Settings:
        """The settings in ``path``; problems are dropped (see :func:`load_settings`)."""
        return load_settings(path).settings

    def save(self, path: Path) -> None:
        """Write atomically, keeping the previous file as ``settings.json.bak`` first.

        A file that cannot be read is not replaced (:class:`SettingsError`):
        it may hold a hand-set value the operator has not fixed yet.
        """
        path = Path(path)
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2, allow_nan=False)
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        if current is not None:
            _, problem = _parse(current, str(path))
            if problem is not None:
                fields = {"path": str(path), "detail": _short(problem)}
                raise SettingsError(SettingsProblem("kept", fields=fields))
            if current == text.encode("utf-8"):
                return
            _write_atomically(path.with_name(path.name + BACKUP_SUFFIX), current)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, text.encode("utf-8"))

    def with_extra(self, **values: Any) -> Settings:
        return replace(self, extra={**self.extra, **values})


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    """What :func:`load_settings` found: the settings to run on and what was refused."""

    settings: Settings
    problems: tuple[SettingsProblem, ...] = ()

    @property
    def unreadable(self) -> bool:
        return any(p.whole_file for p in self.problems)


def load_settings(path: Path) -> LoadedSettings:
    """Read ``path``: a missing file is the defaults; anything wrong is a problem to say."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except OSError as exc:
        detail = str(exc.strerror or exc)
        unreadable = SettingsProblem("unreadable", fields={"path": str(path), "detail": detail})
        return LoadedSettings(Settings(), (unreadable,))
    data, problem = _parse(raw, str(path))
    if problem is not None:
        return LoadedSettings(Settings(), (problem,))
    reader = _Reader(str(path))
    return LoadedSettings(reader.settings(data), tuple(reader.problems))


def _parse(raw: bytes, path: str) -> tuple[dict[str, Any], SettingsProblem | None]:
    """The JSON object in ``raw``, or the problem that makes the whole file unusable."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        detail = f"not UTF-8 text at byte {exc.start}"
        return {}, SettingsProblem("unreadable", fields={"path": path, "detail": detail})
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        fields = {"path": path, "line": str(exc.lineno), "column": str(exc.colno)}
        return {}, SettingsProblem("not_json", fields={**fields, "detail": exc.msg})
    except (RecursionError, ValueError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return {}, SettingsProblem("unreadable", fields={"path": path, "detail": detail})
    if not isinstance(data, dict):
        return {}, SettingsProblem("not_object", fields={"path": path, "found": _kind(data)})
    return data, None


def _short(problem: SettingsProblem) -> str:
    """Why a whole file is unreadable, in a few words (for the "not saved" line)."""
    found = problem.fields
    if problem.reason == "not_json":
        return f"not valid JSON, line {found['line']} column {found['column']}: {found['detail']}"
    if problem.reason == "not_object":
        return f"expected a JSON object, found {found['found']}"
    return found.get("detail", problem.reason)


def _no_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON: Python's reader would accept them."""
    raise ValueError(f"{name} is not a JSON value")


class _Reader:
    """Builds :class:`Settings` from a JSON object, refusing each bad value with its key."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[SettingsProblem] = []

    def settings(self, data: Mapping[str, Any]) -> Settings:
        default = Settings()
        known = [f.name for f in fields(Settings) if f.name not in ("extra", "refused")]
        values: dict[str, Any] = {}
        refused: dict[str, tuple[Any, Any]] = {}
        for key in known:
            if key not in data:
                continue
            before = len(self.problems)
            if key == "pacer":
                value: Any = self._pacer(data[key], default.pacer)
            elif key == "outbox":
                value = self._group("outbox", data[key], default.outbox)
            else:
                value = self._number(key, data[key], getattr(default, key))
            values[key] = value
            if len(self.problems) > before and _representable(data[key]):
                refused[key] = (data[key], value)
        extra = {k: v for k, v in data.items() if k not in known}
        return Settings(**values, extra=extra, refused=refused)

    def _pacer(self, value: Any, default: PacerConfig) -> PacerConfig:
        if not self._is_object("pacer", value, default):
            return default
        return PacerConfig(
            automatic=self._group("pacer.automatic", value.get("automatic"), default.automatic),
            manual=self._group("pacer.manual", value.get("manual"), default.manual),
        )

    def _group(self, key: str, value: Any, default: Any) -> Any:
        """A dataclass of numbers (a pacing rule, the outbox's limits) from an object."""
        if value is None and key.startswith("pacer."):
            return default  # "manual" left out: its default
        if not self._is_object(key, value, default):
            return default
        given = {
            item.name: self._number(
                f"{key}.{item.name}", value[item.name], getattr(default, item.name)
            )
            for item in fields(default)
            if item.name in value
        }
        return replace(default, **given)

    def _is_object(self, key: str, value: Any, default: Any) -> bool:
        if isinstance(value, dict):
            return True
        self._refuse("wrong_type", key, value, default, expected="a JSON object")
        return False

    def _number(self, key: str, value: Any, default: float) -> Any:
        limits = RANGES[key if key in RANGES else _wildcard(key)]
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or (limits.integer and not isinstance(value, int)):
            expected = "a whole number" if limits.integer else "a number"
            self._refuse("wrong_type", key, value, default, expected=expected)
            return default
        if not (math.isfinite(value) and limits.low <= value <= limits.high):
            self._refuse(
                "out_of_range", key, value, default, low=_show(limits.low), high=_show(limits.high)
            )
            return default
        return int(value) if limits.integer else float(value)

    def _refuse(self, reason: str, key: str, value: Any, default: Any, **more: str) -> None:
        found = _show(value) if reason == "out_of_range" else _kind(value)
        fields = {"path": self.path, "found": found, "default": _show(default), **more}
        self.problems.append(SettingsProblem(reason, key, fields))


def _representable(value: Any) -> bool:
    """Whether a refused value can be written back as it was (1e999 reads as infinity)."""
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


def _wildcard(key: str) -> str:
    """``pacer.manual.min_gap`` → ``pacer.*.min_gap``: both rules share their limits."""
    parts = key.split(".")
    return ".".join([parts[0], "*", *parts[2:]]) if len(parts) == 3 else key


def _kind(value: Any) -> str:
    """A short description of a JSON value, for "expected X, found Y"."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return _show(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return json.dumps(shown, ensure_ascii=False)
    return "a list" if isinstance(value, list) else "an object"


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, PacerConfig | OutboxConfig | PacingRule):
        return json.dumps(asdict(value))
    return str(value)


def _write_atomically(path: Path, data: bytes) -> None:
    """A crash mid-write leaves the old file, never half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
