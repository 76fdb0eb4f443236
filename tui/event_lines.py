"""Events as lines for a terminal or a CI log (``run --no-ui``), or as NDJSON (``--json``)."""

from __future__ import annotations

import json
import sys
import threading
from datetime import datetime
from typing import Any, TextIO


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

    def __call__(self, event: Any) -> None:
        with self._lock:
            if self.as_json:
                self.out.write(event.model_dump_json() + "\n")
                self.out.flush()
                return
            for line in self._lines(event):
                self.out.write(line + "\n")
            self.out.flush()

    def _prefix(self, event: Any) -> str:
        when = datetime.fromtimestamp(event.time).strftime("%H:%M:%S.%f")[:-3]
        where = event.node or "-"
        if event.namespace:
            where = f"{event.namespace.split(':')[0]}/{where}"
        return f"{when} {where:<16}"

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
            lines = [f"{p} ✖ {e.type}: {_short(e.message)}{retry}", f"{p}   {e.classification} ({e.confidence:.0%}): {e.suggestion}"]
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
