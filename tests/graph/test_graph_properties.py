"""Properties over random graphs: the layout never crashes, draws every node once in an
intact box, one arrowhead per edge, keeps to the width where it can; DOT and Mermaid
stay valid whatever the names are."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import networkx as nx
import pydot
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_debug.graphviz_export import STATUSES, layout, to_dot, to_mermaid
from agent_debug.graphviz_export.dot import dot_unquote
from agent_debug.graphviz_export.glyphs import ASCII, UNICODE
from agent_debug.graphviz_export.textcells import sanitize, text_cells

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot.dot_parser")

LABEL_CHARS = st.sampled_from(list("abcxyz_- ") + ["中", "文", "😀", "é", '"', "'", "#", "\\", ":", "|", "▼", "─"])
PATHS = [(), (), ("s1",), ("s1", "s2"), ("s3",)]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# reading DOT back with pydot is slow (pyparsing): fewer, still varied, examples
DOT_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def models(draw: Any, max_nodes: int = 12) -> nx.DiGraph:
    """A model as ``graph_model`` builds it, with any labels, subgraphs, statuses and edges."""
    g = nx.DiGraph()
    n = draw(st.integers(0, max_nodes))
    ids: list[str] = []
    if draw(st.booleans()):
        g.add_node("__start__", kind="start", label="__start__", subgraph=(), status=None)
        ids.append("__start__")
    for i in range(n):
        path = draw(st.sampled_from(PATHS))
        label = draw(st.text(LABEL_CHARS, min_size=1, max_size=6)) + str(i)
        kind = draw(st.sampled_from(["node", "node", "node", "subgraph"]))
        status = draw(st.sampled_from([None, None, *STATUSES]))
        node_id = ":".join((*path, label))
        g.add_node(node_id, kind=kind, label=label, subgraph=path, status=status)
        ids.append(node_id)
    if draw(st.booleans()):
        g.add_node("__end__", kind="end", label="__end__", subgraph=(), status=None)
        ids.append("__end__")
    if ids:
        pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
        for u, v in draw(st.lists(pairs, max_size=3 * len(ids))):
            label = draw(st.sampled_from([None, None, "go", "retry", "中文"]))
            g.add_edge(u, v, conditional=draw(st.booleans()), label=label)
    return g


def _drawn_arrowheads(drawing: Any, arrows: set[str]) -> int:
    return sum(
        ch in arrows
        for r, line in enumerate(drawing.lines)
        for span in drawing.row_spans(r)
        if span.style in ("edge", "edge.conditional")
        for ch in line[span.start : span.end]
    )


def _check(g: nx.DiGraph, drawing: Any, ascii_only: bool, *, cut: bool = False) -> None:
    glyphs = ASCII if ascii_only else UNICODE
    assert drawing.collisions == 0
    assert set(drawing.node_boxes) == set(g.nodes)  # every node, exactly one box
    for node_id, (row, col, height, width) in drawing.node_boxes.items():
        data = g.nodes[node_id]
        box = glyphs.boxes[data["kind"]]
        rows = [text_cells(drawing.lines[r]) + [" "] * (col + width) for r in range(row, row + height)]
        top, middle, bottom = (r[col : col + width] for r in rows)
        # corners and borders intact: nothing was drawn over the box
        assert (top[0], top[-1], bottom[0], bottom[-1]) == (
            box.top_left, box.top_right, box.bottom_left, box.bottom_right
        )
        assert set(top[1:-1]) <= {box.horizontal, box.line_up}
        assert set(bottom[1:-1]) <= {box.horizontal, box.line_down}
        assert (middle[0], middle[-1]) == (box.left, box.right)
        # the label, once, in its own box
        shown = "".join(middle[1:-1]).strip()
        expected = sanitize(data["label"])
        if data["status"]:
            expected = f"{glyphs.markers[data['status']]} {expected}"
        if cut and shown.endswith("…"):  # shortened to fit a width: a prefix, then …
            assert expected.startswith(shown[:-1].rstrip())
        else:
            assert shown == expected.strip()
    arrows = {glyphs.arrow_down, glyphs.arrow_up, glyphs.arrow_left, glyphs.arrow_right}
    assert _drawn_arrowheads(drawing, arrows) == g.number_of_edges()


@SETTINGS
@given(models(), st.booleans())
def test_layout_draws_every_node_and_edge_once(g: nx.DiGraph, ascii_only: bool) -> None:
    drawing = layout(g, ascii_only=ascii_only)
    _check(g, drawing, ascii_only)
    assert drawing.lines == layout(g, ascii_only=ascii_only).lines  # deterministic


@SETTINGS
@given(models(max_nodes=10), st.integers(20, 160))
def test_layout_keeps_to_the_width_where_it_can(g: nx.DiGraph, width: int) -> None:
    free = layout(g)
    drawing = layout(g, width=width)
    _check(g, drawing, ascii_only=False, cut=True)
    assert max((len(text_cells(line)) for line in drawing.lines), default=0) == drawing.width
    if width >= free.width:
        assert drawing.lines == free.lines  # nothing to do
    else:
        assert drawing.width <= width or drawing.width <= free.width  # never wider for trying


@SETTINGS
@given(models(max_nodes=8), st.sampled_from([None, 0, 1, 2]))
def test_focus_keeps_the_neighbourhood(g: nx.DiGraph, hops: int | None) -> None:
    if not g.number_of_nodes():
        return
    focus = next(iter(g.nodes))
    drawing = layout(g, focus=focus, hops=hops or 0)
    assert focus in drawing.node_boxes
    assert drawing.hidden == g.number_of_nodes() - len(drawing.node_boxes)
    assert drawing.collisions == 0


IDS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1, max_size=10
)


@DOT_SETTINGS
@given(st.lists(IDS, min_size=1, max_size=8, unique=True), st.data())
def test_dot_and_mermaid_survive_any_names(names: list[str], data: Any) -> None:
    g = nx.DiGraph()
    for name in names:
        g.add_node(name, kind="node", label=name, subgraph=(data.draw(st.sampled_from(PATHS))), status=None)
    for _ in range(data.draw(st.integers(0, 10))):
        u, v = data.draw(st.sampled_from(names)), data.draw(st.sampled_from(names))
        g.add_edge(u, v, conditional=data.draw(st.booleans()), label=data.draw(st.sampled_from([None, *names])))

    (parsed,) = pydot.graph_from_dot_data(to_dot(g))
    nodes: set[str] = set()
    stack = [parsed]
    while stack:
        graph = stack.pop()
        nodes |= {dot_unquote(n.get_name()) for n in graph.get_node_list() if n.get_name().startswith('"')}
        stack.extend(graph.get_subgraph_list())
    assert nodes == set(g.nodes)
    assert {(dot_unquote(e.get_source()), dot_unquote(e.get_destination())) for e in parsed.get_edge_list()} == set(g.edges)

    mermaid = to_mermaid(g)
    declared = re.findall(r"^\s+([A-Za-z_][A-Za-z0-9_]*)(?:\(\[|\[\[|\[)\"", mermaid, flags=re.M)
    assert len(declared) == len(set(declared)) == g.number_of_nodes()
    for line in mermaid.splitlines()[1:]:
        assert "\n" not in line and line.count('"') % 2 == 0


DOT = shutil.which("dot")


@pytest.mark.skipif(DOT is None, reason="Graphviz `dot` is not installed (CI installs graphviz)")
@settings(max_examples=15, deadline=None)
@given(models(max_nodes=8))
def test_graphviz_accepts_random_models(g: nx.DiGraph) -> None:
    result = subprocess.run([DOT, "-Tsvg"], input=to_dot(g), capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
