"""The installed ``agent-debug`` in a real terminal (tmux): a message's code block reads as
code, line under line with its indentation, and ``state --path`` prints a value whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal, copy_store

SNAPSHOT_DB = Path(__file__).resolve().parents[1] / "data" / "snapshot.db"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def where(screen: str, text: str) -> tuple[int, int]:
    """(row, column) of the first line of ``screen`` holding ``text``."""
    for row, line in enumerate(screen.splitlines()):
        if text in line:
            return row, line.index(text)
    raise AssertionError(f"{text!r} not on screen:\n{screen}")


def test_a_code_block_in_messages_reads_as_code(term: Terminal, tmp_path: Path) -> None:
    db = copy_store(SNAPSHOT_DB, tmp_path / "runs.db")
    term.start([AGENT_DEBUG, "attach", str(db), "--thread", "feature-001-done"])
    term.wait_for("feature-001-done")
    term.press("m")
    screen = term.wait_for("return json.dumps(rows, sort_keys=True)", timeout=20)
    # One statement a line, the body four columns in from its `if`: not one paragraph.
    row, col = where(screen, "if as_json:")
    below = screen.splitlines()[row + 1]
    assert below.index("return json.dumps(rows, sort_keys=True)") == col + 4
    assert "```" not in screen
    term.press("q")
    assert term.exit_status() == 0


def test_state_path_prints_the_whole_value_in_a_terminal(term: Terminal, tmp_path: Path) -> None:
    db = copy_store(SNAPSHOT_DB, tmp_path / "runs.db")
    with open_source(str(db)) as source:
        code = source.state("feature-001-done", path="code").values
    term.start([AGENT_DEBUG, "state", str(db), "--thread", "feature-001-done", "--path", "code"])
    assert term.exit_status(timeout=30) == 0
    screen = term.screen()
    for line in code.strip("\n").splitlines():  # each line shown (none longer than the terminal)
        assert line.rstrip() in screen, line
    assert "…" not in screen
