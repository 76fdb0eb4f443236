"""Error rules: credentials only in an HTTP-status context, suggestions that know the
node's RetryPolicy, and stored errors classified as live ones."""

from __future__ import annotations

import json
import operator
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, TypedDict

import anthropic
import httpx
import pytest
import requests
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy

from agent_debug.inspector.runner import Runner
from agent_debug.inspector.errors import classify, classify_exception, stored_error_fields
from agent_debug.inspector.model import ErrorInfo
from agent_debug.inspector.targets import open_source
from tests.test_error_classes import raised




def _anthropic(cls: type, status: int, kind: str, text: str) -> BaseException:
    body = {"type": "error", "error": {"type": kind, "message": text}}
    response = httpx.Response(status, request=httpx.Request("POST", "https://api.anthropic.com/v1/messages"), json=body)
    return cls(f"Error code: {status} - {body}", response=response, body=body)


def _requests_error(status: int, reason: str) -> BaseException:
    response = requests.models.Response()
    response.status_code, response.reason, response.url = status, reason, "https://api.example.com/v1/run"
    return raised(response.raise_for_status)


def _httpx_error(status: int) -> BaseException:
    return raised(httpx.Response(status, request=httpx.Request("GET", "https://api.example.com/v1/run")).raise_for_status)


# -- credentials -----------------------------------------------------------------------

AUTH = [
    _anthropic(anthropic.AuthenticationError, 401, "authentication_error", "invalid x-api-key"),
    _anthropic(anthropic.PermissionDeniedError, 403, "permission_error", "Your API key does not have permission"),
    _httpx_error(401),
    _httpx_error(403),
    _requests_error(403, "Forbidden"),
    ValueError("Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-...'}}"),
    RuntimeError("upstream said HTTP 403"),
    Exception("Invalid API key"),
]

NOT_AUTH = [
    ValueError("the word 'forbidden' is in the user's draft"),
    ValueError("Forbidden fruit is the title the user chose"),
    RuntimeError("unauthorized access is the theme of chapter 3"),
    Exception("permission denied by the reviewer: rewrite the intro"),
    ValueError("rooms 401 and 403 are booked"),
    KeyError("forbidden"),
    PermissionError(13, "Permission denied", "/var/lib/app/out.json"),
]


@pytest.mark.parametrize("exc", AUTH, ids=lambda e: f"{type(e).__name__}:{str(e)[:30]}")
def test_credentials_errors_are_known_by_class_or_http_status(exc):
    live = classify_exception(exc)
    assert (live.kind, live.rule) in (("permanent", "auth"), ("permanent", "auth-message")), live
    assert "API key" in live.suggestion
    # A store keeps the type name and message only: still a credentials problem.
    assert classify(type(exc).__name__, str(exc)).rule in ("auth", "auth-message")


@pytest.mark.parametrize("exc", NOT_AUTH, ids=lambda e: f"{type(e).__name__}:{str(e)[:30]}")
def test_the_users_own_words_are_no_credentials_problem(exc):
    for found in (classify_exception(exc), classify(type(exc).__name__, str(exc))):
        assert found.rule not in ("auth", "auth-message"), found
        assert "API key" not in found.suggestion


def test_a_file_permission_error_is_about_the_file():
    # What open() raises on a file the process may not read (EACCES).
    found = classify_exception(PermissionError(13, "Permission denied", "/var/lib/app/out.json"))
    assert found.rule == "os-permission" and "permissions" in found.suggestion and "API key" not in found.suggestion
    # ...unless the code raised it for a web server's refusal.
    assert classify("PermissionError", "403 for https://broken.example").rule == "auth-permission-error"


def test_a_lone_status_number_is_no_http_status():
    assert classify_exception(ValueError("order #429 was rejected")).rule == "bad-value"
    assert classify_exception(ValueError("HTTP 429: slow down")).kind == "transient"
    assert classify_exception(_httpx_error(503)).kind == "transient"
    assert classify("Exception", "cell 500 of the sheet is empty").kind == "unknown"


# -- suggestions that know the node's RetryPolicy ---------------------------------------------


class RateLimitError(Exception):
    """An SDK's HTTP 429."""


def test_an_exhausted_policy_is_told_which_knob_to_turn():
    policy = RetryPolicy(max_attempts=3, initial_interval=1.0, retry_on=RateLimitError)
    found = classify_exception(RateLimitError("Error code: 429"), node="plan", retry_policy=[policy], attempts=3)
    assert found.kind == "transient"
    assert "gave up after 3 attempts" in found.suggestion and "max_attempts=6" in found.suggestion
    assert "initial_interval=2" in found.suggestion
    assert "add_node(" not in found.suggestion


def test_a_retry_in_progress_names_the_attempt():
    policy = RetryPolicy(max_attempts=4, retry_on=RateLimitError)
    found = classify_exception(RateLimitError("429"), node="plan", retry_policy=[policy], attempts=2, will_retry=True)
    assert "retrying it under the node's RetryPolicy (attempt 2 of 4 failed)" in found.suggestion
    assert "add_node(" not in found.suggestion


def test_a_policy_whose_retry_on_leaves_the_error_out():
    # LangGraph's default retry_on retries no OSError, and TimeoutError is one.
    found = classify_exception(TimeoutError("read timed out"), node="fetch", retry_policy=[RetryPolicy()], attempts=1)
    assert found.kind == "transient"
    assert "does not retry TimeoutError" in found.suggestion
    assert "retry_on=lambda exc: isinstance(exc, TimeoutError) or default_retry_on(exc)" in found.suggestion
    assert "add_node(" not in found.suggestion
    listed = classify_exception(
        TimeoutError("read timed out"), retry_policy=[RetryPolicy(retry_on=(ConnectionError,))], attempts=1
    )
    assert "retry_on=(ConnectionError, TimeoutError)" in listed.suggestion


def test_a_node_without_a_policy_is_shown_the_snippet():
    found = classify_exception(RateLimitError("429"), node="plan", retry_policy=(), attempts=1)
    assert found.suggestion.startswith("transient: retry it with backoff, e.g. builder.add_node('plan', plan, retry_policy=RetryPolicy(")
    unknown = classify_exception(RateLimitError("429"), node="plan", attempts=1)  # the graph is not known
    assert "builder.add_node('plan'" in unknown.suggestion and "if the node has a RetryPolicy already" in unknown.suggestion


def test_retries_seen_without_the_policy_still_mean_there_is_one():
    found = classify_exception(ConnectionResetError(104, "Connection reset by peer"), node="fetch", attempts=5)
    assert "the node's RetryPolicy gave up after 5 attempts" in found.suggestion and "add_node(" not in found.suggestion


def test_a_permanent_error_retried_says_retrying_does_not_help():
    found = classify_exception(TypeError("bad operand"), retry_policy=[RetryPolicy(retry_on=Exception)], attempts=3)
    assert found.kind == "permanent" and "retrying does not fix" in found.suggestion


def test_a_stored_error_of_a_node_with_a_known_policy():
    policy = RetryPolicy(max_attempts=2, retry_on=RateLimitError)
    fields = stored_error_fields("RateLimitError", "Error code: 429", "plan", retry_policy=[policy])
    assert fields["classification"] == "transient" and "gave up after 2 attempts" in fields["suggestion"]


class _Count(TypedDict, total=False):
    n: int
    log: Annotated[list[str], operator.add]


def _failing(exc: BaseException):
    def node(state: _Count) -> dict[str, Any]:
        raise exc

    return node


def _run(graph: Any) -> list[Any]:
    events: list[Any] = []
    Runner(graph, "t").run({"n": 0}, sink=events.append)
    return [e for e in events if e.kind == "error"]


def test_a_live_run_knows_the_nodes_policy():
    builder = StateGraph(_Count)
    builder.add_node(
        "fetch",
        _failing(ConnectionResetError(104, "Connection reset by peer")),
        retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.0, jitter=False),
    )
    builder.add_edge(START, "fetch")
    errors = _run(builder.compile(checkpointer=InMemorySaver()))
    assert [(e.attempt, e.will_retry) for e in errors] == [(1, True), (2, True), (3, False)]
    assert "(attempt 1 of 3 failed)" in errors[0].suggestion and "(attempt 2 of 3 failed)" in errors[1].suggestion
    final = errors[-1]
    assert final.classification == "transient" and "RetryPolicy(max_attempts=3" in final.suggestion
    assert "gave up after 3 attempts" in final.suggestion
    assert not any("add_node(" in e.suggestion for e in errors)


def test_a_live_run_of_a_node_without_a_policy_is_told_to_add_one():
    builder = StateGraph(_Count)
    builder.add_node("fetch", _failing(ConnectionResetError(104, "Connection reset by peer")))
    builder.add_edge(START, "fetch")
    (error,) = _run(builder.compile(checkpointer=InMemorySaver()))
    assert error.suggestion.startswith("transient: retry it with backoff, e.g. builder.add_node('fetch', fetch,")


def test_a_live_run_reads_the_policy_of_a_node_inside_a_subgraph():
    inner = StateGraph(_Count)
    inner.add_node(
        "call_model",
        _failing(TimeoutError("model call timed out")),
        retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.0, jitter=False, retry_on=TimeoutError),
    )
    inner.add_edge(START, "call_model")
    outer = StateGraph(_Count)
    outer.add_node("agent", inner.compile())
    outer.add_edge(START, "agent")
    errors = _run(outer.compile(checkpointer=InMemorySaver()))
    final = next(e for e in errors if e.node == "call_model" and not e.will_retry)
    assert final.namespace.startswith("agent:") and final.attempt == 2
    assert "RetryPolicy(max_attempts=2" in final.suggestion and "gave up after 2 attempts" in final.suggestion


# -- stored errors ---------------------------------------------------------------------------


STORED = [
    RateLimitError("Error code: 429 Too Many Requests"),
    ValueError("the word 'forbidden' is in the user's draft"),
    ValueError("sandbox image 'python:9.9' not found"),
    KeyError("plan"),
    _httpx_error(401),
]


@pytest.mark.parametrize("exc", STORED, ids=lambda e: type(e).__name__)
def test_a_stored_error_gets_the_live_classification(tmp_path: Path, exc: BaseException):
    db = tmp_path / "failed.db"
    builder = StateGraph(_Count)
    builder.add_node("work", _failing(exc))
    builder.add_edge(START, "work")
    conn = sqlite3.connect(db, check_same_thread=False)
    graph = builder.compile(checkpointer=SqliteSaver(conn))
    with pytest.raises(type(exc)):
        graph.invoke({"n": 0}, {"configurable": {"thread_id": "t"}})
    conn.close()

    with open_source(str(db)) as source:
        (error,) = source.state("t").errors
    fields = stored_error_fields(error.type, error.message, error.node)
    assert list(fields) == ["classification", "suggestion", "confidence"]
    live = classify_exception(exc, node="work")
    assert (fields["classification"], fields["confidence"]) == (live.kind, live.confidence)
    assert classify(error.type, error.message, node="work").rule == live.rule
    # The fields complete an ErrorInfo, whose JSON they keep as plain values.
    info = ErrorInfo(**{**error.model_dump(), **fields})
    assert json.loads(info.model_dump_json())["suggestion"] == fields["suggestion"]


def test_old_documents_without_the_fields_stay_valid():
    info = ErrorInfo.model_validate({"type": "ValueError", "message": "m", "node": None, "task_id": "x"})
    assert (info.classification, info.suggestion, info.confidence) == (None, None, None)


def test_the_classifier_imports_no_pydantic_or_langgraph():
    probe = (
        "import sys\n"
        "from agent_debug.inspector.errors import stored_error_fields\n"
        "stored_error_fields('ValueError', 'HTTP 401', 'n')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core', 'langgraph', 'langchain_core'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
