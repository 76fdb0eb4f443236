"""The installed ``agent-debug run --break 'NODE if EXPR'`` in a real terminal: the run stops
only where the condition holds, and ``ctrl+b`` lists the breakpoint with its hit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

ROOT = Path(__file__).resolve().parents[2]
FEATURE = str(ROOT / "fixtures" / "feature_request.py") + ":graph"



def test_run_with_a_condition_stops_once_and_the_list_shows_it(term: Terminal, short_tmp: Path) -> None:
    db = short_tmp / "runs.db"
    term.start([
        AGENT_DEBUG, "run", FEATURE, "--checkpointer", str(db), "--thread", "cond", "--input", '{"request": "add --json"}',
        "--break", "sandbox_test if iterations >= 2", "--break-on-error",
    ])  # fmt: skip
    term.wait_for("control on · break before sand", timeout=60)  # the header (cut at the width)
    # Break on error stops it first, after plan's retried RateLimitError; the errors tab shows it.
    term.wait_for("RateLimitError (attempt 1, will retry)", timeout=60)
    term.wait_until(lambda: "control on" in term.screen(), "the stop after plan", timeout=60)
    with open_source(str(db)) as source:
        assert source.thread("cond").next == ["synthesize"]
    term.press("E")  # break on error off: on to the conditional breakpoint
    term.wait_for("break on error off")  # its notification
    term.press("c")

    def at_the_second_test() -> bool:
        with open_source(str(db)) as source:
            state = source.state("cond")
        return state.next == ["sandbox_test"] and state.values.get("iterations") == 2

    term.wait_until(at_the_second_test, "the stop before the second sandbox_test", timeout=60)
    term.wait_until(lambda: "control on" in term.screen(), "the run to end", timeout=60)
    term.press("C-b")
    screen = term.wait_for("hits 1", timeout=20)
    assert "⏺ before sandbox_test if iterations >= 2  hits 1" in screen
    assert "break on error: off" in screen
    term.press("Escape")
    term.wait_until(lambda: "hits 1" not in term.screen(), "the list to close")
    term.press("q")
    assert term.exit_status(timeout=20) == 0
