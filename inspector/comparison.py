"""Any two checkpoints of a thread compared: what changed from one to the other.

A checkpoint's own diff is against its parent (``diff.diff_checkpoint``); a comparison
names both ends, which may be far apart or on different fork branches of the thread.
Both ends are in one namespace: a subgraph's state and its parent graph's have different
keys, so a diff across namespaces would list every key as added and removed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agent_debug.inspector.diff import diff_between
from agent_debug.inspector.model import CheckpointState, MessageChange, ValueChange, _Record
from agent_debug.inspector.sources.base import Decoding, Source
from agent_debug.inspector.vocabulary import SCHEMA_VERSION


class ComparedCheckpoint(_Record):
    """One end of a comparison."""

    checkpoint_id: str
    step: int | None
    source: str | None = Field(description="input | loop | update | fork, from the checkpoint metadata.")


class StateComparison(_Record):
    """``agent-debug state --diff-from A --checkpoint B --json``: what changed from A to B."""

    schema_version: Literal[1] = SCHEMA_VERSION
    thread_id: str
    namespace: str
    before: ComparedCheckpoint = Field(description="The checkpoint compared from (--diff-from).")
    after: ComparedCheckpoint = Field(description="The checkpoint compared to (--checkpoint, default the latest).")
    changes: list[ValueChange] = Field(default_factory=list)
    messages: list[MessageChange] = Field(default_factory=list)


def _end(state: CheckpointState) -> ComparedCheckpoint:
    return ComparedCheckpoint(checkpoint_id=state.checkpoint_id, step=state.step, source=state.source)


def compare_states(before: CheckpointState, after: CheckpointState) -> StateComparison:
    """The comparison of two decoded states of one thread and namespace."""
    diff = diff_between(before, after)
    return StateComparison(
        thread_id=after.thread_id,
        namespace=after.namespace,
        before=_end(before),
        after=_end(after),
        changes=diff.changes,
        messages=diff.messages,
    )


def compare_checkpoints(
    source: Source, thread_id: str, before_id: str, after_id: str | None, namespace: str = "", *, decode: Decoding = "safe"
) -> StateComparison:
    """Decode two checkpoints (``after_id`` None: the latest) and compare them; the ids
    are whole (``Source.resolve_checkpoint`` turns a short one into a whole one)."""
    before = source.state(thread_id, checkpoint_id=before_id, namespace=namespace, decode=decode)
    after = source.state(thread_id, checkpoint_id=after_id, namespace=namespace, decode=decode)
    return compare_states(before, after)
