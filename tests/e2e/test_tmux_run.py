"""The installed ``agent-debug run`` in a real terminal: the thread it starts is the one on
screen from the first paint, and the node that is running is marked in the graph while it
runs. The graph waits in a node until the test creates a file: the test decides when the
phase ends, whatever the machine's load."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.test_tmux import AGENT_DEBUG, Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

GATED = '''
import time
from pathlib import Path
from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict, total=False):
    gate: str


def wait_here(state: State) -> dict:
    while not Path(state["gate"]).exists():  # released by the test
        time.sleep(0.02)
    return {}


builder = StateGraph(State)
builder.add_node("prepare", lambda state: {})
builder.add_node("wait_here", wait_here)
builder.add_node("finish", lambda state: {})
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "wait_here")
builder.add_edge("wait_here", "finish")
builder.add_edge("finish", END)
graph = builder.compile()
'''



def test_run_shows_its_thread_at_once_and_marks_the_running_node(term: Terminal, tmp_path: Path) -> None:
    module, db = tmp_path / "gated.py", tmp_path / "runs.db"
    module.write_text(GATED)
    ref = f"{module}:graph"
    opened, gate = tmp_path / "open", tmp_path / "go"
    opened.touch()
    older = subprocess.run(
        [AGENT_DEBUG, "run", ref, "--no-ui", "--checkpointer", str(db), "--thread", "old-1", "--input", f'{{"gate": "{opened}"}}'],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert older.returncode == 0, older.stderr

    term.start([AGENT_DEBUG, "run", ref, "--checkpointer", str(db), "--thread", "fresh", "--input", f'{{"gate": "{gate}"}}'])
    # Every screen until the running node is marked: the history shown is never old-1's
    # (its 5 checkpoints, where the new thread has 3 while wait_here runs).
    deadline = time.monotonic() + 60
    while True:
        screen = term.screen()
        assert "history · 5 checkpoints" not in screen, screen
        if "● wait_here" in screen:
            break
        assert time.monotonic() < deadline, f"wait_here never marked running; the screen was:\n{screen}"
        time.sleep(0.05)
    assert "history · 3 checkpoints" in screen and "✓ prepare" in screen and "legend: ✓ visited  ● running" in screen

    gate.touch()  # wait_here ends; the run goes to its end
    term.wait_for("✓ finish", timeout=60)
    term.wait_until(lambda: "● wait_here" not in term.screen() and "● running" not in term.screen(), "the mark going")
    term.press("q")
    assert term.exit_status(timeout=15) == 0
