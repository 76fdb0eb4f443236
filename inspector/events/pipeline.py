"""One path for a session's events: counted once, then handed to every consumer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from agent_debug.inspector.events.stats import RunStats
from agent_debug.inspector.events.stuck import StuckPhase, StuckWatch

Sink = Callable[[Any], None]


class EventPipeline:
    """Counts each event once, into ``stats`` (a ``RunStats``) and ``watch`` (a
    ``StuckWatch``, when given), then hands it to every sink, in the order given (the
    events pane's buffer, a recorder, a printer...). Sinks given as None are left out.

    Call it with each event (a recording read back, a source's events), or give it to an
    ``EventExtractor`` as ``on_event``: the extractor then counts each event as it makes
    it (``count``; its phase and run events carry the totals) and hands the events out
    after, in ``seq`` order (``fan_out``).

    Thread-safe: events may come from a run's threads while another thread (the UI)
    reads; read the numbers there from ``snapshot()``. Sinks run on the thread that
    delivers the event. Stats are those of the latest run (a run_started starts them
    over), so feed it one run at a time.
    """

    def __init__(self, *sinks: Sink | None, stats: RunStats | None = None, watch: StuckWatch | None = None) -> None:
        self.stats = stats if stats is not None else RunStats()
        self.watch = watch
        self.sinks: tuple[Sink, ...] = tuple(s for s in sinks if s is not None)
        self._lock = threading.Lock()

    def add_sink(self, sink: Sink | None) -> None:
        """Hand events to ``sink`` too, after the others (None: nothing to add)."""
        if sink is not None:
            self.sinks = (*self.sinks, sink)

    def __call__(self, event: Any) -> None:
        """Count ``event`` and hand it to every sink."""
        self.count(event)
        self.fan_out(event)

    def count(self, event: Any) -> None:
        """Account for ``event`` in the stats and the stuck watch (once per event)."""
        with self._lock:
            self.stats.observe(event)
            if self.watch is not None:
                self.watch.observe(event)

    def fan_out(self, event: Any) -> None:
        """Hand ``event``, already counted, to every sink."""
        for sink in self.sinks:
            sink(event)

    def snapshot(self) -> RunStats:
        """The stats as they are now, copied: safe to read while events are counted."""
        with self._lock:
            return self.stats.copy()

    def stuck(self) -> list[StuckPhase]:
        """Phases over their threshold now (none without a watch)."""
        if self.watch is None:
            return []
        with self._lock:  # the run thread counts while the UI thread asks
            return self.watch.check()
