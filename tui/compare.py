"""``M`` marks a checkpoint, ``D`` diffs the marked checkpoint against the selected one.

Any two checkpoints of the thread compare, on one branch or on two (the diff is of their
states, whatever lies between). Both are in one namespace: a subgraph's state and its
parent's have different keys. While the comparison is on, moving in the history compares
the mark with each checkpoint selected; ``D`` again (or clearing the mark) goes back to
each checkpoint against its parent. The mark stays while the user moves around the
thread and is dropped, with a note, when another thread is shown.

Both states are decoded in a worker (the selected one is reused when decoded already).
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.message import Message

from agent_debug.inspector.diff import diff_between
from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.model import CheckpointState, CheckpointSummary, StateDiff
from agent_debug.inspector.sources.base import Source
from agent_debug.tui.store_loader import start_worker
from agent_debug.tui.widgets.history.history_tree import MARK, HistoryTree
from agent_debug.tui.widgets.state.diff_view import DiffView


def checkpoint_name(row: CheckpointSummary) -> str:
    """``…5ef863fc00b8 (step 2, plan)``: the id's end the history shows, its step, what made it."""
    what = ", ".join(row.nodes) if row.nodes else (row.source or "?")
    return f"…{row.checkpoint_id[-12:]} (step {row.step}, {what})"


class ComparisonReady(Message):
    """The marked checkpoint compared with ``after`` (None: it could not be read, ``problem`` says why)."""

    def __init__(self, thread_id: str, namespace: str, before: str, after: str, diff: StateDiff | None, problem: str = "") -> None:
        super().__init__()
        self.thread_id = thread_id
        self.before = before
        self.chosen = namespace  # (Message.namespace is Textual's handler-name prefix)
        self.after = after
        self.diff = diff
        self.problem = problem


class Comparison:
    """The mark, whether the Diff tab compares with it, and the worker that decodes."""

    def __init__(self, app: App[Any], source: Source) -> None:
        self._app = app
        self._source = source
        self.marked: CheckpointSummary | None = None
        self.thread_id: str | None = None
        self.namespace = ""
        self.active = False
        self._after: CheckpointSummary | None = None  # the checkpoint compared with the mark
        self._marked_state: CheckpointState | None = None

    def _notify(self, text: str, severity: str = "information") -> None:
        self._app.notify(text, severity=severity, timeout=4)  # type: ignore[arg-type]

    def _key(self, binding_id: str) -> str:
        keys = getattr(self._app, "keys", None)  # the keys in effect, as the user's keymap has them
        return keys.display(binding_id) if keys is not None else binding_id

    def _show_mark(self) -> None:
        self._app.query_one(HistoryTree).mark(self.marked.checkpoint_id if self.marked else None)

    # -- keys -----------------------------------------------------------------------

    def toggle_mark(self, row: CheckpointSummary | None, thread_id: str | None, namespace: str) -> None:
        """Mark the selected checkpoint; on the marked one, clear the mark."""
        if row is None or thread_id is None:
            self._notify("select a checkpoint in the history to mark it", "warning")
            return
        if self.marked is not None and self.marked.checkpoint_id == row.checkpoint_id:
            self.clear()
            self._notify("mark cleared")
            return
        self.marked, self.thread_id, self.namespace, self._marked_state = row, thread_id, namespace, None
        self._show_mark()
        if self.active:
            self._compare_with(row)  # the comparison now starts at the new mark
        self._notify(f"marked {MARK} {checkpoint_name(row)}; select another checkpoint and press {self._key('compare.diff')} to compare")

    def toggle(self, row: CheckpointSummary | None, state: CheckpointState | None, namespace: str) -> None:
        """Compare the mark with the selected checkpoint, or (comparing) go back to the parent diff."""
        if self.active:
            self._end()
            self._notify("diff: each checkpoint against its parent")
            return
        if self.marked is None:
            self._notify(f"no checkpoint marked: press {self._key('compare.mark')} on a history row, then select another one to compare", "warning")
            return
        if namespace != self.namespace:
            where = f"subgraph namespace {self.namespace}" if self.namespace else "root graph"
            self._notify(f"the marked checkpoint is in the {where}: compare checkpoints of one namespace", "warning")
            return
        if row is None:
            self._notify("select a checkpoint in the history to compare with the mark", "warning")
            return
        if row.checkpoint_id == self.marked.checkpoint_id:
            self._notify(f"the marked checkpoint is the selected one: select another and press {self._key('compare.diff')}", "warning")
            return
        self.active = True
        self._app.action_show_tab("diff")  # type: ignore[attr-defined]
        self._compare_with(row, state)

    # -- the selection moves --------------------------------------------------------

    def thread_shown(self, thread_id: str | None) -> None:
        """Another thread is shown: its checkpoints cannot compare with the mark."""
        if self.marked is not None and thread_id != self.thread_id:
            was = self.thread_id
            self.clear()
            self._notify(f"mark {MARK} on thread {was} dropped: another thread is shown")

    def checkpoint_shown(self, row: CheckpointSummary | None, state: CheckpointState) -> None:
        """A checkpoint was selected and decoded: comparing, compare it with the mark."""
        if not self.active or self.marked is None or row is None or row.checkpoint_id != state.checkpoint_id:
            return
        if state.thread_id != self.thread_id or state.namespace != self.namespace:
            self._end()
            self._notify("the comparison ended: the checkpoint shown is in another namespace than the mark")
            return
        self._compare_with(row, state)

    def clear(self) -> None:
        """Drop the mark (and the comparison)."""
        self.marked, self.thread_id, self._marked_state = None, None, None
        self._show_mark()
        if self.active:
            self._end()

    def _end(self) -> None:
        self.active = False
        self._after = None
        self._app.query_one(DiffView).end_comparison()

    # -- the worker -----------------------------------------------------------------

    def _compare_with(self, row: CheckpointSummary, state: CheckpointState | None = None) -> None:
        assert self.marked is not None and self.thread_id is not None
        marked, thread_id, namespace = self.marked, self.thread_id, self.namespace
        self._after = row
        self._app.query_one(DiffView).comparing(self.header(row))
        known = self._marked_state
        after_state = state if state is not None and state.checkpoint_id == row.checkpoint_id else None

        def read() -> None:
            try:
                before = known or self._source.state(thread_id, checkpoint_id=marked.checkpoint_id, namespace=namespace)
                after = after_state or self._source.state(thread_id, checkpoint_id=row.checkpoint_id, namespace=namespace)
            except InspectorError as exc:
                self._app.post_message(ComparisonReady(thread_id, namespace, marked.checkpoint_id, row.checkpoint_id, None, exc.message))
                return
            self._marked_state = before if self.marked is marked else self._marked_state
            self._app.post_message(ComparisonReady(thread_id, namespace, marked.checkpoint_id, row.checkpoint_id, diff_between(before, after)))

        start_worker(self._app, "compare", read)

    def header(self, after: CheckpointSummary) -> str:
        """What is compared: ``◆ …a3 (step 3, draft) → …b7 (step 5, review)``."""
        assert self.marked is not None
        return f"{MARK} {checkpoint_name(self.marked)} → {checkpoint_name(after)}"

    def arrived(self, message: ComparisonReady) -> None:
        """Show a comparison the worker made, if it is still the one wanted."""
        wanted = self._after
        if not self.active or self.marked is None or wanted is None or message.after != wanted.checkpoint_id:
            return
        if message.before != self.marked.checkpoint_id or message.thread_id != self.thread_id or message.chosen != self.namespace:
            return
        view = self._app.query_one(DiffView)
        if message.diff is None:
            view.comparison_failed(self.header(wanted), message.problem)
        else:
            view.show_comparison(self.header(wanted), message.diff)
