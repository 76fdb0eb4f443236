"""Two levels of subgraphs: a breakpoint on the innermost node, and a replay that stays inside it."""

from __future__ import annotations

from pathlib import Path

from agent_debug.inspector.acting_store import open_store
from agent_debug.inspector.session import DebugSession
from agent_debug.inspector.sources.local import LocalSource
from tests.graphs import nested_builder


def _inner_namespace(source, thread: str) -> str:
    return next(n.namespace for n in source.namespaces(thread) if "|inner:" in n.namespace)


def test_breakpoint_two_subgraph_levels_deep(tmp_path: Path):
    graph = nested_builder().compile()
    with open_store(str(tmp_path / "nested.db"), create=True) as store:
        controller = DebugSession(LocalSource(store, graph))
        assert "middle:inner:deep" in controller.nodes
        controller.toggle_breakpoint("middle:inner:deep")
        stopped = controller.start("n1", {"trail": []})
        assert stopped.error is None and stopped.status.value == "pending"
        source = store.source
        inner = _inner_namespace(source, "n1")
        assert inner.startswith("middle:") and source.state("n1", namespace=inner).next == ["deep"]
        assert source.state("n1").values["trail"] == ["enter"]  # stopped inside, before deep ran
        controller.toggle_breakpoint("middle:inner:deep")  # clear it (the compiled subgraph is shared)
        done = controller.cont("n1")
        assert done.status.value == "done"
        trail = source.state("n1").values["trail"]  # (a subgraph hands back the whole list: the reducer adds it again)
        assert trail[-1] == "leave" and {"prepare", "deep", "polish"} <= set(trail)


def test_replay_two_subgraph_levels_deep_stays_there(tmp_path: Path):
    graph = nested_builder().compile()
    db = str(tmp_path / "nested.db")
    with open_store(db, create=True) as store:
        DebugSession(LocalSource(store, graph)).start("n2", {"trail": []})
        source = store.source
        inner = _inner_namespace(source, "n2")
        spaces = {n.namespace: n.checkpoint_count for n in source.namespaces("n2")}
        rows = source.history("n2", namespace=inner, limit=None).checkpoints
        start = next(r.parent_id for r in rows if r.nodes == ["polish"])
        outcome = DebugSession(LocalSource(store, graph)).replay("n2", start, namespace=inner, update={"depth_note": "again"}, as_node="deep")
        assert outcome.namespace == inner and outcome.phases == ["polish"]
        after = {n.namespace: n.checkpoint_count for n in source.namespaces("n2")}
        # Only the inner subgraph's namespace grew: the update and the replayed phase.
        assert {k: v for k, v in after.items() if k != inner} == {k: v for k, v in spaces.items() if k != inner}
        assert after[inner] > spaces[inner]
        written = next(w.value for w in outcome.replay_writes if w.channel == "trail")
        assert written == ["polish(again)"]
        assert next(w.value for w in outcome.original_writes if w.channel == "trail") == ["polish"]
