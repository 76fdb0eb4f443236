"""Issue 12, item 11: the store changing identity under ``attach``, and SIGTERM to the TUI.

- A store replaced (another file moved over it) or truncated while the debugger is
  attached is noticed at the next poll: the new file is shown, or the problem is.
- SIGTERM to the installed ``agent-debug run`` with its TUI on screen (a real terminal,
  tmux) while a phase runs: exit 143, every event kept in the recording, no temp folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

from agent_debug.inspector.recording import read_recording
from agent_debug.inspector.targets import open_source
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal
from tests.hostile.test_signals import GRAPH

SIZE = (160, 48)


def linear_store(path: Path, *thread_ids: str) -> Path:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from tests.graphs import linear_builder

    conn = sqlite3.connect(path, check_same_thread=False)
    graph = linear_builder().compile(checkpointer=SqliteSaver(conn))
    for tid in thread_ids:
        graph.invoke({"x": 1}, {"configurable": {"thread_id": tid}})
    conn.close()
    return path


async def wait(pilot, check, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        await pilot.pause(0.05)


async def test_a_store_replaced_under_attach_shows_the_new_file(tmp_path: Path) -> None:
    from agent_debug.tui.app import AgentDebugApp
    from agent_debug.tui.widgets.threads.thread_list import ThreadList

    store = linear_store(tmp_path / "runs.db", "before-1", "before-2")
    other = linear_store(tmp_path / "other.db", "after")
    app = AgentDebugApp(open_source(str(store)), poll_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(ThreadList)
        await wait(pilot, lambda: {t.thread_id for t in widget.threads} == {"before-1", "before-2"}, "first list")
        os.replace(other, store)  # what `cp`/`mv` of a fresh copy over the store does
        await wait(pilot, lambda: [t.thread_id for t in widget.threads] == ["after"], "the new file's threads")
        assert app.problem is None


async def test_a_store_truncated_under_attach_is_reported(tmp_path: Path) -> None:
    from agent_debug.tui.app import AgentDebugApp
    from agent_debug.tui.widgets.threads.thread_list import ThreadList

    store = linear_store(tmp_path / "runs.db", "one")
    kept = store.read_bytes()
    app = AgentDebugApp(open_source(str(store)), poll_interval=0.05)
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(ThreadList)
        await wait(pilot, lambda: [t.thread_id for t in widget.threads] == ["one"], "first list")
        with store.open("r+b") as f:
            f.truncate(0)
        await wait(pilot, lambda: app.problem is not None, "the truncation reported")
        assert "truncated" in app.problem
        store.write_bytes(kept)  # written back: the problem goes, the list is there
        await wait(pilot, lambda: app.problem is None, "the problem cleared")
        assert [t.thread_id for t in widget.threads] == ["one"]


def gated_tui(tmp_path: Path) -> tuple[Terminal, Path, Path, Path, Path]:
    """``agent-debug run`` of the gated chain in its TUI, in tmux, at its second phase."""
    (tmp_path / "gated.py").write_text(GRAPH)
    gates, tmp = tmp_path / "gates", tmp_path / "tmp"
    gates.mkdir()
    tmp.mkdir()
    record, pid_file = tmp_path / "run.ndjson", tmp_path / "pid"
    command = (
        f"echo $$ > {pid_file}; export GATE_DIR={gates} TMPDIR={tmp}; "
        f"exec {AGENT_DEBUG} run {tmp_path / 'gated.py'}:chain --thread t --checkpointer memory --record {record}"
    )
    term = Terminal()
    try:
        term.start(["sh", "-c", command])
        term.wait_until(lambda: (gates / "at-first").exists(), "the first phase to start", timeout=60)
        (gates / "go-first").touch()
        term.wait_until(lambda: (gates / "at-second").exists(), "the second phase to start", timeout=60)
        term.wait_for("second", timeout=30)  # the TUI is drawn, the phase on screen
    except BaseException:
        term.close()
        raise
    return term, gates, tmp, record, pid_file


def assert_clean_stop(tmp: Path, record: Path) -> None:
    kinds = [(e.kind, e.node) for e in read_recording(record)]
    assert ("phase_finished", "first") in kinds and ("phase_started", "second") in kinds
    assert [p.name for p in tmp.iterdir() if p.name.startswith("agent-debug-")] == []


def test_sigterm_to_the_tui_keeps_every_event_and_leaves_no_temp_folder(tmp_path: Path) -> None:
    term, gates, tmp, record, pid_file = gated_tui(tmp_path)
    try:
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
        assert term.exit_status(timeout=60) == 143
        assert "agent-debug: stopped by SIGTERM" in term.screen()  # after the TUI closed
    finally:
        term.close()
    assert_clean_stop(tmp, record)
    shutil.rmtree(gates)


def test_quitting_the_tui_while_a_phase_runs_ends_the_process(tmp_path: Path) -> None:
    """`q` while a node is inside a long call: the screen closes and so does the process
    (it used to wait on a blank screen for the node to return)."""
    term, gates, tmp, record, _ = gated_tui(tmp_path)
    try:
        term.press("q")
        assert term.exit_status(timeout=60) == 0
        assert "agent-debug: quit while a phase was running" in term.screen()
    finally:
        term.close()
    assert_clean_stop(tmp, record)
    shutil.rmtree(gates)


def alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text(errors="replace")
    except OSError:
        return False


def test_closing_the_terminal_ends_the_tui_cleanly(tmp_path: Path) -> None:
    """The terminal window closes (SIGHUP, the tmux server killed): the process ends,
    keeps its recording and removes its temp folder, with no screen left to draw on."""
    term, gates, tmp, record, pid_file = gated_tui(tmp_path)
    pid = int(pid_file.read_text())
    term.close()
    deadline = time.monotonic() + 60
    while alive(pid):
        assert time.monotonic() < deadline, "the process outlived its terminal"
        time.sleep(0.05)
    assert_clean_stop(tmp, record)
    shutil.rmtree(gates)
