"""Events as lines for a terminal or a CI log (``run --no-ui``), or as NDJSON (``--json``).

Besides the events, two reports: a stuck-phase warning and the run's summary. In NDJSON
they are objects with a ``report`` key ("stuck" or "summary") and no ``kind``/``seq``,
so a reader can tell them from events (and ``--record`` files never hold them).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Self, TextIO

from agent_debug.inspector.events.format import LOG, EventFormatter, plain, stuck_record, summary_record


class EventPrinter:
    """Prints each event as it comes, in the ``LOG`` layout of the events formatter;
    streamed thinking and answer tokens are gathered per phase and printed once when the
    phase finishes, so a CI log stays readable."""

    def __init__(self, out: TextIO | None = None, *, as_json: bool = False) -> None:
        self.out = out or sys.stdout
        self.as_json = as_json
        self.formatter = EventFormatter(LOG)
        self._lock = threading.Lock()
        self._thread_id: str | None = None

    def __call__(self, event: Any) -> None:
        with self._lock:
            self._thread_id = event.thread_id or self._thread_id
            if self.as_json:
                self.out.write(event.model_dump_json() + "\n")
            else:
                # The formatter's lines quote the run's data with its control characters escaped.
                for line in self.formatter.feed(event):
                    self.out.write(plain(line) + "\n")
            self.out.flush()

    def _write(self, lines: list[str]) -> None:
        with self._lock:
            for line in lines:
                self.out.write(line + "\n")
            self.out.flush()

    def stuck(self, s: Any) -> None:
        """Warn that a phase (an ``events.StuckPhase``) runs past its threshold."""
        now = time.time()
        if self.as_json:
            self._write([json.dumps(stuck_record(s, thread_id=self._thread_id, now=now))])
        else:
            self._write([plain(self.formatter.stuck(s, now))])

    def summary(self, stats: Any, prices: Mapping[str, Mapping[str, float]] | None = None) -> None:
        """The run's phases (timings, tokens, and cost when ``prices`` is given) and totals,
        from an ``events.RunStats``."""
        if self.as_json:
            self._write([json.dumps(summary_record(stats, prices, thread_id=self._thread_id), default=repr)])
        else:
            self._write([plain(line) for line in self.formatter.summary(stats, prices)])


class StuckTicker:
    """Asks a ``StuckWatch`` every ``interval`` seconds, from a daemon thread, and reports
    each stuck phase once. A hung phase emits nothing, so checking on events would miss it."""

    def __init__(self, watch: Any, report: Callable[[Any], None], interval: float = 0.1) -> None:
        self.watch = watch
        self.report = report
        self.interval = interval
        self._stop = threading.Event()
        self._seen: set[tuple[str | None, float]] = set()
        self._thread = threading.Thread(target=self._loop, name="agent-debug-stuck", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            for s in self.watch.check():
                key = (s.task_id, s.started)
                if key not in self._seen:
                    self._seen.add(key)
                    self.report(s)
