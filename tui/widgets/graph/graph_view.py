"""The workflow graph drawn in the terminal, nodes coloured by run status."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.containers import ScrollableContainer
from textual.message import Message
from textual.widgets import Static

from agent_debug.inspector.langgraph_names import END, START
from agent_debug.tui.graph_text import layout_text
from agent_debug.tui.safe_text import visible


class GraphView(ScrollableContainer):
    """A scrollable drawing of the graph; the layout itself is computed off the UI thread.

    Clicking a node selects it (underlined): the app then acts on that node's phase.
    """

    class NodeSelected(Message):
        """A node of the drawing was clicked."""

        def __init__(self, node: str) -> None:
            super().__init__()
            self.node = node

    DEFAULT_CSS = """
    GraphView > #graph-caption { color: $text-muted; height: auto; }
    GraphView > #graph-drawing { width: auto; }
    """

    def compose(self):  # type: ignore[override]
        yield Static("", id="graph-caption")
        yield Static("loading…", id="graph-drawing")

    drawing: Any = None
    selected: str | None = None

    def show(self, drawing: Any, caption: str, *, title: str | None = None) -> None:
        """Show a computed layout; ``title`` (in bold, before the caption) names what it
        draws when that is not the root graph, e.g. the subgraph of a namespace."""
        self.drawing = drawing
        if self.selected not in drawing.node_boxes:
            self.selected = None
        # The caption names the thread and its nodes: stored data, shown escaped.
        heading = Text(visible(caption))
        if title:
            heading = Text.assemble((visible(title), "bold"), "\n", visible(caption))
        self.query_one("#graph-caption", Static).update(heading)
        self.query_one("#graph-drawing", Static).update(layout_text(drawing, self.selected))

    def node_at(self, row: int, col: int) -> str | None:
        """The node whose box covers a cell of the drawing."""
        boxes = self.drawing.node_boxes if self.drawing is not None else {}
        for node, (top, left, height, width) in boxes.items():
            if top <= row < top + height and left <= col < left + width:
                return node
        return None

    def on_click(self, event: events.Click) -> None:
        drawing = self.query_one("#graph-drawing", Static)
        offset = event.get_content_offset(drawing)
        node = self.node_at(offset.y, offset.x) if offset is not None else None
        if node is None or node in (START, END):
            return
        self.selected = node
        drawing.update(layout_text(self.drawing, node))
        self.post_message(self.NodeSelected(node))

    def show_message(self, message: str) -> None:
        """Show text instead of a drawing (no graph yet, or a problem)."""
        self.query_one("#graph-drawing", Static).update(Text(visible(message, lines=True), style="dim italic"))
