"""The error classification table: at least one case per class, live and stored errors."""

from __future__ import annotations

import sqlite3
from typing import TypedDict

import httpx
import pydantic
import pytest
import requests
from langgraph.errors import GraphRecursionError, InvalidUpdateError
from langgraph.graph import START, StateGraph

from agent_debug.fixtures.feature_request import RateLimitError
from agent_debug.inspector.errors import RULES, classify, classify_exception


def raised(fn) -> BaseException:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - collecting the exception is the point
        return exc
    raise AssertionError("did not raise")


def _validation_error() -> BaseException:
    class Point(pydantic.BaseModel):
        x: int

    return raised(lambda: Point(x="not a number"))


def _recursion_error() -> BaseException:
    class Count(TypedDict, total=False):
        n: int

    builder = StateGraph(Count)
    builder.add_node("tick", lambda s: {"n": s.get("n", 0) + 1})
    builder.add_edge(START, "tick")
    builder.add_conditional_edges("tick", lambda s: "tick")
    return raised(lambda: builder.compile().invoke({}, {"recursion_limit": 7}))


def _concurrent_update_error() -> BaseException:
    class Shared(TypedDict, total=False):
        findings: list[str]

    builder = StateGraph(Shared)
    builder.add_node("left", lambda s: {"findings": ["a"]})
    builder.add_node("right", lambda s: {"findings": ["b"]})
    builder.add_edge(START, "left")
    builder.add_edge(START, "right")
    return raised(lambda: builder.compile().invoke({}))


TRANSIENT = [
    RateLimitError("Error code: 429 Too Many Requests - rate limit reached"),
    ValueError("HTTP 429: too many requests"),
    TimeoutError("The read operation timed out"),
    httpx.ReadTimeout("timed out"),
    requests.exceptions.ReadTimeout("read timeout"),
    ConnectionResetError(104, "Connection reset by peer"),
    ConnectionRefusedError(111, "Connection refused"),
    RuntimeError("upstream connection reset by peer"),
    Exception("503 Service Unavailable"),
    Exception("Overloaded"),
]
PERMANENT = [
    _validation_error(),
    ImportError("cannot import name 'Foo' from 'bar'"),
    ModuleNotFoundError("No module named 'langchain_openai'"),
    TypeError("unsupported operand type(s) for +: 'int' and 'str'"),
    KeyError("plan"),
    AttributeError("'NoneType' object has no attribute 'content'"),
    ValueError("sandbox image 'python:9.9' not found"),
]


@pytest.mark.parametrize("exc", TRANSIENT, ids=lambda e: f"{type(e).__name__}:{e}")
def test_transient(exc):
    found = classify_exception(exc, node="plan")
    assert found.kind == "transient" and found.confidence >= 0.75
    # a concrete snippet, naming the node
    assert "RetryPolicy(" in found.suggestion and "builder.add_node('plan', plan" in found.suggestion


@pytest.mark.parametrize("exc", PERMANENT, ids=lambda e: f"{type(e).__name__}:{e}")
def test_permanent(exc):
    found = classify_exception(exc)
    assert found.kind == "permanent" and found.confidence >= 0.7, found


def test_recursion_limit_is_recoverable_with_the_setting_to_change():
    exc = _recursion_error()
    assert isinstance(exc, GraphRecursionError)
    found = classify_exception(exc)
    assert found.kind == "recoverable" and found.confidence >= 0.9
    assert "recursion_limit" in found.suggestion and "current limit 7" in found.suggestion
    assert "config={'recursion_limit': 14}" in found.suggestion


def test_concurrent_update_is_recoverable_naming_the_channel():
    exc = _concurrent_update_error()
    assert isinstance(exc, InvalidUpdateError)
    found = classify_exception(exc)
    assert found.kind == "recoverable" and found.rule == "concurrent-update"
    assert "channel 'findings'" in found.suggestion and "Annotated[list, operator.add]" in found.suggestion


def test_a_bad_node_return_value_is_recoverable():
    found = classify("InvalidUpdateError", "Expected dict, got ['oops']\nFor troubleshooting, visit: ...", node="plan")
    assert found.kind == "recoverable" and "node 'plan' must return a dict" in found.suggestion


@pytest.mark.parametrize("exc", [RuntimeError("the flux capacitor melted"), Exception(""), ArithmeticError("odd")])
def test_unknown_with_low_confidence(exc):
    found = classify_exception(exc)
    assert found.kind == "unknown" and found.confidence < 0.5 and found.suggestion


@pytest.mark.parametrize(
    "exc",
    [*TRANSIENT, *PERMANENT, _recursion_error(), _concurrent_update_error()],
    ids=lambda e: type(e).__name__,
)
def test_a_stored_error_classifies_like_the_live_one(exc):
    # A checkpoint store keeps the type name and the message only.
    assert classify(type(exc).__name__, str(exc)).kind == classify_exception(exc).kind


def test_the_hierarchy_counts_when_the_exception_is_at_hand():
    class VendorTimeout(TimeoutError):
        pass

    assert classify_exception(VendorTimeout("slow")).kind == "transient"
    assert classify("VendorTimeout", "slow").kind == "unknown"  # stored: the name says nothing


def test_an_http_status_attribute_counts():
    class APIStatusError(Exception):
        def __init__(self, message: str, status_code: int) -> None:
            super().__init__(message)
            self.status_code = status_code

    assert classify_exception(APIStatusError("request failed", 429)).kind == "transient"
    assert classify_exception(APIStatusError("request failed", 503)).kind == "transient"
    assert classify_exception(APIStatusError("request failed", 401)).kind == "permanent"


def test_an_error_read_from_a_checkpoint_store(tmp_path):
    """The TUI classifies stored errors: a real failed run, read back by the inspector."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent_debug.fixtures.feature_request import graph
    from agent_debug.inspector.targets import open_source

    path = tmp_path / "runs.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        bound = graph.copy(update={"checkpointer": SqliteSaver(conn)})
        with pytest.raises(ValueError):
            bound.invoke({"request": "x", "fail_permanently": True}, {"configurable": {"thread_id": "failed"}})
    finally:
        conn.close()
    source = open_source(str(path))
    try:
        (stored,) = source.thread("failed").errors
    finally:
        source.close()
    found = classify(stored.type, stored.message, node=stored.node)
    assert (stored.type, found.kind) == ("ValueError", "permanent")


def test_the_table_is_well_formed():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert {rule.kind for rule in RULES} == {"transient", "permanent", "recoverable"}
    assert all(0 < rule.confidence <= 1 for rule in RULES)
    assert all(rule.types or rule.pattern is not None for rule in RULES)
