"""``EventExtractor``: LangGraph stream parts and node log records in, ``Event``s out.

LangGraph streams parts ``(namespace, mode, chunk)``; the extractor turns them into events,
together with the log records that ``logcapture.LogCapture`` hands it from the threads
LangGraph runs nodes in. The private LangGraph hooks it can listen through instead of
some stream modes are in ``hooks``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent_debug.inspector.errors import classify
from agent_debug.inspector.events import hooks
from agent_debug.inspector.events.context import NodeContext, context_from_metadata, node_context
from agent_debug.inspector.events.failures import Retry, failing_task, format_traceback, retry_of
from agent_debug.inspector.events.model import (
    CheckpointEvent,
    CustomEvent,
    ErrorEvent,
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
    _Event,
    jsonable,
    made,
)
from agent_debug.inspector.events.pipeline import EventPipeline
from agent_debug.inspector.events.stats import RunStats
from agent_debug.inspector.messages import split_content

#: The stream modes the extractor understands, in the order to pass to ``graph.stream``.
STREAM_MODES: tuple[str, ...] = ("tasks", "messages", "custom", "updates", "checkpoints")
#: What to stream once ``EventExtractor.attach`` has hooked the extractor into the run's
#: config: custom events and chat-model messages then come from the node threads.
ATTACHED_STREAM_MODES: tuple[str, ...] = ("tasks", "updates", "checkpoints")


# -- reading messages ---------------------------------------------------------------------


def _messages_in(value: Any) -> Iterable[Any]:
    """LangChain messages in a channel write (a message, a list of them, or LangGraph's ``$writes``)."""
    if _is_message(value):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            if _is_message(item):
                yield item
    elif isinstance(value, dict) and isinstance(value.get("$writes"), list):
        for item in value["$writes"]:
            yield from _messages_in(item)


def _is_message(value: Any) -> bool:
    # Imported here: reading a recording must not pay for importing langchain-core.
    from langchain_core.messages import BaseMessage

    return isinstance(value, BaseMessage)


_CHUNK: Any = None


def _chunk_class() -> Any:
    """``AIMessageChunk`` (imported on first use, then kept: a flood asks for each token)."""
    global _CHUNK
    if _CHUNK is None:
        from langchain_core.messages import AIMessageChunk

        _CHUNK = AIMessageChunk
    return _CHUNK


def _message_key(message: Any) -> str:
    if message.id:
        return str(message.id)
    # Messages made without an id (by hand, in a node) are told apart by their content.
    return f"anon:{message.type}:{hash(repr(message.content))}"




@dataclass
class _Phase:
    task_id: str | None
    node: str | None
    namespace: str
    step: int | None
    started: float
    finished: bool = False
    failures: int = 0
    #: messages the task received as input: written back (a subgraph returns its whole
    #: state), they are not news
    known: set[str] = field(default_factory=set)

    def where(self) -> dict[str, Any]:
        return {"namespace": self.namespace, "step": self.step, "node": self.node, "task_id": self.task_id}


EventCallback = Callable[[Any], None]

# The kinds a flood is made of, built without validation (``model.made``): their fields
# are made here, of the right types.
_BUILT = frozenset({CustomEvent, TokenEvent, ThinkingEvent, LogEvent, UsageEvent})


class EventExtractor:
    """Turns LangGraph stream parts and node log records of a session into ``Event``s.

    Feed it what ``graph.stream(..., stream_mode=STREAM_MODES, subgraphs=True)`` yields
    with ``feed(namespace, mode, chunk)``; wrap each run in ``start_run()`` / ``finish_run()``.
    Each call returns the new events and also passes them to ``on_event`` in ``seq``
    order. Thread-safe: log records arrive from LangGraph's worker threads, so
    ``on_event`` may be called from them too and must be thread-safe itself.

    ``stream_modes``: what the run streams. Without ``tasks`` (or ``debug``) there are
    no phase events; node writes are then read from ``updates``.

    ``attach(graph, config)`` says how to stream a run so that custom events and
    chat-model messages reach the extractor from the threads nodes run in, as log
    records do, rather than through the stream (see there for why).

    ``graph`` (or the graph given to ``attach``): where the nodes' ``RetryPolicy`` is
    read from, so that an error's suggestion tells a node that already retries what to
    change in its policy rather than to add one.

    ``stats``: the ``RunStats`` each event is counted into as it is made (the phase and
    run events carry their totals). When ``on_event`` is an ``EventPipeline``, events are
    counted into the pipeline (its stats and stuck watch) and handed to its sinks: each
    event is counted once, here, however many consumers read it. So is an ``on_event``
    that wraps one (its ``pipeline`` attribute; it takes the counted events by its
    ``fan_out``), as the session's watch for errors does.
    """

    def __init__(
        self,
        thread_id: str | None = None,
        *,
        on_event: EventCallback | None = None,
        stream_modes: Sequence[str] = STREAM_MODES,
        clock: Callable[[], float] = time.time,
        graph: Any = None,
    ) -> None:
        self.thread_id = thread_id
        self._own_stats = RunStats()
        self.on_event = on_event
        self._graph = graph
        self._graph_ns = ""
        self._policies: dict[tuple[str, str], tuple[Any, ...] | None] = {}
        self._phases_streamed = "tasks" in stream_modes or "debug" in stream_modes
        self._clock = clock
        self._lock = threading.RLock()
        self._local = threading.local()
        self._seq = 0
        # Messages and tool calls are reported once per session, whichever run writes them again.
        self._seen_messages: set[str] = set()
        self._counted_usage: set[str] = set()
        self._seen_tool_calls: set[str] = set()
        self._reset_run(None, ())

    def _reset_run(self, run_id: str | None, existing: Iterable[str]) -> None:
        self._run_id = run_id
        self._run_started = self._clock()
        self._phases: dict[str, _Phase] = {}
        self._task_steps: dict[str, int] = {}
        self._seen_interrupts: set[str] = set()
        self._seen_checkpoints: set[tuple[str, str]] = set()
        self._existing = set(existing)
        self._reported: list[BaseException] = []
        self._interrupted = False
        self._breakpoint = False
        # The tokens this run reported (in, out, total), in all and per task: the totals of
        # its phase and run events, whatever the stats counted into are (a pipeline's may
        # count a whole thread, or several extractors' runs).
        self._run_tokens = [0, 0, 0]
        self._task_tokens: dict[str, list[int]] = {}

    @property
    def on_event(self) -> EventCallback | None:
        """Where the events go (an ``EventPipeline`` also counts them)."""
        return self._on_event

    @on_event.setter
    def on_event(self, on_event: EventCallback | None) -> None:
        self._on_event = on_event
        pipeline = on_event if isinstance(on_event, EventPipeline) else getattr(on_event, "pipeline", None)
        if not isinstance(pipeline, EventPipeline):
            pipeline = None
        self.stats: RunStats = pipeline.stats if pipeline is not None else self._own_stats
        self._count: EventCallback = pipeline.count if pipeline is not None else self._own_stats.observe
        # A pipeline's wrapper (the session's error watch) takes the counted events by its fan_out.
        self._hand: EventCallback | None = getattr(on_event, "fan_out", None) if pipeline is not None else on_event

    @property
    def delivering(self) -> bool:
        """True inside ``on_event`` on this thread (log records made there are not the workflow's)."""
        return bool(getattr(self._local, "delivering", False))

    # -- runs ---------------------------------------------------------------------------

    def start_run(self, *, graph: str | None = None, input: Any = None, existing_checkpoints: Iterable[str] = ()) -> list[Any]:
        """Begin a run. ``existing_checkpoints``: ids there before it (LangGraph re-announces the one it resumes from)."""
        with self._lock:
            self._reset_run(uuid.uuid4().hex, existing_checkpoints)
            out: list[Any] = []
            self._make(out, RunStartedEvent, run_id=self._run_id, graph=graph, input=jsonable(input))
            return self._deliver(out)

    def finish_run(self, error: BaseException | None = None, *, status: RunStatus | None = None) -> list[Any]:
        """End the run: close phases left open, report ``error`` unless a phase already did, add totals."""
        with self._lock:
            out: list[Any] = []
            for phase in self._phases.values() if self._phases_streamed else ():
                if not phase.finished and phase.task_id is not None:
                    phase.finished = True
                    self._make(
                        out,
                        PhaseFinishedEvent,
                        status="cancelled",
                        duration_ms=self._ms(phase),
                        attempts=phase.failures + 1,
                        **phase.where(),
                        **self._tokens(phase),
                    )
            if error is not None and not any(error is seen for seen in self._reported):
                self._error(out, error, self._phase_of_exception(error), will_retry=False, attempt=None)
            if status is None:
                status = "error" if error is not None else "interrupted" if self._interrupted else "done"
                if status == "done" and self._breakpoint:
                    status = "paused"
            tokens = self._run_tokens
            self._make(
                out,
                RunFinishedEvent,
                run_id=self._run_id or "",
                status=status,
                duration_ms=(self._clock() - self._run_started) * 1000,
                phases=len(self._phases) if self._phases_streamed else 0,
                input_tokens=tokens[0],
                output_tokens=tokens[1],
                total_tokens=tokens[2],
                error_type=type(error).__name__ if error is not None else None,
            )
            return self._deliver(out)

    # -- stream parts -------------------------------------------------------------------

    def feed(self, namespace: Sequence[str] | str, mode: str, chunk: Any) -> list[Any]:
        """The events for one stream part (``graph.stream(..., subgraphs=True)`` yields ``(namespace, mode, chunk)``)."""
        ns = namespace if isinstance(namespace, str) else "|".join(namespace)
        with self._lock:
            out: list[Any] = []
            if mode == "tasks":
                self._task_part(out, ns, chunk, None)
            elif mode == "debug":
                self._debug_part(out, ns, chunk)
            elif mode == "checkpoints":
                self._checkpoint_part(out, ns, chunk)
            elif mode == "messages":
                self._message_part(out, ns, chunk)
            elif mode == "custom":
                self._custom_part(out, ns, chunk)
            elif mode == "updates":
                if not ns and isinstance(chunk, Mapping) and chunk.get("__interrupt__") == ():
                    self._breakpoint = True  # interrupt_before/after stopped the run: no interrupt() value
                if not self._phases_streamed:
                    self._updates_part(out, ns, chunk)
            return self._deliver(out)

    def on_stream_part(self, mode: str, namespace: Sequence[str] | str, chunk: Any) -> None:
        """``feed`` in the argument order of ``Runner.run(on_event=...)``; events go to ``on_event``."""
        self.feed(namespace, mode, chunk)

    # -- attached to a run: custom events and messages from the node threads ---------------

    def attach(self, graph: Any, config: Mapping[str, Any], *, namespace: Sequence[str] = ()) -> tuple[dict[str, Any], list[str], bool]:
        """How to stream a run of ``graph`` into this extractor: ``(config, stream_mode,
        subgraphs)`` for ``graph.stream``; feed what it yields as usual. ``namespace``:
        the one the graph runs in (a subgraph run on its own), () for a root graph.

        The config makes LangGraph hand custom events, chat-model messages and the parts
        of subgraphs to the extractor on the thread that makes them, as log records are
        (the way LangGraph passes a subgraph's parts to its parent); the graph's own
        tasks, checkpoints and updates still come through the stream, so a runner can
        stop at a step boundary before the next tasks are reported. Without LangGraph's
        hooks for that: ``config``, ``STREAM_MODES`` and True.

        Why: with ``custom`` or ``messages`` among the stream modes, or ``subgraphs``,
        LangGraph hands every step to a thread pool and back so as to yield those parts
        while nodes run, which doubles the time of a run of quick steps, and each of
        those parts crosses threads twice. Attached, they also carry their exact task.
        """
        own = tuple(namespace)

        def nested(part: hooks.Part) -> None:
            if part[0] != own:  # the graph's own parts come through the stream
                self.feed(part[0], part[1], part[2])

        hooked = hooks.hooked_config(
            config,
            store=getattr(graph, "store", None),
            modes=ATTACHED_STREAM_MODES,
            on_part=nested,
            on_custom=self._write_custom,
            on_message=lambda part: self.feed(*part),
        )
        if hooked is None:  # no hooks in this LangGraph, or the caller wired them already
            return dict(config), list(STREAM_MODES), True
        if graph is not self._graph or self._graph_ns != "|".join(own):
            self._graph, self._graph_ns, self._policies = graph, "|".join(own), {}
        return hooked, list(ATTACHED_STREAM_MODES), False

    def _write_custom(self, value: Any) -> None:
        # get_stream_writer()'s writer: called on the node's thread, inside its config.
        self.feed_custom(value, node_context())

    def feed_custom(self, value: Any, context: NodeContext | None) -> list[Any]:
        """The event for a value a node wrote with ``get_stream_writer()`` (``context``: that node's)."""
        with self._lock:
            out: list[Any] = []
            if context is None:
                self._custom_part(out, "", value)
            else:
                phase = self._phase_for(out, context, context.namespace)
                self._make(out, CustomEvent, payload=jsonable(value), **phase.where())
            return self._deliver(out)

    def _task_part(self, out: list[Any], ns: str, chunk: Mapping[str, Any], step: int | None) -> None:
        task_id = str(chunk["id"])
        if "input" in chunk:  # a task starting
            phase = self._phases.get(task_id)
            if phase is None or phase.finished:
                phase = self._start_phase(out, task_id, str(chunk["name"]), ns, step, list(chunk.get("triggers") or ()))
            task_input = chunk.get("input")
            for value in task_input.values() if isinstance(task_input, Mapping) else (task_input,):
                phase.known.update(_message_key(m) for m in _messages_in(value))
            return
        phase = self._phases.get(task_id) or self._start_phase(out, task_id, str(chunk["name"]), ns, step, [])
        if phase.finished:
            return  # streamed twice (tasks and debug modes)
        writes = chunk.get("result") or {}
        self._from_writes(out, phase, writes)
        for intr in chunk.get("interrupts") or ():
            self._interrupt(out, phase, intr.get("id"), intr.get("value"))
        error = chunk.get("error")
        if isinstance(error, BaseException):
            self._error(out, error, phase, will_retry=False, attempt=phase.failures + 1)
        phase.finished = True
        status: PhaseStatus = "error" if error is not None else "interrupted" if chunk.get("interrupts") else "done"
        self._make(
            out,
            PhaseFinishedEvent,
            status=status,
            duration_ms=self._ms(phase),
            writes=jsonable(writes),
            error=type(error).__name__ if error is not None else None,
            attempts=phase.failures + 1,
            **phase.where(),
            **self._tokens(phase),
        )

    def _debug_part(self, out: list[Any], ns: str, chunk: Mapping[str, Any]) -> None:
        kind, payload, step = chunk.get("type"), chunk.get("payload") or {}, chunk.get("step")
        if kind in ("task", "task_result"):
            self._task_part(out, ns, payload, step if isinstance(step, int) else None)
        elif kind == "checkpoint":
            self._checkpoint_part(out, ns, payload)

    def _checkpoint_part(self, out: list[Any], ns: str, chunk: Mapping[str, Any]) -> None:
        configurable = (chunk.get("config") or {}).get("configurable") or {}
        checkpoint_id = configurable.get("checkpoint_id")
        if not checkpoint_id:
            return
        if self.thread_id is None and configurable.get("thread_id"):
            self.thread_id = str(configurable["thread_id"])
        metadata = chunk.get("metadata") or {}
        step = metadata.get("step")
        for task in chunk.get("tasks") or ():
            # The tasks listed at a checkpoint run in the next step.
            if isinstance(step, int) and task.get("id"):
                self._task_steps[str(task["id"])] = step + 1
        if (ns, checkpoint_id) in self._seen_checkpoints:
            return
        self._seen_checkpoints.add((ns, checkpoint_id))
        parent = ((chunk.get("parent_config") or {}).get("configurable") or {}).get("checkpoint_id")
        self._make(
            out,
            CheckpointEvent,
            namespace=ns,
            step=step if isinstance(step, int) else None,
            checkpoint_id=str(checkpoint_id),
            parent_id=parent,
            source=metadata.get("source"),
            next=[str(n) for n in chunk.get("next") or ()],
            new=checkpoint_id not in self._existing,
        )

    def _message_part(self, out: list[Any], ns: str, chunk: Any) -> None:
        message, metadata = chunk
        if getattr(message, "type", None) not in ("ai", "AIMessageChunk"):
            return  # human and tool messages are read from the writes, attributed to their task
        context = context_from_metadata(metadata or {})
        phase = self._phase_for(out, context, ns)
        streamed = isinstance(message, _chunk_class())
        key = _message_key(message)
        if not streamed and key in self._seen_messages:
            return
        model = (metadata or {}).get("ls_model_name")
        self._message_events(out, phase, message, streamed=streamed, model=model)

    def _custom_part(self, out: list[Any], ns: str, chunk: Any) -> None:
        # Custom chunks carry no task; the phase is known when one node runs in that graph.
        running = [p for p in self._phases.values() if not p.finished and p.namespace == ns]
        where: dict[str, Any] = {"namespace": ns}
        if len(running) == 1:
            where = running[0].where()
        elif running and len({p.node for p in running}) == 1:
            where.update(node=running[0].node, step=running[0].step)
        self._make(out, CustomEvent, payload=jsonable(chunk), **where)

    def _updates_part(self, out: list[Any], ns: str, chunk: Any) -> None:
        if not isinstance(chunk, Mapping):
            return
        for node, writes in chunk.items():
            if node == "__interrupt__":
                nowhere = _Phase(None, None, ns, None, self._clock())
                for intr in writes or ():
                    self._interrupt(out, nowhere, getattr(intr, "id", None), getattr(intr, "value", None))
                continue
            phase = _Phase(None, str(node), ns, None, self._clock(), finished=True)
            if isinstance(writes, Mapping):
                self._from_writes(out, phase, writes)

    # -- log records (from logcapture, on the thread that logged) ------------------------------

    def feed_log(self, record: Any, context: NodeContext | None, *, outside_nodes: bool = False) -> list[Any]:
        """The events for a ``logging.LogRecord``: a log event in its phase, or an error event for a LangGraph retry."""
        with self._lock:
            out: list[Any] = []
            message = record.getMessage()
            retry = retry_of(record)
            if context is not None and context.thread_id and self.thread_id and context.thread_id != self.thread_id:
                pass  # a node of another thread's run in this process
            elif retry is not None:
                self._retry(out, record, retry)
            elif context is not None or outside_nodes:
                phase = self._phase_for(out, context, context.namespace) if context is not None else None
                exc_text = None
                if record.exc_info and record.exc_info[1] is not None:
                    exc_text = format_traceback(record.exc_info[1])
                self._make(
                    out,
                    LogEvent,
                    time=record.created,
                    level=record.levelname,
                    levelno=record.levelno,
                    logger=record.name,
                    message=message,
                    thread_name=record.threadName,
                    exc_text=exc_text,
                    **(phase.where() if phase else {}),
                )
            return self._deliver(out)

    def _retry(self, out: list[Any], record: Any, retry: Retry) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        attempt, backoff = retry.attempt, retry.backoff_s
        phase = self._phase_of_exception(exc) if exc is not None else None
        if phase is None:
            phase = _Phase(None, retry.node, "", None, self._clock())
        # LangGraph counts failed attempts; its log line comes after the backoff sleep.
        phase.failures = max(phase.failures, attempt)
        if exc is not None:
            self._error(out, exc, phase, will_retry=True, attempt=attempt, time=record.created, retry_after_s=backoff)
            return
        message = record.getMessage()
        classification = classify(
            retry.error_type,
            message,
            node=phase.node,
            retry_policy=self._retry_policy_of(phase),
            attempts=attempt,
            will_retry=True,
        )
        self._make(
            out,
            ErrorEvent,
            time=record.created,
            type=retry.error_type,
            message=message,
            classification=classification.kind,
            suggestion=classification.suggestion,
            confidence=classification.confidence,
            attempt=attempt,
            will_retry=True,
            retry_after_s=backoff,
            **phase.where(),
        )

    # -- shared pieces -------------------------------------------------------------------

    def _start_phase(self, out: list[Any], task_id: str, node: str, ns: str, step: int | None, triggers: list[str]) -> _Phase:
        phase = _Phase(task_id, node, ns, step if step is not None else self._task_steps.get(task_id), self._clock())
        self._phases[task_id] = phase
        if self._phases_streamed:
            self._make(out, PhaseStartedEvent, time=phase.started, triggers=triggers, **phase.where())
        return phase

    def _phase_for(self, out: list[Any], context: NodeContext | None, ns: str) -> _Phase:
        """The phase a message or log record belongs to; a phase not yet announced is started now."""
        if context is None:
            return _Phase(None, None, ns, None, self._clock())
        if context.task_id is not None and self._phases_streamed:
            phase = self._phases.get(context.task_id)
            if phase is None:
                # The worker logged before the stream delivered the task's start: start it
                # here so that a phase's events never precede its phase_started.
                phase = self._start_phase(
                    out, context.task_id, context.node or "", context.namespace, context.step, list(context.triggers)
                )
            if phase.step is None and context.step is not None:
                phase.step = context.step
            return phase
        return _Phase(context.task_id, context.node, context.namespace, context.step, self._clock())

    def _phase_of_exception(self, exc: BaseException) -> _Phase | None:
        found = failing_task(exc)
        if found is None:
            return None
        node, task_id = found
        return self._phases.get(task_id) or _Phase(task_id, node, "", self._task_steps.get(task_id), self._clock(), finished=True)

    def _from_writes(self, out: list[Any], phase: _Phase, writes: Mapping[str, Any]) -> None:
        for value in writes.values():
            for message in _messages_in(value):
                if _message_key(message) in phase.known:
                    continue
                if message.type == "ai":
                    if _message_key(message) not in self._seen_messages:
                        model = (message.response_metadata or {}).get("model_name")
                        self._message_events(out, phase, message, streamed=False, model=model)
                    for call in getattr(message, "tool_calls", None) or ():
                        call_id = call.get("id")
                        key = call_id or f"{call.get('name')}:{json.dumps(jsonable(call.get('args')), sort_keys=True)}"
                        if key in self._seen_tool_calls:
                            continue
                        self._seen_tool_calls.add(key)
                        self._make(
                            out,
                            ToolCallEvent,
                            tool_call_id=call_id,
                            name=str(call.get("name")),
                            args=jsonable(call.get("args")),
                            **phase.where(),
                        )
                elif message.type == "tool":
                    key = _message_key(message)
                    if key in self._seen_messages:
                        continue
                    self._seen_messages.add(key)
                    self._make(
                        out,
                        ToolResultEvent,
                        tool_call_id=getattr(message, "tool_call_id", None),
                        name=message.name,
                        content=jsonable(message.content),
                        status=str(getattr(message, "status", "success") or "success"),
                        **phase.where(),
                    )

    def _message_events(self, out: list[Any], phase: _Phase, message: Any, *, streamed: bool, model: Any) -> None:
        key = _message_key(message)
        text, thoughts = split_content(message.content, message.additional_kwargs)
        for fmt, thought in thoughts:
            self._make(out, ThinkingEvent, text=thought, format=fmt, streamed=streamed, message_id=message.id, **phase.where())
        if text:
            self._make(out, TokenEvent, text=text, streamed=streamed, message_id=message.id, **phase.where())
        usage = getattr(message, "usage_metadata", None)
        # Streamed chunks each carry their share of the usage; a whole message carries it all
        # and is counted only if none of its chunks were.
        if usage and (streamed or key not in self._counted_usage):
            if model is None:
                model = (message.response_metadata or {}).get("model_name")
            self._counted_usage.add(key)
            counts = (int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0), int(usage.get("total_tokens") or 0))
            self._tally(phase.task_id, counts)
            self._make(
                out,
                UsageEvent,
                input_tokens=counts[0],
                output_tokens=counts[1],
                total_tokens=counts[2],
                model=str(model) if model else None,
                message_id=message.id,
                **phase.where(),
            )
        self._seen_messages.add(key)

    def _interrupt(self, out: list[Any], phase: _Phase, interrupt_id: Any, value: Any) -> None:
        # A subgraph's interrupt is reported by its task and again by the parent's task: keep the first.
        if interrupt_id is not None:
            interrupt_id = str(interrupt_id)
            if interrupt_id in self._seen_interrupts:
                return
            self._seen_interrupts.add(interrupt_id)
        self._interrupted = True
        self._make(out, InterruptEvent, interrupt_id=interrupt_id, value=jsonable(value), **phase.where())

    def _error(
        self,
        out: list[Any],
        exc: BaseException,
        phase: _Phase | None,
        *,
        will_retry: bool,
        attempt: int | None,
        time: float | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        self._reported.append(exc)
        node = phase.node if phase else None
        # The attempts made: a run's final error reported without one (finish_run) still
        # counts the retries its phase logged.
        attempts = attempt if attempt is not None else (phase.failures + 1 if phase and phase.failures else None)
        classification = classify(
            type(exc).__name__,
            str(exc),
            exc,
            node=node,
            retry_policy=self._retry_policy_of(phase),
            attempts=attempts,
            will_retry=will_retry,
        )
        self._make(
            out,
            ErrorEvent,
            time=time,
            type=type(exc).__name__,
            message=str(exc),
            traceback=format_traceback(exc),
            classification=classification.kind,
            suggestion=classification.suggestion,
            confidence=classification.confidence,
            attempt=attempt,
            will_retry=will_retry,
            retry_after_s=retry_after_s,
            **(phase.where() if phase else {}),
        )

    def _retry_policy_of(self, phase: _Phase | None) -> tuple[Any, ...] | None:
        """The phase's node's RetryPolicy objects as LangGraph applies them (the node's own,
        else the graph's); () when it has none; None when the graph or the node is not known
        (a ``@task`` of the functional API, a run without the graph)."""
        if self._graph is None or phase is None or not phase.node:
            return None
        key = (phase.namespace, phase.node)
        if key not in self._policies:
            policies: tuple[Any, ...] | None = None
            try:
                graph = self._graph_at(phase.namespace)
                node = getattr(graph, "nodes", {}).get(phase.node) if graph is not None else None
                if node is not None:
                    policies = tuple(getattr(node, "retry_policy", None) or getattr(graph, "retry_policy", None) or ())
            except Exception:  # noqa: BLE001 - a graph of another shape: not known
                policies = None
            self._policies[key] = policies
        return self._policies[key]

    def _graph_at(self, namespace: str) -> Any:
        """The graph (root or subgraph) whose tasks run in ``namespace``."""
        own = self._graph_ns
        if own and namespace != own and not namespace.startswith(own + "|"):
            return None
        relative = namespace[len(own) :].lstrip("|") if own else namespace
        if not relative:
            return self._graph
        # Task ids out: 'outer:ab12|inner:cd34' is LangGraph's subgraph path 'outer|inner'.
        path = "|".join(part.partition(":")[0] for part in relative.split("|"))
        for _name, subgraph in self._graph.get_subgraphs(namespace=path, recurse=True):
            return subgraph
        return None

    def _tally(self, task_id: str | None, counts: tuple[int, int, int]) -> None:
        run = self._run_tokens
        task = self._task_tokens.setdefault(task_id, [0, 0, 0]) if task_id else None
        for i, n in enumerate(counts):
            run[i] += n
            if task is not None:
                task[i] += n

    def _tokens(self, phase: _Phase) -> dict[str, int]:
        tokens = self._task_tokens.get(phase.task_id) if phase.task_id else None
        if tokens is None:
            return {}
        return {"input_tokens": tokens[0], "output_tokens": tokens[1], "total_tokens": tokens[2]}

    def _ms(self, phase: _Phase) -> float:
        return (self._clock() - phase.started) * 1000

    def _make(self, out: list[Any], cls: type[_Event], *, time: float | None = None, **fields: Any) -> None:
        self._seq += 1
        fields.setdefault("thread_id", self.thread_id)
        fields["seq"] = self._seq
        fields["time"] = time if time is not None else self._clock()
        event = made(cls, fields) if cls in _BUILT else cls(**fields)
        # Counted as it is made: the phase_finished and run_finished made next carry the totals.
        self._count(event)
        out.append(event)

    def _deliver(self, out: list[Any]) -> list[Any]:
        # Still under the lock: consumers see events in seq order, whichever thread made them.
        hand = self._hand
        if hand is not None and out:
            self._local.delivering = True
            try:
                for event in out:
                    hand(event)
            finally:
                self._local.delivering = False
        return out

