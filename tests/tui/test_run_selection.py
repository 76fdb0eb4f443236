"""``run`` in the app: the thread the run starts is selected at once (the panes never show
another thread while the store does not hold it yet), the node that runs is marked on the
graph while it runs, and an existing thread waiting at an interrupt opens its dialog
instead of running again. Real graphs on SQLite stores LangGraph wrote; the runs are
driven gate by gate, and the tests wait for conditions, never for durations."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

from agent_debug.inspector.acting_store import open_store_for_app
from agent_debug.inspector.exceptions import ControlError
from agent_debug.inspector.session import DebugSession
from agent_debug.inspector.sources.local import LocalSource
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from agent_debug.tui.widgets.graph.graph_view import GraphView
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.threads.thread_list import ThreadList
from tests.tui.conftest import settle
from tests.tui.test_events_pane import gated_builder, wait_until

SIZE = (140, 45)


def written_by_langgraph(db: Path, builder: Any, runs: dict[str, Any]) -> None:
    """Run the graph ``builder`` makes on LangGraph's own SqliteSaver over ``db``: thread id → input."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(db, check_same_thread=False)
    try:
        graph = builder.compile(checkpointer=SqliteSaver(conn))
        for thread, payload in runs.items():
            graph.invoke(payload, {"configurable": {"thread_id": thread}})
    finally:
        conn.close()


def acting_app(db: Path, graph: Any, **kw: Any) -> AgentDebugApp:
    store = open_store_for_app(str(db))
    return AgentDebugApp(store.source, graph=graph, controller=DebugSession(LocalSource(store, graph)), **kw)


def graph_text(app: AgentDebugApp) -> str:
    drawing = app.query_one(GraphView).drawing
    return "\n".join(drawing.lines) if drawing is not None else ""


async def test_the_run_thread_is_selected_at_once_and_its_running_node_is_marked(tmp_path: Path):
    gates = {"slow": threading.Event(), "hold": threading.Event()}
    graph = gated_builder(gates).compile()
    db = tmp_path / "runs.db"
    for gate in gates.values():
        gate.set()
    written_by_langgraph(db, gated_builder(gates), {"old-1": {}})  # an older thread, done
    for gate in gates.values():
        gate.clear()
    # The run waits before it writes anything until the thread list has been read
    # without it: the case where the list alone would choose the older thread.
    begin = threading.Event()
    app = acting_app(db, graph, poll_interval=0.05, start=("fresh", {}, False))
    app.feed.pipeline.add_sink(lambda event: begin.wait(60) if event.kind == "run_started" else None)
    shown: set[str | None] = set()

    def history_of() -> str | None:
        shown.add(app.query_one(HistoryTree).thread_id)
        return app.query_one(HistoryTree).thread_id

    try:
        async with app.run_test(size=SIZE) as pilot:
            assert app.thread_id == "fresh"  # selected as the app opens
            await wait_until(pilot, lambda: [t.thread_id for t in app.query_one(ThreadList).threads] == ["old-1"], "the list read")
            await pilot.pause()
            assert app.thread_id == "fresh" and history_of() is None  # the older thread was not chosen instead
            begin.set()
            await wait_until(pilot, lambda: history_of() == "fresh" and "● slow" in graph_text(app), "slow marked running", tries=6000)
            assert "● running" in graph_text(app)  # the legend says what the mark means
            # The list, read on its own timer, may not hold the thread yet: it is chosen when it does.
            threads = app.query_one(ThreadList)
            assert threads.selected == "fresh"
            await wait_until(pilot, lambda: threads.thread_at_cursor() == "fresh", "the list's cursor on the run's thread", tries=6000)
            gates["slow"].set()
            await wait_until(pilot, lambda: "● hold" in graph_text(app) and "✓ slow" in graph_text(app), "hold marked instead", tries=6000)
            gates["hold"].set()
            await wait_until(pilot, lambda: not app.controller.running and app.run_stats.status == "done", "the run's end", tries=6000)
            await wait_until(pilot, lambda: "●" not in graph_text(app) and "✓ answer" in graph_text(app), "nothing marked running", tries=6000)
            assert shown <= {None, "fresh"}  # the panes never showed old-1 on the way
    finally:
        begin.set()
        for gate in gates.values():
            gate.set()


async def test_run_on_a_thread_waiting_at_an_interrupt_opens_it_and_runs_nothing(tmp_path: Path):
    from tests.graphs import linear_builder

    graph = linear_builder().compile()
    db = tmp_path / "runs.db"
    written_by_langgraph(db, linear_builder(), {"asks": {"x": 1}})
    kept = hashlib.sha256(db.read_bytes()).hexdigest()
    # run --thread asks: no input, so the thread runs on (DebugSession.start with None).
    app = acting_app(db, graph, poll_interval=0, start=("asks", None, False))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            await settle(pilot)
            if isinstance(app.screen, InterruptScreen):
                break
        assert isinstance(app.screen, InterruptScreen) and app.thread_id == "asks"
        assert app.run_stats.started is None  # no run started: approve did not run again
    assert hashlib.sha256(db.read_bytes()).hexdigest() == kept


async def test_a_start_that_fails_lets_the_list_choose_again(tmp_path: Path):
    from tests.graphs import linear_builder

    graph = linear_builder().compile()
    db = tmp_path / "runs.db"
    written_by_langgraph(db, linear_builder(), {"a": {"x": 1}, "b": {"x": 2}})
    app = acting_app(db, graph, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.selection.start_run("ghost")  # a run about to start on a new thread...
        await pilot.press("down")  # ...holds the selection while the store does not list it
        await settle(pilot)
        assert app.thread_id == "ghost"

        def refused() -> Any:
            raise ControlError("refused before anything was written")

        app.act("run", refused)  # ...until it fails
        await wait_until(pilot, lambda: any("refused" in n.message for n in app._notifications), "the failure told")
        await pilot.press("up")
        await settle(pilot)
        assert app.thread_id == app.query_one(ThreadList).thread_at_cursor() != "ghost"


def test_the_selection_holds_a_starting_run_thread_until_a_checkpoint_of_it_shows():
    from tests.tui.test_selection import row, selection

    chosen, loads, _ = selection()
    chosen.start_run("fresh")
    assert chosen.thread_id == "fresh" and loads.asked == [("history", "fresh", "", "first", "missing ok")]
    chosen.choose_thread("old-1")  # the list's cursor, on a thread it does list
    assert chosen.thread_id == "fresh"
    chosen.reload("newer")  # the store moved: the first page is asked for again, not merged
    assert loads.asked[-2:] == [("threads",), ("history", "fresh", "", "first", "missing ok")]
    chosen.choose_checkpoint(row("c1", "prepare"), head="c1")  # it is in the store, and shown
    chosen.reload("newer")
    assert loads.asked[-1] == ("history", "fresh", "", "newer")
    chosen.choose_thread("old-1")
    assert chosen.thread_id == "old-1"
