"""A recording (``--record FILE.ndjson``) opened read-only for a post-mortem.

Threads, history and statuses are rebuilt from the recorded events; a checkpoint's
"state" is what the phases of its step wrote (a recording holds events, not the
store's full channel values). Every event is available to the events pane.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import NotFoundError
from agent_debug.inspector.messages import find_messages
from agent_debug.inspector.model import (
    CheckpointState,
    CheckpointSummary,
    ErrorInfo,
    HistoryPage,
    InterruptInfo,
    NamespaceInfo,
    ThreadList,
    ThreadStatus,
    ThreadSummary,
)
from agent_debug.inspector.sources.base import Capability, Decoding, choose_checkpoint

_STATUS = {"done": ThreadStatus.DONE, "interrupted": ThreadStatus.INTERRUPTED, "error": ThreadStatus.ERROR}


def _when(t: float | None) -> datetime | None:
    return datetime.fromtimestamp(t, tz=UTC) if t is not None else None


class RecordingSource:
    """Read-only Source over an NDJSON recording of run events."""

    capabilities = frozenset({Capability.THREADS, Capability.HISTORY, Capability.STATE})

    def __init__(self, path: str | Path) -> None:
        from agent_debug.inspector.recording import read_recording

        self.path = Path(path)
        self.target = str(path)
        self.recorded = list(read_recording(self.path))

    # -- rebuilding ------------------------------------------------------------------

    def _of(self, thread_id: str) -> list[Any]:
        events = [e for e in self.recorded if e.thread_id == thread_id]
        if not events:
            raise NotFoundError(f"no thread '{thread_id}' in the recording {self.target}")
        return events

    def _rows(self, events: list[Any]) -> list[CheckpointSummary]:
        phases_by_step: dict[int | None, list[str]] = {}
        for e in events:
            if e.kind == "phase_finished" and not e.namespace and e.node:
                phases_by_step.setdefault(e.step, [])
                if e.node not in phases_by_step[e.step]:
                    phases_by_step[e.step].append(e.node)
        rows = []
        for e in events:
            if e.kind == "checkpoint" and not e.namespace and e.new:
                rows.append(
                    CheckpointSummary(
                        checkpoint_id=e.checkpoint_id,
                        parent_id=e.parent_id,
                        step=e.step,
                        source=e.source,
                        nodes=phases_by_step.get(e.step, []) if e.source == "loop" else [],
                        created_at=_when(e.time),
                    )
                )
        return sorted(rows, key=lambda r: r.checkpoint_id, reverse=True)

    def _summary(self, thread_id: str) -> ThreadSummary:
        events = self._of(thread_id)
        rows = self._rows(events)
        finished = [e for e in events if e.kind == "run_finished"]
        last = finished[-1] if finished else None
        status = _STATUS.get(last.status, ThreadStatus.PENDING) if last else ThreadStatus.PENDING
        since = max((e.seq for e in events if e.kind == "run_started"), default=0)
        interrupts = [
            InterruptInfo(id=e.interrupt_id, value=e.value, node=e.node, task_id=e.task_id or "", namespace=e.namespace)
            for e in events
            if e.kind == "interrupt" and e.seq > since and not e.namespace
        ]
        errors = [
            ErrorInfo(type=e.type, message=e.message, node=e.node, task_id=e.task_id or "", namespace=e.namespace)
            for e in events
            if e.kind == "error" and not e.will_retry and e.seq > since
        ]
        head = rows[0] if rows else None
        return ThreadSummary(
            thread_id=thread_id,
            status=status,
            checkpoint_id=head.checkpoint_id if head else "",
            checkpoint_count=len(rows),
            last_step=head.step if head else None,
            # As a store says it: the node(s) whose run made the latest checkpoint (a phase
            # stopped at an interrupt made none).
            last_node=", ".join(head.nodes) if head and head.nodes else None,
            last_source=head.source if head else None,
            updated_at=_when(events[-1].time),
            next=list(getattr(next((e for e in reversed(events) if e.kind == "checkpoint" and not e.namespace), None), "next", []) or []),
            interrupts=interrupts if status is ThreadStatus.INTERRUPTED else [],
            errors=errors if status is ThreadStatus.ERROR else [],
        )

    # -- Source --------------------------------------------------------------------------

    def threads(self, *, status: ThreadStatus | None = None, limit: int | None = None) -> ThreadList:
        """Threads that appear in the recording."""
        ids = list(dict.fromkeys(e.thread_id for e in self.recorded if e.thread_id))
        summaries = sorted((self._summary(t) for t in ids), key=lambda s: s.updated_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        total = len(summaries)
        if status is not None:
            summaries = [s for s in summaries if s.status == status]
        return ThreadList(target=self.target, total=total, threads=summaries[:limit] if limit else summaries)

    def thread(self, thread_id: str) -> ThreadSummary:
        """One thread's summary."""
        return self._summary(thread_id)

    def history(self, thread_id: str, *, namespace: str = "", limit: int | None = 50, before: str | None = None) -> HistoryPage:
        """Checkpoints announced in the recording, newest first."""
        rows = self._rows(self._of(thread_id))
        if before is not None:
            rows = [r for r in rows if r.checkpoint_id < before]
        page = rows[:limit] if limit else rows
        more = bool(limit) and len(rows) > len(page)
        return HistoryPage(thread_id=thread_id, namespace="", total=len(rows), checkpoints=page, next_before=page[-1].checkpoint_id if more else None)

    def state(
        self, thread_id: str, *, checkpoint_id: str | None = None, namespace: str = "", decode: Decoding = "safe", path: str | None = None
    ) -> CheckpointState:
        """What the phases of the checkpoint's step wrote (the recording holds no full state)."""
        events = self._of(thread_id)
        rows = self._rows(events)
        row = next((r for r in rows if r.checkpoint_id == checkpoint_id), None) if checkpoint_id else (rows[0] if rows else None)
        if row is None:
            raise NotFoundError(f"no checkpoint '{checkpoint_id}' of thread '{thread_id}' in the recording")
        writes: dict[str, Any] = {}
        for e in events:
            if e.kind == "phase_finished" and e.step == row.step and not e.namespace and row.source == "loop":
                writes.update(e.writes)
        summary = self._summary(thread_id)
        head = row.checkpoint_id == summary.checkpoint_id
        return CheckpointState(
            thread_id=thread_id,
            namespace="",
            checkpoint_id=row.checkpoint_id,
            parent_id=row.parent_id,
            step=row.step,
            source=row.source,
            created_at=row.created_at,
            decoded="safe",
            values=writes,
            next=summary.next if head else [],
            messages=find_messages(writes),
            interrupts=summary.interrupts if head else [],
            errors=summary.errors if head else [],
            metadata={"recorded": "values are the writes of this step's phases"},
        )

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        """Whether the recording announced that root checkpoint of the thread."""
        return not namespace and any(r.checkpoint_id == checkpoint_id for r in self._rows(self._of(thread_id)))

    def resolve_checkpoint(self, thread_id: str, text: str, namespace: str = "") -> str:
        """The full id of the recorded root checkpoint ``text`` names (``base.is_named_by``)."""
        ids = [r.checkpoint_id for r in self._rows(self._of(thread_id))] if not namespace else []
        chosen = choose_checkpoint(text, ids, thread_id, namespace)
        if chosen is None:
            raise NotFoundError(f"no checkpoint '{text}' of thread '{thread_id}' in the recording" + (f" namespace '{namespace}'" if namespace else ""))
        return chosen

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        """Only the root graph's checkpoints are rebuilt."""
        rows = self._rows(self._of(thread_id))
        return [NamespaceInfo(namespace="", checkpoint_count=len(rows), latest_checkpoint_id=rows[0].checkpoint_id if rows else "")]

    def change_token(self) -> Hashable:
        """A recording does not change while open."""
        return 0

    def events(self) -> list[Any]:
        """Every recorded event, for the events pane."""
        return self.recorded

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> RecordingSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
