"""The layout follows the terminal's size: pane widths by breakpoint, the thread table's
columns and the footer's keys by the room they have, the value detail beside the state
tree on wide terminals, and the pane zoom (``+``).

The app runs on a private copy of the committed sample store (12 threads, 3 of them
waiting at an interrupt) with the feature graph bound, so the acting keys exist."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from agent_debug.inspector.session import open_session
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.layout import CELL_PADDING, Column, fit_columns, footer_fit
from tests.tui.conftest import fixed_clock, settle

GRAPH = "agent_debug.fixtures.feature_request:graph"
# The sample store's interrupts, by thread (tests/data/snapshot.db).
QUESTIONS = {
    "supervisor-009-interrupted": "Sign off on this report?",
    "tool-008-interrupted": "Allow delete_files to remove 2 path(s)?",
    "feature-002-interrupted": "Approve this change?",
}
SIZES = {
    # terminal: (size class, the left column's width, the thread table's columns)
    (80, 24): ("-narrow", 48, ["thread", "status"]),
    (120, 40): ("-medium", 55, ["thread", "status", "last node"]),
    (200, 60): ("-wide", 100, ["thread", "status", "last node", "updated", "ckpts", "detail"]),
}


# -- the fitting, on its own ------------------------------------------------------------


def test_essential_columns_show_at_any_width_and_the_rest_by_priority() -> None:
    columns = (
        Column("id", 1, essential=True, minimum=4),
        Column("extra", 3),
        Column("text", 0, essential=True, minimum=5),
        Column("more", 2),
    )
    natural = {"id": 10, "extra": 3, "text": 20, "more": 6}
    pad = CELL_PADDING
    # No room at all: the essentials at their minimum, in the columns' order.
    assert fit_columns(columns, natural, 0) == [("id", 4), ("text", 5)]
    # Some room: the most important essential grows first.
    assert fit_columns(columns, natural, 4 + 12 + 2 * pad) == [("id", 4), ("text", 12)]
    # The essentials whole, then "more" (priority 2) before "extra" (3), each whole or not at all.
    whole = 10 + 20 + 2 * pad
    assert fit_columns(columns, natural, whole + 5 + pad) == [("id", 10), ("text", 20)]
    assert fit_columns(columns, natural, whole + 6 + pad) == [("id", 10), ("text", 20), ("more", 6)]
    assert fit_columns(columns, natural, whole + 6 + 3 + 2 * pad) == [("id", 10), ("extra", 3), ("text", 20), ("more", 6)]


def test_a_column_with_a_minimum_is_cut_to_the_room_left_and_a_maximum_caps_it() -> None:
    columns = (Column("id", 0, essential=True), Column("detail", 1, minimum=8, maximum=30))
    natural = {"id": 10, "detail": 50}
    assert fit_columns(columns, natural, 12 + 7 + CELL_PADDING) == [("id", 10)]
    assert fit_columns(columns, natural, 12 + 8 + CELL_PADDING) == [("id", 10), ("detail", 8)]
    assert fit_columns(columns, natural, 200) == [("id", 10), ("detail", 30)]


def test_an_empty_column_is_left_out() -> None:
    columns = (Column("id", 0, essential=True), Column("next", 1), Column("detail", 2))
    assert fit_columns(columns, {"id": 10, "next": 0, "detail": 6}, 200) == [("id", 10), ("detail", 6)]


def test_the_footer_keeps_the_important_keys_in_their_order() -> None:
    keys = [("quit", 8), ("tab.messages", 12), ("search", 10), ("control.step", 8), (None, 5), ("control.answer", 11)]
    assert footer_fit(keys, 1000) == [0, 1, 2, 3, 4, 5]
    # quit, step and answer come first; then search; the rest does not fit.
    assert footer_fit(keys, 8 + 8 + 11 + 10) == [0, 2, 3, 5]
    assert footer_fit(keys, 8 + 8 + 11 + 9) == [0, 3, 5]


# -- the app at three sizes -----------------------------------------------------------------


@pytest.fixture
async def acting_app(snapshot_db: Path) -> AsyncIterator[AgentDebugApp]:
    """The app with the feature graph bound (the acting keys exist), not yet running."""
    from agent_debug.inspector.graph_ref import load_graph

    session = open_session(str(snapshot_db), graph=load_graph(GRAPH))
    yield AgentDebugApp(session.source, graph=session.user_graph, controller=session, clock=fixed_clock(snapshot_db), poll_interval=0)


def footer_keys(app: AgentDebugApp) -> dict[str, Any]:
    """The footer's keys as shown (key → its widget), the palette key apart."""
    return {k.key_display: k for k in app.screen.query(FooterKey) if not k.has_class("-command-palette")}


def column_names(table: DataTable[Any]) -> list[str]:
    return [c.label.plain for c in table.columns.values()]


@pytest.mark.parametrize("size", list(SIZES), ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_panes_follow_the_terminal_size(acting_app: AgentDebugApp, size: tuple[int, int]) -> None:
    size_class, left_width, columns = SIZES[size]
    width, height = size
    async with acting_app.run_test(size=size) as pilot:
        await settle(pilot)
        app = acting_app
        assert app.screen.has_class(size_class)
        left, right = app.query_one("#left").region, app.query_one("#right").region
        assert left.width == left_width and right.x == left.right and right.right == width
        table = app.query_one("#thread-table", DataTable)
        assert column_names(table) == columns
        # Every column shows whole: nothing scrolls off the pane's right edge.
        assert table.virtual_size.width <= table.scrollable_content_region.width
        # The footer: the important keys whole, inside the screen, left of the palette key.
        keys = footer_keys(app)
        assert {"q", "?", "n", "c", "a", "i"} <= keys.keys(), sorted(keys)
        [palette] = app.screen.query(".-command-palette")
        assert all(k.region.right <= palette.region.x and k.region.width > 1 for k in keys.values())


@pytest.mark.parametrize("size", list(SIZES), ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_inbox_question_gets_room_at_every_size(acting_app: AgentDebugApp, size: tuple[int, int]) -> None:
    async with acting_app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        table = acting_app.query_one("#thread-table", DataTable)
        names = column_names(table)
        assert names[:2] == ["thread", "question"] or names[:3] == ["thread", "node", "question"], names
        question = next(c for c in table.columns.values() if c.label.plain == "question")
        assert question.width >= 24  # "Sign off on this report?" whole, even at 80×24
        assert table.virtual_size.width <= table.scrollable_content_region.width
        if size[0] >= 180:  # a wide terminal: every question whole
            assert question.width >= max(map(len, QUESTIONS.values()))
        shown = {str(table.get_row_at(n)[0]): str(table.get_row_at(n)[names.index("question")]) for n in range(table.row_count)}
        assert shown == QUESTIONS


async def test_a_wide_terminal_shows_the_value_detail_beside_the_state_tree(acting_app: AgentDebugApp) -> None:
    async with acting_app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        tree, detail = acting_app.query_one("#state-tree").region, acting_app.query_one("#value-detail").region
        assert detail.x >= tree.right and detail.y == tree.y and detail.height == tree.height and detail.width >= 36
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        tree, detail = acting_app.query_one("#state-tree").region, acting_app.query_one("#value-detail").region
        assert detail.y >= tree.bottom and detail.x == tree.x


async def test_resizing_the_terminal_refits_the_table_and_the_footer(acting_app: AgentDebugApp) -> None:
    async with acting_app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        table = acting_app.query_one("#thread-table", DataTable)
        assert "detail" in column_names(table) and "l" in footer_keys(acting_app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert acting_app.screen.has_class("-narrow")
        assert column_names(table) == SIZES[80, 24][2]
        keys = footer_keys(acting_app)
        assert {"n", "c", "a"} <= keys.keys() and "l" not in keys
        assert all(k.region.right <= 80 for k in keys.values())


async def test_zoom_gives_the_focused_pane_the_screen_and_toggles_back(acting_app: AgentDebugApp) -> None:
    async with acting_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app = acting_app
        regions = {pane: app.query_one(f"#{pane}").region for pane in ("threads", "history-box", "right")}
        table = app.query_one("#thread-table", DataTable)
        assert app.focused is table
        await pilot.press("plus")
        await settle(pilot)
        threads = app.query_one("#threads")
        assert threads.region.width == 80 and threads.region.height == 22  # all but the header and the footer
        assert not app.query_one("#history-box").display and not app.query_one("#right").display
        # The zoomed list has room for more of its columns.
        assert column_names(table) == ["thread", "status", "last node", "updated", "ckpts"]
        await pilot.press("plus")
        await settle(pilot)
        assert {pane: app.query_one(f"#{pane}").region for pane in regions} == regions
        assert column_names(table) == SIZES[80, 24][2]
        # The right-hand pane, focused on its state tree, zooms the same way.
        await pilot.press("v")
        await settle(pilot)
        app.set_focus(app.query_one("#state-tree"))
        await pilot.press("plus")
        await settle(pilot)
        assert app.query_one("#right").region.width == 80 and not app.query_one("#left").display
        await pilot.press("plus")
        await settle(pilot)
        assert {pane: app.query_one(f"#{pane}").region for pane in regions} == regions
        # Over a dialog there is no pane to zoom: the key says so and changes nothing.
        await pilot.press("question_mark", "plus")
        await settle(pilot)
        assert app.is_running and not app.screen_stack[0].has_class("-zoom")
