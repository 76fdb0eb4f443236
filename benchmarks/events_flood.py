"""Live events under load, in one run:

1. A phase floods the stream (custom events, log records, streamed tokens). Into the
   TUI (Pilot, headless, the events pane on screen): events per second until every
   event reached the events pane and every line it will keep is drawn, and the slowest
   second of the flood; the longest event-loop stall while it happens; whether the
   recording holds every event; and the memory the debugger added: the peak of the
   process less the peak of the same flood run plainly (``graph.stream``), since
   LangChain itself holds every streamed chunk until the answer is complete. The
   flood runs at two sizes (50,000 and 150,000 events), each in a fresh process: the
   debugger's share must not grow with it. The plain run's time gives the plain rate
   of the same events: the debugger's rate over it is the ratio to keep (≥ 0.8×). The
   ratio is measured over several rounds (``--rounds``), each a plain run, a recorded
   TUI run and an unrecorded one side by side, with the time until every event is in
   the pane as well as the time until its lines are drawn; the medians are reported.
2. The debugger's overhead on a 1,000-step trivial graph: our controlled run (events,
   log capture) against plain ``graph.stream(stream_mode="debug")``, alternately, five
   times each; the medians.

Run: ``.venv/bin/python benchmarks/events_flood.py`` (``--ratio-only --rounds 5``: the ratio alone).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent_debug.inspector.acting_store import open_store_for_app
from agent_debug.inspector.runner import Runner
from agent_debug.inspector.session import DebugSession
from agent_debug.inspector.sources.local import LocalSource
from agent_debug.inspector.recording import Recorder, read_recording
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.widgets.events.events_view import EventsView

from tests.graphs import flood_builder, trivial_loop_builder

FLOOD = {"customs": 20_000, "logs": 10_000, "words": 20_000}


def scaled(times: int) -> dict[str, int]:
    return {key: n * times for key, n in FLOOD.items()}


async def flood_into_tui(record: Path | None, flood: dict[str, int] = FLOOD) -> dict[str, float]:
    """The flood into the TUI (headless, the events pane on screen), recorded to ``record``
    (``--record``) unless it is None."""
    store = open_store_for_app("memory", create=True)
    graph = flood_builder().compile()
    controller = DebugSession(LocalSource(store, graph))
    recorder = Recorder(record) if record is not None else None
    controller.sink = recorder.write if recorder is not None else None
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
        cpu0, ui0 = time.process_time(), time.thread_time()  # this loop runs on the UI thread
        t0 = time.perf_counter()
        app.act("run", lambda: controller.start("flood", flood))
        reached: list[tuple[float, int]] = []  # (time, events drained into the pane so far)
        in_pane = None  # when every event had reached the pane (its lines maybe not all drawn yet)
        while (
            controller.running
            or app.events._appended == 0
            or app.events._drained < app.events._appended
            or getattr(view, "lines_waiting", 0)
        ):
            reached.append((time.perf_counter(), app.events._drained))
            if in_pane is None and not controller.running and app.events._appended and app.events._drained == app.events._appended:
                in_pane = time.perf_counter() - t0
                cpu_in_pane, ui_in_pane = time.process_time() - cpu0, time.thread_time() - ui0
            await asyncio.sleep(0.01)
        took = time.perf_counter() - t0
        cpu, ui = time.process_time() - cpu0, time.thread_time() - ui0
        if in_pane is None:
            cpu_in_pane, ui_in_pane = cpu, ui
        await pilot.pause(0.2)
        stop = True
        await probe
        # Peak resident size grown during the flood (ru_maxrss is in KiB on Linux).
        peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
        produced = app.events._appended
        shown = app.query_one("#events-log").line_count if hasattr(app.query_one("#events-log"), "line_count") else len(app.query_one("#events-log").lines)
    recorded = 0
    if recorder is not None:
        recorder.close()
        recorded = sum(1 for _ in read_recording(record))
    return {
        "events": produced, "seconds": took, "rate": produced / took, "slowest_second": slowest_second(reached),
        "in_pane_s": in_pane if in_pane is not None else took,
        "stall_ms": worst * 1000, "peak_mb": peak / 1e6, "recorded": recorded, "lines": shown,
        # CPU seconds of the process and of the UI thread alone, until the end and until
        # every event was in the pane: on a busy machine, where the time went.
        "cpu_s": cpu, "ui_cpu_s": ui, "cpu_in_pane_s": cpu_in_pane, "ui_cpu_in_pane_s": ui_in_pane,
    }


def slowest_second(reached: list[tuple[float, int]]) -> float:
    """The fewest events that reached the pane in any one second of the flood (events/s).

    Seconds are counted until 99% of the events had arrived: the last few (the phase's
    end, its checkpoint) come after LangChain assembles the streamed answer from its
    chunks, a pause of the workload's own that a window over it would charge to us.
    """
    final = reached[-1][1]
    reached = [r for r in reached if r[1] <= 0.99 * final]
    rates = []
    j = 0
    for t, n in reached:
        while reached[j][0] < t - 1.0:
            j += 1
        if t - reached[0][0] >= 1.0:
            rates.append(n - reached[j][1])
    return float(min(rates)) if rates else float("nan")


def plain_flood(flood: dict[str, int]) -> dict[str, float]:
    """The flood run plainly: its peak memory (what the workload, LangChain and LangGraph,
    holds) and its seconds, from the start of the stream to its end."""
    import logging

    graph = flood_builder().compile()
    logging.getLogger("tests.flood").setLevel(logging.INFO)  # records are made, as under the debugger
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for _ in graph.stream(flood, stream_mode=["custom", "messages", "updates"]):
        pass
    took = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    return {"peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024 / 1e6, "seconds": took, "cpu_s": cpu}


def in_fresh_process(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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


def flood_rounds(rounds: int) -> dict[str, Any]:
    """The flood at its first size, ``rounds`` times: each round runs it plainly, then in
    the TUI recording it, then in the TUI without a recording, each in a fresh process
    one after the other (a busy machine slows neighbours alike). Per round, the ratio of
    the plain run's time to the TUI's (the same events: the ratio of the rates); the
    medians over the rounds, and the rounds themselves."""
    from statistics import median

    runs: list[dict[str, Any]] = []
    for _ in range(rounds):
        plainly = in_fresh_process("--plain-only", "1")
        recorded = in_fresh_process("--flood-only", "1")
        bare = in_fresh_process("--flood-only", "1", "--no-record")
        runs.append({"plain": plainly, "recorded": recorded, "bare": bare})

    def ratio(kind: str, seconds: str = "seconds") -> float:
        return median(r["plain"]["seconds"] / r[kind][seconds] for r in runs)

    return {
        "runs": runs,
        "ratio_recorded": ratio("recorded"), "ratio_bare": ratio("bare"),
        "ratio_recorded_in_pane": ratio("recorded", "in_pane_s"), "ratio_bare_in_pane": ratio("bare", "in_pane_s"),
        "cpu_recorded": median(r["plain"]["cpu_s"] / r["recorded"]["cpu_s"] for r in runs),
        "cpu_bare": median(r["plain"]["cpu_s"] / r["bare"]["cpu_s"] for r in runs),
        "plain_rate": median(r["recorded"]["events"] / r["plain"]["seconds"] for r in runs),
        "rate_recorded": median(r["recorded"]["rate"] for r in runs), "rate_bare": median(r["bare"]["rate"] for r in runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood-only", type=int, metavar="TIMES", help=argparse.SUPPRESS)
    parser.add_argument("--plain-only", type=int, metavar="TIMES", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of plain / recorded / unrecorded floods for the ratio (default 3)")
    parser.add_argument("--ratio-only", action="store_true", help="only the rounds for the ratio (no larger flood, no trivial graph)")
    args = parser.parse_args()
    if args.flood_only:
        with tempfile.TemporaryDirectory() as tmp:
            record = None if args.no_record else Path(tmp) / "flood.ndjson"
            print(json.dumps(asyncio.run(flood_into_tui(record, scaled(args.flood_only)))))
        return 0
    if args.plain_only:
        print(json.dumps(plain_flood(scaled(args.plain_only))))
        return 0

    rounds = flood_rounds(max(1, args.rounds))
    print("| round | plain | TUI, recording | TUI, no recording |")
    print("|---:|---:|---:|---:|")
    for i, r in enumerate(rounds["runs"], 1):
        p, rec, bare = r["plain"]["seconds"], r["recorded"], r["bare"]
        print(f"| {i} | {p:.2f} s | {rec['seconds']:.2f} s = {p / rec['seconds']:.2f}× (in the pane at {rec['in_pane_s']:.2f} s) "
              f"| {bare['seconds']:.2f} s = {p / bare['seconds']:.2f}× (in the pane at {bare['in_pane_s']:.2f} s) |")
    print()
    print("CPU seconds (the process; of which the UI thread; until every event was in the pane, then to the last line drawn):")
    for i, r in enumerate(rounds["runs"], 1):
        cells = [f"plain {r['plain']['cpu_s']:.2f}"]
        for kind in ("recorded", "bare"):
            k = r[kind]
            cells.append(f"{kind} {k['cpu_s']:.2f} = {r['plain']['cpu_s'] / k['cpu_s']:.2f}× (UI {k['ui_cpu_s']:.2f}; in the pane {k['cpu_in_pane_s']:.2f}, UI {k['ui_cpu_in_pane_s']:.2f})")
        print(f"  round {i}: " + "; ".join(cells))
    print(f"  median CPU ratio: {rounds['cpu_recorded']:.2f}× recording, {rounds['cpu_bare']:.2f}× without")
    print()
    print()
    ratio_row = (
        f"| events into the TUI against the same flood run plainly (`graph.stream`, its log records made), "
        f"the debugger's rate over the plain one, median of {len(rounds['runs'])} rounds | "
        f"{rounds['ratio_recorded']:.2f}× recording ({rounds['rate_recorded']:,.0f} against {rounds['plain_rate']:,.0f} events/s), "
        f"{rounds['ratio_bare']:.2f}× without ({rounds['rate_bare']:,.0f}/s); every event in the pane, its lines not all drawn yet: "
        f"{rounds['ratio_recorded_in_pane']:.2f}× / {rounds['ratio_bare_in_pane']:.2f}× | ≥ 0.8× |"
    )
    if args.ratio_only:
        print(ratio_row)
        return 0

    floods = {1: rounds["runs"][-1]["recorded"]}
    plainly = {1: rounds["runs"][-1]["plain"]}
    floods[3] = in_fresh_process("--flood-only", "3")
    plainly[3] = in_fresh_process("--plain-only", "3")
    for times in (1, 3):
        floods[times]["own_mb"] = floods[times]["peak_mb"] - plainly[times]["peak_mb"]
        # The same events in both: the ratio of the rates is that of the times.
        floods[times]["ratio"] = plainly[times]["seconds"] / floods[times]["seconds"]
    plain, ours = overhead()
    plain_settled, ours_settled = overhead(gc_mode="settled")
    plain_nogc, ours_nogc = overhead(gc_mode="off")
    small, big = floods[1], floods[3]
    print("| measurement | result | goal |")
    print("|---|---:|---:|")
    print(f"| events into the TUI (a phase emitting {FLOOD['customs']:,} custom events, {FLOOD['logs']:,} log records, {FLOOD['words']:,} streamed words), recording | {small['rate']:,.0f} events/s ({small['events']:,} in {small['seconds']:.2f} s; slowest second {small['slowest_second']:,.0f}) | ≥ 20,000/s |")
    print(f"| … three times as long | {big['rate']:,.0f} events/s ({big['events']:,} in {big['seconds']:.2f} s; slowest second {big['slowest_second']:,.0f}; {big['ratio']:.2f}× the plain rate) | ≥ 20,000/s |")
    print(ratio_row)
    print(f"| longest event-loop stall during the flood | {small['stall_ms']:.0f} ms (three times as long: {big['stall_ms']:.0f} ms) | ≤ 100 ms |")
    print(f"| memory the debugger added (buffer cap 50,000 events): peak less the plain run's | {small['own_mb']:.0f} MB (three times as long: {big['own_mb']:.0f} MB) | bounded |")
    print(f"| events in the recording | {small['recorded']:,} of {small['events']:,}; {big['recorded']:,} of {big['events']:,} | all |")
    print(f"| lines in the events log after the flood (it keeps 5,000) | {small['lines']:,} | 5,000 |")
    print(f"| 1,000-step trivial graph: plain stream(debug) / under the debugger, the heap frozen before each run of either side (agent-debug freezes its start-up: TUI and run --no-ui) | {plain_settled:.2f} s / {ours_settled:.2f} s = {ours_settled / plain_settled:.2f}× | ≤ 1.5× |")
    print(f"| … the cyclic collector off on both sides (the work itself) | {plain_nogc:.2f} s / {ours_nogc:.2f} s = {ours_nogc / plain_nogc:.2f}× | |")
    print(f"| … neither side frozen (not how agent-debug runs: where full collections fall decides) | {plain:.2f} s / {ours:.2f} s = {ours / plain:.2f}× | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
