"""The Timeline tab as the user sees it, at 80×24 and 200×60, on the committed sample store.

A thread that ran a subgraph and waits at an interrupt inside another, with the app's
clock pinned (ten minutes after the store's newest checkpoint): the waiting grows to
that clock, drawn apart from work. Update after an intended change with:
pytest tests/tui/test_timeline_snapshots.py --snapshot-update
"""

from __future__ import annotations

from tests.tui.test_snapshots import app, steps

THREAD = "supervisor-009-interrupted"


def test_timeline_80x24(snap_compare):
    assert snap_compare(app(), terminal_size=(80, 24), run_before=steps("T", thread=THREAD))


def test_timeline_200x60(snap_compare):
    assert snap_compare(app(), terminal_size=(200, 60), run_before=steps("T", thread=THREAD))
