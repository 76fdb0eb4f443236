"""Graphviz DOT from the graph model, built with pydot.

Every id and label is quoted by :func:`dot_quote` before pydot sees it: pydot 4 leaves
some ids bare (``node``, ``a"b``) and cuts ``a:b`` at the colon (it reads a port), so
names with quotes, colons, spaces, keywords or any Unicode still give valid DOT.
Subgraphs become ``cluster_…`` subgraphs, conditional edges are dashed with their label,
loops' back edges do not constrain ranks (the flow reads top to bottom from ``__start__``),
``__start__``/``__end__`` are ellipses, and a run's node status fills the node, with a
legend table as the graph label.
"""

from __future__ import annotations

import re
from typing import Any

from .model import back_edges, statuses_present, subgraph_paths, subgraph_status

# fill, border colour: readable on white, distinct for colour-blind readers (blue/orange)
STATUS_COLOURS = {
    "visited": ("#d3f9d8", "#2b8a3e"),
    "next": ("#fff3bf", "#e67700"),
    "failed": ("#ffe3e3", "#c92a2a"),
    "interrupted": ("#dbe4ff", "#364fc7"),
    "running": ("#f3d9fa", "#862e9c"),
}
_KIND_ATTRS: dict[str, dict[str, str]] = {
    "start": {"shape": "ellipse", "style": '"filled"', "fillcolor": '"#e9ecef"'},
    "end": {"shape": "ellipse", "style": '"filled"', "fillcolor": '"#e9ecef"', "peripheries": "2"},
    "node": {"shape": "box", "style": '"rounded,filled"', "fillcolor": '"#ffffff"'},
    "subgraph": {"shape": "box3d", "style": '"filled"', "fillcolor": '"#ffffff"'},
}


def dot_quote(text: str) -> str:
    """A DOT double-quoted string: ``"`` and ``\\`` escaped, so label escapes stay literal."""
    body = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{body}"'


def dot_unquote(text: str) -> str:
    """The inverse of :func:`dot_quote` (for ids read back with pydot)."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
        return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)
    return text


def to_dot(g: Any) -> str:
    """The model as a DOT ``digraph`` (valid input for Graphviz ``dot``)."""
    import pydot

    graph = pydot.Dot(graph_name=dot_quote(g.graph.get("name") or "graph"), graph_type="digraph")
    graph.set("rankdir", "TB")
    graph.set_node_defaults(fontname="Helvetica", fontsize="12")
    graph.set_edge_defaults(fontname="Helvetica", fontsize="10")
    containers: dict[tuple[str, ...], Any] = {(): graph}
    numbers = {path: n for n, path in enumerate(subgraph_paths(g))}
    frames = subgraph_status(g)

    def container(path: tuple[str, ...]) -> Any:
        # clusters are declared where their first node comes, so Graphviz meets nodes
        # in the graph's own order (its cycle breaking follows declaration order)
        if path not in containers:
            slug = re.sub(r"[^A-Za-z0-9_]", "_", path[-1])
            attrs: dict[str, Any] = {"style": '"rounded,dashed"', "color": '"#868e96"'}
            if frames.get(path) in STATUS_COLOURS:  # the run is in (or went through) it
                fill, border = STATUS_COLOURS[frames[path]]
                attrs = {"style": '"rounded,dashed,filled"', "fillcolor": dot_quote(fill), "color": dot_quote(border), "penwidth": "2"}
            cluster = pydot.Cluster(
                graph_name=f"{numbers[path]}_{slug}", label=dot_quote(path[-1]), fontname="Helvetica", **attrs
            )
            container(path[:-1]).add_subgraph(cluster)
            containers[path] = cluster
        return containers[path]

    for node_id, data in g.nodes(data=True):
        attrs: dict[str, Any] = dict(_KIND_ATTRS.get(data.get("kind") or "node", _KIND_ATTRS["node"]))
        attrs["label"] = dot_quote(data.get("label", node_id))
        attrs["tooltip"] = dot_quote(node_id)
        status = data.get("status")
        if status in STATUS_COLOURS:
            fill, border = STATUS_COLOURS[status]
            attrs.update(fillcolor=dot_quote(fill), color=dot_quote(border), penwidth="2")
            if "filled" not in attrs["style"]:
                attrs["style"] = '"filled"'
        path = tuple(data.get("subgraph") or ())
        container(path).add_node(pydot.Node(dot_quote(node_id), **attrs))
    loops = back_edges(g)
    for source, target, data in g.edges(data=True):
        edge_attrs: dict[str, Any] = {}
        if (source, target) in loops:
            # rank by the forward flow, as the terminal view does; else Graphviz may put
            # a loop's target below its source when subgraph clusters are involved
            edge_attrs["constraint"] = "false"
        if data.get("conditional"):
            edge_attrs["style"] = "dashed"
        if data.get("label"):
            edge_attrs["label"] = dot_quote(data["label"])
        graph.add_edge(pydot.Edge(dot_quote(source), dot_quote(target), **edge_attrs))
    present = statuses_present(g)
    if present:
        graph.set("label", _legend(present))
        graph.set("labelloc", "b")
    return graph.to_string()


def _legend(present: list[str]) -> str:
    """An HTML-like table, one coloured cell per status used (Graphviz draws it as the
    graph's caption, so it adds no node to the graph)."""
    cells = "".join(
        f'<td bgcolor="{STATUS_COLOURS[s][0]}" color="{STATUS_COLOURS[s][1]}">{s}</td>'
        for s in present
    )
    return f'<<table border="0" cellborder="1" cellspacing="4"><tr><td border="0">legend</td>{cells}</tr></table>>'
