"""The installed ``agent-debug attach`` in a real terminal: the Timeline tab of a thread.

`T` shows the thread's phases on a time axis, the answered interrupt's span as waiting
(``⏸``) and the failure run again as a retry (``↻1``); a click on a phase's row selects its
checkpoint in the history, in its subgraph's namespace.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.test_tmux import AGENT_DEBUG, Terminal
from tests.timeline_graph import write_threads

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")



def test_the_timeline_tab_shows_phases_and_a_click_selects_one(term: Terminal, tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    write_threads(db)
    term.start([AGENT_DEBUG, "attach", str(db), "--thread", "answered"])
    term.wait_for("history · 5 checkpoints")
    term.press("T")
    screen = term.wait_for("phases · work")
    assert "↻ 1 re-run" in screen and "waiting" in screen
    # The right-hand pane's row of the flaky phase (the thread list names flaky too).
    flaky = next(line for line in screen.splitlines() if "  3 flaky " in line.split("││")[-1])
    assert "↻1" in flaky and "⏸" in flaky
    # A click on the sign-off phase (inside the writer subgraph) selects its checkpoint there.
    col, row = term.locate("  sign ")
    term.click(col + 3, row)
    term.wait_for("subgraph writer")  # the history (and the header) show the subgraph's namespace
    screen = term.wait_for(" sign ")
    assert "[exit" not in screen
