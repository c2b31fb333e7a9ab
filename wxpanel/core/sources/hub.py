"""The answer sources' side of the poller: hand messages over, collect answers, queue them safely.

:class:`AnswerSources` is owned by the Engine and called on the poller
thread once per round, right after the rules (:meth:`AnswerSources.process`).
It never waits for a source: plugins, webhooks and models run on a
``concurrent.futures`` thread pool, and each round only

1. **hands over** the messages the replier has looked at since last time
   (its watermark), in one ``BEGIN IMMEDIATE`` transaction that inserts a
   ``source_job`` row (state *pending*) per message some source will be
   asked about and advances the sources' own watermark; the jobs go to the
   pool after the commit.  By default a source is asked only about
   messages no rule matched (``also_answered`` asks it about all);
2. **collects** the jobs that finished, in one transaction that turns each
   job *done*, *failed* or *dropped* and queues its answer (origin AUTO,
   paced like the rules') — only if the job was still *pending*, so an
   answer is queued at most once.

A job asks its sources in the operator's order; the first that answers
wins.  Everything answers only incoming events (never the account's own
messages, 发出, nor our commands) and obeys the
:class:`~wxpanel.core.autoreply.guard.Guard`, as the rules do: the global
switch, the per-minute caps, paused conversations and the loop stop (on
the sources' own run of answers, whose pause is everyone's).

**Rules that delegate.**  A keyword rule whose reply names a source
(``Reply.source``) hands its message to that source: the replier records
the delegation as a job row in state *delegated*
(:mod:`wxpanel.core.autoreply.jobs`, in its own transaction) and the
hand-over turns it into a *pending* job for the named source(s) alone, in
the same transaction that inserts the other jobs.  A source named by a
rule runs whether or not it is switched on in the general "after the
rules" chain (the switch governs only that chain; a source that should
answer *only* for its rules is simply left off there), and its own group
policy does not apply (the rule's scope decided).  Such a message is never
asked of the chain.  A name that matches no source raises an alert
(AlertKind.SOURCE) and the message gets no answer (its delegated row is
deleted, like every delegation the hand-over does not turn into a job).
The answer goes through the same Guard as every source answer.

**Restart policy:** a job still *pending* when wxpanel stopped is marked
*failed* ("interrupted by a restart") by the next run and not asked again:
a webhook may already have acted on it, and an answer minutes late is
worse than none.  A message the replier had looked at before the restart
but the sources had not yet been handed (a crash between the two commits)
counts as answered by the rules if an auto-reply to its conversation
followed it: in doubt, wxpanel does not answer twice.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import wxpanel.core.sources.http as http
from wxpanel.core.autoreply import jobs as job_rows
from wxpanel.core.autoreply.alerts import Alert, AlertKind
from wxpanel.core.autoreply.answerer import AnswerReport, Turn
from wxpanel.core.autoreply.config import load_config
from wxpanel.core.autoreply.guard import Guard, Track, read_setting
from wxpanel.core.autoreply.incoming import MentionFinder, answerable, spoken_by_operator
from wxpanel.core.autoreply.sending import Outgoing, queue_commands, with_pictures_checked
from wxpanel.core.history import HistoryWriter, immediate, message_from_row
from wxpanel.core.models import Message, Origin
from wxpanel.core.outbox import DEFAULT_PICTURE_LIMIT
from wxpanel.core.pacer import Pacer
from wxpanel.core.protocol import CommandType, MessageType
from wxpanel.core.sources.ai import ModelError, RateLimiter, ask_model
from wxpanel.core.sources.config import (
    AIConfig,
    GroupPolicy,
    PluginConfig,
    Source,
    SourceKind,
    SourceStatus,
    WebhookConfig,
)
from wxpanel.core.sources.credentials import ApiKeys, SecretStoreError, install_redaction, redact
from wxpanel.core.sources.plugin_api import IncomingMessage, Reply, ReplyKind
from wxpanel.core.sources.plugins import PluginFailure, PluginHost
from wxpanel.core.sources.store import (
    insert_source,
    load_sources,
    read_statuses,
    read_value,
    set_failed,
    sources_version,
    write_value,
)
from wxpanel.core.sources.webhook import WebhookError, call_webhook
from wxpanel.core.texts import Text

log = logging.getLogger(__name__)

#: Messages looked at per hand-over transaction.
BATCH: Final = 200
#: Jobs in flight at most; further messages wait (the watermark stays).
MAX_PENDING: Final = 32
WORKERS: Final = 4
#: Seconds between looks at the plugin folders (new files; edits reload on use too).
SCAN_INTERVAL: Final = 2.0
#: Added to a job's computed worst case before the hub gives up on it.
GRACE: Final = 5.0
#: The name of the plugins folder beside the executable.
PLUGINS_FOLDER: Final = "plugins"


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """One source's try on one message (worker thread → hub)."""

    source_id: int
    latency: float
    answered: bool = False
    error: str | None = None
    disable: bool = False  # a plugin failure: switch the source off
    warning: str | None = None  # answered, but e.g. its picture could not be fetched
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


@dataclass(frozen=True, slots=True)
class JobResult:
    message_id: int
    replies: tuple[Reply, ...] = ()
    answered_by: int | None = None
    outcomes: tuple[SourceOutcome, ...] = ()
    error: str | None = None  # the job itself failed (timed out, a bug)


@dataclass(frozen=True, slots=True)
class SourceReport:
    """What one :meth:`AnswerSources.process` call did; immutable, safe to hand to the GUI."""

    queued: tuple[Message, ...] = ()
    alerts: tuple[Alert, ...] = ()
    statuses: tuple[SourceStatus, ...] = ()  # sources whose status changed
    handed_over: int = 0  # jobs started
    finished: int = 0  # jobs finished (answered or not)
    pending: int = 0  # jobs in flight now
    more: bool = False  # messages still wait to be handed over: call again soon


@dataclass(frozen=True, slots=True)
class _Job:
    message: IncomingMessage
    sources: tuple[Source, ...]


@dataclass(slots=True)
class _Flight:
    future: Future[JobResult]
    deadline: float  # time.monotonic()


@dataclass(slots=True)
class _Round:
    guard: Guard
    queued: list[Message] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    finished: list[int] = field(default_factory=list)

    def add(self, name: str, value: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + value


class AnswerSources:
    """Plugins, webhooks and chat models asked after the rules; one per poller.

    ``history`` and ``media`` are the data folder's (``DataPaths``);
    ``plugin_dirs`` the folders plugins are loaded from (see
    :func:`default_plugin_dirs`).  Call :meth:`start` once before the first
    poll (or let the first :meth:`process` do it), :meth:`process` every
    round, :meth:`close` when the poller stops.
    """

    def __init__(
        self,
        history: Path,
        media: Path,
        *,
        plugin_dirs: Sequence[Path] = (),
        keys: ApiKeys | None = None,
        picture_max_bytes: int = DEFAULT_PICTURE_LIMIT,
        workers: int = WORKERS,
        max_pending: int = MAX_PENDING,
        batch: int = BATCH,
        scan_interval: float = SCAN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.history = Path(history)
        self.media = Path(media)
        self.host = PluginHost(plugin_dirs)
        self.keys = keys or ApiKeys()
        self.picture_max_bytes = picture_max_bytes
        self.max_pending = max_pending
        self.batch = batch
        self.scan_interval = scan_interval
        #: Monotonic seconds for deadlines and scans (a test's clock moves by hand).
        self.clock = clock
        self._more = False  # the last round left messages to hand over
        self.limiter = RateLimiter()
        self._cancel = http.Cancel()  # ends every webhook and model request at close()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wxpanel-source")
        self._flights: dict[int, _Flight] = {}
        self._answered: set[int] = set()  # messages rules answered (ids not yet handed over)
        self._started = False
        self._recover = False
        self._edge = 0  # the replier's watermark at start: before it, rule answers are inferred
        self._handed = 0  # our watermark
        self._replier = 0  # the replier's watermark as last reported
        self._sources: list[Source] = []
        self._version = -1
        self._scan: Future[list[str]] | None = None
        self._next_scan = 0.0
        self._synced: dict[str, int] = {}  # plugin name -> generation written to history.db
        self._done: list[JobResult] = []  # finished jobs not yet committed
        self._host_version = 0  # the PluginHost.version history.db has caught up with
        self._closed = False
        install_redaction()

    # -- the poller's calls ----------------------------------------------------------

    def start(self, conn: sqlite3.Connection) -> None:
        """Read where the last run stopped (reads only); call before the replier's first round."""
        self._handed = int(read_value(conn, "watermark", 0) or 0)
        self._edge = int(read_setting(conn, "watermark", 0) or 0)
        self._replier = self._edge
        self._recover = (
            conn.execute("SELECT 1 FROM source_job WHERE state = 'pending' LIMIT 1").fetchone()
            is not None
        )
        self._load(conn)
        if not any(s.enabled for s in self._sources) and not self._delegations_after(conn):
            self._handed = max(self._handed, self._edge)  # see _hand_over: never written
        self._started = True

    def process(
        self,
        conn: sqlite3.Connection,
        pacer: Pacer,
        now: float,
        earlier: Sequence[AnswerReport] = (),
    ) -> SourceReport:
        """One round: note the rules' report, collect finished jobs, hand over new messages.

        ``conn`` is the Engine's history connection (``hconn``); ``earlier``
        the reports of the answerers that ran before in this round (the
        rules': what they answered, how far they looked).  Costs nothing
        while there is nothing to do.  Raises
        :class:`sqlite3.OperationalError` when locked; nothing is lost then
        and the next call does the same work.
        """
        for report in earlier:
            self._answered.update(report.answered)
            self._replier = max(self._replier, report.seen)
        if not self._started:
            self.start(conn)
        statuses: list[SourceStatus] = []
        state: _Round | None = None
        self._done.extend(self._finished())  # kept until committed: a lock loses nothing
        sync = self._unsynced()
        if self._done or sync or self._recover:
            finished = list(self._done)
            with immediate(conn):
                state = self._start_round(conn, now)
                if self._recover:
                    self._fail_interrupted(conn, now)
                self._sync_plugins(conn, state, sync)
                for result in finished:
                    self._finish(conn, pacer, state, result)
                state.guard.finish()
                HistoryWriter.count(conn, state.counts, now)
            self._done.clear()
            self._recover = False
            self._synced.update(sync)
            if state.touched:
                statuses = self._statuses(conn, state.touched)
        self._maybe_scan()
        jobs: list[_Job] = []
        more = False
        handover_alerts: list[Alert] = []
        if self._replier > self._handed and len(self._flights) < self.max_pending:
            jobs, more = self._hand_over(conn, now, handover_alerts)
            for job in jobs:
                self._submit(job)
        alerts = (tuple(state.guard.alerts.values()) if state else ()) + tuple(handover_alerts)
        self._more = more
        return SourceReport(
            queued=tuple(state.queued) if state else (),
            alerts=alerts,
            statuses=tuple(statuses),
            handed_over=len(jobs),
            finished=len(state.finished) if state else 0,
            pending=len(self._flights),
            more=more,
        )

    @property
    def idle(self) -> bool:
        """No job in flight, no scan running, nothing left to hand over."""
        return not self._flights and self._scan is None and not self._more

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a job in flight or a scan of the plugin folders finishes.

        For callers with nothing else to do meanwhile (the tests, which
        would otherwise sleep and poll); the poller never waits.  False when
        none finished within ``timeout``; True at once when none is running.
        """
        running: list[Future[Any]] = [flight.future for flight in self._flights.values()]
        if self._scan is not None:
            running.append(self._scan)
        if not running:
            return True
        done, _ = wait(running, timeout, return_when=FIRST_COMPLETED)
        return bool(done)

    # -- the Answerer interface (wxpanel.core.autoreply.answerer) ----------------------

    def wanted(self, now: float, *, arrived: bool, edited: bool) -> bool:
        """Every round: answers finish on the pool at any time (an idle round runs no SQL)."""
        return True

    def answer(self, turn: Turn) -> AnswerReport:
        report = self.process(turn.conn, turn.pacer, turn.now, turn.earlier)
        return AnswerReport(
            queued=report.queued,
            alerts=report.alerts,
            shown=report.statuses,
            more=report.more,
            busy=bool(report.pending),
        )

    def close(self) -> None:
        """Stop taking work; jobs still running are abandoned (failed at the next start)."""
        self._closed = True
        self._cancel.cancel()  # running requests end now: exit never waits on a server
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.host.close()  # plugin workers are killed: a call in progress ends with them

    def __enter__(self) -> AnswerSources:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- hand-over -------------------------------------------------------------------

    def _delegations_after(self, conn: sqlite3.Connection) -> bool:
        """Whether a rule delegated a message not handed over yet."""
        return job_rows.any_delegated_after(conn, self._handed)

    def _hand_over(
        self, conn: sqlite3.Connection, now: float, alerts: list[Alert]
    ) -> tuple[list[_Job], bool]:
        """Start jobs for the messages up to the replier's watermark; ``more``: batch was full."""
        self._load(conn)
        if (
            not self._recover
            and not any(s.enabled for s in self._sources)
            and not self._delegations_after(conn)
        ):
            # Nothing to ask: no transaction (start() skips ahead the same way after a restart).
            self._handed = self._replier
            self._answered.clear()
            return [], False
        jobs: list[_Job] = []
        room = self.max_pending - len(self._flights)
        with immediate(conn):
            self._load(conn)
            rows = conn.execute(
                "SELECT * FROM message_row WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                (self._handed, self._replier, self.batch),
            ).fetchall()
            messages = [message_from_row(row) for row in rows]
            active = [s for s in self._sources if s.enabled]
            config = load_config(conn)
            guard = Guard(conn, now, config)
            switched_on = guard.switched_on
            mentions = MentionFinder(config.nicknames)
            delegations = job_rows.delegated(conn, self._handed, self._replier)
            last = self._handed
            full = False
            for message in messages:
                if len(jobs) >= room:
                    full = True  # the rest waits for jobs to finish
                    break
                last = message.id
                if spoken_by_operator(message):
                    guard.run_ends(message.conversation, Track.SOURCES)
                    continue
                names = delegations.get(message.id)
                if names is not None:
                    if not switched_on or not answerable(message):
                        continue
                    if guard.paused(message.conversation):
                        continue
                    job = self._delegated(conn, message, names, mentions, now, alerts)
                    if job is not None:
                        jobs.append(job)
                    continue
                if not active or not switched_on or not answerable(message):
                    continue
                if guard.paused(message.conversation):
                    continue
                job = self._plan(conn, message, active, mentions, now)
                if job is not None:
                    jobs.append(job)
            if self._recover:
                self._fail_interrupted(conn, now)
            job_rows.start_jobs(conn, [(j.message.id, j.message.conversation) for j in jobs], now)
            guard.finish()
            if not full and len(rows) < self.batch:
                last = self._replier  # everything up to the replier's watermark was seen
            if delegations:  # those not turned into jobs just now are not asked
                job_rows.drop_delegations(conn, last)
            write_value(conn, "watermark", last)
        self._recover = False
        self._handed = last
        self._answered = {i for i in self._answered if i > last}
        return jobs, not full and len(rows) >= self.batch

    def _delegated(
        self,
        conn: sqlite3.Connection,
        message: Message,
        names: Sequence[str],
        mentions: MentionFinder,
        now: float,
        alerts: list[Alert],
    ) -> _Job | None:
        """The job of a message a rule delegated: the named sources only, in the rules' order."""
        chosen: list[Source] = []
        for name in names:
            source = next((s for s in self._sources if s.name == name), None)
            if source is None:
                rule = self._delegating_rule(conn, message.id, name)
                alert = Alert.keyed(
                    AlertKind.SOURCE,
                    message.conversation,
                    now,
                    "alert_unknown_source",
                    rule=rule,
                    source=name,
                )
                log.warning("%s", alert.detail)
                HistoryWriter.log_error(conn, "source", alert.detail, now)
                alerts.append(alert)
                continue
            config = source.config
            if isinstance(config, AIConfig) and not self.limiter.allow(
                source.id, config, message.conversation, now
            ):
                continue
            if source not in chosen:
                chosen.append(source)
        if not chosen:
            return None
        incoming = self._incoming(message, mentions)
        return _Job(incoming, tuple(chosen))

    @staticmethod
    def _delegating_rule(conn: sqlite3.Connection, message_id: int, name: str) -> str:
        """The name of a rule that delegates to ``name`` (for the alert), or "?"."""
        for rule_name, definition in conn.execute("SELECT name, definition FROM auto_rule"):
            try:
                reply = json.loads(definition).get("reply", {})
            except (TypeError, ValueError, AttributeError):
                continue
            if isinstance(reply, dict) and reply.get("source") == name:
                return str(rule_name)
        return "?"

    @staticmethod
    def _incoming(message: Message, mentions: MentionFinder) -> IncomingMessage:
        content = message.content or ""
        mentioned = False
        if message.is_group and message.type is MessageType.TEXT:
            stripped, found = mentions.find(content)
            if found:
                content, mentioned = stripped.strip(), True
        return IncomingMessage(
            conversation=message.conversation,
            sender=message.sender or message.conversation,
            is_group=message.is_group,
            type=message.type,
            content=content,
            time=message.time,
            mentioned=mentioned,
            id=message.id,
        )

    def _plan(
        self,
        conn: sqlite3.Connection,
        message: Message,
        active: Sequence[Source],
        mentions: MentionFinder,
        now: float,
    ) -> _Job | None:
        answered = message.id in self._answered or (
            message.id <= self._edge and _rule_answered(conn, message, self._edge)
        )
        incoming = self._incoming(message, mentions)
        mentioned = incoming.mentioned
        chosen: list[Source] = []
        for source in active:
            config = source.config
            if answered and not config.also_answered:
                continue
            if incoming.is_group and (
                config.groups is GroupPolicy.NEVER
                or (config.groups is GroupPolicy.MENTIONED and not mentioned)
            ):
                continue
            if source.kind is not SourceKind.PLUGIN and not (
                incoming.is_text and incoming.content.strip()
            ):
                continue
            if isinstance(config, AIConfig) and not self.limiter.allow(
                source.id, config, incoming.conversation, now
            ):
                continue
            chosen.append(source)
        return _Job(incoming, tuple(chosen)) if chosen else None

    def _submit(self, job: _Job) -> None:
        budget = sum(_worst_case(source) for source in job.sources) + GRACE
        future = self._pool.submit(self._run, job)
        self._flights[job.message.id] = _Flight(future, self.clock() + budget)

    # -- on the pool -----------------------------------------------------------------

    def _run(self, job: _Job) -> JobResult:
        """Ask the job's sources in order; the first answer wins.  Never raises."""
        try:
            self.host.refresh()
        except Exception:  # pragma: no cover - refresh catches plugin errors itself
            log.exception("refreshing the plugins failed")
        outcomes: list[SourceOutcome] = []
        message = job.message
        for source in job.sources:
            started = time.monotonic()
            config = source.config
            replies: tuple[Reply, ...] = ()
            warning: str | None = None
            tokens = (0, 0)
            cost = 0.0
            try:
                if isinstance(config, PluginConfig):
                    replies = self.host.call(source.name, message, config.timeout)
                elif isinstance(config, WebhookConfig):
                    answer = call_webhook(
                        config,
                        source.name,
                        message,
                        self.media,
                        picture_max_bytes=self.picture_max_bytes,
                        cancel=self._cancel,
                    )
                    replies, warning = answer.replies, answer.warning
                else:
                    key = self.keys.get(config.key_ref)
                    model = ask_model(config, key, message, self.history, cancel=self._cancel)
                    replies, cost = model.replies, model.cost
                    tokens = (model.prompt_tokens, model.completion_tokens)
            except PluginFailure as exc:
                outcomes.append(
                    SourceOutcome(source.id, _since(started), error=str(exc), disable=True)
                )
                continue
            except (WebhookError, ModelError, SecretStoreError) as exc:
                outcomes.append(SourceOutcome(source.id, _since(started), error=redact(str(exc))))
                continue
            except Exception as exc:  # a bug of ours: record it, keep the pool alive
                log.exception("answer source %s failed", source.label)
                error = redact(f"internal error: {type(exc).__name__}: {exc}")
                outcomes.append(SourceOutcome(source.id, _since(started), error=error))
                continue
            outcomes.append(
                SourceOutcome(
                    source.id,
                    _since(started),
                    answered=bool(replies),
                    warning=redact(warning) if warning else None,
                    prompt_tokens=tokens[0],
                    completion_tokens=tokens[1],
                    cost=cost,
                )
            )
            if replies:
                return JobResult(message.id, replies, source.id, tuple(outcomes))
        return JobResult(message.id, (), None, tuple(outcomes))

    # -- collecting --------------------------------------------------------------------

    def _finished(self) -> list[JobResult]:
        if not self._flights:
            return []
        results: list[JobResult] = []
        clock = self.clock()
        for message_id, flight in list(self._flights.items()):
            if flight.future.done():
                del self._flights[message_id]
                try:
                    results.append(flight.future.result())
                except Exception as exc:  # cancelled, or _run's own bug
                    results.append(JobResult(message_id, error=f"{type(exc).__name__}: {exc}"))
            elif clock > flight.deadline:
                del self._flights[message_id]  # a late result is never looked at
                results.append(JobResult(message_id, error="no source finished in time"))
        return results

    def _start_round(self, conn: sqlite3.Connection, now: float) -> _Round:
        return _Round(Guard(conn, now, load_config(conn)))

    def _finish(
        self, conn: sqlite3.Connection, pacer: Pacer, state: _Round, result: JobResult
    ) -> None:
        state.finished.append(result.message_id)
        row = conn.execute(
            "SELECT conversation, state FROM source_job WHERE message_id = ?", (result.message_id,)
        ).fetchone()
        if row is None or row[1] != "pending":
            return  # failed by a restart meanwhile, or unknown: never answer twice
        conversation = str(row[0])
        for outcome in result.outcomes:
            self._record(conn, state, outcome)
        if result.error is not None:
            self._close_job(conn, state, result, "failed", result.error)
            state.add("source_failed_jobs")
            return
        if not result.replies:
            failures = [o.error for o in result.outcomes if o.error]
            end, detail = ("failed", failures[-1]) if failures else ("done", "no answer")
            self._close_job(conn, state, result, end, detail)
            state.guard.run_ends(conversation, Track.SOURCES)
            return
        reason = self._blocked(state.guard, conversation)
        if reason is not None:
            self._close_job(conn, state, result, "dropped", reason)
            state.add("source_dropped")
            return
        sends = self._sends(state, conversation, result.replies)
        if not sends:
            self._close_job(conn, state, result, "dropped", "nothing that can be sent")
            return
        if state.guard.over_cap(conversation, len(sends)):
            self._close_job(conn, state, result, "dropped", "over the per-minute cap")
            state.add("source_dropped")
            return
        queued = queue_commands(conn, sends, origin=Origin.AUTO, pacer=pacer, now=state.guard.now)
        state.queued.extend(queued)
        state.guard.sent(conversation, len(sends))
        self._close_job(conn, state, result, "done", None, queued[0].id)
        state.add("source_answers")

    def _close_job(
        self,
        conn: sqlite3.Connection,
        state: _Round,
        result: JobResult,
        outcome: str,
        detail: str | None,
        first_reply: int | None = None,
    ) -> None:
        conn.execute(
            "UPDATE source_job SET state = ?, source_id = ?, detail = ?, finished_at = ?,"
            " first_reply_id = ? WHERE message_id = ? AND state = 'pending'",
            (
                outcome,
                result.answered_by,
                redact(detail) if detail else None,
                state.guard.now,
                first_reply,
                result.message_id,
            ),
        )

    def _record(self, conn: sqlite3.Connection, state: _Round, outcome: SourceOutcome) -> None:
        conn.execute(
            "UPDATE answer_source SET calls = calls + 1, answers = answers + ?,"
            " failures = failures + ?, latency_total = latency_total + ?, last_latency = ?,"
            " last_used_at = ?, prompt_tokens = prompt_tokens + ?,"
            " completion_tokens = completion_tokens + ?, cost = cost + ? WHERE id = ?",
            (
                int(outcome.answered),
                int(outcome.error is not None),
                outcome.latency,
                outcome.latency,
                state.guard.now,
                outcome.prompt_tokens,
                outcome.completion_tokens,
                outcome.cost,
                outcome.source_id,
            ),
        )
        state.touched.add(outcome.source_id)
        state.add("source_calls")
        if outcome.prompt_tokens or outcome.completion_tokens:
            state.add("ai_prompt_tokens", outcome.prompt_tokens)
            state.add("ai_completion_tokens", outcome.completion_tokens)
            state.add("ai_cost_micro", round(outcome.cost * 1_000_000))
        problem = outcome.error or outcome.warning
        if problem is None:
            return
        source = self._source(outcome.source_id)
        label = source.label if source else f"source #{outcome.source_id}"
        said = source.label_text if source else Text.of("source_number", id=outcome.source_id)
        set_failed(conn, outcome.source_id, problem, state.guard.now, disable=outcome.disable)
        if outcome.error is not None:
            state.add("source_failures")
        if outcome.disable:
            text = Text.of("alert_source_off", source=said, detail=redact(str(outcome.error)))
            alert = Alert.of(AlertKind.SOURCE, None, text, state.guard.now)
            if source is not None:
                self.host.disable(source.name, problem)
            log.warning("%s", alert.detail)
            HistoryWriter.log_error(conn, "source", alert.detail, state.guard.now)
            state.guard.alerts.setdefault((AlertKind.SOURCE, label), alert)
        else:
            log.warning("%s: %s", label, redact(problem))

    # -- safety ------------------------------------------------------------------------

    @staticmethod
    def _blocked(guard: Guard, conversation: str) -> str | None:
        """Why an answer may not go now (switch, pause, loop), or None."""
        if not guard.switched_on:
            return "auto-reply is switched off"
        if guard.paused(conversation):
            return "the conversation is paused"
        if guard.loop_stop(conversation, Track.SOURCES):
            return "loop detected"
        guard.replied(conversation, Track.SOURCES)
        return None

    def _sends(self, state: _Round, conversation: str, replies: Iterable[Reply]) -> list[Outgoing]:
        planned = [
            Outgoing(
                conversation,
                CommandType.TEXT if reply.kind is ReplyKind.TEXT else CommandType.PICTURE,
                reply.value,
            )
            for reply in replies
        ]
        return list(
            with_pictures_checked(
                planned, self.picture_max_bytes, state.guard.now, state.guard.alerts
            )
        )

    # -- sources and plugins ---------------------------------------------------------

    def _load(self, conn: sqlite3.Connection) -> None:
        version = sources_version(conn)
        if version != self._version:
            self._sources = load_sources(conn)
            self._version = version
            for source in self._sources:
                if source.kind is SourceKind.PLUGIN and source.enabled:
                    self.host.enable(source.name)

    def _source(self, source_id: int) -> Source | None:
        return next((s for s in self._sources if s.id == source_id), None)

    def _maybe_scan(self) -> None:
        if self._closed or self._scan is not None or not self.host.folders:
            return
        clock = self.clock()
        if clock >= self._next_scan:
            self._next_scan = clock + self.scan_interval
            self._scan = self._pool.submit(self.host.refresh)

    def _unsynced(self) -> dict[str, int]:
        """Plugins whose load (generation) history.db has not seen yet, once a scan finished."""
        scan = self._scan
        if scan is not None and scan.done():
            self._scan = None
            try:
                scan.result()
            except Exception:
                log.exception("scanning the plugin folders failed")
        if self.host.version == self._host_version:
            return {}
        plugins = self.host.plugins()
        changed = {
            n: i.generation for n, i in plugins.items() if self._synced.get(n) != i.generation
        }
        if not changed:
            self._host_version = self.host.version
        return changed

    def _sync_plugins(self, conn: sqlite3.Connection, state: _Round, names: Iterable[str]) -> None:
        """Write new plugins, load errors and fixed files into history.db."""
        plugins = self.host.plugins()
        existing = {
            name: (source_id, bool(error_disabled))
            for source_id, name, error_disabled in conn.execute(
                "SELECT id, name, error_disabled FROM answer_source WHERE kind = 'plugin'"
            )
        }
        for name in names:
            info = plugins[name]
            source_id, error_disabled = existing.get(name, (None, False))
            if source_id is None:
                source_id = insert_source(
                    conn, SourceKind.PLUGIN, name, PluginConfig(), state.guard.now
                )
                log.info("plugin %s found in %s", name, info.path)
                state.touched.add(source_id)  # the panel lists it at once
            problem = info.error or ("the plugin file is gone" if info.missing else None)
            if problem is not None:
                set_failed(conn, source_id, problem, state.guard.now, disable=True)
                log.warning("plugin %s: %s", name, problem)
                state.touched.add(source_id)
            elif error_disabled:
                conn.execute(
                    "UPDATE answer_source SET enabled = 1, error_disabled = 0, last_error = NULL"
                    " WHERE id = ?",
                    (source_id,),
                )
                log.info("plugin %s changed and loaded again; switched on", name)
                state.touched.add(source_id)

    def _fail_interrupted(self, conn: sqlite3.Connection, now: float) -> None:
        ids = tuple(self._flights)
        count = conn.execute(
            "UPDATE source_job SET state = 'failed', detail = 'interrupted by a restart',"
            " finished_at = ? WHERE state = 'pending'"
            " AND message_id NOT IN (SELECT value FROM json_each(?))",
            (now, json.dumps(ids)),
        ).rowcount
        if count:
            log.info("%d answer job(s) interrupted by the last stop marked failed", count)

    def _statuses(self, conn: sqlite3.Connection, ids: Iterable[int]) -> list[SourceStatus]:
        return read_statuses(conn, sorted(ids))


# -- helpers -------------------------------------------------------------------------------


def default_plugin_dirs(
    extra: Path | None = None, executable_dir: Path | None = None
) -> tuple[Path, ...]:
    """``--plugins DIR`` first (when given), then ``plugins/`` beside the program.

    Never the working directory (unless the program is there): running
    ``wxpanel-cli send`` from a downloaded folder must not execute the
    ``plugins/`` it happens to contain.  A missing folder is simply empty.
    """
    if executable_dir is None:
        executable_dir = program_dir()
    folders = [Path(extra).expanduser().resolve()] if extra is not None else []
    folders.append(Path(executable_dir).resolve() / PLUGINS_FOLDER)
    return tuple(dict.fromkeys(folders))


def program_dir() -> Path:
    """Where the program is: wxpanel.exe's folder when frozen (PyInstaller), else the
    folder that holds the ``wxpanel`` package (the source checkout)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parents[3]


def _rule_answered(conn: sqlite3.Connection, message: Message, edge: int) -> bool:
    """Before the restart edge: an auto-reply followed in the conversation (in doubt: yes)."""
    return (
        conn.execute(
            "SELECT 1 FROM message WHERE conversation = ? AND id > ? AND id <= ?"
            " AND origin = 'auto' LIMIT 1",
            (message.conversation, message.id, edge),
        ).fetchone()
        is not None
    )


def _worst_case(source: Source) -> float:
    """How long a source may take at most, retries and downloads included."""
    config = source.config
    if isinstance(config, PluginConfig):
        return config.timeout * 5 + 10.0
    attempts = config.retries + 1
    return attempts * config.timeout + config.backoff * 2.0**attempts + config.timeout


def _since(started: float) -> float:
    return time.monotonic() - started
