"""What ``wxpanel --demo`` starts from: names for the simulated contacts and a few rules.

A real account learns its contacts' names as the operator sets aliases; the
simulated one knows them, so the demo shows names instead of bare wxids, and
three example rules show auto-replies, the pacer and the outbox at work
without anyone having to write a rule first.
"""

from __future__ import annotations

from pathlib import Path

from wxpanel.core.history import HistoryStore
from wxpanel.core.rules import Reply, Rule, RuleKind, RuleStore, Scope, ScopeKind, Trigger
from wxpanel.core.rules.model import MatchMode
from wxpanel.core.simulator import CONTACTS, GROUPS

DEMO_RULES = (
    Rule(
        "菜单 / menu",
        triggers=(Trigger("菜单", MatchMode.EXACT), Trigger("menu", MatchMode.EXACT)),
        reply=Reply(("功能列表：\n1. 查询订单\n2. 人工客服\n回复数字即可",)),
    ),
    Rule(
        "价格咨询",
        triggers=(Trigger("价格"), Trigger("多少钱"), Trigger("便宜")),
        reply=Reply(("{nickname}您好，价格表稍后发您，请稍等 🙏",)),
        scope=Scope(ScopeKind.PRIVATE),
        cooldown=600,
    ),
    Rule(
        "欢迎新朋友",
        kind=RuleKind.WELCOME_FRIEND,
        reply=Reply(("你好，很高兴认识你！回复「菜单」看看我能做什么。",)),
    ),
)


def prepare_demo(history: Path) -> None:
    """Name the simulated contacts and groups and add the example rules (once)."""
    with HistoryStore(history) as store:
        members = {member for group in GROUPS for member in group.members}
        for contact in {*CONTACTS, *members}:
            store.set_alias(contact.wxid, contact.nickname)
        for group in GROUPS:
            store.set_alias(group.wxid, group.name)
    with RuleStore.open(history) as rules:
        if not rules.rules():
            for rule in DEMO_RULES:
                rules.add(rule)
