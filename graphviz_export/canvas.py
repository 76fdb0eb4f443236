"""A grid of terminal cells that layouts draw into, then turn into lines and style spans.

Lines are not characters until the end: each cell collects the directions lines leave it
by, so a fan-out becomes ``┬``/``├`` and a crossing ``┼`` without any drawing order
mattering. Fixed text has a priority: node boxes are never overwritten (an attempt is
counted in :attr:`Canvas.collisions`, which tests keep at zero), arrowheads beat lines,
and lines beat subgraph frames, which they cross.
"""

from __future__ import annotations

from itertools import groupby
from typing import NamedTuple

from .glyphs import Glyphs
from .textcells import text_cells


class Span(NamedTuple):
    """A styled run of one line: string offsets ``start:end`` (not cells), a style name,
    and the node id when the run belongs to a node box."""

    start: int
    end: int
    style: str
    node: str | None


class Canvas:
    """The cell grid; rows and columns are terminal cells."""

    EMPTY, FRAME, LABEL, ARROW, BOX = 0, 1, 1, 2, 3

    def __init__(self, height: int, width: int) -> None:
        self.height = height
        self.width = width
        self.text = [[" "] * width for _ in range(height)]
        self.style: list[list[str | None]] = [[None] * width for _ in range(height)]
        self.owner: list[list[str | None]] = [[None] * width for _ in range(height)]
        self.prio = [[0] * width for _ in range(height)]
        self.dirs = [[0] * width for _ in range(height)]
        self.solid = [[False] * width for _ in range(height)]
        self.line_cols: list[set[int]] = [set() for _ in range(height)]
        self.wide_rows: set[int] = set()  # rows where a cell is not one plain character
        self.boxes: dict[str, tuple[int, int, int, int]] = {}
        self.collisions = 0

    def put(self, row: int, col: int, ch: str, style: str | None, owner: str | None, prio: int) -> None:
        """Set one cell's text unless something stronger is there."""
        current = self.prio[row][col]
        if current == self.BOX or current > prio:
            # a box is never drawn over; two boxes meeting would be a layout bug
            self.collisions += current == self.BOX
            return
        self.text[row][col] = ch
        self.style[row][col] = style
        self.owner[row][col] = owner
        self.prio[row][col] = prio
        if len(ch) != 1:
            self.wide_rows.add(row)

    def put_cells(self, row: int, col: int, cells: list[str], style: str | None, owner: str | None, prio: int) -> None:
        """Set consecutive cells (``""`` continues a wide character)."""
        for n, ch in enumerate(cells):
            self.put(row, col + n, ch, style, owner, prio)

    def line(self, row: int, col: int, dirs: int, solid: bool) -> None:
        """Add line directions to a cell; solid wins over dotted where lines share it."""
        if self.prio[row][col] == self.BOX:
            self.collisions += 1
            return
        self.dirs[row][col] |= dirs
        if solid:
            self.solid[row][col] = True
        self.line_cols[row].add(col)

    def is_free(self, row: int, col: int) -> bool:
        """Nothing drawn here yet (the right margin, beyond the width, is free)."""
        if not 0 <= row < self.height or col < 0:
            return False
        return col >= self.width or (not self.prio[row][col] and not self.dirs[row][col])

    def widen(self, width: int) -> None:
        """Grow to ``width`` columns (a label may hang past the drawing's right edge)."""
        extra = width - self.width
        if extra <= 0:
            return
        for grid, blank in (
            (self.text, " "), (self.style, None), (self.owner, None),
            (self.prio, 0), (self.dirs, 0), (self.solid, False),
        ):  # fmt: skip
            for row in grid:
                row.extend([blank] * extra)  # type: ignore[list-item]
        self.width = width

    def render(self, glyphs: Glyphs) -> list[str]:
        """The finished lines, right-trimmed."""
        return [("".join(self._row(r, glyphs)[0])).rstrip(" ") for r in range(self.height)]

    def row_width(self, r: int, line: str) -> int:
        """Cells taken by a rendered row (or by any other line of text, past the grid)."""
        if r < self.height and r not in self.wide_rows:
            return len(line)
        return len(text_cells(line))

    def row_spans(self, r: int, glyphs: Glyphs) -> list[Span]:
        """Style spans of row ``r`` (computed on demand: a TUI asks only for rows on screen)."""
        text, style = self._row(r, glyphs)
        length = len("".join(text).rstrip(" "))
        out: list[Span] = []
        simple = r not in self.wide_rows  # then string offsets are cell columns
        col = offset = 0
        for (st, ow), run in groupby(zip(style, self.owner[r])):
            if offset >= length:
                break
            n = len(list(run))
            end = offset + n if simple else offset + sum(len(t) for t in text[col : col + n])
            if st is not None:
                out.append(Span(offset, min(end, length), st, ow))
            offset, col = end, col + n
        return out

    def _row(self, r: int, glyphs: Glyphs) -> tuple[list[str], list[str | None]]:
        text = self.text[r][:]
        style = self.style[r][:]
        prio, dirs, solid = self.prio[r], self.dirs[r], self.solid[r]
        for c in self.line_cols[r]:
            if prio[c] < self.ARROW:  # lines cross frames; arrowheads and boxes stay
                if solid[c]:
                    text[c], style[c] = glyphs.solid[dirs[c]], "edge"
                else:
                    text[c], style[c] = glyphs.dotted[dirs[c]], "edge.conditional"
        return text, style
