"""The graph model of a LangGraph server's assistant, from the JSON the server draws it as.

``GET /assistants/{id}/graph?xray=…`` answers ``compiled.get_graph(xray=…).to_json()``:
``{"nodes": [{"id", "type", "data", "metadata"?}], "edges": [{"source", "target",
"conditional"?, "data"?}]}``. :func:`server_graph_model` turns that into the model
:func:`.model.graph_model` builds from the compiled graph itself, so every writer and
:func:`.model.apply_status` work on it unchanged. The JSON does not say which nodes are
subgraphs: the namespaces of ``GET /assistants/{id}/subgraphs?recurse=true`` do.

Pure: the caller fetches the JSON (this package makes no network calls).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .model import END, START

if TYPE_CHECKING:
    import networkx as nx


def server_graph_model(
    graph: Mapping[str, Any],
    *,
    subgraphs: Iterable[str] = (),
    xray: bool | int = False,
    name: str = "graph",
) -> nx.DiGraph:
    """Build the model of a server's drawable graph JSON.

    ``subgraphs`` are the assistant's subgraph namespaces (``inner``, ``inner|deeper``):
    a node drawn with one of those ids is a collapsed subgraph. ``name`` names the
    model (the assistant's graph id, say); ``xray`` is what the JSON was drawn with.
    """
    import networkx as nx

    collapsed = {ns.replace("|", ":") for ns in subgraphs}
    g = nx.DiGraph(name=name, xray=xray)
    for node in graph.get("nodes") or ():
        node_id = str(node["id"])
        # With xray a subgraph's nodes are `parent:child` (LangGraph reserves ':' in node
        # names, so every ':' is a subgraph boundary); the JSON's `data.name` is the id.
        *path, label = node_id.split(":")
        if label == START:
            kind = "start"
        elif label == END:
            kind = "end"
        elif node_id in collapsed:
            kind = "subgraph"
        else:
            kind = "node"
        metadata = node.get("metadata") or {}
        g.add_node(
            node_id,
            kind=kind,
            label=label,
            subgraph=tuple(path),
            status=None,
            interrupt=metadata.get("__interrupt") if isinstance(metadata, Mapping) else None,
        )
    for edge in graph.get("edges") or ():
        source, target = str(edge["source"]), str(edge["target"])
        if g.has_edge(source, target):
            continue
        data = edge.get("data")
        g.add_edge(source, target, conditional=bool(edge.get("conditional")), label=None if data is None else str(data))
    return g


def subgraph_model(model: nx.DiGraph, path: tuple[str, ...]) -> nx.DiGraph | None:
    """The subgraph at ``path`` of a model drawn with ``xray``, as a model of its own
    (what :func:`.model.graph_model` of the compiled subgraph would give), or ``None``
    when the model does not draw it expanded.

    Ids lose the ``path`` prefix. An xray drawing keeps a subgraph's own start and end
    only at times (``sub:__start__``): edges from outside into the subgraph stand for its
    start (an edge from ``__start__``, plain, unless it has its own), edges out of it for
    its end (an edge to ``__end__``, plain, unless it has its own).
    """
    import networkx as nx

    if not path:
        return model.copy()
    depth = len(path)
    inside = [n for n, p in model.nodes(data="subgraph") if tuple(p or ())[:depth] == path]
    if not inside:
        return None
    members = set(inside)
    cut = len(":".join(path)) + 1

    def local(node_id: str) -> str:
        return node_id[cut:]

    g = nx.DiGraph(name=path[-1], xray=model.graph.get("xray"))
    plain = {"status": None, "interrupt": None, "subgraph": ()}
    g.add_node(START, kind="start", label=START, **plain)
    for node_id in inside:
        if local(node_id) in (START, END):
            continue
        attrs = dict(model.nodes[node_id])
        attrs["subgraph"] = tuple(attrs.get("subgraph") or ())[depth:]
        attrs["status"] = None
        g.add_node(local(node_id), **attrs)
    g.add_node(END, kind="end", label=END, **plain)

    def join(source: str, target: str, conditional: bool, label: str | None) -> None:
        if not g.has_edge(source, target):
            g.add_edge(source, target, conditional=conditional, label=label)

    for source, target, data in model.edges(data=True):
        if source in members and target in members:
            join(local(source), local(target), bool(data.get("conditional")), data.get("label"))
        elif target in members and local(target) != START:
            join(START, local(target), False, None)
        elif source in members and local(source) != END:
            join(local(source), END, False, None)
    return g
