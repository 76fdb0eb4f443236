"""The timeline model on real LangGraph runs, compared with LangGraph's own history."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent_debug.inspector.targets import open_source
from agent_debug.inspector.timeline import build_timeline, describe
from tests.timeline_graph import timeline_builder, write_threads


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("timeline") / "runs.db"
    write_threads(path)
    return path


def _langgraph_history(path: Path, thread: str, namespace: str = "") -> list:
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        graph = timeline_builder().compile(checkpointer=SqliteSaver(conn))
        config = {"configurable": {"thread_id": thread, "checkpoint_ns": namespace}}
        return list(graph.get_state_history(config))
    finally:
        conn.close()


def _timeline(path: Path, thread: str, **kw):
    with open_source(str(path)) as source:
        return build_timeline(source, thread, now=datetime(2100, 1, 1, tzinfo=UTC), **kw)


def _at(snapshot) -> datetime:
    return datetime.fromisoformat(snapshot.created_at)


def _near(a: datetime | None, b: datetime) -> bool:
    """The same moment: the store dates a checkpoint by its id, LangGraph by its ``ts``,
    taken a few microseconds apart when it saved it."""
    return a is not None and abs(a - b) < timedelta(milliseconds=1)


def test_root_phases_span_parent_to_child_as_langgraph_records_them(store: Path):
    timeline = _timeline(store, "answered")
    history = {s.config["configurable"]["checkpoint_id"]: s for s in _langgraph_history(store, "answered")}
    root = [p for p in timeline.phases if p.namespace == "" and p.kind == "loop"]
    assert [p.node for p in root] == ["__start__", "prep", "writer", "flaky"]
    for phase in root:
        made = history[phase.checkpoint_id]
        parent = history[made.parent_config["configurable"]["checkpoint_id"]]
        assert _near(phase.start, _at(parent)) and _near(phase.end, _at(made))
        # The tasks LangGraph lists at the parent are the phases that made the child.
        assert [t.name for t in parent.tasks] == [phase.node]
        assert phase.status == "done" and phase.step == made.metadata["step"]
    assert [p.kind for p in timeline.phases][0] == "input"


def test_the_span_of_an_answered_interrupt_is_waiting_and_the_subgraph_says_where(store: Path):
    timeline = _timeline(store, "answered")
    writer = next(p for p in timeline.phases if p.node == "writer")
    sub = [p for p in timeline.phases if p.namespace.startswith("writer:")]
    sign = next(p for p in sub if p.node == "sign")
    # LangGraph lists the interrupt on the writer task at the checkpoint its step began from.
    parent = next(s for s in _langgraph_history(store, "answered") if s.config["configurable"]["checkpoint_id"] != writer.checkpoint_id and s.tasks and s.tasks[0].name == "writer")
    assert parent.tasks[0].interrupts
    # The interrupted sub-phase: its whole span is waiting (the store has no time for the answer).
    assert [(w.start, w.end, w.reason, w.exact) for w in sign.waits] == [(sign.start, sign.end, "interrupt", False)]
    assert sign.work(timeline.now) == 0.0
    # The host waited where its subgraph waited; the rest of its span is work.
    assert writer.waits == sign.waits
    assert writer.work(timeline.now) == pytest.approx(writer.duration(timeline.now) - sign.duration(timeline.now))
    # Nested under their host, right after it, in time order.
    at = timeline.phases.index(writer)
    assert list(timeline.phases[at + 1 : at + 1 + len(sub)]) == sub and {p.depth for p in sub} == {1}
    assert [p.node for p in sub] == ["__start__", "draft", "sign"]
    # The subgraph's spans match LangGraph's own history of that namespace.
    sub_history = {s.config["configurable"]["checkpoint_id"]: s for s in _langgraph_history(store, "answered", sign.namespace)}
    assert _near(sign.end, _at(sub_history[sign.checkpoint_id]))
    # The history's +N column shows that span as waiting, not phase time.
    waited = timeline.waited_checkpoints("")
    assert set(waited) == {writer.checkpoint_id, next(p.checkpoint_id for p in timeline.phases if p.node == "flaky")}
    assert timeline.waited_checkpoints(sign.namespace) == {sign.checkpoint_id: sign.duration(timeline.now)}


def test_a_failure_run_again_later_is_a_retry(store: Path):
    timeline = _timeline(store, "answered")
    flaky = next(p for p in timeline.phases if p.node == "flaky")
    history = _langgraph_history(store, "answered")
    failed_at = next(s for s in history if s.tasks and s.tasks[0].name == "flaky")
    assert failed_at.tasks[0].error is not None  # LangGraph keeps the failure on the checkpoint
    assert flaky.status == "done" and flaky.attempts == 2 and flaky.retries == 1
    assert [w.reason for w in flaky.waits] == ["error"]  # idle between the failure and the re-run
    others = [p for p in timeline.phases if p.node not in ("flaky",)]
    assert all(p.attempts == 1 for p in others)


def test_a_thread_waiting_at_an_interrupt_waits_until_now(store: Path):
    timeline = _timeline(store, "waiting")
    head = _langgraph_history(store, "waiting")[0]
    waiting = [p for p in timeline.phases if p.status == "interrupted"]
    assert [(p.namespace == "", p.node) for p in waiting] == [(True, "writer"), (False, "sign")]
    writer, sign = waiting
    assert _near(writer.start, _at(head)) and writer.end is None and writer.checkpoint_id == head.config["configurable"]["checkpoint_id"]
    assert sign.depth == 1 and timeline.phases[timeline.phases.index(writer) + 3] == sign
    assert sign.waited(timeline.now) == pytest.approx((timeline.now - sign.start).total_seconds())
    assert timeline.end == timeline.now


def test_a_failed_head_is_an_error_phase(store: Path):
    timeline = _timeline(store, "failing")
    head = _langgraph_history(store, "failing")[0]
    failed = [p for p in timeline.phases if p.status == "error"]
    assert len(failed) == 1 and failed[0].node == "flaky" and head.tasks[0].error is not None
    assert failed[0].error == "RuntimeError: upstream down" and failed[0].end is None
    assert failed[0].duration(timeline.now) is None  # the store keeps no time for a failure
    assert timeline.end != timeline.now  # nothing runs: the axis ends at the last checkpoint


def test_bounded_to_the_newest_phases(store: Path):
    whole = _timeline(store, "answered")
    bounded = _timeline(store, "answered", limit=3)
    assert not whole.truncated and bounded.truncated
    root = [p for p in bounded.phases if p.namespace == ""]
    assert len(bounded.phases) <= 3 and [p.node for p in root][-1] == "flaky"


def test_an_unknown_thread_is_not_found(store: Path):
    from agent_debug.inspector.exceptions import NotFoundError

    with pytest.raises(NotFoundError):
        _timeline(store, "nope")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.0123, "12ms"), (3.42, "3.4s"), (42, "42s"), (240, "4m"), (7200, "2h"), (timedelta(days=3).total_seconds(), "3d"), (None, "?")],
)
def test_describe(seconds, shown):
    assert describe(seconds) == shown


def test_the_timeline_reads_without_writing(store: Path, tmp_path: Path):
    import shutil

    copy = tmp_path / "copy.db"
    shutil.copy(store, copy)
    before = sorted(p.name for p in tmp_path.iterdir())
    mtime = copy.stat().st_mtime_ns
    _timeline(copy, "answered")
    assert sorted(p.name for p in tmp_path.iterdir()) == before and copy.stat().st_mtime_ns == mtime
