"""Recordings: a real run written as NDJSON and read back, event for event."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from langgraph.types import Command

from agent_debug.fixtures import feature_request
from agent_debug.inspector.events import CustomEvent
from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.recording import Recorder, RecordingError, read_recording
from tests.test_events import run_session


def test_a_recorded_run_reads_back_the_same_events(tmp_path):
    path = tmp_path / "session.ndjson"
    with Recorder(path) as recorder:
        live = run_session(feature_request.graph, [{"request": "Add a --json flag"}, Command(resume=True)], on_event=recorder)
    replayed = list(read_recording(path))
    assert recorder.count == len(live) == len(replayed)
    assert replayed == live  # same events, same order, same values
    assert [e.seq for e in replayed] == list(range(1, len(replayed) + 1))
    kinds = Counter(e.kind for e in replayed)
    every_kind = {"run_started", "run_finished", "phase_started", "phase_finished", "thinking", "token", "log", "custom"}
    every_kind |= {"error", "interrupt", "checkpoint", "usage"}
    assert every_kind <= set(kinds), every_kind - set(kinds)


def test_a_failed_run_keeps_its_traceback(tmp_path):
    path = tmp_path / "failed.ndjson"
    with Recorder(path) as recorder:
        live = run_session(feature_request.graph, [{"request": "x", "fail_permanently": True}], on_event=recorder)
    (error,) = [e for e in read_recording(path) if e.kind == "error" and not e.will_retry]
    assert error == next(e for e in live if e.kind == "error" and not e.will_retry)
    assert "in sandbox_test" in error.traceback and error.classification == "permanent"


def test_writes_from_several_threads_do_not_interleave(tmp_path):
    path = tmp_path / "threads.ndjson"
    payload = {"text": "x" * 5000}  # long lines are where interleaving would show

    def produce(worker: int) -> None:
        for i in range(200):
            recorder.write(CustomEvent(seq=worker * 1000 + i, time=0.0, node=f"w{worker}", payload=payload))

    with Recorder(path) as recorder:
        threads = [threading.Thread(target=produce, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    events = list(read_recording(path))
    assert len(events) == 1600 and Counter(e.node for e in events) == {f"w{n}": 200 for n in range(8)}


def test_lines_are_flushed_while_recording(tmp_path):
    path = tmp_path / "live.ndjson"
    with Recorder(path, flush_interval=0.0) as recorder:
        recorder.write(CustomEvent(seq=1, time=1.0, payload={"a": 1}))
        assert [e.payload for e in read_recording(path)] == [{"a": 1}]  # readable before close


def test_the_last_lines_of_a_burst_reach_the_file_when_events_stop(tmp_path):
    import time

    path = tmp_path / "burst.ndjson"
    with Recorder(path, flush_interval=0.2) as recorder:
        for i in range(50):
            recorder.write(CustomEvent(seq=i + 1, time=1.0, payload={"i": i}))
        # Nothing more is written (a run waiting at an interrupt): the lines must not
        # wait for the next event or for close().
        deadline = time.monotonic() + 2
        while len(list(read_recording(path))) < 50 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(list(read_recording(path))) == 50
        assert time.monotonic() < deadline - 1.5  # within about flush_interval


def test_not_a_recording(tmp_path):
    path = tmp_path / "notes.ndjson"
    path.write_text('{"hello": "world"}\n')
    with pytest.raises(RecordingError, match="is not an agent-debug recording"):
        list(read_recording(path))
    path.write_bytes(b"SQLite format 3\x00\x01\x02")
    with pytest.raises(RecordingError, match="is not an agent-debug recording"):
        list(read_recording(path))
    with pytest.raises(RecordingError, match="cannot open recording"):
        list(read_recording(tmp_path / "missing.ndjson"))
    assert issubclass(RecordingError, InspectorError) and RecordingError.exit_code == 1


def test_a_bad_line_names_its_number(tmp_path):
    path = tmp_path / "bad.ndjson"
    with Recorder(path) as recorder:
        recorder.write(CustomEvent(seq=1, time=1.0, payload=1))
    with path.open("a") as f:
        f.write(json.dumps({"kind": "custom", "seq": "two", "time": 2.0}) + "\n")
        f.write(CustomEvent(seq=3, time=3.0).model_dump_json() + "\n")
    with pytest.raises(RecordingError, match=r"bad\.ndjson:3: not an agent-debug event: custom\.seq"):
        list(read_recording(path))


def test_a_last_line_cut_short_is_skipped(tmp_path):
    path = tmp_path / "crashed.ndjson"
    with Recorder(path) as recorder:
        for seq in (1, 2):
            recorder.write(CustomEvent(seq=seq, time=1.0, payload=seq))
    with path.open("a") as f:
        f.write(CustomEvent(seq=3, time=1.0, payload=3).model_dump_json()[:25])  # died mid-write
    assert [e.seq for e in read_recording(path)] == [1, 2]
