"""Issue 12, item 10 and two Low items: numbers that would hang or overflow are refused
while parsing, and every usage error is one line plus where to look, exit 2.

The subprocess timeout only guards against a hang; it measures nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
GRAPH = "agent_debug.fixtures.feature_request:graph"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = tmp_path_factory.mktemp("bounds") / "runs.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    SqliteSaver(conn).setup()
    conn.close()
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)


BAD = {
    "huge --hops": (["graph", "{graph}", "--focus", "analyze", "--hops", "99999999999999999999"], "--hops"),
    "negative --hops": (["graph", "{graph}", "--focus", "analyze", "--hops", "-1"], "--hops"),
    "tiny --poll": (["attach", "{db}", "--poll", "1e-9"], "--poll"),
    "nan --poll": (["attach", "{db}", "--poll", "nan"], "--poll"),
    "inf --poll": (["attach", "{db}", "--poll", "inf"], "--poll"),
    "negative --poll": (["attach", "{db}", "--poll", "-1"], "--poll"),
    "tiny run --poll": (["run", "{graph}", "--poll", "1e-9"], "--poll"),
    "history --limit 2**63": (["history", "{db}", "--thread", "t", "--limit", str(2**63)], "--limit"),
    "threads --limit 2**64": (["threads", "{db}", "--limit", str(2**64)], "--limit"),
    "threads --limit -3": (["threads", "{db}", "--limit", "-3"], "--limit"),
    "missing --thread": (["history", "{db}"], "--thread"),
    "unknown command": (["bogus"], "bogus"),
    "no command": ([], "COMMAND"),
    "bad choice": (["graph", "{graph}", "--format", "png"], "--format"),
    "unknown flag": (["threads", "{db}", "--nope"], "--nope"),
    "resume without an answer": (["resume", "{db}", "--thread", "t"], "--value"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_values_are_one_line_and_exit_2(name: str, db: Path) -> None:
    template, names = BAD[name]
    graph = GRAPH
    args = [a.format(db=db, graph=graph) for a in template]
    out = run(*args)
    assert out.returncode == 2, (args, out.returncode, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("agent-debug: error:") and names in lines[0], lines[0]
    assert "see: agent-debug" in lines[0] and lines[0].endswith("--help"), lines[0]
    assert "usage:" not in out.stderr and "Traceback" not in out.stderr
    assert out.stdout == ""


def test_values_in_bounds_still_work(db: Path) -> None:
    out = run("graph", GRAPH, "--focus", "analyze", "--hops", "10000")
    assert out.returncode == 0, out.stderr
    assert "analyze" in out.stdout
    out = run("threads", str(db), "--limit", "1000000000")
    assert out.returncode == 0, out.stderr
    out = run("history", str(db), "--thread", "t", "--limit", "0")
    assert out.returncode == 1 and "no thread 't'" in out.stderr  # a real answer, not an overflow


def test_focus_nodes_stop_when_nothing_is_left_to_reach() -> None:
    """--hops larger than the graph is cut to its node count before the walk."""
    out = run("graph", GRAPH, "--focus", "analyze", "--hops", "9999", "--format", "json")
    assert out.returncode == 0, out.stderr
