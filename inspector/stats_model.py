"""The ``agent-debug stats --json`` document (schema: ``StoreStats``).

Seconds are floats; a figure the store cannot tell is null. Names of subgraph nodes are
qualified by the node that ran the subgraph: ``sub:node`` (``a:b:node`` deeper).
Fields are only added, never renamed, within a ``schema_version``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent_debug.inspector.errors import ErrorClass
from agent_debug.inspector.vocabulary import SCHEMA_VERSION, ThreadStatus


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class ModelTokens(_Record):
    """Tokens one model reported (AIMessage ``usage_metadata``), and their cost."""

    model: str | None = Field(description="response_metadata model_name (or model); null when the message names none.")
    input_tokens: int
    output_tokens: int
    cost: float | None = Field(None, description="From --prices; null when the model has no price (or no --prices).")


class Durations(_Record):
    """Work time of the phases that finished and whose work is known: no wait in their span,
    or only their subgraph's waits, taken out (nearest-rank percentiles, seconds)."""

    count: int
    p50: float | None
    p95: float | None
    max: float | None


class FingerprintCount(_Record):
    """Failures sharing one fingerprint: the type and the message with numbers, ids, hex and quoted values replaced."""

    fingerprint: str
    count: int


class NodeStats(_Record):
    """One node across the threads counted."""

    node: str = Field(description="Node name; 'sub:node' inside a subgraph.")
    phases: int = Field(description="Runs of the node (finished, failed, waiting or running).")
    done: int = Field(description="Runs that finished.")
    durations: Durations
    waited: int = Field(description="Runs whose span holds a wait at an interrupt (not in durations, unless the wait was their subgraph's).")
    wait_seconds: float = Field(description="Seconds of those spans marked as waiting (to now for a wait not answered).")
    reruns: int = Field(description="Runs whose span holds a failed attempt and the run that passed (not in durations).")
    retries: int = Field(description="Runs after a failed one, as the stored writes show (a store keeps no RetryPolicy attempts).")
    failures: int
    failures_by_class: dict[ErrorClass, int] = Field(default_factory=dict)
    fingerprints: list[FingerprintCount] = Field(default_factory=list, description="Most common first.")
    input_tokens: int = 0
    output_tokens: int = 0
    models: list[ModelTokens] = Field(default_factory=list)
    cost: float | None = None


class ThreadStats(_Record):
    """One thread's totals."""

    thread_id: str
    status: ThreadStatus
    wall_seconds: float | None = Field(description="First phase start to last phase end (to now while it waits or runs).")
    work_seconds: float = Field(description="The root graph's phase time less the time marked as waiting.")
    wait_seconds: float = Field(description="Time marked as waiting (at an interrupt, or after a failure until re-run).")
    steps: int = Field(description="Root-graph checkpoints made by node runs.")
    failures: int
    input_tokens: int
    output_tokens: int
    models: list[ModelTokens] = Field(default_factory=list)
    cost: float | None = None


class SlowPhase(_Record):
    """A phase in the slowest list (work time, no wait in its span)."""

    thread_id: str
    node: str
    step: int | None
    checkpoint_id: str
    seconds: float


class ErrorGroup(_Record):
    """A fingerprint's failures across threads."""

    fingerprint: str
    type: str
    classification: ErrorClass
    count: int
    nodes: list[str]
    threads: list[str] = Field(description="Threads it hit (at most --top of them).")
    thread_count: int
    example: str = Field(description="One full message of the group.")


class InterruptWait(_Record):
    """A wait at an interrupt: still waiting, or answered (its span then holds work too)."""

    thread_id: str
    node: str
    since: datetime | None
    seconds: float
    answered: bool
    exact: bool = Field(description="false: the span also holds the phase's work (the store records no boundary).")


class UnreadableThread(_Record):
    """A thread whose stored rows could not be read; left out of every figure."""

    thread_id: str
    reason: str


class StatsFilters(_Record):
    """The filters the figures were computed with."""

    since: datetime | None = Field(None, description="Only threads whose latest checkpoint is this recent.")
    status: ThreadStatus | None = None
    node: str | None = None
    thread_prefix: str | None = None
    top: int


class StoreStats(_Record):
    """``agent-debug stats --json``: where time, tokens and failures go across threads."""

    schema_version: Literal[1] = SCHEMA_VERSION
    target: str
    computed_at: datetime = Field(description="The 'now' open waits and running phases are measured to.")
    filters: StatsFilters
    threads_total: int = Field(description="Threads in the store, before filters.")
    threads_counted: int
    unreadable: list[UnreadableThread] = Field(default_factory=list)
    nodes: list[NodeStats] = Field(default_factory=list, description="By node name.")
    threads: list[ThreadStats] = Field(default_factory=list, description="Every thread counted, newest first.")
    slowest_phases: list[SlowPhase] = Field(default_factory=list)
    most_expensive_threads: list[str] = Field(default_factory=list, description="By cost, else by tokens; ids into 'threads'.")
    top_errors: list[ErrorGroup] = Field(default_factory=list)
    interrupts: list[InterruptWait] = Field(default_factory=list, description="Longest first; waiting ones before answered ones of the same length.")
    models: list[ModelTokens] = Field(default_factory=list, description="Totals per model.")
    unpriced_models: list[str | None] = Field(default_factory=list, description="Models with usage but no price in --prices.")
