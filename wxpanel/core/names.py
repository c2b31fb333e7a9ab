"""Who is who: names of conversations and contacts, and picking one by name.

demo.exe names a conversation with every message (MSG_FROM: the remark,
else the nickname, of the contact or the group) and never names a group's
members; the operator's alias wins over both.  Everywhere a person chooses
a recipient (the CLI, timed messages, rule scopes, the try-it box) goes
through :func:`resolve`, so a typed name finds its wxid, and a target that
is neither a known wxid nor shaped like one is refused instead of being
"sent" to nobody.  Plain Python: the panel's worker loads a
:class:`Directory` and hands it to the GUI thread.
"""

from __future__ import annotations

import enum
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from wxpanel.core.protocol import is_group_id

#: WeChat ids: ``wxid_`` + letters and digits; a chosen WeChat ID (6–20
#: characters, a letter first, then letters, digits, ``_`` or ``-``); a
#: group ``…@chatroom``; official accounts ``gh_…``.
_WXID_SHAPES: Final = (
    re.compile(r"wxid_[A-Za-z0-9_-]{4,40}"),
    re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}"),
    re.compile(r"[A-Za-z0-9_-]{1,40}@chatroom"),
    re.compile(r"gh_[A-Za-z0-9_-]{4,40}"),
)
#: A member's wxid longer than this is shown shortened.
SHORT_CHARS: Final = 10


def looks_like_wxid(text: str) -> bool:
    """Whether ``text`` has the shape of a WeChat id (not whether it exists)."""
    return any(shape.fullmatch(text) for shape in _WXID_SHAPES)


def short_wxid(wxid: str) -> str:
    """A member without a name, shown briefly: ``wxid_`` dropped, the start kept."""
    core = wxid[len("wxid_") :] if wxid.startswith("wxid_") else wxid
    return core if len(core) <= SHORT_CHARS else core[: SHORT_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class Contact:
    """A conversation or a contact the history knows."""

    wxid: str
    alias: str | None = None
    name: str | None = None  # the latest name demo.exe gave it
    conversation: bool = True  # has a conversation (a group member may not)

    @property
    def is_group(self) -> bool:
        return is_group_id(self.wxid)

    @property
    def nickname(self) -> str:
        """What ``{nickname}`` says: the alias, else demo.exe's name, else nothing."""
        return self.alias or self.name or ""

    @property
    def display_name(self) -> str:
        """The alias, else demo.exe's name, else the wxid (short for a group member)."""
        return self.nickname or (self.wxid if self.conversation else short_wxid(self.wxid))

    @property
    def label(self) -> str:
        """Name and wxid together, as every picker shows them."""
        name = self.nickname
        return f"{name} ({self.wxid})" if name else self.wxid


class Verdict(enum.StrEnum):
    """How a typed target was understood."""

    KNOWN = "known"  # a wxid of the history, or a name that is exactly one
    SHAPED = "shaped"  # not in the history but shaped like a wxid: allowed
    AMBIGUOUS = "ambiguous"  # a name several contacts carry
    UNKNOWN = "unknown"  # neither a known name or wxid nor shaped like one


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a typed target means: ``wxid`` is set when it may be used."""

    text: str
    verdict: Verdict
    wxid: str | None = None
    candidates: tuple[Contact, ...] = ()

    @property
    def ok(self) -> bool:
        return self.wxid is not None

    def message(self) -> str:
        """Why a refused target is refused, in English (the panel translates :attr:`key`)."""
        if self.verdict is Verdict.AMBIGUOUS:
            names = ", ".join(c.label for c in self.candidates)
            return f"{self.text!r} names several contacts: {names}; give the wxid"
        return f"{self.text!r} is neither a known contact nor a wxid"


class Directory:
    """Every known conversation and contact, searchable by name and wxid."""

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self._by_wxid = {contact.wxid: contact for contact in contacts}

    def __len__(self) -> int:
        return len(self._by_wxid)

    def __contains__(self, wxid: object) -> bool:
        return wxid in self._by_wxid

    def with_contacts(self, contacts: Iterable[Contact]) -> Directory:
        """A copy with ``contacts`` added or replaced, first (they are the newest).

        What the poller learns from a batch of messages (a new conversation,
        a new name) costs a dict copy, not a reread of every contact.
        """
        newest = {contact.wxid: contact for contact in contacts}
        merged = dict(newest)
        merged.update(self._by_wxid)
        merged.update(newest)  # replaced in place: a key keeps its first position
        directory = Directory()
        directory._by_wxid = merged
        return directory

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return tuple(self._by_wxid.values())

    def get(self, wxid: str) -> Contact:
        """The contact of ``wxid`` (an unnamed member if the history does not know it)."""
        return self._by_wxid.get(wxid) or Contact(wxid, conversation=False)

    def label(self, wxid: str) -> str:
        return self.get(wxid).label

    def nicknames(self) -> dict[str, str]:
        """wxid → alias or demo.exe's name, for every named contact."""
        return {c.wxid: c.nickname for c in self._by_wxid.values() if c.nickname}

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        """Contacts whose alias, name or wxid contains ``text`` (case-insensitive)."""
        needle = text.strip().casefold()
        found = [
            contact
            for contact in self._by_wxid.values()
            if needle in contact.wxid.casefold()
            or needle in (contact.alias or "").casefold()
            or needle in (contact.name or "").casefold()
        ]
        return found[:limit]

    def resolve(self, text: str) -> Resolution:
        """A typed target as a wxid: a known wxid, a name, a label, or a wxid's shape."""
        text = text.strip()
        match = _LABEL.fullmatch(text)
        if match and match.group(2) in self._by_wxid:
            text = match.group(2)  # "赵磊 (wxid_zl)", as a picker shows it
        if text in self._by_wxid:
            return Resolution(text, Verdict.KNOWN, text)
        named = [
            contact
            for contact in self._by_wxid.values()
            if text and text in (contact.alias, contact.name)
        ]
        if len(named) == 1:
            return Resolution(text, Verdict.KNOWN, named[0].wxid, tuple(named))
        if named:
            return Resolution(text, Verdict.AMBIGUOUS, None, tuple(named))
        if looks_like_wxid(text):
            return Resolution(text, Verdict.SHAPED, text)
        return Resolution(text, Verdict.UNKNOWN)


_LABEL: Final = re.compile(r"(.*?)\s*\(([^()\s]+)\)")


def load_directory(conn: sqlite3.Connection) -> Directory:
    """Every conversation and every contact the history names, most recent first."""
    rows = conn.execute(
        "SELECT c.id, k.alias, k.name, 1, c.last_time FROM conversation AS c"
        " LEFT JOIN contact AS k ON k.wxid = c.id"
        " UNION ALL SELECT k.wxid, k.alias, k.name, 0, NULL FROM contact AS k"
        " WHERE NOT EXISTS (SELECT 1 FROM conversation WHERE id = k.wxid)"
        " AND (k.alias IS NOT NULL OR k.name IS NOT NULL)"
        " ORDER BY 4 DESC, 5 DESC"
    ).fetchall()
    return Directory(Contact(wxid, alias, name, bool(has)) for wxid, alias, name, has, _ in rows)


def known_wxids(conn: sqlite3.Connection) -> frozenset[str]:
    """Every wxid the history knows (conversations and named contacts)."""
    return frozenset(
        row[0]
        for row in conn.execute(
            "SELECT id FROM conversation UNION SELECT wxid FROM contact"
        ).fetchall()
    )


def nicknames(conn: sqlite3.Connection, wxids: Iterable[str]) -> dict[str, str]:
    """wxid → what ``{nickname}`` says (alias, else demo.exe's name) for those that have one."""
    ids = sorted(set(wxids))
    if not ids:
        return {}
    return dict(
        conn.execute(
            "SELECT wxid, coalesce(alias, name) FROM contact"
            " WHERE coalesce(alias, name) IS NOT NULL"
            " AND wxid IN (SELECT value FROM json_each(?))",
            (json.dumps(ids, ensure_ascii=False),),
        ).fetchall()
    )
