"""What the user sees, at a fixed terminal size, on the committed sample store.

The store (tests/data/snapshot.db) is opened read-only in place under a relative path and
the app's clock is pinned, so ids, ages and paths are the same on every machine.
Update after an intended change with: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from agent_debug.tui.app import AgentDebugApp
from tests.tui.conftest import SNAPSHOT_DB, fixed_clock, settle

SIZE = (140, 42)
ROOT = Path(__file__).resolve().parents[2]


def app(**kw) -> AgentDebugApp:
    # chdir so the header shows the same relative path wherever the repository lives.
    os.chdir(ROOT)
    target = str(SNAPSHOT_DB.relative_to(ROOT))
    return AgentDebugApp(open_source(target), clock=fixed_clock(SNAPSHOT_DB), poll_interval=0, **kw)


def steps(*keys: str, thread: str | None = None):
    async def run(pilot) -> None:
        await settle(pilot)
        if thread:
            await pilot.press("slash", *thread, "enter")
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_overview_graph_of_an_interrupted_thread(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=steps(thread="feature-002-interrupted"))


def test_state_tree(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=steps("v", thread="feature-001-done"))


def test_messages_and_thinking(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=steps("m", thread="feature-001-done"))


def test_error_tab(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=steps("x", thread="feature-003-error"))


def test_fork_tree_and_diff(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=steps("d", thread="feature-005-forked"))


def test_interrupt_inbox(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=steps("i"))


def test_light_theme_with_the_real_graph(snap_compare):
    from agent_debug.fixtures.supervisor import graph

    assert snap_compare(app(graph=graph), terminal_size=SIZE, run_before=steps("t", thread="supervisor-009-interrupted"))


def test_graph_tab_inside_a_subgraph_namespace(snap_compare):
    """`]` twice: the writer subgraph of the real graph, waiting at its sign-off."""
    from agent_debug.fixtures.supervisor import graph

    keys = ("escape", "right_square_bracket", "right_square_bracket")
    assert snap_compare(app(graph=graph), terminal_size=SIZE, run_before=steps(*keys, thread="supervisor-009-interrupted"))


def test_help(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=steps("question_mark"))


RECORDING = ROOT / "tests" / "data" / "events.ndjson"


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Event lines show local clock time: pin the zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def recording_app() -> AgentDebugApp:
    """The committed recording of a feature_request run (tests/data/events.ndjson), up to its review."""
    os.chdir(ROOT)
    target = str(RECORDING.relative_to(ROOT))
    return AgentDebugApp(open_source(target), clock=fixed_clock(RECORDING), poll_interval=0)


def test_events_pane_of_a_recording(snap_compare, utc):
    assert snap_compare(recording_app(), terminal_size=SIZE, run_before=steps("l"))


def test_events_pane_paused_while_reading_back(snap_compare, utc):
    async def scroll_back(pilot) -> None:
        await steps("l")(pilot)
        pilot.app.query_one("#events-log").scroll_relative(y=-12, animate=False)
        await settle(pilot)

    assert snap_compare(recording_app(), terminal_size=SIZE, run_before=scroll_back)


def acting_app(db: Path, monkeypatch: pytest.MonkeyPatch) -> AgentDebugApp:
    """The app on a private copy of the sample store with the feature graph bound (the
    acting keys are in the footer); named by a relative path, so the header is the same everywhere."""
    from agent_debug.inspector.graph_ref import load_graph
    from agent_debug.inspector.session import open_session

    monkeypatch.chdir(db.parent)
    session = open_session(db.name, graph=load_graph("agent_debug.fixtures.feature_request:graph"))
    return AgentDebugApp(session.source, graph=session.user_graph, controller=session, clock=fixed_clock(db), poll_interval=0)


def test_main_screen_at_80x24(snap_compare, snapshot_db, monkeypatch):
    """Narrow: the thread list keeps its id and status, the footer its acting keys."""
    assert snap_compare(acting_app(snapshot_db, monkeypatch), terminal_size=(80, 24), run_before=steps())


def test_interrupt_inbox_at_80x24(snap_compare, snapshot_db, monkeypatch):
    """Narrow: each question readable, the thread ids cut to make room."""
    assert snap_compare(acting_app(snapshot_db, monkeypatch), terminal_size=(80, 24), run_before=steps("i"))


def test_main_screen_at_200x60(snap_compare, snapshot_db, monkeypatch):
    """Wide: the thread list adds its detail column (why each thread stopped)."""
    assert snap_compare(acting_app(snapshot_db, monkeypatch), terminal_size=(200, 60), run_before=steps())


def test_state_and_value_detail_side_by_side_at_200x60(snap_compare, snapshot_db, monkeypatch):
    """Wide: the whole value shows in a column beside the state tree."""

    async def highlight_a_value(pilot) -> None:
        await steps("v", thread="feature-001-done")(pilot)
        pilot.app.set_focus(pilot.app.query_one("#state-tree"))
        await pilot.press("down", "down")
        await settle(pilot)

    assert snap_compare(acting_app(snapshot_db, monkeypatch), terminal_size=(200, 60), run_before=highlight_a_value)
