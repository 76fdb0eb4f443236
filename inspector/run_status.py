"""Which nodes a run visited, runs next, failed in or waits in, at one checkpoint.

The graph writers and the TUI colour nodes with this; it needs only the inspector.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent_debug.inspector.model import CheckpointState, CheckpointSummary
from agent_debug.inspector.sources.base import Source

VISITED = "visited"
NEXT = "next"
FAILED = "failed"
INTERRUPTED = "interrupted"


def node_status(
    source: Source,
    thread_id: str,
    checkpoint_id: str | None = None,
    namespace: str = "",
    *,
    state: CheckpointState | None = None,
    rows: Sequence[CheckpointSummary] | None = None,
) -> dict[str, str]:
    """Status per node name at a checkpoint (the latest by default).

    Visited nodes are those that ran on the checkpoint's own branch (its ancestors),
    so a fork does not count what another branch did. A later status wins:
    visited < next < interrupted < failed. ``state`` and ``rows`` (the whole history)
    spare decoding and reading again what the caller already has.
    """
    if state is None:
        state = source.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace)
    if rows is None:
        rows = source.history(thread_id, namespace=namespace, limit=None).checkpoints
    by_id = {c.checkpoint_id: c for c in rows}
    status: dict[str, str] = {}
    current = by_id.get(state.checkpoint_id)
    while current is not None:
        for node in current.nodes:
            status[node] = VISITED
        current = by_id.get(current.parent_id) if current.parent_id else None
    for node in state.next:
        status[node] = NEXT
    for interrupt in state.interrupts:
        if interrupt.node:
            status[interrupt.node] = INTERRUPTED
    for error in state.errors:
        if error.node:
            status[error.node] = FAILED
    return status
