"""``b`` / ``B``: set or clear a breakpoint before or after a node, subgraph nodes included."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static


class BreakpointScreen(ModalScreen[str | None]):
    """Pick a node (``node`` or ``subgraph:node``); dismisses with its name or None."""

    DEFAULT_CSS = """
    BreakpointScreen { align: center middle; }
    BreakpointScreen > Vertical { width: 64; height: 24; border: thick $primary; background: $surface; padding: 0 1; }
    BreakpointScreen OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="breakpoint.cancel")]

    def __init__(self, nodes: list[str], *, after: bool, suggested: str | None, current: set[str]) -> None:
        super().__init__()
        self.nodes = nodes
        self.after = after
        self.suggested = suggested
        self.current = current

    def compose(self) -> ComposeResult:
        where = "after" if self.after else "before"
        with Vertical():
            yield Static(Text.assemble((f"toggle a breakpoint {where} a node", "bold"), ("  (⏺ = set; Enter toggles)", "dim")))
            yield Input(value=self.suggested or "", placeholder="node, or subgraph:node", id="breakpoint-node")
            yield OptionList(*[("⏺ " if n in self.current else "  ") + n for n in self.nodes], id="breakpoint-nodes")

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.nodes[event.option_index])
