"""Run status on the nodes inside subgraphs (``--xray``), from the checkpoints of their
namespaces, on real LangGraph runs stored in SQLite."""

from __future__ import annotations

import json
import operator
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pydot
import pytest
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from agent_debug.graphviz_export import apply_status, graph_model, layout, namespace_path, to_dot, to_json
from agent_debug.graphviz_export.dot import STATUS_COLOURS, dot_unquote
from agent_debug.graphviz_export.model import subgraph_status
from agent_debug.inspector.targets import open_source
from agent_debug.tui.graph_status import graph_status
from tests.graphs import nested_builder

SUPERVISOR = ("supervisor", "researcher:split_questions", "researcher:investigate", "researcher:summarize")
WRITER = ("writer:__start__", "writer:draft", "writer:sign_off")


class Store:
    """A SQLite checkpoint store a test writes with LangGraph and reads with a Source."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, check_same_thread=False)
        self.saver = SqliteSaver(self.conn)

    def source(self) -> Any:
        self.conn.commit()
        return open_source(str(self.path))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "runs.db")
    yield s
    s.conn.close()


def cfg(thread: str, checkpoint: str | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {"thread_id": thread}
    if checkpoint:
        c["checkpoint_id"] = checkpoint
    return {"configurable": c}


def statuses(source: Any, compiled: Any, thread: str, checkpoint: str | None = None, xray: bool | int = True) -> dict[str, Any]:
    """Node id → status of the model drawn with ``--xray --from``."""
    model = graph_model(compiled, xray=xray)
    marked = apply_status(model, graph_status(source, thread, checkpoint, model=model))
    return dict(marked.nodes(data="status"))


def supervisor(store: Store) -> Any:
    from agent_debug.fixtures.supervisor import builder

    return builder.compile(checkpointer=store.saver)


def test_interrupted_inside_a_subgraph_marks_its_nodes_as_langgraph_sees_them(store):
    graph = supervisor(store)
    graph.invoke({"topic": "stores"}, cfg("s"))
    status = statuses(store.source(), graph, "s")
    assert {n: status[n] for n in SUPERVISOR} == dict.fromkeys(SUPERVISOR, "visited")
    assert status["writer:__start__"] == status["writer:draft"] == "visited"
    assert status["writer:sign_off"] == "interrupted"
    assert status["writer:__end__"] is None and status["__end__"] is None
    # The same facts through LangGraph's own API: the writer task's subgraph state.
    snapshot = graph.get_state(cfg("s"), subgraphs=True)
    (task,) = snapshot.tasks
    inner = task.state
    assert task.name == "writer" and inner.next == ("sign_off",)
    assert [t.name for t in inner.tasks if t.interrupts] == ["sign_off"]


def test_a_finished_run_marks_every_node_it_ran(store):
    graph = supervisor(store)
    graph.invoke({"topic": "stores"}, cfg("s"))
    graph.invoke(Command(resume=True), cfg("s"))
    status = statuses(store.source(), graph, "s")
    assert {n: status[n] for n in (*SUPERVISOR, *WRITER)} == dict.fromkeys((*SUPERVISOR, *WRITER), "visited")


def test_an_older_checkpoint_shows_only_what_had_run_by_then(store):
    graph = supervisor(store)
    graph.invoke({"topic": "stores"}, cfg("s"))
    graph.invoke(Command(resume=True), cfg("s"))
    history = list(graph.get_state_history(cfg("s")))
    before_writer = next(s for s in history if s.next == ("writer",)).config["configurable"]["checkpoint_id"]
    before_research = next(s for s in history if s.next == ("researcher",)).config["configurable"]["checkpoint_id"]
    source = store.source()

    status = statuses(source, graph, "s", before_writer)
    assert all(status[n] == "visited" for n in SUPERVISOR)
    assert all(status[n] is None for n in WRITER)  # the writer's run came after this checkpoint

    status = statuses(source, graph, "s", before_research)
    assert all(status[n] is None for n in (*SUPERVISOR[1:], *WRITER))
    model = apply_status(graph_model(graph, xray=True), graph_status(source, "s", before_research, model=graph_model(graph, xray=True)))
    assert subgraph_status(model) == {("researcher",): "next"}  # due, not run


def test_a_replayed_branch_counts_only_its_own_subgraph_runs(store):
    graph = supervisor(store)
    graph.invoke({"topic": "stores"}, cfg("s"))
    graph.invoke(Command(resume=True), cfg("s"))
    done_head = graph.get_state(cfg("s")).config["configurable"]["checkpoint_id"]
    history = list(graph.get_state_history(cfg("s")))
    before_writer = next(s for s in history if s.next == ("writer",))
    graph.invoke(None, before_writer.config)  # replay the writer: it stops at its sign-off again
    source = store.source()
    writers = [n.namespace for n in source.namespaces("s") if n.namespace.startswith("writer:")]
    assert len(writers) == 2  # one run per branch
    assert statuses(source, graph, "s")["writer:sign_off"] == "interrupted"
    assert statuses(source, graph, "s", done_head)["writer:sign_off"] == "visited"


def test_nested_subgraphs_two_levels_deep_and_a_depth_limit(store):
    graph = nested_builder().compile(checkpointer=store.saver)
    graph.invoke({"trail": []}, cfg("n"))
    source = store.source()
    assert any(namespace_path(n.namespace) == ("middle", "inner") for n in source.namespaces("n"))
    status = statuses(source, graph, "n")
    assert {k: status[k] for k in ("enter", "middle:prepare", "middle:inner:deep", "middle:inner:polish", "leave")} == dict.fromkeys(
        ("enter", "middle:prepare", "middle:inner:deep", "middle:inner:polish", "leave"), "visited"
    )
    shallow = statuses(source, graph, "n", xray=1)
    assert shallow["middle:prepare"] == shallow["middle:inner"] == "visited"  # inner drawn collapsed
    assert not any(k.startswith("middle:inner:") for k in shallow)


class _Trail(TypedDict, total=False):
    trail: Annotated[list[str], operator.add]


def _chain(*names: str, fail: str | None = None, **subgraphs: Any) -> StateGraph:
    def node(name: str) -> Any:
        def run(state: _Trail) -> dict[str, Any]:
            if name == fail:
                raise ValueError(f"{name} broke")
            return {"trail": [name]}

        return run

    g = StateGraph(_Trail).add_sequence([(n, subgraphs.get(n) or node(n)) for n in names])
    g.add_edge(START, names[0])
    g.add_edge(names[-1], END)
    return g


def test_a_failure_two_subgraphs_deep_marks_the_node_that_raised(store):
    inner = _chain("deep", "polish", fail="deep").compile(name="inner")
    middle = _chain("prepare", "inner", inner=inner).compile(name="middle")
    graph = _chain("enter", "middle", "leave", middle=middle).compile(checkpointer=store.saver)
    with pytest.raises(ValueError):
        graph.invoke({"trail": []}, cfg("f"))
    status = statuses(store.source(), graph, "f")
    assert status["enter"] == status["middle:prepare"] == "visited"
    assert status["middle:inner:deep"] == "failed"
    assert status["middle:inner:polish"] is None and status["leave"] is None


def test_a_breakpoint_inside_a_subgraph_marks_the_node_due(store):
    inner = _chain("deep", "polish").compile(name="inner", interrupt_before=["deep"])
    middle = _chain("prepare", "inner", inner=inner).compile(name="middle")
    graph = _chain("enter", "middle", "leave", middle=middle).compile(checkpointer=store.saver)
    graph.invoke({"trail": []}, cfg("b"))
    status = statuses(store.source(), graph, "b")
    assert status["middle:prepare"] == "visited"
    assert status["middle:inner:deep"] == "next" and status["middle:inner:polish"] is None


def test_statuses_of_a_subgraph_seen_from_its_own_namespace(store):
    graph = supervisor(store)
    graph.invoke({"topic": "stores"}, cfg("s"))
    source = store.source()
    writer_ns = next(n.namespace for n in source.namespaces("s") if n.namespace.startswith("writer:"))
    own = graph_model(dict(graph.get_subgraphs())["writer"])
    status = dict(apply_status(own, graph_status(source, "s", model=own, namespace=writer_ns)).nodes(data="status"))
    assert status == {"__start__": "visited", "draft": "visited", "sign_off": "interrupted", "__end__": None}


def test_dot_json_and_terminal_show_the_status_of_subgraph_nodes(store):
    graph = supervisor(store)
    graph.invoke({"topic": "stores"}, cfg("s"))
    model = graph_model(graph, xray=True)
    marked = apply_status(model, graph_status(store.source(), "s", model=model))

    (dot,) = pydot.graph_from_dot_data(to_dot(marked))
    nodes = {dot_unquote(n.get_name()): n for g in [dot, *_clusters(dot)] for n in g.get_nodes()}
    for node, status in (("writer:sign_off", "interrupted"), ("writer:draft", "visited"), ("researcher:summarize", "visited")):
        fill, border = STATUS_COLOURS[status]
        assert dot_unquote(nodes[node].get("fillcolor")) == fill and dot_unquote(nodes[node].get("color")) == border
    assert nodes["writer:__end__"].get("fillcolor") != f'"{STATUS_COLOURS["visited"][0]}"'

    doc = {n["id"]: n["status"] for n in json.loads(to_json(marked))["nodes"]}
    assert doc["writer:sign_off"] == "interrupted" and doc["researcher:investigate"] == "visited"

    drawing = layout(marked)
    styles = {s.node: s.style for row in range(len(drawing.lines)) for s in drawing.row_spans(row) if s.node and s.style.startswith("node")}
    assert styles["writer:sign_off"] == "node.interrupted" and styles["researcher:split_questions"] == "node.visited"
    assert "writer:__end__" not in styles  # drawn as an end, without a status


def _clusters(g: Any) -> list[Any]:
    out = []
    for sub in g.get_subgraphs():
        out += [sub, *_clusters(sub)]
    return out


def test_the_graph_command_colours_subgraph_nodes_with_xray():
    """``agent-debug graph --xray --from`` on the committed store, as a user runs it."""
    root = Path(__file__).resolve().parents[2]
    run = [str(Path(sys.executable).with_name("agent-debug")), "graph", "fixtures/supervisor.py:graph"]
    run_from = ["--from", "tests/data/snapshot.db", "--thread", "supervisor-009-interrupted"]

    def graph(*args: str) -> str:
        out = subprocess.run([*run, *run_from, *args], capture_output=True, text=True, timeout=120, cwd=root)
        assert out.returncode == 0, out.stderr
        return out.stdout

    (dot,) = pydot.graph_from_dot_data(graph("--xray", "--format", "dot"))
    nodes = {dot_unquote(n.get_name()): n for g in [dot, *_clusters(dot)] for n in g.get_nodes()}
    assert dot_unquote(nodes["writer:sign_off"].get("fillcolor")) == STATUS_COLOURS["interrupted"][0]
    assert dot_unquote(nodes["researcher:summarize"].get("fillcolor")) == STATUS_COLOURS["visited"][0]
    # Without --xray the subgraphs are single nodes, coloured from the root's checkpoints as before.
    doc = {n["id"]: n["status"] for n in json.loads(graph("--format", "json"))["nodes"]}
    assert doc == {"__start__": "visited", "supervisor": "visited", "researcher": "visited", "writer": "interrupted", "__end__": None}
