"""The Graph tab follows `]` / `[` into the thread's subgraph namespaces and back."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from agent_debug.inspector.acting_store import open_store_for_app
from agent_debug.inspector.session import DebugSession
from agent_debug.inspector.sources.local import LocalSource
from agent_debug.inspector.targets import open_source
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.widgets.graph.graph_view import GraphView
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from tests.tui.conftest import fixed_clock, settle
from tests.tui.test_app import static_text

SIZE = (140, 50)


def make_app(db: Path, **kw) -> AgentDebugApp:
    return AgentDebugApp(open_source(str(db)), clock=fixed_clock(db), poll_interval=0, **kw)


async def until(pilot, condition: Callable[[], bool], what: str, tries: int = 100) -> None:
    """Let the app work until ``condition`` holds (each round waits for the workers)."""
    for _ in range(tries):
        await settle(pilot)
        if condition():
            return
    raise AssertionError(f"never happened: {what}")


def drawn_nodes(app: AgentDebugApp) -> dict[str, str]:
    """Node id → the style its label is drawn with (``node.visited``, ``node``, ``end``, …)."""
    drawing = app.query_one(GraphView).drawing
    styles: dict[str, str] = {}
    for row in range(len(drawing.lines)):
        for span in drawing.row_spans(row):
            if span.node is not None:
                styles.setdefault(span.node, span.style)
    return styles


def shows(app: AgentDebugApp, namespace: str, node: str) -> bool:
    """The app is in ``namespace`` and the Graph tab draws ``node`` for it."""
    view = app.query_one(GraphView)
    return app.namespace == namespace and view.drawing is not None and node in view.drawing.node_boxes


async def walk_to(pilot, prefix: str, key: str = "right_square_bracket") -> str:
    """Press ``key`` until the app shows the namespace starting with ``prefix`` ('' = root)."""
    app = pilot.app
    for _ in range(len(app.source.namespaces(app.thread_id)) + 1):
        if (app.namespace.startswith(prefix) and prefix) or (not prefix and not app.namespace):
            return app.namespace
        before = app.namespace
        await pilot.press(key)
        await until(pilot, lambda left=before: app.namespace != left, f"{key} left {before!r}")
    raise AssertionError(f"no namespace {prefix!r}")


async def test_with_the_real_graph_each_subgraph_is_drawn_with_its_own_statuses(snapshot_db):
    from agent_debug.fixtures.supervisor import graph

    app = make_app(snapshot_db, graph=graph, thread_id="supervisor-009-interrupted")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: shows(app, "", "writer"), "the root graph")
        assert "draft" not in app.query_one(GraphView).drawing.node_boxes

        researcher = await walk_to(pilot, "researcher:")
        await until(pilot, lambda: shows(app, researcher, "summarize"), "the researcher subgraph")
        caption = static_text(app, "#graph-caption")
        assert f"subgraph researcher · namespace {researcher}" in caption and "graph from --graph" in caption
        styles = drawn_nodes(app)
        assert {styles[n] for n in ("split_questions", "investigate", "summarize")} == {"node.visited"}
        assert "supervisor" not in styles

        writer = await walk_to(pilot, "writer:")
        await until(pilot, lambda: shows(app, writer, "sign_off"), "the writer subgraph")
        assert f"namespace {writer}" in static_text(app, "#graph-caption")
        styles = drawn_nodes(app)
        assert styles["draft"] == "node.visited" and styles["sign_off"] == "node.interrupted"
        assert styles["__end__"] == "end"

        # `[` walks back: the researcher again, then the root graph as it was.
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: shows(app, researcher, "summarize"), "back in the researcher")
        await walk_to(pilot, "", key="left_square_bracket")
        await until(pilot, lambda: shows(app, "", "writer"), "back at the root graph")
        caption = static_text(app, "#graph-caption")
        assert "namespace" not in caption and "graph from --graph" in caption
        styles = drawn_nodes(app)
        assert styles["writer"] == "node.interrupted" and styles["researcher"] == "node.visited"


async def test_without_a_graph_the_subgraph_is_reconstructed_and_follows_its_checkpoints(snapshot_db):
    app = make_app(snapshot_db, thread_id="supervisor-010-done")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.thread_id == "supervisor-010-done", "the thread chosen")
        researcher = await walk_to(pilot, "researcher:")
        await until(pilot, lambda: shows(app, researcher, "summarize"), "the reconstructed researcher")
        assert "reconstructed from this subgraph's checkpoints" in static_text(app, "#graph-caption")
        assert drawn_nodes(app)["summarize"] == "node.visited"
        assert "__end__" in app.query_one(GraphView).drawing.node_boxes  # its run finished

        writer = await walk_to(pilot, "writer:")
        await until(pilot, lambda: shows(app, writer, "sign_off"), "the reconstructed writer")
        assert set(drawn_nodes(app)) >= {"__start__", "draft", "sign_off"}
        # An older checkpoint of the writer's own history: the first draft done, sign-off due.
        tree = app.query_one(HistoryTree)
        first_draft = min((r for r in tree.rows if r.nodes == ["draft"]), key=lambda r: r.checkpoint_id)
        assert tree.select_checkpoint(first_draft.checkpoint_id)
        await until(
            pilot,
            lambda: app.state is not None and app.state.checkpoint_id == first_draft.checkpoint_id
            and drawn_nodes(app).get("sign_off") == "node.next",
            "the graph at the writer's first draft",
        )
        assert drawn_nodes(app)["draft"] == "node.visited"


async def test_two_levels_deep_with_breakpoints_and_a_clicked_node_named_as_breakpoints_name_it(tmp_path: Path):
    from langgraph.checkpoint.sqlite import SqliteSaver

    from tests.graphs import nested_builder

    db = tmp_path / "nested.db"
    conn = sqlite3.connect(db, check_same_thread=False)
    nested_builder().compile(checkpointer=SqliteSaver(conn)).invoke({"trail": []}, {"configurable": {"thread_id": "n"}})
    conn.commit()
    conn.close()
    graph = nested_builder().compile()
    store = open_store_for_app(str(db))
    controller = DebugSession(LocalSource(store, graph))
    controller.toggle_breakpoint("middle:inner:deep")
    app = AgentDebugApp(store.source, graph=graph, controller=controller, poll_interval=0, thread_id="n")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.thread_id == "n", "the thread chosen")
        middle = await walk_to(pilot, "middle:")
        assert "|" not in middle
        await until(pilot, lambda: shows(app, middle, "inner"), "the middle subgraph")
        styles = drawn_nodes(app)
        assert styles["prepare"] == "node.visited" and styles["inner"] == "node.visited"  # inner drawn collapsed
        assert "⏺ inner" in static_text(app, "#graph-drawing")  # a breakpoint inside it

        await pilot.press("right_square_bracket")
        await until(pilot, lambda: "|inner:" in app.namespace and shows(app, app.namespace, "polish"), "the inner subgraph")
        assert f"subgraph middle › inner · namespace {app.namespace}" in static_text(app, "#graph-caption")
        assert {drawn_nodes(app)[n] for n in ("deep", "polish")} == {"node.visited"}
        assert "⏺ deep" in static_text(app, "#graph-drawing")  # the breakpoint, where it sits

        app.query_one(GraphView).post_message(GraphView.NodeSelected("deep"))
        await until(pilot, lambda: app.graph_node is not None, "the click reached the app")
        assert app.graph_node == "middle:inner:deep"
