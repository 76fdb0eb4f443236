"""Graph model and writers: DOT, Mermaid, JSON and our own terminal layout.

Importing this package is cheap: networkx and pydot load only when a model is built or
DOT is written, and nothing here imports langgraph, Textual or Rich.

    model = graph_model(compiled, xray=True)
    model = apply_status(model, {"plan": "visited", "act": "next"})
    print(render_text(layout(model, width=100)))
    to_dot(model); to_mermaid(model); to_json(model)
    render(compiled, "dot")  # all in one
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "FORMATS",
    "KINDS",
    "STATUSES",
    "STYLES",
    "Layout",
    "Span",
    "UnknownNodeError",
    "apply_status",
    "focus_nodes",
    "graph_json",
    "graph_model",
    "layout",
    "namespace_path",
    "render",
    "render_text",
    "resolve_node",
    "to_dot",
    "to_json",
    "to_mermaid",
]

_WHERE = {
    "FORMATS": "formats",
    "render": "formats",
    "KINDS": "model",
    "STATUSES": "model",
    "UnknownNodeError": "model",
    "apply_status": "model",
    "focus_nodes": "model",
    "graph_model": "model",
    "namespace_path": "model",
    "resolve_node": "model",
    "STYLES": "terminal",
    "Layout": "terminal",
    "layout": "terminal",
    "render_text": "terminal",
    "Span": "canvas",
    "to_dot": "dot",
    "to_mermaid": "mermaid",
    "graph_json": "json_graph",
    "to_json": "json_graph",
}

if TYPE_CHECKING:
    from .canvas import Span
    from .dot import to_dot
    from .formats import FORMATS, render
    from .json_graph import graph_json, to_json
    from .mermaid import to_mermaid
    from .model import (
        KINDS,
        STATUSES,
        UnknownNodeError,
        apply_status,
        focus_nodes,
        graph_model,
        namespace_path,
        resolve_node,
    )
    from .terminal import STYLES, Layout, layout, render_text


def __getattr__(name: str) -> Any:
    # lazy, so `import agent_debug.graphviz_export` costs nothing until it is used
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
