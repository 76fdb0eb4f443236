"""``:``: go to a checkpoint by its step number (``12``, ``#12``) or its id (whole, or a
start or end of it that only one checkpoint has: the 12 characters the history shows)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.sources.base import Source
from agent_debug.tui.jump import Found, Loaded, find
from agent_debug.tui.safe_text import visible


class JumpScreen(ModalScreen[Found | None]):
    """Ask for a step or a checkpoint id and find it (in a worker: it may read older pages
    of the history); dismisses with where to go, or None. What names no checkpoint is
    said in one line and the dialog stays open for another try."""

    DEFAULT_CSS = """
    JumpScreen { align: center middle; }
    JumpScreen > Vertical { width: 72; height: auto; border: thick $primary; background: $surface; padding: 0 1; }
    JumpScreen #jump-problem { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="jump.cancel")]

    def __init__(self, source: Source, loaded: Loaded) -> None:
        super().__init__()
        self.source = source
        self.loaded = loaded

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(visible(f"go to a checkpoint of thread {self.loaded.thread_id}"), style="bold"))
            yield Input(placeholder="step (12 or #12), or checkpoint id (4+ characters of its start or end)", id="jump-to")
            yield Static("", id="jump-problem")

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#jump-to")
    def _typed(self, event: Input.Submitted) -> None:
        self.query_one("#jump-problem", Static).update("looking…")
        self._find(event.value)

    @work(thread=True, exclusive=True, group="jump", exit_on_error=False, description="jump")
    def _find(self, text: str) -> None:
        try:
            found = find(self.source, self.loaded, text)
        except InspectorError as exc:
            self.app.call_from_thread(self._problem, exc.message)
            return
        self.app.call_from_thread(self.dismiss, found)

    def _problem(self, text: str) -> None:
        self.query_one("#jump-problem", Static).update(Text(visible(text)))  # it may quote what was typed
