"""Errors and interrupts pending at the selected checkpoint."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent_debug.inspector.model import CheckpointState
from agent_debug.tui.render import readable_value
from agent_debug.tui.safe_text import visible


def pending_renderable(state: CheckpointState, traceback: str | None = None) -> Group:
    """Errors (type, message, node) and interrupts (id, node, value), and what runs next.

    Every stored string is escaped; values go through Pretty, whose repr escapes them,
    their multi-line strings set out below them as text."""
    parts: list[object] = []
    if state.next:
        parts.append(Text.assemble(("next: ", "bold"), visible(", ".join(state.next))))
    for e in state.errors:
        parts.append(Text.assemble(("✖ error ", "bold red"), (visible(f"in {e.node}"), "bold"), visible(f"  task {e.task_id}")))
        parts.append(Text(visible(f"  {e.type}: {e.message}", lines=True), style="red"))
        if e.classification:
            sure = f" ({e.confidence:.0%})" if e.confidence is not None else ""
            parts.append(Text(visible(f"  {e.classification}{sure}: {e.suggestion or ''}"), style="yellow"))
        if traceback:
            parts.append(Text(visible(traceback.rstrip(), lines=True), style="red dim"))
        else:
            parts.append(Text("  (LangGraph stores the exception, not its traceback; runs under the debugger show it)", style="dim"))
    for i in state.interrupts:
        where = f" ns {i.namespace}" if i.namespace else ""
        parts.append(Text.assemble(("⏸ interrupt ", "bold yellow"), (visible(f"in {i.node}"), "bold"), visible(f"  id {i.id}{where}")))
        parts.append(readable_value(i.value, max_string=400))
    if not state.errors and not state.interrupts:
        parts.append(Text("no error or interrupt pending at this checkpoint", style="dim italic"))
    return Group(*parts)


class PendingView(VerticalScroll):
    """Errors and interrupts."""

    def compose(self):  # type: ignore[override]
        yield Static("select a checkpoint", id="pending-body")

    def show(self, state: CheckpointState, traceback: str | None = None) -> None:
        """Show what is pending at a checkpoint (with the traceback when the debugger ran it)."""
        self.query_one("#pending-body", Static).update(pending_renderable(state, traceback))
