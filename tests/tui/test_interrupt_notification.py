"""A notification (and the bell) when a thread reaches an interrupt while the app is open:
seen in the store by polling (another writer's run, driven step by step) or from a run
in the app; once per interrupt, never for threads already waiting when the app opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from agent_debug.inspector.model import InterruptInfo, ThreadStatus, ThreadSummary
from agent_debug.inspector.targets import open_source
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.interrupt_watch import InterruptWatch, question_line
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from tests.tui.conftest import settle, wait_until
from tests.tui.test_control import SIZE, control_app, wait_for_screen

QUESTION = "Deploy \x1b[31mbuild 42?\nThe second line is not shown"


class S(TypedDict, total=False):
    n: int
    answer: Any


def _ask(state: S) -> dict[str, Any]:
    return {"answer": interrupt({"question": QUESTION, "n": state.get("n", 0)})}


def asking_graph(checkpointer: Any = None) -> Any:
    """count → ask (interrupt) → end."""
    g = StateGraph(S)
    g.add_node("count", lambda s: {"n": s.get("n", 0) + 1})
    g.add_node("ask", _ask)
    g.add_edge(START, "count")
    g.add_edge("count", "ask")
    g.add_edge("ask", END)
    return g.compile(checkpointer=checkpointer)


def plain_graph(checkpointer: Any) -> Any:
    g = StateGraph(S)
    g.add_node("count", lambda s: {"n": s.get("n", 0) + 1})
    g.add_edge(START, "count")
    g.add_edge("count", END)
    return g.compile(checkpointer=checkpointer)


def cfg(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


class Writer:
    """Another program's runs on the store, one call at a time (its own connection)."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(db, check_same_thread=False)
        saver = SqliteSaver(self.conn)
        self.asking = asking_graph(saver)
        self.plain = plain_graph(saver)

    def close(self) -> None:
        self.conn.close()


def told(app: AgentDebugApp, thread: str) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == "interrupt" and f"thread {thread} " in str(n.message)]


def listed(app: AgentDebugApp, thread: str) -> ThreadSummary | None:
    from agent_debug.tui.widgets.threads.thread_list import ThreadList

    return next((t for t in app.query_one(ThreadList).threads if t.thread_id == thread), None)


async def test_an_interrupt_written_by_another_process_is_told_once(tmp_path: Path):
    db = tmp_path / "runs.db"
    writer = Writer(db)
    try:
        writer.asking.invoke({"n": 0}, cfg("old"))  # already waiting when the app opens: not news
        app = AgentDebugApp(open_source(str(db)), poll_interval=0.05)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: listed(app, "old") is not None, "the first listing")
            assert app.interrupts_told == [] and told(app, "old") == []

            writer.asking.invoke({"n": 0}, cfg("new"))  # reaches its interrupt while the app polls
            await wait_until(pilot, lambda: app.interrupts_told, "the new interrupt told")
            [news] = app.interrupts_told
            assert news.thread_id == "new" and news.count == 1
            [message] = told(app, "new")
            # The first line of the question, its escape sequence shown, not obeyed; the key to answer.
            assert message == (
                "thread new waits at an interrupt: Deploy \\x1b[31mbuild 42?\n"
                "a answers it (open with --graph GRAPH_REF)"
            )

            # More polls that see news (another thread written) tell nothing again.
            writer.plain.invoke({"n": 0}, cfg("other"))
            await wait_until(pilot, lambda: listed(app, "other") is not None, "the next listing")
            writer.plain.invoke({"n": 5}, cfg("other"))
            await wait_until(pilot, lambda: (t := listed(app, "other")) is not None and t.checkpoint_count > 3, "another listing")
            assert [n.thread_id for n in app.interrupts_told] == ["new"] and len(told(app, "new")) == 1

            # Answered, then asked again: a new interrupt of the same thread is news again.
            writer.asking.invoke(Command(resume="yes"), cfg("new"))
            await wait_until(pilot, lambda: (t := listed(app, "new")) is not None and t.status is ThreadStatus.DONE, "the answer seen")
            writer.asking.invoke({"n": 0}, cfg("new"))
            await wait_until(pilot, lambda: len(app.interrupts_told) == 2, "the second interrupt told")
            assert app.interrupts_told[1].thread_id == "new"
            assert app.interrupts_told[1].interrupt.id != news.interrupt.id
    finally:
        writer.close()


async def test_a_run_in_the_app_that_stops_at_an_interrupt_is_told_once_by_its_dialog():
    app = control_app("memory", asking_graph(), create=True, start=("mine", {"n": 0}, False))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, InterruptScreen)  # the run's outcome opens the answer dialog
        await settle(pilot)
        assert [n.thread_id for n in app.interrupts_told] == ["mine"]  # the bell rang
        assert told(app, "mine") == []  # the dialog says it: no toast over it
        await pilot.press("escape")
        app.action_refresh()  # the listings that follow know it already
        await settle(pilot)
        assert len(app.interrupts_told) == 1


def info(id_: str | None, task: str = "t1", value: Any = "ok?") -> InterruptInfo:
    return InterruptInfo(id=id_, value=value, node="ask", task_id=task)


def summary(thread: str, *interrupts: InterruptInfo) -> ThreadSummary:
    status = ThreadStatus.INTERRUPTED if interrupts else ThreadStatus.DONE
    return ThreadSummary(
        thread_id=thread, status=status, checkpoint_id="1", checkpoint_count=1, last_step=1, last_node="ask",
        updated_at=None, interrupts=list(interrupts),
    )


def test_the_baseline_lasts_until_the_whole_list_is_in():
    watch = InterruptWatch()
    assert watch.listing([summary("a", info("i1"))], partial=True) == []
    assert watch.listing([summary("a", info("i1")), summary("b", info("i2"))]) == []  # beyond the first page: still the baseline
    assert watch.listing([summary("a", info("i1")), summary("b", info("i2"))]) == []
    [news] = watch.listing([summary("a", info("i1")), summary("b", info("i2")), summary("c", info("i3"), info("i4"))])
    assert (news.thread_id, news.interrupt.id, news.count) == ("c", "i3", 2)


def test_an_outcome_then_its_listing_tell_once_and_the_other_way_round():
    watch = InterruptWatch()
    watch.listing([])
    assert watch.outcome("a", [info("i1")]) is not None
    assert watch.listing([summary("a", info("i1"))]) == []
    assert len(watch.listing([summary("b", info("i2"))])) == 1
    assert watch.outcome("b", [info("i2")]) is None


def test_an_interrupt_without_id_is_known_by_its_task():
    watch = InterruptWatch()
    watch.listing([summary("a", info(None, "t1"))])
    assert watch.listing([summary("a", info(None, "t1"))]) == []
    assert len(watch.listing([summary("a", info(None, "t2"))])) == 1


def test_the_question_line():
    assert question_line("Approve?\nmore") == "Approve?"
    assert question_line({"question": "  \n ship it?  "}) == "ship it?"
    hitl = {"action_requests": [{"name": "refund", "args": {"amount": 5}, "description": "Tool execution requires approval\n\nTool: refund"}]}
    assert question_line(hitl) == "Tool execution requires approval"
    assert question_line({"n": 3}) == '{"n": 3}'
    assert question_line("x" * 300) == "x" * 119 + "…"
    assert question_line("bell\x07") == "bell\\x07"
