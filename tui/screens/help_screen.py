"""``?``: every key of the app with its binding id, as the user's keymap has it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from agent_debug.tui.key_bindings import HELP_BINDINGS, UNAVAILABLE


class HelpScreen(ModalScreen[None]):
    """Keys and what they do; escape, q or ? closes it.

    ``bindings`` are (key in effect, description, binding id) rows
    (``key_bindings.KeysInEffect.help_rows``); ``unavailable`` says why the keys marked
    ``UNAVAILABLE`` cannot work in this session (None: every key works)."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 76; height: 80%; border: thick $primary; background: $surface; padding: 1 2; }
    """
    BINDINGS = HELP_BINDINGS

    def __init__(self, bindings: list[tuple[str, str, str]], unavailable: str | None = None) -> None:
        super().__init__()
        self.rows = bindings
        self.unavailable = unavailable

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        table.add_column("binding id (remap in keymap.json)", style="dim")
        for key, description, binding_id in self.rows:
            table.add_row(key, description, binding_id)
        with VerticalScroll():
            yield Static("[b]agent-debug keys[/b]  (every action is also in the command palette: ctrl+p)\n")
            if self.unavailable:
                yield Static(Text(f"{UNAVAILABLE} not in this session ({self.unavailable})\n", style="yellow"))
            yield Static(table)
            yield Static(
                "\nMouse: click a thread, a checkpoint or a value. Arrows and PgUp/PgDn move in lists.\n"
                "Events log: scrolling up pauses it (new lines wait); End follows again.\n"
                "Search box: Enter keeps the filter, escape clears it.\n"
                "Press escape, q or ? to close."
            )
