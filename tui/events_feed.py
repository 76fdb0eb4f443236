"""Feeding the events pane: run events move from the buffer the run threads append to
into the pane on a timer. Each event is counted once, where it is made, by the app's
``EventPipeline`` (phase statistics, the stuck-phase watch); the pane shows a snapshot.

Each tick also tells the app which threads' running phases changed (``on_running``, at
most 4 times a second: a redraw of the graph reads the thread's history), so the graph
marks the node a run is in while it runs.

However fast events come, a tick stays short: as many events as ~12 ms of counting and
folding take, then one share of the lines to draw; the tail of a flood is drawn between
ticks; the phase table is redrawn at most 4 times a second while events keep coming.
Under a flood (from a tick of ``FLOOD_TICK`` events to a tick of none) the lines are
drawn at most every ``DRAW_S``, with the phase table in the same frame: every draw is a
new frame of the whole log, and the run's thread, which makes the events, needs the time
more. The tail of a flood is drawn between ticks only once no new events come.

On a server, the feed also follows the run of the thread shown (``follow``): a
``server_events.RunFollower`` joins its stream in a thread of its own and hands its
events to the pipeline like any run's; the checkpoints it reports make the app read the
thread list and history again (``StoreChanged``, at most 4 times a second).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from time import perf_counter
from typing import Any

from textual.app import App
from textual.css.query import NoMatches

from agent_debug.inspector.exceptions import InspectorError
from agent_debug.tui import gc_policy
from agent_debug.tui.event_buffer import EventBuffer
from agent_debug.tui.widgets.events.events_view import EventsView
from agent_debug.tui.worker_messages import StoreChanged

EVENT_FLUSH_S = 0.05  # ≤ 20 UI updates a second, however fast events arrive
NEWS_S = 0.25  # a followed run's checkpoints reload the history at most this often
RUNNING_S = 0.25  # the phases running now are told to the app at most this often
# A flood (this many events in one tick, ~2,000 a second) is drawn at most every DRAW_S:
# each draw is a frame of the whole log, and under a flood the run's thread needs the time.
FLOOD_TICK = 100
DRAW_S = 0.25


class EventsFeed:
    """The events buffer of an app, drained into its events pane with the run's statistics.

    ``stuck`` is an ``events.StuckWatch``; ``prices`` adds cost to the phase-timing table.
    ``pipeline`` (an ``events.EventPipeline`` counting into the watch) is where run events
    enter: counted, then appended to the buffer and handed to the other sinks.
    ``on_running`` is called (UI thread) with each thread a phase started or ended in.
    ``clock`` (seconds) paces what is redrawn how often."""

    def __init__(
        self, app: App[Any], *, stuck: Any, prices: dict[str, dict[str, float]] | None = None,
        on_running: Callable[[str], None] | None = None, clock: Callable[[], float] = perf_counter,
    ) -> None:
        from agent_debug.inspector.events import EventPipeline, RunStats

        self._app = app
        self.clock = clock  # paces the drawing, the phase table and the reloads (tests step it)
        self.events = EventBuffer()
        # The phase table keeps a thread's phases as the user steps through it.
        self.pipeline = EventPipeline(self.events.append, stats=RunStats(whole_thread=True), watch=stuck)
        self.stuck = stuck
        self.prices = prices
        self._stuck_seen: set[str | None] = set()
        self._stats_pending = False
        self._stats_due = 0.0
        self._drawing_tail = False
        self._draw_due = 0.0  # under a flood, lines are drawn again from then on
        self._flood = False  # a flood is on (see flush)
        self._follower: Any = None  # the server_events.RunFollower of the run followed
        self._follow_lock = threading.Lock()
        self._closed = False
        self._news = False  # the followed run wrote a checkpoint since the last reload
        self._news_due = 0.0
        self._on_running = on_running
        self._running_seen: frozenset[tuple[str, str]] = frozenset()  # (thread, task id) when last told
        self._running_due = 0.0

    def running(self, thread_id: str) -> list[Any]:
        """The ``phase_started`` events of ``thread_id``'s phases running now (any thread)."""
        return [e for e in self.stuck.running() if e.thread_id == thread_id]

    def _tell_running(self) -> None:
        """Call ``on_running`` for each thread whose running phases changed since it was
        last called (a phase that started and ended in between changes nothing)."""
        if self._on_running is None or self.clock() < self._running_due:
            return
        now = frozenset((e.thread_id, e.task_id) for e in self.stuck.running())
        changed = {thread for thread, _ in now ^ self._running_seen}
        if changed:
            self._running_seen, self._running_due = now, self.clock() + RUNNING_S
            for thread in changed:
                self._on_running(thread)

    @property
    def run_stats(self) -> Any:
        """Per-phase time, failures and tokens of the runs seen (counted by the pipeline)."""
        return self.pipeline.stats

    def flush(self) -> None:
        """Move new run events into the events pane (a timer tick, UI thread)."""
        try:
            view = self._app.query_one(EventsView)
        except NoMatches:  # shutting down: nothing to show them in
            return
        fresh = 0
        deadline = perf_counter() + 0.012
        while True:
            batch = self.events.drain(limit=500)
            if batch:
                view.add(batch, draw=False)
            fresh += len(batch)
            if len(batch) < 500 or perf_counter() > deadline:
                break
        gc_policy.kept(fresh)
        waiting = view.lines_waiting
        # A flood starts with a tick of many events and lasts until a tick brings none: a
        # run thread starved of the GIL by drawing makes fewer events a tick, and drawing
        # every tick then would starve it more.
        if fresh >= FLOOD_TICK:
            self._flood = True
        elif not fresh:
            self._flood = False
        flooding = self._flood
        drew = False
        if (fresh or waiting) and not (flooding and self.clock() < self._draw_due):
            try:
                more = view.add(())
            except NoMatches:  # its log is gone: the app is shutting down
                return
            drew = True
            if flooding:
                self._draw_due = self.clock() + DRAW_S
            if not fresh and 0 < more < waiting and not self._drawing_tail:
                # The tail of a flood: no new events compete for the time any more, so the
                # next shares are drawn as soon as the loop is free rather than a tick later.
                self._drawing_tail = True
                self._app.call_later(self._draw_tail, view)
        if self._news and self.clock() >= self._news_due:
            self._news, self._news_due = False, self.clock() + NEWS_S
            self._app.post_message(StoreChanged())
        self._tell_running()
        stuck = self.pipeline.stuck()
        for s in stuck:
            if s.task_id not in self._stuck_seen:
                self._stuck_seen.add(s.task_id)
                self._app.notify(f"{s.node} has been running for {s.elapsed_s:.0f}s", title="stuck phase?", severity="warning", timeout=8)
        # While events keep coming the phase table is redrawn 4 times a second (under a
        # flood, with the log: one frame for both), and once when they stop.
        now = self.clock()
        pending = self._stats_pending or fresh > 0 or bool(stuck)
        if pending and (not fresh or (now >= self._stats_due and (drew or not flooding))):
            view.show_stats(self.pipeline.snapshot(), stuck, self.prices)
            self._stats_due, pending = now + 0.25, False
        self._stats_pending = pending

    async def _draw_tail(self, view: EventsView) -> None:
        """Another share of the lines waiting in the events pane, until none wait (or
        none can be drawn: the pane is not on screen), or new events come: the flood
        goes on, and the ticks draw it at its pace."""
        if self.events.pending:
            self._drawing_tail = False
            return
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
            self._app.call_later(self._draw_tail, view)

    def refilter(self) -> None:
        """Draw the events pane again from every event kept, after its filter changed."""
        # The snapshot holds events not drained yet, which the next tick would add a second
        # time: drain now (after the snapshot, so the drain covers them) and keep what came since.
        held = self.events.snapshot()
        fresh = self.events.drain()
        tail = held[-1] if held else None
        since = next((i + 1 for i, e in enumerate(fresh) if e is tail), 0)
        view = self._app.query_one(EventsView)
        view.rebuild(held + fresh[since:])
        if fresh:
            view.show_stats(self.pipeline.snapshot(), self.pipeline.stuck(), self.prices)

    # -- following a server's runs ------------------------------------------------------

    def follow(self, source: Any, thread_id: str | None) -> None:
        """Join the run ``thread_id`` is running on a server, if it runs one (looked up in
        a worker): its events come into the pane as they are made. One run is followed
        at a time, the one joined last, until it ends. Nothing to do for a source that is
        not a server, or for a thread whose run is followed already."""
        from agent_debug.inspector.sources import server_events

        if thread_id is None or not server_events.joinable(source):
            return
        follower = self._follower
        if follower is not None and follower.alive and follower.thread_id == thread_id:
            return

        def look() -> None:
            try:
                run = server_events.running_run(source, thread_id)
            except InspectorError:
                return  # the poll of the store says what is wrong
            if run is None:
                return
            with self._follow_lock:
                old = self._follower
                if self._closed or (old is not None and old.alive and old.run_id == run.get("run_id")):
                    return
                if old is not None:
                    old.stop()
                self._follower = server_events.RunFollower(source, thread_id, run, on_event=self._from_server).start()

        self._app.run_worker(look, name="join", group="join", description="join", exclusive=True, exit_on_error=False, thread=True)

    @property
    def follower(self) -> Any:
        """The ``server_events.RunFollower`` of the run followed last (None before any)."""
        return self._follower

    def _from_server(self, event: Any) -> None:
        """An event of the followed run (on its follower's thread)."""
        self.pipeline(event)
        if event.kind in ("checkpoint", "run_finished"):
            self._news = True

    def close(self) -> None:
        """Stop following (the run goes on on the server)."""
        with self._follow_lock:
            self._closed = True
            if self._follower is not None:
                self._follower.stop()
