"""A terminal drawing of the graph as Rich text, nodes styled by run status.

Rich only, no Textual: ``agent-debug graph`` prints it on a terminal and the TUI's graph
view shows it, so the headless command never imports Textual.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

# Style names of graphviz_export.terminal → Rich styles. The layout names roles; the UI picks colours.
STYLE_MAP = {
    "node": "bold",
    "node.visited": "bold green",
    "node.next": "bold reverse cyan",
    "node.failed": "bold reverse red",
    "node.interrupted": "bold reverse yellow",
    "node.running": "bold reverse magenta",
    "start": "dim",
    "end": "dim",
    "subgraph": "bold blue",
    "edge": "grey50",
    "edge.conditional": "grey50",
    "edge.label": "italic grey62",
    "cluster": "blue",
    "legend": "dim",
}


def layout_text(drawing: Any, highlight: str | None = None) -> Text:
    """A graphviz_export ``Layout`` as Rich text; ``highlight`` underlines one node."""
    out = Text(no_wrap=True, overflow="ignore")
    for row, line in enumerate(drawing.lines):
        text = Text(line)
        for span in drawing.row_spans(row):
            style = STYLE_MAP.get(span.style, "")
            if highlight is not None and span.node == highlight:
                style += " underline"
            if style:
                text.stylize(style, span.start, span.end)
        out.append_text(text)
        out.append("\n")
    out.rstrip()
    return out
