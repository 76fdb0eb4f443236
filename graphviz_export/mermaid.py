"""A Mermaid flowchart from the graph model.

Node ids are the model ids made safe for Mermaid (letters, digits, ``_``; reserved
words such as ``end`` prefixed); labels are quoted with Mermaid's entity codes for
``"`` and ``#``. Expanded subgraphs become ``subgraph`` blocks, conditional edges are
dotted (``-.->``), ``__start__``/``__end__`` are stadiums, collapsed subgraphs are
subroutine boxes, and a run's status is a class with a legend block.
"""

from __future__ import annotations

import re
from typing import Any

from .dot import STATUS_COLOURS
from .model import statuses_present, subgraph_paths, subgraph_status
from .textcells import sanitize

_RESERVED = {
    "end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click",
    "linkstyle", "direction", "default", "call", "href", "td", "tb", "bt", "rl", "lr",
}  # fmt: skip


def mermaid_label(text: str) -> str:
    """A quoted Mermaid label: ``#`` and ``"`` as entity codes, control characters escaped."""
    body = sanitize(str(text)).replace("#", "#35;").replace('"', "#quot;")
    return f'"{body}"'


def to_mermaid(g: Any) -> str:
    """The model as a Mermaid ``flowchart TD``."""
    ids = _mermaid_ids(list(g.nodes) + [f"sg:{'/'.join(p)}" for p in subgraph_paths(g)])
    lines = ["flowchart TD"]
    by_path: dict[tuple[str, ...], list[str]] = {}
    for node_id, path in g.nodes(data="subgraph"):
        by_path.setdefault(tuple(path or ()), []).append(node_id)
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in subgraph_paths(g):
        children.setdefault(path[:-1], []).append(path)

    def emit(path: tuple[str, ...], depth: int) -> None:
        pad = "    " * depth
        for node_id in by_path.get(path, []):
            lines.append(pad + _node(ids[node_id], g.nodes[node_id]))
        for child in children.get(path, []):
            lines.append(f"{pad}subgraph {ids['sg:' + '/'.join(child)]}[{mermaid_label(child[-1])}]")
            emit(child, depth + 1)
            lines.append(f"{pad}end")

    emit((), 1)
    for source, target, data in g.edges(data=True):
        arrow = "-.->" if data.get("conditional") else "-->"
        label = f"|{mermaid_label(data['label'])}|" if data.get("label") else ""
        lines.append(f"    {ids[source]} {arrow}{label} {ids[target]}")
    present = statuses_present(g)
    known = set(subgraph_paths(g))
    if present:
        used = set(ids.values())
        legend_id = _fresh("legend", used)
        lines.append(f'    subgraph {legend_id}["legend"]')
        for status in present:
            key = _fresh(f"legend_{status}", used)
            lines.append(f'        {key}["{status}"]:::{status}')
        lines.append("    end")
        for status in present:
            fill, border = STATUS_COLOURS[status]
            lines.append(f"    classDef {status} fill:{fill},stroke:{border},stroke-width:2px")
        frames = subgraph_status(g)
        for status in present:
            members = [ids[n] for n, s in g.nodes(data="status") if s == status]
            members += [ids["sg:" + "/".join(p)] for p, s in frames.items() if s == status and p in known]
            if members:
                lines.append(f"    class {','.join(members)} {status}")
    return "\n".join(lines) + "\n"


def _node(mid: str, data: dict[str, Any]) -> str:
    label = mermaid_label(data.get("label", mid))
    kind = data.get("kind")
    if kind in ("start", "end"):
        return f"{mid}([{label}])"
    if kind == "subgraph":
        return f"{mid}[[{label}]]"
    return f"{mid}[{label}]"


def _mermaid_ids(keys: list[str]) -> dict[str, str]:
    used: set[str] = set()
    out: dict[str, str] = {}
    for key in keys:
        base = re.sub(r"[^A-Za-z0-9_]", "_", key) or "n"
        if base[0].isdigit() or base.lower() in _RESERVED:
            base = "n_" + base
        out[key] = _fresh(base, used)
    return out


def _fresh(base: str, used: set[str]) -> str:
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name
