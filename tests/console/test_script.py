"""The console reading a script of commands on standard input (a pipe), in a subprocess:
the exit status of the first failing command, one line on stderr, nothing after it run."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from agent_debug.inspector.exceptions import ControlError
from agent_debug.inspector.session import open_session
from agent_debug.inspector.targets import open_source
from tests.console.conftest import FEATURE, PYTHON, ROOT, console_process

INTERRUPTED = "feature-002-interrupted"


def checkpoint_ids(db: Path, thread: str) -> set[str]:
    with open_source(str(db)) as source:
        return {c.checkpoint_id for c in source.history(thread, limit=None).checkpoints}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_script_browses_then_answers_the_interrupt_and_the_store_gains_checkpoints(store: Path):
    before = checkpoint_ids(store, INTERRUPTED)
    script = "\n".join(["threads interrupted", f"thread {INTERRUPTED}", "state test_report", "answer approve", "history 0", "state approved", ""])
    done = console_process(str(store), "--graph", FEATURE, script=script)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert "supervisor-009-interrupted" in out and "feature-001-done" not in out  # the status filter
    assert f"thread {INTERRUPTED}: interrupted at #7" in out
    assert "'passed': True" in out  # state test_report
    assert "sent to interrupt 96fa4b8eb533ec7e9d2daa7b14aefa26: approve" in out
    assert f"thread {INTERRUPTED} is now done at #8" in out
    assert "values at approved" in out and "True" in out.split("values at approved")[1]
    after = checkpoint_ids(store, INTERRUPTED)
    assert before < after and len(after - before) == 1
    (new,) = after - before
    assert f"#8  {new}" in out  # the history listing numbers the new checkpoint after the old ones


def test_the_first_failing_command_ends_the_script_with_1_and_the_rest_is_not_run(store: Path):
    before = digest(store)
    script = f"thread {INTERRUPTED}\nstate nope.deeper\nanswer approve\nthreads\n"
    done = console_process(str(store), "--graph", FEATURE, script=script)
    assert done.returncode == 1
    assert done.stderr == (
        "agent-debug: error: no value at path 'nope.deeper': 'nope' not found in the state (keys there: request, "
        "messages, analysis, plan, code, test_report, iterations, max_iterations, feedback)\n"
    )
    assert "sent to interrupt" not in done.stdout and "THREAD" not in done.stdout
    assert digest(store) == before  # the answer after the failure was never sent


def test_an_unknown_command_is_a_usage_error_exit_2(store: Path):
    done = console_process(str(store), script=f"thread {INTERRUPTED}\nhistroy\nthreads\n")
    assert done.returncode == 2
    assert done.stderr == "agent-debug: error: unknown command 'histroy'; did you mean 'history'? ('help' lists the commands)\n"
    assert "THREAD" not in done.stdout


def test_a_read_only_console_refuses_next_with_the_sessions_own_line(store: Path):
    with open_session(str(store)) as session, pytest.raises(ControlError) as refused:
        session.step(INTERRUPTED)
    before = digest(store)
    done = console_process(str(store), "--thread", INTERRUPTED, script="next\nthreads\n")
    assert done.returncode == 1
    assert done.stderr == f"agent-debug: error: {refused.value.message}\n"
    assert "read-only" in done.stderr
    assert "THREAD" not in done.stdout
    assert digest(store) == before


def test_bad_json_is_a_usage_error_and_sends_nothing(store: Path):
    before = digest(store)
    done = console_process(str(store), "--graph", FEATURE, "--thread", INTERRUPTED, script='answer {"approved": tru\n')
    assert done.returncode == 2
    assert done.stderr.startswith("agent-debug: error: the answer is not valid JSON (")
    assert done.stderr.endswith("; nothing was sent\n") and done.stderr.count("\n") == 1
    assert digest(store) == before


def test_a_failure_before_the_first_command_is_one_line(store: Path):
    done = console_process(str(store), "--thread", "nope", script="threads\n")
    assert done.returncode == 1
    assert done.stderr == f"agent-debug: error: no thread 'nope' in {store}; list threads with: agent-debug threads {store}\n"
    assert done.stdout == ""
    missing = console_process(str(store.with_name("none.db")), script="threads\n")
    assert missing.returncode == 1 and missing.stderr == f"agent-debug: error: no such checkpoint database: {store.with_name('none.db')}\n"


def test_commands_given_with_c_run_first_and_quit_ends_with_0(store: Path):
    done = console_process(str(store), "-c", f"thread {INTERRUPTED}", "-c", "history 1", script="quit\nthreads\n")
    assert done.returncode == 0, done.stderr
    assert "1 of 8 checkpoints" in done.stdout and "THREAD " not in done.stdout


def test_echo_prints_each_command_after_the_prompt(store: Path):
    done = console_process(str(store), "--echo", script=f"# a comment\n\nthread {INTERRUPTED}\nhistory 1\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["(adb) # a comment", f"(adb) thread {INTERRUPTED}"]  # a transcript: the blank line is not echoed
    assert f"(adb {INTERRUPTED}@1f1e76de-b41c #7) history 1" in lines


def test_hostile_thread_ids_reach_the_terminal_escaped(tmp_path: Path):
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    from tests.graphs import linear_builder

    db = tmp_path / "hostile.db"
    conn = sqlite3.connect(db, check_same_thread=False)
    graph = linear_builder().compile(checkpointer=SqliteSaver(conn))
    hostile = "evil\x1b]0;owned\x07\u202e"
    graph.invoke({"x": 1}, {"configurable": {"thread_id": hostile}})
    conn.close()
    done = console_process(str(db), "--echo", script="threads\nthread\nhistory\n")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout and "\u202e" not in done.stdout
    assert "evil\\x1b]0;owned\\x07\\u202e" in done.stdout  # the only thread is selected at start


def test_a_script_never_writes_the_history_file(store: Path, tmp_path: Path):
    history = tmp_path / "history" / "console_history"
    state_home = tmp_path / "state"
    env = {**os.environ, "XDG_STATE_HOME": str(state_home), "HOME": str(tmp_path / "home")}
    done = console_process(str(store), script="threads\n", env=env)
    assert done.returncode == 0, done.stderr
    done = console_process(str(store), "--history-file", str(history), script="threads\n", env=env)
    assert done.returncode == 0, done.stderr
    assert not history.parent.exists()
    assert not state_home.exists() and not (tmp_path / "home").exists()


def test_the_console_never_imports_textual(store: Path):
    probe = (
        "import sys\n"
        "from agent_debug.tui.cli import main\n"
        f"status = main(['console', {str(store)!r}, '--graph', {FEATURE!r}, '--thread', 'feature-004-pending'])\n"
        "print('status', status, 'textual' in sys.modules, 'prompt_toolkit' in sys.modules)\n"
    )
    import subprocess

    done = subprocess.run(
        [PYTHON, "-c", probe], input="threads\nhistory\nstate\nnext\ngraph\nevents\nbreak review\ncontinue\n",
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "status 0 False False"
    assert "is now interrupted" in done.stdout
