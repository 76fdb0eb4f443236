"""Issue 12, item 2: every commit of another process is seen at the next poll.

The writer is a real, short-lived process (opens the store, commits, closes: the case
an idle, immutable-opened store used to miss), in every SQLite journal mode and on the
real PostgreSQL server; the reader is the store source the TUI polls, and the TUI itself.
No timing: each test waits for the writer to exit, then polls once; the TUI test waits
for a condition.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from tests.pg_server import postgres_saver

ROOT = Path(__file__).resolve().parents[2]
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))

# One process, one connection: seed (run to the interrupt) or resume (approve), then close.
WRITER = textwrap.dedent(
    """
    import sqlite3, sys
    sys.path.insert(0, sys.argv[4])
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.types import Command
    from tests.graphs import linear_builder

    path, journal, action = sys.argv[1:4]
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    saver.setup()  # LangGraph switches the file to WAL here
    conn.execute(f"PRAGMA journal_mode={journal}")
    graph = linear_builder().compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "live"}}
    graph.invoke({"x": 1} if action == "seed" else Command(resume=True), config)
    conn.close()
    """
)


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1])
    conn.execute("CREATE TABLE IF NOT EXISTS keep (x)")
    conn.commit()
    print("committed", flush=True)
    sys.stdin.readline()
    conn.close()
    """
)


def write(path: Path, journal: str, action: str) -> None:
    subprocess.run([sys.executable, "-c", WRITER, str(path), journal, action, str(ROOT)], check=True, timeout=120)


def files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("journal", ["wal", "delete", "truncate", "persist"])
def test_a_short_lived_writer_is_seen_at_the_next_poll(tmp_path: Path, journal: str) -> None:
    store = tmp_path / "live.db"
    write(store, journal, "seed")
    source = open_source(str(store))
    try:
        assert source.thread("live").status == "interrupted"
        before = source.change_token()
        assert source.change_token() == before  # nothing moved: no needless refresh
        write(store, journal, "resume")  # opens, commits, closes before we look again
        assert source.change_token() != before
        assert source.thread("live").status == "done"
        assert source.history("live", limit=None).total == 5
    finally:
        source.close()


def test_a_row_changed_in_place_is_seen(tmp_path: Path) -> None:
    """A commit that adds no row (an UPDATE, a REPLACE at the largest rowid) still moves the token."""
    store = tmp_path / "live.db"
    write(store, "wal", "seed")
    for journal in ("wal", "delete"):
        source = open_source(str(store))
        try:
            before = source.change_token()
            conn = sqlite3.connect(store)
            conn.execute(f"PRAGMA journal_mode={journal}")
            conn.execute("UPDATE writes SET idx = idx WHERE rowid = (SELECT max(rowid) FROM writes)")
            conn.commit()
            conn.close()
            assert source.change_token() != before, journal
        finally:
            source.close()


def test_polling_writes_nothing(tmp_path: Path) -> None:
    """Polling an idle store, then one a writer holds open, changes no byte and creates no file."""
    store = tmp_path / "live.db"
    write(store, "wal", "seed")
    seen = files(tmp_path)
    source = open_source(str(store))
    try:
        for _ in range(3):
            source.change_token()
            source.threads()
        assert files(tmp_path) == seen
        # Another process holds the store open (its -wal and -shm exist) after a commit.
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        try:
            assert holder.stdout.readline().strip() == "committed"
            held = files(tmp_path)
            assert {"live.db-wal", "live.db-shm"} <= set(held)
            for _ in range(3):
                source.change_token()
                source.threads()
                source.state("live")
            assert files(tmp_path) == held
        finally:
            holder.communicate("\n", timeout=60)
    finally:
        source.close()


def test_a_short_lived_writer_on_postgres_is_seen(fresh_database: str) -> None:
    from tests.graphs import linear_builder

    pg_dsn = fresh_database

    with postgres_saver(pg_dsn) as saver:
        graph = linear_builder().compile(checkpointer=saver)
        graph.invoke({"x": 1}, {"configurable": {"thread_id": "pg-live"}})
    source = open_source(pg_dsn)
    try:
        before = source.change_token()
        assert source.thread("pg-live").status == "interrupted"
        # Another process: connects, commits, disconnects between two polls.
        out = subprocess.run(
            [AGENT_DEBUG, "resume", pg_dsn, "--thread", "pg-live", "--approve", "--graph", "tests/graphs.py:linear"],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )
        assert out.returncode == 0, out.stderr
        assert source.change_token() != before
        assert source.thread("pg-live").status == "done"
    finally:
        source.close()


async def test_the_tui_shows_a_resume_made_by_another_process(tmp_path: Path) -> None:
    """The reported case: attach, then `agent-debug resume --approve` elsewhere; the list follows."""
    from agent_debug.tui.app import AgentDebugApp
    from agent_debug.tui.widgets.threads.thread_list import ThreadList

    store = tmp_path / "live.db"
    write(store, "wal", "seed")
    app = AgentDebugApp(open_source(str(store)), thread_id="live", poll_interval=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        widget = app.query_one(ThreadList)
        deadline = time.monotonic() + 60
        while not widget.threads and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert [t.status for t in widget.threads] == ["interrupted"]
        out = subprocess.run(
            [AGENT_DEBUG, "resume", str(store), "--thread", "live", "--approve", "--graph", "tests/graphs.py:linear"],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )
        assert out.returncode == 0, out.stderr
        while [t.status for t in widget.threads] != ["done"] and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert [t.status for t in widget.threads] == ["done"]
