"""Pilot flows for the acting verbs: step, continue, breakpoints, interrupts, replay, fork."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from textual.widgets import TextArea

from agent_debug.inspector.acting_store import open_store_for_app
from agent_debug.inspector.session import DebugSession
from agent_debug.inspector.sources.local import LocalSource
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.screens.edit_screen import EditStateScreen
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from agent_debug.tui.screens.replay_screen import ReplayResultScreen, ReplayScreen
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.state.state_tree import StateTree, ValueRef
from tests.tui.conftest import SNAPSHOT_DB, settle

SIZE = (140, 45)
FEATURE_INPUT = {"request": "Add a --json flag to the `report` command", "max_iterations": 3}


def control_app(target: str, graph, *, create: bool = False, start=None, thread=None) -> AgentDebugApp:
    store = open_store_for_app(target, create=create)
    return AgentDebugApp(store.source, graph=graph, controller=DebugSession(LocalSource(store, graph)), poll_interval=0, start=start, thread_id=thread)


async def wait_for_screen(pilot, kind, tries: int = 100):
    for _ in range(tries):
        await settle(pilot)
        if isinstance(pilot.app.screen, kind):
            return pilot.app.screen
        await pilot.pause(0.05)
    raise AssertionError(f"{kind.__name__} did not open; screen is {type(pilot.app.screen).__name__}")


async def open_thread(pilot, thread: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *thread, "enter")
    await settle(pilot)


async def replay_with_keys(pilot, check=None):
    """`r`, then replay as offered (ctrl+s); the outcome shown. ``check`` sees the offer first."""
    await pilot.press("r")
    offer = await wait_for_screen(pilot, ReplayScreen)
    if check is not None:
        check(offer)
    await pilot.press("ctrl+s")
    return (await wait_for_screen(pilot, ReplayResultScreen)).outcome


def phases(app: AgentDebugApp) -> list[list[str]]:
    """Nodes of the trunk, oldest first."""
    rows = app.query_one(HistoryTree).rows
    return [r.nodes for r in reversed(rows) if r.nodes]


async def test_step_through_the_whole_feature_run_then_approve():
    from agent_debug.fixtures.feature_request import graph

    app = control_app("memory", graph, create=True, start=("t1", FEATURE_INPUT, True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # --step pauses after the first phase (LangGraph does not stop after __start__).
        assert phases(app) == [["__start__"], ["analyze"]]
        expected = ["plan", "synthesize", "sandbox_test", "synthesize", "sandbox_test"]
        for n, phase in enumerate(expected, start=3):
            await pilot.press("n")
            await settle(pilot)
            assert [p[0] for p in phases(app)][-1] == phase, (n, phases(app))
            assert len(phases(app)) == n  # one super-step per key press
        await pilot.press("n")  # into review, which waits at its interrupt: the modal opens
        screen = await wait_for_screen(pilot, InterruptScreen)
        assert [i.node for i in screen.interrupts] == ["review"]
        await pilot.press("ctrl+a")
        await settle(pilot)
        for _ in range(50):
            if app.controller and not app.controller.running and app.state and not app.state.next:
                break
            await pilot.pause(0.05)
            await settle(pilot)
        assert app.state is not None and app.state.values.get("approved") is True
        assert app.state.next == []


async def test_breakpoint_and_continue():
    from agent_debug.fixtures.feature_request import graph

    app = control_app("memory", graph, create=True, start=("t2", FEATURE_INPUT, True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.controller.toggle_breakpoint("sandbox_test")
        await pilot.press("c")
        await settle(pilot)
        assert app.state is not None and app.state.next == ["sandbox_test"]  # stopped before it
        assert "break before sandbox_test" in app.sub_title
        drawing = app.query_one("#graph-drawing").content
        assert "⏺ sandbox_test" in str(drawing)
        await pilot.press("c")
        await settle(pilot)
        assert app.state.next == ["sandbox_test"] and [p[0] for p in phases(app)][-1] == "synthesize"  # the loop came back


@pytest.fixture
def store(tmp_path: Path) -> Path:
    copy = tmp_path / "runs.db"
    shutil.copy(SNAPSHOT_DB, copy)
    return copy


async def _open_review(pilot, app) -> InterruptScreen:
    await settle(pilot)
    await pilot.press("slash", *"feature-002-interrupted", "enter")
    await settle(pilot)
    await pilot.press("a")
    return await wait_for_screen(pilot, InterruptScreen)


async def test_reject_at_the_review_loops_back(store):
    from agent_debug.fixtures.feature_request import graph

    app = control_app(str(store), graph)
    async with app.run_test(size=SIZE) as pilot:
        await _open_review(pilot, app)
        await pilot.press("ctrl+r")
        screen = await wait_for_screen(pilot, InterruptScreen)  # rejected, re-synthesised, reviewed again
        assert screen.interrupts[0].node == "review"
        await pilot.press("escape")
        await settle(pilot)
        assert any(m.text.startswith("Rejected") for m in app.state.messages)


async def test_edited_resume_value_is_validated_and_sent(store):
    from agent_debug.fixtures.feature_request import graph

    app = control_app(str(store), graph)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_review(pilot, app)
        editor = screen.query_one("#value-0", TextArea)
        editor.text = "{not json"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InterruptScreen)  # refused, nothing sent
        assert "not valid JSON" in str(screen.query_one("#problem-0").content)
        editor.text = json.dumps({"approved": False, "feedback": "add a test for unicode names"})
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, InterruptScreen)  # the rejection loops back to a new review
        await pilot.press("escape")
        await settle(pilot)
        assert "unicode names" in app.state.values["code"]


async def test_two_interrupts_answered_by_id(tmp_path: Path):
    from langgraph.checkpoint.sqlite import SqliteSaver
    import sqlite3

    from tests.graphs import two_questions

    db = tmp_path / "two.db"
    conn = sqlite3.connect(db, check_same_thread=False)
    two_questions.copy(update={"checkpointer": SqliteSaver(conn)}).invoke({"acc": []}, {"configurable": {"thread_id": "q"}})
    conn.close()
    app = control_app(str(db), two_questions, thread="q")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        screen = await wait_for_screen(pilot, InterruptScreen)
        assert sorted(i.value for i in screen.interrupts) == ["first?", "second?"]
        for n, intr in enumerate(screen.interrupts):
            screen.query_one(f"#value-{n}", TextArea).text = json.dumps(f"answer to {intr.value}")
        await pilot.press("ctrl+s")
        for _ in range(50):
            await settle(pilot)
            if app.state is not None and app.state.values.get("acc") and len(app.state.values["acc"]) == 2:
                break
            await pilot.pause(0.05)
        assert sorted(app.state.values["acc"]) == ["one:answer to first?", "two:answer to second?"]


async def test_replay_synthesize_runs_one_phase_on_a_branch(store):
    from agent_debug.fixtures.feature_request import graph
    from agent_debug.inspector.targets import open_source

    with open_source(str(store)) as source:
        before = {c.checkpoint_id: c.parent_id for c in source.history("feature-001-done", limit=None).checkpoints}
    app = control_app(str(store), graph)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"feature-001-done", "enter")
        await settle(pilot)
        tree = app.query_one(HistoryTree)
        target = next(r for r in tree.rows if r.nodes == ["synthesize"])
        assert tree.select_checkpoint(target.checkpoint_id)
        await settle(pilot)
        outcome = await replay_with_keys(pilot)
        assert outcome.phases == ["synthesize"] and outcome.replayed_from == target.parent_id
        assert {w.channel for w in outcome.replay_writes} == {w.channel for w in outcome.original_writes}
    with open_source(str(store)) as source:
        after = {c.checkpoint_id: c for c in source.history("feature-001-done", limit=None).checkpoints}
    assert {k: after[k].parent_id for k in before} == before
    new = [after[c] for c in outcome.new_checkpoints]
    assert [c.nodes for c in new if c.source == "loop"] == [["synthesize"]]


async def test_replay_inside_a_subgraph_from_its_own_history(store):
    """`]` shows a subgraph's checkpoints; `r` there replays its phase inside the subgraph."""
    from agent_debug.fixtures.supervisor import graph
    from agent_debug.inspector.targets import open_source

    thread = "supervisor-010-done"
    with open_source(str(store)) as source:
        spaces = [n.namespace for n in source.namespaces(thread)]
        root_before = {c.checkpoint_id: c.parent_id for c in source.history(thread, limit=None).checkpoints}
    researcher = next(n for n in spaces if n.startswith("researcher:"))
    app = control_app(str(store), graph)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, thread)
        await pilot.press("escape")
        for _ in range(len(spaces)):
            if app.namespace == researcher:
                break
            await pilot.press("right_square_bracket")
            await settle(pilot)
        assert app.namespace == researcher
        assert "subgraph researcher:" in str(app.query_one("#history-box").border_title)
        tree = app.query_one(HistoryTree)
        target = next(r for r in tree.rows if r.nodes == ["summarize"])
        assert tree.select_checkpoint(target.checkpoint_id)
        await settle(pilot)
        assert app.state is not None and app.state.namespace == researcher and "notes" in app.state.values
        outcome = await replay_with_keys(pilot)
        assert outcome.namespace == researcher and outcome.phases == ["summarize"]
    with open_source(str(store)) as source:
        assert {c.checkpoint_id: c.parent_id for c in source.history(thread, limit=None).checkpoints} == root_before
        inside = {c.checkpoint_id: c for c in source.history(thread, namespace=researcher, limit=None).checkpoints}
    assert [inside[c].nodes for c in outcome.new_checkpoints if inside[c].source == "loop"] == [["summarize"]]


async def test_edit_state_and_fork_then_continue(store):
    from agent_debug.fixtures.feature_request import graph

    app = control_app(str(store), graph)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"feature-001-done", "enter")
        await settle(pilot)
        tree = app.query_one(HistoryTree)
        plan_row = next(r for r in tree.rows if r.nodes == ["plan"])
        tree.select_checkpoint(plan_row.checkpoint_id)
        await settle(pilot)
        await pilot.press("v")
        state_tree = app.query_one(StateTree)
        feedback = next(n for n in state_tree.root.children if isinstance(n.data, ValueRef) and n.data.path == "request")
        state_tree.move_cursor(feedback)
        await settle(pilot)
        await pilot.press("e")
        screen = await wait_for_screen(pilot, EditStateScreen)
        assert screen.key == "request" and screen.as_node == "plan"
        screen.query_one("#edit-value", TextArea).text = json.dumps("Add a --yaml flag instead")
        await pilot.press("ctrl+s")
        await settle(pilot)
        for _ in range(40):
            await settle(pilot)
            if app.state is not None and app.state.source == "update":
                break
            await pilot.pause(0.05)
        assert app.state.source == "update"
        assert app.state.values["request"] == "Add a --yaml flag instead"
        assert app.state.next == ["synthesize"]
        await pilot.press("c")  # continue from the fork to the review
        await wait_for_screen(pilot, InterruptScreen)


async def test_read_only_without_a_graph(store):
    from agent_debug.inspector.targets import open_source

    app = AgentDebugApp(open_source(str(store)), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, InterruptScreen)


async def test_breakpoint_inside_a_supervisor_subgraph():
    from agent_debug.fixtures.supervisor import graph
    from agent_debug.tui.screens.breakpoint_screen import BreakpointScreen

    app = control_app("memory", graph, create=True, start=("s1", {"topic": "checkpoint stores"}, True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "writer:draft" in app.controller.nodes
        await pilot.press("b")
        screen = await wait_for_screen(pilot, BreakpointScreen)
        screen.query_one("#breakpoint-node").value = "writer:draft"
        await pilot.press("enter")
        await settle(pilot)
        assert "writer:draft" in app.controller.break_before
        await pilot.press("c")
        for _ in range(60):
            await settle(pilot)
            if not app.controller.running and app.state is not None and app.state.next == ["writer"]:
                break
            await pilot.pause(0.05)
        source = app.controller.store.source
        assert source.thread("s1").status.value == "pending"  # stopped, not at an interrupt
        writer_ns = next(n.namespace for n in source.namespaces("s1") if n.namespace.startswith("writer:"))
        assert source.state("s1", namespace=writer_ns).next == ["draft"]  # inside the subgraph, before draft
        assert "⏺ writer" in str(app.query_one("#graph-drawing").content)
        app.controller.toggle_breakpoint("writer:draft")  # clear it, then run on to the sign-off
        await pilot.press("c")
        screen = await wait_for_screen(pilot, InterruptScreen)
        assert screen.interrupts[0].node == "writer" and "Sign off" in str(screen.interrupts[0].value)


async def test_pause_stops_at_a_step_boundary():
    from tests.graphs import slow_loop_builder

    app = control_app("memory", slow_loop_builder().compile(), create=True, start=("p1", {"count": 0, "delay": 0.05}, True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause(0.4)
        assert app.controller.running
        await pilot.press("p")
        for _ in range(60):
            await pilot.pause(0.05)
            if not app.controller.running:
                break
        await settle(pilot)
        summary = app.controller.store.source.thread("p1")
        assert summary.status.value == "pending" and summary.next == ["tick"]
        assert 3 < summary.last_step < 150  # it ran a while and stopped cleanly between steps


async def test_events_pane_under_a_run():
    from agent_debug.fixtures.feature_request import graph
    from agent_debug.tui.widgets.events.events_view import EventsView

    app = control_app("memory", graph, create=True, start=("e1", FEATURE_INPUT, False))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, InterruptScreen)  # ran to the review
        await pilot.press("escape")
        await pilot.press("l")
        await pilot.pause(0.2)
        view = app.query_one(EventsView)
        log = app.query_one("#events-log")
        text = "\n".join(str(line.text) for line in log.lines)
        for fragment in ("run started", "thinking:", "RateLimitError", "will retry", "transient", "custom", "⏸ interrupt", "■ done"):
            assert fragment in text, fragment
        stats = str(app.query_one("#events-phases").content.title)
        assert "slowest" in stats
        assert set(app.run_stats.phases) and sum(p.output_tokens for p in app.run_stats.phases.values()) == app.run_stats.output_tokens
        # The errors tab shows only errors; a text filter narrows further.
        view.query_one("#events-kind").active = "events-errors"
        await pilot.pause(0.2)
        errors = "\n".join(str(line.text) for line in log.lines)
        assert "RateLimitError" in errors and "thinking:" not in errors
        view.query_one("#events-kind").active = "events-all"
        view.query_one("#events-filter").value = "sandbox_test"
        await pilot.pause(0.2)
        only = [str(line.text) for line in log.lines if str(line.text).strip() and str(line.text)[0].isdigit()]
        assert only and all("sandbox_test" in line for line in only)


async def test_events_pane_under_a_flood_is_batched_and_bounded():
    from agent_debug.tui.widgets.events.events_view import EventsView
    from tests.graphs import flood_builder

    graph = flood_builder().compile()
    app = control_app("memory", graph, create=True)
    app.events.cap = 3_000  # a small cap, to see it hold
    from collections import deque

    app.events._events = deque(maxlen=3_000)
    writes = 0
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one("#events-log")
        original = log.write

        def counting(content, *args, **kw):
            nonlocal writes
            writes += 1
            return original(content, *args, **kw)

        log.write = counting
        await settle(pilot)
        await pilot.press("l")  # a RichLog draws only once it is on screen
        app.act("run", lambda: app.controller.start("f", {"customs": 3000, "logs": 2000, "words": 3000}))
        view = app.query_one(EventsView)
        for _ in range(4000):  # a condition, with a generous cap for a loaded machine
            await pilot.pause(0.05)
            if not app.controller.running and app.events._drained == app.events._appended and not view.lines_waiting:
                break
        await settle(pilot)
        produced = app.events._appended
        assert produced > 8_000
        assert len(app.events.snapshot()) == 3_000 and app.events.dropped == produced - 3_000  # memory bounded
        # Batched: many events per UI write. (Not a rate: a loaded machine runs the flood
        # over more ticks, one write each, so the bound leaves room for 25× slower runs.)
        assert writes < produced / 25
        text = "\n".join(str(line.text) for line in log.lines)
        # The newest events always reach the pane; the oldest may have fallen out of the cap.
        assert "custom {'i': 2999}" in text and "run finished done" in text


async def test_click_a_graph_node_then_replay_its_newest_phase(store):
    """Clicking `sandbox_test` in the drawing and pressing `r` replays that node's newest run."""
    from agent_debug.fixtures.feature_request import graph
    from agent_debug.tui.widgets.graph.graph_view import GraphView

    app = control_app(str(store), graph)
    async with app.run_test(size=SIZE) as pilot:
        await open_thread(pilot, "feature-001-done")
        view = app.query_one(GraphView)
        for _ in range(60):
            if view.drawing is not None and "sandbox_test" in view.drawing.node_boxes:
                break
            await pilot.pause(0.05)
        top, left, height, width = view.drawing.node_boxes["sandbox_test"]
        await pilot.click("#graph-drawing", offset=(left + width // 2, top + height // 2))
        await settle(pilot)
        assert app.graph_node == "sandbox_test" and view.selected == "sandbox_test"
        newest = max((r for r in app.query_one(HistoryTree).rows if "sandbox_test" in r.nodes), key=lambda r: r.checkpoint_id)
        def offered(screen) -> None:
            assert (screen.phase, screen.checkpoint_id) == ("sandbox_test", newest.parent_id)

        outcome = await replay_with_keys(pilot, offered)
        assert outcome.phases == ["sandbox_test"] and outcome.replayed_from == newest.parent_id
