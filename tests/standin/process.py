"""Start the stand-in in its own process, stop it, read its report.

Locks between two connections only conflict across processes (POSIX locks
are per process), and two SQLite libraries in one process would break each
other's locks: so demo.exe's stand-in always runs as a child process.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OLD_SQLITE = REPO / "scripts" / "old-sqlite"
#: How long a started stand-in may take to open its connection.
_READY_TIMEOUT = 30.0


def old_sqlite_libraries() -> dict[str, Path]:
    """Build (once; cached outside the clone) and locate the 3.7 libraries, by version."""
    output = subprocess.run([str(OLD_SQLITE)], check=True, capture_output=True, text=True).stdout
    libraries: dict[str, Path] = {}
    for line in output.splitlines():
        version, _, path = line.partition(" ")
        if path:
            libraries[version] = Path(path)
    return libraries


@dataclasses.dataclass(frozen=True)
class Report:
    """What the stand-in did, from its JSON report."""

    raw: dict[str, Any]

    @property
    def sqlite(self) -> str:
        return str(self.raw["sqlite"])

    @property
    def attempts(self) -> int:
        return int(self.raw["attempts"])

    @property
    def inserted(self) -> int:
        return int(self.raw["inserted"])

    @property
    def lost(self) -> int:
        return int(self.raw["lost"])

    @property
    def lost_rows(self) -> list[dict[str, Any]]:
        return list(self.raw["lost_rows"])

    @property
    def inserts(self) -> list[dict[str, Any]]:
        return list(self.raw["inserts"])

    @property
    def committed_rows(self) -> list[tuple[str, ...]]:
        """The rows demo.exe wrote, in order: what a consumer must take exactly once."""
        return [tuple(i["row"]) for i in self.raw["inserts"] if i["error"] is None]

    @property
    def sent(self) -> list[dict[str, Any]]:
        return list(self.raw["sent"])

    @property
    def duplicates(self) -> int:
        return int(self.raw["duplicates"])

    @property
    def delete_failures(self) -> int:
        return int(self.raw["delete_failures"])


class StandIn:
    """A running stand-in: :meth:`stop` ends it (SIGTERM) and returns its report.

    Options are the program's (``rate``, ``duration``, ``seed``, ``arrival``,
    ``burst``, ``numbered``, ``no_commands``); see ``python -m tests.standin -h``.
    """

    def __init__(self, library: Path, db: Path, report: Path, **options: object) -> None:
        self.report_path = report
        argv = [sys.executable, "-m", "tests.standin", "--lib", str(library), "--db", str(db)]
        argv += ["--report", str(report)]
        for name, value in options.items():
            flag = "--" + name.replace("_", "-")
            if value is True:
                argv.append(flag)
            elif value is not False and value is not None:
                argv += [flag, str(value)]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        report.unlink(missing_ok=True)
        self.process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != "ready":
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"the stand-in did not start (said {line!r})")
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read_lines, daemon=True)
        self._reader.start()

    def _read_lines(self) -> None:
        """Drain the progress lines (a full pipe would stall demo.exe)."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self._lines.append(line.strip())
                self._changed.notify_all()
        with self._changed:
            self._lines.append("exit")
            self._changed.notify_all()

    def wait_for(self, done: Callable[[list[str]], bool], timeout: float = 30.0) -> None:
        """Wait until ``done(progress lines)`` holds, without touching exchange.db.

        Reading exchange.db to see what the stand-in did would take a shared
        lock, and that alone can fail demo.exe's commit: follow its output.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done(self._lines):
                left = deadline - time.monotonic()
                if left <= 0 or (self._lines and self._lines[-1] == "exit"):
                    raise AssertionError(f"the stand-in never got there: {self._lines[-5:]}")
                self._changed.wait(left)

    def wait_inserts(self, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` messages were attempted (written or lost)."""
        self.wait_for(lambda lines: sum(x.startswith("insert ") for x in lines) >= count, timeout)

    def wait_deleted(self, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` commands were sent and deleted."""
        self.wait_for(lambda lines: sum(x.endswith(" deleted") for x in lines) >= count, timeout)

    def wait(self, timeout: float | None = None) -> Report:
        """Wait for a stand-in given a ``duration`` to finish, and read its report."""
        code = self.process.wait(timeout)
        self._reader.join(timeout)
        if code != 0:
            raise RuntimeError(f"the stand-in failed with status {code}")
        return self.read()

    def stop(self, timeout: float = _READY_TIMEOUT) -> Report:
        """SIGTERM, wait, and read the report (idempotent)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        """End it without a report (cleanup after a failed test)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def read(self) -> Report:
        """The report the stand-in wrote."""
        return Report(json.loads(self.report_path.read_text("utf-8")))
