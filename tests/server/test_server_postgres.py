"""A server on a real PostgreSQL checkpointer: reading its database directly and reading
through the server agree, thread by thread, checkpoint by checkpoint."""

from __future__ import annotations

import pytest

from agent_debug.inspector.targets import open_source


@pytest.fixture(scope="module")
def runs(langgraph_pg_server):
    made = {
        "review": langgraph_pg_server.run("review", {"draft": "pg"})[0],
        "nested": langgraph_pg_server.run("nested", {"n": 1})[0],
        "failing": langgraph_pg_server.run("failing", {"n": 0})[0],
    }
    # One answered interrupt: a resumed task's writes, then two more checkpoints.
    answered = langgraph_pg_server.run("review", {"draft": "answered"})[0]
    langgraph_pg_server.run("review", None, thread_id=answered, command={"resume": {"approved": True}})
    made["answered"] = answered
    return made


def _summary(t):
    return (
        t.thread_id,
        t.status,
        t.checkpoint_id,
        t.last_step,
        t.last_node,
        t.next,
        [(i.id, i.node, i.value, i.response_schema) for i in t.interrupts],
        [(e.type, e.message, e.node, e.classification) for e in t.errors],
    )


def test_threads_history_and_state_agree(langgraph_pg_server, runs):
    with open_source(langgraph_pg_server.url) as server, open_source(langgraph_pg_server.dsn) as store:
        for name, thread in runs.items():
            assert _summary(server.thread(thread)) == _summary(store.thread(thread)), name
            by_server = server.history(thread, limit=None).checkpoints
            by_store = store.history(thread, limit=None).checkpoints
            assert [(c.checkpoint_id, c.parent_id, c.step, c.source, c.nodes) for c in by_server] == [
                (c.checkpoint_id, c.parent_id, c.step, c.source, c.nodes) for c in by_store
            ], name
            for row in by_store:
                ours = server.state(thread, checkpoint_id=row.checkpoint_id)
                theirs = store.state(thread, checkpoint_id=row.checkpoint_id)
                # The store's reader leaves out a reducer channel never written yet (only
                # the graph knows it has one: README "Works with"); LangGraph shows it empty.
                unwritten = {k: v for k, v in ours.values.items() if k not in theirs.values}
                assert all(v in ([], {}) for v in unwritten.values()), (name, row.step, unwritten)
                assert {k: v for k, v in ours.values.items() if k in theirs.values} == theirs.values, (name, row.step)
                assert ours.next == theirs.next and ours.parent_id == theirs.parent_id, (name, row.step)
                assert [(w.node, w.channel, w.value) for w in ours.pending_writes if not w.channel.startswith("__")] == [
                    (w.node, w.channel, w.value) for w in theirs.pending_writes if not w.channel.startswith(("__", "branch:"))
                ], (name, row.step)


def test_subgraph_namespaces_agree(langgraph_pg_server, runs):
    with open_source(langgraph_pg_server.url) as server, open_source(langgraph_pg_server.dsn) as store:
        thread = runs["nested"]
        ours = [(n.namespace, n.checkpoint_count, n.latest_checkpoint_id) for n in server.namespaces(thread)]
        theirs = [(n.namespace, n.checkpoint_count, n.latest_checkpoint_id) for n in store.namespaces(thread)]
        assert sorted(ours) == sorted(theirs) and len(ours) == 2
        inner = next(ns for ns, _, _ in ours if ns)
        assert [c.checkpoint_id for c in server.history(thread, namespace=inner, limit=None).checkpoints] == [
            c.checkpoint_id for c in store.history(thread, namespace=inner, limit=None).checkpoints
        ]
        assert server.state(thread, namespace=inner).values == store.state(thread, namespace=inner).values
