"""Loading plugin files and calling them: raise, hang, garbage, reload after an edit."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from wxpanel.core.sources.plugin_api import IncomingMessage, MessageType, Reply
from wxpanel.core.sources.plugins import PluginFailure, PluginHost

pytestmark = pytest.mark.slow  # plugins run in worker processes

REPO = Path(__file__).resolve().parents[3]


def message(content: str, conversation: str = "wxid_a") -> IncomingMessage:
    group = conversation.endswith("@chatroom")
    return IncomingMessage(conversation, "wxid_a", group, MessageType.TEXT, content, 1.0)


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def touch_later(path: Path) -> None:
    """Make sure an edit is seen even on a file system with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_example_plugin_answers_ping_and_weather() -> None:
    host = PluginHost([REPO / "resources" / "plugins"])
    assert host.refresh() == ["example_plugin"]
    info = host.plugins()["example_plugin"]
    assert info.error is None and info.handlers == ("ping", "weather")
    assert host.call("example_plugin", message(" PING "), 2.0) == (Reply.text("pong"),)
    (answer,) = host.call("example_plugin", message("天气 北京"), 2.0)
    assert "北京" in answer.value and "°C" in answer.value
    assert host.call("example_plugin", message("hello"), 2.0) == ()


def test_handlers_run_by_order_and_handle_function(plugin_dir: Path) -> None:
    write(
        plugin_dir,
        "ordered",
        """
        from wxpanel.core.sources.plugin_api import handler

        @handler(order=2)
        def second(message):
            return "second"

        @handler(order=1)
        def first(message):
            return None if message.content == "skip" else "first"
        """,
    )
    write(plugin_dir, "simple", "def handle(message):\n    return message.content.upper()\n")
    write(plugin_dir, "_private", "def handle(message):\n    return 'never'\n")
    host = PluginHost([plugin_dir])
    assert sorted(host.refresh()) == ["ordered", "simple"]
    assert host.call("ordered", message("x"), 2.0) == (Reply.text("first"),)
    assert host.call("ordered", message("skip"), 2.0) == (Reply.text("second"),)
    assert host.call("simple", message("abc"), 2.0) == (Reply.text("ABC"),)


def test_a_raising_plugin_is_disabled_with_its_error(plugin_dir: Path) -> None:
    write(plugin_dir, "broken", "def handle(message):\n    return 1 / 0\n")
    host = PluginHost([plugin_dir])
    host.refresh()
    with pytest.raises(PluginFailure, match=r"ZeroDivisionError.*broken\.py:2"):
        host.call("broken", message("x"), 2.0)
    assert host.call("broken", message("x"), 2.0) == ()  # switched off: not called again


def test_a_hanging_plugin_times_out_without_blocking(plugin_dir: Path) -> None:
    write(
        plugin_dir,
        "slow",
        "import time\ndef handle(message):\n    time.sleep(30)\n",
    )
    host = PluginHost([plugin_dir])
    host.refresh()
    started = time.monotonic()
    with pytest.raises(PluginFailure, match=r"no answer within 0\.2 s"):
        host.call("slow", message("x"), 0.2)
    assert time.monotonic() - started < 2.0
    assert host.killed == 1  # its process, not a thread that sleeps on


def test_garbage_results_disable_the_plugin(plugin_dir: Path) -> None:
    write(plugin_dir, "garbage", "def handle(message):\n    return {'text': 'no'}\n")
    host = PluginHost([plugin_dir])
    host.refresh()
    with pytest.raises(PluginFailure, match="returned dict"):
        host.call("garbage", message("x"), 2.0)


def test_sys_exit_in_a_plugin_is_only_an_error(plugin_dir: Path) -> None:
    write(plugin_dir, "quitter", "import sys\ndef handle(message):\n    sys.exit(3)\n")
    host = PluginHost([plugin_dir])
    host.refresh()
    with pytest.raises(PluginFailure, match="SystemExit"):
        host.call("quitter", message("x"), 2.0)


def test_load_errors_are_reported_not_raised(plugin_dir: Path) -> None:
    write(plugin_dir, "syntax", "def handle(message)\n    return 'x'\n")
    write(plugin_dir, "empty", "X = 1\n")
    write(plugin_dir, "stuck", "import time\ntime.sleep(30)\n")
    host = PluginHost([plugin_dir], load_timeout=0.3)
    host.refresh()
    plugins = host.plugins()
    assert "SyntaxError" in (plugins["syntax"].error or "")
    assert "no handler" in (plugins["empty"].error or "")
    assert "longer than 0.3 s" in (plugins["stuck"].error or "")
    with pytest.raises(PluginFailure):
        host.call("syntax", message("x"), 1.0)


def test_an_edited_file_is_reloaded_and_enabled_again(plugin_dir: Path) -> None:
    path = write(plugin_dir, "echo", "def handle(message):\n    raise ValueError('bug')\n")
    host = PluginHost([plugin_dir])
    host.refresh()
    generation = host.plugins()["echo"].generation
    with pytest.raises(PluginFailure):
        host.call("echo", message("x"), 2.0)
    assert host.refresh() == []  # nothing changed: nothing reloaded
    path.write_text("def handle(message):\n    return 'echo: ' + message.content\n", "utf-8")
    touch_later(path)
    assert host.refresh() == ["echo"]
    assert host.plugins()["echo"].generation > generation
    assert host.call("echo", message("hi"), 2.0) == (Reply.text("echo: hi"),)
    path.unlink()
    assert host.refresh() == ["echo"] and host.plugins()["echo"].missing


def test_first_folder_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write(first, "same", "def handle(message):\n    return 'first'\n")
    write(second, "same", "def handle(message):\n    return 'second'\n")
    host = PluginHost([first, second, tmp_path / "missing"])
    host.refresh()
    assert host.call("same", message("x"), 2.0) == (Reply.text("first"),)
