"""What ``wxpanel --demo`` starts from: names for the group members and a few rules.

demo.exe hands over the display name of each conversation (MSG_FROM), but
none for the member who spoke in a group: a real operator names those, so
the demo has done it for them. Contacts and groups are left to MSG_FROM, as
on a real account. Three example rules, of kinds that can fire with
demo.exe (it delivers received text only), show auto-replies, the pacer and
the outbox at work without anyone having to write a rule first.
"""

from __future__ import annotations

from pathlib import Path

from wxpanel.core.demoworld import ACCOUNT, GROUPS
from wxpanel.core.history import HistoryStore
from wxpanel.core.rules import Reply, Rule, RuleStore, Scope, ScopeKind, Trigger
from wxpanel.core.rules.model import MatchMode

DEMO_RULES = (
    Rule(
        "菜单 / menu",
        triggers=(Trigger("菜单", MatchMode.EXACT), Trigger("menu", MatchMode.EXACT)),
        reply=Reply(("功能列表：\n1. 查询订单\n2. 人工客服\n回复数字即可",)),
        cooldown=60,
    ),
    Rule(
        "价格咨询",
        triggers=(Trigger("价格"), Trigger("多少钱"), Trigger("便宜")),
        reply=Reply(("{nickname}您好，价格表稍后发您，请稍等。",)),
        scope=Scope(ScopeKind.PRIVATE),
        cooldown=600,
    ),
    Rule(
        "群里@我",
        triggers=(Trigger("明天"), Trigger("几点")),
        reply=Reply(("收到，我查一下再回复大家。",)),
        scope=Scope(ScopeKind.GROUPS, only_when_mentioned=True, mention_names=(ACCOUNT.nickname,)),
        cooldown=300,
    ),
)


def prepare_demo(history: Path) -> None:
    """Name the simulated group members and add the example rules (once)."""
    with HistoryStore(history) as store:
        for member in {member for group in GROUPS for member in group.members}:
            store.set_alias(member.wxid, member.nickname)
    with RuleStore.open(history) as rules:
        if not rules.rules():
            for rule in DEMO_RULES:
                rules.add(rule)
