"""Where wxpanel keeps its own files.

By default everything lives in one folder beside exchange.db, so that the
folder demo.exe runs from carries the whole bot: copy it and the history,
settings and media come along.  ``--data-dir`` points elsewhere.
"""

from __future__ import annotations

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
