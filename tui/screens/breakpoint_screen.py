"""``b`` / ``B``: set or clear a breakpoint before or after a node, subgraph nodes included,
with an optional condition on the state (``iterations >= 2``)."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from agent_debug.tui.safe_text import visible


class BreakpointChoice(NamedTuple):
    """What the dialog asks for: the node, and the condition typed (None: none)."""

    node: str
    condition: str | None


class BreakpointScreen(ModalScreen[BreakpointChoice | None]):
    """Pick a node (``node`` or ``subgraph:node``) and, optionally, a condition; dismisses
    with a ``BreakpointChoice`` or None.

    Without a condition the breakpoint toggles; with one it is set (or its condition
    replaced). ``keys``: the state keys a condition may name (a hint; None: not known).
    ``conditions``: the conditions already set, by node, shown beside them."""

    DEFAULT_CSS = """
    BreakpointScreen { align: center middle; }
    BreakpointScreen > Vertical { width: 72; height: 26; border: thick $primary; background: $surface; padding: 0 1; }
    BreakpointScreen OptionList { height: 1fr; }
    BreakpointScreen #breakpoint-keys { color: $text-muted; height: auto; max-height: 3; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="breakpoint.cancel")]

    def __init__(
        self,
        nodes: list[str],
        *,
        after: bool,
        suggested: str | None,
        current: set[str],
        keys: set[str] | None = None,
        conditions: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.nodes = nodes
        self.after = after
        self.suggested = suggested
        self.current = current
        self.keys = keys
        self.conditions = conditions or {}

    def compose(self) -> ComposeResult:
        where = "after" if self.after else "before"
        with Vertical():
            yield Static(Text.assemble((f"toggle a breakpoint {where} a node", "bold"), ("  (⏺ = set; Enter toggles)", "dim")))
            yield Input(value=self.suggested or "", placeholder="node, or subgraph:node", id="breakpoint-node")
            yield Input(placeholder="if … (optional: a condition on the state, e.g. iterations >= 2)", id="breakpoint-if")
            known = ", ".join(sorted(self.keys)) if self.keys else "any key of the state (not known here); 'state' is all of it"
            yield Static(Text(visible(f"state keys: {known}")), id="breakpoint-keys")
            yield OptionList(*[self._row(n) for n in self.nodes], id="breakpoint-nodes")

    def _row(self, node: str) -> str:
        mark = "⏺ " if node in self.current else "  "
        condition = self.conditions.get(node)
        return visible(mark + node + (f"  if {condition}" if condition else ""))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def _choice(self, node: str) -> BreakpointChoice | None:
        node = node.strip()
        condition = self.query_one("#breakpoint-if", Input).value.strip()
        if condition.lower().startswith("if "):
            condition = condition[3:].strip()
        return BreakpointChoice(node, condition or None) if node else None

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        self.dismiss(self._choice(self.query_one("#breakpoint-node", Input).value))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choice(self.nodes[event.option_index]))
