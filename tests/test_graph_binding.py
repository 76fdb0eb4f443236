"""Several graphs bound to one store: each thread runs the graph its metadata names, else the
one whose nodes it ran; a thread no graph fits is refused before anything is written.

Real stores: a copy of the committed store the seed's real runs wrote (threads of the four
fixture workflows), and small stores the graphs of tests/graphs.py write here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent_debug.fixtures.seed import GRAPH_REFS
from agent_debug.inspector.exceptions import ControlError
from agent_debug.inspector.graph_binding import GraphBinding
from agent_debug.inspector.graph_ref import GraphRefError, load_graphs
from agent_debug.inspector.session import open_session
from agent_debug.inspector.targets import open_source
from tests.graphs import linear_builder

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_DB = ROOT / "tests" / "data" / "snapshot.db"
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
FEATURE = f"feature={GRAPH_REFS['feature']}"
TOOL = f"tool={GRAPH_REFS['tool']}"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    copy = tmp_path / "runs.db"
    shutil.copy(SNAPSHOT_DB, copy)
    return copy


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def binding(*refs: str) -> GraphBinding:
    return GraphBinding(load_graphs(list(refs)))


def test_every_seeded_thread_gets_the_graph_of_its_workflow(store: Path):
    graphs = binding(*(f"{name}={ref}" for name, ref in GRAPH_REFS.items()))
    with open_session(str(store), graph=graphs) as session:
        threads = session.source.threads(limit=None).threads
        assert {t.thread_id.split("-")[0] for t in threads} == set(GRAPH_REFS)  # threads of every workflow
        for thread in threads:
            choice = session.choose_graph(thread.thread_id)
            assert choice.graph is not None and choice.graph.name == thread.thread_id.split("-")[0], (thread.thread_id, choice)
            assert choice.why == "its nodes"


def test_a_thread_no_graph_fits_is_refused_naming_the_graphs_tried_and_nothing_is_written(store: Path):
    before = digest(store)
    with open_session(str(store), graph=binding(FEATURE, TOOL)) as session:
        assert session.choose_graph("loop-012-done").graph is None
        for verb in (lambda: session.step("loop-012-done"), lambda: session.check_graph("loop-012-done")):
            with pytest.raises(ControlError) as refused:
                verb()
            assert "no graph given matches thread 'loop-012-done': it ran tick" in refused.value.message
            assert "tried --graph feature, tool" in refused.value.message and "nothing was written" in refused.value.message
        # The threads of both graphs act, each with its own.
        assert session.answer("tool-008-interrupted", approve=True).status.value == "done"
        assert session.answer("feature-002-interrupted", approve=True).status.value == "done"
    assert digest(store) != before


def test_one_graph_that_does_not_fit_says_what_the_thread_ran(store: Path):
    with open_session(str(store), graph=binding(GRAPH_REFS["feature"])) as session:
        why = session.choose_graph("loop-012-done").why
        assert "does not match thread 'loop-012-done': it ran tick" in why
        assert f"tried --graph {GRAPH_REFS['feature']}" in why


def _run_linear(path: Path, thread: str, graph_id: str | None) -> None:
    """A real run of the linear graph, to its interrupt; ``graph_id`` goes into the run's
    config as a LangGraph server puts it there (and so into every checkpoint's metadata)."""
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        graph = linear_builder().compile(checkpointer=SqliteSaver(conn))
        configurable = {"thread_id": thread} | ({"graph_id": graph_id} if graph_id else {})
        graph.invoke({"x": 1}, {"configurable": configurable})
    finally:
        conn.close()


def test_the_graph_id_in_a_threads_metadata_chooses_between_graphs_with_the_same_nodes(tmp_path: Path):
    db = tmp_path / "two.db"
    _run_linear(db, "named", "second")
    _run_linear(db, "unnamed", None)
    graphs = binding("first=tests.graphs:linear", "second=tests.graphs:linear_builder")
    with open_session(str(db), graph=graphs) as session:
        choice = session.choose_graph("named")
        assert choice.graph is not None and choice.graph.name == "second" and choice.why == "graph_id 'second' in its metadata"
        assert session.answer("named", approve=True).status.value == "done"
        # Without a name, both graphs fit as well: no choice, and no run.
        assert session.choose_graph("unnamed").graph is None
        with pytest.raises(ControlError, match=r"fits several graphs given as well \(first, second\)"):
            session.answer("unnamed", approve=True)
        assert session.thread("unnamed").status.value == "interrupted"


def test_a_breakpoint_inside_one_graphs_subgraph_does_not_reach_the_others_runs(store: Path):
    graphs = binding(FEATURE, f"supervisor={GRAPH_REFS['supervisor']}")
    with open_session(str(store), graph=graphs) as session:
        assert {"writer:draft", "sandbox_test"} <= session.nodes
        session.toggle_breakpoint("writer:draft")  # the supervisor's writer subgraph
        outcome = session.step("feature-004-pending")  # a feature run: it has no writer to break in
        assert outcome.error is None and outcome.new_checkpoints


def test_graph_refs_are_named_by_name_or_graph_id_and_given_once(tmp_path: Path):
    config = tmp_path / "langgraph.json"
    config.write_text(json.dumps({"graphs": {"feature": GRAPH_REFS["feature"], "tool": GRAPH_REFS["tool"]}}))
    from_config = load_graphs([], config_file=config)
    assert [(g.name, g.ref) for g in from_config] == [("feature", "feature"), ("tool", "tool")]
    named = load_graphs([FEATURE, GRAPH_REFS["tool"]])
    assert [(g.name, g.label) for g in named] == [("feature", "feature"), (None, GRAPH_REFS["tool"])]
    with pytest.raises(GraphRefError, match="given twice"):
        load_graphs([FEATURE, f"feature={GRAPH_REFS['tool']}"])
    with pytest.raises(GraphRefError, match="no GRAPH_REF after"):
        load_graphs(["feature="])


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_headless_resume_with_several_graphs_runs_each_threads_own(store: Path, tmp_path: Path):
    graphs = ("--graph", FEATURE, "--graph", TOOL)
    before = digest(store)
    refused = run("resume", str(store), "--thread", "supervisor-009-interrupted", "--approve", *graphs)
    assert refused.returncode == 1 and "no graph given matches thread 'supervisor-009-interrupted'" in refused.stderr
    assert "tried --graph feature, tool" in refused.stderr and "Traceback" not in refused.stderr
    assert digest(store) == before
    out = run("resume", str(store), "--thread", "tool-008-interrupted", "--approve", *graphs)
    assert out.returncode == 0, out.stderr
    # --config alone gives every graph it declares.
    config = tmp_path / "langgraph.json"
    config.write_text(json.dumps({"graphs": dict(g.split("=", 1) for g in (FEATURE, TOOL))}))
    out = run("resume", str(store), "--thread", "feature-002-interrupted", "--approve", "--config", str(config))
    assert out.returncode == 0, out.stderr
    with open_source(str(store)) as source:
        assert {source.thread(t).status.value for t in ("tool-008-interrupted", "feature-002-interrupted")} == {"done"}


def test_the_console_with_several_graphs_draws_and_runs_each_threads_own(store: Path):
    script = "\n".join(["thread tool-008-interrupted", "graph", "answer approve", "thread loop-012-done", "next", "threads", ""])
    done = subprocess.run(
        [AGENT_DEBUG, "console", str(store), "--graph", FEATURE, "--graph", TOOL],
        input=script, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "tools" in done.stdout and "sandbox_test" not in done.stdout  # the tool graph, drawn for its thread
    assert "thread tool-008-interrupted is now done" in done.stdout
    assert "no graph given matches thread 'loop-012-done': it ran tick; tried --graph feature, tool" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr  # one line; the script stopped there
