"""The agent-debug Textual app: threads, history, graph and state of a checkpoint store, live.

Every read of the store runs in a thread worker that posts a typed message back; the
UI thread only lays out what arrived. A new selection cancels the load it replaces
(``exclusive`` worker groups). A poll on a cheap change token (ids, not data) picks up
checkpoints written by another process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane
from textual.notifications import SeverityLevel

from agent_debug.inspector.diff import diff_checkpoint
from agent_debug.inspector.exceptions import InspectorError, NotFoundError
from agent_debug.inspector.model import (
    ActionOutcome,
    CheckpointState,
    CheckpointSummary,
    HistoryPage,
    StateDiff,
    ThreadList,
    ThreadStatus,
)
from agent_debug.inspector.sources.base import Source
from agent_debug.tui.safe_text import visible
from agent_debug.tui.screens.breakpoint_screen import BreakpointScreen
from agent_debug.tui.screens.edit_screen import EditStateScreen
from agent_debug.tui.screens.help_screen import HelpScreen
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from agent_debug.tui.screens.replay_screen import ReplayResultScreen, ReplayScreen
from agent_debug.tui import gc_policy
from agent_debug.tui.event_buffer import EventBuffer
from agent_debug.tui.widgets.events.events_view import EventsView
from agent_debug.tui.widgets.graph.graph_view import GraphView
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.state.diff_view import DiffView
from agent_debug.tui.widgets.state.messages_view import MessagesView
from agent_debug.tui.widgets.state.pending_view import PendingView
from agent_debug.tui.widgets.state.state_tree import StateTree
from agent_debug.tui.widgets.state.value_detail import ValueDetail, value_text
from agent_debug.tui.widgets.threads.thread_list import ThreadList as ThreadListWidget

HISTORY_PAGE = 50
EVENT_FLUSH_S = 0.05  # ≤ 20 UI updates a second, however fast events arrive


# -- messages from the workers ------------------------------------------------------


class ThreadsLoaded(Message):
    """A fresh thread list."""

    def __init__(self, doc: ThreadList) -> None:
        super().__init__()
        self.doc = doc


class NamespaceChosen(Message):
    """The namespace to show next, of ``count`` the thread has."""

    def __init__(self, thread_id: str, namespace: str, count: int) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.chosen = namespace  # (Message.namespace is Textual's handler-name prefix)
        self.count = count


class HistoryLoaded(Message):
    """A page of a thread's history: the first, an older one, or the newest (live)."""

    def __init__(self, page: HistoryPage, mode: str) -> None:
        super().__init__()
        self.page = page
        self.mode = mode  # "first" | "older" | "newer"


class CheckpointLoaded(Message):
    """The state, diff and pending work of the selected checkpoint."""

    def __init__(self, state: CheckpointState, diff: StateDiff) -> None:
        super().__init__()
        self.state = state
        self.diff = diff


class GraphDrawn(Message):
    """A computed graph layout, of the root graph or of the subgraph of ``namespace``."""

    def __init__(self, drawing: Any, caption: str, *, thread_id: str, namespace: str = "", title: str | None = None) -> None:
        super().__init__()
        self.drawing = drawing
        self.caption = caption
        self.thread_id = thread_id
        self.chosen = namespace  # (Message.namespace is Textual's handler-name prefix)
        self.title = title


class ValueRendered(Message):
    """A state value turned into text for the detail pane."""

    def __init__(self, path: str, text: str, is_json: bool) -> None:
        super().__init__()
        self.path = path
        self.text = text
        self.is_json = is_json


class ActionDone(Message):
    """A control action (step, continue, resume, replay, fork) finished."""

    def __init__(self, label: str, outcome: ActionOutcome) -> None:
        super().__init__()
        self.label = label
        self.outcome = outcome


class ActionFailed(Message):
    """A control action was refused or could not run."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class StoreChanged(Message):
    """The change token moved: another process wrote checkpoints."""


class StoreProblem(Message):
    """Reading the store failed (it disappeared, is locked, the server went away)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def load_keymap() -> dict[str, str]:
    """User key remaps: binding id → keys, from AGENT_DEBUG_KEYMAP or the config directory."""
    from platformdirs import user_config_path

    path = Path(os.environ.get("AGENT_DEBUG_KEYMAP") or user_config_path("agent-debug") / "keymap.json")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _while_mounted(handler: Callable[..., None]) -> Callable[..., None]:
    """Drop a worker's result that arrives while the app is shutting down (its widgets are gone)."""

    def guarded(self: Any, message: Any) -> None:
        try:
            handler(self, message)
        except NoMatches:
            if self.is_running and not self._exit:
                raise

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


class AgentDebugApp(App[None]):
    """Browse a checkpoint store: threads, fork-tree history, graph, state, diff, messages."""

    TITLE = "agent-debug"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("slash", "search", "Search", id="search", key_display="/", tooltip="Search thread ids"),
        Binding("s", "cycle_status", "Status", id="status_filter", tooltip="Filter threads by status"),
        Binding("i", "inbox", "Inbox", id="inbox", tooltip="Every pending interrupt across threads"),
        Binding("f", "toggle_follow", "Follow", id="follow", tooltip="Keep the newest checkpoint selected"),
        Binding("g", "show_tab('graph')", "Graph", id="tab.graph"),
        Binding("v", "show_tab('state')", "State", id="tab.state"),
        Binding("d", "show_tab('diff')", "Diff", id="tab.diff"),
        Binding("m", "show_tab('messages')", "Messages", id="tab.messages"),
        Binding("x", "show_tab('pending')", "Errors", id="tab.pending", tooltip="Errors and interrupts"),
        Binding("l", "show_tab('events')", "Events", id="tab.events", tooltip="Live events of runs: thinking, logs, errors"),
        Binding("n", "step", "Step", id="control.step", tooltip="Run the next super-step and pause"),
        Binding("c", "continue", "Continue", id="control.continue", tooltip="Run to a breakpoint, interrupt, error or the end"),
        Binding("p", "pause", "Pause", id="control.pause", show=False, tooltip="Stop at the next step boundary"),
        Binding("a", "answer", "Approve", id="control.answer", tooltip="Answer the pending interrupt(s)"),
        Binding("b", "breakpoint", "Break", id="control.break", show=False, tooltip="Toggle a breakpoint before the selected phase"),
        Binding("B", "breakpoint_after", "Break after", id="control.break_after", show=False, tooltip="Toggle a breakpoint after the selected phase"),
        Binding("right_square_bracket", "namespace(1)", "Subgraph", id="namespace.next", show=False, key_display="]",
                tooltip="History, state and graph of the thread's next checkpoint namespace (its subgraphs)"),
        Binding("left_square_bracket", "namespace(-1)", "Subgraph back", id="namespace.previous", show=False, key_display="[",
                tooltip="History, state and graph of the thread's previous checkpoint namespace"),
        Binding("r", "replay", "Replay", id="control.replay", show=False, tooltip="Replay the selected phase on a new branch"),
        Binding("e", "edit", "Edit+fork", id="control.edit", show=False, tooltip="Edit the selected state value and fork"),
        Binding("z", "focus_graph", "Focus graph", id="graph.focus", show=False, tooltip="Draw only the current node and its neighbours"),
        Binding("y", "copy_value", "Copy value", id="copy.value", show=False),
        Binding("Y", "copy_path", "Copy path", id="copy.path", show=False),
        Binding("t", "toggle_theme", "Light/dark", id="theme", show=False),
        Binding("ctrl+r", "refresh", "Refresh", id="refresh", show=False),
    ]

    def __init__(
        self,
        source: Source,
        *,
        graph: Any = None,
        thread_id: str | None = None,
        poll_interval: float = 0.5,
        clock: Callable[[], datetime] | None = None,
        follow: bool = True,
        controller: Any = None,
        start: tuple[str, Any, bool] | None = None,
        stuck_after: float = 60.0,
        stuck_per_node: dict[str, float | None] | None = None,
        prices: dict[str, dict[str, float]] | None = None,
        stuck_clock: Callable[[], float] | None = None,
    ) -> None:
        """``controller`` (inspector.control.Controller) enables the acting verbs;
        ``start`` = (thread id, input, step?) begins a run when the app opens.
        A phase running over ``stuck_after`` seconds (or its node's entry in
        ``stuck_per_node``; None: never) is flagged; ``prices`` (an
        ``events.PriceTable``) adds cost to the phase-timing table. ``stuck_clock``:
        the wall clock (epoch seconds) stuck phases are timed by (tests inject one)."""
        super().__init__()
        self.controller = controller
        self._start = start
        self.row: CheckpointSummary | None = None
        self.state: CheckpointState | None = None
        self.tracebacks: dict[str, str] = {}
        self.events = EventBuffer()
        self._stuck_seen: set[str | None] = set()
        from agent_debug.inspector.events import RunStats, StuckWatch

        self.run_stats = RunStats()
        self.stuck = StuckWatch(stuck_after, stuck_per_node, **({"clock": stuck_clock} if stuck_clock else {}))
        self.prices = prices
        if controller is not None:
            record = controller.sink

            def sink(event: Any) -> None:
                self.events.append(event)
                if record is not None:
                    record(event)

            controller.sink = sink
        self.source = source
        self.compiled_graph = graph
        self.initial_thread = thread_id
        self.poll_interval = poll_interval
        self.clock = clock or (lambda: datetime.now(UTC))
        self.follow = follow
        self.thread_id: str | None = None
        self.checkpoint_id: str | None = None
        # The checkpoint namespace shown: '' for the root graph, a subgraph's otherwise.
        self.namespace = ""
        # Events pane pacing (flush_events): the phase table is redrawn at most 4 times a
        # second during a flood; the tail of a flood is drawn between ticks.
        self._stats_pending = False
        self._stats_due = 0.0
        self._drawing_tail = False
        self.value_path = ""
        self.value: Any = None
        self.problem: str | None = None
        self._token: Any = None
        self._graph_model: Any = None
        self._rows_cache: dict[tuple[str, str], tuple[str, list[CheckpointSummary]]] = {}
        # Models of the user's subgraphs by path (None: not a subgraph node of the graph),
        # built on first view by the graph worker.
        self._subgraph_models: dict[tuple[str, ...], Any] = {}
        self._subgraphs: dict[str, Any] | None = None
        self._threads_total = 0
        self.graph_focus: str | None = None
        # A node clicked in the graph, while it is the latest thing chosen (a history row
        # chosen after it wins): `r` replays its newest phase, `b` suggests it.
        self.graph_node: str | None = None
        self._focus_candidate: str | None = None

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="left"):
            threads = ThreadListWidget(id="threads")
            threads.border_title = "threads"
            yield threads
            with Vertical(id="history-box") as box:
                box.border_title = "history"
                yield HistoryTree(id="history")
        with TabbedContent(id="right", initial="graph"):
            with TabPane("Graph", id="graph"):
                yield GraphView(id="graph-view")
            with TabPane("State", id="state"):
                with Vertical(id="state-split"):
                    yield StateTree(id="state-tree")
                    yield ValueDetail(id="value-detail")
            with TabPane("Diff", id="diff"):
                yield DiffView(id="diff-view")
            with TabPane("Messages", id="messages"):
                yield MessagesView(id="messages-view")
            with TabPane("Errors & interrupts", id="pending"):
                yield PendingView(id="pending-view")
            with TabPane("Events", id="events"):
                yield EventsView(id="events-view")
        yield Footer()

    def notify(  # type: ignore[override]
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A toast. Notifications quote stored text (node names, errors, thread ids): it is
        shown as written, never read as markup, its control characters escaped."""
        super().notify(visible(str(message), lines=True), title=visible(str(title)), severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        keymap = load_keymap()
        if keymap:
            self.set_keymap(keymap)
        recorded = getattr(self.source, "events", None)
        if callable(recorded):
            # A recording: its events fill the events pane for the post-mortem.
            for event in recorded():
                self.events.append(event)
        self.query_one("#thread-table").focus()
        self.call_after_refresh(gc_policy.settle)
        self.load_threads()
        if self.compiled_graph is not None:
            self.prepare_graph()
        if self.poll_interval > 0:
            self.set_interval(self.poll_interval, self.check_changes, name="poll")
        self.set_interval(EVENT_FLUSH_S, self.flush_events, name="events")
        self._update_status_line()
        if self._start is not None and self.controller is not None:
            thread_id, payload, step = self._start
            self.initial_thread = thread_id
            self.act("run" if not step else "first step", lambda: self.controller.start(thread_id, payload, step=step))

    def _update_status_line(self) -> None:
        """Target, thread count, follow mode and any store problem, in the header."""
        parts = [self.source.target, f"{self._threads_total} threads", "follow on" if self.follow else "follow off"]
        if self.namespace:
            from agent_debug.graphviz_export.model import namespace_path

            parts.append(f"subgraph {' › '.join(namespace_path(self.namespace))}")
        if self.controller is not None:
            parts.append("running…" if self.controller.running else "control on")
            points = [f"before {n}" for n in sorted(self.controller.break_before)]
            points += [f"after {n}" for n in sorted(self.controller.break_after)]
            if points:
                parts.append("break " + ", ".join(points))
        if self.problem:
            parts.append(f"⚠ {self.problem}")
        self.sub_title = visible(" · ".join(parts))  # the problem may quote the store

    # -- workers (off the UI thread) --------------------------------------------------
    # Each has a fixed description: Textual otherwise names a worker by the repr() of its
    # arguments, made on the UI thread (for a 12 MB state that alone stalled it ~90 ms).

    def _guard(self, work_fn: Callable[[], Message | None]) -> None:
        try:
            with gc_policy.quiet():
                message = work_fn()
        except InspectorError as exc:
            self.post_message(StoreProblem(exc.message))
            return
        if message is not None:
            self.post_message(message)

    @work(thread=True, exclusive=True, group="threads", exit_on_error=False, description="threads")
    def load_threads(self) -> None:
        """Read every thread with its status."""

        def read() -> Message:
            if self._token is None and self.poll_interval > 0:
                # The first reading's baseline, taken before it: a commit made while we
                # read (or before the first poll) moves the token away from it.
                self._token = self.source.change_token()
            return ThreadsLoaded(self.source.threads())

        self._guard(read)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False, description="history")
    def load_history(self, thread_id: str, mode: str = "first", before: str | None = None) -> None:
        """Read a page of history (of the namespace shown)."""
        ns = self.namespace

        def read() -> Message | None:
            try:
                return HistoryLoaded(self.source.history(thread_id, namespace=ns, limit=HISTORY_PAGE, before=before), mode)
            except NotFoundError:
                if mode == "newer":
                    return None  # the thread went with a change of the store: the reloaded list moves on
                raise

        self._guard(read)

    @work(thread=True, exclusive=True, group="checkpoint", exit_on_error=False, description="checkpoint")
    def load_checkpoint(self, thread_id: str, checkpoint_id: str) -> None:
        """Decode one checkpoint and diff it with its parent."""

        ns = self.namespace

        def read() -> Message:
            state = self.source.state(thread_id, checkpoint_id=checkpoint_id, namespace=ns)
            return CheckpointLoaded(state, diff_checkpoint(self.source, thread_id, checkpoint_id, ns, state=state))

        self._guard(read)

    def _all_rows(self, thread_id: str, namespace: str = "") -> list[CheckpointSummary]:
        """The whole history of the thread (or of one of its namespaces), read once per
        head (worker threads only)."""
        if namespace:
            # A subgraph writes while the root's head stays put: its own head is the key.
            head = next((n.latest_checkpoint_id for n in self.source.namespaces(thread_id) if n.namespace == namespace), "")
        else:
            head = self.source.thread(thread_id).checkpoint_id
        cached = self._rows_cache.get((thread_id, namespace))
        if cached is None or cached[0] != head:
            cached = (head, self.source.history(thread_id, namespace=namespace, limit=None).checkpoints)
            self._rows_cache[(thread_id, namespace)] = cached
        return cached[1]

    def redraw_graph(self) -> None:
        """Draw the graph again for what is selected now (UI thread)."""
        if self.thread_id:
            self.draw_graph(self.thread_id, self.checkpoint_id, namespace=self.namespace)

    @work(thread=True, exclusive=True, group="graph", exit_on_error=False, description="graph")
    def draw_graph(
        self, thread_id: str, checkpoint_id: str | None, state: CheckpointState | None = None, *, namespace: str = ""
    ) -> None:
        """Lay out the graph with each node's status at the checkpoint; in a subgraph's
        namespace, that subgraph with the statuses of its own checkpoints."""

        def draw() -> Message:
            from agent_debug.graphviz_export.model import apply_status
            from agent_debug.graphviz_export.terminal import layout
            from agent_debug.tui.graph_command import graph_status

            given = state if state is not None and state.checkpoint_id == checkpoint_id else None
            title = None
            if namespace:
                if given is None:
                    given = self.source.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace)
                model, caption, title = self._subgraph_drawing(thread_id, namespace, given)
            elif self._graph_model is not None:
                model, caption = self._breakpoints_marked(self._graph_model), "graph from --graph"
            else:
                from agent_debug.graphviz_export.observed import observed_model
                from agent_debug.inspector.reconstruct import observed_graph

                seen = observed_graph(self.source, thread_id, rows=self._all_rows(thread_id))
                model = observed_model(seen.nodes, seen.edges)
                caption = "reconstructed from this thread's checkpoints (pass --graph for the real graph)"
            rows = self._all_rows(thread_id, namespace)
            status = graph_status(self.source, thread_id, checkpoint_id, model=model, namespace=namespace, state=given, rows=rows)
            focus = self.graph_focus if self.graph_focus in model else None
            if focus:
                caption += f" · focus on {focus} (z for all)"
            drawing = layout(apply_status(model, status), focus=focus, hops=1)
            drawing.spans  # styled here, off the UI thread (spans are computed lazily)
            return GraphDrawn(drawing, caption, thread_id=thread_id, namespace=namespace, title=title)

        self._guard(draw)

    def _subgraph_drawing(self, thread_id: str, namespace: str, state: CheckpointState) -> tuple[Any, str, str]:
        """The model, caption and title for a subgraph's namespace (worker threads only):
        the subgraph of the user's graph when it is one, else reconstructed from the
        namespace's own checkpoints."""
        from agent_debug.graphviz_export.model import namespace_path

        path = namespace_path(namespace)
        title = f"subgraph {' › '.join(path)} · namespace {namespace}"
        model = self._subgraph_model(path)
        if model is not None:
            return self._breakpoints_marked(model, path), "graph from --graph · [ ] for the other namespaces", title
        from agent_debug.graphviz_export.observed import observed_model
        from agent_debug.inspector.reconstruct import observed_graph

        rows = self._all_rows(thread_id, namespace)
        seen = observed_graph(self.source, thread_id, namespace, rows=rows)
        # What is due at this checkpoint has not run yet, so the history alone misses it.
        ran = next((r.nodes for r in rows if r.checkpoint_id == state.checkpoint_id and r.nodes), None) or ["__start__"]
        due = [*state.next, *(i.node for i in state.interrupts), *(e.node for e in state.errors)]
        for node in dict.fromkeys(n for n in due if n and n not in seen.nodes):
            for before in ran:
                seen.add_edge(before, node)
        if not due and rows and rows[0].checkpoint_id == state.checkpoint_id and ran != ["__start__"]:
            for before in ran:  # the subgraph run finished: nothing due at its newest checkpoint
                seen.add_edge(before, "__end__")
        model = observed_model(seen.nodes, seen.edges, name=path[-1])
        why = "not a subgraph node of --graph" if self.compiled_graph is not None else "pass --graph for the real graph"
        return model, f"reconstructed from this subgraph's checkpoints ({why}) · [ ] for the other namespaces", title

    def _subgraph_model(self, path: tuple[str, ...]) -> Any:
        """The model of the user's subgraph at ``path``, or None (worker threads only)."""
        if self.compiled_graph is None:
            return None
        if path not in self._subgraph_models:
            from agent_debug.graphviz_export.model import graph_model

            if self._subgraphs is None:
                try:
                    self._subgraphs = dict(self.compiled_graph.get_subgraphs(recurse=True))
                except Exception:  # a custom Pregel may not support it: reconstruct instead
                    self._subgraphs = {}
            compiled = self._subgraphs.get("|".join(path))
            self._subgraph_models[path] = graph_model(compiled) if compiled is not None else None
        return self._subgraph_models[path]

    def _breakpoints_marked(self, model: Any, path: tuple[str, ...] = ()) -> Any:
        """A copy of the model whose breakpoint nodes read '⏺ name' (before) / 'name ⏺' (after);
        ``path`` is the subgraph the model draws."""
        if self.controller is None or not (self.controller.break_before or self.controller.break_after):
            return model
        marked = model.copy()
        prefix = "".join(f"{p}:" for p in path)

        def inside(points: Iterable[str]) -> set[str]:
            # A breakpoint inside a subgraph marks the subgraph's node (drawn collapsed).
            return {p[len(prefix) :].split(":")[0] for p in points if p.startswith(prefix)}

        before = inside(self.controller.break_before)
        after = inside(self.controller.break_after)
        for node in before & set(marked.nodes):
            marked.nodes[node]["label"] = f"⏺ {marked.nodes[node]['label']}"
        for node in after & set(marked.nodes):
            marked.nodes[node]["label"] = f"{marked.nodes[node]['label']} ⏺"
        return marked

    @work(thread=True, group="control", exit_on_error=False, description="control")
    def act(self, label: str, action: Callable[[], ActionOutcome]) -> None:
        """Run one control action off the UI thread (never cancelled by a new selection)."""
        try:
            outcome = action()
        except InspectorError as exc:
            self.post_message(ActionFailed(exc.message))
            return
        except Exception as exc:  # a debugger bug must not take the app down
            self.post_message(ActionFailed(f"{label} failed: {type(exc).__name__}: {exc}"))
            return
        self.post_message(ActionDone(label, outcome))

    @work(thread=True, exclusive=True, group="prepare-graph", exit_on_error=False, description="prepare-graph")
    def prepare_graph(self) -> None:
        """Build the model of the user's graph once."""
        from agent_debug.graphviz_export.model import graph_model

        self._graph_model = graph_model(self.compiled_graph)
        self.call_from_thread(self.redraw_graph)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False, description="detail")
    def render_value(self, path: str, value: Any) -> None:
        """Turn a (possibly huge) value into text for the detail pane."""
        with gc_policy.quiet():
            text = value_text(value)
        self.post_message(ValueRendered(path, text, not isinstance(value, str)))

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False, description="poll")
    def check_changes(self) -> None:
        """Poll the store's change token; cheap (an index lookup), never a re-read."""
        try:
            token = self.source.change_token()
        except InspectorError as exc:
            self.post_message(StoreProblem(exc.message))
            return
        if self._token is None and self.problem is None:
            return  # the first load takes the baseline, before it reads
        if self.problem is not None or token != self._token:
            self.post_message(StoreChanged())
        self._token = token

    # -- messages from workers --------------------------------------------------------

    @on(ThreadsLoaded)
    @_while_mounted
    def _threads_loaded(self, message: ThreadsLoaded) -> None:
        self._clear_problem()
        self._threads_total = message.doc.total
        widget = self.query_one(ThreadListWidget)
        if self.thread_id is None and self.initial_thread:
            widget.selected = self.initial_thread
        widget.show(message.doc.threads, message.doc.total, now=self.clock())
        gone = self.thread_id is not None and self.thread_id not in {t.thread_id for t in message.doc.threads}
        if self.thread_id is None or gone:
            # A thread that is no longer there (the store was replaced, the thread
            # deleted) gives way to the one under the cursor.
            chosen = widget.thread_at_cursor()
            if chosen:
                self._choose_thread(chosen)
        self._update_status_line()

    @on(HistoryLoaded)
    @_while_mounted
    def _history_loaded(self, message: HistoryLoaded) -> None:
        if message.page.thread_id != self.thread_id or message.page.namespace != self.namespace:
            return
        tree = self.query_one(HistoryTree)
        tree.border_title = f"history of {message.page.thread_id}"
        inside = f" · subgraph {message.page.namespace} ([ ] to switch)" if message.page.namespace else ""
        self.query_one("#history-box").border_title = f"history · {message.page.total} checkpoints{inside}"
        if message.mode == "newer":
            tree.merge_newer(message.page, follow=self.follow, now=self.clock())
        else:
            tree.show_page(message.page, older=message.mode == "older", now=self.clock(), keep=self.checkpoint_id if message.mode == "older" else None)

    @on(CheckpointLoaded)
    @_while_mounted
    def _checkpoint_loaded(self, message: CheckpointLoaded) -> None:
        if message.state.checkpoint_id != self.checkpoint_id:
            return
        state = message.state
        self.state = state
        nodes = [i.node for i in state.interrupts] + [e.node for e in state.errors] + list(state.next)
        self._focus_candidate = next((n for n in nodes if n), None)
        self.query_one(StateTree).show_values(message.state.values)
        self.query_one(DiffView).show(message.diff)
        self.query_one(MessagesView).show(message.state.messages)
        traceback = self.tracebacks.get(state.thread_id) if state.errors else None
        self.query_one(PendingView).show(message.state, traceback)
        # In a subgraph's namespace the Graph tab shows that subgraph.
        self.draw_graph(state.thread_id, state.checkpoint_id, state, namespace=state.namespace)

    @on(GraphDrawn)
    @_while_mounted
    def _graph_drawn(self, message: GraphDrawn) -> None:
        if message.thread_id != self.thread_id or message.chosen != self.namespace:
            return  # drawn for a selection that has changed since
        self.query_one(GraphView).show(message.drawing, message.caption, title=message.title)

    @on(ValueRendered)
    @_while_mounted
    def _value_rendered(self, message: ValueRendered) -> None:
        if message.path == self.value_path:
            self.query_one(ValueDetail).show(message.path, message.text, message.is_json)

    @on(StoreChanged)
    def _store_changed(self, _: StoreChanged) -> None:
        self.load_threads()
        if self.thread_id:
            self.load_history(self.thread_id, "newer")

    @on(StoreProblem)
    def _store_problem(self, message: StoreProblem) -> None:
        if message.text != self.problem:
            self.notify(message.text, title="store", severity="error", timeout=6)
        self.problem = message.text
        self._update_status_line()

    def _clear_problem(self) -> None:
        if self.problem is not None:
            self.problem = None
            self.notify("store readable again", title="store", timeout=3)

    def flush_events(self) -> None:
        """Move new run events into the events pane: as many as ~12 ms of counting and
        folding take (the rest wait in the buffer), then one share of the lines to draw
        (see ``EventsView.add``): however fast events come, a tick stays short."""
        from time import perf_counter

        try:
            view = self.query_one(EventsView)
        except NoMatches:  # shutting down: nothing to show them in
            return
        fresh = 0
        deadline = perf_counter() + 0.012
        while True:
            batch = self.events.drain(limit=500)
            # Statistics are kept on the UI thread: the run thread only appends.
            for event in batch:
                self.run_stats.observe(event)
                self.stuck.observe(event)
            if batch:
                view.add(batch, draw=False)
            fresh += len(batch)
            if len(batch) < 500 or perf_counter() > deadline:
                break
        gc_policy.kept(fresh)
        waiting = view.lines_waiting
        if fresh or waiting:
            try:
                more = view.add(())
            except NoMatches:  # its log is gone: the app is shutting down
                return
            if not fresh and 0 < more < waiting and not self._drawing_tail:
                # The tail of a flood: no new events compete for the time any more, so the
                # next shares are drawn as soon as the loop is free rather than a tick later.
                self._drawing_tail = True
                self.call_later(self._draw_events_tail, view)
        stuck = self.stuck.check()
        for s in stuck:
            if s.task_id not in self._stuck_seen:
                self._stuck_seen.add(s.task_id)
                self.notify(f"{s.node} has been running for {s.elapsed_s:.0f}s", title="stuck phase?", severity="warning", timeout=8)
        # The phase table resizes with its rows (a layout of the whole screen): while
        # events keep coming it is redrawn 4 times a second, and once when they stop.
        now = perf_counter()
        pending = self._stats_pending or fresh > 0 or bool(stuck)
        if pending and (not fresh or now >= self._stats_due):
            view.show_stats(self.run_stats, stuck, self.prices)
            self._stats_due, pending = now + 0.25, False
        self._stats_pending = pending

    async def _draw_events_tail(self, view: EventsView) -> None:
        """Another share of the lines waiting in the events pane, until none wait (or
        none can be drawn: the pane is not on screen)."""
        import asyncio

        waiting = view.lines_waiting
        try:
            more = view.add(())
        except NoMatches:  # its log is gone: the app is shutting down
            more = 0
        self._drawing_tail = 0 < more < waiting
        if self._drawing_tail:
            # Let the rest of the loop run (keys, timers, the screen) before the next
            # share: a callback queued right away would be taken before anything else.
            await asyncio.sleep(0.002)
            self.call_later(self._draw_events_tail, view)

    @on(EventsView.FilterChanged)
    def _events_filter(self, _: EventsView.FilterChanged) -> None:
        # The snapshot holds events not drained yet, which the next tick would add a second
        # time: drain now (after the snapshot, so the drain covers them) and keep what came since.
        held = self.events.snapshot()
        fresh = self.events.drain()
        tail = held[-1] if held else None
        since = next((i + 1 for i, e in enumerate(fresh) if e is tail), 0)
        for event in fresh:
            self.run_stats.observe(event)
            self.stuck.observe(event)
        view = self.query_one(EventsView)
        view.rebuild(held + fresh[since:])
        if fresh:
            view.show_stats(self.run_stats, self.stuck.check(), self.prices)

    # -- messages from widgets ----------------------------------------------------------

    def _choose_thread(self, thread_id: str) -> None:
        self.thread_id = thread_id
        self.checkpoint_id = None
        self.namespace = ""
        self.load_history(thread_id, "first")
        self._update_status_line()

    @on(ThreadListWidget.Chosen)
    def _thread_chosen(self, message: ThreadListWidget.Chosen) -> None:
        if message.thread_id != self.thread_id:
            self._choose_thread(message.thread_id)

    @on(HistoryTree.Chosen)
    @_while_mounted
    def _checkpoint_chosen(self, message: HistoryTree.Chosen) -> None:
        tree = self.query_one(HistoryTree)
        if tree.thread_id != self.thread_id:
            return  # a row of the thread shown before (the list moved on): its history is on the way
        head = tree.rows[0].checkpoint_id if tree.rows else None
        if self.follow and head and message.checkpoint.checkpoint_id != head and self.checkpoint_id is not None:
            # Moving away from the newest checkpoint is asking to stay put.
            self.follow = False
            self._update_status_line()
        self.row = message.checkpoint
        self.graph_node = None
        if message.checkpoint.checkpoint_id == self.checkpoint_id:
            return
        self.checkpoint_id = message.checkpoint.checkpoint_id
        if self.thread_id:
            # The graph is drawn once the state is decoded, reusing it (one decode per move).
            self.load_checkpoint(self.thread_id, self.checkpoint_id)

    @on(HistoryTree.OlderWanted)
    def _older_wanted(self, message: HistoryTree.OlderWanted) -> None:
        if self.thread_id:
            self.load_history(self.thread_id, "older", message.before)

    @on(StateTree.ValueChosen)
    def _value_chosen(self, message: StateTree.ValueChosen) -> None:
        self.value_path = message.path
        self.value = message.value
        self.render_value(message.path, message.value)

    @on(ActionDone)
    @_while_mounted
    def _action_done(self, message: ActionDone) -> None:
        o = message.outcome
        text = f"{message.label}: {len(o.new_checkpoints)} new checkpoint(s); thread {o.thread_id} is {o.status.value}"
        if o.next and o.status is not ThreadStatus.DONE:
            text += f", next {', '.join(o.next)}"
        if o.action == "resume" and o.sent is not None:
            text += f"\nsent {json.dumps(o.sent, default=repr)[:300]}"
        if o.error is not None:
            if o.traceback:
                self.tracebacks[o.thread_id] = o.traceback
            self.notify(f"{o.error.node or '?'} failed: {o.error.type}: {o.error.message}", title="workflow error", severity="error", timeout=10)
        self.notify(text, title=message.label, timeout=6)
        self.follow = True
        self.thread_id = o.thread_id
        self.namespace = o.namespace
        self.query_one(ThreadListWidget).selected = o.thread_id
        self.load_threads()
        self.load_history(o.thread_id, "first")
        self._update_status_line()
        if o.action == "replay":
            self.push_screen(ReplayResultScreen(o))
        elif o.status is ThreadStatus.INTERRUPTED and o.interrupts:
            self._open_interrupts(o.thread_id, o.interrupts)

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        self.notify(message.text, title="not done", severity="warning", timeout=8)
        self._update_status_line()

    # -- control actions ------------------------------------------------------------------

    _CONTROL_ACTIONS = frozenset(("step", "continue", "pause", "answer", "breakpoint", "breakpoint_after", "replay", "edit"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Acting verbs exist only with a graph to run; read-only sessions do not show them."""
        if action in self._CONTROL_ACTIONS and self.controller is None:
            return False
        return True

    def _can_act(self) -> bool:
        if self.controller is None:
            self.notify("read-only: open with --graph GRAPH_REF (or use agent-debug run) to act", severity="warning", timeout=5)
            return False
        if self.controller.running:
            self.notify("an action is running; p pauses it", severity="warning", timeout=3)
            return False
        if self.thread_id is None:
            self.notify("select a thread first", severity="warning", timeout=3)
            return False
        return True

    def action_step(self) -> None:
        """Run the next super-step of the selected thread and pause."""
        if self._can_act():
            thread = self.thread_id
            self.act("step", lambda: self.controller.step(thread))
            self._update_status_line()

    def action_continue(self) -> None:
        """Run the selected thread to a breakpoint, interrupt, error or the end."""
        if self._can_act():
            thread = self.thread_id
            self.act("continue", lambda: self.controller.cont(thread))
            self._update_status_line()

    def action_pause(self) -> None:
        """Pause the running action at the next step boundary."""
        if self.controller is not None and self.controller.running:
            self.controller.pause()
            self.notify("pausing at the next step boundary", timeout=3)

    @on(GraphView.NodeSelected)
    def _graph_node_selected(self, message: GraphView.NodeSelected) -> None:
        from agent_debug.graphviz_export.model import namespace_path

        # Inside a subgraph's drawing the node is named as breakpoints name it: `sub:node`.
        self.graph_node = ":".join((*namespace_path(self.namespace), message.node))
        hint = "r replays its newest phase, b sets a breakpoint" if self.controller is not None else "z focuses on it"
        self.notify(f"{self.graph_node} selected: {hint}", timeout=3)

    def _selected_phase(self) -> str | None:
        if self.graph_node is not None:
            return self.graph_node
        if self.row is not None and self.row.nodes:
            return self.row.nodes[0]
        if self.state is not None and self.state.next:
            return self.state.next[0]
        return None

    def _toggle_breakpoint(self, after: bool) -> None:
        if self.controller is None:
            self._can_act()
            return
        suggested = self._selected_phase()
        current = self.controller.break_after if after else self.controller.break_before
        screen = BreakpointScreen(
            sorted(self.controller.nodes), after=after, suggested=None if suggested == "__start__" else suggested, current=set(current)
        )
        self.push_screen(screen, lambda node: self.set_breakpoint(node, after) if node else None)

    def set_breakpoint(self, node: str, after: bool) -> None:
        """Toggle a breakpoint before (or after) ``node`` (``subgraph:node`` inside a subgraph)."""
        if self.controller is None:
            return
        try:
            on_ = self.controller.toggle_breakpoint(node, after=after)
        except InspectorError as exc:
            self.notify(exc.message, severity="warning", timeout=5)
            return
        where = "after" if after else "before"
        self.notify(f"breakpoint {where} {node} {'set' if on_ else 'cleared'}", timeout=3)
        self._update_status_line()
        self.redraw_graph()

    def action_breakpoint(self) -> None:
        """Toggle a breakpoint before the selected phase."""
        self._toggle_breakpoint(after=False)

    def action_breakpoint_after(self) -> None:
        """Toggle a breakpoint after the selected phase."""
        self._toggle_breakpoint(after=True)

    def _open_interrupts(self, thread_id: str, interrupts: list[Any]) -> None:
        def answered(plan: dict[str, Any] | None) -> None:
            if plan:
                self.act("resume", lambda: self.controller.resume(thread_id, plan))

        self.push_screen(InterruptScreen(thread_id, interrupts), answered)

    def action_answer(self) -> None:
        """Answer the interrupts the selected thread waits at."""
        if not self._can_act():
            return
        summary = next((t for t in self.query_one(ThreadListWidget).threads if t.thread_id == self.thread_id), None)
        if summary is None or not summary.interrupts:
            self.notify(f"thread {self.thread_id} is not waiting at an interrupt", severity="warning", timeout=4)
            return
        self._open_interrupts(summary.thread_id, summary.interrupts)

    def action_replay(self) -> None:
        """Replay the selected row's phase from the checkpoint before it."""
        if not self._can_act():
            return
        row, phase = self.row, None
        if self.graph_node is not None and not self.namespace:
            # The newest run of the clicked node in the (root) history loaded so far.
            phase = self.graph_node
            ran = [r for r in self.query_one(HistoryTree).rows if phase in r.nodes and r.parent_id and r.source == "loop"]
            if not ran:
                self.notify(f"no run of {self.graph_node} in the loaded history of this thread", severity="warning", timeout=4)
                return
            row = max(ran, key=lambda r: r.checkpoint_id)
        if row is None or not row.nodes or not row.parent_id or row.source != "loop":
            self.notify("select a history row made by a phase (not an input, update or fork)", severity="warning", timeout=4)
            return
        thread, phase, start, ns = self.thread_id, phase or row.nodes[0], row.parent_id, self.namespace

        def confirmed(choice: dict[str, Any] | None | bool) -> None:
            if choice is None:
                return
            update = choice if isinstance(choice, dict) else None
            self.act("replay", lambda: self.controller.replay(thread, start, node=phase, update=update, namespace=ns))

        self.push_screen(ReplayScreen(phase, start), confirmed)

    def action_namespace(self, step: int) -> None:
        """Show the next (or previous) checkpoint namespace of the thread: root, then each subgraph."""
        if self.thread_id is not None:
            self.cycle_namespace(self.thread_id, self.namespace, step)

    @work(thread=True, exclusive=True, group="namespaces", exit_on_error=False, description="namespaces")
    def cycle_namespace(self, thread_id: str, current: str, step: int) -> None:
        """Read the thread's namespaces and pick the one ``step`` away from ``current``."""

        def pick() -> Message:
            names = [n.namespace for n in self.source.namespaces(thread_id)]
            index = names.index(current) if current in names else 0
            return NamespaceChosen(thread_id, names[(index + step) % len(names)] if names else "", len(names))

        self._guard(pick)

    @on(NamespaceChosen)
    @_while_mounted
    def _namespace_chosen(self, message: NamespaceChosen) -> None:
        if message.thread_id != self.thread_id:
            return
        if message.count <= 1:
            self.notify("this thread has no subgraph checkpoints", timeout=3)
            return
        self.namespace = message.chosen
        self.checkpoint_id = None
        self.row = None
        self.load_history(message.thread_id, "first")
        self._update_status_line()

    def action_edit(self) -> None:
        """Edit the highlighted state value at this checkpoint and fork."""
        if not self._can_act() or self.checkpoint_id is None:
            return
        key = (self.value_path or "").split(".")[0]
        if not key or self.state is None or key not in self.state.values:
            self.notify("highlight a state value (State tab) to edit", severity="warning", timeout=4)
            return
        thread, checkpoint, ns = self.thread_id, self.checkpoint_id, self.namespace
        as_node = self.row.nodes[0] if self.row is not None and self.row.nodes else None

        def edited(result: tuple[dict[str, Any], str | None] | None) -> None:
            if result is not None:
                update, node = result
                self.act("fork", lambda: self.controller.fork(thread, checkpoint, update, node, ns))

        self.push_screen(EditStateScreen(checkpoint, key, self.state.values[key], as_node), edited)

    # -- actions ----------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key."""
        rows = [
            (b.key_display or b.key, b.description, b.id or "")
            for b in self.BINDINGS
            if isinstance(b, Binding)
        ]
        self.push_screen(HelpScreen(rows))

    def action_search(self) -> None:
        """Search thread ids."""
        self.query_one(ThreadListWidget).start_search()

    def action_cycle_status(self) -> None:
        """Filter threads by status."""
        status = self.query_one(ThreadListWidget).cycle_status(now=self.clock())
        self.notify(f"showing {status or 'all'} threads", timeout=2)

    def action_inbox(self) -> None:
        """Toggle the interrupt inbox."""
        on_ = self.query_one(ThreadListWidget).toggle_inbox(now=self.clock())
        self.query_one("#threads").border_title = "interrupt inbox" if on_ else "threads"

    def action_toggle_follow(self) -> None:
        """Keep the newest checkpoint selected as new ones arrive."""
        self.follow = not self.follow
        if self.follow:
            self.query_one(HistoryTree).newest()
        self._update_status_line()

    def action_show_tab(self, tab: str) -> None:
        """Switch the right-hand pane."""
        self.query_one(TabbedContent).active = tab

    def action_focus_graph(self) -> None:
        """Draw only the node that matters at this checkpoint and its neighbours, or all again."""
        tree = self.query_one(HistoryTree)
        ran = next((r.nodes[0] for r in tree.rows if r.checkpoint_id == self.checkpoint_id and r.nodes), None)
        candidate = self._focus_candidate or ran
        self.graph_focus = None if self.graph_focus or not candidate else candidate
        self.redraw_graph()
        self.action_show_tab("graph")

    def action_copy_value(self) -> None:
        """Copy the highlighted state value (as JSON)."""
        text = self.value if isinstance(self.value, str) else json.dumps(self.value, indent=2, default=repr)
        self.copy_to_clipboard(text)
        self.notify(f"copied the value at {self.value_path or 'state'}", timeout=2)

    def action_copy_path(self) -> None:
        """Copy the highlighted value's path (for ``state --path``)."""
        self.copy_to_clipboard(self.value_path)
        self.notify(f"copied path {self.value_path}", timeout=2)

    def action_toggle_theme(self) -> None:
        """Switch between light and dark."""
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_refresh(self) -> None:
        """Read everything again."""
        self.load_threads()
        if self.thread_id:
            self.load_history(self.thread_id, "first")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette offers every key binding too."""
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in ("quit", "help"):
                yield SystemCommand(binding.description, binding.tooltip or binding.description, self._runner(binding.action))

    def _runner(self, action: str) -> Callable[[], Any]:
        return lambda: self.run_action(action)

    def on_unmount(self) -> None:
        self.workers.cancel_all()
        if self.controller is not None:
            self.controller.pause()
            self.controller.store.close()
        else:
            self.source.close()
