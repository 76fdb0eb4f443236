"""Approve and reject values, checked on the interrupts the published libraries really raise.

Each test runs the library (langchain's create_agent with HumanInTheLoopMiddleware in both
modes, deepagents, langgraph-swarm, the agent-inbox shape, plain LangGraph interrupts with
and without a response_schema) on the offline scripted model, takes the pending
interrupts from ``get_state``, answers them with our values through ``Command(resume=...)``
and asserts through LangGraph's API what the library did with them. Where no value is
certain to mean what the user asked, the answer is refused and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel
from typing_extensions import TypedDict

from agent_debug.fixtures.chat_model import ScriptedChatModel, ScriptedReply, ScriptedToolCall
from agent_debug.inspector.decisions import (
    UnsafeAnswer,
    answer,
    approve_value,
    check_schema,
    editor_value,
    offer,
    reject_value,
    template_value,
)
from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.model import InterruptInfo

# -- the apps ------------------------------------------------------------------------------

RAN: list[tuple[str, dict[str, Any]]] = []
"""Tool calls that really executed, in order (cleared before each test)."""


@pytest.fixture(autouse=True)
def _fresh_tool_log():
    RAN.clear()
    yield
    RAN.clear()


@tool
def refund(order: str, amount: int) -> str:
    """Refund an order."""
    RAN.append(("refund", {"order": order, "amount": amount}))
    return f"refunded {amount} on {order}"


@tool
def lookup(order: str) -> str:
    """Look up an order."""
    RAN.append(("lookup", {"order": order}))
    return f"{order}: shipped"


def tool_script(*calls: ScriptedToolCall):
    """Call the tools once, then answer in words once a tool message is back."""

    def script(messages: Sequence[BaseMessage], tools: Sequence[str]) -> ScriptedReply:
        if any(isinstance(m, ToolMessage) for m in messages):
            return ScriptedReply("Done.")
        return ScriptedReply("On it.", tool_calls=calls)

    return script


REFUND = ScriptedToolCall("refund", {"order": "A1", "amount": 5})
LOOKUP = ScriptedToolCall("lookup", {"order": "A1"})


def hitl_agent(interrupt_on: dict[str, Any], mode: str = "per_call", calls: Sequence[ScriptedToolCall] = (REFUND,)):
    """langchain's create_agent with the human-in-the-loop middleware, on the scripted model."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import HumanInTheLoopMiddleware

    model = ScriptedChatModel(script=tool_script(*calls))
    return create_agent(
        model,
        tools=[refund, lookup],
        middleware=[HumanInTheLoopMiddleware(interrupt_on=interrupt_on, interrupt_mode=mode)],
        checkpointer=InMemorySaver(),
    )


def cfg(thread: str = "t") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def ask(graph, payload: Any, thread: str = "t") -> list[InterruptInfo]:
    """Run until the graph waits; its pending interrupts as the inspector models them."""
    graph.invoke(payload, cfg(thread))
    found = graph.get_state(cfg(thread)).interrupts
    assert found, "the graph did not stop at an interrupt"
    return [
        InterruptInfo(id=i.id, value=i.value, node=None, task_id="", response_schema=i.response_schema)
        for i in found
    ]


def send(graph, plan: dict[str, Any], thread: str = "t") -> Any:
    return graph.invoke(Command(resume=plan), cfg(thread))


def approve(intr: InterruptInfo) -> Any:
    value = approve_value(intr.value, intr.response_schema)
    assert check_schema(value, intr.response_schema) is None
    return value


def reject(intr: InterruptInfo, message: str | None = None) -> Any:
    value = reject_value(intr.value, message, intr.response_schema)
    assert check_schema(value, intr.response_schema) is None
    return value


def tool_messages(graph, thread: str = "t") -> list[ToolMessage]:
    return [m for m in graph.get_state(cfg(thread)).values["messages"] if isinstance(m, ToolMessage)]


ASK_REFUND = {"messages": [{"role": "user", "content": "Refund order A1."}]}

# -- langchain HumanInTheLoopMiddleware, per call -----------------------------------------


def test_per_call_approve_is_one_decision_and_runs_the_tool():
    graph = hitl_agent({"refund": True})
    [intr] = ask(graph, ASK_REFUND)
    assert intr.value["type"] == "tool_approval" and intr.response_schema  # the shape we read
    value = approve(intr)
    assert value == {"type": "approve"}  # not `true`, which the schema refuses
    assert check_schema(True, intr.response_schema) is not None
    send(graph, {intr.id: value})
    assert RAN == [("refund", {"order": "A1", "amount": 5})]
    assert not graph.get_state(cfg()).interrupts
    assert tool_messages(graph)[0].content == "refunded 5 on A1"


def test_per_call_reject_with_a_reason_never_runs_the_tool():
    graph = hitl_agent({"refund": True})
    [intr] = ask(graph, ASK_REFUND)
    value = reject(intr, "too late")
    assert value == {"type": "reject", "message": "too late"}
    send(graph, {intr.id: value})
    assert RAN == []
    [message] = tool_messages(graph)
    assert "too late" in message.content and message.status == "error"
    assert isinstance(graph.get_state(cfg()).values["messages"][-1], AIMessage)  # the model heard it


def test_per_call_reject_without_a_reason_leaves_the_library_default():
    graph = hitl_agent({"refund": {"allowed_decisions": ["approve", "reject"]}})
    [intr] = ask(graph, ASK_REFUND)
    assert reject(intr) == {"type": "reject"}
    send(graph, {intr.id: reject(intr)})
    assert RAN == [] and "was not executed" in tool_messages(graph)[0].content


def test_per_call_both_interrupts_of_one_turn_answered_at_once():
    graph = hitl_agent({"refund": True, "lookup": True}, calls=(REFUND, LOOKUP))
    pending = ask(graph, ASK_REFUND)
    by_tool = {i.value["name"]: i for i in pending}
    assert set(by_tool) == {"refund", "lookup"}
    send(graph, {by_tool["refund"].id: reject(by_tool["refund"], "no refunds today"), by_tool["lookup"].id: approve(by_tool["lookup"])})
    assert RAN == [("lookup", {"order": "A1"})]
    contents = {m.name: m.content for m in tool_messages(graph)}
    assert contents["lookup"] == "A1: shipped" and "no refunds today" in contents["refund"]


def test_per_call_decisions_the_tool_does_not_allow_are_refused():
    graph = hitl_agent({"refund": {"allowed_decisions": ["reject"]}, "lookup": {"allowed_decisions": ["approve"]}}, calls=(REFUND, LOOKUP))
    by_tool = {i.value["name"]: i for i in ask(graph, ASK_REFUND)}
    with pytest.raises(UnsafeAnswer, match=r"approve is not allowed for tool 'refund' \(allowed: reject\)"):
        approve_value(by_tool["refund"].value, by_tool["refund"].response_schema)
    with pytest.raises(UnsafeAnswer, match=r"reject is not allowed for tool 'lookup' \(allowed: approve\)"):
        reject_value(by_tool["lookup"].value, "no", by_tool["lookup"].response_schema)
    # The editor starts from what the tool allows, and the library takes it.
    start, hint = editor_value(by_tool["refund"].value, by_tool["refund"].response_schema)
    assert start == {"type": "reject"} and hint and "not allowed" in hint
    assert offer(by_tool["refund"].value, by_tool["refund"].response_schema).labels == {"reject": "Reject"}
    send(graph, {by_tool["refund"].id: start, by_tool["lookup"].id: approve(by_tool["lookup"])})
    assert RAN == [("lookup", {"order": "A1"})]


def test_per_call_edit_and_respond_templates_are_accepted():
    graph = hitl_agent({"refund": True}, calls=(REFUND,))
    [intr] = ask(graph, ASK_REFUND)
    assert offer(intr.value, intr.response_schema).labels == {"approve": "Approve", "reject": "Reject", "edit": "Edit", "respond": "Respond"}
    edit = template_value(intr.value, intr.response_schema, "edit")
    assert edit == {"type": "edit", "edited_action": {"name": "refund", "args": {"order": "A1", "amount": 5}}}
    assert check_schema(edit, intr.response_schema) is None
    edit["edited_action"]["args"]["amount"] = 3
    send(graph, {intr.id: edit})
    assert RAN == [("refund", {"order": "A1", "amount": 3})]

    graph = hitl_agent({"refund": True}, calls=(REFUND,))
    [intr] = ask(graph, ASK_REFUND, thread="respond")
    respond = template_value(intr.value, intr.response_schema, "respond", "refunded by hand")
    assert respond == {"type": "respond", "message": "refunded by hand"}
    send(graph, {intr.id: respond}, thread="respond")
    assert RAN == [("refund", {"order": "A1", "amount": 3})]  # not run again
    assert tool_messages(graph, "respond")[0].content == "refunded by hand"


def test_the_refusal_names_the_interrupt_and_is_one_line():
    graph = hitl_agent({"refund": {"allowed_decisions": ["approve"]}})
    [intr] = ask(graph, ASK_REFUND)
    intr = intr.model_copy(update={"node": "tools"})
    with pytest.raises(InspectorError) as caught:
        answer(intr, approve=False, message="too late")
    line = caught.value.message
    assert "\n" not in line and caught.value.exit_code == 1
    assert line.startswith(f"cannot reject interrupt {intr.id[:8]} (tools) safely: reject is not allowed for tool 'refund'")
    assert line.endswith("nothing was sent: answer it with an explicit --value JSON")
    assert answer(intr, approve=True) == {"type": "approve"}


# -- langchain HumanInTheLoopMiddleware, batched (and deepagents, which uses it) ------------


def test_batched_approve_and_reject_follow_the_actions():
    graph = hitl_agent({"refund": True, "lookup": True}, mode="batched", calls=(REFUND, LOOKUP))
    [intr] = ask(graph, ASK_REFUND)
    assert [a["name"] for a in intr.value["action_requests"]] == ["refund", "lookup"] and intr.response_schema is None
    value = reject(intr, "too late")
    assert value == {"decisions": [{"type": "reject", "message": "too late"}] * 2}
    send(graph, {intr.id: value})
    assert RAN == []
    assert [("too late" in m.content, m.status) for m in tool_messages(graph)] == [(True, "error")] * 2

    graph = hitl_agent({"refund": True, "lookup": True}, mode="batched", calls=(REFUND, LOOKUP))
    [intr] = ask(graph, ASK_REFUND, thread="yes")
    assert approve(intr) == {"decisions": [{"type": "approve"}] * 2}
    send(graph, {intr.id: approve(intr)}, thread="yes")
    assert sorted(name for name, _ in RAN) == ["lookup", "refund"]  # ToolNode runs the two calls in parallel


def test_batched_allowed_decisions_are_never_overstepped():
    graph = hitl_agent({"refund": {"allowed_decisions": ["reject", "respond"]}, "lookup": {"allowed_decisions": ["approve"]}}, mode="batched", calls=(REFUND, LOOKUP))
    [intr] = ask(graph, ASK_REFUND)
    with pytest.raises(UnsafeAnswer, match=r"approve is not allowed for 'refund' \(allowed: reject, respond\)"):
        approve_value(intr.value)
    with pytest.raises(UnsafeAnswer, match=r"reject is not allowed for 'lookup' \(allowed: approve\)"):
        reject_value(intr.value, "no")
    start, hint = editor_value(intr.value)
    assert start == {"decisions": [{"type": "reject"}, {"type": "approve"}]} and "refund" in (hint or "")
    assert offer(intr.value).labels == {"approve": "Approve", "reject": "Reject", "respond": "Respond"}
    send(graph, {intr.id: start})
    assert RAN == [("lookup", {"order": "A1"})]


def test_deepagents_interrupt_on_is_answered_like_the_middleware():
    from deepagents import create_deep_agent

    graph = create_deep_agent(
        ScriptedChatModel(script=tool_script(REFUND)),
        tools=[refund],
        interrupt_on={"refund": {"allowed_decisions": ["approve", "reject"]}},
        checkpointer=InMemorySaver(),
    )
    [intr] = ask(graph, ASK_REFUND)
    assert intr.value["review_configs"] == [{"action_name": "refund", "allowed_decisions": ["approve", "reject"]}]
    send(graph, {intr.id: reject(intr, "ask finance first")})
    assert RAN == [] and "ask finance first" in tool_messages(graph)[0].content


# -- the agent-inbox shape (langgraph.prebuilt.interrupt.HumanInterrupt) --------------------


class Inbox(TypedDict, total=False):
    allow: dict[str, bool]
    answer: Any


def _inbox_node(state: Inbox) -> dict[str, Any]:
    request = {
        "action_request": {"action": "refund", "args": {"order": "A1"}},
        "config": {"allow_ignore": True, "allow_respond": True, "allow_edit": False, "allow_accept": True, **state["allow"]},
        "description": "Refund A1?",
    }
    response = interrupt([request])[0]
    return {"answer": response}


def inbox_graph():
    g = StateGraph(Inbox)
    g.add_node("review", _inbox_node)
    g.add_edge(START, "review")
    g.add_edge("review", END)
    return g.compile(checkpointer=InMemorySaver())


@pytest.mark.parametrize(
    ("verdict", "message", "sent"),
    [
        ("approve", None, {"type": "accept", "args": None}),
        ("reject", None, {"type": "ignore", "args": None}),
        ("reject", "too late", {"type": "response", "args": "too late"}),
    ],
)
def test_agent_inbox_answers(verdict, message, sent):
    graph = inbox_graph()
    [intr] = ask(graph, {"allow": {}})
    value = approve(intr) if verdict == "approve" else reject(intr, message)
    send(graph, {intr.id: value})
    assert graph.get_state(cfg()).values["answer"] == sent


def test_agent_inbox_config_flags_are_respected():
    graph = inbox_graph()
    [intr] = ask(graph, {"allow": {"allow_ignore": False, "allow_accept": False}})
    with pytest.raises(UnsafeAnswer, match="does not allow 'accept'"):
        approve_value(intr.value)
    with pytest.raises(UnsafeAnswer, match="does not allow 'ignore'.*give a reason"):
        reject_value(intr.value)
    assert reject(intr, "too late") == [{"type": "response", "args": "too late"}]
    assert offer(intr.value).labels == {"reject": "Reject", "respond": "Respond"}


# -- plain LangGraph interrupts: options, response schemas, plain questions, custom dicts ---


class Review(TypedDict, total=False):
    answer: Any
    outcome: str


def review_graph(ask_value: Any, response_schema: Any = None, read=None):
    """One node that asks ``ask_value`` and records how the app reads the answer."""

    def review(state: Review) -> dict[str, Any]:
        got = interrupt(ask_value, response_schema=response_schema) if response_schema is not None else interrupt(ask_value)
        return {"answer": got if not isinstance(got, BaseModel) else got.model_dump(), "outcome": read(got) if read else ""}

    g = StateGraph(Review)
    g.add_node("review", review)
    g.add_edge(START, "review")
    g.add_edge("review", END)
    return g.compile(checkpointer=InMemorySaver())


def _word_read(answer: Any) -> str:
    return "refund" if answer in ("approve", True, "yes") else "keep"


def test_options_are_answered_with_their_words():
    graph = review_graph({"question": "Sign off?", "options": ["Approve", "Revise"]}, read=_word_read)
    [intr] = ask(graph, {})
    assert offer(intr.value).labels == {"approve": "Approve", "reject": "Revise"}
    assert approve(intr) == "Approve" and reject(intr) == "Revise"
    with pytest.raises(UnsafeAnswer, match=r"no place for a reason; reject without one to send \"Revise\""):
        reject_value(intr.value, "too late")
    send(graph, {intr.id: reject(intr)})
    assert graph.get_state(cfg()).values == {"answer": "Revise", "outcome": "keep"}


def test_options_without_a_reject_word_refuse_reject():
    graph = review_graph({"question": "Which?", "options": ["ship", "approve"]})
    [intr] = ask(graph, {})
    assert approve(intr) == "approve"
    with pytest.raises(UnsafeAnswer, match=r'none of its options \("ship", "approve"\) reads as reject'):
        reject_value(intr.value)


def test_a_plain_question_takes_true_or_false_and_no_reason():
    graph = review_graph("Refund order A1?", read=lambda a: "refund" if a else "keep")
    [intr] = ask(graph, {})
    assert approve(intr) is True and reject(intr) is False
    with pytest.raises(UnsafeAnswer, match="plain question"):
        reject_value(intr.value, "too late")
    send(graph, {intr.id: reject(intr)})
    assert graph.get_state(cfg()).values["outcome"] == "keep"


def _truthy_app(answer: Any) -> str:
    # What a real app did: any answer that is not an explicit "no" reads as yes.
    if answer is False or answer == "no":
        return "keep"
    if isinstance(answer, dict) and answer.get("feedback"):
        return "refund"  # "feedback given, so the human looked at it and it is fine"
    return "refund" if answer else "keep"


def test_a_custom_dict_without_schema_refuses_reject():
    graph = review_graph({"question": "refund?", "amount": 5, "approved": None}, read=_truthy_app)
    [intr] = ask(graph, {})
    for message in (None, "too late"):
        with pytest.raises(UnsafeAnswer, match="no value is certain to be read as a reject"):
            reject_value(intr.value, message, intr.response_schema)
    assert approve(intr) is True  # LangGraph's yes/no convention; a misreading cannot refund a "no"
    assert editor_value(intr.value) == (True, None)
    send(graph, {intr.id: True})
    assert graph.get_state(cfg()).values["outcome"] == "refund"


APPROVED = {"type": "object", "properties": {"approved": {"type": "boolean"}}, "required": ["approved"]}
APPROVED_WITH_FEEDBACK = {
    "type": "object",
    "properties": {"approved": {"type": "boolean"}, "feedback": {"type": "string"}},
    "required": ["approved"],
}


def test_an_approved_flag_schema_gets_the_flag_and_a_reason_only_where_declared():
    graph = review_graph({"question": "refund?"}, APPROVED, read=lambda a: "refund" if a["approved"] else "keep")
    [intr] = ask(graph, {})
    assert approve(intr) == {"approved": True} and reject(intr) == {"approved": False}
    with pytest.raises(UnsafeAnswer, match="no field for a reason"):
        reject_value(intr.value, "too late", intr.response_schema)
    send(graph, {intr.id: reject(intr)})
    assert graph.get_state(cfg()).values["outcome"] == "keep"

    graph = review_graph({"question": "refund?"}, APPROVED_WITH_FEEDBACK, read=lambda a: "refund" if a["approved"] else "keep")
    [intr] = ask(graph, {}, thread="fb")
    assert reject(intr, "too late") == {"approved": False, "feedback": "too late"}
    send(graph, {intr.id: reject(intr, "too late")}, thread="fb")
    assert graph.get_state(cfg("fb")).values["outcome"] == "keep"


class Verdict(BaseModel):
    """A typed response_schema: LangGraph validates the resume value against it."""

    approved: bool
    comment: str | None = None


def test_a_pydantic_response_schema_is_validated_by_langgraph():
    graph = review_graph({"question": "refund?"}, Verdict, read=lambda a: "refund" if a.approved else "keep")
    [intr] = ask(graph, {})
    assert intr.response_schema["properties"]["approved"] == {"title": "Approved", "type": "boolean"}
    value = reject(intr, "too late")
    assert value == {"approved": False, "comment": "too late"}
    send(graph, {intr.id: value})
    assert graph.get_state(cfg()).values == {"answer": {"approved": False, "comment": "too late"}, "outcome": "keep"}


def test_a_union_of_words_and_an_object_keeps_the_reason_in_the_object():
    schema = {"anyOf": [{"enum": ["approve", "reject"]}, APPROVED_WITH_FEEDBACK]}
    graph = review_graph("Refund?", schema, read=lambda a: "keep" if a == "reject" or (isinstance(a, dict) and not a["approved"]) else "refund")
    [intr] = ask(graph, {})
    assert approve(intr) == "approve" and reject(intr) == "reject"
    value = reject(intr, "too late")
    assert value == {"approved": False, "feedback": "too late"}
    send(graph, {intr.id: value})
    assert graph.get_state(cfg()).values["outcome"] == "keep"


@pytest.mark.parametrize(
    ("schema", "approved", "rejected"),
    [
        ({"type": "boolean"}, True, False),
        ({"enum": ["yes", "no"]}, "yes", "no"),
        ({"oneOf": [{"const": "accept"}, {"const": "decline"}]}, "accept", "decline"),
        (
            {"oneOf": [{"$ref": "#/$defs/Go"}, {"$ref": "#/$defs/Stop"}], "$defs": {
                "Go": {"type": "object", "properties": {"decision": {"const": "approve"}}, "required": ["decision"]},
                "Stop": {"type": "object", "properties": {"decision": {"const": "reject"}}, "required": ["decision"]},
            }},
            {"decision": "approve"},
            {"decision": "reject"},
        ),
    ],
)
def test_schema_shapes(schema, approved, rejected):
    graph = review_graph("Refund?", schema)
    [intr] = ask(graph, {})
    assert approve(intr) == approved and reject(intr) == rejected
    send(graph, {intr.id: reject(intr)})
    assert graph.get_state(cfg()).values["answer"] == rejected


@pytest.mark.parametrize(
    ("schema", "refusal"),
    [
        ({"type": "string"}, "declares no value that means approve"),
        ({"enum": ["ship", "hold"]}, "reads as approve"),
        ({"type": "object", "properties": {"approved": {"type": "boolean"}, "ticket": {"type": "string"}}, "required": ["approved", "ticket"]}, "also requires ticket"),
    ],
)
def test_schemas_without_a_certain_approve_are_refused(schema, refusal):
    with pytest.raises(UnsafeAnswer, match=refusal):
        approve_value("Refund?", schema)
    start, hint = editor_value("Refund?", schema)
    assert hint and refusal in hint  # the editor starts from a skeleton to fill in
    assert check_schema(start, schema) is None


def test_a_value_never_breaks_a_declared_schema():
    # True for a plain question, but the schema wants an object: refused, not sent.
    with pytest.raises(UnsafeAnswer):
        approve_value("ok?", {"type": "object", "properties": {"go": {"type": "string"}}, "required": ["go"]})
    # An options list whose words the schema does not allow.
    with pytest.raises(UnsafeAnswer, match="does not fit the interrupt's response_schema"):
        approve_value({"options": ["approve", "reject"]}, {"type": "integer"})


# -- langgraph-swarm: its apps interrupt inside their own tools ----------------------------


def test_swarm_custom_approval_refuses_reject_and_approves():
    from langchain.agents import create_agent
    from langgraph_swarm import create_swarm

    @tool
    def issue_refund(order: str) -> str:
        """Issue a refund (asks a human first)."""
        decision = interrupt({"question": f"Refund {order}?", "order": order})
        approved = decision if isinstance(decision, bool) else bool(decision.get("approved", True))
        if approved:
            RAN.append(("issue_refund", {"order": order}))
            return f"refunded {order}"
        return "refund declined"

    model = ScriptedChatModel(script=tool_script(ScriptedToolCall("issue_refund", {"order": "A1"})))
    support = create_agent(model, tools=[issue_refund], name="support")
    graph = create_swarm([support], default_active_agent="support").compile(checkpointer=InMemorySaver())
    [intr] = ask(graph, ASK_REFUND)
    assert intr.value == {"question": "Refund A1?", "order": "A1"}
    with pytest.raises(UnsafeAnswer):  # {"approved": false, "feedback": ...} would refund here
        reject_value(intr.value, "too late", intr.response_schema)
    send(graph, {intr.id: approve(intr)})
    assert RAN == [("issue_refund", {"order": "A1"})]


# -- the old decision table, unchanged where it was certain ---------------------------------


def test_shapes_without_review_configs_state_no_limits():
    hitl = {"action_requests": [{"name": "send", "args": {}}], "review_configs": []}
    assert approve_value(hitl) == {"decisions": [{"type": "approve"}]}
    inbox = [{"action_request": {"action": "x", "args": {}}, "description": ""}]
    assert reject_value(inbox) == [{"type": "ignore", "args": None}]


# -- the CLI's plan (inspector.session.plan_resume) ----------------------------------------


def test_plan_resume_answers_from_the_declared_schema():
    from agent_debug.inspector.session import plan_resume

    graph = review_graph({"question": "refund?"}, APPROVED)
    [intr] = ask(graph, {})
    assert plan_resume([intr], thread_id="t", reject=True) == {intr.id: {"approved": False}}

    graph = hitl_agent({"refund": {"allowed_decisions": ["approve"]}})
    [intr] = ask(graph, ASK_REFUND, thread="p")
    intr = intr.model_copy(update={"node": "tools"})
    with pytest.raises(InspectorError, match=rf"cannot reject interrupt {intr.id[:8]} \(tools\) safely: reject is not allowed for tool 'refund'"):
        plan_resume([intr], thread_id="p", reject=True, message="too late")
