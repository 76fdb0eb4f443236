"""Phases running too long: a hung node emits nothing, so it is found by asking on a timer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StuckPhase:
    """A phase running longer than its threshold."""

    task_id: str | None
    node: str | None
    namespace: str
    step: int | None
    started: float
    elapsed_s: float
    threshold_s: float


class StuckWatch:
    """Flags phases running longer than a threshold (default 60 s; per-node overrides, None turns a node off).

    Feed it events with ``observe``; ask ``check()`` on a timer. Thread-safe.
    """

    def __init__(
        self,
        threshold_s: float = 60.0,
        per_node: Mapping[str, float | None] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.threshold_s = threshold_s
        self.per_node = dict(per_node or {})
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, Any] = {}

    def threshold_for(self, node: str | None) -> float | None:
        """The threshold that applies to ``node`` (None: never flagged)."""
        if node is not None and node in self.per_node:
            return self.per_node[node]
        return self.threshold_s

    def observe(self, event: Any) -> None:
        """Track phase_started / phase_finished; a run's end clears everything."""
        with self._lock:
            if event.kind == "phase_started" and event.task_id:
                self._running[event.task_id] = event
            elif event.kind == "phase_finished" and event.task_id:
                self._running.pop(event.task_id, None)
            elif event.kind in ("run_started", "run_finished"):
                self._running.clear()

    def running(self) -> list[Any]:
        """The ``phase_started`` events of the phases running now, oldest first."""
        with self._lock:
            return list(self._running.values())

    def check(self, now: float | None = None) -> list[StuckPhase]:
        """Phases over their threshold now, longest running first."""
        now = self._clock() if now is None else now
        stuck: list[StuckPhase] = []
        for started in self.running():
            threshold = self.threshold_for(started.node)
            elapsed = now - started.time
            if threshold is not None and elapsed > threshold:
                stuck.append(StuckPhase(started.task_id, started.node, started.namespace, started.step, started.time, elapsed, threshold))
        return sorted(stuck, key=lambda s: s.elapsed_s, reverse=True)
