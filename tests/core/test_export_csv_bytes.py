"""`wxpanel export --format csv`: the same bytes on every OS, readable by Excel in Chinese."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest

from tests.conftest import insert_events, text_event
from wxpanel.cli import main
from wxpanel.core.engine import Engine
from wxpanel.core.settings import Settings


@pytest.fixture
def history(exchange_db: Path) -> Path:
    insert_events(
        exchange_db,
        [text_event("wxid_alice", "今天天气怎么样"), text_event("wxid_bob", "第一行\n第二行")],
    )
    with Engine(exchange_db, settings=Settings()) as engine:
        while engine.poll().messages:
            pass
    return exchange_db


def windows_stdout(monkeypatch: pytest.MonkeyPatch) -> io.BytesIO:
    """A stdout like Windows' console or ``> file``: text mode, every ``\\n`` written as CRLF."""
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8", newline="\r\n"))
    return raw


def test_csv_rows_end_with_one_crlf_through_a_text_mode_stdout(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = windows_stdout(monkeypatch)
    assert main(["export", "--db", str(history), "--format", "csv"]) == 0
    sys.stdout.flush()
    data = raw.getvalue()
    assert b"\r\r\n" not in data
    assert data.startswith(b"\xef\xbb\xbfid,time,")  # the BOM Excel needs to read UTF-8
    assert data.endswith(b"\r\n")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # A newline inside a message stays as it was, in its quoted field.
    assert [row["content"] for row in rows] == ["今天天气怎么样", "第一行\n第二行"]


def test_jsonl_export_is_unchanged_text(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = windows_stdout(monkeypatch)
    assert main(["export", "--db", str(history)]) == 0
    sys.stdout.flush()
    assert not raw.getvalue().startswith(b"\xef\xbb\xbf")
    assert len(raw.getvalue().splitlines()) == 2
