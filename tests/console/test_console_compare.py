"""The console's ``diff CKPT`` compares any two checkpoints: CKPT by the end of its id (the
12 characters the TUI shows) or a start of it, on the other branch of a fork too."""

from __future__ import annotations

from agent_debug.inspector.diff import diff_between
from tests.console.conftest import Console

THREAD = "feature-005-forked"


def test_diff_against_a_checkpoint_on_the_other_branch_by_its_short_id(reader: Console):
    source = reader.session.source
    rows = source.history(THREAD, limit=None).checkpoints
    head = rows[0]
    by_id = {r.checkpoint_id: r for r in rows}
    trunk, at = set(), head
    while at is not None:
        trunk.add(at.checkpoint_id)
        at = by_id.get(at.parent_id or "")
    other = next(r for r in rows if r.checkpoint_id not in trunk)  # the original run's tip
    reader.ok(f"thread {THREAD}")
    out = reader.ok(f"diff {other.checkpoint_id[-12:]}")
    first = out.splitlines()[0]
    assert first.startswith(f"thread {THREAD}: checkpoint ") and f"against checkpoint #{reader.dbg.index_of(other.checkpoint_id)} " in first
    expected = diff_between(source.state(THREAD, checkpoint_id=other.checkpoint_id), source.state(THREAD, checkpoint_id=head.checkpoint_id))
    assert expected.changes
    for change in expected.changes:
        assert f"{'+-~'[('added', 'removed', 'changed').index(change.kind)]} {change.path}: " in out
    # The other way round, selecting the other branch's checkpoint by a unique start of its id.
    reader.ok(f"checkpoint {reader.dbg.short(other.checkpoint_id)}")
    back = reader.ok(f"diff {head.checkpoint_id[-12:]}")
    assert back.splitlines()[0].endswith(f"against checkpoint #{reader.dbg.index_of(head.checkpoint_id)} {reader.dbg.short(head.checkpoint_id)}")
    assert reader.run("diff zzzz") == 1 and "no checkpoint 'zzzz'" in reader.err
