"""Pilot flows through the Timeline tab: a row per phase, marks, choosing a phase."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import OptionList, TabbedContent

from agent_debug.inspector.sources.checkpoints import checkpoint_time
from agent_debug.inspector.targets import open_source
from agent_debug.inspector.timeline import build_timeline
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.timeline.timeline_view import TimelineView
from tests.timeline_graph import write_threads
from tests.tui.conftest import settle

SIZE = (160, 45)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("timeline-view") / "runs.db"
    write_threads(path)
    return path


def _clock(db: Path):
    with open_source(str(db)) as source:
        newest = max(t.checkpoint_id for t in source.threads().threads)
    when = checkpoint_time(newest) + timedelta(minutes=4)
    return lambda: when


def make_app(db: Path, thread: str) -> AgentDebugApp:
    return AgentDebugApp(open_source(str(db)), clock=_clock(db), poll_interval=0, thread_id=thread)


async def _timeline_of(pilot, app: AgentDebugApp) -> TimelineView:
    await settle(pilot)
    await pilot.press("T")
    await settle(pilot)
    assert app.query_one(TabbedContent).active == "timeline"
    view = app.query_one(TimelineView)
    assert view.timeline is not None and view.thread_id == app.thread_id
    return view


async def test_T_shows_a_row_per_phase_with_retries_and_waits_marked(store: Path):
    app = make_app(store, "answered")
    async with app.run_test(size=SIZE) as pilot:
        view = await _timeline_of(pilot, app)
        with open_source(str(store)) as source:
            expected = build_timeline(source, "answered", now=app.clock())
        rows = view.rows()
        assert len(rows) == len(expected.phases) == app.query_one(OptionList).option_count
        by_node = {row.split()[1] if row.split()[0].isdigit() else row.split()[0]: row for row in rows}
        assert "↻1" in by_node["flaky"]  # failed once, run again
        assert "⏸" in by_node["writer"] and "⏸" in next(r for r in rows if " sign " in r)
        assert "█" in by_node["prep"] and "░" in by_node["writer"]  # work and waiting drawn apart
        # The subgraph's phases are indented under the phase that ran them.
        sign = next(r for r in rows if " sign " in r)
        assert sign.index("sign") > by_node["writer"].index("writer")
        # The history's span column shows the waiting apart from phase time.
        tree = app.query_one(HistoryTree)
        writer_row = next(r for r in tree.rows if r.nodes == ["writer"])
        label = str(tree.node_of(writer_row.checkpoint_id).label)
        assert "⏸" in label and "+" not in label.split("⏸")[0].split()[-1]


async def test_choosing_a_phase_selects_its_checkpoint_in_the_history(store: Path):
    app = make_app(store, "answered")
    async with app.run_test(size=SIZE) as pilot:
        view = await _timeline_of(pilot, app)
        phases = view.timeline.phases
        prep = next(i for i, p in enumerate(phases) if p.node == "prep")
        options = app.query_one(OptionList)
        options.focus()
        options.highlighted = prep
        await pilot.press("enter")
        await settle(pilot)
        assert app.checkpoint_id == phases[prep].checkpoint_id and app.namespace == ""
        assert app.query_one(HistoryTree).cursor_node.data.checkpoint_id == phases[prep].checkpoint_id
        # A click on a subgraph phase's row shows that namespace with its checkpoint selected.
        sign = next(i for i, p in enumerate(phases) if p.node == "sign")
        options.scroll_to_highlight()
        await pilot.click(OptionList, offset=(30, options.styles.gutter.top + sign - options.scroll_offset.y))
        await settle(pilot)
        assert app.namespace == phases[sign].namespace
        assert app.checkpoint_id == phases[sign].checkpoint_id


async def test_a_failed_and_a_waiting_thread_are_marked(store: Path):
    app = make_app(store, "failing")
    async with app.run_test(size=SIZE) as pilot:
        view = await _timeline_of(pilot, app)
        flaky = next(r for r in view.rows() if "flaky" in r)
        assert "✗" in flaky
        caption = str(app.query_one("#timeline-caption").content)
        assert "1 failed" in caption
    app = make_app(store, "waiting")
    async with app.run_test(size=SIZE) as pilot:
        view = await _timeline_of(pilot, app)
        writer = next(p for p in view.timeline.phases if p.node == "writer")
        assert writer.status == "interrupted" and writer.end is None
        # It waits until the app's clock: four minutes.
        assert "⏸ 4m" in next(r for r in view.rows() if "writer" in r)
