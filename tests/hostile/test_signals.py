"""SIGTERM and SIGINT during ``run --no-ui --record F`` lose no event and leave no temp store.

A real process runs a graph whose nodes wait for a gate file the test creates, so the
test drives it phase by phase and signals it while a node is running; it waits for files
to appear, never for a duration.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent_debug.inspector.events import parse_event
from agent_debug.inspector.recording import read_recording

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[2]

GRAPH = '''
import operator, os, time
from pathlib import Path
from typing import Annotated, TypedDict
from langgraph.graph import END, START, StateGraph

GATES = Path(os.environ["GATE_DIR"])

class State(TypedDict, total=False):
    done: Annotated[list, operator.add]

def gated(name):
    def node(state):
        (GATES / f"at-{name}").touch()        # the test sees the node running...
        while not (GATES / f"go-{name}").exists():  # ...and lets it finish, or signals
            time.sleep(0.005)
        return {"done": [name]}
    return node

def chain():
    b = StateGraph(State)
    b.add_node("first", gated("first"))
    b.add_node("second", gated("second"))
    b.add_edge(START, "first"); b.add_edge("first", "second"); b.add_edge("second", END)
    return b.compile()

def parallel():
    # Two nodes at once run in LangGraph's worker threads, not the main thread.
    b = StateGraph(State)
    b.add_node("first", gated("first"))
    b.add_node("left", gated("left"))
    b.add_node("right", gated("right"))
    b.add_edge(START, "first")
    for n in ("left", "right"):
        b.add_edge("first", n); b.add_edge(n, END)
    return b.compile()

chain = chain()
parallel = parallel()
'''


def wait_for(path: Path, proc: subprocess.Popen[str], deadline: float = 60.0) -> None:
    """Until ``path`` exists (the process reached that point); fail if the process ended."""
    end = time.monotonic() + deadline
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, f"{path.name} never appeared"
        time.sleep(0.01)


@pytest.mark.parametrize("shape", ["chain", "parallel"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("store", ["memory", "file"])
def test_a_signal_loses_no_event_and_leaves_no_temp_store(tmp_path: Path, shape: str, signum: int, store: str):
    (tmp_path / "gated.py").write_text(GRAPH)
    gates, tmp = tmp_path / "gates", tmp_path / "tmp"
    gates.mkdir()
    tmp.mkdir()
    record = tmp_path / "run.ndjson"
    checkpointer = "memory" if store == "memory" else str(tmp_path / "s.db")
    env = {**os.environ, "GATE_DIR": str(gates), "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [AGENT_DEBUG, "run", f"{tmp_path / 'gated.py'}:{shape}", "--no-ui", "--json", "--thread", "t",
         "--checkpointer", checkpointer, "--record", str(record)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    try:
        wait_for(gates / "at-first", proc)
        (gates / "go-first").touch()
        wait_for(gates / ("at-second" if shape == "chain" else "at-right"), proc)
        if shape == "parallel":
            wait_for(gates / "at-left", proc)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

    assert proc.returncode == 128 + signum, stderr
    assert f"stopped by {signal.Signals(signum).name}" in stderr and "Traceback" not in stderr
    printed = [parse_event(json.loads(line)) for line in stdout.splitlines()]
    recorded = list(read_recording(record))
    # Every event the process put out before the signal is in the recording, in order
    # (the signal may fall between recording an event and printing it: one more at most).
    assert recorded[: len(printed)] == printed
    assert len(recorded) - len(printed) <= 1
    kinds = [(e.kind, e.node) for e in recorded]
    assert ("phase_finished", "first") in kinds
    running = ["second"] if shape == "chain" else ["left", "right"]
    for node in running:
        assert ("phase_started", node) in kinds
    if store == "file":
        # ...and every checkpoint the store holds was recorded.
        out = subprocess.run([AGENT_DEBUG, "history", "s.db", "--thread", "t", "--json", "--limit", "0"],
                             capture_output=True, text=True, cwd=tmp_path, timeout=60)  # fmt: skip
        assert out.returncode == 0, out.stderr
        stored = {c["checkpoint_id"] for c in json.loads(out.stdout)["checkpoints"]}
        assert stored and stored <= {e.checkpoint_id for e in recorded if e.kind == "checkpoint"}
    assert [p.name for p in tmp.iterdir() if p.name.startswith("agent-debug-")] == []


def test_a_signal_before_the_run_opens_anything_leaves_nothing(tmp_path: Path):
    """A graph module that blocks while it is imported: the signal comes before any store."""
    gates, tmp = tmp_path / "gates", tmp_path / "tmp"
    gates.mkdir()
    tmp.mkdir()
    (tmp_path / "slow_import.py").write_text(
        "import os, time\nfrom pathlib import Path\n"
        "gate = Path(os.environ['GATE_DIR'])\n(gate / 'importing').touch()\n"
        "while not (gate / 'go').exists():\n    time.sleep(0.005)\n"
    )
    env = {**os.environ, "GATE_DIR": str(gates), "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [AGENT_DEBUG, "run", f"{tmp_path / 'slow_import.py'}:graph", "--no-ui", "--checkpointer", "memory",
         "--record", str(tmp_path / "run.ndjson")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    try:
        wait_for(gates / "importing", proc)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert not (tmp_path / "run.ndjson").exists()
    assert list(tmp.iterdir()) == []
