"""The answer dialog (`a`) on interrupts the published libraries raise: its editor starts with a
value the library accepts, its buttons use the interrupt's words, a reject sends the typed
reason, and an unsafe reject is refused on screen with nothing sent."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from textual.widgets import Button, Input, Static, TextArea

from agent_debug.inspector.decisions import check_schema
from agent_debug.tui.screens.interrupt_screen import InterruptScreen, readable_value
from tests.test_decisions import ASK_REFUND, RAN, REFUND, hitl_agent, review_graph
from tests.tui.conftest import settle
from tests.tui.test_control import SIZE, control_app, wait_for_screen


def cfg(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


async def wait_until(pilot, condition, what: str, tries: int = 400) -> None:
    """Let workers and messages run until ``condition()`` holds (a bound on rounds, not on time)."""
    for _ in range(tries):
        await settle(pilot)
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def settled(app, thread: str) -> bool:
    """The run is over and LangGraph has no pending interrupt for ``thread``."""
    if app.controller.running:
        return False
    state = app.controller.graph.get_state(cfg(thread))
    return not state.next and not state.interrupts


async def open_dialog(pilot, thread: str) -> InterruptScreen:
    """The run opens the dialog when it stops; close it, then open it again with `a`."""
    await wait_for_screen(pilot, InterruptScreen)
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("slash", *thread, "enter")
    await settle(pilot)
    await pilot.press("a")
    return await wait_for_screen(pilot, InterruptScreen)


def labels(screen: InterruptScreen) -> dict[str, tuple[str, bool]]:
    return {b.id: (str(b.label), b.disabled) for b in screen.query(Button)}


async def test_per_call_prefilled_value_is_accepted_by_the_middleware():
    RAN.clear()
    graph = hitl_agent({"refund": True})
    app = control_app("memory", graph, create=True, start=("hitl", ASK_REFUND, False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, "hitl")
        [intr] = screen.interrupts
        assert intr.value["type"] == "tool_approval" and intr.response_schema
        prefilled = json.loads(screen.query_one("#value-0", TextArea).text)
        assert prefilled == {"type": "approve"} and check_schema(prefilled, intr.response_schema) is None
        shown = [str(s.content) for s in screen.query(Static)]
        assert 'response_schema: a decision {"type": "approve" | "edit" | "reject" | "respond", ...}' in shown
        assert labels(screen) == {
            "approve": ("Approve all (ctrl+a)", False),
            "reject": ("Reject all (ctrl+r)", False),
            "edit": ("Edit", False),
            "respond": ("Respond", False),
            "send": ("Send edited (ctrl+s)", False),
            "cancel": ("Cancel (esc)", False),
        }
        await pilot.press("ctrl+s")  # send the editor's value as it was filled in
        await wait_until(pilot, lambda: settled(app, "hitl"), "the approved run finishing")
        assert RAN == [("refund", {"order": "A1", "amount": 5})]
    RAN.clear()


async def test_reject_with_a_reason_sends_the_reason_and_the_tool_never_runs():
    RAN.clear()
    graph = hitl_agent({"refund": {"allowed_decisions": ["approve", "reject"]}})
    app = control_app("memory", graph, create=True, start=("no", ASK_REFUND, False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, "no")
        assert "edit" not in labels(screen) and "respond" not in labels(screen)  # not allowed for this tool
        screen.query_one("#reason", Input).focus()
        await pilot.press(*"too late")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: settled(app, "no"), "the rejected run finishing")
        messages = app.controller.graph.get_state(cfg("no")).values["messages"]
        [tool_message] = [m for m in messages if m.type == "tool"]
        assert "too late" in tool_message.content and tool_message.status == "error"
        assert RAN == []


async def test_edit_fills_a_template_the_middleware_accepts():
    RAN.clear()
    graph = hitl_agent({"refund": True}, calls=(REFUND,))
    app = control_app("memory", graph, create=True, start=("edit", ASK_REFUND, False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, "edit")
        await pilot.click("#edit")
        editor = screen.query_one("#value-0", TextArea)
        template = json.loads(editor.text)
        assert template == {"type": "edit", "edited_action": {"name": "refund", "args": {"order": "A1", "amount": 5}}}
        template["edited_action"]["args"]["amount"] = 2
        editor.text = json.dumps(template)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: settled(app, "edit"), "the edited call running")
        assert RAN == [("refund", {"order": "A1", "amount": 2})]
    RAN.clear()


async def test_approve_not_allowed_starts_from_what_is_allowed():
    RAN.clear()
    graph = hitl_agent({"refund": {"allowed_decisions": ["reject"]}})
    app = control_app("memory", graph, create=True, start=("only-no", ASK_REFUND, False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, "only-no")
        assert labels(screen)["approve"] == ("Approve all (ctrl+a)", True)
        assert json.loads(screen.query_one("#value-0", TextArea).text) == {"type": "reject"}
        hint = str(screen.query_one("#hint-0", Static).content)
        assert "approve is not allowed for tool 'refund' (allowed: reject)" in hint
        await pilot.press("ctrl+a")  # disabled in the interrupt's terms: refused with a line
        await settle(pilot)
        assert isinstance(app.screen, InterruptScreen)
        assert "approve is not allowed" in str(screen.query_one("#problem-0", Static).content)
        assert app.controller.graph.get_state(cfg("only-no")).interrupts  # nothing was sent
    RAN.clear()


async def test_an_unsafe_reject_is_refused_on_screen_and_nothing_is_sent():
    graph = review_graph({"question": "Refund order A1?", "amount": 5})
    app = control_app("memory", graph, create=True, start=("custom", {}, False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, "custom")
        assert json.loads(screen.query_one("#value-0", TextArea).text) is True
        screen.query_one("#reason", Input).focus()
        await pilot.press(*"too late", "enter")  # enter in the reason field rejects
        await settle(pilot)
        assert isinstance(app.screen, InterruptScreen)
        problem = str(screen.query_one("#problem-0", Static).content)
        assert "no value is certain to be read as a reject" in problem and "nothing was sent" in problem
        assert "\n" not in problem
        assert app.controller.graph.get_state(cfg("custom")).interrupts


async def test_buttons_follow_the_options_words():
    graph = review_graph({"question": "Sign off?", "options": ["approve", "revise"]})
    app = control_app("memory", graph, create=True, start=("words", {}, False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, "words")
        assert labels(screen)["approve"][0] == "Approve all (ctrl+a)"
        assert labels(screen)["reject"][0] == "Revise all (ctrl+r)"
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: settled(app, "words"), "the run finishing")
        assert app.controller.graph.get_state(cfg("words")).values["answer"] == "revise"


def test_multi_line_strings_read_as_written():
    value = {"question": "Apply?", "diff": "--- a.py\n+++ b.py\n+print('hi')\n", "tag": "x\x1b[2J"}
    console = Console(width=80, record=True, color_system=None)
    console.print(readable_value(value))
    shown = "\n".join(line.rstrip() for line in console.export_text().splitlines())
    assert "'question': 'Apply?'" in shown and "«diff: below»" in shown
    assert "diff:\n  --- a.py\n  +++ b.py\n  +print('hi')" in shown  # as written, indented under its key
    assert "\\x1b[2J" in shown and "\x1b" not in shown
