"""Decoding whatever demo.exe stored; the original is always recoverable."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wxpanel.core.codec import Flag, decode_value
from wxpanel.core.decode import event_to_message


def test_utf8_text_is_clean() -> None:
    decoded = decode_value("你好 😀".encode(), "text")
    assert decoded.text == "你好 😀" and decoded.flags == Flag.NONE


def test_gbk_falls_back() -> None:
    decoded = decode_value("微信机器人".encode("gbk"), "text")
    assert decoded.text == "微信机器人" and decoded.flags == Flag.GBK


def test_garbage_is_replaced_and_flagged() -> None:
    decoded = decode_value(b"\xff\xff\xff", "text")
    assert decoded.flags == Flag.INVALID and decoded.text is not None


def test_storage_classes() -> None:
    assert decode_value(None, "null").flags == Flag.NULL
    assert decode_value(b"12", "integer").flags == Flag.NOT_TEXT
    assert decode_value(b"1.5", "real").text == "1.5"
    assert decode_value(b"abc", "blob").flags == Flag.BLOB


def test_flag_names() -> None:
    assert (Flag.GBK | Flag.NULL).describe() == ["null", "gbk"]


column = st.one_of(
    st.none().map(lambda _: ("null", None)),
    st.binary(max_size=64).map(lambda b: ("blob", b)),
    st.binary(max_size=64).map(lambda b: ("text", b)),
    st.integers().map(lambda i: ("integer", str(i).encode())),
    st.text(max_size=64).map(lambda t: ("text", t.encode("utf-8", "surrogatepass"))),
)


@given(st.tuples(column, column, column, column, column, column))
def test_any_row_becomes_a_message(row: tuple[tuple[str, bytes | None], ...]) -> None:
    flat = [part for pair in row for part in pair]
    message = event_to_message(flat, now=0.0)
    assert isinstance(message.conversation, str)
