"""A bounded, thread-safe buffer between run workers (producers) and the UI (one consumer)."""

from __future__ import annotations

import threading
from collections import deque
from itertools import islice
from time import perf_counter, sleep
from typing import Any

# A run thread flooding events would starve the UI of the GIL: it also lets go of the
# GIL now and then (writing a recording, a contended lock) and takes it back at once,
# and each time that resets the wait after which CPython makes it hand over (5 ms). A
# pause after every TURN_S of appending without a break hands it over (stalls of
# 250 ms and more without).
TURN_S = 0.004
PAUSE_S = 0.0002


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
        self._burst = self._last = 0.0  # when the current burst of appends began; the last one

    def append(self, event: Any) -> None:
        """Called by the run's worker thread for each event (cheap: no UI work)."""
        with self._lock:
            if len(self._events) == self.cap:
                self.dropped += 1
            self._events.append(event)
            self._appended += 1
        now = perf_counter()
        if now - self._last > TURN_S:  # a gap since the last event: no flood (yet)
            self._burst = now
        elif now - self._burst >= TURN_S:
            self._burst = now
            if threading.current_thread() is not threading.main_thread():
                sleep(PAUSE_S)  # the UI's turn (see TURN_S)
        self._last = now

    __call__ = append

    @property
    def pending(self) -> int:
        """Events appended and not drained yet (a read without the lock: a hint)."""
        return self._appended - self._drained

    def drain(self, limit: int | None = None) -> list[Any]:
        """Events appended since the last drain (those still held, if the cap overtook
        them), oldest first; at most ``limit``, the rest stay for the next drain."""
        with self._lock:
            fresh = min(self._appended - self._drained, len(self._events))
            take = fresh if limit is None else min(fresh, limit)
            # Whatever the cap pushed out counts as drained: it is gone from here.
            self._drained = self._appended - (fresh - take)
            if not take:
                return []
            start = len(self._events) - fresh
            return list(islice(self._events, start, start + take))

    def snapshot(self) -> list[Any]:
        """Every event held, oldest first (to re-filter the view)."""
        with self._lock:
            return list(self._events)
