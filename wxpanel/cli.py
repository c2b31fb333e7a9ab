"""The ``wxpanel`` command: the panel without a subcommand, tools with one.

Every expected failure is a :class:`~wxpanel.core.errors.KnownError` and is
printed as one line with exit status 2; the GUI is imported only when it is
opened, so the command-line tools start fast and work without a display.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from wxpanel import __version__
from wxpanel.core import exchange, logbook
from wxpanel.core.errors import AlreadyRunningError, ExchangeLockedError, KnownError
from wxpanel.core.models import CommandStatus, Origin
from wxpanel.core.paths import DataPaths

log = logging.getLogger("wxpanel")

EXIT_USAGE = 2


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
    parser = argparse.ArgumentParser(
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
        "--to", required=True, metavar="WXID", help="recipient (wxid or ...@chatroom)"
    )
    what = send.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="the text to send, exactly as given")
    what.add_argument("--picture", type=Path, metavar="FILE", help="a local jpg/png/gif/bmp")
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
    export.add_argument("--conversation", metavar="WXID", help="only this conversation")
    export.add_argument("--search", metavar="TEXT", help="only messages containing TEXT")

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

    try:
        db = _checked_db(args)
    except ExchangeLockedError:
        db = args.db  # demo.exe is busy: the poller waits for the lock itself
    engine = Engine(db, data_dir=args.data_dir, plugin_dirs=default_plugin_dirs(args.plugins))
    logbook.setup_logging(engine.paths, verbose=args.verbose)
    stop = threading.Event()
    headless.install_signal_handlers(stop)
    log.info("consuming %s; history in %s", engine.exchange_db, engine.paths.history)
    try:
        count = headless.run(engine, stop, headless.HealthLog(engine))
    finally:
        engine.close()
    log.info("stopped cleanly after %d messages", count)
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from wxpanel.core.engine import Engine
    from wxpanel.core.history import HistoryStore
    from wxpanel.core.outbox import check_picture, queue_command
    from wxpanel.core.pacer import Pacer
    from wxpanel.core.protocol import CommandType
    from wxpanel.core.settings import Settings

    db = _checked_db(args)
    try:
        engine = Engine(db, data_dir=args.data_dir)
    except AlreadyRunningError as running:
        # A panel or headless poller owns exchange.db: queue, it will send.
        paths = DataPaths.beside(db, args.data_dir)
        settings = Settings.load(paths.settings)
        command, payload = CommandType.TEXT, args.text
        if args.picture is not None:
            command = CommandType.PICTURE
            payload = str(check_picture(args.picture, settings.outbox.picture_max_bytes))
        with HistoryStore(paths.history) as store:
            message = queue_command(
                store.conn,
                to=args.to,
                command=command,
                payload=payload,
                origin=Origin.MANUAL,
                pacer=Pacer(settings.pacer),
                now=time.time(),
            )
        print(f"queued as #{message.id}; {running.args[0].split(': ', 1)[1]} and will send it")
        return 0
    with engine:
        if args.picture is not None:
            message = engine.queue_picture(args.to, args.picture)
        else:
            message = engine.queue_text(args.to, args.text)
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            result = engine.poll()
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


def cmd_export(args: argparse.Namespace) -> int:
    from wxpanel.core.export import write_csv_bytes, write_jsonl
    from wxpanel.core.history import HistoryStore

    db = _checked_db(args)
    paths = DataPaths.beside(db, args.data_dir)
    with HistoryStore(paths.history) as store:
        messages = store.iter_messages(args.conversation, args.search)
        if args.format == "csv":
            sys.stdout.flush()
            write_csv_bytes(messages, sys.stdout.buffer, store.aliases())
        else:
            write_jsonl(messages, sys.stdout, store.aliases())
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from wxpanel.core import stats
    from wxpanel.core.history import HistoryStore

    db = _checked_db(args)
    paths = DataPaths.beside(db, args.data_dir)
    with HistoryStore(paths.history) as store:
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
    with RuleStore.open(paths.history) as store:
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
    from wxpanel.core.headless import install_signal_handlers
    from wxpanel.core.simulator import Shapes, Simulator

    db = _checked_db(args)
    logbook.setup_logging(None)
    stop = threading.Event()
    install_signal_handlers(stop)
    shapes = Shapes.RICH if args.rich else Shapes.DEMO_EXE
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


def _checked_db(args: argparse.Namespace) -> Path:
    return exchange.check_exchange(args.db, create=args.create)


COMMANDS = {
    "headless": cmd_headless,
    "send": cmd_send,
    "export": cmd_export,
    "stats": cmd_stats,
    "simulate": cmd_simulate,
    "rules": cmd_rules,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = COMMANDS.get(args.command or "", cmd_gui)
    try:
        return handler(args)
    except KnownError as exc:
        print(f"wxpanel: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
