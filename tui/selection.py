"""What the user has selected: a thread, a namespace of it, a checkpoint, a state value
and a node of the graph; and the loads each change starts.

Choosing a thread shows its root namespace from its newest checkpoint; choosing another
namespace shows that namespace's history; choosing a checkpoint decodes it (once per
move). Leaving the newest checkpoint turns follow mode off; an action's outcome turns it
on again and shows the thread the action ran. Results that arrive for a selection that
has changed since are dropped (``shows``).

A run the app starts selects its thread at once (``start_run``), before the store holds
it: until its first checkpoint is shown, the thread list (which cannot list it yet) does
not choose another thread in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_debug.inspector.model import CheckpointState, CheckpointSummary
from agent_debug.tui.store_loader import StoreLoader


class Selection:
    """The selection of the app and what follows a change of it.

    ``changed`` is called when something the status line shows (thread, namespace,
    follow mode) changes."""

    def __init__(self, loader: StoreLoader, *, follow: bool, changed: Callable[[], None]) -> None:
        self._loader = loader
        self._changed = changed
        self.thread_id: str | None = None
        # The checkpoint namespace shown: '' for the root graph, a subgraph's otherwise.
        self.namespace = ""
        self.checkpoint_id: str | None = None
        self.row: CheckpointSummary | None = None  # the history row of the checkpoint
        self.state: CheckpointState | None = None  # the checkpoint, once decoded
        self.value_path = ""
        self.value: Any = None
        # A node clicked in the graph, while it is the latest thing chosen (a history row
        # chosen after it wins): `r` replays its newest phase, `b` suggests it.
        self.graph_node: str | None = None
        self.follow = follow  # keep the newest checkpoint selected as new ones arrive
        # The thread of a run the app started, until a checkpoint of it is shown.
        self.starting: str | None = None

    def shows(self, thread_id: str | None, namespace: str | None = None) -> bool:
        """Whether a result made for ``thread_id`` (and ``namespace``) is still wanted."""
        return thread_id == self.thread_id and (namespace is None or namespace == self.namespace)

    def choose_thread(self, thread_id: str) -> None:
        """Show ``thread_id``: its root namespace, from its first page of history. While a
        run's thread is on its way into the store, no other thread replaces it."""
        if self.starting not in (None, thread_id):
            return
        self.thread_id = thread_id
        self.checkpoint_id = None
        self.namespace = ""
        self._loader.history(thread_id, "", "first", missing_ok=self.starting is not None)
        self._changed()

    def start_run(self, thread_id: str) -> None:
        """Select the thread a run is starting on, following it, before the store may hold
        it: its history is read now and at each reload until it shows."""
        self.follow = True
        self.starting = thread_id
        self.choose_thread(thread_id)

    def run_ended(self) -> None:
        """The run the app started has stopped (failed, perhaps before writing anything):
        the thread list chooses as it always does again."""
        self.starting = None

    def choose_namespace(self, namespace: str) -> None:
        """Show another checkpoint namespace of the thread (the root's or a subgraph's)."""
        if self.thread_id is None:
            return
        self.namespace = namespace
        self.checkpoint_id = None
        self.row = None
        self._loader.history(self.thread_id, namespace, "first")
        self._changed()

    def choose_checkpoint(self, row: CheckpointSummary, head: str | None) -> None:
        """Show the checkpoint of a history row; ``head`` is the newest row's checkpoint."""
        if self.follow and head and row.checkpoint_id != head and self.checkpoint_id is not None:
            # Moving away from the newest checkpoint is asking to stay put.
            self.follow = False
            self._changed()
        self.row = row
        self.graph_node = None
        self.starting = None  # the run's thread is in the store, and shown
        if row.checkpoint_id == self.checkpoint_id:
            return
        self.checkpoint_id = row.checkpoint_id
        if self.thread_id:
            # The graph is drawn once the state is decoded, reusing it (one decode per move).
            self._loader.checkpoint(self.thread_id, self.checkpoint_id, self.namespace)

    def checkpoint_arrived(self, state: CheckpointState) -> bool:
        """Keep a decoded checkpoint if it is the one selected; False: it came too late."""
        if state.checkpoint_id != self.checkpoint_id or not self.shows(state.thread_id, state.namespace):
            return False
        self.state = state
        return True

    def choose_value(self, path: str, value: Any) -> None:
        """Highlight a state value: its whole text is rendered for the detail pane."""
        self.value_path = path
        self.value = value
        self._loader.value(path, value)

    def choose_graph_node(self, node: str) -> str:
        """Select a node clicked in the graph; returns its name as breakpoints name it
        (``sub:node`` inside a subgraph's drawing)."""
        from agent_debug.graphviz_export.model import namespace_path

        self.graph_node = ":".join((*namespace_path(self.namespace), node))
        return self.graph_node

    def selected_phase(self) -> str | None:
        """The node the user means: clicked in the graph, else the one that made the
        selected checkpoint, else the first one due at it."""
        if self.graph_node is not None:
            return self.graph_node
        if self.row is not None and self.row.nodes:
            return self.row.nodes[0]
        if self.state is not None and self.state.next:
            return self.state.next[0]
        return None

    def toggle_follow(self) -> bool:
        """Turn follow mode on or off; returns the new mode."""
        self.follow = not self.follow
        self._changed()
        return self.follow

    def follow_outcome(self, thread_id: str, namespace: str) -> None:
        """After an action: show the thread (and namespace) it ran, following its newest checkpoint."""
        self.follow = True
        self.starting = None
        self.thread_id = thread_id
        self.namespace = namespace
        self._loader.threads()
        self._loader.history(thread_id, namespace, "first")
        self._changed()

    def reload(self, mode: str = "first") -> None:
        """Read the thread list again, and the shown history (its newest page: ``newer``)."""
        self._loader.threads()
        if self.starting is not None and self.checkpoint_id is None:
            self._loader.history(self.starting, "", "first", missing_ok=True)  # not shown yet
        elif self.thread_id:
            self._loader.history(self.thread_id, self.namespace, mode)
