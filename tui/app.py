"""The agent-debug Textual app: threads, history, graph and state of a checkpoint store, live.

This module lays the panes out and routes: keys to actions, messages from the workers and
the widgets to the panes and to the pieces that own each job:

- ``store_loader``: the workers that read the store and poll its change token;
- ``graph_drawing``: what the graph pane is fed, with its highlights;
- ``selection``: which thread, namespace, checkpoint and value are selected, and the
  loads a change starts;
- ``events_feed``: run events into the events pane, paced, with the run's statistics;
- ``key_bindings`` and ``keymap_file``: every key as data, remapped by the user's keymap;
- ``worker_messages``: what the workers post back.

The UI thread only lays out what arrived; a new selection cancels the load it replaces.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Header, Input, TabbedContent, TabPane

from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.model import ActionOutcome, ThreadStatus
from agent_debug.inspector.sources.base import Capability, Source
from agent_debug.tui import gc_policy, layout
from agent_debug.tui.compare import Comparison, ComparisonReady
from agent_debug.tui.events_feed import EVENT_FLUSH_S, EventsFeed
from agent_debug.tui.graph_drawing import GraphDrawing
from agent_debug.tui.interrupt_watch import InterruptWatch, NewInterrupt
from agent_debug.tui.jump import Found, Loaded
from agent_debug.tui.key_bindings import ACTING, APP_BINDINGS, KeysInEffect, binding_ids, keep_out_of_footer
from agent_debug.tui.keymap_file import load_user_keymap
from agent_debug.tui.safe_text import visible
from agent_debug.tui.screens.breakpoint_screen import BreakpointChoice, BreakpointScreen
from agent_debug.tui.screens.breakpoints_list_screen import BreakpointsListScreen
from agent_debug.tui.screens.edit_screen import EditStateScreen
from agent_debug.tui.screens.help_screen import HelpScreen
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from agent_debug.tui.screens.jump_screen import JumpScreen
from agent_debug.tui.screens.replay_screen import ReplayResultScreen, ReplayScreen
from agent_debug.tui.selection import Selection
from agent_debug.tui.store_loader import FIRST_PAINT_WAIT_S, StoreLoader
from agent_debug.tui.widgets.events.events_view import EventsView
from agent_debug.tui.widgets.footer.key_footer import KeyFooter
from agent_debug.tui.widgets.graph.graph_view import GraphView
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.state.diff_view import DiffView
from agent_debug.tui.widgets.state.messages_view import MessagesView
from agent_debug.tui.widgets.state.pending_view import PendingView
from agent_debug.tui.widgets.state.state_tree import StateTree
from agent_debug.tui.widgets.state.value_detail import ValueDetail
from agent_debug.tui.widgets.threads.thread_list import ThreadList as ThreadListWidget
from agent_debug.tui.widgets.timeline.timeline_view import TimelineView
from agent_debug.tui.worker_messages import (
    ActionDone,
    ActionFailed,
    CheckpointLoaded,
    GraphDrawn,
    HistoryLoaded,
    NamespaceChosen,
    StoreChanged,
    StoreProblem,
    ThreadsLoaded,
    ValueRendered,
)

# The screens whose keys a keymap may remap too (their binding ids are known ids).
_SCREENS = (HelpScreen, BreakpointScreen, BreakpointsListScreen, EditStateScreen, InterruptScreen, ReplayScreen, ReplayResultScreen, JumpScreen)


def _kept_in(part: str, name: str, doc: str) -> Any:
    """A read-only attribute of the app that reads ``name`` of the piece ``part`` keeping it."""
    return property(lambda self: getattr(getattr(self, part), name), doc=doc)


def _while_mounted(handler: Callable[..., None]) -> Callable[..., None]:
    """Drop a worker's result (or a timer's tick) that arrives while the app is shutting down (its widgets are gone)."""

    def guarded(self: Any, *message: Any) -> None:
        try:
            handler(self, *message)
        except NoMatches:
            if self.is_running and not self._exit:
                raise

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


def _after_panes(handler: Callable[..., None]) -> Callable[..., None]:
    """Hold a worker's result that fills the tabs mounted after the first listing
    (``_fill_panes``) until they are in. The reads wait for them at most
    ``FIRST_PAINT_WAIT_S``: on a busy machine a history came while they were mounting."""

    def held(self: Any, *message: Any) -> None:
        if self._panes_ready:
            handler(self, *message)
        else:
            self._held_for_panes.append((handler, message))

    held.__name__ = handler.__name__
    held.__doc__ = handler.__doc__
    return held


class AgentDebugApp(App[None]):
    """Browse a checkpoint store: threads, fork-tree history, graph, state, diff, messages."""

    TITLE = "agent-debug"
    CSS_PATH = "app.tcss"
    BINDINGS = APP_BINDINGS
    HORIZONTAL_BREAKPOINTS = layout.SIZE_BREAKPOINTS

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
        ages_every: float = 1.0,
        remember: Any = None,
        first_page: Any = None,
    ) -> None:
        """``controller`` (an ``inspector.session.DebugSession`` that can act) enables the acting verbs;
        ``start`` = (thread id, input, step?) begins a run when the app opens.
        A phase running over ``stuck_after`` seconds (or its node's entry in
        ``stuck_per_node``; None: never) is flagged; ``prices`` (an
        ``events.PriceTable``) adds cost to the phase-timing table. ``stuck_clock``:
        the wall clock (epoch seconds) stuck phases are timed by (tests inject one).
        The ages the lists show are dated again by ``clock`` every ``ages_every`` seconds.
        Keys are remapped from the user's keymap file (see ``keymap_file``).
        ``remember`` (a ``remember.Remembered``) restores the thread and tab of the last
        session on this target and keeps them as they change. ``first_page`` (a
        ``first_page.FirstPage``): the store's first page of threads, already being read."""
        super().__init__()
        # The acting verbs are on when the session can act (its source holds a graph and a writer).
        self.controller = controller if controller is not None and controller.can(Capability.CONTROL) else None
        if self.controller is None:
            keep_out_of_footer(self, ACTING)  # they cannot act here; pressing one says why
        self._start = start
        self.tracebacks: dict[str, str] = {}
        from agent_debug.inspector.events import StuckWatch

        stuck = StuckWatch(stuck_after, stuck_per_node, **({"clock": stuck_clock} if stuck_clock else {}))
        self.feed = EventsFeed(self, stuck=stuck, prices=prices, on_running=self._running_changed)
        if controller is not None:
            # Each event of a run is counted once where it is made, then shown and recorded.
            self.feed.pipeline.add_sink(controller.sink)
            controller.sink = self.feed.pipeline
        self.source = source
        self.compiled_graph = graph
        self.initial_thread = thread_id
        self.poll_interval = poll_interval
        self.clock = clock or (lambda: datetime.now(UTC))
        self.ages_every = ages_every
        self.problem: str | None = None
        self._threads_total = 0
        self.keys = KeysInEffect(self)
        self.loader = StoreLoader(self, source, polling=poll_interval > 0, first_page=first_page)
        self.selection = Selection(self.loader, follow=follow, changed=self._selection_changed)
        self.comparison = Comparison(self, source)  # M marks a checkpoint, D diffs it with the selected one
        self.drawing = GraphDrawing(self, source, graph, breakpoints=self._breakpoints, key=self.keys.display, running=self.feed.running)
        self.new_interrupts = InterruptWatch()
        self.interrupts_told: list[NewInterrupt] = []  # each with a notification, and the bell
        self.remember = remember
        self._remember_timer: Any = None
        self._panes_filled = False
        self._panes_ready = False  # mounted, the results held for them handled (``_after_panes``)
        self._held_for_panes: list[tuple[Callable[..., None], tuple[Any, ...]]] = []
        if remember is not None and thread_id is None and remember.thread:
            self.initial_thread = remember.thread  # a thread that is gone is passed over

    # Read where they are kept: the run events (``feed``), the selection, the graph's focus.
    events = _kept_in("feed", "events", "Run events on their way to the events pane (and the recent ones).")
    run_stats = _kept_in("feed", "run_stats", "Per-phase time, failures and tokens of the runs seen.")
    stuck = _kept_in("feed", "stuck", "The watch on phases running too long.")
    prices = _kept_in("feed", "prices", "Prices per model: the cost column of the phase table.")
    thread_id = _kept_in("selection", "thread_id", "The thread shown.")
    namespace = _kept_in("selection", "namespace", "The checkpoint namespace shown: '' for the root graph, a subgraph's otherwise.")
    checkpoint_id = _kept_in("selection", "checkpoint_id", "The checkpoint selected in the history.")
    row = _kept_in("selection", "row", "The history row of the selected checkpoint.")
    state = _kept_in("selection", "state", "The selected checkpoint, once decoded.")
    value_path = _kept_in("selection", "value_path", "The path of the highlighted state value.")
    value = _kept_in("selection", "value", "The highlighted state value.")
    graph_node = _kept_in("selection", "graph_node", "The node clicked in the graph, while it is the latest thing chosen.")
    follow = _kept_in("selection", "follow", "Whether the newest checkpoint stays selected as new ones arrive.")
    graph_focus = _kept_in("drawing", "focus", "The node the graph is drawn around (None: the whole graph).")

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
            # The other tabs are filled once the thread list is on screen (``_fill_panes``).
            yield TabPane("State", id="state")
            yield TabPane("Diff", id="diff")
            yield TabPane("Messages", id="messages")
            yield TabPane("Errors & interrupts", id="pending")
            with TabPane("Events", id="events"):
                yield EventsView(id="events-view")  # at once: run events may come before the list
            yield TabPane("Timeline", id="timeline")
        yield KeyFooter()

    async def _fill_panes(self) -> None:
        """Mount what the tabs hidden at start show, then let the loads that feed them go on
        (``StoreLoader.first_page_shown``). Composed at start, they were a quarter of the
        screen's widgets, styled again at each of a terminal's first resizes before the
        first frame. (The Events tab is composed at start: a run's events may come first.)"""
        if not self._panes_filled:
            self._panes_filled = True
            tabs = self.query_one("#right", TabbedContent)
            content = {
                "state": Vertical(StateTree(id="state-tree"), ValueDetail(id="value-detail"), id="state-split"),
                "diff": DiffView(id="diff-view"),
                "messages": MessagesView(id="messages-view"),
                "pending": PendingView(id="pending-view"),
                "timeline": TimelineView(id="timeline-view"),
            }
            await asyncio.gather(*(tabs.get_pane(tab).mount(widget) for tab, widget in content.items()))
            self._panes_ready = True
            held, self._held_for_panes = self._held_for_panes, []
            for handler, message in held:
                handler(self, *message)
        if self._panes_ready:
            self.loader.first_page_shown()

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
        self._apply_user_keymap()
        recorded = getattr(self.source, "events", None)
        if callable(recorded):
            # A recording: its events fill the events pane for the post-mortem.
            for event in recorded():
                self.feed.pipeline(event)
        self.query_one("#thread-table").focus()
        self.call_after_refresh(gc_policy.settle)
        self.loader.threads()
        self.set_timer(FIRST_PAINT_WAIT_S, self._fill_panes)  # a first listing that never comes holds nothing back
        if self.compiled_graph is not None:
            self.drawing.prepare(then=self.redraw_graph)
        if self.poll_interval > 0:
            self.set_interval(self.poll_interval, self.check_changes, name="poll")
        self.set_interval(EVENT_FLUSH_S, self.feed.flush, name="events")
        self.set_interval(self.ages_every, self.refresh_ages, name="ages")
        self._restore_remembered_tab()
        self._update_status_line()
        if self._start is not None and self.controller is not None:
            thread_id, payload, step = self._start
            self.initial_thread = thread_id
            self.selection.start_run(thread_id)  # shown at once, before the store holds it
            self.act("run" if not step else "first step", lambda: self.controller.start(thread_id, payload, step=step))

    def _update_status_line(self) -> None:
        """Target, thread count, follow mode and any store problem, in the header."""
        parts = [self.source.target, f"{self._threads_total} threads", "follow on" if self.follow else "follow off"]
        if self.namespace:
            from agent_debug.graphviz_export.model import namespace_path

            parts.append(f"subgraph {' › '.join(namespace_path(self.namespace))}")
        if self.controller is not None:
            parts.append("running…" if self.controller.running else "control on")
            points = [p.describe() for p in self.controller.breakpoint_list() if p.enabled]
            if points:
                parts.append("break " + ", ".join(points))
            if self.controller.break_on_error:
                parts.append("break on error")
        parts.extend(self._remembered_parts())
        if self.problem:
            parts.append(f"⚠ {self.problem}")
        self.sub_title = visible(" · ".join(parts))  # the problem may quote the store

    # -- keys -------------------------------------------------------------------------

    def _apply_user_keymap(self) -> None:
        """Remap keys from the user's keymap file; a file that cannot be used, or a remap
        that leaves a binding without a key, says so in one line."""
        known = binding_ids(self.BINDINGS, ThreadListWidget.BINDINGS, *(screen.BINDINGS for screen in _SCREENS))
        keymap = load_user_keymap(known)
        if keymap.keys:
            self.update_keymap(keymap.keys)
        if keymap.problem:
            self.notify(keymap.problem, title="keymap", severity="error", timeout=12)
        elif keymap.keys and (lost := self.keys.keyless()):
            self.notify(f"keymap {keymap.path}: {lost}; give it a key of its own there", title="keymap", severity="warning", timeout=12)

    # -- workers whose results the app routes ---------------------------------------

    @_while_mounted
    def refresh_ages(self) -> None:
        """Date the ages the thread list and the history show by the clock (only labels change)."""
        now = self.clock()
        self.query_one(ThreadListWidget).refresh_ages(now)
        self.query_one(HistoryTree).refresh_ages(now)

    def check_changes(self) -> None:
        """Poll the store's change token (a worker): news when another process wrote."""
        self.loader.poll(problem=self.problem is not None)

    def redraw_graph(self) -> None:
        """Draw the graph again for what is selected now (UI thread)."""
        if self.thread_id:
            self.drawing.draw(self.thread_id, self.checkpoint_id, namespace=self.namespace)

    def _running_changed(self, thread_id: str) -> None:
        """A phase of ``thread_id`` started or ended: the graph shown marks what runs now
        (drawn from the checkpoint already decoded)."""
        if thread_id == self.thread_id and self.checkpoint_id is not None:
            self.drawing.draw(thread_id, self.checkpoint_id, self.state, namespace=self.namespace)

    def _breakpoints(self) -> tuple[Collection[str], Collection[str]]:
        """The breakpoints set, before and after nodes (read by the graph worker)."""
        if self.controller is None:
            return (), ()
        return self.controller.break_before, self.controller.break_after

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

    @work(thread=True, group="control-check", exclusive=True, exit_on_error=False, description="check")
    def _when_thread_fits(self, thread_id: str, open_dialog: Callable[[], None]) -> None:
        """Open a verb's dialog only once the session's checks pass for the thread (a graph
        that fits it, a readable head): a refusal comes before anything is typed."""
        try:
            self.controller.refresh()
            self.controller.check_graph(thread_id)
        except InspectorError as exc:
            self.post_message(ActionFailed(exc.message))
            return
        self.call_from_thread(open_dialog)

    # -- messages from workers --------------------------------------------------------

    @on(ThreadsLoaded)
    @_while_mounted
    def _threads_loaded(self, message: ThreadsLoaded) -> None:
        self._clear_problem()
        self._threads_total = message.doc.total
        widget = self.query_one(ThreadListWidget)
        if self.initial_thread and self.thread_id in (None, self.selection.starting):
            widget.selected = self.initial_thread
        listed = {t.thread_id for t in message.doc.threads}
        gone = self.thread_id is not None and not message.partial and self.thread_id not in listed
        # A thread asked for that is beyond the first page is chosen when the whole list is
        # in: until then the cursor on the first page chooses nothing.
        later = message.partial and self.thread_id is None and self.initial_thread not in (None, *listed)
        widget.hold_selection = later
        widget.show(message.doc.threads, message.doc.total, now=self.clock())
        if (self.thread_id is None and not later) or gone:
            # A thread that is no longer there (the store was replaced, the thread
            # deleted) gives way to the one under the cursor.
            chosen = widget.thread_at_cursor()
            if chosen:
                self.selection.choose_thread(chosen)
        self._update_status_line()
        self._tell_new_interrupts(self.new_interrupts.listing(message.doc.threads, partial=message.partial))
        # Once this is on screen the loads it starts run: the first thread's history (then
        # its state, graph and timeline) and, for a first page, the whole list.
        self.call_after_refresh(self._fill_panes)

    @on(HistoryLoaded)
    @_while_mounted
    @_after_panes
    def _history_loaded(self, message: HistoryLoaded) -> None:
        if not self.selection.shows(message.page.thread_id, message.page.namespace):
            return
        if message.mode == "first":
            self._follow_run(message.page.thread_id)  # on a server: join the run it is running
        tree = self.query_one(HistoryTree)
        tree.border_title = f"history of {message.page.thread_id}"
        switch = f"{self.keys.display('namespace.previous')} {self.keys.display('namespace.next')}"
        inside = f" · subgraph {message.page.namespace} ({switch} to switch)" if message.page.namespace else ""
        self.query_one("#history-box").border_title = f"history · {'?' if message.page.total is None else message.page.total} checkpoints{inside}"
        if message.mode == "newer":
            tree.merge_newer(message.page, follow=self.follow, now=self.clock())
        else:
            tree.show_page(message.page, older=message.mode == "older", now=self.clock(), keep=self.checkpoint_id if message.mode == "older" else None)
        self._timeline_history_shown(message.page.thread_id, message.mode)

    @on(CheckpointLoaded)
    @_while_mounted
    @_after_panes
    def _checkpoint_loaded(self, message: CheckpointLoaded) -> None:
        state = message.state
        if not self.selection.checkpoint_arrived(state):
            return
        self.drawing.checkpoint_shown(state)
        self.query_one(StateTree).show_values(state.values)
        self.query_one(DiffView).show(message.diff)
        self.comparison.checkpoint_shown(self.row, state)  # comparing: the mark against this one
        self.query_one(MessagesView).show(state.messages)
        traceback = self.tracebacks.get(state.thread_id) if state.errors else None
        self.query_one(PendingView).show(state, traceback)
        # In a subgraph's namespace the Graph tab shows that subgraph.
        self.drawing.draw(state.thread_id, state.checkpoint_id, state, namespace=state.namespace)

    @on(GraphDrawn)
    @_while_mounted
    def _graph_drawn(self, message: GraphDrawn) -> None:
        if not self.selection.shows(message.thread_id, message.chosen):
            return  # drawn for a selection that has changed since
        self.query_one(GraphView).show(message.drawing, message.caption, title=message.title)

    @on(ValueRendered)
    @_while_mounted
    @_after_panes
    def _value_rendered(self, message: ValueRendered) -> None:
        if message.path == self.value_path:
            self.query_one(ValueDetail).show(message.path, message.text, message.is_json, message.blocks)

    @on(StoreChanged)
    def _store_changed(self, _: StoreChanged) -> None:
        self.selection.reload("newer")
        self._follow_run(self.thread_id)  # a run may have started on the thread shown

    def _follow_run(self, thread_id: str | None) -> None:
        """Join the run ``thread_id`` runs on a server (``EventsFeed.follow``). Only a source
        with an HTTP client (``server_events.joinable``) has runs to join: any other skips
        importing the server's stream code, ~60 ms on the UI thread as the first history shows."""
        if getattr(self.source, "client", None) is not None:
            self.feed.follow(self.source, thread_id)

    @on(StoreProblem)
    def _store_problem(self, message: StoreProblem) -> None:
        if message.text != self.problem:
            self.notify(message.text, title="store", severity="error", timeout=6)
        self.problem = message.text
        self._update_status_line()
        self.call_after_refresh(self._fill_panes)  # no list to paint first: the rest goes on

    def _clear_problem(self) -> None:
        if self.problem is not None:
            self.problem = None
            self.notify("store readable again", title="store", timeout=3)

    @on(NamespaceChosen)
    @_while_mounted
    def _namespace_chosen(self, message: NamespaceChosen) -> None:
        if not self.selection.shows(message.thread_id):
            return
        if message.count <= 1:
            self.notify("this thread has no subgraph checkpoints", timeout=3)
            return
        self.selection.choose_namespace(message.chosen)

    @on(ActionDone)
    @_while_mounted
    def _action_done(self, message: ActionDone) -> None:
        o = message.outcome
        text = f"{message.label}: {len(o.new_checkpoints)} new checkpoint(s); thread {o.thread_id} is {o.status.value}"
        if o.next and o.status is not ThreadStatus.DONE:
            text += f", next {', '.join(o.next)}"
        if o.action == "resume" and o.sent is not None:
            text += f"\nsent {json.dumps(o.sent, default=repr)[:300]}"
        if o.stop_reason:
            text += f"\nstopped: {o.stop_reason}" if o.stopped_by == "error" else f"\nstopped at the breakpoint {o.stop_reason}"
        if o.stopped_by == "error":
            self.show_errors()
        if o.error is not None:
            if o.traceback:
                self.tracebacks[o.thread_id] = o.traceback
            self.notify(f"{o.error.node or '?'} failed: {o.error.type}: {o.error.message}", title="workflow error", severity="error", timeout=10)
        self.notify(text, title=message.label, timeout=6)
        self.query_one(ThreadListWidget).selected = o.thread_id
        self.selection.follow_outcome(o.thread_id, o.namespace)
        if o.action == "replay":
            self.push_screen(ReplayResultScreen(o))
        elif o.status is ThreadStatus.INTERRUPTED and o.interrupts:
            news = self.new_interrupts.outcome(o.thread_id, o.interrupts)
            # The dialog that opens says it: no toast over the panes, only the bell.
            self._tell_new_interrupts([news] if news else [], toast=False)
            self._open_interrupts(o.thread_id, o.interrupts)

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        self.notify(message.text, title="not done", severity="warning", timeout=8)
        self.selection.run_ended()
        self._update_status_line()

    @on(EventsView.FilterChanged)
    def _events_filter(self, _: EventsView.FilterChanged) -> None:
        self.feed.refilter()

    # -- messages from widgets ----------------------------------------------------------

    @on(ThreadListWidget.Chosen)
    def _thread_chosen(self, message: ThreadListWidget.Chosen) -> None:
        if message.thread_id != self.thread_id:
            self.selection.choose_thread(message.thread_id)
            if self.selection.thread_id != message.thread_id:
                # Refused: the thread a run is starting on stays selected. The list, which
                # may not hold it yet, put its cursor on another row: it goes back to the
                # run's thread once it lists it.
                self.query_one(ThreadListWidget).selected = self.selection.thread_id

    @on(HistoryTree.Chosen)
    @_while_mounted
    def _checkpoint_chosen(self, message: HistoryTree.Chosen) -> None:
        if not self.selection.shows(message.thread_id, message.namespace):
            return  # a row of the history shown before (the list moved on): the new one is on the way
        self.comparison.thread_shown(message.thread_id)  # a mark on another thread is dropped
        tree = self.query_one(HistoryTree)
        head = tree.rows[0].checkpoint_id if tree.rows else None
        self.selection.choose_checkpoint(message.checkpoint, head)

    @on(HistoryTree.OlderWanted)
    def _older_wanted(self, message: HistoryTree.OlderWanted) -> None:
        if self.thread_id:
            self.loader.history(self.thread_id, self.namespace, "older", message.before)

    @on(StateTree.ValueChosen)
    @_while_mounted  # a highlight posted as the app closes: the detail pane is gone
    def _value_chosen(self, message: StateTree.ValueChosen) -> None:
        self.selection.choose_value(message.path, message.value)

    @on(GraphView.NodeSelected)
    def _graph_node_selected(self, message: GraphView.NodeSelected) -> None:
        node = self.selection.choose_graph_node(message.node)
        if self.controller is not None:
            hint = f"{self.keys.display('control.replay')} replays its newest phase, {self.keys.display('control.break')} sets a breakpoint"
        else:
            hint = f"{self.keys.display('graph.focus')} focuses on it"
        self.notify(f"{node} selected: {hint}", timeout=3)

    # -- control actions ------------------------------------------------------------------

    @property
    def read_only_reason(self) -> str | None:
        """Why this session cannot act, and what to do instead, in one line (None: it can act).
        The acting keys stay bound in a read-only session: pressing one shows this."""
        if self.controller is not None:
            return None
        if callable(getattr(self.source, "events", None)):
            return "read-only: a recording is a post-mortem; attach the store it ran on with --graph GRAPH_REF to act"
        return "read-only: open with --graph GRAPH_REF (or use agent-debug run) to act"

    def _can_act(self) -> bool:
        """Whether an acting verb can run now; if not, one line says why."""
        reason = self.read_only_reason
        if reason is not None:
            self.notify(reason, severity="warning", timeout=5)
            return False
        if self.controller.running:
            self.notify(f"an action is running; {self.keys.display('control.pause')} pauses it", severity="warning", timeout=3)
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
        if self.controller is None:
            self._can_act()
        elif not self.controller.running:
            self.notify("nothing is running to pause", severity="warning", timeout=3)
        else:
            self.controller.pause()
            self.notify("pausing at the next step boundary", timeout=3)

    def action_cancel_runs(self) -> None:
        """Cancel the selected thread's runs on a LangGraph server (ours or anyone's)."""
        if self.controller is None or self.thread_id is None:
            self._can_act()
            return
        if self.controller.remote is None:
            self.notify(f"cancel stops a LangGraph server's runs; {self.keys.display('control.pause')} pauses a run here", severity="warning", timeout=5)
            return
        self._cancel_runs(self.thread_id)

    @work(thread=True, group="cancel", exit_on_error=False, description="cancel")
    def _cancel_runs(self, thread_id: str) -> None:
        try:
            cancelled = self.controller.cancel(thread_id)
        except InspectorError as exc:
            self.post_message(ActionFailed(exc.message))
            return
        text = f"cancelled run {', '.join(cancelled)} of {thread_id}" if cancelled else f"no run of {thread_id} is going on the server"
        self.call_from_thread(self.notify, text, timeout=5)

    def _toggle_breakpoint(self, after: bool) -> None:
        if self.controller is None:
            self._can_act()
            return
        suggested = self.selection.selected_phase()
        current = self.controller.break_after if after else self.controller.break_before
        conditions = {p.node: p.condition.text for p in self.controller.breakpoint_list() if p.after == after and p.condition}
        screen = BreakpointScreen(
            sorted(self.controller.nodes), after=after, suggested=None if suggested == "__start__" else suggested, current=set(current),
            keys=self.controller.condition_keys(), conditions=conditions,
        )

        def chosen(choice: BreakpointChoice | None) -> None:
            if choice is not None:
                self.set_breakpoint(choice.node, after, choice.condition)

        self.push_screen(screen, chosen)

    def set_breakpoint(self, node: str, after: bool, condition: str | None = None) -> None:
        """Toggle a breakpoint before (or after) ``node`` (``subgraph:node`` inside a
        subgraph); with a ``condition`` on the state, set it (or replace its condition)."""
        if self.controller is None:
            return
        try:
            on_ = self.controller.toggle_breakpoint(node, after=after, condition=condition)
        except InspectorError as exc:
            self.notify(exc.message, severity="warning", timeout=6)
            return
        where = "after" if after else "before"
        said = f" if {condition}" if on_ and condition else ""
        self.notify(f"breakpoint {where} {node}{said} {'set' if on_ else 'cleared'}", timeout=3)
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
        self._when_thread_fits(summary.thread_id, lambda: self._open_interrupts(summary.thread_id, summary.interrupts))

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

        self._when_thread_fits(thread, lambda: self.push_screen(ReplayScreen(phase, start), confirmed))

    def action_edit(self) -> None:
        """Edit the highlighted state value at this checkpoint and fork."""
        if not self._can_act():
            return
        key = (self.value_path or "").split(".")[0]
        if not key or self.checkpoint_id is None or self.state is None or key not in self.state.values:
            self.notify("highlight a state value (State tab) to edit", severity="warning", timeout=4)
            return
        thread, checkpoint, ns = self.thread_id, self.checkpoint_id, self.namespace
        as_node = self.row.nodes[0] if self.row is not None and self.row.nodes else None

        def edited(result: tuple[dict[str, Any], str | None] | None) -> None:
            if result is not None:
                update, node = result
                self.act("fork", lambda: self.controller.fork(thread, checkpoint, update, node, ns))

        value = self.state.values[key]
        self._when_thread_fits(thread, lambda: self.push_screen(EditStateScreen(checkpoint, key, value, as_node), edited))

    # -- breakpoints --

    def action_breakpoints(self) -> None:
        """List every breakpoint (condition, hits); turn them off, delete them, break on error."""
        if self.controller is None:
            self._can_act()
            return

        def closed(changed: bool | None) -> None:
            if changed:
                self._update_status_line()
                self.redraw_graph()

        self.push_screen(BreakpointsListScreen(self.controller), closed)

    def action_break_on_error(self) -> None:
        """Switch break on error: a run pauses at the step after any error (a retried attempt too)."""
        if self.controller is None:
            self._can_act()
            return
        on_ = not self.controller.break_on_error
        self.controller.set_break_on_error(on_)
        self.notify("break on error on: a run pauses at the step after any error" if on_ else "break on error off", timeout=3)
        self._update_status_line()

    def show_errors(self) -> None:
        """The Events pane with its errors tab: where a run stopped by an error says why."""
        from textual.widgets import Tabs

        self.action_show_tab("events")
        self.query_one("#events-kind", Tabs).active = "events-errors"

    # -- interrupt notification --

    def _tell_new_interrupts(self, news: list[NewInterrupt], *, toast: bool = True) -> None:
        """A toast for each thread that reached a new interrupt (the first three), and the bell."""
        if not news:
            return
        self.interrupts_told.extend(news)
        self.bell()
        if not toast:
            return
        key = self.keys.display("control.answer")
        how = f"select it and press {key} to answer" if self.controller is not None else f"{key} answers it (open with --graph GRAPH_REF)"
        for item in news[:3]:
            more = f" (+{item.count - 1} more)" if item.count > 1 else ""
            self.notify(f"thread {item.thread_id} waits at an interrupt{more}: {item.question}\n{how}", title="interrupt", severity="warning", timeout=12)
        if len(news) > 3:
            self.notify(f"{len(news) - 3} more threads wait at a new interrupt; {self.keys.display('inbox')} shows the inbox", title="interrupt", timeout=12)

    # -- remember last target --

    REMEMBER_AFTER_S = 1.0
    """How long the selection stays put before it is written down (a burst of moves writes once)."""

    def _selection_changed(self) -> None:
        self._update_status_line()
        self._remember_selection()

    @on(TabbedContent.TabActivated, "#right")
    def _tab_remembered(self, _: TabbedContent.TabActivated) -> None:
        self._remember_selection()

    def _remember_selection(self) -> None:
        """Note the thread and tab shown; written once they stay put (off the UI thread)."""
        if self.remember is None:
            return
        try:
            tab = self.query_one("#right", TabbedContent).active or None
        except NoMatches:
            return  # shutting down
        if self.remember.note(self.thread_id, tab):
            if self._remember_timer is not None:
                self._remember_timer.stop()
            self._remember_timer = self.set_timer(self.REMEMBER_AFTER_S, self._save_remembered, name="remember")

    def _save_remembered(self) -> None:
        self.run_worker(self._write_remembered, name="remember", group="remember", description="remember", thread=True, exit_on_error=False)

    def _write_remembered(self) -> None:
        problem = self.remember.save()
        if problem:
            self.call_from_thread(self._update_status_line)

    def _restore_remembered_tab(self) -> None:
        """Show the tab of the last session on this target (one that no longer exists is passed over)."""
        if self.remember is None or not self.remember.tab:
            return
        tabs = self.query_one("#right", TabbedContent)
        if any(pane.id == self.remember.tab for pane in tabs.query(TabPane)):
            tabs.active = self.remember.tab

    def _remembered_parts(self) -> list[str]:
        """What the status line says of the memory: a reopened last target, a file problem."""
        if self.remember is None:
            return []
        parts = ["the last target (attach TARGET opens another)"] if self.remember.reopened else []
        if self.remember.problem:
            parts.append(f"⚠ {self.remember.problem}")
        return parts

    # -- timeline --

    _timeline_target: tuple[str, str] | None = None  # (namespace, checkpoint) a chosen phase selects

    def _timeline_history_shown(self, thread_id: str, mode: str) -> None:
        """A page of history is shown: the timeline follows the thread (rebuilt in its worker,
        except for an older page), and a phase chosen in it gets its checkpoint selected."""
        if mode != "older":
            self.query_one(TimelineView).load(self.source, thread_id, self.clock())
        self._timeline_reach()

    def _timeline_reach(self) -> None:
        """Select the checkpoint of the phase chosen in the timeline once its namespace's
        history is shown, loading older pages until it is in."""
        if self._timeline_target is None or self._timeline_target[0] != self.namespace:
            return
        checkpoint_id = self._timeline_target[1]
        tree = self.query_one(HistoryTree)
        if tree.select_checkpoint(checkpoint_id):
            self._timeline_target = None
        elif tree.next_before and self.thread_id and tree.rows and checkpoint_id < tree.rows[-1].checkpoint_id:
            self.loader.history(self.thread_id, self.namespace, "older", tree.next_before)
        else:
            self._timeline_target = None
            self.notify("that phase's checkpoint is not in the history any more", severity="warning", timeout=4)

    @on(TimelineView.PhaseChosen)
    @_while_mounted
    def _timeline_phase_chosen(self, message: TimelineView.PhaseChosen) -> None:
        if message.thread_id != self.thread_id:
            return
        self._timeline_target = (message.phase.namespace, message.phase.checkpoint_id)
        if message.phase.namespace != self.namespace:
            self.selection.choose_namespace(message.phase.namespace)  # its history, then the checkpoint
        else:
            self._timeline_reach()

    @on(TimelineView.Built)
    @_while_mounted
    def _timeline_built(self, message: TimelineView.Built) -> None:
        tree = self.query_one(HistoryTree)
        tree.show_waits(message.timeline.thread_id, tree.namespace, message.timeline.waited_checkpoints(tree.namespace))

    # -- compare and jump --

    def action_mark_checkpoint(self) -> None:
        """Mark the selected checkpoint to compare others with it (on the marked one: clear the mark)."""
        self.comparison.toggle_mark(self.row, self.thread_id, self.namespace)

    def action_compare(self) -> None:
        """Diff the marked checkpoint against the selected one; comparing, back to each against its parent."""
        self.comparison.toggle(self.row, self.state, self.namespace)

    @on(ComparisonReady)
    @_while_mounted
    def _comparison_ready(self, message: ComparisonReady) -> None:
        self.comparison.arrived(message)

    def action_jump(self) -> None:
        """Go to a checkpoint by its step number or (part of) its id; older pages are read as needed."""
        tree = self.query_one(HistoryTree)
        if self.thread_id is None or tree.thread_id != self.thread_id or not tree.rows:
            self.notify("select a thread (and let its history load) first", severity="warning", timeout=3)
            return
        loaded = Loaded(self.thread_id, self.namespace, list(tree.rows), tree.next_before, self.checkpoint_id)
        self.push_screen(JumpScreen(self.source, loaded), lambda found: self._jumped(loaded, found))

    def _jumped(self, loaded: Loaded, found: Found | None) -> None:
        if found is None:
            return
        if not self.selection.shows(loaded.thread_id, loaded.namespace):
            self.notify("another history is shown now: the jump was dropped", severity="warning", timeout=3)
            return
        tree = self.query_one(HistoryTree)
        if tree.go_to(found.checkpoint_id, found.older, found.next_before):
            tree.focus()
        if found.note:
            self.notify(found.note, timeout=8)

    # -- actions ----------------------------------------------------------------------

    def action_namespace(self, step: int) -> None:
        """Show the next (or previous) checkpoint namespace of the thread: root, then each subgraph."""
        if self.thread_id is not None:
            self.loader.namespace_step(self.thread_id, self.namespace, step)

    def action_help(self) -> None:
        """Show every key, as the user's keymap has it."""
        unavailable = ACTING if self.read_only_reason else ()
        self.push_screen(HelpScreen(self.keys.help_rows(unavailable), unavailable=self.read_only_reason))

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
        if self.selection.toggle_follow():
            self.query_one(HistoryTree).newest()

    def action_show_tab(self, tab: str) -> None:
        """Switch the right-hand pane. Focus inside the pane it hides moves to the pane it
        shows: left there, Textual would hand it to a hidden sibling, whose pane would then
        take the screen back (the key would seem dead)."""
        tabs = self.query_one(TabbedContent)
        hidden = tabs.active_pane
        inside = hidden is not None and self.focused is not None and hidden in self.focused.ancestors
        tabs.active = tab
        if inside:
            self.set_focus(next((w for w in tabs.get_pane(tab).query("*") if w.focusable and not isinstance(w, Input)), None))

    def action_wrap_events(self) -> None:
        """Wrap the event lines (each message whole) or cut them at the pane's edge; shows the events."""
        self.query_one(EventsView).toggle_wrap()
        self.action_show_tab("events")

    def action_focus_graph(self) -> None:
        """Draw only the node that matters at this checkpoint and its neighbours, or all again."""
        tree = self.query_one(HistoryTree)
        ran = next((r.nodes[0] for r in tree.rows if r.checkpoint_id == self.checkpoint_id and r.nodes), None)
        self.drawing.toggle_focus(ran)
        self.redraw_graph()
        self.action_show_tab("graph")

    def action_copy_value(self) -> None:
        """Copy what the focused pane selects: the thread id (thread list), the full
        checkpoint id (history; the panes show 12 characters of it), else the highlighted
        state value (as JSON)."""
        focused = self.focused
        ancestors = focused.ancestors_with_self if focused is not None else []
        if any(isinstance(node, ThreadListWidget) for node in ancestors):
            self._copy(self.thread_id, "thread id", "no thread selected")
        elif any(isinstance(node, HistoryTree) for node in ancestors):
            self._copy(self.checkpoint_id, "checkpoint id", "no checkpoint selected")
        elif self.state is None:
            self.notify("no state shown yet: select a checkpoint", severity="warning", timeout=3)
        else:
            text = self.value if isinstance(self.value, str) else json.dumps(self.value, indent=2, default=repr)
            self.copy_to_clipboard(text)
            self.notify(f"copied the value at {self.value_path or 'state'}", timeout=2)

    def _copy(self, text: str | None, what: str, missing: str) -> None:
        """Copy an id, naming it in the notification; ``missing`` says why when there is none."""
        if text is None:
            self.notify(missing, severity="warning", timeout=3)
            return
        self.copy_to_clipboard(text)
        self.notify(f"copied {what} {text}", timeout=3)

    def action_copy_path(self) -> None:
        """Copy the highlighted value's path (for ``state --path``)."""
        self.copy_to_clipboard(self.value_path)
        self.notify(f"copied path {self.value_path}", timeout=2)

    def action_zoom(self) -> None:
        """Give the focused pane the whole screen, or share it again."""
        was_zoomed = layout.zoomed(self.screen) is not None
        if layout.toggle_zoom(self.screen, self.focused) is None and not was_zoomed:
            self.notify("focus a pane to zoom it", timeout=2)

    def action_toggle_theme(self) -> None:
        """Switch between light and dark."""
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_refresh(self) -> None:
        """Read everything again."""
        self.selection.reload("first")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette offers every key binding too, naming the key in effect."""
        yield from super().get_system_commands(screen)
        reason = self.read_only_reason
        yield from self.keys.palette_commands(self._runner, ACTING if reason else (), reason or "")

    def _runner(self, action: str) -> Callable[[], Any]:
        return lambda: self.run_action(action)

    def on_unmount(self) -> None:
        if self.remember is not None:
            self.remember.note(self.thread_id, None)
            self.remember.save()  # at exit: a small file, written before the store closes
        self.workers.cancel_all()
        self.loader.first_page_shown()  # a listing that waits for the first frame ends (cancelled: it reads nothing)
        self.feed.close()  # before the source closes: a followed run's stream reads through it
        if self.controller is not None:
            self.controller.pause()
            self.controller.close()  # the store (reader and writer), or a server's connections
        else:
            self.source.close()
