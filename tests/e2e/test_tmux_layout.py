"""The installed ``agent-debug attach`` in a real 80×24 terminal: the layout fits it.

The footer shows the acting keys, and the interrupt inbox shows each question readable
(the committed sample store, a private copy, with the feature graph bound).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_tmux import AGENT_DEBUG, Terminal
from tests.tui.conftest import SNAPSHOT_DB

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


@pytest.fixture
def small_term() -> Iterator[Terminal]:
    """A private tmux server with an 80×24 window, always killed afterwards."""
    terminal = Terminal((80, 24))
    try:
        yield terminal
    finally:
        terminal.close()


def test_an_80x24_terminal_shows_the_acting_keys_and_the_inbox_questions(small_term: Terminal, tmp_path: Path) -> None:
    db = tmp_path / "snapshot.db"
    shutil.copy(SNAPSHOT_DB, db)
    small_term.start([AGENT_DEBUG, "attach", str(db), "--graph", "agent_debug.fixtures.feature_request:graph"])
    small_term.wait_for("threads: 12 of 12", timeout=30)
    # The footer is the bottom line; it is drawn once the keys in effect are known.
    screen = small_term.wait_for(re.compile(r"n Step .*c Continue .*a Approve .*\^p palette\s*$"))
    footer = screen.splitlines()[-1]
    for key in ("q Quit", "? Help", "i Inbox"):
        assert key in footer, f"{key!r} not in the footer: {footer!r}"
    small_term.press("i")
    small_term.wait_for("interrupt inbox: 3 of 12")
    # The longest question (39 characters) is cut after its first words, with a "…"
    # (waited for: a frame may be caught half drawn).
    screen = small_term.wait_for(re.compile(r"Allow delete_files to \w+…"))
    lines = screen.splitlines()
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
    for question in ("Sign off on this report?", "Approve this change?"):
        assert question in screen, f"{question!r} is not readable:\n{screen}"
    # Thread ids are cut to make room, never lost: each row still says whose question it is.
    for thread in ("supervisor-009", "tool-008-interr", "feature-002-int"):
        assert thread in screen, f"{thread!r} not on screen:\n{screen}"
