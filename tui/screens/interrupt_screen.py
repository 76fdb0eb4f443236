"""``a``: the pending interrupts of a thread, each with an editable resume value."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from agent_debug.inspector.decisions import (
    UnsafeAnswer,
    approve_value,
    check_schema,
    editor_value,
    offer,
    reject_value,
    schema_summary,
    template_value,
)
from agent_debug.inspector.model import InterruptInfo
from agent_debug.tui.external_editor import edit_into, put_back
from agent_debug.tui.render import readable_value
from agent_debug.tui.safe_text import visible

_REMEDY = "nothing was sent: edit the value and send it (ctrl+s)"


class InterruptScreen(ModalScreen[dict[str, Any] | None]):
    """Answer every pending interrupt in one resume: approve, reject, or send edited values.

    Each editor starts with a value the interrupt's library accepts (see
    ``inspector.decisions``); buttons are named in the interrupt's own words. A reject
    takes the reason typed in the reason field where the shape has a place for one, and
    is refused with a one-line problem where no value is certain to mean reject.
    Dismisses with the resume map (interrupt id → value) or None when cancelled.
    """

    DEFAULT_CSS = """
    InterruptScreen { align: center middle; }
    InterruptScreen > Vertical { width: 90%; height: 90%; border: thick $warning; background: $surface; padding: 0 1; }
    InterruptScreen .interrupt-head { color: $warning; text-style: bold; margin-top: 1; }
    InterruptScreen .interrupt-value { height: auto; max-height: 12; }
    InterruptScreen .hint { color: $text-muted; height: auto; }
    InterruptScreen TextArea { height: 6; }
    InterruptScreen .problem { color: $error; height: auto; }
    InterruptScreen #reason { margin-top: 1; }
    InterruptScreen #buttons { height: 3; dock: bottom; }
    InterruptScreen Button { margin-right: 1; }
    """
    # The verbs come first even while typing: the editors bind ctrl+a to "line start".
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="interrupt.cancel"),
        Binding("ctrl+a", "approve", "Approve all", id="interrupt.approve", priority=True),
        Binding("ctrl+r", "reject", "Reject all", id="interrupt.reject", priority=True),
        Binding("ctrl+s", "send", "Send edited", id="interrupt.send", priority=True),
        Binding("ctrl+e", "external_editor", "$EDITOR", id="interrupt.editor", priority=True),
    ]

    def __init__(self, thread_id: str, interrupts: list[InterruptInfo]) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.interrupts = interrupts
        self._offers = [offer(i.value, i.response_schema).labels for i in interrupts]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Text.assemble(
                    (visible(f"thread {self.thread_id} waits at {len(self.interrupts)} interrupt(s)"), "bold"),
                    ("  — edit a resume value (JSON; ctrl+e: in $EDITOR) or approve / reject; all are sent in one resume", "dim"),
                )
            )
            with VerticalScroll(id="interrupts"):
                for n, intr in enumerate(self.interrupts):
                    where = f"  ns {intr.namespace}" if intr.namespace else ""
                    yield Static(Text(visible(f"⏸ {intr.node}  id {intr.id}{where}")), classes="interrupt-head")
                    with VerticalScroll(classes="interrupt-value"):
                        yield Static(readable_value(intr.value))
                    if intr.response_schema:
                        yield Static(Text(visible(f"response_schema: {schema_summary(intr.response_schema)}"), style="dim"))
                    start, hint = editor_value(intr.value, intr.response_schema)
                    if hint:
                        yield Static(Text(visible(f"{hint}; the editor holds a template to complete"), style="italic"), id=f"hint-{n}", classes="hint")
                    yield TextArea(json.dumps(start, indent=1), id=f"value-{n}", language="json")
                    yield Static("", id=f"problem-{n}", classes="problem")
            yield Input(placeholder="reason for a reject (sent where the interrupt takes one; enter rejects)", id="reason")
            with Horizontal(id="buttons"):
                yield Button(f"{self._label('approve')} all (ctrl+a)", id="approve", variant="success", disabled=not self._offered("approve"))
                yield Button(f"{self._label('reject')} all (ctrl+r)", id="reject", variant="error", disabled=not self._offered("reject"))
                if self._offered("edit"):
                    yield Button(self._label("edit"), id="edit")
                if self._offered("respond"):
                    yield Button(self._label("respond"), id="respond")
                yield Button("Send edited (ctrl+s)", id="send", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def _offered(self, decision: str) -> bool:
        return any(decision in labels for labels in self._offers)

    def _label(self, decision: str) -> str:
        """The interrupts' own word for ``decision`` when they agree on one, else the plain word."""
        words = {labels[decision] for labels in self._offers if decision in labels}
        return words.pop() if len(words) == 1 else decision.capitalize()

    @property
    def reason(self) -> str | None:
        """The reason typed for a reject, or None."""
        return self.query_one("#reason", Input).value.strip() or None

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_approve(self) -> None:
        self._answer(lambda i: approve_value(i.value, i.response_schema))

    def action_reject(self) -> None:
        reason = self.reason
        self._answer(lambda i: reject_value(i.value, reason, i.response_schema))

    def _answer(self, decide) -> None:
        """Send ``decide(interrupt)`` for each interrupt, or show why one cannot be decided."""
        plan: dict[str, Any] = {}
        refused = False
        for n, intr in enumerate(self.interrupts):
            problem = self.query_one(f"#problem-{n}", Static)
            try:
                plan[intr.id or ""] = decide(intr)
            except UnsafeAnswer as exc:
                problem.update(Text(visible(f"{exc.reason}; {_REMEDY}")))
                refused = True
            else:
                problem.update("")
        if not refused:
            self._submit(plan)

    def _fill(self, decision: str) -> None:
        """Put a ``decision`` template in the editors of the interrupts that offer it."""
        filled = False
        for n, (intr, labels) in enumerate(zip(self.interrupts, self._offers, strict=True)):
            if decision in labels:
                value = template_value(intr.value, intr.response_schema, decision, self.reason)
                self.query_one(f"#value-{n}", TextArea).text = json.dumps(value, indent=1)
                filled = True
        if filled:
            first = next(n for n, labels in enumerate(self._offers) if decision in labels)
            self.query_one(f"#value-{first}", TextArea).focus()

    def action_send(self) -> None:
        plan: dict[str, Any] = {}
        ok = True
        for n, intr in enumerate(self.interrupts):
            problem = self.query_one(f"#problem-{n}", Static)
            text = self.query_one(f"#value-{n}", TextArea).text
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                problem.update(Text(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; nothing was sent"))
                ok = False
                continue
            problem.update("")
            plan[intr.id or ""] = value
        if ok:
            self._submit(plan)

    def editor_index(self) -> int:
        """Which interrupt's value ctrl+e edits: the focused editor's, else the first."""
        focused = self.focused
        if isinstance(focused, TextArea) and (focused.id or "").startswith("value-"):
            return int((focused.id or "value-0").removeprefix("value-"))
        return 0

    def action_external_editor(self) -> None:
        """Edit a resume value in ``$VISUAL``/``$EDITOR``: the app is suspended until it
        exits; the text comes back into that interrupt's editor, not sent yet."""
        n = self.editor_index()
        edit_into(self.app, self.query_one(f"#value-{n}", TextArea), self.query_one(f"#problem-{n}", Static))

    def editor_returned(self, n: int, text: str) -> None:
        """What the editor saved, back in interrupt ``n``'s editor (not JSON: the reason shown)."""
        put_back(self.query_one(f"#value-{n}", TextArea), self.query_one(f"#problem-{n}", Static), text)

    def _submit(self, plan: dict[str, Any]) -> None:
        for n, intr in enumerate(self.interrupts):
            why = check_schema(plan.get(intr.id or ""), intr.response_schema)
            if why:
                self.query_one(f"#problem-{n}", Static).update(Text(visible(f"does not fit response_schema: {why}; nothing was sent")))
                return
        self.dismiss(plan)

    @on(Input.Submitted, "#reason")
    def _reason_entered(self) -> None:
        self.action_reject()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        # The actions are called directly: `run_action` is a coroutine in a sync handler.
        button = event.button.id or "cancel"
        if button in ("edit", "respond"):
            self._fill(button)
            return
        {"approve": self.action_approve, "reject": self.action_reject, "send": self.action_send}.get(button, self.action_cancel)()
