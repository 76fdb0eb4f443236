"""``M`` marks a checkpoint, ``D`` diffs the mark against the selected one: on one branch
or across the two branches of a fork, decoded in workers, the mark kept while moving
and dropped (with a note) when another thread is shown.

Real store: the committed snapshot store (the fixture workflows run by LangGraph; thread
``feature-005-forked`` was forked by ``update_state`` at step 2), driven with Pilot.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TabbedContent

from agent_debug.inspector.diff import diff_between
from agent_debug.inspector.model import CheckpointSummary
from agent_debug.inspector.targets import open_source
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.state.diff_view import DiffView
from tests.tui.conftest import settle
from tests.tui.test_app import SIZE, choose, make_app, static_text
from tests.tui.test_jump import trunk_of

THREAD = "feature-005-forked"


def rows(db: Path) -> tuple[list[CheckpointSummary], set[str]]:
    """The thread's checkpoints (newest first) and the ids on the head's line (the trunk)."""
    with open_source(str(db)) as source:
        every = source.history(THREAD, limit=None).checkpoints
    return every, trunk_of(every)


def notes(app, fragment: str) -> list[str]:
    return [str(n.message) for n in app._notifications if fragment in str(n.message)]


async def select(pilot, checkpoint_id: str) -> None:
    tree = pilot.app.query_one(HistoryTree)
    assert tree.select_checkpoint(checkpoint_id)
    tree.focus()
    await settle(pilot)
    assert pilot.app.checkpoint_id == checkpoint_id


def label_of(tree: HistoryTree, checkpoint_id: str) -> str:
    node = tree.node_of(checkpoint_id)
    assert node is not None
    return str(node.label)


async def test_mark_one_branch_and_compare_with_the_other(snapshot_db):
    every, trunk = rows(snapshot_db)
    head = every[0]
    branch_tip = next(r for r in every if r.checkpoint_id not in trunk)  # the original run, before the fork
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, THREAD)
        tree = app.query_one(HistoryTree)

        await select(pilot, branch_tip.checkpoint_id)
        await pilot.press("M")
        assert tree.marked == branch_tip.checkpoint_id
        assert label_of(tree, branch_tip.checkpoint_id).startswith("◆")
        assert not label_of(tree, head.checkpoint_id).startswith("◆")
        assert notes(app, "select another checkpoint and press D to compare")

        await select(pilot, head.checkpoint_id)
        assert "compared with parent" in static_text(app, "#diff-body")
        await pilot.press("D")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "diff"
        shown = static_text(app, "#diff-body")
        header = shown.splitlines()[0]
        assert header == (
            f"◆ …{branch_tip.checkpoint_id[-12:]} (step {branch_tip.step}, {branch_tip.nodes[0]}) → "
            f"…{head.checkpoint_id[-12:]} (step {head.step}, {head.nodes[0]})"
        )
        with open_source(str(snapshot_db)) as source:
            expected = diff_between(source.state(THREAD, checkpoint_id=branch_tip.checkpoint_id), source.state(THREAD, checkpoint_id=head.checkpoint_id))
        assert expected.changes or expected.messages
        for change in expected.changes:
            assert f"{'+-~'[('added', 'removed', 'changed').index(change.kind)]} {change.path}: " in shown
        for message in expected.messages:
            assert f"{message.channel}[{message.index}] {message.message.role.upper()}" in shown

        # Moving on compares the mark with each checkpoint selected; the mark stays.
        older = every[1]
        await select(pilot, older.checkpoint_id)
        assert static_text(app, "#diff-body").splitlines()[0].endswith(f"…{older.checkpoint_id[-12:]} (step {older.step}, {older.nodes[0]})")
        assert tree.marked == branch_tip.checkpoint_id

        # D again: each checkpoint against its parent.
        await pilot.press("D")
        await settle(pilot)
        assert static_text(app, "#diff-body").splitlines()[0] == f"compared with parent {older.parent_id[-12:]}"
        await select(pilot, head.checkpoint_id)
        assert static_text(app, "#diff-body").splitlines()[0] == f"compared with parent {head.parent_id[-12:]}"

        # M on the marked row clears the mark; D then says how to mark.
        await select(pilot, branch_tip.checkpoint_id)
        await pilot.press("M")
        assert tree.marked is None and not label_of(tree, branch_tip.checkpoint_id).startswith("◆")
        await pilot.press("D")
        assert notes(app, "no checkpoint marked: press M on a history row")
        assert static_text(app, "#diff-body").startswith("compared with parent")


async def test_the_mark_survives_a_reload_and_is_dropped_for_another_thread(snapshot_db):
    every, _ = rows(snapshot_db)
    fork_point = next(r for r in every if r.source == "update").parent_id
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, THREAD)
        tree = app.query_one(HistoryTree)
        await select(pilot, fork_point)
        await pilot.press("M")
        await select(pilot, every[0].checkpoint_id)
        await pilot.press("D")
        await settle(pilot)
        assert static_text(app, "#diff-body").startswith(f"◆ …{fork_point[-12:]}")

        await pilot.press("ctrl+r")  # the thread list and the history are read again
        await settle(pilot)
        assert tree.marked == fork_point and label_of(tree, fork_point).startswith("◆")

        await choose(pilot, "feature-001-done")
        assert app.thread_id == "feature-001-done"
        assert notes(app, f"mark ◆ on thread {THREAD} dropped: another thread is shown")
        assert tree.marked is None and not app.comparison.active
        assert static_text(app, "#diff-body").startswith("compared with parent")


async def test_a_comparison_that_cannot_be_read_says_why_in_the_diff_tab(snapshot_db):
    """The marked checkpoint is gone when the worker decodes it (the store was replaced):
    one line in the Diff tab, the app goes on."""
    every, _ = rows(snapshot_db)
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, THREAD)
        await select(pilot, every[3].checkpoint_id)
        await pilot.press("M")
        await select(pilot, every[0].checkpoint_id)
        # A mark naming a checkpoint the store does not hold, as after the store was replaced.
        app.comparison.marked = every[3].model_copy(update={"checkpoint_id": "1f1e76de-0000-6000-8000-000000000000"})
        await pilot.press("D")
        await settle(pilot)
        lines = static_text(app, "#diff-body").splitlines()
        assert lines[0].startswith("◆ …000000000000") and "1f1e76de-0000-6000-8000-000000000000" in lines[1]
        assert app.query_one(DiffView).comparing_header == lines[0]


def test_snapshot_of_a_comparison_across_the_branches(snap_compare):
    """The marked fork point, and the Diff tab comparing it with the original run's tip."""
    from tests.tui.test_snapshots import SIZE as SNAPSHOT_SIZE
    from tests.tui.test_snapshots import app

    async def run_before(pilot) -> None:
        await settle(pilot)
        for keys in (("slash", *THREAD, "enter"), ("colon", "#", "2", "enter"), ("M",), ("colon", *"198618e8648f", "enter"), ("D",)):
            await pilot.press(*keys)
            await settle(pilot)
        pilot.app.clear_notifications()  # toasts time out by the wall clock
        await settle(pilot)

    assert snap_compare(app(), terminal_size=SNAPSHOT_SIZE, run_before=run_before)
