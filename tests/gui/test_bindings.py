"""Guard against Qt bindings that lose references to Python's singletons.

PySide6 6.12.0 under CPython 3.11 took one reference from ``None`` on every
void method call and one from ``True`` on every emit, and the interpreter
aborted once the count reached zero: a poller restarting its timer fifty
times a second died within minutes.  pyproject.toml excludes that release;
this test fails if another one brings the bug back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal


class _Emitter(QObject):
    ping = Signal()
    carry = Signal(object)


def test_void_calls_and_emits_keep_singleton_references(qapp: object) -> None:
    emitter = _Emitter()
    timer = QTimer()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        emitter.setObjectName("x")
        timer.start(1000)
        timer.stop()
        emitter.ping.emit()
        emitter.carry.emit(1)
    after = sys.getrefcount(None), sys.getrefcount(True)
    assert after[0] >= before[0] - 10 and after[1] >= before[1] - 10, (before, after)
