"""``agent-debug run --no-ui``: events for CI logs, NDJSON, recordings, exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agent_debug.inspector.events import parse_event
from agent_debug.inspector.recording import read_recording

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[1]
FEATURE = "fixtures/feature_request.py:graph"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_readable_lines_until_the_interrupt(tmp_path: Path):
    out = run("run", FEATURE, "--no-ui", "--checkpointer", str(tmp_path / "r.db"), "--thread", "t", "--input", '{"request": "x"}')
    assert out.returncode == 0, out.stderr
    for text in ("run started", "analyze", "thinking:", "▶ started", "■ done in", "RateLimitError", "will retry", "transient", "⏸ interrupt", "run interrupted"):
        assert text in out.stdout, text
    assert "thread t in" in out.stderr and "interrupted; next: review" in out.stderr


def test_a_run_in_memory_does_not_name_a_file_it_removes():
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "memory", "--thread", "t", "--input", '{"request": "x"}')
    assert out.returncode == 0, out.stderr
    assert "thread t in memory (not kept): interrupted; next: review" in out.stderr


def test_failure_exits_1_with_traceback_and_class(tmp_path: Path):
    out = run(
        "run", FEATURE, "--no-ui", "--checkpointer", "memory",
        "--input", '{"request": "x", "fail_permanently": true}',
    )
    assert out.returncode == 1
    assert "the workflow failed in sandbox_test: ValueError: sandbox image 'python:9.9' not found" in out.stderr
    assert "Traceback (most recent call last)" in out.stdout and "permanent" in out.stdout


def test_ndjson_and_recording_agree(tmp_path: Path):
    record = tmp_path / "run.ndjson"
    out = run(
        "run", FEATURE, "--no-ui", "--json", "--checkpointer", "memory", "--input", '{"request": "x"}', "--record", str(record)
    )
    assert out.returncode == 0, out.stderr
    printed = [parse_event(json.loads(line)) for line in out.stdout.splitlines()]
    recorded = list(read_recording(record))
    assert printed == recorded
    assert [e.seq for e in recorded] == list(range(1, len(recorded) + 1))
    kinds = {e.kind for e in recorded}
    assert {"run_started", "phase_started", "phase_finished", "thinking", "token", "log", "custom", "error", "interrupt", "checkpoint", "run_finished"} <= kinds


def test_breakpoint_stops_a_headless_run(tmp_path: Path):
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "memory", "--input", '{"request": "x"}', "--break", "sandbox_test")
    assert out.returncode == 0
    assert "pending; next: sandbox_test" in out.stderr
    bad = run("run", FEATURE, "--no-ui", "--checkpointer", "memory", "--break", "nope")
    assert bad.returncode == 2 and "no node 'nope'" in bad.stderr
