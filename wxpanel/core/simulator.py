"""A stand-in for demo.exe + WeChat, writing to a copy of exchange.db.

wxpanel cannot be tested against the real thing (a Windows program injected
into WeChat 2.6.8.51), so this module plays its part of the protocol on a
copy of the file: it INSERTs ``wx_event`` rows the way the hook reports
messages, and takes ``wx_command`` rows the way demo.exe executes them,
echoing each sent message back as a 发出 event as WeChat's hook does.

It behaves like a *separate process* on purpose, because that is what the
consumer has to survive: every operation opens its own connection (never one
shared with the consumer, nor between threads), runs one short explicit
transaction, and retries with a small backoff when the file is busy.  It can
also misbehave on request: a burst of events, a long exclusive lock, or a
stall in which commands are never taken.

Everything that is random comes from one ``random.Random(seed)``, so a test
or a bug report can replay the same conversation.  No Qt here: the same code
runs in a test thread and behind ``wxpanel simulate``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final, TypeVar

from wxpanel.core import exchange, protocol
from wxpanel.core.codec import decode_bytes
from wxpanel.core.protocol import CommandType, MessageType

__all__ = [
    "CONTACTS",
    "FRIEND_REQUEST_ID",
    "GROUPS",
    "MAX_BATCH",
    "TAKE_INTERVAL",
    "Contact",
    "Group",
    "SimEvent",
    "SimStats",
    "Simulator",
    "SimulatorStopped",
    "TakenCommand",
]

_T = TypeVar("_T")
#: A wx_command row as read: (rowid, raw bytes of each column, None for NULL).
_Key = tuple[int, tuple[bytes | None, ...]]

#: At most this many rows per transaction, so a burst never holds the write
#: lock long enough to starve the consumer (demo.exe writes one row at a time).
MAX_BATCH: Final = 1000
#: How often :meth:`Simulator.run` looks at wx_command, like demo.exe's poll.
TAKE_INTERVAL: Final = 0.05
#: The longest :meth:`Simulator.run` sleeps at once, so close() is seen soon.
_MAX_WAIT: Final = 0.1
#: Backoff on SQLITE_BUSY: start small, double, cap; give up after this long
#: (a lock held for half a minute is a bug worth a traceback, not a retry).
_BACKOFF_START: Final = 0.005
_BACKOFF_MAX: Final = 0.1
_BUSY_GIVE_UP: Final = 30.0
#: WeChat reports friend requests as coming from this pseudo-contact.
FRIEND_REQUEST_ID: Final = "fmessage"

# Literal SQL, values always bound as parameters.  CAST(? AS TEXT) stores
# bytes as TEXT with those exact bytes, which is what demo.exe's GBK strings
# look like in the file.
_INSERT_EVENT_SQL: Final = (
    "INSERT INTO wx_event (ID1, ID2, MSG_FROM, MSG_CONTENT, MSG_STATE, MSG_TYPE) VALUES"
    " (CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),"
    " CAST(? AS TEXT))"
)
_SELECT_COMMANDS_SQL: Final = (
    "SELECT rowid, CAST(Token AS BLOB), CAST(cmd_type AS BLOB), CAST(id_1 AS BLOB),"
    " CAST(id_2 AS BLOB), CAST(id_3 AS BLOB) FROM wx_command ORDER BY rowid"
)
_DELETE_COMMAND_SQL: Final = "DELETE FROM wx_command WHERE rowid = ?"
_TOUCH_SQL: Final = "DELETE FROM wx_event WHERE 0"


# --------------------------------------------------------------------------
# Values


@dataclasses.dataclass(frozen=True)
class SimEvent:
    """One ``wx_event`` row, column for column.

    Values are normally ``str``; ``bytes`` are allowed so tests can write the
    invalid or GBK text a GBK-era demo.exe may produce (stored as TEXT with
    exactly those bytes), and ``None`` is a SQL NULL.
    """

    ID1: str | bytes | None
    ID2: str | bytes | None
    MSG_FROM: str | bytes | None
    MSG_CONTENT: str | bytes | None
    MSG_STATE: str | bytes | None
    MSG_TYPE: str | bytes | None

    def as_row(self) -> tuple[str | bytes | None, ...]:
        """The values in :data:`protocol.EVENT_COLUMNS` order, for INSERT."""
        return (self.ID1, self.ID2, self.MSG_FROM, self.MSG_CONTENT, self.MSG_STATE, self.MSG_TYPE)


@dataclasses.dataclass(frozen=True)
class TakenCommand:
    """A ``wx_command`` row the simulator took (and deleted), as demo.exe would.

    Values are decoded leniently from the stored bytes (None for NULL).
    ``echo`` is the 发出 event written for it, or None with ``problem`` saying
    why it could not be "sent" (unknown cmd_type, no recipient, no content).
    """

    rowid: int
    Token: str | None
    cmd_type: str | None
    id_1: str | None
    id_2: str | None
    id_3: str | None
    echo: SimEvent | None
    problem: str | None = None

    @property
    def echoed(self) -> bool:
        """Whether the command produced an outgoing event."""
        return self.echo is not None


@dataclasses.dataclass(frozen=True)
class SimStats:
    """What one :meth:`Simulator.run` did, for the CLI summary and tests."""

    events: int
    commands: int
    echoes: int
    busy_retries: int
    elapsed: float

    def to_json(self) -> dict[str, int | float]:
        """The figures as a plain dict, for ``wxpanel simulate``'s one-line JSON."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Contact:
    """A WeChat user the simulated account talks to."""

    wxid: str
    nickname: str


@dataclasses.dataclass(frozen=True)
class Group:
    """A group chat and the members who speak in it (never the account itself)."""

    wxid: str
    name: str
    members: tuple[Contact, ...]


# --------------------------------------------------------------------------
# The simulated account's world: fixed, so tests can refer to it.

CONTACTS: Final = (
    Contact("wxid_8k2m4n6p9q1r3s", "张伟"),
    Contact("wxid_a7b3c9d1e5f2g8", "李娜"),
    Contact("wxid_zq93lm0x7y2w4e", "王芳"),
    Contact("wxid_h5j7k9l1m3n5p7", "Tom Baker"),
    Contact("wxid_r2t4y6u8i0o1p3", "陈静"),
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
_C = {c.nickname: c for c in (*CONTACTS, *_GROUP_ONLY)}
GROUPS: Final = (
    Group(
        "24368910573@chatroom",
        "相亲相爱一家人",
        (_C["张伟"], _C["李娜"], _C["陈静"], _C["孙悦"]),
    ),
    Group(
        "17788123456@chatroom",
        "Project Phoenix 项目组",
        (_C["Tom Baker"], _C["Emily Chen"], _C["刘洋"], _C["Mike Liu"], _C["周杰"]),
    ),
    Group(
        "20931475862@chatroom",
        "周末羽毛球🏸",
        (_C["王芳"], _C["赵磊"], _C["吴敏"], _C["孙悦"], _C["张伟"], _C["周杰"]),
    ),
)
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


def _batches(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """Slices of at most ``size`` items, so no transaction grows unbounded."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lenient(raw: object) -> str | None:
    """A stored value as text, never raising: CAST(... AS BLOB) gives bytes or None."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        return decode_bytes(raw).text
    return str(raw)


class SimulatorStopped(Exception):
    """``stop`` or :meth:`Simulator.close` interrupted a wait for a busy file.

    The interrupted operation did nothing (its transaction never committed);
    :meth:`Simulator.run` catches this and returns its figures.
    """


class Simulator:
    """demo.exe + WeChat on one exchange.db: writes events, takes commands.

    Thread-safe: every operation opens its own short-lived connection, so the
    simulator may run in a thread while tests or the panel use theirs, and
    :meth:`close` may be called from any thread to interrupt waits.
    """

    def __init__(
        self,
        db: Path,
        *,
        seed: int | None = None,
        take_delay: float = 0.2,
        own_wxid: str = "wxid_bot_self",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Check ``db`` is an exchange.db now, so the CLI fails with one clear line.

        ``take_delay`` is how long a command must have been seen before it is
        taken (demo.exe is not instantaneous, and the panel must show rows
        waiting); ``clock`` exists so tests can move time without sleeping.
        """
        self._db = exchange.check_exchange(Path(db))
        self._take_delay = max(0.0, take_delay)
        self.own_wxid = own_wxid
        self._clock = clock
        self._rng = random.Random(seed)
        # Timing and backoff draw from their own streams so that the sequence
        # of events for a seed does not depend on how the threads were scheduled.
        self._timing_rng = random.Random(None if seed is None else seed + 1)
        self._rng_lock = threading.Lock()
        self._take_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._first_seen: dict[_Key, float] = {}
        self._busy_retries = 0
        self._closed = threading.Event()

    @property
    def db(self) -> Path:
        """The exchange.db this simulator writes to (resolved)."""
        return self._db

    @property
    def busy_retries(self) -> int:
        """How many times an operation found the file locked and retried."""
        with self._stats_lock:
            return self._busy_retries

    def __enter__(self) -> Simulator:
        """Context manager use, so tests cannot forget :meth:`close`."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close on leaving the ``with`` block."""
        self.close()

    def close(self) -> None:
        """Stop: interrupt any wait or held lock; later calls raise RuntimeError.

        There is no long-lived connection to close (each operation opens its
        own), so this only signals; it is idempotent and thread-safe.
        """
        self._closed.set()

    # ------------------------------------------------------------------
    # Events

    def random_event(self) -> SimEvent:
        """One realistic event, drawn from the seeded generator.

        Mixes Chinese and English text in private chats (ID1 = ID2 = the
        contact) and groups (ID1 = ``…@chatroom``, ID2 = the member who spoke),
        pictures, voice, stickers, cards, videos, links and transfers, friend
        requests (ID1 = ``fmessage``), system notices and the account's own
        messages (发出, ID2 = ``own_wxid``), so the consumer meets every shape.
        """
        with self._rng_lock:
            return self._random_event(self._rng)

    def _random_event(self, rng: random.Random) -> SimEvent:
        """The body of :meth:`random_event`; caller holds the rng lock."""
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
            who = rng.choice([*CONTACTS, *_GROUP_ONLY])
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
    ) -> SimEvent:
        """Build an event with the protocol's spellings of 私聊/群聊, 收到/发出, type."""
        return SimEvent(
            ID1=id1,
            ID2=id2,
            MSG_FROM=protocol.FROM_GROUP if group else protocol.FROM_PRIVATE,
            MSG_CONTENT=content,
            MSG_STATE=protocol.STATE_SENT if sent else protocol.STATE_RECEIVED,
            MSG_TYPE=str(int(mtype)),
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

    def insert_events(
        self, events: Sequence[SimEvent], *, stop: threading.Event | None = None
    ) -> None:
        """Insert ``events`` in order, in one short transaction (retried if busy).

        Callers keep batches small (:data:`MAX_BATCH`); :meth:`emit` and
        :meth:`run` do.  If ``stop`` (or close()) interrupts a wait for a busy
        file, nothing is inserted and :class:`SimulatorStopped` is raised.
        """
        self._check_open()
        rows = [event.as_row() for event in events]
        if not rows:
            return

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(_INSERT_EVENT_SQL, rows)

        self._transact(work, stop=stop)

    def emit(self, count: int = 1) -> list[SimEvent]:
        """Insert ``count`` random events (≤ :data:`MAX_BATCH` per transaction)."""
        self._check_open()
        events = [self.random_event() for _ in range(max(0, count))]
        for batch in _batches(events, MAX_BATCH):
            self.insert_events(batch)
        return events

    # ------------------------------------------------------------------
    # Commands

    def take_commands(self, *, stop: threading.Event | None = None) -> list[TakenCommand]:
        """Take due ``wx_command`` rows the way demo.exe does, and echo them.

        A row is due once it has been seen (same rowid, same bytes) for
        ``take_delay`` seconds.  Due rows are deleted by rowid, exactly those,
        and each ``wx_send``/``wx_picture`` is echoed as a 发出 event in the
        same transaction; any other row is deleted and reported unechoed.
        Values are read as bytes and decoded leniently: a bad row never crashes.
        """
        self._check_open()
        with self._take_lock:
            # A cheap read first: most polls find nothing due, and demo.exe
            # should not take the write lock for nothing.
            rows = self._transact(self._read_commands, begin="BEGIN", stop=stop)
            now = self._clock()
            # A row is identified by rowid *and* content: rowids are reused after deletes.
            present = set(rows)
            for key in list(self._first_seen):
                if key not in present:
                    del self._first_seen[key]
            for key in present:
                self._first_seen.setdefault(key, now)
            due = {key for key in present if now - self._first_seen[key] >= self._take_delay}
            if not due:
                return []

            def work(conn: sqlite3.Connection) -> list[tuple[_Key, TakenCommand]]:
                # Re-read under the write lock: take only rows still there, unchanged.
                taken: list[tuple[_Key, TakenCommand]] = []
                for row in self._read_commands(conn):
                    if row not in due:
                        continue
                    conn.execute(_DELETE_COMMAND_SQL, (row[0],))
                    command = self._interpret(row)
                    if command.echo is not None:
                        conn.execute(_INSERT_EVENT_SQL, command.echo.as_row())
                    taken.append((row, command))
                return taken

            result = self._transact(work, stop=stop)
            for key, _command in result:
                self._first_seen.pop(key, None)
            return [command for _key, command in result]

    @staticmethod
    def _read_commands(conn: sqlite3.Connection) -> list[_Key]:
        """Every wx_command row as (rowid, raw bytes of each column)."""
        result: list[_Key] = []
        for row in conn.execute(_SELECT_COMMANDS_SQL):
            values = tuple(v if v is None or isinstance(v, bytes) else bytes(v) for v in row[1:])
            result.append((int(row[0]), values))
        return result

    def _interpret(self, row: _Key) -> TakenCommand:
        """What demo.exe would do with one row: the echo, or why there is none."""
        rowid, raw = row
        token, cmd_type, id_1, id_2, id_3 = (_lenient(value) for value in raw)
        problem: str | None = None
        echo: SimEvent | None = None
        if cmd_type == CommandType.TEXT:
            mtype = MessageType.TEXT
        elif cmd_type == CommandType.PICTURE:
            mtype = MessageType.IMAGE
        else:
            mtype = MessageType.UNKNOWN
            problem = f"unknown cmd_type {cmd_type!r}"
        if problem is None and not id_1:
            problem = "no recipient (id_1 empty)"
        if problem is None and id_2 is None:
            problem = "no content (id_2 NULL)"
        if problem is None and id_1 is not None and id_2 is not None:
            echo = self._event(
                id_1, self.own_wxid, protocol.is_group_id(id_1), id_2, mtype, sent=True
            )
        return TakenCommand(rowid, token, cmd_type, id_1, id_2, id_3, echo, problem)

    # ------------------------------------------------------------------
    # Locks

    def hold_lock(
        self,
        seconds: float,
        *,
        held: threading.Event | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        """Hold an EXCLUSIVE lock for ``seconds``, blocking the caller that long.

        This is demo.exe (or a virus scanner) sitting on the file: nobody else
        can read or write meanwhile.  ``held`` is set once the lock is taken,
        so a test knows when to probe; ``stop`` (or :meth:`close`) releases it
        early (if it comes while still waiting for the lock,
        :class:`SimulatorStopped` is raised).  The transaction is rolled back:
        the file is not changed.
        """
        self._check_open()

        def work(conn: sqlite3.Connection) -> None:
            # In rollback-journal mode BEGIN EXCLUSIVE already takes the lock;
            # the no-op write makes sure of it should the file be in WAL mode.
            conn.execute(_TOUCH_SQL)
            if held is not None:
                held.set()
            self._wait(seconds, stop)

        self._transact(work, begin="BEGIN EXCLUSIVE", stop=stop, commit=False)

    # ------------------------------------------------------------------
    # Driving it

    def run(
        self,
        *,
        rate: float = 2.0,
        burst: int = 0,
        duration: float | None = None,
        stall: bool = False,
        lock_seconds: float = 0.0,
        stop: threading.Event | None = None,
    ) -> SimStats:
        """Play demo.exe until ``duration`` (from the call) elapses or ``stop`` is set.

        First ``burst`` events at once (batches of :data:`MAX_BATCH`), then an
        optional exclusive lock of ``lock_seconds``, then events at ``rate``
        per second as a Poisson process (0 = none) while, unless ``stall``,
        commands are taken every :data:`TAKE_INTERVAL`.  Waits use
        ``stop.wait`` so a stop is honoured at once.
        """
        self._check_open()
        stop_event = stop if stop is not None else self._closed
        started = time.monotonic()
        deadline = math.inf if duration is None else started + max(0.0, duration)
        retries_before = self.busy_retries
        events = commands = echoes = 0
        try:
            remaining = max(0, burst)
            while remaining > 0:
                self._raise_if_stopped(stop_event)
                size = min(remaining, MAX_BATCH)
                with self._rng_lock:
                    batch = [self._random_event(self._rng) for _ in range(size)]
                self.insert_events(batch, stop=stop_event)
                events += size
                remaining -= size
            if lock_seconds > 0:
                self._raise_if_stopped(stop_event)
                self.hold_lock(lock_seconds, stop=stop_event)
            next_event = time.monotonic() + self._interval(rate)
            next_take = time.monotonic()
            while True:
                self._raise_if_stopped(stop_event)
                now = time.monotonic()
                if now >= deadline:
                    break
                due = 0
                while next_event <= now and due < MAX_BATCH:
                    due += 1
                    next_event += self._interval(rate)
                if due:
                    with self._rng_lock:
                        batch = [self._random_event(self._rng) for _ in range(due)]
                    self.insert_events(batch, stop=stop_event)
                    events += due
                if not stall and now >= next_take:
                    taken = self.take_commands(stop=stop_event)
                    commands += len(taken)
                    echoes += sum(1 for command in taken if command.echoed)
                    next_take = now + TAKE_INTERVAL
                wake = min(next_event, deadline, now + _MAX_WAIT)
                if not stall:
                    wake = min(wake, next_take)
                self._wait(wake - time.monotonic(), stop_event)
        except SimulatorStopped:
            pass
        return SimStats(
            events=events,
            commands=commands,
            echoes=echoes,
            busy_retries=self.busy_retries - retries_before,
            elapsed=time.monotonic() - started,
        )

    def _interval(self, rate: float) -> float:
        """Time to the next event of a Poisson process; infinite when rate is 0."""
        if rate <= 0:
            return math.inf
        with self._rng_lock:
            return self._timing_rng.expovariate(rate)

    # ------------------------------------------------------------------
    # Plumbing

    def _check_open(self) -> None:
        """Refuse work after close(), instead of writing to a file the caller let go."""
        if self._closed.is_set():
            raise RuntimeError("simulator is closed")

    def _wait(self, seconds: float, stop: threading.Event | None) -> bool:
        """Sleep up to ``seconds``; True (early) once ``stop`` or close() is signalled.

        Waits in slices so that close() from another thread is noticed even
        while the caller waits on its own ``stop`` event.
        """
        end = time.monotonic() + max(0.0, seconds)
        event = stop if stop is not None else self._closed
        while True:
            if self._closed.is_set() or event.is_set():
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            event.wait(min(left, _MAX_WAIT))

    def _raise_if_stopped(self, stop: threading.Event | None) -> None:
        """Unwind promptly when the caller's stop or close() was signalled."""
        if self._closed.is_set() or (stop is not None and stop.is_set()):
            raise SimulatorStopped

    def _transact(
        self,
        work: Callable[[sqlite3.Connection], _T],
        *,
        begin: str = "BEGIN IMMEDIATE",
        stop: threading.Event | None = None,
        commit: bool = True,
    ) -> _T:
        """Run ``work`` in one transaction on a fresh connection, retrying when busy.

        A fresh connection per operation is what a separate process looks
        like to the consumer and makes the simulator safe to use from any
        thread.  BEGIN IMMEDIATE takes the write lock up front: upgrading a
        read transaction later can fail at once with BUSY.  ``work`` must not
        change Python state it cannot redo, since it may run again.
        """
        delay = _BACKOFF_START
        give_up = time.monotonic() + _BUSY_GIVE_UP
        while True:
            conn = exchange.connect(self._db)
            try:
                conn.execute(begin)
                try:
                    result = work(conn)
                    conn.execute("COMMIT" if commit else "ROLLBACK")
                    return result
                except BaseException:
                    # A failed COMMIT (BUSY) leaves the transaction open: undo it
                    # before retrying, and never let a failing ROLLBACK hide why.
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if not exchange.is_busy(exc) or time.monotonic() >= give_up:
                    raise
            finally:
                conn.close()
            with self._stats_lock:
                self._busy_retries += 1
            with self._rng_lock:
                jitter = self._timing_rng.uniform(0.5, 1.0)
            if self._wait(delay * jitter, stop):
                raise SimulatorStopped
            delay = min(delay * 2, _BACKOFF_MAX)
