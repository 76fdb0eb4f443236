"""Issue 12, item 5: a store with LangGraph's tables and no thread yet opens, and every key
works on it (the thread list once raised AttributeError on ↑)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from tests.tui.conftest import settle

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
KEYS = ("up", "down", "enter", "tab", "shift+tab", "g", "v", "d", "m", "x", "l", "s", "i", "i", "f", "f", "a", "n", "c",
        "r", "e", "z", "y", "Y", "b", "]", "[", "ctrl+r", "t", "t", "up", "down", "home", "end", "pageup", "pagedown")  # fmt: skip


@pytest.fixture
def fresh_db(tmp_path: Path) -> Path:
    """What SqliteSaver.setup() leaves: the tables, no rows."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = tmp_path / "fresh.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    SqliteSaver(conn).setup()
    conn.close()
    return path


async def test_every_key_on_an_empty_store(fresh_db: Path) -> None:
    from agent_debug.inspector.targets import open_source
    from agent_debug.tui.app import AgentDebugApp

    app = AgentDebugApp(open_source(str(fresh_db)), poll_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in KEYS:
            await pilot.press(key)
            await settle(pilot, rounds=1)
            if len(app.screen_stack) > 1:  # a dialog opened: close it, as a user would
                await pilot.press("escape")
                await settle(pilot, rounds=1)
        assert app.is_running
    # run_test re-raises an exception from any handler: reaching here means none was raised.


def test_attach_an_empty_store_quits_cleanly(fresh_db: Path) -> None:
    """The installed command in a pseudo-terminal: it draws, takes ↑ and q, and exits 0."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on the pty
        os.environ.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
        os.execv(AGENT_DEBUG, [AGENT_DEBUG, "attach", str(fresh_db)])
    seen = b""
    deadline = time.monotonic() + 30

    def read_until(marker: bytes) -> None:
        nonlocal seen
        while marker not in seen:
            assert time.monotonic() < deadline, f"{marker!r} never drawn; got {seen[-500:]!r}"
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    return

    try:
        read_until(b"threads")
        os.write(fd, b"\x1b[A")  # ↑
        os.write(fd, b"\x1b[B")  # ↓
        os.write(fd, b"q")
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            assert time.monotonic() < deadline, "attach did not exit on q"
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    pass
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen[-2000:]
    assert b"Traceback" not in seen and b"AttributeError" not in seen
