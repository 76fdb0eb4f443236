"""A flood of run events into the events pane: delivered whole and in order, drawn at a
slower pace while it lasts (the run's thread needs the time), and drawn as the pane
would draw each line on its own. The feed's clock is stepped by the test: no timing."""

from __future__ import annotations

import re

from textual.geometry import Region
from textual.widgets import RichLog

from agent_debug.inspector.events import CustomEvent, LogEvent
from agent_debug.tui.events_feed import DRAW_S, FLOOD_TICK
from agent_debug.tui.widgets.events.events_view import MAX_LINES, EventsLog, EventsView
from tests.tui.test_events_pane import SIZE, events_app, wait_until


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def flood(start: int, count: int) -> list[object]:
    """``count`` events of one phase from seq ``start``: custom events, every tenth a log record."""
    where = {"thread_id": "f1", "node": "flood", "task_id": "t-1", "step": 1}
    return [
        LogEvent(seq=seq, time=1.0 + seq, level="INFO", levelno=20, logger="tests.flood", message=f"record {seq}", **where)
        if seq % 10 == 0
        else CustomEvent(seq=seq, time=1.0 + seq, payload={"i": seq}, **where)
        for seq in range(start, start + count)
    ]


def numbers(app) -> list[int]:
    """The seq each line of the log is about, top to bottom (``custom {'i': N}`` or ``record N``;
    the first run's, numbered 0, left out)."""
    found = []
    for line in app.query_one("#events-log").lines:
        m = re.search(r"custom \{'i': (\d+)\}|record (\d+)", line.text)
        if m:
            found.append(int(m.group(1) or m.group(2)))
    return [n for n in found if n]


def feed_app():
    """The app after a tiny flood run (so the pane has shown a run), its feed ours to fill."""
    from tests.graphs import flood_builder

    return events_app(flood_builder().compile(), "f0", {"customs": 1, "logs": 1, "words": 1})


async def first_run_shown(pilot, app) -> None:
    """The events pane on screen, and the feed app's first run drained into it."""
    await wait_until(pilot, lambda: not app.controller.running and app.events._drained == app.events._appended, "the first run shown")


async def test_a_flood_is_drawn_at_a_slower_pace_then_whole_and_in_order():
    app = feed_app()
    clock = Clock()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await first_run_shown(pilot, app)
        await pilot.pause(0.1)
        app.feed.clock = clock
        view = app.query_one(EventsView)

        for e in flood(1, 2 * FLOOD_TICK):
            app.events.append(e)
        app.feed.flush()  # a flooding tick: drawn now, and not again for DRAW_S
        drawn = view.lines_written
        assert drawn > 0

        for e in flood(1 + 2 * FLOOD_TICK, 2 * FLOOD_TICK):
            app.events.append(e)
        app.feed.flush()  # still flooding, DRAW_S not over: folded, not drawn
        assert view.lines_written == drawn and view.lines_waiting >= 2 * FLOOD_TICK

        clock.now += DRAW_S
        for e in flood(1 + 4 * FLOOD_TICK, 2 * FLOOD_TICK):
            app.events.append(e)
        app.feed.flush()
        assert view.lines_written > drawn  # the pace allows a draw again

        # The flood over: what waits is drawn at once, however little time passed.
        await wait_until(pilot, lambda: view.lines_waiting == 0, "every line drawn")
        shown = numbers(app)
        assert shown == list(range(1, 6 * FLOOD_TICK + 1))  # whole, in order, each once


async def test_a_flood_larger_than_the_log_keeps_its_newest_lines_in_order():
    app = feed_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await first_run_shown(pilot, app)
        total = MAX_LINES + 1500
        for e in flood(1, total):
            app.events.append(e)
        view = app.query_one(EventsView)
        await wait_until(pilot, lambda: app.events._drained == app.events._appended and view.lines_waiting == 0, "the flood drawn")
        # The log keeps MAX_LINES lines: the newest events', each once, in order, no gap.
        assert len(app.query_one("#events-log").lines) == MAX_LINES
        assert numbers(app) == list(range(total - MAX_LINES + 1, total + 1))


async def test_the_log_draws_a_frame_as_richlog_draws_each_line():
    app = feed_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await first_run_shown(pilot, app)
        wide = LogEvent(seq=301, time=2.0, level="INFO", levelno=20, logger="tests.flood", message="wide " * 80, thread_id="f1", node="flood")
        for e in [*flood(1, 300), wide]:
            app.events.append(e)
        view = app.query_one(EventsView)
        await wait_until(pilot, lambda: view.lines_waiting == 0 and app.events._drained == app.events._appended, "drawn")
        log = app.query_one(EventsLog)
        log.scroll_to(x=3, y=log.max_scroll_y - 5, animate=False)  # near the end (the wide line in view), shifted right
        await wait_until(pilot, lambda: log.scroll_offset == (3, log.max_scroll_y - 5), "scrolled")
        height = log.scrollable_content_region.height
        ours = [log.render_line(y) for y in range(height)]  # a line alone: RichLog's way
        log._frame = (log.rich_style, log.scrollable_content_region.width)
        try:
            framed = [log.render_line(y) for y in range(height)]
        finally:
            log._frame = None
        assert [list(s) for s in framed] == [list(s) for s in ours]
        assert [list(s) for s in ours] == [list(RichLog.render_line(log, y)) for y in range(height)]
        frame = log.render_lines(Region(0, 0, log.size.width, log.size.height))
        assert any("custom {'i': " in strip.text for strip in frame) and log._frame is None
