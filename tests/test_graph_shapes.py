"""Shapes of graph the published libraries build, read from the store without the graph.

Each case runs a real graph on a real SqliteSaver and compares what agent-debug reads
with LangGraph's own ``get_state`` / ``get_state_history``: DeltaChannels (deepagents),
the functional API (``@entrypoint`` / ``@task``), and ``Send`` fan-outs (two tasks of
one node, a replayed fan-out).
"""

from __future__ import annotations

import json
import operator
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent_debug.inspector.decode import to_plain
from agent_debug.inspector.targets import open_source

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))


def cfg(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


def plain(value: Any) -> Any:
    """LangGraph's values as our JSON shows them."""
    return json.loads(json.dumps(to_plain(value), default=str))


def ours(source: Any, thread_id: str, checkpoint_id: str | None = None) -> Any:
    return json.loads(source.state(thread_id, checkpoint_id=checkpoint_id).model_dump_json())


def assert_history_agrees(graph: Any, db: Path, thread_id: str, *, skip_input: bool = False) -> int:
    """Every checkpoint's values and next equal LangGraph's; returns how many were compared."""
    compared = 0
    with open_source(str(db)) as source:
        for snap in graph.get_state_history(cfg(thread_id)):
            if skip_input and snap.metadata.get("source") == "input":
                continue
            got = ours(source, thread_id, snap.config["configurable"]["checkpoint_id"])
            assert got["values"] == plain(snap.values), snap.metadata
            assert Counter(got["next"]) == Counter(snap.next), snap.metadata
            compared += 1
    return compared


def saver_at(path: Path) -> SqliteSaver:
    return SqliteSaver(sqlite3.connect(path, check_same_thread=False))


# -- deepagents: messages and files in DeltaChannels ----------------------------------------


def _deep_agent(saver: SqliteSaver) -> Any:
    from deepagents import create_deep_agent

    from agent_debug.fixtures.chat_model import ScriptedChatModel, ScriptedReply, ScriptedToolCall, message_text

    def script(messages: Any, tools: Any) -> ScriptedReply:
        last = messages[-1]
        done = [message_text(m) for m in messages]
        if type(last).__name__ == "HumanMessage":
            return ScriptedReply(
                text="Writing notes.",
                thinking="a file first",
                tool_calls=(ScriptedToolCall("write_file", {"file_path": "/notes.md", "content": "one\ntwo"}),),
            )
        if not any("edited" in t for t in done) and type(last).__name__ == "ToolMessage" and "notes" in message_text(last):
            return ScriptedReply(
                text="Fixing a line.",
                tool_calls=(ScriptedToolCall("edit_file", {"file_path": "/notes.md", "old_string": "two", "new_string": "edited"}),),
            )
        return ScriptedReply(text="Notes are written.")

    return create_deep_agent(model=ScriptedChatModel(script=script), tools=[], checkpointer=saver)


def test_deepagents_delta_channels_are_rebuilt_as_langgraph_does(tmp_path: Path):
    db = tmp_path / "deep.db"
    agent = _deep_agent(saver_at(db))
    agent.invoke({"messages": [{"role": "user", "content": "write notes"}]}, cfg("d"))
    latest = agent.get_state(cfg("d"))
    assert latest.values["files"]["/notes.md"]["content"] == "one\nedited"

    with open_source(str(db)) as source:
        state = source.state("d")
        assert state.rebuilt == {"messages": "messages", "files": "dict-merge"}
        assert [m.role for m in state.messages][:2] == ["human", "ai"]
        assert len(state.messages) == len(latest.values["messages"])
    assert assert_history_agrees(agent, db, "d") >= 8

    # The command line shows the same, and a path into a rebuilt channel resolves.
    out = subprocess.run(
        [AGENT_DEBUG, "state", str(db), "--thread", "d", "--path", "files./notes.md.content", "--json"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(out.stdout)["values"] == "one\nedited"


# -- the functional API ---------------------------------------------------------------------


def _functional(saver: SqliteSaver) -> tuple[Any, Any]:
    from langgraph.func import entrypoint, task
    from langgraph.types import interrupt

    @task
    def draft(topic: str) -> str:
        return f"a draft about {topic}"

    @task
    def broken(topic: str) -> str:
        raise ValueError(f"no sources for {topic}")

    @entrypoint(checkpointer=saver)
    def publish(topic: str) -> dict:
        text = draft(topic).result()
        verdict = interrupt({"question": "publish?", "draft": text})
        return {"draft": text, "verdict": verdict}

    @entrypoint(checkpointer=saver)
    def research(topic: str) -> str:
        return broken(topic).result()

    return publish, research


def test_functional_api_threads_read_like_get_state(tmp_path: Path):
    from langgraph.types import Command

    db = tmp_path / "func.db"
    publish, research = _functional(saver_at(db))
    publish.invoke("owls", cfg("waiting"))
    publish.invoke("cats", cfg("done"))
    publish.invoke(Command(resume="yes"), cfg("done"))
    with pytest.raises(ValueError):
        research.invoke("moss", cfg("failed"))

    with open_source(str(db)) as source:
        waiting = source.state("waiting")
        assert waiting.next == ["publish"] == list(publish.get_state(cfg("waiting")).next)
        assert waiting.values is None
        [intr] = waiting.interrupts
        assert intr.id == publish.get_state(cfg("waiting")).interrupts[0].id and intr.node == "publish"
        assert source.thread("waiting").status.value == "interrupted"

        assert source.state("done").values == {"draft": "a draft about cats", "verdict": "yes"}

        failed = source.state("failed")
        assert [(e.node, e.type, e.message) for e in failed.errors] == [("research", "ValueError", "no sources for moss")]
        assert failed.next == ["research"]
    for graph, thread in ((publish, "waiting"), (publish, "done"), (research, "failed")):
        assert_history_agrees(graph, db, thread)


def test_functional_api_resume_approve_goes_through(tmp_path: Path):
    db = tmp_path / "func.db"
    publish, _ = _functional(saver_at(db))
    publish.invoke("owls", cfg("waiting"))
    module = tmp_path / "publish_app.py"
    module.write_text(
        "from langgraph.func import entrypoint, task\n"
        "from langgraph.types import interrupt\n"
        "@task\n"
        "def draft(topic: str) -> str:\n"
        "    return f'a draft about {topic}'\n"
        "@entrypoint()\n"
        "def publish(topic: str) -> dict:\n"
        "    text = draft(topic).result()\n"
        "    verdict = interrupt({'question': 'publish?', 'draft': text})\n"
        "    return {'draft': text, 'verdict': verdict}\n"
    )
    out = subprocess.run(
        [AGENT_DEBUG, "resume", str(db), "--thread", "waiting", "--graph", f"{module}:publish", "--value", '"ship it"'],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    final = publish.get_state(cfg("waiting"))
    assert final.values == {"draft": "a draft about owls", "verdict": "ship it"} and final.next == ()


# -- Send fan-outs ----------------------------------------------------------------------------


class FanState(TypedDict):
    items: list[str]
    out: Annotated[list[str], operator.add]


def _fan_out() -> Any:
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send

    builder = StateGraph(FanState)
    builder.add_node("plan", lambda s: {})
    builder.add_node("work", lambda s: {"out": [s["items"][0].upper()]})
    builder.add_node("join", lambda s: {})
    builder.add_edge(START, "plan")
    builder.add_conditional_edges("plan", lambda s: [Send("work", {"items": [i], "out": []}) for i in s["items"]], ["work"])
    builder.add_edge("work", "join")
    builder.add_edge("join", END)
    return builder


def test_two_sends_to_one_node_are_two_tasks_and_a_replayed_fan_out_names_its_node(tmp_path: Path):
    from agent_debug.inspector.acting_store import open_store
    from agent_debug.inspector.session import DebugSession
    from agent_debug.inspector.sources.local import LocalSource

    db = tmp_path / "fan.db"
    builder = _fan_out()
    graph = builder.compile(checkpointer=saver_at(db))
    graph.invoke({"items": ["a", "b"], "out": []}, cfg("fan"))
    # The thread's first checkpoint lists reducer channels LangGraph starts empty; without
    # the graph we cannot tell them from plain ones (README, "works with").
    assert_history_agrees(graph, db, "fan", skip_input=True)

    with open_source(str(db)) as source:
        rows = source.history("fan", limit=None).checkpoints
        planned = next(r for r in rows if r.nodes == ["plan"])
        assert source.state("fan", checkpoint_id=planned.checkpoint_id).next == ["work", "work"]
    with open_store(str(db)) as store:
        outcome = DebugSession(LocalSource(store, builder.compile())).replay("fan", planned.checkpoint_id)
    assert outcome.phases == ["work"]
    with open_source(str(db)) as source:
        branch = {r.checkpoint_id: r for r in source.history("fan", limit=None).checkpoints}
    ran = [branch[c].nodes for c in outcome.new_checkpoints if branch[c].source == "loop"]
    assert ran == [["work"]]


class PartState(TypedDict, total=False):
    items: list[str]
    out: Annotated[list[str], operator.add]
    note: str


def test_a_step_that_stopped_part_way_shows_its_finished_tasks_output(tmp_path: Path):
    """One Send fails after its sibling finished: LangGraph's latest state holds the
    sibling's writes (reduced onto values already there); ours does too, the reducer of
    each channel read from the thread's earlier steps."""
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send

    def work(state: PartState) -> dict[str, Any]:
        item = state["items"][0]
        if item == "bad":
            raise ValueError("cannot work on bad")
        return {"out": [item.upper()], "note": f"last: {item}"}

    builder = StateGraph(PartState)
    builder.add_node("seed", lambda s: {"out": ["A0"], "note": "seeded"})
    builder.add_node("again", lambda s: {"out": ["A1"], "note": "again"})  # shows both reducers
    builder.add_node("work", work)
    builder.add_edge(START, "seed")
    builder.add_edge("seed", "again")
    builder.add_conditional_edges("again", lambda s: [Send("work", {"items": [i]}) for i in s["items"]], ["work"])
    builder.add_edge("work", END)
    db = tmp_path / "part.db"
    graph = builder.compile(checkpointer=saver_at(db))
    with pytest.raises(ValueError):
        graph.invoke({"items": ["good", "bad"]}, cfg("part"))
    latest = graph.get_state(cfg("part"))
    assert latest.values["out"] == ["A0", "A1", "GOOD"] and latest.values["note"] == "last: good"
    with open_source(str(db)) as source:
        state = ours(source, "part")
        assert state["values"] == plain(latest.values)
        assert Counter(state["next"]) == Counter(latest.next)
        # With a checkpoint id, LangGraph shows the step as it started, and so do we.
        at = source.state("part", checkpoint_id=latest.config["configurable"]["checkpoint_id"])
        assert at.values["out"] == ["A0", "A1"] and at.values["note"] == "again"
