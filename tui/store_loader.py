"""The workers that read the store: the thread list, a page of history, one checkpoint,
the namespaces of a thread, a value's text, and the poll of the store's change token.

Each runs in a thread worker and only posts a message back (``worker_messages``); a new
request cancels the one it replaces (one ``exclusive`` group per kind of read). Each has
a fixed description: Textual otherwise names a worker by the repr() of its arguments,
made on the UI thread (for a 12 MB state that alone stalled it ~90 ms).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message
from textual.worker import get_current_worker

from agent_debug.inspector.diff import diff_checkpoint
from agent_debug.inspector.exceptions import InspectorError, NotFoundError
from agent_debug.inspector.sources.base import Source
from agent_debug.tui import gc_policy
from agent_debug.tui.first_page import FIRST_THREADS, FirstPage
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
FIRST_PAINT_WAIT_S = 2.0
"""How long the loads that follow the first listing (the whole list, the first history)
wait for it to be on screen (``first_page_shown``) before they read anyway."""


def start_worker(app: App[Any], group: str, work: Callable[[], None], *, exclusive: bool = True) -> None:
    """Run ``work`` in a thread worker of ``app``; with ``exclusive`` it replaces the
    running one of its group."""
    app.run_worker(work, name=group, group=group, description=group, exclusive=exclusive, exit_on_error=False, thread=True)


class InOrder:
    """Readings of one kind posted in the order they were asked for. A worker a newer
    request replaces is only marked cancelled: its thread reads on, and on a busy machine
    its older reading could reach the app after the newer one and stay on screen (a
    thread shown ``interrupted`` after the run that resumed it was listed ``done``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked = 0
        self._posted = 0

    def ask(self) -> int:
        """The number of a new request (UI thread)."""
        with self._lock:
            self._asked += 1
            return self._asked

    def post(self, app: App[Any], number: int, message: Message) -> None:
        """Post ``message``, the reading of request ``number``, unless a newer request's
        reading is posted already. (Posting under the lock keeps the app's queue in order.)"""
        with self._lock:
            if number < self._posted:
                return
            self._posted = number
            app.post_message(message)


def post_read(app: App[Any], read: Callable[[], Message | None], order: tuple[InOrder, int] | None = None) -> None:
    """Run ``read`` (in a worker thread) and post the message it returns; a store that
    cannot be read posts ``StoreProblem`` instead. ``order``: the readings it is one of,
    and its request's number (``InOrder``)."""
    try:
        with gc_policy.quiet():
            message = read()
    except InspectorError as exc:
        app.post_message(StoreProblem(exc.message))
        return
    if message is None:
        return
    if order is None:
        app.post_message(message)
    else:
        order[0].post(app, order[1], message)


class StoreLoader:
    """Reads of the store for the app, each in its worker; results come back as messages."""

    def __init__(self, app: App[Any], source: Source, *, polling: bool, first_page: FirstPage | None = None) -> None:
        """``first_page``: the first page of threads, already being read (``first_page.FirstPage``)."""
        self._app = app
        self.source = source
        self.polling = polling
        self._token: Any = None
        self._listed = False
        self._first_page = first_page
        self._first_shown = threading.Event()
        self._listings = InOrder()
        self._histories = InOrder()  # the first and newest pages; an older page is asked by the user

    def threads(self) -> None:
        """Read every thread with its status; the first time, the newest page first."""
        first, self._listed = not self._listed, True
        number = self._listings.ask()

        def read() -> Message | None:
            page: Any = None
            if first and self._first_page is not None:
                token, page = self._first_page.take()  # read while the app started, its token first
                self._first_page = None
                if self._token is None and self.polling:
                    self._token = token
            if self._token is None and self.polling:
                # The first reading's baseline, taken before it: a commit made while we
                # read (or before the first poll) moves the token away from it.
                self._token = self.source.change_token()
            if first:
                if page is None:
                    page = self.source.threads(limit=FIRST_THREADS)
                if page.total <= len(page.threads):
                    return ThreadsLoaded(page)
                self._listings.post(self._app, number, ThreadsLoaded(page, partial=True))
                if not self._after_first_paint():
                    return None  # a newer listing replaced this one while it waited
            return ThreadsLoaded(self.source.threads())

        start_worker(self._app, "threads", lambda: post_read(self._app, read, (self._listings, number)))

    def first_page_shown(self) -> None:
        """The first listing is on screen (or cannot be): the loads waiting for it go on."""
        self._first_shown.set()

    def _after_first_paint(self) -> bool:
        """Wait (in a worker) until the first listing is on screen; False: the worker was
        cancelled meanwhile. Read at once, the whole list and the first thread's history,
        state, graph and timeline took the GIL from the first frame (on 2,000 threads it
        came 0.5–1.5 s later, on a busy machine)."""
        self._first_shown.wait(FIRST_PAINT_WAIT_S)
        return not get_current_worker().is_cancelled

    def history(self, thread_id: str, namespace: str, mode: str = "first", before: str | None = None, *, missing_ok: bool = False) -> None:
        """Read a page of a thread's history in ``namespace``: the first, an older one
        (``before``), or the newest ("newer", merged into what is shown). ``missing_ok``:
        a thread the store does not hold (yet: a run is starting it) posts nothing."""

        def read() -> Message | None:
            if not self._first_shown.is_set() and not self._after_first_paint():
                return None  # another history replaced this one while it waited
            try:
                return HistoryLoaded(self.source.history(thread_id, namespace=namespace, limit=HISTORY_PAGE, before=before), mode)
            except NotFoundError:
                if mode == "newer" or missing_ok:
                    return None  # the thread went with a change of the store: the reloaded list moves on
                raise

        order = None if mode == "older" else (self._histories, self._histories.ask())
        start_worker(self._app, "history", lambda: post_read(self._app, read, order))

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
