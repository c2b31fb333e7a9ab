"""The pacer only ever delays: gaps, jitter and the per-minute cap."""

from __future__ import annotations

import random

import pytest

from wxpanel.core.models import Origin
from wxpanel.core.pacer import Pacer, PacerConfig, PacingRule


def make(min_gap: float = 2.0, jitter: float = 1.0, per_minute: int = 5) -> Pacer:
    rule = PacingRule(min_gap, jitter, per_minute)
    return Pacer(PacerConfig(automatic=rule, manual=PacingRule(0.5, 0.0, 30)), random.Random(1))


def test_first_send_goes_at_once() -> None:
    assert make().earliest(Origin.AUTO, 0.7, [], now=100.0) == 100.0


def test_gap_plus_jitter_after_last_send() -> None:
    assert make().earliest(Origin.AUTO, 0.7, [99.0], now=100.0) == pytest.approx(101.7)


def test_old_sends_do_not_delay() -> None:
    assert make().earliest(Origin.AUTO, 0.5, [10.0], now=100.0) == 100.0


def test_per_minute_cap_waits_for_the_window() -> None:
    sent = [40.0, 50.0, 60.0, 70.0, 80.0]  # five in the last minute, cap 5
    assert make(min_gap=0, jitter=0).earliest(Origin.AUTO, 0.0, sent, now=90.0) == 100.0


def test_manual_replies_have_their_own_shorter_rule() -> None:
    pacer = make()
    assert pacer.earliest(Origin.MANUAL, 0.0, [99.8], now=100.0) == pytest.approx(100.3)


def test_jitter_is_within_bounds() -> None:
    pacer = make(jitter=3.0)
    draws = [pacer.draw_jitter(Origin.AUTO) for _ in range(200)]
    assert min(draws) >= 0.0 and max(draws) <= 3.0 and len(set(draws)) > 100


def test_invalid_rules_are_refused() -> None:
    with pytest.raises(ValueError):
        PacingRule(-1, 0, 1)
    with pytest.raises(ValueError):
        PacingRule(1, 0, 0)
