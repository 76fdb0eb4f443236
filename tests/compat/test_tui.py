"""The debugger (Pilot) once per app: the State tab shows the thread's state and, at an
interrupt, the answer dialog (``a``) starts with a value the library itself accepts.

The dialog's values are read, not sent by the app: LangGraph is then given them
(``Command(resume=...)``) on the same copy of the store, so the library is the judge.
"""

from __future__ import annotations

import json

import pytest
from langgraph.types import Command
from textual.widgets import TextArea

from agent_debug.inspector.acting_store import open_store_for_app
from agent_debug.inspector.session import DebugSession
from agent_debug.inspector.sources.local import LocalSource
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from agent_debug.tui.widgets.state.state_tree import StateTree
from tests.compat.apps import APPS, config
from tests.compat.conftest import known_values, open_langgraph
from tests.tui.conftest import settle

SIZE = (140, 45)


async def _wait_for(pilot, test, what: str, tries: int = 200):
    """Until ``test()`` holds, letting workers and messages run between tries."""
    for _ in range(tries):
        await settle(pilot)
        if test():
            return
        await pilot.pause()
    raise AssertionError(f"{what} did not happen")


@pytest.mark.parametrize("name", list(APPS))
async def test_state_tab_and_answer_dialog(name, compat_store, tmp_path):
    store = compat_store(name)
    interrupted = "interrupted" in store.app.states
    thread = store.thread("interrupted" if interrupted else "done")
    snap = store.snapshot(thread)
    copy = store.copy(tmp_path / "store")
    graph = store.app.build(None)
    backing = open_store_for_app(str(copy))
    app = AgentDebugApp(backing.source, graph=graph, controller=DebugSession(LocalSource(backing, graph)), poll_interval=0, thread_id=thread)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _wait_for(pilot, lambda: app.state is not None and app.state.thread_id == thread, f"state of {thread}")
            await pilot.press("v")
            tree = app.query_one(StateTree)
            await _wait_for(pilot, lambda: len(tree.root.children) > 0, "a non-empty State tab")
            expected = known_values(store, snap, snap.values)
            if isinstance(expected, dict):
                shown = {str(n.label).split(":")[0].strip() for n in tree.root.children}
                assert set(expected) <= shown, (shown, sorted(expected))
            if not interrupted:
                return
            await pilot.press("a")
            await _wait_for(pilot, lambda: isinstance(app.screen, InterruptScreen), "the answer dialog")
            screen = app.screen
            assert {i.id for i in screen.interrupts} == {i.id for i in snap.interrupts}
            prefilled = {i.id: json.loads(screen.query_one(f"#value-{n}", TextArea).text) for n, i in enumerate(screen.interrupts)}
            await pilot.press("escape")
            await settle(pilot)
    finally:
        backing.close()
    # LangGraph decides: the values resume the run (a response_schema is checked by interrupt()
    # itself), and the app reads them as the approval they stand for.
    lg, conn = open_langgraph(store.app, copy)
    try:
        lg.invoke(Command(resume=prefilled), config(thread))
        after = lg.get_state(config(thread))
    finally:
        conn.close()
    assert not {i.id for i in after.interrupts} & set(prefilled), "the same interrupts are still pending"
    assert store.app.approved(after.values), (prefilled, after.values)
