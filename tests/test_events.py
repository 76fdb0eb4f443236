"""Live events from real LangGraph runs of the fixtures: thinking, tokens, logs, custom
events, tools, retries, failures, subgraphs, usage, stuck phases."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command

from agent_debug.fixtures import feature_request, supervisor, tool_agent
from agent_debug.inspector.events import (
    STREAM_MODES,
    EventExtractor,
    PhaseFinishedEvent,
    PhaseStartedEvent,
    RunStats,
    StuckWatch,
)
from agent_debug.inspector.logcapture import LogCapture


def run_session(
    graph: Any,
    payloads: Sequence[Any],
    *,
    thread_id: str = "t1",
    on_event: Callable[[Any], None] | None = None,
    recursion_limit: int | None = None,
) -> list[Any]:
    """Run ``graph`` once per payload on one thread (an input, then resumes), collecting every event."""
    bound = graph.copy(update={"checkpointer": InMemorySaver()})
    events: list[Any] = []

    def sink(event: Any) -> None:
        events.append(event)
        if on_event is not None:
            on_event(event)

    extractor = EventExtractor(thread_id, on_event=sink)
    config: dict[str, Any] = {"configurable": {"thread_id": thread_id}}
    if recursion_limit is not None:
        config["recursion_limit"] = recursion_limit
    for payload in payloads:
        extractor.start_run(graph=bound.name, input=payload)
        error: BaseException | None = None
        with LogCapture(extractor):
            try:
                for namespace, mode, chunk in bound.stream(payload, config, stream_mode=list(STREAM_MODES), subgraphs=True):
                    extractor.feed(namespace, mode, chunk)
            except Exception as exc:  # the workflow failing is what some tests look at
                error = exc
        extractor.finish_run(error)
    return events


def of(events: list[Any], kind: str, **where: Any) -> list[Any]:
    return [e for e in events if e.kind == kind and all(getattr(e, k) == v for k, v in where.items())]


def phase(events: list[Any], node: str, nth: int = 0) -> PhaseStartedEvent:
    return of(events, "phase_started", node=node)[nth]


@pytest.fixture(scope="module")
def feature_run() -> list[Any]:
    """feature_request to its review interrupt, then approved."""
    return run_session(feature_request.graph, [{"request": "Add a --json flag"}, Command(resume=True)])


@pytest.fixture(scope="module")
def failed_run() -> list[Any]:
    return run_session(feature_request.graph, [{"request": "Add a --json flag", "fail_permanently": True}])


# -- the event stream as a whole --------------------------------------------------------------


def test_seq_is_contiguous_and_every_event_carries_the_thread(feature_run):
    assert [e.seq for e in feature_run] == list(range(1, len(feature_run) + 1))
    assert {e.thread_id for e in feature_run} == {"t1"}
    assert [e.kind for e in feature_run if e.kind.startswith("run_")] == ["run_started", "run_finished"] * 2


def runs_of(events: list[Any]) -> list[list[Any]]:
    """The events split per run (run_started .. run_finished)."""
    runs: list[list[Any]] = []
    for event in events:
        if event.kind == "run_started":
            runs.append([])
        runs[-1].append(event)
    return runs


def test_a_phase_events_lie_between_its_start_and_its_end(feature_run):
    assert len(runs_of(feature_run)) == 2
    for run in runs_of(feature_run):
        starts = {e.task_id: e.seq for e in of(run, "phase_started")}
        ends = {e.task_id: e.seq for e in of(run, "phase_finished")}
        assert starts.keys() == ends.keys()
        for event in run:
            if event.task_id and event.kind not in ("phase_started", "phase_finished"):
                assert starts[event.task_id] < event.seq < ends[event.task_id], event


# -- thinking and tokens -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node", "fmt"),
    [("analyze", "reasoning"), ("plan", "thinking"), ("synthesize", "reasoning_content")],
)
def test_each_thinking_format_is_attributed_to_its_phase(feature_run, node, fmt):
    started = phase(feature_run, node)
    thoughts = of(feature_run, "thinking", task_id=started.task_id)
    assert thoughts and {t.format for t in thoughts} == {fmt}
    assert all(t.streamed and t.node == node and t.step == started.step for t in thoughts)
    # The streamed pieces add up to the thinking stored in the message the phase wrote.
    finished = of(feature_run, "phase_finished", task_id=started.task_id)[0]
    stored = finished.writes["messages"][-1]
    if fmt == "reasoning_content":
        expected = stored["additional_kwargs"]["reasoning_content"]
    else:
        expected = next(b[fmt] for b in stored["content"] if b["type"] == fmt)
    assert "".join(t.text for t in thoughts) == expected


def test_answer_tokens_are_streamed_per_phase(feature_run):
    started = phase(feature_run, "analyze")
    tokens = of(feature_run, "token", task_id=started.task_id)
    assert len(tokens) > 10 and all(t.streamed for t in tokens)
    finished = of(feature_run, "phase_finished", task_id=started.task_id)[0]
    assert "".join(t.text for t in tokens) == finished.writes["analysis"]


def test_without_messages_mode_thinking_and_usage_come_whole_from_the_writes():
    bound = feature_request.graph.copy(update={"checkpointer": InMemorySaver()})
    modes = ["tasks", "updates", "checkpoints"]  # what Runner streams today
    extractor = EventExtractor("t", stream_modes=modes)
    events = extractor.start_run()
    for namespace, mode, chunk in bound.stream({"request": "x"}, {"configurable": {"thread_id": "t"}}, stream_mode=modes, subgraphs=True):
        events += extractor.feed(namespace, mode, chunk)
    events += extractor.finish_run()
    thoughts = of(events, "thinking")
    assert [(t.node, t.format, t.streamed) for t in thoughts] == [
        ("analyze", "reasoning", False),
        ("plan", "thinking", False),
        ("synthesize", "reasoning_content", False),
        ("synthesize", "reasoning_content", False),
    ]
    assert all(not t.streamed for t in of(events, "token"))
    assert events[-1].total_tokens == sum(u.total_tokens for u in of(events, "usage")) > 0


def test_a_breakpoint_ends_the_run_paused():
    bound = feature_request.graph.copy(update={"checkpointer": InMemorySaver()})
    extractor = EventExtractor("t")
    extractor.start_run()
    config = {"configurable": {"thread_id": "t"}}
    stream = bound.stream({"request": "x"}, config, stream_mode=list(STREAM_MODES), subgraphs=True, interrupt_before=["plan"])
    for namespace, mode, chunk in stream:
        extractor.feed(namespace, mode, chunk)
    (finished,) = extractor.finish_run()
    assert (finished.status, finished.phases) == ("paused", 1)


# -- logs and custom events ------------------------------------------------------------------------


def test_logging_in_a_worker_thread_is_attributed_to_its_node(feature_run):
    started = phase(feature_run, "analyze")
    (record,) = [e for e in of(feature_run, "log") if e.message.startswith("analyzing request")]
    assert (record.node, record.task_id, record.step, record.namespace) == ("analyze", started.task_id, started.step, "")
    assert record.level == "INFO" and record.logger == "agent_debug.fixtures.feature_request"
    assert record.thread_name and record.thread_name != threading.main_thread().name  # LangGraph's pool
    warnings = [e for e in of(feature_run, "log", node="sandbox_test") if e.level == "WARNING"]
    assert warnings and warnings[0].message == "tests failed: test_empty_report"


def test_custom_events_carry_their_payload_and_phase(feature_run):
    started = phase(feature_run, "sandbox_test")
    custom = of(feature_run, "custom", task_id=started.task_id)
    assert [c.payload["progress"] for c in custom] == [0.0, 0.5, 1.0]
    assert of(feature_run, "custom", node="synthesize")[0].payload == {"phase": "synthesize", "iteration": 1}


def test_log_capture_leaves_the_users_logging_as_it_was():
    root = logging.getLogger()
    user_out = io.StringIO()
    user_handler = logging.StreamHandler(user_out)
    old_level = root.level
    root.setLevel(logging.WARNING)
    root.addHandler(user_handler)
    try:
        run_session(feature_request.graph, [{"request": "x"}])
        assert root.level == logging.WARNING and user_handler.level == logging.NOTSET
        assert not any(isinstance(h, LogCapture) for h in root.handlers)
        printed = user_out.getvalue().splitlines()
    finally:
        root.removeHandler(user_handler)
        root.setLevel(old_level)
    # What the user's handler prints is what it prints without us: the warnings, once each.
    assert printed == ["model provider rate-limited the plan call (attempt 1)", "tests failed: test_empty_report"]


def test_with_no_handler_anywhere_warnings_still_reach_stderr(capsys):
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers.clear()  # pytest's own capture handlers, for the length of this test
    try:
        with LogCapture(EventExtractor("t")):
            logging.getLogger("somewhere.else").warning("disk almost full")
            logging.getLogger("somewhere.else").info("not shown by Python either")
    finally:
        root.handlers[:] = saved
    assert capsys.readouterr().err == "disk almost full\n"


def test_two_sessions_at_once_keep_their_own_logs():
    results: dict[str, list[Any]] = {}

    def session(name: str, graph: Any, payload: Any) -> None:
        results[name] = run_session(graph, [payload], thread_id=name)

    root_level = logging.getLogger().level
    sessions = [
        threading.Thread(target=session, args=("a", feature_request.graph, {"request": "x"})),
        threading.Thread(target=session, args=("b", tool_agent.graph, {"messages": [("user", "Find the cache docs")]})),
    ]
    for t in sessions:
        t.start()
    for t in sessions:
        t.join(10)
    assert {e.logger for e in of(results["a"], "log")} == {"agent_debug.fixtures.feature_request"}
    assert {e.logger for e in of(results["b"], "log")} == {"agent_debug.fixtures.tool_agent"}
    assert logging.getLogger().level == root_level


# -- tools and interrupts ---------------------------------------------------------------------------


def test_tool_calls_and_results_across_an_approval():
    request = {"messages": [("user", "Find the cache docs and clean the build dir")]}
    events = run_session(tool_agent.graph, [request, Command(resume=True)])
    calls = of(events, "tool_call")
    assert [(c.name, c.args, c.node) for c in calls] == [
        ("search_docs", {"query": "cache"}, "agent"),
        ("delete_files", {"paths": ["build/", ".cache/"]}, "agent"),
    ]
    results = of(events, "tool_result")
    assert [(r.name, r.node, r.status) for r in results] == [("search_docs", "tools", "success"), ("delete_files", "tools", "success")]
    assert [r.tool_call_id for r in results] == [c.tool_call_id for c in calls]
    assert results[1].content == "Deleted 2 path(s): build/, .cache/."
    (interrupt,) = of(events, "interrupt")
    assert interrupt.node == "tools" and interrupt.value["action"] == "delete_files" and interrupt.interrupt_id
    # the approval lies between the two runs
    finished = of(events, "run_finished")
    assert [f.status for f in finished] == ["interrupted", "done"]
    assert finished[0].seq < results[1].seq


# -- errors ---------------------------------------------------------------------------------------------


def test_a_retried_attempt_is_an_error_event_then_the_phase_finishes(feature_run):
    started = phase(feature_run, "plan")
    (error,) = of(feature_run, "error", task_id=started.task_id)
    assert (error.type, error.attempt, error.will_retry, error.classification) == ("RateLimitError", 1, True, "transient")
    assert "429 Too Many Requests" in error.message and error.retry_after_s == pytest.approx(0.05)
    assert "RateLimitError" in error.traceback and "in plan" in error.traceback
    # plan has a RetryPolicy, which LangGraph is applying: no advice to add one
    assert "retrying it under the node's RetryPolicy (attempt 1" in error.suggestion and "add_node(" not in error.suggestion
    (finished,) = of(feature_run, "phase_finished", task_id=started.task_id)
    assert finished.seq > error.seq and finished.status == "done" and finished.attempts == 2


def test_a_permanent_failure_has_its_traceback_and_class(failed_run):
    (error,) = of(failed_run, "error", will_retry=False)
    assert (error.type, error.node, error.attempt, error.will_retry) == ("ValueError", "sandbox_test", 1, False)
    assert error.message == "sandbox image 'python:9.9' not found"
    assert error.classification == "permanent" and error.confidence >= 0.7
    assert error.traceback.startswith("Traceback (most recent call last):")
    assert "in sandbox_test" in error.traceback and "raise ValueError" in error.traceback
    (finished,) = of(failed_run, "phase_finished", node="sandbox_test")
    assert (finished.status, finished.error) == ("error", "ValueError")
    (run,) = of(failed_run, "run_finished")
    assert (run.status, run.error_type) == ("error", "ValueError")


def test_a_run_level_error_is_reported_once_at_the_end():
    class Count(TypedDict, total=False):
        count: int

    builder = StateGraph(Count)
    builder.add_node("tick", lambda s: {"count": s.get("count", 0) + 1})
    builder.add_edge(START, "tick")
    builder.add_conditional_edges("tick", lambda s: "tick")
    events = run_session(builder.compile(), [{}], thread_id="loop", recursion_limit=5)
    (error,) = of(events, "error")
    assert (error.type, error.classification, error.node) == ("GraphRecursionError", "recoverable", None)
    assert "'recursion_limit': 10" in error.suggestion and "current limit 5" in error.suggestion
    assert events[-1].kind == "run_finished" and events[-1].status == "error"


# -- subgraphs ---------------------------------------------------------------------------------------------


def test_subgraph_events_carry_their_namespace():
    events = run_session(supervisor.graph, [{"topic": "checkpoint storage"}, Command(resume=True)])
    researcher = phase(events, "researcher")
    inner = f"researcher:{researcher.task_id}"
    assert researcher.namespace == ""
    assert {e.node for e in of(events, "phase_started", namespace=inner)} == {"split_questions", "investigate", "summarize"}
    assert len(of(events, "phase_started", node="investigate")) == 3
    for kind in ("thinking", "token", "usage", "custom"):
        assert of(events, kind, namespace=inner), kind
    assert {e.node for e in of(events, "log", namespace=inner)} == {"split_questions", "summarize"}
    # three parallel investigate tasks: each one's thinking is its own
    for started in of(events, "phase_started", node="investigate"):
        assert of(events, "thinking", task_id=started.task_id)
    writer = phase(events, "writer")
    (interrupt,) = of(events, "interrupt")  # raised in the subgraph, reported once
    assert (interrupt.node, interrupt.namespace) == ("sign_off", f"writer:{writer.task_id}")
    assert of(events, "checkpoint", namespace=f"writer:{writer.task_id}")


# -- timings and usage -------------------------------------------------------------------------------------


def test_phase_tokens_and_durations_add_up_to_the_run(feature_run):
    first_run_end = of(feature_run, "run_finished")[0].seq
    first = [e for e in feature_run if e.seq <= first_run_end]
    finished = of(first, "phase_finished")
    run = of(first, "run_finished")[0]
    assert run.phases == len(finished) == 7
    assert sum(p.input_tokens for p in finished) == run.input_tokens > 0
    assert sum(p.output_tokens for p in finished) == run.output_tokens > 0
    assert sum(p.total_tokens for p in finished) == run.total_tokens == run.input_tokens + run.output_tokens
    assert sum(u.total_tokens for u in of(first, "usage")) == run.total_tokens
    assert all(p.duration_ms is not None and p.duration_ms >= 0 for p in finished)
    assert sum(p.duration_ms for p in finished) <= run.duration_ms
    # the plan phase includes its retry backoff
    assert of(first, "phase_finished", node="plan")[0].duration_ms >= 50


def test_run_stats_from_events(feature_run):
    stats = RunStats.from_events(feature_run)  # the last run: the approved review
    last = of(feature_run, "run_finished")[-1]
    assert (stats.total_tokens, stats.status) == (last.total_tokens, "done")
    assert [p.node for p in stats.phases.values()] == ["review"]
    first_events = [e for e in feature_run if e.seq <= of(feature_run, "run_finished")[0].seq]
    first = RunStats.from_events(first_events)
    slowest = first.slowest(2)
    # The two longest phase_finished durations of that run, whichever nodes they were
    # on this machine (a loaded one can make any node the slowest).
    durations = sorted((e.duration_ms for e in of(first_events, "phase_finished")), reverse=True)[:2]
    assert [p.duration_ms for p in slowest] == durations and len(slowest) == 2
    prices = {"scripted-coder-1": {"input": 1.0, "output": 2.0}}
    expected = first.input_tokens / 1000 * 1.0 + first.output_tokens / 1000 * 2.0
    assert first.cost(prices) == pytest.approx(expected)
    analyze = next(p for p in first.phases.values() if p.node == "analyze")
    assert analyze.cost(prices) == pytest.approx(analyze.input_tokens / 1000 + analyze.output_tokens / 500)
    assert first.cost({"another-model": {"input": 1.0, "output": 1.0}}) is None
    assert first.unpriced_models({}) == {"scripted-coder-1"}


# -- stuck phases -------------------------------------------------------------------------------------------


def _started(task_id: str, node: str, at: float) -> PhaseStartedEvent:
    return PhaseStartedEvent(seq=1, time=at, node=node, task_id=task_id)


def test_stuck_watch_with_a_fake_clock():
    now = [1000.0]
    watch = StuckWatch(per_node={"slow_llm": 5.0, "human": None}, clock=lambda: now[0])
    for task, node in (("t1", "slow_llm"), ("t2", "human"), ("t3", "other")):
        watch.observe(_started(task, node, 1000.0))
    now[0] = 1004.0
    assert watch.check() == []
    now[0] = 1010.0
    (stuck,) = watch.check()
    assert (stuck.node, stuck.elapsed_s, stuck.threshold_s) == ("slow_llm", 10.0, 5.0)
    now[0] = 1061.0
    assert [s.node for s in watch.check()] == ["slow_llm", "other"]  # default 60 s; 'human' never
    watch.observe(_finished("t1"))
    assert [s.node for s in watch.check(now=1061.0)] == ["other"]


def _finished(task_id: str) -> PhaseFinishedEvent:
    return PhaseFinishedEvent(seq=2, time=0.0, task_id=task_id, status="done")


def test_stuck_watch_flags_a_real_slow_node_live():
    class S(TypedDict, total=False):
        done: bool

    release = threading.Event()

    def slow(state: S) -> S:
        release.wait(5)
        return {"done": True}

    builder = StateGraph(S)
    builder.add_node("slow", slow)
    builder.add_edge(START, "slow")
    watch = StuckWatch(per_node={"slow": 0.2})
    runner = threading.Thread(target=run_session, args=(builder.compile(), [{}]), kwargs={"on_event": watch.observe})
    runner.start()
    try:
        deadline = time.monotonic() + 5
        flagged = []
        while not flagged and time.monotonic() < deadline:
            flagged = watch.check()
            time.sleep(0.02)
    finally:
        release.set()
        runner.join(5)
    assert flagged and flagged[0].node == "slow" and flagged[0].elapsed_s > 0.2
    assert watch.check() == []  # finished: no longer flagged


# -- the debugger's own runs: LangGraph's hooks against its stream modes -----------------------


def runner_session(graph: Any, payloads: list[Any], thread_id: str = "t1") -> list[Any]:
    """Like ``run_session``, through the debugger's session and Runner (the extractor
    attached to LangGraph's hooks for custom events, messages and subgraph parts): a
    start, then resumes answering every pending interrupt."""
    from agent_debug.inspector.acting_store import open_store_for_app
    from agent_debug.inspector.session import DebugSession
    from agent_debug.inspector.sources.local import LocalSource

    store = open_store_for_app("memory", create=True)
    events: list[Any] = []
    controller = DebugSession(LocalSource(store, graph))
    controller.sink = events.append
    outcome = controller.start(thread_id, payloads[0])
    for payload in payloads[1:]:
        outcome = controller.resume(thread_id, {i.id: payload.resume for i in outcome.interrupts})
    store.close()
    return events


def _signature(events: list[Any]) -> Counter:
    """What both ways of listening must agree on, task ids (random per run) left out."""

    def shape(namespace: str) -> str:
        return "|".join(part.split(":")[0] for part in namespace.split("|")) if namespace else ""

    def said(e: Any) -> str:
        for attr in ("text", "message", "payload", "name", "value", "status"):
            if hasattr(e, attr):
                return repr(getattr(e, attr))
        return ""

    # Custom events from parallel tasks: the stream modes cannot tell which task wrote
    # them (node None), the hook can; that is compared separately.
    return Counter(
        (e.kind, None if e.kind == "custom" else e.node, shape(e.namespace), said(e))
        for e in events
        if e.kind not in ("run_started", "run_finished")
    )


@pytest.mark.parametrize(
    "graph, payloads",
    [
        (feature_request.graph, [{"request": "Add a --json flag"}, Command(resume=True)]),
        (tool_agent.graph, [{"messages": [("user", "Find the cache docs and clean the build dir")]}, Command(resume=True)]),
        (supervisor.graph, [{"topic": "checkpoint storage"}, Command(resume=True)]),
    ],
    ids=["feature_request", "tool_agent", "supervisor"],
)
def test_the_runner_hears_what_the_stream_modes_say(graph: Any, payloads: list[Any], monkeypatch: pytest.MonkeyPatch):
    """The Runner listens through LangGraph's private hooks (pinned version; all in
    inspector/events/hooks.py, whose names tests/test_events_hooks.py checks); the same
    events must come out as through the public stream modes, kind by kind."""
    from agent_debug.inspector.events import hooks

    hooked: list[bool] = []
    wire = hooks.hooked_config

    def counted(*args: Any, **kwargs: Any) -> Any:
        config = wire(*args, **kwargs)
        hooked.append(config is not None)
        return config

    monkeypatch.setattr(hooks, "hooked_config", counted)
    heard = runner_session(graph, payloads)
    # Every run was heard through the hooks, not through the fallback to the stream modes.
    assert hooked and all(hooked)
    attached = _signature(heard)
    streamed = _signature(run_session(graph, payloads))
    assert attached == streamed
    assert all(e.node and e.task_id for e in heard if e.kind == "custom")
    assert {kind for kind, *_ in attached} >= {"phase_started", "phase_finished", "checkpoint", "token"}


class _BlobState(TypedDict, total=False):
    blob: bytes
    tags: set[str]


def test_bytes_and_sets_in_writes_are_shown_as_a_state_shows_them():
    """A phase's writes holding bytes and a set read like ``state --json`` values: marked
    base64 with the size, members sorted (not bare base64, not hash-seed order)."""
    graph = StateGraph(_BlobState)
    graph.add_node("pack", lambda s: {"blob": b"\x00\xffpng", "tags": {"zeta", "alpha", "mid"}})
    graph.add_edge(START, "pack")
    events = run_session(graph.compile(), [{}])
    [finished] = of(events, "phase_finished", node="pack")
    assert finished.writes["blob"] == {"__type__": "bytes", "size": 5, "base64": "AP9wbmc="}
    assert finished.writes["tags"] == {"__type__": "builtins.set", "value": ["alpha", "mid", "zeta"]}
