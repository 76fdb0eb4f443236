"""Characters the terminal layout draws with: box drawing, or plain ASCII."""

from __future__ import annotations

from dataclasses import dataclass

# Line directions out of a cell, combined as bit flags.
UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8


@dataclass(frozen=True)
class BoxGlyphs:
    """Border characters of one box style, and the junctions where lines leave it."""

    top_left: str
    top_right: str
    bottom_left: str
    bottom_right: str
    horizontal: str
    left: str
    right: str
    line_down: str  # bottom border where a line leaves downwards
    line_up: str  # top border where a line leaves upwards


@dataclass(frozen=True)
class Glyphs:
    """One complete character set."""

    solid: dict[int, str]
    dotted: dict[int, str]
    boxes: dict[str, BoxGlyphs]  # by node kind; "cluster" is a subgraph frame
    arrow_down: str
    arrow_up: str
    arrow_left: str
    arrow_right: str
    markers: dict[str, str]  # by node status


def _lines(vertical: str, horizontal: str, corners: str) -> dict[int, str]:
    down_right, down_left, up_right, up_left, t_right, t_left, t_down, t_up, cross = list(corners)
    return {
        0: " ",
        UP: vertical,
        DOWN: vertical,
        UP | DOWN: vertical,
        LEFT: horizontal,
        RIGHT: horizontal,
        LEFT | RIGHT: horizontal,
        DOWN | RIGHT: down_right,
        DOWN | LEFT: down_left,
        UP | RIGHT: up_right,
        UP | LEFT: up_left,
        UP | DOWN | RIGHT: t_right,
        UP | DOWN | LEFT: t_left,
        DOWN | LEFT | RIGHT: t_down,
        UP | LEFT | RIGHT: t_up,
        UP | DOWN | LEFT | RIGHT: cross,
    }


_UNICODE_CORNERS = "┌┐└┘├┤┬┴┼"

UNICODE = Glyphs(
    solid=_lines("│", "─", _UNICODE_CORNERS),
    dotted=_lines("┆", "┄", _UNICODE_CORNERS),
    boxes={
        "node": BoxGlyphs("┌", "┐", "└", "┘", "─", "│", "│", "┬", "┴"),
        "start": BoxGlyphs("╭", "╮", "╰", "╯", "─", "│", "│", "┬", "┴"),
        "end": BoxGlyphs("╭", "╮", "╰", "╯", "─", "│", "│", "┬", "┴"),
        "subgraph": BoxGlyphs("╔", "╗", "╚", "╝", "═", "║", "║", "╤", "╧"),
        "cluster": BoxGlyphs("┌", "┐", "└", "┘", "╌", "╎", "╎", "╌", "╌"),
    },
    arrow_down="▼",
    arrow_up="▲",
    arrow_left="◀",
    arrow_right="▶",
    markers={"visited": "✓", "next": "▸", "failed": "✗", "interrupted": "‖", "running": "●"},
)

ASCII = Glyphs(
    solid=_lines("|", "-", "+++++++++"),
    dotted=_lines(":", ".", "+++++++++"),
    boxes={
        "node": BoxGlyphs("+", "+", "+", "+", "-", "|", "|", "+", "+"),
        "start": BoxGlyphs(".", ".", "'", "'", "-", "(", ")", "+", "+"),
        "end": BoxGlyphs(".", ".", "'", "'", "-", "(", ")", "+", "+"),
        "subgraph": BoxGlyphs("#", "#", "#", "#", "=", "#", "#", "+", "+"),
        "cluster": BoxGlyphs("+", "+", "+", "+", "~", "!", "!", "~", "~"),
    },
    arrow_down="v",
    arrow_up="^",
    arrow_left="<",
    arrow_right=">",
    markers={"visited": "+", "next": ">", "failed": "x", "interrupted": "=", "running": "*"},
)


def glyphs_for(ascii_only: bool) -> Glyphs:
    """The character set for a terminal with or without Unicode."""
    return ASCII if ascii_only else UNICODE
