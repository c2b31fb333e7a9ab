"""Check that a built wxpanel runs plugins in worker processes of its own, and contains them.

    python scripts/smoke_plugins.py dist/wxpanel-cli.exe      (or dist/wxpanel-cli on Linux)

In a temporary folder beside a copy of demo.exe's empty exchange.db, runs
``PROGRAM headless --plugins DIR`` with two plugins: ``a_quitter`` ends its
process (``os._exit(3)``), ``b_pong`` answers.  Passes when the answer is
queued, ``a_quitter`` is switched off naming its exit code, and headless
is still running until it is stopped.  In the frozen program the worker is
the program itself (multiprocessing's spawn, turned into the worker by
``freeze_support``), which is what this proves.  Run by
``tests/packaging/test_build.py`` (Linux) and ``.github/workflows/windows.yml``;
exits 1 naming what is wrong.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAIT = 120.0  # seconds: a one-file program unpacks itself for each worker's first start
LOADED = "SELECT count(*) FROM answer_source WHERE name = 'b_pong' AND last_error IS NULL"
ANSWERED = "SELECT count(*) FROM message WHERE origin = 'auto' AND content = 'pong: ping'"
QUITTER = "SELECT coalesce(last_error, '') FROM answer_source WHERE name = 'a_quitter'"


def query(db: Path, sql: str) -> object:
    if not db.exists():
        return None
    conn = sqlite3.connect(db, timeout=5)
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.OperationalError:  # not created yet
        return None
    finally:
        conn.close()
    return row[0] if row else None


def wait_until(what: str, check: Callable[[], object], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if process.poll() is not None:
            raise SystemExit(f"headless ended (exit code {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise SystemExit(f"no {what} within {WAIT:g} s")
        time.sleep(0.2)


def smoke(program: Path, folder: Path) -> str:
    db = folder / "exchange.db"
    shutil.copyfile(ROOT / "resources" / "exchange.db", db)
    plugins = folder / "plugins"
    plugins.mkdir()
    (plugins / "a_quitter.py").write_text(
        "import os\ndef handle(message):\n    os._exit(3)\n", encoding="utf-8"
    )
    (plugins / "b_pong.py").write_text(
        "def handle(message):\n    return 'pong: ' + message.content\n", encoding="utf-8"
    )
    history = folder / "wxpanel-data" / "history.db"
    command = [str(program), "headless", "--db", str(db), "--plugins", str(plugins)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_until("plugin loaded", lambda: query(history, LOADED), process)
        conn = sqlite3.connect(db)  # what demo.exe does when a message arrives
        try:
            conn.execute(
                "INSERT INTO wx_event VALUES (?, ?, ?, ?, ?, ?)",
                ("wxid_a", "wxid_a", "私聊", "ping", "收到", "1"),
            )
            conn.commit()
        finally:
            conn.close()
        wait_until("answer from b_pong", lambda: query(history, ANSWERED), process)
        error = str(query(history, QUITTER))
        if "exit code 3" not in error:
            raise SystemExit(f"a_quitter is not reported as ended by its exit code: {error!r}")
        if process.poll() is not None:
            raise SystemExit(f"headless ended (exit code {process.returncode})")
    finally:
        if process.poll() is None:
            if sys.platform == "win32":
                process.terminate()
            else:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return error


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="wxpanel-smoke-"))
    try:
        error = smoke(Path(argv[0]).resolve(), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"plugins run in worker processes; a_quitter switched off: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
