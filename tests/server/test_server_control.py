"""Acting on a real ``langgraph dev`` server through the debug session and the CLI.

Every refusal the issue names is checked to write nothing: the server itself would accept
a resume of a finished thread, an unknown interrupt id and an update at an unknown
checkpoint (making a stray checkpoint), so the history is compared before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from agent_debug.inspector.exceptions import ControlError, InspectorError, UsageError
from agent_debug.inspector.model import ThreadStatus
from agent_debug.inspector.session import open_session

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_")) and k != "LANGGRAPH_API_KEY"}
    env["NO_COLOR"] = "1"
    return env


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, env=_env(), timeout=120)


def ids(session, thread_id: str) -> list[str]:
    return [c.checkpoint_id for c in session.source.history(thread_id, limit=None).checkpoints]


@pytest.fixture
def session(langgraph_server):
    with open_session(langgraph_server.url) as s:
        yield s


def test_resume_by_interrupt_id_runs_on_and_reports_the_diff(langgraph_server, session):
    thread, _ = langgraph_server.run("review", {"draft": "notes"})
    pending = session.thread(thread).interrupts
    assert len(pending) == 1 and pending[0].response_schema["required"] == ["approved"]
    outcome = session.answer(thread, interrupt_id=pending[0].id[:8], value={"approved": True, "note": "ship"}, has_value=True)
    assert outcome.status is ThreadStatus.DONE
    assert outcome.sent == {pending[0].id: {"approved": True, "note": "ship"}}
    assert len(outcome.new_checkpoints) == 2 and outcome.head == outcome.new_checkpoints[-1]
    changed = {c.path: c.after for c in outcome.diff.changes}
    assert changed["approved"] is True and changed["log"][-1] == "published"
    # What the server now says agrees.
    with langgraph_server.client() as http:
        state = http.get(f"/threads/{thread}/state").json()
    assert state["values"]["note"] == "ship" and state["next"] == []


def test_refusals_write_nothing(langgraph_server, session):
    thread, _ = langgraph_server.run("review", {"draft": "notes"})
    before = ids(session, thread)
    with pytest.raises(ControlError, match="does not fit its response_schema"):
        session.answer(thread, value={"approved": "yes"}, has_value=True)
    with pytest.raises(ControlError, match="no pending interrupt matches"):
        session.answer(thread, interrupt_id="feedface", approve=True)
    with pytest.raises(ControlError, match="no pending interrupt 'feedface"):
        session.resume(thread, {"feedface00": True})
    # An unknown checkpoint: the server would make a stray checkpoint for this update.
    with pytest.raises(ControlError, match="does not belong to thread"):
        session.fork(thread, "1f1ee04e-0000-6000-8000-000000000000", {"draft": "x"})
    with pytest.raises(UsageError, match="no state key 'nope'"):
        session.fork(thread, before[0], {"nope": 1})
    assert ids(session, thread) == before
    session.answer(thread, approve=True)
    done = ids(session, thread)
    # A finished thread: the server would take the resume and run again.
    with pytest.raises(ControlError, match="not waiting at an interrupt"):
        session.answer(thread, approve=True)
    with pytest.raises(ControlError, match="is done"):
        session.cont(thread)
    assert ids(session, thread) == done


def test_replay_a_phase_with_an_edited_value(langgraph_server, session):
    thread, _ = langgraph_server.run("review", {"draft": "notes"})
    session.answer(thread, approve=True)
    rows = session.source.history(thread, limit=None).checkpoints
    at = next(r for r in rows if r.step == 1)  # ask_human is due there
    outcome = session.replay(thread, at.checkpoint_id, update={"draft": "a better draft"})
    assert outcome.action == "replay" and outcome.phases == ["ask_human"] and outcome.replayed_from == at.checkpoint_id
    assert outcome.status is ThreadStatus.INTERRUPTED
    assert outcome.interrupts[0].value["draft"] == "a better draft"
    fork = session.source.state(thread, checkpoint_id=outcome.new_checkpoints[0])
    assert fork.source == "update" and fork.parent_id == at.checkpoint_id and fork.values["draft"] == "a better draft"
    with pytest.raises(ControlError, match="not due"):
        session.replay(thread, at.checkpoint_id, node="publish")
    with pytest.raises(ControlError, match="root checkpoints only"):
        session.replay(thread, at.checkpoint_id, namespace="inner:x")


def test_replay_reruns_the_phase_and_stops_after_it(langgraph_server, session):
    thread, _ = langgraph_server.run("nested", {"n": 0})
    rows = session.source.history(thread, limit=None).checkpoints
    at = next(r for r in rows if r.step == 1)  # inner is due
    outcome = session.replay(thread, at.checkpoint_id)
    assert outcome.phases == ["inner"] and outcome.status is ThreadStatus.PENDING and outcome.next == ["finish"]
    assert [w.channel for w in outcome.replay_writes] == [w.channel for w in outcome.original_writes]
    assert outcome.diff is not None and any(c.path == "n" for c in outcome.diff.changes)


def test_step_and_root_breakpoints(langgraph_server, session):
    thread, _ = langgraph_server.run("nested", {"n": 0}, interrupt_before=["prepare"])
    assert session.thread(thread).status is ThreadStatus.PENDING
    first = session.step(thread)
    assert first.action == "step" and first.next == ["inner"] and len(first.new_checkpoints) == 1
    assert session.toggle_breakpoint("finish") is True
    stopped = session.cont(thread)
    assert stopped.next == ["finish"] and stopped.status is ThreadStatus.PENDING
    session.clear_breakpoints()
    assert session.cont(thread).status is ThreadStatus.DONE
    with pytest.raises(ControlError, match="does not honour breakpoints inside subgraphs"):
        session.toggle_breakpoint("inner:one")
    with pytest.raises(ControlError, match="no node 'nowhere'"):
        session.toggle_breakpoint("nowhere")


def test_start_a_run_and_cancel_one_started_elsewhere(langgraph_server, tmp_path):
    with open_session(langgraph_server.url, assistant="nested") as s:
        fresh = str(uuid.uuid4())
        new = s.start(fresh, {"n": 5})
        assert new.status is ThreadStatus.DONE and new.thread_id == fresh and len(new.new_checkpoints) >= 4
        with pytest.raises(InspectorError, match="badly formed"):
            s.start("not-a-uuid", {"n": 5})  # the server's ids are UUIDs: its refusal, one line
        gate = tmp_path / "gate"
        thread, run = langgraph_server.start_run("slow", {"messages": [{"type": "human", "content": "hi"}], "gate": str(gate)})
        # Wait until the server has the run going (a condition, not a duration).
        client = langgraph_server.client()
        for _ in range(6000):
            if client.get(f"/threads/{thread}").json()["status"] == "busy":
                break
            client.get("/ok")
        with pytest.raises(ControlError, match="is running on the server"):
            s.cont(thread)
        cancelled = s.cancel(thread)
        assert cancelled == [run["run_id"]]
        langgraph_server.join(thread, run["run_id"])
        assert client.get(f"/threads/{thread}/runs/{run['run_id']}").json()["status"] in ("interrupted", "error", "cancelled")
        client.close()


def test_cli_resume_replay_and_their_refusals(langgraph_server):
    url = langgraph_server.url
    thread, _ = langgraph_server.run("review", {"draft": "notes"})
    bad = cli("resume", url, "--thread", thread, "--value", '{"approved": 1}')
    assert bad.returncode == 1 and "response_schema" in bad.stderr and len(bad.stderr.splitlines()) == 1
    done = cli("resume", url, "--thread", thread, "--approve", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "done" and doc["target"] == url
    again = cli("resume", url, "--thread", thread, "--approve")
    assert again.returncode == 1 and "not waiting at an interrupt" in again.stderr
    rows = json.loads(cli("history", url, "--thread", thread, "--json").stdout)["checkpoints"]
    at = next(r for r in rows if r["step"] == 1)["checkpoint_id"]
    replay = cli("replay", url, "--thread", thread, "--checkpoint", at, "--update", '{"draft": "v2"}', "--json")
    assert replay.returncode == 0, replay.stderr
    assert json.loads(replay.stdout)["phases"] == ["ask_human"]
    stray = cli("replay", url, "--thread", thread, "--checkpoint", "1f1ee04e-0000-6000-8000-000000000000", "--update", '{"draft": "v3"}')
    assert stray.returncode == 1 and "does not belong" in stray.stderr
    wrong = cli("resume", url, "--thread", thread, "--approve", "--graph", "x.py:graph")
    assert wrong.returncode == 2 and "--graph does not apply to a LangGraph server" in wrong.stderr
    unknown = cli("resume", url, "--thread", "no-such-thread", "--approve")
    assert unknown.returncode == 1 and "no thread 'no-such-thread'" in unknown.stderr


def test_console_on_a_server(langgraph_server):
    thread, _ = langgraph_server.run("review", {"draft": "console"})
    script = "state\nanswer\ngraph\nanswer approve\nthread\n"
    done = subprocess.run(
        [AGENT_DEBUG, "console", langgraph_server.url, "--thread", thread], input=script, capture_output=True, text=True, env=_env(), timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Publish this draft?" in done.stdout
    assert "ask_human" in done.stdout and "write_draft" in done.stdout and "publish" in done.stdout  # the graph
    assert f"thread {thread}: done" in done.stdout


def test_read_only_sources_still_refuse(tmp_path):
    with pytest.raises(InspectorError):
        open_session(str(tmp_path / "missing.db"))


def _busy(langgraph_server, thread: str) -> None:
    """Wait until the server runs the thread (a condition, polled; never a duration)."""
    with langgraph_server.client() as http:
        for _ in range(6000):
            if http.get(f"/threads/{thread}").json()["status"] == "busy":
                return
    raise AssertionError(f"thread {thread} never became busy")


def test_console_cancels_a_run_started_elsewhere(langgraph_server, tmp_path):
    gate = tmp_path / "gate"
    thread, run = langgraph_server.start_run("slow", {"messages": [{"type": "human", "content": "hi"}], "gate": str(gate)})
    _busy(langgraph_server, thread)
    done = subprocess.run(
        [AGENT_DEBUG, "console", langgraph_server.url, "--thread", thread], input="cancel\ncancel\n", capture_output=True, text=True, env=_env(), timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"cancelled run {run['run_id']} of {thread}" in done.stdout
    langgraph_server.join(thread, run["run_id"])
    with langgraph_server.client() as http:
        assert http.get(f"/threads/{thread}/runs/{run['run_id']}").json()["status"] != "success"


async def test_the_app_cancels_the_threads_run_with_X(langgraph_server, tmp_path, monkeypatch):
    import asyncio

    from agent_debug.tui.app import AgentDebugApp

    monkeypatch.setenv("AGENT_DEBUG_KEYMAP", os.devnull)
    gate = tmp_path / "gate"
    thread, run = langgraph_server.start_run("slow", {"messages": [{"type": "human", "content": "hi"}], "gate": str(gate)})
    await asyncio.to_thread(_busy, langgraph_server, thread)
    session = open_session(langgraph_server.url)
    app = AgentDebugApp(session.source, thread_id=thread, controller=session)
    async with app.run_test(size=(140, 45)) as pilot:
        for _ in range(3000):
            if app.thread_id == thread:
                break
            await pilot.pause(0.02)
        await pilot.press("X")
        for _ in range(3000):
            texts = [n.message for n in app._notifications]
            if any("cancelled run" in t for t in texts):
                break
            await pilot.pause(0.02)
        assert any(f"cancelled run {run['run_id']} of {thread}" in t for t in texts), texts
    await asyncio.to_thread(langgraph_server.join, thread, run["run_id"])
