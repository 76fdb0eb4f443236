"""The TUI's conditional breakpoints (the ``b`` dialog's "if" box), the ``ctrl+b`` list
and ``E`` (break on error), driven with Pilot on the real feature workflow."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Static, TabbedContent, Tabs

from agent_debug.fixtures import feature_request
from agent_debug.tui.screens.breakpoint_screen import BreakpointScreen
from agent_debug.tui.screens.breakpoints_list_screen import BreakpointsListScreen
from tests.tui.test_control import SIZE, control_app, wait_for_screen
from tests.tui.test_demo_verbs import until

REQUEST = {"request": "add a --json flag"}


def _rows(screen: BreakpointsListScreen) -> list[str]:
    listing = screen.query_one(OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_break_on_error_then_a_conditional_breakpoint_then_the_list(tmp_path: Path):
    app = control_app(str(tmp_path / "runs.db"), feature_request.graph, create=True, start=("t", REQUEST, True))
    async with app.run_test(size=SIZE) as pilot:
        session = app.controller
        await until(pilot, lambda: not session.running and app.thread_id == "t", "the first step")

        # E: break on error; the RateLimitError attempt of plan (retried) stops the run, the errors show.
        await pilot.press("E")
        assert session.break_on_error and "break on error" in app.sub_title
        await pilot.press("c")
        await until(pilot, lambda: not session.running and session.source.state("t").next == ["synthesize"], "the stop after plan")
        await until(pilot, lambda: app.query_one(TabbedContent).active == "events", "the events pane")
        assert app.query_one("#events-kind", Tabs).active == "events-errors"
        await pilot.press("E")
        assert not session.break_on_error

        # b with a condition: the run passes the first sandbox_test and stops at the second.
        await pilot.press("b")
        dialog = await wait_for_screen(pilot, BreakpointScreen)
        assert "iterations" in str(dialog.query_one("#breakpoint-keys", Static).render())
        dialog.query_one("#breakpoint-node", Input).value = "sandbox_test"
        box = dialog.query_one("#breakpoint-if", Input)
        box.value = "iterations >= 2"
        box.focus()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, BreakpointScreen), "the dialog closed")
        assert [p.describe() for p in session.breakpoint_list()] == ["before sandbox_test if iterations >= 2"]
        assert "break before sandbox_test if iterations >= 2" in app.sub_title
        await pilot.press("c")
        await until(pilot, lambda: not session.running and session.source.state("t").next == ["sandbox_test"], "the conditional stop")
        assert session.source.state("t").values["iterations"] == 2

        # A bad condition is one line, and sets nothing.
        await pilot.press("B")
        dialog = await wait_for_screen(pilot, BreakpointScreen)
        dialog.query_one("#breakpoint-node", Input).value = "review"
        dialog.query_one("#breakpoint-if", Input).value = "nope > 1"
        dialog.query_one("#breakpoint-node", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, BreakpointScreen), "the dialog closed")
        assert [p.node for p in session.breakpoint_list()] == ["sandbox_test"]

        # ctrl+b: the list, with its hits; space turns it off, e switches break on error, d deletes.
        await pilot.press("ctrl+b")
        listing = await wait_for_screen(pilot, BreakpointsListScreen)
        assert _rows(listing) == ["⏺ before sandbox_test if iterations >= 2  hits 1"]
        assert "break on error: off" in str(listing.query_one("#breakpoints-error", Static).render())
        await pilot.press("space")
        assert _rows(listing) == ["○ before sandbox_test if iterations >= 2  hits 1  (off)"]
        assert session.break_before == set() and session.breakpoint_list()[0].enabled is False
        await pilot.press("space")
        assert session.break_before == {"sandbox_test"}
        await pilot.press("e")
        assert session.break_on_error and "break on error: on" in str(listing.query_one("#breakpoints-error", Static).render())
        await pilot.press("d")
        assert session.breakpoint_list() == [] and _rows(listing)[0].startswith("no breakpoints")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, BreakpointsListScreen), "the list closed")
        assert "break on error" in app.sub_title and "sandbox_test" not in app.sub_title


async def test_the_list_on_a_read_only_store_says_why_not(tmp_path: Path):
    from agent_debug.inspector.targets import open_source
    from agent_debug.tui.app import AgentDebugApp
    from tests.tui.conftest import SNAPSHOT_DB

    app = AgentDebugApp(open_source(str(SNAPSHOT_DB)), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.thread_id is not None, "a thread")
        await pilot.press("ctrl+b")
        await pilot.press("E")
        await until(pilot, lambda: True, "the keys")
        assert not isinstance(app.screen, BreakpointsListScreen)
