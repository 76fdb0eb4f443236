"""What changed between a checkpoint and its parent: keys, nested values and messages.

Sets (``{"__type__": "builtins.set", "value": [...]}`` as decoded) are compared as
sets: the same members in another order are no change, so a set written by a process
with another hash seed does not show as changed.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from agent_debug.inspector.decode import TYPE_KEY
from agent_debug.inspector.messages import is_message, message_view
from agent_debug.inspector.model import CheckpointState, MessageChange, StateDiff, ValueChange
from agent_debug.inspector.sources.base import Source

# Nested dicts are compared key by key down to this depth; deeper, a change is
# reported on the whole value.
MAX_DEPTH = 4

_SET_TYPES = frozenset(("builtins.set", "builtins.frozenset"))


def _set_members(value: Any) -> list[Any] | None:
    if isinstance(value, dict) and value.get(TYPE_KEY) in _SET_TYPES and isinstance(value.get("value"), list):
        return value["value"]
    return None


def _member_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"))


def same_value(before: Any, after: Any) -> bool:
    """Equal as decoded values, sets compared as sets (at any depth)."""
    if before == after:
        return True
    if isinstance(before, dict) and isinstance(after, dict):
        old, new = _set_members(before), _set_members(after)
        if old is not None and new is not None:
            if before[TYPE_KEY] != after[TYPE_KEY] or len(old) != len(new):
                return False
            # Members are sorted by the decoder; an unsorted writer (another decoder, a
            # recording made before) still compares equal here.
            return Counter(map(_member_key, old)) == Counter(map(_member_key, new))
        return before.keys() == after.keys() and all(same_value(v, after[k]) for k, v in before.items())
    if isinstance(before, list) and isinstance(after, list):
        return len(before) == len(after) and all(same_value(a, b) for a, b in zip(before, after, strict=True))
    return False


def diff_values(before: Any, after: Any, path: str = "", depth: int = 0) -> list[ValueChange]:
    """Differences between two decoded values, as dotted paths."""
    if same_value(before, after):
        return []
    plain_dicts = (
        isinstance(before, dict) and isinstance(after, dict) and TYPE_KEY not in before and TYPE_KEY not in after
    )
    if plain_dicts and depth < MAX_DEPTH:
        changes: list[ValueChange] = []
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                changes.append(ValueChange(path=sub, kind="removed", before=before[key]))
            elif key not in before:
                changes.append(ValueChange(path=sub, kind="added", after=after[key]))
            else:
                changes.extend(diff_values(before[key], after[key], sub, depth + 1))
        return changes
    return [ValueChange(path=path, kind="changed", before=before, after=after)]


def _message_list(value: Any) -> bool:
    return isinstance(value, list) and any(is_message(v) for v in value)


def diff_messages(channel: str, before: list[Any], after: list[Any]) -> list[MessageChange]:
    """Messages added, removed or edited, matched by id (as ``add_messages`` merges them)."""

    def key(message: Any, index: int) -> Any:
        return message.get("id") if isinstance(message, dict) and message.get("id") else ("#", index)

    old = {key(m, i): (i, m) for i, m in enumerate(before)}
    new_keys = set()
    changes: list[MessageChange] = []
    for i, m in enumerate(after):
        k = key(m, i)
        new_keys.add(k)
        if not is_message(m):
            continue
        if k not in old:
            changes.append(MessageChange(channel=channel, kind="added", index=i, message=message_view(m)))
        elif not same_value(old[k][1], m):
            changes.append(MessageChange(channel=channel, kind="changed", index=i, message=message_view(m)))
    for k, (i, m) in old.items():
        if k not in new_keys and is_message(m):
            changes.append(MessageChange(channel=channel, kind="removed", index=i, message=message_view(m)))
    return changes


def diff_states(before: dict[str, Any], after: dict[str, Any]) -> tuple[list[ValueChange], list[MessageChange]]:
    """Value changes (message lists summarised) and per-message changes between two states."""
    changes: list[ValueChange] = []
    messages: list[MessageChange] = []
    if not isinstance(before, dict) or not isinstance(after, dict):
        # A functional-API entrypoint's state is its return value, of any type (None before it returns).
        return ([] if same_value(before, after) else diff_values(before, after, "(return value)", 0)), messages
    for channel in list(before) + [k for k in after if k not in before]:
        old, new = before.get(channel), after.get(channel)
        if (_message_list(old) or _message_list(new)) and channel in before and channel in after:
            messages.extend(diff_messages(channel, old or [], new or []))
        elif channel not in after:
            changes.append(ValueChange(path=channel, kind="removed", before=old))
        elif channel not in before:
            if _message_list(new):
                messages.extend(diff_messages(channel, [], new))
            else:
                changes.append(ValueChange(path=channel, kind="added", after=new))
        else:
            changes.extend(diff_values(old, new, channel, 1))
    return changes, messages


def diff_checkpoint(
    source: Source,
    thread_id: str,
    checkpoint_id: str | None = None,
    namespace: str = "",
    parent_id: str | None = None,
    *,
    state: CheckpointState | None = None,
) -> StateDiff:
    """What the checkpoint changed relative to its parent (or to ``parent_id``).

    ``state``: the checkpoint's state when the caller has decoded it already.
    """
    if state is None:
        state = source.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace)
    against = parent_id or state.parent_id
    before = source.state(thread_id, checkpoint_id=against, namespace=namespace) if against else None
    return diff_between(before, state)


def diff_between(before: CheckpointState | None, after: CheckpointState) -> StateDiff:
    """What changed from one decoded state to another (from nothing when ``before`` is None)."""
    changes, messages = diff_states(before.values if before is not None else {}, after.values)
    return StateDiff(
        thread_id=after.thread_id,
        namespace=after.namespace,
        checkpoint_id=after.checkpoint_id,
        parent_id=before.checkpoint_id if before is not None else None,
        changes=changes,
        messages=messages,
    )
