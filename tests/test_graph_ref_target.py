"""A GRAPH_REF as TARGET: the graph's runs in the embedded store `run` writes, read-only for
the listing commands and a local source (the graph over that store) for the acting ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
REF = "tests.graphs:linear"


def run(data_home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env, input=stdin)


def test_a_graph_ref_target_before_any_run_is_one_line_and_creates_nothing(tmp_path: Path):
    for verb in (["threads", REF], ["resume", REF, "--thread", "t", "--approve"], ["console", REF]):
        done = run(tmp_path, *verb, stdin="")
        assert done.returncode == 1, (verb, done.stderr)
        assert done.stderr.startswith(f"agent-debug: error: no runs of {REF} yet") and done.stderr.count("\n") == 1, done.stderr
    assert not any(tmp_path.iterdir())


def test_a_graph_ref_target_lists_answers_and_steps_the_graphs_runs(tmp_path: Path):
    started = run(tmp_path, "run", REF, "--no-ui", "--thread", "g", "--input", '{"x": 1}')
    assert started.returncode == 0, started.stderr
    assert "interrupted" in started.stderr
    listed = run(tmp_path, "threads", REF, "--json")
    assert listed.returncode == 0, listed.stderr
    assert '"thread_id":"g"' in listed.stdout.replace(" ", "") and '"interrupted"' in listed.stdout
    # The acting verbs need no --graph: the target is the graph.
    answered = run(tmp_path, "resume", REF, "--thread", "g", "--approve", "--json")
    assert answered.returncode == 0, answered.stderr
    assert '"status":"done"' in answered.stdout.replace(" ", "")
    console = run(tmp_path, "console", REF, "--thread", "g", stdin="state\nhistory\n")
    assert console.returncode == 0, console.stderr
    assert "finish" in console.stdout
