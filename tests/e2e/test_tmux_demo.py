"""The installed ``agent-debug demo`` in a real terminal: it opens with its graphs bound, so
the inbox's `a` answers an interrupt and the answer appends to the demo store."""

from __future__ import annotations

import re
from pathlib import Path

from agent_debug.inspector.targets import open_source
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal, copy_store


def test_demo_inbox_answer_opens_the_dialog_and_appends_a_checkpoint(term: Terminal, seeded_db, tmp_path: Path) -> None:
    src, report = seeded_db
    db = copy_store(src, tmp_path / "demo" / "demo.db")  # present, so the demo does not seed again
    with open_source(str(db)) as source:
        before = {t: len(source.history(t, limit=None).checkpoints) for t in report.interrupted}
    term.start([AGENT_DEBUG, "demo", "--db", str(db)])
    term.wait_for("control on", timeout=20)
    total = len(report.threads)
    term.wait_for(f"threads: {total} of {total}", timeout=15)
    term.press("i")
    term.wait_for("interrupt inbox")
    term.press("a")
    screen = term.wait_for("Approve all (ctrl+a)", timeout=15)
    thread = re.search(r"thread (\S+) waits at \d+ interrupt", screen)
    assert thread is not None and thread.group(1) in report.interrupted, screen
    term.press("C-a")
    term.wait_for(re.compile(r"resume: \d+ new checkpoint"), timeout=30)
    term.press("q")
    assert term.exit_status() == 0
    with open_source(str(db)) as source:
        assert len(source.history(thread.group(1), limit=None).checkpoints) > before[thread.group(1)]
