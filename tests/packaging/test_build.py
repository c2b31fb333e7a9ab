"""The packaged programs: build.spec built with PyInstaller, then run as a user runs them.

One build per test session (about a minute on two cores), in a temporary
folder: the one-file ``wxpanel`` (the panel, and on Linux every subcommand)
and ``wxpanel-cli`` (the console companion without Qt). The Windows exe is
built and smoke-run by ``.github/workflows/windows.yml`` on Windows and by
``scripts/windows-wine`` under Wine (``scripts/test`` runs it after pytest).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from wxpanel import __version__

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"),
        reason="the Windows exe is built and run by .github/workflows/windows.yml",
    ),
]

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: A rule that answers every text, so the simulator's traffic gets replies.
RULES_FILE = """{"format": "wxpanel-rules", "version": 1, "rules": [
 {"name": "answer everything", "triggers": [{"pattern": ".", "mode": "regex"}],
  "reply": {"texts": ["收到：{content}"]}}
]}"""


@dataclass(frozen=True)
class Build:
    dist: Path
    work: Path
    seconds: float

    @property
    def panel(self) -> Path:
        return self.dist / "wxpanel"

    @property
    def cli(self) -> Path:
        return self.dist / "wxpanel-cli"


def pyinstaller(dist: Path, work: Path, *spec_args: str) -> float:
    """Build build.spec into ``dist``; returns the seconds it took."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is missing: pip install -e '.[build]' (scripts/test does)")
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(dist), "--workpath", str(work), str(REPO / "build.spec")]
    if spec_args:
        command += ["--", *spec_args]
    started = time.monotonic()
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return time.monotonic() - started


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    root = tmp_path_factory.mktemp("pyinstaller")
    dist, work = root / "dist", root / "work"
    seconds = pyinstaller(dist, work)
    yield Build(dist, work, seconds)
    shutil.rmtree(root, ignore_errors=True)  # some 300 MB


def run(program: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [str(program), *args], capture_output=True, text=True, timeout=timeout, check=False, env=env
    )


def table_count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000, f"{path}: {len(data)} bytes"


def test_both_programs_report_the_version(built: Build) -> None:
    for program in (built.panel, built.cli):
        result = run(program, "--version")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"wxpanel {__version__}"


def test_the_bundle_holds_what_the_panel_needs_and_no_more(built: Build) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    panel_archive = CArchiveReader(str(built.panel))
    panel = set(panel_archive.toc)
    for needed in (
        "resources/exchange.db",
        "wxpanel/gui/i18n/wxpanel_zh_CN.qm",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "PySide6/Qt/lib/libQt6Charts.so.6",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/imageformats/libqgif.so",
    ):
        assert needed in panel, needed
    unwanted = ("Quick", "Qml", "Pdf", "WebEngine", "VirtualKeyboard", "Wayland", "Multimedia")
    for name in panel:
        assert not any(word in name for word in unwanted), name
    assert not [name for name in panel if "/plugins/tls/" in name or "qtbase_de" in name]
    python_modules = set(panel_archive.open_embedded_archive("PYZ.pyz").toc)
    assert "ssl" in python_modules  # webhooks and AI sources call HTTPS URLs
    cli_archive = CArchiveReader(str(built.cli))
    assert not [name for name in cli_archive.toc if "PySide6" in name or "Qt6" in name]
    assert "X utf8" in panel_archive.options and "X utf8" in cli_archive.options  # UTF-8 mode


def test_cli_without_a_subcommand_points_to_the_panel(built: Build) -> None:
    result = run(built.cli)
    assert result.returncode == 2 and "wxpanel-cli --help" in result.stderr
    assert "start wxpanel;" in result.stderr  # the panel, by its name
    assert "Traceback" not in result.stderr


def test_headless_ingests_the_simulator_and_queues_auto_replies(
    built: Build, exchange_db: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(RULES_FILE, encoding="utf-8")
    imported = run(built.cli, "rules", "import", str(rules), "--db", str(exchange_db))
    assert imported.returncode == 0 and "1 added" in imported.stdout, imported.stderr

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    headless = subprocess.Popen(
        [str(built.panel), "headless", "--db", str(exchange_db)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        simulated = run(
            built.cli, "simulate", "--db", str(exchange_db), "--rate", "20", "--duration", "3",
            "--seed", "1",
        )  # fmt: skip
        assert simulated.returncode == 0, simulated.stderr
        inserted = json.loads(simulated.stdout)["inserted"]  # demo.exe may lose some (issue 10)
        assert inserted > 10
        history = exchange_db.parent / "wxpanel-data" / "history.db"
        query = "SELECT count(*) FROM message WHERE origin = 'event'"
        deadline = time.monotonic() + 30
        # (Ingested rows stay in wx_event until a clean-up: history is what tells.)
        while time.monotonic() < deadline:
            with contextlib.suppress(sqlite3.Error):  # before its first migration
                if table_count(history, query) >= inserted:
                    break
            time.sleep(0.05)
        headless.send_signal(signal.SIGTERM)  # the one-file bootloader forwards it
        _, stderr = headless.communicate(timeout=30)
    finally:
        if headless.poll() is None:
            headless.kill()
            headless.communicate()
    assert headless.returncode == 0, stderr
    assert "stopped cleanly" in stderr and "Traceback" not in stderr

    received = table_count(history, query)
    replies = table_count(history, "SELECT count(*) FROM message WHERE origin = 'auto'")
    assert received == inserted  # every message demo.exe wrote (it writes no echoes)
    assert replies > 0

    stats = run(built.cli, "stats", "--db", str(exchange_db), "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["events_received"] == received
    exported = run(built.cli, "export", "--db", str(exchange_db))
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == received + replies


def test_plugins_run_in_worker_processes_of_the_frozen_program(built: Build) -> None:
    # The worker is the frozen program itself, started by multiprocessing's spawn and
    # turned into a worker by freeze_support(); a plugin that kills its process is contained.
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "smoke_plugins.py"), str(built.cli)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exit code 3" in result.stdout


def test_demo_screenshot_offscreen(built: Build, tmp_path: Path) -> None:
    shot = tmp_path / "out.png"
    result = run(built.panel, "--demo", "--screenshot", str(shot), "--after", "2")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert_png(shot)


def test_one_folder_variant(built: Build, tmp_path: Path) -> None:
    """``-- --onedir``: both programs in one folder (no compression: about half the time)."""
    dist = tmp_path / "dist"
    pyinstaller(dist, built.work, "--onedir")
    folder = dist / "wxpanel"
    for program in (folder / "wxpanel", folder / "wxpanel-cli"):
        result = run(program, "--version")
        assert result.returncode == 0 and result.stdout.strip() == f"wxpanel {__version__}"
    shot = tmp_path / "out.png"
    result = run(folder / "wxpanel", "--demo", "--screenshot", str(shot), "--after", "1")
    assert result.returncode == 0, result.stderr
    assert_png(shot)
    shutil.rmtree(dist)  # 150 MB unpacked
