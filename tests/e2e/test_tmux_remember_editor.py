"""The installed command in a real terminal: ``attach`` without TARGET reopens the last target
at the thread and tab it showed, and ``ctrl+e`` in the answer dialog suspends the app for
``$EDITOR`` (a script that rewrites the file) and brings its value back to be sent."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from agent_debug.tui.remember import state_file
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal, copy_store, search
from tests.tui.conftest import SNAPSHOT_DB

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

THREADS = "threads: 12 of 12"  # tests/data/snapshot.db


@pytest.fixture
def terms() -> Iterator[list[Terminal]]:
    """Private tmux servers (one per session of the app), always killed afterwards."""
    made: list[Terminal] = []
    try:
        yield made
    finally:
        for terminal in made:
            terminal.close()


def new_term(terms: list[Terminal]) -> Terminal:
    terminal = Terminal()
    terms.append(terminal)
    return terminal


def test_attach_without_target_reopens_the_last_thread_and_tab(terms: list[Terminal], short_tmp: Path) -> None:
    db = copy_store(SNAPSHOT_DB, short_tmp / "store" / "runs.db")
    first = new_term(terms)
    first.start([AGENT_DEBUG, "attach", str(db)])
    first.wait_for(THREADS, timeout=15)
    search(first, "tool-008-interrupted", 12)
    first.press("m")  # the Messages tab
    first.wait_for("→ tool delete_files(")  # the conversation of that thread
    first.press("q")
    assert first.exit_status() == 0
    doc = json.loads(state_file().read_text())
    assert doc["targets"][str(db)] == {"thread": "tool-008-interrupted", "tab": "messages", "password_dropped": False}

    again = new_term(terms)
    again.start([AGENT_DEBUG, "attach"])
    screen = again.wait_for("→ tool delete_files(", timeout=15)  # that thread, on the Messages tab
    assert f"{db} · 12 threads" in screen and "the last target" in screen
    assert re.search(r"3 agent .*eb877a6c49ed", screen)  # its history
    again.press("q")
    assert again.exit_status() == 0


EDITOR = """\
#!{python}
import sys
with open(sys.argv[-1], "w") as out:
    out.write('{{"approved": true, "feedback": "from the editor"}}\\n')
with open({called!r}, "w") as log:
    log.write(" ".join(sys.argv[1:-1]))
"""


def test_ctrl_e_edits_the_answer_in_the_editor(terms: list[Terminal], tmp_path: Path) -> None:
    db = copy_store(SNAPSHOT_DB, tmp_path / "act" / "runs.db")
    called = tmp_path / "called.txt"
    script = tmp_path / "editor.py"
    script.write_text(EDITOR.format(python=sys.executable, called=str(called)))
    script.chmod(0o700)
    term = new_term(terms)
    term.env.pop("VISUAL", None)
    term.env["EDITOR"] = f"{script} --wait"  # split as a shell would, like EDITOR="code --wait"
    term.start([AGENT_DEBUG, "attach", str(db), "--thread", "feature-002-interrupted", "--graph", "agent_debug.fixtures.feature_request:graph"])
    term.wait_for("control on", timeout=15)
    term.wait_for(re.compile(r"history · \d+ checkpoints"), timeout=15)
    term.press("a")
    term.wait_for("Approve all (ctrl+a)", timeout=15)
    term.press("C-e")
    term.wait_for('"feedback": "from the editor"', timeout=15)  # back in the dialog, not sent yet
    assert called.read_text() == "--wait"
    with open_source(str(db)) as source:
        assert source.thread("feature-002-interrupted").status.value == "interrupted"
    term.press("C-s")
    term.wait_for(re.compile(r"feature-002-interrupted\s+✔ done"), timeout=30)
    term.press("q")
    assert term.exit_status() == 0
    with open_source(str(db)) as source:
        assert source.thread("feature-002-interrupted").status.value == "done"
