"""The installed ``agent-debug stats`` in a real terminal (tmux), read in bulk: a store with
more threads than one batch (``stats_sql.BATCH_THREADS``) and one damaged thread prints
its tables, names the damaged thread, exits 0, and leaves the store's files unchanged."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent_debug.inspector import stats_sql
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal
from tests.test_stats import write_runs

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def digest(db: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(db.parent.iterdir()) if p.is_file()}


def test_stats_over_batches_in_a_real_terminal(term: Terminal, tmp_path: Path) -> None:
    db = tmp_path / "store" / "runs.db"
    db.parent.mkdir()
    conn = sqlite3.connect(db, check_same_thread=False)
    try:
        write_runs(SqliteSaver(conn))
        # Copies of the six runs under other thread ids: more threads than one batch reads.
        copies = stats_sql.BATCH_THREADS // 6 + 1
        for table in ("checkpoints", "writes"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "thread_id"]
            for i in range(copies):
                conn.execute(f"INSERT INTO {table} (thread_id, {', '.join(cols)}) SELECT 'z{i:03d}-' || thread_id, {', '.join(cols)} FROM {table} WHERE thread_id NOT LIKE 'z%'")
        conn.execute("UPDATE writes SET value = X'c1c1' WHERE thread_id = 'z007-job-2' AND channel = '__error__'")
        conn.commit()
    finally:
        conn.close()
    before = digest(db)
    term.start([AGENT_DEBUG, "stats", str(db), "--top", "3"])
    screen = term.wait_for("[exit 0]", timeout=60)
    assert "z007-job-2" in screen and "unreadable" in screen
    assert term.exit_status() == 0
    assert digest(db) == before
