"""Timings, tokens and cost of a run, built from its events only, so they are the same
live and read back from a recording."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

PriceTable = Mapping[str, Mapping[str, float]]
"""``{model_name: {"input": price per 1k tokens, "output": price per 1k tokens}}``, supplied by the user."""


@dataclass
class PhaseStats:
    """Duration and tokens of one phase (one task)."""

    task_id: str | None
    node: str | None
    namespace: str
    step: int | None
    status: str = "running"
    started: float | None = None
    duration_ms: float | None = None
    attempts: int = 1
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    #: tokens per model: model → [input, output]
    by_model: dict[str | None, list[int]] = field(default_factory=dict)

    def cost(self, prices: PriceTable) -> float | None:
        """Cost from the user's price table; None when no model it used has a price."""
        return _cost(self.by_model, prices)


def _cost(by_model: Mapping[str | None, Sequence[int]], prices: PriceTable) -> float | None:
    total, priced = 0.0, False
    for model, (tokens_in, tokens_out) in by_model.items():
        price = prices.get(model) if model is not None else None
        if price is None:
            continue
        priced = True
        total += tokens_in / 1000 * float(price.get("input", 0.0)) + tokens_out / 1000 * float(price.get("output", 0.0))
    return total if priced else None


class RunStats:
    """Per-phase durations and tokens of the latest run, and its totals, built from events.

    ``whole_thread``: count the runs of one thread together, as a debugger steps through
    it (each step, continue or resume is a run of its own to LangGraph): only a run on
    another thread starts them over; the duration is then the sum of the runs'.
    """

    def __init__(self, *, whole_thread: bool = False) -> None:
        self.whole_thread = whole_thread
        self.thread_id: str | None = None
        self._reset()

    def _reset(self) -> None:
        self.phases: dict[str, PhaseStats] = {}
        self.input_tokens = 0
        self.output_tokens = 0
        self.total_tokens = 0
        self.started: float | None = None
        self.duration_ms: float | None = None
        self.status: str | None = None

    @classmethod
    def from_events(cls, events: Iterable[Any]) -> RunStats:
        """Stats of the last run in ``events`` (a recording, say)."""
        stats = cls()
        for event in events:
            stats.observe(event)
        return stats

    def observe(self, event: Any) -> None:
        """Account for one event."""
        kind = event.kind
        if kind == "run_started":
            if self.whole_thread and event.thread_id == self.thread_id:
                self.status = None  # running again
            else:
                self._reset()  # stats are per run (per thread: whole_thread)
                self.started = event.time
            self.thread_id = event.thread_id
        elif kind == "run_finished":
            before = self.duration_ms if self.whole_thread and self.duration_ms is not None else 0.0
            self.duration_ms, self.status = before + event.duration_ms, event.status
        elif kind == "phase_started":
            phase = self._phase(event)
            phase.started, phase.status = event.time, "running"
        elif kind == "phase_finished":
            phase = self._phase(event)
            phase.status, phase.duration_ms, phase.attempts = event.status, event.duration_ms, event.attempts
        elif kind == "usage":
            phase = self._phase(event)
            phase.input_tokens += event.input_tokens
            phase.output_tokens += event.output_tokens
            phase.total_tokens += event.total_tokens
            per_model = phase.by_model.setdefault(event.model, [0, 0])
            per_model[0] += event.input_tokens
            per_model[1] += event.output_tokens
            self.input_tokens += event.input_tokens
            self.output_tokens += event.output_tokens
            self.total_tokens += event.total_tokens

    def _phase(self, event: Any) -> PhaseStats:
        # Usage outside a known task (no tasks stream mode) is kept per node.
        key = event.task_id or f"{event.namespace}/{event.node}"
        phase = self.phases.get(key)
        if phase is None:
            phase = self.phases[key] = PhaseStats(event.task_id, event.node, event.namespace, event.step)
        return phase

    def copy(self) -> RunStats:
        """A copy that later events do not change (to read while another thread counts)."""
        other = RunStats()
        other.__dict__.update(self.__dict__)
        other.phases = {key: replace(p, by_model={m: list(t) for m, t in p.by_model.items()}) for key, p in self.phases.items()}
        return other

    def slowest(self, n: int = 3) -> list[PhaseStats]:
        """The ``n`` finished phases that took longest, slowest first."""
        timed = [p for p in self.phases.values() if p.duration_ms is not None]
        return sorted(timed, key=lambda p: p.duration_ms or 0.0, reverse=True)[:n]

    def cost(self, prices: PriceTable) -> float | None:
        """Cost of the run from the user's price table; None when no model used has a price."""
        by_model: dict[str | None, list[int]] = {}
        for phase in self.phases.values():
            for model, (tokens_in, tokens_out) in phase.by_model.items():
                acc = by_model.setdefault(model, [0, 0])
                acc[0] += tokens_in
                acc[1] += tokens_out
        return _cost(by_model, prices)

    def unpriced_models(self, prices: PriceTable) -> set[str | None]:
        """Models that reported usage but have no price in the table."""
        return {m for p in self.phases.values() for m in p.by_model if m is None or m not in prices}

