"""Messages of the selected checkpoint: roles, tool calls and results, thinking, tokens."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent_debug.inspector.model import MessageView
from agent_debug.tui.render import message_block


def messages_renderable(messages: list[MessageView]) -> Group:
    """Every message with its thinking and token usage, and totals."""
    if not messages:
        return Group(Text("no messages in this state", style="dim italic"))
    tokens_in = sum(int((m.usage or {}).get("input_tokens") or 0) for m in messages)
    tokens_out = sum(int((m.usage or {}).get("output_tokens") or 0) for m in messages)
    thinking = sum(1 for m in messages if m.reasoning)
    head = Text(
        f"{len(messages)} messages, {thinking} with thinking, tokens in {tokens_in} / out {tokens_out}", style="dim"
    )
    return Group(head, *(message_block(m) for m in messages))


class MessagesView(VerticalScroll):
    """Messages and thinking."""

    def compose(self):  # type: ignore[override]
        yield Static("select a checkpoint", id="messages-body")

    def show(self, messages: list[MessageView]) -> None:
        """Show the messages of a checkpoint."""
        self.query_one("#messages-body", Static).update(messages_renderable(messages))
