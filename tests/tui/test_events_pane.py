"""Pilot flows for the Events tab: stuck phases flagged while they run, the cost column,
and the ``node:`` / ``level:`` / text filter. Real graphs from tests/graphs.py."""

from __future__ import annotations

import threading
import time
from typing import Any, TypedDict

from langgraph.graph import START, StateGraph
from rich.console import Console

from agent_debug.inspector.acting_store import open_store_for_app
from agent_debug.inspector.session import DebugSession
from agent_debug.inspector.sources.local import LocalSource
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.widgets.events.events_view import EventFilter, EventsView
from tests.tui.conftest import settle

SIZE = (140, 45)


def events_app(graph, thread: str, payload, **kw) -> AgentDebugApp:
    store = open_store_for_app("memory", create=True)
    return AgentDebugApp(
        store.source, graph=graph, controller=DebugSession(LocalSource(store, graph)), poll_interval=0, start=(thread, payload, False), **kw
    )


def phase_table(app: AgentDebugApp) -> str:
    """The phase-timing table as plain text (title and rows)."""
    console = Console(width=140, record=True, color_system=None)
    with console.capture() as capture:
        console.print(app.query_one("#events-phases").content)
    return capture.get()


def stuck_titles(app: AgentDebugApp) -> list[str]:
    return [n.message for n in app._notifications if n.title == "stuck phase?"]


async def run_to_the_end(pilot, app: AgentDebugApp, *, seen: list[str] | None = None, tries: int = 100) -> None:
    """Poll (not settle: that would wait out the whole run) until the run finished,
    keeping every phase table drawn on the way in ``seen``."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if seen is not None:
            seen.append(phase_table(app))
        if app.run_stats.status is not None and not app.controller.running:
            break
    await settle(pilot)


def gated_builder(gates: dict[str, threading.Event]) -> StateGraph:
    """slow → hold → answer, where slow and hold each wait for their gate: the test decides
    when a phase ends, whatever the machine's load."""

    def wait_for(name: str):
        def node(state: dict[str, Any]) -> dict[str, Any]:
            gates[name].wait(timeout=60)
            return {}

        return node

    g = StateGraph(GatedState).add_sequence([("slow", wait_for("slow")), ("hold", wait_for("hold")), ("answer", lambda s: {})])
    g.add_edge(START, "slow")
    return g


class GatedState(TypedDict, total=False):
    note: str


async def wait_until(pilot, condition, what: str, tries: int = 2000) -> None:
    """Let the app run until ``condition()`` holds (a condition, never a duration)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_a_slow_phase_is_flagged_while_it_runs_and_an_off_node_is_not():
    gates = {"slow": threading.Event(), "hold": threading.Event()}
    skew = [0.0]  # seconds the injected clock runs ahead of the phases' start times

    def clock() -> float:
        return time.time() + skew[0]

    app = events_app(
        gated_builder(gates).compile(), "s1", {}, stuck_after=30, stuck_per_node={"hold": None}, stuck_clock=clock
    )
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("l")
            await wait_until(pilot, lambda: "slow" in phase_table(app), "slow started")
            assert "stuck" not in phase_table(app)  # under its threshold: not flagged
            skew[0] = 31.0  # slow has now run for over 30 s
            await wait_until(pilot, lambda: "⚠ slow stuck" in phase_table(app), "slow flagged")
            assert "hold" not in phase_table(app)  # flagged while slow still ran
            await wait_until(pilot, lambda: stuck_titles(app), "the stuck notification")
            assert len(stuck_titles(app)) == 1 and stuck_titles(app)[0].startswith("slow has been running")
            gates["slow"].set()
            await wait_until(pilot, lambda: "hold" in phase_table(app) and "slow stuck" not in phase_table(app), "hold started")
            skew[0] = 120.0  # hold runs as long, but hold=off
            # hold has run "120 s" by the clock every check reads, and is still not flagged.
            assert app.stuck.check() == [] and [e.node for e in app.stuck._running.values()] == ["hold"]
            await pilot.pause()
            assert "hold stuck" not in phase_table(app)
            skew[0] = 0.0  # answer, which runs next, is quick: no false flag for it
            gates["hold"].set()
            await run_to_the_end(pilot, app)
            assert "stuck" not in phase_table(app)  # finished: no longer flagged
            assert app.run_stats.status == "done"
            assert all(t.startswith("slow") for t in stuck_titles(app))  # none for hold
    finally:
        for gate in gates.values():
            gate.set()


async def test_prices_add_cost_to_the_phase_table():
    from tests.graphs import stuck_builder

    prices = {"priced-1": {"input": 0.5, "output": 1.5}}
    app = events_app(stuck_builder().compile(), "c1", {"delay": 0.01}, prices=prices)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await run_to_the_end(pilot, app)
        await pilot.pause(0.1)
        table = phase_table(app)
        assert "cost 1.250000" in table and "no price for unpriced-1" in table
        answer = next(line for line in table.splitlines() if line.strip().startswith("answer"))
        assert answer.rstrip().endswith("1.250000")
        assert not stuck_titles(app)  # the default 60 s


def log_lines(app: AgentDebugApp) -> list[str]:
    """Event lines of the log (continuation lines of errors are skipped)."""
    lines = [str(line.text) for line in app.query_one("#events-log").lines]
    return [line for line in lines if line[:1].isdigit()]


async def test_node_level_and_text_filters_combine():
    from tests.graphs import levels_builder

    app = events_app(levels_builder().compile(), "f1", {})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await run_to_the_end(pilot, app)
        view = app.query_one(EventsView)
        box = view.query_one("#events-filter")
        assert "node:" in box.placeholder and "level:" in box.placeholder

        async def shown(text: str) -> list[str]:
            box.value = text
            await pilot.pause(0.1)
            return log_lines(app)

        everything = await shown("")
        assert any("fetching the page" in line for line in everything)
        assert sum("run started" in line for line in everything) == 1  # no line shown twice after a re-filter

        by_prefix = await shown("node:synth")  # synthesize and synthesize_review, not fetch
        assert by_prefix and all(" synthesize" in line for line in by_prefix)
        assert any("review found a gap" in line for line in by_prefix)
        assert not any("fetch" in line for line in by_prefix)

        warnings = await shown("level:warning")  # log records ≥ WARNING, and errors as ERROR
        for fragment in ("fetch timeout, using the cache", "synthesize timeout on the first try", "review found a gap", "UpstreamTimeout"):
            assert any(fragment in line for line in warnings), fragment
        assert not any("fetching the page" in line or "▶ started" in line or "■ done" in line for line in warnings)

        assert await shown("level:ERROR") and all(("✖" in line or "review found a gap" in line) for line in await shown("level:error"))

        combined = await shown("node:synthesize level:warn timeout")
        assert combined and all(" synthesize" in line and "timeout" in line.lower() for line in combined)
        assert any("synthesize timeout on the first try" in line for line in combined)
        assert any("UpstreamTimeout" in line for line in combined)
        assert not any("review found a gap" in line or "fetch" in line for line in combined)

        assert await shown("node:nope") == []
        assert len(await shown("level:")) == len(everything)  # still being typed: no filter yet


def test_filter_parsing():
    f = EventFilter.parse("node:Synth level:warn Timeout extra")
    assert (f.nodes, f.min_level, f.words) == (("synth",), 30, ("timeout", "extra"))
    assert EventFilter.parse("level:40").min_level == 40 and EventFilter.parse("level:c").min_level == 50
    assert EventFilter.parse("level:bogus").words == ("level:bogus",)  # not a level: plain text
    assert not EventFilter.parse("  node: level: ")


async def test_scrolling_up_pauses_the_log_and_end_follows_again():
    from tests.graphs import flood_builder

    flood = {"customs": 300, "logs": 100, "words": 50}
    app = events_app(flood_builder().compile(), "w1", flood)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await run_to_the_end(pilot, app)
        view = app.query_one(EventsView)
        log = app.query_one("#events-log")
        label = app.query_one("#events-follow")
        assert log.following and str(label.content) == "following"
        assert log.is_vertical_scroll_end and log.max_scroll_y > 0

        log.focus()
        await pilot.press("pageup", "pageup")  # a user reading back
        await pilot.pause(0.1)
        assert not log.following
        reading_at, first_line = log.scroll_y, str(log.lines[0].text)
        written = view.lines_written

        # A second run while the log stands still: nothing moves under the reader.
        app.act("run", lambda: app.controller.start("w2", flood))
        await run_to_the_end(pilot, app)
        await pilot.pause(0.2)
        assert view.lines_written == written and log.scroll_y == reading_at and str(log.lines[0].text) == first_line
        assert view.lines_waiting > 400
        assert str(label.content) == f"⏸ paused · {view.lines_waiting:,} new · End follows"
        assert label.has_class("paused")

        await pilot.press("end")
        for _ in range(40):
            await pilot.pause(0.05)
            if view.lines_waiting == 0:
                break
        await pilot.pause(0.2)
        assert log.following and str(label.content) == "following" and not label.has_class("paused")
        assert view.lines_waiting == 0 and view.lines_written > written
        assert log.is_vertical_scroll_end
        assert sum("run started" in line for line in log_lines(app)) == 2  # both runs, each once

        # The phase table under the log growing after the last line (it is redrawn a
        # moment after the events stop) leaves the log that follows at its end.
        app.query_one("#events-phases").styles.height = 12
        await pilot.pause(0.2)
        assert log.following and log.is_vertical_scroll_end
        app.query_one("#events-phases").styles.height = "auto"
        await pilot.pause(0.1)

        # The mouse wheel pauses too (Pilot has no wheel: the event the driver would send);
        # clicking the label follows again.
        from textual.events import MouseScrollUp

        log.post_message(MouseScrollUp(log, 5, 5, 0, -1, 0, False, False, False))
        await pilot.pause(0.1)
        assert not log.following
        await pilot.click("#events-follow")
        await pilot.pause(0.2)
        assert log.following and log.is_vertical_scroll_end
