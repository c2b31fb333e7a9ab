"""Where wxpanel keeps its own files.

By default everything lives in one folder beside exchange.db, so that the
folder demo.exe runs from carries the whole bot: copy it and the history,
settings and media come along.  ``--data-dir`` points elsewhere.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

DATA_FOLDER_NAME = "wxpanel-data"


@dataclass(frozen=True, slots=True)
class DataPaths:
    """The files of one wxpanel data folder."""

    root: Path

    @classmethod
    def beside(cls, exchange_db: Path, data_dir: Path | None = None) -> DataPaths:
        if data_dir is not None:
            return cls(Path(data_dir).expanduser().resolve())
        return cls(Path(exchange_db).resolve().parent / DATA_FOLDER_NAME)

    @property
    def history(self) -> Path:
        return self.root / "history.db"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def media(self) -> Path:
        return self.root / "media"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> DataPaths:
        """Create the folders; the files are created by their owners."""
        for folder in (self.root, self.media, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


#: Beside the program: which exchange.db the panel opens when none is given.
LAUNCH_FILE_NAME = "wxpanel.json"


def program_folder() -> Path:
    """Where wxpanel.exe lives (frozen), else the current folder (from source)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path.cwd()


def remembered_exchange(folder: Path | None = None) -> Path | None:
    """The exchange.db chosen in the first-run dialog or the settings, if any."""
    try:
        text = (folder or program_folder()).joinpath(LAUNCH_FILE_NAME).read_text("utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return None
    value = data.get("exchange_db") if isinstance(data, dict) else None
    return Path(value) if isinstance(value, str) and value else None


def remember_exchange(path: Path, folder: Path | None = None) -> None:
    """Remember ``path`` beside the program, so the next start opens it without asking."""
    target = (folder or program_folder()) / LAUNCH_FILE_NAME
    data = {"exchange_db": str(Path(path).resolve())}
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
