"""The inspector on the demo store: every seeded thread reads as LangGraph says it is."""

from __future__ import annotations

import sqlite3
from importlib import import_module

import pytest

from agent_debug.inspector.targets import open_source

EXPECTED_STATUS = {"done": "done", "forked": "done", "revised": "done", "interrupted": "interrupted", "error": "error", "pending": "pending"}


@pytest.fixture(scope="module")
def graphs(seeded_db):
    """Each thread's real graph, bound to the store (read-only) for LangGraph's own answers."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    path, report = seeded_db
    saver = SqliteSaver(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))
    out = {}
    for tid, ref in report.graphs.items():
        module, attr = ref.split(":")
        out[tid] = getattr(import_module(module), attr).copy(update={"checkpointer": saver})
    return out


@pytest.fixture(scope="module")
def source(seeded_db):
    path, _ = seeded_db
    with open_source(str(path)) as src:
        yield src


def test_every_end_state_reads_right(source, seeded_db):
    _, report = seeded_db
    got = {t.thread_id: t.status.value for t in source.threads().threads}
    expected = {tid: EXPECTED_STATUS[state] for state, tids in report.by_end_state().items() for tid in tids}
    assert got == expected
    assert set(got.values()) == {"done", "interrupted", "error", "pending"}


def test_next_interrupts_and_errors_agree_with_get_state(source, graphs):
    for tid, graph in graphs.items():
        snap = graph.get_state({"configurable": {"thread_id": tid}})
        summary = source.thread(tid)
        assert set(summary.next) == set(snap.next), tid
        assert sorted(i.id for i in summary.interrupts) == sorted(i.id for i in snap.interrupts), tid
        assert [(e.node, f"{e.type}({e.message!r})") for e in summary.errors] == [
            (t.name, t.error) for t in snap.tasks if t.error
        ], tid


def test_history_nodes_agree_with_the_planned_tasks(source, graphs):
    for tid, graph in graphs.items():
        expected = list(graph.get_state_history({"configurable": {"thread_id": tid}}))
        rows = source.history(tid, limit=None).checkpoints
        assert [r.checkpoint_id for r in rows] == [s.config["configurable"]["checkpoint_id"] for s in expected], tid
        planned = {s.config["configurable"]["checkpoint_id"]: sorted({t.name for t in s.tasks}) for s in expected}
        for r in rows:
            if r.source == "loop":
                assert sorted(set(r.nodes)) == planned[r.parent_id], (tid, r.step)


def test_supervisor_subgraphs_and_sends(source, seeded_db):
    _, report = seeded_db
    tid = next(t for t in report.interrupted if t.startswith("supervisor"))
    spaces = [n.namespace for n in source.namespaces(tid)]
    assert spaces[0] == ""
    assert any(ns.startswith("researcher:") for ns in spaces)
    assert any(ns.startswith("writer:") for ns in spaces)
    researcher = next(ns for ns in spaces if ns.startswith("researcher:"))
    nodes = {n for c in source.history(tid, namespace=researcher, limit=None).checkpoints for n in c.nodes}
    assert "investigate" in nodes  # Send tasks named inside the subgraph
    [intr] = source.thread(tid).interrupts
    assert intr.node == "writer"


def test_thinking_in_all_three_formats(source, seeded_db):
    _, report = seeded_db
    tid = report.done[0]
    messages = source.state(tid).messages
    reasoning_ai = [m for m in messages if m.role == "ai" and m.reasoning]
    assert len(reasoning_ai) >= 3
    assert all(m.usage and m.usage.get("total_tokens") for m in messages if m.role == "ai")
