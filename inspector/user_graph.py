"""What the user's compiled graph has, and the copies of it a debug session runs.

The user's graph object is never changed: binding it to a store's checkpointer and
setting breakpoints inside its subgraphs both make copies (``bind``, ``with_breakpoints``),
so the module that defined the graph sees it as it wrote it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from agent_debug.inspector.exceptions import ControlError, UsageError
from agent_debug.inspector.langgraph_names import START, is_internal_channel


def bind(graph: Any, checkpointer: Any) -> Any:
    """The user's compiled graph writing to ``checkpointer`` instead of its own (a copy)."""
    return graph.copy(update={"checkpointer": checkpointer})


def graph_nodes(graph: Any) -> set[str]:
    """Names of the graph's nodes (the root graph)."""
    return set(graph.nodes)


def subgraphs(graph: Any) -> dict[str, Any]:
    """Compiled subgraphs by path, ``writer`` or ``outer:inner`` (LangGraph joins with ``|``)."""
    return {path.replace("|", ":"): sub for path, sub in graph.get_subgraphs(recurse=True)}


def subgraph_at(graph: Any, namespace: str) -> Any:
    """The compiled subgraph that writes checkpoints under ``namespace`` ('node:task|node:task')."""
    path = ":".join(part.split(":")[0] for part in namespace.split("|"))
    found = subgraphs(graph)
    if path not in found:
        known = ", ".join(sorted(found)) or "none"
        raise ControlError(f"the graph has no subgraph at '{path}' (namespace '{namespace}'); its subgraphs: {known}")
    return found[path]


def breakpoint_names(graph: Any) -> set[str]:
    """Nodes a breakpoint can name: root nodes, and subgraph nodes as ``subgraph:node``."""
    names = graph_nodes(graph) - {START}
    for path, sub in subgraphs(graph).items():
        names |= {f"{path}:{n}" for n in sub.nodes if n != START}
    return names


def nodes_to_match(ran: Iterable[str]) -> set[str]:
    """The nodes a thread ran that a graph must have to run it.

    '__start__' is a StateGraph's entry node, or (the functional API, which has none) the
    entrypoint a store does not name until it first writes; 'send' is LangGraph's own."""
    return set(ran) - {"send", START}


def mismatch(graph: Any, thread_id: str, ran: Iterable[str]) -> str | None:
    """Why ``graph`` cannot run the thread (``ran``: the nodes of its history and the ones
    due next): a node it ran that the graph does not have; None when it can."""
    unknown = sorted(nodes_to_match(ran) - graph_nodes(graph))
    if not unknown:
        return None
    have = ", ".join(sorted(graph_nodes(graph) - {START}))
    return f"the graph does not match thread '{thread_id}': it ran {', '.join(unknown)}, which the graph does not have (it has {have})"


def check_graph_matches(graph: Any, thread_id: str, ran: Iterable[str]) -> None:
    """Refuse a graph whose nodes do not include every node the thread ran."""
    problem = mismatch(graph, thread_id, ran)
    if problem:
        raise ControlError(f"{problem}; nothing was written")


def state_keys(graph: Any) -> set[str]:
    """The state keys an update can set: the graph's channels, less LangGraph's own
    (``__start__``, ``branch:to:…``). Empty when the state has no keys to name (the
    functional API, a StateGraph over a single root value)."""
    channels = getattr(graph, "channels", None)
    if not isinstance(channels, dict) or "__root__" in channels:
        return set()
    return {name for name in channels if isinstance(name, str) and not is_internal_channel(name)}


def check_update_keys(graph: Any, update: dict[str, Any], namespace: str = "") -> None:
    """Refuse an update that names a key the graph's state does not have (the subgraph's,
    for a subgraph's ``namespace``): LangGraph drops such a key without a word and still
    appends a checkpoint, so a typo would look like an edit that did nothing."""
    target = subgraph_at(graph, namespace) if namespace else graph
    keys = state_keys(target)
    if not keys:
        return
    unknown = [key for key in update if key not in keys]
    if unknown:
        where = "subgraph " + ":".join(part.split(":")[0] for part in namespace.split("|")) if namespace else "the graph"
        names = ", ".join(repr(k) for k in unknown)
        raise UsageError(f"no state key {names} in {where}; its keys: {', '.join(sorted(keys))}; nothing was written")


def root_breakpoints(points: Collection[str]) -> list[str] | None:
    """The breakpoints on root nodes, as a run's ``interrupt_before/after`` takes them."""
    return sorted(p for p in points if ":" not in p) or None


def with_breakpoints(graph: Any, before: Collection[str], after: Collection[str]) -> Any:
    """A copy of ``graph`` whose subgraphs stop at the ``subgraph:node`` breakpoints.

    LangGraph passes a run's ``interrupt_before/after`` to the root graph only; a subgraph
    reads its own compiled ``interrupt_*_nodes``. So the subgraphs on the way to a
    breakpoint are copied with those lists extended, and the copies replace them in copies
    of their parents' nodes; the user's graph and subgraphs are left as they are. A
    subgraph called from inside a node's function (not added as a node) cannot be replaced
    that way: a breakpoint in it is refused.
    """
    inner_before = [p for p in before if ":" in p]
    inner_after = [p for p in after if ":" in p]
    if not inner_before and not inner_after:
        return graph
    return _copy_with(graph, inner_before, inner_after, "")


def _copy_with(graph: Any, before: list[str], after: list[str], path: str) -> Any:
    """``graph`` (at subgraph ``path``) with its own breakpoints added and its children
    copied the same way; ``before``/``after`` are relative to ``graph``."""
    update: dict[str, Any] = {}
    own_before = [p for p in before if ":" not in p]
    own_after = [p for p in after if ":" not in p]
    if own_before:
        update["interrupt_before_nodes"] = _joined(graph.interrupt_before_nodes, own_before)
    if own_after:
        update["interrupt_after_nodes"] = _joined(graph.interrupt_after_nodes, own_after)
    children = {p.split(":", 1)[0] for p in [*before, *after] if ":" in p}
    if children:
        nodes = dict(graph.nodes)
        for name in sorted(children):
            node = nodes[name]
            sub = node.subgraphs[0] if node.subgraphs else None
            where = f"{path}:{name}" if path else name
            if sub is None or node.bound is not sub:
                raise ControlError(
                    f"cannot break inside subgraph '{where}': node '{name}' calls it from its own function, "
                    f"so a breakpoint there would have to change your graph; break on '{where}' instead"
                )
            copied = _copy_with(sub, _under(before, name), _under(after, name), where)
            nodes[name] = node.copy({"bound": copied, "subgraphs": [copied]})
        update["nodes"] = nodes
    return graph.copy(update=update) if update else graph


def _under(points: Iterable[str], name: str) -> list[str]:
    prefix = name + ":"
    return [p[len(prefix):] for p in points if p.startswith(prefix)]


def _joined(existing: Any, added: list[str]) -> Any:
    if existing == "*":
        return existing  # already stops at every node
    return [*(existing or ()), *(n for n in added if n not in (existing or ()))]
