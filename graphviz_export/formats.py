"""One call from a compiled graph (or a model) to text in any format: `render`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FORMATS = ("ascii", "dot", "mermaid", "json")


def render(
    graph: Any,
    fmt: str = "ascii",
    *,
    xray: bool | int = False,
    status: Mapping[str, str] | None = None,
    width: int | None = None,
    ascii_only: bool = False,
    focus: str | None = None,
    hops: int = 1,
) -> str:
    """Draw ``graph`` (a compiled graph, or a model from :func:`graph_model`) as ``fmt``.

    ``status`` marks nodes from a run (see :func:`apply_status`); ``focus``/``hops``
    keep only a node's neighbourhood, in every format. ``width`` and ``ascii_only``
    apply to the terminal drawing.
    """
    from .model import apply_status, focus_nodes, graph_model

    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}; expected one of {', '.join(FORMATS)}")
    model = graph_model(graph, xray=xray) if hasattr(graph, "get_graph") else graph
    if status:
        model = apply_status(model, status)
    if fmt == "ascii":
        from .terminal import layout, render_text

        return render_text(layout(model, width=width, ascii_only=ascii_only, focus=focus, hops=hops)) + "\n"
    if focus is not None:
        model = model.subgraph(focus_nodes(model, focus, hops)).copy()
    if fmt == "dot":
        from .dot import to_dot

        return to_dot(model)
    if fmt == "mermaid":
        from .mermaid import to_mermaid

        return to_mermaid(model)
    from .json_graph import to_json

    return to_json(model)
