"""A flood whose run thread slows down (starved of the GIL by drawing, it makes fewer
events a tick) is still drawn at the flood's pace until a tick brings nothing. The
feed's clock is stepped by the test, and no await lets the app's own tick in between."""

from __future__ import annotations

from agent_debug.tui.events_feed import DRAW_S, FLOOD_TICK
from agent_debug.tui.widgets.events.events_view import EventsView
from tests.tui.test_events_flood import Clock, feed_app, first_run_shown, flood, numbers
from tests.tui.test_events_pane import SIZE, wait_until


async def test_a_flood_that_slows_down_keeps_the_flood_pace_until_a_quiet_tick():
    app = feed_app()
    clock = Clock()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await first_run_shown(pilot, app)
        await pilot.pause(0.1)
        app.feed.clock = clock
        view = app.query_one(EventsView)

        seq = 1
        for e in flood(seq, 2 * FLOOD_TICK):
            app.events.append(e)
        seq += 2 * FLOOD_TICK
        app.feed.flush()  # a flooding tick: drawn now, and not again for DRAW_S
        drawn = view.lines_written
        for _ in range(5):  # ticks of a few events each, well under FLOOD_TICK
            for e in flood(seq, FLOOD_TICK // 4):
                app.events.append(e)
            seq += FLOOD_TICK // 4
            app.feed.flush()
            assert view.lines_written == drawn, "drawn inside DRAW_S although the flood goes on"
        clock.now += DRAW_S
        for e in flood(seq, 3):
            app.events.append(e)
        seq += 3
        app.feed.flush()
        assert view.lines_written > drawn  # the pace allows a draw again

        app.feed.flush()  # a tick with nothing new: the flood is over, what waits is drawn now
        await wait_until(pilot, lambda: view.lines_waiting == 0, "every line drawn")
        assert numbers(app) == list(range(1, seq))  # whole, in order, each once
