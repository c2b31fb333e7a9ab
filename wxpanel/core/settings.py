"""Settings shared by the panel, headless mode and the command line.

They live in ``settings.json`` in the data folder, which by default sits
beside exchange.db, so a copied folder keeps them.  Unknown keys are kept
when saving (a newer wxpanel's settings survive an older one), and a value
of the wrong type falls back to its default instead of failing the start.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from wxpanel.core.outbox import OutboxConfig
from wxpanel.core.pacer import PacerConfig, PacingRule


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
    #: Every n seconds the poller looks at wx_event even without a change signal.
    safety_poll: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)

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
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        known = {"pacer", "outbox", "poll_interval", "idle_poll_interval", "safety_poll"}
        default = cls()
        pacer = data.get("pacer", {})
        return cls(
            pacer=PacerConfig(
                automatic=_rule(pacer.get("automatic"), default.pacer.automatic),
                manual=_rule(pacer.get("manual"), default.pacer.manual),
            ),
            outbox=_dataclass_from(OutboxConfig, data.get("outbox"), default.outbox),
            poll_interval=_number(data.get("poll_interval"), default.poll_interval, 0.005),
            idle_poll_interval=_number(
                data.get("idle_poll_interval"), default.idle_poll_interval, 0.005
            ),
            safety_poll=_number(data.get("safety_poll"), default.safety_poll, 0.1),
            extra={k: v for k, v in data.items() if k not in known},
        )

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            return cls()
        return cls.from_json(data if isinstance(data, dict) else {})

    def save(self, path: Path) -> None:
        """Write atomically: a crash mid-save leaves the old file, never half a file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.to_json(), handle, ensure_ascii=False, indent=2)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def with_extra(self, **values: Any) -> Settings:
        return replace(self, extra={**self.extra, **values})


def _number(value: Any, default: float, minimum: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= minimum:
        return float(value)
    return default


def _rule(value: Any, default: PacingRule) -> PacingRule:
    try:
        return _dataclass_from(PacingRule, value, default)
    except ValueError:
        return default


def _dataclass_from(kind: Any, value: Any, default: Any) -> Any:
    if not isinstance(value, dict):
        return default
    values = {}
    for item in fields(kind):
        given = value.get(item.name, getattr(default, item.name))
        expected = type(getattr(default, item.name))
        if expected is float and isinstance(given, int) and not isinstance(given, bool):
            given = float(given)
        values[item.name] = given if isinstance(given, expected) else getattr(default, item.name)
    return kind(**values)
