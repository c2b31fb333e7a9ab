"""Plugins load from beside the program and ``--plugins DIR``, never from the working directory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import insert_events, stop, text_event
from wxpanel.core.sources.hub import default_plugin_dirs, program_dir

REPO = Path(__file__).resolve().parents[3]


def marker_plugin(folder: Path, name: str, marker: Path) -> None:
    """A plugin that leaves ``marker`` behind as soon as it is loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
        "def handle(message):\n    return None\n",
        encoding="utf-8",
    )


def test_the_working_directory_is_not_a_plugin_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert program_dir() == REPO
    assert default_plugin_dirs() == (REPO / "plugins",)
    extra = tmp_path / "mine"
    assert default_plugin_dirs(extra) == (extra, REPO / "plugins")


def test_frozen_the_folder_beside_the_exe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "app" / "wxpanel-cli.exe"))
    assert default_plugin_dirs() == ((tmp_path / "app" / "plugins").resolve(),)


@pytest.mark.slow
def test_headless_started_in_a_folder_with_plugins_does_not_run_them(
    exchange_db: Path, tmp_path: Path
) -> None:
    untrusted = tmp_path / "downloads"
    evil_ran = tmp_path / "evil-ran"
    marker_plugin(untrusted / "plugins", "evil", evil_ran)
    chosen_ran = tmp_path / "chosen-ran"
    marker_plugin(tmp_path / "chosen", "chosen", chosen_ran)  # proves plugins were scanned
    insert_events(exchange_db, [text_event("wxid_a", "hello")])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "wxpanel", "headless", "--db", str(exchange_db)]
    process = subprocess.Popen(
        [*command, "--plugins", str(tmp_path / "chosen")],
        cwd=untrusted,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not chosen_ran.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stderr = stop(process)
    assert chosen_ran.exists(), stderr
    assert not evil_ran.exists()
    send = [sys.executable, "-m", "wxpanel", "send", "--db", str(exchange_db), "--to", "wxid_a"]
    result = subprocess.run(
        [*send, "--text", "hi", "--wait", "0"],
        cwd=untrusted,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert not evil_ran.exists()
