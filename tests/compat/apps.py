"""Applications built with the published LangGraph libraries, driven offline.

Each app has a builder ``build_X(checkpointer)`` returning a compiled graph, a
module-level factory ``X_graph()`` (no checkpointer) that a GRAPH_REF can name, e.g.
``tests/compat/apps.py:deep_agent_graph``, and a runner ``run_X(graph)`` that brings
threads into the end states the app allows: ``done``, ``interrupted``, ``error`` and
``paused`` (stopped by ``interrupt_before=`` a node, no interrupt pending). Runners
return ``{end_state: thread_id}``.

The chat model is `ScriptedChatModel`: every reply is chosen from the *last* message
of the conversation (its role, name and text; a multi-agent router also reads the
user's request to know what is left), so runs are the same on every machine and never
reach the network. Model objects are always passed in (deepagents and
langchain would otherwise resolve a model string through a provider).
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any, TypedDict
from uuid import UUID

from langchain_core.messages import BaseMessage
from langchain_core.tools import tool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, RetryPolicy, Send, interrupt
from pydantic import BaseModel
from typing_extensions import NotRequired
from typing_extensions import TypedDict as SchemaTypedDict  # pydantic needs it for a response_schema on 3.11

from agent_debug.fixtures.chat_model import (
    ScriptedChatModel,
    ScriptedReply,
    ScriptedToolCall,
    message_text,
)

Checkpointer = BaseCheckpointSaver | None
Runs = dict[str, str]
"""End state → thread id."""

END_STATES = ("done", "interrupted", "error", "paused")


def config(thread_id: str) -> dict[str, Any]:
    """The run config of a thread."""
    return {"configurable": {"thread_id": thread_id}, "recursion_limit": 40}


def _invoke(graph: Any, payload: Any, thread_id: str, **kwargs: Any) -> None:
    """Run until the graph stops; a failing node leaves the thread in its error state."""
    try:
        graph.invoke(payload, config(thread_id), **kwargs)
    except Exception:  # the failure is what the thread records; the suite reads it back
        pass


# -- the scripted model ---------------------------------------------------------------


def last_message_key(message: BaseMessage) -> str:
    """``role:name:text`` of a message, what the scripts match on."""
    return f"{message.type}:{getattr(message, 'name', None) or ''}:{message_text(message)}"


Rule = tuple[str, ScriptedReply]


def scripted(rules: Sequence[Rule], default: ScriptedReply, *, name: str = "scripted-coder-1") -> ScriptedChatModel:
    """A model answering with the first rule whose pattern is in the last message's key."""

    def script(messages: Sequence[BaseMessage], tools: Sequence[str]) -> ScriptedReply:
        key = last_message_key(messages[-1]) if messages else ""
        for pattern, reply in rules:
            if pattern in key:
                return reply
        return default

    return ScriptedChatModel(script=script, model_name=name)


def call(tool_name: str, /, **args: Any) -> ScriptedToolCall:
    return ScriptedToolCall(tool_name, args)


def _prebuilt_agent(*args: Any, **kwargs: Any) -> Any:
    """``langgraph.prebuilt.create_react_agent``, deprecated in LangGraph 1.0 but what
    supervisor and swarm apps (and the libraries themselves) still build on."""
    from langgraph.prebuilt import create_react_agent

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="create_react_agent has been moved")
        return create_react_agent(*args, **kwargs)


# -- 1. langchain create_agent + HumanInTheLoopMiddleware ------------------------------


@tool
def send_email(to: str, subject: str) -> str:
    """Send an email to someone."""
    return f"Sent '{subject}' to {to}."


@tool
def delete_draft(draft_id: int) -> str:
    """Delete a draft email."""
    return f"Deleted draft {draft_id}."


ADDRESS_BOOK = {"Bob": "bob@example.com", "Alice": "alice@example.com"}


@tool
def lookup_contact(name: str) -> str:
    """Find the email address of a contact."""
    if name not in ADDRESS_BOOK:
        # The user's own words end up in the message (here a word a classifier might misread).
        raise LookupError(f"no contact named {name!r} in the address book")
    return ADDRESS_BOOK[name]


HITL_MODEL_RULES: list[Rule] = [
    (
        "human::Email Alice",
        ScriptedReply(
            "I'll send the email and clean up the draft.",
            thinking="Two actions: send the launch email, then delete draft 7.",
            thinking_format="reasoning",
            tool_calls=(call("send_email", to="alice@example.com", subject="Launch"), call("delete_draft", draft_id=7)),
        ),
    ),
    (
        "human::Who is",
        ScriptedReply("Looking them up.", tool_calls=(call("lookup_contact", name="Bob"),)),
    ),
    (
        "human::Look up Forbidden",
        ScriptedReply("Looking them up.", tool_calls=(call("lookup_contact", name="Forbidden City Tours"),)),
    ),
    ("tool:lookup_contact:", ScriptedReply("Bob's address is bob@example.com.", thinking="Found it.", thinking_format="thinking")),
]
HITL_DEFAULT = ScriptedReply("All done.", thinking="Report what happened.", thinking_format="reasoning_content")
HITL_INTERRUPT_ON: dict[str, Any] = {
    "send_email": True,  # approve, edit, reject, respond
    "delete_draft": {"allowed_decisions": ["approve", "reject"]},
}


def build_hitl(checkpointer: Checkpointer, *, interrupt_mode: str = "batched") -> Any:
    """langchain's ``create_agent`` with ``HumanInTheLoopMiddleware`` on two tools."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import HumanInTheLoopMiddleware

    return create_agent(
        scripted(HITL_MODEL_RULES, HITL_DEFAULT),
        tools=[send_email, delete_draft, lookup_contact],
        system_prompt="You are an email assistant.",
        middleware=[HumanInTheLoopMiddleware(interrupt_on=HITL_INTERRUPT_ON, interrupt_mode=interrupt_mode)],  # type: ignore[arg-type]
        checkpointer=checkpointer,
    )


def build_hitl_per_call(checkpointer: Checkpointer) -> Any:
    """The same agent in ``interrupt_mode="per_call"``: one interrupt per gated tool call."""
    return build_hitl(checkpointer, interrupt_mode="per_call")


def hitl_graph() -> Any:
    return build_hitl(None)


def hitl_per_call_graph() -> Any:
    return build_hitl_per_call(None)


def _user(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


def run_hitl(graph: Any, prefix: str = "hitl") -> Runs:
    runs = {s: f"{prefix}-{s}" for s in END_STATES}
    _invoke(graph, _user("Who is Bob?"), runs["done"])
    _invoke(graph, _user("Email Alice about the launch"), runs["interrupted"])
    _invoke(graph, _user("Look up Forbidden City Tours"), runs["error"])
    _invoke(graph, _user("Who is Bob?"), runs["paused"], interrupt_before=["tools"])
    return runs


def run_hitl_per_call(graph: Any) -> Runs:
    return run_hitl(graph, prefix="percall")


# -- 2. langgraph.prebuilt create_react_agent + ToolNode, interrupt() inside a tool -----


@tool
def count_rows(table: str) -> str:
    """Count the rows of a table."""
    if table == "ghost":
        raise KeyError(f"table {table!r} does not exist")
    return f"{table} has 1204 rows."


@tool
def drop_table(table: str) -> str:
    """Delete every row of a table; a human must accept first."""
    # The agent-inbox request that langgraph.prebuilt.interrupt.HumanInterrupt describes.
    request = {
        "action_request": {"action": "drop_table", "args": {"table": table}},
        "config": {"allow_accept": True, "allow_ignore": True, "allow_respond": True, "allow_edit": False},
        "description": f"Drop every row of {table}?",
    }
    [response] = interrupt([request])
    if response["type"] == "accept":
        return f"Dropped every row of {table}."
    if response["type"] == "response":
        return f"Not dropped; the reviewer said: {response['args']}"
    return f"Not dropped: the reviewer ignored the request for {table}."


REACT_RULES: list[Rule] = [
    ("human::Drop", ScriptedReply("Dropping it.", tool_calls=(call("drop_table", table="orders"),))),
    ("human::Count ghost", ScriptedReply("Counting.", tool_calls=(call("count_rows", table="ghost"),))),
    (
        "human::Count",
        ScriptedReply("Counting.", thinking="Use count_rows.", thinking_format="thinking", tool_calls=(call("count_rows", table="orders"),)),
    ),
]
REACT_DEFAULT = ScriptedReply("Done.", thinking="Summarise the tool result.", thinking_format="thinking")


def build_react(checkpointer: Checkpointer) -> Any:
    """``create_react_agent`` with an explicit ``ToolNode``; ``drop_table`` interrupts."""
    from langgraph.prebuilt import ToolNode

    return _prebuilt_agent(
        scripted(REACT_RULES, REACT_DEFAULT),
        ToolNode([count_rows, drop_table]),
        prompt="You manage a database.",
        checkpointer=checkpointer,
    )


def react_graph() -> Any:
    return build_react(None)


def run_react(graph: Any) -> Runs:
    runs = {s: f"react-{s}" for s in END_STATES}
    _invoke(graph, _user("Count the orders"), runs["done"])
    _invoke(graph, _user("Drop the orders table"), runs["interrupted"])
    _invoke(graph, _user("Count ghost rows"), runs["error"])
    _invoke(graph, _user("Count the orders"), runs["paused"], interrupt_before=["tools"])
    return runs


# -- 3. langgraph-supervisor with two agents ------------------------------------------


@tool
def lookup_fact(topic: str) -> str:
    """Look up a fact about a topic."""
    if topic == "volcanoes":
        raise ConnectionError("the encyclopedia service reset the connection")
    return f"{topic.capitalize()} hunt at night."


@tool
def publish_post(text: str) -> str:
    """Publish a blog post; an editor signs off first."""
    answer = interrupt({"question": "Publish this post?", "text": text, "options": ["approve", "reject"]})
    if answer == "approve":
        return "Published."
    return f"Not published ({answer})."


def _first_request(messages: Sequence[BaseMessage]) -> str:
    return next((message_text(m) for m in messages if m.type == "human"), "")


def _supervisor_script(messages: Sequence[BaseMessage], tools: Sequence[str]) -> ScriptedReply:
    key = last_message_key(messages[-1])
    if key.startswith("human::Research"):
        return ScriptedReply(
            "The researcher goes first.",
            thinking="Research, then writing.",
            thinking_format="reasoning_content",
            tool_calls=(call("transfer_to_researcher"),),
        )
    if "transferred back to supervisor" in key:
        # Every agent's handoff back reads the same: the agent's own answer just before it
        # says who came back, the user's request what is left to do.
        came_back = next((m.name for m in reversed(messages) if m.type == "ai" and m.name not in (None, "supervisor")), None)
        if came_back == "researcher" and "publish" in _first_request(messages):
            return ScriptedReply("Now the writer.", tool_calls=(call("transfer_to_writer"),))
    return ScriptedReply("Everything is done.")


def _researcher_script(messages: Sequence[BaseMessage], tools: Sequence[str]) -> ScriptedReply:
    key = last_message_key(messages[-1])
    if key.startswith("tool:lookup_fact:"):
        return ScriptedReply(message_text(messages[-1]), thinking="That answers it.", thinking_format="reasoning")
    topic = "volcanoes" if "volcanoes" in _first_request(messages) else "owls"
    return ScriptedReply("Looking it up.", tool_calls=(call("lookup_fact", topic=topic),))


def _writer_script(messages: Sequence[BaseMessage], tools: Sequence[str]) -> ScriptedReply:
    key = last_message_key(messages[-1])
    if key.startswith("tool:publish_post:"):
        return ScriptedReply(f"Post status: {message_text(messages[-1])}")
    return ScriptedReply("Writing the post.", tool_calls=(call("publish_post", text="Owls hunt at night."),))


def build_supervisor(checkpointer: Checkpointer) -> Any:
    """``create_supervisor`` over a researcher and a writer (both ``create_react_agent``)."""
    from langgraph_supervisor import create_supervisor

    researcher = _prebuilt_agent(ScriptedChatModel(script=_researcher_script), [lookup_fact], name="researcher", prompt="You research.")
    writer = _prebuilt_agent(ScriptedChatModel(script=_writer_script), [publish_post], name="writer", prompt="You write.")
    with warnings.catch_warnings():  # it builds its own agent with create_react_agent
        warnings.filterwarnings("ignore", message="create_react_agent has been moved")
        workflow = create_supervisor(
            [researcher, writer], model=ScriptedChatModel(script=_supervisor_script), prompt="You manage a researcher and a writer."
        )
    return workflow.compile(checkpointer=checkpointer)


def supervisor_graph() -> Any:
    return build_supervisor(None)


def run_supervisor(graph: Any) -> Runs:
    runs = {s: f"supervisor-{s}" for s in END_STATES}
    _invoke(graph, _user("Research owls for me"), runs["done"])
    _invoke(graph, _user("Research owls and publish a post"), runs["interrupted"])
    _invoke(graph, _user("Research volcanoes"), runs["error"])
    _invoke(graph, _user("Research owls and publish a post"), runs["paused"], interrupt_before=["writer"])
    return runs


# -- 4. langgraph-swarm with handoffs ------------------------------------------------------


@tool
def issue_refund(order_id: int) -> str:
    """Refund an order; a human confirms first."""
    if order_id <= 0:
        raise ValueError(f"order id must be positive, got {order_id}")
    # A developer's own confirmation: truthy means yes.
    approved = interrupt({"question": f"Refund order {order_id}?", "order_id": order_id, "amount": 30})
    if approved:
        return f"Refunded $30 for order {order_id}."
    return f"Refund for order {order_id} cancelled."


def _triage_script(messages: Sequence[BaseMessage], tools: Sequence[str]) -> ScriptedReply:
    key = last_message_key(messages[-1])
    if key.startswith("human::") and "refund" in key.lower():
        return ScriptedReply("Billing handles refunds.", tool_calls=(call("transfer_to_billing"),))
    return ScriptedReply("We are open 9 to 5.", thinking="Opening hours are known.", thinking_format="thinking")


def _billing_script(messages: Sequence[BaseMessage], tools: Sequence[str]) -> ScriptedReply:
    key = last_message_key(messages[-1])
    if key.startswith("tool:issue_refund:"):
        return ScriptedReply(message_text(messages[-1]))
    order = 0 if "order 0" in _first_request(messages) else 42
    return ScriptedReply(
        "Issuing the refund.",
        thinking="Refund needs confirmation.",
        thinking_format="reasoning",
        tool_calls=(call("issue_refund", order_id=order),),
    )


def build_swarm(checkpointer: Checkpointer) -> Any:
    """``create_swarm``: triage hands refunds off to billing, whose tool interrupts."""
    from langgraph_swarm import create_handoff_tool, create_swarm

    triage = _prebuilt_agent(
        ScriptedChatModel(script=_triage_script),
        [create_handoff_tool(agent_name="billing", description="Hand refunds to billing")],
        name="triage",
        prompt="You triage customer requests.",
    )
    billing = _prebuilt_agent(
        ScriptedChatModel(script=_billing_script),
        [issue_refund, create_handoff_tool(agent_name="triage")],
        name="billing",
        prompt="You handle billing.",
    )
    return create_swarm([triage, billing], default_active_agent="triage").compile(checkpointer=checkpointer)


def swarm_graph() -> Any:
    return build_swarm(None)


def run_swarm(graph: Any) -> Runs:
    runs = {s: f"swarm-{s}" for s in END_STATES}
    _invoke(graph, _user("When are you open?"), runs["done"])
    _invoke(graph, _user("I want a refund for order 42"), runs["interrupted"])
    _invoke(graph, _user("I want a refund for order 0"), runs["error"])
    _invoke(graph, _user("I want a refund for order 42"), runs["paused"], interrupt_before=["billing"])
    return runs


# -- 5. deepagents with a sub-agent -----------------------------------------------------------


@tool
def find_sources(topic: str) -> str:
    """Find sources about a topic."""
    if topic == "lava":
        raise TimeoutError("the source index timed out")
    return f"Three sources say {topic} hunt at night."


@tool
def publish_report(path: str) -> str:
    """Publish a report file."""
    return f"Published {path}."


REPORT = "# Owls\n\nOwls hunt at night.\n"


def _deep_script(messages: Sequence[BaseMessage], tools: Sequence[str]) -> ScriptedReply:
    key = last_message_key(messages[-1])
    first = _first_request(messages)
    if key.startswith("human::") and "Find facts" in key:  # the sub-agent's task
        topic = "lava" if "lava" in key else "owls"
        return ScriptedReply("Searching.", tool_calls=(call("find_sources", topic=topic),))
    if key.startswith("tool:find_sources:"):
        return ScriptedReply(message_text(messages[-1]), thinking="Enough sources.", thinking_format="reasoning")
    if key.startswith("human::"):
        topic = "lava" if "lava" in key else "owls"
        return ScriptedReply(
            "Delegating the research.",
            thinking="A researcher should gather facts first.",
            thinking_format="thinking",
            tool_calls=(call("task", description=f"Find facts about {topic}", subagent_type="researcher"),),
        )
    if key.startswith("tool:task:"):
        return ScriptedReply("Writing the report.", tool_calls=(call("write_file", file_path="/report.md", content=REPORT),))
    if key.startswith("tool:write_file:") and "publish" in first.lower():
        return ScriptedReply("Publishing.", tool_calls=(call("publish_report", path="/report.md"),))
    return ScriptedReply("The report is in /report.md.", thinking="Wrap up.", thinking_format="reasoning_content")


def build_deep_agent(checkpointer: Checkpointer) -> Any:
    """``create_deep_agent`` with a researcher sub-agent; files live in the state (DeltaChannel)."""
    from deepagents import create_deep_agent

    model = ScriptedChatModel(script=_deep_script)
    return create_deep_agent(
        model,
        tools=[publish_report],
        system_prompt="You write research reports.",
        subagents=[
            {
                "name": "researcher",
                "description": "Finds facts about a topic.",
                "system_prompt": "You find facts.",
                "tools": [find_sources],
                "model": model,
            }
        ],
        interrupt_on={"publish_report": True},
        checkpointer=checkpointer,
    )


def deep_agent_graph() -> Any:
    return build_deep_agent(None)


def run_deep_agent(graph: Any) -> Runs:
    runs = {s: f"deep-{s}" for s in END_STATES}
    _invoke(graph, _user("Write a report on owls"), runs["done"])
    _invoke(graph, _user("Write a report on owls and publish it"), runs["interrupted"])
    _invoke(graph, _user("Write a report on lava"), runs["error"])
    _invoke(graph, _user("Write a report on owls"), runs["paused"], interrupt_before=["tools"])
    return runs


# -- 6. the functional API ----------------------------------------------------------------------


class Approval(SchemaTypedDict):
    """What the review interrupt expects back (its ``response_schema``)."""

    approved: bool
    feedback: NotRequired[str]


def build_functional(checkpointer: Checkpointer) -> Any:
    """``@entrypoint`` ``editorial`` with ``@task``s and a typed ``interrupt()``."""
    from langgraph.func import entrypoint, task

    @task
    def outline(topic: str) -> list[str]:
        return [f"What {topic} are", f"Why {topic} matter"]

    @task
    def write_up(topic: str, sections: list[str]) -> str:
        return f"{topic}: " + "; ".join(sections)

    @entrypoint(checkpointer=checkpointer)
    def editorial(inputs: dict[str, Any], *, previous: Any = None) -> Any:
        topic = inputs["topic"]
        sections = outline(topic).result()
        answer = interrupt({"question": f"Approve the outline for {topic}?", "sections": sections}, response_schema=Approval)
        runs = (previous or {}).get("runs", 0) + 1
        if not answer["approved"]:
            result = {"topic": topic, "status": "rejected", "feedback": answer.get("feedback", ""), "runs": runs}
        else:
            result = {"topic": topic, "status": "published", "text": write_up(topic, sections).result(), "runs": runs}
        return entrypoint.final(value=result, save={"runs": runs, "last_topic": topic})

    return editorial


def build_functional_failing(checkpointer: Checkpointer) -> Any:
    """``@entrypoint`` ``crawl`` fetching two pages in parallel; one ``@task`` fails."""
    from langgraph.func import entrypoint, task

    @task
    def fetch(url: str) -> str:
        if "broken" in url:
            raise PermissionError(f"403 for {url}")
        return f"<html>{url}</html>"

    @entrypoint(checkpointer=checkpointer)
    def crawl(urls: list[str]) -> dict[str, Any]:
        pages = [fetch(u) for u in urls]
        return {"pages": [p.result() for p in pages]}

    return crawl


def functional_graph() -> Any:
    return build_functional(None)


def functional_failing_graph() -> Any:
    return build_functional_failing(None)


def run_functional(graph: Any) -> Runs:
    runs = {s: f"func-{s}" for s in ("done", "interrupted", "paused")}
    _invoke(graph, {"topic": "owls"}, runs["done"])
    _invoke(graph, Command(resume={"approved": True}), runs["done"])
    # A second run on a thread: the first run's return value and saved value are in the state.
    _invoke(graph, {"topic": "owls"}, runs["interrupted"])
    _invoke(graph, Command(resume={"approved": True}), runs["interrupted"])
    _invoke(graph, {"topic": "bats"}, runs["interrupted"])
    _invoke(graph, {"topic": "moths"}, runs["paused"], interrupt_before=["editorial"])
    return runs


def run_functional_failing(graph: Any) -> Runs:
    runs = {"done": "crawl-done", "error": "crawl-error"}
    _invoke(graph, ["https://a.example"], runs["done"])
    _invoke(graph, ["https://a.example", "https://broken.example"], runs["error"])
    return runs


# -- 7. Send map-reduce with a RetryPolicy ----------------------------------------------------


class MapState(TypedDict, total=False):
    topics: list[str]
    summaries: Annotated[list[str], operator.add]
    report: str
    published: bool


class TopicState(TypedDict):
    topic: str


def _fan_out(state: MapState) -> list[Send]:
    return [Send("summarize", {"topic": t}) for t in state["topics"]]


def _summarize(state: TopicState) -> dict[str, Any]:
    if state["topic"] == "broken":
        raise TimeoutError("the summariser timed out")
    return {"summaries": [f"{state['topic']}: fine"]}


def _combine(state: MapState) -> dict[str, Any]:
    return {"report": " | ".join(sorted(state.get("summaries", [])))}


def _review(state: MapState) -> dict[str, Any]:
    return {"published": bool(interrupt(f"Publish the report? {state['report']}"))}


def build_map_reduce(checkpointer: Checkpointer) -> Any:
    """plan → Send × N to ``summarize`` (RetryPolicy, 2 attempts) → combine → review (interrupt)."""
    g = StateGraph(MapState)
    g.add_node("plan", lambda s: {"summaries": []})
    g.add_node(
        "summarize", _summarize, retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.001, jitter=False, retry_on=TimeoutError)
    )
    g.add_node("combine", _combine)
    g.add_node("review", _review)
    g.add_edge(START, "plan")
    g.add_conditional_edges("plan", _fan_out, ["summarize"])
    g.add_edge("summarize", "combine")
    g.add_edge("combine", "review")
    g.add_edge("review", END)
    return g.compile(checkpointer=checkpointer)


def map_reduce_graph() -> Any:
    return build_map_reduce(None)


def run_map_reduce(graph: Any) -> Runs:
    runs = {s: f"map-{s}" for s in END_STATES}
    _invoke(graph, {"topics": ["cats", "dogs"]}, runs["done"])
    _invoke(graph, Command(resume=True), runs["done"])
    _invoke(graph, {"topics": ["cats", "dogs"]}, runs["interrupted"])
    _invoke(graph, {"topics": ["cats", "broken"]}, runs["error"])
    _invoke(graph, {"topics": ["cats", "dogs"]}, runs["paused"], interrupt_before=["summarize"])
    return runs


# -- 8. a state of pydantic models, dataclasses, datetimes, sets and bytes ---------------------


class Plan(BaseModel):
    """A pydantic model in the state."""

    title: str
    steps: list[str]
    due: datetime


@dataclass
class Attachment:
    """A dataclass in the state, holding bytes."""

    name: str
    data: bytes
    labels: set[str] = field(default_factory=set)


class TypedState(TypedDict, total=False):
    title: str
    plan: Plan
    attachment: Attachment
    tags: set[str]
    codes: frozenset[int]
    created: datetime
    day: date
    elapsed: timedelta
    blob: bytes
    ident: UUID
    amount: Decimal
    approved: bool


WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
# Enough strings that two processes (two hash seeds) almost surely iterate them differently.
TAGS = ("urgent", "beta", "zeta", "alpha", "gamma", "delta", "omega", "kappa", "sigma", "lambda", "theta", "iota")


def _make_plan(state: TypedState) -> dict[str, Any]:
    title = state["title"]
    return {
        "plan": Plan(title=title, steps=["draft", "review"], due=WHEN + timedelta(days=7)),
        "tags": set(TAGS),
        "codes": frozenset({3, 1, 2}),
        "created": WHEN,
        "day": WHEN.date(),
        "elapsed": timedelta(minutes=90),
        "ident": UUID("12345678-1234-5678-1234-567812345678"),
        "amount": Decimal("19.99"),
    }


def _attach(state: TypedState) -> dict[str, Any]:
    if state["title"] == "broken":
        raise RuntimeError("cannot attach to a broken plan")
    data = bytes(range(16)) + b"\x00\xff"
    return {"attachment": Attachment(name="spec.bin", data=data, labels={"b", "a"}), "blob": b"\x89PNG\r\n\x1a\n"}


def _sign_off(state: TypedState) -> dict[str, Any]:
    answer = interrupt({"question": "Sign off the plan?", "due": state["plan"].due, "tags": state["tags"]})
    # The whole state comes back, the unchanged set of tags too (written anew by this process).
    return {"approved": answer is True, "tags": set(state["tags"])}


def build_typed_state(checkpointer: Checkpointer) -> Any:
    """make_plan → attach (fails for the title 'broken') → sign_off (interrupt)."""
    g = StateGraph(TypedState).add_sequence([("make_plan", _make_plan), ("attach", _attach), ("sign_off", _sign_off)])
    g.add_edge(START, "make_plan")
    g.add_edge("sign_off", END)
    return g.compile(checkpointer=checkpointer)


def typed_state_graph() -> Any:
    return build_typed_state(None)


def run_typed_state(graph: Any) -> Runs:
    runs = {s: f"typed-{s}" for s in END_STATES}
    _invoke(graph, {"title": "launch"}, runs["done"])
    _invoke(graph, Command(resume=True), runs["done"])
    _invoke(graph, {"title": "launch"}, runs["interrupted"])
    _invoke(graph, {"title": "broken"}, runs["error"])
    _invoke(graph, {"title": "launch"}, runs["paused"], interrupt_before=["attach"])
    return runs


# -- the catalogue ------------------------------------------------------------------------------


def _texts(values: Any) -> str:
    messages = values.get("messages", []) if isinstance(values, dict) else []
    return "\n".join(message_text(m) for m in messages)


def _tool_texts(values: Any) -> list[str]:
    messages = values.get("messages", []) if isinstance(values, dict) else []
    return [message_text(m) for m in messages if m.type == "tool"]


def _hitl_approved(values: Any) -> bool:
    ran = _tool_texts(values)
    return "Sent 'Launch' to alice@example.com." in ran and "Deleted draft 7." in ran


def _hitl_rejected(values: Any) -> bool:
    ran = _tool_texts(values)
    return not any(t.startswith(("Sent ", "Deleted ")) for t in ran) and any("User rejected" in t for t in ran)


@dataclass(frozen=True)
class App:
    """One application: how to build it, bring its threads to their end states, and name it."""

    name: str
    build: Callable[[Checkpointer], Any]
    run: Callable[[Any], Runs]
    ref: str
    """GRAPH_REF of its factory, relative to the repository root."""
    states: tuple[str, ...] = END_STATES
    approved: Callable[[Any], bool] | None = None
    """Whether the state (LangGraph's values) after answering the interrupt shows it was approved."""
    rejected: Callable[[Any], bool] | None = None
    """Whether it shows a rejection: the action did not happen."""


def _ref(factory: str) -> str:
    return f"tests/compat/apps.py:{factory}"


APPS: dict[str, App] = {
    app.name: app
    for app in (
        App("hitl", build_hitl, run_hitl, _ref("hitl_graph"), approved=_hitl_approved, rejected=_hitl_rejected),
        App("hitl_per_call", build_hitl_per_call, run_hitl_per_call, _ref("hitl_per_call_graph"), approved=_hitl_approved, rejected=_hitl_rejected),
        App(
            "react", build_react, run_react, _ref("react_graph"),
            approved=lambda v: "Dropped every row of orders." in _tool_texts(v),
            rejected=lambda v: any(t.startswith("Not dropped") for t in _tool_texts(v)) and "Dropped every row" not in _texts(v),
        ),
        App(
            "supervisor", build_supervisor, run_supervisor, _ref("supervisor_graph"),
            approved=lambda v: "Post status: Published." in _texts(v),
            rejected=lambda v: "Post status: Not published" in _texts(v),
        ),
        App(
            "swarm", build_swarm, run_swarm, _ref("swarm_graph"),
            approved=lambda v: "Refunded $30 for order 42." in _tool_texts(v),
            rejected=lambda v: "Refund for order 42 cancelled." in _tool_texts(v) and "Refunded" not in _texts(v),
        ),
        App(
            "deep_agent", build_deep_agent, run_deep_agent, _ref("deep_agent_graph"),
            approved=lambda v: "Published /report.md." in _tool_texts(v),
            rejected=lambda v: "Published /report.md." not in _tool_texts(v) and any("User rejected" in t for t in _tool_texts(v)),
        ),
        App(
            "functional", build_functional, run_functional, _ref("functional_graph"), states=("done", "interrupted", "paused"),
            approved=lambda v: isinstance(v, dict) and v.get("topic") == "bats" and v.get("status") == "published",
            rejected=lambda v: isinstance(v, dict) and v.get("topic") == "bats" and v.get("status") == "rejected",
        ),
        App("functional_failing", build_functional_failing, run_functional_failing, _ref("functional_failing_graph"), states=("done", "error")),
        App(
            "map_reduce", build_map_reduce, run_map_reduce, _ref("map_reduce_graph"),
            approved=lambda v: v.get("published") is True,
            rejected=lambda v: v.get("published") is False,
        ),
        App(
            # By module, not by path: its pydantic and dataclass values are stored under their
            # module's name, which must be the same in the writer and in LangGraph here.
            "typed_state", build_typed_state, run_typed_state, "tests.compat.apps:typed_state_graph",
            approved=lambda v: v.get("approved") is True,
            rejected=lambda v: v.get("approved") is False,
        ),
    )
}
