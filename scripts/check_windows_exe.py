"""Check what build.spec promises about the Windows executables, from their PE headers.

    python scripts/check_windows_exe.py dist/wxpanel.exe dist/wxpanel-cli.exe

- ``wxpanel.exe`` is a windowed program (GUI subsystem: no console window);
  ``wxpanel-cli.exe`` a console program;
- both carry an icon and a version resource whose FileVersion, ProductVersion
  and ProductName are pyproject.toml's.

Uses pefile, which PyInstaller installs on Windows. Run by
.github/workflows/windows.yml; exits 1 naming what is wrong.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pefile

ROOT = Path(__file__).resolve().parents[1]
GUI = pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_WINDOWS_GUI"]
CONSOLE = pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_WINDOWS_CUI"]


def version_strings(pe: pefile.PE) -> dict[str, str]:
    strings: dict[str, str] = {}
    for info in getattr(pe, "FileInfo", None) or []:
        for entry in info:
            for table in getattr(entry, "StringTable", []):
                for key, value in table.entries.items():
                    strings[key.decode()] = value.decode()
    return strings


def resource_types(pe: pefile.PE) -> set[int]:
    directory = getattr(pe, "DIRECTORY_ENTRY_RESOURCE", None)
    return {entry.id for entry in directory.entries} if directory else set()


def check(path: Path, subsystem: int, project: dict[str, str]) -> list[str]:
    problems = []
    pe = pefile.PE(str(path))
    if pe.OPTIONAL_HEADER.Subsystem != subsystem:
        want = "windowed (GUI)" if subsystem == GUI else "console"
        problems.append(f"subsystem {pe.OPTIONAL_HEADER.Subsystem}, not {want}")
    types = resource_types(pe)
    if pefile.RESOURCE_TYPE["RT_GROUP_ICON"] not in types:
        problems.append("no icon")
    if pefile.RESOURCE_TYPE["RT_VERSION"] not in types:
        problems.append("no version resource")
    strings = version_strings(pe)
    for key, want in (
        ("FileVersion", project["version"]),
        ("ProductVersion", project["version"]),
        ("ProductName", project["name"]),
        ("OriginalFilename", path.name),
    ):
        if strings.get(key) != want:
            problems.append(f"{key} is {strings.get(key)!r}, not {want!r}")
    print(f"{path.name}: subsystem {pe.OPTIONAL_HEADER.Subsystem}, {strings}")
    return [f"{path}: {problem}" for problem in problems]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    problems = check(Path(argv[0]), GUI, project) + check(Path(argv[1]), CONSOLE, project)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
