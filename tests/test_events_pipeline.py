"""EventPipeline: every event of a session counted once (run stats, stuck watch), however
many consumers read it, then handed to each of them in order."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

from agent_debug.fixtures import feature_request
from agent_debug.inspector.events import EventExtractor, EventPipeline, RunStats, StuckWatch, parse_event
from agent_debug.inspector.recording import read_recording

ROOT = Path(__file__).resolve().parents[1]


class CountingStats(RunStats):
    """RunStats that remembers which events it was fed (by seq and kind)."""

    def __init__(self) -> None:
        self.fed: Counter[tuple[str | None, int, str]] = Counter()
        super().__init__()

    def observe(self, event: Any) -> None:
        self.fed[(event.thread_id, event.seq, event.kind)] += 1
        super().observe(event)


class CountingWatch(StuckWatch):
    def __init__(self) -> None:
        self.fed: Counter[tuple[str | None, int, str]] = Counter()
        super().__init__()

    def observe(self, event: Any) -> None:
        self.fed[(event.thread_id, event.seq, event.kind)] += 1
        super().observe(event)


def keys(events: list[Any]) -> list[tuple[str | None, int, str]]:
    return [(e.thread_id, e.seq, e.kind) for e in events]


def test_a_run_through_the_pipeline_counts_each_event_once():
    """The extractor counts into the pipeline as it makes each event; the pipeline must
    not count it again when it hands it out (nor the extractor keep stats of its own)."""
    from agent_debug.inspector.acting_store import open_store_for_app
    from agent_debug.inspector.session import DebugSession
    from agent_debug.inspector.sources.local import LocalSource

    stats, watch = CountingStats(), CountingWatch()
    shown: list[Any] = []
    recorded: list[Any] = []
    pipeline = EventPipeline(shown.append, None, recorded.append, stats=stats, watch=watch)
    store = open_store_for_app("memory", create=True)
    try:
        session = DebugSession(LocalSource(store, feature_request.graph), sink=pipeline)
        outcome = session.start("t1", {"request": "Add a --json flag"})
        session.resume("t1", {i.id: True for i in outcome.interrupts})
    finally:
        store.close()
    assert shown == recorded and len(shown) > 50
    assert stats.fed == watch.fed == Counter(keys(shown))
    assert set(stats.fed.values()) == {1}  # fed once each, never twice
    # The totals the extractor wrote into its events are the pipeline's numbers.
    finished = [e for e in shown if e.kind == "run_finished"]
    assert finished[-1].output_tokens == stats.output_tokens > 0
    again = RunStats.from_events(shown)
    assert {k: (p.output_tokens, p.status) for k, p in again.phases.items()} == {
        k: (p.output_tokens, p.status) for k, p in stats.phases.items()
    }


def test_events_from_a_recording_are_counted_once_and_fanned_out_in_order():
    stats = CountingStats()
    order: list[str] = []
    pipeline = EventPipeline(lambda e: order.append(f"a{e.seq}"), stats=stats)
    pipeline.add_sink(lambda e: order.append(f"b{e.seq}"))
    pipeline.add_sink(None)
    events = list(read_recording(ROOT / "tests" / "data" / "events.ndjson"))
    for event in events:
        pipeline(event)
    assert set(stats.fed.values()) == {1} and sum(stats.fed.values()) == len(events)
    assert order[:4] == ["a1", "b1", "a2", "b2"] and len(order) == 2 * len(events)
    assert pipeline.stuck() == []  # no watch: nothing flagged


def test_an_extractor_without_a_pipeline_keeps_its_own_stats():
    mine: list[Any] = []
    extractor = EventExtractor("t", on_event=mine.append)
    extractor.start_run()
    assert extractor.stats.started is not None and mine[0].kind == "run_started"
    pipeline = EventPipeline(stats=CountingStats())
    extractor.on_event = pipeline
    assert extractor.stats is pipeline.stats
    extractor.finish_run()
    assert [k for _, _, k in pipeline.stats.fed] == ["run_finished"]  # type: ignore[attr-defined]


def _usage(seq: int, task: str) -> Any:
    return parse_event({"seq": seq, "time": 1.0, "kind": "usage", "task_id": task, "node": "n", "input_tokens": 1,
                        "output_tokens": 2, "total_tokens": 3, "model": f"m{seq % 7}"})  # fmt: skip


def test_a_snapshot_is_a_copy_safe_to_read_while_a_run_counts():
    pipeline = EventPipeline()
    pipeline(_usage(1, "a"))
    before = pipeline.snapshot()
    pipeline(_usage(2, "a"))
    assert (before.output_tokens, before.phases["a"].output_tokens) == (2, 2)
    assert pipeline.stats.phases["a"].by_model != before.phases["a"].by_model

    # Another thread counts new phases while this one reads every number of snapshots.
    done = threading.Event()

    def count() -> None:
        for seq in range(3, 20_000):
            pipeline.count(_usage(seq, f"task{seq}"))
        done.set()

    worker = threading.Thread(target=count)
    worker.start()
    prices = {"m1": {"input": 1.0, "output": 1.0}}
    while not done.is_set():
        snap = pipeline.snapshot()
        assert snap.cost(prices) is None or snap.cost(prices) >= 0
        assert sum(p.output_tokens for p in snap.phases.values()) == snap.output_tokens
        snap.slowest()
    worker.join()
    assert pipeline.snapshot().output_tokens == 2 * (20_000 - 1)
