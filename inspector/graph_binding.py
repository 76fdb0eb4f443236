"""Which of the user's graphs each thread runs, when a session has one or several.

A store often holds the threads of more than one graph (every graph a LangGraph server
serves writes to the same store). A session is given the graphs (repeated ``--graph``,
every graph id of a ``langgraph.json``) and each thread gets the one it ran, chosen:

1. by name: the ``graph_id`` (else the ``assistant_id``) in the thread's newest checkpoint
   that has one, against each graph's name (its ``langgraph.json`` id, the ``NAME`` of
   ``--graph NAME=REF``). A LangGraph server writes both into every checkpoint of its
   runs, and so does any run whose config carries them.
2. else by its nodes: the graphs that have every node the thread ran (and the ones due
   next); of those, the one with the fewest nodes the thread has not run. A tie is no
   choice: running the wrong graph would append a wrong checkpoint.

A thread no graph fits is drawn as reconstructed from its checkpoints, and the verbs
refuse it in one line that names the graphs tried.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from agent_debug.inspector.model import CheckpointSummary
from agent_debug.inspector.user_graph import breakpoint_names, graph_nodes, mismatch, nodes_to_match

_NAMING_KEYS = ("graph_id", "assistant_id")
"""Checkpoint metadata that names the graph a run ran (a LangGraph server writes both)."""


@dataclass(frozen=True, eq=False)
class KnownGraph:
    """One graph the session may run: the user's compiled graph and how it was given
    (each is itself: equal only to itself, so caches keyed by it never mix two graphs)."""

    ref: str
    """The GRAPH_REF it was loaded from."""
    graph: Any = field(repr=False)
    """The user's compiled graph (never changed)."""
    name: str | None = None
    """The name a thread's metadata may give it: a ``langgraph.json`` id, or ``NAME=REF``'s NAME."""

    @property
    def label(self) -> str:
        """How messages name it: its name, else its GRAPH_REF."""
        return self.name or self.ref

    @property
    def nodes(self) -> set[str]:
        """Its root nodes."""
        return graph_nodes(self.graph)

    @cached_property
    def breakpoint_names(self) -> frozenset[str]:
        """The nodes a breakpoint can name in it (``user_graph.breakpoint_names``; found once)."""
        return frozenset(breakpoint_names(self.graph))


@dataclass(frozen=True)
class GraphChoice:
    """The graph a thread runs (None: no graph given fits it) and, in words, why."""

    graph: KnownGraph | None
    why: str


def naming(metadata: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The (key, value) pairs of a checkpoint's metadata that name its graph."""
    return tuple((key, value) for key in _NAMING_KEYS if isinstance(value := metadata.get(key), str) and value)


class GraphBinding:
    """The graphs a session was given, and the choice of one for each thread."""

    def __init__(self, graphs: Sequence[KnownGraph]) -> None:
        if not graphs:
            raise ValueError("a graph binding needs at least one graph")
        self.graphs = tuple(graphs)
        self._by_name = {g.name: g for g in self.graphs if g.name}

    @classmethod
    def of(cls, graph: Any) -> GraphBinding:
        """``graph`` as it is when it is a binding already, else a binding of that one
        compiled graph (known by the name it was compiled with: its GRAPH_REF is not known)."""
        if isinstance(graph, GraphBinding):
            return graph
        return cls([KnownGraph(str(getattr(graph, "name", None) or type(graph).__name__), graph)])

    @property
    def only(self) -> KnownGraph | None:
        """The graph, when there is exactly one."""
        return self.graphs[0] if len(self.graphs) == 1 else None

    def breakpoint_names(self) -> set[str]:
        """Every node a breakpoint can name in any of the graphs."""
        return set().union(*(g.breakpoint_names for g in self.graphs))

    @property
    def tried(self) -> str:
        """The graphs given, as a message lists them."""
        return "tried --graph " + ", ".join(g.label for g in self.graphs)

    def choose(self, thread_id: str, ran: Collection[str], named: Iterable[tuple[str, str]] = ()) -> GraphChoice:
        """The graph of a thread that ran the nodes ``ran`` (its history's and the ones due
        next) and whose checkpoints name their graph as ``named`` (see :func:`naming`)."""
        unknown_names = []
        for key, value in named:
            found = self._by_name.get(value)
            if found is not None:
                return GraphChoice(found, f"{key} '{value}' in its metadata")
            unknown_names.append(f"{key} '{value}'")
        also = f" (its metadata names {', '.join(unknown_names)}, not given)" if unknown_names else ""
        needed = nodes_to_match(ran)
        if not needed and len(self.graphs) > 1:
            return GraphChoice(None, f"thread '{thread_id}' ran no node yet to tell its graph by{also}; {self.tried}")
        fits = [g for g in self.graphs if needed <= g.nodes]
        if not fits:
            return GraphChoice(None, self._none_fits(thread_id, ran) + also)
        spare = min(len(g.nodes - needed) for g in fits)
        closest = [g for g in fits if len(g.nodes - needed) == spare]
        if len(closest) > 1:
            labels = ", ".join(g.label for g in closest)
            return GraphChoice(None, f"thread '{thread_id}' fits several graphs given as well ({labels}){also}; give only its own --graph")
        return GraphChoice(closest[0], ("its nodes" if len(self.graphs) > 1 else "the only graph given") + also)

    def choose_from_rows(self, thread_id: str, rows: Sequence[CheckpointSummary], due: Iterable[str]) -> GraphChoice:
        """:meth:`choose` for a thread whose whole root history is ``rows`` (newest first)
        and whose nodes ``due`` run next."""
        ran = {n for row in rows for n in row.nodes} | set(due)
        named = next((found for row in rows if (found := naming(row.metadata))), ())
        return self.choose(thread_id, ran, named)

    def _none_fits(self, thread_id: str, ran: Collection[str]) -> str:
        only = self.only
        if only is not None:
            return f"{mismatch(only.graph, thread_id, ran)}; {self.tried}"
        return f"no graph given matches thread '{thread_id}': it ran {', '.join(sorted(nodes_to_match(ran)))}; {self.tried}"
