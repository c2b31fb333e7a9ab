"""The Windows programs, run under Wine as a Windows user runs them.

Each check raises :class:`Failed` naming what it saw; ``run_all`` times every
step. Exchange.db is only ever read from Linux with ``mode=ro&nolock=1`` (no
lock at all) while Windows programs run on it: a Linux reader holding a lock
would make the simulated demo.exe lose messages, which is what the headless
step counts.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import journal_race
from winenv import REPO, WineEnv, collect, say, step, windows_path

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
EXCHANGE = REPO / "resources" / "exchange.db"
#: A rule that answers every text, so the simulated traffic gets replies demo.exe takes.
RULES = (
    '{"format": "wxpanel-rules", "version": 1, "rules": [{"name": "answer everything",'
    ' "triggers": [{"pattern": ".", "mode": "regex"}], "reply": {"texts": ["收到：{content}"]}}]}'
)


class Failed(Exception):
    """A smoke check failed."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise Failed(message)


def wait_for(what: str, probe: Callable[[], object], timeout: float, every: float = 0.2) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failed(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def count(db: Path, sql: str) -> int:
    """A count from an SQLite file, read without taking any lock (see the module docstring)."""
    for _ in range(50):
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&nolock=1", uri=True)
        try:
            return int(conn.execute(sql).fetchone()[0])
        except sqlite3.DatabaseError:  # caught a page mid-write: read again
            time.sleep(0.05)
        finally:
            conn.close()
    raise Failed(f"{db}: unreadable")


def replies_taken(history: Path) -> int:
    """Automatic replies history.db records as taken by demo.exe."""
    return history_count(
        history, "SELECT count(*) FROM message WHERE origin = 'auto' AND status = 'taken'"
    )


def ingested(history: Path) -> int:
    """Events in wxpanel's history.db."""
    return history_count(history, "SELECT count(*) FROM message WHERE origin = 'event'")


def history_count(history: Path, sql: str) -> int:
    """A count from wxpanel's history.db, 0 before it is made.

    An ordinary read-only connection: history.db is wxpanel's own file (a
    lock there costs demo.exe nothing), and in WAL mode, which a ``nolock``
    connection cannot open (it needs the -shm's locks).
    """
    if not history.exists():
        return 0
    conn = sqlite3.connect(f"{history.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not made yet
        return 0
    finally:
        conn.close()


def fresh_folder(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


class Smoke:
    def __init__(self, env: WineEnv, out: Path) -> None:
        self.env = env
        self.out = out
        self.dist = out / "dist"
        self.cli = self.dist / "wxpanel-cli.exe"
        self.panel = self.dist / "wxpanel.exe"
        self.work = fresh_folder(out / "smoke")
        self.shots = fresh_folder(out / "screenshots")
        self.display: str | None = None
        self.last_titles: list[str] = []  # for the message when no window comes

    # -- helpers ------------------------------------------------------------------------------

    def cli_run(self, *args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        result = self.env.run([self.cli, *args], cwd=self.work, timeout=timeout)
        check("Traceback" not in result.stdout, f"wxpanel-cli.exe {args}:\n{result.stdout}")
        return result

    def gui_env(self, lang: str) -> dict[str, str]:
        assert self.display is not None
        return self.env.env(DISPLAY=self.display, LANG=lang, LC_ALL=lang)

    def window_titles(self) -> list[str]:
        """Titles of the top-level windows on the Xvfb display (UTF-8)."""
        tree = subprocess.run(
            ["xwininfo", "-root", "-children", "-display", str(self.display)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        titles = []
        for window in re.findall(r"^\s+(0x[0-9a-f]+) ", tree, re.MULTILINE):
            prop = subprocess.run(
                ["xprop", "-display", str(self.display), "-id", window, "_NET_WM_NAME"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            match = re.search(r'= "(.*)"', prop)
            if match:
                titles.append(match.group(1))
        return titles

    def message_box(self) -> str | None:
        titles = self.window_titles()
        self.last_titles = titles
        return "wxpanel" if "wxpanel" in titles else None

    def panel_window(self) -> str | None:
        titles = self.window_titles()
        self.last_titles = titles
        return next((t for t in titles if t.startswith("wxpanel")), None)

    def wait_window(
        self, process: subprocess.Popen[bytes], what: str, probe: Callable[[], str | None]
    ) -> str:
        """Wait for a window; fail with the program's output if it exits first."""

        def shown() -> str | None:
            if process.poll() is not None:
                out, err = collect(process, 10)
                text = (out + err).decode("utf-8", "replace")
                raise Failed(f"exited with {process.returncode} before {what}:\n{text}")
            return probe()

        try:
            return str(wait_for(what, shown, timeout=120, every=0.5))
        except Failed as failed:
            raise Failed(f"{failed}; windows: {self.last_titles}") from None

    def screenshot(self, name: str) -> Path:
        """The whole Xvfb screen as PNG, grabbed by Linux Qt; fails if it is one flat colour."""
        target = self.shots / name
        # Grabbed again until it shows more than a few colours: a window is mapped
        # a moment before Qt has painted it.
        grab = (
            "import sys, time\n"
            "from PySide6.QtGui import QGuiApplication\n"
            "app = QGuiApplication(sys.argv[:1])\n"
            "deadline = time.monotonic() + 30\n"
            "while True:\n"
            "    image = app.primaryScreen().grabWindow(0).toImage()\n"
            "    colours = {image.pixel(x, y) for x in range(0, image.width(), 3)"
            " for y in range(0, image.height(), 3)}\n"
            "    if len(colours) > 8 or time.monotonic() > deadline:\n"
            "        break\n"
            "    time.sleep(0.5)\n"
            "print(len(colours))\n"
            "sys.exit(0 if image.save(sys.argv[1]) else 1)\n"
        )
        env = {**os.environ, "DISPLAY": str(self.display), "QT_QPA_PLATFORM": "xcb"}
        result = subprocess.run(
            [sys.executable, "-c", grab, str(target)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        check(result.returncode == 0, f"screenshot {name}: {result.stderr}")
        check(int(result.stdout.split()[-1]) > 8, f"screenshot {name}: a flat picture")
        say(f"screenshot {target}")
        return target

    def kill_panels(self, process: subprocess.Popen[bytes]) -> None:
        """After a failed step: the one-file launcher and the panel it started, both."""
        if process.poll() is None:
            process.kill()
            process.wait()
        self.env.run(["taskkill", "/F", "/IM", "wxpanel.exe"], timeout=60)

    def close_panel(self, process: subprocess.Popen[bytes], env: dict[str, str]) -> str:
        """``taskkill /IM wxpanel.exe`` (no /F): the window closes as by its close button."""
        self.env.run(["taskkill", "/IM", "wxpanel.exe"], env=env, timeout=60)
        try:
            _, stderr = collect(process, 60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise Failed("wxpanel.exe did not close after taskkill") from None
        text = stderr.decode("utf-8", "replace")
        check(process.returncode == 0, f"wxpanel.exe exited with {process.returncode}:\n{text}")
        check("Traceback" not in text, text)
        return text

    # -- the steps ----------------------------------------------------------------------------

    def versions(self) -> None:
        for program in (self.cli, self.panel):
            result = self.env.run([program, "--version"], timeout=180)
            check(
                result.returncode == 0 and result.stdout.strip() == f"wxpanel {VERSION}",
                f"{program.name} --version: {result.returncode} {result.stdout!r}",
            )
        result = self.cli_run()
        check(
            result.returncode == 2 and "wxpanel.exe" in result.stdout and "--help" in result.stdout,
            f"wxpanel-cli.exe without a command: {result.stdout!r}",
        )

    def pe_headers(self) -> None:
        result = self.env.run(
            [self.env.python, REPO / "scripts" / "check_windows_exe.py", self.panel, self.cli],
            cwd=REPO,
        )
        say(result.stdout.strip())
        check(result.returncode == 0, "check_windows_exe.py failed")

    def command_line(self) -> Path:
        """rules import, simulate, stats: a backlog for the headless step."""
        folder = fresh_folder(self.work / "bot")
        db = folder / "exchange.db"
        shutil.copy2(EXCHANGE, db)
        rules = folder / "rules.json"
        rules.write_text(RULES, encoding="utf-8")
        result = self.cli_run("rules", "import", windows_path(rules), "--db", windows_path(db))
        check(result.returncode == 0 and "1 added" in result.stdout, result.stdout)
        result = self.cli_run(
            "simulate", "--db", windows_path(db), "--rate", "20", "--duration", "2", "--seed", "1"
        )
        check(result.returncode == 0, result.stdout)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        check(figures["lost"] == 0 and figures["inserted"] > 10, f"simulate: {figures}")
        result = self.cli_run("stats", "--db", windows_path(db), "--json")
        check(result.returncode == 0, result.stdout)
        backlog = json.loads(result.stdout)["backlog"]
        check(backlog == figures["inserted"], f"stats backlog {backlog}, simulated {figures}")
        say(f"backlog after two simulated seconds: {backlog}")
        return db

    def headless(self, db: Path) -> None:
        """Drain the backlog while demo.exe (simulate) keeps writing; stop with Ctrl-C."""
        backlog = count(db, "SELECT count(*) FROM wx_event")
        history = db.parent / "wxpanel-data" / "history.db"
        headless = self.env.popen([self.cli, "headless", "--db", windows_path(db)], cwd=db.parent)
        # Its log (a line per message) is read all along, so a full pipe never blocks it.
        reader = concurrent.futures.ThreadPoolExecutor(1)
        output = reader.submit(collect, headless, 600)
        try:
            wait_for("the backlog in history", lambda: ingested(history) == backlog, timeout=120)
            simulate = self.cli_run(
                "simulate",
                "--db",
                windows_path(db),
                "--rate",
                "10",
                "--duration",
                "12",
                "--seed",
                "2",
                timeout=300,
            )
            check(simulate.returncode == 0, simulate.stdout)
            figures = json.loads(simulate.stdout.strip().splitlines()[-1])
            say(f"simulate beside headless: {figures}")
            if figures["lost"]:
                # What a command write costs depends on the disk's fsync time (under
                # Wine ~17 ms a write): benchmarks/boundary.py measures it; here it
                # is said, and everything demo.exe did write must reach history.
                say(f"NOTE: demo.exe lost {figures['lost']} messages while replies were written")
            check(figures["duplicates"] == 0, f"demo.exe sent commands twice: {figures}")
            check(figures["commands"] > 0, f"demo.exe took no reply: {figures}")
            written = backlog + figures["inserted"]
            try:
                wait_for("the new events", lambda: ingested(history) == written, timeout=120)
            except Failed:
                # Say what the file holds too: a row in neither place is a lost message.
                rows = count(db, "SELECT count(*) FROM wx_event")
                top = count(db, "SELECT coalesce(max(rowid), 0) FROM wx_event")
                raise Failed(
                    f"history holds {ingested(history)} events of {written};"
                    f" wx_event holds {rows} rows, the newest rowid {top}"
                ) from None
            # The last command demo.exe took is seen taken on the poller's next round:
            # stopping before it would leave it "written" in history.
            wait_for(
                "the replies seen taken", lambda: replies_taken(history) >= figures["commands"], 60
            )
            self.ctrl_c(headless)
            _, stderr = output.result(timeout=60)
        finally:
            if headless.poll() is None:
                headless.kill()
                headless.wait()
            reader.shutdown()
        log = stderr.decode("utf-8", "replace")
        check(
            headless.returncode == 0, f"headless exited with {headless.returncode}:\n{log[-3000:]}"
        )
        check("stopped cleanly" in log and "Traceback" not in log, log[-3000:])
        received = ingested(history)
        taken = replies_taken(history)
        check(
            received == backlog + figures["inserted"],
            f"history holds {received} events, demo.exe wrote {backlog} + {figures['inserted']}",
        )
        check(
            taken >= figures["commands"],
            f"{taken} replies taken, demo.exe took {figures['commands']}",
        )
        say(f"headless: {received} events in history, {taken} replies taken by demo.exe")

    def journal_race(self) -> None:
        """demo.exe's INSERTs beside the lock-free reader polled without pause (issue 10).

        The source tree's reader, run by the Windows Python: a handle of ours on
        demo.exe's journal at its commit made it roll back ~10 % of its messages.
        """
        figures = journal_race.race(
            self.env, self.work / "journal-race", inserts=300, reader="wxpanel", dll=None
        )
        say(f"journal race: {figures}")
        check(figures["committed"] > 0, f"demo.exe committed nothing: {figures}")
        check(
            figures["missing"] == 0,
            f"{figures['missing']} messages demo.exe committed are gone: {figures}",
        )

    def ctrl_c(self, launcher: subprocess.Popen[bytes]) -> None:
        """SIGINT to the Windows processes the launcher started (Wine makes it a Ctrl-C)."""
        pids = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and self._is_cli(int(pid))]
        check(pids, "no wxpanel-cli.exe process to interrupt")
        # The one-file bootloader waits for its child, the Python that runs wxpanel:
        # Ctrl-C reaches both on Windows; the child stops cleanly, the parent passes its status.
        for pid in pids:
            os.kill(pid, signal.SIGINT)

    @staticmethod
    def _is_cli(pid: int) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return b"wxpanel-cli.exe" in cmdline and b"headless" in cmdline

    def export(self, db: Path) -> None:
        """CSV export to a file, as the README's uninstall step does, checked byte for byte."""
        target = db.parent / "history.csv"
        export = self.env.popen(
            [self.cli, "export", "--db", windows_path(db), "--format", "csv"], cwd=self.work
        )
        raw, errors = collect(export, 180)
        check(export.returncode == 0, errors.decode("utf-8", "replace"))
        target.write_bytes(raw)
        expected = subprocess.run(
            [sys.executable, "-m", "wxpanel", "export", "--db", str(db), "--format", "csv"],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
            timeout=180,
            check=True,
        ).stdout
        check(b"\r\r\n" not in raw, "CSV rows end with \\r\\r\\n")
        check(raw.startswith(b"\xef\xbb\xbfid,time,"), f"CSV starts {raw[:20]!r}, not a UTF-8 BOM")
        check(raw == expected, f"{target}: differs from the Linux export of the same history")
        rows = raw.count(b"\r\n") - 1
        check(
            rows
            == history_count(
                db.parent / "wxpanel-data" / "history.db", "SELECT count(*) FROM message"
            ),
            "CSV rows != messages in history",
        )
        say(f"export: {rows} rows, {len(raw)} bytes, identical to the Linux export")

    def double_click(self) -> None:
        """A folder holding only wxpanel.exe and demo.exe's exchange.db; started from there."""
        folder = fresh_folder(self.work / "WechatBot")
        shutil.copy2(self.panel, folder / "wxpanel.exe")
        shutil.copy2(EXCHANGE, folder / "exchange.db")
        env = self.gui_env("en_US.UTF-8")
        process = self.env.popen([folder / "wxpanel.exe"], cwd=folder, env=env)
        try:
            title = self.wait_window(process, "the panel's window", self.panel_window)
            say(f"window {title!r}")
            wait_for(
                "wxpanel-data\\history.db",
                lambda: (folder / "wxpanel-data" / "history.db").exists(),
                timeout=60,
            )
            self.screenshot("double-click.png")
            self.close_panel(process, env)
        finally:
            self.kill_panels(process)
        left = sorted(p.name for p in folder.iterdir())
        if "exchange.db.wxpanel.lock" in left:
            # wxpanel.core.instance's lock file: the one file wxpanel leaves beside exchange.db.
            say("NOTE: exchange.db.wxpanel.lock stays beside exchange.db")
            left.remove("exchange.db.wxpanel.lock")
        check(left == ["exchange.db", "wxpanel-data", "wxpanel.exe"], f"folder holds {left}")
        log = (folder / "wxpanel-data" / "logs" / "wxpanel.log").read_text(encoding="utf-8")
        check("Traceback" not in log, log[-3000:])

    def demo(self, lang: str, tag: str) -> None:
        """``wxpanel.exe --demo`` in a real window; the title says the language."""
        env = self.gui_env(lang)
        own = self.shots / f"demo-{tag}-grab.png"
        process = self.env.popen(
            [self.panel, "--demo", "--screenshot", windows_path(own), "--after", "8"],
            cwd=self.work,
            env=env,
        )
        try:
            unread = "条未读" if tag == "zh" else "unread"
            title = self.wait_window(
                process,
                f"the demo window with {unread!r} in its title",
                lambda: next((t for t in [self.panel_window() or ""] if unread in t), None),
            )
            say(f"window {title!r}")
            time.sleep(4)  # traffic and the staged reply, as the panel's own grab sees them
            self.screenshot(f"demo-{tag}.png")
            _, stderr = collect(process, 180)
        finally:
            self.kill_panels(process)
        text = stderr.decode("utf-8", "replace")
        check(
            process.returncode == 0 and own.exists(), f"--demo ({tag}): {process.returncode} {text}"
        )

    def older_windows(self) -> None:
        """Without icuuc.dll (Windows before 10 1903) Qt cannot load: a message box says so."""
        overrides = self.env.env()["WINEDLLOVERRIDES"] + ";icuuc=d"
        env = {**self.gui_env("en_US.UTF-8"), "WINEDLLOVERRIDES": overrides}
        process = self.env.popen([self.panel], cwd=self.work, env=env)
        try:
            self.wait_window(process, "the message box", self.message_box)
            self.screenshot("older-windows.png")
            self.env.run(["taskkill", "/IM", "wxpanel.exe"], env=env, timeout=60)
            _, stderr = collect(process, 60)
        finally:
            self.kill_panels(process)
        text = stderr.decode("utf-8", "replace")
        check(process.returncode == 2, f"exit status {process.returncode}, not 2: {text}")
        check("Traceback" not in text, text)

    def onedir(self) -> None:
        folder = self.out / "dist-onedir" / "wxpanel"
        for program in (folder / "wxpanel-cli.exe", folder / "wxpanel.exe"):
            result = self.env.run([program, "--version"], timeout=180)
            check(result.stdout.strip() == f"wxpanel {VERSION}", f"{program}: {result.stdout!r}")


def run_all(env: WineEnv, out: Path, *, onedir: bool) -> list[str]:
    """Every step, in order; a failed step does not stop the independent ones after it.

    Returns what failed, one line each (empty when all passed).
    """
    smoke = Smoke(env, out)
    failures: list[str] = []

    def attempt(name: str, action: Callable[[], object]) -> bool:
        try:
            with step(name):
                action()
        except Failed as failed:
            say(f"FAILED: {failed}")
            failures.append(f"{name}: {failed}")
            return False
        return True

    attempt("--version of both programs", smoke.versions)
    attempt("check_windows_exe.py", smoke.pe_headers)
    attempt("demo.exe beside the lock-free reader (source tree)", smoke.journal_race)
    made: list[Path] = []
    if attempt("wxpanel-cli.exe rules import, simulate, stats --json",
               lambda: made.append(smoke.command_line())):  # fmt: skip
        attempt("wxpanel-cli.exe headless beside simulate, Ctrl-C", lambda: smoke.headless(made[0]))
        attempt("wxpanel-cli.exe export --format csv to a file", lambda: smoke.export(made[0]))
    smoke.display = os.environ["DISPLAY"]  # scripts/windows-wine's Xvfb
    attempt("double-click start beside exchange.db", smoke.double_click)
    attempt("wxpanel.exe --demo in Chinese", lambda: smoke.demo("zh_CN.UTF-8", "zh"))
    attempt("wxpanel.exe --demo in English", lambda: smoke.demo("en_US.UTF-8", "en"))
    attempt("wxpanel.exe on a Windows without icuuc.dll", smoke.older_windows)
    if onedir:
        attempt("one folder: --version of both programs", smoke.onedir)
    left = env.temp_folders()
    if left:
        # Each start of a one-file program unpacks into %TEMP%\_MEI…, deleted at its exit.
        say(f"NOTE: {len(left)} unpacked folders left in %TEMP%: {[p.name for p in left]}")
    return failures
