"""``GRAPH_REF`` and ``--graph GRAPH_REF``: the user's compiled graph, loaded for a verb."""

from __future__ import annotations

from typing import Any

from agent_debug.inspector.exceptions import InspectorError


def load_graph_ref(ref: str, config: str | None) -> Any:
    """The user's compiled graph, or an ``InspectorError`` with one line saying why not."""
    from agent_debug.inspector.graph_ref import GraphRefError, load_graph

    try:
        return load_graph(ref, config_file=config)
    except GraphRefError as exc:
        raise InspectorError(str(exc)) from exc
