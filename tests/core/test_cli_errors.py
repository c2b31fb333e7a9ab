"""The command line's contract: a failure is one line; known ones exit 2, bugs exit 1.

Each case here once printed a traceback with status 1.  Most run the CLI in
process (:func:`wxpanel.cli.main`), which is where the contract is kept.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from tests.core.test_stopping import headless, stop_and_time
from wxpanel import cli
from wxpanel.cli import main


def cli_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``wxpanel ARGS`` in this process: (status, stdout, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's usage errors and --help
        code = exit_.code if isinstance(exit_.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(err: str) -> str:
    lines = err.splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert lines[0].startswith("wxpanel"), err
    return lines[0]


def fill_history(exchange_db: Path, count: int = 3000) -> Path:
    from wxpanel.core.engine import Engine

    rows = [text_event(f"wxid_{i % 30}", "hello " * 30 + str(i)) for i in range(count)]
    insert_events(exchange_db, rows)
    with Engine(exchange_db) as engine:
        for _ in range(200):
            engine.poll()
            with sqlite3.connect(exchange_db) as conn:
                if conn.execute("SELECT count(*) FROM wx_event").fetchone()[0] == 0:
                    break
        engine.poll()
    return exchange_db.parent / "wxpanel-data" / "history.db"


def damage(history: Path) -> None:
    """Garbage in the middle: the tables each command reads and every seventh page after."""
    with sqlite3.connect(history) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = [
            row[0]
            for row in conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE name IN ('counter', 'auto_rule')"
            )
        ]
    conn.close()
    data = bytearray(history.read_bytes())
    garbage = bytes(range(256)) * (size // 256)
    for page in [*roots, *range(roots[0] + 20, len(data) // size, 7)]:
        data[(page - 1) * size : page * size] = garbage
    history.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def damaged_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import real_exchange_db

    folder = tmp_path_factory.mktemp("damaged") / "bot"
    folder.mkdir()
    db = folder / "exchange.db"
    shutil.copyfile(real_exchange_db(), db)
    db.chmod(0o644)
    damage(fill_history(db))
    return folder


@pytest.fixture
def damaged(damaged_template: Path, tmp_path: Path) -> Path:
    """An exchange.db whose history.db has garbage in the middle."""
    target = tmp_path / "bot"
    shutil.copytree(damaged_template, target)
    return target / "exchange.db"


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [["export"], ["stats"], ["send", "--to", "wxid_a", "--text", "x"], ["headless"]],
    ids=lambda c: c[0],
)
def test_a_damaged_history_is_one_line(
    damaged: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli_run(capsys, *command, "--db", str(damaged))
    line = one_line_error(err)
    assert code == 2
    assert "history.db" in line and "damaged" in line


@pytest.mark.slow
def test_headless_says_what_it_refused_in_settings_and_runs(exchange_db: Path) -> None:
    data = exchange_db.parent / "wxpanel-data"
    data.mkdir()
    (data / "settings.json").write_text('{"poll_interval": 1e999, "pacer": []}')
    with headless(exchange_db) as process:
        _, rest = stop_and_time(process, signal.SIGTERM)
    stderr = "".join(process.early_lines) + rest
    assert process.returncode == 0 and "Traceback" not in stderr
    assert "poll_interval: inf is not between" in stderr
    assert "pacer: expected a JSON object" in stderr
    assert json.loads((data / "settings.json").read_text())["pacer"] == []  # kept as written


@pytest.mark.parametrize(
    "settings", ['{"pacer": []}', '{"poll_interval": 1e999}', "[1, 2", '"just text"', "{" * 99_999]
)
def test_send_warns_about_settings_and_sends_on_defaults(
    exchange_db: Path, settings: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = exchange_db.parent / "wxpanel-data"
    data.mkdir()
    (data / "settings.json").write_text(settings)
    code, out, err = cli_run(
        capsys, "send", "--db", str(exchange_db), "--to", "wxid_a", "--text", "hi"
    )
    assert code == 0 and "written to wx_command" in out
    assert "Traceback" not in err
    assert all(line.startswith("wxpanel: warning: ") for line in err.splitlines()), err
    assert "settings.json" in err
    assert (data / "settings.json").read_text() == settings  # never overwritten


def test_a_data_folder_that_cannot_be_written_is_one_line(
    exchange_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The log file cannot be made (a file stands where its folder goes; root ignores modes)."""
    data = exchange_db.parent / "wxpanel-data"
    data.mkdir()
    (data / "logs").write_text("not a folder")
    code, _, err = cli_run(capsys, "headless", "--db", str(exchange_db))
    line = one_line_error(err)
    assert code == 2 and "logs" in line


def test_a_permission_error_is_one_line(
    exchange_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("wxpanel.core.logbook.logging.handlers.RotatingFileHandler", refuse)
    code, _, err = cli_run(capsys, "headless", "--db", str(exchange_db))
    line = one_line_error(err)
    assert code == 2 and "Permission denied" in line and "wxpanel.log" in line


def test_a_rules_file_nested_100000_deep_is_one_line(
    exchange_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    code, _, err = cli_run(capsys, "rules", "import", str(deep), "--db", str(exchange_db))
    assert code == 2 and "nested too deeply" in one_line_error(err)


@pytest.mark.parametrize("to", ["", " ", "a\nb"])
def test_send_to_nobody_is_a_usage_error(
    exchange_db: Path, to: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli_run(capsys, "send", "--db", str(exchange_db), "--to", to, "--text", "x")
    assert code == 2 and "--to" in one_line_error(err)
    with sqlite3.connect(exchange_db) as conn:
        assert conn.execute("SELECT count(*) FROM wx_command").fetchone()[0] == 0


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--bogus"], ["send"], ["export", "--db"], ["rules"], ["stats", "--db", "x", "y"]):
        code, _, err = cli_run(capsys, *args)
        assert code == 2
        assert "--help" in one_line_error(err)


def test_a_bug_is_one_line_naming_the_log_with_the_traceback(
    exchange_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(args: object) -> int:
        raise RuntimeError("a bug in wxpanel")

    monkeypatch.setitem(cli.COMMANDS, "export", boom)
    code, _, err = cli_run(capsys, "export", "--db", str(exchange_db))
    line = one_line_error(err)
    assert code == 1 and "a bug in wxpanel" in line
    log = Path(line.split("details in ", 1)[1])
    assert log == exchange_db.parent / "wxpanel-data" / "logs" / "wxpanel.log"
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: a bug in wxpanel" in text


def test_a_bug_with_an_unwritable_data_folder_still_names_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(args: object) -> int:
        raise KeyError("oops")

    monkeypatch.setitem(cli.COMMANDS, "export", boom)
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    code, _, err = cli_run(
        capsys, "export", "--db", str(tmp_path / "x.db"), "--data-dir", str(blocked)
    )
    line = one_line_error(err)
    assert code == 1
    log = Path(line.split("details in ", 1)[1])
    assert "KeyError" in log.read_text()


# -- export and stats read history only ------------------------------------------------------


@pytest.fixture
def read_only_exchange(exchange_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """exchange.db as a read-only file looks to wxpanel (root writes anything, so pretend)."""
    from tests.conftest import insert_events, text_event

    assert main(["send", "--db", str(exchange_db), "--to", "wxid_a", "--text", "x"]) == 0
    insert_events(exchange_db, [text_event("wxid_a", "waiting")])
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(str(path)).resolve() == exchange_db.resolve():
            return False
        return real_access(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    return exchange_db


def test_export_and_stats_read_a_read_only_exchange_db(
    read_only_exchange: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code, out, err = cli_run(capsys, "export", "--db", str(read_only_exchange))
    assert code == 0 and err == "" and '"content":"x"' in out
    code, out, err = cli_run(capsys, "stats", "--db", str(read_only_exchange), "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["backlog"] == 1  # counted read-only
    code, _, err = cli_run(capsys, "headless", "--db", str(read_only_exchange))
    assert code == 2 and "read-only" in one_line_error(err)  # consuming does need to write


def test_export_does_not_open_exchange_db(
    exchange_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even a locked exchange.db (demo.exe mid-write) does not hold export or stats up."""
    assert main(["send", "--db", str(exchange_db), "--to", "wxid_a", "--text", "x"]) == 0
    capsys.readouterr()
    holder = sqlite3.connect(exchange_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, out, err = cli_run(capsys, "export", "--db", str(exchange_db))
        assert code == 0 and err == "" and '"content":"x"' in out
        code, out, err = cli_run(capsys, "stats", "--db", str(exchange_db), "--json")
        # exchange.db is counted without a lock, so even now the backlog is known.
        assert code == 0 and err == "" and json.loads(out)["backlog"] == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize(
    ("offset", "garbage"),
    [(80221, b"\x80"), (51, b"\x00" * 9 + b"\x80")],
    ids=["schema-text", "schema-version"],
)
def test_garbage_in_the_schema_is_a_damaged_file_not_a_bug(
    exchange_db: Path, capsys: pytest.CaptureFixture[str], offset: int, garbage: bytes
) -> None:
    """Found by the fuzz test: SQLite's message quoting the garbage cannot be decoded
    (a UnicodeDecodeError), and a negative user_version broke the migrations."""
    assert main(["send", "--db", str(exchange_db), "--to", "wxid_a", "--text", "x"]) == 0
    capsys.readouterr()
    history = exchange_db.parent / "wxpanel-data" / "history.db"
    data = bytearray(history.read_bytes())
    data[offset : offset + len(garbage)] = garbage
    history.write_bytes(bytes(data))
    code, _, err = cli_run(capsys, "export", "--db", str(exchange_db))
    line = one_line_error(err)
    assert code == 2 and "history.db" in line and "damaged" in line


def test_export_and_stats_work_once_exchange_db_is_gone(
    exchange_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The history is still there to read after demo.exe's folder lost its file."""
    assert main(["send", "--db", str(exchange_db), "--to", "wxid_a", "--text", "x"]) == 0
    exchange_db.unlink()
    capsys.readouterr()
    code, out, err = cli_run(capsys, "export", "--db", str(exchange_db))
    assert code == 0 and err == "" and '"content":"x"' in out
    code, out, err = cli_run(capsys, "stats", "--db", str(exchange_db), "--json")
    assert code == 0 and err == "" and json.loads(out)["backlog"] is None
