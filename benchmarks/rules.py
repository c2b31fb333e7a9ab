"""Rule evaluation speed: how long deciding the answer to one message takes with 500 rules.

What is measured, on the same ``--messages`` messages (default 5000, drawn
from a seed: the texts of ``_common.TEXTS`` and of the rules' own keywords,
private and group conversations, some @-mentioning the account) against the
same ``--rules`` rules (default 500: 60 % "contains", 20 % "exact", 10 %
"starts with", 10 % regular expressions; all ignore case and fold width;
a fifth limited to groups or to office hours, a few "only when mentioned",
one default reply):

* ``wxpanel RuleSet``     -- per message, what the replier does before it
  touches the database: :meth:`RuleSet.classify` (mentions, kinds),
  :meth:`RuleSet.matches` (every rule in priority order) and
  :func:`~wxpanel.core.rules.evaluate.plan` (templates rendered) for each
  match.  The rules are compiled once, as the poller does, and that
  compilation is timed separately.
* ``plain == loop``       -- the baseline: for each message, ``for keyword in
  keywords: if text == keyword: break`` over the 500 keywords (what the
  upstream bot does with one rule, scaled up), in the same run.
* ``no match, all rules`` -- the worst case: messages no rule matches, so
  every rule is tried (the default reply is what answers them).

Printed per contender: mean, p50, p99 and max per message, and the ratio to
the baseline.  Goal: wxpanel under 1 ms per message (judged on p99 of the
best repetition; mean and p50 shown).  Each contender runs ``--repeat``
times (default 3); the best repetition is reported.

Run: ``python benchmarks/rules.py [--rules 500] [--messages 5000]
[--repeat 3]``.  Exit status is 0 whatever the verdict.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence
from datetime import time as dtime

import _common as common

from wxpanel.core.protocol import MessageType
from wxpanel.core.rules.evaluate import Incoming, LocalTime, RuleSet, plan
from wxpanel.core.rules.model import (
    ActiveHours,
    AutoReplyConfig,
    MatchMode,
    Reply,
    Rule,
    RuleKind,
    Scope,
    ScopeKind,
    Trigger,
)

GOAL = 0.001  # seconds per message
NICKNAME = "小助手"
SYLLABLES = "价格地址营业时间菜单预约退款发票会员积分优惠活动快递售后咨询报名课程天气订单"


def make_rules(count: int, rng: random.Random) -> list[Rule]:
    rules: list[Rule] = []
    for index in range(count - 1):
        keyword = "".join(rng.sample(SYLLABLES, rng.randint(2, 4))) + str(index)
        roll = rng.random()
        if roll < 0.6:
            trigger = Trigger(keyword, MatchMode.CONTAINS)
        elif roll < 0.8:
            trigger = Trigger(keyword, MatchMode.EXACT)
        elif roll < 0.9:
            trigger = Trigger(keyword, MatchMode.STARTSWITH)
        else:
            trigger = Trigger(rf"^{keyword}\s*(?P<arg>\S+)?$", MatchMode.REGEX)
        scope = Scope()
        active = None
        if rng.random() < 0.1:
            scope = Scope(ScopeKind.GROUPS, only_when_mentioned=rng.random() < 0.5)
        elif rng.random() < 0.1:
            active = ActiveHours(dtime(9), dtime(18), (1, 2, 3, 4, 5))
        rules.append(
            Rule(
                name=f"rule {index}",
                triggers=(trigger,),
                reply=Reply((f"{{nickname}}，关于 {keyword}：请看 {{date}} 的通知",)),
                scope=scope,
                active=active,
                id=index + 1,
                position=index,
            )
        )
    rules.append(
        Rule(
            "default",
            kind=RuleKind.DEFAULT,
            reply=Reply(("稍后回复你",)),
            scope=Scope(ScopeKind.PRIVATE),
            cooldown=600,
            id=count,
            position=count - 1,
        )
    )
    return rules


def make_messages(
    count: int, rules: Sequence[Rule], rng: random.Random, *, matching: float
) -> list[Incoming]:
    keywords = [r.triggers[0].pattern.strip("^$") for r in rules if r.triggers]
    keywords = [k.split("\\s")[0] for k in keywords]
    groups = list(common.GROUPS)
    messages = []
    for _ in range(count):
        if rng.random() < matching:
            text = rng.choice(keywords)
            if rng.random() < 0.5:
                text = f"请问{text}怎么样"
        else:
            text = rng.choice(common.TEXTS)
        if rng.random() < 0.5:
            conversation = rng.choice(groups)
            sender = rng.choice(common.GROUPS[conversation])
            if rng.random() < 0.2:
                text = f"@{NICKNAME}\u2005{text}"
        else:
            conversation = sender = rng.choice(common.CONTACTS)
        messages.append(Incoming(conversation, text, sender, MessageType.TEXT))
    return messages


def row(name: str, timings: Sequence[float], baseline: float | None) -> str:
    mean = statistics.fmean(timings)
    cells = [mean, common.median(timings), common.percentile(timings, 99), max(timings)]
    text = f"  {name:<22}" + "".join(f" {v * 1e6:8.1f}µs" for v in cells)
    if baseline:
        text += f"   {mean / baseline:6.1f}x"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=500)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    rules = make_rules(args.rules, rng)
    config = AutoReplyConfig(nicknames=(NICKNAME,))

    start = time.perf_counter()
    ruleset = RuleSet(rules, config)
    compile_time = time.perf_counter() - start
    assert not ruleset.skipped, ruleset.skipped

    mixed = make_messages(args.messages, rules, rng, matching=0.3)
    unmatched = make_messages(args.messages, rules, rng, matching=0.0)
    local = LocalTime.at(time.time())
    answered = 0

    def evaluate(message: Incoming) -> object:
        nonlocal answered
        event = ruleset.classify(message)
        matches = ruleset.matches(event, local)
        if matches:
            answered += 1
        return [plan(event, match, local, {}) for match in matches]

    keywords = [r.triggers[0].pattern for r in rules if r.triggers]

    def baseline(message: Incoming) -> object:
        text = message.content
        for keyword in keywords:
            if text == keyword:
                return keyword
        return None

    plain = common.best_of(args.repeat, lambda: common.time_each(mixed, baseline))
    ours = common.best_of(args.repeat, lambda: common.time_each(mixed, evaluate))
    answered_mixed = answered // args.repeat
    worst = common.best_of(args.repeat, lambda: common.time_each(unmatched, evaluate))

    print(
        f"{len(rules)} rules compiled in {compile_time * 1000:.1f} ms;"
        f" {len(mixed)} messages, {answered_mixed} of them answered"
        f" (best of {args.repeat} runs)"
    )
    print()
    print("per message                  mean        p50        p99        max   vs plain")
    base = statistics.fmean(plain)
    print(row("plain == loop", plain, None))
    print(row("wxpanel RuleSet", ours, base))
    print(row("no match, all rules", worst, base))
    print()
    p99 = max(common.percentile(ours, 99), common.percentile(worst, 99))
    print(
        f"wxpanel p99 {p99 * 1e6:.0f} µs per message with {len(rules)} rules,"
        f" goal < {GOAL * 1e6:.0f} µs: {common.verdict(p99 < GOAL)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
