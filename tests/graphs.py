"""Small real LangGraph graphs whose end states the inspector tests know exactly.

Each scenario runs on whatever checkpointer it is given, so the same runs can be
stored in SQLite and PostgreSQL and compared.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Command, Send, interrupt


class State(TypedDict, total=False):
    x: int
    messages: Annotated[list, add_messages]
    acc: Annotated[list, operator.add]
    items: list


def _think(state: State) -> dict[str, Any]:
    return {
        "x": state.get("x", 0) + 1,
        "messages": [
            AIMessage(
                content=[{"type": "reasoning", "reasoning": "weigh the options"}, {"type": "text", "text": "standard"}],
                usage_metadata={"input_tokens": 3, "output_tokens": 5, "total_tokens": 8},
                name="thinker",
            ),
            AIMessage(
                content=[{"type": "thinking", "thinking": "anthropic style", "signature": "sig"}, {"type": "text", "text": "claude"}],
                usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
            ),
            AIMessage(
                content="deepseek",
                additional_kwargs={"reasoning_content": "reasoning_content style"},
                usage_metadata={"input_tokens": 2, "output_tokens": 2, "total_tokens": 4},
                response_metadata={"model_name": "offline-1"},
            ),
        ],
    }


def _approve(state: State) -> dict[str, Any]:
    answer = interrupt({"question": "ship it?", "x": state.get("x")})
    return {"x": state.get("x", 0) + (10 if answer else -10)}


def _finish(state: State) -> dict[str, Any]:
    if state.get("x", 0) > 100:
        raise ValueError(f"x too large: {state['x']}")
    return {"acc": ["finished"]}


def linear_builder() -> StateGraph:
    """think → approve (interrupt) → finish (fails when x > 100)."""
    g = StateGraph(State).add_sequence([("think", _think), ("approve", _approve), ("finish", _finish)])
    g.add_edge(START, "think")
    g.add_edge("finish", END)
    return g


def _fan(state: State) -> list[Send]:
    return [Send("work", {"items": [i]}) for i in state["items"]]


def _work(state: State) -> dict[str, Any]:
    return {"acc": [state["items"][0] * 2]}


class _SubState(TypedDict):
    x: int


def _sign(state: _SubState) -> dict[str, Any]:
    return {"x": state["x"] + int(bool(interrupt("sign off?")))}


def _route(state: State) -> Command:
    return Command(goto="writer", update={"x": sum(state.get("acc", []))})


def fanout_builder() -> StateGraph:
    """prep → Send fan-out to work×N → route (Command) → writer subgraph (interrupt)."""
    sub = StateGraph(_SubState)
    sub.add_node("sign", _sign)
    sub.add_edge(START, "sign")
    g = StateGraph(State)
    g.add_node("prep", lambda s: {"x": 0})
    g.add_node("work", _work)
    g.add_node("route", _route, destinations=("writer",))
    g.add_node("writer", sub.compile())
    g.add_edge(START, "prep")
    g.add_conditional_edges("prep", _fan, ["work"])
    g.add_edge("work", "route")
    g.add_edge("writer", END)
    return g


@dataclass
class Scenario:
    """What was run on a thread and how it should read."""

    thread_id: str
    graph: Any
    status: str


def run_scenarios(checkpointer: Any) -> dict[str, Scenario]:
    """Run every scenario on ``checkpointer``; returns them by thread id."""
    linear = linear_builder().compile(checkpointer=checkpointer)
    fan = fanout_builder().compile(checkpointer=checkpointer)
    out: dict[str, Scenario] = {}

    def cfg(tid: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": tid}}

    linear.invoke({"x": 1, "messages": [HumanMessage("go")]}, cfg("waiting"))
    out["waiting"] = Scenario("waiting", linear, "interrupted")

    linear.invoke({"x": 1, "messages": [HumanMessage("go")]}, cfg("finished"))
    linear.invoke(Command(resume=True), cfg("finished"))
    out["finished"] = Scenario("finished", linear, "done")

    linear.invoke({"x": 200}, cfg("failed"))
    try:
        linear.invoke(Command(resume=True), cfg("failed"))
    except ValueError:
        pass
    out["failed"] = Scenario("failed", linear, "error")

    stopped = linear_builder().compile(checkpointer=checkpointer, interrupt_before=["approve"])
    stopped.invoke({"x": 1}, cfg("stopped"))
    out["stopped"] = Scenario("stopped", stopped, "pending")

    fan.invoke({"items": [1, 2, 3]}, cfg("fanout"))
    out["fanout"] = Scenario("fanout", fan, "interrupted")

    linear.invoke({"x": 1}, cfg("forked"))
    linear.invoke(Command(resume=True), cfg("forked"))
    history = list(linear.get_state_history(cfg("forked")))
    think_done = next(s for s in history if s.next == ("approve",))
    linear.update_state(think_done.config, {"x": 500}, as_node="think")
    out["forked"] = Scenario("forked", linear, "pending")
    return out


def _ask_one(state: State) -> dict[str, Any]:
    return {"acc": [f"one:{interrupt('first?')}"]}


def _ask_two(state: State) -> dict[str, Any]:
    return {"acc": [f"two:{interrupt('second?')}"]}


def two_questions_builder() -> StateGraph:
    """Two phases in one step, each waiting at its own interrupt."""
    g = StateGraph(State)
    g.add_node("one", _ask_one)
    g.add_node("two", _ask_two)
    g.add_edge(START, "one")
    g.add_edge(START, "two")
    g.add_edge("one", END)
    g.add_edge("two", END)
    return g


def _strict(state: State) -> dict[str, Any]:
    answer = interrupt(
        {"question": "approve?"},
        response_schema={"type": "object", "properties": {"approved": {"type": "boolean"}}, "required": ["approved"]},
    )
    return {"acc": [f"answer:{answer['approved']}"]}


def schema_builder() -> StateGraph:
    """An interrupt that declares the JSON Schema of its resume value."""
    g = StateGraph(State)
    g.add_node("strict", _strict)
    g.add_edge(START, "strict")
    g.add_edge("strict", END)
    return g


linear = linear_builder().compile()
fanout = fanout_builder().compile()
two_questions = two_questions_builder().compile()
schema = schema_builder().compile()


class _Ticks(TypedDict, total=False):
    count: int
    delay: float
    until: int


def _slow_tick(state: _Ticks) -> dict[str, Any]:
    import time

    time.sleep(state.get("delay", 0.05))
    return {"count": state.get("count", 0) + 1}


def _more(state: _Ticks) -> str:
    return "tick" if state.get("count", 0) < state.get("until", 200) else END


def slow_loop_builder() -> StateGraph:
    """One node looping with a delay per step: something to pause."""
    g = StateGraph(_Ticks)
    g.add_node("tick", _slow_tick)
    g.add_edge(START, "tick")
    g.add_conditional_edges("tick", _more, ["tick", END])
    return g


class _FloodState(TypedDict, total=False):
    messages: Annotated[list, add_messages]
    customs: int
    logs: int
    words: int


def _flood(state: _FloodState) -> dict[str, Any]:
    """Floods the stream: custom events, log records and a long streamed answer."""
    import logging

    from langgraph.config import get_stream_writer

    from agent_debug.fixtures.chat_model import ScriptedChatModel, ScriptedReply

    write = get_stream_writer()
    log = logging.getLogger("tests.flood")
    for i in range(state.get("customs", 1000)):
        write({"i": i})
    for i in range(state.get("logs", 1000)):
        log.info("record %d", i)
    text = " ".join(f"w{i}" for i in range(state.get("words", 1000)))
    model = ScriptedChatModel(script=lambda messages, tools: ScriptedReply(text=text, thinking="flooding"))
    return {"messages": [model.invoke("go")]}


def flood_builder() -> StateGraph:
    """One phase that emits many events: tokens, logs and custom events."""
    g = StateGraph(_FloodState)
    g.add_node("flood", _flood)
    g.add_edge(START, "flood")
    g.add_edge("flood", END)
    return g


def _noop(state: _Ticks) -> dict[str, Any]:
    return {"count": state.get("count", 0) + 1}


def trivial_loop_builder() -> StateGraph:
    """A node that loops without doing anything: the debugger's own overhead shows."""
    g = StateGraph(_Ticks)
    g.add_node("tick", _noop)
    g.add_edge(START, "tick")
    g.add_conditional_edges("tick", _more, ["tick", END])
    return g


class _StuckState(TypedDict, total=False):
    delay: float
    messages: Annotated[list, add_messages]


def _sleep(state: _StuckState) -> dict[str, Any]:
    import time

    time.sleep(state.get("delay", 0.8))
    return {}


def _priced_answer(state: _StuckState) -> dict[str, Any]:
    return {
        "messages": [
            AIMessage(
                content="done",
                usage_metadata={"input_tokens": 1000, "output_tokens": 500, "total_tokens": 1500},
                response_metadata={"model_name": "priced-1"},
            ),
            AIMessage(content="aside", usage_metadata={"input_tokens": 10, "output_tokens": 10, "total_tokens": 20},
                      response_metadata={"model_name": "unpriced-1"}),
        ]
    }


def stuck_builder() -> StateGraph:
    """slow (sleeps ``delay``) → hold (sleeps ``delay``) → answer (a model reply with usage
    from "priced-1" and "unpriced-1"): phases to flag as stuck, and tokens to price."""
    g = StateGraph(_StuckState).add_sequence([("slow", _sleep), ("hold", _sleep), ("answer", _priced_answer)])
    g.add_edge(START, "slow")
    g.add_edge("answer", END)
    return g


stuck = stuck_builder().compile()


def _fetch(state: _StuckState) -> dict[str, Any]:
    import logging

    log = logging.getLogger("tests.levels")
    log.info("fetching the page")
    log.warning("fetch timeout, using the cache")
    return {}


_synth_attempts: dict[str, int] = {}


class UpstreamTimeout(Exception):
    """A model call that timed out (an OSError such as TimeoutError is not retried by default)."""


def _synthesize(state: _StuckState) -> dict[str, Any]:
    import logging

    from langgraph.config import get_config

    log = logging.getLogger("tests.levels")
    log.info("drafting the answer")
    log.warning("synthesize timeout on the first try")
    thread = get_config()["configurable"]["thread_id"]
    _synth_attempts[thread] = _synth_attempts.get(thread, 0) + 1
    if _synth_attempts[thread] == 1:
        raise UpstreamTimeout("model call timed out")
    return {}


def _synthesize_review(state: _StuckState) -> dict[str, Any]:
    import logging

    logging.getLogger("tests.levels").error("review found a gap")
    return {}


def levels_builder() -> StateGraph:
    """fetch → synthesize (fails once with UpstreamTimeout under a RetryPolicy) →
    synthesize_review: log records of several levels in several nodes, and an error."""
    from langgraph.types import RetryPolicy

    g = StateGraph(_StuckState)
    g.add_node("fetch", _fetch)
    g.add_node("synthesize", _synthesize, retry_policy=RetryPolicy(initial_interval=0.01, jitter=False))
    g.add_node("synthesize_review", _synthesize_review)
    g.add_edge(START, "fetch")
    g.add_edge("fetch", "synthesize")
    g.add_edge("synthesize", "synthesize_review")
    g.add_edge("synthesize_review", END)
    return g


# --- two levels of subgraphs: outer → middle (subgraph) → inner (subgraph) → deep ---


class _NestState(TypedDict, total=False):
    trail: Annotated[list[str], operator.add]
    depth_note: str


def _mark(name: str):
    def node(state: _NestState) -> dict[str, Any]:
        note = state.get("depth_note", "")
        return {"trail": [f"{name}{'(' + note + ')' if note else ''}"]}

    node.__name__ = name
    return node


def nested_builder() -> StateGraph:
    """``enter → middle[prepare → inner[deep → polish]] → leave``: checkpoints two namespaces deep
    (``middle:<task>|inner:<task>``)."""
    def chain(*nodes: tuple[str, Any]) -> StateGraph:
        g = StateGraph(_NestState).add_sequence(list(nodes))
        g.add_edge(START, nodes[0][0])
        g.add_edge(nodes[-1][0], END)
        return g

    inner = chain(("deep", _mark("deep")), ("polish", _mark("polish")))
    middle = chain(("prepare", _mark("prepare")), ("inner", inner.compile(name="inner")))
    return chain(("enter", _mark("enter")), ("middle", middle.compile(name="middle")), ("leave", _mark("leave")))
