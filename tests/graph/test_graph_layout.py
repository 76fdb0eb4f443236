"""The terminal layout: loops, subgraph frames, styles, widths, focus, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from agent_debug.graphviz_export import (
    STYLES,
    apply_status,
    graph_model,
    layout,
    render_text,
)
from agent_debug.graphviz_export.channels import (
    END_ROW,
    START_ROW,
    Segment,
    route_channel,
)
from agent_debug.graphviz_export.layered import _isotonic
from agent_debug.graphviz_export.textcells import (
    cell_len,
    fit_cells,
    sanitize,
    text_cells,
)

ARROWHEADS = set("▼▲◀▶")
ROOT = Path(__file__).resolve().parents[2]


def model(*edges: tuple[str, str], labels: dict[str, str] | None = None, **kinds: str) -> nx.DiGraph:
    """A hand-made model: ``model(("a", "b"), a="start")``."""
    g = nx.DiGraph()
    for u, v in edges:
        for n in (u, v):
            if n not in g:
                g.add_node(n, kind=kinds.get(n, "node"), label=(labels or {}).get(n, n), subgraph=(), status=None)
        g.add_edge(u, v, conditional=False, label=None)
    return g


def cell_at(drawing, row: int, col: int) -> str:
    cells = text_cells(drawing.lines[row])
    return cells[col] if col < len(cells) else " "


def arrowheads(drawing) -> int:
    return sum(
        ch in ARROWHEADS
        for r, line in enumerate(drawing.lines)
        for span in drawing.row_spans(r)
        if span.style in ("edge", "edge.conditional")
        for ch in line[span.start : span.end]
    )


def test_chain_is_one_straight_column():
    drawing = layout(model(("__start__", "a"), ("a", "b"), ("b", "__end__"), __start__="start", __end__="end"))
    text = render_text(drawing)
    assert text == "\n".join(
        [
            "╭───────────╮",
            "│ __start__ │",
            "╰─────┬─────╯",
            "      ▼",
            "    ┌───┐",
            "    │ a │",
            "    └─┬─┘",
            "      ▼",
            "    ┌───┐",
            "    │ b │",
            "    └─┬─┘",
            "      ▼",
            " ╭─────────╮",
            " │ __end__ │",
            " ╰─────────╯",
        ]
    )


def test_loop_back_edge_points_up_into_its_target(router_graph):
    drawing = layout(graph_model(router_graph))
    top, left, height, width = drawing.node_boxes["plan"]
    below = top + height  # the row under plan's box
    arrows = [c for c in range(left, left + width) if cell_at(drawing, below, c) == "▲"]
    assert len(arrows) == 1  # check → plan arrives from below, with an upward arrowhead
    assert arrowheads(drawing) == router_graph.get_graph().edges.__len__()
    assert "again" in render_text(drawing)


def test_self_loop_is_drawn_beside_its_node():
    g = model(("__start__", "tick"), ("tick", "tick"), ("tick", "__end__"), __start__="start", __end__="end")
    drawing = layout(g)
    top, left, _, width = drawing.node_boxes["tick"]
    assert cell_at(drawing, top + 1, left + width) == "◀"
    assert arrowheads(drawing) == 3


def test_xray_frames_subgraphs(router_graph):
    drawing = layout(graph_model(router_graph, xray=True))
    text = render_text(drawing)
    frame_top = next(line for line in drawing.lines if " polish " in line)
    assert "┌╌" in frame_top and "╌┐" in frame_top
    assert set(drawing.node_boxes) == set(router_graph.get_graph(xray=True).nodes)
    # the subgraph's nodes sit inside the frame
    frame_row = drawing.lines.index(frame_top)
    left = frame_top.index("┌")
    right = frame_top.rindex("┐")
    for node in ("polish:draft", "polish:review", "polish:__end__"):
        row, col, _, width = drawing.node_boxes[node]
        assert row > frame_row and left < col and col + width <= right
    assert "╔" not in text  # nothing left collapsed


def test_collapsed_subgraph_node_has_a_double_border(router_graph):
    drawing = layout(graph_model(router_graph))
    row, col, _, _ = drawing.node_boxes["polish"]
    assert cell_at(drawing, row, col) == "╔"


def test_start_and_end_are_rounded_and_ascii_has_its_own_shapes(router_graph):
    drawing = layout(graph_model(router_graph))
    row, col, _, _ = drawing.node_boxes["__start__"]
    assert cell_at(drawing, row, col) == "╭"
    plain = layout(graph_model(router_graph), ascii_only=True)
    assert all(ord(ch) < 128 for line in plain.lines for ch in line)
    row, col, _, _ = plain.node_boxes["__start__"]
    assert cell_at(plain, row + 1, col) == "("
    assert "v" in render_text(plain) and "^" in render_text(plain)


def test_conditional_edges_are_dotted(router_graph):
    text = render_text(layout(graph_model(router_graph)))
    assert "┆" in text and "┄" in text and "│" in text
    plain = render_text(layout(graph_model(router_graph), ascii_only=True))
    assert ":" in plain


def test_wide_characters_keep_boxes_aligned():
    g = model(("__start__", "中文节点"), ("中文节点", "🚀x"), ("🚀x", "é"), __start__="start")
    drawing = layout(g)
    for node, (row, col, height, width) in drawing.node_boxes.items():
        rows = [text_cells(drawing.lines[r]) for r in range(row, row + height)]
        assert {len(r) >= col + width for r in rows} == {True}
        rights = {r[col + width - 1] for r in rows}
        assert rights <= {"┐", "│", "┘", "╮", "╯"}, (node, rights)
    row, col, _, width = drawing.node_boxes["中文节点"]
    line = drawing.lines[row + 1]
    span = next(s for s in drawing.row_spans(row + 1) if s.node == "中文节点")
    assert line[span.start : span.end] == "│ 中文节点 │"  # string offsets, not cells
    assert cell_len(line[: span.end]) == col + width


def test_spans_name_styles_and_nodes(router_graph):
    g = apply_status(graph_model(router_graph), {"plan": "visited", "act": "next", "check": "failed", "fix": "interrupted"})
    drawing = layout(g)
    seen = {span.style for r in range(len(drawing.lines)) for span in drawing.row_spans(r)}
    assert seen <= set(STYLES)
    assert seen >= {"node.visited", "node.next", "node.failed", "node.interrupted", "start", "end", "subgraph"}
    assert seen >= {"edge", "edge.conditional", "edge.label", "legend"}
    row = drawing.node_boxes["plan"][0]
    spans = [s for s in drawing.row_spans(row + 1) if s.node == "plan"]
    assert [s.style for s in spans] == ["node.visited"]
    assert "✓ plan" in drawing.lines[row + 1]
    assert drawing.lines[-1] == "legend: ✓ visited  ▸ next  ✗ failed  ‖ interrupted"
    assert drawing.spans == [drawing.row_spans(r) for r in range(len(drawing.lines))]


def test_a_subgraph_status_marks_its_frame_title(router_graph):
    drawing = layout(apply_status(graph_model(router_graph, xray=True), {"polish": "interrupted"}))
    row = next(r for r, line in enumerate(drawing.lines) if "‖ polish" in line)
    span = next(s for s in drawing.row_spans(row) if "polish" in drawing.lines[row][s.start : s.end])
    assert span.style == "node.interrupted"
    assert drawing.lines[-1] == "legend: ‖ interrupted"


def test_focus_shows_a_neighbourhood(router_graph):
    g = graph_model(router_graph)
    drawing = layout(g, focus="work", hops=1)
    assert set(drawing.node_boxes) == {"fix", "work", "polish"}
    assert drawing.hidden == g.number_of_nodes() - 3
    assert drawing.lines[-1] == "focus: work (1 hop); 5 more nodes hidden"
    assert set(layout(g, focus="work", hops=2).node_boxes) > {"fix", "work", "polish"}


def test_width_is_respected_by_shortening_labels_then_layers():
    g = nx.DiGraph()
    for n, kind in (("__start__", "start"), ("__end__", "end")):
        g.add_node(n, kind=kind, label=n, subgraph=(), status=None)
    for i in range(12):
        name = f"worker_number_{i}"
        g.add_node(name, kind="node", label=name, subgraph=(), status=None)
        g.add_edge("__start__", name, conditional=True, label=None)
        g.add_edge(name, "__end__", conditional=False, label=None)
    wide = layout(g)
    assert wide.width > 200
    for width in (160, 100, 60):
        drawing = layout(g, width=width)
        assert drawing.width <= width
        assert max(cell_len(line) for line in drawing.lines) <= width
        assert set(drawing.node_boxes) == set(g.nodes)
        assert arrowheads(drawing) == g.number_of_edges()
        assert drawing.collisions == 0


def test_output_is_deterministic_across_hash_seeds():
    code = (
        "from tests.graph.samples import build_router_graph\n"
        "from agent_debug.graphviz_export import render\n"
        "g = build_router_graph()\n"
        "print(render(g, 'ascii', xray=True) + render(g, 'dot', xray=True) + render(g, 'mermaid', xray=True))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_empty_and_single_node_graphs():
    empty = layout(nx.DiGraph())
    assert empty.lines == [""] or empty.lines == []
    single = layout(model(("a", "a")))
    assert arrowheads(single) == 1


def test_labels_are_sanitized_and_cut():
    assert sanitize("a\nb\x1b") == "a\\nb\\x1b"
    assert fit_cells(text_cells("中文字"), 4) == ["中", "", " ", "…"]
    assert fit_cells(text_cells("abcdef"), 4) == ["a", "b", "c", "…"]
    assert text_cells("e\u0301x") == ["e\u0301", "x"]
    assert text_cells("❤\ufe0f") == ["❤\ufe0f", ""]
    g = model(("a", "b"), labels={"a": "line\nbreak", "b": "x" * 80})
    text = render_text(layout(g))
    assert "line\\nbreak" in text and "x" * 80 not in text and "…" in text


# -- the pieces -----------------------------------------------------------------------------


def test_channel_straight_and_fan_out():
    straight = route_channel([Segment(3, 3, "a", "b")])
    assert straight.tracks == 0
    assert straight.paths == [[(START_ROW, 3), (END_ROW, 3)]]
    fan = route_channel([Segment(5, 1, "s", "x"), Segment(5, 9, "s", "y")])
    assert fan.tracks == 1  # one net, one track
    assert fan.paths[0] == [(START_ROW, 5), (0, 5), (0, 1), (END_ROW, 1)]


def test_channel_orders_tracks_so_lines_never_overlap():
    # b's bottom pin sits under a's top pin: a must turn above b
    route = route_channel([Segment(4, 8, "a", "a2"), Segment(0, 4, "b", "b2")])
    track = {path[0][1]: path[1][0] for path in route.paths}
    assert track[4] < track[0]


def test_channel_breaks_a_swap_with_a_dogleg():
    route = route_channel([Segment(2, 6, "a", "a2"), Segment(6, 2, "b", "b2")])
    assert len(route.dogleg_cols) == 1
    assert route.dogleg_cols[0] not in (2, 6)
    assert route.tracks == 3


def test_isotonic_keeps_order_and_gaps():
    assert _isotonic([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [3, 3]) == [-3, 0, 3]
    assert _isotonic([10.0, 0.0], [1.0, 1.0], [2]) == [4, 6]
    assert _isotonic([0.0, 20.0], [1.0, 1.0], [2]) == [0, 20]


@pytest.mark.parametrize("xray", [False, True])
def test_no_collisions_on_samples(router_graph, nested_graph, xray):
    for compiled in (router_graph, nested_graph):
        drawing = layout(graph_model(compiled, xray=xray))
        assert drawing.collisions == 0
        assert arrowheads(drawing) == len(compiled.get_graph(xray=xray).edges)
