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
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from agent_debug.inspector.diff import diff_checkpoint
from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.model import CheckpointState, HistoryPage, StateDiff, ThreadList, ThreadSummary
from agent_debug.inspector.sources.base import Source
from agent_debug.tui.screens.help_screen import HelpScreen
from agent_debug.tui.widgets.graph.graph_view import GraphView
from agent_debug.tui.widgets.history.history_tree import HistoryTree
from agent_debug.tui.widgets.state.diff_view import DiffView
from agent_debug.tui.widgets.state.messages_view import MessagesView
from agent_debug.tui.widgets.state.pending_view import PendingView
from agent_debug.tui.widgets.state.state_tree import StateTree
from agent_debug.tui.widgets.state.value_detail import ValueDetail, value_text
from agent_debug.tui.widgets.threads.thread_list import ThreadList as ThreadListWidget

HISTORY_PAGE = 50
TABS = ("graph", "state", "diff", "messages", "pending")


# -- messages from the workers ------------------------------------------------------


class ThreadsLoaded(Message):
    """A fresh thread list."""

    def __init__(self, doc: ThreadList) -> None:
        super().__init__()
        self.doc = doc


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
    """A computed graph layout."""

    def __init__(self, drawing: Any, caption: str) -> None:
        super().__init__()
        self.drawing = drawing
        self.caption = caption


class ValueRendered(Message):
    """A state value turned into text for the detail pane."""

    def __init__(self, path: str, text: str, is_json: bool) -> None:
        super().__init__()
        self.path = path
        self.text = text
        self.is_json = is_json


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
    ) -> None:
        super().__init__()
        self.source = source
        self.compiled_graph = graph
        self.initial_thread = thread_id
        self.poll_interval = poll_interval
        self.clock = clock or (lambda: datetime.now(UTC))
        self.follow = follow
        self.thread_id: str | None = None
        self.checkpoint_id: str | None = None
        self.value_path = ""
        self.value: Any = None
        self.problem: str | None = None
        self._token: Any = None
        self._graph_model: Any = None
        self._threads_total = 0
        self.graph_focus: str | None = None
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
        yield Footer()

    def on_mount(self) -> None:
        keymap = load_keymap()
        if keymap:
            self.set_keymap(keymap)
        self.query_one("#thread-table").focus()
        self.load_threads()
        if self.compiled_graph is not None:
            self.prepare_graph()
        if self.poll_interval > 0:
            self.set_interval(self.poll_interval, self.check_changes, name="poll")
        self._update_status_line()

    def _update_status_line(self) -> None:
        """Target, thread count, follow mode and any store problem, in the header."""
        parts = [self.source.target, f"{self._threads_total} threads", "follow on" if self.follow else "follow off"]
        if self.problem:
            parts.append(f"⚠ {self.problem}")
        self.sub_title = " · ".join(parts)

    # -- workers (off the UI thread) --------------------------------------------------

    def _guard(self, work_fn: Callable[[], Message | None]) -> None:
        try:
            message = work_fn()
        except InspectorError as exc:
            self.post_message(StoreProblem(exc.message))
            return
        if message is not None:
            self.post_message(message)

    @work(thread=True, exclusive=True, group="threads", exit_on_error=False)
    def load_threads(self) -> None:
        """Read every thread with its status."""
        self._guard(lambda: ThreadsLoaded(self.source.threads()))

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(self, thread_id: str, mode: str = "first", before: str | None = None) -> None:
        """Read a page of history."""
        self._guard(lambda: HistoryLoaded(self.source.history(thread_id, limit=HISTORY_PAGE, before=before), mode))

    @work(thread=True, exclusive=True, group="checkpoint", exit_on_error=False)
    def load_checkpoint(self, thread_id: str, checkpoint_id: str) -> None:
        """Decode one checkpoint and diff it with its parent."""

        def read() -> Message:
            state = self.source.state(thread_id, checkpoint_id=checkpoint_id)
            return CheckpointLoaded(state, diff_checkpoint(self.source, thread_id, checkpoint_id))

        self._guard(read)

    @work(thread=True, exclusive=True, group="graph", exit_on_error=False)
    def draw_graph(self, thread_id: str, checkpoint_id: str | None) -> None:
        """Lay out the graph with each node's status at the checkpoint."""

        def draw() -> Message:
            from agent_debug.graphviz_export.model import apply_status
            from agent_debug.graphviz_export.terminal import layout
            from agent_debug.inspector.run_status import node_status

            if self._graph_model is not None:
                model, caption = self._graph_model, "graph from --graph"
            else:
                from agent_debug.graphviz_export.observed import observed_model
                from agent_debug.inspector.reconstruct import observed_graph

                seen = observed_graph(self.source, thread_id)
                model = observed_model(seen.nodes, seen.edges)
                caption = "reconstructed from this thread's checkpoints (pass --graph for the real graph)"
            status = node_status(self.source, thread_id, checkpoint_id)
            focus = self.graph_focus if self.graph_focus in model else None
            if focus:
                caption += f" · focus on {focus} (z for all)"
            drawing = layout(apply_status(model, status), focus=focus, hops=1)
            drawing.spans  # styled here, off the UI thread (spans are computed lazily)
            return GraphDrawn(drawing, caption)

        self._guard(draw)

    @work(thread=True, exclusive=True, group="prepare-graph", exit_on_error=False)
    def prepare_graph(self) -> None:
        """Build the model of the user's graph once."""
        from agent_debug.graphviz_export.model import graph_model

        self._graph_model = graph_model(self.compiled_graph)
        if self.thread_id:
            self.call_from_thread(self.draw_graph, self.thread_id, self.checkpoint_id)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def render_value(self, path: str, value: Any) -> None:
        """Turn a (possibly huge) value into text for the detail pane."""
        self.post_message(ValueRendered(path, value_text(value), not isinstance(value, str)))

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def check_changes(self) -> None:
        """Poll the store's change token; cheap (an index lookup), never a re-read."""
        try:
            token = self.source.change_token()
        except InspectorError as exc:
            self.post_message(StoreProblem(exc.message))
            return
        if self.problem is not None or (self._token is not None and token != self._token):
            self.post_message(StoreChanged())
        self._token = token

    # -- messages from workers --------------------------------------------------------

    @on(ThreadsLoaded)
    def _threads_loaded(self, message: ThreadsLoaded) -> None:
        self._clear_problem()
        self._threads_total = message.doc.total
        widget = self.query_one(ThreadListWidget)
        if self.thread_id is None and self.initial_thread:
            widget.selected = self.initial_thread
        widget.show(message.doc.threads, message.doc.total, now=self.clock())
        if self.thread_id is None:
            chosen = widget.thread_at_cursor()
            if chosen:
                self._choose_thread(chosen)
        self._update_status_line()

    @on(HistoryLoaded)
    def _history_loaded(self, message: HistoryLoaded) -> None:
        if message.page.thread_id != self.thread_id:
            return
        tree = self.query_one(HistoryTree)
        tree.border_title = f"history of {message.page.thread_id}"
        self.query_one("#history-box").border_title = f"history · {message.page.total} checkpoints"
        if message.mode == "newer":
            tree.merge_newer(message.page, follow=self.follow, now=self.clock())
        else:
            tree.show_page(message.page, older=message.mode == "older", now=self.clock(), keep=self.checkpoint_id if message.mode == "older" else None)

    @on(CheckpointLoaded)
    def _checkpoint_loaded(self, message: CheckpointLoaded) -> None:
        if message.state.checkpoint_id != self.checkpoint_id:
            return
        state = message.state
        nodes = [i.node for i in state.interrupts] + [e.node for e in state.errors] + list(state.next)
        self._focus_candidate = next((n for n in nodes if n), None)
        self.query_one(StateTree).show_values(message.state.values)
        self.query_one(DiffView).show(message.diff)
        self.query_one(MessagesView).show(message.state.messages)
        self.query_one(PendingView).show(message.state)

    @on(GraphDrawn)
    def _graph_drawn(self, message: GraphDrawn) -> None:
        self.query_one(GraphView).show(message.drawing, message.caption)

    @on(ValueRendered)
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

    # -- messages from widgets ----------------------------------------------------------

    def _choose_thread(self, thread_id: str) -> None:
        self.thread_id = thread_id
        self.checkpoint_id = None
        self.load_history(thread_id, "first")
        self._update_status_line()

    @on(ThreadListWidget.Chosen)
    def _thread_chosen(self, message: ThreadListWidget.Chosen) -> None:
        if message.thread_id != self.thread_id:
            self._choose_thread(message.thread_id)

    @on(HistoryTree.Chosen)
    def _checkpoint_chosen(self, message: HistoryTree.Chosen) -> None:
        tree = self.query_one(HistoryTree)
        head = tree.rows[0].checkpoint_id if tree.rows else None
        if self.follow and head and message.checkpoint.checkpoint_id != head and self.checkpoint_id is not None:
            # Moving away from the newest checkpoint is asking to stay put.
            self.follow = False
            self._update_status_line()
        if message.checkpoint.checkpoint_id == self.checkpoint_id:
            return
        self.checkpoint_id = message.checkpoint.checkpoint_id
        if self.thread_id:
            self.load_checkpoint(self.thread_id, self.checkpoint_id)
            self.draw_graph(self.thread_id, self.checkpoint_id)

    @on(HistoryTree.OlderWanted)
    def _older_wanted(self, message: HistoryTree.OlderWanted) -> None:
        if self.thread_id:
            self.load_history(self.thread_id, "older", message.before)

    @on(StateTree.ValueChosen)
    def _value_chosen(self, message: StateTree.ValueChosen) -> None:
        self.value_path = message.path
        self.value = message.value
        self.render_value(message.path, message.value)

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
        if self.thread_id:
            self.draw_graph(self.thread_id, self.checkpoint_id)
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
        self.source.close()
