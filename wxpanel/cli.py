"""The ``wxpanel`` command: the panel without a subcommand, tools with one.

Every expected failure is a :class:`~wxpanel.core.errors.KnownError` and is
printed as one line with exit status 2; the GUI is imported only when it is
opened, so the command-line tools start fast and work without a display.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from wxpanel import __version__
from wxpanel.core import exchange, logbook
from wxpanel.core.errors import (
    AlreadyRunningError,
    ExchangeError,
    ExchangeLockedError,
    KnownError,
    concerning,
    describe_failure,
)
from wxpanel.core.models import CommandStatus, Origin
from wxpanel.core.paths import DataPaths
from wxpanel.core.settings import Settings, load_settings
from wxpanel.core.stopping import exit_abandoning

log = logging.getLogger("wxpanel")

EXIT_USAGE = 2
#: A bug: the traceback is in the log file the error line names.
EXIT_BUG = 1


def _add_db_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument(
        "--db", type=Path, required=required, metavar="PATH", help="demo.exe's exchange.db"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="where history, settings and media live (default: wxpanel-data beside exchange.db)",
    )
    parser.add_argument(
        "--create", action="store_true", help="create exchange.db with demo.exe's schema if missing"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="wxpanel",
        description="Control panel for WeChat bots that talk to demo.exe through exchange.db.",
    )
    parser.add_argument("--version", action="version", version=f"wxpanel {__version__}")
    _add_db_options(parser, required=False)
    parser.add_argument(
        "--plugins", type=Path, metavar="DIR", help="load plugins from DIR too (besides plugins/)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the panel on a copy of exchange.db with the simulator",
    )
    parser.add_argument(
        "--screenshot", type=Path, metavar="FILE", help="save the window as PNG and exit"
    )
    parser.add_argument(
        "--after",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="with --screenshot: seconds of traffic before the picture",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        child = sub.add_parser(name, help=help_text, description=help_text)
        child.add_argument("--version", action="version", version=f"wxpanel {__version__}")
        return child

    headless = add("headless", "run the poller, history and outbox without a window")
    _add_db_options(headless)
    headless.add_argument("-v", "--verbose", action="store_true", help="log every message")
    headless.add_argument(
        "--plugins", type=Path, metavar="DIR", help="load plugins from DIR too (besides plugins/)"
    )

    send = add("send", "queue one message through the outbox and its pacer")
    _add_db_options(send)
    send.add_argument(
        "--to",
        required=True,
        type=_recipient,
        metavar="WHO",
        help="recipient: a wxid or ...@chatroom, or the name of a known conversation",
    )
    what = send.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="the text to send, exactly as given")
    what.add_argument("--picture", type=Path, metavar="FILE", help="a local jpg/png/gif/bmp")
    send.add_argument(
        "--drop-unsendable",
        action="store_true",
        help="leave out characters WeChat cannot receive through demo.exe (code page 936)"
        " instead of refusing the text",
    )
    send.add_argument(
        "--wait",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how long to wait for the pacer when no panel is running",
    )

    export = add("export", "write history to stdout")
    _add_db_options(export)
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument(
        "--conversation", metavar="WHO", help="only this conversation (wxid or known name)"
    )
    export.add_argument("--search", metavar="TEXT", help="only messages containing TEXT")

    contacts = add("contacts", "known conversations and contacts: name and wxid, to pick from")
    _add_db_options(contacts)
    contacts.add_argument(
        "search", nargs="?", default="", help="only those whose name or wxid contains this"
    )

    stats = add("stats", "queue statistics: received, sent, stuck, backlog, rates")
    _add_db_options(stats)
    stats.add_argument("--json", action="store_true", help="machine-readable output")

    rules = add("rules", "list, export and import auto-reply rules")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    rules_list = rules_sub.add_parser("list", help="print the rules in priority order")
    _add_db_options(rules_list)
    rules_export = rules_sub.add_parser("export", help="write the rules to a JSON file")
    rules_export.add_argument("file", type=Path, metavar="FILE")
    _add_db_options(rules_export)
    rules_import = rules_sub.add_parser(
        "import", help="read rules from a JSON file (merged by name unless --replace)"
    )
    rules_import.add_argument("file", type=Path, metavar="FILE")
    rules_import.add_argument(
        "--replace", action="store_true", help="replace all rules instead of merging by name"
    )
    _add_db_options(rules_import)

    simulate = add("simulate", "play demo.exe and WeChat on an exchange.db, exactly")
    _add_db_options(simulate)
    simulate.add_argument("--rate", type=float, default=2.0, help="events per second (default 2)")
    simulate.add_argument("--burst", type=int, default=0, help="insert N events at once first")
    simulate.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    simulate.add_argument("--stall", action="store_true", help="take no commands (demo.exe hung)")
    simulate.add_argument(
        "--lock-seconds",
        type=float,
        default=0.0,
        metavar="S",
        help="hold a write lock for S seconds first",
    )
    simulate.add_argument("--seed", type=int, help="random seed, for reproducible traffic")
    simulate.add_argument(
        "--rich",
        action="store_true",
        help="play a richer bridge than demo.exe: pictures, friend requests, own messages,"
        " echoes, and waits for a locked file instead of losing the message",
    )
    return parser


def cmd_headless(args: argparse.Namespace) -> int:
    from wxpanel.core import headless
    from wxpanel.core.engine import Engine
    from wxpanel.core.sources.hub import default_plugin_dirs
    from wxpanel.core.stopping import SignalStop

    stop = threading.Event()
    # First: a stop asked for while starting (a locked file, a slow disk) is honoured too.
    with SignalStop(stop) as stopping:
        try:
            db = exchange.check_exchange(args.db, create=args.create, wait=0.5)
        except ExchangeLockedError:
            db = args.db  # demo.exe is busy: the poller waits for the lock itself
        paths = DataPaths.beside(db, args.data_dir).ensure()
        book = logbook.setup_logging(paths, verbose=args.verbose)
        try:
            stopping.phase = "opening exchange.db and history.db"
            plugins = default_plugin_dirs(args.plugins)
            with concerning(paths.history):
                engine = Engine(db, data_dir=args.data_dir, plugin_dirs=plugins)
            log.info("consuming %s; history in %s", engine.exchange_db, engine.paths.history)
            try:
                stopping.phase = "the current poll to finish"
                count = headless.run(engine, stop, headless.HealthLog(engine), verbose=args.verbose)
            finally:
                stopping.phase = "closing exchange.db, history.db and the answer sources"
                engine.close()
            reason = f" on {stopping.received}" if stopping.received else ""
            log.info("stopped cleanly%s after %d messages (log: %s)", reason, count, book.path)
        finally:
            book.close()
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from wxpanel.core.engine import Engine
    from wxpanel.core.history import HistoryStore
    from wxpanel.core.outbox import check_picture, queue_command
    from wxpanel.core.pacer import Pacer
    from wxpanel.core.protocol import CommandType

    db = _checked_db(args)
    paths = DataPaths.beside(db, args.data_dir)
    settings = _settings(paths)
    to = _resolve_target(paths.history, args.to)
    text = _sendable_text(args.text, args.drop_unsendable) if args.text is not None else None
    try:
        with concerning(paths.history):
            engine = Engine(db, data_dir=args.data_dir, settings=settings)
    except AlreadyRunningError as running:
        # A panel or headless poller owns exchange.db: queue, it will send.
        command, payload = CommandType.TEXT, text or ""
        if args.picture is not None:
            command = CommandType.PICTURE
            payload = str(check_picture(args.picture, settings.outbox.picture_max_bytes))
        with concerning(paths.history), HistoryStore(paths.history) as store:
            message = queue_command(
                store.conn,
                to=to,
                command=command,
                payload=payload,
                origin=Origin.MANUAL,
                pacer=Pacer(settings.pacer),
                now=time.time(),
            )
        print(f"queued as #{message.id}; {running.args[0].split(': ', 1)[1]} and will send it")
        return 0
    with engine, concerning(paths.history):
        if args.picture is not None:
            message = engine.queue_picture(to, args.picture)
        else:
            message = engine.queue_text(to, text or "")
        deadline = time.monotonic() + args.wait
        told: int | None = None
        while time.monotonic() < deadline:
            result = engine.poll()
            if result.health is not None and result.health.error:
                raise KnownError(f"#{message.id} is queued but not sent: {result.health.error}")
            waiting = _waiting_for(engine.hconn, message.id, time.time())
            if waiting is not None and waiting[0] != told:
                print(waiting[1], file=sys.stderr, flush=True)  # not a minute of silence
                told = waiting[0]
            for update in result.updates:
                if update.message_id != message.id:
                    continue
                if update.status is CommandStatus.FAILED:
                    raise KnownError(update.detail)
                if update.status in (CommandStatus.WRITTEN, CommandStatus.TAKEN):
                    print(f"#{message.id} written to wx_command for demo.exe")
                    return 0
            time.sleep(max(result.delay, 0.01))
    print(f"#{message.id} queued; the pacer holds it, the next wxpanel run will send it")
    return 0


def _waiting_for(conn: sqlite3.Connection, message_id: int, now: float) -> tuple[int, str] | None:
    """What holds ``message_id`` back: an earlier command demo.exe has not taken, and why.

    Only one command is in wx_command at a time, so a picture queued behind
    a command nobody takes waits for it, silently but for this line.
    """
    row = conn.execute(
        "SELECT id, conversation, written_at FROM message"
        " WHERE status IN ('written', 'stuck') AND id <> ? ORDER BY written_at LIMIT 1",
        (message_id,),
    ).fetchone()
    if row is None:
        return None
    earlier, conversation, written_at = row
    seconds = max(0, round(now - (written_at or now)))
    return earlier, (
        f"#{message_id} waits for #{earlier} to {conversation}, in wx_command for {seconds} s"
        " and not taken by demo.exe yet (is demo.exe running and WeChat logged in?)"
    )


def cmd_export(args: argparse.Namespace) -> int:
    from wxpanel.core.export import write_csv_bytes, write_csv_fast, write_jsonl, write_jsonl_fast
    from wxpanel.core.history import HistoryStore
    from wxpanel.core.names import load_directory

    paths = _history_only(args)
    conversation = None
    if args.conversation is not None:
        conversation = _resolve_target(paths.history, args.conversation)
    with concerning(paths.history), HistoryStore(paths.history) as store:
        if not args.search:
            # Bytes made by SQLite; a text-mode stdout ended lines with os.linesep.
            sys.stdout.flush()
            if args.format == "csv":
                write_csv_fast(store.conn, sys.stdout.buffer, conversation)
            else:
                write_jsonl_fast(store.conn, sys.stdout.buffer, conversation, newline=os.linesep)
            return 0
        messages = store.iter_messages(conversation, args.search)
        names = load_directory(store.conn).nicknames()  # the alias, else demo.exe's name
        if args.format == "csv":
            sys.stdout.flush()  # bytes, with a BOM: no \r\r\n on Windows, Chinese in Excel
            write_csv_bytes(messages, sys.stdout.buffer, names)
        else:
            write_jsonl(messages, sys.stdout, names)
    return 0


def cmd_contacts(args: argparse.Namespace) -> int:
    from wxpanel.core.history import HistoryStore
    from wxpanel.core.names import load_directory

    db = _checked_db(args)
    with HistoryStore(DataPaths.beside(db, args.data_dir).history) as store:
        directory = load_directory(store.conn)
    for contact in directory.search(args.search, limit=len(directory)):
        print(f"{contact.wxid}\t{contact.nickname}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from wxpanel.core import stats
    from wxpanel.core.history import HistoryStore

    paths = _history_only(args)
    db: Path | None = None  # gone (moved away, history kept): its counts are unknown
    if Path(args.db).expanduser().exists():
        try:
            # Read-only is fine: stats only counts demo.exe's rows.
            db = exchange.check_exchange(args.db, need_write=False, wait=0.5)
        except ExchangeLockedError:
            db = None  # demo.exe is busy with it: its counts are shown as unknown
    with concerning(paths.history), HistoryStore(paths.history) as store:
        figures = stats.collect(store, db)
    if args.json:
        print(json.dumps(figures.to_json(), ensure_ascii=False, indent=2))
    else:
        print(stats.format_text(figures))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from wxpanel.core.rules import RuleStore, export_rules, format_rules_table, import_rules_file

    db = _checked_db(args)
    paths = DataPaths.beside(db, args.data_dir)
    with concerning(paths.history), RuleStore.open(paths.history) as store:
        if args.rules_command == "list":
            print(
                format_rules_table(
                    store.rules(),
                    store.counters(),
                    enabled=store.auto_reply_enabled(),
                    now=time.time(),
                )
            )
        elif args.rules_command == "export":
            rules = store.rules()
            export_rules(args.file, rules)
            print(f"{len(rules)} rules written to {args.file}")
        else:
            summary, warnings = import_rules_file(store, args.file, replace_all=args.replace)
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr)
            print(
                f"{summary.added} added, {summary.replaced} replaced,"
                f" {summary.removed} removed from {args.file}"
            )
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from wxpanel.core.simulator import Shapes, Simulator
    from wxpanel.core.stopping import SignalStop

    db = _checked_db(args)
    book = logbook.setup_logging(None)
    stop = threading.Event()
    shapes = Shapes.RICH if args.rich else Shapes.DEMO_EXE
    with SignalStop(stop):
        simulator = Simulator(db, seed=args.seed, shapes=shapes)
        try:
            result = simulator.run(
                rate=args.rate,
                burst=args.burst,
                duration=args.duration,
                stall=args.stall,
                lock_seconds=args.lock_seconds,
                stop=stop,
            )
        finally:
            simulator.close()
            book.close()
    if result.lost or result.duplicates:
        # demo.exe has no busy handler: a lock held when a message arrived lost it.
        print(
            f"demo.exe lost {result.lost} of {result.events} messages (its INSERT met a lock)"
            f" and sent {result.duplicates} commands twice (its DELETE met a lock)",
            file=sys.stderr,
        )
    print(json.dumps(result.to_json()))
    return 0


#: Said when Qt cannot load on Windows, in both languages: without Qt there is no tr().
OLD_WINDOWS = (
    "wxpanel needs 64-bit Windows 10, version 1903 or later (or Windows 11):"
    " Qt, which draws its window, cannot load on this Windows.\n\n"
    "wxpanel 需要 64 位 Windows 10（1903 版或更高）或 Windows 11："
    "此 Windows 无法加载绘制窗口的 Qt。"
    "\n\n({detail})"
)


def _tell_windows_user(text: str) -> None:
    """A message box: a windowed wxpanel.exe has no console to print to."""
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.user32.MessageBoxW(None, text, "wxpanel", 0x10)  # MB_ICONERROR
    print(f"wxpanel: error: {text}", file=sys.stderr or sys.__stderr__)


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from wxpanel.gui.app import run_gui
    except ImportError as exc:
        # Qt 6 links Windows 10's icuuc.dll: on an older Windows, "DLL load failed".
        if sys.platform == "win32" and "DLL load failed" in str(exc):
            _tell_windows_user(OLD_WINDOWS.format(detail=exc))
            return EXIT_USAGE
        if not isinstance(exc, ModuleNotFoundError):
            raise
        if exc.name and exc.name.startswith("wxpanel.gui"):
            exe = ".exe" if sys.platform == "win32" else ""
            raise KnownError(
                f"this is wxpanel-cli{exe}, wxpanel's command line without the panel:"
                f" for the window, start wxpanel{exe}; for the commands (headless, send,"
                f" export, stats, rules, simulate), see wxpanel-cli{exe} --help"
            ) from exc
        raise
    return run_gui(args)


def _resolve_target(history: Path, text: str) -> str:
    """A recipient typed as a wxid or a name, as a wxid; a bare unknown name is refused."""
    from wxpanel.core.history import HistoryStore
    from wxpanel.core.names import load_directory

    with HistoryStore(history) as store:
        resolution = load_directory(store.conn).resolve(text)
    if resolution.wxid is None:
        raise KnownError(resolution.message())
    return resolution.wxid


def _sendable_text(text: str, drop: bool) -> str:
    """The text as it can reach WeChat: refused, or shortened only when asked to."""
    from wxpanel.core.codepage import describe, unsendable, without_unsendable

    lost = unsendable(text)
    if lost and not drop:
        raise KnownError(
            f"WeChat cannot receive these characters through demo.exe (code page 936):"
            f" {describe(lost)}; pass --drop-unsendable to send the text without them"
        )
    return without_unsendable(text)


def _checked_db(args: argparse.Namespace) -> Path:
    return exchange.check_exchange(args.db, create=args.create)


def _history_only(args: argparse.Namespace) -> DataPaths:
    """The data folder of a command that reads history alone (``export``, ``stats``).

    exchange.db is not opened here: a read-only or locked exchange.db does not
    stop anyone reading what was already received.  It is only looked for,
    so that a mistyped ``--db`` says so instead of printing an empty history.
    """
    if args.create:
        exchange.check_exchange(args.db, create=True)
    db = Path(args.db).expanduser()
    paths = DataPaths.beside(db, args.data_dir)
    if db.is_dir():
        raise ExchangeError(f"{db}: is a folder, not an exchange.db file")
    if not db.exists() and not paths.history.exists():
        raise ExchangeError(f"{db}: no such file (add --create to make an empty one)")
    return paths


def _settings(paths: DataPaths) -> Settings:
    """settings.json, with every problem said on stderr before running on defaults."""
    loaded = load_settings(paths.settings)
    for problem in loaded.problems:
        print(f"wxpanel: warning: {problem}", file=sys.stderr)
    return loaded.settings


def _recipient(text: str) -> str:
    """``--to``: a wxid, a ...@chatroom or a name; never empty or spread over lines
    (a name may hold spaces)."""
    value = text.strip()
    if not value or any(not ch.isprintable() for ch in value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a wxid, ...@chatroom or name")
    return value


COMMANDS = {
    "headless": cmd_headless,
    "send": cmd_send,
    "export": cmd_export,
    "contacts": cmd_contacts,
    "stats": cmd_stats,
    "simulate": cmd_simulate,
    "rules": cmd_rules,
}


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line too, like every other failure."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure ends as one line on stderr.

    The one place the command line's contract is kept: a failure the user
    can act on (:func:`~wxpanel.core.errors.describe_failure`: a
    :class:`KnownError`, a damaged or locked database, a disk or permission
    problem) is one line and exit status 2; anything else is a bug, one line
    naming the log file that got the traceback, and exit status 1.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = COMMANDS.get(args.command or "", cmd_gui)
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _quiet_stdout()  # the reader went away (``| head``): not an error
        return 0
    except Exception as exc:
        known = describe_failure(exc)
        if known is not None:
            log.debug("failed: %s", known, exc_info=True)
            print(f"wxpanel: error: {_one_line(known)}", file=sys.stderr)
            return EXIT_USAGE
        written = logbook.crash_report(exc, _data_logs(args))
        where = f"details in {written}" if written else "no log file could be written"
        print(f"wxpanel: unexpected error: {_one_line(repr(exc))}; {where}", file=sys.stderr)
        return EXIT_BUG


def entry() -> NoReturn:
    """The ``wxpanel`` program: :func:`main`, then an exit no stray thread can hold up."""
    status = main()
    sys.exit(exit_abandoning(status))


def _one_line(text: str, limit: int = 500) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _data_logs(args: argparse.Namespace) -> Path | None:
    """The log folder of the data folder the command was about, if there is one."""
    db = getattr(args, "db", None)
    if db is None and getattr(args, "data_dir", None) is None:
        return None
    try:
        return DataPaths.beside(db or Path(), args.data_dir).logs
    except (OSError, RuntimeError):
        return None


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at nothing so the exit's flush stays silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
