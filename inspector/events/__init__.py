"""Live events of a run: one typed model that every source emits and every consumer reads.

- ``model``: the events (pydantic, discriminated on ``kind``), ``parse_event``, ``jsonable``.
- ``context``: the phase (node run) a piece of work belongs to, from LangGraph's run metadata.
- ``hooks``: every private piece of LangGraph the events code uses, and nothing else.
- ``failures``: the failing task of an exception, its traceback, LangGraph's retries.
- ``extractor``: ``EventExtractor``, stream parts and node log records in, events out.
- ``stats``: ``RunStats``, durations, tokens and cost, from events only.
- ``stuck``: ``StuckWatch``, phases running past their threshold.
- ``pipeline``: ``EventPipeline``, each event counted once (stats, stuck watch), then
  handed to every consumer.
- ``format``: ``EventFormatter``, events as lines of text for the events pane,
  ``run --no-ui`` and a line-mode console.

Stats and the stuck watch read events only, so they work the same live and on a
recording. Everything is importable from here; nothing here imports a UI library.
"""

from agent_debug.inspector.events.context import NodeContext, context_from_config, context_from_metadata, node_context
from agent_debug.inspector.events.extractor import ATTACHED_STREAM_MODES, STREAM_MODES, EventCallback, EventExtractor
from agent_debug.inspector.events.failures import RETRY_LOGGER, Retry, failing_task, format_traceback, retry_of
from agent_debug.inspector.events.format import LOG, PANE, EventFormatter, Layout, Line, Span, format_cost, phases_title, plain
from agent_debug.inspector.events.model import (
    CheckpointEvent,
    CustomEvent,
    ErrorEvent,
    Event,
    InterruptEvent,
    LogEvent,
    PhaseFinishedEvent,
    PhaseStartedEvent,
    PhaseStatus,
    RunFinishedEvent,
    RunStartedEvent,
    RunStatus,
    ThinkingEvent,
    TokenEvent,
    ToolCallEvent,
    ToolResultEvent,
    UsageEvent,
    event_adapter,
    jsonable,
    parse_event,
)
from agent_debug.inspector.events.pipeline import EventPipeline
from agent_debug.inspector.events.stats import PhaseStats, PriceTable, RunStats
from agent_debug.inspector.events.stuck import StuckPhase, StuckWatch

__all__ = [
    "ATTACHED_STREAM_MODES",
    "LOG",
    "PANE",
    "RETRY_LOGGER",
    "STREAM_MODES",
    "CheckpointEvent",
    "CustomEvent",
    "ErrorEvent",
    "Event",
    "EventCallback",
    "EventExtractor",
    "EventFormatter",
    "EventPipeline",
    "InterruptEvent",
    "Layout",
    "Line",
    "LogEvent",
    "NodeContext",
    "PhaseFinishedEvent",
    "PhaseStartedEvent",
    "PhaseStats",
    "PhaseStatus",
    "PriceTable",
    "Retry",
    "RunFinishedEvent",
    "RunStartedEvent",
    "RunStats",
    "RunStatus",
    "Span",
    "StuckPhase",
    "StuckWatch",
    "ThinkingEvent",
    "TokenEvent",
    "ToolCallEvent",
    "ToolResultEvent",
    "UsageEvent",
    "context_from_config",
    "context_from_metadata",
    "event_adapter",
    "failing_task",
    "format_cost",
    "format_traceback",
    "jsonable",
    "node_context",
    "parse_event",
    "phases_title",
    "plain",
    "retry_of",
]
