"""The workers that read the store: the thread list, a page of history, one checkpoint,
the namespaces of a thread, a value's text, and the poll of the store's change token.

Each runs in a thread worker and only posts a message back (``worker_messages``); a new
request cancels the one it replaces (one ``exclusive`` group per kind of read). Each has
a fixed description: Textual otherwise names a worker by the repr() of its arguments,
made on the UI thread (for a 12 MB state that alone stalled it ~90 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message

from agent_debug.inspector.diff import diff_checkpoint
from agent_debug.inspector.exceptions import InspectorError, NotFoundError
from agent_debug.inspector.sources.base import Source
from agent_debug.tui import gc_policy
from agent_debug.tui.widgets.state.value_detail import ValueDetail, prepare, value_blocks, value_text
from agent_debug.tui.worker_messages import (
    CheckpointLoaded,
    HistoryLoaded,
    NamespaceChosen,
    StoreChanged,
    StoreProblem,
    ThreadsLoaded,
    ValueRendered,
)

HISTORY_PAGE = 50
FIRST_THREADS = 200
"""Threads of the first listing, shown before the whole list (which a big store takes a
second or more to give): more than a tall terminal shows."""


def start_worker(app: App[Any], group: str, work: Callable[[], None], *, exclusive: bool = True) -> None:
    """Run ``work`` in a thread worker of ``app``; with ``exclusive`` it replaces the
    running one of its group."""
    app.run_worker(work, name=group, group=group, description=group, exclusive=exclusive, exit_on_error=False, thread=True)


def post_read(app: App[Any], read: Callable[[], Message | None]) -> None:
    """Run ``read`` (in a worker thread) and post the message it returns; a store that
    cannot be read posts ``StoreProblem`` instead."""
    try:
        with gc_policy.quiet():
            message = read()
    except InspectorError as exc:
        app.post_message(StoreProblem(exc.message))
        return
    if message is not None:
        app.post_message(message)


class StoreLoader:
    """Reads of the store for the app, each in its worker; results come back as messages."""

    def __init__(self, app: App[Any], source: Source, *, polling: bool) -> None:
        self._app = app
        self.source = source
        self.polling = polling
        self._token: Any = None
        self._listed = False

    def threads(self) -> None:
        """Read every thread with its status; the first time, the newest page first."""
        first, self._listed = not self._listed, True

        def read() -> Message:
            if self._token is None and self.polling:
                # The first reading's baseline, taken before it: a commit made while we
                # read (or before the first poll) moves the token away from it.
                self._token = self.source.change_token()
            if first:
                page = self.source.threads(limit=FIRST_THREADS)
                if page.total <= len(page.threads):
                    return ThreadsLoaded(page)
                self._app.post_message(ThreadsLoaded(page, partial=True))
            return ThreadsLoaded(self.source.threads())

        start_worker(self._app, "threads", lambda: post_read(self._app, read))

    def history(self, thread_id: str, namespace: str, mode: str = "first", before: str | None = None, *, missing_ok: bool = False) -> None:
        """Read a page of a thread's history in ``namespace``: the first, an older one
        (``before``), or the newest ("newer", merged into what is shown). ``missing_ok``:
        a thread the store does not hold (yet: a run is starting it) posts nothing."""

        def read() -> Message | None:
            try:
                return HistoryLoaded(self.source.history(thread_id, namespace=namespace, limit=HISTORY_PAGE, before=before), mode)
            except NotFoundError:
                if mode == "newer" or missing_ok:
                    return None  # the thread went with a change of the store: the reloaded list moves on
                raise

        start_worker(self._app, "history", lambda: post_read(self._app, read))

    def checkpoint(self, thread_id: str, checkpoint_id: str, namespace: str) -> None:
        """Decode one checkpoint and diff it with its parent."""

        def read() -> Message:
            state = self.source.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace)
            return CheckpointLoaded(state, diff_checkpoint(self.source, thread_id, checkpoint_id, namespace, state=state))

        start_worker(self._app, "checkpoint", lambda: post_read(self._app, read))

    def namespace_step(self, thread_id: str, current: str, step: int) -> None:
        """Read the thread's namespaces and pick the one ``step`` away from ``current``."""

        def read() -> Message:
            names = [n.namespace for n in self.source.namespaces(thread_id)]
            index = names.index(current) if current in names else 0
            return NamespaceChosen(thread_id, names[(index + step) % len(names)] if names else "", len(names))

        start_worker(self._app, "namespaces", lambda: post_read(self._app, read))

    def value(self, path: str, value: Any) -> None:
        """Turn a (possibly huge) state value into text for the detail pane."""

        options, widths = self._app.query_one(ValueDetail).layout_ahead()

        def render() -> None:
            with gc_policy.quiet():
                if isinstance(value, str):
                    message = ValueRendered(path, value_text(value), False)
                else:
                    text, blocks = value_blocks(value)
                    message = ValueRendered(path, text, True, blocks)
                # Lexed and wrapped here, not on the UI thread.
                prepare(message.text, message.is_json, message.blocks, options=options, widths=widths)
            self._app.post_message(message)

        start_worker(self._app, "detail", render)

    def poll(self, *, problem: bool) -> None:
        """Poll the store's change token; cheap (an index lookup), never a re-read. With
        a ``problem`` shown, any answer is news: the store is readable again."""

        def check() -> None:
            try:
                token = self.source.change_token()
            except InspectorError as exc:
                self._app.post_message(StoreProblem(exc.message))
                return
            if self._token is None and not problem:
                return  # the first load takes the baseline, before it reads
            if problem or token != self._token:
                self._app.post_message(StoreChanged())
            self._token = token

        start_worker(self._app, "poll", check)
