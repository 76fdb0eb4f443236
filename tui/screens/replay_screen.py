"""``r``: replay one phase from the checkpoint before it, and see its writes beside the original's."""

from __future__ import annotations

import json
from typing import Any

from rich.pretty import Pretty
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from agent_debug.inspector.model import ActionOutcome, PendingWrite


class ReplayScreen(ModalScreen[dict[str, Any] | None | bool]):
    """Confirm a replay; optionally change state keys first (a JSON object).

    Dismisses with the update (a dict), True for a plain replay, or None when cancelled.
    """

    DEFAULT_CSS = """
    ReplayScreen { align: center middle; }
    ReplayScreen > Vertical { width: 80; height: 22; border: thick $primary; background: $surface; padding: 0 1; }
    ReplayScreen TextArea { height: 8; }
    ReplayScreen #replay-problem { color: $error; height: auto; }
    ReplayScreen Horizontal { height: 3; dock: bottom; }
    ReplayScreen Button { margin-right: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="replay.cancel"), Binding("ctrl+s", "go", "Replay", id="replay.go")]

    def __init__(self, phase: str, checkpoint_id: str) -> None:
        super().__init__()
        self.phase = phase
        self.checkpoint_id = checkpoint_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.assemble(("replay ", "bold"), (self.phase, "bold cyan"), f" from checkpoint {self.checkpoint_id}"))
            yield Static(
                Text(
                    "A new branch starts there, runs only this phase and stops. The original history stays as it is.\n"
                    "Change state first (optional): a JSON object of keys to update, applied as the node that made "
                    "that checkpoint (through each channel's reducer).",
                    style="dim",
                )
            )
            yield TextArea("", id="replay-update", language="json")
            yield Static("", id="replay-problem")
            with Horizontal():
                yield Button("Replay (ctrl+s)", id="go", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_go(self) -> None:
        text = self.query_one("#replay-update", TextArea).text.strip()
        if not text:
            self.dismiss(True)
            return
        try:
            update = json.loads(text)
        except json.JSONDecodeError as exc:
            self.query_one("#replay-problem", Static).update(f"not valid JSON: {exc.msg} (line {exc.lineno}); nothing was run")
            return
        if not isinstance(update, dict):
            self.query_one("#replay-problem", Static).update("the update must be a JSON object of state keys")
            return
        self.dismiss(update)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.run_action("go" if event.button.id == "go" else "cancel")


def writes_table(outcome: ActionOutcome) -> Table:
    """Original and replayed writes side by side, one row per channel."""
    table = Table(expand=True, show_lines=True)
    table.add_column("channel", style="bold", no_wrap=True)
    table.add_column("original run wrote")
    table.add_column("replay wrote")

    def by_channel(writes: list[PendingWrite]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for w in writes:
            out.setdefault(w.channel, []).append(w.value)
        return {k: v[0] if len(v) == 1 else v for k, v in out.items()}

    old, new = by_channel(outcome.original_writes), by_channel(outcome.replay_writes)
    for channel in list(old) + [c for c in new if c not in old]:
        same = old.get(channel) == new.get(channel)
        marker = Text(channel + ("" if same else "  ≠"), style="" if same else "yellow")
        table.add_row(marker, Pretty(old.get(channel, "—"), max_string=300), Pretty(new.get(channel, "—"), max_string=300))
    return table


class ReplayResultScreen(ModalScreen[None]):
    """What the replayed phase wrote, beside what the original run wrote there."""

    DEFAULT_CSS = """
    ReplayResultScreen { align: center middle; }
    ReplayResultScreen > VerticalScroll { width: 95%; height: 90%; border: thick $success; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="replay_result.close")]

    def __init__(self, outcome: ActionOutcome) -> None:
        super().__init__()
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        o = self.outcome
        with VerticalScroll():
            yield Static(
                Text.assemble(
                    ("replayed ", "bold"), (", ".join(o.phases), "bold cyan"), f" from {o.replayed_from}",
                    (f"  with update {json.dumps(o.sent)}" if o.sent else "", "yellow"),
                )
            )
            yield Static(Text(f"new branch: {', '.join(o.new_checkpoints) or '(none)'}; thread now {o.status.value}", style="dim"))
            if o.error:
                yield Static(Text(f"the phase failed: {o.error.type}: {o.error.message}", style="bold red"))
            yield Static(writes_table(o))
            yield Static(Text("escape to close; the branch is in the history tree", style="dim"))
