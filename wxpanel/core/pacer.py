"""When the next outgoing command may go: the account-ban protection.

WeChat bans accounts that send like machines.  Every command therefore
waits for a minimum gap plus a random extra delay after the previous one,
and no more than a capped number go out per minute.  The pacer only ever
delays: it holds no queue of its own (the queue is the outbox table, which
survives a restart) and it decides from the times commands were actually
written, which are in the history too.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from wxpanel.core.models import Origin


@dataclass(frozen=True, slots=True)
class PacingRule:
    """``min_gap`` seconds + up to ``jitter`` seconds between sends, ``per_minute`` at most."""

    min_gap: float
    jitter: float
    per_minute: int

    def __post_init__(self) -> None:
        if self.min_gap < 0 or self.jitter < 0 or self.per_minute < 1:
            raise ValueError("pacing needs min_gap >= 0, jitter >= 0 and per_minute >= 1")


@dataclass(frozen=True, slots=True)
class PacerConfig:
    """Automatic sends (rules, timed messages) are paced harder than manual replies."""

    automatic: PacingRule = field(default_factory=lambda: PacingRule(3.0, 3.0, 12))
    manual: PacingRule = field(default_factory=lambda: PacingRule(1.0, 1.0, 20))

    def rule_for(self, origin: Origin) -> PacingRule:
        return self.manual if origin is Origin.MANUAL else self.automatic


class Pacer:
    """Pure timing decisions; the clock and the randomness come from outside."""

    def __init__(self, config: PacerConfig, rng: random.Random | None = None) -> None:
        self.config = config
        self._rng = rng or random.Random()

    def draw_jitter(self, origin: Origin) -> float:
        """The random extra delay of one command, drawn once when it is queued."""
        return self._rng.uniform(0.0, self.config.rule_for(origin).jitter)

    def earliest(
        self,
        origin: Origin,
        jitter: float,
        written_times: Sequence[float],
        now: float,
    ) -> float:
        """The earliest time a command of ``origin`` may be written.

        ``written_times`` are the times earlier commands were written, in
        any order; only the last minute's matter.
        """
        rule = self.config.rule_for(origin)
        recent = sorted(t for t in written_times if t > now - 60.0)
        earliest = now
        if written_times:
            earliest = max(earliest, max(written_times) + rule.min_gap + jitter)
        if len(recent) >= rule.per_minute:
            # The slot frees when the oldest send that still counts leaves the window.
            earliest = max(earliest, recent[len(recent) - rule.per_minute] + 60.0)
        return earliest
