"""Benchmark: our terminal graph layout against LangGraph's ``draw_ascii``.

Run ``python benchmarks/graph_layout.py``. It builds workflows of 10, 30, 100 and 300
nodes (stages of parallel branches, conditional routing, retry loops, self-loops), lays
each out with :func:`agent_debug.graphviz_export.terminal.layout` and with
``get_graph().draw_ascii()`` in the same run, and prints a Markdown table: time, output
characters, the ratio of the two, and whether any edge was drawn through a node box.

``draw_ascii`` needs grandalf (``pip install grandalf``); without it the script still
times our layout and says so.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any, TypedDict

SIZES = (10, 30, 100, 300)
TARGET_SECONDS = 0.2
TARGET_RATIO = 0.25


class _State(TypedDict, total=False):
    value: int


def _step(state: _State) -> _State:
    return {}


def build_workflow(n_nodes: int, seed: int = 0) -> Any:
    """A compiled ``StateGraph`` of ``n_nodes`` nodes shaped like real workflows.

    Nodes come in stages of 1 to 6 parallel branches; each node feeds one or two nodes
    of the next two stages (conditionally when more than one), some route back to an
    earlier stage (retry loops), a few to themselves, a few exit early to ``END``.
    """
    from langgraph.graph import END, START, StateGraph

    rnd = random.Random(seed)
    stages: list[list[str]] = []
    count = 0
    while count < n_nodes:
        width = min(rnd.randint(1, 6), n_nodes - count)
        stages.append([f"step_{count + i}" for i in range(width)])
        count += width
    builder = StateGraph(_State)
    targets: dict[str, list[str]] = {}
    for stage in stages:
        for name in stage:
            builder.add_node(name, _step)
            targets[name] = []
    builder.add_edge(START, stages[0][0])
    for name in stages[0][1:]:
        targets[stages[0][0]].append(name)
    # every node is fed by the stage above, so LangGraph's drawing reaches all of them
    for above, stage in zip(stages, stages[1:]):
        for name in stage:
            targets[rnd.choice(above)].append(name)
    for s, stage in enumerate(stages):
        later = [n for st in stages[s + 1 : s + 3] for n in st]
        for name in stage:
            if later and (not targets[name] or rnd.random() < 0.3):
                targets[name].append(rnd.choice(later))  # a branch, maybe skipping a stage
            if s > 1 and rnd.random() < 0.12:
                targets[name].append(rnd.choice(stages[rnd.randint(max(0, s - 4), s - 1)]))  # retry
            if rnd.random() < 0.03:
                targets[name].append(name)  # self-loop
            if not later or rnd.random() < 0.04:
                targets[name].append(END)  # the last stage, and a few early exits
    for name, outs in targets.items():
        outs = list(dict.fromkeys(outs))
        if len(outs) == 1:
            builder.add_edge(name, outs[0])
        else:
            keys = {f"to_{t}" if rnd.random() < 0.3 else t: t for t in outs}
            builder.add_conditional_edges(name, _router(list(keys)), keys)
    return builder.compile()


def _router(keys: list[str]) -> Any:
    def route(state: _State) -> str:
        return keys[0]

    return route


def boxes_intact(model: Any, drawing: Any) -> bool:
    """True when every node's box is whole (corners, borders, its label): no edge was
    drawn through a box."""
    from agent_debug.graphviz_export.glyphs import UNICODE
    from agent_debug.graphviz_export.textcells import text_cells

    if drawing.collisions or set(drawing.node_boxes) != set(model.nodes):
        return False
    for node_id, (row, col, height, width) in drawing.node_boxes.items():
        box = UNICODE.boxes[model.nodes[node_id]["kind"]]
        top, middle, bottom = (text_cells(line)[col : col + width] for line in drawing.lines[row : row + height])
        if (top[0], top[-1], bottom[0], bottom[-1]) != (box.top_left, box.top_right, box.bottom_left, box.bottom_right):
            return False
        if not set(top[1:-1]) <= {box.horizontal, box.line_up} or not set(bottom[1:-1]) <= {box.horizontal, box.line_down}:
            return False
        if (middle[0], middle[-1]) != (box.left, box.right) or model.nodes[node_id]["label"] not in "".join(middle):
            return False
    return True


def measure(n_nodes: int, *, repeat: int = 3) -> dict[str, Any]:
    """Time and size of both layouts for one generated workflow.

    grandalf fails outright on self-loops ("no intersection found"), so ``draw_ascii``
    gets the same graph without them; ours draws them, which only makes it larger.
    """
    from agent_debug.graphviz_export.model import graph_model
    from agent_debug.graphviz_export.terminal import layout, render_text

    compiled = build_workflow(n_nodes, seed=n_nodes)
    model = graph_model(compiled)
    drawing = layout(model)
    text = render_text(drawing)
    row: dict[str, Any] = {
        "nodes": n_nodes,
        "edges": model.number_of_edges(),
        "ours_s": min(_timed(lambda: layout(model)) for _ in range(repeat)),
        "ours_chars": len(text),
        "ours_cols": drawing.width,
        "intact": boxes_intact(model, drawing),
        "theirs_s": None,
        "theirs_chars": None,
        "self_loops": 0,
    }
    if not _has_grandalf():
        return row
    drawable = compiled.get_graph()
    loops = [e for e in drawable.edges if e.source == e.target]
    drawable.edges = [e for e in drawable.edges if e.source != e.target]
    start = time.perf_counter()
    theirs = drawable.draw_ascii()
    row.update(
        theirs_s=time.perf_counter() - start,
        theirs_chars=len(theirs),
        theirs_cols=max(len(line) for line in theirs.splitlines()),
        self_loops=len(loops),
    )
    return row


def _has_grandalf() -> bool:
    try:
        import grandalf  # noqa: F401
    except ImportError:
        return False
    return True


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    out = [
        "| nodes | edges | ours (s) | ours (chars, cols) | draw_ascii (s) | draw_ascii (chars, cols) "
        "| size ratio | boxes intact |",
        "|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in rows:
        theirs_s = "n/a" if r["theirs_s"] is None else f"{r['theirs_s']:.3f}"
        theirs_c = "n/a" if r["theirs_chars"] is None else f"{r['theirs_chars']:,}, {r['theirs_cols']}"
        ratio = "n/a" if not r["theirs_chars"] else f"{r['ours_chars'] / r['theirs_chars']:.1%}"
        out.append(
            f"| {r['nodes']} | {r['edges']} | {r['ours_s']:.3f} | {r['ours_chars']:,}, {r['ours_cols']} | {theirs_s} "
            f"| {theirs_c} | {ratio} | {'yes' if r['intact'] else 'NO'} |"
        )
    loops = sum(r["self_loops"] for r in rows)
    if loops:
        out.append(
            f"\ndraw_ascii was given the graphs without their {loops} self-loop(s): grandalf raises on them."
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--show", type=int, help="print our drawing of the N-node workflow")
    args = parser.parse_args(argv)
    if args.show:
        from agent_debug.graphviz_export.model import graph_model
        from agent_debug.graphviz_export.terminal import layout, render_text

        print(render_text(layout(graph_model(build_workflow(args.show, seed=args.show)))))
        return 0
    if not _has_grandalf():
        print("grandalf is not installed: draw_ascii cannot run, timing our layout only "
              "(pip install grandalf)", file=sys.stderr)
    rows = [measure(n) for n in args.sizes]
    print(table(rows))
    missed = [f"{r['nodes']} nodes: an edge crosses a node box" for r in rows if not r["intact"]]
    for r in rows:
        if r["nodes"] != max(SIZES):
            continue  # the time and size targets are set for the largest graph
        if r["ours_s"] > TARGET_SECONDS:
            missed.append(f"{r['nodes']} nodes took {r['ours_s']:.3f}s (target {TARGET_SECONDS}s)")
        if r["theirs_chars"] and r["ours_chars"] > TARGET_RATIO * r["theirs_chars"]:
            missed.append(f"{r['nodes']} nodes: output above {TARGET_RATIO:.0%} of draw_ascii's")
    for line in missed:
        print(f"missed target: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
