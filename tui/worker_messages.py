"""The typed messages the app's workers post back to the UI thread.

Workers read the store, draw the graph and run control actions off the UI thread; each
result comes back as one of these and the app routes it to the panes. Selection-bound
results carry the thread (and namespace) they were made for, so a result for a selection
that has since changed is dropped.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from agent_debug.inspector.model import ActionOutcome, CheckpointState, HistoryPage, StateDiff, ThreadList


class ThreadsLoaded(Message):
    """A fresh thread list; ``partial``: only its first page, the whole list follows."""

    def __init__(self, doc: ThreadList, *, partial: bool = False) -> None:
        super().__init__()
        self.doc = doc
        self.partial = partial


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
    """A state value turned into text for the detail pane; ``blocks``: the multi-line
    strings (path, text) a JSON ``text`` stands in for."""

    def __init__(self, path: str, text: str, is_json: bool, blocks: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.path = path
        self.text = text
        self.is_json = is_json
        self.blocks = blocks or []


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
