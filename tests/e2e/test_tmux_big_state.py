"""The installed ``agent-debug`` in a real terminal (tmux) on a store whose state is a few
megabytes (decoded in pieces, ``decode.unpack_in_pieces``): the State tab lists its values
with their sizes, the big list expands to its first batch, and the store is left unchanged."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any, TypedDict

import pytest

from agent_debug.inspector import decode
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class BigState(TypedDict, total=False):
    request: str
    records: list[dict[str, Any]]
    index: dict[str, list[int]]


def big_store(db: Path) -> None:
    """One thread whose newest checkpoint is ~0.8 MB, written by a real graph on SqliteSaver."""
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph

    def load(state: BigState) -> BigState:
        records = [{"id": i, "name": f"record-{i:05d}", "tags": ["alpha", f"t{i % 7}"]} for i in range(20_000)]
        return {"records": records, "index": {f"key-{j:04d}": list(range(j, j + 20)) for j in range(500)}}

    builder = StateGraph(BigState)
    builder.add_node("load", load)
    builder.add_edge(START, "load")
    builder.add_edge("load", END)
    conn = sqlite3.connect(db, check_same_thread=False)
    try:
        builder.compile(checkpointer=SqliteSaver(conn)).invoke({"request": "load"}, {"configurable": {"thread_id": "big-state"}})
    finally:
        conn.close()


def digest(db: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(db.parent.glob(db.name + "*"))}


def test_a_big_state_is_listed_expanded_and_paged_in_a_terminal(term: Terminal, tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    big_store(db)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        (size,) = conn.execute("SELECT max(length(checkpoint)) FROM checkpoints").fetchone()
    conn.close()
    assert size > 3 * decode.PIECE  # decoded in pieces, not in one call
    before = digest(db)
    term.start([AGENT_DEBUG, "attach", str(db)])
    term.wait_for("big-state")
    term.press("v")
    term.wait_for("[…] 20000 items", timeout=30)
    screen = term.wait_for("{…} 500 keys")
    assert "'load'" in screen  # the request, a string
    term.press("Tab", "Tab", "Tab", "Down")  # threads → history → tabs → the state tree; its second row
    term.wait_for(re.compile(r"│records +│"))  # the detail pane's path: the tree has the cursor and focus
    term.press("Space")
    screen = term.wait_for("▼ records: […] 20000 items", timeout=20)
    assert "0: {…} 3 keys" in screen and "1: {…} 3 keys" in screen  # its first batch of rows
    term.press("q")
    assert term.exit_status() == 0
    assert digest(db) == before
