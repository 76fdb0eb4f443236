"""The graphs the test LangGraph server (``langgraph dev``) serves; ``langgraph.json`` names them.

Each one shows one thing a debugger of a server must get right: an ``interrupt()`` with a
``response_schema``, a subgraph, a failing node, streamed tokens with thinking and a custom
event, and a slow graph that waits for a gate file (so a test can attach while it runs,
without waiting for any duration).
"""

from __future__ import annotations

import asyncio
import operator
import os
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt

from agent_debug.fixtures.chat_model import ScriptedChatModel, ScriptedReply

APPROVAL_SCHEMA = {
    "type": "object",
    "properties": {"approved": {"type": "boolean"}, "note": {"type": "string"}},
    "required": ["approved"],
}


class Review(TypedDict, total=False):
    draft: str
    approved: bool
    note: str
    log: Annotated[list[str], operator.add]


def write_draft(state: Review) -> dict[str, Any]:
    return {"draft": f"draft of {state.get('draft') or 'nothing'}", "log": ["drafted"]}


def ask_human(state: Review) -> dict[str, Any]:
    answer = interrupt({"question": "Publish this draft?", "draft": state["draft"]}, response_schema=APPROVAL_SCHEMA)
    return {"approved": bool(answer.get("approved")), "note": answer.get("note", ""), "log": ["asked"]}


def publish(state: Review) -> dict[str, Any]:
    return {"log": ["published" if state.get("approved") else "dropped"]}


_review = StateGraph(Review)
_review.add_node("write_draft", write_draft)
_review.add_node("ask_human", ask_human)
_review.add_node("publish", publish)
_review.add_edge(START, "write_draft")
_review.add_edge("write_draft", "ask_human")
_review.add_edge("ask_human", "publish")
_review.add_edge("publish", END)
review = _review.compile()


class Counter(TypedDict, total=False):
    n: int
    trail: Annotated[list[str], operator.add]


def _step(name: str):
    def node(state: Counter) -> dict[str, Any]:
        return {"n": state.get("n", 0) + 1, "trail": [name]}

    node.__name__ = name
    return node


_inner = StateGraph(Counter)
_inner.add_node("one", _step("one"))
_inner.add_node("two", _step("two"))
_inner.add_edge(START, "one")
_inner.add_edge("one", "two")
_inner.add_edge("two", END)

_nested = StateGraph(Counter)
_nested.add_node("prepare", _step("prepare"))
_nested.add_node("inner", _inner.compile())
_nested.add_node("finish", _step("finish"))
_nested.add_edge(START, "prepare")
_nested.add_edge("prepare", "inner")
_nested.add_edge("inner", "finish")
_nested.add_edge("finish", END)
nested = _nested.compile()


def flaky(state: Counter) -> dict[str, Any]:
    raise ValueError("quota exceeded for bucket 'reports' (request 7)")


_failing = StateGraph(Counter)
_failing.add_node("prepare", _step("prepare"))
_failing.add_node("flaky", flaky)
_failing.add_edge(START, "prepare")
_failing.add_edge("prepare", "flaky")
_failing.add_edge("flaky", END)
failing = _failing.compile()


class Chat(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    gate: str


_model = ScriptedChatModel(
    script=lambda messages, tools: ScriptedReply(
        text="The build fails because the cache key ignores the lock file.",
        thinking="The user asks why the build fails; the cache key is the usual suspect.",
    )
)


async def think(state: Chat) -> dict[str, Any]:
    get_stream_writer()({"progress": "thinking", "percent": 10})
    reply = await _model.ainvoke(state["messages"])
    return {"messages": [reply]}


async def _wait_for(path: str) -> None:
    # The test opens the gate when it is ready: no duration to guess.
    while not os.path.exists(path):
        await asyncio.sleep(0.02)


async def slow_work(state: Chat) -> dict[str, Any]:
    writer = get_stream_writer()
    writer({"progress": "started"})
    first = await _model.ainvoke(state["messages"])
    gate = state.get("gate")
    if gate:
        await _wait_for(gate)
    writer({"progress": "gate opened"})
    second = await _model.ainvoke([*state["messages"], first, HumanMessage("and then?")])
    return {"messages": [first, second]}


_chat = StateGraph(Chat)
_chat.add_node("think", think)
_chat.add_edge(START, "think")
_chat.add_edge("think", END)
chat = _chat.compile()

_slow = StateGraph(Chat)
_slow.add_node("slow_work", slow_work)
_slow.add_node("wrap_up", lambda state: {"messages": [AIMessage("done", id="wrap-up")]})
_slow.add_edge(START, "slow_work")
_slow.add_edge("slow_work", "wrap_up")
_slow.add_edge("wrap_up", END)
slow = _slow.compile()
