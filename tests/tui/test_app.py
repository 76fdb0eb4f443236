"""Pilot flows through the app: selection, history, state, diff, filters, live follow."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from textual.widgets import DataTable, Static

from agent_debug.inspector.targets import open_source
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.widgets.graph.graph_view import GraphView
from agent_debug.tui.widgets.history.history_tree import HistoryTree, OlderPage
from agent_debug.tui.widgets.state.state_tree import MoreRef, StateTree, ValueRef
from agent_debug.tui.widgets.threads.thread_list import ThreadList
from tests.tui.conftest import fixed_clock, settle

SIZE = (140, 45)


def make_app(db: Path, **kw) -> AgentDebugApp:
    kw.setdefault("poll_interval", 0)
    return AgentDebugApp(open_source(str(db)), clock=fixed_clock(db), **kw)


def static_text(app: AgentDebugApp, selector: str) -> str:
    """What a Static shows, as plain text."""
    from rich.console import Console

    console = Console(width=200, record=True, file=open(os.devnull, "w"))
    console.print(app.query_one(selector, Static).content)
    return console.export_text()


async def choose(pilot, thread_id: str) -> None:
    """Filter the thread list to one thread the way a user does: / id Enter."""
    await pilot.press("slash", *thread_id, "enter")
    await settle(pilot)


async def test_select_thread_history_state_and_diff(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one("#thread-table", DataTable)
        assert table.row_count == 12
        assert app.thread_id is not None and app.checkpoint_id is not None

        await choose(pilot, "feature-001-done")
        assert app.thread_id == "feature-001-done"
        tree = app.query_one(HistoryTree)
        with open_source(str(snapshot_db)) as source:
            expected = source.history("feature-001-done", limit=None)
        assert [r.checkpoint_id for r in tree.rows] == [c.checkpoint_id for c in expected.checkpoints]
        assert app.checkpoint_id == expected.checkpoints[0].checkpoint_id

        await pilot.press("v")
        state = app.query_one(StateTree)
        keys = [str(n.label).split(":")[0] for n in state.root.children]
        assert {"request", "messages", "code", "approved"} <= set(keys)

        # Step back one checkpoint in the history: state and diff follow the cursor.
        tree.focus()
        await pilot.press("down")
        await settle(pilot)
        assert app.checkpoint_id == expected.checkpoints[1].checkpoint_id
        await pilot.press("d")
        diff = static_text(app, "#diff-body")
        assert "compared with parent" in diff
        assert "sandbox_test" not in diff or "~" in diff or "+" in diff
        await pilot.press("m")
        messages = static_text(app, "#messages-body")
        assert "thinking:" in messages and "tokens in" in messages


async def test_errors_and_interrupts_tab(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "feature-003-error")
        await pilot.press("x")
        pending = static_text(app, "#pending-body")
        assert "ValueError: sandbox image 'python:9.9' not found" in pending
        await choose(pilot, "feature-002-interrupted")
        pending = static_text(app, "#pending-body")
        assert "Approve this change?" in pending and "interrupt in review" in pending


async def test_status_filter_and_interrupt_inbox(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one("#thread-table", DataTable)
        await pilot.press("s")  # all → interrupted
        widget = app.query_one(ThreadList)
        interrupted = [t for t in widget.threads if t.status.value == "interrupted"]
        assert table.row_count == len(interrupted) == 3
        await pilot.press("s")  # → error
        assert table.row_count == 1
        await pilot.press("i")
        assert table.row_count == sum(len(t.interrupts) for t in interrupted)
        assert "interrupt inbox" in static_text(app, "#thread-caption")
        await pilot.press("i", "s", "s", "s")  # inbox off, then error → pending → done → all
        assert table.row_count == 12


async def test_history_pages_lazily(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "loop-012-done")
        tree = app.query_one(HistoryTree)
        assert len(tree.rows) == 50 and tree.total == 102
        last = tree.root.children[-1]
        assert isinstance(last.data, OlderPage)
        tree.move_cursor(last)
        await settle(pilot)
        assert len(tree.rows) == 100
        tree.move_cursor(tree.root.children[-1])
        await settle(pilot)
        assert len(tree.rows) == 102
        assert not isinstance(tree.root.children[-1].data, OlderPage)


async def test_fork_shows_as_a_branch(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "feature-005-forked")
        tree = app.query_one(HistoryTree)

        def walk(node):
            for child in node.children:
                yield node, child
                yield from walk(child)

        branches = [(parent, child) for parent, child in walk(tree.root) if "branch of" in str(child.label)]
        assert len(branches) == 1
        fork_point, branch = branches[0]
        # The trunk runs through the update (the head's ancestry); the original run hangs
        # under the checkpoint it was forked from.
        assert any(r.parent_id == fork_point.data.checkpoint_id and r.source == "update" for r in tree.rows)
        assert all(c.data.checkpoint_id not in {r.checkpoint_id for r in tree.rows[:1]} for c in branch.children)
        assert "4" in str(branch.label) and len(branch.children) == 4


async def test_state_tree_is_lazy_and_keeps_expanded_paths(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "feature-001-done")
        await pilot.press("v")
        state = app.query_one(StateTree)
        messages = next(n for n in state.root.children if isinstance(n.data, ValueRef) and n.data.path == "messages")
        assert not messages.children  # nothing made before expansion
        messages.expand()
        await settle(pilot)
        assert len(messages.children) == len(messages.data.value)
        # Another checkpoint: the messages node comes back expanded.
        tree = app.query_one(HistoryTree)
        tree.focus()
        await pilot.press("down")
        await settle(pilot)
        again = next(n for n in state.root.children if isinstance(n.data, ValueRef) and n.data.path == "messages")
        assert again.is_expanded and again.children
        # The detail pane shows the whole highlighted value, and y (in the state tree) copies it.
        state.focus()
        state.move_cursor(again.children[0])
        await settle(pilot)
        assert "messages.0" in static_text(app, "#value-path")
        await pilot.press("y")
        assert '"__type__"' in app.clipboard
        await pilot.press("Y")
        assert app.clipboard == "messages.0"


async def test_big_lists_come_in_batches(tmp_path: Path):
    db = tmp_path / "big.db"
    script = textwrap.dedent(
        f"""
        import sqlite3
        from typing import TypedDict
        from langgraph.graph import StateGraph, START
        from langgraph.checkpoint.sqlite import SqliteSaver
        class S(TypedDict):
            rows: list
        g = StateGraph(S)
        g.add_node("fill", lambda s: {{"rows": list(range(250))}})
        g.add_edge(START, "fill")
        conn = sqlite3.connect({str(db)!r}, check_same_thread=False)
        g.compile(checkpointer=SqliteSaver(conn)).invoke({{"rows": []}}, {{"configurable": {{"thread_id": "big"}}}})
        conn.close()
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v")
        state = app.query_one(StateTree)
        rows = state.root.children[0]
        rows.expand()
        await settle(pilot)
        assert len(rows.children) == 101 and isinstance(rows.children[-1].data, MoreRef)
        assert "150 more" in str(rows.children[-1].label)
        state.select_node(rows.children[-1])
        await settle(pilot)
        assert len(rows.children) == 201


async def test_graph_tab_with_the_real_graph(snapshot_db):
    from agent_debug.fixtures.feature_request import graph

    app = make_app(snapshot_db, graph=graph)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "feature-002-interrupted")
        await settle(pilot)
        view = app.query_one(GraphView)
        drawing = static_text(app, "#graph-drawing")
        caption = static_text(app, "#graph-caption")
        assert "--graph" in caption and "reconstructed" not in caption
        for node in ("analyze", "plan", "synthesize", "sandbox_test", "review"):
            assert node in drawing
        assert "interrupted" in drawing  # the legend of the status overlay
        assert view is not None


async def test_graph_focus_mode(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "feature-002-interrupted")
        full = static_text(app, "#graph-drawing")
        assert "analyze" in full
        await pilot.press("z")
        await settle(pilot)
        focused = static_text(app, "#graph-drawing")
        assert app.graph_focus == "review"
        assert "review" in focused and "sandbox_test" in focused and "analyze" not in focused
        assert "more nodes hidden" in focused
        await pilot.press("z")
        await settle(pilot)
        assert "analyze" in static_text(app, "#graph-drawing")


async def test_help_palette_and_theme(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ("Inbox", "Follow", "Diff", "Copy", "Light/dark"):
            assert action in titles
        before = app.theme
        await pilot.press("t")
        assert app.theme != before


async def test_keymap_file_remaps_keys(snapshot_db, tmp_path, monkeypatch):
    keymap = tmp_path / "keymap.json"
    keymap.write_text('{"inbox": "I"}')
    monkeypatch.setenv("AGENT_DEBUG_KEYMAP", str(keymap))
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("I")
        assert app.query_one(ThreadList).inbox


WRITER = textwrap.dedent(
    """
    import sqlite3, sys, time
    from typing import Literal, TypedDict
    from langgraph.graph import END, START, StateGraph
    from langgraph.checkpoint.sqlite import SqliteSaver

    class S(TypedDict, total=False):
        count: int
        target: int

    def tick(s):
        if sys.argv[3] == "stdin":
            sys.stdin.readline()  # one checkpoint per line the test sends: driven step by step
        else:
            time.sleep(float(sys.argv[3]))
        return {"count": s.get("count", 0) + 1}

    def more(s) -> Literal["tick", "__end__"]:
        return "tick" if s.get("count", 0) < s["target"] else END

    b = StateGraph(S)
    b.add_node("tick", tick)
    b.add_edge(START, "tick")
    b.add_conditional_edges("tick", more)
    conn = sqlite3.connect(sys.argv[1], check_same_thread=False)
    b.compile(checkpointer=SqliteSaver(conn)).invoke(
        {"target": int(sys.argv[4])}, {"configurable": {"thread_id": sys.argv[2]}, "recursion_limit": 1000}
    )
    conn.close()
    """
)


async def test_follow_mode_with_a_second_process_writing(snapshot_db):
    # The writer starts a thread, so the app can be told to select it.
    subprocess.run([sys.executable, "-c", WRITER, str(snapshot_db), "live", "0", "1"], check=True)
    app = make_app(snapshot_db, thread_id="live", poll_interval=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.query_one(HistoryTree)
        start = len(tree.rows)
        assert app.thread_id == "live"
        # The writer makes one checkpoint per line it reads: nothing is written while we look.
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(snapshot_db), "live", "stdin", "60"], stdin=subprocess.PIPE, text=True)

        def step(n: int = 1) -> None:
            writer.stdin.write("\n" * n)
            writer.stdin.flush()

        try:
            deadline = time.monotonic() + 120
            step(3)
            while len(tree.rows) < start + 3 and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert len(tree.rows) >= start + 3
            # Follow mode: the newest checkpoint stays selected.
            await settle(pilot)
            assert app.checkpoint_id == tree.rows[0].checkpoint_id
            # Moving off the head turns follow off; the cursor then stays put.
            tree.focus()
            await pilot.press("down")
            await settle(pilot)
            assert not app.follow
            held = app.checkpoint_id
            count = len(tree.rows)
            step()
            while len(tree.rows) == count and time.monotonic() < deadline:
                await pilot.pause(0.05)
            await settle(pilot)
            assert len(tree.rows) > count and app.checkpoint_id == held
        finally:
            writer.terminate()
            writer.wait(timeout=30)


async def test_store_disappearing_is_shown_and_the_app_keeps_running(snapshot_db):
    app = make_app(snapshot_db, poll_interval=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        snapshot_db.rename(snapshot_db.with_suffix(".moved"))
        deadline = time.monotonic() + 5
        while app.problem is None and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert app.problem and "is gone" in app.problem
        assert "⚠" in app.sub_title
        await pilot.press("s")  # still responsive
        snapshot_db.with_suffix(".moved").rename(snapshot_db)
        deadline = time.monotonic() + 5
        while app.problem is not None and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert app.problem is None


async def test_a_checkpoint_chosen_in_the_history_shown_before_is_dropped(snapshot_db):
    """A move in one thread's history whose message arrives once another thread's
    history is shown: the old row must not be read as a checkpoint of the new thread
    (seen when a store replaced under attach raised "no checkpoint … in thread")."""
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "feature-001-done")
        tree = app.query_one(HistoryTree)
        stale = tree.rows[1]
        await choose(pilot, "feature-002-interrupted")
        assert tree.thread_id == "feature-002-interrupted" and app.checkpoint_id == tree.rows[0].checkpoint_id
        tree.post_message(HistoryTree.Chosen(stale, "feature-001-done", ""))
        await settle(pilot)
        assert app.checkpoint_id == tree.rows[0].checkpoint_id
        assert app.problem is None


async def test_the_first_listing_shows_the_newest_page_then_every_thread(snapshot_db, monkeypatch):
    """A big store's first paint waits for one page of threads, not all of them; a thread
    asked for with --thread that is beyond that page is still the one selected."""
    from agent_debug.tui import store_loader

    monkeypatch.setattr(store_loader, "FIRST_THREADS", 3)
    with open_source(str(snapshot_db)) as source:
        whole = source.threads()
    oldest = whole.threads[-1].thread_id
    shown: list[tuple[list[str], int]] = []
    original = ThreadList.show

    def spy(self, threads, total, now):
        shown.append(([t.thread_id for t in threads], total))
        original(self, threads, total, now)

    monkeypatch.setattr(ThreadList, "show", spy)
    app = make_app(snapshot_db, thread_id=oldest)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown[0] == ([t.thread_id for t in whole.threads[:3]], whole.total)
        assert shown[-1] == ([t.thread_id for t in whole.threads], whole.total)
        assert app.thread_id == oldest
