#!/usr/bin/env python3
"""demo.exe beside wxpanel's lock-free reader, under Wine: does a committed message vanish?

    scripts/wine/journal_race.py [--runs 3] [--inserts 300] [--reader wxpanel|stat|none]
                                 [--sqlite 3.7.13|3.7.8]

Issue 10's reproduction, fast (about 30 s a run) where the smoke test's
headless step shows the loss in one run of three. Each run makes a fresh
exchange.db; a reader process polls it without pause; a writer process plays
demo.exe's statements (``wxpanel.core.demoexe``: two SELECTs, the INSERT,
no busy handler) and notes each INSERT that succeeded. Every one of those
must then be in wx_event: a missing one is a message demo.exe believes
written and that is gone. Both are the Windows Python of
``scripts/wine/winenv.py`` running this source tree; the writer's SQLite is
Python's (3.45), or with ``--sqlite`` demo.exe's own line (3.7.13 or 3.7.8,
built for Windows with mingw-w64 from the npm packages that
``scripts/old-sqlite`` uses, cached beside the Wine prefix).

Readers: ``wxpanel``, the :class:`ExchangeReader` as the engine drives it
(``write_mark``, ``changed``, ``snapshot``); ``stat``, nothing but
``Path.exists()`` on the journal (CPython's ``os.stat`` opens the file on
Windows); ``none``. Prints one JSON line per run and the totals; exits 1 when
a committed message is missing.

``--hold`` asks the other question of issue 10: can ``ExchangeReader.recover()``
(an ordinary read, which rolls back a journal nobody holds a lock for) undo
a live transaction, should Wine's lock emulation miss the writer's lock? The
writer holds a transaction open for seconds, with RESERVED, with EXCLUSIVE,
and with EXCLUSIVE and pages already written into the file (a small cache
spills them), while another process calls ``recover()`` every 50 ms the
journal stands; then every row must be there and the file intact.

It uses the cached Wine prefix, and ends every Windows program in it when
done (as ``scripts/windows-wine`` does); ``--prefix`` runs in a copy instead,
beside somebody else's Wine programs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))  # the embeddable Python's ._pth leaves it out

import winenv  # noqa: E402

#: npm package holding each SQLite version's amalgamation (as scripts/old-sqlite).
OLD_SQLITE = {"3.7.13": "2.1.7", "3.7.8": "2.1.5"}
#: What the background role leaves in the folder once it runs, and what stops it.
READY, STOP = "ready", "stop"
#: --hold: rows each phase's transaction writes, and how long it stays open.
HELD_ROWS = {"reserved": 1, "exclusive": 1, "spilled": 200}
HOLD = 5.0


# -- the Windows side ---------------------------------------------------------------------------


def reader_role(db: Path, kind: str) -> None:
    """Poll ``db`` without pause until the stop file appears; print what was seen."""
    sys.path.insert(0, str(REPO))
    from wxpanel.core.exchange.reader import ExchangeReader, HotJournalError, SnapshotRetry

    reader = ExchangeReader(db)
    stop, rounds, retries, seen, start = db.parent / STOP, 0, 0, 0, None
    (db.parent / READY).touch()
    while rounds % 256 or not stop.exists():
        rounds += 1
        if kind == "stat":
            reader.journal.exists()
        elif kind == "wxpanel":
            try:
                reader.write_mark()
                if reader.changed():
                    snapshot = reader.snapshot(start)
                    if snapshot.events:
                        start = snapshot.events[-1].rowid + 1
                        seen += len(snapshot.events)
            except (SnapshotRetry, HotJournalError, sqlite3.Error):
                retries += 1
        else:
            time.sleep(0.001)
    reader.close()
    print(json.dumps({"reader": kind, "rounds": rounds, "retries": retries, "rows_read": seen}))


def writer_role(db: Path, inserts: int, dll: str | None) -> None:
    """demo.exe's INSERTs, as fast as they go; then which committed ones are missing."""
    sys.path.insert(0, str(REPO))
    from wxpanel.core.demoexe import DemoExe, EventRow, StdlibConnection

    if dll:
        from tests.standin.sqlite37 import Connection37, Library

        library = Library(Path(dll))
        version, conn = library.version, Connection37(library, db)
    else:
        version, conn = sqlite3.sqlite_version, StdlibConnection(db)
    demo = DemoExe(conn)
    for number in range(inserts):
        demo.receive(EventRow.private("wxid_race", None, f"race {number}"))
    demo.close()
    check = sqlite3.connect(db, timeout=10)
    present = {text for (text,) in check.execute("SELECT MSG_CONTENT FROM wx_event")}
    top = check.execute("SELECT coalesce(max(rowid), 0) FROM wx_event").fetchone()[0]
    check.close()
    committed = [a.row.text for a in demo.inserts if not a.lost]
    missing = [text for text in committed if text not in present]
    failures: dict[int, int] = {}
    for attempt in demo.lost:
        failures[attempt.error or 0] = failures.get(attempt.error or 0, 0) + 1
    print(
        json.dumps(
            {
                "sqlite": version,
                "committed": len(committed),
                "failed": failures,  # SQLite's code -> count (5: BUSY)
                "missing": len(missing),
                "first_missing": missing[:5],
                "newest_rowid": top,
            }
        )
    )


def holder_role(db: Path, phase: str, dll: str | None) -> None:
    """A transaction held open for seconds in ``phase``; then COMMIT."""
    sys.path.insert(0, str(REPO))
    from wxpanel.core.demoexe import INSERT_EVENT_SQL, DbError, StdlibConnection

    if dll:
        from tests.standin.sqlite37 import Connection37, Library

        conn: Any = Connection37(Library(Path(dll)), db)
    else:
        conn = StdlibConnection(db)
    conn.rows("PRAGMA cache_size = 10")  # a big transaction spills pages into the file
    conn.rows("BEGIN IMMEDIATE" if phase == "reserved" else "BEGIN EXCLUSIVE")
    for number in range(HELD_ROWS[phase]):
        conn.rows(INSERT_EVENT_SQL, ("wxid_hold", "_", "_", f"{number} " + "x" * 900, "0", "1"))
    time.sleep(HOLD)
    try:
        conn.rows("COMMIT")
        committed = True
    except DbError:
        committed = False
    conn.close()
    print(json.dumps({"phase": phase, "committed": committed}))


def recoverer_role(db: Path) -> None:
    """ExchangeReader.recover() every 50 ms while a journal stands, until told to stop."""
    sys.path.insert(0, str(REPO))
    from wxpanel.core.exchange.reader import ExchangeReader

    reader = ExchangeReader(db)
    calls = 0
    (db.parent / READY).touch()
    while not (db.parent / STOP).exists():
        if reader.journal_stands():
            calls += 1
            reader.recover()
        time.sleep(0.05)
    print(json.dumps({"recover_calls": calls}))


# -- the Linux side -----------------------------------------------------------------------------


def old_sqlite_dll(version: str) -> Path:
    """demo.exe's SQLite line as a Windows DLL, built once with mingw-w64 and cached."""
    target = winenv.cache_root() / f"sqlite-{version}" / "sqlite3.dll"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory() as work:
        package = OLD_SQLITE[version]
        subprocess.run(["npm", "pack", "--silent", f"sqlite3@{package}"], cwd=work, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        source = "package/deps/sqlite3/sqlite3.c"
        subprocess.run(["tar", "-xzf", f"sqlite3-{package}.tgz", source], cwd=work, check=True)
        built = Path(work) / "sqlite3.dll"
        subprocess.run(["x86_64-w64-mingw32-gcc", "-O2", "-shared", "-w", "-static-libgcc",
                        "-DSQLITE_THREADSAFE=1", "-o", str(built), str(Path(work) / source)],
                       check=True)  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target.with_suffix(".tmp"))
        target.with_suffix(".tmp").rename(target)
    return target


def pair(
    env: winenv.WineEnv, folder: Path, background: list[str], foreground: list[str]
) -> tuple[Path, dict[str, Any]]:
    """A fresh exchange.db in ``folder`` (emptied); the ``background`` role started on it
    and waited for, the ``foreground`` role run to its end beside it, then the first
    stopped.  Returns the file and both roles' figures."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "exchange.db"
    sys.path.insert(0, str(REPO))
    from wxpanel.core.exchange.files import create_exchange

    create_exchange(db)
    script = [env.python, winenv.windows_path(Path(__file__))]
    helper = env.popen([*script, *background, winenv.windows_path(db)], merge=True)
    deadline = time.monotonic() + 120
    while not (folder / READY).exists():
        if helper.poll() is not None or time.monotonic() > deadline:
            out, _ = winenv.collect(helper, 10)
            raise SystemExit(f"journal_race: {background} did not start:\n{out.decode()}")
        time.sleep(0.1)
    done = env.run([*script, *foreground, winenv.windows_path(db)], timeout=900)
    (folder / STOP).touch()
    out, _ = winenv.collect(helper, 120)
    try:
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures.update(json.loads(out.decode().strip().splitlines()[-1]))
    except (ValueError, IndexError):
        raise SystemExit(f"journal_race: no figures:\n{done.stdout}\n{out.decode()}") from None
    return db, figures


def _dll(dll: Path | None) -> list[str]:
    return [] if dll is None else ["--dll", winenv.windows_path(dll)]


def race(
    env: winenv.WineEnv, folder: Path, *, inserts: int, reader: str, dll: Path | None
) -> dict[str, Any]:
    """One run in ``folder``: the writer's figures and the reader's."""
    writer = ["--role", "writer", "--inserts", str(inserts), *_dll(dll)]
    return pair(env, folder, ["--role", "reader", "--reader", reader], writer)[1]


def hold(env: winenv.WineEnv, folder: Path, *, phase: str, dll: Path | None) -> dict[str, Any]:
    """One --hold run in ``folder``: the figures, and the file's state after."""
    holder = ["--role", "holder", "--phase", phase, *_dll(dll)]
    db, figures = pair(env, folder, ["--role", "recoverer"], holder)
    check = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    figures["rows"] = check.execute("SELECT count(*) FROM wx_event").fetchone()[0]
    figures["integrity"] = check.execute("PRAGMA integrity_check").fetchone()[0]
    check.close()
    rows_ok = figures["rows"] == HELD_ROWS[phase]
    figures["intact"] = figures["committed"] and rows_ok and figures["integrity"] == "ok"
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--role", choices=("reader", "writer", "holder", "recoverer"), help=argparse.SUPPRESS
    )
    parser.add_argument("--dll", help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=sorted(HELD_ROWS), help=argparse.SUPPRESS)
    parser.add_argument("--hold", action="store_true", help="recover() beside live transactions")
    parser.add_argument("db", nargs="?", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--inserts", type=int, default=300)
    parser.add_argument("--reader", choices=("wxpanel", "stat", "none"), default="wxpanel")
    parser.add_argument("--sqlite", choices=sorted(OLD_SQLITE), help="demo.exe's own SQLite line")
    parser.add_argument("--prefix", type=Path, help="a copy of the cached Wine prefix to run in")
    args = parser.parse_args(argv)
    if args.role == "reader":
        reader_role(args.db, args.reader)
        return 0
    if args.role == "writer":
        writer_role(args.db, args.inserts, args.dll)
        return 0
    if args.role == "holder":
        holder_role(args.db, args.phase, args.dll)
        return 0
    if args.role == "recoverer":
        recoverer_role(args.db)
        return 0
    winenv.ensure_debian_packages()
    env = winenv.WineEnv()
    if args.prefix:
        env.prefix = args.prefix.resolve()
    env.ensure()
    dll = old_sqlite_dll(args.sqlite) if args.sqlite else None
    totals = {"committed": 0, "missing": 0}
    try:
        with tempfile.TemporaryDirectory(prefix="journal-race-") as work:
            if args.hold:
                broken = 0
                for phase in HELD_ROWS:
                    figures = hold(env, Path(work) / phase, phase=phase, dll=dll)
                    print(json.dumps(figures), flush=True)
                    broken += not figures["intact"]
                return 1 if broken else 0
            for run in range(args.runs):
                figures = race(env, Path(work) / f"run{run}", inserts=args.inserts,
                               reader=args.reader, dll=dll)  # fmt: skip
                print(json.dumps(figures), flush=True)
                for key in totals:
                    totals[key] += int(figures[key])
    finally:
        env.stop()
    print(json.dumps({"reader": args.reader, "sqlite": args.sqlite or "python", **totals}))
    return 1 if totals["missing"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
