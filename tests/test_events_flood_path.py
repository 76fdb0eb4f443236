"""The path a flood of events takes under the debugger, made cheap without changing what
it carries: the hot kinds built without validation are the events validation makes, the
recording holds every event as ``model_dump_json`` writes it, each event is counted once
through the session's error watch, and a run's totals stay the run's."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pydantic
import pytest

from agent_debug.fixtures import feature_request
from agent_debug.inspector.acting_store import open_store_for_app
from agent_debug.inspector.events import EventPipeline, RunStats, StuckWatch, parse_event
from agent_debug.inspector.events.model import CustomEvent, LogEvent, ThinkingEvent, TokenEvent, UsageEvent, made
from agent_debug.inspector.recording import Recorder, read_recording
from agent_debug.inspector.session import DebugSession
from agent_debug.inspector.sources.local import LocalSource
from tests.graphs import flood_builder
from tests.test_events_pipeline import CountingStats, CountingWatch, keys

HOT = {"custom", "token", "thinking", "log", "usage"}


def run_into(graph: Any, runs: list[tuple[str, Any]], *sinks: Any, stats: RunStats | None = None, watch: StuckWatch | None = None) -> list[Any]:
    """Runs on a real session (in-memory SQLite) into a pipeline of ``sinks``; the events it handed out."""
    shown: list[Any] = []
    pipeline = EventPipeline(shown.append, *sinks, stats=stats, watch=watch)
    store = open_store_for_app("memory", create=True)
    try:
        session = DebugSession(LocalSource(store, graph), sink=pipeline)
        for verb, payload in runs:
            if verb == "start":
                outcome = session.start("t1", payload)
            else:
                session.resume("t1", {i.id: True for i in outcome.interrupts})
    finally:
        store.close()
    return shown


def test_a_flood_reaches_the_sinks_and_the_recording_whole_in_order_and_counted_once(tmp_path):
    path = tmp_path / "flood.ndjson"
    stats, watch = CountingStats(), CountingWatch()
    with Recorder(path) as recorder:
        shown = run_into(flood_builder().compile(), [("start", {"customs": 3000, "logs": 1000, "words": 2000})], recorder.write, stats=stats, watch=watch)
    recorded = list(read_recording(path))
    assert recorded == shown  # every event, the same values, the same order
    assert [e.seq for e in shown] == list(range(1, len(shown) + 1))
    kinds = Counter(e.kind for e in shown)
    assert kinds["custom"] == 3000 and kinds["log"] == 1000 and kinds["token"] >= 2000
    assert [e.payload["i"] for e in shown if e.kind == "custom"] == list(range(3000))
    # Through the session's error watch too, each event is counted once.
    assert stats.fed == watch.fed == Counter(keys(shown))
    assert set(stats.fed.values()) == {1}


def test_the_hot_kinds_built_unvalidated_are_the_events_validation_makes(tmp_path):
    path = tmp_path / "run.ndjson"
    with Recorder(path) as recorder:
        shown = run_into(feature_request.graph, [("start", {"request": "Add a --json flag"}), ("resume", None)], recorder.write)
    assert HOT <= {e.kind for e in shown}
    lines = path.read_bytes().splitlines()[1:]
    for event, line in zip(shown, lines, strict=True):
        # The recording's line is what model_dump_json writes; validated again, the same event.
        assert line == event.model_dump_json().encode()
        again = type(event).model_validate(event.model_dump())
        assert again == event and again.model_dump_json() == event.model_dump_json()
        assert parse_event(line) == event
    with pytest.raises(pydantic.ValidationError):
        shown[-1].seq = 0  # frozen, built or validated


def test_made_asks_validation_about_missing_or_unknown_fields():
    where = {"seq": 1, "time": 2.0, "thread_id": "t", "node": "n", "task_id": "x"}
    for cls, fields in [
        (CustomEvent, {"payload": {"a": [1, 2]}}),
        (TokenEvent, {"text": "hi", "message_id": "m"}),
        (ThinkingEvent, {"text": "hm", "format": "reasoning", "streamed": False}),
        (LogEvent, {"level": "INFO", "levelno": 20, "logger": "a.b", "message": "m"}),
        (UsageEvent, {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3, "model": "x"}),
    ]:
        built, validated = made(cls, {**where, **fields}), cls(**where, **fields)
        assert built == validated and built.model_dump_json() == validated.model_dump_json()
        assert built.model_fields_set == validated.model_fields_set
    with pytest.raises(pydantic.ValidationError):
        made(TokenEvent, {"seq": 1, "time": 1.0})  # no text
    with pytest.raises(pydantic.ValidationError):
        made(CustomEvent, {**where, "payload": 1, "colour": "red"})  # no such field


def test_a_runs_totals_are_its_own_when_the_pipeline_counts_the_whole_thread():
    """The TUI's pipeline counts a thread's runs together; the run_finished of each run
    still carries that run's tokens (and each phase_finished its task's)."""
    stats = RunStats(whole_thread=True)
    shown = run_into(feature_request.graph, [("start", {"request": "Add a --json flag"}), ("resume", None)], stats=stats)
    runs: list[list[Any]] = []
    for e in shown:
        if e.kind == "run_started":
            runs.append([])
        runs[-1].append(e)
    assert len(runs) == 2
    for run in runs:
        usage = [e for e in run if e.kind == "usage"]
        (finished,) = [e for e in run if e.kind == "run_finished"]
        assert (finished.input_tokens, finished.output_tokens) == (sum(u.input_tokens for u in usage), sum(u.output_tokens for u in usage))
        for phase in (e for e in run if e.kind == "phase_finished"):
            assert phase.output_tokens == sum(u.output_tokens for u in usage if u.task_id == phase.task_id)
    # Both runs reported tokens: the thread's count is their sum, neither run's alone.
    assert all(run[-1].output_tokens for run in runs)
    assert sum(run[-1].output_tokens for run in runs) == stats.output_tokens
