"""``:`` goes to a checkpoint by step number or (part of) its id: older history pages are
read as needed (bounded), a fork's several checkpoints at one step resolve to the one on
the selected branch (else the newest, said), and what names nothing keeps the dialog open
with one line.

Real store: the committed snapshot store (``loop-012-done`` has 102 checkpoints, two pages
past the first; ``feature-005-forked`` a fork at step 2), driven with Pilot; and the
finder itself on the same store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from agent_debug.inspector.exceptions import NotFoundError
from agent_debug.inspector.model import CheckpointSummary
from agent_debug.inspector.targets import open_source
from agent_debug.tui import jump
from agent_debug.tui.screens.jump_screen import JumpScreen
from agent_debug.tui.widgets.history.history_tree import HistoryTree, OlderPage
from tests.tui.conftest import SNAPSHOT_DB, settle
from tests.tui.test_app import SIZE, choose, make_app

LOOP = "loop-012-done"
FORKED = "feature-005-forked"


def history(thread: str, db: Path = SNAPSHOT_DB) -> list[CheckpointSummary]:
    with open_source(str(db)) as source:
        return source.history(thread, limit=None).checkpoints


def trunk_of(rows: list[CheckpointSummary]) -> set[str]:
    by_id = {r.checkpoint_id: r for r in rows}
    line: set[str] = set()
    at: CheckpointSummary | None = rows[0]
    while at is not None:
        line.add(at.checkpoint_id)
        at = by_id.get(at.parent_id or "")
    return line


def notes(app, fragment: str) -> list[str]:
    return [str(n.message) for n in app._notifications if fragment in str(n.message)]


async def jump_to(pilot, text: str) -> None:
    """``:``, type, Enter, and wait for the finder (a worker) and the loads it starts; the
    notifications left are this jump's."""
    pilot.app.clear_notifications()
    await pilot.press("colon")
    await settle(pilot)
    assert isinstance(pilot.app.screen, JumpScreen)
    await pilot.press(*text, "enter")
    await settle(pilot)


def problem(app) -> str:
    return str(app.screen.query_one("#jump-problem", Static).content)


# -- in the app ------------------------------------------------------------------------------


async def test_a_step_beyond_the_loaded_pages_is_found(snapshot_db):
    every = history(LOOP)
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, LOOP)
        tree = app.query_one(HistoryTree)
        assert len(tree.rows) == 50 and min(r.step for r in tree.rows) > 3

        await jump_to(pilot, "#3")
        assert not isinstance(app.screen, JumpScreen)
        step3 = next(r for r in every if r.step == 3)
        assert app.checkpoint_id == step3.checkpoint_id and app.row.step == 3
        assert app.focused is tree and tree.cursor_node.data.checkpoint_id == step3.checkpoint_id
        # Loaded a page at a time down to it, the older-page row still offered for the rest.
        assert [r.checkpoint_id for r in tree.rows] == [r.checkpoint_id for r in every[:100]]
        assert isinstance(tree.root.children[-1].data, OlderPage)
        assert not app.follow

        await jump_to(pilot, "-1")  # the input checkpoint, the first of all
        assert app.row.step == -1 and len(tree.rows) == len(every)
        assert not isinstance(tree.root.children[-1].data, OlderPage)

        await jump_to(pilot, "99")  # loaded already
        assert app.row.step == 99


async def test_a_step_of_a_fork_prefers_the_selected_branch_and_says_so(snapshot_db):
    every = history(FORKED)
    trunk = trunk_of(every)
    on_trunk = next(r for r in every if r.step == 5 and r.checkpoint_id in trunk)
    on_branch = next(r for r in every if r.step == 5 and r.checkpoint_id not in trunk)
    branch_tip = next(r for r in every if r.checkpoint_id not in trunk)
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, FORKED)
        await jump_to(pilot, "5")  # from the head: the trunk's
        assert app.checkpoint_id == on_trunk.checkpoint_id
        assert notes(app, "step 5 has 2 checkpoints (a fork): showing the one on this branch")

        await jump_to(pilot, branch_tip.checkpoint_id[-12:])  # by the end of its id, as the history shows it
        assert app.checkpoint_id == branch_tip.checkpoint_id
        await jump_to(pilot, "#5")
        assert app.checkpoint_id == on_branch.checkpoint_id

        assert notes(app, "step 5 has 2 checkpoints (a fork): showing the one on this branch")

        await jump_to(pilot, "#2")  # the fork point: both branches descend from it
        assert app.row.step == 2 and app.checkpoint_id not in {on_trunk.checkpoint_id, on_branch.checkpoint_id}
        await jump_to(pilot, "5")  # the newest, said
        assert app.checkpoint_id == max(on_trunk.checkpoint_id, on_branch.checkpoint_id)
        assert notes(app, "step 5 has 2 checkpoints (a fork): showing the newest")


async def test_what_names_nothing_keeps_the_dialog_open(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, FORKED)
        before = app.checkpoint_id
        await jump_to(pilot, "#77")
        assert isinstance(app.screen, JumpScreen)
        assert problem(app) == f"no checkpoint at step 77 in thread '{FORKED}'"
        field = app.screen.query_one(Input)
        field.value = "1f1e"  # every id of the thread starts so
        await pilot.press("enter")
        await settle(pilot)
        assert "more than one checkpoint" in problem(app) and "\n" not in problem(app)
        field.value = "zzzz"
        await pilot.press("enter")
        await settle(pilot)
        assert problem(app).startswith("no checkpoint 'zzzz'")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, JumpScreen) and app.checkpoint_id == before


# -- the finder -------------------------------------------------------------------------------


def first_page(source, thread: str, selected: str | None = None) -> jump.Loaded:
    page = source.history(thread, limit=50)
    return jump.Loaded(thread, "", page.checkpoints, page.next_before, selected)


def test_paging_is_bounded(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(jump, "MAX_PAGES", 1)
    with open_source(str(SNAPSHOT_DB)) as source:
        loaded = first_page(source, LOOP)
        assert jump.find(source, loaded, "#51").older == []
        with pytest.raises(NotFoundError, match="stopped after reading 50 more checkpoints"):
            jump.find(source, loaded, "#-1")  # 2 pages past the first


def test_digits_that_are_no_step_may_be_the_end_of_an_id():
    every = history(FORKED)
    digits_end = next((r for r in every if r.checkpoint_id[-4:].isdigit()), None)
    with open_source(str(SNAPSHOT_DB)) as source:
        loaded = first_page(source, FORKED)
        assert jump.find(source, loaded, "#-1").checkpoint_id == every[-1].checkpoint_id
        with pytest.raises(NotFoundError, match="nor a checkpoint id that starts or ends with 98765"):
            jump.find(source, loaded, "98765")
        if digits_end is not None:
            assert jump.find(source, loaded, digits_end.checkpoint_id[-4:]).checkpoint_id == digits_end.checkpoint_id


def test_parse_step():
    assert [jump.parse_step(t) for t in ("12", "#12", "-1", "#-1", "1f1e", "#", "")] == [12, 12, -1, -1, None, None, None]
