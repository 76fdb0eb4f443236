"""A thread's graph as far as its checkpoints show it, for when no graph code is given.

Nodes are the phases that ran (or are due next); an edge joins a phase to the phase
that ran in the following step of the same branch. Conditional branches never taken
stay unknown: with ``--graph`` the real graph is drawn instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collections.abc import Sequence

from agent_debug.inspector.langgraph_names import END, START
from agent_debug.inspector.model import CheckpointSummary, ThreadStatus
from agent_debug.inspector.sources.base import Source


@dataclass
class ObservedGraph:
    """Nodes and transitions seen in a thread's history, with how often each was taken."""

    nodes: list[str] = field(default_factory=list)
    edges: dict[tuple[str, str], int] = field(default_factory=dict)

    def add_node(self, node: str) -> None:
        if node not in self.nodes:
            self.nodes.append(node)

    def add_edge(self, source: str, target: str) -> None:
        self.add_node(source)
        self.add_node(target)
        self.edges[(source, target)] = self.edges.get((source, target), 0) + 1


def observed_graph(
    source: Source, thread_id: str, namespace: str = "", *, rows: Sequence[CheckpointSummary] | None = None
) -> ObservedGraph:
    """Reconstruct the graph of one thread from its whole history (all branches)."""
    if rows is None:
        rows = source.history(thread_id, namespace=namespace, limit=None).checkpoints
    by_id = {r.checkpoint_id: r for r in rows}
    graph = ObservedGraph()
    graph.add_node(START)
    for row in reversed(rows):  # oldest first, so nodes appear in run order
        if not row.nodes:
            continue
        parent = by_id.get(row.parent_id) if row.parent_id else None
        before = parent.nodes if parent and parent.nodes else []
        if not before and row.nodes != [START]:
            before = [START]
        for a in before:
            for b in row.nodes:
                if a != START or b != START:
                    graph.add_edge(a, b)
    if namespace == "":
        summary = source.thread(thread_id)
        last = rows[0].nodes if rows else []
        for nxt in summary.next:
            for a in last or [START]:
                graph.add_edge(a, nxt)
        if summary.status is ThreadStatus.DONE and last:
            for a in last:
                graph.add_edge(a, END)
    return graph
