"""How the app fits the terminal: size classes by its width, the table columns and footer
keys a pane has room for, and the pane zoom.

The size classes (``-narrow``, ``-medium``, ``-wide``) are Textual's horizontal
breakpoints: the screen carries the one for the terminal's width and ``app.tcss`` sizes
the panes by it. What a pane shows inside follows the room it was given: a table keeps
its essential columns at any width (cut with "…" if need be) and adds the others, most
useful first, while they fit; the footer shows the most important keys whole and leaves
the rest to ``?``. Zoom gives the pane holding the focus the whole screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.dom import DOMNode

# Terminal width → the screen's size class (the smallest width each starts at).
SIZE_BREAKPOINTS: list[tuple[int, str]] = [(0, "-narrow"), (100, "-medium"), (180, "-wide")]

# A DataTable cell's padding, both sides together.
CELL_PADDING = 2

# The app's footer keys by importance (binding ids): the first ones show at any width.
FOOTER_PRIORITY: tuple[str, ...] = (
    "quit",
    "help",
    "control.step",
    "control.continue",
    "control.answer",
    "inbox",
    "search",
    "status_filter",
    "follow",
    "tab.graph",
    "tab.state",
    "tab.events",
    "tab.pending",
    "tab.diff",
    "tab.messages",
)

# The panes zoom can give the screen, and the column that holds two of them.
PANES = ("threads", "history-box", "right")
LEFT = "left"
ZOOMED = "-zoom"  # on the screen while a pane is zoomed
HIDDEN = "-zoom-hidden"  # on each pane the zoom hides
HOLDER = "-zoom-holder"  # on the column holding the zoomed pane


@dataclass(frozen=True)
class Column:
    """A table column: its name (the header), how soon it shows (lower first), the
    narrowest it may be cut to (0: never cut) and the widest it grows to (0: its widest
    cell). An essential column shows at any width."""

    name: str
    priority: int
    essential: bool = False
    minimum: int = 0
    maximum: int = 0


def fit_columns(columns: Sequence[Column], natural: Mapping[str, int], room: int) -> list[tuple[str, int]]:
    """(name, width) of the columns that fit in ``room`` cells, in the order of ``columns``.

    ``natural`` is each column's width for its widest cell (0: every cell is empty, the
    column is left out unless essential). Essential columns always show,
    at their minimum if need be, then grow to their widest, most important first;
    the other columns follow, most important first, whole (the last may be cut to what is
    left if that is at least its minimum) until one does not fit."""
    by_priority = sorted(columns, key=lambda c: c.priority)
    widest = {c.name: min(natural[c.name], c.maximum or natural[c.name]) for c in columns}
    narrowest = {c.name: min(c.minimum or widest[c.name], widest[c.name]) for c in columns}
    widths = {c.name: narrowest[c.name] for c in by_priority if c.essential}
    left = room - sum(w + CELL_PADDING for w in widths.values())
    for column in by_priority:
        if column.essential and left > 0:
            grow = min(left, widest[column.name] - widths[column.name])
            widths[column.name] += grow
            left -= grow
    for column in by_priority:
        if column.essential or not natural[column.name]:
            continue  # an empty column (no cell has text) is not worth its room
        width = min(widest[column.name], left - CELL_PADDING)
        if width <= 0 or width < narrowest[column.name]:
            break
        widths[column.name] = width
        left -= width + CELL_PADDING
    return [(c.name, widths[c.name]) for c in columns if c.name in widths]


def footer_key_width(key: str, description: str) -> int:
    """Cells a footer key takes: `` key description `` and a space after it."""
    return cell_len(key) + cell_len(description) + 3


def footer_fit(keys: Sequence[tuple[str | None, int]], room: int) -> list[int]:
    """Which footer keys fit in ``room`` cells: the indexes (in their order) of the
    (binding id, width) pairs, taken by ``FOOTER_PRIORITY`` first, then as they come."""
    rank = {binding_id: n for n, binding_id in enumerate(FOOTER_PRIORITY)}
    order = sorted(range(len(keys)), key=lambda i: (rank.get(keys[i][0] or "", len(rank)), i))
    chosen: list[int] = []
    for index in order:
        if keys[index][1] > room:
            break
        room -= keys[index][1]
        chosen.append(index)
    return sorted(chosen)


def size_class(width: int) -> str:
    """The size class of a terminal ``width`` cells wide."""
    return [name for start, name in SIZE_BREAKPOINTS if width >= start][-1]


def zoomed(screen: DOMNode) -> str | None:
    """The id of the pane zoomed on ``screen`` (None: the panes share it)."""
    if not screen.has_class(ZOOMED):
        return None
    return next((pane for pane in PANES if not screen.query(f"#{pane}.{HIDDEN}")), None)


def toggle_zoom(screen: DOMNode, focused: DOMNode | None) -> str | None:
    """Give the pane holding ``focused`` the whole of ``screen`` (the others hide), or, when
    a pane is zoomed, share the screen again. The zoomed pane's id, or None."""
    if screen.has_class(ZOOMED):
        for node in screen.query(f".{HIDDEN}, .{HOLDER}"):
            node.remove_class(HIDDEN, HOLDER)
        screen.remove_class(ZOOMED)
        return None
    holders = {node.id for node in (focused.ancestors_with_self if focused is not None else ())}
    pane = next((p for p in PANES if p in holders), None)
    if pane is None or not screen.query(f"#{LEFT}"):
        return None  # no pane has the focus, or a dialog is open: nothing to zoom
    for other in (*PANES, LEFT):
        node = screen.query_one(f"#{other}")
        if other == pane:
            continue
        node.add_class(HOLDER if other in holders else HIDDEN)
    screen.add_class(ZOOMED)
    return pane
