"""The command line: one-line errors with status 2, and each subcommand end to end."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import REPO, insert_events, text_event
from tests.core.test_outbox import png_bytes
from wxpanel import __version__
from wxpanel.cli import main


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wxpanel", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_version_is_written_once() -> None:
    """pyproject.toml has the one literal; wxpanel reports what installing it put in the
    package metadata (a stale install, after the version changed, fails here)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == metadata.version("wxpanel") == project["version"]


@pytest.mark.slow  # runs the program in a subprocess
def test_version_everywhere() -> None:
    for args in ([], ["headless"], ["send"], ["export"], ["stats"], ["simulate"]):
        result = run(*args, "--version")
        assert result.returncode == 0 and result.stdout.strip() == f"wxpanel {__version__}"


@pytest.mark.slow  # runs the program in a subprocess
def test_help_lists_the_subcommands() -> None:
    result = run("--help")
    for name in ("headless", "send", "export", "stats", "simulate"):
        assert name in result.stdout


@pytest.mark.slow  # runs the program in a subprocess
@pytest.mark.parametrize("command", ["headless", "send", "export", "stats"])
def test_missing_database_is_one_line(tmp_path: Path, command: str) -> None:
    extra = ["--to", "wxid_a", "--text", "x"] if command == "send" else []
    missing = tmp_path / "nope" / "exchange.db"
    result = run(command, "--db", str(missing), *extra)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(missing) in result.stderr and "no such file" in result.stderr
    assert not missing.parent.exists()


@pytest.mark.slow  # runs the program in a subprocess
def test_wrong_schema_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "exchange.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    result = run("stats", "--db", str(db))
    assert result.returncode == 2 and "not demo.exe's exchange.db" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_makes_a_usable_file(tmp_path: Path) -> None:
    db = tmp_path / "exchange.db"
    assert main(["stats", "--db", str(db), "--create", "--json"]) == 0
    assert db.exists()


def test_send_then_export(exchange_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = 'say "hi"\n第二行 ①'  # every character fits code page 936
    assert main(["send", "--db", str(exchange_db), "--to", "wxid_a", "--text", text]) == 0
    with sqlite3.connect(exchange_db) as conn:
        row = conn.execute("SELECT Token, cmd_type, id_1, id_2, id_3 FROM wx_command").fetchone()
    # Token (never read by demo.exe) names the command, so a crash cannot send it twice.
    assert row[1:] == ("wx_send", "wxid_a", text, "null") and row[0].startswith("wxpanel:1:")
    capsys.readouterr()
    assert main(["export", "--db", str(exchange_db), "--conversation", "wxid_a"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["content"] for line in lines] == [text]
    assert lines[0]["direction"] == "out" and lines[0]["status"] == "written"


@pytest.mark.slow  # waits 1.5 s of real time for demo.exe
def test_send_picture_behind_an_untaken_command_says_what_it_waits_for(
    exchange_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: a minute of silence while an earlier command sat in wx_command."""
    assert main(["send", "--db", str(exchange_db), "--to", "wxid_a", "--text", "first"]) == 0
    picture = tmp_path / "p.png"
    picture.write_bytes(png_bytes())
    capsys.readouterr()
    args = ["send", "--db", str(exchange_db), "--to", "wxid_b", "--picture", str(picture)]
    started = time.monotonic()
    assert main([*args, "--wait", "1.5"]) == 0
    err = capsys.readouterr().err
    assert "#2 waits for #1 to wxid_a" in err and "not taken by demo.exe" in err
    assert err.count("waits for") == 1  # said once, not every poll
    assert time.monotonic() - started < 10


@pytest.mark.slow  # runs the program in a subprocess
def test_send_bad_picture_is_refused(exchange_db: Path, tmp_path: Path) -> None:
    fake = tmp_path / "x.png"
    fake.write_text("no")
    result = run("send", "--db", str(exchange_db), "--to", "wxid_a", "--picture", str(fake))
    assert result.returncode == 2 and "not a JPG, PNG, GIF or BMP" in result.stderr
    with sqlite3.connect(exchange_db) as conn:
        assert conn.execute("SELECT count(*) FROM wx_command").fetchone()[0] == 0


@pytest.mark.slow
def test_headless_ingests_and_stops_cleanly_on_sigterm(exchange_db: Path) -> None:
    insert_events(exchange_db, [text_event("wxid_a", f"msg {i}") for i in range(300)])
    process = subprocess.Popen(
        [sys.executable, "-m", "wxpanel", "headless", "--db", str(exchange_db)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        history = exchange_db.parent / "wxpanel-data" / "history.db"
        while time.monotonic() < deadline:
            if history.exists():
                with sqlite3.connect(history) as conn, contextlib.suppress(sqlite3.Error):
                    if conn.execute("SELECT count(*) FROM message").fetchone()[0] == 300:
                        break  # (before its first migration, history.db has no tables)
            time.sleep(0.02)
        insert_events(exchange_db, [text_event("wxid_b", "late")])
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "stopped cleanly" in stderr and "Traceback" not in stderr
    history = exchange_db.parent / "wxpanel-data" / "history.db"
    with sqlite3.connect(history) as conn:
        count = conn.execute("SELECT count(*) FROM message").fetchone()[0]
    with sqlite3.connect(exchange_db) as conn:
        left = conn.execute("SELECT count(*) FROM wx_event").fetchone()[0]
    # Every event is in history before the process exits; rows stay in wx_event
    # until a clean-up (only the newest one would stay after it).
    assert count == 301 and 1 <= left <= 301


def test_stats_counts_the_traffic(exchange_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from wxpanel.core.engine import Engine

    insert_events(exchange_db, [text_event("wxid_a", "a"), text_event("wxid_b", "b")])
    with Engine(exchange_db) as engine:
        engine.poll()
        engine.queue_text("wxid_a", "reply")
        engine.poll()
    insert_events(exchange_db, [text_event("wxid_c", "waiting")])
    assert main(["stats", "--db", str(exchange_db), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["events_received"] == 2 and figures["incoming"] == 2
    assert figures["commands_queued"] == 1 and figures["commands_written"] == 1
    assert figures["backlog"] == 1 and figures["pending_commands"] == 1
    assert figures["oldest_pending_age"] is not None
    assert main(["stats", "--db", str(exchange_db)]) == 0
    assert "wx_event backlog     1" in capsys.readouterr().out


RULES_FILE = """{"format": "wxpanel-rules", "version": 1, "rules": [
 {"name": "菜单", "triggers": ["菜单"], "reply": {"texts": ["功能列表"]}},
 {"name": "订单", "triggers": [{"pattern": "^订单(\\\\d+)$", "mode": "regex"}],
  "reply": {"texts": ["订单 {1} 已收到"]}, "cooldown": 60}
]}"""


def test_rules_import_list_export_round_trip(
    exchange_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "rules.json"
    source.write_text(RULES_FILE, encoding="utf-8")
    assert main(["rules", "import", str(source), "--db", str(exchange_db)]) == 0
    assert "2 added" in capsys.readouterr().out
    assert main(["rules", "list", "--db", str(exchange_db)]) == 0
    listing = capsys.readouterr().out
    assert "菜单" in listing and "^订单(\\d+)$" in listing
    exported = tmp_path / "out.json"
    assert main(["rules", "export", str(exported), "--db", str(exchange_db)]) == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert [rule["name"] for rule in data["rules"]] == ["菜单", "订单"]
    # importing the export again replaces by name: nothing is duplicated
    assert main(["rules", "import", str(exported), "--db", str(exchange_db)]) == 0
    assert "0 added, 2 replaced" in capsys.readouterr().out


@pytest.mark.slow  # runs the program in a subprocess
def test_bad_rules_file_is_refused_whole(exchange_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "wxpanel-rules", "version": 1, "rules": ['
        '{"name": "ok", "triggers": ["hi"], "reply": {"texts": ["hello"]}},'
        '{"name": "x", "triggers": [{"pattern": "(", "mode": "regex"}],'
        ' "reply": {"texts": ["y"]}}]}',
        encoding="utf-8",
    )
    result = run("rules", "import", str(bad), "--db", str(exchange_db))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "rules[1].triggers[0].pattern: bad regular expression" in result.stderr
    listing = run("rules", "list", "--db", str(exchange_db))
    assert listing.returncode == 0 and " ok " not in listing.stdout  # nothing half-imported


@pytest.mark.slow  # runs the program in a subprocess
@pytest.mark.parametrize("verbose", [False, True])
def test_headless_logs_a_line_per_batch_unless_verbose(
    exchange_db: Path, caplog: pytest.LogCaptureFixture, verbose: bool
) -> None:
    from wxpanel.core import headless
    from wxpanel.core.engine import Engine, PollResult
    from wxpanel.core.settings import Settings

    insert_events(exchange_db, [text_event("wxid_a", f"msg {i}") for i in range(30)])
    stop = threading.Event()

    def stop_when_empty(result: PollResult) -> None:
        if not result.messages:
            stop.set()

    caplog.set_level(logging.DEBUG, logger="wxpanel.core.headless")
    with Engine(exchange_db, settings=Settings()) as engine:
        assert headless.run(engine, stop, stop_when_empty, verbose=verbose) == 30
    lines = [r.getMessage() for r in caplog.records if r.name == "wxpanel.core.headless"]
    per_message = [line for line in lines if line.startswith("in wxid_a")]
    if verbose:
        assert len(per_message) == 30
    else:
        assert not per_message and "30 message(s) in 1 conversation(s)" in lines
