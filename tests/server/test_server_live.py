"""Live runs on a real ``langgraph dev`` server: its stream as our events, joining a run
another client started, a run started without the modes we need, a failing run, and the
app attached to the server URL (new runs in the thread list, tokens of a joined run).

Every wait is for a condition (a run's status, a gate file the test creates once the
join is established, a line in the events pane), up to a deadline, never a duration.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agent_debug.inspector.events import EventExtractor
from agent_debug.inspector.sources.server import NO_TRACEBACK, ServerSource
from agent_debug.inspector.sources.server_events import (
    WANTED_MODES,
    ServerParts,
    follow_run,
    missing_notice,
    running_run,
    server_exception,
)

DEADLINE = 60.0
"""Seconds a condition may take on a busy machine before the test fails."""
ANSWER = "The build fails because the cache key ignores the lock file."
THINKING = "The user asks why the build fails; the cache key is the usual suspect."
HI = {"messages": [{"type": "human", "content": "why does the build fail?"}]}


def wait_for(condition: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    """``condition()`` once it is true; AssertionError naming ``what`` at the deadline."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.01)  # a poll interval, not a wait for anything to happen
    raise AssertionError(f"never happened: {what}")


def run_status(server, thread_id: str, run_id: str) -> str:
    with server.client() as http:
        return http.get(f"/threads/{thread_id}/runs/{run_id}").json()["status"]


def streamed(server, graph_id: str, input: Any, modes=WANTED_MODES, **body: Any) -> list[Any]:
    """Our events of a run streamed from the server (``runs/stream``), through ServerParts."""
    events: list[Any] = []
    with ServerSource(server.url) as source:
        thread_id = source.client.post("/threads", {})["thread_id"]
        extractor = EventExtractor(thread_id, on_event=events.append, stream_modes=["messages" if m == "messages-tuple" else m for m in modes])
        parts = ServerParts()
        extractor.start_run(graph=graph_id)
        error = None
        stream = source.client.stream(
            "POST", f"/threads/{thread_id}/runs/stream", {"assistant_id": graph_id, "input": input, "stream_mode": list(modes), **body}
        )
        for event, data in stream:
            if event == "error":
                error = parts.error(data)
            for ns, mode, chunk in parts.parts(event, data):
                extractor.feed(ns, mode, chunk)
        extractor.finish_run(error)
    return events


def of(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.kind == kind]


# -- the stream's events as ours ---------------------------------------------------------------------


def test_a_chat_run_streams_tokens_thinking_custom_phases_and_checkpoints(langgraph_server):
    events = streamed(langgraph_server, "chat", HI)

    tokens, thoughts = of(events, "token"), of(events, "thinking")
    assert all(e.streamed and e.node == "think" for e in tokens + thoughts)
    assert "".join(e.text for e in tokens) == ANSWER
    assert "".join(e.text for e in thoughts) == THINKING and {e.format for e in thoughts} == {"reasoning"}
    (custom,) = of(events, "custom")
    assert custom.payload == {"progress": "thinking", "percent": 10} and custom.node == "think"
    (started,), (finished,) = of(events, "phase_started"), of(events, "phase_finished")
    assert started.node == finished.node == "think" and started.task_id == finished.task_id == custom.task_id == tokens[0].task_id
    assert finished.status == "done" and finished.output_tokens == 25
    (usage,) = of(events, "usage")
    assert usage.model == "scripted-coder-1" and usage.output_tokens == 25
    checkpoints = of(events, "checkpoint")
    assert [c.source for c in checkpoints] == ["input", "loop", "loop"]
    assert checkpoints[-1].next == [] and checkpoints[-1].parent_id == checkpoints[-2].checkpoint_id
    assert events[-1].kind == "run_finished" and events[-1].status == "done"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


def test_messages_mode_partials_become_the_chunks_they_grew_by(langgraph_server):
    events = streamed(langgraph_server, "chat", HI, modes=("tasks", "messages"))

    tokens = of(events, "token")
    assert len(tokens) > 1 and all(e.streamed for e in tokens)
    assert "".join(e.text for e in tokens) == ANSWER
    assert "".join(e.text for e in of(events, "thinking")) == THINKING
    assert sum(e.output_tokens for e in of(events, "usage")) == 25


def test_subgraph_events_carry_their_namespace(langgraph_server):
    events = streamed(langgraph_server, "nested", {"n": 0}, modes=("tasks", "updates"), stream_subgraphs=True)

    phases = {(e.node, e.namespace.partition(":")[0]) for e in of(events, "phase_finished")}
    assert phases == {("prepare", ""), ("inner", ""), ("one", "inner"), ("two", "inner"), ("finish", "")}


def test_a_failing_run_reports_its_error_once_as_an_error_event(langgraph_server):
    events = streamed(langgraph_server, "failing", {"n": 0})

    (error,) = of(events, "error")
    assert (error.type, error.message, error.node) == ("ValueError", "quota exceeded for bucket 'reports' (request 7)", "flaky")
    assert error.classification and error.suggestion and NO_TRACEBACK in (error.traceback or "")
    failed = [e for e in of(events, "phase_finished") if e.status == "error"]
    assert [(e.node, e.error) for e in failed] == [("flaky", "ValueError")]
    assert events[-1].kind == "run_finished" and (events[-1].status, events[-1].error_type) == ("error", "ValueError")


def test_server_errors_keep_their_name_message_and_family():
    timeout = server_exception("TimeoutError", "upstream took too long")
    assert isinstance(timeout, OSError) and type(timeout).__name__ == "TimeoutError" and str(timeout) == "upstream took too long"
    assert str(server_exception("KeyError", "'draft'")) == "'draft'"
    custom = server_exception("QuotaExceeded", "bucket full")
    assert type(custom).__name__ == "QuotaExceeded" and str(custom) == "bucket full"
    assert server_exception("UnicodeDecodeError", "bad byte").args == ("bad byte",)


def test_the_notice_names_what_a_run_started_without_a_mode_cannot_show():
    assert missing_notice("R", ["tasks", "custom", "updates"]) == (
        "run R was started without stream mode messages: tokens are not shown; following its state"
    )
    assert missing_notice("R", ["values"]) == (
        "run R was started without stream modes messages, tasks, custom: tokens, phases and custom events are not shown; following its state"
    )
    assert missing_notice("R", list(WANTED_MODES)) is None
    assert missing_notice("R", ["messages", "debug", "custom"]) is None


# -- joining a run another client started ------------------------------------------------------------


def test_joining_a_running_run_shows_what_it_does_after_the_join(langgraph_server, tmp_path: Path):
    gate = tmp_path / "gate"
    thread_id, run = langgraph_server.start_run("slow", {**HI, "gate": str(gate)}, stream_mode=list(WANTED_MODES))
    wait_for(lambda: run_status(langgraph_server, thread_id, run["run_id"]) == "running", "the slow run runs")
    events: list[Any] = []
    with ServerSource(langgraph_server.url) as source:
        found = running_run(source, thread_id)
        assert found is not None and found["run_id"] == run["run_id"]
        follower = follow_run(source, thread_id, on_event=events.append)
        assert follower.joined.wait(DEADLINE), "the join never got an answer"
        gate.touch()
        assert follower.wait(DEADLINE), "the follower did not end with the run"

    assert follower.run_id == run["run_id"]
    assert events[0].kind == "run_started" and events[0].run_id == run["run_id"] and events[0].graph == "slow"
    assert events[-1].kind == "run_finished" and events[-1].run_id == run["run_id"] and events[-1].status == "done"
    opened = next(i for i, e in enumerate(events) if e.kind == "custom" and e.payload == {"progress": "gate opened"})
    assert events[opened].node == "slow_work"  # the phase running when it was joined
    after = events[opened:]
    assert "".join(e.text for e in after if e.kind == "token" and e.streamed) == ANSWER
    assert "".join(e.text for e in after if e.kind == "thinking" and e.streamed) == THINKING
    assert [(e.node, e.status) for e in of(after, "phase_finished")] == [("slow_work", "done"), ("wrap_up", "done")]
    assert of(after, "checkpoint")[-1].next == []
    assert not [e for e in of(events, "log") if e.level == "WARNING"]  # the run streams every mode we need


def test_a_run_started_with_values_only_says_so_and_follows_its_state(langgraph_server, tmp_path: Path):
    gate = tmp_path / "gate"
    thread_id, run = langgraph_server.start_run("slow", {**HI, "gate": str(gate)}, stream_mode=["values"])
    events: list[Any] = []
    with ServerSource(langgraph_server.url) as source:
        follower = follow_run(source, thread_id, run["run_id"], on_event=events.append, poll_s=0.05)
        assert follower.joined.wait(DEADLINE)
        gate.touch()
        assert follower.wait(DEADLINE)

    warnings = [e.message for e in of(events, "log") if e.level == "WARNING"]
    assert warnings == [missing_notice(run["run_id"], ["values"])]
    assert warnings[0].startswith(f"run {run['run_id']} was started without stream modes messages")
    assert not of(events, "token") and not of(events, "phase_started")
    with langgraph_server.client() as http:
        newest = http.get(f"/threads/{thread_id}/state").json()["checkpoint"]["checkpoint_id"]
    checkpoints = of(events, "checkpoint")
    assert checkpoints and checkpoints[-1].checkpoint_id == newest and checkpoints[-1].next == []
    assert events[-1].kind == "run_finished" and events[-1].status == "done"


def test_a_joined_run_that_fails_reports_its_error(langgraph_server, tmp_path: Path):
    # The failing run waits behind a slow one on the same thread until the gate opens: it
    # is joined before it starts, whatever the machine's speed.
    gate = tmp_path / "gate"
    thread_id, _ = langgraph_server.start_run("slow", {**HI, "gate": str(gate)})
    _, failing = langgraph_server.start_run("failing", {"n": 0}, thread_id=thread_id, stream_mode=["tasks", "updates"])
    events: list[Any] = []
    with ServerSource(langgraph_server.url) as source:
        follower = follow_run(source, thread_id, failing["run_id"], on_event=events.append)
        assert follower.joined.wait(DEADLINE)
        gate.touch()
        assert follower.wait(DEADLINE)

    (error,) = of(events, "error")
    assert (error.type, error.node, error.message) == ("ValueError", "flaky", "quota exceeded for bucket 'reports' (request 7)")
    assert events[-1].kind == "run_finished" and events[-1].status == "error" and events[-1].run_id == failing["run_id"]
    assert [e.message for e in of(events, "log") if e.level == "WARNING"] == [missing_notice(failing["run_id"], ["tasks", "updates"])]


def test_stopping_a_follower_leaves_the_run_going(langgraph_server, tmp_path: Path):
    gate = tmp_path / "gate"
    thread_id, run = langgraph_server.start_run("slow", {**HI, "gate": str(gate)}, stream_mode=list(WANTED_MODES))
    wait_for(lambda: run_status(langgraph_server, thread_id, run["run_id"]) == "running", "the slow run runs")
    events: list[Any] = []
    with ServerSource(langgraph_server.url) as source:
        follower = follow_run(source, thread_id, run["run_id"], on_event=events.append)
        assert follower.joined.wait(DEADLINE)
        follower.stop()  # blocked in a read of a silent stream: the stop wakes it
        assert follower.wait(DEADLINE)
    assert run_status(langgraph_server, thread_id, run["run_id"]) == "running"
    assert of(events, "log")[-1].message == f"stopped following run {run['run_id']}; it goes on on the server"
    assert not of(events, "run_finished")
    gate.touch()
    langgraph_server.join(thread_id, run["run_id"])


# -- the app attached to the server --------------------------------------------------------------------


async def pause_until(pilot, condition: Callable[[], Any], what: str, deadline: float = DEADLINE) -> None:
    """Let the app run until ``condition()`` holds, up to a deadline."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}" + ("\n" + "\n".join(pane_lines(pilot.app)) if pilot.app.is_running else ""))


def phase_table(app) -> str:
    """The events pane's phase-timing table, as plain text."""
    from rich.console import Console

    console = Console(width=140, record=True, color_system=None)
    with console.capture() as capture:
        console.print(app.query_one("#events-phases").content)
    return capture.get()


def pane_lines(app) -> list[str]:
    return [str(line.text) for line in app.query_one("#events-log").lines]


@pytest.fixture
def tui_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("AGENT_DEBUG_KEYMAP", os.devnull)  # the default keys, whatever the developer's keymap


async def test_the_app_shows_a_run_started_meanwhile_in_its_thread_list(langgraph_server, tui_keys):
    from agent_debug.inspector.targets import open_source
    from agent_debug.tui.app import AgentDebugApp
    from agent_debug.tui.widgets.threads.thread_list import ThreadList

    before = langgraph_server.create_thread()
    app = AgentDebugApp(open_source(langgraph_server.url))
    assert app.poll_interval <= 1  # the default: new runs show within a second
    async with app.run_test(size=(140, 45)) as pilot:
        listed = lambda: {t.thread_id for t in app.query_one(ThreadList).threads}  # noqa: E731
        await pause_until(pilot, lambda: before in listed(), "the first listing")
        thread_id, _ = await asyncio.to_thread(langgraph_server.run, "chat", HI)
        await pause_until(pilot, lambda: thread_id in listed(), "the new thread in the list")


async def test_the_app_joins_the_run_of_the_thread_shown_and_shows_its_tokens(langgraph_server, tmp_path: Path, tui_keys):
    from agent_debug.inspector.targets import open_source
    from agent_debug.tui.app import AgentDebugApp

    gate = tmp_path / "gate"
    thread_id, run = langgraph_server.start_run("slow", {**HI, "gate": str(gate)}, stream_mode=list(WANTED_MODES))
    app = AgentDebugApp(open_source(langgraph_server.url), thread_id=thread_id)
    async with app.run_test(size=(140, 45)) as pilot:
        app.action_show_tab("events")
        joined = lambda: app.feed.follower is not None and app.feed.follower.joined.is_set()  # noqa: E731
        await pause_until(pilot, joined, "the app joins the run")
        assert app.feed.follower.run_id == run["run_id"] and app.thread_id == thread_id
        gate.touch()
        await pause_until(pilot, lambda: any("run finished done" in line for line in pane_lines(app)), "the run's end in the pane")
        # The phase table is redrawn on the feed's own timer: read it once it shows the phase ended.
        await pause_until(pilot, lambda: " done" in phase_table(app), "the phase's end in the phase table")
        # The log is drawn on the feed's timer too (at a slower pace while events pour in):
        # read it once the custom event's line and the phase's thinking (drawn as the phase
        # ends) are in, whatever they say.
        drawn = lambda: (shown := pane_lines(app)) and any("gate opened" in x for x in shown) and any("thinking: " in x for x in shown)  # noqa: E731
        await pause_until(pilot, drawn, "the custom event's line and the thinking in the pane")
        lines = pane_lines(app)
        table = phase_table(app)
        held = app.feed.events.snapshot()

    assert any(f"joined run {run['run_id']} of thread {thread_id}" in line for line in lines)
    assert any("slow_work" in line and "custom {'progress': 'gate opened'}" in line for line in lines)
    # The streamed answer is gathered per phase (the pane shows it live, then folds it);
    # the streamed thinking comes out whole when the phase ends.
    opened = next(i for i, e in enumerate(held) if e.kind == "custom" and e.payload == {"progress": "gate opened"})
    assert "".join(e.text for e in held[opened:] if e.kind == "token" and e.streamed) == ANSWER
    assert any("slow_work" in line and f"thinking: {THINKING}" in line for line in lines)
    phase_rows = [row.split() for row in table.splitlines() if row.strip().startswith("slow_work")]
    assert phase_rows and phase_rows[0][2].endswith("/50") and phase_rows[0][-1] == "done"  # both model calls' tokens
