"""Transitional: the names the command line imported before ``DebugSession`` (removed once
every caller uses ``inspector.session``)."""

from __future__ import annotations

from typing import Any

from agent_debug.inspector.acting_store import Store, check_store_file, open_store, open_store_for_app  # noqa: F401
from agent_debug.inspector.exceptions import ControlError  # noqa: F401
from agent_debug.inspector.runner import TASK_ID_KEY, Runner  # noqa: F401
from agent_debug.inspector.session import DebugSession, plan_resume  # noqa: F401
from agent_debug.inspector.sources.local import LocalSource
from agent_debug.inspector.user_graph import graph_nodes, subgraphs  # noqa: F401


def Controller(graph: Any, store: Store) -> DebugSession:  # noqa: N802
    return DebugSession(LocalSource(store, graph))


def check_graph_matches(source: Any, graph: Any, thread_id: str) -> None:
    DebugSession(LocalSource(_Borrowed(source), graph)).check_graph(thread_id)


class _Borrowed:
    def __init__(self, source: Any) -> None:
        self.source, self.checkpointer = source, None


def resume(store: Store, graph: Any, thread_id: str, plan: dict[str, Any]) -> Any:
    return Controller(graph, store).resume(thread_id, plan)


def replay(store: Store, graph: Any, thread_id: str, checkpoint_id: str, **kw: Any) -> Any:
    return Controller(graph, store).replay(thread_id, checkpoint_id, **{k: v for k, v in kw.items() if k != "as_node"}, as_node=kw.get("as_node"))


def fork(store: Store, graph: Any, thread_id: str, checkpoint_id: str, update: dict[str, Any], as_node: str | None = None, namespace: str = "") -> Any:
    return Controller(graph, store).fork(thread_id, checkpoint_id, update, as_node, namespace)
