"""Orthogonal routing of the edges that cross one gap between two layers.

Each segment enters the gap at a *top pin* (a column on the layer above) and leaves at a
*bottom pin* (a column on the layer below). Segments sharing a pin form a *net* (a fan-out
from one port, or several back edges leaving one node) and share one horizontal *track*.
Tracks are assigned with the constrained left-edge algorithm: two nets share a track only
when their spans leave a blank column between them, and a net whose bottom pin sits under
another net's top pin goes below it, so no two edges ever run along the same cells. When
those constraints form a cycle (two edges swapping columns) one net takes a dogleg through
a free column.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

START_ROW = -1  # the row where a segment leaves the layer above
END_ROW = -2  # the row where it reaches the layer below (its arrowhead row)


@dataclass(frozen=True)
class Segment:
    """One edge piece crossing the gap."""

    top_col: int
    bottom_col: int
    top_key: Hashable  # segments with equal keys share that pin
    bottom_key: Hashable
    merge_key: Hashable = None  # segments with equal keys (not None) may share a track


@dataclass
class _Net:
    order: int
    segments: list[int]
    tops: set[int]
    bottoms: set[int]
    virtual_top: int | None = None  # dogleg column this net starts from
    virtual_bottom: int | None = None  # dogleg column this net ends at
    above: set[int] = field(default_factory=set)  # nets that must take a higher track
    track: int = -1

    @property
    def cols(self) -> set[int]:
        extra = {c for c in (self.virtual_top, self.virtual_bottom) if c is not None}
        return self.tops | self.bottoms | extra

    @property
    def left(self) -> int:
        return min(self.cols)

    @property
    def right(self) -> int:
        return max(self.cols)


@dataclass(frozen=True)
class ChannelRoute:
    """Tracks used and, per segment, its waypoints as ``(row, col)``.

    ``row`` is a track index, :data:`START_ROW` or :data:`END_ROW`.
    """

    tracks: int
    paths: list[list[tuple[int, int]]]
    dogleg_cols: tuple[int, ...]


def route_channel(segments: Sequence[Segment], *, min_col: int = 0) -> ChannelRoute:
    """Assign tracks to the segments of one gap and return their waypoints.

    Doglegs use columns from ``min_col`` on (left of it is a subgraph's frame).
    """
    nets = _build_nets(segments)
    routed = [n for n in nets if not _is_straight(n)]
    pin_cols = {c for n in nets for c in n.tops | n.bottoms}
    doglegs: list[int] = []
    halves: dict[int, tuple[_Net, _Net]] = {}  # original net order -> (upper, lower) halves

    remaining = list(routed)
    _link(remaining)
    placed: set[int] = set()
    track = 0
    while remaining:
        ready = [n for n in remaining if n.above <= placed]
        if not ready:
            # constraint cycle: give one net on it a dogleg through a free column
            net = _on_cycle(remaining)
            upper, lower = _split(net, pin_cols | set(doglegs), len(nets) + 2 * len(halves), min_col)
            doglegs.append(upper.virtual_bottom)  # type: ignore[arg-type]
            halves[net.order] = (upper, lower)
            remaining = [n for n in remaining if n is not net] + [upper, lower]
            _link(remaining, placed_halves=halves)
            continue
        ready.sort(key=lambda n: (n.left, n.right, n.order))
        last_right: int | None = None
        chosen: list[_Net] = []
        for net in ready:
            if last_right is None or net.left >= last_right + 2:
                chosen.append(net)
                last_right = net.right
        for net in chosen:
            net.track = track
            placed.add(id(net))
        remaining = [n for n in remaining if n.track < 0]
        track += 1

    paths: list[list[tuple[int, int]]] = [[] for _ in segments]
    for net in nets:
        for idx in net.segments:
            seg = segments[idx]
            if net.order in halves:
                upper, lower = halves[net.order]
                xf = upper.virtual_bottom
                assert xf is not None
                paths[idx] = [
                    (START_ROW, seg.top_col),
                    (upper.track, seg.top_col),
                    (upper.track, xf),
                    (lower.track, xf),
                    (lower.track, seg.bottom_col),
                    (END_ROW, seg.bottom_col),
                ]
            elif _is_straight(net):
                paths[idx] = [(START_ROW, seg.top_col), (END_ROW, seg.bottom_col)]
            else:
                paths[idx] = [
                    (START_ROW, seg.top_col),
                    (net.track, seg.top_col),
                    (net.track, seg.bottom_col),
                    (END_ROW, seg.bottom_col),
                ]
    return ChannelRoute(tracks=track, paths=paths, dogleg_cols=tuple(doglegs))


def _build_nets(segments: Sequence[Segment]) -> list[_Net]:
    parent = list(range(len(segments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, Hashable], int] = {}
    for i, seg in enumerate(segments):
        keys = [("top", seg.top_key), ("bottom", seg.bottom_key)]
        if seg.merge_key is not None:
            keys.append(("merge", seg.merge_key))
        for key in keys:
            if key in first:
                a, b = find(first[key]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(segments)):
        groups.setdefault(find(i), []).append(i)
    return [
        _Net(
            order=n,
            segments=members,
            tops={segments[i].top_col for i in members},
            bottoms={segments[i].bottom_col for i in members},
        )
        for n, members in enumerate(groups.values())
    ]


def _is_straight(net: _Net) -> bool:
    return (
        net.virtual_top is None
        and net.virtual_bottom is None
        and len(net.tops) == 1
        and net.tops == net.bottoms
    )


def _link(nets: list[_Net], placed_halves: dict[int, tuple[_Net, _Net]] | None = None) -> None:
    """Recompute which nets must sit above which (the vertical constraints)."""
    top_owner: dict[int, _Net] = {}
    for net in nets:
        for col in net.tops:
            top_owner[col] = net
    for net in nets:
        above = {id(top_owner[c]) for c in net.bottoms if c in top_owner}
        above.discard(id(net))
        net.above = above
    for upper, lower in (placed_halves or {}).values():
        lower.above.add(id(upper))


def _on_cycle(nets: list[_Net]) -> _Net:
    """A net on a constraint cycle among ``nets`` (each has a pending net above it)."""
    by_id = {id(n): n for n in nets}
    net = min(nets, key=lambda n: (n.left, n.order))
    seen: set[int] = set()
    while id(net) not in seen:
        seen.add(id(net))
        net = min((by_id[a] for a in net.above if a in by_id), key=lambda n: (n.left, n.order))
    return net


def _split(net: _Net, used: set[int], order: int, min_col: int) -> tuple[_Net, _Net]:
    """Split ``net`` into an upper half ending at a free column and a lower half from it."""
    lo = min(net.tops | net.bottoms)
    hi = max(net.tops | net.bottoms)
    mid = (min(net.tops) + min(net.bottoms)) // 2
    col = next(
        c
        for d in range(0, hi - lo + 4 + len(used) * 2)
        for c in (mid + d, mid - d)
        if c >= min_col and c not in used
    )
    upper = _Net(order=order, segments=[], tops=set(net.tops), bottoms=set(), virtual_bottom=col)
    lower = _Net(
        order=order + 1, segments=[], tops=set(), bottoms=set(net.bottoms), virtual_top=col
    )
    return upper, lower
