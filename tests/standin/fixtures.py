"""Pytest fixtures for demo.exe's stand-in (loaded by ``tests/conftest.py``).

``sqlite37`` is the path of an old libsqlite3, parametrised over 3.7.13 and
3.7.8 (built once by ``scripts/old-sqlite``, cached); ``start_standin``
starts stand-ins on it and kills whatever a failed test left running.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.standin.process import StandIn, old_sqlite_libraries

#: The SQLite versions that bracket demo.exe's 3.7.11.
VERSIONS = ("3.7.13", "3.7.8")

StartStandIn = Callable[..., StandIn]


@pytest.fixture(scope="session")
def old_sqlite() -> dict[str, Path]:
    """Every old library, by version (builds them the first time: minutes)."""
    libraries = old_sqlite_libraries()
    missing = [version for version in VERSIONS if version not in libraries]
    assert not missing, f"scripts/old-sqlite did not give SQLite {missing}"
    return libraries


@pytest.fixture(params=VERSIONS)
def sqlite37(request: pytest.FixtureRequest, old_sqlite: dict[str, Path]) -> Path:
    """One old libsqlite3.so; a test using it runs once per version."""
    return old_sqlite[request.param]


@pytest.fixture
def start_standin(sqlite37: Path, tmp_path: Path) -> Iterator[StartStandIn]:
    """``start(db, **options)`` runs a stand-in on a copy of exchange.db."""
    started: list[StandIn] = []

    def start(db: Path, **options: object) -> StandIn:
        report = tmp_path / f"standin-{len(started)}.json"
        standin = StandIn(sqlite37, db, report, **options)
        started.append(standin)
        return standin

    yield start
    for standin in started:
        standin.kill()
