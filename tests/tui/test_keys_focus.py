"""Issue 15: every global key works from every focused pane (or says why not), the search
box never takes keys unseen, ages follow the clock, and ``y`` copies what the focused
pane selects."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widget import Widget
from textual.widgets import DataTable, Input, TabbedContent

from agent_debug.inspector.targets import open_source
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.key_bindings import ACTING, APP_BINDINGS, UNAVAILABLE
from agent_debug.tui.render import age
from agent_debug.tui.screens.help_screen import HelpScreen
from agent_debug.tui.screens.jump_screen import JumpScreen
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.state.diff_view import DiffView
from agent_debug.tui.widgets.threads.thread_list import ThreadList
from tests.tui.conftest import fixed_clock, settle
from tests.tui.test_keymap import help_text, palette_entry
from tests.tui.test_snapshots import RECORDING

SIZE = (140, 45)
THREAD = "feature-001-done"

# Where focus can be, and the tab that shows it (None: the left column, always shown).
PANES: tuple[tuple[str, str | None], ...] = (
    ("#thread-table", None),
    ("#history", None),
    ("#right ContentTabs", None),
    ("#graph-view", "graph"),
    ("#state-tree", "state"),
    ("#value-detail", "state"),
    ("#diff-view", "diff"),
    ("#messages-view", "messages"),
    ("#pending-view", "pending"),
    ("#events-kind", "events"),
    ("#events-log", "events"),
)
TAB_KEYS = {b.key: b.action.split("'")[1] for b in APP_BINDINGS if b.action.startswith("show_tab(")}
ACTING_KEYS = tuple(b.key for b in APP_BINDINGS if b.action in ACTING)


def make_app(db: Path, **kw) -> AgentDebugApp:
    kw.setdefault("poll_interval", 0)
    kw.setdefault("clock", fixed_clock(db))
    app = AgentDebugApp(open_source(str(db)), **kw)
    app.animation_level = "none"  # Pilot waits out each tab's underline sliding: hundreds of presses here
    return app


def notes(app: AgentDebugApp) -> list[str]:
    """The notifications shown, oldest first."""
    return [str(n.message) for n in app._notifications]


async def focus_pane(pilot, selector: str, tab: str | None) -> Widget:
    """Show ``tab`` (if any) and focus the widget at ``selector`` the way a click does."""
    app = pilot.app
    tabs = app.query_one(TabbedContent)
    widget = app.query_one(selector)
    if app.focused is widget:
        return widget
    if tab is not None and tabs.active != tab:
        # Focus leaves the pane first: the tab keys' own handling of focus is what is under test.
        app.set_focus(app.query_one("#thread-table"))
        tabs.active = tab
    app.set_focus(widget)
    await settle(pilot, rounds=1)
    assert app.focused is widget, f"{selector} did not take focus: {app.focused}"
    return widget


def in_pane(widget: Widget | None, pane: Widget | None) -> bool:
    return widget is not None and pane is not None and pane in widget.ancestors


async def press(pilot, key: str) -> None:
    await pilot.press(key)
    await settle(pilot, rounds=1)


# -- the effect of each global key, checked from wherever focus is ---------------------------
# One press each where the key toggles or cycles: the effect is checked against what was
# before, and the next pane starts from where this one left the app.


async def check_tab(pilot, key: str, focused: Widget) -> None:
    app, tabs = pilot.app, pilot.app.query_one(TabbedContent)
    was_in_right = in_pane(focused, tabs.active_pane)
    await press(pilot, key)
    assert tabs.active == TAB_KEYS[key], f"{key} from {focused}: tab {tabs.active}"
    if was_in_right:
        # The pane it was in is hidden: focus went to the pane shown, it did not bounce back.
        assert in_pane(app.focused, tabs.active_pane), f"{key} from {focused}: focus on {app.focused}"
    else:
        assert app.focused is focused


async def check_status(pilot, key: str, focused: Widget) -> None:
    threads = pilot.app.query_one(ThreadList)
    before = threads.status_filter
    await press(pilot, key)
    assert threads.status_filter != before and not threads.inbox


async def check_inbox(pilot, key: str, focused: Widget) -> None:
    threads = pilot.app.query_one(ThreadList)
    before = threads.inbox
    await press(pilot, key)
    assert threads.inbox is not before


async def check_follow(pilot, key: str, focused: Widget) -> None:
    before = pilot.app.follow
    await press(pilot, key)
    assert pilot.app.follow is not before


async def check_theme(pilot, key: str, focused: Widget) -> None:
    before = pilot.app.theme
    await press(pilot, key)
    assert pilot.app.theme != before


async def check_graph_focus(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    before = app.graph_focus
    await press(pilot, key)
    assert app.graph_focus != before and app.query_one(TabbedContent).active == "graph"


async def check_wrap(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    view = app.query_one("#events-view")
    before = view.wrap
    await press(pilot, key)
    assert view.wrap is not before and app.query_one(TabbedContent).active == "events"


async def check_help(pilot, key: str, focused: Widget) -> None:
    await press(pilot, key)
    assert isinstance(pilot.app.screen, HelpScreen)
    await press(pilot, "escape")
    assert pilot.app.focused is focused


async def check_search(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    await press(pilot, key)
    assert app.focused is app.query_one("#thread-search", Input)
    await press(pilot, "escape")
    assert not app.query_one("#thread-search").display


async def check_copy(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    app.copy_to_clipboard("")
    await press(pilot, key)
    assert app.clipboard and notes(app)[-1].startswith("copied ")


async def check_copy_path(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    app.copy_to_clipboard("")
    await press(pilot, key)
    assert app.clipboard == app.value_path and notes(app)[-1] == f"copied path {app.value_path}"


async def check_namespace(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    before = app.namespace
    app.clear_notifications()
    await press(pilot, key)
    assert app.namespace != before or notes(app) == ["this thread has no subgraph checkpoints"]


async def check_mark(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    before = app.comparison.marked
    await press(pilot, key)
    assert app.comparison.marked is not before, f"{key} from {focused}: the mark did not change"


async def check_compare(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    diff = app.query_one(DiffView)
    before, said = diff.comparing, len(notes(app))
    await press(pilot, key)
    # A comparison starts or ends, or one line says why it cannot (no mark, the mark itself).
    assert diff.comparing is not before or len(notes(app)) > said, f"{key} from {focused}: nothing happened"


async def check_jump(pilot, key: str, focused: Widget) -> None:
    await press(pilot, key)
    assert isinstance(pilot.app.screen, JumpScreen)
    await press(pilot, "escape")
    assert pilot.app.focused is focused


async def check_read_only(pilot, key: str, focused: Widget) -> None:
    app = pilot.app
    await press(pilot, key)
    assert notes(app)[-1] == app.read_only_reason, f"{key} from {focused}: {notes(app)[-1:]}"
    assert len(app.screen_stack) == 1  # no dialog opened


Check = Callable[..., Awaitable[None]]
# Keys that leave focus where it is first, then those that show another tab (and may take
# focus with them): each of those needs the pane shown and focused again.
CHECKS: dict[str, Check] = {
    "s": check_status,
    "i": check_inbox,
    "f": check_follow,
    "t": check_theme,
    "question_mark": check_help,
    "y": check_copy,
    "Y": check_copy_path,
    "right_square_bracket": check_namespace,
    "left_square_bracket": check_namespace,
    **{key: check_read_only for key in ACTING_KEYS},
    "slash": check_search,
    "z": check_graph_focus,
    "w": check_wrap,
    "M": check_mark,
    "colon": check_jump,
    "D": check_compare,
    **{key: check_tab for key in TAB_KEYS},
}


def test_every_app_key_is_checked():
    """The table above (and q, last) covers every key of the app but refresh and zoom (tested apart)."""
    apart = {"quit", "refresh", "pane.zoom"}
    assert {b.key for b in APP_BINDINGS if b.id not in apart} == set(CHECKS)


# Panes whose widget kind (a data table, a tree, a log, the graph) differs: there every key's
# effect is checked. In the others every key is checked to reach the app's own binding (no
# binding of the focused widget takes it first), and the keys that move focus or show a
# screen over it are run and their effect checked as everywhere.
EFFECT_PANES = {"#thread-table", "#state-tree", "#events-log", "#graph-view"}
FOCUS_CHECKS = {check_tab, check_help, check_jump}


async def check_reaches_app(pilot, key: str, focused: Widget) -> None:
    """The key reaches the app's binding: the actions bindings run are recorded instead of run."""
    app = pilot.app
    reached: list[tuple[str, object]] = []

    async def recorded(action, default_namespace=None, namespaces=None):
        reached.append((action, default_namespace))
        return True

    app.run_action = recorded  # type: ignore[method-assign]
    try:
        await pilot.press(key)
    finally:
        del app.run_action  # the class's own again
    wanted = next(b.action for b in APP_BINDINGS if b.key == key)
    assert reached == [(wanted, app)], f"{key} from {focused}: {reached}"


@pytest.mark.parametrize(("selector", "tab"), PANES, ids=[selector for selector, _ in PANES])
async def test_every_global_key_works_from_every_pane(snapshot_db, selector: str, tab: str | None):
    """Each key pressed with focus in the pane, its effect checked (or, where another pane of
    the same kind checks effects, that it reaches the app's binding); then q quits from there."""
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *THREAD, "enter")
        await settle(pilot)
        await press(pilot, "escape")  # the whole list again; the thread stays selected
        assert app.thread_id == THREAD and app.state is not None
        for key, check in CHECKS.items():
            focused = await focus_pane(pilot, selector, tab)
            if selector in EFFECT_PANES or check in FOCUS_CHECKS:
                await check(pilot, key, focused)
            else:
                await check_reaches_app(pilot, key, focused)
        await focus_pane(pilot, selector, tab)
        await pilot.press("q")
        for _ in range(100):
            if not app.is_running:
                break
            await asyncio.sleep(0.05)
        assert not app.is_running


def test_the_effect_panes_are_panes():
    assert EFFECT_PANES <= {selector for selector, _ in PANES}


async def test_a_key_the_focused_widget_takes_does_not_reach_the_app(snapshot_db):
    """The check above can fail: in the search box, ``s`` is typed, not the app's status key."""
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        search = app.query_one("#thread-search", Input)
        assert app.focused is search
        with pytest.raises(AssertionError, match="s from"):
            await check_reaches_app(pilot, "s", search)
        assert search.value == "s"


async def test_a_tab_key_in_a_clicked_state_row_shows_the_tab(snapshot_db):
    """The report: v, click a state row, g: the Graph tab, and it stays."""
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        tree = app.query_one("#state-tree")
        await pilot.click(tree, offset=(4, 1))
        await settle(pilot)
        assert app.focused is tree
        await press(pilot, "g")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "graph"
        assert app.focused is app.query_one("#graph-view")


# -- read-only sessions say why -------------------------------------------------------------------


async def test_acting_keys_say_why_in_a_read_only_session(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reason = app.read_only_reason
        assert reason is not None and "--graph GRAPH_REF" in reason
        for key in ACTING_KEYS:
            app.clear_notifications()
            await press(pilot, key)
            assert notes(app) == [reason], key
        # The footer keeps its room for keys that work; the keys stay bound.
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}
        assert not shown & ACTING and {"help", "search", "show_tab('graph')"} <= shown
        # ? marks them, and says why.
        await press(pilot, "question_mark")
        text = help_text(app.screen)
        assert f"{UNAVAILABLE} not in this session ({reason})" in text
        assert f"Step {UNAVAILABLE}" in text and f"Approve {UNAVAILABLE}" in text and f"Status {UNAVAILABLE}" not in text
        await press(pilot, "escape")
        # The palette too; running one from there says why as the key does.
        assert reason in await palette_entry(pilot, "Approve")
        assert reason not in await palette_entry(pilot, "Inbox")


async def test_a_recording_says_it_is_a_post_mortem():
    app = make_app(RECORDING, clock=fixed_clock(RECORDING))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert notes(app)[-1] == app.read_only_reason
        assert "recording" in app.read_only_reason and "--graph GRAPH_REF" in app.read_only_reason


async def test_an_acting_session_shows_its_verbs_and_pause_says_when_nothing_runs(tmp_path):
    from agent_debug.fixtures.feature_request import graph
    from tests.tui.test_control import FEATURE_INPUT, control_app

    app = control_app("memory", graph, create=True, start=("t1", FEATURE_INPUT, True))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await settle(pilot)
            if app.thread_id == "t1" and not app.controller.running:
                break
            await asyncio.sleep(0.05)
        assert app.read_only_reason is None
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"step", "continue", "answer"} <= shown
        await press(pilot, "question_mark")
        assert UNAVAILABLE not in help_text(app.screen)
        await press(pilot, "escape")
        app.clear_notifications()
        await press(pilot, "p")
        assert notes(app) == ["nothing is running to pause"]


# -- the search box ----------------------------------------------------------------------------


async def test_keys_never_go_into_a_hidden_search_box(snapshot_db):
    """Textual's auto focus takes the first focusable widget, hidden or not: with nothing
    focused when a screen comes back (as at start-up, before the list has loaded), keys
    went into the hidden search box ("matching 's'", no box to see)."""
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.set_focus(None)
        await press(pilot, "question_mark")
        await press(pilot, "escape")  # the main screen resumes with nothing focused: auto focus
        await press(pilot, "s")
        threads = app.query_one(ThreadList)
        assert threads.search == ""
        assert threads.status_filter == "interrupted"  # s did what s does
        assert not app.query_one("#thread-search").display


async def test_the_search_box_shows_while_it_filters_and_escape_clears_it(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        threads = app.query_one(ThreadList)
        box = app.query_one("#thread-search", Input)
        table = app.query_one("#thread-table", DataTable)
        caption = app.query_one("#thread-caption")
        total = table.row_count
        # Typing: the box shows what filters the list.
        await pilot.press("slash", *"feature")
        await settle(pilot)
        assert box.display and threads.search == "feature" and "matching 'feature'" in str(caption.content)
        await press(pilot, "escape")
        assert not box.display and box.value == "" and threads.search == ""
        assert str(caption.content) == f"threads: {total} of {total}" and table.row_count == total
        assert app.focused is table
        # Enter keeps the filter, and the box stays on screen saying so; escape in the table clears it.
        await pilot.press("slash", *"feature", "enter")
        await settle(pilot)
        assert app.focused is table and box.display and threads.search == "feature"
        await press(pilot, "escape")
        assert not box.display and threads.search == "" and table.row_count == total
        # Escape with no search going on is not the list's: nothing changes.
        await press(pilot, "escape")
        assert app.focused is table and not box.display


# -- ages ----------------------------------------------------------------------------------------


class Clock:
    """A clock the test moves."""

    def __init__(self, now) -> None:
        self.now = now

    def __call__(self):
        return self.now


async def wait_until(pilot, check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout:.0f} s"
        await pilot.pause(0.02)


async def test_ages_follow_the_clock(snapshot_db):
    clock = Clock(fixed_clock(snapshot_db)())
    app = make_app(snapshot_db, clock=clock, ages_every=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *THREAD, "enter")
        await settle(pilot)
        threads = app.query_one(ThreadList)
        table = app.query_one("#thread-table", DataTable)
        tree = app.query_one(HistoryTree)
        summary = next(t for t in threads.threads if t.thread_id == THREAD)

        def listed() -> str:
            return table.get_cell(THREAD, "updated").plain

        def history_ages() -> list[bool]:
            return [f"  {age(r.created_at, clock.now)}  " in str(tree.node_of(r.checkpoint_id).label) for r in tree.rows]

        assert listed() == age(summary.updated_at, clock.now) == "10m ago"
        assert all(history_ages())
        cursor = (table.cursor_row, tree.cursor_line, app.checkpoint_id)
        clock.now += timedelta(hours=3)
        await wait_until(pilot, lambda: listed() == "3h ago", "the thread's age moving on")
        await wait_until(pilot, lambda: all(history_ages()), "the history's ages moving on")
        assert all("3h ago" in str(tree.node_of(r.checkpoint_id).label) for r in tree.rows)
        # Only labels changed: the cursors and the selection stayed where they were.
        assert (table.cursor_row, tree.cursor_line, app.checkpoint_id) == cursor


# -- y copies what the focused pane selects ----------------------------------------------------


async def test_y_copies_what_the_focused_pane_selects(snapshot_db):
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *THREAD, "enter")
        await settle(pilot)
        tree = app.query_one(HistoryTree)
        tree.focus()
        await press(pilot, "down")
        full = app.checkpoint_id
        assert full is not None and len(full) == 36 and full[-12:] in str(tree.cursor_node.label)
        await press(pilot, "y")
        assert app.clipboard == full and notes(app)[-1] == f"copied checkpoint id {full}"
        app.query_one("#thread-table").focus()
        await press(pilot, "y")
        assert app.clipboard == THREAD and notes(app)[-1] == f"copied thread id {THREAD}"
        await press(pilot, "v")
        app.query_one("#state-tree").focus()
        await press(pilot, "down")
        await press(pilot, "y")
        expected = app.value if isinstance(app.value, str) else json.dumps(app.value, indent=2, default=repr)
        assert app.value_path and app.clipboard == expected
        assert notes(app)[-1] == f"copied the value at {app.value_path}"
