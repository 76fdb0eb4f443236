"""What the selected checkpoint changed, compared with its parent, or (``M`` then ``D``)
with a marked checkpoint."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent_debug.inspector.model import StateDiff
from agent_debug.tui.render import diff_lines
from agent_debug.tui.safe_text import visible

def diff_renderable(diff: StateDiff, header: str | None = None) -> Group:
    """Added / removed / changed keys, then per-message changes, under ``header`` (what
    is compared; by default: the parent)."""
    lines: list[Text] = []
    if header is None:
        against = diff.parent_id[-12:] if diff.parent_id else "nothing (first checkpoint)"
        lines.append(Text(visible(f"compared with parent {against}"), style="dim"))
    else:
        lines.append(Text(visible(header), style="bold"))
    if not diff.changes and not diff.messages:
        lines.append(Text("no change in state values", style="dim italic"))
    lines.extend(diff_lines(diff.changes, diff.messages))
    return Group(*lines)


class DiffView(VerticalScroll):
    """The diff of the selected checkpoint against its parent; while a comparison is
    shown, the marked checkpoint against the selected one (the parent diffs that arrive
    meanwhile are kept for when it ends)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parent_diff: StateDiff | None = None
        self.comparing_header: str | None = None  # what is compared; None: against the parent

    def compose(self):  # type: ignore[override]
        yield Static("select a checkpoint", id="diff-body")

    def _body(self) -> Static:
        return self.query_one("#diff-body", Static)

    def show(self, diff: StateDiff) -> None:
        """Show a checkpoint's diff against its parent (kept, unseen, while comparing)."""
        self._parent_diff = diff
        if self.comparing_header is None:
            self._body().update(diff_renderable(diff))

    def comparing(self, header: str) -> None:
        """A comparison is on its way: say what is compared."""
        self.comparing_header = header
        self._body().update(Group(Text(visible(header), style="bold"), Text("decoding both checkpoints…", style="dim italic")))

    def show_comparison(self, header: str, diff: StateDiff) -> None:
        """Show what changed from the marked checkpoint to the selected one."""
        self.comparing_header = header
        self._body().update(diff_renderable(diff, header))

    def comparison_failed(self, header: str, problem: str) -> None:
        """A checkpoint of the comparison could not be read: say why, in one line."""
        self.comparing_header = header
        self._body().update(Group(Text(visible(header), style="bold"), Text(visible(problem), style="red")))

    def end_comparison(self) -> None:
        """Back to the selected checkpoint against its parent."""
        self.comparing_header = None
        self._body().update(diff_renderable(self._parent_diff) if self._parent_diff is not None else "select a checkpoint")
