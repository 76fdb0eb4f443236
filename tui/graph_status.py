"""The run status of every node a graph model draws (subgraph nodes too), at a checkpoint:
what ``agent-debug graph --from`` and the TUI's Graph tab colour the drawing with; the
TUI adds the phases its own run is running now, known from the run's events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_debug.inspector.model import CheckpointState, CheckpointSummary
    from agent_debug.inspector.sources.base import Source


def graph_status(
    source: Source,
    thread_id: str,
    checkpoint_id: str | None = None,
    *,
    model: Any = None,
    namespace: str = "",
    state: CheckpointState | None = None,
    rows: Sequence[CheckpointSummary] | None = None,
    running: Sequence[Any] = (),
) -> dict[str, str]:
    """Run status at a checkpoint of ``namespace`` (the root graph by default) for every
    node ``model`` draws, as :func:`~agent_debug.graphviz_export.model.apply_status` reads it.
    ``running``: the ``phase_started`` events of the thread's phases running now; drawn at
    the namespace's newest checkpoint, their nodes are "running" (see :func:`mark_running`).

    Nodes of ``namespace`` itself are keyed by name. Each subgraph the model draws
    expanded (``--xray``) is coloured from the checkpoints of its own namespace(s), keyed
    ``sub:<task id>|node`` relative to ``namespace``: a subgraph run counts when it belongs
    to the checkpoint's branch. A run that finished in a step of that branch shows what it
    visited; a run still open at the checkpoint itself (interrupted, failed, stopped at a
    breakpoint inside it) shows its latest state: visited, next, interrupted, failed.
    ``state`` and ``rows`` (the namespace's whole history) spare reading them again.
    """
    status = _stored_status(source, thread_id, checkpoint_id, model=model, namespace=namespace, state=state, rows=rows)
    if running:
        if rows is None:
            rows = source.history(thread_id, namespace=namespace, limit=1).checkpoints
        drawn = state.checkpoint_id if state is not None else checkpoint_id
        if drawn is None or (rows and rows[0].checkpoint_id == drawn):
            mark_running(status, running, namespace)
    return status


def mark_running(status: dict[str, str], running: Sequence[Any], namespace: str = "") -> None:
    """Mark the nodes of the phases running now (``phase_started`` events) in ``status``,
    as seen from ``namespace``: its own nodes by name, those of subgraph runs below it as
    ``sub:<task id>|node``. What runs now is the most telling fact: it wins."""
    from agent_debug.graphviz_export.model import stronger_status

    for phase in running:
        if not phase.node:
            continue
        if phase.namespace == namespace:
            key = phase.node
        elif inner := _relative(phase.namespace, namespace):
            key = f"{inner}|{phase.node}"
        else:
            continue  # a phase of the graph around this subgraph, or of another one
        status[key] = stronger_status(status.get(key), "running")


def _stored_status(
    source: Source,
    thread_id: str,
    checkpoint_id: str | None,
    *,
    model: Any,
    namespace: str,
    state: CheckpointState | None,
    rows: Sequence[CheckpointSummary] | None,
) -> dict[str, str]:
    """What the store says at the checkpoint (see :func:`graph_status`)."""
    from agent_debug.graphviz_export.model import namespace_path, stronger_status, subgraph_paths
    from agent_debug.inspector.run_status import node_status

    expanded = set(subgraph_paths(model)) if model is not None else set()
    if not expanded:
        return node_status(source, thread_id, checkpoint_id, namespace, state=state, rows=rows)
    if state is None:
        state = source.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace)
    if rows is None:
        rows = source.history(thread_id, namespace=namespace, limit=None).checkpoints
    status = dict(node_status(source, thread_id, state.checkpoint_id, namespace, state=state, rows=rows))
    spaces = [n.namespace for n in source.namespaces(thread_id)]

    def mark(key: str, value: str) -> None:
        if namespace_path(key)[:-1] in expanded:  # the subgraph holding the node is drawn
            status[key] = stronger_status(status.get(key), value)

    def found(state: CheckpointState) -> None:
        # Pending interrupts and errors name the namespace of the task that raised them,
        # which a source may report from a namespace above it.
        raised = [(i.namespace, i.node, "interrupted") for i in state.interrupts]
        raised += [(e.namespace, e.node, "failed") for e in state.errors]
        for where, node, value in raised:
            inner = _relative(where, namespace)
            if node and inner and where != state.namespace:
                mark(f"{inner}|{node}", value)

    def walk(ns: str, ns_rows: Sequence[CheckpointSummary], current: str) -> None:
        steps = _Steps(ns_rows, current)
        for child in spaces:
            if _parent_namespace(child) != ns:
                continue
            inner = _relative(child, namespace)
            if namespace_path(inner) not in expanded:
                continue  # drawn collapsed (or not at all): its parent node's status says enough
            run_rows = source.history(thread_id, namespace=child, limit=None).checkpoints
            attached = steps.attached(run_rows, child.rsplit("|", 1)[-1].split(":", 1)[0])
            if attached is None:
                continue
            if attached == "open":
                run_state = source.state(thread_id, namespace=child)
                run_status = node_status(source, thread_id, run_state.checkpoint_id, child, state=run_state, rows=run_rows)
                found(run_state)
                head = run_state.checkpoint_id
            else:  # finished in the step that made checkpoint `attached`: what it had done by then
                head = max((r.checkpoint_id for r in run_rows if r.checkpoint_id < attached), default="")
                by_id = {r.checkpoint_id: r for r in run_rows}
                run_status = {node: "visited" for ckpt in _branch(run_rows, head) for node in by_id[ckpt].nodes}
            for node, value in run_status.items():
                mark(f"{inner}|{node}", value)
            if head:
                walk(child, run_rows, head)

    found(state)
    walk(namespace, rows, state.checkpoint_id)
    return status


def _parent_namespace(namespace: str) -> str | None:
    """``a:<t>|b:<u>`` → ``a:<t>``; the root's parent is ``None``."""
    if not namespace:
        return None
    return namespace.rsplit("|", 1)[0] if "|" in namespace else ""


def _relative(namespace: str, base: str) -> str:
    """``namespace`` as seen from inside ``base`` ('' when it is not inside it)."""
    if not base:
        return namespace
    return namespace[len(base) + 1 :] if namespace.startswith(base + "|") else ""


def _branch(rows: Sequence[CheckpointSummary], head: str) -> list[str]:
    """Checkpoint ids from ``head`` back to the first, along parent links."""
    parents = {r.checkpoint_id: r.parent_id for r in rows}
    out: list[str] = []
    seen: set[str] = set()
    current: str | None = head
    while current in parents and current not in seen:
        out.append(current)
        seen.add(current)
        current = parents[current]
    return out


class _Steps:
    """The checkpoints of one namespace, to place the subgraph runs of its tasks on the
    branch that leads to ``current``.

    Checkpoint ids grow with time, and a subgraph writes its checkpoints after the parent
    checkpoint its task runs from (the newest one before the subgraph's first) and before
    the checkpoint that step makes (a child of it, made by the subgraph's node).
    """

    def __init__(self, rows: Sequence[CheckpointSummary], current: str) -> None:
        self.current = current
        self.branch = set(_branch(rows, current))
        self.ids = sorted(r.checkpoint_id for r in rows)
        self.children: dict[str, list[CheckpointSummary]] = {}
        for r in rows:
            if r.parent_id:
                self.children.setdefault(r.parent_id, []).append(r)

    def attached(self, run: Sequence[CheckpointSummary], node: str) -> str | None:
        """Where a run of subgraph node ``node`` sits: the id of the checkpoint its step
        made (it finished on the branch), ``"open"`` (it runs from ``current`` and has not
        finished), or ``None`` (another branch, or a step after ``current``)."""
        from bisect import bisect_left

        if not run:
            return None
        first = min(r.checkpoint_id for r in run)
        before = bisect_left(self.ids, first)
        start = self.ids[before - 1] if before else None
        if start is None or start not in self.branch:
            return None
        made = [
            r.checkpoint_id
            for r in self.children.get(start, ())
            if r.checkpoint_id > first and r.source == "loop" and node in r.nodes
        ]
        if made:
            end = min(made)
            return end if end in self.branch else None
        return "open" if start == self.current else None
