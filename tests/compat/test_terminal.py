"""The published libraries' stores in a real terminal: the installed ``agent-debug attach``
in tmux (see tests/e2e/test_tmux.py), read and answered as a user would."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.compat.apps import APPS
from tests.compat.conftest import config, open_langgraph
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal, copy_store, search

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")



def test_a_deep_agents_state_and_messages_in_a_real_terminal(term: Terminal, compat_store, tmp_path: Path) -> None:
    """deepagents keeps messages and files in DeltaChannels: the State and Messages tabs show
    them rebuilt (they were empty), the same as LangGraph's get_state."""
    store = compat_store("deep_agent")
    own = copy_store(Path(store.target), tmp_path / "deep" / "runs.db")
    thread = store.thread("done")
    expected = store.snapshot(thread).values
    term.start([AGENT_DEBUG, "attach", str(own)])
    total = len(store.runs)
    term.wait_for(f"threads: {total} of {total}", timeout=15)
    search(term, thread, total)
    term.wait_for(re.compile(r"history · \d+ checkpoints"), timeout=15)
    term.press("v")
    screen = term.wait_for(re.compile(r"messages: \[…\] \d+ items"), timeout=15)
    assert f"messages: […] {len(expected['messages'])} items" in screen
    assert f"files: {{…}} {len(expected['files'])} keys" in screen
    term.press("m")
    screen = term.wait_for("HUMAN", timeout=15)
    assert f"{len(expected['messages'])} messages" in screen
    term.press("q")
    assert term.exit_status() == 0


def test_approve_a_per_call_tool_review_in_a_real_terminal(term: Terminal, compat_store, tmp_path: Path) -> None:
    """langchain's per-call HITL: the dialog is pre-filled with a decision the middleware
    accepts (it was ``true``), and ctrl+a approves both tool calls."""
    app = APPS["hitl_per_call"]
    store = compat_store("hitl_per_call")
    own = copy_store(Path(store.target), tmp_path / "percall" / "runs.db")
    thread = store.thread("interrupted")
    term.start([AGENT_DEBUG, "attach", str(own), "--thread", thread, "--graph", app.ref])
    term.wait_for("control on", timeout=15)
    term.wait_for(re.compile(r"history · \d+ checkpoints"), timeout=15)
    term.press("a")
    screen = term.wait_for("Approve all (ctrl+a)", timeout=15)
    assert f"thread {thread} waits at 2 interrupt(s)" in screen
    assert '"type": "approve"' in screen
    term.press("C-a")
    term.wait_for(re.compile(rf"{thread}\s+✔ done"), timeout=30)
    term.press("q")
    assert term.exit_status() == 0
    graph, conn = open_langgraph(app, own)
    try:
        final = graph.get_state(config(thread))
        assert not final.next and app.approved(final.values)
    finally:
        conn.close()
