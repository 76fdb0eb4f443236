"""The terminal drawing of a graph model: a pure function from model to lines and spans.

No Textual, no Rich: :func:`layout` returns :class:`Layout` (lines, style spans, node
boxes) so the TUI can colour and highlight nodes, and :func:`render_text` gives plain text.
Style names, not colours, are attached here; see :data:`STYLES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .canvas import Canvas, Span
from .glyphs import glyphs_for
from .layered import EdgeSpec, GraphSpec, Level, NodeSpec
from .model import STATUSES, focus_nodes, subgraph_status
from .textcells import fit_cells, sanitize, text_cells

STYLES = (
    "node",
    "node.visited",
    "node.next",
    "node.failed",
    "node.interrupted",
    "node.running",
    "start",
    "end",
    "subgraph",
    "edge",
    "edge.conditional",
    "edge.label",
    "cluster",
    "legend",
)
"""Every style name a :class:`Span` can carry."""

# Labels are cut to these widths, widest first, until the drawing fits ``width``.
_LABEL_LIMITS = (40, 24, 16, 10)


class Layout:
    """A drawn graph.

    ``lines`` are the rows of text. ``spans[row]`` (or :meth:`row_spans`, which computes
    one row on demand) style ``lines[row]`` by string offsets, ready for
    ``Text.stylize``. ``node_boxes[id]`` is ``(row, col, height, width)`` in terminal
    cells, for highlighting and mouse hit tests.
    """

    def __init__(
        self,
        lines: list[str],
        row_spans: Callable[[int], list[Span]],
        node_boxes: dict[str, tuple[int, int, int, int]],
        *,
        width: int,
        hidden: int = 0,
        collisions: int = 0,
    ) -> None:
        self.lines = lines
        self.node_boxes = node_boxes
        self.width = width
        self.hidden = hidden  # nodes left out by a focus view
        self.collisions = collisions  # attempts to draw over a box: 0 unless there is a bug
        self._row_spans = row_spans
        self._cache: dict[int, list[Span]] = {}

    def row_spans(self, row: int) -> list[Span]:
        """The style spans of one line."""
        if row not in self._cache:
            self._cache[row] = self._row_spans(row)
        return self._cache[row]

    @property
    def spans(self) -> list[list[Span]]:
        """The style spans of every line."""
        return [self.row_spans(r) for r in range(len(self.lines))]

    def __repr__(self) -> str:
        return f"Layout({len(self.lines)} lines, {self.width} cells wide, {len(self.node_boxes)} nodes)"


def layout(
    g: Any,
    *,
    width: int | None = None,
    ascii_only: bool = False,
    focus: str | None = None,
    hops: int = 1,
) -> Layout:
    """Lay out a graph model (see :mod:`.model`) for the terminal.

    ``width`` asks for a drawing at most that many cells wide: labels are shortened and
    wide layers split until it fits, where it can. ``focus`` keeps only the nodes within
    ``hops`` edges of that node (an id or unique label).
    """
    glyphs = glyphs_for(ascii_only)
    keep = focus_nodes(g, focus, hops) if focus is not None else list(g.nodes)
    hidden = g.number_of_nodes() - len(keep)
    if keep:
        level = _fitted_level(g, keep, glyphs, width)
        canvas = Canvas(level.height, level.width)
        level.draw(canvas, 0, 0, max_width=width)
    else:
        canvas = Canvas(0, 0)
    lines = canvas.render(glyphs)
    extra: dict[int, list[Span]] = {}
    shown = g.subgraph(keep)
    paths = {tuple(p[:d]) for _, p in shown.nodes(data="subgraph") for d in range(1, len(p or ()) + 1)}
    used = {s for _, s in shown.nodes(data="status") if s}
    used |= {s for path, s in subgraph_status(g).items() if path in paths}
    present = [s for s in STATUSES if s in used]
    if present:
        lines.append("")
        text, spans = _legend(present, glyphs.markers)
        extra[len(lines)] = spans
        lines.append(text)
    if focus is not None and hidden:
        s = "s" if hidden != 1 else ""
        note = f"focus: {sanitize(str(focus))} ({hops} hop{'s' if hops != 1 else ''}); {hidden} more node{s} hidden"
        extra[len(lines)] = [Span(0, len(note), "legend", None)]
        lines.append(note)

    def row_spans(row: int) -> list[Span]:
        return canvas.row_spans(row, glyphs) if row < canvas.height else extra.get(row, [])

    return Layout(
        lines,
        row_spans,
        dict(canvas.boxes),
        width=max((canvas.row_width(r, line) for r, line in enumerate(lines)), default=0),
        hidden=hidden,
        collisions=canvas.collisions,
    )


def _fitted_level(g: Any, keep: list[str], glyphs: Any, width: int | None) -> Level:
    """Lay out with ever shorter labels, then ever narrower layers, until ``width`` fits;
    the narrowest attempt otherwise."""
    best: Level | None = None
    for limit in _LABEL_LIMITS:
        level = Level(_graph_spec(g, keep, limit, glyphs, None))
        if best is None or level.width < best.width:
            best = level
        if not width or level.width <= width:
            return level
    assert best is not None and width
    # binary search for the widest layer budget whose drawing fits: long edges crossing
    # a layer add width the budget cannot see, so the budget has to aim lower than width
    lo, hi = 1, width
    fitted: Level | None = None
    for _ in range(6):
        if lo > hi:
            break
        budget = hi if fitted is None and lo == 1 and hi == width else (lo + hi) // 2
        level = Level(_graph_spec(g, keep, _LABEL_LIMITS[-1], glyphs, budget))
        if level.width <= width:
            fitted, lo = level, budget + 1
        else:
            hi = budget - 1
            if level.width < best.width:
                best = level
    return fitted or best


def render_text(drawing: Layout) -> str:
    """The drawing as plain text, one line per row."""
    return "\n".join(drawing.lines)


def _graph_spec(g: Any, keep: list[str], limit: int, glyphs: Any, budget: int | None) -> GraphSpec:
    kept = set(keep)
    nodes: dict[str, NodeSpec] = {}
    members: dict[tuple[str, ...], list[str]] = {}
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    titles: dict[tuple[str, ...], list[str]] = {}
    title_styles: dict[tuple[str, ...], str] = {}
    frames = subgraph_status(g)
    for node_id in keep:
        data = g.nodes[node_id]
        path = tuple(data.get("subgraph") or ())
        status = data.get("status")
        kind = data.get("kind") or "node"
        cells = fit_cells(text_cells(sanitize(str(data.get("label", node_id)))), limit)
        if status in STATUSES:
            cells = [glyphs.markers[status], " ", *cells]
            style = f"node.{status}"
        else:
            style = kind if kind in ("start", "end", "subgraph") else "node"
        nodes[node_id] = NodeSpec(node_id, cells, kind, path, style)
        members.setdefault(path, []).append(node_id)
        for depth in range(1, len(path) + 1):
            sub = path[:depth]
            siblings = children.setdefault(path[: depth - 1], [])
            if sub not in siblings:
                siblings.append(sub)
                titles[sub] = fit_cells(text_cells(sanitize(sub[-1])), limit)
                if frames.get(sub) in STATUSES:
                    titles[sub] = [glyphs.markers[frames[sub]], " ", *titles[sub]]
                    title_styles[sub] = f"node.{frames[sub]}"
    edges = [
        EdgeSpec(
            eid=n,
            source=u,
            target=v,
            conditional=bool(data.get("conditional")),
            label=text_cells(sanitize(str(data["label"]))) if data.get("label") else None,
        )
        for n, (u, v, data) in enumerate(g.edges(data=True))
        if u in kept and v in kept
    ]
    return GraphSpec(nodes, edges, members, children, titles, glyphs, budget, title_styles)


def _legend(present: list[str], markers: dict[str, str]) -> tuple[str, list[Span]]:
    text = "legend:"
    spans = [Span(0, len(text), "legend", None)]
    for status in present:
        piece = f"{markers[status]} {status}"
        text += "  " if len(spans) > 1 else " "
        spans.append(Span(len(text), len(text) + len(piece), f"node.{status}", None))
        text += piece
    return text, spans
