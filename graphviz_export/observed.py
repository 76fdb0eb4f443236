"""The graph model of a run reconstructed from checkpoints, when no graph code is given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .model import END, START

if TYPE_CHECKING:
    import networkx as nx


def observed_model(nodes: Iterable[str], edges: Mapping[tuple[str, str], int], *, name: str = "observed") -> nx.DiGraph:
    """A model with the same attributes as :func:`.model.graph_model`, from observed
    transitions. Edges are drawn as plain (not conditional) and labelled with how often
    they were taken when more than once."""
    import networkx as nx

    g = nx.DiGraph(name=name, xray=False, observed=True)
    for node in nodes:
        kind = "start" if node == START else "end" if node == END else "node"
        g.add_node(node, kind=kind, label=node, subgraph=(), status=None, interrupt=None)
    for (source, target), count in edges.items():
        g.add_edge(source, target, conditional=False, label=f"×{count}" if count > 1 else None)
    return g
