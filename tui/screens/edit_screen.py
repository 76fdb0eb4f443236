"""``e``: change one state value at a checkpoint (as a chosen node) and fork from there."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from agent_debug.tui.external_editor import edit_into, put_back


class EditStateScreen(ModalScreen[tuple[dict[str, Any], str | None] | None]):
    """Edit the value of a state key; dismisses with (update, as_node) or None."""

    DEFAULT_CSS = """
    EditStateScreen { align: center middle; }
    EditStateScreen > Vertical { width: 90; height: 30; border: thick $primary; background: $surface; padding: 0 1; }
    EditStateScreen TextArea { height: 14; }
    EditStateScreen #edit-problem { color: $error; height: auto; }
    EditStateScreen Horizontal { height: 3; dock: bottom; }
    EditStateScreen Button { margin-right: 1; }
    """
    # ctrl+e comes first even while typing: the value's editor binds it to "line end".
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
        Binding("ctrl+s", "fork", "Fork", id="edit.fork"),
        Binding("ctrl+e", "external_editor", "$EDITOR", id="edit.editor", priority=True),
    ]

    def __init__(self, checkpoint_id: str, key: str, value: Any, as_node: str | None) -> None:
        super().__init__()
        self.checkpoint_id = checkpoint_id
        self.key = key
        self.value = value
        self.as_node = as_node

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble(("edit ", "bold"), (self.key, "bold cyan"), f" at checkpoint {self.checkpoint_id}"))
            yield Static(
                Text(
                    "The new value is applied as if the node below returned it (through the channel's reducer), "
                    "on a new branch; the original history stays. Continue from the fork with c. "
                    "ctrl+e edits the value in $EDITOR.",
                    style="dim",
                )
            )
            yield TextArea(json.dumps(self.value, indent=2, default=repr), id="edit-value", language="json")
            yield Input(value=self.as_node or "", placeholder="as node (empty: let LangGraph choose)", id="edit-as-node")
            yield Static("", id="edit-problem")
            with Horizontal():
                yield Button("Fork (ctrl+s)", id="fork", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_fork(self) -> None:
        try:
            value = json.loads(self.query_one("#edit-value", TextArea).text)
        except json.JSONDecodeError as exc:
            self.query_one("#edit-problem", Static).update(f"not valid JSON: {exc.msg} (line {exc.lineno}); nothing was written")
            return
        as_node = self.query_one("#edit-as-node", Input).value.strip() or None
        self.dismiss(({self.key: value}, as_node))

    def action_external_editor(self) -> None:
        """Edit the value in ``$VISUAL``/``$EDITOR``: the app is suspended until it exits;
        the text comes back into the dialog's editor, not forked yet."""
        edit_into(self.app, self.query_one("#edit-value", TextArea), self.query_one("#edit-problem", Static))

    def editor_returned(self, text: str) -> None:
        """What the editor saved, back in the dialog's editor (not JSON: the reason shown)."""
        put_back(self.query_one("#edit-value", TextArea), self.query_one("#edit-problem", Static), text)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.run_action("fork" if event.button.id == "fork" else "cancel")
