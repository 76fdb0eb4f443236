"""``ServerSource`` against a real ``langgraph dev``, field by field against LangGraph's own client.

Every graph of tests/server/graphs.py runs once on the session's server (``langgraph_server``)
and once locally into a SQLite store with the same input; what ``ServerSource`` reads is
compared with what ``langgraph_sdk`` reads from the server (ids, parents, steps, values,
interrupts, errors) and with what the store's reader shows for the local run (the nodes
that made each checkpoint, the namespaces). Nothing waits for a duration: a run is waited
for by ``runs/wait`` or by polling a condition against a deadline.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_debug.inspector.exceptions import NotFoundError
from agent_debug.inspector.sources.server import NO_TRACEBACK, ServerSource
from agent_debug.inspector.targets import open_source
from agent_debug.inspector.vocabulary import ThreadStatus
from tests.server import graphs

DEADLINE = 60.0
"""Seconds a condition on the server may take to become true on a busy CI machine."""
LONG_RUNS = 11
"""Runs of ``nested`` on one thread: 5 root checkpoints each, 55 in all, over the server's 50-row page."""

REVIEW_INPUT = {"draft": "release notes"}
COUNTER_INPUT = {"n": 0}
CHAT_INPUT = {"messages": [{"role": "user", "content": "why does the build fail?"}]}
THINKING = "The user asks why the build fails; the cache key is the usual suspect."
ANSWER = "The build fails because the cache key ignores the lock file."
MESSAGE_CLASSES = {
    "human": "langchain_core.messages.human.HumanMessage",
    "ai": "langchain_core.messages.ai.AIMessage",
}
NO_SUCH_CHECKPOINT = "1f000000-0000-6000-8000-000000000000"


def wait_for(condition: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail(f"not true after {deadline:.0f} s: {what}")
        time.sleep(0.05)  # a poll interval, not a wait for anything to happen


def tagged(values: Any) -> Any:
    """The SDK's values as ServerSource should give them: each message gains its class name."""
    if isinstance(values, list):
        return [tagged(v) for v in values]
    if isinstance(values, dict):
        out = {k: tagged(v) for k, v in values.items()}
        if values.get("type") in MESSAGE_CLASSES and "content" in values:
            out = {"__type__": MESSAGE_CLASSES[values["type"]], **out}
        return out
    return values


def untagged(values: Any) -> Any:
    if isinstance(values, list):
        return [untagged(v) for v in values]
    if isinstance(values, dict):
        return {k: untagged(v) for k, v in values.items() if k != "__type__"}
    return values


def rows_of(source: Any, thread_id: str, namespace: str = "") -> list[tuple[int | None, str | None, list[str]]]:
    return [(c.step, c.source, c.nodes) for c in source.history(thread_id, namespace=namespace, limit=None).checkpoints]


# -- the runs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(langgraph_server) -> dict[str, str]:
    """Thread ids on the server: one per graph (and a breakpoint, and a thread of 55 checkpoints)."""
    run = langgraph_server.run
    threads = {
        "review": run("review", REVIEW_INPUT)[0],
        "failing": run("failing", COUNTER_INPUT)[0],
        "nested": run("nested", COUNTER_INPUT)[0],
        "chat": run("chat", CHAT_INPUT)[0],
        "breakpoint": run("review", REVIEW_INPUT, interrupt_before=["ask_human"])[0],
    }
    long = langgraph_server.create_thread()
    for _ in range(LONG_RUNS):
        run("nested", COUNTER_INPUT, thread_id=long)
    threads["long"] = long
    return threads


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The same graphs with the same input run in this process into a SQLite store, read back
    with ``open_source`` (thread ids are the names of ``served``)."""
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = tmp_path_factory.mktemp("server-read-local") / "local.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)

    def config(thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id}}

    graphs.review.builder.compile(checkpointer=saver).invoke(REVIEW_INPUT, config("review"))
    with pytest.raises(ValueError, match="quota exceeded"):
        graphs.failing.builder.compile(checkpointer=saver).invoke(COUNTER_INPUT, config("failing"))
    graphs.nested.builder.compile(checkpointer=saver).invoke(COUNTER_INPUT, config("nested"))
    graphs.review.builder.compile(checkpointer=saver, interrupt_before=["ask_human"]).invoke(REVIEW_INPUT, config("breakpoint"))
    nested = graphs.nested.builder.compile(checkpointer=saver)
    for _ in range(LONG_RUNS):
        nested.invoke(COUNTER_INPUT, config("long"))
    conn.commit()
    conn.close()

    async def chat() -> None:  # the chat node is async: SqliteSaver has no async methods
        async with AsyncSqliteSaver.from_conn_string(str(path)) as asaver:
            await graphs.chat.builder.compile(checkpointer=asaver).ainvoke(CHAT_INPUT, config("chat"))

    asyncio.run(chat())
    with open_source(str(path)) as source:
        yield source


@pytest.fixture(scope="module")
def sdk(langgraph_server):
    """LangGraph's own client; never a key from the environment."""
    from langgraph_sdk import get_sync_client

    return get_sync_client(url=langgraph_server.url, api_key=None, headers=dict(langgraph_server.headers))


@pytest.fixture(scope="module")
def source(langgraph_server) -> Iterator[ServerSource]:
    with open_source(langgraph_server.url) as opened:
        assert isinstance(opened, ServerSource)
        yield opened


# -- status ------------------------------------------------------------------------------------


def test_review_is_interrupted_with_the_interrupt_the_sdk_shows(source, sdk, served):
    thread_id = served["review"]
    summary = source.thread(thread_id)
    state = sdk.threads.get_state(thread_id)
    (task,) = state["tasks"]
    (expected,) = task["interrupts"]

    assert sdk.threads.get(thread_id)["status"] == "interrupted"
    assert summary.status is ThreadStatus.INTERRUPTED
    (interrupt,) = summary.interrupts
    assert interrupt.id == expected["id"] and interrupt.id
    assert interrupt.value == expected["value"] == {"question": "Publish this draft?", "draft": "draft of release notes"}
    assert interrupt.response_schema == expected["response_schema"] == graphs.APPROVAL_SCHEMA
    assert interrupt.node == task["name"] == "ask_human"
    assert interrupt.task_id == task["id"]
    assert interrupt.namespace == ""
    assert summary.errors == []
    assert summary.next == state["next"] == ["ask_human"]
    assert source.state(thread_id).interrupts == summary.interrupts


def test_failing_is_an_error_with_type_message_and_a_suggestion_that_names_the_missing_traceback(source, sdk, served):
    thread_id = served["failing"]
    summary = source.thread(thread_id)
    (task,) = sdk.threads.get_state(thread_id)["tasks"]

    assert sdk.threads.get(thread_id)["status"] == "error"
    assert summary.status is ThreadStatus.ERROR
    (error,) = summary.errors
    assert task["error"].startswith("ValueError(")
    assert error.type == "ValueError"
    assert error.message == "quota exceeded for bucket 'reports' (request 7)"
    assert error.node == task["name"] == "flaky"
    assert error.task_id == task["id"]
    assert error.classification is not None
    assert error.confidence is not None
    assert error.suggestion and NO_TRACEBACK in error.suggestion
    assert "keeps no traceback" in error.suggestion
    assert summary.interrupts == []
    assert source.state(thread_id).errors == summary.errors


@pytest.mark.parametrize("name", ["nested", "chat"])
def test_finished_threads_are_done(source, sdk, served, name):
    thread_id = served[name]
    assert sdk.threads.get(thread_id)["status"] == "idle"
    summary = source.thread(thread_id)
    assert summary.status is ThreadStatus.DONE
    assert summary.next == [] and summary.interrupts == [] and summary.errors == []


def test_a_static_breakpoint_is_pending_not_interrupted(source, sdk, served, local):
    thread_id = served["breakpoint"]
    state = sdk.threads.get_state(thread_id)
    # The server calls it interrupted; no interrupt() ran, so there is nothing to answer.
    assert [t["interrupts"] for t in state["tasks"]] == [[]]
    summary = source.thread(thread_id)
    assert summary.status is ThreadStatus.PENDING
    assert summary.status is local.thread("breakpoint").status
    assert summary.next == state["next"] == ["ask_human"]
    assert summary.interrupts == [] and summary.errors == []


@pytest.mark.parametrize("name", ["review", "failing", "nested", "chat", "breakpoint", "long"])
def test_thread_summary_matches_the_sdk_and_the_local_store(source, sdk, served, local, name):
    thread_id = served[name]
    summary = source.thread(thread_id)
    state = sdk.threads.get_state(thread_id)
    mine = local.thread(name)

    assert summary.thread_id == thread_id
    assert summary.checkpoint_id == state["checkpoint"]["checkpoint_id"]
    assert summary.checkpoint_count is None  # the server cannot count without sending every row
    assert summary.last_step == state["metadata"]["step"] == mine.last_step
    assert summary.last_source == state["metadata"]["source"] == mine.last_source
    assert summary.last_node == mine.last_node
    assert summary.status is mine.status
    assert summary.updated_at is not None


def test_threads_lists_every_thread_with_the_servers_count_and_filters_by_status(source, sdk, served):
    listing = source.threads()
    ids = [t.thread_id for t in listing.threads]
    known = sdk.threads.search(limit=1000)
    assert listing.total == len(known)
    assert set(ids) == {t["thread_id"] for t in known}
    assert len(ids) == len(set(ids))
    assert set(served.values()) <= set(ids)
    assert all(t.checkpoint_count is None for t in listing.threads if t.checkpoint_id)

    interrupted = source.threads(status=ThreadStatus.INTERRUPTED)
    assert interrupted.total == listing.total
    assert {t.status for t in interrupted.threads} <= {ThreadStatus.INTERRUPTED}
    assert served["review"] in {t.thread_id for t in interrupted.threads}
    assert served["breakpoint"] not in {t.thread_id for t in interrupted.threads}
    assert len(source.threads(limit=2).threads) == 2


# -- history -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["review", "failing", "nested", "chat", "breakpoint", "long"])
def test_history_rows_match_the_sdk_and_nodes_match_the_local_store(source, sdk, served, local, name):
    thread_id = served[name]
    page = source.history(thread_id, limit=None)
    expected = sdk.threads.get_history(thread_id, limit=1000)

    assert page.total == len(expected) == len(page.checkpoints)
    assert page.next_before is None
    assert [c.checkpoint_id for c in page.checkpoints] == [r["checkpoint"]["checkpoint_id"] for r in expected]
    assert [c.parent_id for c in page.checkpoints] == [(r["parent_checkpoint"] or {}).get("checkpoint_id") for r in expected]
    assert [c.step for c in page.checkpoints] == [r["metadata"]["step"] for r in expected]
    assert [c.source for c in page.checkpoints] == [r["metadata"]["source"] for r in expected]
    ids = [c.checkpoint_id for c in page.checkpoints]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert all(c.created_at is not None for c in page.checkpoints)
    assert rows_of(source, thread_id) == rows_of(local, name)


def test_history_pages_of_two_give_the_whole_history_once(source, served):
    thread_id = served["long"]
    whole = [c.checkpoint_id for c in source.history(thread_id, limit=None).checkpoints]
    assert len(whole) == 5 * LONG_RUNS

    seen: list[str] = []
    pages = 0
    before = None
    while True:
        page = source.history(thread_id, limit=2, before=before)
        pages += 1
        assert 1 <= len(page.checkpoints) <= 2
        seen.extend(c.checkpoint_id for c in page.checkpoints)
        if page.next_before is None:
            break
        assert page.total is None
        assert page.next_before == page.checkpoints[-1].checkpoint_id
        before = page.next_before
        assert pages <= len(whole), "paging does not end"
    assert seen == whole
    assert pages == (len(whole) + 1) // 2


def test_history_over_the_servers_50_row_page(source, served, local):
    thread_id = served["long"]
    first = source.history(thread_id)  # limit 50
    assert len(first.checkpoints) == 50
    assert first.total is None  # more rows follow: the server cannot count them
    assert first.next_before == first.checkpoints[-1].checkpoint_id
    rest = source.history(thread_id, before=first.next_before)
    assert rest.next_before is None
    assert rest.total is None  # a page after --before does not know how many came before
    assert len(first.checkpoints) + len(rest.checkpoints) == 5 * LONG_RUNS

    mine = local.history("long", limit=None).checkpoints
    got = first.checkpoints + rest.checkpoints
    # The 50th row's nodes come from its parent, the first row of the next server page.
    assert [(c.step, c.source, c.nodes) for c in got] == [(c.step, c.source, c.nodes) for c in mine]
    assert got[49].nodes == mine[49].nodes


# -- state -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["review", "failing", "nested", "chat", "breakpoint"])
def test_state_at_every_checkpoint_matches_the_sdk(source, sdk, served, name):
    thread_id = served[name]
    rows = sdk.threads.get_history(thread_id, limit=1000)
    for row in rows:
        checkpoint_id = row["checkpoint"]["checkpoint_id"]
        state = source.state(thread_id, checkpoint_id=checkpoint_id)
        expected = sdk.threads.get_state(thread_id, checkpoint_id=checkpoint_id)
        assert state.checkpoint_id == checkpoint_id == expected["checkpoint"]["checkpoint_id"]
        assert state.parent_id == (expected["parent_checkpoint"] or {}).get("checkpoint_id")
        assert state.step == expected["metadata"]["step"]
        assert state.source == expected["metadata"]["source"]
        assert state.next == expected["next"]
        assert state.values == tagged(expected["values"])
        assert untagged(state.values) == expected["values"]
        assert state.metadata == {k: v for k, v in expected["metadata"].items() if k not in ("source", "step", "parents")}
        assert state.decoded == "safe"
        assert state.namespace == ""
        writes = [(t["id"], t["name"], ch, tagged(v)) for t in expected["tasks"] if isinstance(t["result"], dict) for ch, v in t["result"].items()]
        assert [(w.task_id, w.node, w.channel, w.value) for w in state.pending_writes] == writes


@pytest.mark.parametrize("name", ["review", "failing", "nested", "chat", "breakpoint"])
def test_latest_state_matches_the_sdk(source, sdk, served, name):
    thread_id = served[name]
    state = source.state(thread_id)
    expected = sdk.threads.get_state(thread_id)
    assert state.checkpoint_id == expected["checkpoint"]["checkpoint_id"]
    assert state.values == tagged(expected["values"])
    assert state.next == expected["next"]


def test_state_path_selects_inside_the_values(source, sdk, served):
    thread_id = served["nested"]
    values = sdk.threads.get_state(thread_id)["values"]
    # The subgraph returns its whole state: the parent's list reducer adds "prepare" twice.
    assert values["trail"] == ["prepare", "prepare", "one", "two", "finish"]
    state = source.state(thread_id, path="trail.0")
    assert state.path == "trail.0"
    assert state.values == values["trail"][0]


def test_chat_messages_and_thinking(source, sdk, served):
    thread_id = served["chat"]
    state = source.state(thread_id)
    sdk_messages = sdk.threads.get_state(thread_id)["values"]["messages"]
    assert [m["type"] for m in sdk_messages] == ["human", "ai"]

    human, ai = state.messages
    assert human.role == "human" and human.type_name == "HumanMessage"
    assert human.text == "why does the build fail?"
    assert ai.role == "ai" and ai.type_name == "AIMessage"
    assert ai.id == sdk_messages[1]["id"]
    assert ai.text == ANSWER
    assert ai.reasoning == [THINKING]
    assert ai.model == sdk_messages[1]["response_metadata"]["model_name"]
    assert ai.model
    assert ai.usage == sdk_messages[1]["usage_metadata"]
    assert [m["__type__"] for m in state.values["messages"]] == [MESSAGE_CLASSES["human"], MESSAGE_CLASSES["ai"]]


# -- subgraph namespaces ---------------------------------------------------------------------------


def _inner_task(sdk, thread_id: str) -> dict[str, Any]:
    (task,) = [t for row in sdk.threads.get_history(thread_id, limit=1000) for t in row["tasks"] if t["name"] == "inner"]
    return task


def test_nested_lists_the_inner_namespace_with_its_checkpoint_count(source, sdk, served, local):
    thread_id = served["nested"]
    task = _inner_task(sdk, thread_id)
    inner = f"inner:{task['id']}"
    assert task["checkpoint"]["checkpoint_ns"] == inner
    inner_rows = sdk.threads.get_history(thread_id, limit=1000, checkpoint={"checkpoint_ns": inner})

    spaces = source.namespaces(thread_id)
    assert [(n.namespace, n.checkpoint_count) for n in spaces] == [("", 5), (inner, len(inner_rows))]
    assert spaces[0].latest_checkpoint_id == sdk.threads.get_state(thread_id)["checkpoint"]["checkpoint_id"]
    assert spaces[1].latest_checkpoint_id == inner_rows[0]["checkpoint"]["checkpoint_id"]
    mine = local.namespaces("nested")
    assert [n.checkpoint_count for n in spaces] == [n.checkpoint_count for n in mine]
    assert [n.namespace.split(":")[0] for n in mine] == ["", "inner"]


def test_namespaces_of_a_thread_beyond_one_history_page(source, local, served):
    spaces = source.namespaces(served["long"])
    mine = local.namespaces("long")
    assert len(spaces) == 1 + LONG_RUNS
    assert sorted(n.checkpoint_count for n in spaces) == sorted(n.checkpoint_count for n in mine)
    assert spaces[0].namespace == "" and spaces[0].checkpoint_count == 5 * LONG_RUNS
    assert all(n.namespace.startswith("inner:") for n in spaces[1:])


def test_history_and_state_inside_the_subgraph(source, sdk, served, local):
    thread_id = served["nested"]
    inner = f"inner:{_inner_task(sdk, thread_id)['id']}"
    expected = sdk.threads.get_history(thread_id, limit=1000, checkpoint={"checkpoint_ns": inner})
    page = source.history(thread_id, namespace=inner, limit=None)

    assert page.namespace == inner
    assert page.total == len(expected) == 4
    assert [c.checkpoint_id for c in page.checkpoints] == [r["checkpoint"]["checkpoint_id"] for r in expected]
    assert [c.parent_id for c in page.checkpoints] == [(r["parent_checkpoint"] or {}).get("checkpoint_id") for r in expected]
    assert [c.step for c in page.checkpoints] == [r["metadata"]["step"] for r in expected]
    (local_inner,) = [n.namespace for n in local.namespaces("nested") if n.namespace]
    assert rows_of(source, thread_id, inner) == rows_of(local, "nested", local_inner)
    paged: list[str] = []
    before = None
    for _ in range(len(expected)):  # a page of one at a time, inside the namespace
        one = source.history(thread_id, namespace=inner, limit=1, before=before)
        paged.extend(c.checkpoint_id for c in one.checkpoints)
        before = one.next_before
        if before is None:
            break
    assert paged == [c.checkpoint_id for c in page.checkpoints]
    root_id = sdk.threads.get_state(thread_id)["checkpoint"]["checkpoint_id"]
    with pytest.raises(NotFoundError):  # a root checkpoint is no cursor inside the subgraph
        source.history(thread_id, namespace=inner, before=root_id)

    latest = source.state(thread_id, namespace=inner)
    assert latest.namespace == inner
    assert latest.checkpoint_id == expected[0]["checkpoint"]["checkpoint_id"]
    for row in expected:
        checkpoint_id = row["checkpoint"]["checkpoint_id"]
        state = source.state(thread_id, namespace=inner, checkpoint_id=checkpoint_id)
        sdk_state = sdk.threads.get_state(thread_id, checkpoint={"checkpoint_ns": inner, "checkpoint_id": checkpoint_id})
        assert state.checkpoint_id == checkpoint_id
        assert state.namespace == inner
        assert state.values == tagged(sdk_state["values"])
        assert state.step == sdk_state["metadata"]["step"]


def test_has_checkpoint(source, sdk, served):
    thread_id = served["nested"]
    inner = f"inner:{_inner_task(sdk, thread_id)['id']}"
    root_id = sdk.threads.get_state(thread_id)["checkpoint"]["checkpoint_id"]
    inner_id = sdk.threads.get_history(thread_id, limit=1, checkpoint={"checkpoint_ns": inner})[0]["checkpoint"]["checkpoint_id"]

    assert source.has_checkpoint(thread_id, "", root_id) is True
    assert source.has_checkpoint(thread_id, inner, inner_id) is True
    assert source.has_checkpoint(thread_id, "", NO_SUCH_CHECKPOINT) is False
    assert source.has_checkpoint(thread_id, inner, root_id) is False
    assert source.has_checkpoint(thread_id, "", inner_id) is False
    assert source.has_checkpoint(served["review"], "", root_id) is False
    assert source.has_checkpoint(str(uuid.uuid4()), "", root_id) is False


def test_a_checkpoint_is_named_by_the_end_the_tui_shows(source, served):
    from agent_debug.inspector.sources.base import AmbiguousCheckpoint

    thread_id = served["long"]  # more checkpoints than one page of the server's history
    every = [c.checkpoint_id for c in source.history(thread_id, limit=None).checkpoints]
    oldest = every[-1]
    assert source.resolve_checkpoint(thread_id, oldest[-12:]) == oldest  # found on the last page
    assert source.resolve_checkpoint(thread_id, every[0]) == every[0]
    with pytest.raises(AmbiguousCheckpoint, match=f"more than one checkpoint of thread '{thread_id}' starts or ends with"):
        source.resolve_checkpoint(thread_id, every[0][:8])
    with pytest.raises(NotFoundError, match=f"no checkpoint 'ffffffffffff' in thread '{thread_id}'"):
        source.resolve_checkpoint(thread_id, "ffffffffffff")
    with pytest.raises(NotFoundError, match=f"no checkpoint '{NO_SUCH_CHECKPOINT}'"):
        source.resolve_checkpoint(thread_id, NO_SUCH_CHECKPOINT)
    page = source.history(thread_id, limit=2, before=source.resolve_checkpoint(thread_id, every[3][-12:]))
    assert [c.checkpoint_id for c in page.checkpoints] == every[4:6]


# -- not found -----------------------------------------------------------------------------------------


def test_unknown_thread_is_not_found_everywhere(source):
    missing = str(uuid.uuid4())
    for read in (
        lambda: source.thread(missing),
        lambda: source.history(missing),
        lambda: source.history(missing, limit=None),
        lambda: source.state(missing),
        lambda: source.state(missing, checkpoint_id=NO_SUCH_CHECKPOINT),
        lambda: source.namespaces(missing),
    ):
        with pytest.raises(NotFoundError, match=missing):
            read()


def test_a_thread_id_that_is_no_uuid_is_not_found(source):
    # The server answers 422 for it; to a reader it is a thread the server does not have.
    for read in (
        lambda: source.thread("no-such-thread"),
        lambda: source.history("no-such-thread"),
        lambda: source.state("no-such-thread"),
        lambda: source.namespaces("no-such-thread"),
    ):
        with pytest.raises(NotFoundError, match="no-such-thread"):
            read()
    assert source.has_checkpoint("no-such-thread", "", NO_SUCH_CHECKPOINT) is False


def test_unknown_checkpoint_is_not_found(source, sdk, served, local):
    thread_id = served["nested"]
    with pytest.raises(NotFoundError, match=NO_SUCH_CHECKPOINT):
        source.state(thread_id, checkpoint_id=NO_SUCH_CHECKPOINT)
    inner_id = sdk.threads.get_history(thread_id, limit=1, checkpoint={"checkpoint_ns": f"inner:{_inner_task(sdk, thread_id)['id']}"})[0]
    with pytest.raises(NotFoundError):  # a subgraph's checkpoint is not one of the root's
        source.state(thread_id, checkpoint_id=inner_id["checkpoint"]["checkpoint_id"])


@pytest.mark.parametrize("before", [NO_SUCH_CHECKPOINT, "zzzz"])
def test_history_before_an_unknown_checkpoint_is_not_found_as_in_a_store(source, served, local, before):
    # The server compares ids as text: before "zzzz" it would give the whole history, as if
    # no --before had been given.
    with pytest.raises(NotFoundError, match=before):
        local.history("nested", before=before)
    with pytest.raises(NotFoundError, match=before):
        source.history(served["nested"], before=before)


def test_an_unknown_namespace_is_not_found_as_in_a_store(source, served, local):
    for store, thread_id in ((local, "nested"), (source, served["nested"])):
        with pytest.raises(NotFoundError, match="inner:no-such-task"):
            store.history(thread_id, namespace="inner:no-such-task")
        with pytest.raises(NotFoundError, match="inner:no-such-task"):
            store.state(thread_id, namespace="inner:no-such-task")


def test_a_thread_without_runs(langgraph_server, source):
    thread_id = langgraph_server.create_thread()
    summary = source.thread(thread_id)
    assert summary.checkpoint_id == "" and summary.checkpoint_count == 0
    assert summary.updated_at is None and summary.last_step is None
    page = source.history(thread_id)
    assert page.checkpoints == [] and page.total == 0 and page.next_before is None
    assert source.namespaces(thread_id) == []
    with pytest.raises(NotFoundError, match="no checkpoints"):
        source.state(thread_id)


# -- change detection ----------------------------------------------------------------------------------


def test_change_token_moves_after_a_run_and_stays_when_nothing_happens(langgraph_server, source, sdk):
    def settled() -> Any:
        # Nothing may still be running (from an earlier test of this worker's server, too).
        wait_for(lambda: not sdk.threads.search(status="busy", limit=1), "no busy thread on the server")
        return source.change_token()

    thread_id, _ = langgraph_server.run("nested", COUNTER_INPUT)
    before = settled()
    assert source.change_token() == before

    langgraph_server.run("nested", COUNTER_INPUT, thread_id=thread_id)  # an existing thread
    after_existing = settled()
    assert after_existing != before
    assert source.change_token() == after_existing

    langgraph_server.run("review", REVIEW_INPUT)  # a new thread
    after_new = settled()
    assert after_new != after_existing
    assert source.change_token() == after_new


# -- a cancelled run --------------------------------------------------------------------------------------


def test_a_busy_thread_is_pending_and_a_cancelled_run_leaves_it_pending(langgraph_server, source, sdk, tmp_path: Path):
    gate = tmp_path / "gate"  # never opened before the cancel: the run waits for it
    thread_id, run = langgraph_server.start_run("slow", {**CHAT_INPUT, "gate": str(gate)})
    run_id = run["run_id"]
    try:
        # Running, and past its first checkpoint (slow_work is due).
        wait_for(lambda: sdk.runs.get(thread_id, run_id)["status"] == "running", "the slow run is running")
        wait_for(lambda: sdk.threads.get_state(thread_id)["next"] == ["slow_work"], "slow_work is due")
        assert sdk.threads.get(thread_id)["status"] == "busy"
        busy = source.thread(thread_id)
        assert busy.status is ThreadStatus.PENDING
        assert busy.next == ["slow_work"]

        sdk.runs.cancel(thread_id, run_id, wait=True, action="interrupt")
        wait_for(lambda: sdk.threads.get(thread_id)["status"] != "busy", "the thread is no longer busy")
    finally:
        gate.touch()

    assert sdk.runs.get(thread_id, run_id)["status"] == "interrupted"
    # The server calls the thread interrupted; no interrupt() ran and no node failed: the
    # work that was due is still due, as a store shows a cancelled run.
    assert sdk.threads.get(thread_id)["status"] == "interrupted"
    state = sdk.threads.get_state(thread_id)
    assert state["next"] == ["slow_work"]
    assert [(t["name"], t["interrupts"], t["error"]) for t in state["tasks"]] == [("slow_work", [], None)]
    summary = source.thread(thread_id)
    assert summary.status is ThreadStatus.PENDING
    assert summary.next == ["slow_work"]
    assert summary.interrupts == [] and summary.errors == []
    assert summary.last_node == "__start__"
    assert source.state(thread_id).values == tagged(state["values"])
