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
from datetime import datetime
from typing import Any, Self, TextIO

from agent_debug.tui.safe_text import visible


def _short(value: Any, width: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=repr, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class EventPrinter:
    """Prints each event as it comes; streamed thinking and answer tokens are gathered per
    phase and printed once when the phase finishes, so a CI log stays readable."""

    def __init__(self, out: TextIO | None = None, *, as_json: bool = False) -> None:
        self.out = out or sys.stdout
        self.as_json = as_json
        self._streams: dict[tuple[str | None, str], list[str]] = {}
        self._lock = threading.Lock()
        self._thread_id: str | None = None

    def __call__(self, event: Any) -> None:
        with self._lock:
            self._thread_id = event.thread_id or self._thread_id
            if self.as_json:
                self.out.write(event.model_dump_json() + "\n")
                self.out.flush()
                return
            for line in self._lines(event):
                # Every line may quote the run's data (a message, a value): no raw escapes.
                self.out.write(visible(line) + "\n")
            self.out.flush()

    def _write(self, lines: list[str]) -> None:
        with self._lock:
            for line in lines:
                self.out.write(visible(line) + "\n")
            self.out.flush()

    def stuck(self, s: Any) -> None:
        """Warn that a phase (an ``events.StuckPhase``) runs past its threshold."""
        if self.as_json:
            report = {
                "report": "stuck", "time": time.time(), "thread_id": self._thread_id, "namespace": s.namespace,
                "step": s.step, "node": s.node, "task_id": s.task_id, "started": s.started,
                "elapsed_s": round(s.elapsed_s, 3), "threshold_s": s.threshold_s,
            }
            self._write([json.dumps(report)])
            return
        p = self._prefix(s, when=time.time())
        self._write([f"{p} ⚠ stuck? running for {s.elapsed_s:.1f}s (threshold {s.threshold_s:g}s)"])

    def summary(self, stats: Any, prices: Mapping[str, Mapping[str, float]] | None = None) -> None:
        """The run's phases (timings, tokens, and cost when ``prices`` is given) and totals,
        from an ``events.RunStats``."""
        from agent_debug.inspector.events import format_cost

        phases = list(stats.phases.values())
        total = stats.cost(prices) if prices is not None else None
        unpriced = sorted((m or "(no model name)" for m in stats.unpriced_models(prices)), key=str) if prices is not None else []
        if self.as_json:
            report = {
                "report": "summary", "thread_id": self._thread_id, "status": stats.status, "duration_ms": stats.duration_ms,
                "input_tokens": stats.input_tokens, "output_tokens": stats.output_tokens, "total_tokens": stats.total_tokens,
                "cost": total, "unpriced_models": unpriced,
                "phases": [
                    {
                        "node": ph.node, "namespace": ph.namespace, "step": ph.step, "task_id": ph.task_id, "status": ph.status,
                        "duration_ms": ph.duration_ms, "attempts": ph.attempts, "input_tokens": ph.input_tokens,
                        "output_tokens": ph.output_tokens, "total_tokens": ph.total_tokens,
                        "cost": ph.cost(prices) if prices is not None else None,
                    }
                    for ph in phases
                ],
            }
            self._write([json.dumps(report, default=repr)])
            return
        took = f" in {stats.duration_ms / 1000:.2f}s" if stats.duration_ms is not None else ""
        cost = f", cost {format_cost(total)}" if prices is not None else ""
        lines = [f"summary: {len(phases)} phases{took}, tokens in {stats.input_tokens} / out {stats.output_tokens}{cost}"]
        header = f"  {'phase':<24} {'ms':>9} {'tokens in/out':>15} {'status':<11}"
        lines.append(header + (f" {'cost':>10}" if prices is not None else ""))
        for ph in sorted(phases, key=lambda ph: -(ph.duration_ms or 0.0)):
            where = ph.node or "?"
            if ph.namespace:
                where = f"{ph.namespace.split(':')[0]}/{where}"
            ms = f"{ph.duration_ms:.0f}" if ph.duration_ms is not None else "-"
            row = f"  {where:<24} {ms:>9} {f'{ph.input_tokens}/{ph.output_tokens}':>15} {ph.status:<11}"
            lines.append(row + (f" {format_cost(ph.cost(prices)):>10}" if prices is not None else ""))
        if unpriced:
            lines.append(f"  no price for: {', '.join(unpriced)} (their tokens are not in the cost)")
        self._write(lines)

    def _prefix(self, event: Any, when: float | None = None) -> str:
        stamp = datetime.fromtimestamp(event.time if when is None else when).strftime("%H:%M:%S.%f")[:-3]
        where = event.node or "-"
        if event.namespace:
            where = f"{event.namespace.split(':')[0]}/{where}"
        return f"{stamp} {where:<16}"

    def _flush_streams(self, event: Any) -> list[str]:
        lines = []
        for kind in ("thinking", "answer"):
            parts = self._streams.pop((event.task_id, kind), None)
            if parts:
                lines.append(f"{self._prefix(event)} {kind}: {_short(''.join(parts), 240)}")
        return lines

    def _lines(self, e: Any) -> list[str]:
        kind = e.kind
        p = self._prefix(e)
        if kind == "token":
            self._streams.setdefault((e.task_id, "answer"), []).append(e.text)
            return []
        if kind == "thinking":
            self._streams.setdefault((e.task_id, "thinking"), []).append(e.text)
            return []
        if kind == "run_started":
            return [f"{p} run started (thread {e.thread_id})"]
        if kind == "run_finished":
            tokens = f", tokens in {e.input_tokens} / out {e.output_tokens}" if e.total_tokens else ""
            return [f"{p} run {e.status} after {e.duration_ms / 1000:.2f}s, {e.phases} phases{tokens}"]
        if kind == "phase_started":
            return [f"{p} ▶ started"]
        if kind == "phase_finished":
            took = f" in {e.duration_ms:.0f}ms" if e.duration_ms is not None else ""
            tokens = f", tokens {e.input_tokens}/{e.output_tokens}" if e.total_tokens else ""
            return self._flush_streams(e) + [f"{p} ■ {e.status}{took}{tokens}"]
        if kind == "log":
            return [f"{p} log {e.level} {e.logger}: {_short(e.message)}"]
        if kind == "custom":
            return [f"{p} custom {_short(e.payload)}"]
        if kind == "tool_call":
            return [f"{p} → tool {e.name}({_short(e.args, 100)})"]
        if kind == "tool_result":
            return [f"{p} ← tool {e.name or ''} {e.status}: {_short(e.content, 100)}"]
        if kind == "error":
            retry = f" (attempt {e.attempt}, will retry)" if e.will_retry else f" (attempt {e.attempt})" if e.attempt else ""
            lines = [f"{p} ✖ {e.type}{retry}: {_short(e.message)}", f"{p}   {e.classification} ({e.confidence:.0%}): {e.suggestion}"]
            if e.traceback and not e.will_retry:
                lines += [f"{p}   {line}" for line in e.traceback.rstrip().splitlines()]
            return lines
        if kind == "interrupt":
            return [f"{p} ⏸ interrupt {e.interrupt_id if hasattr(e, 'interrupt_id') else ''}: {_short(getattr(e, 'value', None))}"]
        if kind == "checkpoint":
            return [f"{p} checkpoint {e.checkpoint_id} ({e.source})"] if getattr(e, "new", True) else []
        if kind == "usage":
            return []
        return [f"{p} {kind}"]


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
