"""``a``: the pending interrupts of a thread, each with an editable resume value."""

from __future__ import annotations

import json
from typing import Any

from rich.pretty import Pretty
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from agent_debug.inspector.decisions import approve_value, check_schema, reject_value
from agent_debug.inspector.model import InterruptInfo


class InterruptScreen(ModalScreen[dict[str, Any] | None]):
    """Answer every pending interrupt in one resume: approve, reject, or send edited values.

    Dismisses with the resume map (interrupt id → value) or None when cancelled.
    """

    DEFAULT_CSS = """
    InterruptScreen { align: center middle; }
    InterruptScreen > Vertical { width: 90%; height: 90%; border: thick $warning; background: $surface; padding: 0 1; }
    InterruptScreen .interrupt-head { color: $warning; text-style: bold; margin-top: 1; }
    InterruptScreen .interrupt-value { max-height: 12; overflow-y: auto; }
    InterruptScreen TextArea { height: 6; }
    InterruptScreen .problem { color: $error; height: auto; }
    InterruptScreen #buttons { height: 3; dock: bottom; }
    InterruptScreen Button { margin-right: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="interrupt.cancel"),
        Binding("ctrl+a", "approve", "Approve all", id="interrupt.approve"),
        Binding("ctrl+r", "reject", "Reject all", id="interrupt.reject"),
        Binding("ctrl+s", "send", "Send edited", id="interrupt.send"),
    ]

    def __init__(self, thread_id: str, interrupts: list[InterruptInfo]) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.interrupts = interrupts

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Text.assemble(
                    (f"thread {self.thread_id} waits at {len(self.interrupts)} interrupt(s)", "bold"),
                    ("  — edit a resume value (JSON) or approve / reject; all are sent in one resume", "dim"),
                )
            )
            with VerticalScroll():
                for n, intr in enumerate(self.interrupts):
                    where = f"  ns {intr.namespace}" if intr.namespace else ""
                    yield Static(f"⏸ {intr.node}  id {intr.id}{where}", classes="interrupt-head")
                    yield Static(Pretty(intr.value, max_string=600), classes="interrupt-value")
                    if intr.response_schema:
                        yield Static(Text(f"response_schema: {json.dumps(intr.response_schema)}", style="dim"))
                    yield TextArea(json.dumps(approve_value(intr.value), indent=1), id=f"value-{n}", language="json")
                    yield Static("", id=f"problem-{n}", classes="problem")
            with Horizontal(id="buttons"):
                yield Button("Approve all (ctrl+a)", id="approve", variant="success")
                yield Button("Reject all (ctrl+r)", id="reject", variant="error")
                yield Button("Send edited (ctrl+s)", id="send", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_approve(self) -> None:
        self._submit({i.id or "": approve_value(i.value) for i in self.interrupts})

    def action_reject(self) -> None:
        self._submit({i.id or "": reject_value(i.value) for i in self.interrupts})

    def action_send(self) -> None:
        plan: dict[str, Any] = {}
        ok = True
        for n, intr in enumerate(self.interrupts):
            problem = self.query_one(f"#problem-{n}", Static)
            text = self.query_one(f"#value-{n}", TextArea).text
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                problem.update(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; nothing was sent")
                ok = False
                continue
            problem.update("")
            plan[intr.id or ""] = value
        if ok:
            self._submit(plan)

    def _submit(self, plan: dict[str, Any]) -> None:
        for n, intr in enumerate(self.interrupts):
            why = check_schema(plan.get(intr.id or ""), intr.response_schema)
            if why:
                self.query_one(f"#problem-{n}", Static).update(f"does not fit response_schema: {why}; nothing was sent")
                return
        self.dismiss(plan)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.run_action({"approve": "approve", "reject": "reject", "send": "send", "cancel": "cancel"}[event.button.id or "cancel"])
