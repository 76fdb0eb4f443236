"""The sample workflows and the seeding function, run for real (no mocks)."""

from __future__ import annotations

import importlib
import logging
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, StateSnapshot

from agent_debug.fixtures import feature_request, long_loop, supervisor, tool_agent
from agent_debug.fixtures.chat_model import (
    THINKING_FORMATS,
    ScriptedChatModel,
    ScriptedReply,
    ScriptedToolCall,
    ThinkingFormat,
    keyword_script,
    message_text,
)
from agent_debug.fixtures.seed import (
    END_STATES,
    GRAPH_REFS,
    LONG_THREAD_ID,
    SCENARIOS,
    SeedReport,
    main,
    seed_bulk,
    seed_store,
)

WORKFLOWS = [feature_request, tool_agent, supervisor, long_loop]
Graph = CompiledStateGraph[Any, Any, Any, Any]


@pytest.fixture
def saver() -> Iterator[SqliteSaver]:
    with SqliteSaver.from_conn_string(":memory:") as s:
        yield s


def bind(graph: Graph, saver: SqliteSaver) -> Graph:
    return graph.copy(update={"checkpointer": saver})


def config(thread_id: str, recursion_limit: int = 25) -> RunnableConfig:
    return {
        "configurable": {"thread_id": thread_id},
        "recursion_limit": recursion_limit,
    }


def subgraph_state(state: StateSnapshot) -> StateSnapshot:
    """The state of the subgraph the first task of `state` is running."""
    sub = state.tasks[0].state
    assert isinstance(sub, StateSnapshot)
    return sub


# --- modules ------------------------------------------------------------------


@pytest.mark.parametrize("module", WORKFLOWS, ids=lambda m: m.__name__.rsplit(".")[-1])
def test_module_exposes_graph_without_checkpointer(module: Any) -> None:
    assert isinstance(module.graph, CompiledStateGraph)
    assert isinstance(module.builder, StateGraph)
    assert module.graph.checkpointer is None
    for name in module.graph.nodes:
        assert name == "__start__" or name.isidentifier()


def test_builder_compiles_with_a_checkpointer(saver: SqliteSaver) -> None:
    graph = long_loop.builder.compile(checkpointer=saver)
    graph.invoke({"target": 3}, config("t"))
    assert len(list(saver.list(config("t")))) == 5  # input, __start__, 3 ticks


def test_importing_fixtures_creates_no_files(tmp_path: Path) -> None:
    code = (
        "import agent_debug.fixtures.feature_request, agent_debug.fixtures.tool_agent,"
        " agent_debug.fixtures.supervisor, agent_debug.fixtures.long_loop,"
        " agent_debug.fixtures.seed"
    )
    subprocess.run(
        [sys.executable, "-B", "-c", code], cwd=tmp_path, check=True, timeout=60
    )
    assert list(tmp_path.iterdir()) == []


# --- chat model ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", THINKING_FORMATS)
def test_chat_model_streams_tokens_and_merges_to_the_invoke_result(
    fmt: ThinkingFormat,
) -> None:
    reply = ScriptedReply(
        "Three word answer.", thinking="Think first.", thinking_format=fmt
    )
    model = ScriptedChatModel(script=keyword_script([], reply), model_name="m-1")
    chunks = list(model.stream([HumanMessage("question")]))
    assert len(chunks) > 4 and all(isinstance(c, AIMessageChunk) for c in chunks)
    merged = sum(chunks[1:], chunks[0])
    message = model.invoke([HumanMessage("question")])
    assert merged.content == message.content
    assert message.usage_metadata == {
        "input_tokens": 1,
        "output_tokens": len(chunks) - 1,
        "total_tokens": len(chunks),
    }
    assert message.response_metadata["model_name"] == "m-1"
    assert thinking_format(message) == fmt


def test_chat_model_calls_only_bound_tools_with_stable_ids() -> None:
    reply = ScriptedReply(
        "Searching.", tool_calls=(ScriptedToolCall("search_docs", {"query": "q"}),)
    )
    model = ScriptedChatModel(
        script=keyword_script([("search", reply)], ScriptedReply("no"))
    )
    bound = model.bind_tools([tool_agent.search_docs])
    first = bound.invoke([HumanMessage("please search")])
    again = bound.invoke([HumanMessage("please search")])
    assert first.tool_calls == again.tool_calls
    assert first.tool_calls[0]["name"] == "search_docs"
    assert first.tool_calls[0]["args"] == {"query": "q"}
    assert first.response_metadata["finish_reason"] == "tool_calls"
    assert model.invoke([HumanMessage("please search")]).tool_calls == []


def thinking_format(message: AIMessage) -> str | None:
    if message.additional_kwargs.get("reasoning_content"):
        return "reasoning_content"
    if isinstance(message.content, list):
        for block in message.content:
            if isinstance(block, dict) and block.get("type") == "reasoning":
                return "reasoning"
            if isinstance(block, dict) and block.get("type") == "thinking":
                assert block.get("signature")
                return "thinking"
    return None


# --- feature_request ----------------------------------------------------------


def test_feature_request_retries_once_then_waits_for_review(
    saver: SqliteSaver, caplog: pytest.LogCaptureFixture
) -> None:
    graph = bind(feature_request.graph, saver)
    caplog.set_level(logging.INFO)
    parts = list(
        graph.stream(
            {"request": "Add --json", "max_iterations": 3},
            config("fr"),
            stream_mode=["debug", "custom", "messages"],
            version="v2",
        )
    )
    tasks = [
        p["data"] for p in parts if p["type"] == "debug" and p["data"]["type"] == "task"
    ]
    assert [t["payload"]["name"] for t in tasks] == [
        "analyze",
        "plan",
        "synthesize",
        "sandbox_test",
        "synthesize",
        "sandbox_test",
        "review",
    ]
    # The rate limit is absorbed inside the plan task: it shows in the logs only.
    retries = [
        r for r in caplog.records if r.getMessage().startswith("Retrying task plan")
    ]
    assert len(retries) == 1
    assert "429 Too Many Requests" in retries[0].getMessage()
    assert isinstance(retries[0].exc_info[1], feature_request.RateLimitError)  # type: ignore[index]
    ours = [
        r for r in caplog.records if r.name == "agent_debug.fixtures.feature_request"
    ]
    assert {r.levelname for r in ours} >= {"INFO", "WARNING"}

    custom = [p["data"] for p in parts if p["type"] == "custom"]
    assert {
        "phase": "sandbox_test",
        "progress": 0.5,
        "status": "running tests",
    } in custom
    tokens = [p["data"] for p in parts if p["type"] == "messages"]
    token_nodes = Counter(meta["langgraph_node"] for _, meta in tokens)
    assert set(token_nodes) == {"analyze", "plan", "synthesize"}
    assert all(n > 10 for n in token_nodes.values())

    state = graph.get_state(config("fr"))
    assert state.next == ("review",)
    [interrupt] = state.tasks[0].interrupts
    assert interrupt.value["options"] == ["approve", "reject"]
    assert "def render_report" in interrupt.value["code"]
    assert state.values["iterations"] == 2  # the first test run failed
    assert state.values["test_report"]["passed"]

    messages = [m for m in state.values["messages"] if isinstance(m, AIMessage)]
    assert {thinking_format(m) for m in messages} == set(THINKING_FORMATS)
    for message in messages:
        assert message.usage_metadata and message.usage_metadata["total_tokens"] > 0
        assert message.response_metadata["model_name"] == "scripted-coder-1"

    graph.invoke(Command(resume=True), config("fr"))
    done = graph.get_state(config("fr"))
    assert done.next == () and done.values["approved"] is True


@pytest.mark.parametrize("answer", [True, "approve", {"approved": True}])
def test_review_approvals(answer: Any) -> None:
    assert feature_request.parse_review(answer) == (True, "")


@pytest.mark.parametrize(
    ("answer", "feedback"),
    [
        (False, "Rejected without comment."),
        ({"approved": False, "feedback": "No."}, "No."),
    ],
)
def test_review_rejections(answer: Any, feedback: str) -> None:
    assert feature_request.parse_review(answer) == (False, feedback)


def test_feature_request_reject_loops_back_with_feedback(saver: SqliteSaver) -> None:
    graph = bind(feature_request.graph, saver)
    graph.invoke({"max_iterations": 3}, config("rj"))
    graph.invoke(
        Command(resume={"approved": False, "feedback": "Handle unicode names."}),
        config("rj"),
    )
    state = graph.get_state(config("rj"))
    assert state.next == ("review",)
    assert state.values["iterations"] == 3
    assert "Handle unicode names." in state.values["code"]
    graph.invoke(Command(resume="approve"), config("rj"))
    assert graph.get_state(config("rj")).next == ()


def test_feature_request_fail_permanently_ends_in_error(saver: SqliteSaver) -> None:
    graph = bind(feature_request.graph, saver)
    with pytest.raises(ValueError, match=r"python:9\.9"):
        graph.invoke({"fail_permanently": True}, config("err"))
    state = graph.get_state(config("err"))
    assert state.next == ("sandbox_test",)
    assert "sandbox image 'python:9.9' not found" in str(state.tasks[0].error)
    latest = saver.get_tuple(config("err"))
    assert latest is not None and latest.pending_writes
    assert [w[1] for w in latest.pending_writes] == ["__error__"]


# --- tool_agent ---------------------------------------------------------------


def test_tool_agent_asks_before_the_dangerous_tool(saver: SqliteSaver) -> None:
    graph = bind(tool_agent.graph, saver)
    graph.invoke(
        {"messages": [("user", "Find the cache docs and clean the build dir")]},
        config("ta"),
    )
    state = graph.get_state(config("ta"))
    assert state.next == ("tools",)
    [interrupt] = state.interrupts
    assert interrupt.value["action"] == "delete_files"
    assert interrupt.value["args"] == {"paths": ["build/", ".cache/"]}
    ran = [m.name for m in state.values["messages"] if isinstance(m, ToolMessage)]
    assert ran == ["search_docs"]

    graph.invoke(
        Command(resume={"approved": False, "reason": "not today"}), config("ta")
    )
    messages = graph.get_state(config("ta")).values["messages"]
    refusal = [m for m in messages if isinstance(m, ToolMessage)][-1]
    assert refusal.name == "delete_files"
    assert message_text(refusal).startswith("Refused")
    assert "not approved" in message_text(messages[-1])


def test_tool_agent_runs_the_tool_once_approved(saver: SqliteSaver) -> None:
    graph = bind(tool_agent.graph, saver)
    graph.invoke({"messages": [("user", "Clean the cache please")]}, config("ok"))
    graph.invoke(Command(resume="approve"), config("ok"))
    state = graph.get_state(config("ok"))
    assert state.next == ()
    results = [m for m in state.values["messages"] if isinstance(m, ToolMessage)]
    assert message_text(results[-1]).startswith("Deleted")


# --- supervisor ---------------------------------------------------------------


def test_supervisor_subgraphs_fan_out_and_interrupt_inside(saver: SqliteSaver) -> None:
    graph = bind(supervisor.graph, saver)
    updates = list(
        graph.stream(
            {"topic": "caches"}, config("sv"), stream_mode="updates", subgraphs=True
        )
    )
    nodes = Counter(node for ns, update in updates for node in update if ns)
    assert nodes["investigate"] == 3  # the Send fan-out
    assert any(
        ns and ns[0].startswith("writer:") and "__interrupt__" in u for ns, u in updates
    )

    namespaces = {
        c.config["configurable"]["checkpoint_ns"] for c in saver.list(config("sv"))
    }
    assert "" in namespaces
    assert {ns.split(":")[0] for ns in namespaces} == {"", "researcher", "writer"}
    assert all(
        re.fullmatch(r"(researcher|writer):[0-9a-f-]{36}", ns)
        for ns in namespaces - {""}
    )

    state = graph.get_state(config("sv"), subgraphs=True)
    assert state.next == ("writer",)
    assert len(state.values["findings"]) == 3
    writer_state = subgraph_state(state)
    assert writer_state.next == ("sign_off",)
    [interrupt] = writer_state.tasks[0].interrupts
    assert interrupt.value["question"] == "Sign off on this report?"

    graph.invoke(
        Command(resume={"approved": False, "feedback": "Shorter."}), config("sv")
    )
    revised = subgraph_state(graph.get_state(config("sv"), subgraphs=True))
    assert "Shorter." in revised.values["report"]
    graph.invoke(Command(resume=True), config("sv"))
    final = graph.get_state(config("sv"))
    assert final.next == () and final.values["signed_off"] is True


# --- long_loop ----------------------------------------------------------------


def test_long_loop_makes_n_plus_two_checkpoints(saver: SqliteSaver) -> None:
    graph = bind(long_loop.graph, saver)
    graph.invoke({"target": 120}, config("ll", recursion_limit=130))
    assert len(list(saver.list(config("ll")))) == 122
    assert graph.get_state(config("ll")).values["count"] == 120


# --- seeding ------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> SeedReport:
    return seed_store(
        tmp_path_factory.mktemp("seed") / "runs.db", threads=len(SCENARIOS)
    )


def load_graph(ref: str, saver: SqliteSaver) -> Graph:
    module, attr = ref.split(":")
    return bind(getattr(importlib.import_module(module), attr), saver)


def test_seed_store_thread_ids(seeded: SeedReport) -> None:
    assert len(seeded.threads) == len(SCENARIOS)
    for n, tid in enumerate(seeded.threads, start=1):
        workflow, number, end_state = tid.split("-")
        assert int(number) == n
        assert end_state in END_STATES and tid in getattr(seeded, end_state)
        assert seeded.graphs[tid] == GRAPH_REFS[workflow]
    assert all(seeded.by_end_state()[state] for state in END_STATES)
    assert "feature-001-done" in seeded.done
    assert "tool-008-interrupted" in seeded.interrupted


def test_seed_store_end_states_through_langgraph(seeded: SeedReport) -> None:
    with SqliteSaver.from_conn_string(seeded.path) as saver:
        for tid in seeded.threads:
            graph = load_graph(seeded.graphs[tid], saver)
            state = graph.get_state(config(tid))
            interrupts = [i for t in state.tasks for i in t.interrupts]
            errors = [t.error for t in state.tasks if t.error]
            latest = saver.get_tuple(config(tid))
            assert latest is not None
            channels = {w[1] for w in latest.pending_writes or []}
            if tid in seeded.done or tid in seeded.forked or tid in seeded.revised:
                assert state.next == () and not state.tasks, tid
            elif tid in seeded.interrupted:
                assert state.next and interrupts and not errors, tid
                assert "__interrupt__" in channels, tid
            elif tid in seeded.error:
                assert state.next and errors and not interrupts, tid
                assert "__error__" in channels, tid
            elif tid in seeded.pending:
                assert state.next and not interrupts and not errors, tid
                assert not channels, tid
            else:
                pytest.fail(f"{tid} is in no end-state list")


def test_seed_store_fork_has_two_branches(seeded: SeedReport) -> None:
    [tid] = seeded.forked
    with SqliteSaver.from_conn_string(seeded.path) as saver:
        tuples = list(saver.list(config(tid)))
    children = Counter(
        t.parent_config["configurable"]["checkpoint_id"]
        for t in tuples
        if t.parent_config
    )
    assert max(children.values()) == 2
    assert [t.metadata["source"] for t in tuples].count("update") == 1


def test_seed_store_revised_review_was_rejected_first(seeded: SeedReport) -> None:
    [tid] = seeded.revised
    with SqliteSaver.from_conn_string(seeded.path) as saver:
        values = load_graph(seeded.graphs[tid], saver).get_state(config(tid)).values
    notes = [
        m.content for m in values["messages"] if getattr(m, "name", None) == "reviewer"
    ]
    assert notes[0].startswith("Rejected:") and notes[-1] == "Approved."
    assert values["approved"] is True


def test_seed_store_supervisor_interrupt_is_inside_the_subgraph(
    seeded: SeedReport,
) -> None:
    [tid] = [t for t in seeded.interrupted if t.startswith("supervisor-")]
    with SqliteSaver.from_conn_string(seeded.path) as saver:
        state = load_graph(seeded.graphs[tid], saver).get_state(
            config(tid), subgraphs=True
        )
    writer_state = subgraph_state(state)
    assert writer_state.tasks[0].interrupts
    assert writer_state.config["configurable"]["checkpoint_ns"].startswith("writer:")


def test_reseeding_replaces_the_seeded_threads(tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    first = seed_store(path, threads=2)
    second = seed_store(path, threads=2)
    assert first.threads == second.threads and first.checkpoints == second.checkpoints


def test_seed_bulk_adds_the_long_thread(tmp_path: Path) -> None:
    report = seed_bulk(tmp_path / "bulk.db", threads=3, long_thread_checkpoints=60)
    assert report.long_thread == LONG_THREAD_ID and LONG_THREAD_ID in report.done
    assert len(report.threads) == 4
    with SqliteSaver.from_conn_string(report.path) as saver:
        assert len(list(saver.list(config(LONG_THREAD_ID)))) == 60


def test_seed_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "cli.db"), "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "feature-001-done" in out and "1 threads" in out
