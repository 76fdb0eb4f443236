"""An assistant's graph on a LangGraph server: the model built from the server's drawing
JSON, ``agent-debug graph URL`` and the TUI's graph pane on a server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agent_debug.graphviz_export.model import graph_model
from agent_debug.graphviz_export.server_graph import server_graph_model, subgraph_model
from agent_debug.inspector.targets import open_source
from agent_debug.tui.cli.graph import assistant_model
from tests.server import graphs

AGENT_DEBUG = Path(sys.executable).parent / "agent-debug"
ROOT = Path(__file__).resolve().parents[2]
GRAPHS = ("review", "nested", "failing", "chat", "slow")


def shape(model: Any) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """What two models must share: nodes (kind, label, subgraph path, interrupt) and edges
    (conditional, label); the order and the graph's name may differ."""
    nodes = {(n, d["kind"], d["label"], tuple(d["subgraph"]), d["interrupt"], d["status"]) for n, d in model.nodes(data=True)}
    edges = {(u, v, d["conditional"], d["label"]) for u, v, d in model.edges(data=True)}
    return nodes, edges


def agent_debug(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it."""
    return subprocess.run([str(AGENT_DEBUG), *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


# -- the model, from JSON, without a server -----------------------------------------------------


def _local_graphs() -> dict[str, Any]:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import START, StateGraph

    from agent_debug.fixtures import feature_request, long_loop, supervisor, tool_agent
    from tests.graph import samples

    paused = StateGraph(samples.State)
    paused.add_node("a", samples._step)
    paused.add_node("b", samples._step)
    paused.add_edge(START, "a")
    paused.add_edge("a", "b")
    return {
        "router": samples.build_router_graph(),  # Command, Send, labelled branches, a subgraph
        "three levels": samples.build_nested_graph(),
        "supervisor": supervisor.graph,
        "feature_request": feature_request.graph,
        "long_loop": long_loop.graph,
        "tool_agent": tool_agent.graph,
        "interrupts": paused.compile(interrupt_before=["a"], interrupt_after=["b"], checkpointer=InMemorySaver()),
    }


@pytest.mark.parametrize("xray", [False, True, 1, 2], ids=lambda x: f"xray={x}")
def test_the_model_of_a_drawing_json_is_the_model_of_the_compiled_graph(xray):
    # The server answers get_graph(xray).to_json(), its JSON taken apart and put back.
    for name, compiled in _local_graphs().items():
        drawn = json.loads(json.dumps(compiled.get_graph(xray=xray).to_json()))
        namespaces = [ns for ns, _ in compiled.get_subgraphs(recurse=True)]
        model = server_graph_model(drawn, subgraphs=namespaces, xray=xray, name=name)
        assert shape(model) == shape(graph_model(compiled, xray=xray)), name
        assert model.graph["name"] == name and model.graph["xray"] == xray


def test_a_subgraph_cut_from_an_xray_model_is_the_model_of_the_compiled_subgraph():
    for name, compiled in _local_graphs().items():
        full = graph_model(compiled, xray=True)
        for namespace, sub in compiled.get_subgraphs(recurse=True):
            path = tuple(namespace.split("|"))
            cut = subgraph_model(full, path)
            assert cut is not None and shape(cut) == shape(graph_model(sub, xray=True)), (name, path)
    assert subgraph_model(graph_model(graphs.nested, xray=False), ("inner",)) is None


def test_graphviz_export_stays_importable_without_httpx_and_any_ui():
    code = (
        "import sys; sys.modules['httpx'] = None\n"
        "from agent_debug.graphviz_export.server_graph import server_graph_model\n"
        "from agent_debug.graphviz_export.formats import render\n"
        "m = server_graph_model({'nodes': [{'id': '__start__'}, {'id': 'a'}, {'id': '__end__'}],"
        " 'edges': [{'source': '__start__', 'target': 'a'}, {'source': 'a', 'target': '__end__', 'conditional': True}]})\n"
        "render(m, 'dot'); render(m, 'ascii')\n"
        "bad = [n for n in ('textual', 'rich', 'prompt_toolkit', 'httpx', 'langgraph') if sys.modules.get(n)]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


# -- the model, from the server --------------------------------------------------------------------


@pytest.mark.parametrize("xray", [False, True, 1], ids=lambda x: f"xray={x}")
@pytest.mark.parametrize("graph_id", GRAPHS)
def test_the_server_draws_each_graph_as_the_graph_imported_here(langgraph_server, graph_id, xray):
    with open_source(langgraph_server.url) as source:
        model = assistant_model(source, source.assistant_of(name=graph_id), xray=xray)
    assert shape(model) == shape(graph_model(getattr(graphs, graph_id), xray=xray))
    assert model.graph["name"] == graph_id


def test_the_nested_graph_keeps_its_subgraph_collapsed_or_in_a_frame(langgraph_server):
    with open_source(langgraph_server.url) as source:
        assistant = source.assistant_of(name="nested")
        collapsed = assistant_model(source, assistant, xray=False)
        expanded = assistant_model(source, assistant, xray=True)
    assert collapsed.nodes["inner"]["kind"] == "subgraph"
    assert {n: d["subgraph"] for n, d in expanded.nodes(data=True) if d["subgraph"]} == {"inner:one": ("inner",), "inner:two": ("inner",)}
    inner = dict(graphs.nested.get_subgraphs())["inner"]
    assert shape(subgraph_model(expanded, ("inner",))) == shape(graph_model(inner))


# -- agent-debug graph URL -------------------------------------------------------------------------


def test_graph_of_an_assistant_as_dot_is_the_local_graphs_dot(langgraph_server):
    served = agent_debug("graph", langgraph_server.url, "--assistant", "nested", "--xray", "1", "--format", "dot")
    local = agent_debug("graph", "tests/server/graphs.py:nested", "--xray", "1", "--format", "dot")

    assert served.returncode == 0, served.stderr
    assert local.returncode == 0, local.stderr
    assert served.stdout.startswith('digraph "nested" {')
    assert 'subgraph cluster_0_inner {' in served.stdout
    assert '"inner:one" -> "inner:two";' in served.stdout
    # The same statements (the graph's name aside), in whatever order the server lists edges.
    assert sorted(served.stdout.splitlines()[1:]) == sorted(local.stdout.splitlines()[1:])
    import pydot

    assert pydot.graph_from_dot_data(served.stdout)


def test_graph_honours_the_xray_depth(langgraph_server):
    collapsed = agent_debug("graph", langgraph_server.url, "--assistant", "nested", "--format", "json")
    expanded = agent_debug("graph", langgraph_server.url, "--assistant", "nested", "--xray", "1", "--format", "json")

    assert collapsed.returncode == expanded.returncode == 0, collapsed.stderr + expanded.stderr
    kinds = {n["id"]: n["kind"] for n in json.loads(collapsed.stdout)["nodes"]}
    assert kinds["inner"] == "subgraph" and "inner:one" not in kinds
    assert {n["id"] for n in json.loads(expanded.stdout)["nodes"]} >= {"inner:one", "inner:two"}


def _statuses(result: subprocess.CompletedProcess[str]) -> dict[str, str | None]:
    assert result.returncode == 0, result.stderr
    return {n["id"]: n["status"] for n in json.loads(result.stdout)["nodes"]}


def test_graph_of_a_thread_draws_its_assistant_with_its_run(langgraph_server):
    nested, _ = langgraph_server.run("nested", {"n": 0})
    failing, _ = langgraph_server.run("failing", {})
    review, _ = langgraph_server.run("review", {"draft": "notes"})
    url = langgraph_server.url

    assert _statuses(agent_debug("graph", url, "--thread", nested, "--xray", "--format", "json")) == {
        "__start__": "visited",
        "prepare": "visited",
        "inner:one": "visited",
        "inner:two": "visited",
        "finish": "visited",
        "__end__": None,
    }
    assert _statuses(agent_debug("graph", url, "--thread", failing, "--format", "json"))["flaky"] == "failed"
    review_status = _statuses(agent_debug("graph", url, "--thread", review, "--format", "json"))
    assert review_status["write_draft"] == "visited" and review_status["ask_human"] == "interrupted"
    assert review_status["publish"] is None

    drawing = agent_debug("graph", url, "--thread", failing)
    assert drawing.returncode == 0 and "✗ flaky" in drawing.stdout and "legend: ✓ visited  ✗ failed" in drawing.stdout


def test_graph_of_a_thread_can_name_a_checkpoint(langgraph_server):
    thread_id, _ = langgraph_server.run("nested", {"n": 0})
    with open_source(langgraph_server.url) as source:
        rows = source.history(thread_id, limit=None).checkpoints
    after_prepare = next(r.checkpoint_id for r in rows if r.nodes == ["prepare"])

    status = _statuses(agent_debug("graph", langgraph_server.url, "--thread", thread_id, "--checkpoint", after_prepare, "--format", "json"))
    assert status["prepare"] == "visited" and status["inner"] == "next" and status["finish"] is None


def test_graph_writes_to_a_file_with_o(langgraph_server, tmp_path):
    out = tmp_path / "nested.mmd"
    result = agent_debug("graph", langgraph_server.url, "--assistant", "nested", "--format", "mermaid", "-o", str(out))

    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr.strip() == f"wrote mermaid to {out}"
    assert out.read_text().startswith("flowchart TD")


def _one_line_error(result: subprocess.CompletedProcess[str], status: int) -> str:
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("agent-debug: error: "), result.stderr
    return lines[0]


def test_graph_on_a_server_of_several_graphs_asks_which(langgraph_server):
    line = _one_line_error(agent_debug("graph", langgraph_server.url), 2)
    assert "chat, failing, nested, review, slow" in line and "--assistant" in line


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (["--assistant", "no-such-graph"], 1, "no assistant or graph 'no-such-graph'"),
        (["--thread", "00000000-0000-0000-0000-000000000000"], 1, "no thread '00000000-0000-0000-0000-000000000000'"),
        (["--from", "runs.db", "--thread", "x"], 2, "--from"),
        (["--checkpoint", "x"], 2, "--checkpoint needs --thread"),
    ],
    ids=["unknown assistant", "unknown thread", "--from", "--checkpoint alone"],
)
def test_graph_on_a_server_fails_in_one_line(langgraph_server, args, status, says):
    assert says in _one_line_error(agent_debug("graph", langgraph_server.url, *args), status)


def test_graph_of_a_thread_without_a_run_says_to_give_the_assistant(langgraph_server):
    thread_id = langgraph_server.create_thread()
    line = _one_line_error(agent_debug("graph", langgraph_server.url, "--thread", thread_id), 1)
    assert "--assistant" in line


def test_assistant_is_refused_on_a_graph_ref():
    line = _one_line_error(agent_debug("graph", "tests/server/graphs.py:nested", "--assistant", "nested"), 2)
    assert "--assistant" in line


# -- the TUI on a server ------------------------------------------------------------------------


async def _until(pilot: Any, condition: Callable[[], bool], what: str, tries: int = 100) -> None:
    from tests.tui.conftest import settle

    for _ in range(tries):
        await settle(pilot)
        if condition():
            return
    raise AssertionError(f"never happened: {what}")


async def test_the_tui_on_a_server_draws_the_threads_assistant_graph(langgraph_server, monkeypatch):
    from agent_debug.tui.app import AgentDebugApp
    from agent_debug.tui.widgets.graph.graph_view import GraphView
    from tests.tui.test_app import static_text
    from tests.tui.test_graph_namespaces import drawn_nodes, walk_to

    monkeypatch.setenv("AGENT_DEBUG_KEYMAP", "/dev/null")
    thread_id, _ = langgraph_server.run("nested", {"n": 0})
    fetched: list[str] = []
    source = open_source(langgraph_server.url)
    real = source.graph_json

    def graph_json(assistant_id: str, **kw: Any) -> Any:
        import threading

        assert threading.current_thread() is not threading.main_thread(), "fetched on the UI thread"
        fetched.append(assistant_id)
        return real(assistant_id, **kw)

    source.graph_json = graph_json  # type: ignore[method-assign]
    app = AgentDebugApp(source, thread_id=thread_id, poll_interval=0)
    async with app.run_test(size=(140, 50)) as pilot:
        view = app.query_one(GraphView)
        await _until(pilot, lambda: app.thread_id == thread_id and view.drawing is not None and "inner:one" in view.drawing.node_boxes,
                     "the server's graph of nested")
        assert "graph of assistant nested from the server" in static_text(app, "#graph-caption")
        styles = drawn_nodes(app)
        assert {styles[n] for n in ("prepare", "inner:one", "inner:two", "finish")} == {"node.visited"}

        # Into the subgraph's namespace: the subgraph, cut from the same drawing.
        inner = await walk_to(pilot, "inner:")
        await _until(pilot, lambda: app.namespace == inner and "one" in view.drawing.node_boxes and "prepare" not in view.drawing.node_boxes,
                     "the inner subgraph")
        caption = static_text(app, "#graph-caption")
        assert "graph of assistant nested from the server" in caption and f"namespace {inner}" in caption
        assert {drawn_nodes(app)[n] for n in ("one", "two")} == {"node.visited"}
    assert len(fetched) == 1  # once per assistant, however often the pane is drawn
    source.close()
