"""Terminal cell widths of text, from ``unicodedata`` alone (no wcwidth, no rich).

A label is split into *cells*: one string per terminal column. A wide character (CJK,
most emoji) fills two cells, the second one ``""``; combining marks join the cell before.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ELLIPSIS = "…"
_VS16 = "\ufe0f"  # emoji presentation selector: terminals draw the emoji two cells wide


@lru_cache(maxsize=8192)
def char_width(ch: str) -> int:
    """Cells one code point takes: 0 (combining, format), 1 or 2 (wide)."""
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def sanitize(text: str) -> str:
    """Make text safe to draw: control characters become visible escapes (``\\n``)."""
    if text.isprintable():
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch
        for ch in text
    )


def text_cells(text: str) -> list[str]:
    """Split ``text`` into one string per terminal cell (``""`` continues a wide one)."""
    cells: list[str] = []
    for ch in text:
        width = char_width(ch)
        if width == 0:
            if cells:
                if ch == _VS16 and cells[-1] and char_width(cells[-1][0]) == 1:
                    cells[-1] += ch
                    cells.append("")  # VS16 widens the emoji before it
                else:
                    # attach to the cell holding the base character
                    idx = len(cells) - 1 if cells[-1] else len(cells) - 2
                    cells[idx] += ch
            continue
        cells.append(ch)
        if width == 2:
            cells.append("")
    return cells


def cell_len(text: str) -> int:
    """Width of ``text`` in terminal cells."""
    return len(text_cells(text))


def fit_cells(cells: list[str], limit: int) -> list[str]:
    """Cut a cell list to at most ``limit`` cells, ending with ``…`` when cut."""
    if len(cells) <= limit:
        return cells
    if limit <= 0:
        return []
    cut = cells[: limit - 1]
    if cells[limit - 1] == "" and cut:
        cut[-1] = " "  # the wide character would lose its second half: drop it
    return [*cut, ELLIPSIS]
