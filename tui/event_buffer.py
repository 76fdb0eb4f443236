"""A bounded, thread-safe buffer between run workers (producers) and the UI (one consumer)."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class EventBuffer:
    """Events appended from any thread; the UI drains what is new on a timer.

    ``cap`` bounds memory: the oldest events fall out (they stay in a recording).
    """

    def __init__(self, cap: int = 50_000) -> None:
        self.cap = cap
        self._events: deque[Any] = deque(maxlen=cap)
        self._lock = threading.Lock()
        self._appended = 0
        self._drained = 0
        self.dropped = 0

    def append(self, event: Any) -> None:
        """Called by the run's worker thread for each event (cheap: no UI work)."""
        with self._lock:
            if len(self._events) == self.cap:
                self.dropped += 1
            self._events.append(event)
            self._appended += 1

    __call__ = append

    def drain(self) -> list[Any]:
        """Events appended since the last drain (those still held, if the cap overtook them)."""
        with self._lock:
            fresh = min(self._appended - self._drained, len(self._events))
            self._drained = self._appended
            return list(self._events)[len(self._events) - fresh :] if fresh else []

    def snapshot(self) -> list[Any]:
        """Every event held, oldest first (to re-filter the view)."""
        with self._lock:
            return list(self._events)
