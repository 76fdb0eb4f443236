"""The graph model every writer and the TUI draw from: a networkx ``DiGraph``.

Built from ``compiled.get_graph(xray=…)`` (a ``langchain_core`` ``Graph``), duck-typed so
this module imports neither langgraph nor networkx until a model is built.

Node attributes
    ``kind``       ``"start"``, ``"end"``, ``"node"`` or ``"subgraph"`` (a collapsed subgraph)
    ``label``      the name to show (with ``xray``, ids are ``parent:child`` and the label is
                   ``child``)
    ``subgraph``   tuple path of the enclosing expanded subgraphs, ``()`` at the top level
    ``status``     ``None`` or one of :data:`STATUSES` (see :func:`apply_status`)
    ``interrupt``  ``None``, ``"before"``, ``"after"`` or ``"before,after"`` (compile-time
                   interrupts)

Edge attributes
    ``conditional`` ``True`` for branches, ``Command`` routing (``Command[Literal[…]]`` return
                    types and ``destinations=``) and ``Send`` fan-out
    ``label``       the branch's path-map key, or ``None``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

START = "__start__"
END = "__end__"
KINDS = ("start", "end", "node", "subgraph")
STATUSES = ("visited", "next", "failed", "interrupted", "running")


class UnknownNodeError(LookupError):
    """A node name (for ``--focus``) that the graph does not have."""

# When several run facts land on one node (a collapsed subgraph), the most telling wins;
# "running" is live (the debugger's own run, from its events), never read from a store.
_STATUS_RANK = {"visited": 0, "next": 1, "interrupted": 2, "failed": 3, "running": 4}


def graph_model(compiled: Any, *, xray: bool | int = False) -> nx.DiGraph:
    """Build the model of a compiled LangGraph graph (anything with ``get_graph``)."""
    import networkx as nx

    drawable = compiled.get_graph(xray=xray)
    collapsed = _subgraph_ids(compiled)
    g = nx.DiGraph(name=_graph_name(compiled), xray=xray)
    for node_id, node in drawable.nodes.items():
        name = str(node.name)
        path: tuple[str, ...] = ()
        # with xray, langchain prefixes ids of a subgraph's nodes with `parent:`
        if node_id != name and node_id.endswith(":" + name):
            path = tuple(node_id[: -len(name) - 1].split(":"))
        if name == START:
            kind = "start"
        elif name == END:
            kind = "end"
        elif node_id in collapsed:
            kind = "subgraph"
        else:
            kind = "node"
        metadata = node.metadata or {}
        g.add_node(
            node_id,
            kind=kind,
            label=name,
            subgraph=path,
            status=None,
            interrupt=metadata.get("__interrupt"),
        )
    for edge in drawable.edges:
        if g.has_edge(edge.source, edge.target):
            continue
        label = None if edge.data is None else str(edge.data)
        g.add_edge(edge.source, edge.target, conditional=bool(edge.conditional), label=label)
    return g


def apply_status(g: nx.DiGraph, status: Mapping[str, str]) -> nx.DiGraph:
    """Return a copy of ``g`` with each node's ``status`` set from a run.

    Keys are model node ids (``sub:child``) or checkpoint namespaces
    (``sub:<task id>|child``); a key inside a collapsed subgraph marks the subgraph node,
    and the name of an expanded one (with ``xray``) marks its frame: the graph attribute
    ``subgraph_status`` maps its path to the status. Keys naming nothing are ignored: a
    run may have visited nodes a focus view hides.
    """
    out = g.copy()
    frames: dict[tuple[str, ...], str] = dict(out.graph.get("subgraph_status") or {})
    expanded = set(subgraph_paths(out))
    for key, value in status.items():
        if value not in STATUSES:
            raise ValueError(f"unknown node status {value!r}; expected one of {', '.join(STATUSES)}")
        node_id = resolve_node(out, key)
        if node_id is not None:
            out.nodes[node_id]["status"] = stronger_status(out.nodes[node_id].get("status"), value)
            continue
        parts = _namespace_parts(key)
        while parts and tuple(parts) not in expanded:
            parts.pop()
        if parts:
            frames[tuple(parts)] = stronger_status(frames.get(tuple(parts)), value)
    out.graph["subgraph_status"] = frames
    return out


def stronger_status(current: str | None, value: str) -> str:
    """The more telling of two statuses: visited < next < interrupted < failed < running."""
    if current is None or _STATUS_RANK[value] > _STATUS_RANK[current]:
        return value
    return current


def _namespace_parts(key: str) -> list[str]:
    """``parent:<task id>|child`` → ``["parent", "child"]``."""
    return [segment.split(":", 1)[0] for segment in key.split("|")]


def namespace_path(namespace: str) -> tuple[str, ...]:
    """The subgraph path of a checkpoint namespace: ``a:<task id>|b:<task id>`` →
    ``("a", "b")`` (the ``subgraph`` attribute of the nodes drawn inside it); ``""`` → ``()``."""
    return tuple(_namespace_parts(namespace)) if namespace else ()


def resolve_node(g: nx.DiGraph, key: str) -> str | None:
    """Find the model node a run's node name or namespace refers to, or ``None``."""
    if key in g:
        return key
    # a checkpoint namespace: `parent:<task id>|child`; drop task ids, join with `:`
    parts = _namespace_parts(key)
    while parts:
        candidate = ":".join(parts)
        if candidate in g:
            return candidate
        parts.pop()  # the node sits inside a collapsed subgraph: mark the subgraph
    return None


def subgraph_paths(g: nx.DiGraph) -> list[tuple[str, ...]]:
    """Every expanded subgraph path in the model, parents before children, in node order."""
    seen: dict[tuple[str, ...], None] = {}
    for _, path in g.nodes(data="subgraph"):
        for depth in range(1, len(path or ()) + 1):
            seen.setdefault(tuple(path[:depth]), None)
    return list(seen)


def statuses_present(g: nx.DiGraph) -> list[str]:
    """The statuses used by some node or subgraph frame, in legend order."""
    used = {s for _, s in g.nodes(data="status") if s}
    used.update(subgraph_status(g).values())
    return [s for s in STATUSES if s in used]


def back_edges(g: nx.DiGraph) -> set[tuple[str, str]]:
    """Edges that close a loop, found by a depth-first search from the start node(s)
    (then from any node not reached), in model order; self-loops are not included."""
    starts = [n for n, kind in g.nodes(data="kind") if kind == "start"]
    state: dict[str, int] = {}  # 1: on the DFS stack, 2: done
    found: set[tuple[str, str]] = set()
    for root in [*starts, *g.nodes]:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(list(g.successors(root))))]
        while stack:
            node, successors = stack[-1]
            for nxt in successors:
                if nxt == node:
                    continue
                if state.get(nxt) == 1:
                    found.add((node, nxt))
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(list(g.successors(nxt)))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return found


def subgraph_status(g: nx.DiGraph) -> dict[tuple[str, ...], str]:
    """Statuses of expanded subgraphs (their frames), by path; see :func:`apply_status`."""
    return dict(g.graph.get("subgraph_status") or {})


def focus_nodes(g: nx.DiGraph, node: str, hops: int = 1) -> list[str]:
    """Node ids within ``hops`` edges of ``node`` (either direction), in model order.

    ``node`` may be an id or an unambiguous label. Raises :class:`UnknownNodeError` with
    the closest names when it names nothing.
    """
    start = _find_focus(g, node)
    seen = {start}
    frontier = [start]
    for _ in range(max(hops, 0)):
        if not frontier:  # every reachable node is in: more hops add nothing
            break
        nxt: list[str] = []
        for current in frontier:
            for other in _neighbours(g, current):
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
    return [n for n in g.nodes if n in seen]


def _neighbours(g: nx.DiGraph, node: str) -> Iterable[str]:
    yield from g.successors(node)
    yield from g.predecessors(node)


def _find_focus(g: nx.DiGraph, node: str) -> str:
    if node in g:
        return node
    by_label = [n for n, label in g.nodes(data="label") if label == node]
    if len(by_label) == 1:
        return by_label[0]
    import difflib

    names = [str(n) for n in g.nodes]
    close = difflib.get_close_matches(node, names, n=3) or names[:5]
    reason = "is ambiguous" if by_label else "is not a node"
    raise UnknownNodeError(f"{node!r} {reason}; try {', '.join(close)}")


def _graph_name(compiled: Any) -> str:
    name = getattr(compiled, "name", None)
    return name if isinstance(name, str) and name else "graph"


def _subgraph_ids(compiled: Any) -> set[str]:
    """Ids (``a:b``) of every subgraph node, found by walking ``get_subgraphs``."""
    get_subgraphs = getattr(compiled, "get_subgraphs", None)
    if get_subgraphs is None:
        return set()
    try:
        namespaces = [ns for ns, _ in get_subgraphs(recurse=True)]
    except Exception:  # a custom Pregel may not support it; kinds then stay "node"
        return set()
    return {ns.replace("|", ":") for ns in namespaces}
