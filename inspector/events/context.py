"""Where a piece of work belongs: the phase (node run) named by LangGraph's run metadata.

A node's log records, custom events and streamed tokens are attributed to their phase by
the metadata LangGraph puts in the runnable config of the node's thread (``langgraph_node``,
``langgraph_step``, ``langgraph_checkpoint_ns``, ``langgraph_triggers``: public, as the
``messages`` stream mode hands the same metadata out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent_debug.inspector.events.hooks import CONFIG_KEY_TASK_ID

@dataclass(frozen=True)
class NodeContext:
    """The phase a piece of work belongs to, as LangGraph's run metadata names it."""

    node: str | None
    step: int | None
    namespace: str
    task_id: str | None
    thread_id: str | None = None
    triggers: tuple[str, ...] = ()


# Contexts already read, by what they are read from: a node's every log record, custom
# event and streamed token carries the same metadata.
_contexts: dict[tuple[Any, ...], NodeContext] = {}


# The last metadata and config read, by identity: LangGraph hands a node's every custom
# event and streamed chunk the same objects (made once per task, never changed after), so
# a flood reads them once. Replaced whole, so threads reading it at once see one entry.
_last_metadata: tuple[Any, str | None, NodeContext | None] = (None, None, None)
_last_config: tuple[Any, NodeContext | None] = (None, None)


def context_from_metadata(metadata: Mapping[str, Any], task_id: str | None = None) -> NodeContext | None:
    """The phase from LangGraph's run metadata (``langgraph_node``, ``langgraph_checkpoint_ns``...)."""
    global _last_metadata
    last = _last_metadata
    if last[0] is metadata and last[1] == task_id:
        return last[2]
    context = _read_metadata(metadata, task_id)
    _last_metadata = (metadata, task_id, context)
    return context


def _read_metadata(metadata: Mapping[str, Any], task_id: str | None) -> NodeContext | None:
    node = metadata.get("langgraph_node")
    if node is None:
        return None
    ns = metadata.get("langgraph_checkpoint_ns") or metadata.get("checkpoint_ns") or ""
    step = metadata.get("langgraph_step")
    thread_id = metadata.get("thread_id")
    triggers = metadata.get("langgraph_triggers")
    key = (node, ns, step, thread_id, task_id, tuple(triggers) if isinstance(triggers, (list, tuple)) else None)
    context = _contexts.get(key)
    if context is None:
        parts = str(ns).split("|") if ns else []
        own_task = task_id
        # The last segment is this task's own 'node:task_id'; the rest is the graph it runs in.
        if parts and parts[-1].partition(":")[0] == node:
            own = parts.pop()
            own_task = task_id or own.partition(":")[2] or None
        context = NodeContext(
            str(node),
            step if isinstance(step, int) else None,
            "|".join(parts),
            own_task,
            str(thread_id) if thread_id is not None else None,
            tuple(str(t) for t in key[-1] or ()),
        )
        if len(_contexts) >= 4096:  # a long session: forget the old phases
            _contexts.clear()
        _contexts[key] = context
    return context


def context_from_config(config: Mapping[str, Any]) -> NodeContext | None:
    """The phase from a runnable config (what ``langgraph.config.get_config()`` returns in a node)."""
    global _last_config
    last = _last_config
    if last[0] is config:
        return last[1]
    context = _read_config(config)
    _last_config = (config, context)
    return context


def _read_config(config: Mapping[str, Any]) -> NodeContext | None:
    configurable = config.get("configurable") or {}
    task_id = configurable.get(CONFIG_KEY_TASK_ID)
    context = context_from_metadata(config.get("metadata") or {}, task_id if isinstance(task_id, str) else None)
    if context is not None and context.thread_id is None and configurable.get("thread_id") is not None:
        context = NodeContext(
            context.node, context.step, context.namespace, context.task_id, str(configurable["thread_id"]), context.triggers
        )
    return context


_get_config: Any = None  # langgraph.config.get_config, imported on first use


def node_context() -> NodeContext | None:
    """The phase the calling thread is running, or None outside a LangGraph node."""
    global _get_config
    if _get_config is None:
        from langgraph.config import get_config

        _get_config = get_config
    try:
        config = _get_config()
    except RuntimeError:  # not inside a runnable
        return None
    return context_from_config(config)

