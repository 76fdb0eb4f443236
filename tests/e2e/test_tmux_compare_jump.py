"""The installed ``agent-debug attach`` in a real terminal: ``:`` jumps to a step and to a
checkpoint by the end of its id, ``M`` marks one, ``D`` compares it with the other (across
the two branches of a fork); the store is left as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal, copy_store, files_of

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

SNAPSHOT_DB = Path(__file__).resolve().parents[1] / "data" / "snapshot.db"
THREAD = "feature-005-forked"



def test_jump_mark_and_compare_in_a_real_terminal(term: Terminal, tmp_path: Path) -> None:
    db = copy_store(SNAPSHOT_DB, tmp_path / "store" / "runs.db")
    with open_source(str(db)) as source:
        rows = source.history(THREAD, limit=None).checkpoints
    head = rows[0]
    fork_point = next(r for r in rows if r.source == "update").parent_id or ""
    branch_tip = next(r for r in rows if r.parent_id == fork_point and r.source == "loop")  # the original run
    while (child := next((r for r in rows if r.parent_id == branch_tip.checkpoint_id), None)) is not None:
        branch_tip = child
    before = files_of(db.parent)

    term.start([AGENT_DEBUG, "attach", str(db), "--thread", THREAD])
    term.wait_for(f"history · {len(rows)} checkpoints", timeout=60)
    term.wait_for(head.checkpoint_id[-12:])

    term.press(":")
    term.wait_for("go to a checkpoint of thread")
    term.type("#2")
    term.press("Enter")
    term.wait_until(lambda: "go to a checkpoint of thread" not in term.screen(), "the dialog to close")
    term.press("M")
    term.wait_for(f"marked ◆ …{fork_point[-12:]} (step 2, plan)")
    assert "◆  2 plan" in term.screen()

    term.press(":")
    term.wait_for("go to a checkpoint of thread")
    term.type(branch_tip.checkpoint_id[-12:])
    term.press("Enter")
    term.wait_until(lambda: "go to a checkpoint of thread" not in term.screen(), "the dialog to close")
    term.press("D")
    header = f"◆ …{fork_point[-12:]} (step 2, plan) → …{branch_tip.checkpoint_id[-12:]} (step {branch_tip.step}, {branch_tip.nodes[0]})"
    term.wait_for(header, timeout=20)
    # The changes under it (the pane may be drawn with the header a frame before them).
    term.wait_until(lambda: header in (shown := term.screen()) and ("~ " in shown or "+ " in shown), "the changes under the header", timeout=20)

    term.press("D")  # back to the parent diff
    term.wait_for(f"compared with parent {branch_tip.parent_id[-12:]}", timeout=20)
    term.press(":")
    term.wait_for("go to a checkpoint of thread")
    term.type("zzzz")
    term.press("Enter")
    term.wait_for("no checkpoint 'zzzz'", timeout=20)  # one line; the dialog stays
    term.press("Escape")
    term.wait_until(lambda: "go to a checkpoint of thread" not in term.screen(), "the dialog to close")
    term.press("q")
    assert term.exit_status(timeout=20) == 0
    assert files_of(db.parent) == before
