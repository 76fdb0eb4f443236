"""The app remembers the thread and tab shown on a target, and shows them when the target
is opened again (unless a thread is asked for); a thread that is gone is passed over,
and a memory that cannot be written costs one line on the status line, not the app."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import TabbedContent

from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.remember import Remembered, StoredTarget, read_state, state_file
from tests.tui.conftest import settle, wait_until
from tests.tui.test_app import SIZE, choose, make_app


def memory_of(db: Path, **kw) -> Remembered:
    memory = Remembered.open(str(db), **kw)
    assert memory is not None
    return memory


def tab(app: AgentDebugApp) -> str:
    return app.query_one("#right", TabbedContent).active


async def test_the_thread_and_tab_come_back_on_the_same_target(snapshot_db: Path):
    app = make_app(snapshot_db, remember=memory_of(snapshot_db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "tool-008-interrupted")
        await pilot.press("d")  # the Diff tab
        await settle(pilot)
        assert app.thread_id == "tool-008-interrupted" and tab(app) == "diff"
    doc = json.loads(state_file().read_text())
    key = str(snapshot_db.resolve())
    assert doc["last_target"] == key
    assert doc["targets"][key] == {"thread": "tool-008-interrupted", "tab": "diff", "password_dropped": False}

    again = make_app(snapshot_db, remember=memory_of(snapshot_db))
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.thread_id == "tool-008-interrupted" and tab(again) == "diff"
        assert "the last target" not in again.sub_title  # a TARGET was given

    asked = make_app(snapshot_db, thread_id="feature-003-error", remember=memory_of(snapshot_db))  # --thread wins
    async with asked.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert asked.thread_id == "feature-003-error" and tab(asked) == "diff"


async def test_the_selection_is_written_while_the_app_runs(snapshot_db: Path):
    app = make_app(snapshot_db, remember=memory_of(snapshot_db))
    app.REMEMBER_AFTER_S = 0.01
    key = str(snapshot_db.resolve())

    def kept() -> tuple[str | None, str | None]:
        memory = (read_state()[0].targets or {}).get(key)
        return (memory.thread, memory.tab) if memory else (None, None)

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "feature-003-error")
        await pilot.press("v")
        await wait_until(pilot, lambda: kept() == ("feature-003-error", "state"), "the selection written down")
        assert app.thread_id == "feature-003-error"


async def test_a_remembered_thread_that_is_gone_is_passed_over(snapshot_db: Path):
    memory = memory_of(snapshot_db)
    memory.note("deleted-thread", "messages")
    memory.save()
    app = make_app(snapshot_db, remember=memory_of(snapshot_db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.thread_id == "loop-012-done"  # the newest, as without a memory
        assert tab(app) == "messages"
        assert not [n for n in app._notifications if n.severity != "information"]
        assert "⚠" not in app.sub_title


async def test_a_tab_that_is_no_more_is_passed_over(snapshot_db: Path):
    memory = memory_of(snapshot_db)
    memory.note("feature-003-error", "no-such-tab")
    memory.save()
    app = make_app(snapshot_db, remember=memory_of(snapshot_db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.thread_id == "feature-003-error" and tab(app) == "graph"


async def test_the_last_target_reopened_says_so(snapshot_db: Path):
    memory = Remembered(StoredTarget(str(snapshot_db.resolve()), False), reopened=True)
    app = make_app(snapshot_db, remember=memory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "the last target (attach TARGET opens another)" in app.sub_title


async def test_a_memory_that_cannot_be_written_is_one_line_on_the_status(snapshot_db: Path, tmp_path: Path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    memory = memory_of(snapshot_db, path=blocked / "last.json")
    app = make_app(snapshot_db, remember=memory)
    app.REMEMBER_AFTER_S = 0.01
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "feature-003-error")
        await wait_until(pilot, lambda: "cannot remember" in app.sub_title, "the problem on the status line")
        assert f"⚠ cannot remember the last thread in {blocked / 'last.json'}" in app.sub_title
        assert app.thread_id == "feature-003-error"  # the app goes on
