"""``agent-debug state --diff-from A [--checkpoint B]``: any two checkpoints of a thread
compared, on one fork branch or across two, named by whole ids or by the 12 characters
the TUI shows.

Real stores: the scenarios of tests/graphs.py written by LangGraph's SqliteSaver (the
``forked`` thread has a branch made by ``update_state``), the committed snapshot store.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent_debug.inspector.comparison import StateComparison, compare_checkpoints
from agent_debug.inspector.diff import diff_between
from agent_debug.inspector.targets import open_source
from agent_debug.tui.cli.dispatch import main

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_DB = ROOT / "tests" / "data" / "snapshot.db"
TAIL = 12  # what the TUI's history shows of an id


def branches(db: Path) -> tuple[str, str, str]:
    """The ``forked`` thread's head (the update's branch), the tip of the original run's
    branch (its last checkpoint before the fork was made), and the fork point."""
    with open_source(str(db)) as source:
        rows = source.history("forked", limit=None).checkpoints
    head = rows[0]
    update = next(r for r in rows if r.source == "update")
    original = [r for r in rows if r.parent_id == update.parent_id and r.checkpoint_id != update.checkpoint_id]
    by_parent = {r.parent_id: r for r in rows if r.checkpoint_id != update.checkpoint_id}
    tip = original[0]
    while tip.checkpoint_id in by_parent:
        tip = by_parent[tip.checkpoint_id]
    return head.checkpoint_id, tip.checkpoint_id, update.parent_id or ""


def test_two_checkpoints_on_different_branches_by_their_short_ids(scenario_db, capsys):
    db, _ = scenario_db
    head, tip, _ = branches(db)
    assert main(["state", str(db), "--thread", "forked", "--diff-from", tip[-TAIL:], "--checkpoint", head[-TAIL:]]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("thread forked: ") and f"{tip} (step" in first and f"→ {head} (step" in first
    with open_source(str(db)) as source:
        before, after = source.state("forked", checkpoint_id=tip), source.state("forked", checkpoint_id=head)
    expected = diff_between(before, after)
    assert expected.changes  # the branches differ: the fork set x to 500, the original run went on
    for change in expected.changes:
        assert f"{'+-~'[('added', 'removed', 'changed').index(change.kind)]} {change.path}" in out
    assert "~ x: " in out and "→ 500" in out


def test_json_is_a_state_comparison_and_checkpoint_defaults_to_the_latest(scenario_db, capsys):
    db, _ = scenario_db
    head, tip, fork_point = branches(db)
    assert main(["state", str(db), "--thread", "forked", "--diff-from", fork_point, "--json"]) == 0
    doc = StateComparison.model_validate_json(capsys.readouterr().out)
    assert doc.before.checkpoint_id == fork_point and doc.after.checkpoint_id == head
    with open_source(str(db)) as source:
        assert doc == compare_checkpoints(source, "forked", fork_point, head)
    assert [c.path for c in doc.changes] == ["x"] and doc.changes[0].after == 500


def test_the_same_checkpoint_twice_is_no_change(scenario_db, capsys):
    db, _ = scenario_db
    head, _, _ = branches(db)
    assert main(["state", str(db), "--thread", "forked", "--diff-from", head[-TAIL:], "--checkpoint", head]) == 0
    assert "no state changes" in capsys.readouterr().out


def test_a_wrong_id_is_one_line_and_exit_1(scenario_db, capsys):
    db, _ = scenario_db
    assert main(["state", str(db), "--thread", "forked", "--diff-from", "not-an-id"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no checkpoint 'not-an-id'" in err and "Traceback" not in err


def test_diff_from_with_path_is_a_usage_error(scenario_db, capsys):
    db, _ = scenario_db
    head, _, _ = branches(db)
    assert main(["state", str(db), "--thread", "forked", "--diff-from", head, "--path", "x"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_installed_command_reads_only_and_never_creates_a_missing_store(tmp_path: Path):
    """Through the installed command: a missing store is one line, exit 1, and not created;
    a comparison leaves the store as it was, no -wal or -shm beside it."""
    missing = tmp_path / "nothing.db"
    done = subprocess.run([AGENT_DEBUG, "state", str(missing), "--thread", "t", "--diff-from", "abcd"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []

    db = tmp_path / "snapshot.db"
    shutil.copy(SNAPSHOT_DB, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with open_source(str(db)) as source:
        rows = source.history("feature-005-forked", limit=None).checkpoints
    by_id = {r.checkpoint_id: r for r in rows}
    trunk, at = set(), rows[0]
    while at is not None:
        trunk.add(at.checkpoint_id)
        at = by_id.get(at.parent_id or "")
    tip_of_original = next(r for r in rows if r.checkpoint_id not in trunk)  # newest first: the branch's tip
    done = subprocess.run(
        [AGENT_DEBUG, "state", str(db), "--thread", "feature-005-forked", "--diff-from", tip_of_original.checkpoint_id[-TAIL:], "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["before"]["checkpoint_id"] == tip_of_original.checkpoint_id and doc["after"]["checkpoint_id"] == rows[0].checkpoint_id
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snapshot.db"]


@pytest.mark.parametrize("bad", ["--diff-from"])
def test_diff_from_needs_an_id(bad: str, scenario_db, capsys):
    db, _ = scenario_db
    with pytest.raises(SystemExit) as exit_:
        main(["state", str(db), "--thread", "forked", bad])
    assert exit_.value.code == 2
