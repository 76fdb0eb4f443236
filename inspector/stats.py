"""Where time, tokens and failures go across a checkpoint store's threads (``agent-debug stats``).

Everything comes from the rows a checkpoint store keeps, never from a graph run:

- Time: each thread's phases as ``timeline.build_timeline`` lays them out from checkpoint
  times (read its docstring for what a store can tell of waiting). A phase whose span
  holds a wait (at an interrupt, or a failed attempt and the run that passed) is counted
  apart and left out of the duration percentiles: the store records no boundary between
  its work and its wait. A phase whose subgraph waited is the exception: the subgraph's
  phases say where the wait was, and the rest of the span is counted as work.
- Failures: the tasks' ``__error__`` writes (a store keeps only a task's last failure).
  A subgraph's failure is counted once, on the subgraph's node (``sub:node``), not again
  on the parent's node it propagated through.
- Tokens: AIMessage ``usage_metadata`` in the tasks' writes, on the node whose write
  added the message; each message once per thread (by id, else by where it was written),
  the deepest subgraph first, so a subgraph's messages copied into the parent's state
  stay with the subgraph's node.

Per-thread rows (checkpoint ids, writes) are all the work reads; no checkpoint's state
is decoded, so the figures can later be pushed into SQL.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from typing import Any

from agent_debug.inspector.decode import decode_safe
from agent_debug.inspector.exceptions import StoreReadError, UsageError
from agent_debug.inspector.langgraph_names import ERROR, NS_END, NS_SEP
from agent_debug.inspector.messages import is_message, message_view
from agent_debug.inspector.model import ThreadSummary
from agent_debug.inspector.sources.base import Source
from agent_debug.inspector.sources.checkpoints import WriteRow, _parse_task_path, parse_error, why
from agent_debug.inspector.stats_model import (
    Durations,
    ErrorGroup,
    FingerprintCount,
    InterruptWait,
    ModelTokens,
    NodeStats,
    SlowPhase,
    StatsFilters,
    StoreStats,
    ThreadStats,
    UnreadableThread,
)
from agent_debug.inspector.stats_sql import bulk_threads, rows_query, thread_source
from agent_debug.inspector.timeline import Phase, Timeline, build_timeline
from agent_debug.inspector.vocabulary import ThreadStatus

PriceTable = Mapping[str, Mapping[str, float]]
"""``{model: {"input": price per 1k tokens, "output": price per 1k tokens}}`` (``--prices``)."""

ALL_PHASES = 1_000_000_000
"""The timeline's bound on checkpoints read: stats count every phase."""

_USAGE = b"usage_metadata"


@dataclass(frozen=True)
class StatsQuery:
    """The filters of ``agent-debug stats``."""

    since: datetime | None = None
    status: ThreadStatus | None = None
    node: str | None = None
    thread_prefix: str | None = None
    top: int = 10

    def wants_thread(self, t: ThreadSummary) -> bool:
        """Whether the thread passes the thread filters (``--node`` is checked on its phases)."""
        if self.thread_prefix is not None and not t.thread_id.startswith(self.thread_prefix):
            return False
        if self.status is not None and t.status is not self.status:
            return False
        return self.since is None or (t.updated_at is not None and t.updated_at >= self.since)

    def wants_node(self, name: str) -> bool:
        """``--node NODE``: the node itself, or (NODE without ':') a subgraph node so named."""
        if self.node is None:
            return True
        return name == self.node or (NS_END not in self.node and name.rsplit(NS_END, 1)[-1] == self.node)


# -- reading the command line's filters ----------------------------------------------------

_DURATION = re.compile(r"^(\d{1,9})\s*(s|m|h|d|w)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: datetime) -> datetime:
    """``--since``: a duration back from ``now`` (30m, 2h, 3d, 1w) or an ISO date/time
    (UTC when it names no offset); a one-line UsageError otherwise."""
    from datetime import UTC, timedelta

    found = _DURATION.match(text.strip().lower())
    if found:
        return now - timedelta(seconds=int(found.group(1)) * _UNIT_SECONDS[found.group(2)])
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since: expected a duration (30m, 2h, 3d, 1w) or a date/time (2026-05-01T12:00), got {text!r}") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# -- what one thread's rows tell ---------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One stored failure of a task."""

    node: str
    type: str
    message: str
    classification: str

    @property
    def fingerprint(self) -> str:
        """The type and the message with what varies between runs replaced."""
        return fingerprint(self.type, self.message)


@dataclass(frozen=True)
class Usage:
    """Tokens one AIMessage reported, on the node whose write added it."""

    node: str
    model: str | None
    input_tokens: int
    output_tokens: int


@dataclass
class ThreadFacts:
    """A thread's timeline, failures and token usage, as its rows tell them."""

    summary: ThreadSummary
    timeline: Timeline
    failures: list[Failure] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)
    # Each figure asks for these again: worked out once per thread.
    _phases: list[tuple[str, Phase]] | None = field(default=None, repr=False, compare=False)
    _work: tuple[datetime, dict[int, float]] | None = field(default=None, repr=False, compare=False)

    def phases(self) -> list[tuple[str, Phase]]:
        """The node runs with their qualified names (``sub:node``); LangGraph's own
        ``__start__`` input phase is no node's work."""
        if self._phases is None:
            self._phases = [(qualified(p.namespace, p.node), p) for p in self.timeline.phases if p.kind == "loop" and not p.node.startswith("__")]
        return self._phases

    def work(self, now: datetime) -> dict[int, float]:
        """Work seconds of each phase (by ``id``) whose work the store tells: finished,
        and no wait in its span, or only its subgraph's waits (the subgraph says where it
        waited; the rest of the span is the phase's work)."""
        if self._work is None or self._work[0] != now:
            self._work = (now, self._work_of(now))
        return self._work[1]

    def _work_of(self, now: datetime) -> dict[int, float]:
        phases = self.phases()
        out: dict[int, float] = {}
        for _, p in phases:
            if p.status != "done" or p.start is None or p.end is None:
                continue
            if p.waits:
                prefix = _child_prefix(p.namespace, p.node)
                inner = {w for _, q in phases if q.namespace.startswith(prefix) for w in q.waits}
                if not all(w in inner for w in p.waits):
                    continue
            out[id(p)] = p.work(now) or 0.0
        return out


_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b")
_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*[-_](?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]+\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
FINGERPRINT_WIDTH = 200


def fingerprint(type_name: str, message: str) -> str:
    """``Type: message`` with quoted values, UUIDs, hex, ids (``req_81f2``) and numbers
    replaced, so the same failure in different runs reads the same."""
    text = _QUOTED.sub("'<v>'", message)
    text = _UUID.sub("<uuid>", text)
    text = _HEX.sub("<hex>", text)
    text = _ID.sub("<id>", text)
    text = _NUMBER.sub("<n>", text)
    text = " ".join(text.split())
    return f"{type_name}: {text}"[:FINGERPRINT_WIDTH]


@lru_cache(maxsize=4096)
def qualified(namespace: str, node: str) -> str:
    """A node's name with the subgraph nodes above it: ``sub:node``."""
    parts = [part.partition(NS_END)[0] for part in namespace.split(NS_SEP) if part]
    return NS_END.join([*parts, node])


def _child_prefix(namespace: str, node: str) -> str:
    """The start of the namespaces of subgraphs a task of ``node`` in ``namespace`` ran."""
    return f"{namespace}{NS_SEP if namespace else ''}{node}{NS_END}"


class _KnownThread:
    """``source`` for one thread's reads, answering from what is known already: the
    thread's summary (from the listing) and its namespaces (asked once). A store's
    round trips are most of the time ``stats`` takes."""

    def __init__(self, source: Source, summary: ThreadSummary) -> None:
        self._source, self._summary = source, summary
        self._namespaces: list[Any] | None = None

    def thread(self, thread_id: str) -> ThreadSummary:
        return self._summary if thread_id == self._summary.thread_id else self._source.thread(thread_id)

    def namespaces(self, thread_id: str) -> list[Any]:
        if thread_id != self._summary.thread_id:
            return self._source.namespaces(thread_id)
        if self._namespaces is None:
            self._namespaces = self._source.namespaces(thread_id)
        return self._namespaces

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)


def read_thread(source: Source, summary: ThreadSummary, now: datetime) -> ThreadFacts:
    """What a thread's rows tell: its timeline, its failures, its token usage. A row that
    does not decode raises ``StoreReadError`` (the thread is then unreadable)."""
    reader = getattr(source, "reader")
    known = _KnownThread(source, summary)
    timeline = build_timeline(known, summary.thread_id, now=now, limit=ALL_PHASES)  # type: ignore[arg-type]
    task_nodes = {(p.namespace, t): p.node for p in timeline.phases for t in p.task_ids}
    writes: dict[str, list[WriteRow]] = {}
    for info in known.namespaces(summary.thread_id):
        ids = [r.checkpoint_id for r in reader.rows(summary.thread_id, info.namespace, None, None)]
        writes[info.namespace] = reader.writes(info.namespace, [(summary.thread_id, c) for c in ids], None)
    facts = ThreadFacts(summary, timeline)
    failing = {ns for ns, rows in writes.items() for w in rows if w.channel == ERROR}
    seen: set[Any] = set()
    for namespace, w in _in_order(writes):
        node = task_nodes.get((namespace, w.task_id)) or _parse_task_path(w.task_path)[0] or "?"
        if node.startswith("__"):
            continue  # an input (a subgraph's included): the messages it carries came from elsewhere
        if w.channel == ERROR:
            if any(ns.startswith(_child_prefix(namespace, node) + w.task_id) for ns in failing):
                continue  # the subgraph's own failure, counted on its node
            facts.failures.append(_failure(w, qualified(namespace, node)))
        elif w.value is not None and _USAGE in w.value:
            facts.usage.extend(_usage(w, namespace, qualified(namespace, node), seen))
    return facts


def _in_order(writes: Mapping[str, list[WriteRow]]) -> list[tuple[str, WriteRow]]:
    """Writes in the order their messages were first made: by time, except that a task
    which ran a subgraph writes the subgraph's messages as its result (after the
    subgraph wrote them, at the step's older checkpoint): such writes come last, the
    deeper ones first."""
    hosts = {(parent, task) for ns in writes for parent, task in _hosts_of(ns)}
    rows = []
    for namespace, found in writes.items():
        depth = len([p for p in namespace.split(NS_SEP) if p])
        for w in found:
            late = (namespace, w.task_id) in hosts
            rows.append(((1 if late else 0, -depth if late else 0, w.checkpoint_id, w.task_path, w.task_id, w.idx), namespace, w))
    rows.sort(key=lambda r: r[0])
    return [(namespace, w) for _, namespace, w in rows]


def _hosts_of(namespace: str) -> list[tuple[str, str]]:
    """(namespace, task id) of every task above a subgraph namespace ``a:t1|b:t2``."""
    parts = [p for p in namespace.split(NS_SEP) if p]
    return [(NS_SEP.join(parts[:i]), parts[i].partition(NS_END)[2]) for i in range(len(parts))]


def _decoded(w: WriteRow) -> Any:
    try:
        return decode_safe(w.type, w.value)
    except Exception as exc:  # noqa: BLE001 - hostile bytes: the thread is unreadable, the rest counted
        raise StoreReadError(f"write to '{w.channel}' of task {w.task_id} at checkpoint {w.checkpoint_id} does not decode ({why(exc)})") from exc


def _failure(w: WriteRow, node: str) -> Failure:
    from agent_debug.inspector.errors import stored_error_fields

    type_, message = parse_error(_decoded(w))
    return Failure(node, type_, message, stored_error_fields(type_, message, node.rsplit(NS_END, 1)[-1])["classification"])


def _tokens(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _usage(w: WriteRow, namespace: str, node: str, seen: set[Any]) -> list[Usage]:
    value = _decoded(w)
    items = value if isinstance(value, list) else [value]
    found = []
    for position, item in enumerate(items):
        if not is_message(item):
            continue
        view = message_view(item)
        if view.role != "ai" or not view.usage:
            continue
        key = view.id or (namespace, w.checkpoint_id, w.task_id, w.idx, position)
        if key in seen:
            continue
        seen.add(key)
        found.append(Usage(node, view.model, _tokens(view.usage.get("input_tokens")), _tokens(view.usage.get("output_tokens"))))
    return found


# -- the figures -------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (the smallest value with ``p`` % of values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def _model_rows(tokens: Mapping[str | None, list[int]], prices: PriceTable | None) -> tuple[list[ModelTokens], float | None]:
    """Per-model rows and their total cost (None when no model has a price)."""
    rows, total, priced = [], 0.0, False
    for model in sorted(tokens, key=lambda m: (m is None, m or "")):
        tin, tout = tokens[model]
        price = prices.get(model) if prices is not None and model is not None else None
        cost = None
        if price is not None:
            cost = tin / 1000 * float(price.get("input", 0.0)) + tout / 1000 * float(price.get("output", 0.0))
            total, priced = total + cost, True
        rows.append(ModelTokens(model=model, input_tokens=tin, output_tokens=tout, cost=cost))
    return rows, (total if priced else None)


def _add(tokens: dict[str | None, list[int]], u: Usage) -> None:
    acc = tokens.setdefault(u.model, [0, 0])
    acc[0] += u.input_tokens
    acc[1] += u.output_tokens


@dataclass
class _NodeAcc:
    phases: int = 0
    done: int = 0
    work: list[float] = field(default_factory=list)
    waited: int = 0
    wait_seconds: float = 0.0
    reruns: int = 0
    retries: int = 0
    failures: list[Failure] = field(default_factory=list)
    tokens: dict[str | None, list[int]] = field(default_factory=dict)


def _interrupt_seconds(p: Phase, now: datetime) -> float:
    return sum(max(((w.end or now) - w.start).total_seconds(), 0.0) for w in p.waits if w.reason == "interrupt")


def compute_stats(
    source: Source, *, now: datetime, query: StatsQuery = StatsQuery(), prices: PriceTable | None = None, bulk: bool = True
) -> StoreStats:
    """The ``stats`` figures of every thread of ``source`` that passes ``query``. ``bulk``:
    read a SQL store's rows in batches of threads (``stats_sql``); False reads each thread
    through the source, as other commands do (the same figures, many more round trips)."""
    if getattr(source, "reader", None) is None:
        raise UsageError(f"stats reads a checkpoint store (a SQLite file or a postgresql:// DSN), not {source.target}")
    listing = source.threads()
    unreadable: list[UnreadableThread] = []
    counted: list[ThreadFacts] = []
    wanted = []
    for summary in listing.threads:
        if not query.wants_thread(summary):
            continue
        if summary.status is ThreadStatus.UNREADABLE:
            unreadable.append(UnreadableThread(thread_id=summary.thread_id, reason=summary.read_error or "unreadable"))
            continue
        wanted.append(summary)
    for summary, facts in _read_threads(source, wanted, now, bulk):
        if isinstance(facts, str):
            unreadable.append(UnreadableThread(thread_id=summary.thread_id, reason=facts))
        elif query.node is None or any(query.wants_node(name) for name, _ in facts.phases()):
            counted.append(facts)
    nodes = _node_rows(counted, now, query, prices)
    threads = [_thread_row(f, now, prices) for f in counted]
    totals: dict[str | None, list[int]] = {}
    for f in counted:
        for u in f.usage:
            _add(totals, u)
    models, _ = _model_rows(totals, prices)
    return StoreStats(
        target=source.target,
        computed_at=now,
        filters=StatsFilters(since=query.since, status=query.status, node=query.node, thread_prefix=query.thread_prefix, top=query.top),
        threads_total=len(listing.threads),
        threads_counted=len(counted),
        unreadable=unreadable,
        nodes=nodes,
        threads=threads,
        slowest_phases=_slowest(counted, now, query),
        most_expensive_threads=[
            t.thread_id
            for t in sorted(threads, key=lambda t: (t.cost or 0.0, t.input_tokens + t.output_tokens), reverse=True)
            if t.input_tokens + t.output_tokens
        ][: query.top],
        top_errors=_error_groups(counted, query),
        interrupts=_interrupt_waits(counted, now, query),
        models=models,
        unpriced_models=[m.model for m in models if m.cost is None] if prices is not None else [],
    )


def _read_threads(source: Source, wanted: list[ThreadSummary], now: datetime, bulk: bool) -> Iterator[tuple[ThreadSummary, ThreadFacts | str]]:
    """Each wanted thread's facts, or why its rows cannot be read. A SQL store's rows come
    in bulk (``stats_sql``: a few queries per batch of threads); any other through the
    source, a thread at a time. Either way one thread's rows are read by ``read_thread``."""
    reader = getattr(source, "reader")
    if not bulk or rows_query(reader) is None:
        for summary in wanted:
            yield summary, _facts_or_why(source, summary, now)
        return
    by_id = {s.thread_id: s for s in wanted}
    for rows in bulk_threads(reader, list(by_id)):
        if isinstance(rows, tuple):
            yield by_id[rows[0]], rows[1]
        else:
            yield by_id[rows.thread_id], _facts_or_why(thread_source(rows, reader), by_id[rows.thread_id], now)


def _facts_or_why(source: Source, summary: ThreadSummary, now: datetime) -> ThreadFacts | str:
    try:
        return read_thread(source, summary, now)
    except (StoreReadError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        # A damaged row: this thread is left out and named; the rest are counted.
        return exc.message if isinstance(exc, StoreReadError) else f"{type(exc).__name__}: {exc}"


def _node_rows(counted: list[ThreadFacts], now: datetime, query: StatsQuery, prices: PriceTable | None) -> list[NodeStats]:
    acc: dict[str, _NodeAcc] = {}
    for f in counted:
        known = f.work(now)
        for name, p in f.phases():
            if not query.wants_node(name):
                continue
            a = acc.setdefault(name, _NodeAcc())
            a.phases += 1
            a.done += p.status == "done"
            work = known.get(id(p))
            if work is not None:
                a.work.append(work)
            if any(w.reason == "interrupt" for w in p.waits):
                a.waited += 1
                a.wait_seconds += _interrupt_seconds(p, now)
            a.reruns += p.attempts > 1
            a.retries += p.retries
        for failure in f.failures:
            if query.wants_node(failure.node):
                acc.setdefault(failure.node, _NodeAcc()).failures.append(failure)
        for u in f.usage:
            if query.wants_node(u.node):
                _add(acc.setdefault(u.node, _NodeAcc()).tokens, u)
    rows = []
    for name in sorted(acc):
        a = acc[name]
        models, cost = _model_rows(a.tokens, prices)
        prints = Counter(x.fingerprint for x in a.failures)
        rows.append(
            NodeStats(
                node=name,
                phases=a.phases,
                done=a.done,
                durations=Durations(count=len(a.work), p50=percentile(a.work, 50), p95=percentile(a.work, 95), max=max(a.work, default=None)),
                waited=a.waited,
                wait_seconds=a.wait_seconds,
                reruns=a.reruns,
                retries=a.retries,
                failures=len(a.failures),
                failures_by_class=dict(Counter(x.classification for x in a.failures)),
                fingerprints=[FingerprintCount(fingerprint=fp, count=n) for fp, n in prints.most_common()],
                input_tokens=sum(m.input_tokens for m in models),
                output_tokens=sum(m.output_tokens for m in models),
                models=models,
                cost=cost,
            )
        )
    return rows


def _thread_row(f: ThreadFacts, now: datetime, prices: PriceTable | None) -> ThreadStats:
    tl = f.timeline
    root = [p for name, p in f.phases() if not p.namespace]
    tokens: dict[str | None, list[int]] = {}
    for u in f.usage:
        _add(tokens, u)
    models, cost = _model_rows(tokens, prices)
    return ThreadStats(
        thread_id=f.summary.thread_id,
        status=f.summary.status,
        wall_seconds=(tl.end - tl.start).total_seconds() if tl.start and tl.end else None,
        work_seconds=sum(p.work(now) or 0.0 for p in root),
        wait_seconds=sum(p.waited(now) for p in root),
        steps=len({p.checkpoint_id for p in root if p.status == "done"}),
        failures=len(f.failures),
        input_tokens=sum(m.input_tokens for m in models),
        output_tokens=sum(m.output_tokens for m in models),
        models=models,
        cost=cost,
    )


def _slowest(counted: list[ThreadFacts], now: datetime, query: StatsQuery) -> list[SlowPhase]:
    found = []
    for f in counted:
        known = f.work(now)
        for name, p in f.phases():
            work = known.get(id(p))
            if work is not None and query.wants_node(name):
                found.append((work, f.summary.thread_id, name, p))
    # nlargest is sorted(..., reverse=True)[:n], ties in order; records for the top only.
    top = heapq.nlargest(query.top, found, key=lambda x: x[0])
    return [SlowPhase(thread_id=t, node=name, step=p.step, checkpoint_id=p.checkpoint_id, seconds=work) for work, t, name, p in top]


def _error_groups(counted: list[ThreadFacts], query: StatsQuery) -> list[ErrorGroup]:
    groups: dict[str, list[tuple[str, Failure]]] = {}
    for f in counted:
        for failure in f.failures:
            if query.wants_node(failure.node):
                groups.setdefault(failure.fingerprint, []).append((f.summary.thread_id, failure))
    out = []
    for fp, hits in groups.items():
        threads = list(dict.fromkeys(t for t, _ in hits))
        first = hits[0][1]
        out.append(
            ErrorGroup(
                fingerprint=fp,
                type=first.type,
                classification=first.classification,  # type: ignore[arg-type]
                count=len(hits),
                nodes=sorted({x.node for _, x in hits}),
                threads=threads[: query.top],
                thread_count=len(threads),
                example=first.message,
            )
        )
    return sorted(out, key=lambda g: (-g.count, g.fingerprint))[: query.top]


def _interrupt_waits(counted: list[ThreadFacts], now: datetime, query: StatsQuery) -> list[InterruptWait]:
    """The waits at interrupts, each once: on the deepest phase that waited (a parent's
    phase waits where its subgraph's does)."""
    out = []
    for f in counted:
        phases = [(name, p) for name, p in f.phases() if any(w.reason == "interrupt" for w in p.waits)]
        for name, p in phases:
            prefix = _child_prefix(p.namespace, p.node)
            if any(q.namespace.startswith(prefix) for _, q in phases) or not query.wants_node(name):
                continue
            for w in p.waits:
                if w.reason == "interrupt":
                    out.append(
                        InterruptWait(
                            thread_id=f.summary.thread_id,
                            node=name,
                            since=w.start,
                            seconds=max(((w.end or now) - w.start).total_seconds(), 0.0),
                            answered=w.end is not None,
                            exact=w.exact,
                        )
                    )
    return sorted(out, key=lambda i: (-i.seconds, i.answered, i.thread_id))[: query.top]


__all__ = ["Failure", "StatsQuery", "ThreadFacts", "Usage", "compute_stats", "fingerprint", "parse_since", "percentile", "qualified", "read_thread"]
