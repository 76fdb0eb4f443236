"""The workflow graph drawn in the terminal, nodes coloured by run status."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.containers import ScrollableContainer
from textual.widgets import Static

# Style names of graphviz_export.terminal → Rich styles. The layout names roles; the UI picks colours.
STYLE_MAP = {
    "node": "bold",
    "node.visited": "bold green",
    "node.next": "bold reverse cyan",
    "node.failed": "bold reverse red",
    "node.interrupted": "bold reverse yellow",
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


class GraphView(ScrollableContainer):
    """A scrollable drawing of the graph; the layout itself is computed off the UI thread."""

    DEFAULT_CSS = """
    GraphView > #graph-caption { color: $text-muted; height: auto; }
    GraphView > #graph-drawing { width: auto; }
    """

    def compose(self):  # type: ignore[override]
        yield Static("", id="graph-caption")
        yield Static("loading…", id="graph-drawing")

    def show(self, drawing: Any, caption: str) -> None:
        """Show a computed layout."""
        self.query_one("#graph-caption", Static).update(Text(caption))
        self.query_one("#graph-drawing", Static).update(layout_text(drawing))

    def show_message(self, message: str) -> None:
        """Show text instead of a drawing (no graph yet, or a problem)."""
        self.query_one("#graph-drawing", Static).update(Text(message, style="dim italic"))
