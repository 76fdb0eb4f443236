"""The debug session every front end drives: its checks, its caches, and the user's graph left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.graph import END, START, StateGraph

from agent_debug.inspector.acting_store import open_store
from agent_debug.inspector.decisions import answer
from agent_debug.inspector.exceptions import ControlError, UsageError
from agent_debug.inspector.model import InterruptInfo
from agent_debug.inspector.session import DebugSession, open_session, plan_resume
from agent_debug.inspector.sources.local import LocalSource
from tests.graphs import _NestState, _mark, nested_builder, trivial_loop_builder, two_questions_builder


def _interrupt(id_: str | None, node: str = "ask", schema: Any = None, value: Any = "ok?") -> InterruptInfo:
    return InterruptInfo(id=id_, value=value, node=node, task_id="t-" + (id_ or "none"), response_schema=schema)


# -- plan_resume: the request checked against what is pending, before anything is sent ---------


def test_plan_resume_refuses_a_thread_with_nothing_pending():
    with pytest.raises(ControlError, match="not waiting at an interrupt"):
        plan_resume([], thread_id="t", approve=True)


@pytest.mark.parametrize(
    "how",
    [{}, {"approve": True, "reject": True}, {"has_value": True, "value": 1, "approve": True}],
)
def test_plan_resume_wants_exactly_one_kind_of_answer(how: dict[str, Any]):
    with pytest.raises(UsageError, match="exactly one of"):
        plan_resume([_interrupt("abc")], thread_id="t", **how)


def test_plan_resume_matches_an_interrupt_by_id_prefix():
    pending = [_interrupt("abc123", "first"), _interrupt("def456", "second")]
    assert plan_resume(pending, thread_id="t", interrupt_id="def", has_value=True, value={"v": 1}) == {"def456": {"v": 1}}


@pytest.mark.parametrize(("prefix", "what"), [("zzz", "no pending"), ("ab", "more than one")])
def test_plan_resume_refuses_an_id_matching_none_or_several(prefix: str, what: str):
    pending = [_interrupt("abc1"), _interrupt("abd2")]
    with pytest.raises(ControlError, match=what):
        plan_resume(pending, thread_id="t", interrupt_id=prefix, approve=True)


def test_plan_resume_wants_an_id_for_a_value_when_two_are_pending():
    with pytest.raises(ControlError, match="2 interrupts are pending"):
        plan_resume([_interrupt("a1"), _interrupt("b2")], thread_id="t", has_value=True, value="x")


def test_plan_resume_approves_every_pending_interrupt_as_its_shape_asks():
    pending = [_interrupt("a1", value="yes?"), _interrupt("b2", value={"action_requests": [], "review_configs": []})]
    plan = plan_resume(pending, thread_id="t", approve=True)
    assert plan == {i.id: answer(i, approve=True, message=None) for i in pending}


def test_plan_resume_refuses_an_interrupt_without_an_id():
    with pytest.raises(ControlError, match="has no id"):
        plan_resume([_interrupt(None)], thread_id="t", approve=True)


def test_plan_resume_checks_the_value_against_the_response_schema():
    schema = {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}
    with pytest.raises(ControlError, match="does not fit its response_schema"):
        plan_resume([_interrupt("a1", schema=schema)], thread_id="t", has_value=True, value={"ok": "yes"})
    assert plan_resume([_interrupt("a1", schema=schema)], thread_id="t", has_value=True, value={"ok": True}) == {"a1": {"ok": True}}


# -- the session's verbs on real stores ----------------------------------------------------------


def _counting(source: Any, method: str) -> list[dict[str, Any]]:
    """Record each call of ``source.method`` (its keyword arguments) and let it through."""
    calls: list[dict[str, Any]] = []
    real = getattr(source, method)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(*args, **kwargs)

    setattr(source, method, counted)
    return calls


def test_a_step_reads_the_history_at_most_once_per_change_and_only_what_is_new(tmp_path: Path):
    graph = trivial_loop_builder().compile()
    with open_store(str(tmp_path / "loop.db"), create=True) as store:
        session = DebugSession(LocalSource(store, graph))
        session.start("t", {"until": 50}, step=True)
        reads = _counting(store.source, "history")
        for _ in range(4):
            before = len(reads)
            outcome = session.step("t")
            assert outcome.error is None and outcome.new_checkpoints
            assert len(reads) - before <= 1, reads[before:]
        # The first read is the whole history; the later ones ask only for a page of new rows.
        assert reads[0].get("limit", 50) is None
        assert all(r.get("limit") is not None for r in reads[1:]), reads
        # Once read after the last step, nothing changed: checking the graph again reads nothing.
        session.refresh()
        session.check_graph("t")
        before = len(reads)
        for _ in range(3):
            session.refresh()
            session.check_graph("t")
        assert len(reads) == before


def test_the_nodes_a_thread_ran_are_the_same_read_whole_or_page_by_page(tmp_path: Path):
    graph = trivial_loop_builder().compile()
    with open_store(str(tmp_path / "loop.db"), create=True) as store:
        stepping = DebugSession(LocalSource(store, graph))
        stepping.start("t", {"until": 50}, step=True)
        for _ in range(3):
            stepping.step("t")
            whole = {n for c in store.source.history("t", limit=None).checkpoints for n in c.nodes}
            assert stepping.nodes_ran("t") == whole | set(store.source.thread("t").next)


def test_a_resume_reads_the_thread_summary_before_and_after_only(tmp_path: Path):
    graph = two_questions_builder().compile()
    with open_store(str(tmp_path / "two.db"), create=True) as store:
        session = DebugSession(LocalSource(store, graph))
        assert session.start("t", {"acc": []}).status.value == "interrupted"
        summaries = _counting(store.source, "thread")
        outcome = session.answer("t", approve=True)
        assert outcome.action == "resume" and set(outcome.sent) and outcome.status.value == "done"
        assert len(summaries) <= 2


def test_a_resume_of_an_interrupt_already_answered_is_refused(tmp_path: Path):
    graph = two_questions_builder().compile()
    with open_store(str(tmp_path / "two.db"), create=True) as store:
        session = DebugSession(LocalSource(store, graph))
        session.start("t", {"acc": []})
        plan = session.plan_resume("t", approve=True)
        session.resume("t", plan)
        with pytest.raises(ControlError, match="no pending interrupt"):
            session.resume("t", plan)


def test_a_read_only_session_refuses_to_act_with_one_line(scenario_db: tuple[Path, Any]):
    with open_session(str(scenario_db[0])) as session:
        thread = session.source.threads().threads[0].thread_id
        for act in (lambda: session.step(thread), lambda: session.toggle_breakpoint("x"), lambda: session.fork(thread, "c", {})):
            with pytest.raises(ControlError, match="open read-only; give the graph with --graph"):
                act()


# -- breakpoints are passed per run: the user's graph is never changed -----------------------------


def _breakpoint_lists(graph: Any) -> dict[str, Any]:
    found = {"": (graph.interrupt_before_nodes, graph.interrupt_after_nodes)}
    for path, sub in graph.get_subgraphs(recurse=True):
        found[path] = (list(sub.interrupt_before_nodes), list(sub.interrupt_after_nodes))
    return found


def test_a_subgraph_breakpoint_stops_there_and_leaves_the_users_graph_as_it_was(tmp_path: Path):
    graph = nested_builder().compile()
    lists, nodes = _breakpoint_lists(graph), dict(graph.nodes)
    with open_store(str(tmp_path / "nested.db"), create=True) as store:
        session = DebugSession(LocalSource(store, graph))
        session.toggle_breakpoint("middle:inner:deep")
        session.toggle_breakpoint("enter", after=True)
        assert session.start("n", {"trail": []}).next == ["middle"]  # after enter
        session.toggle_breakpoint("enter", after=True)
        stopped = session.cont("n")
        inner = next(n.namespace for n in store.source.namespaces("n") if "|inner:" in n.namespace)
        assert stopped.status.value == "pending" and store.source.state("n", namespace=inner).next == ["deep"]
        assert _breakpoint_lists(graph) == lists
        assert dict(graph.nodes) == nodes and all(graph.nodes[k] is v for k, v in nodes.items())
        # The user's own graph, run by itself, does not stop inside the subgraph.
        plain = graph.invoke({"trail": []})
        assert plain["trail"][-1] == "leave"


def test_the_supervisor_fixture_keeps_its_subgraph_breakpoints_empty(tmp_path: Path):
    from agent_debug.fixtures import supervisor

    before = _breakpoint_lists(supervisor.graph)
    with open_store(str(tmp_path / "sup.db"), create=True) as store:
        session = DebugSession(LocalSource(store, supervisor.graph))
        assert session.toggle_breakpoint("writer:draft") is True
        session._graph_to_run(session.graphs.only)
        assert _breakpoint_lists(supervisor.graph) == before
        assert session.toggle_breakpoint("writer:draft") is False


def test_a_breakpoint_in_a_subgraph_called_from_a_function_is_refused(tmp_path: Path):
    inner = StateGraph(_NestState)
    inner.add_node("deep", _mark("deep"))
    inner.add_edge(START, "deep")
    inner.add_edge("deep", END)

    def make_caller(compiled: Any) -> Any:
        def call(state: _NestState) -> dict[str, Any]:
            return compiled.invoke(state)

        return call

    outer = StateGraph(_NestState)
    outer.add_node("call", make_caller(inner.compile()))
    outer.add_edge(START, "call")
    outer.add_edge("call", END)
    graph = outer.compile()
    with open_store(str(tmp_path / "fn.db"), create=True) as store:
        session = DebugSession(LocalSource(store, graph))
        assert "call:deep" in session.nodes
        with pytest.raises(ControlError, match="calls it from its own function"):
            session.toggle_breakpoint("call:deep")
        assert not session.break_before


# -- a GRAPH_REF target: the graph over the embedded store `run` writes -----------------------------


def test_a_graph_ref_target_opens_a_local_source_on_the_run_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from agent_debug.inspector.exceptions import TargetError
    from agent_debug.inspector.paths import default_run_store
    from agent_debug.inspector.sources.base import Capability
    from agent_debug.inspector.targets import open_source

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    ref = "tests.graphs:linear"
    with pytest.raises(TargetError, match="no runs of tests.graphs:linear yet"):
        open_source(ref)
    with pytest.raises(TargetError, match="no runs of tests.graphs:linear yet"):
        open_session(ref)
    assert not default_run_store().exists() and not default_run_store().parent.exists()
    default_run_store().parent.mkdir(parents=True)
    with open_session(str(default_run_store()), graph=__import__("tests.graphs").graphs.linear, create=True) as writer:
        writer.start("g", {"x": 1})
    with open_session(ref) as session:
        assert session.can(Capability.CONTROL) and session.can(Capability.EVENTS)
        assert session.thread("g").status.value == "interrupted"
        assert session.answer("g", approve=True).status.value == "done"
    with open_source(ref) as source:  # the read-only commands: no graph code is imported
        assert Capability.CONTROL not in source.capabilities
        assert source.thread("g").status.value == "done"


def test_a_pause_asked_while_the_action_makes_its_checks_stops_its_run(tmp_path: Path):
    graph = trivial_loop_builder().compile()
    with open_store(str(tmp_path / "loop.db"), create=True) as store:
        session = DebugSession(LocalSource(store, graph))
        session.start("t", {"until": 50}, step=True)
        real = store.source.history

        def pausing(*args: Any, **kwargs: Any) -> Any:
            session.pause()  # asked before the run exists: during the check of the graph
            return real(*args, **kwargs)

        store.source.history = pausing
        outcome = session.cont("t")
        # Stopped at the first step boundary (before or after one step), not at the end.
        assert outcome.paused and outcome.status.value == "pending" and len(outcome.new_checkpoints) <= 1
        store.source.history = real
        assert not session.cont("t").paused  # the pause was used up by the run it stopped
        assert store.source.thread("t").status.value == "done"


def test_set_and_clear_a_breakpoint_say_what_they_did(tmp_path: Path):
    with open_store(str(tmp_path / "n.db"), create=True) as store:
        session = DebugSession(LocalSource(store, nested_builder().compile()))
        session.set_breakpoint("leave")
        session.set_breakpoint("leave")
        assert session.break_before == {"leave"}
        assert session.clear_breakpoint("leave") is True and session.clear_breakpoint("leave") is False
        assert not session.break_before
