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

Run: ``python benchmarks/package.py [--runs 5] [--onedir] [--keep DIR]``.
Building takes a few minutes.  Exit status is 0 whatever the verdicts.
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
from dataclasses import dataclass, field
from pathlib import Path

import _common as common

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


def start_once(contender: Contender, shot: Path) -> tuple[float, float]:
    """Seconds from starting the program to its PNG appearing, and to its exit."""
    shot.unlink(missing_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(contender.program), *contender.args, "--screenshot", str(shot)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
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
    print(f"\n{'':18}{'size':>10}{'painted (median)':>19}{'exit (median)':>16}   runs (painted)")
    for c in (bare, ours):
        runs = " ".join(f"{t:.2f}" for t in c.painted)
        print(
            f"{c.name:18}{c.size / 1e6:>8.1f} MB{statistics.median(c.painted):>17.2f} s"
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
        for onedir in (False, True) if args.onedir else (False,):
            bare, ours = build(root, onedir)
            measure(bare, ours, args.runs, root)
            report(bare, ours, goals=not onedir)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
