"""``agent-debug graph`` through a real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pydot
import pytest

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_DB = ROOT / "tests" / "data" / "snapshot.db"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_terminal_drawing_by_path_and_module():
    by_path = run("graph", "fixtures/feature_request.py:graph")
    by_module = run("graph", "agent_debug.fixtures.feature_request:graph")
    assert by_path.returncode == by_module.returncode == 0, by_path.stderr
    assert by_path.stdout == by_module.stdout
    for node in ("__start__", "analyze", "plan", "synthesize", "sandbox_test", "review", "__end__"):
        assert by_path.stdout.count(node) == 1, node
    assert "▼" in by_path.stdout
    ascii_only = run("graph", "fixtures/feature_request.py:graph", "--ascii-only")
    assert ascii_only.stdout.isascii()


def test_dot_export_parses_and_renders(tmp_path: Path):
    out = tmp_path / "g.dot"
    done = run("graph", "fixtures/supervisor.py:graph", "--format", "dot", "--xray", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote dot to {out}" in done.stderr
    [graph] = pydot.graph_from_dot_data(out.read_text())
    names = {n.get_name().strip('"') for n in graph.get_nodes()} | {
        n.get_name().strip('"') for sub in graph.get_subgraphs() for n in sub.get_nodes()
    }
    assert {"supervisor", "__start__", "__end__"} <= names
    assert any(s.get_name().strip('"').startswith("cluster_") for s in graph.get_subgraphs())
    if shutil.which("dot"):
        svg = subprocess.run(["dot", "-Tsvg", str(out)], capture_output=True, text=True)
        assert svg.returncode == 0 and "<svg" in svg.stdout


def test_mermaid_and_json():
    mermaid = run("graph", "fixtures/tool_agent.py:graph", "--format", "mermaid")
    assert mermaid.returncode == 0 and mermaid.stdout.startswith(("flowchart", "---"))
    doc = json.loads(run("graph", "fixtures/tool_agent.py:graph", "--format", "json").stdout)
    assert {n["id"] for n in doc["nodes"]} >= {"agent", "tools", "__start__", "__end__"}


def test_status_overlay_from_a_run():
    out = run(
        "graph", "fixtures/feature_request.py:graph", "--format", "json",
        "--from", str(SNAPSHOT_DB), "--thread", "feature-003-error",
    )
    assert out.returncode == 0, out.stderr
    status = {n["id"]: n["status"] for n in json.loads(out.stdout)["nodes"]}
    assert status["sandbox_test"] == "failed"
    assert status["analyze"] == status["plan"] == status["synthesize"] == "visited"
    assert status["review"] is None
    text = run("graph", "fixtures/feature_request.py:graph", "--from", str(SNAPSHOT_DB), "--thread", "feature-002-interrupted")
    assert "legend:" in text.stdout and "interrupted" in text.stdout


def test_focus_mode():
    out = run("graph", "fixtures/feature_request.py:graph", "--focus", "review")
    assert out.returncode == 0
    assert "review" in out.stdout and "analyze" not in out.stdout and "hidden" in out.stdout


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["graph", "nope.py:graph"], 1, "file not found: nope.py"),
        (["graph", "no_such_module_xyz:graph"], 1, "no_such_module_xyz"),
        (["graph", "fixtures/feature_request.py:nothing"], 1, "graph-like names it has"),
        (["graph", "fixtures/feature_request.py:graph", "--focus", "zzz"], 2, "'zzz' is not a node"),
        (["graph", "fixtures/feature_request.py:graph", "--thread", "x"], 2, "need --from"),
        (["graph", "fixtures/feature_request.py:graph", "--from", str(SNAPSHOT_DB), "--thread", "nope"], 1, "no thread 'nope'"),
        (["graph", "fixtures/feature_request.py:graph", "--format", "png"], 2, "invalid choice"),
    ],
)
def test_bad_input(args, code, fragment):
    out = run(*args)
    assert out.returncode == code, out
    assert fragment in out.stderr and "Traceback" not in out.stderr
