"""Layered (Sugiyama-style) layout of one level of a graph: the top level or one subgraph.

Steps, each deterministic: cycle removal (DFS from ``__start__``; back edges are reversed
for layout and drawn with an upward arrowhead into their real target), longest-path
layering (``__end__`` at the bottom), dummy items for edges longer than one layer (long
edges into the same node share them, so they run as one line), barycenter sweeps to
reduce crossings, and coordinates from weighted isotonic regression (pool adjacent
violators), which puts every item as close as it can to its neighbours while keeping the
order and the gaps. Ports are then spread along the box borders, one per arrowhead, and
edges routed gap by gap (``channels``). Self-loops go round the right side of their box.

An expanded subgraph is laid out as its own :class:`Level` and placed in its parent as
one tall item: a framed block whose top and bottom borders carry *ports* where edges from
outside enter and leave. The parent decides, from its own layering, which border each
outside edge uses; the block decides where on that border.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from .canvas import Canvas
from .channels import END_ROW, START_ROW, Segment, route_channel
from .glyphs import DOWN, LEFT, RIGHT, UP, Glyphs
from .textcells import fit_cells

NODE_HEIGHT = 3
PortKey = tuple[Hashable, ...]  # ("down", node key), ("arrow-up", edge id), …
# Port kinds, in the order they take on a border when they aim at the same column.
_PORT_SIDE = {"down": 0, "arrow-down": 0, "arrow-up": 1, "up": 1, "self": 2}
LABEL_CELLS = 16  # longest edge label drawn, in cells


@dataclass
class NodeSpec:
    """A node as the layout sees it."""

    id: str
    cells: list[str]  # label (with any status marker) split into terminal cells
    kind: str
    path: tuple[str, ...]
    style: str


@dataclass
class EdgeSpec:
    """An edge as the layout sees it."""

    eid: int
    source: str
    target: str
    conditional: bool
    label: list[str] | None


@dataclass
class GraphSpec:
    """Everything a level needs: nodes, edges, subgraph nesting and drawing options."""

    nodes: dict[str, NodeSpec]
    edges: list[EdgeSpec]
    members: dict[tuple[str, ...], list[str]]  # subgraph path -> its own node ids
    children: dict[tuple[str, ...], list[tuple[str, ...]]]  # path -> child subgraph paths
    titles: dict[tuple[str, ...], list[str]]  # path -> frame title cells
    glyphs: Glyphs
    budget: int | None = None  # widest layer wanted, in columns (top level only)
    title_styles: dict[tuple[str, ...], str] = field(default_factory=dict)  # a run's status


@dataclass(frozen=True)
class Port:
    """An edge crossing a subgraph frame: on its ``top`` or ``bottom`` border."""

    eid: int
    side: str
    inner: str  # id of the edge's end inside the subgraph


@dataclass(eq=False)
class Item:
    """One thing placed in a layer: a node box, a subgraph block, a dummy, a port."""

    key: tuple[Hashable, ...]
    kind: str  # node | cluster | dummy | port | title
    index: int
    rank: float = 0.0  # initial order: DFS discovery, so the main flow starts left
    node: NodeSpec | None = None
    child: Level | None = None
    layer: int = 0
    x: int = 0
    width: int = 1
    height: int = 0
    box_width: int = 0
    self_loop: EdgeSpec | None = None
    label: list[str] | None = None  # a dummy carrying its edge's label beside its line
    solid: bool = False  # a dummy: some edge through it is unconditional
    top_ports: dict[PortKey, int] = field(default_factory=dict)
    bottom_ports: dict[PortKey, int] = field(default_factory=dict)


@dataclass(eq=False)
class LevelEdge:
    """An edge as laid out in this level, oriented downwards (``upper`` to ``lower``)."""

    spec: EdgeSpec
    a: Item  # the end holding the edge's source
    b: Item  # the end holding the edge's target
    upper: Item | None = None
    lower: Item | None = None
    forced: bool = False  # a port edge: its direction is fixed by the frame side
    reversed: bool = False  # drawn upwards: a back edge of a loop
    segs: list[Seg] = field(default_factory=list)


@dataclass(eq=False)
class Seg:
    """The part of an edge crossing one gap between two adjacent layers."""

    edge: LevelEdge
    upper: Item
    lower: Item
    solid: bool = True  # some edge along it is unconditional (bundled edges share it)
    top_col: int = 0
    bottom_col: int = 0
    path: list[tuple[int, int]] = field(default_factory=list)  # channel-relative
    points: list[tuple[int, int]] = field(default_factory=list)  # on the canvas


class Level:
    """The layout of one graph level; size first, then :meth:`draw` at an offset."""

    def __init__(self, spec: GraphSpec, path: tuple[str, ...] = (), ports: Iterable[Port] = ()):
        self.spec = spec
        self.path = path
        self.ports = list(ports)
        self.framed = bool(path)
        self.items: dict[tuple[Hashable, ...], Item] = {}
        self.edges: list[LevelEdge] = []
        self._collect()
        self._orient()
        self._build_children()
        self._assign_layers()
        self._insert_dummies()
        self._order()
        self._size_items()
        self._place()
        self._place_ports()
        self._route()
        self._measure()

    # -- structure ------------------------------------------------------------------------

    def _add(self, key: tuple[Hashable, ...], kind: str, **kw: object) -> Item:
        item = Item(key=key, kind=kind, index=len(self.items), **kw)  # type: ignore[arg-type]
        self.items[key] = item
        return item

    def _collect(self) -> None:
        spec, path = self.spec, self.path
        depth = len(path)
        if self.framed:
            title = spec.titles[path]
            self._add(("title",), "title", width=len(title) + 2, height=1)
        for port in self.ports:
            self._add(("port", port.eid), "port", width=1, height=1)
        for node_id in spec.members.get(path, []):
            self._add(("node", node_id), "node", node=spec.nodes[node_id], height=NODE_HEIGHT)
        for child in spec.children.get(path, []):
            self._add(("cluster", child), "cluster")

        def rep(node_id: str) -> Item | None:
            node_path = spec.nodes[node_id].path
            if node_path == path:
                return self.items[("node", node_id)]
            if len(node_path) > depth and node_path[:depth] == path:
                return self.items[("cluster", node_path[: depth + 1])]
            return None

        port_sides = {p.eid: p.side for p in self.ports}
        for e in spec.edges:
            a, b = rep(e.source), rep(e.target)
            if a is None and b is None:
                continue
            if e.source == e.target:
                if a is not None and a.kind == "node":
                    a.self_loop = e
                continue
            if a is b:
                continue  # inside one child subgraph: that level draws it
            if a is None or b is None:
                side = port_sides.get(e.eid)
                if side is None:
                    continue
                border = self.items[("port", e.eid)]
                inner = b if a is None else a
                edge = LevelEdge(e, a or border, b or border, forced=True)
                edge.upper, edge.lower = (border, inner) if side == "top" else (inner, border)
                edge.reversed = edge.upper is not edge.a
            else:
                edge = LevelEdge(e, a, b)
            self.edges.append(edge)

    def _orient(self) -> None:
        """Reverse the back edges found by a DFS from the start node, then the rest."""
        out: dict[Item, list[LevelEdge]] = defaultdict(list)
        for edge in self.edges:
            if not edge.forced:
                out[edge.a].append(edge)
        roots = [i for i in self.items.values() if i.node is not None and i.node.kind == "start"]
        roots += [e.lower for e in self.edges if e.forced and e.upper.kind == "port"]  # type: ignore[union-attr,misc]
        roots += list(self.items.values())
        state: dict[Item, int] = {}
        self.preorder: dict[Item, int] = {}
        for root in roots:
            if root in state:
                continue
            state[root] = 1
            self.preorder[root] = len(self.preorder)
            stack = [(root, iter(out.get(root, ())))]
            while stack:
                node, edges = stack[-1]
                for edge in edges:
                    seen = state.get(edge.b, 0)
                    if seen == 1:
                        edge.reversed = True
                    elif seen == 0:
                        state[edge.b] = 1
                        self.preorder[edge.b] = len(self.preorder)
                        stack.append((edge.b, iter(out.get(edge.b, ()))))
                        break
                else:
                    state[node] = 2
                    stack.pop()
        for edge in self.edges:
            if not edge.forced:
                edge.upper, edge.lower = (edge.b, edge.a) if edge.reversed else (edge.a, edge.b)
        for item in self.items.values():
            item.rank = float(self.preorder.get(item, len(self.items) + item.index))
            if item.kind == "title":
                item.rank = -1.0

    def _build_children(self) -> None:
        ports: dict[Item, list[Port]] = defaultdict(list)
        for edge in self.edges:
            assert edge.upper is not None and edge.lower is not None
            for item, side in ((edge.upper, "bottom"), (edge.lower, "top")):
                if item.kind == "cluster":
                    inner = edge.spec.source if item is edge.a else edge.spec.target
                    ports[item].append(Port(edge.spec.eid, side, inner))
        for item in list(self.items.values()):
            if item.kind == "cluster":
                child_path = item.key[1]
                assert isinstance(child_path, tuple)
                item.child = Level(self.spec, child_path, ports.get(item, []))
                item.width, item.height = item.child.width, item.child.height

    # -- layers ---------------------------------------------------------------------------

    def _assign_layers(self) -> None:
        items = [i for i in self.items.values() if i.kind not in ("port", "title")]
        preds: dict[Item, list[Item]] = defaultdict(list)
        succs: dict[Item, list[Item]] = defaultdict(list)
        for edge in self.edges:
            assert edge.upper is not None and edge.lower is not None
            if edge.upper.kind != "port" and edge.lower.kind != "port":
                preds[edge.lower].append(edge.upper)
                succs[edge.upper].append(edge.lower)
        fed = {e.lower for e in self.edges if e.upper is not None and e.upper.kind == "port"}
        base = 1 if self.framed else 0
        order = _topological(items, succs, self.preorder)
        layer: dict[Item, int] = {}
        budget = self.spec.budget if not self.framed else None
        used: dict[int, int] = defaultdict(int)
        for item in order:
            lo = max([base] + [layer[p] + 1 for p in preds[item]])
            if budget:
                # fill layers up to the width wanted, pushing the rest down
                need = _rough_width(item) + 2
                while used[lo] and used[lo] + need > budget:
                    lo += 1
                used[lo] += need
            layer[item] = lo
        # sources other than the start sit just above their first successor
        for item in reversed(order):
            if not preds[item] and succs[item] and item not in fed and not _is_kind(item, "start"):
                layer[item] = max(layer[item], min(layer[s] for s in succs[item]) - 1)
        bottom = max([base, *layer.values()])
        for item in items:
            if _is_kind(item, "end") and not succs[item]:
                layer[item] = bottom
        for item in items:
            item.layer = layer[item]
        self.n_layers = bottom + 1
        if self.framed:
            self.n_layers += 1  # the exit border
            for item in self.items.values():
                if item.kind == "title":
                    item.layer = 0
            for port in self.ports:
                self.items[("port", port.eid)].layer = 0 if port.side == "top" else bottom + 1

    def _insert_dummies(self) -> None:
        """Break long edges into one segment per gap, through dummy items.

        Long edges into the same node share their dummies (a bundle), so ten routes to
        ``__end__`` run down as one line and fan out to ten arrowheads only at the end.
        """
        self.segs: list[Seg] = []
        shared: dict[tuple[Item, int], Item] = {}
        shared_segs: dict[tuple[Item, Item], Seg] = {}
        for n, edge in enumerate(self.edges):
            assert edge.upper is not None and edge.lower is not None
            solid = not edge.spec.conditional
            bundle = not edge.reversed and edge.lower is edge.b and edge.b.kind == "node"
            prev = edge.upper
            for layer in range(edge.upper.layer + 1, edge.lower.layer):
                dummy = shared.get((edge.lower, layer)) if bundle else None
                if dummy is None:
                    dummy = self._add(("dummy", n, layer), "dummy", layer=layer)
                    dummy.rank = edge.upper.rank + 0.5  # start the chain beside its source
                    if bundle:
                        shared[(edge.lower, layer)] = dummy
                dummy.solid = dummy.solid or solid
                seg = shared_segs.get((prev, dummy)) if prev.kind == "dummy" else None
                if seg is None:
                    seg = Seg(edge, prev, dummy, solid=solid)
                    self.segs.append(seg)
                    if prev.kind == "dummy":
                        shared_segs[(prev, dummy)] = seg
                seg.solid = seg.solid or solid
                edge.segs.append(seg)
                prev = dummy
            last = Seg(edge, prev, edge.lower, solid=solid)
            edge.segs.append(last)
            self.segs.append(last)
        for n, edge in enumerate(self.edges):
            dummies = [s.lower for s in edge.segs[:-1]]
            if edge.spec.label and edge.b.kind == "node" and dummies:
                # room for the label beside the dummy nearest the arrow, unless bundled
                dummy = dummies[0] if edge.reversed else dummies[-1]
                if dummy.key[1] == n and dummy.label is None:
                    dummy.label = fit_cells(edge.spec.label, LABEL_CELLS)
                    dummy.width = 2 + len(dummy.label)

    # -- order ----------------------------------------------------------------------------

    def _order(self) -> None:
        """Barycenter sweeps, down then up, keeping the order with fewest crossings."""
        ordered = sorted(self.items.values(), key=lambda i: (i.rank, i.index))
        self.ups: dict[Item, list[Seg]] = defaultdict(list)
        self.downs: dict[Item, list[Seg]] = defaultdict(list)
        for seg in self.segs:
            self.ups[seg.lower].append(seg)
            self.downs[seg.upper].append(seg)
        # integers instead of objects: this loop is the hot spot on big graphs
        ident = {item: n for n, item in enumerate(ordered)}
        up_ids = [[ident[s.upper] for s in self.ups.get(item, ())] for item in ordered]
        down_ids = [[ident[s.lower] for s in self.downs.get(item, ())] for item in ordered]
        fixed = {ident[i] for i in ordered if i.kind == "title"}
        layers: list[list[int]] = [[] for _ in range(self.n_layers)]
        for item in ordered:
            layers[item.layer].append(ident[item])
        pos = [0.0] * len(ordered)
        index = [0] * len(ordered)
        for layer in layers:
            _number(layer, pos, index)

        def reorder(layer: list[int], links: list[list[int]]) -> list[int]:
            size = len(layer)
            keyed = []
            for n, v in enumerate(layer):
                nb = links[v]
                if v in fixed:
                    bary = -1.0  # the frame title stays at the left
                elif nb:
                    bary = sum(pos[u] for u in nb) / len(nb)
                else:
                    bary = (n + 0.5) / size
                keyed.append((bary, n, v))
            keyed.sort()
            out = [v for _, _, v in keyed]
            _number(out, pos, index)
            return out

        def crossings() -> int:
            total = 0
            for upper, lower in zip(layers, layers[1:]):
                seq: list[int] = []
                for v in upper:
                    seq.extend(sorted(index[w] for w in down_ids[v]))
                total += _inversions(seq, len(lower))
            return total

        best = [list(layer) for layer in layers]
        best_crossings = crossings()
        stale = 0
        for sweep in range(8):
            if best_crossings == 0 or stale >= 2:
                break
            if sweep % 2 == 0:
                for i in range(1, len(layers)):
                    layers[i] = reorder(layers[i], up_ids)
            else:
                for i in range(len(layers) - 2, -1, -1):
                    layers[i] = reorder(layers[i], down_ids)
            count = crossings()
            if count < best_crossings:
                best, best_crossings, stale = [list(layer) for layer in layers], count, 0
            else:
                stale += 1
        self.layers = [[ordered[v] for v in layer] for layer in best]

    # -- sizes and coordinates ------------------------------------------------------------

    def _size_items(self) -> None:
        for item in self.items.values():
            if item.kind != "node":
                continue
            assert item.node is not None
            tops = {self._bottom_key(s) for s in self.ups.get(item, ())}
            bottoms = {self._top_key(s) for s in self.downs.get(item, ())}
            if item.self_loop is not None:
                bottoms.add(("self",))
            ports = max(len(tops), len(bottoms))
            need = 2 * ports + 1 if ports <= 6 else ports + 2
            item.box_width = max(len(item.node.cells) + 4, need, 5)
            item.width = item.box_width + (2 if item.self_loop is not None else 0)

    def _anchor(self, item: Item, seg: Seg, end: str) -> int:
        """Column, relative to ``item.x``, where ``seg`` attaches (estimate for nodes)."""
        if item.kind == "node":
            return (item.box_width - 1) // 2
        if item.kind == "cluster":
            assert item.child is not None
            side = "top" if end == "lower" else "bottom"
            return item.child.port_col(seg.edge.spec.eid, side)
        return 0

    def _place(self) -> None:
        for layer in self.layers:
            x = 0
            for n, item in enumerate(layer):
                item.x = x
                if n + 1 < len(layer):
                    x += _separation(item, layer[n + 1])
        widest = max((self._extent(layer) for layer in self.layers), default=0)
        for layer in self.layers:
            shift = (widest - self._extent(layer)) // 2
            for item in layer:
                item.x += shift
        # (neighbour, pull, offset): the item wants x == neighbour.x + offset
        above: dict[Item, list[tuple[Item, float, int]]] = {}
        below: dict[Item, list[tuple[Item, float, int]]] = {}
        for seg in self.segs:
            offset = self._anchor(seg.upper, seg, "upper") - self._anchor(seg.lower, seg, "lower")
            pull = _straightness(seg)
            above.setdefault(seg.lower, []).append((seg.upper, pull, offset))
            below.setdefault(seg.upper, []).append((seg.lower, pull, -offset))
        n = len(self.layers)
        passes = [range(1, n), range(n - 2, -1, -1)] * 2 + [range(1, n)]
        for p, indices in enumerate(passes):
            links = above if p % 2 == 0 else below
            for i in indices:
                self._align_layer(self.layers[i], links)
        items = [i for layer in self.layers for i in layer]
        if items:
            shift = (2 if self.framed else 0) - min(i.x for i in items)
            for item in items:
                item.x += shift

    def _extent(self, layer: list[Item]) -> int:
        return layer[-1].x + layer[-1].width if layer else 0

    def _align_layer(self, layer: list[Item], links: dict[Item, list[tuple[Item, float, int]]]) -> None:
        desired: list[float] = []
        weights: list[float] = []
        for item in layer:
            total = wsum = 0.0
            for other, pull, offset in links.get(item, ()):
                total += pull * (other.x + offset)
                wsum += pull
            if wsum:
                desired.append(total / wsum)
                weights.append(wsum)
            else:
                desired.append(float(item.x))
                weights.append(0.05)
        seps = [_separation(a, b) for a, b in zip(layer, layer[1:])]
        for item, x in zip(layer, _isotonic(desired, weights, seps)):
            item.x = x

    def _place_ports(self) -> None:
        """Spread each node's ports along its borders, ordered by where the lines go.

        Layers go top to bottom so a top border lines up under the pins already placed
        above it; a bottom border aims at the centres of what it leads to.
        """
        for layer in self.layers:
            for item in layer:
                if item.kind != "node":
                    continue
                top: dict[PortKey, list[float]] = defaultdict(list)
                for seg in self.ups.get(item, ()):
                    top[self._bottom_key(seg)].append(self._pin(seg.upper, seg, "upper"))
                bottom: dict[PortKey, list[float]] = defaultdict(list)
                for seg in self.downs.get(item, ()):
                    bottom[self._top_key(seg)].append(seg.lower.x + self._anchor(seg.lower, seg, "lower"))
                if item.self_loop is not None:
                    bottom[("self",)] = [float("inf")]
                item.top_ports = self._spread(item, top)
                item.bottom_ports = self._spread(item, bottom)

    def _spread(self, item: Item, wanted: dict[PortKey, list[float]]) -> dict[PortKey, int]:
        if not wanted:
            return {}
        lo, hi = item.x + 1, item.x + item.box_width - 2
        n = len(wanted)
        step = 2 if 2 * n - 1 <= hi - lo + 1 else 1
        mean = {k: sum(v) / len(v) for k, v in wanted.items()}
        # on a tie, forward lines go left and loops right, on both borders alike, so a
        # pair of nodes joined both ways never crosses its own two lines
        order = sorted(wanted, key=lambda k: (mean[k], _PORT_SIDE[str(k[0])], str(k)))
        desired = [min(max(mean[k], lo), hi) for k in order]
        cols = _isotonic(desired, [1.0] * n, [step] * (n - 1))
        return {
            key: min(max(col, lo + step * i), hi - step * (n - 1 - i))
            for i, (key, col) in enumerate(zip(order, cols))
        }

    @staticmethod
    def _top_key(seg: Seg) -> PortKey:
        """The pin a segment leaves the layer above from (shared for a fan-out)."""
        item = seg.upper
        if item.kind == "node":
            return ("arrow-up", seg.edge.spec.eid) if seg.edge.reversed else ("down", item.key)
        if item.kind == "cluster":
            return ("cluster", item.key, seg.edge.spec.eid)
        return item.key

    @staticmethod
    def _bottom_key(seg: Seg) -> PortKey:
        """The pin a segment reaches the layer below at (each arrowhead its own)."""
        item = seg.lower
        if item.kind == "node":
            return ("up", item.key) if seg.edge.reversed else ("arrow-down", seg.edge.spec.eid)
        if item.kind == "cluster":
            return ("cluster", item.key, seg.edge.spec.eid)
        return item.key

    def _pin(self, item: Item, seg: Seg, end: str) -> int:
        if item.kind == "node":
            if end == "upper":
                return item.bottom_ports[self._top_key(seg)]
            return item.top_ports[self._bottom_key(seg)]
        return item.x + self._anchor(item, seg, end)

    # -- routing and size -----------------------------------------------------------------

    def _route(self) -> None:
        self.channel_routes = []
        self.port_rows: list[int] = []
        self.extra_right = 0
        for i in range(len(self.layers) - 1):
            segs = [s for item in self.layers[i] for s in self.downs.get(item, ())]
            for seg in segs:
                seg.top_col = self._pin(seg.upper, seg, "upper")
                seg.bottom_col = self._pin(seg.lower, seg, "lower")
            route = route_channel(
                [
                    Segment(s.top_col, s.bottom_col, self._top_key(s), self._bottom_key(s), _into(s))
                    for s in segs
                ],
                min_col=2 if self.framed else 0,
            )
            for seg, path in zip(segs, route.paths):
                seg.path = path
            if route.dogleg_cols:
                self.extra_right = max(self.extra_right, max(route.dogleg_cols) + 1)
            needs_port_row = any(
                item.self_loop is not None or any(k[0] == "arrow-up" for k in item.bottom_ports)
                for item in self.layers[i]
                if item.kind == "node"
            )
            self.port_rows.append(int(needs_port_row))
            self.channel_routes.append(route)

    def _measure(self) -> None:
        self.band_tops: list[int] = []
        self.band_heights: list[int] = []
        self.channel_tops: list[int] = []
        self.channel_heights: list[int] = []
        y = 0
        for i, layer in enumerate(self.layers):
            height = max([1] + [item.height for item in layer])
            self.band_tops.append(y)
            self.band_heights.append(height)
            y += height
            if i + 1 < len(self.layers):
                channel = self.port_rows[i] + self.channel_routes[i].tracks + 1
                border = self.framed and i in (0, len(self.layers) - 2)
                if border and not self.port_rows[i] and not self.downs_of_layer(i):
                    channel = 0  # nothing enters or leaves here: no gap under the frame
                self.channel_tops.append(y)
                self.channel_heights.append(channel)
                y += channel
        # a self-loop under the last layer needs a row of its own
        last = self.layers[-1] if self.layers else []
        self.tail = int(any(i.kind == "node" and i.self_loop is not None for i in last))
        self.height = y + self.tail
        right = max([item.x + item.width for item in self.items.values()] + [self.extra_right, 1])
        self.width = right + (2 if self.framed else 0)
        self._port_cols = {
            (p.eid, p.side): self.items[("port", p.eid)].x for p in self.ports
        }

    def port_col(self, eid: int, side: str) -> int:
        """Column, relative to this block, of the border port for edge ``eid``."""
        return self._port_cols[(eid, side)]

    # -- drawing --------------------------------------------------------------------------

    def draw(self, canvas: Canvas, top: int, left: int, *, max_width: int | None = None) -> None:
        """Draw this level (and its subgraphs) with its top-left corner at ``(top, left)``.

        At the top level, edge labels may hang past the right edge up to ``max_width``.
        """
        glyphs = self.spec.glyphs
        if self.framed:
            self._draw_frame(canvas, top, left)
        for item in self.items.values():
            y = top + self.band_tops[item.layer]
            x = left + item.x
            if item.kind == "node":
                self._draw_box(canvas, item, y, x)
            elif item.kind == "cluster":
                assert item.child is not None
                item.child.draw(canvas, y, x)
        for item in self.items.values():
            y = top + self.band_tops[item.layer]
            x = left + item.x
            if item.kind == "dummy":
                height = self.band_heights[item.layer]
                for r in range(y, y + height):
                    canvas.line(r, x, UP | DOWN, item.solid)
                if item.label:
                    canvas.put_cells(y + (height - 1) // 2, x + 2, item.label, "edge.label", None, Canvas.LABEL)
            elif item.kind == "port":
                canvas.line(y, x, UP | DOWN, not self._port_edge(item).spec.conditional)
        arrows: list[tuple[int, int, str, str]] = []
        for i in range(len(self.channel_routes)):
            rows = self._channel_rows(i, top)
            for seg in self.downs_of_layer(i):
                start = top + self.band_tops[i] + seg.upper.height
                if seg.upper.kind == "dummy":
                    start = top + self.band_tops[i] + self.band_heights[i]
                end = top + self.channel_tops[i] + self.channel_heights[i] - 1
                seg.points = [
                    (start if r == START_ROW else end if r == END_ROW else rows[r], left + c)
                    for r, c in seg.path
                ]
                _draw_path(canvas, seg.points, seg.solid)
                style = _edge_style(seg.edge.spec)
                if seg.lower is seg.edge.b and seg.lower.kind == "node" and not seg.edge.reversed:
                    arrows.append((end, left + seg.bottom_col, glyphs.arrow_down, style))
                if seg.upper is seg.edge.b and seg.upper.kind == "node" and seg.edge.reversed:
                    arrows.append((start, left + seg.top_col, glyphs.arrow_up, style))
        for item in self.items.values():
            if item.kind == "node" and item.self_loop is not None:
                arrows.append(self._draw_self_loop(canvas, item, top, left))
        for row, col, ch, style in arrows:
            canvas.put(row, col, ch, style, None, Canvas.ARROW)
        self._draw_labels(canvas, top, left, max_width)

    def downs_of_layer(self, i: int) -> list[Seg]:
        """Segments leaving layer ``i`` downwards, in layer order."""
        return [s for item in self.layers[i] for s in self.downs.get(item, ())]

    def _channel_rows(self, i: int, top: int) -> list[int]:
        first = top + self.channel_tops[i] + self.port_rows[i]
        return [first + t for t in range(self.channel_routes[i].tracks)]

    def _port_edge(self, port: Item) -> LevelEdge:
        for seg in self.downs.get(port, ()) or self.ups.get(port, ()):
            return seg.edge
        raise LookupError(port.key)

    def _draw_frame(self, canvas: Canvas, top: int, left: int) -> None:
        box = self.spec.glyphs.boxes["cluster"]
        bottom, right = top + self.height - 1, left + self.width - 1
        put = canvas.put
        for x in range(left + 1, right):
            put(top, x, box.horizontal, "cluster", None, Canvas.FRAME)
            put(bottom, x, box.horizontal, "cluster", None, Canvas.FRAME)
        for y in range(top + 1, bottom):
            put(y, left, box.left, "cluster", None, Canvas.FRAME)
            put(y, right, box.right, "cluster", None, Canvas.FRAME)
        put(top, left, box.top_left, "cluster", None, Canvas.FRAME)
        put(top, right, box.top_right, "cluster", None, Canvas.FRAME)
        put(bottom, left, box.bottom_left, "cluster", None, Canvas.FRAME)
        put(bottom, right, box.bottom_right, "cluster", None, Canvas.FRAME)
        title = self.items[("title",)]
        style = self.spec.title_styles.get(self.path, "cluster")
        canvas.put_cells(top, left + title.x, [" ", *self.spec.titles[self.path], " "], style, None, Canvas.FRAME)

    def _draw_box(self, canvas: Canvas, item: Item, y: int, x: int) -> None:
        node = item.node
        assert node is not None
        box = self.spec.glyphs.boxes[node.kind]
        w = item.box_width
        style, owner, put = node.style, node.id, canvas.put
        top_cols = {col - item.x: key for key, col in item.top_ports.items()}
        bottom_cols = {col - item.x: key for key, col in item.bottom_ports.items()}
        for dx in range(1, w - 1):
            t = top_cols.get(dx)
            b = bottom_cols.get(dx)
            put(y, x + dx, box.line_up if t and t[0] == "up" else box.horizontal, style, owner, Canvas.BOX)
            put(
                y + 2,
                x + dx,
                box.line_down if b and b[0] in ("down", "self") else box.horizontal,
                style,
                owner,
                Canvas.BOX,
            )
        put(y, x, box.top_left, style, owner, Canvas.BOX)
        put(y, x + w - 1, box.top_right, style, owner, Canvas.BOX)
        put(y + 2, x, box.bottom_left, style, owner, Canvas.BOX)
        put(y + 2, x + w - 1, box.bottom_right, style, owner, Canvas.BOX)
        pad = w - 2 - len(node.cells)
        row = [box.left, *[" "] * (pad // 2), *node.cells, *[" "] * (pad - pad // 2), box.right]
        canvas.put_cells(y + 1, x, row, style, owner, Canvas.BOX)
        canvas.boxes[node.id] = (y, x, NODE_HEIGHT, w)

    def _draw_self_loop(self, canvas: Canvas, item: Item, top: int, left: int) -> tuple[int, int, str, str]:
        spec = item.self_loop
        assert spec is not None
        y = top + self.band_tops[item.layer]
        port = left + item.bottom_ports[("self",)]
        right = left + item.x + item.box_width - 1
        below = y + NODE_HEIGHT
        points = [(below, port), (below, right + 2), (y + 1, right + 2), (y + 1, right + 1)]
        _draw_path(canvas, points, not spec.conditional, down_end=False)
        return (y + 1, right + 1, self.spec.glyphs.arrow_left, _edge_style(spec))

    def _draw_labels(self, canvas: Canvas, top: int, left: int, max_width: int | None = None) -> None:
        """Write conditional edges' labels beside their lines where the cells are free."""
        channel_rows: set[int] = set()
        for i in range(len(self.channel_routes)):
            first = top + self.channel_tops[i]
            channel_rows.update(range(first, first + self.channel_heights[i]))
        # inside a frame labels stay inside it; at the top level they may hang off the right
        lo = left + 1 if self.framed else left
        if self.framed:
            hi = left + self.width - 1
        else:
            hi = max(max_width, left + self.width) if max_width else 10**9
        for n, edge in enumerate(self.edges):
            if not edge.spec.label or edge.b.kind != "node":
                continue
            if any(s.lower.label is not None and s.lower.key[1] == n for s in edge.segs[:-1]):
                continue  # drawn beside its dummy
            cells = fit_cells(edge.spec.label, LABEL_CELLS)
            # the segment nearest the arrowhead first, its cells nearest the arrowhead first
            segs = list(edge.segs) if edge.reversed else list(reversed(edge.segs))
            spot = next(
                (
                    (row, start)
                    for seg in segs
                    for row, col in _vertical_cells(seg.points, nearest_top=edge.reversed)
                    if row in channel_rows
                    for start in (col + 2, col - 1 - len(cells))
                    if start >= lo
                    and start + len(cells) <= hi
                    and all(
                        canvas.is_free(row, c)
                        for c in range(max(start - 1, lo), min(start + len(cells) + 1, hi))
                    )
                ),
                None,
            )
            if spot is not None:
                canvas.widen(spot[1] + len(cells))
                canvas.put_cells(spot[0], spot[1], cells, "edge.label", None, Canvas.LABEL)


def _vertical_cells(points: list[tuple[int, int]], *, nearest_top: bool) -> list[tuple[int, int]]:
    """Cells of a path's vertical runs, those nearest one end first."""
    cells: list[tuple[int, int]] = [points[0], points[-1]] if points else []
    for (r1, c1), (r2, c2) in zip(points, points[1:]):
        if c1 == c2 and r1 != r2:
            step = 1 if r2 > r1 else -1
            cells.extend((r, c1) for r in range(r1, r2 + step, step))
    cells = list(dict.fromkeys(cells))
    cells.sort(key=lambda rc: rc[0] if nearest_top else -rc[0])
    return cells


def _draw_path(
    canvas: Canvas, points: list[tuple[int, int]], solid: bool, *, down_end: bool = True
) -> None:
    """Draw an orthogonal polyline whose first cell hangs from the thing above it and,
    with ``down_end``, whose last cell leads into the thing below it."""
    dirs: dict[tuple[int, int], int] = defaultdict(int)
    for (r1, c1), (r2, c2) in zip(points, points[1:]):
        if r1 == r2 and c1 == c2:
            continue
        if r1 == r2:
            step = 1 if c2 > c1 else -1
            for c in range(c1, c2, step):
                dirs[(r1, c)] |= RIGHT if step > 0 else LEFT
                dirs[(r1, c + step)] |= LEFT if step > 0 else RIGHT
        else:
            step = 1 if r2 > r1 else -1
            for r in range(r1, r2, step):
                dirs[(r, c1)] |= DOWN if step > 0 else UP
                dirs[(r + step, c1)] |= UP if step > 0 else DOWN
    dirs[points[0]] |= UP
    if down_end:
        dirs[points[-1]] |= DOWN
    for (r, c), d in dirs.items():
        canvas.line(r, c, d, solid)


def _into(seg: Seg) -> Hashable:
    """Lines into one node may share a track: wherever they join, they go to that node."""
    if seg.lower.kind == "node" and not seg.edge.reversed:
        return ("into", seg.lower.key)
    return None


def _edge_style(spec: EdgeSpec) -> str:
    return "edge.conditional" if spec.conditional else "edge"


def _is_kind(item: Item, kind: str) -> bool:
    return item.node is not None and item.node.kind == kind


def _rough_width(item: Item) -> int:
    if item.node is not None:
        return len(item.node.cells) + 4
    return item.width


def _number(layer: list[int], pos: list[float], index: list[int]) -> None:
    """Record each item's index and relative position (0..1) within its layer."""
    size = len(layer)
    for n, v in enumerate(layer):
        pos[v] = (n + 0.5) / size
        index[v] = n


def _straightness(seg: Seg) -> float:
    """How much a segment pulls its ends into line: long edges most, so they run straight."""
    dummies = (seg.upper.kind == "dummy") + (seg.lower.kind == "dummy")
    return (1.0, 2.0, 8.0)[dummies]


def _separation(a: Item, b: Item) -> int:
    thin = ("dummy", "port")
    return a.width + (1 if a.kind in thin and b.kind in thin else 2)


def _topological(items: list[Item], succs: dict[Item, list[Item]], preorder: dict[Item, int]) -> list[Item]:
    indegree = {item: 0 for item in items}
    for item in items:
        for s in succs.get(item, ()):
            if s in indegree:
                indegree[s] += 1
    rank = {item: (preorder.get(item, 10**9), item.index) for item in items}
    heap = [(rank[i], n, i) for n, i in enumerate(items) if indegree[i] == 0]
    heapq.heapify(heap)
    order: list[Item] = []
    while heap:
        _, _, item = heapq.heappop(heap)
        order.append(item)
        for s in succs.get(item, ()):
            if s in indegree:
                indegree[s] -= 1
                if indegree[s] == 0:
                    heapq.heappush(heap, (rank[s], s.index, s))
    return order


def _isotonic(desired: list[float], weights: list[float], seps: list[int]) -> list[int]:
    """Integer positions closest (weighted least squares) to ``desired`` with
    ``x[i+1] - x[i] >= seps[i]``: pool adjacent violators on the gap-free coordinates."""
    offsets = [0]
    for s in seps:
        offsets.append(offsets[-1] + s)
    blocks: list[list[float]] = []  # [mean, weight, count]
    for d, w, o in zip(desired, weights, offsets):
        blocks.append([d - o, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    out: list[int] = []
    for mean, _, count in blocks:
        value = math.floor(mean + 0.5)
        out.extend([value] * int(count))
    return [v + o for v, o in zip(out, offsets)]


def _inversions(values: list[int], size: int) -> int:
    """Pairs ``i < j`` with ``values[i] > values[j]`` (a Fenwick tree over ``size``)."""
    tree = [0] * (size + 1)
    count = 0
    for seen, v in enumerate(values):
        # how many earlier values are greater than v
        i, le = v + 1, 0
        while i > 0:
            le += tree[i]
            i -= i & -i
        count += seen - le
        i = v + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count
