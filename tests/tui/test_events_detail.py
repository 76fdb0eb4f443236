"""The events pane at 120 columns: ``w`` wraps its lines and shows each message whole; the
phase table keeps the phases of earlier steps as the user steps through a thread; and the
answer dialog's Approve all works while the user types in its editor. Real graphs, driven
step by step; every wait is for a condition."""

from __future__ import annotations

import logging
from typing import Any, TypedDict

import pytest
from langgraph.graph import START, StateGraph
from textual.widgets import Input, TextArea

from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from agent_debug.tui.widgets.events.events_view import EventsView
from tests.tui.conftest import settle
from tests.tui.test_control import FEATURE_INPUT, control_app, wait_for_screen
from tests.tui.test_events_pane import events_app, phase_table, run_to_the_end, wait_until

SIZE = (120, 40)
LOGGER = "agent_debug.tests.a_rather.long.logger.name.of.a.module"
#: a log message far wider than the pane, its last words unique
MESSAGE = "retrying the upstream call " + " ".join(f"after-{n}ms" for n in range(0, 400, 25)) + " then giving up for good"


class Quiet(TypedDict, total=False):
    done: bool


def chatty_graph():
    """One node that logs a long warning."""

    def talk(state: Quiet) -> dict[str, Any]:
        logging.getLogger(LOGGER).warning(MESSAGE)
        return {"done": True}

    return StateGraph(Quiet).add_node("talk", talk).add_edge(START, "talk").compile()


def log_text(app: AgentDebugApp) -> list[str]:
    """The events log as the pane shows it, one string per screen line (a line longer
    than the pane is kept whole by the log and cut by the screen at the pane's edge)."""
    log = app.query_one("#events-log")
    width = log.scrollable_content_region.width
    return [strip.crop(0, width).text.rstrip() for strip in log.lines]


def joined(lines: list[str]) -> str:
    """Lines wrapped at the edge read as one text again (a wrap breaks at a space)."""
    return " ".join(" ".join(lines).split())


async def test_w_wraps_event_lines_and_shows_the_whole_message():
    app = events_app(chatty_graph(), "w1", {})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await run_to_the_end(pilot, app)
        await wait_until(pilot, lambda: any("WARNING" in line for line in log_text(app)), "the warning drawn")
        [cut] = [line for line in log_text(app) if "WARNING" in line]
        assert MESSAGE not in joined(log_text(app))  # cut at the pane's edge
        assert "WARNING module: retrying" in cut  # the logger by the last part of its name

        await pilot.press("w")
        await wait_until(pilot, lambda: MESSAGE in joined(log_text(app)), "the whole message")
        width = app.query_one("#events-log").scrollable_content_region.width
        assert all(strip.cell_length <= width for strip in app.query_one("#events-log").lines)  # none cut
        assert "wrapped" in str(app.query_one("#events-follow").content)

        await pilot.press("w")  # and cut again
        await wait_until(pilot, lambda: MESSAGE not in joined(log_text(app)), "the lines cut again")
        assert sum("WARNING" in line for line in log_text(app)) == 1  # drawn once, not twice


async def test_the_phase_table_keeps_earlier_steps_phases():
    from agent_debug.fixtures.feature_request import graph

    app = control_app("memory", graph, create=True, start=("s1", FEATURE_INPUT, True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")

        def rows() -> list[str]:
            return [line.split()[0] for line in phase_table(app).splitlines()[2:] if line.strip()]

        await wait_until(pilot, lambda: rows() == ["analyze"], "the first step's phase")
        for phases in (2, 3, 4):  # plan, synthesize, sandbox_test: one step each
            await pilot.press("n")
            await settle(pilot)
            await wait_until(pilot, lambda: len(rows()) == phases and app.run_stats.status is not None, f"step {phases}")
            assert "analyze" in rows() and "plan" in rows()
        assert sorted(rows()) == ["analyze", "plan", "sandbox_test", "synthesize"]
        view = app.query_one(EventsView)
        assert sum("run started" in str(line.text) for line in view.query_one("#events-log").lines) == 4


@pytest.mark.parametrize("editor", ["#value-0", "#reason"])
async def test_approve_all_works_with_focus_in_the_editor(editor: str):
    from agent_debug.fixtures.feature_request import graph

    app = control_app("memory", graph, create=True, start=("a1", FEATURE_INPUT, False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_screen(pilot, InterruptScreen)
        field = screen.query_one(editor, TextArea if editor.startswith("#value") else Input)
        field.focus()
        await pilot.press("end", "space")  # typing in it
        await settle(pilot)
        assert screen.focused is field
        await pilot.press("ctrl+a")

        def approved() -> bool:
            state = app.controller.graph.get_state({"configurable": {"thread_id": "a1"}})
            return not app.controller.running and state.values.get("approved") is True and not state.next

        await wait_until(pilot, approved, "the approved run finishing")
        assert not isinstance(app.screen, InterruptScreen)
