"""``GRAPH_REF`` and ``--graph GRAPH_REF``: the user's compiled graph(s), loaded for a verb."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent_debug.inspector.exceptions import InspectorError


def load_graph_ref(ref: str, config: str | None) -> Any:
    """The user's compiled graph, or an ``InspectorError`` with one line saying why not."""
    from agent_debug.inspector.graph_ref import GraphRefError, load_graph

    try:
        return load_graph(ref, config_file=config)
    except GraphRefError as exc:
        raise InspectorError(str(exc)) from exc


def load_graph_refs(refs: Sequence[str] | None, config: str | None) -> Any:
    """The graphs of repeated ``--graph`` (or every graph of ``--config``) as one
    ``graph_binding.GraphBinding``, or an ``InspectorError`` with one line saying why not."""
    from agent_debug.inspector.graph_binding import GraphBinding
    from agent_debug.inspector.graph_ref import GraphRefError, load_graphs

    try:
        return GraphBinding(load_graphs(refs or (), config_file=config))
    except GraphRefError as exc:
        raise InspectorError(str(exc)) from exc


def graphs_given(args: Any) -> bool:
    """Whether the command line brings graphs to act with: ``--graph`` or ``--config``."""
    return bool(getattr(args, "graph", None) or getattr(args, "config", None))
