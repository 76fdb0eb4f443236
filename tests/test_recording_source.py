"""A recording opened as a target: the same questions answered from recorded events."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from agent_debug.inspector.targets import open_source
from agent_debug.tui.app import AgentDebugApp
from tests.tui.conftest import settle

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[1]


def record(tmp_path: Path, *extra: str, checkpointer: str = "memory") -> Path:
    path = tmp_path / "run.ndjson"
    out = subprocess.run(
        [AGENT_DEBUG, "run", "fixtures/feature_request.py:graph", "--no-ui", "--checkpointer", checkpointer,
         "--thread", "rec", "--input", '{"request": "x"}', "--record", str(path), *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert out.returncode in (0, 1), out.stderr
    return path


def test_threads_history_and_state_from_a_recording(tmp_path: Path):
    path = record(tmp_path)
    with open_source(str(path)) as source:
        [thread] = source.threads().threads
        assert (thread.thread_id, thread.status.value) == ("rec", "interrupted")
        assert thread.interrupts[0].node == "review"
        rows = source.history("rec", limit=None).checkpoints
        assert [r.nodes for r in reversed(rows) if r.nodes][:3] == [["analyze"], ["plan"], ["synthesize"]]
        state = source.state("rec", checkpoint_id=next(r.checkpoint_id for r in rows if r.nodes == ["analyze"]))
        assert "analysis" in state.values
    listed = subprocess.run([AGENT_DEBUG, "threads", str(path)], capture_output=True, text=True)
    assert listed.returncode == 0 and "rec" in listed.stdout and "interrupted" in listed.stdout


def test_a_recording_and_the_store_of_the_same_run_summarise_it_alike(tmp_path: Path):
    db = tmp_path / "runs.db"
    path = record(tmp_path, checkpointer=str(db))
    with open_source(str(path)) as recorded, open_source(str(db)) as stored:
        a, b = recorded.thread("rec"), stored.thread("rec")
    fields = ("status", "checkpoint_id", "checkpoint_count", "last_step", "last_node", "last_source", "next")
    assert {f: getattr(a, f) for f in fields} == {f: getattr(b, f) for f in fields}
    assert b.last_node == "sandbox_test" and b.next == ["review"]  # review waits: it made no checkpoint


def test_a_failed_run_reads_as_error(tmp_path: Path):
    path = record(tmp_path, "--input", '{"request": "x", "fail_permanently": true}')
    with open_source(str(path)) as source:
        thread = source.thread("rec")
    assert thread.status.value == "error" and thread.errors[0].type == "ValueError"


async def test_the_app_opens_a_recording_with_its_events(tmp_path: Path):
    path = record(tmp_path)
    app = AgentDebugApp(open_source(str(path)), poll_interval=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause(0.2)
        text = "\n".join(str(line.text) for line in app.query_one("#events-log").lines)
        assert "RateLimitError" in text and "⏸ interrupt" in text
        assert app.thread_id == "rec"
