"""Which messages notify, and the badge icon."""

from __future__ import annotations

import dataclasses

from tests.gui.test_models import conv, msg
from wxpanel.gui.tray import badge_icon, worth_notifying


def test_new_private_message_notifies() -> None:
    assert worth_notifying(msg(1, "wxid_a"), conv("wxid_a", 1), None, False)


def test_groups_our_own_and_muted_do_not() -> None:
    assert not worth_notifying(msg(1, "r@chatroom"), conv("r@chatroom", 1), None, False)
    assert not worth_notifying(msg(1, "wxid_a", out=True), conv("wxid_a", 1), None, False)
    muted = dataclasses.replace(conv("wxid_a", 1), muted=True)
    assert not worth_notifying(msg(1, "wxid_a"), muted, None, False)


def test_not_while_the_user_reads_that_chat() -> None:
    assert not worth_notifying(msg(1, "wxid_a"), conv("wxid_a", 1), "wxid_a", True)
    assert worth_notifying(msg(1, "wxid_a"), conv("wxid_a", 1), "wxid_a", False)
    assert worth_notifying(msg(1, "wxid_a"), None, "wxid_b", True)


def test_badge_icon_renders(qapp: object) -> None:
    for unread in (0, 7, 1000):
        pixmap = badge_icon(unread).pixmap(32, 32)
        assert not pixmap.isNull()
