"""What the selected checkpoint changed, compared with its parent."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent_debug.inspector.model import StateDiff
from agent_debug.tui.render import short
from agent_debug.tui.safe_text import visible

MARK = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}


def diff_renderable(diff: StateDiff) -> Group:
    """Added / removed / changed keys, then per-message changes."""
    lines: list[Text] = []
    against = diff.parent_id[-12:] if diff.parent_id else "nothing (first checkpoint)"
    lines.append(Text(visible(f"compared with parent {against}"), style="dim"))
    if not diff.changes and not diff.messages:
        lines.append(Text("no change in state values", style="dim italic"))
    for c in diff.changes:
        mark, style = MARK[c.kind]
        if c.kind == "changed":
            body = f"{short(c.before, 60)} → {short(c.after, 60)}"
        else:
            body = short(c.after if c.kind == "added" else c.before, 120)
        lines.append(Text.assemble((visible(f"{mark} {c.path}"), style), ": ", body))
    for m in diff.messages:
        mark, style = MARK[m.kind]
        text = m.message.text or (", ".join(t.get("name", "?") for t in m.message.tool_calls) if m.message.tool_calls else "")
        lines.append(Text.assemble((visible(f"{mark} {m.channel}[{m.index}] "), style), (visible(m.message.role.upper()), "bold"), " ", short(text, 100)))
    return Group(*lines)


class DiffView(VerticalScroll):
    """The diff of the selected checkpoint."""

    def compose(self):  # type: ignore[override]
        yield Static("select a checkpoint", id="diff-body")

    def show(self, diff: StateDiff) -> None:
        """Show a diff."""
        self.query_one("#diff-body", Static).update(diff_renderable(diff))
