"""The floor of a first paint: the least a Textual app must do to show a store's threads.

A bare Textual app that opens the SQLite store read-only, runs one SQL query for the
newest 120 thread ids and shows them in a ``DataTable``: no status, no decoding, no
workers. ``benchmarks/tui_startup.py`` measures ``agent-debug attach`` against it in the
same tmux run (issue 15's goal: within 1.3× of this floor).

Run: ``.venv/bin/python benchmarks/floor_app.py STORE.db``.
"""

from __future__ import annotations

import sqlite3
import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable

ROWS = 120
NEWEST_THREADS = (
    "SELECT thread_id FROM checkpoints WHERE checkpoint_ns = '' "
    "GROUP BY thread_id ORDER BY max(checkpoint_id) DESC LIMIT ?"
)


class FloorApp(App[None]):
    """One table of thread ids, filled from one query when the app mounts."""

    BINDINGS = [("q", "quit", "Quit")]  # the benchmark leaves each window with q

    def __init__(self, db: str) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        yield DataTable(id="threads")

    def on_mount(self) -> None:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            ids = [row[0] for row in conn.execute(NEWEST_THREADS, (ROWS,))]
        finally:
            conn.close()
        table = self.query_one(DataTable)
        table.add_column("thread")
        table.add_rows((thread_id,) for thread_id in ids)


if __name__ == "__main__":
    FloorApp(sys.argv[1]).run()
