"""``ctrl+b``: every breakpoint of the session, its condition and how many times it stopped
a run; turn one off or on, delete it, and switch break on error, without leaving the list."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agent_debug.tui.safe_text import visible


class BreakpointsListScreen(ModalScreen[bool]):
    """The session's breakpoints, one a row (``⏺ before review if iterations >= 2  hits 1``).

    Acts on ``session`` (a ``DebugSession``) directly: each change is a set update, no
    I/O. Dismisses with whether anything changed, so the app redraws the graph."""

    DEFAULT_CSS = """
    BreakpointsListScreen { align: center middle; }
    BreakpointsListScreen > Vertical { width: 80; height: 24; border: thick $primary; background: $surface; padding: 0 1; }
    BreakpointsListScreen OptionList { height: 1fr; }
    BreakpointsListScreen #breakpoints-error { height: 1; }
    BreakpointsListScreen #breakpoints-keys { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="breakpoints.close"),
        Binding("space,t", "toggle", "On/off", id="breakpoints.toggle"),
        Binding("d,delete", "delete", "Delete", id="breakpoints.delete"),
        Binding("e", "break_on_error", "Break on error", id="breakpoints.error"),
    ]

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("breakpoints", style="bold"))
            yield OptionList(id="breakpoints-list")
            yield Static(id="breakpoints-error")
            yield Static(Text("space: on/off · d: delete · e: break on error · escape: close"), id="breakpoints-keys")

    def on_mount(self) -> None:
        self._show()
        self.query_one(OptionList).focus()

    def _show(self, highlight: int | None = None) -> None:
        """Fill the list from the session (kept on the same row after a change)."""
        listing = self.query_one(OptionList)
        listing.clear_options()
        self.points = self.session.breakpoint_list()
        if not self.points:
            listing.add_option(Option(Text("no breakpoints: b (before) or B (after) sets one", style="dim"), disabled=True))
        for point in self.points:
            mark = "⏺" if point.enabled else "○"
            off = "  (off)" if not point.enabled else ""
            row = Text.assemble(f"{mark} ", (visible(point.describe()), "" if point.enabled else "dim"), (f"  hits {point.hits}{off}", "dim"))
            listing.add_option(Option(row))
        if self.points:
            listing.highlighted = min(highlight or 0, len(self.points) - 1)
        on = self.session.break_on_error
        self.query_one("#breakpoints-error", Static).update(
            Text.assemble("break on error: ", ("on" if on else "off", "bold red" if on else "dim"), ("  (E in the app, e here)", "dim"))
        )

    def _current(self) -> Any:
        at = self.query_one(OptionList).highlighted
        return self.points[at] if self.points and at is not None and at < len(self.points) else None

    def action_toggle(self) -> None:
        """Turn the highlighted breakpoint off (kept in the list) or on again."""
        point = self._current()
        if point is None:
            return
        at = self.query_one(OptionList).highlighted
        try:
            self.session.enable_breakpoint(point.node, after=point.after, enabled=not point.enabled)
        except Exception as exc:  # an InspectorError: a graph that cannot stop there any more
            self.notify(visible(str(exc)), severity="warning", timeout=5)
            return
        self.changed = True
        self._show(at)

    def action_delete(self) -> None:
        """Remove the highlighted breakpoint."""
        point = self._current()
        if point is None:
            return
        at = self.query_one(OptionList).highlighted
        self.session.clear_breakpoint(point.node, after=point.after)
        self.changed = True
        self._show(at)

    def action_break_on_error(self) -> None:
        """Switch break on error."""
        self.session.set_break_on_error(not self.session.break_on_error)
        self.changed = True
        self._show(self.query_one(OptionList).highlighted)

    def action_close(self) -> None:
        self.dismiss(self.changed)
