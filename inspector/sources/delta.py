"""Rebuilding the values of LangGraph's ``DeltaChannel`` from stored writes, without the graph.

A ``DeltaChannel`` (beta in langgraph 1.2; deepagents keeps ``messages`` and ``files``
in one) stores no value in most checkpoints: LangGraph rebuilds it on every read by
walking the checkpoint's ancestors (by parent id, nearest first) until one holds a
value for the channel (a ``_DeltaSnapshot`` blob, or a plain value written before the
channel became a delta channel), then replaying the writes saved at every checkpoint
of that walk, oldest first and in ``writes_sort_key`` order within a checkpoint,
through the channel's reducer (``langgraph.pregel._checkpoint.channels_from_checkpoint``,
``BaseCheckpointSaver.get_delta_channel_history``). The target checkpoint's own writes
are not part of its value (they make its child).

The reducer is the user's code, which we do not import. We replay the reducers the
published libraries use, on the plain decoded data, and say which one we assumed:

- ``messages``: LangGraph's and deepagents' ``_messages_delta_reducer``: dedupe by
  message id (a later write replaces the message in place), ``RemoveMessage``
  tombstones, ``REMOVE_ALL_MESSAGES`` resets; chosen when the writes hold messages.
- ``dict-merge``: deepagents' ``_file_data_delta_reducer``: keys merged left to right,
  a ``None`` value deletes its key; chosen when every write is a plain mapping.
- ``list-concat``: ``operator.add`` over lists; chosen when every write is a list.

An ``Overwrite`` write resets the base to its value, as ``DeltaChannel.replay_writes``
does. Writes of any other shape are not guessed at: the channel is shown as an
``agent_debug.unrebuilt`` marker saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agent_debug.inspector.decode import TYPE_KEY

_SNAPSHOT_TYPES = frozenset(("langgraph.delta_snapshot", "langgraph.checkpoint.serde.types._DeltaSnapshot"))
_OVERWRITE_TYPE = "langgraph.types.Overwrite"
_OVERWRITE_KEY = "__overwrite__"
_MESSAGE_PREFIX = "langchain_core.messages."
_REMOVE_ALL = "__remove_all__"
UNREBUILT = "agent_debug.unrebuilt"


@dataclass(frozen=True)
class DeltaHistory:
    """What the ancestor walk found for one channel: its seed (if any) and the writes after it."""

    seeded: bool
    seed: Any
    writes: list[Any]


def seed_value(stored: Any) -> Any:
    """The channel value a stored seed stands for (a snapshot holds it under ``value``)."""
    if isinstance(stored, dict) and stored.get(TYPE_KEY) in _SNAPSHOT_TYPES:
        return stored.get("value")
    return stored


def _overwrite(value: Any) -> tuple[bool, Any]:
    if isinstance(value, dict):
        if value.get(TYPE_KEY) == _OVERWRITE_TYPE:
            return True, value.get("value")
        if _OVERWRITE_KEY in value and len(value) == 1:
            return True, value[_OVERWRITE_KEY]
        if value.get("type") == _OVERWRITE_KEY and "value" in value and len(value) == 2:
            return True, value["value"]
    return False, None


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and str(value.get(TYPE_KEY, "")).startswith(_MESSAGE_PREFIX)


def _is_remove(value: Any) -> bool:
    return isinstance(value, dict) and str(value.get(TYPE_KEY, "")).endswith(".RemoveMessage")


def _flat(writes: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for w in writes:
        if isinstance(w, list):
            out.extend(w)
        else:
            out.append(w)
    return out


def reduce_messages(state: Any, writes: Sequence[Any]) -> list[Any]:
    """``_messages_delta_reducer`` on decoded messages."""
    current = list(state) if isinstance(state, list) else []
    msgs = _flat(writes)
    for i in range(len(msgs) - 1, -1, -1):
        m = msgs[i]
        if _is_remove(m) and m.get("id") == _REMOVE_ALL:
            current, msgs = [], msgs[i + 1 :]
            break
    result: list[Any] = list(current)
    index = {m.get("id"): i for i, m in enumerate(result) if isinstance(m, dict) and m.get("id") is not None}
    for m in msgs:
        mid = m.get("id") if isinstance(m, dict) else None
        if mid is None:
            result.append(m)
        elif _is_remove(m):
            if mid in index:
                result[index.pop(mid)] = None
        elif mid in index:
            result[index[mid]] = m
        else:
            index[mid] = len(result)
            result.append(m)
    return [m for m in result if m is not None]


def reduce_dict_merge(state: Any, writes: Sequence[Any]) -> dict[Any, Any]:
    """deepagents' files reducer: merge mappings in order, ``None`` deletes the key."""
    result = dict(state) if isinstance(state, dict) else {}
    for w in writes:
        for key, value in w.items():
            if value is None:
                result.pop(key, None)
            else:
                result[key] = value
    return result


def reduce_list_concat(state: Any, writes: Sequence[Any]) -> list[Any]:
    """``operator.add`` over lists."""
    result = list(state) if isinstance(state, list) else []
    for w in writes:
        result.extend(w)
    return result


_REDUCERS: dict[str, Callable[[Any, Sequence[Any]], Any]] = {
    "messages": reduce_messages,
    "dict-merge": reduce_dict_merge,
    "list-concat": reduce_list_concat,
}
REDUCER_NAMES = frozenset(_REDUCERS)


def _is_plain_mapping(value: Any) -> bool:
    return isinstance(value, dict) and TYPE_KEY not in value


def choose_reducer(base: Any, writes: Sequence[Any]) -> str | None:
    """The published reducer these (non-empty) writes fit, or None when the shape is not one we know."""
    items = _flat(writes) + (list(base) if isinstance(base, list) else [])
    if any(_is_message(v) for v in items):
        return "messages"
    if all(_is_plain_mapping(w) for w in writes) and (base is None or isinstance(base, dict)):
        return "dict-merge"
    if all(isinstance(w, list) for w in writes) and (base is None or isinstance(base, list)):
        return "list-concat"
    return None


def rebuild(history: DeltaHistory) -> tuple[Any, str]:
    """The channel's value and the reducer assumed (``DeltaChannel.replay_writes`` on plain data)."""
    base = seed_value(history.seed) if history.seeded else None
    remaining = list(history.writes)
    for i, value in enumerate(history.writes):
        is_ow, ow_value = _overwrite(value)
        if is_ow:
            base, remaining = ow_value, list(history.writes[i + 1 :])
    if not remaining:
        if base is not None:
            return base, "snapshot" if history.seeded else "overwrite"
        # An empty channel with no writes: LangGraph starts it as its type's empty value.
        return [], "empty"
    name = choose_reducer(base, remaining)
    if name is None:
        shapes = sorted({type(w).__name__ if not isinstance(w, dict) else str(w.get(TYPE_KEY, "dict")) for w in remaining})
        return {
            TYPE_KEY: UNREBUILT,
            "reason": f"a DeltaChannel whose writes ({', '.join(shapes)}) fit no reducer we know; open it with --graph",
            "writes": len(remaining),
        }, "unknown"
    return _REDUCERS[name](base, remaining), name


# -- writes saved at a checkpoint, applied as LangGraph's live view applies them ----------------

LAST_VALUE = "last-value"


def infer_kind(before: Any, writes: Sequence[Any], after: Any) -> str | None:
    """The reducer a channel's own history shows: ``before`` plus ``writes`` made ``after``.

    None when this step cannot tell (both readings give the same value, or neither does).
    """
    if not writes:
        return None
    candidates = []
    if all(isinstance(w, list) for w in writes) and isinstance(before, list):
        if any(_is_message(v) for v in _flat(writes) + before):
            candidates.append(("messages", reduce_messages(before, writes)))
        else:
            candidates.append(("list-concat", reduce_list_concat(before, writes)))
    if all(_is_plain_mapping(w) for w in writes) and isinstance(before, dict):
        candidates.append(("dict-merge", reduce_dict_merge(before, writes)))
    if all(type(w) is type(before) for w in writes) and type(before) in (str, int, float):
        # operator.add on text or numbers: not one we replay, but it tells a reducer apart.
        candidates.append(("add", before + sum(writes) if type(before) is not str else before + "".join(writes)))
    candidates.append((LAST_VALUE, writes[-1]))
    fits = [name for name, value in candidates if value == after]
    distinct = {repr(value) for _, value in candidates}
    found = fits[0] if len(fits) == 1 and len(distinct) > 1 else None
    return found if found in _REDUCERS or found == LAST_VALUE else None


def apply_saved_writes(kind: str | None, present: bool, base: Any, writes: Sequence[Any]) -> tuple[bool, Any]:
    """(applied, value) for ``writes`` saved on a channel holding ``base`` (``present``: it has a value).

    A channel with no value yet takes what was written (a plain channel keeps the write, a
    reducer starts from its empty value, so ``operator.add`` and ``add_messages`` give the
    write too); one with a value needs its reducer, known (``kind``) or not applied.
    """
    if kind is None and any(_is_message(v) for v in _flat(writes)):
        kind = "messages"
    if kind is None and (not present or base in ([], {}, None)):
        # From an empty value every reducer we know gives the one write; several writes in
        # one step cannot go to a plain channel (LangGraph refuses that), so they are reduced.
        if len(writes) == 1:
            return True, writes[0]
        kind = choose_reducer(None, writes)
        if kind is None or kind == "messages":
            return False, base
    if kind == LAST_VALUE:
        return True, writes[-1]
    if kind in _REDUCERS:
        return True, _REDUCERS[kind](base, writes)
    return False, base
