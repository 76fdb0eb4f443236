"""The checkpoint-store inspector on SQLite, checked against LangGraph's own API."""

from __future__ import annotations

import pytest

from agent_debug.inspector.exceptions import NotFoundError
from agent_debug.inspector.model import ThreadStatus
from agent_debug.inspector.sources.checkpoints import checkpoint_time, parse_error
from agent_debug.inspector.targets import open_source


def cfg(thread_id: str, ns: str = "") -> dict:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns}}


@pytest.fixture
def source(scenario_db):
    path, _ = scenario_db
    with open_source(str(path)) as src:
        yield src


def test_thread_statuses_match_the_runs(source, scenario_db):
    _, scenarios = scenario_db
    listing = source.threads()
    assert listing.total == len(scenarios)
    got = {t.thread_id: t.status.value for t in listing.threads}
    assert got == {tid: s.status for tid, s in scenarios.items()}


def test_thread_summary_agrees_with_get_state(source, scenario_db):
    _, scenarios = scenario_db
    for tid, sc in scenarios.items():
        summary = source.thread(tid)
        snap = sc.graph.get_state(cfg(tid))
        assert summary.checkpoint_id == snap.config["configurable"]["checkpoint_id"], tid
        assert set(summary.next) == set(snap.next), tid
        assert summary.last_step == snap.metadata["step"], tid
        assert summary.checkpoint_count == len(list(sc.graph.get_state_history(cfg(tid)))), tid
        assert summary.updated_at is not None
        assert abs(summary.updated_at.timestamp() - _ts(snap.created_at)) < 0.01, tid
        assert [i.id for i in summary.interrupts] == [i.id for i in snap.interrupts], tid


def _ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def test_interrupt_and_error_details(source):
    waiting = source.thread("waiting")
    assert waiting.status is ThreadStatus.INTERRUPTED
    [intr] = waiting.interrupts
    assert intr.node == "approve"
    assert intr.value == {"question": "ship it?", "x": 2}
    assert intr.id

    failed = source.thread("failed")
    [err] = failed.errors
    assert (err.type, err.message, err.node) == ("ValueError", "x too large: 211", "finish")

    fan = source.thread("fanout")
    assert fan.status is ThreadStatus.INTERRUPTED
    assert [(i.node, i.value) for i in fan.interrupts] == [("writer", "sign off?")]


def test_status_filter_and_limit(source):
    only = source.threads(status=ThreadStatus.INTERRUPTED)
    assert {t.thread_id for t in only.threads} == {"waiting", "fanout"}
    assert len(source.threads(limit=2).threads) == 2


def test_a_first_page_of_threads_is_the_head_of_the_whole_listing(source):
    """``limit`` without a status filter reads only the page's threads (SQL picks them):
    the same rows, in the same order, as the whole listing's first ones, and its total."""
    whole = source.threads_document()
    for size in (1, 3, len(whole["threads"]) + 5):
        page = source.threads_document(limit=size)
        assert page["total"] == whole["total"]
        assert page["threads"] == whole["threads"][:size]


def test_history_matches_get_state_history(source, scenario_db):
    _, scenarios = scenario_db
    for tid, sc in scenarios.items():
        expected = list(sc.graph.get_state_history(cfg(tid)))
        page = source.history(tid, limit=None)
        assert page.total == len(expected)
        assert [c.checkpoint_id for c in page.checkpoints] == [s.config["configurable"]["checkpoint_id"] for s in expected]
        assert [c.parent_id for c in page.checkpoints] == [
            s.parent_config["configurable"]["checkpoint_id"] if s.parent_config else None for s in expected
        ]
        assert [c.step for c in page.checkpoints] == [s.metadata["step"] for s in expected]
        assert [c.source for c in page.checkpoints] == [s.metadata["source"] for s in expected]
        # The nodes that produced a loop checkpoint are the tasks LangGraph planned at its parent.
        by_id = {s.config["configurable"]["checkpoint_id"]: s for s in expected}
        for c in page.checkpoints:
            if c.source == "loop":
                assert sorted(set(c.nodes)) == sorted({t.name for t in by_id[c.parent_id].tasks}), (tid, c)
            else:
                assert c.nodes == []


def test_send_tasks_are_named(source):
    rows = source.history("fanout", limit=None).checkpoints
    assert ["work"] in [c.nodes for c in rows]
    assert source.thread("fanout").next == ["writer"]


def test_history_pages_with_before(source):
    full = [c.checkpoint_id for c in source.history("finished", limit=None).checkpoints]
    seen, before = [], None
    while True:
        page = source.history("finished", limit=2, before=before)
        seen += [c.checkpoint_id for c in page.checkpoints]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == full
    assert len(full) > 4


def test_fork_is_visible_in_history(source):
    rows = source.history("forked", limit=None).checkpoints
    updates = [c for c in rows if c.source == "update"]
    assert len(updates) == 1
    children_of_parent = [c for c in rows if c.parent_id == updates[0].parent_id]
    assert len(children_of_parent) == 2  # the original branch and the fork


def test_state_values_and_messages(source, scenario_db):
    _, scenarios = scenario_db
    state = source.state("finished")
    expected = scenarios["finished"].graph.get_state(cfg("finished")).values
    assert state.values["x"] == expected["x"]
    assert state.values["acc"] == expected["acc"]
    assert [m.role for m in state.messages] == ["human", "ai", "ai", "ai"]
    assert [m.text for m in state.messages] == ["go", "standard", "claude", "deepseek"]
    assert [m.reasoning for m in state.messages[1:]] == [
        ["weigh the options"],
        ["anthropic style"],
        ["reasoning_content style"],
    ]
    assert state.messages[1].usage == {"input_tokens": 3, "output_tokens": 5, "total_tokens": 8}
    assert state.messages[1].name == "thinker"
    assert state.messages[3].model == "offline-1"
    assert state.values["messages"][1]["__type__"] == "langchain_core.messages.ai.AIMessage"
    assert state.decoded == "safe"


def test_state_at_a_checkpoint_and_path(source, scenario_db):
    _, scenarios = scenario_db
    graph = scenarios["finished"].graph
    for snap in graph.get_state_history(cfg("finished")):
        cid = snap.config["configurable"]["checkpoint_id"]
        state = source.state("finished", checkpoint_id=cid)
        assert state.values.get("x") == snap.values.get("x"), cid
        assert set(state.next) == set(snap.next), cid
    assert source.state("finished", path="messages.2.content") == source.state("finished", path="messages.2.content")
    assert source.state("finished", path="messages.3.content").values == "deepseek"
    with pytest.raises(NotFoundError, match="no value at path 'messages.9'"):
        source.state("finished", path="messages.9")
    with pytest.raises(NotFoundError, match="keys there: x, messages"):
        source.state("finished", path="nope")


def test_pending_writes_at_error_and_interrupt(source):
    failed = source.state("failed")
    assert [(e.type, e.node) for e in failed.errors] == [("ValueError", "finish")]
    assert "__error__" in {w.channel for w in failed.pending_writes}
    waiting = source.state("waiting")
    assert waiting.interrupts[0].value["question"] == "ship it?"


def test_subgraph_namespaces(source, scenario_db):
    _, scenarios = scenario_db
    spaces = source.namespaces("fanout")
    assert spaces[0].namespace == ""
    [sub] = spaces[1:]
    assert sub.namespace.startswith("writer:")
    saver = scenarios["fanout"].graph.checkpointer
    expected = list(saver.list(cfg("fanout", sub.namespace)))
    page = source.history("fanout", namespace=sub.namespace, limit=None)
    assert [c.checkpoint_id for c in page.checkpoints] == [t.config["configurable"]["checkpoint_id"] for t in expected]
    state = source.state("fanout", namespace=sub.namespace)
    assert state.values == {"x": 12}
    assert [i.value for i in state.interrupts] == ["sign off?"]
    assert state.next == ["sign"]


def test_unknown_ids_are_errors_with_hints(source):
    with pytest.raises(NotFoundError, match=r"no thread 'nope'.*agent-debug threads"):
        source.thread("nope")
    with pytest.raises(NotFoundError, match=r"no thread 'nope'"):
        source.history("nope")
    with pytest.raises(NotFoundError, match=r"no checkpoint 'abc' in thread 'waiting'.*agent-debug history"):
        source.state("waiting", checkpoint_id="abc")
    with pytest.raises(NotFoundError, match=r"no checkpoint 'abc'"):
        source.history("waiting", before="abc")
    with pytest.raises(NotFoundError, match=r"has no namespace 'zzz'"):
        source.history("fanout", namespace="zzz")


def test_checkpoint_time_and_error_parsing():
    assert checkpoint_time("not-a-uuid") is None
    assert checkpoint_time("1f1e76ab-435c-63d2-bfff-9472d656d6ac").year == 2026
    assert parse_error("ValueError('boom')") == ("ValueError", "boom")
    assert parse_error("mod.RateLimitError('429 Too Many Requests', 3)") == ("mod.RateLimitError", "429 Too Many Requests, 3")
    assert parse_error("KeyError()") == ("KeyError", "")
    assert parse_error("Weird(<object at 0x1>)") == ("Weird", "<object at 0x1>")
    assert parse_error("plain text") == ("Error", "plain text")
