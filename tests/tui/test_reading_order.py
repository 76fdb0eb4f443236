"""Readings reach the screen in the order they were asked for, and a reading that comes
before the tabs it fills are mounted waits for them.

A worker a newer request replaces is only marked cancelled; on a busy machine its older
reading ended after the newer one and stayed on screen (CI: a thread still listed
``interrupted`` after the resume another process made). A history read after the first
paint's wait ran out came while the hidden tabs were mounting and the app stopped on
``NoMatches: TimelineView``."""

from __future__ import annotations

import threading
from pathlib import Path

from agent_debug.inspector.targets import open_source
from agent_debug.tui import app as app_module
from agent_debug.tui import store_loader
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.store_loader import InOrder
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.state.state_tree import StateTree
from agent_debug.tui.widgets.threads.thread_list import ThreadList
from tests.tui.conftest import fixed_clock, settle
from tests.tui.test_events_pane import wait_until

SIZE = (140, 45)


class Inbox:
    """Where ``InOrder`` posts: the messages in the order they were posted."""

    def __init__(self) -> None:
        self.messages: list[object] = []

    def post_message(self, message: object) -> None:
        self.messages.append(message)


def test_a_reading_older_than_one_posted_is_dropped() -> None:
    order, inbox = InOrder(), Inbox()
    first, second, third = order.ask(), order.ask(), order.ask()
    order.post(inbox, second, "second")
    order.post(inbox, second, "second, the rest")  # one request may post twice (a first page, then all)
    order.post(inbox, first, "first")
    order.post(inbox, third, "third")
    assert inbox.messages == ["second", "second, the rest", "third"]


async def test_an_older_listing_that_ends_after_a_newer_one_is_not_shown(snapshot_db: Path, monkeypatch) -> None:
    """Two reloads; the first one's reading is held until the second one's is shown."""
    source = open_source(str(snapshot_db))
    app = AgentDebugApp(source, clock=fixed_clock(snapshot_db), poll_interval=0)
    read = source.threads
    readings: list[object] = []
    hold = threading.Event()

    def threads(**kw):
        doc = read(**kw)
        readings.append(doc)
        if len(readings) == 2:
            hold.wait(60)  # the first reload's reading, read before the second one's
        return doc

    source.threads = threads
    shown: list[object] = []
    original = ThreadList.show

    def spy(self, threads, total, now):
        shown.append(threads)
        original(self, threads, total, now)

    monkeypatch.setattr(ThreadList, "show", spy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(readings) == 1
        app.selection.reload("newer")
        await wait_until(pilot, lambda: len(readings) == 2, "the first reload's reading")  # read, held before it is posted
        app.selection.reload("newer")  # its worker is marked cancelled; the thread reads on
        await wait_until(pilot, lambda: len(readings) == 3 and len(shown) == 2, "the second reload's listing shown")
        assert len(readings) == 3 and shown[-1] is readings[2].threads
        hold.set()
        await settle(pilot)
        assert not any(w.is_running for w in app.workers)
        assert [id(s) for s in shown] == [id(readings[0].threads), id(readings[2].threads)]


async def test_the_newest_page_of_a_history_not_shown_yet_is_shown_as_its_first(snapshot_db: Path) -> None:
    """A reload's newest page may come before the chosen thread's first page (dropped
    then, as older): merged into the other thread's rows, it mixed two histories."""
    source = open_source(str(snapshot_db))
    app = AgentDebugApp(source, clock=fixed_clock(snapshot_db), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.query_one(HistoryTree)
        other = next(t.thread_id for t in source.threads().threads if t.thread_id != tree.thread_id)
        page = source.history(other, limit=store_loader.HISTORY_PAGE)
        tree.merge_newer(page, follow=True, now=app.clock())
        assert tree.thread_id == other
        assert [r.checkpoint_id for r in tree.rows] == [c.checkpoint_id for c in page.checkpoints]


async def test_a_history_that_comes_before_the_tabs_are_mounted_waits_for_them(snapshot_db: Path, monkeypatch) -> None:
    """The reads do not wait for the first paint (its wait ran out) and the hidden tabs
    are mounted late: the history is held, then shown with the state it leads to."""
    monkeypatch.setattr(store_loader, "FIRST_PAINT_WAIT_S", 0.0)
    monkeypatch.setattr(app_module, "FIRST_PAINT_WAIT_S", 600.0)  # the app's own timer: not in this test
    released = False
    fill = AgentDebugApp._fill_panes

    async def late(self):
        if released:
            await fill(self)

    monkeypatch.setattr(AgentDebugApp, "_fill_panes", late)
    source = open_source(str(snapshot_db))
    read = source.history
    histories = threading.Event()

    def history(*args, **kw):
        page = read(*args, **kw)
        histories.set()
        return page

    source.history = history
    app = AgentDebugApp(source, clock=fixed_clock(snapshot_db), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert histories.is_set() and app.is_running
        assert app.query_one(HistoryTree).rows == []  # held
        released = True
        await app._fill_panes()
        await settle(pilot)
        tree = app.query_one(HistoryTree)
        assert tree.rows and tree.thread_id == app.thread_id
        assert app.checkpoint_id is not None and app.query_one(StateTree).root.children


async def test_an_older_drawing_that_ends_after_a_newer_one_is_not_shown(snapshot_db: Path, monkeypatch) -> None:
    """The graph's drawings are in order too: one made while a node ran, ending after the
    drawing made once it finished, left the node marked running."""
    from agent_debug.tui.widgets.graph.graph_view import GraphView

    source = open_source(str(snapshot_db))
    app = AgentDebugApp(source, clock=fixed_clock(snapshot_db), poll_interval=0)
    shown: list[object] = []
    original = GraphView.show

    def spy(self, drawing, caption, *, title=None):
        shown.append(drawing)
        original(self, drawing, caption, title=title)

    monkeypatch.setattr(GraphView, "show", spy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = app.drawing._all_rows
        calls: list[int] = []
        hold = threading.Event()

        def all_rows(*args, **kw):
            calls.append(1)
            found = rows(*args, **kw)
            if len(calls) == 1:
                hold.wait(60)  # the first redraw, slow
            return found

        app.drawing._all_rows = all_rows
        before = len(shown)
        app.redraw_graph()
        await wait_until(pilot, lambda: len(calls) == 1, "the first redraw begun")
        app.redraw_graph()
        await wait_until(pilot, lambda: len(shown) == before + 1, "the second redraw shown")
        newest = shown[-1]
        hold.set()
        await settle(pilot)
        assert len(shown) == before + 1 and app.query_one(GraphView).drawing is newest
