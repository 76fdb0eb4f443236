"""The console in a real terminal: tmux runs it, types, and reads the screen.

One session: the prompt with the thread and checkpoint, Tab completion, a ``continue``
whose live events show up, Ctrl-C pausing the run at the next step boundary, the state
afterwards, and ``quit`` leaving with 0 and the commands kept in the history file.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

from agent_debug.inspector.targets import open_source
from tests.e2e.test_tmux import Terminal

# A workflow whose first phase runs until the test opens its gate (a file), so Ctrl-C
# surely lands while it runs, whatever the machine's speed.
GATE_GRAPH = '''
import time
from pathlib import Path
from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class Gate(TypedDict, total=False):
    gate: str
    passed: list


def slow(state: Gate) -> dict:
    while not Path(state["gate"]).exists():
        time.sleep(0.02)
    return {"passed": ["slow"]}


def after(state: Gate) -> dict:
    return {"passed": state["passed"] + ["after"]}


builder = StateGraph(Gate)
builder.add_node("slow", slow)
builder.add_node("after", after)
builder.add_edge(START, "slow")
builder.add_edge("slow", "after")
builder.add_edge("after", END)
graph = builder.compile()
'''


def gated_store(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A store whose one thread 'gated' stopped before ``slow``; the graph file; the gate."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    module = tmp_path / "gate_graph.py"
    module.write_text(GATE_GRAPH)
    namespace: dict = {}
    exec(compile(GATE_GRAPH, str(module), "exec"), namespace)
    db, gate = tmp_path / "runs.db", tmp_path / "gate-open"
    conn = sqlite3.connect(db, check_same_thread=False)
    graph = namespace["builder"].compile(checkpointer=SqliteSaver(conn), interrupt_before=["slow"])
    graph.invoke({"gate": str(gate)}, {"configurable": {"thread_id": "gated"}})
    conn.close()
    return db, module, gate


def test_the_console_in_a_terminal_completes_runs_pauses_on_ctrl_c_and_keeps_history(term: Terminal, tmp_path: Path):
    db, module, gate = gated_store(tmp_path)
    history = tmp_path / "history"
    agent_debug = str(Path(sys.executable).with_name("agent-debug"))  # the installed command
    term.start([agent_debug, "console", str(db), "--graph", f"{module}:graph", "--history-file", str(history)])
    term.wait_for("agent-debug console on")
    prompt = term.wait_match(r"\(adb gated@(\S+) #1\)").group(0)  # the only thread, at its newest checkpoint

    term.type("his")
    term.press("Tab")
    term.wait_for(prompt + " history")
    term.press("Enter")
    term.wait_for("2 of 2 checkpoints of thread gated")

    term.type("continue")
    term.press("Enter")
    term.wait_for("slow             ▶ started")
    term.press("C-c")
    term.wait_for("pausing at the next step boundary")
    gate.touch()
    screen = term.wait_for("thread gated is now pending at #2")
    assert "next: after" in screen
    assert "Traceback" not in screen
    with open_source(str(db)) as source:
        assert source.thread("gated").next == ["after"]  # paused: 'after' never ran

    term.type("state passed")
    term.press("Enter")
    term.wait_for("values at passed")
    term.type("quit")
    term.press("Enter")
    assert term.exit_status() == 0
    kept = history.read_text()
    assert "+continue\n" in kept and "+history\n" in kept and "+quit\n" in kept


def test_the_console_in_a_terminal_takes_the_end_of_an_id_the_tui_shows(term: Terminal, tmp_path: Path):
    thread = "feature-002-interrupted"
    db = tmp_path / "runs.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "snapshot.db", db)
    with open_source(str(db)) as source:
        rows = [c.checkpoint_id for c in reversed(source.history(thread, limit=None).checkpoints)]
    agent_debug = str(Path(sys.executable).with_name("agent-debug"))  # the installed command
    term.start([agent_debug, "console", str(db), "--thread", thread, "--history-file", str(tmp_path / "history")])
    term.wait_match(rf"\(adb {thread}@\S+ #7\)")
    term.type(f"ck {rows[4][-12:-4]}")  # part of the 12 characters the TUI's history shows
    term.press("Tab")
    term.wait_for(f"ck {rows[4]}")  # completed to the whole id
    term.press("Enter")
    term.wait_for(f"checkpoint #4 {rows[4]}")
    term.type(f"diff {rows[2][-12:]}")
    term.press("Enter")
    screen = term.wait_for("against checkpoint #2")
    assert "Traceback" not in screen
    term.type("quit")
    term.press("Enter")
    assert term.exit_status() == 0
