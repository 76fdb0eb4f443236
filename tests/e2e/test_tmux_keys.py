"""Issue 15 in a real terminal: the installed ``agent-debug`` in tmux, typed at as a user does.

Keys pressed inside a pane reach the app (``g`` from the state tree shows the Graph tab),
and an acting key in a read-only session says why in one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from tests.e2e.test_tmux import AGENT_DEBUG, ANSI, Terminal, copy_store

# What only the Graph tab draws.
GRAPH_MARK = "__start__"


@pytest.fixture
def demo_store(seeded_db, tmp_path: Path) -> tuple[Path, str, str]:
    """A private copy of the seeded store (24 threads), its newest thread (listed first, and
    shown when the app opens) and the first key of that thread's state (the state tree's
    first row)."""
    src, _ = seeded_db
    db = copy_store(src, tmp_path / "demo.db")
    with open_source(str(db)) as source:
        newest = source.threads().threads[0].thread_id
        first_key = next(iter(source.state(newest).values))
    return db, newest, first_key


def right_pane_row(term: Terminal, text: str) -> str:
    """The right pane's part of the screen row showing ``text``, with its colours (a focused
    tree draws its cursor row apart); '' when no row shows it."""
    for line in term.tmux("capture-pane", "-p", "-e", "-t", "e2e").splitlines():
        if text in ANSI.sub("", line):
            return line[line.rindex("││") :] if "││" in line else line
    return ""


def show_state(term: Terminal, row: str) -> str:
    """``v``: the State tab, its tree drawn, the graph gone. How ``row`` is drawn then."""
    term.press("v")
    term.wait_for(row)
    term.wait_until(lambda: GRAPH_MARK not in term.screen(), "the Graph tab giving way to the State tab")
    return right_pane_row(term, row)


def wait_for_tree_focus(term: Terminal, row: str, blurred: str) -> None:
    """Until the state tree has focus: ``row`` (its cursor row) is drawn otherwise than ``blurred``."""
    term.wait_until(lambda: right_pane_row(term, row) not in ("", blurred), "the state tree taking focus")


def graph_stays(term: Terminal, row: str) -> None:
    """The Graph tab shows, and still does once a later key (``f``, follow) has been handled:
    a tab that gives way to the old one a frame later shows for a moment only."""
    term.wait_until(lambda: GRAPH_MARK in (screen := term.screen()) and row not in screen, "the Graph tab showing")
    follow = "follow off" if "follow on" in term.screen() else "follow on"
    term.press("f")
    screen = term.wait_for(follow)
    assert GRAPH_MARK in screen and row not in screen, f"the Graph tab gave way again:\n{screen}"


def test_a_tab_key_pressed_in_the_state_tree_shows_its_tab(term: Terminal, demo_store) -> None:
    db, newest, first_key = demo_store
    row = f"{first_key}: "
    term.start([AGENT_DEBUG, "demo", "--db", str(db)])
    term.wait_for("threads: 24 of 24", timeout=20)
    term.wait_for(GRAPH_MARK)  # the newest thread's graph, on the tab the app opens with
    # v, a click on the tree's first row, g.
    blurred = show_state(term, row)
    term.click(*term.locate(row))
    wait_for_tree_focus(term, row, blurred)
    term.press("g")
    graph_stays(term, row)
    # The report: v, Tab ×3 (threads → history → tabs → state tree), g; from the thread list.
    term.click(*term.locate(newest))
    blurred = show_state(term, row)
    term.press("Tab", "Tab", "Tab")
    wait_for_tree_focus(term, row, blurred)
    term.press("g")
    graph_stays(term, row)
    term.press("q")
    assert term.exit_status() == 0


def test_an_acting_key_in_a_read_only_session_says_why(term: Terminal, demo_store) -> None:
    db, _, _ = demo_store
    term.start([AGENT_DEBUG, "attach", str(db)])
    term.wait_for("threads: 24 of 24", timeout=20)
    assert " a Approve" not in term.screen()  # the footer keeps to keys that work here
    term.press("a")
    term.wait_for("read-only: open with --graph GRAPH_REF")
    term.press("q")
    assert term.exit_status() == 0
