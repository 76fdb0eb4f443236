"""``run --thread EXISTING``: it continues from the latest checkpoint (``--step``: one step),
keeps a pending interrupt for ``resume``, starts over only with ``--restart``, and refuses
the combinations that make no sense. Real graphs (tests/graphs.py ``linear``: think →
approve (interrupt) → finish) on SQLite stores LangGraph itself wrote, checked with
LangGraph's own ``get_state`` and ``get_state_history``."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from agent_debug.tui.cli import main

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[1]
LINEAR = "tests/graphs.py:linear"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, "run", LINEAR, "--no-ui", *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


@contextmanager
def langgraph(db: Path) -> Iterator[Any]:
    """The linear graph on LangGraph's own SqliteSaver over ``db``."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from tests.graphs import linear_builder

    conn = sqlite3.connect(db, check_same_thread=False)
    try:
        yield linear_builder().compile(checkpointer=SqliteSaver(conn))
    finally:
        conn.close()


def cfg(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def snapshot(db: Path, thread: str) -> tuple[Any, list[Any]]:
    """LangGraph's view of the thread: its state now and its whole history, newest first."""
    with langgraph(db) as graph:
        return graph.get_state(cfg(thread)), list(graph.get_state_history(cfg(thread)))


def inputs(history: list[Any]) -> int:
    """How many runs were started on the thread (each writes one ``input`` checkpoint)."""
    return sum(1 for s in history if s.metadata.get("source") == "input")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def exit_status(flags: list[str]) -> int:
    """``agent-debug run LINEAR --no-ui FLAGS`` in this process (the parser exits by itself)."""
    try:
        return main(["run", LINEAR, "--no-ui", *flags])
    except SystemExit as exc:
        return int(exc.code)


@pytest.fixture
def paused(tmp_path: Path) -> Path:
    """Thread ``t`` stopped before approve (x is 2: think ran once); thread ``asks`` waiting
    at approve's interrupt; thread ``over`` done."""
    from langgraph.types import Command

    db = tmp_path / "runs.db"
    with langgraph(db) as graph:
        graph.invoke({"x": 1}, cfg("t"), interrupt_before=["approve"])
        graph.invoke({"x": 1}, cfg("asks"))
        graph.invoke({"x": 1}, cfg("over"))
        graph.invoke(Command(resume=True), cfg("over"))
    return db


def test_an_existing_thread_continues_from_its_latest_checkpoint(paused: Path):
    before, history = snapshot(paused, "t")
    assert before.next == ("approve",) and before.values["x"] == 2

    out = run("--checkpointer", str(paused), "--thread", "t")
    assert out.returncode == 0, out.stderr
    now, after = snapshot(paused, "t")
    # approve ran from the checkpoint it was due at, and stopped at its interrupt; think
    # did not run again (x is still 2) and no new input was written.
    assert now.next == ("approve",) and [i.value for t in now.tasks for i in t.interrupts] == [{"question": "ship it?", "x": 2}]
    assert now.values["x"] == 2 and inputs(after) == inputs(history) == 1
    assert "▶ started" in out.stdout and " think " not in out.stdout
    assert "thread t in" in out.stderr and "interrupted; next: approve" in out.stderr


def test_step_on_an_existing_thread_runs_its_next_step_only(tmp_path: Path):
    db = tmp_path / "runs.db"
    with langgraph(db) as graph:
        graph.invoke({"x": 1}, cfg("t"), interrupt_after=["think"], interrupt_before=["think"])  # stops before think
    assert snapshot(db, "t")[0].next == ("think",)

    out = run("--checkpointer", str(db), "--thread", "t", "--step")
    assert out.returncode == 0, out.stderr
    now, history = snapshot(db, "t")
    assert now.next == ("approve",) and now.values["x"] == 2 and inputs(history) == 1  # one step: think, then a pause
    assert "pending; next: approve" in out.stderr


def test_a_pending_interrupt_is_kept_for_resume(paused: Path):
    before, history = snapshot(paused, "asks")
    kept = digest(paused)

    out = run("--checkpointer", str(paused), "--thread", "asks")
    assert out.returncode == 0, out.stderr
    assert digest(paused) == kept  # nothing ran, nothing was written
    now, after = snapshot(paused, "asks")
    assert [i.id for t in now.tasks for i in t.interrupts] == [i.id for t in before.tasks for i in t.interrupts] != []
    assert len(after) == len(history)
    lines = out.stderr.splitlines()
    assert lines[0].endswith("interrupted; next: approve")
    assert lines[1].startswith("nothing ran: thread asks waits at an interrupt in approve; answer it with: agent-debug resume ")
    assert f"--thread asks --graph {LINEAR} --approve" in lines[1]
    assert out.stdout == ""  # no run started: no events


def test_a_done_thread_says_so_and_restart_runs_it_again(paused: Path):
    out = run("--checkpointer", str(paused), "--thread", "over")
    assert out.returncode == 0, out.stderr
    assert "nothing ran: thread over is done; --restart runs it again from the start" in out.stderr

    out = run("--checkpointer", str(paused), "--thread", "over", "--restart", "--input", '{"x": 5}')
    assert out.returncode == 0, out.stderr
    now, history = snapshot(paused, "over")
    # A new run from __start__ on the thread, as LangGraph runs a new input: think again
    # (5 + 1), then approve's interrupt once more.
    assert inputs(history) == 2 and now.values["x"] == 6 and now.next == ("approve",)
    assert now.values["acc"] == ["finished"]  # the state the thread had is kept


def test_restart_on_a_waiting_thread_runs_it_anew_and_the_interrupt_stays_in_its_history(paused: Path):
    before, history = snapshot(paused, "asks")
    out = run("--checkpointer", str(paused), "--thread", "asks", "--restart")
    assert out.returncode == 0, out.stderr
    now, after = snapshot(paused, "asks")
    assert inputs(after) == 2 and now.values["x"] == 3  # from {} on top of x = 2: think adds 1
    # The old interrupt stays in the history, unanswered, under the checkpoint it was raised at.
    assert before.config["configurable"]["checkpoint_id"] in {s.config["configurable"]["checkpoint_id"] for s in after}


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--thread", "t", "--input", '{"x": 9}'], "thread 't' exists in "),
        (["--thread", "t", "--continue", "--input", "{}"], "--continue runs the thread on from its latest checkpoint, which takes no --input"),
        (["--continue"], "--continue needs the --thread ID of an existing thread"),
        (["--restart"], "--restart needs the --thread ID of an existing thread"),
        (["--thread", "t", "--continue", "--restart"], "argument --restart: not allowed with argument --continue"),
        (["--thread", "t", "--continue", "--step"], "give --continue (run to the next stop) or --step (one step), not both"),
        (["--thread", "t", "--restart", "--input", "null"], "--restart needs an input to start from"),
    ],
)
def test_wrong_combinations_are_one_line_and_exit_2(paused: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str):
    kept = digest(paused)
    assert exit_status(["--checkpointer", str(paused), *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err, err
    assert digest(paused) == kept


def test_continue_or_restart_of_a_thread_that_is_not_there_is_an_error(paused: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert exit_status(["--checkpointer", str(paused), "--thread", "nope", "--continue"]) == 1
    err = capsys.readouterr().err
    assert "--continue: no thread 'nope' in " in err and "drop --continue to start it as a new thread" in err
    fresh = tmp_path / "fresh.db"
    assert exit_status(["--checkpointer", str(fresh), "--thread", "nope", "--restart"]) == 1
    assert "--restart: no thread 'nope' in " in capsys.readouterr().err
    assert not fresh.exists()  # refused before any store was made
    assert exit_status(["--checkpointer", "memory", "--thread", "nope", "--continue"]) == 1
    assert "no thread 'nope' in memory (a new store each run) to continue" in capsys.readouterr().err
