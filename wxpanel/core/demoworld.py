"""The simulated account's world, and the messages demo.exe would write from it.

Fixed contacts and groups (so tests and the demo can name them) and a seeded
generator of received text messages in demo.exe's exact shapes
(:class:`~wxpanel.core.demoexe.EventRow`): private chats with ID2 ``_``,
groups with the member's wxid, MSG_FROM the display name of the conversation
(the remark if the account set one, else the nickname; ``_`` for a contact
Add.dll has no name for), and Chinese, English and mixed texts, some with
emoji or an @-mention's U+2005 that code page 936 turns into ``?``.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Final

from wxpanel.core.demoexe import EventRow

__all__ = [
    "ACCOUNT",
    "CONTACTS",
    "EVERYONE",
    "GROUPS",
    "STRANGERS",
    "TEXTS",
    "Contact",
    "Group",
    "Traffic",
]


@dataclasses.dataclass(frozen=True)
class Contact:
    """A WeChat user: ``remark`` is the name the account gave them, if any."""

    wxid: str
    nickname: str
    remark: str = ""

    @property
    def display_name(self) -> str:
        """What Add.dll's contact cache hands demo.exe: the remark, else the nickname."""
        return self.remark or self.nickname


@dataclasses.dataclass(frozen=True)
class Group:
    """A group chat and the members who speak in it (never the account itself)."""

    wxid: str
    name: str
    members: tuple[Contact, ...]


CONTACTS: Final = (
    Contact("wxid_8k2m4n6p9q1r3s", "张伟"),
    Contact("wxid_a7b3c9d1e5f2g8", "李娜", "李娜（财务）"),
    Contact("wxid_zq93lm0x7y2w4e", "王芳"),
    Contact("wxid_h5j7k9l1m3n5p7", "Tom Baker"),
    Contact("wxid_r2t4y6u8i0o1p3", "陈静", "陈老师"),
    Contact("wxid_m0n9b8v7c6x5z4", "刘洋"),
    Contact("wxid_q1w2e3r4t5y6u7", "Emily Chen"),
    Contact("wxid_p0o9i8u7y6t5r4", "赵磊"),
)
_GROUP_ONLY: Final = (
    Contact("wxid_s3d5f7g9h1j3k5", "孙悦"),
    Contact("wxid_x8c6v4b2n0m1l3", "周杰"),
    Contact("wxid_e4r6t8y0u2i4o6", "Mike Liu"),
    Contact("wxid_g7h9j1k3l5z7x9", "吴敏"),
)
#: Everyone the account knows: its contacts and the members of its groups.
EVERYONE: Final = (*CONTACTS, *_GROUP_ONLY)
#: The bot's own account, as group members @-mention it.
ACCOUNT: Final = Contact("wxid_bot_self", "小助手")
#: People who write before Add.dll's cache knows them: MSG_FROM is ``_``.
STRANGERS: Final = (
    Contact("wxid_n4b6v8c0x2z4a6", "小鱼儿"),
    Contact("wxid_k1j3h5g7f9d1s3", "Jason"),
)
_BY_NICK = {c.nickname: c for c in (*CONTACTS, *_GROUP_ONLY)}
GROUPS: Final = (
    Group(
        "24368910573@chatroom",
        "相亲相爱一家人",
        tuple(_BY_NICK[n] for n in ("张伟", "李娜", "陈静", "孙悦")),
    ),
    Group(
        "17788123456@chatroom",
        "Project Phoenix 项目组",
        tuple(_BY_NICK[n] for n in ("Tom Baker", "Emily Chen", "刘洋", "Mike Liu", "周杰")),
    ),
    Group(
        "20931475862@chatroom",
        "周末羽毛球🏸",  # demo.exe hands it over as 周末羽毛球?
        tuple(_BY_NICK[n] for n in ("王芳", "赵磊", "吴敏", "孙悦", "张伟", "周杰")),
    ),
)

#: Texts as people type them; :class:`EventRow` passes them through GBK.
TEXTS: Final = (
    "你好",
    "在吗？",
    "今天晚上一起吃饭吗",
    "好的，收到",
    "明天几点开会？",
    "哈哈哈哈哈",
    "我到了，在门口等你",
    "文件已经发你邮箱了，麻烦看一下",
    "周末有空吗？去爬山",
    "谢谢！辛苦了👍",
    "这个价格能再便宜点吗",
    "多少钱？",
    "晚安🌙",
    "下午三点的会议改到四点了",
    "帮我看看这个报错是什么意思",
    "菜单",
    "天气 北京",
    "第一行\n第二行\n第三行",
    "路径是 C:\\Users\\张三\\Desktop，100% 确定",
    "他说：“今天不加班”",
    "Hi, are you free now?",
    "Can you send me the report by Friday?",
    "lol 😂😂",
    "I'll be there in 10 minutes",
    "/help",
    "It's O'Brien's turn",
    "'; DROP TABLE wx_event; --",
    "PPT我改好了，check一下",
    "今晚 deadline 别忘了",
    "OK 没问题 🎉🎉🎉",
)
#: Share of messages in groups, and of group messages that @-mention someone.
_GROUP_SHARE: Final = 0.5
_MENTION_SHARE: Final = 0.15
_STRANGER_SHARE: Final = 0.05
_LONG_SHARE: Final = 0.005


class Traffic:
    """A seeded stream of received text messages, as demo.exe would write them.

    The same seed gives the same rows, whatever the timing: nothing else
    draws from this generator.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)

    def next_row(self) -> EventRow:
        """The next message: private (ID2 ``_``) or in a group (ID2 the member)."""
        rng = self._rng
        text = rng.choice(TEXTS)
        if rng.random() < _LONG_SHARE:  # a pasted article: long, but well below "huge"
            text = (text + "。") * rng.randint(200, 400)
        if rng.random() < _GROUP_SHARE:
            group = rng.choice(GROUPS)
            member = rng.choice(group.members)
            if rng.random() < _MENTION_SHARE:
                other = rng.choice([ACCOUNT, *(m for m in group.members if m != member)])
                # WeChat puts U+2005 after the name; GBK turns it into "?".
                text = f"@{other.display_name}\u2005{text}"
            return EventRow.group(group.wxid, group.name, member.wxid, text)
        if rng.random() < _STRANGER_SHARE:
            return EventRow.private(rng.choice(STRANGERS).wxid, None, text)
        contact = rng.choice(CONTACTS)
        return EventRow.private(contact.wxid, contact.display_name, text)
