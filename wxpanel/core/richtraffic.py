"""Richer event shapes, for bridges other than demo.exe (and the tests that need them).

demo.exe writes only received plain text (:mod:`wxpanel.core.demoworld`).
Other bridges, older notes and hand-made rows carry more: pictures, voice,
stickers, cards, videos, links and transfers as WeChat's XML, friend
requests (ID1 ``fmessage``), system notices and the account's own messages
(发出, ID2 the account), with ID2 the contact in a private chat and
MSG_FROM 私聊/群聊. ``wxpanel simulate --rich`` writes these; a test that
relies on them says so by asking for ``Shapes.RICH``.
"""

from __future__ import annotations

import random
from typing import Final

from wxpanel.core import protocol
from wxpanel.core.demoworld import CONTACTS, EVERYONE, GROUPS, Contact
from wxpanel.core.protocol import MessageType

__all__ = ["FRIEND_REQUEST_ID", "RichTraffic", "Row"]

#: One wx_event row, column for column.
Row = tuple[str, str, str, str, str, str]
#: WeChat reports friend requests as coming from this pseudo-contact.
FRIEND_REQUEST_ID: Final = "fmessage"

_STRANGERS: Final = (
    Contact("wxid_n4b6v8c0x2z4a6", "小鱼儿"),
    Contact("wxid_k1j3h5g7f9d1s3", "Jason"),
    Contact("wxid_t6y8u0i2o4p6a8", "快递小哥"),
)

_TEXTS_ZH: Final = (
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
    "晚安🌙",
    "下午三点的会议改到四点了",
    "帮我看看这个报错是什么意思",
    "菜单",
    "天气 北京",
    "第一行\n第二行\n第三行",
    "路径是 C:\\Users\\张三\\Desktop，100% 确定",
    "他说：“今天不加班”",
)
_TEXTS_EN: Final = (
    "Hi, are you free now?",
    "Sounds good!",
    "Can you send me the report by Friday?",
    "lol 😂😂",
    "I'll be there in 10 minutes",
    "Thanks a lot!",
    "Let's sync tomorrow morning.",
    "OK",
    "/help",
    "He said \"it's fine\", so it's fine",
    "It's O'Brien's turn",
    "'; DROP TABLE wx_event; --",
    "Line one\r\nLine two",
)
_TEXTS_MIXED: Final = (
    "PPT我改好了，check一下",
    "今晚 deadline 别忘了",
    "这个 bug 复现不了，能发个 screenshot 吗",
    "OK 没问题 🎉🎉🎉",
)
_TEXTS_OWN: Final = (
    "好的",
    "收到，马上处理",
    "OK, noted.",
    "稍等一下",
    "👌",
    "明天再说吧",
    "I'm on it.",
)
_LINKS: Final = (
    (
        "深度好文：如何高效地管理时间",
        "这可能是今年最值得读的一篇文章",
        "https://mp.weixin.qq.com/s/Xq3kLm9sT2",
    ),
    ("Python 3.11 有哪些新特性？", "速度提升 25%", "https://example.com/python-311?a=1&b=2"),
    ("Weekend hiking route", "Shared from Maps", "https://maps.example.com/r/8f2k"),
)
_GREETINGS: Final = (
    "我是小鱼儿，在羽毛球群里看到你的",
    "Hi, I'm Jason from the conference",
    "你好，我是快递员",
)
#: How often each kind of event occurs, roughly as in a busy account.
_KINDS: Final = (
    "text",
    "image",
    "voice",
    "sticker",
    "app",
    "friend",
    "card",
    "video",
    "system",
    "own",
)
_KIND_WEIGHTS: Final = (50, 8, 5, 6, 6, 3, 2, 2, 5, 13)
_GROUP_RENAMES: Final = ("周末羽毛球🏸", "Phoenix 冲刺", "家人们")


class RichTraffic:
    """A seeded stream of events of every kind, as a richer bridge reports them."""

    def __init__(self, seed: int | None = None, own_wxid: str = "wxid_bot_self") -> None:
        self._rng = random.Random(seed)
        self.own_wxid = own_wxid

    def echo(self, conversation: str, content: str, *, picture: bool = False) -> Row:
        """The 发出 event such a bridge writes once it has sent a command."""
        mtype = MessageType.IMAGE if picture else MessageType.TEXT
        group = protocol.is_group_id(conversation)
        return self._event(conversation, self.own_wxid, group, content, mtype, sent=True)

    def next_row(self) -> Row:
        """The next event: any kind, any direction, in the older notes' spellings."""
        rng = self._rng
        kind = rng.choices(_KINDS, weights=_KIND_WEIGHTS)[0]
        if kind == "friend":
            stranger = rng.choice(_STRANGERS)
            content = (
                f'<msg fromusername="{stranger.wxid}" '
                f'encryptusername="v1_{self._hex(rng)}@stranger" '
                f'fromnickname="{stranger.nickname}" content="{rng.choice(_GREETINGS)}" '
                f'scene="30" ticket="v4_{self._hex(rng)}@stranger" opcode="2" sex="1" '
                f'country="CN" province="Guangdong" city="Shenzhen" />'
            )
            return self._event(
                FRIEND_REQUEST_ID, stranger.wxid, False, content, MessageType.FRIEND_REQUEST
            )

        in_group = rng.random() < 0.5
        group = rng.choice(GROUPS) if in_group else None
        peer = rng.choice(group.members) if group is not None else rng.choice(CONTACTS)
        conversation = group.wxid if group is not None else peer.wxid

        if kind == "own":
            if rng.random() < 0.85:
                content, mtype = rng.choice(_TEXTS_OWN), MessageType.TEXT
            else:
                content, mtype = self._image_xml(rng), MessageType.IMAGE
            return self._event(conversation, self.own_wxid, in_group, content, mtype, sent=True)
        if kind == "text":
            pool = rng.choices((_TEXTS_ZH, _TEXTS_EN, _TEXTS_MIXED), weights=(5, 3, 2))[0]
            text = rng.choice(pool)
            if rng.random() < 0.005:  # a pasted article: long, but well below "huge"
                text = (text + "。") * rng.randint(200, 400)
            if group is not None and rng.random() < 0.2:
                # WeChat separates an @mention from the text with U+2005.
                target = rng.choice([*group.members, Contact(self.own_wxid, "我")])
                text = f"@{target.nickname}\u2005{text}"
            return self._event(conversation, peer.wxid, in_group, text, MessageType.TEXT)
        if kind == "image":
            content = self._image_xml(rng)
            return self._event(conversation, peer.wxid, in_group, content, MessageType.IMAGE)
        if kind == "voice":
            ms = rng.randint(800, 59000)
            content = (
                f'<msg><voicemsg endflag="1" cancelflag="0" forwardflag="0" voiceformat="4" '
                f'voicelength="{ms}" length="{ms // 3}" bufid="0" '
                f'fromusername="{peer.wxid}" /></msg>'
            )
            return self._event(conversation, peer.wxid, in_group, content, MessageType.VOICE)
        if kind == "sticker":
            md5 = self._hex(rng)
            content = (
                f'<msg><emoji fromusername="{peer.wxid}" tousername="{self.own_wxid}" type="2" '
                f'md5="{md5}" len="{rng.randint(2000, 90000)}" width="240" height="240" '
                f'cdnurl="http://emoji.qpic.cn/wx_emoji/{md5[:16]}/?m={md5}&amp;w=240" /></msg>'
            )
            return self._event(conversation, peer.wxid, in_group, content, MessageType.STICKER)
        if kind == "card":
            who = rng.choice(EVERYONE)
            content = (
                f'<?xml version="1.0"?>\n<msg username="{who.wxid}" nickname="{who.nickname}" '
                f'alias="" imagestatus="0" scene="17" province="北京" city="海淀" sex="2" '
                f'certflag="0" regionCode="CN_Beijing_Haidian" />'
            )
            return self._event(conversation, peer.wxid, in_group, content, MessageType.CARD)
        if kind == "video":
            content = (
                f'<msg><videomsg aeskey="{self._hex(rng)}" length="{rng.randint(10**5, 10**7)}" '
                f'playlength="{rng.randint(1, 120)}" md5="{self._hex(rng)}" '
                f'fromusername="{peer.wxid}" isad="0" /></msg>'
            )
            return self._event(conversation, peer.wxid, in_group, content, MessageType.VIDEO)
        if kind == "app":
            content = self._app_xml(rng)
            return self._event(conversation, peer.wxid, in_group, content, MessageType.APP)
        # system notice: in a group ID2 is the member the notice is about
        if group is not None:
            other = rng.choice([m for m in group.members if m != peer] or [peer])
            notice = rng.choice(
                (
                    f"{peer.nickname}邀请{other.nickname}加入了群聊",
                    f'"{peer.nickname}"撤回了一条消息',
                    f"{peer.nickname}修改群名为“{rng.choice(_GROUP_RENAMES)}”",
                )
            )
        else:
            notice = rng.choice(
                (
                    f"你已添加了{peer.nickname}，现在可以开始聊天了。",
                    f'"{peer.nickname}"撤回了一条消息',
                    f"{peer.nickname}开启了朋友验证，你还不是他（她）朋友。",
                )
            )
        return self._event(conversation, peer.wxid, in_group, notice, MessageType.SYSTEM)

    @staticmethod
    def _event(
        id1: str,
        id2: str,
        group: bool,
        content: str,
        mtype: MessageType,
        *,
        sent: bool = False,
    ) -> Row:
        """A row with the older notes' spellings of 私聊/群聊, 收到/发出, and the type."""
        return (
            id1,
            id2,
            protocol.FROM_GROUP if group else protocol.FROM_PRIVATE,
            content,
            protocol.STATE_SENT if sent else protocol.STATE_RECEIVED,
            str(int(mtype)),
        )

    @staticmethod
    def _hex(rng: random.Random) -> str:
        """32 hex digits, the shape of WeChat's md5s and keys."""
        return f"{rng.getrandbits(128):032x}"

    def _image_xml(self, rng: random.Random) -> str:
        """An image message as WeChat's hook reports it: XML, not the picture."""
        return (
            f'<?xml version="1.0"?>\n<msg>\n\t<img aeskey="{self._hex(rng)}" encryver="1" '
            f'cdnthumblength="{rng.randint(2000, 9000)}" cdnthumbheight="120" cdnthumbwidth="90" '
            f'length="{rng.randint(20000, 900000)}" md5="{self._hex(rng)}" />\n</msg>'
        )

    def _app_xml(self, rng: random.Random) -> str:
        """Type 49 is several things: a shared link, a transfer, a file."""
        choice = rng.randrange(3)
        if choice == 0:
            title, des, url = rng.choice(_LINKS)
            return (
                f'<?xml version="1.0"?>\n<msg><appmsg appid="" sdkver="0"><title>{title}</title>'
                f"<des>{des}</des><type>5</type><url>{url.replace('&', '&amp;')}</url>"
                f"</appmsg></msg>"
            )
        if choice == 1:
            amount = f"{rng.randint(1, 50000) / 100:.2f}"
            return (
                '<msg><appmsg appid="" sdkver=""><title><![CDATA[微信转账]]></title>'
                f"<des><![CDATA[收到转账{amount}元。如需收钱，请点此升级至最新版本]]></des>"
                "<type>2000</type><wcpayinfo><paysubtype>1</paysubtype>"
                f"<feedesc><![CDATA[￥{amount}]]></feedesc>"
                f"<transferid><![CDATA[{rng.getrandbits(80):020d}]]></transferid>"
                "</wcpayinfo></appmsg></msg>"
            )
        name = rng.choice(("季度报告.pdf", "budget 2024.xlsx", "合同(终版).docx"))
        return (
            f'<?xml version="1.0"?>\n<msg><appmsg appid="" sdkver="0"><title>{name}</title>'
            f"<type>6</type><appattach><totallen>{rng.randint(10**4, 10**7)}</totallen>"
            f"<fileext>{name.rsplit('.', 1)[-1]}</fileext></appattach></appmsg></msg>"
        )
