"""The graph model built from ``get_graph()``: kinds, subgraph paths, edges, status."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import pytest

from agent_debug.graphviz_export import (
    STATUSES,
    UnknownNodeError,
    apply_status,
    focus_nodes,
    graph_model,
    resolve_node,
)
from agent_debug.graphviz_export.model import (
    back_edges,
    statuses_present,
    subgraph_status,
)


def test_kinds_labels_and_order_follow_get_graph(router_graph):
    g = graph_model(router_graph)
    assert list(g.nodes) == list(router_graph.get_graph().nodes)
    kinds = dict(g.nodes(data="kind"))
    assert kinds["__start__"] == "start"
    assert kinds["__end__"] == "end"
    assert kinds["plan"] == "node"
    assert kinds["polish"] == "subgraph"  # collapsed without xray
    assert all(path == () for _, path in g.nodes(data="subgraph"))
    assert all(status is None for _, status in g.nodes(data="status"))


def test_command_routing_and_send_are_conditional_edges(router_graph):
    g = graph_model(router_graph)
    # Command[Literal["check", "fix", "__end__"]] return type
    for target in ("check", "fix", "__end__"):
        assert g.edges["act", target]["conditional"] is True
    # Send fan-out and destinations=
    assert g.edges["fix", "work"]["conditional"] is True
    assert g.edges["work", "fix"]["conditional"] is True
    assert g.edges["work", "polish"]["conditional"] is False
    # path-map keys become labels
    assert g.edges["check", "plan"]["label"] == "again"
    assert g.edges["check", "polish"]["label"] == "done"
    assert g.edges["plan", "act"] == {"conditional": False, "label": None}


def test_xray_expands_subgraphs_with_paths(router_graph):
    g = graph_model(router_graph, xray=True)
    assert "polish" not in g
    assert g.nodes["polish:draft"]["label"] == "draft"
    assert g.nodes["polish:draft"]["subgraph"] == ("polish",)
    assert g.nodes["polish:__end__"]["kind"] == "end"
    assert g.edges["check", "polish:draft"]["label"] == "done"
    assert g.graph["xray"] is True


def test_xray_depth_keeps_deeper_subgraphs_collapsed(nested_graph):
    one = graph_model(nested_graph, xray=1)
    assert one.nodes["mid:inner"]["kind"] == "subgraph"
    assert one.nodes["mid:inner"]["subgraph"] == ("mid",)
    full = graph_model(nested_graph, xray=True)
    assert full.nodes["mid:inner:i1"]["subgraph"] == ("mid", "inner")
    assert full.nodes["mid:inner:i1"]["label"] == "i1"


def test_model_matches_get_graph_edges(router_graph):
    for xray in (False, True):
        drawable = router_graph.get_graph(xray=xray)
        g = graph_model(router_graph, xray=xray)
        assert set(g.edges) == {(e.source, e.target) for e in drawable.edges}


def test_apply_status_copies_and_resolves_namespaces(router_graph):
    g = graph_model(router_graph, xray=True)
    marked = apply_status(
        g, {"plan": "visited", "polish:6f1c0000|review": "next", "missing": "failed", "act": "visited"}
    )
    assert marked.nodes["plan"]["status"] == "visited"
    assert marked.nodes["polish:review"]["status"] == "next"
    assert g.nodes["plan"]["status"] is None  # the original is untouched
    collapsed = apply_status(graph_model(router_graph), {"polish|draft": "failed", "polish": "visited"})
    assert collapsed.nodes["polish"]["status"] == "failed"  # the most telling status wins


def test_status_of_an_expanded_subgraph_marks_its_frame(router_graph):
    g = apply_status(graph_model(router_graph, xray=True), {"polish": "next", "polish|nothing": "failed"})
    assert subgraph_status(g) == {("polish",): "failed"}
    assert all(status is None for _, status in g.nodes(data="status"))
    assert statuses_present(g) == ["failed"]
    assert subgraph_status(graph_model(router_graph)) == {}


def test_back_edges_are_found_from_the_start(router_graph, nested_graph):
    assert back_edges(graph_model(router_graph)) == {("check", "plan"), ("work", "fix")}
    assert back_edges(graph_model(nested_graph, xray=True)) == {("mid:inner:i2", "t1")}
    loop = nx.DiGraph([("a", "a"), ("a", "b")])
    assert back_edges(loop) == set()  # self-loops are not back edges


def test_apply_status_rejects_unknown_values(router_graph):
    with pytest.raises(ValueError, match="unknown node status"):
        apply_status(graph_model(router_graph), {"plan": "done"})
    assert STATUSES == ("visited", "next", "failed", "interrupted", "running")


def test_resolve_node(router_graph):
    g = graph_model(router_graph, xray=True)
    assert resolve_node(g, "polish:draft") == "polish:draft"
    assert resolve_node(g, "polish:abc|draft") == "polish:draft"
    assert resolve_node(g, "nowhere") is None


def test_focus_nodes_by_id_label_and_hops(router_graph):
    g = graph_model(router_graph, xray=True)
    assert focus_nodes(g, "act", 1) == ["plan", "act", "check", "fix", "__end__"]
    assert focus_nodes(g, "draft", 0) == ["polish:draft"]  # a unique label works
    assert len(focus_nodes(g, "act", 10)) == g.number_of_nodes()
    with pytest.raises(UnknownNodeError, match="'acts' is not a node; try act"):
        focus_nodes(g, "acts")
    twins = nx.DiGraph()
    twins.add_node("a:x", label="x")
    twins.add_node("b:x", label="x")
    with pytest.raises(UnknownNodeError, match="'x' is ambiguous"):
        focus_nodes(twins, "x")
    assert str(UnknownNodeError("x")) == "x"  # one clean line, unlike KeyError


def test_package_import_is_cheap():
    code = (
        "import sys, agent_debug.graphviz_export as ge, agent_debug.inspector.graph_ref;"
        "bad = [m for m in ('networkx', 'pydot', 'langgraph', 'textual', 'rich', 'prompt_toolkit')"
        " if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_layout_and_writers_never_import_ui_libraries(router_graph):
    code = (
        "import sys, networkx as nx\n"
        "from agent_debug.graphviz_export import layout, to_dot, to_mermaid, to_json\n"
        "g = nx.DiGraph(); g.add_node('a', kind='node', label='a', subgraph=(), status=None)\n"
        "layout(g); to_dot(g); to_mermaid(g); to_json(g)\n"
        "print([m for m in ('textual', 'rich', 'prompt_toolkit', 'langgraph') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
