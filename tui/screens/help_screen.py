"""``?``: every key of the app, read from the bindings themselves."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Keys and what they do; any key closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 76; height: 80%; border: thick $primary; background: $surface; padding: 1 2; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = bindings

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        table.add_column("binding id (remap in keymap.json)", style="dim")
        for key, description, binding_id in self.rows:
            table.add_row(key, description, binding_id)
        with VerticalScroll():
            yield Static("[b]agent-debug keys[/b]  (every action is also in the command palette: ctrl+p)\n")
            yield Static(table)
            yield Static(
                "\nMouse: click a thread, a checkpoint or a value. Arrows and PgUp/PgDn move in lists.\n"
                "Events log: scrolling up pauses it (new lines wait); End follows again.\n"
                "Press escape, q or ? to close."
            )
