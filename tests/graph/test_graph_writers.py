"""DOT, Mermaid and JSON writers, and the ``render`` entry point."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any, TypedDict

import networkx as nx
import pydot
import pytest
from langgraph.graph import END, START, StateGraph

from agent_debug.graphviz_export import (
    FORMATS,
    apply_status,
    graph_json,
    graph_model,
    render,
    to_dot,
    to_json,
    to_mermaid,
)
from agent_debug.graphviz_export.dot import dot_quote, dot_unquote

# Names LangGraph accepts (":" and "|" are reserved) that break naive DOT/Mermaid writers.
TRICKY = ['say "hi"', "with space", "中文节点", "node", "edge", "graph", "a-b", "back\\slash", "🚀 launch", "end", "1st"]
DOT = shutil.which("dot")

# pydot's parser (used only here, to read DOT back) calls deprecated pyparsing names
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot.dot_parser")


class _State(TypedDict, total=False):
    x: int


def _tricky_graph() -> Any:
    builder = StateGraph(_State)
    for name in TRICKY:
        builder.add_node(name, lambda state: {})
    builder.add_edge(START, TRICKY[0])
    for a, b in zip(TRICKY, TRICKY[1:]):
        builder.add_edge(a, b)
    builder.add_conditional_edges(TRICKY[-1], lambda s: END, {"back to 'say'": TRICKY[0], "stop": END})
    return builder.compile()


@pytest.fixture(scope="module")
def tricky_graph() -> Any:
    return _tricky_graph()


def _parsed_dot(text: str) -> tuple[set[str], set[tuple[str, str]], list[Any]]:
    (parsed,) = pydot.graph_from_dot_data(text)
    nodes: set[str] = set()
    clusters: list[Any] = []

    def walk(graph: Any) -> None:
        for node in graph.get_node_list():
            name = node.get_name()
            if name.startswith('"'):  # bare `node`/`edge`/`graph` are attribute defaults
                nodes.add(dot_unquote(name))
        for sub in graph.get_subgraph_list():
            clusters.append(sub)
            walk(sub)

    walk(parsed)
    edges = {(dot_unquote(e.get_source()), dot_unquote(e.get_destination())) for e in parsed.get_edge_list()}
    return nodes, edges, clusters


@pytest.mark.parametrize("xray", [False, True])
def test_dot_round_trips_to_the_same_nodes_and_edges(router_graph, xray):
    drawable = router_graph.get_graph(xray=xray)
    nodes, edges, clusters = _parsed_dot(to_dot(graph_model(router_graph, xray=xray)))
    assert nodes == set(drawable.nodes)
    assert edges == {(e.source, e.target) for e in drawable.edges}
    assert bool(clusters) is xray


def test_dot_round_trips_tricky_names(tricky_graph):
    drawable = tricky_graph.get_graph()
    nodes, edges, _ = _parsed_dot(to_dot(graph_model(tricky_graph)))
    assert nodes == set(drawable.nodes)
    assert edges == {(e.source, e.target) for e in drawable.edges}


def test_dot_quote_round_trip():
    for text in [*TRICKY, 'tail\\', 'a"b"c', "multi\nline", ""]:
        assert dot_unquote(dot_quote(text)) == text


def test_dot_styles(router_graph):
    text = to_dot(graph_model(router_graph, xray=True))
    assert 'subgraph cluster_0_polish {' in text
    assert 'label="polish";' in text
    assert '"act" -> "check" [style=dashed];' in text
    assert '"check" -> "plan" [constraint=false, style=dashed, label="again"];' in text  # a loop
    assert '"plan" -> "act";' in text
    assert re.search(r'"__start__" \[shape=ellipse[^]]*\]', text)
    assert re.search(r'"__end__" \[shape=ellipse[^]]*peripheries=2', text)
    assert "legend" not in text  # no run status, no legend


def test_dot_status_fill_and_legend(router_graph):
    g = apply_status(graph_model(router_graph), {"plan": "visited", "act": "failed"})
    text = to_dot(g)
    assert re.search(r'"plan" \[[^]]*fillcolor="#d3f9d8"', text)
    assert re.search(r'"act" \[[^]]*fillcolor="#ffe3e3"[^]]*penwidth=2', text)
    assert '<td bgcolor="#d3f9d8" color="#2b8a3e">visited</td>' in text
    assert '<td bgcolor="#ffe3e3" color="#c92a2a">failed</td>' in text
    assert ">next<" not in text  # only the statuses in use
    assert "labelloc=b;" in text


@pytest.mark.skipif(DOT is None, reason="Graphviz `dot` is not installed (CI installs graphviz)")
@pytest.mark.parametrize("which", ["router", "router-xray-status", "tricky", "nested"])
def test_dot_renders_with_graphviz(which, router_graph, tricky_graph, nested_graph):
    if which == "router":
        g = graph_model(router_graph)
    elif which == "router-xray-status":
        g = apply_status(graph_model(router_graph, xray=True), {"plan": "visited", "act": "next", "polish:review": "interrupted"})
    elif which == "tricky":
        g = graph_model(tricky_graph)
    else:
        g = graph_model(nested_graph, xray=True)
    result = subprocess.run([DOT, "-Tsvg"], input=to_dot(g), capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # not even a warning
    assert result.stdout.count('class="node"') == g.number_of_nodes()
    assert result.stdout.count('class="edge"') == g.number_of_edges()


def test_mermaid_structure(router_graph):
    text = to_mermaid(graph_model(router_graph, xray=True))
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    __start__(["__start__"])' in lines
    assert '    subgraph sg_polish["polish"]' in lines
    assert '        polish_draft["draft"]' in lines
    assert '        polish___end__(["__end__"])' in lines
    assert "    act -.-> check" in lines
    assert '    check -.->|"again"| plan' in lines
    assert "    plan --> act" in lines
    assert "classDef" not in text


def test_mermaid_ids_and_labels_are_safe(tricky_graph):
    g = graph_model(tricky_graph)
    text = to_mermaid(g)
    declared = {}
    for line in text.splitlines()[1:]:
        m = re.match(r"\s+([A-Za-z_][A-Za-z0-9_]*)(\(\[|\[\[|\[)\"([^\"]*)\"", line)
        if m:
            declared[m.group(1)] = m.group(3)
    assert len(declared) == g.number_of_nodes()  # one id per node, none clashing
    assert "n_end" in declared and declared["n_end"] == "end"  # `end` is reserved
    assert declared["say__hi_"] == "say #quot;hi#quot;"
    assert "n_1st" in declared
    for line in text.splitlines():
        if "-->" in line or "-.->" in line:
            source, target = re.sub(r"\|\"[^\"]*\"\|", "", line).split()[::2]
            assert source in declared and target in declared
    assert '-.->|"back to \'say\'"|' in text


def test_mermaid_status_classes_and_legend(router_graph):
    g = apply_status(graph_model(router_graph), {"plan": "visited", "act": "visited", "fix": "next"})
    text = to_mermaid(g)
    assert "    class plan,act visited" in text
    assert "    class fix next" in text
    assert '    subgraph legend["legend"]' in text
    assert '        legend_visited["visited"]:::visited' in text
    assert "classDef next fill:#fff3bf,stroke:#e67700,stroke-width:2px" in text
    assert text.count("subgraph") == text.count("\n    end") + text.count("\n        end")


def test_mermaid_subgraph_blocks_balance(nested_graph):
    text = to_mermaid(graph_model(nested_graph, xray=True))
    opened = [line for line in text.splitlines() if line.strip().startswith("subgraph ")]
    closed = [line for line in text.splitlines() if line.strip() == "end"]
    assert len(opened) == len(closed) == 2
    assert '        subgraph sg_mid_inner["inner"]' in text


def test_json_schema(router_graph):
    g = apply_status(graph_model(router_graph, xray=True), {"plan": "next"})
    data = json.loads(to_json(g))
    assert set(data) == {"nodes", "edges"}
    assert data == graph_json(g)
    node = next(n for n in data["nodes"] if n["id"] == "polish:draft")
    assert node == {"id": "polish:draft", "label": "draft", "kind": "node", "subgraph": ["polish"], "status": None}
    assert next(n for n in data["nodes"] if n["id"] == "plan")["status"] == "next"
    for n in data["nodes"]:
        assert set(n) == {"id", "label", "kind", "subgraph", "status"}
    for e in data["edges"]:
        assert set(e) == {"source", "target", "conditional", "label"}
        assert isinstance(e["conditional"], bool)
    assert {"source": "check", "target": "plan", "conditional": True, "label": "again"} in data["edges"]


def test_json_keeps_unicode(tricky_graph):
    text = to_json(graph_model(tricky_graph))
    assert "中文节点" in text and "🚀 launch" in text


def test_render_every_format(router_graph):
    assert FORMATS == ("ascii", "dot", "mermaid", "json")
    for fmt in FORMATS:
        out = render(router_graph, fmt, xray=True, status={"plan": "visited"})
        assert out.endswith("\n")
    assert "legend" in render(router_graph, "ascii", status={"plan": "visited"})
    with pytest.raises(ValueError, match="unknown graph format 'svg'"):
        render(router_graph, "svg")


def test_render_focus_applies_to_every_format(router_graph):
    data = json.loads(render(router_graph, "json", focus="work", hops=1))
    assert {n["id"] for n in data["nodes"]} == {"fix", "work", "polish"}
    nodes, _, _ = _parsed_dot(render(router_graph, "dot", focus="work", hops=1))
    assert nodes == {"fix", "work", "polish"}
    assert "focus: work" in render(router_graph, "ascii", focus="work")


def test_writers_accept_a_hand_made_model():
    g = nx.DiGraph(name="hand made")
    g.add_node("a", kind="node", label="a", subgraph=(), status=None)
    g.add_node("b", label="b")  # missing attributes fall back to defaults
    g.add_edge("a", "b")
    for fmt in FORMATS:
        assert render(g, fmt)
