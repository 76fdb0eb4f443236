"""Conditional breakpoints, break on error and the breakpoints list, on the real
feature-request workflow (fixtures/) over a real SQLite store, checked against LangGraph's
own ``get_state``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_debug.fixtures import feature_request, supervisor
from agent_debug.inspector.exceptions import UsageError
from agent_debug.inspector.session import DebugSession, open_session

REQUEST = {"request": "add a --json flag"}


@pytest.fixture
def session(tmp_path: Path) -> Iterator[DebugSession]:
    with open_session(str(tmp_path / "runs.db"), graph=feature_request.graph, create=True) as opened:
        yield opened


def langgraph_state(session: DebugSession, thread_id: str) -> Any:
    """What LangGraph itself says the thread's latest checkpoint is."""
    return session.graph.get_state({"configurable": {"thread_id": thread_id}})


def sandbox_visits(session: DebugSession, thread_id: str) -> list[int]:
    """The iterations at which sandbox_test ran, oldest first (from the store's history)."""
    rows = reversed(session.source.history(thread_id, limit=None).checkpoints)
    return [session.source.state(thread_id, checkpoint_id=r.checkpoint_id).values["iterations"] for r in rows if r.nodes == ["sandbox_test"]]


def test_a_condition_false_at_the_first_visit_stops_once_at_the_later_one(session: DebugSession):
    session.set_breakpoint("sandbox_test", condition="iterations >= 2")
    events: list[Any] = []
    outcome = session.start("t", REQUEST, sink=events.append)

    # One stop, before the second sandbox_test: the first (iterations 1) ran through.
    assert outcome.status.value == "pending" and outcome.next == ["sandbox_test"]
    assert outcome.stopped_by == "breakpoint" and outcome.stop_reason == "before sandbox_test if iterations >= 2"
    assert sandbox_visits(session, "t") == [1]
    truth = langgraph_state(session, "t")
    assert truth.values["iterations"] == 2 and truth.next == ("sandbox_test",)
    assert truth.config["configurable"]["checkpoint_id"] == outcome.head == outcome.new_checkpoints[-1]
    # Every checkpoint the stretches appended is in the outcome, once, in order.
    history = [r.checkpoint_id for r in reversed(session.source.history("t", limit=None).checkpoints)]
    assert outcome.new_checkpoints == history[-len(outcome.new_checkpoints):] and len(outcome.new_checkpoints) == len(history)
    assert [p.hits for p in session.breakpoint_list()] == [1]
    assert any(e.kind == "phase_finished" and e.node == "sandbox_test" for e in events)

    # On from there: the breakpoint does not stop the same place again; the review's interrupt does.
    outcome = session.cont("t")
    assert outcome.status.value == "interrupted" and outcome.stopped_by is None
    assert sandbox_visits(session, "t") == [1, 2]


def test_without_the_condition_the_same_breakpoint_stops_at_the_first_visit(session: DebugSession):
    session.set_breakpoint("sandbox_test")
    outcome = session.start("t", REQUEST)
    assert outcome.next == ["sandbox_test"] and langgraph_state(session, "t").values["iterations"] == 1
    assert outcome.stop_reason == "before sandbox_test"


def test_a_condition_after_a_node_is_read_on_the_state_it_wrote(session: DebugSession):
    session.set_breakpoint("sandbox_test", after=True, condition="test_report.passed")
    outcome = session.start("t", REQUEST)
    assert outcome.stopped_by == "breakpoint" and outcome.next == ["review"]
    truth = langgraph_state(session, "t")
    assert truth.values["test_report"]["passed"] is True and truth.values["iterations"] == 2
    assert sandbox_visits(session, "t") == [1, 2]


def test_a_condition_that_fails_to_evaluate_stops_and_says_why(session: DebugSession):
    session.set_breakpoint("sandbox_test", condition="test_report['passed']")  # no report before the first test
    outcome = session.start("t", REQUEST)
    assert outcome.next == ["sandbox_test"] and langgraph_state(session, "t").values["iterations"] == 1
    assert "the condition failed: cannot index a NoneType" in outcome.stop_reason
    assert session.breakpoint_list()[0].hits == 1


def test_a_step_stops_after_one_step_whatever_the_conditions(session: DebugSession):
    session.set_breakpoint("plan", condition="iterations > 99")
    first = session.start("t", REQUEST, step=True)
    outcome = session.step("t")
    assert len(outcome.new_checkpoints) == 1 and outcome.stopped_by is None
    assert langgraph_state(session, "t").values["iterations"] == 0 and first.head != outcome.head


def test_a_wrong_condition_is_refused_with_one_line_naming_the_state_keys(session: DebugSession):
    with pytest.raises(UsageError) as caught:
        session.set_breakpoint("review", condition="x > 1")
    assert str(caught.value).startswith("break review if: unknown name 'x'; the state has analysis, approved, code")
    with pytest.raises(UsageError, match=r"break --after review if: invalid syntax"):
        session.set_breakpoint("review", after=True, condition="iterations >")
    with pytest.raises(UsageError, match="functions can be called"):
        session.set_breakpoint("review", condition="__import__('os')")
    assert session.breakpoint_list() == [] and not session.break_before


def test_a_condition_inside_a_subgraph_is_refused(tmp_path: Path):
    with open_session(str(tmp_path / "s.db"), graph=supervisor.graph, create=True) as opened:
        with pytest.raises(UsageError, match="inside a subgraph is not supported"):
            opened.set_breakpoint("writer:draft", condition="True")
        opened.set_breakpoint("writer:draft")  # a plain one there still works
        assert "writer:draft" in opened.break_before


def test_the_list_keeps_conditions_hits_and_turned_off_breakpoints(session: DebugSession):
    session.set_breakpoint("sandbox_test", condition="iterations >= 2")
    session.set_breakpoint("synthesize", after=True)
    session.enable_breakpoint("synthesize", after=True, enabled=False)
    assert [p.describe() for p in session.breakpoint_list()] == ["before sandbox_test if iterations >= 2", "after synthesize"]
    assert [p.enabled for p in session.breakpoint_list()] == [True, False]
    assert session.break_after == set()  # off: the runs do not get it

    outcome = session.start("t", REQUEST)
    assert outcome.stop_reason == "before sandbox_test if iterations >= 2"
    session.enable_breakpoint("synthesize", after=True)
    # Replacing a condition keeps the breakpoint set (and starts its count again).
    assert session.toggle_breakpoint("sandbox_test", condition="iterations >= 3") is True
    assert [(p.describe(), p.hits) for p in session.breakpoint_list()] == [("before sandbox_test if iterations >= 3", 0), ("after synthesize", 0)]
    assert session.toggle_breakpoint("sandbox_test") is False  # without a condition: cleared
    assert [p.node for p in session.breakpoint_list()] == ["synthesize"]


def test_break_on_error_pauses_after_a_retried_attempt(session: DebugSession):
    # plan's first attempt raises RateLimitError; its RetryPolicy runs it again, which succeeds.
    session.set_break_on_error(True)
    outcome = session.start("t", REQUEST)
    assert outcome.paused and outcome.stopped_by == "error" and outcome.error is None
    assert outcome.stop_reason.startswith("error in plan (RateLimitError: Error code: 429 Too Many Requests")
    assert outcome.stop_reason.endswith("attempt 1, retried)")
    truth = langgraph_state(session, "t")
    assert truth.next == ("synthesize",) and truth.values["plan"]  # stopped at the step boundary after plan
    assert truth.config["configurable"]["checkpoint_id"] == outcome.head

    # The error is not seen again: the run goes on to the review's interrupt.
    assert session.cont("t").status.value == "interrupted"


def test_without_break_on_error_the_retried_attempt_does_not_stop_the_run(session: DebugSession):
    outcome = session.start("t", REQUEST)
    assert outcome.status.value == "interrupted" and outcome.stopped_by is None and not outcome.paused


def test_break_on_error_reports_a_failing_phase(session: DebugSession):
    session.set_break_on_error(True)
    outcome = session.start("t", {**REQUEST, "fail_permanently": True}, sink=lambda e: None)
    # The RateLimitError attempt stops it first; on from there the sandbox fails for good.
    assert outcome.stop_reason.startswith("error in plan")
    outcome = session.cont("t")
    assert outcome.stopped_by == "error" and outcome.stop_reason.startswith("error in sandbox_test (ValueError: sandbox image")
    assert outcome.error is not None and outcome.status.value == "error"
