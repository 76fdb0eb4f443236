"""The demo opens with its graphs bound, so every verb works there; with graphs given, each
thread is drawn as its own graph, and a verb on a thread no graph fits refuses at once,
before any dialog opens.

The store is a copy of the committed one the seed's real runs wrote (threads of the four
fixture workflows); the app is made as ``agent-debug demo`` and ``attach --graph`` make it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from textual.widgets import TextArea

from agent_debug.fixtures.seed import GRAPH_REFS
from agent_debug.inspector.session import open_session
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.cli.demo import demo_graphs
from agent_debug.tui.cli.graph_ref import load_graph_refs
from agent_debug.tui.cli.launcher import make_app
from agent_debug.tui.screens.breakpoint_screen import BreakpointScreen
from agent_debug.tui.screens.edit_screen import EditStateScreen
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from agent_debug.tui.screens.replay_screen import ReplayResultScreen, ReplayScreen
from agent_debug.tui.widgets.graph.graph_view import GraphView
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.state.state_tree import StateTree, ValueRef
from tests.tui.conftest import fixed_clock, settle
from tests.tui.test_app import static_text

SIZE = (150, 45)


def acting_app(db: Path, graphs) -> AgentDebugApp:
    """The app on ``db`` with ``graphs`` bound, as the launcher makes it for demo and attach."""
    session = open_session(str(db), graph=graphs)
    return make_app(session.source, graph=session.graphs, poll=0, controller=session, clock=fixed_clock(db))


async def until(pilot, condition: Callable[[], bool], what: str, tries: int = 200) -> None:
    """Let the app work until ``condition`` holds (each round waits for the workers)."""
    for _ in range(tries):
        await settle(pilot)
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}; screen is {type(pilot.app.screen).__name__}")


async def choose(pilot, thread: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *thread, "enter")
    await until(pilot, lambda: pilot.app.thread_id == thread and pilot.app.state is not None and pilot.app.state.thread_id == thread, f"{thread} shown")


def checkpoints(app: AgentDebugApp, thread: str) -> int:
    """The thread's root checkpoints, read from the store now."""
    return len(app.source.history(thread, limit=None).checkpoints)


def notes(app: AgentDebugApp, fragment: str) -> list[str]:
    return [str(n.message) for n in app._notifications if fragment in str(n.message)]


def caption(app: AgentDebugApp) -> str:
    return static_text(app, "#graph-caption")


async def test_in_the_demo_the_inbox_then_a_opens_the_answer_dialog_and_answering_appends(snapshot_db: Path):
    app = acting_app(snapshot_db, demo_graphs())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.thread_id is not None, "a thread shown")
        await pilot.press("i")
        await until(pilot, lambda: app.thread_id is not None and "interrupted" in app.thread_id, "the inbox's first thread chosen")
        thread = app.thread_id
        before = checkpoints(app, thread)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, InterruptScreen), "the answer dialog")
        assert app.screen.thread_id == thread
        await pilot.press("ctrl+a")
        await until(pilot, lambda: not app.controller.running and checkpoints(app, thread) > before, "the answer's checkpoints")


async def test_the_demo_steps_continues_breaks_replays_and_forks(snapshot_db: Path):
    app = acting_app(snapshot_db, demo_graphs())
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "feature-004-pending")
        before = checkpoints(app, "feature-004-pending")
        await pilot.press("n")
        await until(pilot, lambda: not app.controller.running and checkpoints(app, "feature-004-pending") == before + 1, "one step")
        await pilot.press("c")  # on to the review, whose interrupt opens the answer dialog
        await until(pilot, lambda: isinstance(app.screen, InterruptScreen), "the review's dialog after continue")
        await pilot.press("escape")

        await pilot.press("b")
        screen = await _screen(pilot, BreakpointScreen)
        assert {"sandbox_test", "tick", "agent", "writer:draft"} <= set(screen.nodes)  # every demo graph's nodes
        await pilot.press("escape")

        await choose(pilot, "feature-001-done")
        await pilot.press("r")
        await _screen(pilot, ReplayScreen)
        await pilot.press("ctrl+s")
        result = await _screen(pilot, ReplayResultScreen)
        assert result.outcome.error is None and result.outcome.new_checkpoints
        await pilot.press("escape")

        tree = app.query_one(HistoryTree)
        await until(pilot, lambda: any(r.nodes == ["plan"] for r in tree.rows), "the history")
        tree.select_checkpoint(next(r for r in tree.rows if r.nodes == ["plan"]).checkpoint_id)
        await settle(pilot)
        await pilot.press("v")
        state_tree = app.query_one(StateTree)
        await until(pilot, lambda: any(isinstance(n.data, ValueRef) for n in state_tree.root.children), "the state")
        state_tree.move_cursor(next(n for n in state_tree.root.children if isinstance(n.data, ValueRef) and n.data.path == "request"))
        await settle(pilot)
        await pilot.press("e")
        edit = await _screen(pilot, EditStateScreen)
        edit.query_one("#edit-value", TextArea).text = json.dumps("Add a --yaml flag instead")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.state is not None and app.state.source == "update", "the fork")
        assert app.state.values["request"] == "Add a --yaml flag instead"


async def _screen(pilot, kind):
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__)
    return pilot.app.screen


async def test_each_thread_is_drawn_as_the_graph_it_ran(snapshot_db: Path):
    app = acting_app(snapshot_db, demo_graphs())
    async with app.run_test(size=SIZE) as pilot:
        for thread, name, node, other in (
            ("feature-001-done", "feature", "sandbox_test", "tick"),
            ("loop-012-done", "loop", "tick", "sandbox_test"),
            ("tool-008-interrupted", "tool", "tools", "tick"),
        ):
            await choose(pilot, thread)
            await until(pilot, lambda n=name: caption(app).startswith(f"graph {n} · chosen by its nodes"), f"{thread} drawn as {name}")
            boxes = app.query_one(GraphView).drawing.node_boxes
            assert node in boxes and other not in boxes, (thread, sorted(boxes))


async def test_a_thread_no_graph_fits_is_reconstructed_and_its_verbs_refuse_before_any_dialog(snapshot_db: Path):
    feature = GRAPH_REFS["feature"]
    app = acting_app(snapshot_db, load_graph_refs([feature], None))
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "loop-012-done")
        await until(pilot, lambda: "reconstructed from this thread's checkpoints" in caption(app), "the reconstructed graph")
        assert f"tried --graph {feature}" in caption(app) and "tick" in app.query_one(GraphView).drawing.node_boxes

        await choose(pilot, "tool-008-interrupted")
        before = checkpoints(app, "tool-008-interrupted")
        for key in ("a", "r"):
            refusal = "does not match thread 'tool-008-interrupted'"
            seen = len(notes(app, refusal))
            await pilot.press(key)
            await until(pilot, lambda s=seen: len(notes(app, refusal)) > s, f"{key} refused")
            await settle(pilot)
            assert app.screen is app.screen_stack[0], f"{key} opened {type(app.screen).__name__}"
        assert checkpoints(app, "tool-008-interrupted") == before

        # On a thread the graph fits, the same key opens its dialog.
        await choose(pilot, "feature-002-interrupted")
        assert caption(app).startswith("graph from --graph")
        await pilot.press("a")
        await _screen(pilot, InterruptScreen)
