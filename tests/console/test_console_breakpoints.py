"""The console's conditional breakpoints (``break NODE if EXPR``), ``catch error`` and
``breakpoints``: in-process, completed with Tab, and as a script in a subprocess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_debug.inspector.session import open_session
from agent_debug.tui.cli.graph_ref import load_graph_ref
from tests.console.conftest import FEATURE, Console, console_process
from tests.console.test_interactive import completions

REQUEST = {"request": "add a --json flag"}


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A store with thread 't' of the feature workflow, one step in (at analyze)."""
    db = tmp_path / "runs.db"
    with open_session(str(db), graph=load_graph_ref(FEATURE, None), create=True) as session:
        session.start("t", REQUEST, step=True)
    return db


@pytest.fixture
def console(fresh: Path) -> Iterator[Console]:
    with open_session(str(fresh), graph=load_graph_ref(FEATURE, None)) as session:
        yield Console(session)


def test_break_if_stops_where_the_condition_holds(console: Console):
    console.ok("thread t")
    assert console.ok("break sandbox_test if iterations >= 2") == "breakpoint set before sandbox_test if iterations >= 2\n"
    assert console.ok("break") == "breakpoints: before sandbox_test if iterations >= 2\n"
    out = console.ok("c")
    assert "stopped at the breakpoint before sandbox_test if iterations >= 2" in out
    assert "next: sandbox_test" in out
    assert console.session.source.state("t").values["iterations"] == 2
    assert console.ok("breakpoints") == " 1  before sandbox_test if iterations >= 2  hits 1\nbreak on error: off\n"


def test_break_after_with_a_condition_and_mistakes_in_one(console: Console):
    assert console.ok("break --after sandbox_test if test_report.passed") == "breakpoint set after sandbox_test if test_report.passed\n"
    assert console.run("break review if nope > 1") == 2
    assert "agent-debug: error: break review if: unknown name 'nope'; the state has analysis" in console.err
    assert console.run("break review when x") == 2 and "expected 'if CONDITION' after the node" in console.err
    assert console.run("break review if") == 2 and "'if' needs a condition" in console.err
    assert console.run("b review if __import__('os')") == 2 and "functions can be called" in console.err
    assert [p.node for p in console.session.breakpoint_list()] == ["sandbox_test"]


def test_catch_error_pauses_after_the_retried_attempt(console: Console):
    console.ok("thread t")
    assert console.ok("catch") == "break on error off\n"
    assert console.ok("catch error").startswith("break on error on")
    out = console.ok("continue")
    assert "stopped: error in plan (RateLimitError: Error code: 429" in out and "next: synthesize" in out
    assert console.ok("catch error off") == "break on error off\n"
    assert console.run("catch warnings") == 2 and "only 'catch error' is known" in console.err


def test_the_new_words_complete(console: Console):
    assert completions(console, "break sandbox_test ") == ["if"]
    assert completions(console, "break sandbox_test if iter") == ["iterations"]
    assert completions(console, "break --after review if max_it") == ["max_iterations"]
    assert completions(console, "catch ") == ["error"]
    assert completions(console, "catch error o") == ["on", "off"]
    assert "breakpoints" in completions(console, "breakp")
    console.ok("break review if approved")
    assert completions(console, "clear ") == ["review"]


def test_a_script_sets_a_condition_catches_an_error_and_lists_them(fresh: Path):
    script = "\n".join([
        "thread t", "break sandbox_test if iterations >= 2", "catch error", "continue", "continue", "breakpoints", "",
    ])  # fmt: skip
    done = console_process(str(fresh), "--graph", FEATURE, script=script)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    first, second = out.split("stopped", 2)[1:]
    assert first.startswith(": error in plan (RateLimitError")
    assert second.startswith(" at the breakpoint before sandbox_test if iterations >= 2")
    assert " 1  before sandbox_test if iterations >= 2  hits 1\nbreak on error: on\n" in out


def test_a_script_with_a_bad_condition_fails_with_2_and_runs_nothing(fresh: Path):
    done = console_process(str(fresh), "--graph", FEATURE, script="thread t\nbreak review if x ==\ncontinue\n")
    assert done.returncode == 2
    assert done.stderr.startswith("agent-debug: error: break review if: invalid syntax")
    assert "appended" not in done.stdout
