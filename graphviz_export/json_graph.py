"""The graph model as JSON, for scripts.

Schema (stable; new keys may be added, none removed)::

    {
      "nodes": [
        {"id": "sub:p",            # unique; with --xray, `parent:child`
         "label": "p",             # the name to show
         "kind": "node",           # "start" | "end" | "node" | "subgraph" (collapsed)
         "subgraph": ["sub"],      # enclosing expanded subgraphs, outermost first
         "status": null}           # null | "visited" | "next" | "failed" | "interrupted"
      ],
      "edges": [
        {"source": "a", "target": "b",
         "conditional": true,      # a branch, Command routing or Send
         "label": "retry"}         # the branch's path-map key, or null
      ]
    }

Nodes and edges keep the order of ``get_graph()``.
"""

from __future__ import annotations

import json
from typing import Any


def graph_json(g: Any) -> dict[str, list[dict[str, Any]]]:
    """The model as plain data in the schema above."""
    return {
        "nodes": [
            {
                "id": node_id,
                "label": data.get("label", node_id),
                "kind": data.get("kind", "node"),
                "subgraph": list(data.get("subgraph") or ()),
                "status": data.get("status"),
            }
            for node_id, data in g.nodes(data=True)
        ],
        "edges": [
            {
                "source": source,
                "target": target,
                "conditional": bool(data.get("conditional")),
                "label": data.get("label"),
            }
            for source, target, data in g.edges(data=True)
        ],
    }


def to_json(g: Any) -> str:
    """The model as indented JSON text (Unicode kept as is)."""
    return json.dumps(graph_json(g), indent=2, ensure_ascii=False) + "\n"
