"""A thread's phases (node runs) on a time axis: what ran when, nested, and what waited.

A phase that made checkpoint C ran from C's parent's ``created_at`` to C's. Subgraph
phases (the thread's other checkpoint namespaces, ``node:task|…``) hang under the phase
of the parent graph whose task ran them.

Waiting is not work. What a checkpoint store records of an interrupt: the interrupted
task's ``__interrupt__`` write and, once answered, a ``__resume__`` write, both on the
checkpoint the step started from; neither carries a time, and answering writes no
checkpoint of its own (``Command(resume=…)`` becomes writes on that checkpoint; the step
runs again and saves its checkpoint when it ends). So the span of a phase that waited at
an interrupt holds its work before the interrupt, the wait and its work after the resume,
with no boundary stored between them. A task's ``__error__`` write beside its result
writes tells the same of a failure that a later run re-ran (the span holds the failed
attempt, the time nobody ran it, and the run that passed). Such a span is marked as a
``Wait`` (``exact=False``): shown apart, never counted as work. Where the store does tell
more, the wait is narrowed: a phase of the parent graph waited where its subgraph's phase
waited, and its subgraph's other phases are work.

A store keeps no RetryPolicy attempts (only a task's last failure): ``attempts`` counts
the runs the writes show (2 when a failed task was run again later).

The phases shown are bounded (``PHASE_LIMIT`` checkpoints over every namespace, the
newest); ``Timeline.truncated`` then says older phases are not shown.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from agent_debug.inspector.langgraph_names import ERROR, INTERRUPT, NS_END, NS_SEP, RESUME
from agent_debug.inspector.model import CheckpointSummary, ThreadSummary
from agent_debug.inspector.sources.base import Capability, Source
from agent_debug.inspector.sources.checkpoints import _parse_task_path, checkpoint_time

PHASE_LIMIT = 1000
"""Checkpoints read for one timeline (all namespaces together), the newest."""

PhaseStatus = Literal["done", "error", "interrupted", "running"]
WaitReason = Literal["interrupt", "error"]


@dataclass(frozen=True)
class Wait:
    """Time in a phase's span that is not work: at an interrupt, or after a failure until
    the task was run again. ``exact`` False: the wait lies somewhere in this span, which
    holds work too (the store does not say where one ends and the other begins)."""

    start: datetime
    end: datetime | None  # None: still waiting
    reason: WaitReason
    exact: bool = False


@dataclass(frozen=True)
class Phase:
    """One node run (or, ``kind`` other than "loop", an input, update or fork of the root
    graph: a moment, shown so it can be chosen)."""

    node: str
    namespace: str
    step: int | None
    checkpoint_id: str
    """What choosing the phase selects: the checkpoint it made, or (a phase not finished)
    the one it started from."""
    start: datetime | None
    end: datetime | None  # None: not finished (running, waiting) or, for an error, unknown
    status: PhaseStatus = "done"
    kind: str = "loop"
    attempts: int = 1
    runs: int = 1  # tasks of this node in the step (a Send fan-out runs several)
    waits: tuple[Wait, ...] = ()
    error: str | None = None
    task_ids: tuple[str, ...] = ()
    depth: int = 0

    @property
    def retries(self) -> int:
        """Runs after the first (the ↻ mark)."""
        return max(self.attempts - 1, 0)

    def duration(self, now: datetime) -> float | None:
        """Seconds from start to end (to ``now`` while it runs or waits); None: unknown."""
        if self.start is None or (self.end is None and self.status == "error"):
            return None
        return max(((self.end or now) - self.start).total_seconds(), 0.0)

    def waited(self, now: datetime) -> float:
        """Seconds of the span marked as waiting."""
        return sum(max(((w.end or now) - w.start).total_seconds(), 0.0) for w in self.waits)

    def work(self, now: datetime) -> float | None:
        """Seconds of the span that are work: the duration less the waits."""
        total = self.duration(now)
        return None if total is None else max(total - self.waited(now), 0.0)


@dataclass(frozen=True)
class Timeline:
    """A thread's phases in the order shown: by start time, each followed by the phases
    of its subgraphs (``depth`` deeper)."""

    thread_id: str
    phases: tuple[Phase, ...]
    start: datetime | None
    end: datetime | None
    now: datetime
    truncated: bool = False  # older phases not shown

    def waited_checkpoints(self, namespace: str = "") -> dict[str, float]:
        """Checkpoints of ``namespace`` made by a phase whose span holds waiting, with the
        seconds of that span (what the history shows as ``⏸`` instead of phase time)."""
        return {
            p.checkpoint_id: p.duration(self.now) or 0.0
            for p in self.phases
            if p.namespace == namespace and p.waits and p.end is not None
        }


# -- what the store's writes tell ------------------------------------------------------


@dataclass
class _Task:
    """A task's writes at the checkpoint its step started from."""

    node: str | None
    channels: set[str] = field(default_factory=set)

    @property
    def interrupted(self) -> bool:
        return INTERRUPT in self.channels

    @property
    def failed(self) -> bool:
        return ERROR in self.channels

    @property
    def finished(self) -> bool:
        return bool(self.channels - {INTERRUPT, ERROR, RESUME})


Tasks = dict[str, _Task]  # by task id


def _store_tasks(source: Source, thread_id: str, namespace: str, ids: Collection[str]) -> dict[str, Tasks]:
    """The tasks that wrote at each checkpoint, by checkpoint id: from a checkpoint store's
    rows (channel names only, no values). Other sources say nothing: {}."""
    reader = getattr(source, "reader", None) or getattr(getattr(source, "reading", None), "reader", None)
    if reader is None or not callable(getattr(reader, "writes", None)) or not ids:
        return {}
    out: dict[str, Tasks] = {}
    for w in reader.writes(namespace, {(thread_id, c) for c in ids}, ()):
        tasks = out.setdefault(w.checkpoint_id, {})
        task = tasks.get(w.task_id)
        if task is None:
            task = tasks[w.task_id] = _Task(_parse_task_path(w.task_path)[0] if w.task_path else None)
        task.channels.add(w.channel)
    return out


def _tasks_of(node: str, nodes: Sequence[str], tasks: Tasks) -> dict[str, _Task]:
    """The tasks at a step's checkpoint that ran ``node``: its pull tasks, or (Send) the
    push tasks when it is the one node of the step no pull task names."""
    mine = {tid: t for tid, t in tasks.items() if t.node == node}
    if mine:
        return mine
    named = {t.node for t in tasks.values()}
    if [n for n in nodes if n not in named] == [node]:
        return {tid: t for tid, t in tasks.items() if t.node is None and t.channels != {RESUME}}
    return {}


# -- building ------------------------------------------------------------------------


def _time_of(checkpoint_id: str | None, rows: dict[str, CheckpointSummary]) -> datetime | None:
    if checkpoint_id is None:
        return None
    row = rows.get(checkpoint_id)
    return row.created_at if row is not None and row.created_at else checkpoint_time(checkpoint_id)


def _made_phases(namespace: str, rows: list[CheckpointSummary], tasks: dict[str, Tasks]) -> list[Phase]:
    """The phases that made the namespace's checkpoints (and the root's input, update and
    fork moments)."""
    by_id = {r.checkpoint_id: r for r in rows}
    out: list[Phase] = []
    for row in rows:
        if row.source != "loop" or not row.parent_id:
            if not namespace and row.source in ("input", "update", "fork"):
                label = row.source if row.source == "input" or not row.nodes else f"{row.source} as {', '.join(row.nodes)}"
                out.append(Phase(label, namespace, row.step, row.checkpoint_id, row.created_at, row.created_at, kind=row.source))
            continue
        start, end = _time_of(row.parent_id, by_id), row.created_at
        at_parent = tasks.get(row.parent_id, {})
        step_waited = any(t.interrupted for t in at_parent.values())
        for node in row.nodes or ["?"]:
            mine = _tasks_of(node, row.nodes, at_parent)
            failed = any(t.failed for t in mine.values())
            waits: tuple[Wait, ...] = ()
            if start is not None and (step_waited or failed):
                waits = (Wait(start, end, "interrupt" if step_waited else "error"),)
            out.append(
                Phase(
                    node, namespace, row.step, row.checkpoint_id, start, end,
                    attempts=2 if failed else 1, runs=max(len(mine), 1), waits=waits, task_ids=tuple(mine),
                )
            )
    return out


def _pending_phases(
    namespace: str, head: CheckpointSummary, summary: ThreadSummary, tasks: Tasks
) -> list[Phase]:
    """The phases due at a namespace's newest checkpoint: waiting at an interrupt, failed,
    or (root graph: due and nothing stored against them) running. A phase held at a
    static breakpoint reads as running: the store cannot tell them apart."""
    start = head.created_at
    step = None if head.step is None else head.step + 1
    out: list[Phase] = []
    seen: set[str] = set()
    for i in summary.interrupts:
        if i.namespace == namespace and i.task_id not in seen and i.node:
            seen.add(i.task_id)
            waits = (Wait(start, None, "interrupt"),) if start else ()
            out.append(Phase(i.node, namespace, step, head.checkpoint_id, start, None, "interrupted", waits=waits, task_ids=(i.task_id,)))
    for e in summary.errors:
        if e.namespace == namespace and e.task_id not in seen:
            seen.add(e.task_id)
            out.append(Phase(e.node or "?", namespace, step, head.checkpoint_id, start, None, "error", error=f"{e.type}: {e.message}", task_ids=(e.task_id,)))
    for task_id, task in tasks.items():
        # A subgraph's waits and failures: the thread's summary tells the root's only.
        if task_id not in seen and task.node and not task.finished and (task.interrupted or task.failed):
            seen.add(task_id)
            status: PhaseStatus = "interrupted" if task.interrupted else "error"
            waits = (Wait(start, None, "interrupt"),) if start and task.interrupted else ()
            out.append(Phase(task.node, namespace, step, head.checkpoint_id, start, None, status, waits=waits, task_ids=(task_id,)))
    if not namespace and summary.checkpoint_id == head.checkpoint_id:
        named = {p.node for p in out}
        for node in summary.next:
            if node not in named:
                ids = tuple(tid for tid, t in tasks.items() if t.node == node)
                out.append(Phase(node, namespace, step, head.checkpoint_id, start, None, "running", task_ids=ids))
    return out


def _parent_of(namespace: str) -> tuple[str, str, str]:
    """(parent namespace, node, task id) of a subgraph namespace ``…|node:task``."""
    parent, _, last = namespace.rpartition(NS_SEP)
    node, _, task = last.partition(NS_END)
    return parent, node, task


def _host(namespace: str, first: datetime | None, phases: Iterable[Phase]) -> Phase | None:
    """The phase of the parent graph that ran the subgraph of ``namespace``: the one with its
    task id, else the latest run of its node that began before the subgraph's first checkpoint."""
    parent, node, task = _parent_of(namespace)
    candidates = [p for p in phases if p.namespace == parent and p.node == node and p.kind == "loop"]
    exact = [p for p in candidates if task in p.task_ids]
    if exact:
        return exact[-1]
    if first is None:
        return None
    before = [p for p in candidates if p.start is not None and p.start <= first and (p.end is None or first <= p.end)]
    return max(before, key=lambda p: p.start) if before else None  # type: ignore[arg-type, return-value]


def _order(phases: list[Phase], firsts: dict[str, datetime | None]) -> list[Phase]:
    """Root phases by time, each followed by its subgraphs' (recursively), depths set; the
    waits of a host narrowed to where its subgraph's phases waited."""
    children: dict[int, list[Phase]] = {}
    tops: list[Phase] = []
    for ns in {p.namespace for p in phases}:
        mine = [p for p in phases if p.namespace == ns]
        host = _host(ns, firsts.get(ns), phases) if ns else None
        if host is None:
            tops.extend(mine)
        else:
            children.setdefault(id(host), []).extend(mine)

    def walk(p: Phase, depth: int) -> tuple[Phase, list[Phase]]:
        kids = sorted(children.get(id(p), []), key=_sort_key)
        laid: list[Phase] = []
        for kid in kids:
            shown, below = walk(kid, depth + 1)
            laid.append(shown)
            laid.extend(below)
        waits = p.waits
        inner = [w for k in laid if k.depth == depth + 1 for w in k.waits]
        if inner and p.waits and not any(w.exact for w in p.waits):
            waits = tuple(inner)  # the subgraph says where, inside the span, it waited
        return replace(p, depth=depth, waits=waits), laid

    out: list[Phase] = []
    for top in sorted(tops, key=_sort_key):
        shown, below = walk(top, len(_split(top.namespace)) if top.namespace else 0)
        out.append(shown)
        out.extend(below)
    return out


def _split(namespace: str) -> list[str]:
    return [part for part in namespace.split(NS_SEP) if part]


def _sort_key(p: Phase) -> tuple[float, str, int]:
    when = p.start or p.end
    return (when.timestamp() if when else float("inf"), p.checkpoint_id, 0 if p.kind != "loop" else 1)


def build_timeline(source: Source, thread_id: str, *, now: datetime, limit: int = PHASE_LIMIT) -> Timeline:
    """The timeline of ``thread_id`` as the source tells it (see the module docstring for
    what a store can and cannot tell of waiting). Reads at most ``limit`` checkpoints."""
    summary = source.thread(thread_id)
    root = source.history(thread_id, limit=limit)
    truncated = root.next_before is not None
    pages: list[tuple[str, list[CheckpointSummary]]] = [("", list(root.checkpoints))]
    budget = limit - len(root.checkpoints)
    oldest = root.checkpoints[-1].checkpoint_id if root.checkpoints else None
    if Capability.NAMESPACES in source.capabilities:
        others = sorted((n for n in source.namespaces(thread_id) if n.namespace), key=lambda n: n.latest_checkpoint_id, reverse=True)
        for info in others:
            if budget <= 0 or (truncated and oldest is not None and info.latest_checkpoint_id < oldest):
                truncated = True
                continue
            page = source.history(thread_id, namespace=info.namespace, limit=budget)
            budget -= len(page.checkpoints)
            truncated = truncated or page.next_before is not None
            pages.append((info.namespace, list(page.checkpoints)))
    phases: list[Phase] = []
    firsts: dict[str, datetime | None] = {}
    for namespace, rows in pages:
        rows = sorted(rows, key=lambda r: r.checkpoint_id)
        if not rows:
            continue
        tasks = _store_tasks(source, thread_id, namespace, [r.parent_id for r in rows if r.parent_id] + [rows[-1].checkpoint_id])
        phases += _made_phases(namespace, rows, tasks)
        phases += _pending_phases(namespace, rows[-1], summary, tasks.get(rows[-1].checkpoint_id, {}))
        firsts[namespace] = rows[0].created_at
    ordered = _order(phases, firsts)[-limit:]
    starts = [p.start for p in ordered if p.start] + [p.end for p in ordered if p.end]
    running = any(p.end is None and p.status != "error" for p in ordered)
    end = max([*(p.end for p in ordered if p.end), *([now] if running else [])], default=None)
    return Timeline(thread_id, tuple(ordered), min(starts, default=None), end, now, truncated)


def describe(seconds: float | None) -> str:
    """A span in a few characters: 12ms, 3.4s, 12s, 4m, 2h."""
    if seconds is None:
        return "?"
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.0f}h" if seconds < 172_800 else f"{seconds / 86400:.0f}d"


__all__ = ["PHASE_LIMIT", "Phase", "PhaseStatus", "Timeline", "Wait", "build_timeline", "describe"]
