"""Sample workflows for the graph tests: loops, Command routing, Send, subgraphs."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send


class State(TypedDict, total=False):
    value: int
    items: list[int]


def _step(state: State) -> State:
    return {}


def build_router_graph() -> Any:
    """start → plan → act; act routes with Command to check or fix (or ends); check loops
    back to plan (labelled); fix fans out with Send to work; work may go back to fix
    (``destinations=``) or on to a subgraph that polishes."""

    def act(state: State) -> Command[Literal["check", "fix", "__end__"]]:
        return Command(goto="check")

    def check(state: State) -> Literal["again", "done"]:
        return "done"

    def fan_out(state: State) -> list[Send]:
        return [Send("work", {"value": 1})]

    inner = StateGraph(State)
    inner.add_node("draft", _step)
    inner.add_node("review", _step)
    inner.add_edge(START, "draft")
    inner.add_conditional_edges("draft", lambda s: "review", {"review": "review", "skip": END})
    inner.add_edge("review", END)

    builder = StateGraph(State)
    builder.add_node("plan", _step)
    builder.add_node("act", act)
    builder.add_node("check", _step)
    builder.add_node("fix", _step)
    builder.add_node("work", _step, destinations=("fix",))
    builder.add_node("polish", inner.compile())
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "act")
    builder.add_conditional_edges("check", check, {"again": "plan", "done": "polish"})
    builder.add_conditional_edges("fix", fan_out, ["work"])
    builder.add_edge("work", "polish")
    builder.add_edge("polish", END)
    return builder.compile()


def build_nested_graph() -> Any:
    """Three levels: top → mid (subgraph) → inner (subgraph), with a loop back to the top."""

    inner = StateGraph(State)
    inner.add_node("i1", _step)
    inner.add_node("i2", _step)
    inner.add_edge(START, "i1")
    inner.add_edge("i1", "i2")
    inner.add_edge("i2", END)
    mid = StateGraph(State)
    mid.add_node("m1", _step)
    mid.add_node("inner", inner.compile())
    mid.add_edge(START, "m1")
    mid.add_edge("m1", "inner")
    mid.add_edge("inner", END)
    top = StateGraph(State)
    top.add_node("t1", _step)
    top.add_node("mid", mid.compile())
    top.add_edge(START, "t1")
    top.add_edge("t1", "mid")
    top.add_conditional_edges("mid", lambda s: END, {"again": "t1", "stop": END})
    return top.compile()
