"""Live events under load, in one run:

1. A phase floods the stream (custom events, log records, streamed tokens). Into the
   TUI (Pilot, headless, the events pane on screen): events per second until every
   event reached the events pane and every line it will keep is drawn, the longest
   event-loop stall while it happens, peak memory, and whether the recording holds
   every event.
2. The debugger's overhead on a 1,000-step trivial graph: our controlled run (events,
   log capture) against plain ``graph.stream(stream_mode="debug")``, alternately, five
   times each; the medians.

Run: ``.venv/bin/python benchmarks/events_flood.py``.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent_debug.inspector.control import Controller, Runner, open_store_for_app
from agent_debug.inspector.recording import Recorder, read_recording
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.widgets.events.events_view import EventsView

from tests.graphs import flood_builder, trivial_loop_builder

FLOOD = {"customs": 20_000, "logs": 10_000, "words": 20_000}


async def flood_into_tui(record: Path) -> dict[str, float]:
    store = open_store_for_app("memory", create=True)
    graph = flood_builder().compile()
    controller = Controller(graph, store)
    recorder = Recorder(record)
    controller.sink = recorder.write
    app = AgentDebugApp(store.source, graph=graph, controller=controller, poll_interval=0)
    worst = 0.0
    stop = False

    async def lag() -> None:
        nonlocal worst
        while not stop:
            t0 = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - t0 - 0.01)

    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("l")  # the events pane on screen: its log draws what it gets
        await pilot.pause(0.2)
        view = app.query_one(EventsView)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        probe = asyncio.create_task(lag())
        t0 = time.perf_counter()
        app.act("run", lambda: controller.start("flood", FLOOD))
        while (
            controller.running
            or app.events._appended == 0
            or app.events._drained < app.events._appended
            or getattr(view, "lines_waiting", 0)
        ):
            await asyncio.sleep(0.01)
        took = time.perf_counter() - t0
        await pilot.pause(0.2)
        stop = True
        await probe
        # Peak resident size grown during the flood (ru_maxrss is in KiB on Linux).
        peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
        produced = app.events._appended
        shown = app.query_one("#events-log").line_count if hasattr(app.query_one("#events-log"), "line_count") else len(app.query_one("#events-log").lines)
    recorder.close()
    recorded = sum(1 for _ in read_recording(record))
    return {"events": produced, "seconds": took, "rate": produced / took, "stall_ms": worst * 1000, "peak_mb": peak / 1e6, "recorded": recorded, "lines": shown}


def overhead(steps: int = 1000, rounds: int = 5, *, gc_mode: str = "default") -> tuple[float, float]:
    """Median seconds of a plain run and of ours, run alternately (one run of each is at
    the mercy of where a full garbage collection falls). ``gc_mode``: "default";
    "settled", the heap collected and frozen before each run of either side, as the TUI
    freezes what its start-up made (then each run's collections walk only what it made);
    "off", the cyclic collector off on both sides: the work itself."""
    import gc
    from statistics import median

    from langgraph.checkpoint.memory import InMemorySaver

    def settle() -> None:
        if gc_mode == "settled":
            gc.collect()
            gc.freeze()

    payload = {"count": 0, "until": steps}
    plains: list[float] = []
    ours: list[float] = []
    if gc_mode == "off":
        gc.collect()
        gc.disable()
    try:
        for _ in range(rounds):
            graph = trivial_loop_builder().compile(checkpointer=InMemorySaver())
            config = {"configurable": {"thread_id": "plain"}, "recursion_limit": steps * 3}
            settle()
            t0 = time.perf_counter()
            for _ in graph.stream(payload, config, stream_mode="debug"):
                pass
            plains.append(time.perf_counter() - t0)

            events: list[object] = []
            bound = trivial_loop_builder().compile(checkpointer=InMemorySaver())
            runner = Runner(bound, "ours")
            settle()
            t0 = time.perf_counter()
            result = runner.run(payload, config={"configurable": {"thread_id": "ours"}, "recursion_limit": steps * 3}, sink=events.append)
            ours.append(time.perf_counter() - t0)
            assert result.error is None, result.error
            assert len(events) > 3 * steps  # a phase start and end and a checkpoint per step
    finally:
        gc.enable()
        gc.unfreeze()
    return median(plains), median(ours)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        flood = asyncio.run(flood_into_tui(Path(tmp) / "flood.ndjson"))
    plain, ours = overhead()
    plain_settled, ours_settled = overhead(gc_mode="settled")
    plain_nogc, ours_nogc = overhead(gc_mode="off")
    print("| measurement | result | goal |")
    print("|---|---:|---:|")
    print(f"| events into the TUI (a phase emitting {FLOOD['customs']:,} custom events, {FLOOD['logs']:,} log records, {FLOOD['words']:,} streamed words) | {flood['rate']:,.0f} events/s ({flood['events']:,} in {flood['seconds']:.2f} s) | ≥ 20,000/s |")
    print(f"| longest event-loop stall during the flood | {flood['stall_ms']:.0f} ms | ≤ 100 ms |")
    print(f"| peak resident memory added during the flood (buffer cap 50,000 events) | {flood['peak_mb']:.0f} MB | bounded |")
    print(f"| events in the recording | {flood['recorded']:,} of {flood['events']:,} | all |")
    print(f"| lines in the events log after the flood (it keeps 5,000) | {flood['lines']:,} | 5,000 |")
    print(f"| 1,000-step trivial graph: plain stream(debug) / under the debugger | {plain:.2f} s / {ours:.2f} s = {ours / plain:.2f}× | ≤ 1.5× |")
    print(f"| … the heap frozen before each run of either side, as the TUI freezes its start-up | {plain_settled:.2f} s / {ours_settled:.2f} s = {ours_settled / plain_settled:.2f}× | ≤ 1.5× |")
    print(f"| … the cyclic collector off on both sides (the work itself) | {plain_nogc:.2f} s / {ours_nogc:.2f} s = {ours_nogc / plain_nogc:.2f}× | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
