"""The debug session: the one object every front end (CLI, console, TUI) talks to.

A session holds a ``Source``; when the source can act (``Capability.CONTROL``: a
``LocalSource``, the user's graphs over a store opened to write) it also holds the
breakpoints (passed to each run, never set on the user's graph), the event sink and the
thread's event extractors. Its verbs (step, continue, pause, resume, replay, fork) make
the same checks and return the same ``ActionOutcome`` whichever front end calls them.
Given several graphs, each thread runs the one ``graph_binding`` chooses for it (by the
graph its metadata names, else by the nodes it ran); a thread none fits is refused.

Reads the verbs need (a thread's summary, the nodes it ran) are cached and the cache is
dropped whenever the source's change token moves, so a step reads the history at most
once per change of the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from agent_debug.inspector.breakpoints import Breakpoint
from agent_debug.inspector.conditions import ConditionError, parse_condition
from agent_debug.inspector.decisions import answer, check_schema
from agent_debug.inspector.graph_binding import GraphBinding, GraphChoice, KnownGraph, naming
from agent_debug.inspector.exceptions import ControlError, NotFoundError, UsageError
from agent_debug.inspector.langgraph_names import is_internal_channel
from agent_debug.inspector.model import ActionOutcome, CheckpointState, InterruptInfo, PendingWrite, ThreadStatus, ThreadSummary
from agent_debug.inspector.runner import RunResult, Runner, run_config
from agent_debug.inspector.sources.base import AmbiguousCheckpoint, Capability, Source
from agent_debug.inspector.strict_serde import DecodeRefused
from agent_debug.inspector.user_graph import (
    bind,
    check_graph_matches,
    check_update_keys,
    root_breakpoints,
    state_keys,
    subgraph_at,
    with_breakpoints,
)

_PAGE = 20
"""Checkpoints read per page when only the ones newer than those seen are wanted."""

Action = Literal["resume", "replay", "fork", "step", "continue", "run"]


def plan_resume(
    pending: Sequence[InterruptInfo],
    *,
    thread_id: str,
    interrupt_id: str | None = None,
    value: Any = None,
    has_value: bool = False,
    approve: bool = False,
    reject: bool = False,
    message: str | None = None,
) -> dict[str, Any]:
    """The resume map (interrupt id → value) for a request; refuses before anything is sent."""
    if not pending:
        raise ControlError(f"thread '{thread_id}' is not waiting at an interrupt; nothing was sent")
    if sum((has_value, approve, reject)) != 1:
        raise UsageError("give exactly one of --value JSON, --approve or --reject")
    chosen = list(pending)
    if interrupt_id is not None:
        chosen = [i for i in pending if i.id == interrupt_id or (i.id or "").startswith(interrupt_id)]
        if len(chosen) != 1:
            known = ", ".join(f"{i.id} ({i.node})" for i in pending)
            what = "no" if not chosen else "more than one"
            raise ControlError(f"{what} pending interrupt matches '{interrupt_id}' in thread '{thread_id}'; pending: {known}")
    elif has_value and len(pending) > 1:
        known = ", ".join(f"{i.id} ({i.node})" for i in pending)
        raise ControlError(
            f"{len(pending)} interrupts are pending in thread '{thread_id}'; choose one with --interrupt ID "
            f"(pending: {known}) or answer all with --approve / --reject"
        )
    plan: dict[str, Any] = {}
    for intr in chosen:
        if intr.id is None:
            raise ControlError(f"the interrupt in {intr.node} has no id (stored by an old LangGraph); resume it with LangGraph directly")
        sent = value if has_value else answer(intr, approve=approve, message=message)
        problem = check_schema(sent, intr.response_schema)
        if problem:
            raise ControlError(f"the value for interrupt {intr.id} ({intr.node}) does not fit its response_schema: {problem}; nothing was sent")
        plan[intr.id] = sent
    return plan


def _phase_writes(state: CheckpointState, nodes: set[str]) -> list[PendingWrite]:
    """The state writes the given phases made from this checkpoint."""
    return [w for w in state.pending_writes if not is_internal_channel(w.channel) and w.node in nodes]


class _ErrorWatch:
    """The events' way to the sink, watching for errors while ``break_on_error`` is on:
    the first error event of an action pauses its run at the next step boundary (a failed
    attempt LangGraph retries finishes its retries first: that is the step)."""

    def __init__(self, session: DebugSession, sink: Callable[[Any], None] | None) -> None:
        from agent_debug.inspector.events import EventPipeline

        self.session = session
        self.sink = sink
        #: the sink when it is an ``EventPipeline``: the extractor then counts each event
        #: into it as it makes it, and hands it here by ``fan_out`` (counted once)
        self.pipeline = sink if isinstance(sink, EventPipeline) else None

    def __call__(self, event: Any) -> None:
        if self.sink is not None:
            self.sink(event)
        self._watch(event)

    def fan_out(self, event: Any) -> None:
        """An event the extractor counted into ``pipeline`` already: to its sinks, then watched."""
        if self.pipeline is not None:
            self.pipeline.fan_out(event)
        self._watch(event)

    def _watch(self, event: Any) -> None:
        session = self.session
        if session.break_on_error and getattr(event, "kind", None) == "error" and session._error_stop is None:
            session._error_stop = error_stop_reason(event)
            session.pause()


def error_stop_reason(event: Any) -> str:
    """``error in plan (RateLimitError: Error code: 429 …; attempt 1, retried)``, one line."""
    message = " ".join(str(getattr(event, "message", "")).split())
    if len(message) > 80:
        message = message[:79] + "…"
    where = f"error in {event.node}" if getattr(event, "node", None) else "error"
    retried = f"; attempt {event.attempt}, retried" if getattr(event, "will_retry", False) else ""
    return f"{where} ({event.type}: {message}{retried})"


class DebugSession:
    """A source, and (when it can act) the user's graph, breakpoints and event pipeline.

    ``sink`` receives the typed events of every run (the TUI's buffer, a recording, the
    console's printer). A session is used by one front end; its actions run one at a time
    (a lock), from any thread; ``pause()`` may be called from another thread.
    """

    def __init__(self, source: Source, *, sink: Callable[[Any], None] | None = None) -> None:
        self.source = source
        self.sink = sink
        self.break_before: set[str] = set()
        self.break_after: set[str] = set()
        """The nodes runs stop before / after: the enabled breakpoints, as runs take them."""
        self._points: dict[tuple[str, bool], Breakpoint] = {}
        self.break_on_error = False
        """Pause a run at the step boundary after any error of its thread, a failed attempt
        a RetryPolicy retries included."""
        self._error_stop: Any = None
        self._extractors: dict[str, Any] = {}
        self._runner: Runner | None = None
        self._lock = threading.Lock()
        self._pause_asked = threading.Event()
        self._acting = threading.Event()
        self._token: Hashable = object()
        self._cache: dict[tuple[str, str], Any] = {}
        self._ran: dict[str, tuple[str, frozenset[str], tuple[tuple[str, str], ...]]] = {}
        """Per thread: the newest root checkpoint read so far, the nodes ran up to it and
        what the newest checkpoint naming its graph says (``graph_binding.naming``)."""
        self._breaking: dict[KnownGraph, tuple[frozenset[str], frozenset[str], Any]] = {}
        self._bound: dict[KnownGraph, Any] = {}
        self.graphs: GraphBinding | None = getattr(source, "graphs", None) if self.can(Capability.CONTROL) else None
        """The user's graphs (never changed), when the source can act; each thread runs one."""
        self.remote: Any = getattr(source, "control", None) if self.can(Capability.CONTROL) else None
        """A LangGraph server's runs (``server_control.ServerControl``): it holds the graph."""

    # -- what the source can do ---------------------------------------------------------

    def can(self, capability: Capability) -> bool:
        """Whether the source declares ``capability``."""
        return capability in self.source.capabilities

    @property
    def target(self) -> str:
        """Where the data comes from, safe to print."""
        return self.source.target

    @property
    def store(self) -> Any:
        """The store the session acts on (``acting_store.Store``), or None when read-only."""
        return getattr(self.source, "store", None) if self.can(Capability.CONTROL) else None

    @property
    def user_graph(self) -> Any:
        """The user's compiled graph when the session has exactly one, else None."""
        only = self.graphs.only if self.graphs is not None else None
        return only.graph if only is not None else None

    @property
    def graph(self) -> Any:
        """That one graph bound to the store's writer (a copy), else None."""
        only = self.graphs.only if self.graphs is not None else None
        return self._bound_graph(only) if only is not None else None

    def _bound_graph(self, known: KnownGraph) -> Any:
        """``known``'s graph bound to the store's writer (a copy, made once)."""
        if known not in self._bound:
            self._bound[known] = bind(known.graph, self.source.checkpointer)  # type: ignore[attr-defined]
        return self._bound[known]

    def _require_control(self, what: str) -> None:
        if self.graphs is None and self.remote is None:
            raise ControlError(f"cannot {what}: {self.target} is open read-only; give the graph with --graph GRAPH_REF to act")

    # -- reads, cached until the store changes --------------------------------------------

    def refresh(self) -> Hashable:
        """Read the change token once; drop the cache if the store moved. Returns the token."""
        token = self.source.change_token()
        if token != self._token:
            self._cache.clear()
            self._token = token
        return token

    def _forget(self) -> None:
        """Drop the cache: this session just wrote (the token is read again on next use)."""
        self._cache.clear()
        self._token = object()

    def _cached(self, key: tuple[str, str], load: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def thread(self, thread_id: str, *, fresh: bool = True) -> ThreadSummary:
        """One thread's summary (``NotFoundError`` for an unknown id); ``fresh`` checks the
        change token first, else the summary cached by this verb is used."""
        if fresh:
            self.refresh()
        return self._cached(("thread", thread_id), lambda: self.source.thread(thread_id))

    def nodes_ran(self, thread_id: str) -> set[str]:
        """Every node the thread's root history ran, and the ones due next.

        The history is read once per change of the store, and after the first time only
        the checkpoints newer than the ones already seen (pages of ``_PAGE``, newest first).
        """
        def load() -> set[str]:
            seen = self._ran.get(thread_id)
            ran, newest, before = set(seen[1]) if seen else set(), None, None
            named: tuple[tuple[str, str], ...] = ()
            while True:
                page = self.source.history(thread_id, limit=_PAGE if seen else None, before=before)
                for row in page.checkpoints:
                    if seen and row.checkpoint_id == seen[0]:
                        page = None
                        break
                    newest = newest or row.checkpoint_id
                    ran.update(row.nodes)
                    named = named or naming(row.metadata)
                if page is None or page.next_before is None:
                    break
                before = page.next_before
            if newest or seen:
                self._ran[thread_id] = (newest or seen[0], frozenset(ran), named or (seen[2] if seen else ()))  # type: ignore[index]
            return ran | set(self.thread(thread_id, fresh=False).next)

        return self._cached(("ran", thread_id), load)

    def choose_graph(self, thread_id: str) -> GraphChoice:
        """Which of the session's graphs the thread runs, and why (``graph_binding``): by
        the graph its metadata names, else by the nodes it ran; read once per change."""
        graphs = self.graphs
        if graphs is None:
            raise ControlError(f"cannot choose a graph: {self.target} is open without one")

        def load() -> GraphChoice:
            try:
                ran = self.nodes_ran(thread_id)
            except NotFoundError:
                return graphs.choose(thread_id, ())  # a thread not started yet
            seen = self._ran.get(thread_id)
            return graphs.choose(thread_id, ran, seen[2] if seen else ())

        return self._cached(("graph", thread_id), load)

    def user_graph_of(self, thread_id: str | None) -> Any:
        """The user's compiled graph the thread runs (with no thread, the only graph given);
        a ``ControlError`` saying why when none fits; None when the session has no graphs."""
        if self.graphs is None:
            return None
        if thread_id is None:
            if self.graphs.only is None:
                raise ControlError(f"select a thread first: it tells which of the graphs given is its own ({self.graphs.tried})")
            return self.graphs.only.graph
        choice = self.choose_graph(thread_id)
        if choice.graph is None:
            raise ControlError(choice.why)
        return choice.graph.graph

    def _thread_graph(self, thread_id: str) -> Any:
        """The bound copy of the graph the thread runs (``_known_for``)."""
        return self._bound_graph(self._known_for(thread_id))

    def _known_for(self, thread_id: str) -> KnownGraph:
        """The graph the thread runs; a ``ControlError`` naming the graphs tried when none fits."""
        choice = self.choose_graph(thread_id)
        if choice.graph is None:
            raise ControlError(f"{choice.why}; nothing was written")
        return choice.graph

    def _ids(self, thread_id: str, namespace: str) -> dict[str, str | None]:
        """The namespace's checkpoint ids, newest first, each with the node that produced it."""
        def load() -> dict[str, str | None]:
            rows = self.source.history(thread_id, namespace=namespace, limit=None).checkpoints
            return {c.checkpoint_id: (c.nodes[0] if c.nodes else None) for c in rows}

        return self._cached(("ids:" + namespace, thread_id), load)

    # -- checks every front end gets --------------------------------------------------------

    def check_graph(self, thread_id: str) -> None:
        """Refuse acting with a graph that does not have the nodes the thread ran."""
        self._require_control("act")
        summary = self.thread(thread_id, fresh=False)
        if summary.status is ThreadStatus.UNREADABLE:
            raise ControlError(f"thread '{thread_id}' cannot be read ({summary.read_error}); nothing was written")
        if self.remote is not None:
            # The server runs the thread's own assistant: no graph to match, but no run of
            # ours may start beside one already running.
            self.remote.check_idle(thread_id)
            return
        # Chosen by name, a graph may still lack a node the thread ran (its code moved on).
        check_graph_matches(self._known_for(thread_id).graph, thread_id, self.nodes_ran(thread_id))

    def _check_runnable(self, thread_id: str) -> None:
        self.refresh()
        self.check_graph(thread_id)
        summary = self.thread(thread_id, fresh=False)
        if summary.status is ThreadStatus.INTERRUPTED:
            raise ControlError(f"thread '{thread_id}' waits at an interrupt: answer it first (a)")
        if summary.status is ThreadStatus.DONE:
            raise ControlError(f"thread '{thread_id}' is done: nothing left to run (replay a phase with r)")

    def _require_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> str:
        """The full id of the checkpoint ``checkpoint_id`` names: the id, or a start or end of
        it only one checkpoint has (``Source.resolve_checkpoint``); refused when none has it."""
        try:
            return self.source.resolve_checkpoint(thread_id, checkpoint_id, namespace)
        except AmbiguousCheckpoint:
            raise
        except NotFoundError:
            pass
        self.thread(thread_id, fresh=False)  # an unknown thread is the clearer error
        where = f" namespace '{namespace}'" if namespace else ""
        ns_flag = f" --ns '{namespace}'" if namespace else ""
        raise ControlError(
            f"checkpoint '{checkpoint_id}' does not belong to thread '{thread_id}'{where}; list them with: "
            f"agent-debug history {self.target} --thread {thread_id}{ns_flag}"
        )

    # -- breakpoints ------------------------------------------------------------------------

    @property
    def nodes(self) -> set[str]:
        """Nodes a breakpoint can name: root nodes, and subgraph nodes as ``subgraph:node``
        (a server's root nodes only: it does not honour breakpoints inside subgraphs)."""
        if self.remote is not None:
            return self.remote.all_root_nodes()
        return self.graphs.breakpoint_names() if self.graphs is not None else set()

    def toggle_breakpoint(self, node: str, *, after: bool = False, condition: str | None = None) -> bool:
        """Set or clear a breakpoint (before the node, or ``after`` it); whether it is now set.

        With a ``condition`` (an expression on the state, ``inspector.conditions``) the
        breakpoint is set, or its condition replaced, and a run stops there only when the
        condition holds. Breakpoints are passed to each run; a ``subgraph:node`` one runs a
        copy of the graph whose subgraph stops there (``user_graph.with_breakpoints``).
        """
        self._require_control("set a breakpoint")
        if self.remote is not None and ":" in node and node not in self.nodes:
            raise ControlError(
                f"a LangGraph server does not honour breakpoints inside subgraphs; break on '{node.split(':')[0]}' instead"
            )
        if node not in self.nodes:
            raise ControlError(f"no node '{node}' in the graph; it has {', '.join(sorted(self.nodes))}")
        parsed = self._condition(node, after, condition) if condition is not None else None
        points = self.break_after if after else self.break_before
        kept = self._points.get((node, after))
        if node in points and parsed is None:
            points.discard(node)
            self._points.pop((node, after), None)
            return False
        if node not in points:
            self._arm(node, points)
        hits = kept.hits if kept is not None and (kept.condition == parsed or parsed is None) else 0
        self._points[(node, after)] = Breakpoint(node, after, parsed, hits=hits)
        return True

    def _arm(self, node: str, points: set[str]) -> None:
        """Add ``node`` to the runs' breakpoints, refused (and left out) when a graph cannot stop there."""
        points.add(node)
        if self.remote is not None:
            return
        try:
            for known in self.graphs.graphs if self.graphs is not None else ():
                self._graph_to_run(known)
        except ControlError:
            points.discard(node)
            raise

    def _condition(self, node: str, after: bool, text: str) -> Any:
        """``text`` checked as a condition on the state of the graph(s) with ``node``; refused
        with one line naming the breakpoint and the state's keys."""
        said = f"break {'--after ' if after else ''}{node} if"
        if ":" in node:
            raise UsageError(f"{said}: a condition on a node inside a subgraph is not supported; break on '{node.split(':')[0]}' with a condition on the parent's state")
        keys = self.condition_keys(node)
        try:
            return parse_condition(text, keys)
        except ConditionError as exc:
            raise UsageError(f"{said}: {exc}") from None

    def condition_keys(self, node: str | None = None) -> set[str] | None:
        """The state keys a condition on ``node`` (any node: None) may name: the keys of every
        graph with the node. None when they are not known (a server, a state without named
        keys): any name is let through then, and a key the state lacks reads None."""
        graphs = self.graphs.graphs if self.graphs is not None else ()
        found = [state_keys(k.graph) for k in graphs if node is None or node in k.breakpoint_names]
        return set().union(*found) if found and all(found) else None

    def set_break_on_error(self, on: bool) -> None:
        """Turn break on error on or off (``break_on_error``); refused on a read-only source."""
        self._require_control("break on error")
        self.break_on_error = on

    def set_breakpoint(self, node: str, *, after: bool = False, condition: str | None = None) -> None:
        """Set a breakpoint (no change if it is set already and no ``condition`` is given)."""
        if condition is not None or (node, after) not in self._points:
            self.toggle_breakpoint(node, after=after, condition=condition)

    def clear_breakpoint(self, node: str, *, after: bool = False) -> bool:
        """Clear one breakpoint (on or off); whether it was there."""
        points = self.break_after if after else self.break_before
        was_set = node in points or (node, after) in self._points
        points.discard(node)
        self._points.pop((node, after), None)
        return was_set

    def clear_breakpoints(self) -> None:
        """Remove every breakpoint."""
        self.break_before.clear()
        self.break_after.clear()
        self._points.clear()

    def enable_breakpoint(self, node: str, *, after: bool = False, enabled: bool = True) -> bool:
        """Turn a breakpoint on or off, kept in the list either way; whether it is on now."""
        point = self._points.get((node, after))
        if point is None:
            raise NotFoundError(f"no breakpoint {'after' if after else 'before'} '{node}'")
        points = self.break_after if after else self.break_before
        if enabled and node not in points:
            self._arm(node, points)
        elif not enabled:
            points.discard(node)
        point.enabled = enabled
        return enabled

    def breakpoint_list(self) -> list[Breakpoint]:
        """Every breakpoint, on or off: before ones first, by node (the session's own records)."""
        for after, points in ((False, self.break_before), (True, self.break_after)):
            for node in points:  # set straight on the sets (older callers): a plain breakpoint
                self._points.setdefault((node, after), Breakpoint(node, after))
        return sorted(self._points.values(), key=lambda p: (p.after, p.node))

    def breakpoint_at(self, node: str, *, after: bool = False) -> Breakpoint | None:
        """The breakpoint before (``after``) ``node``, on or off; None when there is none."""
        return self._points.get((node, after)) or (Breakpoint(node, after) if node in (self.break_after if after else self.break_before) else None)

    def _breakpoints_of(self, known: KnownGraph) -> tuple[frozenset[str], frozenset[str]]:
        """The breakpoints (before, after) on nodes ``known`` has: a run passes only those
        (the others are on nodes of the session's other graphs)."""
        names = known.breakpoint_names
        return frozenset(self.break_before & names), frozenset(self.break_after & names)

    def _graph_to_run(self, known: KnownGraph) -> Any:
        """``known`` bound, with its subgraph breakpoints in place (a copy, made once per set)."""
        key = self._breakpoints_of(known)
        made = self._breaking.get(known)
        if made is None or made[:2] != key:
            made = self._breaking[known] = (*key, with_breakpoints(self._bound_graph(known), *key))
        return made[2]

    # -- running ------------------------------------------------------------------------------

    def pause(self) -> None:
        """Stop the running action at the next step boundary (safe from another thread).

        Asked while an action is still making its checks, the pause waits for its run."""
        if self.remote is not None:
            # A server run stops only by a cancel; what it wrote so far stays.
            if self._acting.is_set():
                self.remote.cancel()
            return
        runner = self._runner
        if runner is not None:
            runner.pause()
        if self._acting.is_set():
            # Also kept for the action: a run going on past a false condition starts
            # another stretch, which stops at once.
            self._pause_asked.set()

    @property
    def running(self) -> bool:
        """Whether an action is running now."""
        return self._runner is not None or (self.remote is not None and self._acting.is_set())

    def cancel(self, thread_id: str) -> list[str]:
        """Cancel the server's runs of a thread, whoever started them (a server only); their ids."""
        if self.remote is None:
            raise ControlError(f"cannot cancel: {self.target} is not a LangGraph server (pause a local run with p)")
        return self.remote.cancel_thread(thread_id)

    def _extractor(self, thread_id: str, sink: Callable[[Any], None] | None) -> Any:
        """The thread's event extractor for ``sink``, kept across its runs (None: no events
        are wanted: no sink, and no break on error, which watches the error events)."""
        if sink is None and not self.break_on_error:
            return None
        from agent_debug.inspector.events import EventExtractor

        kept = self._extractors.get(thread_id)
        if kept is None or kept[0] != sink:  # (bound methods compare by object and function)
            kept = self._extractors[thread_id] = (sink, EventExtractor(thread_id, on_event=_ErrorWatch(self, sink)))
        return kept[1]

    def _run(
        self,
        action: Action,
        thread_id: str,
        payload: Any,
        *,
        step: bool = False,
        sink: Callable[[Any], None] | None = None,
        command: Any = None,
        checkpoint_id: str | None = None,
        interrupt_after: Any = None,
        **extra: Any,
    ) -> ActionOutcome:
        """Run to a stop the user should see: a breakpoint whose condition holds, a pause,
        an error (with break on error, any error event), an interrupt or the end.

        A breakpoint whose condition is false stops LangGraph's run all the same; the run
        goes on from there in another stretch, so the user sees one stop only. A step, and
        a replay's stop after its phase (``interrupt_after``), are never continued."""
        new: list[str] = []
        stop: tuple[str, str] | None = None
        first: Action = action  # a server creates the thread on the first stretch of a "run" only
        self._error_stop = None
        try:
            while True:
                if self.remote is not None:
                    result = self._stretch_remote(first, thread_id, payload, step=step, sink=sink, command=command, checkpoint_id=checkpoint_id, interrupt_after=interrupt_after)
                else:
                    result = self._stretch(thread_id, payload, step=step, sink=sink)
                new += [c for c in result.new_checkpoints if c not in new]
                if self._error_stop is not None:
                    stop = ("error", self._error_stop)
                    break
                if step or interrupt_after or result.paused or result.error is not None:
                    break
                stop, again = self._judge_stop(thread_id)
                if not again:
                    break
                if self._pause_asked.is_set():
                    result.paused = True  # asked between two stretches: stop where the last one did
                    break
                payload, command, checkpoint_id, first = None, None, None, "continue"
        finally:
            self._pause_asked.clear()
            self._error_stop = None
        result.new_checkpoints = new
        by, why = stop if stop is not None else (None, None)
        return self._outcome(action, thread_id, result, paused=result.paused, stopped_by=by, stop_reason=why, **extra)

    def _stretch(self, thread_id: str, payload: Any, *, step: bool, sink: Callable[[Any], None] | None) -> RunResult:
        """One run of the local graph to LangGraph's next stop."""
        known = self._known_for(thread_id)
        before, after = self._breakpoints_of(known)
        with self._lock:
            runner = Runner(self._graph_to_run(known), thread_id)
            self._runner = runner
            if self._pause_asked.is_set():
                runner.pause()
            try:
                head = self._head(thread_id)
                return runner.run(
                    payload,
                    interrupt_before=None if step else root_breakpoints(before),
                    interrupt_after="*" if step else root_breakpoints(after),
                    extractor=self._extractor(thread_id, sink if sink is not None else self.sink),
                    existing={head} if head else frozenset(),
                )
            finally:
                self._runner = None
                self._forget()

    def _stretch_remote(self, action: Action, thread_id: str, payload: Any, *, step: bool, sink: Callable[[Any], None] | None, command: Any, checkpoint_id: str | None, interrupt_after: Any) -> RunResult:
        """One run on the server to its next stop."""
        with self._lock:
            try:
                return self.remote.run(
                    thread_id,
                    input=payload,
                    command=command,
                    checkpoint_id=checkpoint_id,
                    interrupt_before=None if step or interrupt_after else root_breakpoints(self.break_before),
                    interrupt_after=interrupt_after or ("*" if step else root_breakpoints(self.break_after)),
                    extractor=self._extractor(thread_id, sink if sink is not None else self.sink),
                    create=action == "run",
                    head=self._head(thread_id) or None,
                )
            finally:
                self._forget()

    def _judge_stop(self, thread_id: str) -> tuple[tuple[str, str] | None, bool]:
        """Why the thread stopped where it stands (``('breakpoint', 'before review if …')``)
        and whether to run on: only when every breakpoint that stopped it has a condition
        that is false on the state there. A condition that fails to evaluate stops the run
        and says why; the hits of the breakpoints that stopped it are counted."""
        summary = self.thread(thread_id)
        if summary.status is not ThreadStatus.PENDING:
            return None, False
        ran = self.source.history(thread_id, limit=1).checkpoints
        last = set(ran[0].nodes) if ran else set()
        due = set(summary.next)
        hit = [
            p for p in self.breakpoint_list()
            if p.enabled and ":" not in p.node and (p.node in last if p.after else p.node in due)
        ]
        if not hit:
            return None, False  # stopped by something else (a subgraph's breakpoint): stop
        held: list[str] = []
        values: Any = None
        for point in hit:
            if point.condition is None:
                held.append(point.describe())
                point.hits += 1
                continue
            if values is None:
                values = self.source.state(thread_id).values
                values = values if isinstance(values, dict) else {}
            try:
                holds = point.condition.holds(values)
            except ConditionError as exc:
                held.append(f"{point.describe()} (the condition failed: {exc}; stopped to be safe)")
                point.hits += 1
                continue
            if holds:
                held.append(point.describe())
                point.hits += 1
        if not held:
            return None, True
        return ("breakpoint", "; ".join(held)), False

    def _head(self, thread_id: str) -> str | None:
        from agent_debug.inspector.exceptions import InspectorError

        try:
            return self.thread(thread_id, fresh=False).checkpoint_id
        except InspectorError:
            return None

    def _outcome(self, action: Action, thread_id: str, result: RunResult | None, **extra: Any) -> ActionOutcome:
        summary = self.thread(thread_id)
        error = result.error if result else None
        if error is not None and summary.errors:
            error = error.model_copy(update={"node": summary.errors[0].node, "task_id": summary.errors[0].task_id})
        return ActionOutcome(
            action=action,
            thread_id=thread_id,
            target=self.target,
            new_checkpoints=result.new_checkpoints if result else [],
            status=summary.status,
            head=summary.checkpoint_id,
            next=summary.next,
            interrupts=summary.interrupts,
            error=error,
            traceback=result.traceback if result else None,
            **extra,
        )

    @contextmanager
    def _acting_now(self) -> Iterator[None]:
        """While a verb makes its checks and runs: a pause asked meanwhile is kept for its run."""
        self._pause_asked.clear()
        self._acting.set()
        try:
            yield
        finally:
            self._acting.clear()
            self._pause_asked.clear()

    def start(self, thread_id: str, payload: Any, *, step: bool = False, sink: Callable[[Any], None] | None = None) -> ActionOutcome:
        """Start a run with ``payload`` as input (to the first breakpoint, or one step).

        ``payload`` None is no input, as in LangGraph: a thread with checkpoints runs on
        from its latest one (:meth:`run_on`); a new thread starts from ``{}``."""
        self._require_control("run")
        if payload is None:
            self.refresh()
            if self._head(thread_id):
                return self.run_on(thread_id, step=step, sink=sink)
        with self._acting_now():
            self.refresh()
            return self._run("run", thread_id, {} if payload is None else payload, step=step, sink=sink)

    def run_on(self, thread_id: str, *, step: bool = False, sink: Callable[[Any], None] | None = None) -> ActionOutcome:
        """Run a thread on from its latest checkpoint: what is due there runs, to the
        breakpoints (one step with ``step``). A thread waiting at an interrupt, or done, is
        left as it is and the outcome says so: nothing runs (LangGraph would run the
        interrupted node again; its interrupt is answered with :meth:`resume`)."""
        action: Action = "step" if step else "continue"
        with self._acting_now():
            self.refresh()
            self.check_graph(thread_id)
            if self.thread(thread_id, fresh=False).status in (ThreadStatus.INTERRUPTED, ThreadStatus.DONE):
                return self._outcome(action, thread_id, None)
            return self._run(action, thread_id, None, step=step, sink=sink)

    def step(self, thread_id: str) -> ActionOutcome:
        """Run the next super-step and pause."""
        with self._acting_now():
            self._check_runnable(thread_id)
            return self._run("step", thread_id, None, step=True)

    def cont(self, thread_id: str) -> ActionOutcome:
        """Run to the next breakpoint, interrupt, error or the end."""
        with self._acting_now():
            self._check_runnable(thread_id)
            return self._run("continue", thread_id, None)

    # -- interrupts ----------------------------------------------------------------------------

    def plan_resume(self, thread_id: str, **request: Any) -> dict[str, Any]:
        """The resume map for a request (``interrupt_id``, ``value``/``has_value``,
        ``approve``, ``reject``, ``message``: see :func:`plan_resume`), checked against
        the thread's pending interrupts; nothing is sent."""
        self.refresh()
        summary = self.thread(thread_id, fresh=False)
        return plan_resume(summary.interrupts, thread_id=thread_id, **request)

    def resume(self, thread_id: str, plan: dict[str, Any]) -> ActionOutcome:
        """Answer interrupts by id (``plan``: interrupt id → value) in one resume and run on
        (to the breakpoints). The outcome's diff is the latest state before against after."""
        from langgraph.types import Command

        from agent_debug.inspector.diff import diff_between

        with self._acting_now():
            self.refresh()
            self.check_graph(thread_id)
            pending = {i.id for i in self.thread(thread_id, fresh=False).interrupts}
            unknown = [i for i in plan if i not in pending]
            if unknown:
                raise ControlError(f"no pending interrupt '{unknown[0]}' in thread '{thread_id}' (it may have been answered); nothing was sent")
            # The latest state before and after, as get_state shows them: answering one of
            # two interrupts saves that task's writes without a new checkpoint, and they count.
            before = self.source.state(thread_id)
            if self.remote is not None:
                outcome = self._run("resume", thread_id, None, command={"resume": plan}, sent=plan)
            else:
                outcome = self._run("resume", thread_id, Command(resume=plan), sent=plan)
        return outcome.model_copy(update={"diff": diff_between(before, self.source.state(thread_id))})

    def answer(self, thread_id: str, **request: Any) -> ActionOutcome:
        """``plan_resume`` then ``resume``: approve, reject or send a value to the pending interrupt(s)."""
        return self.resume(thread_id, self.plan_resume(thread_id, **request))

    # -- replay and fork ------------------------------------------------------------------------

    def replay(
        self,
        thread_id: str,
        checkpoint_id: str,
        node: str | None = None,
        update: dict[str, Any] | None = None,
        namespace: str = "",
        *,
        as_node: str | None = None,
    ) -> ActionOutcome:
        """Run the phase due at ``checkpoint_id`` once more, on a new branch, and stop after it.

        With ``update``, the branch starts from the checkpoint with those values changed
        (as ``as_node``, by default the node that produced the checkpoint). The writes of
        the replayed phase are returned beside the writes the original run made there.

        A checkpoint of a subgraph (``namespace`` not '') is replayed inside the subgraph:
        the subgraph runs on its own from that checkpoint, as LangGraph runs it nested in
        its parent, so the branch and the phase's writes stay in the subgraph's namespace
        and the parent graph does not move.
        """
        self._require_control("replay")
        if self.remote is not None:
            return self._replay_remote(thread_id, checkpoint_id, node, update, namespace, as_node=as_node)
        with self._lock:
            self.refresh()
            source = self.source
            checkpoint_id = self._require_checkpoint(thread_id, namespace, checkpoint_id)
            self.check_graph(thread_id)
            graph = self._thread_graph(thread_id)
            if update is not None:
                check_update_keys(graph, update, namespace)
            phases, original = self._due(thread_id, checkpoint_id, node, namespace)
            # Looked up before the update is written: a namespace naming no subgraph writes nothing.
            runner_graph = graph if not namespace else bind(subgraph_at(graph, namespace), source.checkpointer)  # type: ignore[attr-defined]
            start = run_config(thread_id, checkpoint_id, namespace)
            known = dict(self._ids(thread_id, namespace)) if namespace else {}
            forked_at = None
            if update is not None:
                producer = as_node or self._ids(thread_id, namespace).get(checkpoint_id)
                forked_at = self._update_at(thread_id, checkpoint_id, namespace, update, producer)
                start = run_config(thread_id, forked_at, namespace)
            existing = {checkpoint_id, forked_at} if forked_at else {checkpoint_id}
            try:
                result = Runner(runner_graph, thread_id).run(
                    None, config=start, interrupt_after=phases, existing=existing, namespace=namespace
                )
            finally:
                self._forget()
            if namespace:
                # A subgraph stopped by its breakpoint raises before announcing its last
                # checkpoint: read what it appended from the store.
                result.new_checkpoints = [c for c in reversed(list(self._ids(thread_id, namespace))) if c not in known]
            elif forked_at:
                result.new_checkpoints.insert(0, forked_at)
            replayed, diff = self._branch(thread_id, checkpoint_id, result.new_checkpoints, phases, namespace)
        return self._outcome(
            "replay",
            thread_id,
            result,
            replayed_from=checkpoint_id,
            namespace=namespace,
            phases=phases,
            original_writes=original,
            replay_writes=replayed,
            sent=update,
            diff=diff,
        )

    def _due(self, thread_id: str, checkpoint_id: str, node: str | None, namespace: str) -> tuple[list[str], list[PendingWrite]]:
        """The phase(s) a replay from ``checkpoint_id`` runs (``node``, else all due there)
        and what the original run wrote there; refused when nothing (or not ``node``) is due."""
        at = self.source.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace)
        due = list(at.next)
        if not due:
            raise ControlError(f"nothing runs after checkpoint '{checkpoint_id}' (the run ended there); pick an earlier checkpoint")
        if node is not None and node not in due:
            raise ControlError(f"'{node}' is not due at checkpoint '{checkpoint_id}'; due there: {', '.join(due)}")
        phases = [node] if node else list(dict.fromkeys(due))
        return phases, _phase_writes(at, set(phases))

    def _branch(self, thread_id: str, checkpoint_id: str, new: Sequence[str], phases: Sequence[str], namespace: str) -> tuple[list[PendingWrite], Any]:
        """What a replay's phases wrote on the new branch, and its newest state's diff
        against the checkpoint replayed from (no diff when nothing was appended)."""
        from agent_debug.inspector.diff import diff_checkpoint

        replayed: list[PendingWrite] = []
        if not new:
            return replayed, None
        # The phase ran once on the new branch: its writes are saved at a checkpoint of the
        # branch (the fork or update it started from), never at the original checkpoint,
        # which keeps the original run's writes.
        for new_id in new:
            replayed += _phase_writes(self.source.state(thread_id, checkpoint_id=new_id, namespace=namespace), set(phases))
        newest = self.source.state(thread_id, checkpoint_id=new[-1], namespace=namespace)
        return replayed, diff_checkpoint(self.source, thread_id, newest.checkpoint_id, parent_id=checkpoint_id, state=newest, namespace=namespace)

    def _replay_remote(self, thread_id: str, checkpoint_id: str, node: str | None, update: dict[str, Any] | None, namespace: str, *, as_node: str | None) -> ActionOutcome:
        """``replay`` on a server: the phase runs once more from the checkpoint (after the
        update, when given) and stops after it (``interrupt_after``)."""
        if namespace:
            raise ControlError("a LangGraph server replays from root checkpoints only; replay the subgraph's parent phase from a root checkpoint")
        self.refresh()
        checkpoint_id = self._require_checkpoint(thread_id, namespace, checkpoint_id)
        self.check_graph(thread_id)
        if update is not None:
            self.remote.check_update_keys(thread_id, update)
        phases, original = self._due(thread_id, checkpoint_id, node, namespace)
        start = checkpoint_id
        forked_at = None
        if update is not None:
            producer = as_node or self._ids(thread_id, namespace).get(checkpoint_id)
            with self._lock:
                try:
                    forked_at = self.remote.update_state(thread_id, checkpoint_id, update, producer)
                finally:
                    self._forget()
            start = forked_at
        outcome = self._run("replay", thread_id, None, step=False, sink=None, checkpoint_id=start, interrupt_after=phases)
        new = ([forked_at] if forked_at else []) + [c for c in outcome.new_checkpoints if c != forked_at]
        replayed, diff = self._branch(thread_id, checkpoint_id, new, phases, namespace)
        return outcome.model_copy(
            update={
                "new_checkpoints": new,
                "replayed_from": checkpoint_id,
                "phases": phases,
                "original_writes": original,
                "replay_writes": replayed,
                "sent": update,
                "diff": diff,
            }
        )

    def fork(
        self, thread_id: str, checkpoint_id: str, update: dict[str, Any], as_node: str | None = None, namespace: str = ""
    ) -> ActionOutcome:
        """A new branch from ``checkpoint_id`` (of ``namespace``) with ``update`` applied (as ``as_node``)."""
        self._require_control("fork")
        with self._lock:
            self.refresh()
            checkpoint_id = self._require_checkpoint(thread_id, namespace, checkpoint_id)
            self.check_graph(thread_id)
            if self.remote is not None:
                if namespace:
                    raise ControlError("a LangGraph server forks root checkpoints only; nothing was written")
                self.remote.check_update_keys(thread_id, update)
            else:
                check_update_keys(self._thread_graph(thread_id), update, namespace)
            producer = as_node or self._ids(thread_id, namespace).get(checkpoint_id)
            try:
                new = self._update_at(thread_id, checkpoint_id, namespace, update, producer)
            finally:
                self._forget()
        result = RunResult(new_checkpoints=[new])
        return self._outcome("fork", thread_id, result, sent=update, replayed_from=checkpoint_id, namespace=namespace)

    def _update_at(self, thread_id: str, checkpoint_id: str, namespace: str, update: dict[str, Any], as_node: str | None) -> str:
        """Apply ``update`` at a checkpoint as ``as_node``; the id of the checkpoint written.

        The parent's ``update_state`` hands a config in a subgraph's namespace to that
        subgraph, so the new checkpoint lands in the same namespace.
        """
        if self.remote is not None:
            return self.remote.update_state(thread_id, checkpoint_id, update, as_node)
        at = {"configurable": {"thread_id": thread_id, "checkpoint_ns": namespace, "checkpoint_id": checkpoint_id}}
        try:
            written = self._thread_graph(thread_id).update_state(at, update, as_node=as_node)
        except DecodeRefused:
            raise
        except Exception as exc:  # InvalidUpdateError and friends: the user's values do not fit
            raise ControlError(f"LangGraph refused the update: {type(exc).__name__}: {exc}") from exc
        return written["configurable"]["checkpoint_id"]

    # -- lifetime ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the source (and the store's writer, when acting)."""
        self.source.close()

    def __enter__(self) -> DebugSession:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        store = self.store
        self.close()
        # A value the strict decoder refused stops the action it happened in; leaving the
        # session says so, whatever the run it stopped made of it.
        refusal = store.refusal if store is not None else None
        if refusal is not None and (exc_type is None or issubclass(exc_type, Exception)):
            raise DecodeRefused(refusal.message) from None


def open_session(
    target: str,
    *,
    graph: Any = None,
    create: bool = False,
    allow_modules: Sequence[str] | None = (),
    sink: Callable[[Any], None] | None = None,
    assistant: str | None = None,
) -> DebugSession:
    """A session on TARGET: read-only without ``graph``; with it (a compiled graph, or a
    ``graph_binding.GraphBinding`` of several), the store is opened to act on (appending
    only; ``create`` makes a missing store, as ``run`` does) and the session can run the
    graph each thread ran. Check the store file first (``acting_store.check_store_file``).

    A GRAPH_REF TARGET is a local source: that graph over the embedded store ``run``
    writes to (``paths.default_run_store``).

    A LangGraph server TARGET (``http(s)://…``) can act without a graph: the server runs
    each thread's own assistant (or ``assistant``, an id or graph id)."""
    from agent_debug.inspector.paths import default_run_store, is_graph_ref
    from agent_debug.inspector.server_options import is_server_url

    if graph is None and is_server_url(target):
        return DebugSession(open_server(target, assistant=assistant), sink=sink)
    if graph is None and is_graph_ref(target):
        from agent_debug.inspector.exceptions import InspectorError
        from agent_debug.inspector.graph_ref import GraphRefError, load_graph
        from agent_debug.inspector.targets import runs_of

        ref, target = target, str(default_run_store() if create else runs_of(target))
        try:
            graph = GraphBinding([KnownGraph(ref, load_graph(ref))])
        except GraphRefError as exc:
            raise InspectorError(str(exc)) from exc
    if graph is None:
        from agent_debug.inspector.targets import open_source

        return DebugSession(open_source(target), sink=sink)
    from agent_debug.inspector.acting_store import open_store_for_app
    from agent_debug.inspector.sources.local import LocalSource

    graphs = GraphBinding.of(graph)
    every = [known.graph for known in graphs.graphs]  # a store of several graphs may hold the types of each
    return DebugSession(LocalSource(open_store_for_app(target, create=create, graph=every, allow_modules=allow_modules), graphs), sink=sink)


def open_server(target: str, *, assistant: str | None = None) -> Source:
    """A LangGraph server as a source that can act (``CONTROL``): its runs go through
    ``server_control.ServerControl``."""
    from agent_debug.inspector.server_control import ServerControl
    from agent_debug.inspector.sources.server import ServerSource

    source = ServerSource(target)
    source.control = ServerControl(source, assistant=assistant)  # type: ignore[attr-defined]
    source.capabilities = source.capabilities | {Capability.CONTROL, Capability.EVENTS}
    return source
