"""Running the user's graph on one thread, a stretch at a time: the only place it streams.

The graph given is already bound to the store's checkpointer (``user_graph.bind``). A run
stops at the end, an interrupt, a breakpoint (passed per run), an error or a pause; what
it wrote comes back as a ``RunResult``, and its events go to an ``EventExtractor``.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent_debug.inspector.events.hooks import CONFIG_KEY_TASK_ID
from agent_debug.inspector.model import ErrorInfo
from agent_debug.inspector.strict_serde import DecodeRefused



def run_config(thread_id: str, checkpoint_id: str | None = None, namespace: str = "") -> dict[str, Any]:
    """The config that runs (or updates) ``thread_id`` from a checkpoint of ``namespace``."""
    configurable: dict[str, Any] = {"thread_id": thread_id}
    if checkpoint_id:
        configurable["checkpoint_id"] = checkpoint_id
        configurable["checkpoint_ns"] = namespace
    if namespace:
        # LangGraph runs a graph as a subgraph, in its own namespace, when its config
        # names the parent's task (a private key: events/hooks.py); the task id is the
        # namespace's last part.
        configurable[CONFIG_KEY_TASK_ID] = namespace.rsplit(":", 1)[-1]
    return {"configurable": configurable}


@dataclass
class RunResult:
    """What a stretch of running did: new root checkpoints, and the failure if a node raised."""

    new_checkpoints: list[str] = field(default_factory=list)
    error: ErrorInfo | None = None
    traceback: str | None = None
    paused: bool = False


class Runner:
    """Runs a bound graph on one thread, a stretch at a time, and can be paused."""

    def __init__(self, graph: Any, thread_id: str) -> None:
        self.graph = graph
        self.thread_id = thread_id
        self._pause = threading.Event()

    def pause(self) -> None:
        """Stop at the next step boundary (safe to call from another thread)."""
        self._pause.set()

    def run(
        self,
        payload: Any,
        *,
        config: dict[str, Any] | None = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        sink: Callable[[Any], None] | None = None,
        existing: set[str] | frozenset[str] = frozenset(),
        namespace: str = "",
        extractor: Any = None,
    ) -> RunResult:
        """Stream until the graph stops (end, interrupt, breakpoint, error or pause).

        ``sink`` receives typed events (``inspector.events``): phases, thinking, tokens,
        logs from inside nodes, custom events, tool calls, errors with each retry.
        ``existing``: checkpoint ids there before the run (LangGraph re-announces the one
        it starts from); they are not counted as new. ``namespace``: the checkpoint
        namespace the graph runs in ('' for a root graph; a subgraph's own namespace
        when one subgraph is run on its own); its checkpoints are the ones counted.
        ``extractor``: an ``EventExtractor`` kept across the runs of one thread (in place
        of ``sink``), so a message or tool call re-sent by a later run (a subgraph's state
        handed back after a resume) is reported once.
        """
        from contextlib import nullcontext

        from langgraph.errors import GraphBubbleUp

        from agent_debug.inspector.events import EventExtractor
        from agent_debug.inspector.logcapture import LogCapture

        # (A pause asked before the run starts stops it at its first step boundary.)
        result = RunResult()
        config = config or run_config(self.thread_id)
        if extractor is None and sink is not None:
            extractor = EventExtractor(self.thread_id, on_event=sink)
        failure: BaseException | None = None
        if extractor is not None:
            extractor.start_run(graph=getattr(self.graph, "name", None), input=payload, existing_checkpoints=existing)
        own = tuple(namespace.split("|")) if namespace else ()
        modes, subgraphs = ["checkpoints"], bool(own)
        if extractor is not None:
            # Custom events, messages and subgraphs' parts reach the extractor from the
            # node threads: LangGraph then runs a lone task inline (see EventExtractor.attach).
            config, modes, subgraphs = extractor.attach(self.graph, config, namespace=own)
        with LogCapture(extractor) if extractor is not None else nullcontext():
            try:
                for part in self.graph.stream(
                    payload,
                    config,
                    stream_mode=modes,
                    subgraphs=subgraphs,
                    interrupt_before=interrupt_before,
                    interrupt_after=interrupt_after,
                ):
                    part_ns, mode, chunk = part if subgraphs else (own, *part)
                    if extractor is not None:
                        extractor.on_stream_part(mode, part_ns, chunk)
                    if mode == "checkpoints" and part_ns == own:
                        checkpoint_id = chunk["config"]["configurable"]["checkpoint_id"]
                        if checkpoint_id not in existing:
                            result.new_checkpoints.append(checkpoint_id)
                        if self._pause.is_set():
                            # Leaving the stream here is a step boundary: the checkpoint is
                            # saved and the next step's tasks have not started.
                            result.paused = True
                            break
            except DecodeRefused:
                raise  # a stored value we will not revive: no workflow failure, one line
            except Exception as exc:  # the workflow failed, not the debugger
                # ...unless a subgraph run on its own raised its interrupt (a breakpoint
                # included) to the parent it does not have: saved, and the run stopped.
                if not (own and isinstance(exc, GraphBubbleUp)):
                    failure = exc
                    from agent_debug.inspector.errors import classify_exception

                    node = _failing_node(exc)
                    # The graph is at hand: its node's RetryPolicy (none: ()) shapes the advice.
                    spec = getattr(self.graph, "nodes", {}).get(node) if node else None
                    policy = (getattr(spec, "retry_policy", None) or ()) if spec is not None else None
                    found = classify_exception(exc, node=node, retry_policy=policy)
                    result.error = ErrorInfo(
                        type=type(exc).__name__,
                        message=str(exc),
                        node=node,
                        task_id="",
                        namespace="",
                        classification=found.kind,
                        suggestion=found.suggestion,
                        confidence=found.confidence,
                    )
                    result.traceback = "".join(traceback.format_exception(exc))
        if extractor is not None:
            extractor.finish_run(failure, status="paused" if result.paused else None)
        return result


def _failing_node(exc: BaseException) -> str | None:
    tb = exc.__traceback__
    node = None
    while tb is not None:
        frame_locals = tb.tb_frame.f_locals
        task = frame_locals.get("task")
        name = getattr(task, "name", None)
        if isinstance(name, str):
            node = name
        tb = tb.tb_next
    return node
