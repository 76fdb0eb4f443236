"""Events as lines of text: the one formatter of every front end that shows events.

A line is a tuple of spans ``(text, role)``. The text is safe for a terminal (control
characters shown as escapes: the events quote the run's data); the role says what the
text is (``time``, ``where``, ``thinking``, ``log.WARNING``, ``error``, ``error.detail``,
``phase_finished.done``...), for a front end to style (the events pane maps roles to
Rich styles) or to ignore (``run --no-ui`` prints ``plain(line)``). No Rich, Textual or
prompt_toolkit here: the inspector never imports them.

Two layouts, one per kind of screen:

- ``PANE``, the events pane: short lines beside the phase table (which shows timings and
  tokens), values by their repr, a logger by the last part of its name; no answers,
  checkpoints or tracebacks (the state pane and the errors tab hold those).
  ``PANE_WRAPPED``: the same for a pane that wraps its lines, each message whole.
- ``LOG``, a terminal or a CI log (``run --no-ui``, a line-mode console): all on its
  lines, values as JSON, the subgraph in the where column, a failure's traceback, and
  each phase's thinking and answer printed once, when the phase ends.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent_debug.inspector.events.model import ThinkingEvent, TokenEvent
from agent_debug.inspector.events.stats import PriceTable, RunStats
from agent_debug.inspector.events.stuck import StuckPhase
from agent_debug.inspector.safe_text import visible

Span = tuple[str, str]
"""Text and its role."""

Line = tuple[Span, ...]
"""One line of spans."""


def plain(line: Line) -> str:
    """The text of a line, without roles."""
    return "".join(text for text, _ in line)


# -- values in one line -----------------------------------------------------------------------

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 200
_REPR.maxlist = _REPR.maxdict = _REPR.maxtuple = _REPR.maxset = 8
_REPR.maxlevel = 3


def short_repr(value: Any, width: int) -> str:
    """A value by its repr in at most ``width`` visible characters, escapes counted
    (the repr of a huge value is never built)."""
    text = value[: width * 4] if isinstance(value, str) else _REPR.repr(value)
    text = visible(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"


def short_json(value: Any, width: int) -> str:
    """A value as JSON (a string as itself) in at most ``width`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=repr, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def stamp(when: float) -> str:
    """Local wall-clock time to the millisecond: ``14:03:59.250``."""
    t = datetime.fromtimestamp(when)
    # strftime("%H:%M:%S.%f")[:-3], at a fifth of its cost (a line per event of a flood).
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond // 1000:03d}"


def format_cost(cost: float | None) -> str:
    """A cost for people: prices are per 1k tokens, so a phase often costs a fraction of a cent."""
    return "-" if cost is None else f"{cost:.6f}"


def unpriced_names(stats: RunStats, prices: PriceTable) -> list[str]:
    """The models that reported tokens but have no price, sorted, for people."""
    return sorted(m or "(no model name)" for m in stats.unpriced_models(prices))


# -- layouts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How one kind of screen lays events out (see ``PANE`` and ``LOG``)."""

    #: the complete lines of a log (see the module's docstring), not the pane's short ones
    full: bool
    #: the where column: node, or subgraph/node in a full layout
    where_width: int
    #: a value (payload, arguments, message) in at most so many characters
    short: Callable[[Any, int], str]
    #: widths of thinking and answers, log messages, other values, tool arguments and results
    text_width: int
    message_width: int
    value_width: int
    tool_width: int


PANE = Layout(full=False, where_width=14, short=short_repr, text_width=300, message_width=300, value_width=200, tool_width=120)
#: every text whole, up to a bound for a hostile one (a line wraps at the pane's edge)
PANE_WRAPPED = Layout(full=False, where_width=14, short=short_repr, text_width=20_000, message_width=20_000, value_width=20_000, tool_width=20_000)
LOG = Layout(full=True, where_width=16, short=short_json, text_width=240, message_width=160, value_width=160, tool_width=100)


# -- the formatter --------------------------------------------------------------------------------


@dataclass
class EventFormatter:
    """Lines for events, in a ``layout``.

    ``feed(event)`` gives an event's lines. Streamed thinking and answer tokens have none
    of their own: they are gathered per phase (``streams``) and come out whole, as one
    thinking and one answer event, just before the phase's ``phase_finished`` (in the
    ``LOG`` layout unstreamed ones too, so a CI log reads one line of each per phase).
    A front end that filters events between the two steps calls ``fold`` and ``lines``
    itself. Not thread-safe: one formatter per consumer.
    """

    layout: Layout = LOG
    #: text streamed so far, by (task id, "thinking" or "token", message id), oldest first
    streams: dict[tuple[str | None, str, str | None], list[str]] = field(default_factory=dict)

    def feed(self, event: Any) -> list[Line]:
        """The lines ``event`` adds (none for a token streamed inside a phase)."""
        return [line for folded in self.fold(event) for line in self.lines(folded)]

    def reset(self) -> None:
        """Forget the text streamed so far (the events are shown again from the start)."""
        self.streams = {}

    def fold(self, e: Any) -> list[Any]:
        """``e`` as the events to show: none for a piece of a stream, the whole thinking
        and answer of each of a phase's model calls (by message) before its
        ``phase_finished``, else ``e`` itself."""
        kind = e.kind
        if kind in ("token", "thinking") and (e.streamed or self.layout.full):
            self.streams.setdefault((e.task_id, kind, e.message_id), []).append(e.text)
            return []
        if kind == "phase_finished":
            whole = self._whole(e)
            if whole:
                return [*whole, e]
        return [e]

    def _whole(self, e: Any) -> list[Any]:
        """The phase's streamed text as whole events: per message, its thinking then its
        answer, oldest message first. (Two model calls are two thoughts: one line each,
        not one run-together line; a run joined mid-call shows the rest of that call's
        apart from the calls seen whole.)"""
        mine = [key for key in self.streams if key[0] == e.task_id]
        if not mine:
            return []
        where = {"seq": e.seq, "time": e.time, "thread_id": e.thread_id, "namespace": e.namespace, "step": e.step,
                 "node": e.node, "task_id": e.task_id}  # fmt: skip
        texts = {key: "".join(self.streams.pop(key)) for key in mine}
        whole: list[Any] = []
        for message_id in dict.fromkeys(key[2] for key in mine):
            thought, answer = texts.get((e.task_id, "thinking", message_id)), texts.get((e.task_id, "token", message_id))
            if thought:
                whole.append(ThinkingEvent(**where, text=thought, format="reasoning", streamed=False, message_id=message_id))
            if answer:
                whole.append(TokenEvent(**where, text=answer, streamed=False, message_id=message_id))
        return whole

    def shows(self, kind: str) -> bool:
        """Whether events of ``kind`` can have a line in this layout."""
        return self.layout.full or kind not in ("token", "usage", "checkpoint")

    def lines(self, e: Any) -> list[Line]:
        """The lines of one (folded) event: the first with the time and where, then its
        continuation lines (an error's class and advice, its traceback)."""
        parts = self._body(e)
        if not parts:
            return []
        head = self._head(e.time, e.node, e.namespace)
        (text, role), more = parts[0], parts[1:]
        lines: list[Line] = [(*head, (visible(text), role))]
        if self.layout.full:
            lines.extend((*head, ("  " + visible(t), r)) for t, r in more)
        else:
            lines.extend((("    " + visible(t), r),) for t, r in more)
        return lines

    def _head(self, when: float, node: str | None, namespace: str) -> Line:
        where = node or "-"
        if namespace and self.layout.full:
            where = f"{namespace.split(':')[0]}/{where}"
        return ((stamp(when), "time"), (" ", ""), (f"{visible(where):<{self.layout.where_width}}", "where"), (" ", ""))

    def _body(self, e: Any) -> list[Span]:
        """The text of the event's line, then of its continuation lines; [] for none."""
        layout, kind = self.layout, e.kind
        full, short = layout.full, layout.short
        if kind == "thinking":
            return [(f"thinking: {short(e.text, layout.text_width)}", "thinking")]
        if kind == "token":
            return [(f"answer: {short(e.text, layout.text_width)}", "token")] if full else []
        if kind == "log":
            # A pane has no room for a dotted module path: its last part names the logger.
            label, logger = ("log ", e.logger) if full else ("", e.logger.rsplit(".", 1)[-1])
            return [(f"{label}{e.level} {logger}: {short(e.message, layout.message_width)}", f"log.{e.level}")]
        if kind == "custom":
            return [(f"custom {short(e.payload, layout.value_width)}", "custom")]
        if kind == "error":
            # The attempt before the message: a long message would push it out of view.
            if e.will_retry:
                attempt = f" (attempt {e.attempt}, will retry)"
            else:
                attempt = f" (attempt {e.attempt})" if full and e.attempt else ""
            parts = [
                (f"✖ {e.type}{attempt}: {short(e.message, layout.value_width)}", "error"),
                (f"{e.classification} ({e.confidence:.0%}): {e.suggestion}", "error.detail"),
            ]
            if full and e.traceback and not e.will_retry:
                parts += [(line, "traceback") for line in e.traceback.rstrip().splitlines()]
            return parts
        if kind == "phase_started":
            return [("▶ started", "phase_started")]
        if kind == "phase_finished":
            took = f" in {e.duration_ms:.0f}ms" if e.duration_ms is not None else ""
            tokens = f", tokens {e.input_tokens}/{e.output_tokens}" if full and e.total_tokens else ""
            return [(f"■ {e.status}{took}{tokens}", f"phase_finished.{e.status}")]
        if kind == "tool_call":
            return [(f"→ tool {e.name}({short(e.args, layout.tool_width)})", "tool_call")]
        if kind == "tool_result":
            name = f"tool {e.name or ''}" if full else e.name or "tool"
            return [(f"← {name} {e.status}: {short(e.content, layout.tool_width)}", "tool_result")]
        if kind == "interrupt":
            which = f"{e.interrupt_id}: " if full else ""
            return [(f"⏸ interrupt {which}{short(e.value, layout.value_width)}", "interrupt")]
        if kind == "run_started":
            return [(f"run started (thread {e.thread_id})" if full else "run started", "run")]
        if kind == "run_finished":
            if not full:
                return [(f"run finished {e.status}", "run")]
            tokens = f", tokens in {e.input_tokens} / out {e.output_tokens}" if e.total_tokens else ""
            return [(f"run {e.status} after {e.duration_ms / 1000:.2f}s, {e.phases} phases{tokens}", "run")]
        if kind == "checkpoint":
            return [(f"checkpoint {e.checkpoint_id} ({e.source})", "checkpoint")] if full and e.new else []
        if kind == "usage":
            return []  # counted in the phase's and the run's totals
        return [(kind, "other")] if full else []

    # -- reports ------------------------------------------------------------------------------

    def stuck(self, s: StuckPhase, now: float) -> Line:
        """The warning that a phase has run past its threshold, at ``now``."""
        text = f"⚠ stuck? running for {s.elapsed_s:.1f}s (threshold {s.threshold_s:g}s)"
        return (*self._head(now, s.node, s.namespace), (text, "stuck"))

    def summary(self, stats: RunStats, prices: PriceTable | None = None) -> list[Line]:
        """The run's phases, slowest first (time, tokens, status; cost with ``prices``), and totals."""
        phases = list(stats.phases.values())
        took = f" in {stats.duration_ms / 1000:.2f}s" if stats.duration_ms is not None else ""
        cost = f", cost {format_cost(stats.cost(prices))}" if prices is not None else ""
        rows = [f"summary: {len(phases)} phases{took}, tokens in {stats.input_tokens} / out {stats.output_tokens}{cost}"]
        header = f"  {'phase':<24} {'ms':>9} {'tokens in/out':>15} {'status':<11}"
        rows.append(header + (f" {'cost':>10}" if prices is not None else ""))
        for ph in sorted(phases, key=lambda ph: -(ph.duration_ms or 0.0)):
            where = ph.node or "?"
            if ph.namespace:
                where = f"{ph.namespace.split(':')[0]}/{where}"
            ms = f"{ph.duration_ms:.0f}" if ph.duration_ms is not None else "-"
            row = f"  {visible(where):<24} {ms:>9} {f'{ph.input_tokens}/{ph.output_tokens}':>15} {visible(ph.status):<11}"
            rows.append(row + (f" {format_cost(ph.cost(prices)):>10}" if prices is not None else ""))
        unpriced = unpriced_names(stats, prices) if prices is not None else []
        if unpriced:
            rows.append(f"  no price for: {', '.join(unpriced)} (their tokens are not in the cost)")
        return [((visible(row), "summary"),) for row in rows]


def phases_title(stats: RunStats, prices: PriceTable | None = None) -> str:
    """The title of a phase table: slowest first; with ``prices``, the run's cost and the
    models without a price."""
    title = "phases (slowest first)"
    if prices is not None:
        title += f" · cost {format_cost(stats.cost(prices))}"
        unpriced = unpriced_names(stats, prices)
        if unpriced:
            title += f" · no price for {', '.join(unpriced)}"
    return visible(title)


# -- the same reports as JSON objects (``--json``) --------------------------------------------------


def stuck_record(s: StuckPhase, *, thread_id: str | None, now: float) -> dict[str, Any]:
    """The stuck warning as an NDJSON object (``report``: "stuck"; no ``kind``: not an event)."""
    return {
        "report": "stuck", "time": now, "thread_id": thread_id, "namespace": s.namespace, "step": s.step,
        "node": s.node, "task_id": s.task_id, "started": s.started, "elapsed_s": round(s.elapsed_s, 3),
        "threshold_s": s.threshold_s,
    }  # fmt: skip


def summary_record(stats: RunStats, prices: PriceTable | None = None, *, thread_id: str | None) -> dict[str, Any]:
    """The run's summary as an NDJSON object (``report``: "summary")."""
    return {
        "report": "summary", "thread_id": thread_id, "status": stats.status, "duration_ms": stats.duration_ms,
        "input_tokens": stats.input_tokens, "output_tokens": stats.output_tokens, "total_tokens": stats.total_tokens,
        "cost": stats.cost(prices) if prices is not None else None,
        "unpriced_models": unpriced_names(stats, prices) if prices is not None else [],
        "phases": [
            {
                "node": ph.node, "namespace": ph.namespace, "step": ph.step, "task_id": ph.task_id, "status": ph.status,
                "duration_ms": ph.duration_ms, "attempts": ph.attempts, "input_tokens": ph.input_tokens,
                "output_tokens": ph.output_tokens, "total_tokens": ph.total_tokens,
                "cost": ph.cost(prices) if prices is not None else None,
            }
            for ph in stats.phases.values()
        ],
    }  # fmt: skip


__all__ = [
    "LOG",
    "PANE",
    "PANE_WRAPPED",
    "EventFormatter",
    "Layout",
    "Line",
    "Span",
    "format_cost",
    "phases_title",
    "plain",
    "short_json",
    "short_repr",
    "stamp",
    "stuck_record",
    "summary_record",
    "unpriced_names",
    "visible",
]

